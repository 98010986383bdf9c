"""roc_auc_score's one-vs-one multi-class AUC (Hand & Till) and partial AUC (max_fpr, McClish):
scikit-learn as the oracle, hand-worked examples, errors."""
import math

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import tensorgate.metrics as tm
from metrics_helpers import assert_close, binary_problems, multiclass_problems, quiet

MAX_FPRS = [0.01, 0.1, 0.25, 0.5, 0.8, 0.999, 1.0]


# ------------------------------------------------------------------------------------------------------------
# one-vs-one
# ------------------------------------------------------------------------------------------------------------

def test_ovo_by_hand():
    y = [0, 0, 1, 1, 2, 2]
    p = [[0.5, 0.3, 0.2],
         [0.2, 0.5, 0.3],
         [0.4, 0.4, 0.2],
         [0.1, 0.6, 0.3],
         [0.3, 0.1, 0.6],
         [0.6, 0.2, 0.2]]
    # pair (0, 1), samples 0-3: column 0 ranks class 0 (0.5, 0.2) above class 1 (0.4, 0.1) in 3 of 4 pairs;
    #   column 1 ranks class 1 (0.4, 0.6) above class 0 (0.3, 0.5) in 3 of 4: (3/4 + 3/4) / 2 = 0.75
    # pair (0, 2), samples 0, 1, 4, 5: column 0, class 0 (0.5, 0.2) over class 2 (0.3, 0.6): 1 of 4;
    #   column 2, class 2 (0.6, 0.2) over class 0 (0.2, 0.3): 2 and a tie of 4 -> 2.5/4: (1/4 + 5/8) / 2
    # pair (1, 2), samples 2-5: column 1, class 1 (0.4, 0.6) over class 2 (0.1, 0.2): 4 of 4;
    #   column 2, class 2 (0.6, 0.2) over class 1 (0.2, 0.3): 2.5/4: (1 + 5/8) / 2
    pairs = [0.75, (0.25 + 0.625) / 2, (1 + 0.625) / 2]
    assert tm.roc_auc_score(y, p, multi_class="ovo") == pytest.approx(sum(pairs) / 3)   # = 2/3
    # each pair holds 4 of the 6 samples: 'weighted' gives the same mean
    assert tm.roc_auc_score(y, p, multi_class="ovo", average="weighted") == pytest.approx(2 / 3)


@settings(max_examples=15, deadline=None)
@given(problem=multiclass_problems(), average=st.sampled_from(["macro", "weighted"]))
def test_ovo_matches_sklearn(problem, average):
    y, proba, k = problem
    assert_close(tm.roc_auc_score(y, proba, multi_class="ovo", average=average),
                 skm.roc_auc_score(y, proba, multi_class="ovo", average=average))


@pytest.mark.parametrize("seed", range(5))
def test_ovo_matches_sklearn_on_continuous_scores(seed):
    """Imbalanced classes (so that 'weighted' differs from 'macro'), string labels, continuous scores."""
    rng = np.random.default_rng(seed)
    k = int(rng.integers(3, 7))
    n = 150
    y = rng.choice(k, size=n, p=rng.dirichlet(np.ones(k)))
    y[:k] = np.arange(k)
    logits = rng.normal(size=(n, k)) + 1.5 * np.eye(k)[y]
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    names = np.array(["ant", "bee", "cat", "dog", "eel", "fox"])[y]
    for average in ("macro", "weighted"):
        for labels in (y, names):
            assert_close(tm.roc_auc_score(labels, proba, multi_class="ovo", average=average),
                         skm.roc_auc_score(labels, proba, multi_class="ovo", average=average))


def test_ovo_with_labels_for_a_class_missing_from_y_true():
    """Pairs are formed from the classes present in y_true; ``labels`` says which column is which."""
    y = [0, 2, 3, 2, 0, 3]
    rng = np.random.default_rng(0)
    proba = rng.dirichlet(np.ones(4), size=6)
    for average in ("macro", "weighted"):
        assert_close(tm.roc_auc_score(y, proba, multi_class="ovo", labels=[0, 1, 2, 3], average=average),
                     skm.roc_auc_score(y, proba, multi_class="ovo", labels=[0, 1, 2, 3], average=average))


def test_ovo_errors():
    y = [0, 1, 2, 1]
    proba = np.full((4, 3), 1 / 3)
    with pytest.raises(NotImplementedError, match="average=None is not implemented for multi_class='ovo'"):
        tm.roc_auc_score(y, proba, multi_class="ovo", average=None)
    with pytest.raises(ValueError, match="average must be one of"):
        tm.roc_auc_score(y, proba, multi_class="ovo", average="micro")
    with pytest.raises(ValueError, match="sum up to 1"):
        tm.roc_auc_score(y, proba * 2, multi_class="ovo")
    with pytest.raises(ValueError, match="sample_weight is not supported"):
        tm.roc_auc_score(y, proba, multi_class="ovo", sample_weight=[1, 1, 2, 1])


# ------------------------------------------------------------------------------------------------------------
# partial AUC
# ------------------------------------------------------------------------------------------------------------

def test_partial_auc_by_hand():
    y, s = [0, 1, 1, 0], [0.2, 0.4, 0.7, 0.9]
    # ROC corners (0, 0), (1/2, 0), (1/2, 1), (1, 1).
    # max_fpr = 1/2: the area up to FPR 1/2 is 0 (TPR is 0 until the vertical step at 1/2); McClish maps
    # [min, max] = [1/8, 1/2] to [0.5, 1]: 0.5 (1 + (0 - 1/8) / (1/2 - 1/8)) = 1/3
    assert tm.roc_auc_score(y, s, max_fpr=0.5) == pytest.approx(1 / 3)
    # max_fpr = 3/4: area 1/4 (TPR 1 from 1/2 to 3/4); min 9/32, max 3/4: 0.5 (1 - (1/32) / (15/32)) = 7/15
    assert tm.roc_auc_score(y, s, max_fpr=0.75) == pytest.approx(7 / 15)
    # a perfect ranking scores 1 at every max_fpr, and max_fpr = 1 is the whole AUC
    for m in (0.1, 0.5, 0.9):
        assert tm.roc_auc_score([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9], max_fpr=m) == pytest.approx(1.0)
    assert tm.roc_auc_score(y, s, max_fpr=1.0) == tm.roc_auc_score(y, s) == 0.5


@settings(max_examples=15, deadline=None)
@given(problem=binary_problems(), max_fpr=st.sampled_from(MAX_FPRS), signed=st.booleans())
def test_partial_auc_matches_sklearn(problem, max_fpr, signed):
    y, s = problem
    if signed:
        y = 2 * y - 1
    got = tm.roc_auc_score(y, s, max_fpr=max_fpr)
    assert isinstance(got, float)
    assert_close(got, skm.roc_auc_score(y, s, max_fpr=max_fpr))


@pytest.mark.parametrize("seed", range(5))
def test_partial_auc_matches_sklearn_on_continuous_scores(seed):
    """Interpolation between ROC points at max_fpr, unweighted and weighted."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 300)
    y[:2] = [0, 1]
    s = rng.normal(size=300) + y
    w = rng.random(300) * (rng.random(300) > 0.2)
    for max_fpr in MAX_FPRS + [rng.uniform(0.01, 1.0)]:
        for weight in (None, w):
            assert_close(tm.roc_auc_score(y, s, max_fpr=max_fpr, sample_weight=weight),
                         skm.roc_auc_score(y, s, max_fpr=max_fpr, sample_weight=weight))


@settings(max_examples=10, deadline=None)
@given(data=st.data(), max_fpr=st.sampled_from(MAX_FPRS[:-1]),
       average=st.sampled_from(["macro", "weighted", "micro", "samples", None]))
def test_partial_auc_multilabel_matches_sklearn(data, max_fpr, average):
    """scikit-learn allows max_fpr with a multi-label indicator (per label, then averaged), so do we."""
    n = data.draw(st.integers(4, 30))
    Y = data.draw(arrays(np.int64, (n, 3), elements=st.integers(0, 1)))
    Y[0], Y[1] = [0, 1, 0], [1, 0, 1]
    S = np.round(np.random.default_rng(data.draw(st.integers(0, 2 ** 16))).random((n, 3)), 1)
    with quiet():
        assert_close(tm.roc_auc_score(Y, S, max_fpr=max_fpr, average=average),
                     skm.roc_auc_score(Y, S, max_fpr=max_fpr, average=average))


def test_max_fpr_errors_name_it():
    y, s = [0, 1, 1, 0], [0.2, 0.4, 0.7, 0.9]
    for bad in (0, 0.0, -0.5, 1.5, math.nan, True, "0.5"):
        with pytest.raises(ValueError, match=r"max_fpr must be a number in \(0, 1\]"):
            tm.roc_auc_score(y, s, max_fpr=bad)
    proba = np.full((4, 3), 1 / 3)
    for multi_class in ("ovr", "ovo"):
        with pytest.raises(ValueError, match="max_fpr=0.5: partial AUC is for binary"):
            tm.roc_auc_score([0, 1, 2, 1], proba, multi_class=multi_class, max_fpr=0.5)
        # max_fpr = 1 is the whole curve: allowed, as in scikit-learn
        assert_close(tm.roc_auc_score([0, 1, 2, 1], proba, multi_class=multi_class, max_fpr=1.0),
                     skm.roc_auc_score([0, 1, 2, 1], proba, multi_class=multi_class, max_fpr=1.0))
