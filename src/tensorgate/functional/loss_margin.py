"""PyTorch's margin and multi-label losses, written with other gates so that each gradient is theirs:

    soft margin          ℓ = ln(1 + e^(−y·x))                         (labels ±1)
    multi-label          ℓ = −(1/C) Σ_c w_c [y_c ln σ(x_c) + (1 − y_c) ln σ(−x_c)]   (y in {0, 1}^C)
    multi-class margin   ℓ = (1/C) Σ_(i ≠ y) w_y · max(0, margin − x_y + x_i)^p   (Weston–Watkins SVM)
    margin ranking       ℓ = max(0, −y·(x₁ − x₂) + margin)
    hinge embedding      ℓ = x where y ≠ −1, plus max(0, margin − x) where y ≠ 1
    cosine embedding     ℓ = 1 − cos(x₁, x₂) where y = 1, max(0, cos(x₁, x₂) − margin) where y = −1
    triplet margin       ℓ = max(0, margin + d(a, p) − d(a, n)),  d the p-norm distance

Reduction: the mean over the examples, the sum, or none, as PyTorch.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd.tensor import Tensor
from .loss import _check_reduction, _float_input, _float_target
from .loss_composed import _reduce
from .package import gates as _gates

if TYPE_CHECKING:
    from ..autograd.tensor import TensorLike



def _like(fn: str, y: Any, x: Tensor, arg: str = "target") -> Tensor:
    """The target in x's float dtype and device (``loss._float_target``), of x's shape (else an error)."""
    target = _float_target(fn, y, x, arg)
    if tuple(target.shape) != tuple(x.shape):
        raise ValueError(f"{fn}: input shape {tuple(x.shape)} and {arg} shape {tuple(target.shape)} must be equal")
    return target


def soft_margin_loss(input: TensorLike, target: TensorLike, reduction: str = "mean") -> Tensor:
    """ln(1 + e^(−y·x)) for labels y = ±1, the logistic loss (``F.soft_margin_loss``), as softplus(−y·x).

    Shape: input: any; target: same; result: () or input's shape.
    """
    fn = "soft_margin_loss"
    _check_reduction(fn, reduction)
    x = _float_input(fn, input)
    F = _gates()
    return _reduce(F.softplus(F.neg(F.mul(_like(fn, target, x), x))), reduction)


def multilabel_soft_margin_loss(input: TensorLike, target: TensorLike, weight: TensorLike | None = None,
                                reduction: str = "mean") -> Tensor:
    """−(1/C) Σ_c w_c [y_c ln σ(x_c) + (1 − y_c) ln σ(−x_c)] per example (``F.multilabel_soft_margin_loss``):
    a binary cross-entropy per class, averaged over the C classes.

    Shape: input: (N, C) logits; target: (N, C) of 0 and 1; weight: (C,) or None; result: () or (N,).
    """
    fn = "multilabel_soft_margin_loss"
    _check_reduction(fn, reduction)
    x = _float_input(fn, input)
    y = _like(fn, target, x)
    F = _gates()
    per_class = F.neg(F.add(F.mul(y, F.logsigmoid(x)), F.mul(F.sub(1.0, y), F.logsigmoid(F.neg(x)))))
    if weight is not None:
        per_class = F.mul(per_class, weight)
    return _reduce(F.mean(per_class, dim=-1), reduction)


def multi_margin_loss(input: TensorLike, target: TensorLike, p: int = 1, margin: float = 1.0,
                      weight: TensorLike | None = None, reduction: str = "mean") -> Tensor:
    """(1/C) Σ_(i ≠ y) w_y · max(0, margin − x_y + x_i)^p per example (``F.multi_margin_loss``): the
    multi-class hinge loss of Weston and Watkins, for class indices y.

    Shape: input: (N, C) scores; target: (N,) class indices; weight: (C,) or None; result: () or (N,).
    """
    fn = "multi_margin_loss"
    _check_reduction(fn, reduction)
    if p not in (1, 2):
        raise ValueError(f"{fn}: p must be 1 or 2, got {p!r}")
    x = _float_input(fn, input)
    labels = np.asarray(target.data if isinstance(target, Tensor) else target)
    if x.ndim != 2 or labels.shape != (x.shape[0],) or labels.dtype.kind not in "iu":
        raise ValueError(f"{fn}: expects (N, C) scores and (N,) integer class indices, got input "
                         f"{tuple(x.shape)} and target {labels.shape} of dtype {labels.dtype}")
    n, c = x.shape
    if labels.size and (labels.min() < 0 or labels.max() >= c):
        raise ValueError(f"{fn}: class indices must be in [0, {c}), got {labels.min()}..{labels.max()}")
    F = _gates()
    rows = np.arange(n)
    x_y = F.reshape(F.getitem(x, (rows, labels)), (n, 1))                       # the true class's score
    hinge = F.relu(F.add(F.sub(x, x_y), margin))
    if p == 2:
        hinge = F.mul(hinge, hinge)
    others = np.ones((n, c), dtype=x.dtype)
    others[rows, labels] = 0.0                                                   # i ≠ y only
    hinge = F.mul(hinge, Tensor._make(others, False, None))
    if weight is not None:
        w = weight if isinstance(weight, Tensor) else Tensor(weight, dtype=x.dtype)
        hinge = F.mul(hinge, F.reshape(F.getitem(w, labels), (n, 1)))
    return _reduce(F.div(F.sum(hinge, dim=1), float(c)), reduction)


def margin_ranking_loss(input1: TensorLike, input2: TensorLike, target: TensorLike, margin: float = 0.0,
                        reduction: str = "mean") -> Tensor:
    """max(0, −y·(x₁ − x₂) + margin): y = 1 asks x₁ to rank above x₂ by the margin (``F.margin_ranking_loss``).

    Shape: input1, input2, target: the same shape; result: () or that shape.
    """
    fn = "margin_ranking_loss"
    _check_reduction(fn, reduction)
    x1, x2 = _float_input(fn, input1, "input1"), _float_input(fn, input2, "input2")
    F = _gates()
    y = _like(fn, target, x1)
    return _reduce(F.relu(F.add(F.neg(F.mul(y, F.sub(x1, x2))), margin)), reduction)


def hinge_embedding_loss(input: TensorLike, target: TensorLike, margin: float = 1.0,
                         reduction: str = "mean") -> Tensor:
    """x where y ≠ −1, plus max(0, margin − x) where y ≠ 1 (``F.hinge_embedding_loss``; y is 1 or −1, x
    usually a distance). Shape: input: any; target: same; result: () or input's shape.
    """
    fn = "hinge_embedding_loss"
    _check_reduction(fn, reduction)
    x = _float_input(fn, input)
    y = _like(fn, target, x).data
    F = _gates()
    loss = F.add(F.where(y != -1, x, 0.0), F.where(y != 1, F.relu(F.sub(margin, x)), 0.0))
    return _reduce(loss, reduction)


def cosine_embedding_loss(input1: TensorLike, input2: TensorLike, target: TensorLike, margin: float = 0.0,
                          reduction: str = "mean") -> Tensor:
    """1 − cos(x₁, x₂) where y = 1, max(0, cos(x₁, x₂) − margin) where y = −1 (``F.cosine_embedding_loss``);
    cos = Σ x₁x₂ / √((Σ x₁² + ε)(Σ x₂² + ε)), ε = 10⁻¹², along dim 1, as PyTorch.

    Shape: input1, input2: (N, D); target: (N,); result: () or (N,).
    """
    fn = "cosine_embedding_loss"
    _check_reduction(fn, reduction)
    x1, x2 = _float_input(fn, input1, "input1"), _float_input(fn, input2, "input2")
    y = np.asarray(target.data if isinstance(target, Tensor) else target)
    if x1.shape != x2.shape or x1.ndim != 2 or y.shape != (x1.shape[0],):
        raise ValueError(f"{fn}: expects input1 and input2 of one shape (N, D) and target (N,), got "
                         f"{tuple(x1.shape)}, {tuple(x2.shape)} and {y.shape}")
    F = _gates()
    dot = F.sum(F.mul(x1, x2), dim=1)
    norms = F.mul(F.add(F.sum(F.mul(x1, x1), dim=1), 1e-12), F.add(F.sum(F.mul(x2, x2), dim=1), 1e-12))
    cos = F.div(dot, F.sqrt(norms))
    loss = F.add(F.where(y == 1, F.sub(1.0, cos), 0.0), F.where(y == -1, F.relu(F.sub(cos, margin)), 0.0))
    return _reduce(loss, reduction)


def triplet_margin_loss(anchor: TensorLike, positive: TensorLike, negative: TensorLike, margin: float = 1.0,
                        p: float = 2.0, eps: float = 1e-6, swap: bool = False, reduction: str = "mean") -> Tensor:
    """max(0, margin + d(a, p) − d(a, n)), d the ``p``-norm distance of ``F.pairwise_distance`` (with
    ``swap``, d(a, n) is replaced by d(p, n) where smaller), as ``F.triplet_margin_loss``.

    Shape: anchor, positive, negative: (N, D); result: () or (N,).
    """
    fn = "triplet_margin_loss"
    _check_reduction(fn, reduction)
    a, pos, neg = (_float_input(fn, t, name) for t, name in ((anchor, "anchor"), (positive, "positive"),
                                                                 (negative, "negative")))
    F = _gates()
    d_ap = F.pairwise_distance(a, pos, p, eps)
    d_an = F.pairwise_distance(a, neg, p, eps)
    if swap:
        d_an = F.minimum(d_an, F.pairwise_distance(pos, neg, p, eps))
    return _reduce(F.relu(F.add(F.sub(d_ap, d_an), margin)), reduction)
