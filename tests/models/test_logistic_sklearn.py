"""LogisticRegression's weights, penalties and sparse input against scikit-learn's documented behaviour."""
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import linear_model as sk
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from tensorgate.models import LogisticRegression

X, Y = load_breast_cancer(return_X_y=True)
X = StandardScaler().fit_transform(X)[:300]
Y = Y[:300]


def test_sample_weight_equals_repeated_rows_and_balanced_matches_sklearn():
    weight = np.random.default_rng(0).integers(1, 4, len(Y))
    weighted = LogisticRegression(tol=1e-8, max_iter=1000).fit(X, Y, sample_weight=weight)
    repeated = LogisticRegression(tol=1e-8, max_iter=1000).fit(np.repeat(X, weight, axis=0), np.repeat(Y, weight))
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, atol=1e-5)
    ours = LogisticRegression(class_weight="balanced", tol=1e-8, max_iter=1000).fit(X, Y)
    theirs = sk.LogisticRegression(class_weight="balanced", tol=1e-8, max_iter=1000).fit(X, Y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-4)
    assert ours.coef_.dtype == np.float64


def test_sparse_equals_dense():
    dense = LogisticRegression(tol=1e-8, max_iter=1000).fit(X, Y)
    sparse = LogisticRegression(tol=1e-8, max_iter=1000).fit(sp.csr_matrix(X), Y)
    np.testing.assert_allclose(sparse.coef_, dense.coef_, atol=1e-6)
    np.testing.assert_allclose(sparse.predict_proba(sp.csr_matrix(X)), dense.predict_proba(X), atol=1e-6)


def test_l1_gives_sparse_coefficients_at_sklearns_optimum():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = LogisticRegression(penalty="l1", solver="saga", C=0.1, tol=1e-6, max_iter=5000).fit(X, Y)
        theirs = sk.LogisticRegression(l1_ratio=1, solver="saga", C=0.1, tol=1e-6, max_iter=5000).fit(X, Y)
    assert np.mean(ours.coef_ == 0) > 0.5
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        net = LogisticRegression(penalty="elasticnet", l1_ratio=0.5, solver="saga", C=0.1, tol=1e-6,
                                 max_iter=5000).fit(X, Y)
    assert 0 < np.mean(net.coef_ == 0) < np.mean(ours.coef_ == 0) + 0.2


def test_refused_combinations_and_warm_start():
    with pytest.raises(ValueError, match="supports only 'l2' or None"):
        LogisticRegression(penalty="l1").fit(X, Y)
    with pytest.raises(ValueError, match="l1_ratio"):
        LogisticRegression(penalty="elasticnet", solver="saga").fit(X, Y)
    warm = LogisticRegression(warm_start=True).fit(X, Y)
    again = warm.fit(X, Y)
    assert again.n_iter_[0] < 5


def test_float32_input_reaches_the_same_optimum_as_float64_and_sklearn():
    # float32 X keeps float32 for the two matrix products of each L-BFGS step (as scikit-learn's lbfgs does)
    X32 = X.astype(np.float32)
    three = (X[:, 0] > 0.5).astype(int) + (X[:, 1] > 0.5)          # a multinomial problem on the same rows
    for target in (Y, three):
        ours32 = LogisticRegression(tol=1e-7, max_iter=2000).fit(X32, target)
        ours64 = LogisticRegression(tol=1e-7, max_iter=2000).fit(X, target)
        theirs32 = sk.LogisticRegression(tol=1e-7, max_iter=2000).fit(X32, target)
        np.testing.assert_allclose(ours32.coef_, ours64.coef_, atol=2e-3)
        np.testing.assert_allclose(ours32.coef_, theirs32.coef_, atol=2e-3)
        np.testing.assert_allclose(ours32.predict_proba(X32), theirs32.predict_proba(X32), atol=1e-3)
    sparse32 = LogisticRegression(tol=1e-7, max_iter=2000).fit(sp.csr_matrix(X32), Y)
    np.testing.assert_allclose(sparse32.coef_, LogisticRegression(tol=1e-7, max_iter=2000).fit(X32, Y).coef_, atol=1e-3)


def test_l1_ratio_alone_chooses_the_penalty_as_scikit_learn_1_8():
    """scikit-learn 1.8 made ``penalty`` optional: left out, l1_ratio 1 is L1 and 0 < r < 1 elastic-net."""
    import sklearn

    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    l1 = LogisticRegression(solver="saga", l1_ratio=1.0, C=0.05, max_iter=3000, tol=1e-8).fit(X, y)
    l2 = LogisticRegression(solver="saga", C=0.05, max_iter=3000, tol=1e-8).fit(X, y)
    explicit = LogisticRegression(penalty="l1", solver="saga", C=0.05, max_iter=3000, tol=1e-8).fit(X, y)
    assert np.count_nonzero(l1.coef_) < X.shape[1] // 2          # L1: a sparse solution
    assert np.count_nonzero(l2.coef_) == X.shape[1]              # L2: none exactly zero
    np.testing.assert_allclose(l1.coef_, explicit.coef_, atol=1e-6)
    if tuple(int(v) for v in sklearn.__version__.split(".")[:2]) >= (1, 8):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sk_l1 = sk.LogisticRegression(solver="saga", l1_ratio=1.0, C=0.05, max_iter=20000, tol=1e-10).fit(X, y)
        assert set(np.flatnonzero(np.abs(sk_l1.coef_) > 1e-6)) == set(np.flatnonzero(np.abs(l1.coef_) > 1e-6))
    with pytest.raises(ValueError, match="Solver lbfgs supports only 'l2' or None penalties"):
        LogisticRegression(l1_ratio=0.5).fit(X, y)
    with pytest.warns(UserWarning, match="l1_ratio parameter is only used when penalty is 'elasticnet'"):
        LogisticRegression(penalty="l2", l1_ratio=1.0, max_iter=50).fit(X, y)


@pytest.mark.parametrize("solver", ["lbfgs", "saga", "adam"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_coefficients_keep_the_input_dtype_as_scikit_learn(solver, dtype):
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X).astype(dtype)
    model = LogisticRegression(solver=solver, max_iter=30).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = sk.LogisticRegression(max_iter=30).fit(X, y)
    assert model.coef_.dtype == reference.coef_.dtype == dtype
    assert model.intercept_.dtype == dtype
