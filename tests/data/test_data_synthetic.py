"""The toy generators: seeded, reproducible, the right shapes, dtypes and class balance."""
import numpy as np
import pytest
import sklearn.datasets

from tensorgate.data import make_blobs, make_circles, make_moons, make_sine, make_spiral, make_xor

CLASSIFIERS = [
    (make_moons, {"noise": 0.1}, 2),
    (make_circles, {"noise": 0.05, "factor": 0.5}, 2),
    (make_xor, {"noise": 0.05}, 2),
    (make_spiral, {"noise": 0.05}, 3),
    (make_spiral, {"n_classes": 2, "noise": 0.05}, 2),
    (make_spiral, {"n_classes": 5}, 5),
    (make_blobs, {"centers": 4}, 4),
]


@pytest.mark.parametrize("make, kwargs, k", CLASSIFIERS)
@pytest.mark.parametrize("n", [200, 203])
def test_shapes_dtypes_and_balance(make, kwargs, k, n):
    X, y = make(n, random_state=0, **kwargs)
    assert X.shape == (n, 2) and X.dtype == np.float32
    assert y.shape == (n,) and y.dtype == np.int64
    counts = np.bincount(y, minlength=k)
    assert len(counts) == k
    assert counts.max() - counts.min() <= 1  # as equal as n allows


@pytest.mark.parametrize("make, kwargs, k", CLASSIFIERS)
def test_seeded_and_reproducible(make, kwargs, k):
    X1, y1 = make(100, random_state=7, **kwargs)
    X2, y2 = make(100, random_state=7, **kwargs)
    X3, _ = make(100, random_state=8, **kwargs)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


def test_sklearn_wrappers_give_sklearns_data():
    X, y = make_moons(50, noise=0.2, random_state=3)
    Xs, ys = sklearn.datasets.make_moons(50, noise=0.2, random_state=3)
    np.testing.assert_allclose(X, Xs.astype(np.float32))
    np.testing.assert_array_equal(y, ys)


def test_xor_labels_follow_the_quadrants():
    X, y = make_xor(400, noise=0.0, random_state=0)
    np.testing.assert_array_equal(y, ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(np.int64))
    assert np.all(np.abs(X) <= 1)


def test_spiral_arms_are_interleaved_and_distinct():
    X, y = make_spiral(300, n_classes=2, noise=0.0, random_state=0, shuffle=False)
    r = np.hypot(X[:, 0], X[:, 1])
    assert 0.099 < r.min() and r.max() < 1.0001
    # no point of one arm coincides with a point of the other: the training set is separable
    distance = np.linalg.norm(X[y == 0][:, None] - X[y == 1][None], axis=-1)
    assert distance.min() > 0.05
    # interleaved: along a ray from the origin the two arms alternate, so both classes reach every angle
    angle = np.arctan2(X[:, 1], X[:, 0])
    for k in (0, 1):
        assert np.histogram(angle[y == k], bins=8, range=(-np.pi, np.pi))[0].min() > 0


def test_shuffle_false_keeps_classes_in_blocks():
    _, y = make_spiral(9, n_classes=3, shuffle=False)
    assert y.tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2]


def test_sine():
    X, y = make_sine(500, noise=0.1, random_state=0)
    assert X.shape == (500, 1) and y.shape == (500, 1)
    assert X.dtype == np.float32 and y.dtype == np.float32
    assert np.all((-np.pi <= X) & (X < np.pi))
    residual = y - np.sin(X)
    assert 0.08 < residual.std() < 0.12 and abs(residual.mean()) < 0.02
    X2, y2 = make_sine(500, noise=0.1, random_state=0)
    np.testing.assert_array_equal(y, y2)


@pytest.mark.parametrize("make", [make_xor, make_spiral, make_sine, make_moons])
def test_bad_n_samples(make):
    with pytest.raises(ValueError, match="n_samples must be an int >= 1, got 0"):
        make(0)


def test_bad_n_classes():
    with pytest.raises(ValueError, match="n_classes must be an int >= 2"):
        make_spiral(10, n_classes=1)
