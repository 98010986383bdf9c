"""The smooth activations as modules (SiLU, ELU, SELU, Mish, Softplus, LogSigmoid); each calls its gate in
functional/activation_extra.py, where the derivative is written. The piecewise-linear ones of MobileNetV3
(ReLU6, Hardsigmoid, Hardswish), Softsign, Softmin, PReLU, Threshold, the shrinks, CELU and GLU are built
there from other gates."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..autograd.factory import full
from ..functional import activation_extra as _act
from .module import Module
from .parameter import Parameter

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


class PReLU(Module):
    """x where x > 0, else a·x, with the slope a learned: one for all channels (``num_parameters=1``) or one
    per channel (axis 1), starting at ``init`` (PyTorch's ``nn.PReLU``, He et al. 2015).

    Shape: x: (N, C, …) or any with one slope; output: same; weight: (num_parameters,).
    """

    _keeps_features = True

    def __init__(self, num_parameters: int = 1, init: float = 0.25, dtype: Any = None):
        super().__init__()
        if isinstance(num_parameters, bool) or not isinstance(num_parameters, int) or num_parameters < 1:
            raise ValueError(f"PReLU: num_parameters must be a positive int, got {num_parameters!r}")
        # PyTorch's attribute: the number of slopes (it hides Module.num_parameters() on this class only)
        self.num_parameters = num_parameters  # type: ignore[method-assign, assignment]
        self.weight = Parameter(full((num_parameters,), float(init), dtype=dtype))

    def forward(self, x: Tensor) -> Tensor:
        return _act.prelu(x, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class Threshold(Module):
    """x where x > threshold, else ``value``. Shape: x: any; output: same."""

    _keeps_features = True

    def __init__(self, threshold: float, value: float, inplace: bool = False):
        super().__init__()
        _act._no_inplace("Threshold", inplace)
        self.threshold, self.value, self.inplace = float(threshold), float(value), False

    def forward(self, x: Tensor) -> Tensor:
        return _act.threshold(x, self.threshold, self.value)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}"


class Hardshrink(Module):
    """x where |x| > λ, else 0 (λ = 0.5). Shape: x: any; output: same."""

    _keeps_features = True

    def __init__(self, lambd: float = 0.5):
        super().__init__()
        self.lambd = float(lambd)

    def forward(self, x: Tensor) -> Tensor:
        return _act.hardshrink(x, self.lambd)


class Softshrink(Hardshrink):
    """x − λ above λ, x + λ below −λ, else 0 (λ = 0.5). Shape: x: any; output: same."""

    def forward(self, x: Tensor) -> Tensor:
        return _act.softshrink(x, self.lambd)


class Tanhshrink(_Activation):
    """x − tanh x, elementwise. Shape: x: any; output: same."""

    def __init__(self):
        super().__init__()

    def forward(self, x: Tensor) -> Tensor:
        return _act.tanhshrink(x)


class CELU(_Activation):
    """x if x > 0 else α(e^(x/α) − 1), elementwise (α = 1). Shape: x: any; output: same."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__(inplace)
        self.alpha = float(alpha)

    def forward(self, x: Tensor) -> Tensor:
        return _act.celu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class GLU(Module):
    """u·σ(v) of the two halves (u, v) of x along ``dim`` (−1). Shape: x: (…, 2n, …); output: (…, n, …)."""

    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = int(dim)

    def forward(self, x: Tensor) -> Tensor:
        return _act.glu(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax2d(Module):
    """Softmax over the channels at every pixel (``nn.Softmax2d``). Shape: x: (N, C, H, W) or (C, H, W); same."""

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected input of shape (N, C, H, W) or (C, H, W), got {tuple(x.shape)}")
        from .. import functional as F

        return F.softmax(x, dim=-3)
