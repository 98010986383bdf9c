"""Perceptron against scikit-learn's: without shuffling both visit the examples in the same order, so the
coefficients agree to rounding (the fast epoch is the same arithmetic as scikit-learn's loop)."""
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import linear_model as sk
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from tensorgate.models import Perceptron

X_DIGITS, Y_DIGITS = load_digits(return_X_y=True)
X, Y = X_DIGITS[:600], Y_DIGITS[:600]


def _both(**kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return Perceptron(**kwargs).fit(X, Y), sk.Perceptron(**kwargs).fit(X, Y)


@pytest.mark.parametrize("kwargs", [dict(), dict(penalty="l2", alpha=1e-3), dict(penalty="elasticnet", max_iter=4),
                                    dict(class_weight="balanced"), dict(fit_intercept=False, eta0=0.1)],
                         ids=["plain", "l2", "elasticnet", "balanced", "no-intercept"])
def test_same_coefficients_as_sklearn_without_shuffling(kwargs):
    ours, theirs = _both(shuffle=False, **kwargs)
    assert ours.n_iter_ == theirs.n_iter_
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-9, atol=1e-9 * np.abs(theirs.coef_).max())
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-9, atol=1e-9)


def test_shuffled_accuracy_as_sklearns_and_binary_shapes():
    ours, theirs = _both()
    X_test, y_test = X_DIGITS[1200:], Y_DIGITS[1200:]
    assert ours.score(X_test, y_test) > theirs.score(X_test, y_test) - 0.05
    binary = Perceptron().fit(X, Y == 3)
    assert binary.coef_.shape == (1, 64) and binary.decision_function(X).shape == (600,)


def test_l1_gives_sparse_coefficients():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        l1 = Perceptron(penalty="l1", alpha=0.01, max_iter=5, shuffle=False).fit(X, Y == 3)
        theirs = sk.Perceptron(penalty="l1", alpha=0.01, max_iter=5, shuffle=False).fit(X, Y == 3)
    plain = Perceptron(shuffle=False).fit(X, Y == 3)
    assert np.mean(l1.coef_ == 0) > 0.3 + np.mean(plain.coef_ == 0)
    np.testing.assert_allclose(l1.coef_, theirs.coef_, atol=1e-9)


def test_sparse_equals_sklearns_sparse():
    """Sparse X: the same rule, with scikit-learn's intercept decay 0.01 for sparse data."""
    Xs = sp.csr_matrix(X)
    ours = Perceptron(shuffle=False).fit(Xs, Y)
    theirs = sk.Perceptron(shuffle=False).fit(Xs, Y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-9)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=1e-9)
    np.testing.assert_array_equal(ours.predict(Xs), ours.predict(Xs.toarray()))


def test_class_weight_and_sample_weight_scale_the_updates():
    """class_weight='balanced' gives n/(K·count) per class: for two classes, the same fit as those sample
    weights (with K > 2 scikit-learn weighs only the positive class of each one-vs-rest problem)."""
    binary = (Y == 3).astype(int)
    counts = np.bincount(binary)
    balanced = Perceptron(class_weight="balanced", shuffle=False, max_iter=5, tol=None).fit(X, binary)
    weighted = Perceptron(shuffle=False, max_iter=5, tol=None).fit(X, binary, sample_weight=len(Y) / (2 * counts[binary]))
    np.testing.assert_allclose(balanced.coef_, weighted.coef_, rtol=1e-12)
    ones = Perceptron(shuffle=False, max_iter=5, tol=None).fit(X, Y, sample_weight=np.ones(len(Y)))
    plain = Perceptron(shuffle=False, max_iter=5, tol=None).fit(X, Y)
    np.testing.assert_array_equal(ones.coef_, plain.coef_)
    assert not np.allclose(balanced.coef_, Perceptron(shuffle=False, max_iter=5, tol=None).fit(X, binary).coef_)
    many, theirs = _both(class_weight={0: 3.0, 5: 0.5}, shuffle=False, max_iter=5)
    np.testing.assert_allclose(many.coef_, theirs.coef_, atol=1e-9)


def test_partial_fit_is_one_epoch_and_warm_start_continues():
    one = Perceptron(shuffle=False)
    with pytest.raises(ValueError, match="classes"):
        one.partial_fit(X, Y)
    for _ in range(3):
        one.partial_fit(X, Y, classes=np.arange(10))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        three = Perceptron(shuffle=False, max_iter=3).fit(X, Y)
    np.testing.assert_allclose(one.coef_, three.coef_, rtol=1e-12)
    assert one.n_iter_ == 1 and len(one.errors_) == 3
    warm = Perceptron(shuffle=False, max_iter=2, warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warm.fit(X, Y).fit(X, Y)
        four = Perceptron(shuffle=False, max_iter=4).fit(X, Y)
    np.testing.assert_allclose(warm.coef_, four.coef_, rtol=1e-12)


def test_dtype_kept_and_stopping_on_tol():
    single = Perceptron().fit(X.astype(np.float32), Y)
    assert single.coef_.dtype == np.float32
    assert Perceptron().fit(X, Y).coef_.dtype == np.float64
    stopped = Perceptron(tol=1e-3).fit(X, Y)
    assert stopped.n_iter_ < 1000                         # the loss stopped falling by tol: no warning
    with pytest.warns(ConvergenceWarning, match="maximum number of iteration"):
        Perceptron(max_iter=2).fit(X, Y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        Perceptron(max_iter=2, tol=None).fit(X, Y)        # tol=None: run max_iter epochs, as asked
    early = Perceptron(early_stopping=True, n_iter_no_change=2).fit(X, Y)
    assert early.n_iter_ < stopped.n_iter_ + 20 and early.score(X, Y) > 0.85


def test_sklearns_parameter_errors():
    with pytest.raises(ValueError, match="penalty"):
        Perceptron(penalty="l3").fit(X, Y)
    with pytest.raises(ValueError, match="eta0"):
        Perceptron(eta0=0).fit(X, Y)
    with pytest.raises(ValueError, match="partial_fit"):
        Perceptron(early_stopping=True).partial_fit(X, Y, classes=np.arange(10))
