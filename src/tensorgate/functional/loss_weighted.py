"""Class weights, ignored labels and positive weights for the classification losses (PyTorch's ``weight=``,
``ignore_index=``, ``pos_weight=``).

The unweighted losses keep their fused gates (loss.py); a −100 label (PyTorch's default ``ignore_index``)
makes the fused gate refuse the batch, which then goes this way. With weights, cross-entropy is log_softmax followed by
one weighted negative-log-likelihood gate, :class:`WeightedNLLGate`, which also does label smoothing the way
PyTorch does; binary cross-entropy with logits is written with the elementary gates (softplus, products,
a mean), so every derivative is one that is already tested.

PyTorch's conventions, kept exactly:

* the mean of a weighted loss divides by the sum of the weights of the examples' labels, Σ_i w_{y_i},
  not by the number of examples (ignored examples count in neither);
* label smoothing ε adds ε/K · (−Σ_k w_k log p_ik) per example, and with the mean it is divided by the same
  Σ_i w_{y_i};
* with probability targets, the weights multiply each class's term and the mean divides by m.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd.gate import Gate
from ..autograd.tensor import Tensor
from ..backend import devices as D
from ..backend import ops
from .activation_extra import SoftplusGate
from .loss import _array_of, _astype, _check_value, _label_positions, _on_input_device

if TYPE_CHECKING:
    from numpy.typing import DTypeLike, NDArray

    from ..autograd.gate import Grads
    from ..autograd.tensor import TensorLike

#: PyTorch's default ``ignore_index``: a label of −100 is skipped
IGNORE_INDEX = -100


def _reduce_with(losses, reduction, denominator):
    if reduction == "none":
        return losses
    xp = D.namespace(losses)
    total = xp.sum(losses)
    return xp.asarray(total / denominator if reduction == "mean" else total, dtype=losses.dtype)


class WeightedNLLGate(Gate):
    """Weighted negative log-likelihood of log-probabilities q = log p, with ignored labels and smoothing:

        l_i = κ_i [ (1 − ε) · (−w_{y_i} q_{i,y_i}) + (ε/K) · (−Σ_k w_k q_ik) ],   κ_i = 0 if y_i = ignore_index else 1,

    reduced by the sum ('sum'), by Σ_i κ_i w_{y_i} ('mean', PyTorch's weighted mean) or not at all ('none').
    Its derivative is constant in q:

        ∂l_i/∂q_ik = −κ_i [ (1 − ε) w_{y_i} [k = y_i] + (ε/K) w_k ].

    Saves the label positions, the per-example weights κ_i w_{y_i} and the denominator.

    Shape: q: (m, K); labels: (m,) int; weight: (K,); result: () or (m,) for reduction='none'.
    """

    name = "weighted_nll_loss"

    def forward(self, q: NDArray[Any], labels: NDArray[Any] | None = None, weight: NDArray[Any] | None = None,
                ignore_index: float = IGNORE_INDEX, smoothing: float = 0.0, reduction: str = "mean") -> NDArray[Any]:
        m, K = q.shape
        xp = D.namespace(q)
        keep = labels != ignore_index
        safe = xp.where(keep, labels, 0)
        self.positions = _label_positions(self.name, safe, (m, K))
        w = xp.ones(K, dtype=q.dtype, device=q.device) if weight is None else weight
        self.w, self.K, self.m, self.keep = w, K, m, xp.astype(keep, q.dtype)
        self.wy = xp.take(w, safe) * self.keep                         # κ_i w_{y_i}
        self.smoothing, self.reduction, self.shape = smoothing, reduction, q.shape
        losses = -self.wy * ops.take_labels(xp, q, self.positions)
        if smoothing:
            losses = (1.0 - smoothing) * losses - (smoothing / K) * self.keep * (q @ w)
        self.denominator = xp.sum(self.wy)
        return _check_value(self.name, _reduce_with(losses, reduction, self.denominator), ("input", q))

    def backward(self, g: NDArray[Any]) -> Grads:
        eps, K = self.smoothing, self.K
        xp = D.namespace(g)
        scale = g / self.denominator if self.reduction == "mean" else g    # a 0-d array, or one per example
        if g.ndim:
            scale = xp.reshape(scale, (-1, 1))
        dq = xp.zeros(self.shape, dtype=self.w.dtype, device=g.device)
        if eps:
            dq -= (eps / K) * xp.reshape(self.keep, (-1, 1)) * self.w     # −κ_i (ε/K) w_k
        dq = ops.add_at_labels(xp, dq, self.positions, -(1.0 - eps) * self.wy)  # −κ_i (1 − ε) w_{y_i} at k = y_i
        return dq * scale


def class_weight(fn: str, weight: TensorLike | None, K: int, dtype: DTypeLike,
                 like: Tensor | None = None) -> NDArray[Any] | None:
    """``weight`` as a (K,) array of the input's dtype (and the input ``like``'s device), or None; a clear
    error for a wrong shape.

    Shape: weight: (K,); result: (K,).
    """
    if weight is None:
        return None
    w = _array_of(weight)
    if tuple(w.shape) != (K,):
        raise ValueError(f"{fn}: weight must have one entry per class, shape ({K},), got {tuple(w.shape)}")
    if D.kind(w.dtype) not in "fiu":
        raise TypeError(f"{fn}: weight must be numbers, got dtype {D.numpy_dtype(w.dtype)}")
    if like is not None:
        w = _on_input_device(fn, "weight", weight, w, like)
    return _astype(w, np.dtype(dtype))


def weighted_nll(q: Tensor, labels: TensorLike, weight: NDArray[Any] | None, ignore_index: int, smoothing: float,
                 reduction: str) -> Tensor:
    """The :class:`WeightedNLLGate` on log-probabilities q (a Tensor). Shape: q: (m, K); result: () or (m,)."""
    return WeightedNLLGate.apply(q, labels=labels, weight=weight, ignore_index=int(ignore_index),
                                 smoothing=float(smoothing), reduction=reduction)


def soft_target_cross_entropy(log_p: Tensor, y: Tensor, weight: NDArray[Any] | None, smoothing: float,
                              reduction: str) -> Tensor:
    """−Σ_k w_k y'_ik log p_ik per example, y' = (1 − ε) y + ε/K, from the elementary gates; mean over m.

    Shape: log_p, y: (m, K); weight: (K,); result: () or (m,).
    """
    K = log_p.shape[1]
    if smoothing:
        y = y * (1.0 - smoothing) + smoothing / K
    losses = -(log_p * (y * Tensor._make(weight, False, None))).sum(axis=1)  # type: ignore[arg-type]
    if reduction == "mean":
        return losses.mean()
    return losses.sum() if reduction == "sum" else losses


def bce_with_logits_weighted(z: Tensor, y: Tensor, weight: NDArray[Any] | None, pos_weight: NDArray[Any] | None,
                             reduction: str) -> Tensor:
    """l = w · [(1 − y) z + (1 + (p − 1) y) · softplus(−z)], PyTorch's stable form of
    −w [p y ln σ(z) + (1 − y) ln(1 − σ(z))], from the elementary gates (softplus without its linear region,
    so it is exact for any z). ∂l/∂z = w [(1 − y) − (1 + (p − 1) y) σ(−z)].

    Shape: z, y: any (the same); weight: broadcastable to z; pos_weight: broadcastable to z along the last
    axis (one per class); result: () or z's shape.
    """
    sp = SoftplusGate.apply(-z, beta=1.0, threshold=float("inf"))           # ln(1 + e^−z), stable
    if pos_weight is not None:
        losses = (1.0 - y) * z + (1.0 + (pos_weight - 1.0) * y) * sp
    else:
        losses = (1.0 - y) * z + sp
    if weight is not None:
        losses = losses * weight
    if reduction == "mean":
        return losses.mean()
    return losses.sum() if reduction == "sum" else losses
