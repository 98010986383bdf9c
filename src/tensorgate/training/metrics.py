"""Metrics inside the training loop: what ``metrics=["accuracy"]`` means, and how metric arguments resolve.

A metric is any object with ``name``, ``reset()``, ``update(preds, target)`` and ``compute()`` (the
streaming metrics of :mod:`tensorgate.metrics` have exactly these). The loop calls ``reset()`` before
each pass, ``update`` after every batch with the model's raw output and the target as NumPy arrays, and
``compute()`` at the end of the pass; a ``compute()`` that returns a dict logs each of its entries.

``"accuracy"`` is one of :mod:`tensorgate.metrics`'s streaming accuracies, chosen from the loss's declared
``kind`` (an attribute of tensorgate's losses) and the shapes of the first batch:

================================== ================================ ==========================================
loss ``kind``                      output and target                logged as
================================== ================================ ==========================================
``"multiclass"`` (cross-entropy)   (b, K) scores; (b,) or (b, K)    ``accuracy``: argmax against the label
``"binary"`` (BCE, hinge, ...)     (b,) or (b, 1) score             ``accuracy``: score ≥ the loss's
                                                                    ``decision_threshold`` (0 for logits,
                                                                    0.5 for probabilities)
``"binary"`` with L > 1 outputs    (b, L) scores; (b, L) 0/1        multi-label: ``binary_accuracy`` (per
                                                                    label, Keras's) and ``subset_accuracy``
                                                                    (every label right, scikit-learn's
                                                                    ``accuracy_score``)
anything else (MSE, a function)    by shape, as Keras does          ``accuracy``: (b, 1) output and target
                                                                    ≥ 0.5 agree; (b, K): argmax
================================== ================================ ==========================================

Multi-label targets log no plain ``accuracy``: Keras would call the per-label figure "accuracy" and
scikit-learn the per-example one, and the two can be far apart.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import metrics as _metrics
from ..functional import loss as _F
from ..functional import loss_composed as _composed

if TYPE_CHECKING:
    from typing import Iterable, Sequence

    from ..autograd.tensor import TensorLike

__all__ = ["TaskAccuracy", "resolve_metrics", "metric_logs", "loss_kind"]

#: tensorgate's functional losses, which cannot carry attributes of their own: (kind, decision threshold).
_FUNCTIONAL_KINDS = {
    _F.cross_entropy: ("multiclass", None),
    _F.nll_loss: ("multiclass", None),
    _F.binary_cross_entropy: ("binary", 0.5),
    _F.binary_cross_entropy_with_logits: ("binary", 0.0),
    _F.hinge_loss: ("binary", 0.0),
    _F.perceptron_loss: ("binary", 0.0),
    _F.mse_loss: ("regression", None),
    _composed.l1_loss: ("regression", None),
    _composed.smooth_l1_loss: ("regression", None),
    _composed.huber_loss: ("regression", None),
}


def loss_kind(loss_fn: object) -> tuple[str | None, float | None]:
    """(kind, decision_threshold) that ``loss_fn`` declares: ``("multiclass", None)``, ``("binary", 0.0)``,
    ``("regression", None)``, or ``(None, None)`` for a loss that declares nothing.

    Shape: not applicable.
    """
    try:
        return _FUNCTIONAL_KINDS[loss_fn]  # type: ignore[index]
    except (KeyError, TypeError):  # not one of them, or unhashable
        return getattr(loss_fn, "kind", None), getattr(loss_fn, "decision_threshold", None)


class TaskAccuracy:
    """``metrics=["accuracy"]``: the accuracy that fits the loss and the targets (see the module docstring).

    The choice is made at the first ``update`` from the loss's declared kind and the batch's shapes, and
    kept until ``reset``; the counting is done by :mod:`tensorgate.metrics`'s streaming metrics.

    Parameters
    ----------
    loss_fn : callable, optional
        The training loss; its ``kind`` and ``decision_threshold`` attributes decide.

    Shape
    -----
    preds (b, K), (b, 1) or (b,); target (b,), (b, 1) or (b, K).

    Examples
    --------
    >>> import numpy as np, tensorgate as tg
    >>> acc = TaskAccuracy(tg.nn.BCEWithLogitsLoss())
    >>> acc.update(np.array([[2.0, -1.0], [0.5, 0.3]]), np.array([[1, 0], [1, 0]]))
    >>> acc.compute()       # 3 of 4 labels right; 1 of 2 rows entirely right
    {'binary_accuracy': 0.75, 'subset_accuracy': 0.5}
    """

    name = "accuracy"

    def __init__(self, loss_fn: object | None = None):
        self.kind, threshold = loss_kind(loss_fn)
        self.threshold = 0.5 if threshold is None else float(threshold)
        self.reset()

    def reset(self) -> None:
        self.parts = None
        self._checked = None

    def _choose(self, preds):
        columns = 1 if preds.ndim < 2 else preds.shape[1]
        if self.kind == "binary" and columns > 1:
            return [_metrics.BinaryAccuracy(self.threshold), _metrics.SubsetAccuracy(self.threshold)]
        if self.kind in ("binary", "multiclass"):
            return [_metrics.Accuracy(self.threshold)]
        # no declared kind, or regression: Keras's rule by shape (one column: output and target ≥ 0.5 agree)
        return [_metrics.BinaryAccuracy(0.5) if columns == 1 else _metrics.Accuracy()]

    def update(self, preds: TensorLike, target: TensorLike) -> None:
        if self.parts is None:
            self.parts = self._choose(preds)
        # The pass's first batch is checked in full; later ones like it (NumPy arrays of the same trailing
        # shapes and kinds) take the same decisions without the value checks, which cost twice the counting
        # per batch (the loss checks the targets' values anyway).
        alike = self._checked is not None and _signature(preds, target) == self._checked
        if not alike and isinstance(preds, np.ndarray) and preds.dtype.kind == "f" \
                and not np.isfinite(preds).all():
            # a diverging network: the loss, the Monitor and fit's checks say so; the metric must not be what
            # stops training (the checked metrics refuse nan and inf), and how such outputs count is moot
            preds = np.nan_to_num(preds)
        for part in self.parts:  # type: ignore[attr-defined]
            if alike:
                part._update_trusted(preds, target)
            else:
                part.update(preds, target)
        if not alike:
            self._checked = _signature(preds, target)

    def compute(self) -> float:
        if self.parts is None:
            return float("nan")
        if len(self.parts) == 1:
            return self.parts[0].compute()
        return {part.name: part.compute() for part in self.parts}

    def __repr__(self) -> str:
        return f"TaskAccuracy(kind={self.kind!r}, threshold={self.threshold})"


def _signature(preds, target):
    """What the checks of a batch depend on besides its values, or None for anything but NumPy arrays."""
    if isinstance(preds, np.ndarray) and isinstance(target, np.ndarray):
        return preds.shape[1:], preds.dtype.kind, target.shape[1:], target.dtype.kind
    return None


_BUILT_IN = {
    "accuracy": TaskAccuracy, "acc": TaskAccuracy,
    "binary_accuracy": lambda loss_fn: _metrics.BinaryAccuracy(_threshold(loss_fn)),
    "subset_accuracy": lambda loss_fn: _metrics.SubsetAccuracy(_threshold(loss_fn)),
}


def _threshold(loss_fn):
    threshold = loss_kind(loss_fn)[1]
    return 0.5 if threshold is None else threshold


def resolve_metrics(metrics: Sequence[str | Any] | None, loss_fn: object | None = None) -> list[Any]:
    """Turn ``metrics`` (strings and/or metric objects) into a list of metric objects.

    Strings: ``"accuracy"`` (or ``"acc"``; see the module docstring), ``"binary_accuracy"`` and
    ``"subset_accuracy"`` (thresholded where the loss says). Objects are used as they are after checking
    that they have ``name``, ``reset``, ``update`` and ``compute``.

    Shape: not applicable.
    """
    if metrics is None:
        return []
    if isinstance(metrics, str) or hasattr(metrics, "update"):
        metrics = [metrics]
    resolved, names = [], set()
    for metric in metrics:
        if isinstance(metric, str):
            if metric.lower() not in _BUILT_IN:
                raise ValueError(f"fit: unknown metric {metric!r}; the built-in strings are "
                                 f"{', '.join(repr(k) for k in _BUILT_IN)}. For others pass a streaming metric "
                                 "object, e.g. tg.metrics.AUROC()")
            metric = _BUILT_IN[metric.lower()](loss_fn)  # type: ignore[operator]
        missing = [a for a in ("name", "reset", "update", "compute") if not hasattr(metric, a)]
        if missing:
            raise TypeError(f"fit: metric {metric!r} lacks {', '.join(missing)}; a metric needs name, reset(), "
                            "update(preds, target) and compute()")
        name = str(metric.name)
        if name in names or name in ("loss", "lr", "time", "samples_per_sec"):
            raise ValueError(f"fit: two metrics (or a metric and a built-in log) are both called {name!r}")
        names.add(name)
        resolved.append(metric)
    return resolved


def metric_logs(metrics: Iterable[Any]) -> dict[str, float]:
    """{name: value} of every metric's ``compute()``; a metric that returns a dict logs each entry.

    Shape: not applicable.
    """
    logs = {}
    for metric in metrics:
        value = metric.compute()
        for key, v in (value.items() if isinstance(value, dict) else [(str(metric.name), value)]):
            if key in logs:  # e.g. "accuracy" on multi-label targets beside a BinaryAccuracy of one's own
                raise ValueError(f"fit: two metrics both log {key!r}; drop one, or give one another name")
            logs[key] = v
    return logs
