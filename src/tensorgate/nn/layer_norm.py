"""``LayerNorm`` and ``GroupNorm``, the modules; the gate and the functional ``layer_norm`` and ``group_norm``
are in functional/layer_norm.py."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..autograd.factory import ones, zeros
from ..autograd.tensor import as_dtype
from .. import backend as B
from .module import Module
from .parameter import Parameter
from ..functional.layer_norm import _normalized_shape, group_norm, instance_norm, layer_norm

if TYPE_CHECKING:
    from typing import Sequence

    from numpy.typing import DTypeLike

    from ..autograd.tensor import Tensor


class LayerNorm(Module):
    """Layer normalisation (Ba et al. 2016): y = γ (x − μ)/√(σ² + ε) + β, μ and σ² (biased) taken over each
    example's last axes ``normalized_shape``; the same in training and evaluation (no running statistics).

    Parameters
    ----------
    normalized_shape : int or tuple of int
        The trailing shape to normalise over, e.g. the feature count.
    eps : float, default 1e-5
    elementwise_affine : bool, default True
        Learn γ (ones) and β (zeros) of shape ``normalized_shape``.
    bias : bool, default True
        Learn β (with ``elementwise_affine``).
    dtype : str, optional

    Shape
    -----
    x: (..., *normalized_shape); output: same; weight γ, bias β: normalized_shape.

    Examples
    --------
    >>> import tensorgate as tg
    >>> ln = tg.nn.LayerNorm(4)
    >>> ln(tg.randn(2, 4)).shape, ln.weight.shape
    ((2, 4), (4,))
    """

    _keeps_features = True

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, dtype: DTypeLike | None = None):
        super().__init__()
        self.normalized_shape = _normalized_shape("LayerNorm", normalized_shape)
        self.eps, self.elementwise_affine = float(eps), bool(elementwise_affine)
        dtype = as_dtype(dtype) if dtype is not None else B.DEFAULT_FLOAT
        self.weight = Parameter(ones(*self.normalized_shape, dtype=dtype)) if elementwise_affine else None
        self.bias = Parameter(zeros(*self.normalized_shape, dtype=dtype)) if elementwise_affine and bias else None

    def reset_parameters(self) -> None:
        """γ ← 1, β ← 0."""
        if self.weight is not None:
            self.weight.data[...] = 1.0
        if self.bias is not None:
            self.bias.data[...] = 0.0

    def forward(self, x: Tensor) -> Tensor:
        return layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        shape = self.normalized_shape
        return (f"{shape}, eps={self.eps}" + ("" if self.elementwise_affine else ", elementwise_affine=False")
                + ("" if self.bias is not None or not self.elementwise_affine else ", bias=False"))

    def _param_formula(self):
        n = 1
        for d in self.normalized_shape:
            n *= d
        count = (self.weight is not None) + (self.bias is not None)
        return f"{count}·{n}" if count else ""


class GroupNorm(Module):
    """Group normalisation (Wu & He 2018): the channels cut into ``num_groups`` groups, each normalised over
    its channels and positions per example, then γ and β per channel (see ``functional.group_norm``).
    Independent of the batch: the same in training and evaluation, and usable at batch size 1.

    Shape: x: (N, num_channels, *); output: same; weight γ, bias β: (num_channels,).

    Examples
    --------
    >>> import tensorgate as tg
    >>> tg.nn.GroupNorm(2, 4)(tg.randn(3, 4, 5, 5)).shape
    (3, 4, 5, 5)
    """

    _keeps_features = True

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True,
                 dtype: DTypeLike | None = None):
        super().__init__()
        if isinstance(num_groups, bool) or not isinstance(num_groups, int) or num_groups < 1 \
                or isinstance(num_channels, bool) or not isinstance(num_channels, int) or num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_groups ({num_groups!r}) must be a positive int dividing "
                             f"num_channels ({num_channels!r})")
        self.num_groups, self.num_channels, self.eps, self.affine = num_groups, num_channels, float(eps), bool(affine)
        dtype = as_dtype(dtype) if dtype is not None else B.DEFAULT_FLOAT
        self.weight = Parameter(ones(num_channels, dtype=dtype)) if affine else None
        self.bias = Parameter(zeros(num_channels, dtype=dtype)) if affine else None

    def reset_parameters(self) -> None:
        """γ ← 1, β ← 0."""
        if self.weight is not None:
            self.weight.data[...] = 1.0
            self.bias.data[...] = 0.0  # type: ignore[union-attr]

    def forward(self, x: Tensor) -> Tensor:
        return group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}" + ("" if self.affine else ", affine=False")


class _InstanceNorm(Module):
    _keeps_features = True
    rank = 3

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, affine: bool = False,
                 track_running_stats: bool = False, dtype: DTypeLike | None = None):
        super().__init__()
        name = type(self).__name__
        if isinstance(num_features, bool) or not isinstance(num_features, int) or num_features < 1:
            raise ValueError(f"{name}: num_features must be a positive int, got {num_features!r}")
        if track_running_stats:
            raise NotImplementedError(f"{name}: track_running_stats=True is not supported by tensorgate; each example "
                                      "is normalised with its own statistics (the default)")
        self.num_features, self.eps, self.momentum = num_features, float(eps), float(momentum)
        self.affine, self.track_running_stats = bool(affine), False
        dtype = as_dtype(dtype) if dtype is not None else B.DEFAULT_FLOAT
        self.weight = Parameter(ones(num_features, dtype=dtype)) if affine else None
        self.bias = Parameter(zeros(num_features, dtype=dtype)) if affine else None

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim not in (self.rank - 1, self.rank) or x.shape[x.ndim - self.rank + 1] != self.num_features:
            raise ValueError(f"{type(self).__name__}({self.num_features}): expected input with {self.rank} axes "
                             f"(N, {self.num_features}, …) or {self.rank - 1} unbatched, got {tuple(x.shape)}")
        if x.ndim == self.rank - 1:   # unbatched, as PyTorch allows
            from .. import functional as F

            return F.squeeze(instance_norm(F.unsqueeze(x, 0), weight=self.weight, bias=self.bias, eps=self.eps), 0)
        return instance_norm(x, weight=self.weight, bias=self.bias, eps=self.eps)

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}" + (", affine=True" if self.affine else "")


class InstanceNorm1d(_InstanceNorm):
    """Each channel of each sequence normalised over its positions (``nn.InstanceNorm1d``; affine off by
    default, no running statistics). Shape: x: (N, C, L) or (C, L); output: same."""

    rank = 3


class InstanceNorm2d(_InstanceNorm):
    """Each channel of each image normalised over its pixels (``nn.InstanceNorm2d``, style transfer's
    normalisation; affine off by default, no running statistics). Shape: x: (N, C, H, W) or (C, H, W);
    output: same."""

    rank = 4
