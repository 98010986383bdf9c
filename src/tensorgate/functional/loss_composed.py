"""Losses written with other gates, as PyTorch defines them: the regression losses that grow linearly far
from the target (L1, smooth L1, Huber) and the Kullback–Leibler divergence. Each gradient is that of the
gates it is made of and reads as the derivative: with d = x − y,

    L1          ℓ = |d|                                    ∂ℓ/∂x = sign d   (0 at d = 0, as PyTorch)
    smooth L1   ℓ = ½d²/β  where |d| < β, else |d| − ½β    ∂ℓ/∂x = d/β inside, sign d outside
    Huber       ℓ = ½d²    where |d| < δ, else δ(|d| − ½δ)  ∂ℓ/∂x = d inside, δ·sign d outside
    KL          ℓ = t·(ln t − x)  (x log-probabilities, t probabilities; 0 where t = 0)   ∂ℓ/∂x = −t

(Huber = δ · smooth L1 with β = δ). Both pieces meet with equal value and slope at the boundary, so which
side takes it does not matter. Reduction: the mean over all elements, the sum, or none (and for KL,
``batchmean``: the sum over the batch size, the divergence's true value).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .loss import _check_reduction, _float_input, _float_target, _same_shape
from .package import gates as _gates

if TYPE_CHECKING:
    from ..autograd.tensor import Tensor, TensorLike



def _difference(fn, input, target, reduction):
    _check_reduction(fn, reduction)
    x = _float_input(fn, input)
    y = _float_target(fn, target, x)
    _same_shape(fn, x, y)
    return _gates().sub(x, y)


def _reduce(loss, reduction):
    F = _gates()
    return F.mean(loss) if reduction == "mean" else F.sum(loss) if reduction == "sum" else loss


def l1_loss(input: TensorLike, target: TensorLike, reduction: str = "mean") -> Tensor:
    """Mean absolute error ℓ = |x − y| (then reduced), as ``F.l1_loss``.

    Shape: input: any; target: same; result: () or input's shape.
    """
    d = _difference("l1_loss", input, target, reduction)
    return _reduce(_gates().abs(d), reduction)


def smooth_l1_loss(input: TensorLike, target: TensorLike, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """½d²/β where |d| < β, else |d| − ½β, with d = x − y (then reduced), as ``F.smooth_l1_loss``; β = 0 is
    the L1 loss. Shape: input: any; target: same; result: () or input's shape.
    """
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    d = _difference("smooth_l1_loss", input, target, reduction)
    F = _gates()
    a = F.abs(d)
    if beta == 0:
        return _reduce(a, reduction)
    inside = F.mul(F.mul(d, d), 0.5 / beta)
    return _reduce(F.where(a.data < beta, inside, F.sub(a, 0.5 * beta)), reduction)


def huber_loss(input: TensorLike, target: TensorLike, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """½d² where |d| < δ, else δ(|d| − ½δ), with d = x − y (then reduced), as ``F.huber_loss``.

    Shape: input: any; target: same; result: () or input's shape.
    """
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    d = _difference("huber_loss", input, target, reduction)
    F = _gates()
    a = F.abs(d)
    inside = F.mul(F.mul(d, d), 0.5)
    return _reduce(F.where(a.data < delta, inside, F.mul(F.sub(a, 0.5 * delta), delta)), reduction)


def kl_div(input: TensorLike, target: TensorLike, reduction: str = "mean", log_target: bool = False) -> Tensor:
    """The Kullback–Leibler divergence Σ t·(ln t − x) of ``F.kl_div``: ``input`` holds log-probabilities,
    ``target`` probabilities (log-probabilities with ``log_target``). Reductions: ``'mean'`` over all
    elements (PyTorch's default, which is not the divergence: PyTorch warns), ``'batchmean'`` the sum over the
    batch size (the divergence), ``'sum'``, ``'none'``.

    Shape: input: any; target: same; result: () or input's shape.
    """
    fn = "kl_div"
    if reduction not in ("mean", "batchmean", "sum", "none"):
        raise ValueError(f"{fn}: reduction must be 'mean', 'batchmean', 'sum' or 'none', got {reduction!r}")
    x = _float_input(fn, input)
    t = _float_target(fn, target, x)
    _same_shape(fn, x, t)
    F = _gates()
    if log_target:
        pointwise = F.mul(F.exp(t), F.sub(t, x))
    else:   # t·ln t taken as 0 where t = 0 (its limit), as torch.xlogy
        positive = t.data > 0
        t_log_t = F.where(positive, F.mul(t, F.log(F.where(positive, t, 1.0))), 0.0)
        pointwise = F.sub(t_log_t, F.mul(t, x))
    if reduction == "batchmean":
        return F.div(F.sum(pointwise), x.shape[0] if x.ndim else 1)
    return _reduce(pointwise, reduction)
