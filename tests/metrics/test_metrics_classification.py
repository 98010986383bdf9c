"""Label metrics against scikit-learn, the lecture's counts, and the error messages."""
import math
import warnings

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st

import tensorgate.metrics as tm
from tensorgate.autograd import Tensor
from metrics_helpers import NAMES, assert_close, label_pairs, quiet

AVERAGES = [None, "micro", "macro", "weighted"]
ZERO_DIVISIONS = ["warn", 0, 1, np.nan]
PRF = [(tm.precision_score, skm.precision_score), (tm.recall_score, skm.recall_score),
       (tm.f1_score, skm.f1_score)]


# ------------------------------------------------------------------------------------------------------------
# scikit-learn as the oracle, on random labels (integers and strings, missing classes, multi-class)
# ------------------------------------------------------------------------------------------------------------

@settings(max_examples=40)
@given(pair=label_pairs(), normalize=st.sampled_from([None, "true", "pred", "all"]))
def test_confusion_matrix_matches_sklearn(pair, normalize):
    y_true, y_pred = pair
    with quiet():
        ours = tm.confusion_matrix(y_true, y_pred, normalize=normalize)
        theirs = skm.confusion_matrix(y_true, y_pred, normalize=normalize)
    assert ours.dtype == theirs.dtype
    assert_close(ours, theirs)


@settings(max_examples=30)
@given(pair=label_pairs(strings=False, max_classes=4), data=st.data())
def test_confusion_matrix_with_labels_matches_sklearn(pair, data):
    y_true, y_pred = pair
    # a permutation of some labels, some possibly absent from the data (5, 6)
    labels = data.draw(st.lists(st.integers(0, 6), min_size=1, max_size=6, unique=True))
    if not set(labels) & set(y_true.tolist()):
        with pytest.raises(ValueError, match="At least one label"):
            tm.confusion_matrix(y_true, y_pred, labels=labels)
        return
    with quiet():
        assert_close(tm.confusion_matrix(y_true, y_pred, labels=labels),
                     skm.confusion_matrix(y_true, y_pred, labels=labels))


@settings(max_examples=30)
@given(pair=label_pairs(), normalize=st.booleans())
def test_accuracy_matches_sklearn(pair, normalize):
    y_true, y_pred = pair
    ours = tm.accuracy_score(y_true, y_pred, normalize=normalize)
    assert isinstance(ours, float)
    assert_close(ours, skm.accuracy_score(y_true, y_pred, normalize=normalize))


@settings(max_examples=40)
@given(pair=label_pairs(), average=st.sampled_from(AVERAGES), zero_division=st.sampled_from(ZERO_DIVISIONS),
       which=st.sampled_from(range(3)))
def test_prf_averaged_match_sklearn(pair, average, zero_division, which):
    ours, theirs = PRF[which]
    y_true, y_pred = pair
    with quiet():
        expected = theirs(y_true, y_pred, average=average, zero_division=zero_division)
        got = ours(y_true, y_pred, average=average, zero_division=zero_division)
    assert_close(got, expected)


@settings(max_examples=40)
@given(pair=label_pairs(max_classes=2), zero_division=st.sampled_from(ZERO_DIVISIONS),
       which=st.sampled_from(range(3)), beta=st.sampled_from([0.0, 0.5, 2.0, math.inf]))
def test_binary_prf_match_sklearn(pair, zero_division, which, beta):
    """Binary (average='binary'), including a class missing from y_pred or from both."""
    ours, theirs = PRF[which]
    y_true, y_pred = pair
    pos_label = "bee" if y_true.dtype.kind == "U" else 1
    present = set(y_true.tolist()) | set(y_pred.tolist())
    if len(present) == 2 and pos_label not in present:
        with pytest.raises(ValueError, match="pos_label"):
            ours(y_true, y_pred, pos_label=pos_label)
        return
    with quiet():
        assert_close(ours(y_true, y_pred, pos_label=pos_label, zero_division=zero_division),
                     theirs(y_true, y_pred, pos_label=pos_label, zero_division=zero_division))
        assert_close(tm.fbeta_score(y_true, y_pred, beta=beta, pos_label=pos_label, zero_division=zero_division),
                     skm.fbeta_score(y_true, y_pred, beta=beta, pos_label=pos_label, zero_division=zero_division))


@settings(max_examples=30)
@given(pair=label_pairs(strings=False), data=st.data(), average=st.sampled_from(AVERAGES),
       beta=st.sampled_from([0.5, 1.0, 3.0]))
def test_prf_with_labels_match_sklearn(pair, data, average, beta):
    y_true, y_pred = pair
    labels = data.draw(st.lists(st.integers(0, 6), min_size=1, max_size=5, unique=True))
    with quiet():
        expected = skm.precision_recall_fscore_support(y_true, y_pred, beta=beta, labels=labels, average=average)
        got = tm.precision_recall_fscore_support(y_true, y_pred, beta=beta, labels=labels, average=average)
    for g, e in zip(got, expected):
        if e is None:
            assert g is None
        else:
            assert_close(g, e)


def _oracle_tn_fp(y_true, y_pred, labels):
    mcm = skm.multilabel_confusion_matrix(y_true, y_pred, labels=labels)
    return mcm[:, 0, 0], mcm[:, 0, 1], mcm[:, 1, 0] + mcm[:, 1, 1]


def _oracle_average(num, den, support, average, zero_division=0.0):
    if average == "micro":
        return num.sum() / den.sum()
    with np.errstate(all="ignore"):
        per_label = np.where(den > 0, num / np.where(den > 0, den, 1), zero_division)
    if average is None:
        return per_label
    if average == "weighted":
        return np.average(per_label, weights=support) if support.sum() else per_label.mean()
    return per_label.mean()


@settings(max_examples=40)
@given(pair=label_pairs(min_classes=2), average=st.sampled_from(AVERAGES))
def test_specificity_and_fpr_match_sklearn_confusion_counts(pair, average):
    """Oracle: TN and FP per label read off sklearn's multilabel_confusion_matrix."""
    y_true, y_pred = pair
    labels = np.unique(np.concatenate([y_true, y_pred]))
    tn, fp, support = _oracle_tn_fp(y_true, y_pred, labels)
    if average == "micro" and (tn + fp).sum() == 0:
        return
    with quiet():
        assert_close(tm.specificity_score(y_true, y_pred, average=average, zero_division=0),
                     _oracle_average(tn, tn + fp, support, average))
        assert_close(tm.false_positive_rate(y_true, y_pred, average=average, zero_division=0),
                     _oracle_average(fp, tn + fp, support, average))


@settings(max_examples=30)
@given(pair=label_pairs(max_classes=2, strings=False))
def test_binary_specificity_is_recall_of_the_negative_class(pair):
    y_true, y_pred = pair
    with quiet():
        spec = tm.specificity_score(y_true, y_pred, zero_division=0)
        fpr = tm.false_positive_rate(y_true, y_pred, zero_division=0)
        expected = skm.recall_score(y_true, y_pred, pos_label=0, zero_division=0) if 0 in y_true else 0.0
    assert_close(spec, expected)
    if 0 in y_true:
        assert_close(fpr, 1 - expected)


def assert_same_report(text, expected):
    """Identical text, except one scikit-learn quirk: when no prediction at all is correct its supports
    come out as floats ("1.0"); ours stay integers ("1"), right-aligned in the same width."""
    def int_support(line):
        head, _, last = line.rpartition(" ")
        return f"{head} {last[:-2]:>{len(last)}}" if last.endswith(".0") else line
    assert text.splitlines() == [int_support(line) for line in expected.splitlines()]


@settings(max_examples=25)
@given(pair=label_pairs(), digits=st.integers(1, 4), zero_division=st.sampled_from(["warn", 0, 1]))
def test_classification_report_matches_sklearn(pair, digits, zero_division):
    y_true, y_pred = pair
    with quiet():
        text = tm.classification_report(y_true, y_pred, digits=digits, zero_division=zero_division)
        expected = skm.classification_report(y_true, y_pred, digits=digits, zero_division=zero_division)
        assert_same_report(text, expected)
        ours = tm.classification_report(y_true, y_pred, output_dict=True, zero_division=zero_division)
        theirs = skm.classification_report(y_true, y_pred, output_dict=True, zero_division=zero_division)
    assert ours.keys() == theirs.keys()
    for key, value in theirs.items():
        if isinstance(value, dict):
            assert ours[key].keys() == value.keys()
            assert_close(list(ours[key].values()), list(value.values()))
        else:
            assert_close(ours[key], value)


@settings(max_examples=20)
@given(pair=label_pairs(strings=False, min_classes=3), data=st.data())
def test_classification_report_with_labels_and_names_matches_sklearn(pair, data):
    y_true, y_pred = pair
    labels = data.draw(st.lists(st.integers(0, 4), min_size=1, max_size=4, unique=True))
    names = [f"class {c}" for c in labels]
    with quiet():
        assert_same_report(tm.classification_report(y_true, y_pred, labels=labels, target_names=names),
                           skm.classification_report(y_true, y_pred, labels=labels, target_names=names))


@settings(max_examples=30)
@given(data=st.data(), k=st.integers(2, 5), normalize=st.booleans(), strings=st.booleans())
def test_log_loss_matches_sklearn(data, k, normalize, strings):
    n = data.draw(st.integers(k, 30))
    y = np.array(data.draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))
    y[:k] = np.arange(k)
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 16)))
    proba = rng.dirichlet(np.ones(k), size=n)
    proba[0] = np.eye(k)[0]                                  # exercises the clipping of 0 and 1
    if strings:
        y = NAMES[y]
    assert_close(tm.log_loss(y, proba, normalize=normalize), skm.log_loss(y, proba, normalize=normalize))
    if k == 2:                                               # binary: P(larger label) alone
        assert_close(tm.log_loss(y, proba[:, 1]), skm.log_loss(y, proba[:, 1]))


def test_log_loss_with_labels_for_a_missing_class():
    y = [0, 2, 2]
    proba = [[0.5, 0.2, 0.3], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]]
    assert_close(tm.log_loss(y, proba, labels=[0, 1, 2]), skm.log_loss(y, proba, labels=[0, 1, 2]))
    with pytest.raises(ValueError, match="different number of classes"):
        tm.log_loss(y, proba)
    with pytest.raises(ValueError, match="only one label"):
        tm.log_loss([1, 1], [0.2, 0.3])
    with pytest.raises(ValueError, match="greater than 1"):
        tm.log_loss([0, 1], [0.2, 1.3])


# ------------------------------------------------------------------------------------------------------------
# the lecture's counts, by hand
# ------------------------------------------------------------------------------------------------------------

def test_hand_counted_confusion_matrix_and_rates():
    y_true = [1, 1, 1, 0, 0, 0, 0, 1]
    y_pred = [1, 0, 1, 0, 1, 0, 0, 1]
    # TP = 3 (samples 0, 2, 7), FN = 1 (sample 1), FP = 1 (sample 4), TN = 3 (samples 3, 5, 6)
    assert tm.confusion_matrix(y_true, y_pred).tolist() == [[3, 1], [1, 3]]       # [[TN, FP], [FN, TP]]
    assert tm.recall_score(y_true, y_pred) == 3 / 4                               # TP / (TP + FN)
    assert tm.precision_score(y_true, y_pred) == 3 / 4                            # TP / (TP + FP)
    assert tm.specificity_score(y_true, y_pred) == 3 / 4                          # TN / (TN + FP)
    assert tm.false_positive_rate(y_true, y_pred) == 1 / 4                        # FP / (FP + TN)
    assert tm.accuracy_score(y_true, y_pred) == 6 / 8
    assert tm.fbeta_score(y_true, y_pred, beta=2.0) == pytest.approx(5 * 3 / (5 * 3 + 4 * 1 + 1))


def test_string_labels_with_pos_label():
    y_true = ["sick", "well", "sick", "well", "sick"]
    y_pred = ["sick", "sick", "well", "well", "sick"]
    # positive = "sick": TP = 2, FN = 1, FP = 1
    assert tm.recall_score(y_true, y_pred, pos_label="sick") == 2 / 3
    assert tm.precision_score(y_true, y_pred, pos_label="sick") == 2 / 3
    assert tm.specificity_score(y_true, y_pred, pos_label="sick") == 1 / 2
    with pytest.raises(ValueError, match="pos_label=1 is not a valid label"):
        tm.recall_score(y_true, y_pred)


def test_zero_division_warns_and_sets_the_value():
    y_true, y_pred = [0, 0, 1], [0, 0, 0]                     # nothing predicted positive
    with pytest.warns(tm.UndefinedMetricWarning, match="Precision is ill-defined"):
        assert tm.precision_score(y_true, y_pred) == 0.0
    assert tm.precision_score(y_true, y_pred, zero_division=1) == 1.0
    assert math.isnan(tm.precision_score(y_true, y_pred, zero_division=np.nan))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tm.precision_score(y_true, y_pred, zero_division=0) == 0.0
    assert issubclass(tm.UndefinedMetricWarning, UserWarning)


def test_tensor_inputs_give_the_same_results():
    y_true, y_pred = np.array([0, 1, 2, 2, 1, 0]), np.array([0, 2, 2, 2, 1, 1])
    t_true, t_pred = Tensor(y_true), Tensor(y_pred)
    assert np.array_equal(tm.confusion_matrix(t_true, t_pred), tm.confusion_matrix(y_true, y_pred))
    assert tm.f1_score(t_true, t_pred, average="macro") == tm.f1_score(y_true, y_pred, average="macro")
    assert tm.accuracy_score(t_true, list(y_pred)) == 4 / 6
    proba = np.full((6, 3), 1 / 3)
    assert tm.log_loss(t_true, Tensor(proba, dtype="float64")) == pytest.approx(math.log(3))


# ------------------------------------------------------------------------------------------------------------
# errors name the argument and the first bad index
# ------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fn", [tm.confusion_matrix, tm.accuracy_score, tm.precision_score, tm.recall_score,
                                tm.f1_score, tm.specificity_score, tm.false_positive_rate,
                                tm.classification_report])
def test_errors_name_the_argument(fn):
    with pytest.raises(ValueError, match="y_true is empty"):
        fn([], [])
    with pytest.raises(ValueError, match=r"y_true and y_pred have different lengths.*index 2"):
        fn([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match=r"y_pred\[1\] is nan"):
        fn([0.0, 1.0, 1.0], [0.0, np.nan, 1.0])
    with pytest.raises(ValueError, match="mix string and number"):
        fn(["a", "b"], [0, 1])


def test_bad_options_are_rejected():
    with pytest.raises(ValueError, match="average must be one of"):
        tm.precision_score([0, 1], [0, 1], average="samples")
    with pytest.raises(ValueError, match="zero_division"):
        tm.recall_score([0, 1], [0, 1], zero_division=2)
    with pytest.raises(ValueError, match="Target is multiclass but average='binary'"):
        tm.f1_score([0, 1, 2], [0, 1, 2])
    with pytest.raises(ValueError, match="normalize"):
        tm.confusion_matrix([0, 1], [0, 1], normalize="rows")
    with pytest.raises(ValueError, match="beta"):
        tm.fbeta_score([0, 1], [0, 1], beta=-1.0)
    with pytest.raises(ValueError, match="duplicates"):
        tm.confusion_matrix([0, 1], [0, 1], labels=[0, 0, 1])
