"""Metrics of hard predictions: the confusion matrix and what is read off it.

For one positive class the confusion matrix counts four numbers::

                    predicted 0   predicted 1
        actual 0        TN            FP
        actual 1        FN            TP

    recall (TPR, sensitivity) = TP / (TP + FN)      precision = TP / (TP + FP)
    specificity (TNR)         = TN / (TN + FP)      FPR = FP / (FP + TN) = 1 - specificity
    F_beta = (1 + beta^2) TP / ((1 + beta^2) TP + beta^2 FN + FP)

With K classes each class in turn is "the positive one" (one-vs-rest); ``average`` then says how the K
numbers become one: 'micro' pools the counts, 'macro' is the plain mean, 'weighted' the mean weighted by
support (the number of true samples of each class), None returns all K.

With ``sample_weight`` w (n,) every count becomes a sum of weights: TP = sum of w_i over the true positives,
and so on; the support of a class is the total weight of its true samples. Integer weights give the same
result as repeating each sample w_i times.

Signatures and results follow scikit-learn (``sklearn.metrics``), which the tests use as the oracle.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import math
import warnings

import numpy as np

from ._validation import (
    UndefinedMetricWarning, _as_array, _check_labels, _check_same_length, _check_sample_weight, _contains,
    _encode, _label_kind, _unique,
)

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

_AVERAGES = (None, "binary", "micro", "macro", "weighted")


# ----------------------------------------------------------------------------------------------------------
# plumbing: labels, counts, division with zero_division, averaging
# ----------------------------------------------------------------------------------------------------------

def _check_pair(y_true, y_pred):
    y_true = _check_labels(_as_array(y_true, "y_true"), "y_true")
    y_pred = _check_labels(_as_array(y_pred, "y_pred"), "y_pred")
    _check_same_length(y_true, "y_true", y_pred, "y_pred")
    if _label_kind(y_true) != _label_kind(y_pred):
        raise ValueError("y_true and y_pred mix string and number labels; use one kind of label")
    return y_true, y_pred


def _present_labels(y_true, y_pred):
    """Sorted labels that occur in y_true or y_pred (scikit-learn's ``unique_labels``)."""
    return _unique(np.concatenate([_unique(y_true), _unique(y_pred)]))


def _check_label_list(labels):
    labels = _as_array(labels, "labels").ravel()
    if labels.size == 0:
        raise ValueError("labels should contain at least one label")
    if len(_unique(labels)) != labels.size:
        raise ValueError(f"labels contains duplicates: {labels.tolist()}")
    return labels


def _check_zero_division(zero_division):
    if isinstance(zero_division, str) and zero_division == "warn":
        return 0.0
    if isinstance(zero_division, (int, float)) and not isinstance(zero_division, bool):
        if zero_division in (0, 1):
            return float(zero_division)
        if math.isnan(zero_division):
            return math.nan
    raise ValueError(f"zero_division must be 'warn', 0, 1 or nan, got {zero_division!r}")


def _divide(numerator, denominator, zero_division, warn_message):
    """numerator / denominator elementwise; where the denominator is 0 the result is ``zero_division``
    (0 with a warning for 'warn')."""
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    zero = denominator == 0
    result = numerator / np.where(zero, 1.0, denominator)
    if zero.any():
        result[zero] = _check_zero_division(zero_division)
        if isinstance(zero_division, str) and warn_message:
            where = "due to" if result.shape[0] == 1 else "in labels with"
            warnings.warn(
                warn_message.format(where=where) + " Use `zero_division` parameter to control this behavior.",
                UndefinedMetricWarning, stacklevel=4,
            )
    return result


def _nanaverage(values, weights=None):
    """Mean ignoring nan entries (zero_division=nan); weights that sum to zero are ignored."""
    keep = ~np.isnan(values)
    if values.size == 0 or not keep.any():
        return math.nan
    values = values[keep]
    if weights is not None:
        weights = np.asarray(weights, dtype=np.float64)[keep]
        if weights.sum() != 0:
            return float(np.average(values, weights=weights))
    return float(np.mean(values))


def _select_labels(y_true, y_pred, labels, pos_label, average):
    """The labels to score, as scikit-learn chooses them (``_check_set_wise_labels``)."""
    if average not in _AVERAGES:
        raise ValueError(f"average must be one of {list(_AVERAGES)}, got {average!r}")
    present = _present_labels(y_true, y_pred)
    if average == "binary":
        if len(present) > 2:
            raise ValueError(
                "Target is multiclass but average='binary'. Please choose another average setting, "
                "one of [None, 'micro', 'macro', 'weighted']."
            )
        if len(present) == 2 and not _contains(present, pos_label):
            raise ValueError(f"pos_label={pos_label!r} is not a valid label: it should be one of "
                             f"{present.tolist()}")
        return np.asarray([pos_label])
    if pos_label not in (None, 1):
        warnings.warn(
            f"Note that pos_label (set to {pos_label!r}) is ignored when average != 'binary' "
            f"(got {average!r}). You may use labels=[pos_label] to specify a single positive class.",
            UserWarning, stacklevel=4,
        )
    return present if labels is None else _check_label_list(labels)


def _label_counts(y_true, y_pred, labels, sample_weight=None):
    """Per-label one-vs-rest counts from one pass of bincount.

    Shape: y_true (m,), y_pred (m,), labels (K,), sample_weight (m,) or None -> tp, pred_sum = TP + FP,
    true_sum = TP + FN, each (K,): int64 counts, or float64 sums of weights when weighted.
    Samples whose label is not in ``labels`` count only towards the negatives (TN) of every label.
    """
    k = len(labels)
    t = _encode(y_true, labels)
    p = _encode(y_pred, labels)
    hit = (t == p) & (t >= 0)
    if sample_weight is None:
        tp = np.bincount(t[hit], minlength=k)
        true_sum = np.bincount(t[t >= 0], minlength=k)
        pred_sum = np.bincount(p[p >= 0], minlength=k)
        return tp, pred_sum, true_sum
    w = sample_weight.astype(np.float64, copy=False)
    tp = np.bincount(t[hit], weights=w[hit], minlength=k)
    true_sum = np.bincount(t[t >= 0], weights=w[t >= 0], minlength=k)
    pred_sum = np.bincount(p[p >= 0], weights=w[p >= 0], minlength=k)
    # scikit-learn rebuilds the sums as TP + FP and TP + FN; the same roundings give the same printed support
    return tp, tp + (pred_sum - tp), tp + (true_sum - tp)


def _total(y_true, labels, true_sum, sample_weight):
    """The number of samples, or their total weight: the n of TN = n - TP - FP - FN.

    The total weight is summed as the supports (K,) plus the weight of the samples outside ``labels``, so
    that n - support is exactly 0 where all the weight is on one label (a plain sum of the weights can
    differ from the support in the last bit, and TN / (TN + FP) would then be 1 instead of 0/0).
    """
    if sample_weight is None:
        return y_true.shape[0]
    outside = sample_weight[_encode(y_true, labels) < 0]
    return float(np.sum(true_sum) + np.sum(outside, dtype=np.float64))


def _scores_from_counts(tp, pred_sum, true_sum, n, *, metric, average, beta=1.0, zero_division="warn"):
    """One metric from one-vs-rest counts (K,) and the number of samples n, averaged as asked.

    metric: 'precision' TP/(TP+FP), 'recall' TP/(TP+FN), 'f' F_beta, 'specificity' TN/(TN+FP),
    'fpr' FP/(FP+TN). Counts may be sums of sample weights (float) and n their total weight.
    Returns a float, or an array (K,) when ``average`` is None.
    """
    weighted = any(np.asarray(a).dtype.kind == "f" for a in (tp, pred_sum, true_sum))
    dtype = np.float64 if weighted else np.int64
    tp, pred_sum, true_sum = (np.asarray(a, dtype=dtype) for a in (tp, pred_sum, true_sum))
    negatives = n - true_sum                     # TN + FP of each label
    fp = pred_sum - tp
    tn = negatives - fp
    if average == "micro":
        tp, pred_sum, true_sum = tp.sum(keepdims=True), pred_sum.sum(keepdims=True), true_sum.sum(keepdims=True)
        negatives, fp, tn = negatives.sum(keepdims=True), fp.sum(keepdims=True), tn.sum(keepdims=True)

    if metric == "f" and math.isinf(beta):
        metric = "recall"                        # F_inf = recall
    if metric == "f" and beta == 0:
        metric = "precision"                     # F_0 = precision
    if metric == "precision":
        score = _divide(tp, pred_sum, zero_division,
                        "Precision is ill-defined and being set to 0.0 {where} no predicted samples.")
    elif metric == "recall":
        score = _divide(tp, true_sum, zero_division,
                        "Recall is ill-defined and being set to 0.0 {where} no true samples.")
    elif metric == "specificity":
        score = _divide(tn, negatives, zero_division,
                        "Specificity is ill-defined and being set to 0.0 {where} no negative samples.")
    elif metric == "fpr":
        score = _divide(fp, negatives, zero_division,
                        "False positive rate is ill-defined and being set to 0.0 {where} no negative samples.")
    elif metric == "f":
        beta2 = beta ** 2
        score = _divide((1 + beta2) * tp.astype(np.float64), beta2 * true_sum.astype(np.float64) + pred_sum,
                        zero_division,
                        "F-score is ill-defined and being set to 0.0 {where} no true nor predicted samples.")
    else:  # pragma: no cover - internal
        raise ValueError(metric)

    if average is None:
        return score
    return _nanaverage(score, true_sum if average == "weighted" else None)


def _binary_or_averaged(metric, y_true, y_pred, labels, pos_label, average, sample_weight, zero_division,
                        beta=1.0):
    _check_zero_division(zero_division)
    y_true, y_pred = _check_pair(y_true, y_pred)
    w = _check_sample_weight(sample_weight, y_true.shape[0])
    labels = _select_labels(y_true, y_pred, labels, pos_label, average)
    tp, pred_sum, true_sum = _label_counts(y_true, y_pred, labels, w)
    return _scores_from_counts(tp, pred_sum, true_sum, _total(y_true, labels, true_sum, w), metric=metric,
                               average=average, beta=beta, zero_division=zero_division)


# ----------------------------------------------------------------------------------------------------------
# public functions
# ----------------------------------------------------------------------------------------------------------

def confusion_matrix(y_true: ArrayLike, y_pred: ArrayLike, *, labels: ArrayLike | None = None,
                     sample_weight: ArrayLike | None = None, normalize: str | None = None) -> NDArray[Any]:
    """Confusion matrix C, where C[i, j] counts samples of true class i predicted as class j.

    For two classes 0, 1 this is ``[[TN, FP], [FN, TP]]``. With sample weights w,
    C[i, j] = sum of w_s over the samples s of true class i predicted as class j.

    Parameters
    ----------
    y_true : array_like or Tensor, shape (m,)
        True labels (integers or strings).
    y_pred : array_like or Tensor, shape (m,)
        Predicted labels.
    labels : array_like, shape (K,), optional
        The labels that index the rows and columns, in this order; samples with other labels are left
        out. Default: the sorted labels present in ``y_true`` or ``y_pred``.
    sample_weight : array_like or Tensor, shape (m,), optional
        Non-negative weight of each sample.
    normalize : {'true', 'pred', 'all'}, optional
        Divide by the row sums (rows become recall per class), the column sums (precision per class)
        or the total. 0/0 gives 0.

    Returns
    -------
    C : ndarray, shape (K, K)
        int64 counts; with ``sample_weight``, sums of weights: float64, or int64 when the weights are
        integers (as scikit-learn). float64 when normalized.

    Examples
    --------
    >>> confusion_matrix([0, 1, 1, 0], [0, 1, 0, 0])
    array([[2, 0],
           [1, 1]])
    """
    y_true, y_pred = _check_pair(y_true, y_pred)
    w = _check_sample_weight(sample_weight, y_true.shape[0])
    if normalize not in (None, "true", "pred", "all"):
        raise ValueError(f"normalize must be one of None, 'true', 'pred', 'all', got {normalize!r}")
    if labels is None:
        labels = _present_labels(y_true, y_pred)
    else:
        labels = _check_label_list(labels)
        if not (_encode(y_true, labels) >= 0).any():
            raise ValueError("At least one label specified must be in y_true")
    k = len(labels)
    t = _encode(y_true, labels)
    p = _encode(y_pred, labels)
    keep = (t >= 0) & (p >= 0)
    cell = t[keep] * k + p[keep]
    if w is None:
        cm = np.bincount(cell, minlength=k * k).astype(np.int64)
    elif w.dtype.kind == "i":
        cm = np.zeros(k * k, dtype=np.int64)           # exact integer sums
        np.add.at(cm, cell, w[keep])
    else:
        cm = np.bincount(cell, weights=w[keep], minlength=k * k)
    cm = cm.reshape(k, k)
    if normalize is not None:
        with np.errstate(all="ignore"):
            if normalize == "true":
                cm = cm / cm.sum(axis=1, keepdims=True)
            elif normalize == "pred":
                cm = cm / cm.sum(axis=0, keepdims=True)
            else:
                cm = cm / cm.sum()
        cm = np.nan_to_num(cm)
    if cm.shape == (1, 1):
        warnings.warn(
            "A single label was found in 'y_true' and 'y_pred'. For the confusion matrix to have the "
            "correct shape, use the 'labels' parameter to pass all known labels.", UserWarning, stacklevel=2,
        )
    return cm


def accuracy_score(y_true: ArrayLike, y_pred: ArrayLike, *, normalize: bool = True,
                   sample_weight: ArrayLike | None = None) -> float:
    """Fraction (or number, with ``normalize=False``) of samples whose predicted label is the true one.

    With sample weights w: sum_i w_i [y_i = ŷ_i] / sum_i w_i (or the numerator alone).

    Parameters
    ----------
    y_true, y_pred : array_like or Tensor, shape (m,)
        True and predicted labels.
    normalize : bool
        True: the fraction correct, (TP + TN) / m in the binary case. False: the count (the total weight
        of the correct samples when weighted).
    sample_weight : array_like or Tensor, shape (m,), optional
        Non-negative weight of each sample.

    Returns
    -------
    float

    Examples
    --------
    >>> accuracy_score([0, 1, 1, 0], [0, 1, 0, 0])
    0.75
    """
    y_true, y_pred = _check_pair(y_true, y_pred)
    w = _check_sample_weight(sample_weight, y_true.shape[0])
    correct = y_true == y_pred
    if w is None:
        return float(np.mean(correct)) if normalize else float(np.sum(correct))
    return float(np.average(correct, weights=w)) if normalize else float(np.dot(correct, w))


_PRF_DOC = """
    Parameters
    ----------
    y_true, y_pred : array_like or Tensor, shape (m,)
        True and predicted labels (integers or strings).
    labels : array_like, shape (K,), optional
        Labels to include when ``average != 'binary'``; default: all labels present in y_true or y_pred.
    pos_label : int or str, default 1
        The positive class when ``average='binary'``.
    average : {'binary', 'micro', 'macro', 'weighted'} or None, default 'binary'
        'binary': the score of ``pos_label`` only. 'micro': pool TP, FP, FN over labels. 'macro': mean of
        the per-label scores. 'weighted': mean weighted by support. None: the per-label scores, shape (K,).
    sample_weight : array_like or Tensor, shape (m,), optional
        Non-negative weight of each sample; TP, FP, FN, TN and the support become sums of weights.
    zero_division : {'warn', 0, 1, nan}, default 'warn'
        Value returned where the denominator is 0; 'warn' returns 0 and warns.

    Returns
    -------
    float, or ndarray of shape (K,) when ``average`` is None
"""


def precision_score(y_true: ArrayLike, y_pred: ArrayLike, *, labels: ArrayLike | None = None, pos_label: int | str = 1,
                    average: str | None = "binary", sample_weight: ArrayLike | None = None,
                    zero_division: str | float = "warn") -> float | NDArray[np.float64]:
    """Precision TP / (TP + FP): of the samples predicted positive, the fraction that are.
    {doc}
    Examples
    --------
    >>> precision_score([0, 1, 1, 0], [1, 1, 0, 0])   # TP = 1, FP = 1
    0.5
    """
    return _binary_or_averaged("precision", y_true, y_pred, labels, pos_label, average, sample_weight,
                               zero_division)


def recall_score(y_true: ArrayLike, y_pred: ArrayLike, *, labels: ArrayLike | None = None, pos_label: int | str = 1,
                 average: str | None = "binary", sample_weight: ArrayLike | None = None,
                 zero_division: str | float = "warn") -> float | NDArray[np.float64]:
    """Recall (sensitivity, TPR) TP / (TP + FN): of the positive samples, the fraction found.
    {doc}
    Examples
    --------
    >>> recall_score([0, 1, 1, 1], [1, 1, 0, 1])      # TP = 2, FN = 1
    0.6666666666666666
    """
    return _binary_or_averaged("recall", y_true, y_pred, labels, pos_label, average, sample_weight,
                               zero_division)


def fbeta_score(y_true: ArrayLike, y_pred: ArrayLike, *, beta: float, labels: ArrayLike | None = None,
                pos_label: int | str = 1, average: str | None = "binary", sample_weight: ArrayLike | None = None,
                zero_division: str | float = "warn") -> float | NDArray[np.float64]:
    """F-beta score (1 + beta^2) TP / ((1 + beta^2) TP + beta^2 FN + FP), the weighted harmonic mean of
    precision and recall; beta > 1 favours recall, beta < 1 precision.

    ``beta`` (float >= 0, keyword) comes first; the other parameters are those of ``precision_score``.
    {doc}
    Examples
    --------
    >>> fbeta_score([0, 1, 1, 1], [1, 1, 0, 1], beta=2.0)   # 5*2 / (5*2 + 4*1 + 1)
    0.6666666666666666
    """
    if not beta >= 0:
        raise ValueError(f"beta must be >= 0, got {beta!r}")
    return _binary_or_averaged("f", y_true, y_pred, labels, pos_label, average, sample_weight, zero_division,
                               beta=beta)


def f1_score(y_true: ArrayLike, y_pred: ArrayLike, *, labels: ArrayLike | None = None, pos_label: int | str = 1,
             average: str | None = "binary", sample_weight: ArrayLike | None = None,
             zero_division: str | float = "warn") -> float | NDArray[np.float64]:
    """F1 = 2 TP / (2 TP + FP + FN), the harmonic mean of precision and recall.
    {doc}
    Examples
    --------
    >>> f1_score([0, 1, 1, 1], [1, 1, 0, 1])          # 2*2 / (2*2 + 1 + 1)
    0.6666666666666666
    """
    return _binary_or_averaged("f", y_true, y_pred, labels, pos_label, average, sample_weight, zero_division,
                               beta=1.0)


def specificity_score(y_true: ArrayLike, y_pred: ArrayLike, *, labels: ArrayLike | None = None,
                      pos_label: int | str = 1, average: str | None = "binary", sample_weight: ArrayLike | None = None,
                      zero_division: str | float = "warn") -> float | NDArray[np.float64]:
    """Specificity (TNR) TN / (TN + FP): of the negative samples, the fraction predicted negative.

    scikit-learn has no such function; the signature is ``recall_score``'s, and 'weighted' weights by
    the support of each label, as recall does. Specificity of a class = recall of "not that class".
    {doc}
    Examples
    --------
    >>> specificity_score([0, 0, 0, 1], [1, 0, 0, 1])  # TN = 2, FP = 1
    0.6666666666666666
    """
    return _binary_or_averaged("specificity", y_true, y_pred, labels, pos_label, average, sample_weight,
                               zero_division)


def false_positive_rate(y_true: ArrayLike, y_pred: ArrayLike, *, labels: ArrayLike | None = None,
                        pos_label: int | str = 1, average: str | None = "binary",
                        sample_weight: ArrayLike | None = None,
                        zero_division: str | float = "warn") -> float | NDArray[np.float64]:
    """False positive rate FP / (FP + TN) = 1 - specificity: the x axis of the ROC curve.

    scikit-learn has no such function; the signature is ``recall_score``'s ('weighted' weights by
    support, as recall does).
    {doc}
    Examples
    --------
    >>> false_positive_rate([0, 0, 0, 1], [1, 0, 0, 1])  # FP = 1, TN = 2
    0.3333333333333333
    """
    return _binary_or_averaged("fpr", y_true, y_pred, labels, pos_label, average, sample_weight,
                               zero_division)


for _f in (precision_score, recall_score, fbeta_score, f1_score, specificity_score, false_positive_rate):
    _f.__doc__ = _f.__doc__.replace("{doc}", _PRF_DOC)  # type: ignore[union-attr]


def precision_recall_fscore_support(y_true: ArrayLike, y_pred: ArrayLike, *, beta: float = 1.0,
                                    labels: ArrayLike | None = None, pos_label: int | str = 1,
                                    average: str | None = None, sample_weight: ArrayLike | None = None,
                                    zero_division: str | float = "warn") -> tuple[Any, Any, Any, Any]:
    """Precision, recall, F-beta and support per label (or averaged), as scikit-learn's function.

    Parameters
    ----------
    y_true, y_pred : array_like or Tensor, shape (m,)
    beta, labels, pos_label, average, sample_weight, zero_division
        As in ``fbeta_score``; ``average`` defaults to None here. sample_weight: shape (m,).

    Returns
    -------
    precision, recall, fbeta : ndarray (K,), or floats when averaged
    support : ndarray (K,) of int (float64 total weights when weighted), or None when averaged

    Examples
    --------
    >>> p, r, f, s = precision_recall_fscore_support([0, 1, 1], [0, 1, 0])
    >>> p.tolist(), r.tolist(), s.tolist()
    ([0.5, 1.0], [1.0, 0.5], [1, 2])
    """
    _check_zero_division(zero_division)
    y_true, y_pred = _check_pair(y_true, y_pred)
    w = _check_sample_weight(sample_weight, y_true.shape[0])
    labels = _select_labels(y_true, y_pred, labels, pos_label, average)
    counts = _label_counts(y_true, y_pred, labels, w)
    n = _total(y_true, labels, counts[2], w)
    kw = dict(average=average, zero_division=zero_division)
    precision = _scores_from_counts(*counts, n, metric="precision", **kw)  # type: ignore[misc]
    recall = _scores_from_counts(*counts, n, metric="recall", **kw)  # type: ignore[misc]
    fbeta = _scores_from_counts(*counts, n, metric="f", beta=beta, **kw)  # type: ignore[misc]
    support = counts[2] if average is None else None
    return precision, recall, fbeta, support


def balanced_accuracy_score(y_true: ArrayLike, y_pred: ArrayLike, *, sample_weight: ArrayLike | None = None,
                            adjusted: bool = False) -> float:
    """Balanced accuracy: the mean of the K classes' recalls, (1/K) sum_k C[k, k] / sum_j C[k, j].

    Accuracy with every class given the same total weight, so a majority class cannot carry the score; for
    two classes it is (TPR + TNR) / 2. ``adjusted=True`` rescales it so that chance scores 0 and a perfect
    classifier 1: (score - 1/K) / (1 - 1/K).

    Parameters
    ----------
    y_true, y_pred : array_like or Tensor, shape (m,)
        True and predicted labels.
    sample_weight : array_like or Tensor, shape (m,), optional
        Non-negative weight of each sample; C holds sums of weights.
    adjusted : bool
        Rescale so that random guessing scores 0.

    Returns
    -------
    float

    A class that occurs in y_pred but not in y_true (its row of C is zero) has no recall: it is left out of
    the mean, with a warning, as in scikit-learn (K then counts the classes left in).

    Examples
    --------
    >>> balanced_accuracy_score([0, 1, 0, 0, 1, 0], [0, 1, 0, 0, 0, 1])   # (3/4 + 1/2) / 2
    0.625
    """
    C = confusion_matrix(y_true, y_pred, sample_weight=sample_weight)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_class = np.diag(C) / C.sum(axis=1)
    if np.any(np.isnan(per_class)):
        warnings.warn("y_pred contains classes not in y_true", UserWarning, stacklevel=2)
        per_class = per_class[~np.isnan(per_class)]
    score = np.mean(per_class)
    if adjusted:
        chance = 1 / per_class.shape[0]
        score = (score - chance) / (1 - chance)
    return float(score)


def matthews_corrcoef(y_true: ArrayLike, y_pred: ArrayLike, *, sample_weight: ArrayLike | None = None) -> float:
    """Matthews correlation coefficient, the correlation between true and predicted labels, in [-1, 1].

    From the K x K confusion matrix C (sums of weights when weighted), with s = sum of C (the samples),
    c = trace C (those predicted right), t_k = sum_j C[k, j] (true in class k), p_k = sum_i C[i, k]
    (predicted as k)::

        MCC = (c·s − Σ p_k t_k) / √((s² − Σ p_k²)(s² − Σ t_k²))

    For two classes this is (TP·TN − FP·FN) / √((TP+FP)(TP+FN)(TN+FP)(TN+FN)). 0 when the denominator is
    0 (one class predicted, or only one class true), as in scikit-learn.

    Parameters
    ----------
    y_true, y_pred : array_like or Tensor, shape (m,)
        True and predicted labels (two or more classes).
    sample_weight : array_like or Tensor, shape (m,), optional
        Non-negative weight of each sample.

    Returns
    -------
    float

    Examples
    --------
    >>> round(matthews_corrcoef([1, 1, 1, 0], [1, 0, 1, 1]), 6)   # (2·0 − 1·1) / √(3·3·1·1)
    -0.333333
    """
    C = confusion_matrix(y_true, y_pred, sample_weight=sample_weight)
    t = C.sum(axis=1, dtype=np.float64)
    p = C.sum(axis=0, dtype=np.float64)
    c = np.trace(C, dtype=np.float64)
    s = p.sum()
    cov_tp = c * s - np.dot(t, p)
    cov_pp = s ** 2 - np.dot(p, p)
    cov_tt = s ** 2 - np.dot(t, t)
    denominator = cov_pp * cov_tt
    if denominator == 0:
        return 0.0
    return float(cov_tp / np.sqrt(denominator))
