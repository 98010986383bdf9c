"""Metrics inside the training loop: the built-in streaming accuracy and how metric arguments resolve.

A metric is any object with ``name``, ``reset()``, ``update(preds, target)`` and ``compute()`` (the
streaming metrics of :mod:`tensorgate.metrics` have exactly these). The loop calls ``reset()`` before
each pass, ``update`` after every batch with the model's raw output and the target as NumPy arrays, and
``compute()`` at the end of the pass.
"""
import numpy as np

__all__ = ["StreamingAccuracy", "resolve_metrics"]


class StreamingAccuracy:
    """Fraction of correct predictions, accumulated batch by batch.

    Predictions of shape (b, K) with K > 1 are scores per class (logits or probabilities): the class is
    their argmax. Predictions of shape (b,) or (b, 1) are one score per example for binary
    classification: the class is ``score > threshold`` (0.5 for probabilities, 0 for logits). Targets are
    class indices (b,), one-hot/probability rows (b, K), or 0/1 values (b,) or (b, 1).

    Shape: preds: (b, K) or (b,) or (b, 1); target: (b,), (b, 1) or (b, K).

    Examples
    --------
    >>> import numpy as np
    >>> acc = StreamingAccuracy()
    >>> acc.update(np.array([[2.0, 1.0], [0.0, 3.0]]), np.array([0, 0]))
    >>> acc.update(np.array([[1.0, 0.0]]), np.array([0]))
    >>> acc.compute()
    0.6666666666666666
    """

    name = "accuracy"

    def __init__(self, threshold=0.5):
        self.threshold = float(threshold)
        self.reset()

    def reset(self):
        self.correct = 0
        self.total = 0

    def update(self, preds, target):
        preds = np.asarray(preds)
        target = np.asarray(target)
        if preds.ndim == 2 and preds.shape[1] > 1:
            predicted = preds.argmax(axis=1)
            truth = target.argmax(axis=1) if target.ndim == 2 and target.shape[1] > 1 else target.reshape(-1)
        else:
            predicted = preds.reshape(-1) > self.threshold
            truth = target.reshape(-1) > 0.5
        if predicted.shape[0] != truth.shape[0]:
            raise ValueError(f"accuracy: {predicted.shape[0]} predictions but {truth.shape[0]} targets "
                             f"(preds {preds.shape}, target {target.shape})")
        self.correct += int(np.count_nonzero(predicted == truth))
        self.total += predicted.shape[0]

    def compute(self):
        return self.correct / self.total if self.total else float("nan")

    def __repr__(self):
        return f"StreamingAccuracy(threshold={self.threshold})"


def _threshold_for(loss_fn):
    """Binary predictions are logits when the loss says so (``...WithLogits``), else probabilities."""
    name = type(loss_fn).__name__ if not hasattr(loss_fn, "__name__") else loss_fn.__name__
    return 0.0 if "logits" in name.lower() else 0.5


def resolve_metrics(metrics, loss_fn=None):
    """Turn ``metrics`` (strings and/or metric objects) into a list of metric objects.

    Strings: ``"accuracy"`` (or ``"acc"``). Objects are used as they are after checking that they have
    ``name``, ``reset``, ``update`` and ``compute``.

    Shape: not applicable.
    """
    if metrics is None:
        return []
    if isinstance(metrics, str) or hasattr(metrics, "update"):
        metrics = [metrics]
    resolved, names = [], set()
    for metric in metrics:
        if isinstance(metric, str):
            if metric.lower() not in ("accuracy", "acc"):
                raise ValueError(f"fit: unknown metric {metric!r}; the built-in string is 'accuracy'. For others "
                                 "pass a streaming metric object, e.g. tg.metrics.AUROC()")
            metric = StreamingAccuracy(threshold=_threshold_for(loss_fn))
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
