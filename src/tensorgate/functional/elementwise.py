"""Elementwise mathematical gates: trigonometry, rounding, log1p/expm1, erf, rsqrt.

Each backward is the derivative in the docstring, written with the same letters; the docstring says what
forward saves. Rounding functions (sign, floor, ceil, round) are piecewise constant: their derivative is 0
wherever it exists, and PyTorch defines it as 0 everywhere, so no gradient flows through them.
Each gate takes its array module from its input (``D.namespace``), so it runs on any device.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import math

import numpy as np

from ..backend import devices as D
from ..backend import erf as erf_values
from ..autograd.gate import Gate

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from ..autograd.gate import Grads
    from ..autograd.tensor import Tensor, TensorLike


class SinGate(Gate):
    """z = sin a.   ∂z/∂a = cos a.  Saves a.

    Shape: a: any; z: same.
    """

    name = "sin"
    exact_gradients = True

    def forward(self, a: NDArray[Any]) -> NDArray[Any]:
        self.a = a
        return D.namespace(a).sin(a)

    def backward(self, g: NDArray[Any]) -> Grads:
        return g * D.namespace(g).cos(self.a)


class CosGate(Gate):
    """z = cos a.   ∂z/∂a = −sin a.  Saves a.

    Shape: a: any; z: same.
    """

    name = "cos"
    exact_gradients = True

    def forward(self, a: NDArray[Any]) -> NDArray[Any]:
        self.a = a
        return D.namespace(a).cos(a)

    def backward(self, g: NDArray[Any]) -> Grads:
        return -g * D.namespace(g).sin(self.a)


class TanGate(Gate):
    """z = tan a.   ∂z/∂a = 1/cos² a = 1 + tan² a = 1 + z².  Saves z.

    Shape: a: any; z: same.
    """

    name = "tan"
    exact_gradients = True

    def forward(self, a: NDArray[Any]) -> NDArray[Any]:
        self.z = D.namespace(a).tan(a)
        return self.z

    def backward(self, g: NDArray[Any]) -> Grads:
        z = self.z
        return g * (1.0 + z * z)


class _PiecewiseConstant(Gate):
    """A function that is constant between jumps: ∂z/∂a = 0 (PyTorch's convention, at the jumps too).

    Integer tensors are accepted (the result keeps their dtype), as in PyTorch.
    """

    needs_float = False

    def backward(self, g: NDArray[Any]) -> Grads:
        return D.namespace(g).zeros_like(g)


class SignGate(_PiecewiseConstant):
    """z = sign a ∈ {−1, 0, 1}.   ∂z/∂a = 0.  Saves nothing.

    Shape: a: any; z: same.
    """

    name = "sign"
    exact_gradients = True

    def forward(self, a: NDArray[Any]) -> NDArray[Any]:
        return D.namespace(a).sign(a)


class FloorGate(_PiecewiseConstant):
    """z = ⌊a⌋.   ∂z/∂a = 0.  Saves nothing.

    Shape: a: any; z: same.
    """

    name = "floor"
    exact_gradients = True

    def forward(self, a: NDArray[Any]) -> NDArray[Any]:
        xp = D.namespace(a)
        return xp.floor(a) if D.kind(a.dtype) == "f" else xp.asarray(a, copy=True)


class CeilGate(_PiecewiseConstant):
    """z = ⌈a⌉.   ∂z/∂a = 0.  Saves nothing.

    Shape: a: any; z: same.
    """

    name = "ceil"
    exact_gradients = True

    def forward(self, a: NDArray[Any]) -> NDArray[Any]:
        xp = D.namespace(a)
        return xp.ceil(a) if D.kind(a.dtype) == "f" else xp.asarray(a, copy=True)


class RoundGate(_PiecewiseConstant):
    """z = a rounded to ``decimals`` places, halves to even (as PyTorch and NumPy).   ∂z/∂a = 0.

    Saves nothing. Shape: a: any; z: same.
    """

    name = "round"
    exact_gradients = True

    def forward(self, a: NDArray[Any], decimals: int = 0) -> NDArray[Any]:
        if a.__class__ is np.ndarray:
            return np.round(a, decimals)
        xp = D.namespace(a)
        if D.kind(a.dtype) != "f":          # integers: unchanged, or rounded to tens, hundreds, ... as NumPy
            if decimals >= 0:
                return xp.asarray(a, copy=True)
            return xp.astype(_round(xp, xp.astype(a, xp.float64), decimals), a.dtype)
        return _round(xp, a, decimals)


def _round(xp: Any, a: NDArray[Any], decimals: int) -> NDArray[Any]:
    """a rounded to ``decimals`` places as NumPy does it (the standard's round has no decimals): scale by a
    power of ten, round half to even, scale back."""
    if decimals == 0:
        return xp.round(a)
    if decimals > 0:
        scale = 10.0 ** decimals
        return xp.round(a * scale) / scale
    scale = 10.0 ** -decimals
    return xp.round(a / scale) * scale


class Log1pGate(Gate):
    """z = ln(1 + a), exact for small a.   ∂z/∂a = 1/(1 + a).  Saves a.

    Shape: a: any (a > −1); z: same.
    """

    name = "log1p"
    exact_gradients = True

    def forward(self, a: NDArray[Any]) -> NDArray[Any]:
        self.a = a
        return D.namespace(a).log1p(a)

    def backward(self, g: NDArray[Any]) -> Grads:
        return g / (1.0 + self.a)


class Expm1Gate(Gate):
    """z = eᵃ − 1, exact for small a.   ∂z/∂a = eᵃ = z + 1.  Saves z.

    Shape: a: any; z: same.
    """

    name = "expm1"
    exact_gradients = True

    def forward(self, a: NDArray[Any]) -> NDArray[Any]:
        self.z = D.namespace(a).expm1(a)
        return self.z

    def backward(self, g: NDArray[Any]) -> Grads:
        return g * (self.z + 1.0)


class ErfGate(Gate):
    """z = erf(a) = (2/√π) ∫₀ᵃ e^(−t²) dt.   ∂z/∂a = (2/√π) e^(−a²).  Saves a.

    Shape: a: any; z: same.
    """

    name = "erf"
    exact_gradients = True

    def forward(self, a: NDArray[Any]) -> NDArray[Any]:
        self.a = a
        return erf_values(a)

    def backward(self, g: NDArray[Any]) -> Grads:
        xp = D.namespace(self.a)
        return g * ((2.0 / math.sqrt(math.pi)) * xp.exp(-(self.a * self.a)))


class RsqrtGate(Gate):
    """z = 1/√a = a^(−1/2).   ∂z/∂a = −½ a^(−3/2) = −½ z³.  Saves z.

    Shape: a: any (a > 0); z: same.
    """

    name = "rsqrt"
    exact_gradients = True

    def forward(self, a: NDArray[Any]) -> NDArray[Any]:
        self.z = 1.0 / D.namespace(a).sqrt(a)
        return self.z

    def backward(self, g: NDArray[Any]) -> Grads:
        z = self.z
        return g * (-0.5 * z * z * z)


# ---------------------------------------------------------------- the functions (also Tensor methods)
def sin(a: TensorLike) -> Tensor:
    """sin a elementwise; derivative cos a (:class:`SinGate`). Shape: that of a."""
    return SinGate.apply(a)


def cos(a: TensorLike) -> Tensor:
    """cos a elementwise; derivative −sin a (:class:`CosGate`). Shape: that of a."""
    return CosGate.apply(a)


def tan(a: TensorLike) -> Tensor:
    """tan a elementwise; derivative 1 + tan² a (:class:`TanGate`). Shape: that of a."""
    return TanGate.apply(a)


def sign(a: TensorLike) -> Tensor:
    """−1, 0 or 1 by the sign of a; zero gradient (:class:`SignGate`). Shape: that of a."""
    return SignGate.apply(a)


def floor(a: TensorLike) -> Tensor:
    """⌊a⌋ elementwise; zero gradient. Shape: that of a."""
    return FloorGate.apply(a)


def ceil(a: TensorLike) -> Tensor:
    """⌈a⌉ elementwise; zero gradient. Shape: that of a."""
    return CeilGate.apply(a)


def round(a: TensorLike, decimals: int = 0) -> Tensor:
    """a rounded to ``decimals`` places, halves to even (2.5 → 2, as PyTorch); zero gradient.

    Shape: that of a.
    """
    if isinstance(decimals, bool) or not isinstance(decimals, int):
        raise TypeError(f"round: decimals must be an int, got {decimals!r}")
    return RoundGate.apply(a, decimals=decimals)


def erf(a: TensorLike) -> Tensor:
    """erf a, the error function, elementwise, as ``torch.erf``; derivative (2/√π) e^(−a²) (:class:`ErfGate`).
    Shape: that of a."""
    return ErfGate.apply(a)


def log1p(a: TensorLike) -> Tensor:
    """ln(1 + a), accurate for small a; derivative 1/(1 + a). Shape: that of a."""
    return Log1pGate.apply(a)


def expm1(a: TensorLike) -> Tensor:
    """eᵃ − 1, accurate for small a; derivative eᵃ. Shape: that of a."""
    return Expm1Gate.apply(a)


def rsqrt(a: TensorLike) -> Tensor:
    """1/√a; derivative −½ a^(−3/2). Shape: that of a."""
    return RsqrtGate.apply(a)
