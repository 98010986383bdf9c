"""Arithmetic gates. Each backward is the derivative written in its docstring.

Broadcasting is handled once, by the base class (:meth:`~tensorgate.autograd.gate.Gate.downstream`, through
``autograd/plumbing.py``): a gate returns gradients of the broadcast shape and the plumbing sums them back
to each input's shape. The elementwise gates look alike on purpose: each is one derivative written out,
as in the lecture's gate diagrams, rather than a table of lambdas a reader would have to decode.

Each gate takes its array module from its inputs (``D.namespace``), so it runs on any device. The MLP's hot
gates (add, mul, matmul) are written with operators, which every array library has, and keep their NumPy
code as it was.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import backend as B
from ..backend import devices as D
from ..autograd.gate import Gate

if TYPE_CHECKING:
    from numpy.typing import DTypeLike, NDArray

    from ..autograd.gate import Grads


class AddGate(Gate):
    """z = a + b.   ∂z/∂a = 1, ∂z/∂b = 1: the upstream gradient passes through unchanged.

    Shape: a, b broadcastable; z: the broadcast shape.
    """

    needs_float = False
    promotes_integers = True

    def forward(self, a: NDArray[Any], b: NDArray[Any]) -> NDArray[Any]:
        return a + b

    def backward(self, g: NDArray[Any]) -> Grads:
        return g, g


class SubGate(Gate):
    """z = a − b.   ∂z/∂a = 1, ∂z/∂b = −1.

    Shape: a, b broadcastable; z: the broadcast shape.
    """

    needs_float = False
    promotes_integers = True

    def forward(self, a: NDArray[Any], b: NDArray[Any]) -> NDArray[Any]:
        return a - b

    def backward(self, g: NDArray[Any]) -> Grads:
        return g, (-g if self.needs[1] else None)


class MulGate(Gate):
    """z = a · b.   ∂z/∂a = b, ∂z/∂b = a (each input's gradient is the other input).

    Shape: a, b broadcastable; z: the broadcast shape.
    """

    needs_float = False
    promotes_integers = True

    def forward(self, a: NDArray[Any], b: NDArray[Any]) -> NDArray[Any]:
        self.a, self.b = a, b
        return a * b

    def backward(self, g: NDArray[Any]) -> Grads:
        return (g * self.b if self.needs[0] else None,
                g * self.a if self.needs[1] else None)


class ReciprocalGate(Gate):
    """z = 1 / a.   ∂z/∂a = −1/a² = −z².  Saves z.

    Division a / b is written as a · (1/b), the way the lecture's gate diagrams break it down.
    Shape: a: any; z: same.
    """

    def forward(self, a: NDArray[Any]) -> NDArray[Any]:
        self.z = 1.0 / a
        return self.z

    def backward(self, g: NDArray[Any]) -> Grads:
        return -g * self.z * self.z


class NegGate(Gate):
    """z = −a.   ∂z/∂a = −1.

    Shape: a: any; z: same.
    """

    needs_float = False

    def forward(self, a: NDArray[Any]) -> NDArray[Any]:
        return -a

    def backward(self, g: NDArray[Any]) -> Grads:
        return -g


class PowGate(Gate):
    """z = a ** p.   ∂z/∂a = p · a^(p−1);   ∂z/∂p = z · ln a (only when p is a tensor that needs it).

    At the edges PyTorch's conventions: ∂z/∂a = 0 where p = 0, and ∂z/∂p = 0 where a = 0 and p ≥ 0.

    Shape: a, p broadcastable; z: the broadcast shape.
    """

    def forward(self, a: NDArray[Any], p: NDArray[Any]) -> NDArray[Any]:
        self.a, self.p = a, p
        self.z = a ** p
        return self.z

    def backward(self, g: NDArray[Any]) -> Grads:
        a, p = self.a, self.p
        xp = D.namespace(g)
        ga = g * p * a ** (p - 1) if self.needs[0] else None
        if ga is not None and xp.any(p == 0):        # as PyTorch: 0 where p = 0 (not 0·0⁻¹ = nan at a = 0)
            ga = xp.where(p == 0, 0.0, ga)
        gp = g * self.z * xp.log(a) if self.needs[1] else None
        if gp is not None:
            zero_base = (a == 0) & (p >= 0)           # as PyTorch: 0 where a = 0 and p ≥ 0 (not 0·ln 0 = nan)
            if xp.any(zero_base):
                gp = xp.where(zero_base, 0.0, gp)
        return ga, gp


class MatMulGate(Gate):
    """Z = A @ B.   ∂L/∂A = ∂L/∂Z @ Bᵀ,   ∂L/∂B = Aᵀ @ ∂L/∂Z.

    Shape: A: (..., m, n), B: (..., n, p) → Z: (..., m, p); leading (batch) dimensions broadcast.
    (:func:`tensorgate.functional.matmul` reshapes 1-D operands to a row or a column first, as NumPy does.)
    """

    def forward(self, a: NDArray[Any], b: NDArray[Any]) -> NDArray[Any]:
        if a.shape[-1] != b.shape[-2]:
            raise ValueError(
                f"matmul: {a.shape} @ {b.shape}: inner dimensions {a.shape[-1]} and {b.shape[-2]} differ")
        self.a, self.b = a, b
        return a @ b

    def backward(self, g: NDArray[Any]) -> Grads:
        if g.__class__ is not np.ndarray:     # the standard's matrix_transpose; NumPy's swapaxes as before
            xp = D.namespace(g)
            return (g @ xp.matrix_transpose(self.b) if self.needs[0] else None,
                    xp.matrix_transpose(self.a) @ g if self.needs[1] else None)
        ga = g @ np.swapaxes(self.b, -1, -2) if self.needs[0] else None
        gb = np.swapaxes(self.a, -1, -2) @ g if self.needs[1] else None
        return ga, gb


class ExpGate(Gate):
    """z = eᵃ.   ∂z/∂a = eᵃ = z.  Saves z.

    Shape: a: any; z: same.
    """

    def forward(self, a: NDArray[Any]) -> NDArray[Any]:
        self.z = D.namespace(a).exp(a)
        return self.z

    def backward(self, g: NDArray[Any]) -> Grads:
        return g * self.z


class LogGate(Gate):
    """z = ln a.   ∂z/∂a = 1/a.

    Shape: a: any; z: same.
    """

    def forward(self, a: NDArray[Any]) -> NDArray[Any]:
        self.a = a
        return D.namespace(a).log(a)

    def backward(self, g: NDArray[Any]) -> Grads:
        return g / self.a


class SqrtGate(Gate):
    """z = √a.   ∂z/∂a = 1 / (2√a) = 1 / (2z).  Saves z.

    Shape: a: any; z: same.
    """

    def forward(self, a: NDArray[Any]) -> NDArray[Any]:
        self.z = D.namespace(a).sqrt(a)
        return self.z

    def backward(self, g: NDArray[Any]) -> Grads:
        return g / (2.0 * self.z)


class AbsGate(Gate):
    """z = |a|.   ∂z/∂a = sign(a) (0 at a = 0, as PyTorch).

    Shape: a: any; z: same.
    """

    def forward(self, a: NDArray[Any]) -> NDArray[Any]:
        self.a = a
        return D.namespace(a).abs(a)

    def backward(self, g: NDArray[Any]) -> Grads:
        return g * D.namespace(g).sign(self.a)


def _share(wins: NDArray[Any], ties: NDArray[Any], dtype: Any) -> NDArray[Any]:
    """1 where ``wins``, ½ where ``ties``, else 0, in ``dtype`` (the standard does no arithmetic on booleans)."""
    xp = D.namespace(wins)
    return xp.astype(wins, dtype) + 0.5 * xp.astype(ties, dtype)


class MaximumGate(Gate):
    """z = max(a, b) elementwise.   The gradient goes to the larger input; on a tie it is split in half.

    Shape: a, b broadcastable; z: the broadcast shape.
    """

    def forward(self, a: NDArray[Any], b: NDArray[Any]) -> NDArray[Any]:
        self.a, self.b = a, b
        return D.namespace(a, b).maximum(a, b)

    def backward(self, g: NDArray[Any]) -> Grads:
        share_a = _share(self.a > self.b, self.a == self.b, g.dtype)
        ga = g * share_a if self.needs[0] else None
        gb = g * (1.0 - share_a) if self.needs[1] else None
        return ga, gb


class MinimumGate(Gate):
    """z = min(a, b) elementwise.   The gradient goes to the smaller input; on a tie it is split in half.

    Shape: a, b broadcastable; z: the broadcast shape.
    """

    def forward(self, a: NDArray[Any], b: NDArray[Any]) -> NDArray[Any]:
        self.a, self.b = a, b
        return D.namespace(a, b).minimum(a, b)

    def backward(self, g: NDArray[Any]) -> Grads:
        share_a = _share(self.a < self.b, self.a == self.b, g.dtype)
        ga = g * share_a if self.needs[0] else None
        gb = g * (1.0 - share_a) if self.needs[1] else None
        return ga, gb


class ClipGate(Gate):
    """z = min(max(a, lo), hi).   ∂z/∂a = 1 where lo ≤ a ≤ hi, else 0 (PyTorch's clamp convention).

    Shape: a: any; z: same.
    """

    def forward(self, a: NDArray[Any], lo: float | None = None, hi: float | None = None) -> NDArray[Any]:
        lo, hi = B.weak(lo), B.weak(hi)       # NumPy scalar bounds keep a's dtype, as Python numbers do
        xp = D.namespace(a)
        inside = None
        if lo is not None:
            inside = a >= lo
        if hi is not None:
            inside = a <= hi if inside is None else inside & (a <= hi)
        self.inside = None if inside is None else xp.astype(inside, a.dtype)   # the standard: no float·bool
        return xp.clip(a, lo, hi)

    def backward(self, g: NDArray[Any]) -> Grads:
        return g if self.inside is None else g * self.inside


class WhereGate(Gate):
    """z = a where cond else b.   ∂z/∂a = cond, ∂z/∂b = not cond.

    ``cond`` is a boolean array (not a gate input). Shape: cond, a, b broadcastable; z: the broadcast shape.
    """

    needs_float = False
    promotes_integers = True

    def forward(self, a: NDArray[Any], b: NDArray[Any], cond: NDArray[Any] | None = None) -> NDArray[Any]:
        xp = D.namespace(a, b)
        if xp is not np or (cond.__class__ is not np.ndarray and cond.__class__ is not bool):
            cond = _condition(xp, cond, a)
        self.cond = cond
        return xp.where(cond, a, b)

    def backward(self, g: NDArray[Any]) -> Grads:
        xp = D.namespace(g)
        zero = xp.zeros((), dtype=g.dtype, device=g.device)
        ga = xp.where(self.cond, g, zero) if self.needs[0] else None
        gb = xp.where(self.cond, zero, g) if self.needs[1] else None
        return ga, gb


def _condition(xp: Any, cond: Any, like: NDArray[Any]) -> Any:
    """``cond`` as booleans on ``like``'s device: a NumPy mask or a bool may go with tensors elsewhere."""
    if cond.__class__ is bool or isinstance(cond, np.generic):
        cond = np.asarray(cond)
    cond = D.to_device(cond, *D.device_of(like))
    return cond if D.kind(cond.dtype) == "b" else xp.astype(cond, xp.bool)


class CastGate(Gate):
    """z = a converted to another floating dtype.   ∂z/∂a = 1 (the gradient is cast back).

    Shape: a: any; z: same.
    """

    def forward(self, a: NDArray[Any], dtype: DTypeLike | None = None) -> NDArray[Any]:
        if a.__class__ is np.ndarray:
            return a.astype(dtype)
        other = D.namespace(a)
        return other.astype(a, D.dtype_in(other, dtype))

    def backward(self, g: NDArray[Any]) -> Grads:
        return g  # the base gate casts it back to the input's dtype
