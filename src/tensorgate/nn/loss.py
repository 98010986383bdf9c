"""Losses as modules: ``loss_fn = tg.nn.CrossEntropyLoss(); loss = loss_fn(logits, labels)``.

Each calls its fused gate in :mod:`tensorgate.functional.loss`, where the derivatives are written.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd.tensor import Tensor
from ..functional import loss as _L
from ..functional import loss_composed as _composed
from .module import Module

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

    from ..autograd.tensor import TensorLike


class _Loss(Module):
    _convert_inputs = False   # targets may be integer labels: leave arrays to the loss function
    # What the loss takes, declared so that metrics need not guess from the class name:
    # kind: "multiclass" (one class of K per example, argmax), "binary" (one 0/1 decision per output:
    # multi-label with several outputs) or "regression"; decision_threshold: where a binary output's
    # decision flips (0 for logits and margins, 0.5 for probabilities).
    kind: str | None = None
    decision_threshold: float | None = None

    def __init__(self, reduction: str = "mean"):
        super().__init__()
        _L._check_reduction(type(self).__name__, reduction)
        self.reduction = reduction

    def extra_repr(self) -> str:
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class _WeightedLoss(_Loss):
    """A loss with an optional ``weight`` tensor, kept as a buffer (in ``state_dict``, as PyTorch) and written
    into the config as a list, so that the loss saves and loads like any module."""

    weight: Tensor | None   # a buffer (register_buffer)

    def __init__(self, weight: TensorLike | None = None, reduction: str = "mean",
                 weight_dtype: DTypeLike | None = None):
        super().__init__(reduction)
        self.register_buffer("weight", None if weight is None else _as_float(weight, weight_dtype))

    def _settings(self):
        return {"reduction": self.reduction}

    def get_config(self) -> dict[str, Any]:
        """The settings, with ``weight`` as a list of numbers."""
        kwargs = self._settings()
        for name in ("weight", "pos_weight"):
            value = self._buffers.get(name)
            if value is not None:
                kwargs[name] = value.data.tolist()
                if value.dtype != np.float32:      # the list alone would come back float32
                    kwargs[f"_{name}_dtype"] = value.dtype.name
        return {"type": type(self).__name__, "args": [], "kwargs": kwargs}


def _as_float(value, dtype=None):
    """A weight as a float Tensor: a Tensor or NumPy array keeps its floating dtype, other data follows
    tg.tensor (float32); ``dtype`` (from a config) overrides."""
    if dtype is not None:
        return Tensor(np.asarray(value.data if isinstance(value, Tensor) else value), dtype=dtype)
    if isinstance(value, Tensor):
        return value if value.dtype.kind == "f" else Tensor(value.data, dtype="float32")
    array = np.asarray(value)
    return Tensor(array, dtype=array.dtype if array.dtype.kind == "f" and isinstance(value, np.ndarray) else None)


class CrossEntropyLoss(_WeightedLoss):
    """Softmax cross-entropy on logits, fused (∂L/∂z = (softmax(z) − y)/m); see :func:`cross_entropy`.

    PyTorch's arguments: class ``weight`` (K,) (the mean then divides by Σ_i w_{y_i}), ``ignore_index``
    (−100: those labels are skipped), ``label_smoothing`` ε, ``reduction``.

    Shape: input: (m, K) logits; target: (m,) int labels or (m, K) probabilities; output: () or (m,).
    """
    kind = "multiclass"

    def __init__(self, weight: TensorLike | None = None, size_average: bool | None = None, ignore_index: int = -100,
                 reduce: bool | None = None, reduction: str = "mean", label_smoothing: float = 0.0, *,
                 _weight_dtype: DTypeLike | None = None):
        _L._deprecated_reduction("CrossEntropyLoss", size_average, reduce)
        super().__init__(weight, reduction, _weight_dtype)
        self.ignore_index, self.label_smoothing = int(ignore_index), float(label_smoothing)

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:
        return _L.cross_entropy(input, target, self.weight, ignore_index=self.ignore_index, reduction=self.reduction,
                                label_smoothing=self.label_smoothing)

    def _settings(self):
        return {"ignore_index": self.ignore_index, "reduction": self.reduction, "label_smoothing": self.label_smoothing}

    def extra_repr(self) -> str:
        parts = [super().extra_repr()] + ([f"label_smoothing={self.label_smoothing}"] if self.label_smoothing else [])
        parts += [f"ignore_index={self.ignore_index}"] if self.ignore_index != -100 else []
        parts += ["weight=..."] if self.weight is not None else []
        return ", ".join(p for p in parts if p)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of log-probabilities (after LogSoftmax); see :func:`nll_loss`.

    PyTorch's arguments: class ``weight`` (K,), ``ignore_index`` (−100), ``reduction``.

    Shape: input: (m, K) log-probabilities; target: (m,) int labels; output: () or (m,).
    """
    kind = "multiclass"

    def __init__(self, weight: TensorLike | None = None, size_average: bool | None = None, ignore_index: int = -100,
                 reduce: bool | None = None, reduction: str = "mean", *, _weight_dtype: DTypeLike | None = None):
        _L._deprecated_reduction("NLLLoss", size_average, reduce)
        super().__init__(weight, reduction, _weight_dtype)
        self.ignore_index = int(ignore_index)

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:
        return _L.nll_loss(input, target, self.weight, ignore_index=self.ignore_index, reduction=self.reduction)

    def _settings(self):
        return {"ignore_index": self.ignore_index, "reduction": self.reduction}


class BCELoss(_WeightedLoss):
    """Binary cross-entropy on probabilities (after Sigmoid), clamped to [eps, 1 − eps]; ``weight``
    (broadcastable to the input) multiplies each element's loss.

    Shape: input: any, in [0, 1]; target: same; output: () or input's shape.
    """
    kind, decision_threshold = "binary", 0.5

    def __init__(self, weight: TensorLike | None = None, size_average: bool | None = None, reduce: bool | None = None,
                 reduction: str = "mean", eps: float = _L.BCE_EPS, *, _weight_dtype: DTypeLike | None = None):
        _L._deprecated_reduction("BCELoss", size_average, reduce)
        super().__init__(weight, reduction, _weight_dtype)
        self.eps = float(eps)

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:
        return _L.binary_cross_entropy(input, target, self.weight, reduction=self.reduction, eps=self.eps)

    def _settings(self):
        return {"reduction": self.reduction, "eps": self.eps}


class BCEWithLogitsLoss(_WeightedLoss):
    """Binary cross-entropy on logits, fused with the sigmoid (∂L/∂z = (σ(z) − y)/N), stable for any z.

    Multi-label classification: one logit per label, this loss on all of them. ``weight`` multiplies each
    element's loss; ``pos_weight`` (one per class, broadcast along the last axis) multiplies the positive
    term, −[p·y ln σ(z) + (1 − y) ln(1 − σ(z))], as in PyTorch.

    Shape: input: any (logits); target: same; weight: broadcastable; pos_weight: (K,); output: () or input's shape.
    """

    pos_weight: Tensor | None   # a buffer (register_buffer)
    kind, decision_threshold = "binary", 0.0

    def __init__(self, weight: TensorLike | None = None, size_average: bool | None = None, reduce: bool | None = None,
                 reduction: str = "mean", pos_weight: TensorLike | None = None, *,
                 _weight_dtype: DTypeLike | None = None, _pos_weight_dtype: DTypeLike | None = None):
        _L._deprecated_reduction("BCEWithLogitsLoss", size_average, reduce)
        super().__init__(weight, reduction, _weight_dtype)
        self.register_buffer("pos_weight", None if pos_weight is None else _as_float(pos_weight, _pos_weight_dtype))

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:
        return _L.binary_cross_entropy_with_logits(input, target, self.weight, reduction=self.reduction,
                                                   pos_weight=self.pos_weight)


class MSELoss(_Loss):
    """Mean squared error over all elements; ∂L/∂x = 2(x − y)/N.

    Shape: input: any; target: same shape; output: () or input's shape.
    """
    kind = "regression"

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:
        return _L.mse_loss(input, target, self.reduction)


class L1Loss(_Loss):
    """Mean absolute error |x − y| over all elements; ∂L/∂x = sign(x − y)/N (functional/loss_composed.py).

    Shape: input: any; target: same shape; output: () or input's shape.
    """
    kind = "regression"

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:
        return _composed.l1_loss(input, target, self.reduction)


class SmoothL1Loss(_Loss):
    """½d²/β where |d| < β, else |d| − ½β, d = x − y (β = 1 by default), over all elements.

    Shape: input: any; target: same shape; output: () or input's shape.
    """
    kind = "regression"

    def __init__(self, reduction: str = "mean", beta: float = 1.0):
        super().__init__(reduction)
        self.beta = float(beta)

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:
        return _composed.smooth_l1_loss(input, target, self.reduction, self.beta)

    def extra_repr(self) -> str:
        return ", ".join(filter(None, [super().extra_repr(), "" if self.beta == 1.0 else f"beta={self.beta}"]))


class HuberLoss(_Loss):
    """½d² where |d| < δ, else δ(|d| − ½δ), d = x − y (δ = 1 by default), over all elements.

    Shape: input: any; target: same shape; output: () or input's shape.
    """
    kind = "regression"

    def __init__(self, reduction: str = "mean", delta: float = 1.0):
        super().__init__(reduction)
        self.delta = float(delta)

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:
        return _composed.huber_loss(input, target, self.reduction, self.delta)

    def extra_repr(self) -> str:
        return ", ".join(filter(None, [super().extra_repr(), "" if self.delta == 1.0 else f"delta={self.delta}"]))


class KLDivLoss(Module):
    """The Kullback–Leibler divergence Σ t·(ln t − x) between a target distribution t and the model's
    log-probabilities x (a ``log_softmax`` output), as PyTorch's: use ``reduction='batchmean'`` for the
    divergence itself (``'mean'``, the default, divides by every element, as PyTorch does).

    Shape: input: (m, K) log-probabilities; target: same; output: () or input's shape.
    """

    _convert_inputs = False

    def __init__(self, reduction: str = "mean", log_target: bool = False):
        super().__init__()
        if reduction not in ("mean", "batchmean", "sum", "none"):
            raise ValueError(f"KLDivLoss: reduction must be 'mean', 'batchmean', 'sum' or 'none', got {reduction!r}")
        self.reduction, self.log_target = reduction, bool(log_target)

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:
        return _composed.kl_div(input, target, self.reduction, self.log_target)

    def extra_repr(self) -> str:
        return ", ".join(filter(None, ["" if self.reduction == "mean" else f"reduction={self.reduction!r}",
                                       "log_target=True" if self.log_target else ""]))


class HingeLoss(_Loss):
    """max(0, margin − y·z) for labels ±1 (the linear SVM's loss).

    Shape: input: any (scores); target: same, ±1; output: () or input's shape.
    """
    kind, decision_threshold = "binary", 0.0

    def __init__(self, margin: float = 1.0, reduction: str = "mean"):
        super().__init__(reduction)
        self.margin = float(margin)

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:
        return _L.hinge_loss(input, target, self.margin, self.reduction)


class PerceptronLoss(_Loss):
    """Rosenblatt's criterion (step(z) − y)·z for labels 0/1: gradient descent on it is the perceptron rule.

    Shape: input: any (pre-activations); target: same, 0 or 1; output: () or input's shape.
    """
    kind, decision_threshold = "binary", 0.0

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:
        return _L.perceptron_loss(input, target, self.reduction)
