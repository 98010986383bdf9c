"""Losses as modules: ``loss_fn = tg.nn.CrossEntropyLoss(); loss = loss_fn(logits, labels)``.

Each calls its fused gate in :mod:`tensorgate.functional.loss`, where the derivatives are written.
"""
from ..functional import loss as _L
from .module import Module


class _Loss(Module):
    _convert_inputs = False   # targets may be integer labels: leave arrays to the loss function
    # What the loss takes, declared so that metrics need not guess from the class name:
    # kind: "multiclass" (one class of K per example, argmax), "binary" (one 0/1 decision per output:
    # multi-label with several outputs) or "regression"; decision_threshold: where a binary output's
    # decision flips (0 for logits and margins, 0.5 for probabilities).
    kind = None
    decision_threshold = None

    def __init__(self, reduction="mean"):
        super().__init__()
        _L._check_reduction(type(self).__name__, reduction)
        self.reduction = reduction

    def extra_repr(self):
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy on logits, fused (∂L/∂z = (softmax(z) − y)/m); see :func:`cross_entropy`.

    Shape: input: (m, K) logits; target: (m,) int labels or (m, K) probabilities; output: () or (m,).
    """
    kind = "multiclass"

    def __init__(self, label_smoothing=0.0, reduction="mean"):
        super().__init__(reduction)
        self.label_smoothing = float(label_smoothing)

    def forward(self, input, target):
        return _L.cross_entropy(input, target, self.label_smoothing, self.reduction)

    def extra_repr(self):
        parts = [super().extra_repr()] + ([f"label_smoothing={self.label_smoothing}"] if self.label_smoothing else [])
        return ", ".join(p for p in parts if p)


class NLLLoss(_Loss):
    """Negative log-likelihood of log-probabilities (after LogSoftmax); see :func:`nll_loss`.

    Shape: input: (m, K) log-probabilities; target: (m,) int labels; output: () or (m,).
    """
    kind = "multiclass"

    def forward(self, input, target):
        return _L.nll_loss(input, target, self.reduction)


class BCELoss(_Loss):
    """Binary cross-entropy on probabilities (after Sigmoid), clamped to [eps, 1 − eps].

    Shape: input: any, in [0, 1]; target: same; output: () or input's shape.
    """
    kind, decision_threshold = "binary", 0.5

    def __init__(self, reduction="mean", eps=_L.BCE_EPS):
        super().__init__(reduction)
        self.eps = float(eps)

    def forward(self, input, target):
        return _L.binary_cross_entropy(input, target, self.reduction, self.eps)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy on logits, fused with the sigmoid (∂L/∂z = (σ(z) − y)/N), stable for any z.

    Multi-label classification: one logit per label, this loss on all of them.
    Shape: input: any (logits); target: same; output: () or input's shape.
    """
    kind, decision_threshold = "binary", 0.0

    def forward(self, input, target):
        return _L.binary_cross_entropy_with_logits(input, target, self.reduction)


class MSELoss(_Loss):
    """Mean squared error over all elements; ∂L/∂x = 2(x − y)/N.

    Shape: input: any; target: same shape; output: () or input's shape.
    """
    kind = "regression"

    def forward(self, input, target):
        return _L.mse_loss(input, target, self.reduction)


class HingeLoss(_Loss):
    """max(0, margin − y·z) for labels ±1 (the linear SVM's loss).

    Shape: input: any (scores); target: same, ±1; output: () or input's shape.
    """
    kind, decision_threshold = "binary", 0.0

    def __init__(self, margin=1.0, reduction="mean"):
        super().__init__(reduction)
        self.margin = float(margin)

    def forward(self, input, target):
        return _L.hinge_loss(input, target, self.margin, self.reduction)


class PerceptronLoss(_Loss):
    """Rosenblatt's criterion (step(z) − y)·z for labels 0/1: gradient descent on it is the perceptron rule.

    Shape: input: any (pre-activations); target: same, 0 or 1; output: () or input's shape.
    """
    kind, decision_threshold = "binary", 0.0

    def forward(self, input, target):
        return _L.perceptron_loss(input, target, self.reduction)
