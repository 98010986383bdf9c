"""Streaming metrics for training loops: ``update`` per batch, ``compute`` at the end, ``reset`` per epoch.

They are exact: what ``compute`` returns equals the one-shot function on all the batches concatenated.
Label metrics keep only a K x K confusion matrix, updated per batch by one ``np.bincount``; ``AUROC`` must
keep every score (an AUC depends on the ranking of all of them).

``preds`` may be

* class labels, integers, shape (m,);
* binary probabilities or scores, floats, shape (m,) or (m, 1): thresholded at 0.5 for the label metrics
  (positive when >= 0.5; ``Accuracy(threshold=0.0)`` for logits), used as they are by ``AUROC``;
* per-class scores, logits or probabilities, shape (m, K): the predicted label is the argmax; ``AUROC`` uses
  column 1 when K = 2 and one-vs-rest macro AUC when K > 2.

``target`` holds integer class labels 0 .. K-1, shape (m,). Both may be NumPy arrays, lists or Tensors.

Multi-label targets, a 0/1 indicator matrix (m, L) with one decision score per label in ``preds`` (m, L),
have their own two accuracies: :class:`BinaryAccuracy` (per label, Keras's ``binary_accuracy``) and
:class:`SubsetAccuracy` (per example, every label right: scikit-learn's ``accuracy_score`` on indicator
matrices).

Example::

    acc, f1 = tg.metrics.Accuracy(), tg.metrics.F1(average="macro")
    for xb, yb in loader:
        logits = model(xb)
        for metric in (acc, f1):
            metric.update(logits, yb)
    print({m.name: m.compute() for m in (acc, f1)})
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .classification import _AVERAGES, _check_zero_division, _scores_from_counts
from .ranking import _binary_roc_auc, _ovr_roc_auc
from ._validation import _as_array, _check_1d, _check_finite, _check_nonempty, _check_same_length

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from ..autograd.tensor import TensorLike


def _target_labels(target):
    """Integer labels >= 0, shape (m,)."""
    t = _check_1d(_as_array(target, "target"), "target")
    _check_nonempty(t, "target")
    _check_finite(t, "target")
    if t.dtype.kind == "f":
        bad = np.flatnonzero(t != np.round(t))
        if bad.size:
            raise ValueError(f"target[{bad[0]}] = {t[bad[0]]} is not a class label: target must hold integers")
    elif t.dtype.kind not in "biu":
        raise ValueError(f"target must hold integer class labels, got dtype {t.dtype}")
    t = t.astype(np.int64)
    if t.min() < 0:
        bad = int(np.flatnonzero(t < 0)[0])
        raise ValueError(f"target[{bad}] = {t[bad]}: class labels must be >= 0")
    return t


def _scores(preds):
    """preds as a float or integer array (m,) or (m, K), checked."""
    p = _as_array(preds, "preds")
    if p.ndim == 2 and p.shape[1] == 1:
        p = p[:, 0]
    if p.ndim not in (1, 2):
        raise ValueError(f"preds must have shape (m,) or (m, K), got shape {p.shape}")
    _check_nonempty(p, "preds")
    if p.dtype.kind not in "biuf":
        raise ValueError(f"preds must hold numbers, got dtype {p.dtype}")
    _check_finite(p, "preds")
    return p


def _decide(p, threshold):
    """The predicted labels of scores (checked or trusted): argmax of (m, K), ``>= threshold`` of floats (m,),
    the integers themselves otherwise."""
    if p.ndim == 2:
        return np.argmax(p, axis=1)
    if p.dtype.kind == "f":
        return (p >= threshold).astype(np.int64)
    return p.astype(np.int64)


def _pred_labels(preds, threshold=0.5):
    """Predicted class labels (m,): argmax of (m, K), ``>= threshold`` of floats (m,), or the integers given."""
    p = _scores(preds)
    if p.ndim == 2 or p.dtype.kind == "f":
        return _decide(p, threshold).astype(np.int64, copy=False)
    p = p.astype(np.int64)
    if p.size and p.min() < 0:
        bad = int(np.flatnonzero(p < 0)[0])
        raise ValueError(f"preds[{bad}] = {p[bad]}: class labels must be >= 0")
    return p


class Metric:
    """Base class: ``update(preds, target)`` accumulates, ``compute()`` returns, ``reset()`` forgets.

    ``name`` is the key for logging (``history[metric.name]``).
    """
    name = "metric"

    def __init__(self):
        self.reset()

    def reset(self) -> None:
        raise NotImplementedError

    def update(self, preds: TensorLike, target: TensorLike) -> None:
        raise NotImplementedError

    def compute(self) -> Any:
        raise NotImplementedError

    def _check_updated(self, updated):
        if not updated:
            raise RuntimeError(f"{type(self).__name__}.compute() was called before any update()")

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Accuracy(Metric):
    """Fraction of samples whose predicted label equals the target: correct / seen.

    The predicted label is the argmax of per-class scores (m, K), ``score >= threshold`` of one float
    score per sample (m,) or (m, 1), or the integer labels given. A target of one-hot (or probability)
    rows (m, K) counts by its argmax, as Keras's ``categorical_accuracy``; for multi-label indicator
    targets use :class:`BinaryAccuracy` and :class:`SubsetAccuracy`, which compare every label.

    Parameters
    ----------
    threshold : float, default 0.5
        For one score per sample: 0.5 for probabilities, 0.0 for logits or margins.

    Shape
    -----
    preds (m,) or (m, 1) labels or scores, or (m, K) scores; target (m,) labels or (m, K) rows.

    Examples
    --------
    >>> acc = Accuracy()
    >>> acc.update([0.9, 0.2, 0.6], [1, 0, 0])
    >>> acc.update([[2.0, 1.0]], [0])          # logits: argmax 0
    >>> acc.compute()
    0.75
    >>> logit_acc = Accuracy(threshold=0.0)
    >>> logit_acc.update([[1.5], [-0.3]], [[1.0], [1.0]])
    >>> logit_acc.compute()
    0.5
    """
    name = "accuracy"

    def __init__(self, threshold: float = 0.5):
        self.threshold = _check_threshold(threshold)
        super().__init__()

    def reset(self) -> None:
        self.correct = 0
        self.total = 0

    def update(self, preds: TensorLike, target: TensorLike) -> None:
        t = _as_array(target, "target")
        if t.ndim == 2 and t.shape[1] > 1:               # one-hot or probability rows: the class is the argmax
            _check_nonempty(t, "target")
            _check_finite(t, "target")
            t = np.argmax(t, axis=1)
        p, t = _pred_labels(preds, self.threshold), _target_labels(t)
        _check_same_length(p, "preds", t, "target")
        self._count(p, t)

    def _update_trusted(self, preds, target):
        """``update`` without the value checks, for NumPy arrays of the shapes and kinds that an earlier
        ``update`` of the same pass accepted (the training loop's later batches): the same decisions."""
        p = preds[:, 0] if preds.ndim == 2 and preds.shape[1] == 1 else preds
        t = np.argmax(target, axis=1) if target.ndim == 2 and target.shape[1] > 1 else target.reshape(-1)
        self._count(_decide(p, self.threshold), t)

    def _count(self, p, t):
        self.correct += int(np.count_nonzero(p == t))
        self.total += t.shape[0]

    def compute(self) -> float:
        self._check_updated(self.total)
        return self.correct / self.total

    def __repr__(self) -> str:
        return f"Accuracy(threshold={self.threshold})"


def _check_threshold(threshold):
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.integer, np.floating)) \
            or not np.isfinite(threshold):
        raise ValueError(f"threshold must be a finite number, got {threshold!r}")
    return float(threshold)


def _label_decisions(preds, target, threshold):
    """(predicted, true) boolean matrices (m, L) of a multi-label problem, checked.

    A label is predicted when its score is >= threshold, and true when its target is >= 0.5 (targets 0/1,
    or ±1 as the hinge loss takes them).
    """
    p = _as_array(preds, "preds")
    t = _as_array(target, "target")
    p, t = _as_columns(p, t)
    if p.ndim != 2 or p.shape != t.shape:
        raise ValueError(f"preds and target must have the same shape (m, L), one score and one 0/1 target per "
                         f"label; got preds {p.shape} and target {t.shape}")
    for name, a in (("preds", p), ("target", t)):
        _check_nonempty(a, name)
        if a.dtype.kind not in "biuf":
            raise ValueError(f"{name} must hold numbers, got dtype {a.dtype}")
        _check_finite(a, name)
    return p >= threshold, t >= 0.5


def _as_columns(*arrays):
    """(m,) as (m, 1), so that a label vector never broadcasts against a column."""
    return [a[:, None] if a.ndim == 1 else a for a in arrays]


class _LabelDecisions(Metric):
    """Shared by the multi-label accuracies: decisions ``score >= threshold`` counted by the subclass's ``_count``."""

    def __init__(self, threshold: float = 0.5):
        self.threshold = _check_threshold(threshold)
        super().__init__()

    def reset(self) -> None:
        self.correct = 0
        self.total = 0

    def update(self, preds: TensorLike, target: TensorLike) -> None:
        self._count(*_label_decisions(preds, target, self.threshold))

    def _update_trusted(self, preds, target):
        """``update`` without the checks, for arrays like those an earlier ``update`` of the pass accepted."""
        self._count(*_as_columns(preds >= self.threshold, target >= 0.5))

    def _count(self, predicted, truth):
        raise NotImplementedError

    def compute(self) -> float:
        self._check_updated(self.total)
        return self.correct / self.total

    def __repr__(self) -> str:
        return f"{type(self).__name__}(threshold={self.threshold})"


class BinaryAccuracy(_LabelDecisions):
    """Per-label accuracy of multi-label (or binary) decisions: the fraction of (sample, label) entries right.

    Keras's ``binary_accuracy``: mean over all entries of [decision == target], where the decision is
    ``score >= threshold`` (Keras needs the score strictly above the threshold: the two differ only for a
    score exactly at it). It equals the mean over labels of each label's accuracy, and
    ``1 − hamming_loss`` in scikit-learn's terms.

    Parameters
    ----------
    threshold : float, default 0.5
        0.5 for probabilities (after a sigmoid), 0.0 for logits (``BCEWithLogitsLoss``).

    Shape
    -----
    preds (m, L) scores; target (m, L) 0/1 (or ±1); (m,) is one label.

    Examples
    --------
    >>> m = BinaryAccuracy()
    >>> m.update([[0.9, 0.2, 0.7], [0.1, 0.8, 0.4]], [[1, 0, 0], [0, 1, 0]])
    >>> m.compute()                     # 5 of 6 labels right
    0.8333333333333334
    """
    name = "binary_accuracy"

    def _count(self, predicted, truth):
        self.correct += int(np.count_nonzero(predicted == truth))
        self.total += truth.size


class SubsetAccuracy(_LabelDecisions):
    """Subset accuracy of multi-label decisions: the fraction of samples with every label right.

    scikit-learn's ``accuracy_score(Y_true, Y_pred)`` on indicator matrices (m, L), with
    ``Y_pred = scores >= threshold``: strict, one wrong label makes the whole sample wrong.

    Parameters
    ----------
    threshold : float, default 0.5
        0.5 for probabilities, 0.0 for logits.

    Shape
    -----
    preds (m, L) scores; target (m, L) 0/1 (or ±1).

    Examples
    --------
    >>> m = SubsetAccuracy()
    >>> m.update([[0.9, 0.2, 0.7], [0.1, 0.8, 0.4]], [[1, 0, 0], [0, 1, 0]])
    >>> m.compute()                     # the first sample has a wrong label
    0.5
    """
    name = "subset_accuracy"

    def _count(self, predicted, truth):
        self.correct += int(np.count_nonzero((predicted == truth).all(axis=1)))
        self.total += truth.shape[0]


class ConfusionMatrix(Metric):
    """Accumulated confusion matrix C (K, K): C[i, j] counts targets i predicted j.

    Each update costs one ``np.bincount(K * target + pred)``.

    Parameters
    ----------
    num_classes : int
        K; labels must lie in 0 .. K-1.
    normalize : {'true', 'pred', 'all'}, optional
        As in ``confusion_matrix``.

    Shape
    -----
    preds (m,) or (m, K), target (m,) -> compute() (K, K).

    Examples
    --------
    >>> cm = ConfusionMatrix(2)
    >>> cm.update([0, 1, 1], [0, 1, 0])
    >>> cm.compute()
    array([[1, 1],
           [0, 1]])
    """
    name = "confusion_matrix"

    def __init__(self, num_classes: int, normalize: str | None = None):
        if not (isinstance(num_classes, (int, np.integer)) and num_classes >= 1):
            raise ValueError(f"num_classes must be an integer >= 1, got {num_classes!r}")
        if normalize not in (None, "true", "pred", "all"):
            raise ValueError(f"normalize must be one of None, 'true', 'pred', 'all', got {normalize!r}")
        self.num_classes = int(num_classes)
        self.normalize = normalize
        super().__init__()

    def reset(self) -> None:
        self.matrix = np.zeros((self.num_classes, self.num_classes), dtype=np.int64)
        self.total = 0

    def update(self, preds: TensorLike, target: TensorLike) -> None:
        p, t = _pred_labels(preds), _target_labels(target)
        _check_same_length(p, "preds", t, "target")
        k = self.num_classes
        for name, labels in (("target", t), ("preds", p)):
            if labels.max() >= k:
                bad = int(np.flatnonzero(labels >= k)[0])
                raise ValueError(f"{name}[{bad}] = {labels[bad]} is not a class in 0..{k - 1} "
                                 f"(num_classes={k})")
        self.matrix += np.bincount(t * k + p, minlength=k * k).reshape(k, k)
        self.total += t.shape[0]

    def compute(self) -> NDArray[Any]:
        self._check_updated(self.total)
        cm = self.matrix.copy()
        if self.normalize is None:
            return cm
        with np.errstate(all="ignore"):
            if self.normalize == "true":
                cm = cm / cm.sum(axis=1, keepdims=True)
            elif self.normalize == "pred":
                cm = cm / cm.sum(axis=0, keepdims=True)
            else:
                cm = cm / cm.sum()
        return np.nan_to_num(cm)

    def __repr__(self) -> str:
        return f"ConfusionMatrix(num_classes={self.num_classes}, normalize={self.normalize!r})"


class _CountMetric(Metric):
    """Precision, recall and F-beta from an accumulated confusion matrix that grows with the labels seen."""
    _metric: str | None = None

    def __init__(self, average: str | None = "binary", num_classes: int | None = None, pos_label: int = 1,
                 zero_division: float = 0, beta: float = 1.0):
        if average not in _AVERAGES:
            raise ValueError(f"average must be one of {list(_AVERAGES)}, got {average!r}")
        _check_zero_division(zero_division)
        if num_classes is not None and not (isinstance(num_classes, (int, np.integer)) and num_classes >= 1):
            raise ValueError(f"num_classes must be an integer >= 1 or None, got {num_classes!r}")
        self.average = average
        self.num_classes = num_classes
        self.pos_label = pos_label
        self.zero_division = zero_division
        self.beta = beta
        super().__init__()

    def reset(self) -> None:
        k = self.num_classes or 0
        self.matrix = np.zeros((k, k), dtype=np.int64)

    def update(self, preds: TensorLike, target: TensorLike) -> None:
        p, t = _pred_labels(preds), _target_labels(target)
        _check_same_length(p, "preds", t, "target")
        k = max(int(t.max()), int(p.max())) + 1
        if self.num_classes is not None and k > self.num_classes:
            name, labels = ("target", t) if t.max() >= self.num_classes else ("preds", p)
            bad = int(np.flatnonzero(labels >= self.num_classes)[0])
            raise ValueError(f"{name}[{bad}] = {labels[bad]} is not a class in 0..{self.num_classes - 1}")
        if k > self.matrix.shape[0]:                     # a label not seen before: grow the matrix
            grown = np.zeros((k, k), dtype=np.int64)
            old = self.matrix.shape[0]
            grown[:old, :old] = self.matrix
            self.matrix = grown
        k = self.matrix.shape[0]
        self.matrix += np.bincount(t * k + p, minlength=k * k).reshape(k, k)

    def compute(self) -> float | NDArray[np.float64]:
        """The metric over everything seen since ``reset``; the labels are those seen (as scikit-learn's
        default), or 0 .. num_classes-1 when ``num_classes`` was given."""
        cm = self.matrix
        n = int(cm.sum())
        self._check_updated(n)
        true_sum, pred_sum = cm.sum(axis=1), cm.sum(axis=0)
        present = np.flatnonzero(true_sum + pred_sum)
        if self.average == "binary":
            if len(present) > 2:
                raise ValueError("Target is multiclass but average='binary'. Please choose another average "
                                 "setting, one of [None, 'micro', 'macro', 'weighted'].")
            if len(present) == 2 and self.pos_label not in present.tolist():
                raise ValueError(f"pos_label={self.pos_label!r} is not a valid label: it should be one of "
                                 f"{present.tolist()}")
            labels = np.asarray([self.pos_label])
        else:
            labels = present if self.num_classes is None else np.arange(self.num_classes)
        inside = labels < cm.shape[0]                    # a label never seen has zero counts
        idx = np.where(inside, labels, 0)
        tp = np.where(inside, np.diag(cm)[idx], 0)
        pred_sum = np.where(inside, pred_sum[idx], 0)
        true_sum = np.where(inside, true_sum[idx], 0)
        return _scores_from_counts(tp, pred_sum, true_sum, n, metric=self._metric, average=self.average,
                                   beta=self.beta, zero_division=self.zero_division)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(average={self.average!r}, num_classes={self.num_classes}, "
                f"pos_label={self.pos_label!r})")


class Precision(_CountMetric):
    """Streaming precision TP / (TP + FP); equals ``precision_score`` on all batches.

    Parameters
    ----------
    average : {'binary', 'micro', 'macro', 'weighted'} or None
        As in ``precision_score``.
    num_classes : int, optional
        Score the labels 0 .. num_classes-1 (``labels=range(num_classes)``); default: the labels seen.
    pos_label : int
        The positive class for 'binary'.
    zero_division : {0, 1, nan, 'warn'}
        Value for 0/0; default 0, silently (scikit-learn's 'warn' gives the same value, with a warning).

    Shape
    -----
    preds (m,) or (m, K), target (m,).

    Examples
    --------
    >>> m = Precision()
    >>> m.update([0.8, 0.3], [1, 1]); m.update([0.6], [0])
    >>> m.compute()                     # predicted positive: 0.8 (right), 0.6 (wrong)
    0.5
    """
    name = "precision"
    _metric = "precision"


class Recall(_CountMetric):
    """Streaming recall TP / (TP + FN); equals ``recall_score`` on all batches.

    Parameters: as ``Precision``. Shape: preds (m,) or (m, K), target (m,).

    Examples
    --------
    >>> m = Recall(average="macro")
    >>> m.update([[0.1, 0.9], [0.8, 0.2]], [1, 1])
    >>> m.compute()                     # class 1 recall 1/2; class 0 has no samples: 0
    0.25
    """
    name = "recall"
    _metric = "recall"


class F1(_CountMetric):
    """Streaming F1 = 2 TP / (2 TP + FP + FN); equals ``f1_score`` on all batches.

    Parameters: as ``Precision``. Shape: preds (m,) or (m, K), target (m,).

    Examples
    --------
    >>> m = F1()
    >>> m.update([1, 1, 0, 0], [1, 0, 1, 0])
    >>> m.compute()
    0.5
    """
    name = "f1"
    _metric = "f"


class AUROC(Metric):
    """Streaming area under the ROC curve; keeps every score, computes exactly at the end.

    Parameters
    ----------
    average : {'macro', 'weighted'} or None
        For K > 2 classes: how the one-vs-rest AUCs are combined.

    Shape
    -----
    preds (m,) scores of class 1, or (m, K) per-class scores (column 1 when K = 2; one-vs-rest
    when K > 2; the rows need not sum to 1); target (m,) in 0 .. K-1.

    Examples
    --------
    >>> m = AUROC()
    >>> m.update([0.2, 0.4], [0, 1]); m.update([0.7, 0.9], [1, 0])
    >>> m.compute()
    0.5
    """
    name = "auroc"

    def __init__(self, average: str | None = "macro"):
        if average not in ("macro", "weighted", None):
            raise ValueError(f"average must be 'macro', 'weighted' or None, got {average!r}")
        self.average = average
        super().__init__()

    def reset(self) -> None:
        self._scores = []  # type: ignore[var-annotated]
        self._targets = []  # type: ignore[var-annotated]
        self._columns = None

    def update(self, preds: TensorLike, target: TensorLike) -> None:
        s, t = _scores(preds), _target_labels(target)
        _check_same_length(s, "preds", t, "target")
        if s.ndim == 2 and s.shape[1] == 2:
            s = s[:, 1]
        columns = 1 if s.ndim == 1 else s.shape[1]
        if self._columns is not None and columns != self._columns:
            raise ValueError(f"preds has {columns} score column(s) but earlier batches had {self._columns}")
        limit = 2 if columns == 1 else columns
        if t.max() >= limit:
            bad = int(np.flatnonzero(t >= limit)[0])
            raise ValueError(f"target[{bad}] = {t[bad]} is not a class in 0..{limit - 1}")
        self._columns = columns  # type: ignore[assignment]
        self._scores.append(np.array(s, dtype=np.float64))
        self._targets.append(t)

    def compute(self) -> float | NDArray[np.float64]:
        self._check_updated(self._scores)
        s = np.concatenate(self._scores)
        t = np.concatenate(self._targets)
        if s.ndim == 1:
            return float(_binary_roc_auc(t, s))
        return _ovr_roc_auc(t, s, self.average)

    def __repr__(self) -> str:
        return f"AUROC(average={self.average!r})"
