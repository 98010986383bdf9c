"""Smooth activation gates: softplus, SiLU, ELU, SELU, Mish, log-sigmoid.

Each is one gate with its closed-form derivative in the docstring; σ(a) = 1/(1 + e⁻ᵃ) throughout, computed
without overflow as in the sigmoid gate. Settings (β, α, the threshold) go through ``backend.weak`` so that a
NumPy float64 setting never promotes a float32 tensor. Each gate takes its array module from its input
(``D.namespace``), so it runs on any device.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import backend as B
from ..backend import devices as D
from ..autograd.gate import Gate
from ..autograd.tensor import Tensor
from .package import gates as _gates

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from ..autograd.gate import Grads
    from ..autograd.tensor import TensorLike

#: SELU's constants (Klambauer et al. 2017), as PyTorch writes them
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _sigmoid(xp: Any, a: NDArray[Any]) -> NDArray[Any]:
    """σ(a) without overflow: e^a/(1 + e^a) for negative a."""
    e = xp.exp(-xp.abs(a))
    return xp.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _softplus(xp: Any, a: NDArray[Any]) -> NDArray[Any]:
    """ln(1 + eᵃ) = max(a, 0) + ln(1 + e^−|a|), which never overflows."""
    return xp.maximum(a, 0) + xp.log1p(xp.exp(-xp.abs(a)))


class SoftplusGate(Gate):
    """z = (1/β) ln(1 + e^(βa)), and z = a where βa > threshold (PyTorch's linear region, 20 by default).

    ∂z/∂a = σ(βa), and 1 in the linear region.  Saves σ(βa) (1 in the linear region).
    Shape: a: any; z: same.
    """

    name = "softplus"
    exact_gradients = True

    def forward(self, a: NDArray[Any], beta: float = 1.0, threshold: float = 20.0) -> NDArray[Any]:
        beta, threshold = B.weak(beta), B.weak(threshold)
        xp = D.namespace(a)
        ba = a * beta
        linear = ba > threshold
        self.slope = xp.astype(xp.where(linear, 1.0, _sigmoid(xp, ba)), a.dtype, copy=False)
        return xp.where(linear, a, _softplus(xp, ba) / beta)

    def backward(self, g: NDArray[Any]) -> Grads:
        return g * self.slope


class SiLUGate(Gate):
    """z = a·σ(a) (SiLU, also called swish).   ∂z/∂a = σ(a) + a·σ(a)(1 − σ(a)) = σ(a)(1 + a(1 − σ(a))).

    Saves a and σ(a).  Shape: a: any; z: same.
    """

    name = "silu"
    exact_gradients = True

    def forward(self, a: NDArray[Any]) -> NDArray[Any]:
        self.a, self.s = a, _sigmoid(D.namespace(a), a)
        return a * self.s

    def backward(self, g: NDArray[Any]) -> Grads:
        a, s = self.a, self.s
        return g * (s * (1.0 + a * (1.0 - s)))


class ELUGate(Gate):
    """z = a if a > 0 else α(eᵃ − 1).   ∂z/∂a = 1 if a > 0 else α·eᵃ (= z + α, which would cancel to 0 in
    float32 for very negative a: hence α·eᵃ from the saved eᵃ).  Saves the mask a > 0 and e^min(a, 0).

    Shape: a: any; z: same.
    """

    name = "elu"
    exact_gradients = True

    def forward(self, a: NDArray[Any], alpha: float = 1.0) -> NDArray[Any]:
        self.alpha = alpha = B.weak(alpha)
        xp = D.namespace(a)
        self.positive = a > 0
        self.e = xp.exp(xp.minimum(a, 0))          # min: no overflow for large a
        return xp.where(self.positive, a, alpha * xp.expm1(xp.minimum(a, 0)))   # expm1: exact near 0

    def backward(self, g: NDArray[Any]) -> Grads:
        return D.namespace(g).where(self.positive, g, g * (self.alpha * self.e))


class SELUGate(Gate):
    """z = λ·(a if a > 0 else α(eᵃ − 1)), λ ≈ 1.0507, α ≈ 1.6733 (self-normalising constants).

    ∂z/∂a = λ if a > 0 else λα·eᵃ (computed from the saved eᵃ, as in :class:`ELUGate`).
    Saves the mask a > 0 and e^min(a, 0).  Shape: a: any; z: same.
    """

    name = "selu"
    exact_gradients = True

    def forward(self, a: NDArray[Any]) -> NDArray[Any]:
        xp = D.namespace(a)
        self.positive = a > 0
        self.e = xp.exp(xp.minimum(a, 0))
        return SELU_SCALE * xp.where(self.positive, a, SELU_ALPHA * xp.expm1(xp.minimum(a, 0)))

    def backward(self, g: NDArray[Any]) -> Grads:
        return D.namespace(g).where(self.positive, g * SELU_SCALE, g * (SELU_SCALE * SELU_ALPHA * self.e))


class MishGate(Gate):
    """z = a·tanh(softplus(a)).   ∂z/∂a = t + a·(1 − t²)·σ(a),  t = tanh(softplus(a)), since softplus' = σ.

    Saves a and t.  Shape: a: any; z: same.
    """

    name = "mish"
    exact_gradients = True

    def forward(self, a: NDArray[Any]) -> NDArray[Any]:
        xp = D.namespace(a)
        self.a, self.t = a, xp.tanh(_softplus(xp, a))
        return a * self.t

    def backward(self, g: NDArray[Any]) -> Grads:
        a, t = self.a, self.t
        return g * (t + a * (1.0 - t * t) * _sigmoid(D.namespace(g), a))


class LogSigmoidGate(Gate):
    """z = ln σ(a) = −softplus(−a) = min(a, 0) − ln(1 + e^−|a|) (stable for any a).

    ∂z/∂a = 1 − σ(a) = σ(−a).  Saves a.  Shape: a: any; z: same.
    """

    name = "logsigmoid"
    exact_gradients = True

    def forward(self, a: NDArray[Any]) -> NDArray[Any]:
        self.a = a
        xp = D.namespace(a)
        return xp.minimum(a, 0) - xp.log1p(xp.exp(-xp.abs(a)))

    def backward(self, g: NDArray[Any]) -> Grads:
        return g * _sigmoid(D.namespace(g), -self.a)


# ---------------------------------------------------------------- the functions (PyTorch's F.* signatures)
def _no_inplace(fn, inplace):
    if inplace:
        raise NotImplementedError(
            f"{fn}: inplace=True is not supported (tensorgate's activations return a new tensor); "
            f"write x = {fn}(x) instead")


def softplus(a: TensorLike, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """(1/β) ln(1 + e^(βa)), and a itself where βa > threshold (as PyTorch). Shape: that of a."""
    if beta == 0:
        raise ValueError("softplus: beta must not be 0")
    return SoftplusGate.apply(a, beta=beta, threshold=threshold)


def silu(a: TensorLike, inplace: bool = False) -> Tensor:
    """a·σ(a) (SiLU, swish). Shape: that of a."""
    _no_inplace("silu", inplace)
    return SiLUGate.apply(a)


def elu(a: TensorLike, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """a if a > 0 else α(eᵃ − 1). Shape: that of a."""
    _no_inplace("elu", inplace)
    return ELUGate.apply(a, alpha=alpha)


def selu(a: TensorLike, inplace: bool = False) -> Tensor:
    """λ·elu(a, α) with the self-normalising λ ≈ 1.0507, α ≈ 1.6733. Shape: that of a."""
    _no_inplace("selu", inplace)
    return SELUGate.apply(a)


def mish(a: TensorLike, inplace: bool = False) -> Tensor:
    """a·tanh(softplus(a)). Shape: that of a."""
    _no_inplace("mish", inplace)
    return MishGate.apply(a)


def logsigmoid(a: TensorLike) -> Tensor:
    """ln σ(a) = −softplus(−a), stable for any a. Shape: that of a."""
    return LogSigmoidGate.apply(a)


# ---------------------------------------------------------------- built from the gates above, hardtanh and where

def relu6(a: TensorLike, inplace: bool = False) -> Tensor:
    """min(max(0, a), 6) = hardtanh(a, 0, 6), as PyTorch defines it; derivative 1 for 0 < a < 6.
    Shape: that of a."""
    _no_inplace("relu6", inplace)
    return _gates().hardtanh(a, 0.0, 6.0)


def hardsigmoid(a: TensorLike, inplace: bool = False) -> Tensor:
    """relu6(a + 3)/6, the piecewise-linear sigmoid of MobileNetV3; derivative 1/6 for −3 < a < 3.
    Shape: that of a."""
    _no_inplace("hardsigmoid", inplace)
    F = _gates()
    return F.div(F.hardtanh(F.add(a, 3.0), 0.0, 6.0), 6.0)


def hardswish(a: TensorLike, inplace: bool = False) -> Tensor:
    """a·hardsigmoid(a); derivative 0 below −3, 1 above 3, (2a + 3)/6 between (the product rule).
    Shape: that of a."""
    _no_inplace("hardswish", inplace)
    return _gates().mul(a, hardsigmoid(a))


def softsign(a: TensorLike) -> Tensor:
    """a/(1 + |a|); derivative 1/(1 + |a|)². Shape: that of a."""
    F = _gates()
    return F.div(a, F.add(F.abs(a), 1.0))


def softmin(a: TensorLike, dim: int | None = None) -> Tensor:
    """softmax(−a) along ``dim``: the smallest entry gets the largest weight. Shape: that of a."""
    F = _gates()
    if dim is None:
        raise TypeError("softmin: give dim (PyTorch's implicit choice of dimension is deprecated there and not "
                        "supported here)")
    return F.softmax(F.neg(a), dim=dim)


def prelu(a: TensorLike, weight: TensorLike) -> Tensor:
    """a where a > 0, else w·a, with one learned slope w per channel (axis 1) or one for all (``F.prelu``):
    ∂/∂a = 1 or w, ∂/∂w = a where a ≤ 0. Shape: a (N, C, …); weight (C,) or (1,); result: a's shape."""
    F = _gates()
    x = a if isinstance(a, Tensor) else Tensor(a)
    w = weight if isinstance(weight, Tensor) else Tensor(weight)
    if w.ndim != 1 or (w.shape[0] != 1 and (x.ndim < 2 or w.shape[0] != x.shape[1])):
        raise ValueError(f"prelu: weight must have shape (1,) or (C,) with C = input's axis 1, got weight "
                         f"{tuple(w.shape)} for input {tuple(x.shape)}")
    if w.shape[0] != 1:
        w = F.reshape(w, (1, -1) + (1,) * (x.ndim - 2))
    return F.where(x.data > 0, x, F.mul(w, x))


def threshold(a: TensorLike, threshold: float, value: float) -> Tensor:
    """a where a > threshold, else ``value`` (``F.threshold``); gradient 1 above the threshold, 0 below.
    Shape: that of a."""
    x = a if isinstance(a, Tensor) else Tensor(a)
    return _gates().where(x.data > threshold, x, float(value))


def hardshrink(a: TensorLike, lambd: float = 0.5) -> Tensor:
    """a where |a| > λ, else 0 (``F.hardshrink``). Shape: that of a."""
    x = a if isinstance(a, Tensor) else Tensor(a)
    return _gates().where(abs(x.data) > lambd, x, 0.0)


def softshrink(a: TensorLike, lambd: float = 0.5) -> Tensor:
    """a − λ above λ, a + λ below −λ, else 0 (``F.softshrink``): the proximal step of the L1 penalty.
    Shape: that of a."""
    if lambd < 0:
        raise ValueError(f"softshrink: lambd must be non-negative, got {lambd}")
    F = _gates()
    x = a if isinstance(a, Tensor) else Tensor(a)
    return F.where(x.data > lambd, F.sub(x, lambd), F.where(x.data < -lambd, F.add(x, lambd), 0.0))


def tanhshrink(a: TensorLike) -> Tensor:
    """a − tanh a (``F.tanhshrink``); derivative tanh² a. Shape: that of a."""
    F = _gates()
    return F.sub(a, F.tanh(a))


def celu(a: TensorLike, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """a where a > 0, else α(e^(a/α) − 1) (``F.celu``: continuously differentiable for every α).
    Shape: that of a."""
    _no_inplace("celu", inplace)
    if alpha == 0:
        raise ValueError("celu: alpha must not be 0")
    F = _gates()
    x = a if isinstance(a, Tensor) else Tensor(a)
    negative = F.where(x.data > 0, 0.0, x)   # only where the exponential is used: no overflow elsewhere
    return F.where(x.data > 0, x, F.mul(F.expm1(F.div(negative, alpha)), alpha))


def glu(a: TensorLike, dim: int = -1) -> Tensor:
    """The gated linear unit u·σ(v) of the two halves (u, v) of a along ``dim`` (``F.glu``).
    Shape: a with an even size along dim; the result has half of it."""
    F = _gates()
    x = a if isinstance(a, Tensor) else Tensor(a)
    if x.shape[dim] % 2:
        raise ValueError(f"glu: the size along dim {dim} must be even, got shape {tuple(x.shape)}")
    u, v = F.chunk(x, 2, dim)
    return F.mul(u, F.sigmoid(v))
