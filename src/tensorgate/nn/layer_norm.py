"""``LayerNorm``, the module; its gate and the functional ``layer_norm`` are in functional/layer_norm.py."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..autograd.factory import ones, zeros
from ..autograd.tensor import as_dtype
from .. import backend as B
from .module import Module
from .parameter import Parameter
from ..functional.layer_norm import _normalized_shape, layer_norm

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
