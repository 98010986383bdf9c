"""Choosing the threshold θ: a classifier's scores become decisions only once θ is fixed.

Predict positive when score >= θ (the convention of ``roc_curve``). The candidates are +inf (nothing
positive) and every distinct score; one sort gives the confusion counts at all of them
(``_binary_clf_curve``), and each criterion is a vectorised pick among them:

* 'youden'    max J = TPR - FPR, the ROC point farthest above the chance diagonal.
* 'cost'      min expected cost  c_FN · π · (1 - TPR) + c_FP · (1 - π) · FPR, with π = P(y = 1) (the
              sample's unless ``prior`` is given). With c_FN = c_FP = 1 and the sample's π this is
              (FN + FP) / n, the probability of error: θ* of the Bayes decision rule on this sample.
* 'f1'        max F1 = 2 TP / (2 TP + FP + FN).
* 'recall'    the highest θ whose recall reaches ``min_recall`` (the medical test: accept false positives
              to miss at most a fraction 1 - min_recall of the sick). Recall only grows as θ decreases,
              so this is also the θ with the fewest false positives among those that reach it.
* 'precision' the lowest θ whose precision reaches ``min_precision``. Precision is not monotonic in θ;
              the lowest such θ is the one with the highest recall among those that reach the target
              (the highest one would usually flag a handful of samples).

Ties between equally good thresholds go to the highest threshold. Equally good means equal in exact
arithmetic: a criterion computed in floats can round two equal values a few units in the last place
apart, and such values count as tied.

With ``sample_weight`` every count is a sum of weights (TP(θ) = sum of w_i over the positives with
s_i >= θ, and so on), π included; samples of weight 0 are left out, so their scores are no candidates.
Sums of weights carry roundings, so that two thresholds equally good in exact arithmetic may differ in the
last bits: with weights, values within 1e-10 (relative) of each other count as ties, and a target is
reached within 1e-10.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import math
from dataclasses import asdict, dataclass

import numpy as np

from .ranking import _binary_clf_curve

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

_CRITERIA = ("youden", "cost", "f1", "recall", "precision")


@dataclass(frozen=True)
class ThresholdResult:
    """The chosen threshold and the metrics of ``y_score >= threshold``.

    Dict-like too: ``result["f1"]``, ``result.to_dict()``. ``value`` is the criterion's value there (J,
    expected cost, F1, recall or precision).
    """
    threshold: float
    criterion: str
    value: float
    tpr: float
    fpr: float
    precision: float
    f1: float
    accuracy: float
    specificity: float
    tp: float            # the counts: ints, or sums of weights (floats) with sample_weight
    fp: float
    tn: float
    fn: float

    @property
    def recall(self) -> float:
        """Recall = TPR = TP / (TP + FN)."""
        return self.tpr

    def __getitem__(self, key: str) -> Any:
        if key == "recall":
            return self.tpr
        if key not in self.__dataclass_fields__:
            raise KeyError(key)
        return getattr(self, key)

    def keys(self) -> list[str]:
        return list(self.__dataclass_fields__) + ["recall"]

    def to_dict(self) -> dict[str, Any]:
        return dict(asdict(self), recall=self.tpr)


def _rates(tp, fp, n_pos, n_neg):
    """All the metrics at every candidate, as float64 arrays (T,); 0/0 gives 0. The counts may be sums of
    weights, below 1."""
    fn = n_pos - tp
    tn = n_neg - fp
    predicted, f1_denominator = tp + fp, 2 * tp + fp + fn
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    f1 = np.divide(2 * tp, f1_denominator, out=np.zeros_like(tp), where=f1_denominator > 0)
    return dict(tpr=tp / n_pos, fpr=fp / n_neg, precision=precision, f1=f1,
                accuracy=(tp + tn) / (n_pos + n_neg), specificity=tn / n_neg, fn=fn, tn=tn)


def _tie_tolerance(value, weighted):
    """How far apart two values of a criterion may be and still tie.

    A criterion of counts is a ratio of integers, but computed in floats it rounds: with 7 positives and 1
    negative, missing one positive costs (7/8)(1 − 6/7) and one false alarm (1/8)·1, equal, yet the first
    comes out 5.6e-17 larger. So a few units in the last place of the values' scale make a tie (genuine
    differences of counts are far larger: at least 1/(P·N)); for sums of weights, 1e-10 of the scale.
    """
    scale = max(1.0, float(np.max(np.abs(value))))
    return (1e-10 if weighted else 16 * np.finfo(np.float64).eps) * scale


def best_threshold(y_true: ArrayLike, y_score: ArrayLike, criterion: str = "youden", *,
                   pos_label: int | str | None = None, sample_weight: ArrayLike | None = None, cost_fn: float = 1.0,
                   cost_fp: float = 1.0, prior: float | None = None, min_recall: float | None = None,
                   min_precision: float | None = None) -> ThresholdResult:
    """The threshold θ that is best for ``criterion``, and the metrics of ``y_score >= θ``.

    Parameters
    ----------
    y_true : array_like or Tensor, shape (n,)
        True binary labels (both classes present); {0, 1} or {-1, 1} unless ``pos_label`` is given.
    y_score : array_like or Tensor, shape (n,)
        Scores, higher meaning more likely positive.
    criterion : {'youden', 'cost', 'f1', 'recall', 'precision'}
        See the module docstring: max TPR - FPR; min expected cost; max F1; highest θ with recall >=
        ``min_recall``; lowest θ with precision >= ``min_precision``.
    pos_label : int or str, optional
    sample_weight : array_like or Tensor, shape (n,), optional
        Non-negative weight of each sample: the counts at each threshold become sums of weights (both
        classes need a positive total weight).
    cost_fn, cost_fp : float >= 0
        'cost': the cost of a false negative and of a false positive.
    prior : float in [0, 1], optional
        'cost': P(y = 1) in the population where the rule is used; default the fraction in y_true
        (of the total weight, when weighted).
    min_recall, min_precision : float in [0, 1]
        Targets for the 'recall' and 'precision' criteria.

    Returns
    -------
    ThresholdResult
        ``threshold`` (a score value, or inf for "never positive"), ``value``, ``tpr`` (= ``recall``),
        ``fpr``, ``precision``, ``f1``, ``accuracy``, ``specificity``, ``tp``, ``fp``, ``tn``, ``fn`` (ints,
        or float sums of weights with ``sample_weight``).

    Examples
    --------
    >>> r = best_threshold([0, 1, 1, 0], [0.2, 0.4, 0.7, 0.9], "recall", min_recall=1.0)
    >>> r.threshold, r.recall, r.precision
    (0.4, 1.0, 0.6666666666666666)
    """
    if criterion not in _CRITERIA:
        raise ValueError(f"criterion must be one of {_CRITERIA}, got {criterion!r}")
    fps, tps, thresholds = _binary_clf_curve(y_true, y_score, pos_label, sample_weight)
    n_pos, n_neg = tps[-1], fps[-1]
    if n_pos == 0 or n_neg == 0:
        missing, only = ("positive", "negative") if n_pos == 0 else ("negative", "positive")
        if sample_weight is None:
            raise ValueError(f"y_true has only {only} samples: a threshold cannot be chosen without both classes")
        raise ValueError(f"the {missing} samples have total weight 0 (y_true has none, or sample_weight is 0 "
                         "on all of them): a threshold cannot be chosen without both classes")
    # candidates, from the highest threshold down: +inf (no positives), then every distinct score
    tp = np.concatenate([[0.0], tps])
    fp = np.concatenate([[0.0], fps])
    theta = np.concatenate([[np.inf], thresholds.astype(np.float64)])
    m = _rates(tp, fp, n_pos, n_neg)
    weighted = sample_weight is not None

    if criterion == "youden":
        value = m["tpr"] - m["fpr"]
        best = _first_max(value, weighted)
    elif criterion == "cost":
        if not (cost_fn >= 0 and cost_fp >= 0):
            raise ValueError(f"cost_fn and cost_fp must be >= 0, got {cost_fn!r}, {cost_fp!r}")
        pi = n_pos / (n_pos + n_neg) if prior is None else prior
        if not 0 <= pi <= 1:
            raise ValueError(f"prior must be in [0, 1], got {prior!r}")
        value = cost_fn * pi * (1 - m["tpr"]) + cost_fp * (1 - pi) * m["fpr"]
        best = _first_max(-value, weighted)
    elif criterion == "f1":
        value = m["f1"]
        best = _first_max(value, weighted)
    elif criterion == "recall":
        _check_target(min_recall, "min_recall")
        value = m["tpr"]
        reach = value >= min_recall - _tie_tolerance(value, weighted)
        best = int(np.flatnonzero(reach)[0])                        # recall never decreases down the list
    else:
        _check_target(min_precision, "min_precision")
        value = m["precision"]
        reach = np.flatnonzero(value >= min_precision - _tie_tolerance(value, weighted))
        if reach.size == 0:
            raise ValueError(f"no threshold reaches min_precision={min_precision}: the highest precision "
                             f"is {value.max()}")
        best = int(reach[-1])                                         # the lowest threshold that reaches it

    count = int if sample_weight is None else float
    return ThresholdResult(
        threshold=float(theta[best]), criterion=criterion, value=float(value[best]),
        tpr=float(m["tpr"][best]), fpr=float(m["fpr"][best]), precision=float(m["precision"][best]),
        f1=float(m["f1"][best]), accuracy=float(m["accuracy"][best]),
        specificity=float(m["specificity"][best]), tp=count(tp[best]), fp=count(fp[best]),
        tn=count(m["tn"][best]), fn=count(m["fn"][best]),
    )


def threshold_metrics(y_true: ArrayLike, y_score: ArrayLike, threshold: float, *, pos_label: int | str | None = None,
                      sample_weight: ArrayLike | None = None) -> ThresholdResult:
    """The metrics of the decision ``y_score >= threshold`` for a given θ: what a threshold chosen on one
    data set (validation) does on another (test).

    Parameters
    ----------
    y_true : array_like or Tensor, shape (n,)
        True binary labels (both classes present); {0, 1} or {-1, 1} unless ``pos_label`` is given.
    y_score : array_like or Tensor, shape (n,)
        Scores, higher meaning more likely positive.
    threshold : float
        θ (``inf`` predicts nothing positive).
    pos_label : int or str, optional
    sample_weight : array_like or Tensor, shape (n,), optional

    Returns
    -------
    ThresholdResult
        As :func:`best_threshold` returns, with ``criterion='given'`` and ``value`` = θ.

    Examples
    --------
    >>> r = threshold_metrics([0, 1, 1, 0], [0.2, 0.4, 0.7, 0.9], 0.5)
    >>> r.tp, r.fp, r.recall, r.precision
    (1, 1, 0.5, 0.5)
    """
    theta = float(threshold)
    if theta != theta:
        raise ValueError("threshold must be a number, got nan")
    fps, tps, thresholds = _binary_clf_curve(y_true, y_score, pos_label, sample_weight)
    n_pos, n_neg = tps[-1], fps[-1]
    if n_pos == 0 or n_neg == 0:
        only = "negative" if n_pos == 0 else "positive"
        raise ValueError(f"y_true has only {only} samples (of positive weight): the rates of a threshold need "
                         "both classes")
    reached = int(np.searchsorted(-thresholds, -theta, side="right"))   # thresholds decrease: those >= θ
    tp = np.array([tps[reached - 1] if reached else 0.0])
    fp = np.array([fps[reached - 1] if reached else 0.0])
    m = _rates(tp, fp, n_pos, n_neg)
    count = int if sample_weight is None else float
    return ThresholdResult(
        threshold=theta, criterion="given", value=theta, tpr=float(m["tpr"][0]), fpr=float(m["fpr"][0]),
        precision=float(m["precision"][0]), f1=float(m["f1"][0]), accuracy=float(m["accuracy"][0]),
        specificity=float(m["specificity"][0]), tp=count(tp[0]), fp=count(fp[0]), tn=count(m["tn"][0]),
        fn=count(m["fn"][0]),
    )


def _first_max(value, weighted):
    """Index of the first (highest-threshold) candidate among those tied for the largest value."""
    return int(np.flatnonzero(value >= value.max() - _tie_tolerance(value, weighted))[0])


def _check_target(target, name):
    if target is None or not (0 <= target <= 1) or (isinstance(target, float) and math.isnan(target)):
        raise ValueError(f"{name} must be a number in [0, 1], got {target!r}")
