"""best_threshold: every criterion against a brute-force search over all thresholds."""
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tensorgate.metrics as tm
from metrics_helpers import assert_close, binary_problems


def brute_force(y, s):
    """Every candidate θ (+inf, then each distinct score, decreasing) with its counts, by direct comparison."""
    y, s = np.asarray(y), np.asarray(s)
    rows = []
    for theta in [np.inf] + sorted(set(s.tolist()), reverse=True):
        predicted = s >= theta
        tp = int(np.sum(predicted & (y == 1)))
        fp = int(np.sum(predicted & (y == 0)))
        fn = int(np.sum(~predicted & (y == 1)))
        tn = int(np.sum(~predicted & (y == 0)))
        rows.append(dict(theta=theta, tp=tp, fp=fp, fn=fn, tn=tn))
    return rows


def criterion_value(row, criterion, n_pos, n_neg, cost_fn=1.0, cost_fp=1.0, prior=None):
    """The criterion as an exact fraction (floats enter exactly), so that ties are ties."""
    tp, fp, fn = (Fraction(row[k]) for k in ("tp", "fp", "fn"))
    cost_fn, cost_fp = Fraction(cost_fn), Fraction(cost_fp)
    prior = None if prior is None else Fraction(prior)
    if criterion == "youden":
        return tp / n_pos - fp / n_neg
    if criterion == "cost":
        pi = n_pos / (n_pos + n_neg) if prior is None else prior
        return cost_fn * pi * (1 - tp / n_pos) + cost_fp * (1 - pi) * (fp / n_neg)
    if criterion == "f1":
        return 2 * tp / (2 * tp + fp + fn) if tp else Fraction(0)
    if criterion == "recall":
        return tp / n_pos
    return tp / (tp + fp) if tp + fp else Fraction(0)


def check_reported_metrics(result, y, s):
    predicted = np.asarray(s) >= result.threshold
    y = np.asarray(y)
    tp, fp = int(np.sum(predicted & (y == 1))), int(np.sum(predicted & (y == 0)))
    fn, tn = int(np.sum(~predicted & (y == 1))), int(np.sum(~predicted & (y == 0)))
    assert (result.tp, result.fp, result.fn, result.tn) == (tp, fp, fn, tn)
    assert_close(result.recall, tp / (tp + fn))
    assert_close(result.fpr, fp / (fp + tn))
    assert_close(result.specificity, tn / (fp + tn))
    assert_close(result.precision, tp / (tp + fp) if tp + fp else 0.0)
    assert_close(result.f1, 2 * tp / (2 * tp + fp + fn))
    assert_close(result.accuracy, (tp + tn) / len(y))
    assert result["recall"] == result.tpr and result.to_dict()["fn"] == fn


@settings(max_examples=40)
@given(problem=binary_problems(max_size=40), criterion=st.sampled_from(["youden", "f1"]))
def test_youden_and_f1_are_the_brute_force_maximum(problem, criterion):
    y, s = problem
    rows = brute_force(y, s)
    n_pos, n_neg = int(np.sum(y == 1)), int(np.sum(y == 0))
    values = [criterion_value(r, criterion, n_pos, n_neg) for r in rows]
    best = max(values)
    expected = rows[values.index(best)]["theta"]              # ties: the highest threshold
    result = tm.best_threshold(y, s, criterion)
    assert result.threshold == expected and result.criterion == criterion
    assert_close(result.value, float(best))
    check_reported_metrics(result, y, s)


@settings(max_examples=40)
@given(problem=binary_problems(max_size=40), cost_fn=st.sampled_from([0.5, 1.0, 5.0]),
       cost_fp=st.sampled_from([1.0, 2.0]), prior=st.sampled_from([None, 0.05, 0.5, 0.9]))
def test_cost_is_the_brute_force_minimum(problem, cost_fn, cost_fp, prior):
    y, s = problem
    rows = brute_force(y, s)
    n_pos, n_neg = int(np.sum(y == 1)), int(np.sum(y == 0))
    values = [criterion_value(r, "cost", n_pos, n_neg, cost_fn, cost_fp, prior) for r in rows]
    best = min(values)
    result = tm.best_threshold(y, s, "cost", cost_fn=cost_fn, cost_fp=cost_fp, prior=prior)
    # ties, also those that floats round apart (4·0.5/7 against 2·1/7): the highest threshold
    tied = [r["theta"] for r, v in zip(rows, values) if v <= best + 1e-12 * max(1.0, abs(best))]
    assert result.threshold == max(tied)
    assert_close(result.value, float(best))
    check_reported_metrics(result, y, s)


def test_a_tie_that_floats_round_apart_goes_to_the_highest_threshold():
    # θ = 0 misses one of 7 positives, θ = −1 raises one false alarm among 8: both cost 1/8 exactly, but
    # computed as π(1 − TPR) and (1 − π)·FPR they round 5.6e-17 apart
    y, s = [0, 1, 1, 1, 1, 1, 1, 1], [-1, -1, 0, 0, 0, 0, 0, 0]
    assert tm.best_threshold(y, s, "cost").threshold == 0.0
    assert tm.best_threshold(y, s, "youden").threshold == 0.0   # 6/7 − 0 against 1 − 1: not a tie


@settings(max_examples=30)
@given(problem=binary_problems(max_size=40))
def test_equal_costs_give_the_minimum_probability_of_error(problem):
    y, s = problem
    errors = [(r["fp"] + r["fn"]) / len(y) for r in brute_force(y, s)]
    result = tm.best_threshold(y, s, "cost")
    assert_close(result.value, min(errors))
    assert_close(1 - result.accuracy, min(errors))


@settings(max_examples=40)
@given(problem=binary_problems(max_size=40), target=st.sampled_from([0.0, 0.2, 0.5, 0.75, 0.9, 1.0]))
def test_recall_target_gives_the_highest_threshold_that_reaches_it(problem, target):
    y, s = problem
    rows = brute_force(y, s)
    n_pos = int(np.sum(y == 1))
    reaching = [r["theta"] for r in rows if r["tp"] / n_pos >= target]
    result = tm.best_threshold(y, s, "recall", min_recall=target)
    assert result.threshold == max(reaching)
    assert result.recall >= target
    check_reported_metrics(result, y, s)


@settings(max_examples=40)
@given(problem=binary_problems(max_size=40), target=st.sampled_from([0.0, 0.3, 0.5, 0.8, 1.0]))
def test_precision_target_gives_the_lowest_threshold_that_reaches_it(problem, target):
    y, s = problem
    rows = brute_force(y, s)
    reaching = [r["theta"] for r in rows if r["tp"] + r["fp"] and r["tp"] / (r["tp"] + r["fp"]) >= target]
    if not reaching:
        with pytest.raises(ValueError, match="no threshold reaches min_precision"):
            tm.best_threshold(y, s, "precision", min_precision=target)
        return
    result = tm.best_threshold(y, s, "precision", min_precision=target)
    assert result.threshold == min(reaching)
    assert result.precision >= target
    check_reported_metrics(result, y, s)


def test_lecture_toy_example():
    y, s = [0, 1, 1, 0], [0.2, 0.4, 0.7, 0.9]
    # J = TPR - FPR at θ = inf, 0.9, 0.7, 0.4, 0.2: 0, 0 - 1/2, 1/2 - 1/2, 1 - 1/2, 1 - 1 -> θ* = 0.4, J = 1/2
    r = tm.best_threshold(y, s, "youden")
    assert (r.threshold, r.value) == (0.4, 0.5)
    # errors (FP + FN) / 4 at the same θ: 2/4, 3/4, 2/4, 1/4, 2/4 -> θ* = 0.4, P(error) = 1/4
    r = tm.best_threshold(y, s, "cost")
    assert (r.threshold, r.value, r.accuracy) == (0.4, 0.25, 0.75)
    # a missed positive costing 10 false alarms still picks 0.4 (it already misses none)
    assert tm.best_threshold(y, s, "cost", cost_fn=10.0).threshold == 0.4
    # the medical case: catch every positive -> the highest θ with recall 1 is 0.4 (precision 2/3)
    r = tm.best_threshold(y, s, "recall", min_recall=1.0)
    assert (r.threshold, r.recall, r.precision, r.fp) == (0.4, 1.0, 2 / 3, 1)
    # precision >= 1/2 is reached at 0.7, 0.4 and 0.2; the lowest, 0.2, has the highest recall
    r = tm.best_threshold(y, s, "precision", min_precision=0.5)
    assert (r.threshold, r.recall) == (0.2, 1.0)


def test_bad_arguments():
    y, s = [0, 1, 1, 0], [0.2, 0.4, 0.7, 0.9]
    with pytest.raises(ValueError, match="criterion must be one of"):
        tm.best_threshold(y, s, "accuracy")
    with pytest.raises(ValueError, match="min_recall must be a number in"):
        tm.best_threshold(y, s, "recall")
    with pytest.raises(ValueError, match="min_precision must be a number in"):
        tm.best_threshold(y, s, "precision", min_precision=1.5)
    with pytest.raises(ValueError, match="prior must be in"):
        tm.best_threshold(y, s, "cost", prior=2.0)
    with pytest.raises(ValueError, match="only negative samples"):
        tm.best_threshold([0, 0], [0.1, 0.2])
    with pytest.raises(ValueError, match=r"y_score\[1\] is nan"):
        tm.best_threshold(y, [0.1, np.nan, 0.2, 0.3])
