"""Perceptron, logistic/softmax regression, one-vs-rest and polynomial features: against scikit-learn
and on the lecture's examples."""
import warnings

import numpy as np
import pytest
from sklearn import linear_model as sk_linear
from sklearn import preprocessing as sk_pre
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

import tensorgate as tg
from tensorgate.data import load_breast_cancer, load_digits, make_circles, make_xor
from tensorgate.models import (LogisticRegression, OneVsRestClassifier, Perceptron, PolynomialFeatures,
                               SoftmaxRegression)


@pytest.fixture(scope="module")
def cancer():
    X_train, y_train, X_test, y_test, _ = load_breast_cancer(dtype=np.float64)
    scaler = sk_pre.StandardScaler().fit(X_train)
    return scaler.transform(X_train), y_train, scaler.transform(X_test), y_test


@pytest.fixture(scope="module")
def digits():
    return load_digits(dtype=np.float64)


# ---------------------------------------------------------------- logistic regression vs scikit-learn
@pytest.mark.parametrize("C", [0.1, 1.0, 10.0])
def test_lbfgs_matches_sklearn_on_breast_cancer(cancer, C):
    X_train, y_train, X_test, y_test = cancer
    ours = LogisticRegression(C=C).fit(X_train, y_train)
    theirs = sk_linear.LogisticRegression(C=C).fit(X_train, y_train)
    assert abs(ours.score(X_test, y_test) - theirs.score(X_test, y_test)) <= 0.01
    ours_loss = log_loss(y_train, ours.predict_proba(X_train))
    theirs_loss = log_loss(y_train, theirs.predict_proba(X_train))
    assert abs(ours_loss - theirs_loss) < 1e-3
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-3)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=1e-3)
    assert ours.coef_.shape == (1, 30) and ours.intercept_.shape == (1,)


def test_objective_is_sklearns_divided_by_n(cancer):
    """J = (1/n) Σ logloss + ‖w‖²/(2nC): the same minimiser as C Σ logloss + ½‖w‖²."""
    X_train, y_train, _, _ = cancer
    C = 0.5
    clf = LogisticRegression(C=C).fit(X_train, y_train)
    n = len(y_train)
    J = log_loss(y_train, clf.predict_proba(X_train)) + np.sum(clf.coef_ ** 2) / (2 * n * C)
    assert clf.loss_ == pytest.approx(J, rel=1e-6)


@pytest.mark.parametrize("solver", ["gd", "sgd", "adam"])
def test_gradient_solvers_reach_sklearns_accuracy(cancer, solver):
    X_train, y_train, X_test, y_test = cancer
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = LogisticRegression(solver=solver, max_iter=200, random_state=0).fit(X_train, y_train)
    theirs = sk_linear.LogisticRegression().fit(X_train, y_train)
    assert ours.score(X_test, y_test) >= theirs.score(X_test, y_test) - 0.02
    # the first-order solvers approach the same optimum
    assert log_loss(y_train, ours.predict_proba(X_train)) < log_loss(y_train, theirs.predict_proba(X_train)) + 0.03
    assert ours.model_.weight.dtype == X_train.dtype          # float64 X is kept float64 (as scikit-learn)


def test_multinomial_matches_sklearn_on_digits(digits):
    X_train, y_train, X_test, y_test, _ = digits
    ours = SoftmaxRegression(C=0.5, max_iter=300).fit(X_train, y_train)
    theirs = sk_linear.LogisticRegression(C=0.5, max_iter=300).fit(X_train, y_train)
    assert abs(ours.score(X_test, y_test) - theirs.score(X_test, y_test)) <= 0.01
    assert log_loss(y_train, ours.predict_proba(X_train)) == pytest.approx(
        log_loss(y_train, theirs.predict_proba(X_train)), abs=1e-3)
    assert ours.coef_.shape == (10, 64)
    np.testing.assert_allclose(ours.predict_proba(X_test).sum(axis=1), 1.0)


def test_softmax_regression_is_multinomial_logistic_regression(digits):
    X_train, y_train, X_test, _, _ = digits
    a = SoftmaxRegression().fit(X_train[:300], y_train[:300])
    b = LogisticRegression(multi_class="multinomial").fit(X_train[:300], y_train[:300])
    np.testing.assert_allclose(a.predict_proba(X_test), b.predict_proba(X_test))
    assert "multi_class" not in a.get_params()


def test_ovr_mode_normalises_sigmoids_like_sklearn(digits):
    X_train, y_train, X_test, y_test, _ = digits
    # K independent binary problems fitted jointly: the same optima, reached to a tight tolerance
    ours = LogisticRegression(multi_class="ovr", C=0.1, tol=1e-6, max_iter=1000).fit(X_train, y_train)
    theirs = OneVsRestClassifier(sk_linear.LogisticRegression(C=0.1, tol=1e-6, max_iter=1000)).fit(X_train,
                                                                                                     y_train)
    np.testing.assert_allclose(ours.predict_proba(X_test), theirs.predict_proba(X_test), atol=1e-4)
    assert abs(ours.score(X_test, y_test) - theirs.score(X_test, y_test)) <= 0.01


def test_one_vs_rest_on_digits(digits):
    X_train, y_train, X_test, y_test, _ = digits
    ovr = OneVsRestClassifier(LogisticRegression(C=0.5)).fit(X_train, y_train)
    assert len(ovr.estimators_) == 10
    assert ovr.score(X_test, y_test) >= 0.94
    proba = ovr.predict_proba(X_test)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    # predict is the most confident binary classifier, which here is also the largest probability
    np.testing.assert_array_equal(ovr.predict(X_test), ovr.classes_[ovr.decision_function(X_test).argmax(1)])
    # scikit-learn's wrapper around the same binary estimator gives the same probabilities
    from sklearn.multiclass import OneVsRestClassifier as SkOvR
    theirs = SkOvR(LogisticRegression(C=0.5)).fit(X_train, y_train)
    np.testing.assert_allclose(proba, theirs.predict_proba(X_test), atol=1e-10)


def test_one_vs_rest_of_perceptrons_has_no_predict_proba(digits):
    X_train, y_train, X_test, y_test, _ = digits
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ovr = OneVsRestClassifier(Perceptron(random_state=0)).fit(X_train[:600], y_train[:600])
    assert not hasattr(ovr, "predict_proba")
    assert ovr.score(X_test, y_test) > 0.85


# ---------------------------------------------------------------- basis functions
def test_polynomial_features_match_sklearn():
    X = np.random.default_rng(0).normal(size=(7, 3))
    for kwargs in [dict(degree=2), dict(degree=3, interaction_only=True), dict(degree=3, include_bias=False),
                   dict(degree=(2, 3)), dict(degree=(2, 3), include_bias=False), dict(degree=1)]:
        ours, theirs = PolynomialFeatures(**kwargs).fit(X), sk_pre.PolynomialFeatures(**kwargs).fit(X)
        np.testing.assert_allclose(ours.transform(X), theirs.transform(X), err_msg=str(kwargs))
        assert ours.get_feature_names_out().tolist() == theirs.get_feature_names_out().tolist()
        assert ours.get_feature_names_out(["a", "b", "c"]).tolist() == \
            theirs.get_feature_names_out(["a", "b", "c"]).tolist()
        np.testing.assert_array_equal(ours.powers_, theirs.powers_)


def test_polynomial_feature_count_is_binomial():
    """C(d + κ, d) monomials of degree ≤ κ in d variables: d = 3, κ = 2 gives C(5, 3) = 10."""
    X = np.ones((2, 3))
    assert PolynomialFeatures(2).fit(X).n_output_features_ == 10
    assert PolynomialFeatures.count(784, 2) == 308_505
    for d in range(1, 5):
        for k in range(0, 4):
            assert PolynomialFeatures(k).fit(np.ones((1, d))).n_output_features_ == PolynomialFeatures.count(d, k)


def test_disc_and_ring_separated_by_squares():
    """The lecture's example: φ₁ = x₁², φ₂ = x₂² turn the disc-in-a-ring into a half-plane."""
    X, y = make_circles(400, noise=0.05, factor=0.5, random_state=0)
    linear = LogisticRegression().fit(X, y)
    assert 0.4 <= linear.score(X, y) <= 0.6                       # no line separates them
    curved = make_pipeline(PolynomialFeatures(2), LogisticRegression(C=100.0)).fit(X, y)
    assert curved.score(X, y) >= 0.99
    X_test, y_test = make_circles(400, noise=0.05, factor=0.5, random_state=1)
    assert curved.score(X_test, y_test) >= 0.99
    # the learnt boundary is (mostly) in the squares: their weights dominate the linear and cross terms
    w = dict(zip(curved[0].get_feature_names_out(), curved[1].coef_[0]))
    assert min(abs(w["x0^2"]), abs(w["x1^2"])) > 5 * max(abs(w["x0"]), abs(w["x1"]), abs(w["x0 x1"]))


# ---------------------------------------------------------------- perceptron
def test_perceptron_converges_on_separable_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    y = np.where(X[:, 0] + 2 * X[:, 1] > 0.3, "pos", "neg")
    X += np.where(y == "pos", 0.2, -0.2)[:, None] * np.array([1, 2]) / np.sqrt(5)   # a margin
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf = Perceptron(random_state=0).fit(X, y)
    # the loss fell by less than tol in n_iter_no_change = 5 epochs in a row, the last without a mistake
    assert clf.errors_[-1] == 0 and clf.n_iter_ == len(clf.errors_) < clf.max_iter
    assert clf.score(X, y) == 1.0
    assert isinstance(clf.model_[0], tg.nn.Linear) and isinstance(clf.model_[1], tg.nn.Step)


def test_perceptron_reports_non_convergence_on_xor():
    X, y = make_xor(100, random_state=0)
    with pytest.warns(ConvergenceWarning, match="linearly separable"):
        clf = Perceptron(max_iter=3, random_state=0).fit(X, y)
    assert clf.n_iter_ == 3 and min(clf.errors_) > 0
    clf = Perceptron(random_state=0).fit(X, y)       # scikit-learn's rule stops once the loss stops falling
    assert clf.n_iter_ < 1000 and min(clf.errors_) > 0 and clf.score(X, y) < 0.9


def test_perceptron_rule_by_hand():
    """AND without shuffling, η = 1, from w = 0: the first example (0, 0) with y = −1 has y·z = 0 ≤ 0, a
    mistake, so w ← w − (0, 0) = (0, 0), b ← 0 − 1 = −1; and so on until the epochs are clean."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0, 0, 0, 1])
    one_epoch = Perceptron(max_iter=1, shuffle=False)
    with pytest.warns(ConvergenceWarning):
        one_epoch.fit(X, y)
    # epoch 1: (0,0) → b = −1; (0,1): z = −1, right; (1,0): right; (1,1): z = −1 < 0, missed → w = (1, 1), b = 0
    np.testing.assert_array_equal(one_epoch.coef_, [[1.0, 1.0]])
    np.testing.assert_array_equal(one_epoch.intercept_, [0.0])
    assert one_epoch.errors_ == [2]
    clf = Perceptron(shuffle=False).fit(X, y)
    assert clf.errors_[-1] == 0 and clf.predict(X).tolist() == [0, 0, 0, 1]


def test_perceptron_multiclass_one_vs_rest_inside(digits):
    X_train, y_train, X_test, y_test, _ = digits
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = Perceptron(max_iter=20, random_state=0).fit(X_train, y_train)
    assert clf.coef_.shape == (10, 64) and clf.decision_function(X_test).shape == (450, 10)
    assert clf.score(X_test, y_test) > 0.85


def test_perceptron_is_reproducible():
    X, y = make_xor(60, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = Perceptron(max_iter=5, random_state=3).fit(X, y)
        b = Perceptron(max_iter=5, random_state=3).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)


# ---------------------------------------------------------------- scikit-learn tooling and labels
def test_pipeline_and_grid_search(cancer):
    X_train, y_train, X_test, y_test = cancer
    search = GridSearchCV(make_pipeline(PolynomialFeatures(), LogisticRegression(max_iter=500)),
                          {"polynomialfeatures__degree": [1, 2], "logisticregression__C": [0.01, 1.0]}, cv=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X_train, y_train)
    assert set(search.best_params_) == {"polynomialfeatures__degree", "logisticregression__C"}
    assert search.score(X_test, y_test) > 0.93


def test_string_labels_work():
    X, y = make_xor(80, random_state=0)
    labels = np.array(["cat", "dog"])[y]
    for clf in [LogisticRegression(), SoftmaxRegression(), OneVsRestClassifier(LogisticRegression())]:
        clf.fit(X, labels)
        assert clf.classes_.tolist() == ["cat", "dog"]
        assert set(clf.predict(X)) <= {"cat", "dog"}
    three = np.array(["a", "b", "c"])[(np.arange(80) % 3)]
    clf = LogisticRegression().fit(X, three)
    assert clf.predict(X).dtype.kind == "U" and clf.predict_proba(X).shape == (80, 3)


@pytest.mark.parametrize("make", [lambda: Perceptron(max_iter=5), LogisticRegression,
                                  lambda: LogisticRegression(solver="sgd", max_iter=2),
                                  lambda: OneVsRestClassifier(LogisticRegression())])
def test_bad_input_gets_sklearns_errors(make):
    X, y = make_xor(40, random_state=0)
    with pytest.raises(NotFittedError):
        make().predict(X)
    bad = X.astype(np.float64).copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        make().fit(bad, y)
    bad[3, 1] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        make().fit(bad, y)
    with pytest.raises(ValueError, match="Expected 2D array"):
        make().fit(X[:, 0], y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        make().fit(X, y[:-1])
    with pytest.raises(ValueError, match="only one class"):
        make().fit(X, np.zeros(len(y)))
    with pytest.raises(ValueError, match="Unknown label type"):
        make().fit(X, np.linspace(0, 1, len(y)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted = make().fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features"):
        fitted.predict(np.ones((2, 3)))


@pytest.mark.parametrize("kwargs, match", [
    (dict(solver="newton"), "solver"), (dict(penalty="l1"), "penalty"), (dict(C=-1.0), "C"),
    (dict(multi_class="both"), "multi_class"), (dict(max_iter=0), "max_iter"),
])
def test_bad_parameters_are_named(kwargs, match):
    X, y = make_xor(20, random_state=0)
    with pytest.raises(ValueError, match=match):
        LogisticRegression(**kwargs).fit(X, y)
