"""one_hot, train_test_split and Standardizer, checked against scikit-learn."""
import numpy as np
import pytest
import sklearn.model_selection
import sklearn.preprocessing

from tensorgate.data import Standardizer, one_hot, train_test_split


def test_one_hot_by_hand():
    # labels 2, 0, 1 with K = 4: a single 1 in columns 2, 0, 1; column 3 stays empty
    expected = np.array([[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0]], dtype=np.float32)
    out = one_hot(np.array([2, 0, 1]), num_classes=4)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, expected)
    assert one_hot([1, 1]).shape == (2, 2)
    assert one_hot(np.array([], dtype=np.int64), 3).shape == (0, 3)
    np.testing.assert_array_equal(one_hot(np.array([1.0, 0.0])), [[0, 1], [1, 0]])  # integral floats are fine


@pytest.mark.parametrize("y, k, message", [
    ([0, 3, 1], 3, r"labels must lie in \[0, 3\) .* found 3 \(at positions \[1\]"),
    ([0, -1], None, r"found -1"),
    ([0.5, 1.0], None, "integer class labels"),
    ([[0, 1]], None, r"must be 1-D .* shape \(1, 2\)"),
    (["a"], None, "integer class labels"),
])
def test_one_hot_errors_name_the_bad_labels(y, k, message):
    with pytest.raises(ValueError, match=message):
        one_hot(y, num_classes=k)


@pytest.mark.parametrize("kwargs", [
    {"test_size": 0.25, "random_state": 0},
    {"test_size": 7, "random_state": 1},
    {"test_size": 0.3, "random_state": 2, "stratify": True},
    {"test_size": 0.2, "shuffle": False},
])
def test_split_matches_sklearn(kwargs):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 3)).astype(np.float32)
    y = np.repeat([0, 1, 2, 3], 10)
    if kwargs.get("stratify"):
        kwargs = {**kwargs, "stratify": y}
    ours = train_test_split(X, y, **kwargs)
    theirs = sklearn.model_selection.train_test_split(X, y, **kwargs)
    assert len(ours) == 4
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b)
    assert ours[0].dtype == np.float32


def test_split_checks_lengths():
    with pytest.raises(ValueError, match=r"same first dimension, got shapes \(4, 2\), \(3,\)"):
        train_test_split(np.zeros((4, 2)), np.zeros(3))


def test_standardizer_matches_sklearn():
    rng = np.random.default_rng(0)
    X = (rng.standard_normal((100, 4)) * [1, 10, 0.1, 5] + [0, 3, -2, 100]).astype(np.float32)
    X[:, 2] = 7.0  # a constant feature: centred, left unscaled
    ours, theirs = Standardizer(), sklearn.preprocessing.StandardScaler()
    Z, Zs = ours.fit_transform(X), theirs.fit_transform(X)
    assert Z.dtype == np.float32
    np.testing.assert_allclose(Z, Zs, atol=1e-5)
    np.testing.assert_allclose(ours.mean_, theirs.mean_, rtol=1e-6)
    np.testing.assert_allclose(ours.scale_, theirs.scale_, rtol=1e-6)
    assert ours.scale_[2] == 1.0 and np.all(Z[:, 2] == 0)
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(Z[:, [0, 1, 3]].std(axis=0), 1, atol=1e-5)
    np.testing.assert_allclose(ours.inverse_transform(Z), X, rtol=1e-5, atol=1e-4)
    assert ours.inverse_transform(Z).dtype == np.float32


def test_standardizer_applies_training_statistics_to_new_data():
    s = Standardizer().fit(np.array([[0.0], [2.0]]))  # μ = 1, σ = 1
    np.testing.assert_array_equal(s.transform(np.array([[3.0], [1.0]])), [[2.0], [0.0]])


def test_standardizer_dtypes():
    s = Standardizer().fit(np.array([[1, 2], [3, 4]]))
    assert s.transform(np.array([[1, 2]])).dtype == np.float32  # integers become float32
    assert s.transform(np.array([[1.0, 2.0]])).dtype == np.float64  # float64 stays float64


def test_standardizer_errors():
    with pytest.raises(RuntimeError, match="call fit"):
        Standardizer().transform(np.zeros((2, 2)))
    s = Standardizer().fit(np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"feature shape \(3,\), the Standardizer was fitted on \(2,\)"):
        s.transform(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="nan or inf"):
        Standardizer().fit(np.array([[np.nan, 1.0]]))
    with pytest.raises(ValueError, match=r"shape \(m, n\)"):
        Standardizer().fit(np.zeros(3))
