"""Activation functions as modules, for use in Sequential. Each one calls its function in
:mod:`tensorgate.functional` (the gates, with their derivatives, are in functional/activation.py)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import functional as F
from .module import Module

if TYPE_CHECKING:
    from ..autograd.tensor import Tensor


class _Activation(Module):
    _keeps_features = True


class Sigmoid(_Activation):
    """σ(x) = 1/(1 + e⁻ˣ), elementwise; σ' = σ(1 − σ). Shape: x: any; output: same."""

    def forward(self, x: Tensor) -> Tensor:
        return F.sigmoid(x)


class Tanh(_Activation):
    """tanh(x), elementwise; tanh' = 1 − tanh². Shape: x: any; output: same."""

    def forward(self, x: Tensor) -> Tensor:
        return F.tanh(x)


class ReLU(_Activation):
    """max(0, x), elementwise; derivative 1 for x > 0, else 0. Shape: x: any; output: same."""

    def forward(self, x: Tensor) -> Tensor:
        return F.relu(x)


class LeakyReLU(_Activation):
    """x if x > 0 else negative_slope·x (0.01 by default). Shape: x: any; output: same."""

    def __init__(self, negative_slope: float = 0.01):
        super().__init__()
        self.negative_slope = float(negative_slope)

    def forward(self, x: Tensor) -> Tensor:
        return F.leaky_relu(x, alpha=self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class GELU(_Activation):
    """x·Φ(x), Φ the standard normal CDF (the exact erf form). Shape: x: any; output: same."""

    def forward(self, x: Tensor) -> Tensor:
        return F.gelu(x)


class Hardtanh(_Activation):
    """clip(x, min_val, max_val) (−1 and 1 by default); derivative 1 strictly inside. Shape: x: any; output: same."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0):
        super().__init__()
        if min_val >= max_val:
            raise ValueError(f"Hardtanh: min_val ({min_val}) must be below max_val ({max_val})")
        self.min_val, self.max_val = float(min_val), float(max_val)

    def forward(self, x: Tensor) -> Tensor:
        return F.hardtanh(x, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}"


class Identity(_Activation):
    """Returns its input unchanged (any constructor arguments are ignored, as in PyTorch). Shape: any; same."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__()

    def forward(self, x: Tensor) -> Tensor:
        return x


class Step(_Activation):
    """Heaviside step, 1 if x ≥ 0 else 0: the perceptron's activation (no gradient flows through it).

    Shape: x: any; output: same.
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.step(x)


class Softmax(_Activation):
    """softmax along ``dim`` (the last axis by default): e^(x_i − max x) / Σ_j e^(x_j − max x).

    For training, prefer a Linear output with CrossEntropyLoss (fused, stable) over Softmax + a log.
    Shape: x: any, e.g. (m, K); output: same, rows summing to 1.
    """

    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return F.softmax(x, axis=self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """log softmax along ``dim`` (the last axis by default), via log-sum-exp; pair it with NLLLoss.

    Shape: x: any, e.g. (m, K); output: same.
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.log_softmax(x, axis=self.dim)
