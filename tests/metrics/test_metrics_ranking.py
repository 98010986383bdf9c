"""ROC and PR curves, AUC and AP against scikit-learn; the lecture's toy example; degenerate input."""
import math

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sklearn.exceptions import UndefinedMetricWarning

import tensorgate.metrics as tm
from tensorgate.autograd import Tensor
from tensorgate.metrics._curve import _counts_at_thresholds, _counts_at_thresholds_reference
from metrics_helpers import NAMES, assert_close, binary_problems, multiclass_problems, quiet

LECTURE_SCORES = [0.2, 0.4, 0.7, 0.9]
LECTURE_LABELS = [0, 1, 1, 0]


# ------------------------------------------------------------------------------------------------------------
# the fast kernel against the textbook one
# ------------------------------------------------------------------------------------------------------------

score_arrays = st.one_of(
    arrays(np.float64, st.integers(1, 50), elements=st.floats(allow_nan=False, allow_infinity=False)),
    arrays(np.float64, st.integers(1, 50), elements=st.sampled_from([-1.5, -0.0, 0.0, 0.5, 2.0])),
    arrays(np.float32, st.integers(1, 50), elements=st.floats(-3, 3, width=32)),
    arrays(np.float16, st.integers(1, 50), elements=st.sampled_from([-2.0, -0.0, 0.0, 0.25, 1.0])),
    arrays(np.int64, st.integers(1, 50), elements=st.integers(-2 ** 60, 2 ** 60)),
    arrays(np.int32, st.integers(1, 50), elements=st.integers(-3, 3)),
    arrays(np.bool_, st.integers(1, 50)),
)


@settings(max_examples=80)
@given(score=score_arrays, data=st.data())
def test_fast_counts_equal_reference_counts(score, data):
    """Same fps, tps and thresholds (values and dtype) for floats of every width and sign, -0.0, huge and
    small integers and booleans."""
    y = data.draw(arrays(np.bool_, score.shape[0]))
    fast = _counts_at_thresholds(y, score)
    reference = _counts_at_thresholds_reference(y, score)
    for a, b in zip(fast, reference):
        assert a.dtype == b.dtype
        assert np.array_equal(a, b)
    # the reference itself, by brute force: thresholds are the distinct scores, decreasing
    fps, tps, thresholds = reference
    distinct = np.unique(score)[::-1]
    assert np.array_equal(thresholds, distinct)
    for f, t, theta in zip(fps, tps, thresholds):
        predicted = score >= theta
        assert t == np.sum(predicted & y) and f == np.sum(predicted & ~y)


# ------------------------------------------------------------------------------------------------------------
# curves and areas: scikit-learn as the oracle
# ------------------------------------------------------------------------------------------------------------

@settings(max_examples=60)
@given(problem=binary_problems(both_classes=False), drop=st.booleans(), signed=st.booleans())
def test_roc_curve_matches_sklearn(problem, drop, signed):
    y, s = problem
    if signed:
        y = 2 * y - 1                                         # {-1, 1} labels
    with quiet():
        ours = tm.roc_curve(y, s, drop_intermediate=drop)
        theirs = skm.roc_curve(y, s, drop_intermediate=drop)
    for a, b in zip(ours, theirs):
        assert_close(a, b)
    assert ours[2].dtype == np.float64 and ours[2][0] == np.inf


@settings(max_examples=30)
@given(problem=binary_problems(), pos=st.sampled_from(["ant", "bee"]))
def test_roc_and_pr_curves_with_string_labels_match_sklearn(problem, pos):
    y, s = problem
    y = NAMES[y]
    for a, b in zip(tm.roc_curve(y, s, pos_label=pos), skm.roc_curve(y, s, pos_label=pos)):
        assert_close(a, b)
    for a, b in zip(tm.precision_recall_curve(y, s, pos_label=pos),
                    skm.precision_recall_curve(y, s, pos_label=pos)):
        assert_close(a, b)
    assert_close(tm.average_precision_score(y, s, pos_label=pos), skm.average_precision_score(y, s, pos_label=pos))
    with pytest.raises(ValueError, match="pos_label is not specified"):
        tm.roc_curve(y, s)


@settings(max_examples=50)
@given(problem=binary_problems(both_classes=False), drop=st.booleans())
def test_precision_recall_curve_and_ap_match_sklearn(problem, drop):
    y, s = problem
    with quiet():
        ours = tm.precision_recall_curve(y, s, drop_intermediate=drop)
        theirs = skm.precision_recall_curve(y, s, drop_intermediate=drop)
        for a, b in zip(ours, theirs):
            assert_close(a, b)
        assert_close(tm.average_precision_score(y, s), skm.average_precision_score(y, s))


@settings(max_examples=50)
@given(problem=binary_problems())
def test_binary_roc_auc_matches_sklearn(problem):
    y, s = problem
    assert_close(tm.roc_auc_score(y, s), skm.roc_auc_score(y, s))
    assert_close(tm.roc_auc_score(y, s.astype(np.float32)), skm.roc_auc_score(y, s.astype(np.float32)))
    # the probabilistic meaning: P(score of a positive > score of a negative), ties counting 1/2
    pos, neg = s[y == 1][:, None], s[y == 0][None, :]
    assert_close(tm.roc_auc_score(y, s), np.mean((pos > neg) + 0.5 * (pos == neg)))


@settings(max_examples=40)
@given(problem=multiclass_problems(), average=st.sampled_from(["macro", "weighted", "micro", None]),
       strings=st.booleans())
def test_multiclass_ovr_roc_auc_matches_sklearn(problem, average, strings):
    y, proba, k = problem
    if strings:
        y = NAMES[y]
    assert_close(tm.roc_auc_score(y, proba, multi_class="ovr", average=average),
                 skm.roc_auc_score(y, proba, multi_class="ovr", average=average))


@settings(max_examples=20)
@given(problem=multiclass_problems(max_classes=4))
def test_multiclass_roc_auc_with_labels_matches_sklearn(problem):
    """A class absent from y_true, declared through labels: its AUC is nan (warned) in both."""
    y, proba, k = problem
    keep = y != k - 1
    y, proba = y[keep], proba[keep]
    labels = list(range(k))
    with quiet():
        assert_close(tm.roc_auc_score(y, proba, multi_class="ovr", labels=labels, average=None),
                     skm.roc_auc_score(y, proba, multi_class="ovr", labels=labels, average=None))
        assert_close(tm.roc_auc_score(y, proba, multi_class="ovr", labels=labels, average="weighted"),
                     skm.roc_auc_score(y, proba, multi_class="ovr", labels=labels, average="weighted"))


@st.composite
def multilabel_problems(draw):
    n, k = draw(st.integers(4, 40)), draw(st.integers(2, 4))
    Y = draw(arrays(np.int64, (n, k), elements=st.integers(0, 1)))
    Y[0], Y[1] = 0, 1                                      # every label has both values, every row too
    Y[2, :] = np.arange(k) % 2
    Y[3, :] = 1 - np.arange(k) % 2
    S = draw(arrays(np.float64, (n, k), elements=st.sampled_from([0.1, 0.3, 0.5, 0.8, 0.95])))
    return Y, S


@settings(max_examples=30)
@given(problem=multilabel_problems(), average=st.sampled_from(["macro", "weighted", "micro", "samples", None]))
def test_multilabel_roc_auc_and_ap_match_sklearn(problem, average):
    Y, S = problem
    assert_close(tm.roc_auc_score(Y, S, average=average), skm.roc_auc_score(Y, S, average=average))
    assert_close(tm.average_precision_score(Y, S, average=average),
                 skm.average_precision_score(Y, S, average=average))


@settings(max_examples=25)
@given(problem=multiclass_problems(), average=st.sampled_from(["macro", "weighted", "micro", None]))
def test_multiclass_average_precision_matches_sklearn(problem, average):
    y, proba, k = problem
    assert_close(tm.average_precision_score(y, proba, average=average),
                 skm.average_precision_score(y, proba, average=average))


@settings(max_examples=30)
@given(data=st.data())
def test_auc_matches_sklearn(data):
    n = data.draw(st.integers(2, 30))
    x = np.sort(data.draw(arrays(np.float64, n, elements=st.floats(-5, 5))))
    y = data.draw(arrays(np.float64, n, elements=st.floats(-5, 5)))
    if data.draw(st.booleans()):
        x = x[::-1]
    assert_close(tm.auc(x, y), skm.auc(x, y))


def test_auc_rejects_non_monotonic_x():
    with pytest.raises(ValueError, match="neither increasing nor decreasing"):
        tm.auc([0, 1, 0.5], [0, 1, 1])
    with pytest.raises(ValueError, match="At least 2 points"):
        tm.auc([0.5], [1.0])


# ------------------------------------------------------------------------------------------------------------
# the lecture's toy example
# ------------------------------------------------------------------------------------------------------------

def _rates_at(theta, scores, labels):
    predicted = np.asarray(scores) >= theta
    labels = np.asarray(labels)
    return (tm.recall_score(labels, predicted.astype(int)), tm.precision_score(labels, predicted.astype(int)))


def test_lecture_toy_example_threshold_trade_off():
    # scores 0.2 0.4 0.7 0.9, labels 0 1 1 0.
    # θ = 0.5: predicted positive {0.7, 0.9} -> TP = 1 (0.7), FP = 1 (0.9), FN = 1 (0.4), TN = 1 (0.2)
    #   recall = TP / (TP + FN) = 1/2, precision = TP / (TP + FP) = 1/2
    recall, precision = _rates_at(0.5, LECTURE_SCORES, LECTURE_LABELS)
    assert recall == 0.5 and precision == 0.5
    # θ = 0.3 (moved left): positive {0.4, 0.7, 0.9} -> TP = 2, FP = 1, FN = 0
    #   recall = 2/2 = 1, up from 1/2. Precision = 2/3, which is UP from 1/2, not down: the one sample newly
    #   accepted (0.4) is a positive. (The "moving θ left lowers precision" is not true at 0.3 in
    #   this example.) It drops once θ passes a negative: θ = 0.1 also accepts 0.2, a negative ->
    #   TP = 2, FP = 2, precision = 2/4 = 1/2, down from 2/3, while recall stays 1.
    recall_03, precision_03 = _rates_at(0.3, LECTURE_SCORES, LECTURE_LABELS)
    assert recall_03 == 1.0 and precision_03 == 2 / 3
    recall_01, precision_01 = _rates_at(0.1, LECTURE_SCORES, LECTURE_LABELS)
    assert recall_01 == 1.0 and precision_01 == 0.5
    assert recall_03 > recall and precision_01 < precision_03


def test_lecture_toy_example_on_the_curves():
    # the ROC curve: θ = inf (0, 0); 0.9 accepts a negative (FPR 1/2, TPR 0); 0.7 and 0.4 accept the two
    # positives (FPR 1/2, TPR 1/2 then 1); 0.2 the last negative (1, 1).
    fpr, tpr, thr = tm.roc_curve(LECTURE_LABELS, LECTURE_SCORES, drop_intermediate=False)
    assert thr.tolist() == [np.inf, 0.9, 0.7, 0.4, 0.2]
    assert fpr.tolist() == [0.0, 0.5, 0.5, 0.5, 1.0]
    assert tpr.tolist() == [0.0, 0.0, 0.5, 1.0, 1.0]
    # area: the only part above the x axis is the strip FPR 0.5 -> 1 at TPR 1: 0.5
    assert tm.roc_auc_score(LECTURE_LABELS, LECTURE_SCORES) == 0.5
    # the PR curve at the same thresholds, increasing: 0.2 -> 2/4, 0.4 -> 2/3, 0.7 -> 1/2, 0.9 -> 0/1
    precision, recall, thr = tm.precision_recall_curve(LECTURE_LABELS, LECTURE_SCORES)
    assert thr.tolist() == LECTURE_SCORES
    assert precision.tolist() == [0.5, 2 / 3, 0.5, 0.0, 1.0]
    assert recall.tolist() == [1.0, 1.0, 0.5, 0.0, 0.0]


def test_moving_theta_left_never_lowers_recall_nor_raises_fpr():
    """Recall and FPR are monotone in θ; precision is not (see the toy example above)."""
    rng = np.random.default_rng(4)
    y, s = rng.integers(0, 2, 200), rng.random(200)
    thetas = np.sort(np.unique(s))[::-1]
    recalls = [tm.recall_score(y, (s >= t).astype(int)) for t in thetas]
    fprs = [tm.false_positive_rate(y, (s >= t).astype(int)) for t in thetas]
    assert np.all(np.diff(recalls) >= 0) and np.all(np.diff(fprs) >= 0)
    fpr, tpr, _ = tm.roc_curve(y, s, drop_intermediate=False)
    assert_close(tpr[1:], recalls)
    assert_close(fpr[1:], fprs)


def test_perfect_and_reversed_rankings():
    y = [0, 0, 1, 1]
    assert tm.roc_auc_score(y, [0.1, 0.2, 0.8, 0.9]) == 1.0
    assert tm.roc_auc_score(y, [0.9, 0.8, 0.2, 0.1]) == 0.0
    assert tm.roc_auc_score(y, [0.5, 0.5, 0.5, 0.5]) == 0.5           # all tied: the diagonal
    fpr, tpr, _ = tm.roc_curve(y, [0.5, 0.5, 0.5, 0.5])
    assert fpr.tolist() == [0.0, 1.0] and tpr.tolist() == [0.0, 1.0]


# ------------------------------------------------------------------------------------------------------------
# degenerate input
# ------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("y", [[0, 0, 0], [1, 1, 1]])
def test_one_class_gives_a_warning_and_nan_like_sklearn(y):
    s = [0.1, 0.5, 0.9]
    with pytest.warns(tm.UndefinedMetricWarning, match="Only one class is present"):
        assert math.isnan(tm.roc_auc_score(y, s))
    with pytest.warns(UndefinedMetricWarning):
        assert math.isnan(skm.roc_auc_score(y, s))
    with pytest.warns(tm.UndefinedMetricWarning, match="No (positive|negative) samples in y_true"):
        ours = tm.roc_curve(y, s)
    with quiet():
        theirs = skm.roc_curve(y, s)
    for a, b in zip(ours, theirs):
        assert_close(a, b)
    assert np.isnan(ours[0]).all() or np.isnan(ours[1]).all()


def test_no_positive_sample_in_pr_curve_warns():
    with pytest.warns(tm.UndefinedMetricWarning, match="No positive class found"):
        precision, recall, _ = tm.precision_recall_curve([0, 0], [0.2, 0.4])
    assert recall.tolist() == [1.0, 1.0, 0.0]


@pytest.mark.parametrize("fn", [tm.roc_curve, tm.precision_recall_curve, tm.roc_auc_score,
                                tm.average_precision_score])
def test_curve_errors_name_the_argument_and_index(fn):
    with pytest.raises(ValueError, match="y_true is empty"):
        fn([], [])
    with pytest.raises(ValueError, match="y_score is empty"):
        fn([0, 1], [])
    with pytest.raises(ValueError, match=r"y_true and y_score have different lengths.*index 2"):
        fn([0, 1, 1], [0.1, 0.2])
    with pytest.raises(ValueError, match=r"y_score\[2\] is nan"):
        fn([0, 1, 1, 0], [0.1, 0.2, np.nan, np.nan])
    with pytest.raises(ValueError, match=r"y_score\[1\] is inf"):
        fn([0, 1, 1], [0.1, np.inf, 0.3])
    with pytest.raises(ValueError, match=r"y_score\[0\] is -inf"):
        fn([0, 1], Tensor(np.array([-np.inf, 0.0])))


def test_multiclass_input_errors():
    y = [0, 1, 2, 1]
    proba = np.full((4, 3), 1 / 3)
    with pytest.raises(ValueError, match="multi_class must be in"):
        tm.roc_auc_score(y, proba)
    with pytest.raises(ValueError, match="multi_class='ovx' is not supported"):
        tm.roc_auc_score(y, proba, multi_class="ovx")
    with pytest.raises(ValueError, match="sum up to 1"):
        tm.roc_auc_score(y, proba * 2, multi_class="ovr")
    with pytest.raises(ValueError, match="Number of classes"):
        tm.roc_auc_score(y, proba[:, :2] * 1.5, multi_class="ovr")
    with pytest.raises(ValueError, match=r"y_score\[1, 2\] is nan"):
        bad = proba.copy()
        bad[1, 2] = np.nan
        tm.roc_auc_score(y, bad, multi_class="ovr")


def test_tensor_inputs():
    y = np.array([0, 1, 1, 0, 1])
    s = np.array([0.1, 0.8, 0.4, 0.35, 0.9])
    for a, b in zip(tm.roc_curve(Tensor(y), Tensor(s, dtype="float64")), tm.roc_curve(y, s)):
        assert np.array_equal(a, b)
    assert tm.roc_auc_score(Tensor(y), Tensor(s)) == tm.roc_auc_score(y, s.astype(np.float32))
    assert tm.average_precision_score(list(y), Tensor(s, dtype="float64")) == tm.average_precision_score(y, s)
