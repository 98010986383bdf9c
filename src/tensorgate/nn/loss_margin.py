"""PyTorch's margin and multi-label losses as modules; each calls its function in functional/loss_margin.py,
where the formula is written."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..functional import loss_margin as _M
from .loss import _Loss, _WeightedLoss

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

    from ..autograd.tensor import Tensor, TensorLike


class SoftMarginLoss(_Loss):
    """ln(1 + e^(−y·x)) for labels ±1: the logistic loss of a two-class score.

    Shape: input: any (scores); target: same, ±1; output: () or input's shape.
    """
    kind, decision_threshold = "binary", 0.0

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:
        return _M.soft_margin_loss(input, target, self.reduction)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    """A binary cross-entropy per class from logits, averaged over the C classes (one example may have several
    labels); ``weight`` rescales each class.

    Shape: input: (N, C) logits; target: (N, C) of 0 and 1; output: () or (N,).
    """
    kind, decision_threshold = "binary", 0.0

    def __init__(self, weight: TensorLike | None = None, reduction: str = "mean", *,
                 _weight_dtype: DTypeLike | None = None):
        super().__init__(weight, reduction, _weight_dtype)

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:
        return _M.multilabel_soft_margin_loss(input, target, self.weight, self.reduction)


class MultiMarginLoss(_WeightedLoss):
    """The multi-class hinge loss (1/C) Σ_(i ≠ y) w_y·max(0, margin − x_y + x_i)^p of class indices y.

    Shape: input: (N, C) scores; target: (N,) class indices; output: () or (N,).
    """
    kind = "multiclass"

    def __init__(self, p: int = 1, margin: float = 1.0, weight: TensorLike | None = None, reduction: str = "mean",
                 *, _weight_dtype: DTypeLike | None = None):
        super().__init__(weight, reduction, _weight_dtype)
        if p not in (1, 2):
            raise ValueError(f"MultiMarginLoss: p must be 1 or 2, got {p!r}")
        self.p, self.margin = int(p), float(margin)

    def _settings(self) -> dict[str, Any]:
        return {"p": self.p, "margin": self.margin, "reduction": self.reduction}

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:
        return _M.multi_margin_loss(input, target, self.p, self.margin, self.weight, self.reduction)


class _MarginLoss(_Loss):
    def __init__(self, margin: float = 0.0, reduction: str = "mean"):
        super().__init__(reduction)
        self.margin = float(margin)

    def extra_repr(self) -> str:
        return ", ".join(filter(None, [f"margin={self.margin}", super().extra_repr()]))


class MarginRankingLoss(_MarginLoss):
    """max(0, −y·(x₁ − x₂) + margin): y = 1 asks x₁ to rank above x₂ by the margin (0 by default).

    Shape: input1, input2, target: the same shape; output: () or that shape.
    """

    def forward(self, input1: Tensor, input2: Tensor, target: TensorLike) -> Tensor:
        return _M.margin_ranking_loss(input1, input2, target, self.margin, self.reduction)


class HingeEmbeddingLoss(_MarginLoss):
    """x where y = 1, max(0, margin − x) where y = −1 (margin 1 by default), x usually a distance.

    Shape: input: any; target: same, ±1; output: () or input's shape.
    """

    def __init__(self, margin: float = 1.0, reduction: str = "mean"):
        super().__init__(margin, reduction)

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:
        return _M.hinge_embedding_loss(input, target, self.margin, self.reduction)


class CosineEmbeddingLoss(_MarginLoss):
    """1 − cos(x₁, x₂) where y = 1, max(0, cos(x₁, x₂) − margin) where y = −1.

    Shape: input1, input2: (N, D); target: (N,) of ±1; output: () or (N,).
    """

    def forward(self, input1: Tensor, input2: Tensor, target: TensorLike) -> Tensor:
        return _M.cosine_embedding_loss(input1, input2, target, self.margin, self.reduction)


class TripletMarginLoss(_MarginLoss):
    """max(0, margin + d(a, p) − d(a, n)) with the p-norm distance d (margin 1, p = 2); ``swap`` uses d(p, n)
    where it is smaller than d(a, n).

    Shape: anchor, positive, negative: (N, D); output: () or (N,).
    """

    def __init__(self, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6, swap: bool = False,
                 reduction: str = "mean"):
        super().__init__(margin, reduction)
        self.p, self.eps, self.swap = float(p), float(eps), bool(swap)

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return _M.triplet_margin_loss(anchor, positive, negative, self.margin, self.p, self.eps, self.swap,
                                      self.reduction)
