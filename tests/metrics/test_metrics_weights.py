"""sample_weight in every metric, balanced accuracy and MCC: scikit-learn as the oracle.

Three checks for each function: random non-negative weights (floats and small integers, many of them zero)
against scikit-learn; integer weights against the same data with each row repeated w times; and the
degenerate cases (all the weight on one class) giving scikit-learn's warnings and values. Then the errors
for bad weights, which must name ``sample_weight``.
"""
import math
import warnings

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import tensorgate.metrics as tm
from tensorgate.autograd import Tensor
from metrics_helpers import NAMES, assert_close, binary_problems, label_pairs, multiclass_problems, quiet

AVERAGES = [None, "micro", "macro", "weighted"]
CURVES = [(tm.roc_curve, skm.roc_curve), (tm.precision_recall_curve, skm.precision_recall_curve)]


@st.composite
def weights(draw, n, integer=None):
    """Weights (n,) >= 0, about a third of them 0, at least one positive: floats, or integers 0..3."""
    if integer is None:
        integer = draw(st.booleans())
    if integer:
        w = draw(arrays(np.int64, n, elements=st.integers(0, 3)))
    else:
        w = draw(arrays(np.float64, n, elements=st.one_of(st.just(0.0), st.floats(0.01, 5.0))))
    if not w.any():
        w[draw(st.integers(0, n - 1))] = 2
    return w


@st.composite
def weighted_pairs(draw, min_classes=1, max_classes=5, strings=None, integer=None):
    y_true, y_pred = draw(label_pairs(min_classes=min_classes, max_classes=max_classes, strings=strings))
    return y_true, y_pred, draw(weights(y_true.shape[0], integer))


def messages(fn):
    """fn()'s result and the sorted messages of the warnings it issued."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn()
    return result, sorted(str(w.message) for w in caught)


def assert_same_warnings(ours, theirs):
    """Same value (nan where scikit-learn has nan) and the same warning messages."""
    got, got_messages = messages(ours)
    expected, expected_messages = messages(theirs)
    assert_close(got, expected)
    assert got_messages == expected_messages
    return got


# ------------------------------------------------------------------------------------------------------------
# label metrics against scikit-learn
# ------------------------------------------------------------------------------------------------------------

@settings(max_examples=15, deadline=None)
@given(problem=weighted_pairs(), normalize=st.sampled_from([None, "true", "pred", "all"]))
def test_weighted_confusion_matrix_matches_sklearn(problem, normalize):
    y_true, y_pred, w = problem
    with quiet():
        ours = tm.confusion_matrix(y_true, y_pred, sample_weight=w, normalize=normalize)
        theirs = skm.confusion_matrix(y_true, y_pred, sample_weight=w, normalize=normalize)
    assert ours.dtype == theirs.dtype                   # int64 for integer weights, float64 otherwise
    assert_close(ours, theirs)


@settings(max_examples=12, deadline=None)
@given(problem=weighted_pairs(strings=False, max_classes=4), data=st.data())
def test_weighted_confusion_matrix_with_labels_matches_sklearn(problem, data):
    y_true, y_pred, w = problem
    labels = data.draw(st.lists(st.integers(0, 5), min_size=1, max_size=5, unique=True))
    if set(labels) & set(y_true.tolist()):
        with quiet():
            assert_close(tm.confusion_matrix(y_true, y_pred, labels=labels, sample_weight=w),
                         skm.confusion_matrix(y_true, y_pred, labels=labels, sample_weight=w))


@settings(max_examples=12, deadline=None)
@given(problem=weighted_pairs(), normalize=st.booleans())
def test_weighted_accuracy_matches_sklearn(problem, normalize):
    y_true, y_pred, w = problem
    ours = tm.accuracy_score(y_true, y_pred, normalize=normalize, sample_weight=w)
    assert isinstance(ours, float)
    assert_close(ours, skm.accuracy_score(y_true, y_pred, normalize=normalize, sample_weight=w))


PRF = [(tm.precision_score, skm.precision_score), (tm.recall_score, skm.recall_score),
       (tm.f1_score, skm.f1_score)]


@settings(max_examples=10, deadline=None)
@given(problem=weighted_pairs(), average=st.sampled_from(AVERAGES),
       zero_division=st.sampled_from(["warn", 0, 1, np.nan]), which=st.sampled_from(range(3)))
def test_weighted_prf_match_sklearn_with_their_warnings(problem, average, zero_division, which):
    ours, theirs = PRF[which]
    y_true, y_pred, w = problem
    assert_same_warnings(
        lambda: ours(y_true, y_pred, average=average, sample_weight=w, zero_division=zero_division),
        lambda: theirs(y_true, y_pred, average=average, sample_weight=w, zero_division=zero_division))


@settings(max_examples=15, deadline=None)
@given(problem=weighted_pairs(max_classes=2, strings=False), beta=st.sampled_from([0.0, 0.5, 2.0, math.inf]),
       zero_division=st.sampled_from(["warn", 0, 1]))
def test_weighted_binary_prf_and_fbeta_match_sklearn(problem, beta, zero_division):
    y_true, y_pred, w = problem
    for ours, theirs in PRF:
        assert_same_warnings(lambda: ours(y_true, y_pred, sample_weight=w, zero_division=zero_division),
                             lambda: theirs(y_true, y_pred, sample_weight=w, zero_division=zero_division))
    got, caught = messages(
        lambda: tm.fbeta_score(y_true, y_pred, beta=beta, sample_weight=w, zero_division=zero_division))
    expected, expected_caught = messages(
        lambda: skm.fbeta_score(y_true, y_pred, beta=beta, sample_weight=w, zero_division=zero_division))
    assert_close(got, expected)
    if 0 < beta < math.inf:
        # (for beta 0 and inf, F is precision and recall: scikit-learn is silent where those are 0/0, we warn)
        assert caught == expected_caught


@settings(max_examples=15, deadline=None)
@given(problem=weighted_pairs(), average=st.sampled_from(AVERAGES), beta=st.sampled_from([0.5, 1.0, 3.0]))
def test_weighted_precision_recall_fscore_support_matches_sklearn(problem, average, beta):
    y_true, y_pred, w = problem
    with quiet():
        got = tm.precision_recall_fscore_support(y_true, y_pred, beta=beta, average=average, sample_weight=w)
        expected = skm.precision_recall_fscore_support(y_true, y_pred, beta=beta, average=average,
                                                       sample_weight=w)
    for g, e in zip(got, expected):
        if e is None:
            assert g is None
        else:
            assert_close(g, e)
    if average is None:
        assert got[3].dtype == np.float64                # supports are total weights


def _weighted_negatives(y_true, y_pred, w, labels):
    """Oracle TN, FP and support (K,) per label, summed directly over the samples. (scikit-learn's
    multilabel_confusion_matrix takes TN = sum(w) - TP - FP - FN, a rounding away from 0 where the
    negatives weigh nothing, which would turn 0/0 into 1.)"""
    tn = [w[(y_true != k) & (y_pred != k)].sum() for k in labels]
    fp = [w[(y_true != k) & (y_pred == k)].sum() for k in labels]
    support = [w[y_true == k].sum() for k in labels]
    return np.array(tn), np.array(fp), np.array(support)


@settings(max_examples=15, deadline=None)
@given(problem=weighted_pairs(min_classes=2), average=st.sampled_from(AVERAGES))
def test_weighted_specificity_and_fpr_match_direct_sums(problem, average):
    y_true, y_pred, w = problem
    labels = np.unique(np.concatenate([y_true, y_pred]))
    tn, fp, support = _weighted_negatives(y_true, y_pred, w, labels)
    if average == "micro":
        spec, fpr = tn.sum() / (tn + fp).sum(), fp.sum() / (tn + fp).sum()
    else:
        with np.errstate(all="ignore"):
            spec = np.where(tn + fp > 0, tn / (tn + fp), 0.0)
            fpr = np.where(tn + fp > 0, fp / (tn + fp), 0.0)
        if average is not None:
            weights_ = support if average == "weighted" and support.sum() else None
            spec, fpr = np.average(spec, weights=weights_), np.average(fpr, weights=weights_)
    if average == "micro" and (tn + fp).sum() == 0:
        return
    with quiet():
        np.testing.assert_allclose(tm.specificity_score(y_true, y_pred, average=average, sample_weight=w,
                                                        zero_division=0), spec, rtol=0, atol=1e-12)
        np.testing.assert_allclose(tm.false_positive_rate(y_true, y_pred, average=average, sample_weight=w,
                                                          zero_division=0), fpr, rtol=0, atol=1e-12)


@settings(max_examples=10, deadline=None)
@given(problem=weighted_pairs(), digits=st.integers(1, 4), zero_division=st.sampled_from(["warn", 0, 1]))
def test_weighted_classification_report_matches_sklearn(problem, digits, zero_division):
    """The same text to the character (supports are total weights, printed as floats) and the same dict."""
    y_true, y_pred, w = problem
    with quiet():
        assert (tm.classification_report(y_true, y_pred, sample_weight=w, digits=digits,
                                         zero_division=zero_division)
                == skm.classification_report(y_true, y_pred, sample_weight=w, digits=digits,
                                             zero_division=zero_division))
        ours = tm.classification_report(y_true, y_pred, sample_weight=w, output_dict=True)
        theirs = skm.classification_report(y_true, y_pred, sample_weight=w, output_dict=True)
    assert ours.keys() == theirs.keys()
    for key, value in theirs.items():
        if isinstance(value, dict):
            assert_close(list(ours[key].values()), list(value.values()))
        else:
            assert_close(ours[key], value)


@settings(max_examples=12, deadline=None)
@given(data=st.data(), k=st.integers(2, 4), normalize=st.booleans())
def test_weighted_log_loss_matches_sklearn(data, k, normalize):
    n = data.draw(st.integers(k, 30))
    y = np.array(data.draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))
    y[:k] = np.arange(k)
    w = data.draw(weights(n))
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 16)))
    proba = rng.dirichlet(np.ones(k), size=n)
    proba[0] = np.eye(k)[0]
    assert_close(tm.log_loss(y, proba, normalize=normalize, sample_weight=w),
                 skm.log_loss(y, proba, normalize=normalize, sample_weight=w))
    if k == 2:
        assert_close(tm.log_loss(y, proba[:, 1], sample_weight=w),
                     skm.log_loss(y, proba[:, 1], sample_weight=w))


@settings(max_examples=10, deadline=None)
@given(problem=weighted_pairs(min_classes=2), weighted=st.booleans(), adjusted=st.booleans())
def test_balanced_accuracy_and_mcc_match_sklearn(problem, weighted, adjusted):
    """Binary and multi-class, weighted or not, with scikit-learn's warning for a class absent from y_true
    (or present only with weight 0)."""
    y_true, y_pred, w = problem
    w = w if weighted else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)     # adjusted with one class left: 0/0 in both
        assert_same_warnings(
            lambda: tm.balanced_accuracy_score(y_true, y_pred, sample_weight=w, adjusted=adjusted),
            lambda: skm.balanced_accuracy_score(y_true, y_pred, sample_weight=w, adjusted=adjusted))
    got = assert_same_warnings(lambda: tm.matthews_corrcoef(y_true, y_pred, sample_weight=w),
                               lambda: skm.matthews_corrcoef(y_true, y_pred, sample_weight=w))
    assert isinstance(got, float) and -1 - 1e-12 <= got <= 1 + 1e-12


def test_balanced_accuracy_and_mcc_by_hand():
    y_true = [0, 0, 0, 0, 1, 1]
    y_pred = [0, 0, 0, 1, 1, 0]
    # recall of class 0: 3/4, of class 1: 1/2 -> balanced accuracy 5/8; adjusted (5/8 - 1/2) / (1/2) = 1/4
    assert tm.balanced_accuracy_score(y_true, y_pred) == 0.625
    assert tm.balanced_accuracy_score(y_true, y_pred, adjusted=True) == 0.25
    # TP = 1, TN = 3, FP = 1, FN = 1: MCC = (1·3 − 1·1) / √(2·2·4·4) = 2 / 8
    assert tm.matthews_corrcoef(y_true, y_pred) == pytest.approx(0.25)
    # weight 3 on sample 4 (the true positive): TP = 3, so MCC = (3·3 − 1·1) / √(4·4·4·4) = 8 / 16
    w = [1, 1, 1, 1, 3, 1]
    assert tm.matthews_corrcoef(y_true, y_pred, sample_weight=w) == pytest.approx(0.5)
    # multi-class: s = 6, c = 3 (samples 0, 2, 4), t = (2, 2, 2), p = (2, 1, 3), Σ p_k t_k = 12:
    # (3·6 − 12) / √((36 − 14)(36 − 12))
    assert tm.matthews_corrcoef([0, 0, 1, 1, 2, 2], [0, 2, 1, 2, 2, 0]) == pytest.approx(
        6 / math.sqrt(22 * 24))
    assert tm.matthews_corrcoef([1, 1, 1], [1, 1, 1]) == 0.0   # sklearn: 0 where undefined (and a warning)


# ------------------------------------------------------------------------------------------------------------
# curves and areas against scikit-learn
# ------------------------------------------------------------------------------------------------------------

@settings(max_examples=15, deadline=None)
@given(problem=binary_problems(both_classes=False), data=st.data(), drop=st.booleans(), signed=st.booleans())
def test_weighted_roc_and_pr_curves_match_sklearn(problem, data, drop, signed):
    """Every array (thresholds of the samples of nonzero weight only), and scikit-learn's warnings where one
    class is missing or weighs nothing."""
    y, s = problem
    w = data.draw(weights(len(y)))
    if signed:
        y = 2 * y - 1
    for ours, theirs in CURVES:
        got, caught = messages(lambda: ours(y, s, sample_weight=w, drop_intermediate=drop))
        expected, expected_caught = messages(lambda: theirs(y, s, sample_weight=w, drop_intermediate=drop))
        assert caught == expected_caught
        for a, b in zip(got, expected):
            assert_close(a, b)


@settings(max_examples=10, deadline=None)
@given(problem=binary_problems(), data=st.data(), pos=st.sampled_from(["ant", "bee"]))
def test_weighted_curves_and_ap_with_string_labels_match_sklearn(problem, data, pos):
    y, s = problem
    y = NAMES[y]
    w = data.draw(weights(len(y)))
    with quiet():
        for a, b in zip(tm.roc_curve(y, s, pos_label=pos, sample_weight=w),
                        skm.roc_curve(y, s, pos_label=pos, sample_weight=w)):
            assert_close(a, b)
        assert_close(tm.average_precision_score(y, s, pos_label=pos, sample_weight=w),
                     skm.average_precision_score(y, s, pos_label=pos, sample_weight=w))


@settings(max_examples=15, deadline=None)
@given(problem=binary_problems(), data=st.data())
def test_weighted_binary_auc_and_ap_match_sklearn(problem, data):
    y, s = problem
    w = data.draw(weights(len(y)))
    for ours, theirs in [(tm.roc_auc_score, skm.roc_auc_score),
                         (tm.average_precision_score, skm.average_precision_score)]:
        got = assert_same_warnings(lambda: ours(y, s, sample_weight=w), lambda: theirs(y, s, sample_weight=w))
        assert isinstance(got, float)


@settings(max_examples=12, deadline=None)
@given(problem=multiclass_problems(), data=st.data(),
       average=st.sampled_from(["macro", "weighted", "micro", None]))
def test_weighted_multiclass_ovr_auc_and_ap_match_sklearn(problem, data, average):
    y, proba, k = problem
    w = data.draw(weights(len(y)))
    with quiet():
        assert_close(tm.roc_auc_score(y, proba, multi_class="ovr", average=average, sample_weight=w),
                     skm.roc_auc_score(y, proba, multi_class="ovr", average=average, sample_weight=w))
        assert_close(tm.average_precision_score(y, proba, average=average, sample_weight=w),
                     skm.average_precision_score(y, proba, average=average, sample_weight=w))


@settings(max_examples=12, deadline=None)
@given(data=st.data(), average=st.sampled_from(["macro", "weighted", "micro", "samples", None]))
def test_weighted_multilabel_auc_and_ap_match_sklearn(data, average):
    """'samples' weights the rows' scores by sample_weight; 'weighted' weights the labels by the weight of
    their positives; 'micro' repeats each sample's weight over its labels."""
    n = data.draw(st.integers(2, 30))
    Y = data.draw(arrays(np.int64, (n, 3), elements=st.integers(0, 1)))
    Y[0], Y[1] = [0, 1, 0], [1, 0, 1]                        # every row and column has both values somewhere
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 16)))
    S = np.round(rng.random((n, 3)), 1)                      # ties
    w = data.draw(weights(n))
    w[:2] = [1.0, 2.0]
    with quiet():
        assert_close(tm.roc_auc_score(Y, S, average=average, sample_weight=w),
                     skm.roc_auc_score(Y, S, average=average, sample_weight=w))
        assert_close(tm.average_precision_score(Y, S, average=average, sample_weight=w),
                     skm.average_precision_score(Y, S, average=average, sample_weight=w))


# ------------------------------------------------------------------------------------------------------------
# best_threshold: weighted counts at every candidate, by brute force
# ------------------------------------------------------------------------------------------------------------

def weighted_brute_force(y, s, w):
    """Every candidate θ (+inf, then each distinct score of nonzero weight, decreasing) with its weighted
    counts, by direct comparison."""
    y, s, w = np.asarray(y), np.asarray(s), np.asarray(w, dtype=np.float64)
    rows = []
    for theta in [np.inf] + sorted(set(s[w > 0].tolist()), reverse=True):
        predicted = s >= theta
        rows.append(dict(theta=theta, tp=w[predicted & (y == 1)].sum(), fp=w[predicted & (y == 0)].sum(),
                         fn=w[~predicted & (y == 1)].sum(), tn=w[~predicted & (y == 0)].sum()))
    return rows


def first(mask):
    hits = np.flatnonzero(mask)
    return int(hits[0]) if hits.size else None


def last(mask):
    hits = np.flatnonzero(mask)
    return int(hits[-1]) if hits.size else None


@settings(max_examples=15, deadline=None)
@given(problem=binary_problems(max_size=30), data=st.data(),
       criterion=st.sampled_from(["youden", "cost", "f1", "recall", "precision"]))
def test_weighted_best_threshold_is_the_brute_force_best(problem, data, criterion):
    """Weights as small as 0.01 (counts below 1) included. Sums of weights differ from the brute force's
    by roundings, so the chosen candidate must lie between the first one within 1e-8 of the best and the
    first one within 1e-13 (a tie in exact arithmetic goes to the highest threshold; a difference of a
    rounding must not decide it)."""
    y, s = problem
    w = data.draw(weights(len(y), integer=False))
    n_pos, n_neg = w[y == 1].sum(), w[y == 0].sum()
    target = 0.5
    if n_pos == 0 or n_neg == 0:
        with pytest.raises(ValueError, match="total weight 0"):
            tm.best_threshold(y, s, criterion, sample_weight=w, min_recall=target, min_precision=target)
        return
    rows = weighted_brute_force(y, s, w)
    for r in rows:
        tp, fp, fn = r["tp"], r["fp"], r["fn"]
        r["youden"] = tp / n_pos - fp / n_neg
        r["cost"] = (fn + fp) / (n_pos + n_neg)
        r["f1"] = 2 * tp / (2 * tp + fp + fn) if tp > 0 else 0.0
        r["recall"] = tp / n_pos
        r["precision"] = tp / (tp + fp) if tp + fp > 0 else 0.0
    values = np.array([r[criterion] for r in rows])
    if criterion == "cost":
        lo, hi = first(values <= values.min() + 1e-8), first(values <= values.min() + 1e-13)
    elif criterion in ("youden", "f1"):
        lo, hi = first(values >= values.max() - 1e-8), first(values >= values.max() - 1e-13)
    elif criterion == "recall":
        lo, hi = first(values >= target - 1e-8), first(values >= target - 1e-13)
    else:
        lo, hi = last(values >= target - 1e-13), last(values >= target - 1e-8)
        if hi is None:
            with pytest.raises(ValueError, match="no threshold reaches"):
                tm.best_threshold(y, s, criterion, sample_weight=w, min_precision=target)
            return
        if lo is None:
            return                                           # reached only within a rounding: either answer
    result = tm.best_threshold(y, s, criterion, sample_weight=w, min_recall=target, min_precision=target)
    chosen = [r["theta"] for r in rows].index(result.threshold)
    assert lo <= chosen <= hi, (lo, chosen, hi, values)
    expected = rows[chosen]
    assert_close(result.value, expected[criterion])
    for key in ("tp", "fp", "fn", "tn"):
        assert_close(getattr(result, key), expected[key])
    assert isinstance(result.tp, float)
    assert_close(result.precision, expected["precision"])
    assert_close(result.f1, expected["f1"])
    assert_close(result.accuracy, (expected["tp"] + expected["tn"]) / (n_pos + n_neg))


@pytest.mark.parametrize("criterion", ["youden", "cost", "f1", "recall", "precision"])
def test_scaled_weights_choose_the_same_threshold(criterion):
    """Multiplying every weight by c changes no rate and scales the counts by c: equal weights give the
    unweighted choice (exact ties included, though the weighted sums round differently), and weights below 1
    (counts below 1) are no special case."""
    rng = np.random.default_rng(4)
    y = rng.integers(0, 2, 60)
    s = np.round(rng.normal(size=60), 1)
    kw = dict(min_recall=0.8, min_precision=0.6)
    unweighted = tm.best_threshold(y, s, criterion, **kw)
    for c in (0.01, 0.3, 3.47745503):
        result = tm.best_threshold(y, s, criterion, sample_weight=np.full(60, c), **kw)
        assert result.threshold == unweighted.threshold
        for key in ("value", "tpr", "fpr", "precision", "f1", "accuracy", "specificity"):
            assert result[key] == pytest.approx(unweighted[key], abs=1e-12)
        for key in ("tp", "fp", "tn", "fn"):
            assert result[key] == pytest.approx(c * unweighted[key], rel=1e-12)
    w = rng.random(60)
    base = tm.best_threshold(y, s, criterion, sample_weight=w, **kw)
    assert tm.best_threshold(y, s, criterion, sample_weight=0.01 * w, **kw).threshold == base.threshold


def test_equal_weights_break_an_exact_tie_as_counts_do():
    """12 positives, 6 negatives. J = TPR - FPR is 1/12 at θ = 0 (1 positive above) and at θ = -0.5
    (11/12 - 5/6): a tie, which goes to the higher threshold, 0. With every weight 3.47745503 the two J's
    come out of the sums a rounding apart, and must still tie."""
    y = np.array([0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1])
    s = np.array([-2.0, -0.5, -0.5, -0.5, 0.0, -2.0] + [-0.5] * 12)
    assert tm.best_threshold(y, s).threshold == 0.0
    result = tm.best_threshold(y, s, sample_weight=np.full(18, 3.47745503))
    assert result.threshold == 0.0 and result.value == pytest.approx(1 / 12)


def test_weighted_sums_follow_sklearn_order_within_ties():
    """drop_intermediate keeps a point where the steps of the weighted counts differ, compared as floats; the
    sums are taken in scikit-learn's order (ties in their original order), so the same roundings keep the
    same points. Here the positives' weights summed as 0.7 + 0.1 + 0.3 + 0.3 give two equal steps of TP
    (0.5 is no corner: dropped), while 0.7 + 0.3 + 0.3 + 0.1, the tied ones in reverse order, would not."""
    y = np.array([0, 1, 0, 1, 0, 1, 1])
    s = np.array([0.9, 0.1, 0.9, 0.1, 0.9, 0.5, 0.1])
    w = np.array([0.1, 0.1, 0.7, 0.3, 0.2, 0.7, 0.3])
    ours = tm.roc_curve(y, s, sample_weight=w)
    assert ours[2].tolist() == [np.inf, 0.9, 0.1]
    for a, b in zip(ours, skm.roc_curve(y, s, sample_weight=w)):
        assert a.shape == b.shape and np.array_equal(a, b)


# ------------------------------------------------------------------------------------------------------------
# integer weights are repeated rows
# ------------------------------------------------------------------------------------------------------------

@settings(max_examples=15, deadline=None)
@given(problem=weighted_pairs(min_classes=2, strings=False, integer=True), average=st.sampled_from(AVERAGES))
def test_integer_weights_equal_repeated_rows_for_label_metrics(problem, average):
    """A weight of w counts a sample w times (0: not at all). ``labels`` is passed so that a class seen only
    in rows of weight 0 (dropped by the repetition) is scored in both."""
    y_true, y_pred, w = problem
    labels = np.unique(np.concatenate([y_true, y_pred]))
    y_rep, p_rep = np.repeat(y_true, w), np.repeat(y_pred, w)
    with quiet():
        assert np.array_equal(tm.confusion_matrix(y_true, y_pred, labels=labels, sample_weight=w),
                              tm.confusion_matrix(y_rep, p_rep, labels=labels))
        assert_close(tm.accuracy_score(y_true, y_pred, sample_weight=w), tm.accuracy_score(y_rep, p_rep))
        assert_close(tm.accuracy_score(y_true, y_pred, sample_weight=w, normalize=False), len(y_rep)
                     * tm.accuracy_score(y_rep, p_rep))
        for f in (tm.precision_score, tm.recall_score, tm.f1_score, tm.specificity_score,
                  tm.false_positive_rate):
            assert_close(f(y_true, y_pred, labels=labels, average=average, sample_weight=w, zero_division=0),
                         f(y_rep, p_rep, labels=labels, average=average, zero_division=0))
        got = tm.precision_recall_fscore_support(y_true, y_pred, labels=labels, sample_weight=w)
        expected = tm.precision_recall_fscore_support(y_rep, p_rep, labels=labels)
        for g, e in zip(got, expected):
            assert_close(g, e)
        assert_close(tm.matthews_corrcoef(y_true, y_pred, sample_weight=w),
                     tm.matthews_corrcoef(y_rep, p_rep))
        if set(np.unique(y_rep)) == set(np.unique(np.concatenate([y_rep, p_rep]))) == set(labels):
            assert_close(tm.balanced_accuracy_score(y_true, y_pred, sample_weight=w),
                         tm.balanced_accuracy_score(y_rep, p_rep))


@settings(max_examples=12, deadline=None)
@given(problem=binary_problems(), data=st.data())
def test_integer_weights_equal_repeated_rows_for_curves(problem, data):
    """Curves, areas and the chosen threshold: the same arrays as the data with each row repeated w times
    (the unweighted fast path on one side, the weighted path on the other)."""
    y, s = problem
    w = data.draw(weights(len(y), integer=True))
    y_rep, s_rep = np.repeat(y, w), np.repeat(s, w)
    with quiet():
        for f in (tm.roc_curve, tm.precision_recall_curve):
            for drop in (False, True):
                weighted = f(y, s, sample_weight=w, drop_intermediate=drop)
                for a, b in zip(weighted, f(y_rep, s_rep, drop_intermediate=drop)):
                    assert_close(a, b)
        if len(np.unique(y_rep)) == 2:
            assert_close(tm.roc_auc_score(y, s, sample_weight=w), tm.roc_auc_score(y_rep, s_rep))
            assert_close(tm.roc_auc_score(y, s, sample_weight=w, max_fpr=0.3),
                         tm.roc_auc_score(y_rep, s_rep, max_fpr=0.3))
            assert_close(tm.average_precision_score(y, s, sample_weight=w),
                         tm.average_precision_score(y_rep, s_rep))
            for criterion in ("youden", "cost", "f1", "recall", "precision"):
                kw = dict(min_recall=0.6, min_precision=0.6)
                try:
                    repeated = tm.best_threshold(y_rep, s_rep, criterion, **kw)
                except ValueError:                               # no threshold reaches the precision
                    with pytest.raises(ValueError, match="no threshold reaches"):
                        tm.best_threshold(y, s, criterion, sample_weight=w, **kw)
                    continue
                result = tm.best_threshold(y, s, criterion, sample_weight=w, **kw)
                # the same best value, and the counts of its threshold; the thresholds themselves may differ
                # between two tied in exact arithmetic, which the unweighted rates (compared exactly) round
                # apart: y = [0, 1, 1, 1, 1, 1, 1, 1], s = [-1, -1, 0, ...] gives (FP + FN)/8 = 1/8 at θ = 0 and
                # θ = -1, and the unweighted 'cost' picks -1
                assert result.value == pytest.approx(repeated.value, abs=1e-12)
                predicted = s_rep >= result.threshold
                assert result.tp == np.sum(predicted & (y_rep == 1))
                assert result.fp == np.sum(predicted & (y_rep == 0))


def test_integer_weights_equal_repeated_rows_for_log_loss():
    rng = np.random.default_rng(7)
    y = np.array([0, 1, 2, 1, 0, 2, 2, 1])
    proba = rng.dirichlet(np.ones(3), size=8)
    w = np.array([0, 2, 1, 3, 1, 0, 2, 1])
    assert_close(tm.log_loss(y, proba, sample_weight=w), tm.log_loss(np.repeat(y, w), np.repeat(proba, w, 0)))
    assert_close(tm.log_loss(y, proba, sample_weight=w, normalize=False),
                 tm.log_loss(np.repeat(y, w), np.repeat(proba, w, 0), normalize=False))


# ------------------------------------------------------------------------------------------------------------
# weights of one and Tensors change nothing; all the weight on one class
# ------------------------------------------------------------------------------------------------------------

def test_unit_weights_and_tensor_weights_give_the_unweighted_results():
    y_true = np.array([0, 1, 2, 2, 1, 0, 1])
    y_pred = np.array([0, 2, 2, 2, 1, 1, 1])
    ones = np.ones(7)
    assert_close(tm.confusion_matrix(y_true, y_pred, sample_weight=ones), tm.confusion_matrix(y_true, y_pred))
    assert tm.confusion_matrix(y_true, y_pred, sample_weight=ones).dtype == np.float64
    for f in (tm.precision_score, tm.recall_score, tm.f1_score, tm.specificity_score):
        assert (f(y_true, y_pred, average="weighted", sample_weight=ones)
                == f(y_true, y_pred, average="weighted"))
    w = np.array([0.5, 2.0, 1.0, 0.0, 1.5, 1.0, 3.0])
    w64 = Tensor(w, dtype="float64")                     # (a Tensor's default dtype, float32, would round w)
    assert_close(tm.f1_score(Tensor(y_true), Tensor(y_pred), average="macro", sample_weight=w64),
                 skm.f1_score(y_true, y_pred, average="macro", sample_weight=w))
    assert_close(tm.confusion_matrix(y_true, y_pred, sample_weight=list(w)),
                 skm.confusion_matrix(y_true, y_pred, sample_weight=w))
    assert_close(tm.matthews_corrcoef(y_true, y_pred, sample_weight=w64),
                 skm.matthews_corrcoef(y_true, y_pred, sample_weight=w))


def test_unit_weights_take_the_weighted_path_to_the_fast_paths_result():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 200)
    s = np.round(rng.normal(size=200), 1)                   # many ties, both signs
    for f in (tm.roc_curve, tm.precision_recall_curve):
        for a, b in zip(f(y, s, sample_weight=np.ones(200)), f(y, s)):
            assert a.dtype == b.dtype and np.array_equal(a, b)
    w = rng.random(200)
    w64 = Tensor(w, dtype="float64")
    for a, b in zip(tm.roc_curve(Tensor(y), Tensor(s, dtype="float64"), sample_weight=w64),
                    skm.roc_curve(y, s, sample_weight=w)):
        assert_close(a, b)
    assert_close(tm.roc_auc_score(y, s, sample_weight=list(w)), skm.roc_auc_score(y, s, sample_weight=w))


def test_all_the_weight_on_one_class_of_scores_warns_as_sklearn():
    y = np.array([0, 1, 1, 0, 1])
    s = np.array([0.1, 0.4, 0.35, 0.8, 0.4])
    for w in ((y == 1).astype(float), (y == 0).astype(float)):    # the negatives, then the positives, weigh 0
        for ours, theirs in CURVES:
            got, caught = messages(lambda: ours(y, s, sample_weight=w))
            expected, expected_caught = messages(lambda: theirs(y, s, sample_weight=w))
            assert caught == expected_caught
            assert caught or (ours is tm.precision_recall_curve and w[y == 1].any())   # PR: no warning
            for a, b in zip(got, expected):
                assert_close(a, b)
        for ours, theirs in [(tm.roc_auc_score, skm.roc_auc_score),
                             (tm.average_precision_score, skm.average_precision_score)]:
            assert_same_warnings(lambda: ours(y, s, sample_weight=w), lambda: theirs(y, s, sample_weight=w))
        with pytest.raises(ValueError, match="samples have total weight 0"):
            tm.best_threshold(y, s, sample_weight=w)
    # no negative weight: the AUC is nan with a warning, partial or not (scikit-learn fails on max_fpr here)
    got, caught = messages(lambda: tm.roc_auc_score(y, s, sample_weight=(y == 1).astype(float), max_fpr=0.5))
    assert math.isnan(got) and caught == ["No negative samples in y_true, false positive value should be "
                                          "meaningless"]


def test_all_the_weight_on_one_class_warns_as_sklearn():
    y_true = np.array([0, 0, 1, 1, 1, 0])
    y_pred = np.array([0, 1, 1, 0, 1, 0])
    on_negatives = (y_true == 0).astype(float)              # positives weigh nothing
    on_positives = (y_true == 1).astype(float)
    for w in (on_negatives, on_positives):
        for ours, theirs in PRF + [(tm.balanced_accuracy_score, skm.balanced_accuracy_score),
                                   (tm.matthews_corrcoef, skm.matthews_corrcoef),
                                   (tm.accuracy_score, skm.accuracy_score)]:
            assert_same_warnings(lambda: ours(y_true, y_pred, sample_weight=w),
                                 lambda: theirs(y_true, y_pred, sample_weight=w))
    # recall of the positives is 0/0 when they weigh nothing: 0 with a warning
    _, caught = messages(lambda: tm.recall_score(y_true, y_pred, sample_weight=on_negatives))
    assert any("Recall is ill-defined" in m for m in caught)
    # balanced accuracy leaves out the class of zero weight, with scikit-learn's (odd) message
    _, caught = messages(lambda: tm.balanced_accuracy_score(y_true, y_pred, sample_weight=on_negatives))
    assert caught == ["y_pred contains classes not in y_true"]
    assert tm.matthews_corrcoef(y_true, y_pred, sample_weight=on_negatives) == 0.0


# ------------------------------------------------------------------------------------------------------------
# bad weights
# ------------------------------------------------------------------------------------------------------------

LABEL_METRICS = [
    tm.confusion_matrix, tm.accuracy_score, tm.precision_score, tm.recall_score, tm.f1_score,
    tm.specificity_score, tm.false_positive_rate, tm.precision_recall_fscore_support,
    tm.classification_report,
    tm.balanced_accuracy_score, tm.matthews_corrcoef,
    lambda y, p, **kw: tm.fbeta_score(y, p, beta=2.0, **kw),
    lambda y, p, **kw: tm.log_loss(y, [0.2, 0.7, 0.6, 0.1], **kw),
]


def check_bad_weights(fn):
    """fn(sample_weight=...) on 4 samples rejects each kind of bad weight with an error naming it."""
    with pytest.raises(ValueError, match=r"sample_weight has 3 weights but y_true has 4 samples.*\(4,\)"):
        fn(sample_weight=[1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match=r"sample_weight must have shape \(n,\) = \(4,\).*shape \(4, 1\)"):
        fn(sample_weight=np.ones((4, 1)))
    with pytest.raises(ValueError, match=r"sample_weight must have shape .*shape \(\)"):
        fn(sample_weight=2.0)
    with pytest.raises(ValueError, match=r"sample_weight\[2\] is -0.5: sample weights must be >= 0"):
        fn(sample_weight=[1.0, 1.0, -0.5, 1.0])
    with pytest.raises(ValueError, match=r"sample_weight\[1\] is nan"):
        fn(sample_weight=[1.0, np.nan, 1.0, 1.0])
    with pytest.raises(ValueError, match=r"sample_weight\[3\] is inf"):
        fn(sample_weight=[1.0, 1.0, 1.0, np.inf])
    with pytest.raises(ValueError, match="sample_weight is all zeros"):
        fn(sample_weight=[0, 0, 0, 0])
    with pytest.raises(ValueError, match="sample_weight must hold numbers"):
        fn(sample_weight=["a", "b", "c", "d"])


@pytest.mark.parametrize("metric", LABEL_METRICS)
def test_bad_weights_are_rejected_by_label_metrics(metric):
    check_bad_weights(lambda **kw: metric([0, 1, 1, 0], [0, 1, 0, 0], **kw))


SCORE_METRICS = [tm.roc_curve, tm.precision_recall_curve, tm.roc_auc_score, tm.average_precision_score,
                 tm.best_threshold, lambda y, s, **kw: tm.roc_auc_score(y, s, max_fpr=0.5, **kw)]


@pytest.mark.parametrize("metric", SCORE_METRICS)
def test_bad_weights_are_rejected_by_score_metrics(metric):
    check_bad_weights(lambda **kw: metric([0, 1, 1, 0], [0.2, 0.4, 0.7, 0.9], **kw))


@pytest.mark.parametrize("multi_class", ["ovr", "ovo"])
def test_bad_weights_are_rejected_by_multiclass_and_multilabel_auc(multi_class):
    proba = np.array([[0.5, 0.3, 0.2], [0.2, 0.6, 0.2], [0.1, 0.1, 0.8], [0.4, 0.4, 0.2]])
    check_bad_weights(lambda **kw: tm.roc_auc_score([0, 1, 2, 1], proba, multi_class=multi_class, **kw))
    Y = np.array([[0, 1, 1], [1, 0, 1], [1, 1, 0], [0, 0, 1]])
    check_bad_weights(lambda **kw: tm.roc_auc_score(Y, proba, **kw))
    check_bad_weights(lambda **kw: tm.average_precision_score(Y, proba, **kw))
