"""Metrics of scores: the ROC and precision-recall curves and the areas under them.

A binary classifier outputs a score s; a threshold θ predicts positive when s >= θ. Each θ gives one
confusion matrix, hence one point (FPR(θ), TPR(θ)) of the ROC curve and one point (recall, precision) of the
PR curve. Going from θ = +inf (nothing positive: the point (0, 0)) down to θ = min(s) (everything positive:
(1, 1)) traces the whole ROC curve; the diagonal is a classifier that guesses. The area under it (AUC) is the
probability that a random positive scores higher than a random negative (ties counting one half).

All curves come from one sort: ``_binary_clf_curve`` (see ``_curve.py``). Signatures and results follow
scikit-learn; thresholds[0] of the ROC curve is +inf, as in scikit-learn >= 1.3.

With ``sample_weight`` w every count is a sum of weights (TP(θ) = sum of w_i over the positives with
s_i >= θ), so the AUC becomes the probability that a positive drawn with probability proportional to its
weight outranks a negative drawn likewise. Samples of weight 0 are left out altogether (their scores are no
thresholds), as in scikit-learn; integer weights give the curve of the data with each row repeated w times.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import warnings
from itertools import combinations

import numpy as np
from scipy.integrate import trapezoid

from ._curve import _counts_at_thresholds, _weighted_counts_at_thresholds
from ._validation import (
    UndefinedMetricWarning, _as_array, _check_1d, _check_finite, _check_labels, _check_nonempty,
    _check_numeric, _check_same_length, _check_sample_weight, _contains, _encode, _label_kind, _unique,
)

if TYPE_CHECKING:
    from typing import TypeAlias

    from numpy.typing import ArrayLike, NDArray

    #: a curve's three arrays, as scikit-learn returns them: (fpr, tpr, thresholds), (precision, recall, thresholds);
    #: precision-recall thresholds keep the scores' dtype
    Curve: TypeAlias = tuple[NDArray[np.float64], NDArray[np.float64], NDArray[Any]]


def _check_scores(y_score, name="y_score"):
    y_score = _check_numeric(_as_array(y_score, name), name)
    _check_nonempty(y_score, name)
    _check_finite(y_score, name)
    return y_score


def _resolve_pos_label(pos_label, y_true):
    """pos_label, or 1 when y_true takes values in {0, 1} or {-1, 1} (scikit-learn's rule)."""
    if pos_label is not None:
        if _label_kind(y_true) != ("str" if isinstance(pos_label, str) else "num"):
            raise ValueError(f"pos_label={pos_label!r} is not a valid label: y_true holds "
                             f"{_unique(y_true)[:5].tolist()}...")
        return pos_label
    classes = _unique(y_true)
    values = set(classes.tolist()) if _label_kind(y_true) == "num" else None
    if values is None or len(classes) > 2 or not (values <= {0, 1} or values <= {-1, 1}):
        shown = ", ".join(repr(c) for c in classes[:10].tolist())
        raise ValueError(f"y_true takes value in {{{shown}}} and pos_label is not specified: either make "
                         "y_true take value in {0, 1} or {-1, 1} or pass pos_label explicitly.")
    return 1


def _binary_clf_curve(y_true, y_score, pos_label=None, sample_weight=None):
    """False and true positive counts at each distinct score, from the highest down.

    Shape: y_true (n,), y_score (n,), sample_weight (n,) or None -> fps (T,), tps (T,) float64, thresholds
    (T,) decreasing, T = number of distinct scores (of the samples of nonzero weight, when weighted).
    fps[i], tps[i] count (or sum the weights of) the samples with ``y_score >= thresholds[i]``.
    Unweighted counts take the fast path of ``_curve.py``, weighted ones the reference path.
    """
    y_true = _check_labels(_as_array(y_true, "y_true"), "y_true")
    y_score = _check_1d(_check_scores(y_score), "y_score")
    _check_same_length(y_true, "y_true", y_score, "y_score")
    pos_label = _resolve_pos_label(pos_label, y_true)
    if sample_weight is None:
        return _counts_at_thresholds(y_true == pos_label, y_score)
    weight = _check_sample_weight(sample_weight, y_true.shape[0])
    return _weighted_counts_at_thresholds(y_true == pos_label, y_score, weight)


def roc_curve(y_true: ArrayLike, y_score: ArrayLike, *, pos_label: int | str | None = None,
              sample_weight: ArrayLike | None = None,
              drop_intermediate: bool = True) -> Curve:
    """Receiver operating characteristic: (FPR, TPR) at every distinct threshold.

    Parameters
    ----------
    y_true : array_like or Tensor, shape (n,)
        True binary labels; in {0, 1} or {-1, 1} unless ``pos_label`` is given.
    y_score : array_like or Tensor, shape (n,)
        Scores, higher meaning more likely positive (probabilities, logits, decision values).
    pos_label : int or str, optional
        The positive class.
    sample_weight : array_like or Tensor, shape (n,), optional
        Non-negative weight of each sample: FPR = weight of the negatives above θ / weight of all
        negatives, TPR likewise. Samples of weight 0 are left out.
    drop_intermediate : bool
        Drop thresholds whose point is collinear with its neighbours (not a corner of the curve).

    Returns
    -------
    fpr, tpr : ndarray, shape (T + 1,)
        Increasing rates; fpr[i], tpr[i] are those of predicting positive when ``y_score >= thresholds[i]``.
    thresholds : ndarray, shape (T + 1,), float64
        Decreasing; thresholds[0] = inf (nothing predicted positive: the point (0, 0)).

    With one class only in y_true the rate without samples is nan and an ``UndefinedMetricWarning`` is
    issued, as in scikit-learn (likewise when one class has weight 0 only). O(n log n): one sort.

    Examples
    --------
    >>> fpr, tpr, thr = roc_curve([0, 1, 1, 0], [0.2, 0.4, 0.7, 0.9])
    >>> fpr.tolist(), tpr.tolist(), thr.tolist()
    ([0.0, 0.5, 0.5, 1.0], [0.0, 0.0, 1.0, 1.0], [inf, 0.9, 0.4, 0.2])
    """
    fps, tps, thresholds = _binary_clf_curve(y_true, y_score, pos_label, sample_weight)
    keep = None
    if drop_intermediate and fps.shape[0] > 2:
        keep = _corners(fps, tps)
    # prepend the point of θ = +inf, (0, 0)
    fpr = _prepend(fps, keep, 0.0)
    tpr = _prepend(tps, keep, 0.0)
    thresholds = _prepend(thresholds, keep, np.inf)
    if fps[-1] <= 0:
        warnings.warn("No negative samples in y_true, false positive value should be meaningless",
                      UndefinedMetricWarning, stacklevel=2)
        fpr[:] = np.nan
    else:
        fpr /= fps[-1]
    if tps[-1] <= 0:
        warnings.warn("No positive samples in y_true, true positive value should be meaningless",
                      UndefinedMetricWarning, stacklevel=2)
        tpr[:] = np.nan
    else:
        tpr /= tps[-1]
    return fpr, tpr, thresholds


def _corners(fps, tps):
    """Indices of the points where the curve bends: the step in fps or in tps changes (a nonzero second
    difference, scikit-learn's rule); the first and last points are always kept."""
    step = np.diff(fps)
    bend = step[1:] != step[:-1]
    step = np.diff(tps)
    bend |= step[1:] != step[:-1]
    keep = np.empty(fps.shape[0], dtype=bool)
    keep[0] = keep[-1] = True
    keep[1:-1] = bend
    return np.flatnonzero(keep)


def _prepend(a, keep, first):
    """float64 array [first, a[keep]...] (all of a when keep is None), built without temporaries."""
    out = np.empty((a.shape[0] if keep is None else keep.shape[0]) + 1, dtype=np.float64)
    out[0] = first
    if keep is None:
        out[1:] = a
    elif a.dtype == np.float64:
        np.take(a, keep, out=out[1:])
    else:
        out[1:] = a[keep]
    return out


def auc(x: ArrayLike, y: ArrayLike) -> float:
    """Area under a curve through the points (x, y) by the trapezoidal rule; x monotonic.

    Shape: x (T,), y (T,), T >= 2.

    Examples
    --------
    >>> auc([0.0, 0.5, 1.0], [0.0, 1.0, 1.0])
    0.75
    """
    x = _check_1d(_check_scores(x, "x"), "x")
    y = _check_1d(_check_scores(y, "y"), "y")
    _check_same_length(x, "x", y, "y")
    if x.shape[0] < 2:
        raise ValueError(f"At least 2 points are needed to compute area under curve, but x.shape = {x.shape}")
    return _auc(x, y)


def _auc(x, y):
    """``auc`` without the checks of its input, for curves made here: a curve of nan (one class of
    weight 0 only) gives nan, as in scikit-learn, rather than an error."""
    dx = np.diff(x)
    direction = 1
    if np.any(dx < 0):
        if not np.all(dx <= 0):
            raise ValueError(f"x is neither increasing nor decreasing: {x}")
        direction = -1
    return float(direction * trapezoid(y, x))


def precision_recall_curve(y_true: ArrayLike, y_score: ArrayLike, *, pos_label: int | str | None = None,
                           sample_weight: ArrayLike | None = None,
                           drop_intermediate: bool = False) -> Curve:
    """Precision and recall at every distinct threshold.

    Parameters
    ----------
    y_true : array_like or Tensor, shape (n,)
    y_score : array_like or Tensor, shape (n,)
    pos_label : int or str, optional
    sample_weight : array_like or Tensor, shape (n,), optional
        Non-negative weight of each sample; TP and FP become sums of weights. Samples of weight 0 are
        left out.
    drop_intermediate : bool
        Drop thresholds where recall does not change (keeping the first and last point of each run).

    Returns
    -------
    precision, recall : ndarray, shape (T + 1,)
        precision[i], recall[i] of predicting positive when ``y_score >= thresholds[i]``; recall decreasing.
        The last point is (recall 0, precision 1) with no threshold. 0/0 precision is 0.
    thresholds : ndarray, shape (T,)
        Increasing, in the dtype of y_score.

    Examples
    --------
    >>> p, r, thr = precision_recall_curve([0, 1, 1, 0], [0.2, 0.4, 0.7, 0.9])
    >>> p.tolist(), r.tolist(), thr.tolist()
    ([0.5, 0.6666666666666666, 0.5, 0.0, 1.0], [1.0, 1.0, 0.5, 0.0, 0.0], [0.2, 0.4, 0.7, 0.9])
    """
    fps, tps, thresholds = _binary_clf_curve(y_true, y_score, pos_label, sample_weight)
    if drop_intermediate and fps.shape[0] > 2:
        change = np.logical_or(np.diff(tps[:-1]), np.diff(tps[1:]))
        keep = np.flatnonzero(np.concatenate([[True], change, [True]]))
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    predicted = tps + fps
    precision = np.where(predicted != 0, tps / np.where(predicted != 0, predicted, 1), 0.0)
    if tps[-1] == 0:
        warnings.warn("No positive class found in y_true, recall is set to one for all thresholds.",
                      UndefinedMetricWarning, stacklevel=2)
        recall = np.ones(tps.shape)
    else:
        recall = tps / tps[-1]
    return (np.concatenate([precision[::-1], [1.0]]), np.concatenate([recall[::-1], [0.0]]),
            thresholds[::-1].copy())


# ----------------------------------------------------------------------------------------------------------
# areas: binary, one-vs-rest, one-vs-one and multi-label
# ----------------------------------------------------------------------------------------------------------

def _binary_roc_auc(y, score, sample_weight=None, max_fpr=None):
    """AUC of 0/1 labels ``y`` (n,) and scores (n,); nan with a warning when one class is missing.

    With ``max_fpr`` the McClish-standardised partial AUC over FPR in [0, max_fpr] (see ``roc_auc_score``).
    """
    if len(_unique(np.asarray(y))) != 2:
        warnings.warn("Only one class is present in y_true. ROC AUC score is not defined in that case.",
                      UndefinedMetricWarning, stacklevel=4)
        return np.nan
    fpr, tpr, _ = roc_curve(y, score, sample_weight=sample_weight)
    if max_fpr is None or max_fpr == 1:
        return _auc(fpr, tpr)
    if np.isnan(fpr[-1]):
        # the negatives weigh nothing: roc_curve has warned; nan, as without max_fpr (scikit-learn fails
        # here with "At least 2 points are needed", an accident of its cut of a curve of nan)
        return np.nan
    # the curve cut at FPR = max_fpr, its last point interpolated linearly between the two around it
    stop = np.searchsorted(fpr, max_fpr, "right")
    tpr = np.append(tpr[:stop], np.interp(max_fpr, fpr[stop - 1:stop + 1], tpr[stop - 1:stop + 1]))
    fpr = np.append(fpr[:stop], max_fpr)
    partial = _auc(fpr, tpr)
    # McClish: 0.5 for the diagonal (area max_fpr²/2), 1 for a perfect ranking (area max_fpr)
    min_area = 0.5 * max_fpr ** 2
    return float(0.5 * (1 + (partial - min_area) / (max_fpr - min_area)))


def _binary_average_precision(y, score, pos_label=1, sample_weight=None):
    precision, recall, _ = precision_recall_curve(y, score, pos_label=pos_label, sample_weight=sample_weight)
    # the step-function integral sum_k (R_k - R_{k+1}) P_k; the last precision is 1 by construction
    return float(max(0.0, -np.sum(np.diff(recall) * precision[:-1])))


def _average_binary_score(metric, Y, S, average, sample_weight=None):
    """Apply a binary metric per column of indicator Y (n, K) and scores S (n, K), then average.

    'micro': one curve of all (sample, class) pairs; 'macro': the mean over classes; 'weighted': weighted
    by the number (the total weight) of positives per class; 'samples': per row, then the mean, weighted by
    ``sample_weight`` (n,) when given; None: the K values. As in scikit-learn, a class (or row) whose
    averaging weight is 0 counts as 0, so that its nan cannot spoil the average.
    """
    if average not in (None, "micro", "macro", "weighted", "samples"):
        raise ValueError(f"average must be one of None, 'micro', 'macro', 'weighted', 'samples', "
                         f"got {average!r}")
    if average == "micro":
        weight = None if sample_weight is None else np.repeat(sample_weight, Y.shape[1])
        return metric(Y.ravel(), S.ravel(), sample_weight=weight)
    score_weight, average_weight = sample_weight, None
    if average == "weighted":
        average_weight = Y.sum(axis=0) if sample_weight is None else (Y * sample_weight[:, None]).sum(axis=0)
        if np.isclose(average_weight.sum(), 0):
            return 0
    elif average == "samples":
        Y, S = Y.T, S.T
        score_weight, average_weight = None, sample_weight
    scores = np.array([metric(Y[:, k], S[:, k], sample_weight=score_weight) for k in range(Y.shape[1])],
                      dtype=np.float64)
    if average is None:
        return scores
    if average_weight is not None:
        scores[average_weight == 0] = 0
        return float(np.average(scores, weights=average_weight))
    return float(np.mean(scores))


def _indicator(y, name):
    """A multi-label indicator matrix (n, K) of 0/1."""
    y = np.asarray(y)
    bad = ~np.isin(y, (0, 1))
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise ValueError(f"{name}[{row}, {col}] = {y[row, col]!r}: a multi-label {name} must hold only 0 and 1")
    return y.astype(np.int64)


def _target_kind(y_true):
    """'multilabel' for an (n, K > 1) array, else 'binary' or 'multiclass' by the number of labels."""
    if y_true.ndim == 2 and y_true.shape[1] > 1:
        return "multilabel"
    return "binary" if len(_unique(_check_1d(y_true, "y_true"))) <= 2 else "multiclass"


def _check_score_matrix(y_score, n, k, what):
    if y_score.ndim != 2 or y_score.shape != (n, k):
        raise ValueError(f"y_score must have shape (n_samples, n_classes) = ({n}, {k}) for {what} y_true, "
                         f"got shape {y_score.shape}")


def _check_max_fpr(max_fpr):
    """None, or a float in (0, 1]."""
    if max_fpr is None:
        return None
    number = isinstance(max_fpr, (int, float, np.integer, np.floating)) and not isinstance(max_fpr, bool)
    if not (number and 0 < max_fpr <= 1):
        raise ValueError(f"max_fpr must be a number in (0, 1], got {max_fpr!r}")
    return float(max_fpr)


def roc_auc_score(y_true: ArrayLike, y_score: ArrayLike, *, average: str | None = "macro",
                  sample_weight: ArrayLike | None = None, max_fpr: float | None = None, multi_class: str = "raise",
                  labels: ArrayLike | None = None) -> float | NDArray[np.float64]:
    """Area under the ROC curve: binary, multi-class (one-vs-rest or one-vs-one), or multi-label.

    Parameters
    ----------
    y_true : array_like or Tensor, shape (n,) or (n, K)
        Binary or multi-class labels (n,), or a multi-label 0/1 indicator (n, K).
    y_score : array_like or Tensor, shape (n,) or (n, K)
        Binary: the score of the larger label, (n,). Multi-class: class probabilities (n, K), rows summing
        to 1, columns in the order of ``labels`` (sorted). Multi-label: one score per label (n, K).
    average : {'macro', 'weighted', 'micro', 'samples'} or None
        How per-class AUCs are combined ('weighted': by class support; 'samples': multi-label only). With
        'ovo', 'macro' or 'weighted' only.
    sample_weight : array_like or Tensor, shape (n,), optional
        Non-negative weight of each sample (see ``roc_curve``). Not with ``multi_class='ovo'`` (an error,
        as in scikit-learn).
    max_fpr : float in (0, 1], optional
        Binary and multi-label only: the standardised partial AUC over FPR in [0, max_fpr]. With A the area
        under the curve up to max_fpr (the curve's point at max_fpr interpolated linearly), McClish's
        correction maps the diagonal's area max_fpr²/2 to 0.5 and a perfect curve's area max_fpr to 1:
        0.5 (1 + (A − max_fpr²/2) / (max_fpr − max_fpr²/2)).
    multi_class : {'raise', 'ovr', 'ovo'}
        Multi-class input needs 'ovr' (one-vs-rest: each class against all others) or 'ovo' (Hand & Till
        2001: for each pair of classes j < k, the mean of AUC(j vs k) scored by column j and AUC(k vs j)
        by column k, on the samples of those two classes; then the mean over the K(K − 1)/2 pairs, or with
        'weighted' the mean weighted by the fraction of samples in each pair's two classes).
    labels : array_like, shape (K,), optional
        Multi-class only: the classes, sorted, indexing the columns of y_score.

    Returns
    -------
    float, or ndarray (K,) when ``average`` is None. nan (with an ``UndefinedMetricWarning``) where a
    class has no positive or no negative sample (or those have weight 0 only).

    Examples
    --------
    >>> roc_auc_score([0, 1, 1, 0], [0.2, 0.4, 0.7, 0.9])   # 2 of the 4 (pos, neg) pairs ranked right
    0.5
    >>> y = [0, 1, 2, 2]
    >>> p = [[0.6, 0.3, 0.1], [0.3, 0.5, 0.2], [0.2, 0.3, 0.5], [0.1, 0.2, 0.7]]
    >>> roc_auc_score(y, p, multi_class="ovo")
    1.0
    """
    y_true = _as_array(y_true, "y_true")
    _check_nonempty(y_true, "y_true")
    y_score = _check_scores(y_score)
    _check_same_length(y_true, "y_true", y_score, "y_score")
    sample_weight = _check_sample_weight(sample_weight, y_true.shape[0])
    max_fpr = _check_max_fpr(max_fpr)
    kind = _target_kind(y_true)
    if kind == "multilabel":
        Y = _indicator(y_true, "y_true")
        _check_score_matrix(y_score, *Y.shape, "multi-label")  # type: ignore[call-arg]
        return _average_binary_score(_auc_metric(max_fpr), Y, y_score, average, sample_weight)
    y_true = _check_labels(y_true, "y_true")
    if kind == "binary" and not (y_score.ndim == 2 and y_score.shape[1] > 2):
        y_score = _check_1d(y_score, "y_score")
        classes = _unique(y_true)
        return _binary_roc_auc((y_true == classes[-1]).astype(np.int64), y_score, sample_weight, max_fpr)
    # multi-class
    if max_fpr is not None and max_fpr != 1:
        raise ValueError(f"max_fpr={max_fpr!r}: partial AUC is for binary (and multi-label) y_true only; "
                         "for multi-class y_true max_fpr must be None")
    if multi_class == "raise":
        raise ValueError("multi_class must be in ('ovo', 'ovr')")
    if multi_class not in ("ovr", "ovo"):
        raise ValueError(f"multi_class={multi_class!r} is not supported for multiclass ROC AUC, multi_class "
                         "must be in ('ovo', 'ovr')")
    averages = (None, "micro", "macro", "weighted") if multi_class == "ovr" else (None, "macro", "weighted")
    if average not in averages:
        raise ValueError(f"average must be one of {averages} for multiclass problems with "
                         f"multi_class={multi_class!r}, got {average!r}")
    if average is None and multi_class == "ovo":
        raise NotImplementedError("average=None is not implemented for multi_class='ovo'.")
    if y_score.ndim != 2:
        raise ValueError(f"y_score must have shape (n_samples, n_classes) for multi-class y_true, "
                         f"got shape {y_score.shape}")
    if not np.allclose(1, y_score.sum(axis=1)):
        raise ValueError("Target scores need to be probabilities for multiclass roc_auc, i.e. they should "
                         "sum up to 1.0 over classes")
    if labels is not None:
        classes = _as_array(labels, "labels").ravel()
        if len(_unique(classes)) != len(classes):
            raise ValueError("Parameter 'labels' must be unique")
        if not np.array_equal(_unique(classes), classes):
            raise ValueError("Parameter 'labels' must be ordered")
        if len(classes) != y_score.shape[1]:
            raise ValueError(f"Number of given labels, {len(classes)}, not equal to the number of columns in "
                             f"'y_score', {y_score.shape[1]}")
        if (_encode(y_true, classes) < 0).any():
            raise ValueError("'y_true' contains labels not in parameter 'labels'")
    else:
        classes = _unique(y_true)
        if len(classes) != y_score.shape[1]:
            raise ValueError("Number of classes in y_true not equal to the number of columns in 'y_score'")
    if multi_class == "ovo":
        if sample_weight is not None:
            raise ValueError("sample_weight is not supported for multiclass one-vs-one ROC AUC "
                             "(multi_class='ovo'): sample_weight must be None, as in scikit-learn")
        return _ovo_roc_auc(_encode(y_true, classes), y_score, average)
    return _ovr_roc_auc(_encode(y_true, classes), y_score, average, sample_weight)


def _auc_metric(max_fpr):
    """The binary metric of ``_average_binary_score``: AUC, partial when max_fpr is given."""
    def metric(y, score, sample_weight=None):
        return _binary_roc_auc(y, score, sample_weight, max_fpr)
    return metric


def _ovr_roc_auc(index, y_score, average, sample_weight=None):
    """One-vs-rest AUC of class indices (n,) in [0, K) against scores (n, K); no check that rows sum to 1."""
    Y = np.zeros(y_score.shape, dtype=np.int64)
    Y[np.arange(len(index)), index] = 1
    return _average_binary_score(_auc_metric(None), Y, y_score, average, sample_weight)


def _ovo_roc_auc(index, y_score, average):
    """Hand & Till's one-vs-one AUC of class indices (n,) against scores (n, K), averaged over the pairs of
    classes present in ``index``: 'macro' plainly, 'weighted' by the fraction of samples in the pair."""
    pairs = list(combinations(np.unique(index).tolist(), 2))
    pair_scores = np.empty(len(pairs))
    prevalence = np.empty(len(pairs)) if average == "weighted" else None
    for i, (a, b) in enumerate(pairs):
        in_a, in_b = index == a, index == b
        in_pair = in_a | in_b
        if prevalence is not None:
            prevalence[i] = np.mean(in_pair)
        a_vs_b = _binary_roc_auc(in_a[in_pair].astype(np.int64), y_score[in_pair, a])
        b_vs_a = _binary_roc_auc(in_b[in_pair].astype(np.int64), y_score[in_pair, b])
        pair_scores[i] = (a_vs_b + b_vs_a) / 2
    return float(np.average(pair_scores, weights=prevalence))


def average_precision_score(y_true: ArrayLike, y_score: ArrayLike, *, average: str | None = "macro",
                            pos_label: int | str = 1,
                            sample_weight: ArrayLike | None = None) -> float | NDArray[np.float64]:
    """Average precision AP = sum_k (R_k - R_{k-1}) P_k, the step-wise area under the PR curve.

    Parameters
    ----------
    y_true : array_like or Tensor, shape (n,) or (n, K)
        Binary labels, multi-class labels (scored one-vs-rest), or a multi-label 0/1 indicator.
    y_score : array_like or Tensor, shape (n,) or (n, K)
        Scores; (n, K) with columns in sorted label order for multi-class and multi-label input.
    average : {'macro', 'weighted', 'micro', 'samples'} or None
    pos_label : int or str, default 1
        The positive class of binary input (must be 1 otherwise).
    sample_weight : array_like or Tensor, shape (n,), optional
        Non-negative weight of each sample (see ``precision_recall_curve``).

    Returns
    -------
    float, or ndarray (K,) when ``average`` is None

    Examples
    --------
    >>> average_precision_score([0, 1, 1, 0], [0.2, 0.4, 0.7, 0.9])   # 0.5 * 1/2 + 0.5 * 2/3
    0.5833333333333333
    """
    y_true = _as_array(y_true, "y_true")
    _check_nonempty(y_true, "y_true")
    y_score = _check_scores(y_score)
    _check_same_length(y_true, "y_true", y_score, "y_score")
    sample_weight = _check_sample_weight(sample_weight, y_true.shape[0])
    kind = _target_kind(y_true)
    if kind == "multilabel":
        if pos_label != 1:
            raise ValueError("Parameter pos_label is fixed to 1 for multilabel-indicator y_true. "
                             "Do not set pos_label or set pos_label to 1.")
        Y = _indicator(y_true, "y_true")
        _check_score_matrix(y_score, *Y.shape, "multi-label")  # type: ignore[call-arg]
        return _average_binary_score(_binary_average_precision, Y, y_score, average, sample_weight)
    y_true = _check_labels(y_true, "y_true")
    present = _unique(y_true)
    if kind == "binary":
        if len(present) == 2 and not _contains(present, pos_label):
            raise ValueError(f"pos_label={pos_label!r} is not a valid label. It should be one of "
                             f"{present.tolist()}")
        if y_score.ndim == 2 and y_score.shape[1] > 1:
            raise ValueError(f"y_score must have shape (n_samples,) for binary y_true, got shape {y_score.shape}")
        if average not in (None, "micro", "macro", "weighted", "samples"):
            raise ValueError(f"average must be one of None, 'micro', 'macro', 'weighted', 'samples', "
                             f"got {average!r}")
        return _binary_average_precision(y_true, _check_1d(y_score, "y_score"), pos_label, sample_weight)
    if pos_label != 1:
        raise ValueError("Parameter pos_label is fixed to 1 for multiclass y_true. "
                         "Do not set pos_label or set pos_label to 1.")
    _check_score_matrix(y_score, len(y_true), len(present), "multi-class")
    Y = np.zeros(y_score.shape, dtype=np.int64)
    Y[np.arange(len(y_true)), _encode(y_true, present)] = 1
    return _average_binary_score(_binary_average_precision, Y, y_score, average, sample_weight)
