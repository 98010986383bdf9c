"""The smooth activations as modules (SiLU, ELU, SELU, Mish, Softplus, LogSigmoid); each calls its gate in
functional/activation_extra.py, where the derivative is written. The piecewise-linear ones of MobileNetV3
(ReLU6, Hardsigmoid, Hardswish) and Softsign, Softmin are built there from other gates."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..functional import activation_extra as _act
from .module import Module

if TYPE_CHECKING:
    from ..autograd.tensor import Tensor


class _Activation(Module):
    _keeps_features = True

    def __init__(self, inplace: bool = False):
        super().__init__()
        _act._no_inplace(type(self).__name__, inplace)
        self.inplace = False


class SiLU(_Activation):
    """x·σ(x) (also called swish), elementwise. Shape: x: any; output: same."""

    def forward(self, x: Tensor) -> Tensor:
        return _act.SiLUGate.apply(x)


class ELU(_Activation):
    """x if x > 0 else α(eˣ − 1), elementwise (α = 1 by default). Shape: x: any; output: same."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__(inplace)
        self.alpha = float(alpha)

    def forward(self, x: Tensor) -> Tensor:
        return _act.ELUGate.apply(x, alpha=self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class SELU(_Activation):
    """λ·(x if x > 0 else α(eˣ − 1)), λ ≈ 1.0507, α ≈ 1.6733: self-normalising. Shape: x: any; output: same."""

    def forward(self, x: Tensor) -> Tensor:
        return _act.SELUGate.apply(x)


class Mish(_Activation):
    """x·tanh(softplus(x)), elementwise. Shape: x: any; output: same."""

    def forward(self, x: Tensor) -> Tensor:
        return _act.MishGate.apply(x)


class Softplus(Module):
    """(1/β) ln(1 + e^(βx)), and x itself where βx > threshold (β = 1, threshold = 20 by default, as PyTorch).

    Shape: x: any; output: same.
    """

    _keeps_features = True

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        if beta == 0:
            raise ValueError("Softplus: beta must not be 0")
        self.beta, self.threshold = float(beta), float(threshold)

    def forward(self, x: Tensor) -> Tensor:
        return _act.SoftplusGate.apply(x, beta=self.beta, threshold=self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class LogSigmoid(Module):
    """ln σ(x) = −softplus(−x), elementwise, stable for any x. Shape: x: any; output: same."""

    _keeps_features = True

    def forward(self, x: Tensor) -> Tensor:
        return _act.LogSigmoidGate.apply(x)


class ReLU6(_Activation):
    """min(max(0, x), 6), elementwise (PyTorch's Hardtanh(0, 6)). Shape: x: any; output: same."""

    def forward(self, x: Tensor) -> Tensor:
        return _act.relu6(x)


class Hardsigmoid(_Activation):
    """relu6(x + 3)/6, elementwise. Shape: x: any; output: same."""

    def forward(self, x: Tensor) -> Tensor:
        return _act.hardsigmoid(x)


class Hardswish(_Activation):
    """x·relu6(x + 3)/6, elementwise (MobileNetV3's activation). Shape: x: any; output: same."""

    def forward(self, x: Tensor) -> Tensor:
        return _act.hardswish(x)


class Softsign(Module):
    """x/(1 + |x|), elementwise. Shape: x: any; output: same."""

    _keeps_features = True

    def forward(self, x: Tensor) -> Tensor:
        return _act.softsign(x)


class Softmin(Module):
    """softmax(−x) along ``dim``. Shape: x: any; output: same."""

    def __init__(self, dim: int | None = None):
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return _act.softmin(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
