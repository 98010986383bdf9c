"""Small seeded toy problems for seeing what a network learns: 2-D classification and a 1-D regression.

Every generator takes ``n_samples``, a noise level and ``random_state`` (an int seed: the same seed gives
the same data), and returns ``X`` float32 and ``y``: int64 class labels for classification, float32
targets for :func:`make_sine`. Moons, circles and blobs are scikit-learn's, with its signatures.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import math

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

__all__ = ["make_moons", "make_circles", "make_blobs", "make_xor", "make_spiral", "make_sine"]


def _finish(X, y, rng, shuffle):
    X = np.asarray(X, dtype=np.float32)
    y = np.asarray(y, dtype=np.int64)
    if shuffle:
        order = rng.permutation(len(y))
        X, y = X[order], y[order]
    return X, y


def _check_n(n_samples, name, minimum=1):
    if not isinstance(n_samples, (int, np.integer)) or n_samples < minimum:
        raise ValueError(f"{name}: n_samples must be an int >= {minimum}, got {n_samples!r}")


def make_moons(n_samples: int = 100, noise: float | None = None, random_state: int | np.random.Generator | None = None,
               shuffle: bool = True) -> tuple[NDArray[Any], NDArray[Any]]:
    """Two interleaving half circles (scikit-learn's ``make_moons``), not separable by a line.

    Parameters
    ----------
    n_samples : int, default 100
        Total number of points; the two moons get n//2 and n − n//2.
    noise : float, optional
        Standard deviation of Gaussian noise added to the points.
    random_state : int, optional
        Seed.
    shuffle : bool, default True

    Returns
    -------
    X : ndarray, float32
    y : ndarray, int64 in {0, 1}

    Shape
    -----
    X: (n_samples, 2); y: (n_samples,).

    Examples
    --------
    >>> X, y = make_moons(100, noise=0.1, random_state=0)
    >>> X.shape, X.dtype, y.dtype, int(y.sum())
    ((100, 2), dtype('float32'), dtype('int64'), 50)
    """
    from sklearn import datasets

    _check_n(n_samples, "make_moons")
    X, y = datasets.make_moons(n_samples, noise=noise, random_state=random_state, shuffle=shuffle)
    return X.astype(np.float32), y.astype(np.int64)


def make_circles(n_samples: int = 100, noise: float | None = None,
                 random_state: int | np.random.Generator | None = None, factor: float = 0.8,
                 shuffle: bool = True) -> tuple[NDArray[Any], NDArray[Any]]:
    """A small circle (class 1) inside a large one (class 0) (scikit-learn's ``make_circles``).

    Parameters
    ----------
    n_samples : int, default 100
    noise : float, optional
        Standard deviation of Gaussian noise added to the points.
    random_state : int, optional
    factor : float, default 0.8
        Radius of the inner circle relative to the outer one (radius 1), in (0, 1).
    shuffle : bool, default True

    Returns
    -------
    X : ndarray, float32
    y : ndarray, int64 in {0, 1}

    Shape
    -----
    X: (n_samples, 2); y: (n_samples,).

    Examples
    --------
    >>> X, y = make_circles(10, random_state=0, factor=0.5)
    >>> X.shape, sorted(set(y.tolist()))
    ((10, 2), [0, 1])
    """
    from sklearn import datasets

    _check_n(n_samples, "make_circles")
    X, y = datasets.make_circles(n_samples, noise=noise, random_state=random_state, factor=factor,
                                 shuffle=shuffle)
    return X.astype(np.float32), y.astype(np.int64)


def make_blobs(n_samples: int = 100, n_features: int = 2, *, centers: int | ArrayLike | None = None,
               cluster_std: float = 1.0, center_box: tuple[float, float] = (-10.0, 10.0), shuffle: bool = True,
               random_state: int | np.random.Generator | None = None) -> tuple[NDArray[Any], NDArray[Any]]:
    """Isotropic Gaussian blobs, one per class (scikit-learn's ``make_blobs``; ``cluster_std`` is the noise).

    Parameters
    ----------
    n_samples : int, default 100
        Total number of points, divided equally among the blobs.
    n_features : int, default 2
    centers : int or array of shape (K, n_features), optional
        Number of blobs (3 by default) or their centres.
    cluster_std : float or sequence of float, default 1.0
        Standard deviation of each blob.
    center_box : (float, float), default (-10, 10)
        Bounding box of random centres.
    shuffle : bool, default True
    random_state : int, optional

    Returns
    -------
    X : ndarray, float32
    y : ndarray, int64 in [0, K)

    Shape
    -----
    X: (n_samples, n_features); y: (n_samples,).

    Examples
    --------
    >>> X, y = make_blobs(90, centers=3, random_state=0)
    >>> X.shape, np.bincount(y).tolist()
    ((90, 2), [30, 30, 30])
    """
    from sklearn import datasets

    _check_n(n_samples, "make_blobs")
    X, y = datasets.make_blobs(n_samples, n_features, centers=centers, cluster_std=cluster_std,
                               center_box=center_box, shuffle=shuffle, random_state=random_state)
    return X.astype(np.float32), y.astype(np.int64)


def make_xor(n_samples: int = 200, noise: float = 0.0, random_state: int | np.random.Generator | None = None,
             shuffle: bool = True) -> tuple[NDArray[Any], NDArray[Any]]:
    """The XOR problem: points in the square [-1, 1]², labelled 1 where exactly one coordinate is positive.

    Label y = [x₁ > 0] XOR [x₂ > 0]: quadrants I and III are class 0, II and IV class 1, so no single line
    separates the classes and a network needs a hidden layer. The points are drawn uniformly inside their
    quadrant, which gets n//4 of them (the first quadrants one more if n is not a multiple of 4); labels
    come from the clean position, then Gaussian noise of standard deviation ``noise`` is added, so large
    noise blurs the border between quadrants.

    Parameters
    ----------
    n_samples : int, default 200
    noise : float, default 0.0
    random_state : int, optional
    shuffle : bool, default True

    Returns
    -------
    X : ndarray, float32
    y : ndarray, int64 in {0, 1}

    Shape
    -----
    X: (n_samples, 2); y: (n_samples,).

    Examples
    --------
    >>> X, y = make_xor(8, random_state=0, shuffle=False)
    >>> np.sign(X).astype(int).tolist()[:4], y.tolist()[:4]
    ([[1, 1], [-1, 1], [-1, -1], [1, -1]], [0, 1, 0, 1])
    """
    _check_n(n_samples, "make_xor")
    rng = np.random.default_rng(random_state)
    signs = np.array([[1, 1], [-1, 1], [-1, -1], [1, -1]], dtype=np.float64)  # quadrants I, II, III, IV
    quadrant = np.arange(n_samples) % 4
    X = signs[quadrant] * rng.uniform(np.finfo(np.float32).eps, 1.0, size=(n_samples, 2))
    y = (quadrant % 2).astype(np.int64)  # II and IV are class 1
    if noise:
        X = X + rng.normal(scale=noise, size=X.shape)
    return _finish(X, y, rng, shuffle)


def make_spiral(n_samples: int = 300, n_classes: int = 3, noise: float = 0.0,
                random_state: int | np.random.Generator | None = None, turns: float = 1.0,
                shuffle: bool = True) -> tuple[NDArray[Any], NDArray[Any]]:
    """Interleaved spiral arms, one per class (the classic two-spirals problem for ``n_classes=2``).

    Arm k holds n_samples // K points (the first arms one more when K does not divide n) at radii r evenly
    spaced in [0.1, 1] and angles θ = 2πk/K + 2π·turns·r, i.e. x = r·(cos θ, sin θ); Gaussian noise of
    standard deviation ``noise`` is then added to the points. The arms start at radius 0.1 so that no two
    classes share a point and a network can fit the training set exactly.

    Parameters
    ----------
    n_samples : int, default 300
    n_classes : int, default 3
        K, the number of arms (>= 2).
    noise : float, default 0.0
    random_state : int, optional
    turns : float, default 1.0
        Number of full turns each arm makes.
    shuffle : bool, default True

    Returns
    -------
    X : ndarray, float32, inside about [-1, 1]²
    y : ndarray, int64 in [0, K)

    Shape
    -----
    X: (n_samples, 2); y: (n_samples,).

    Examples
    --------
    >>> X, y = make_spiral(300, n_classes=3, noise=0.05, random_state=0)
    >>> X.shape, np.bincount(y).tolist()
    ((300, 2), [100, 100, 100])
    """
    _check_n(n_samples, "make_spiral")
    if not isinstance(n_classes, (int, np.integer)) or n_classes < 2:
        raise ValueError(f"make_spiral: n_classes must be an int >= 2, got {n_classes!r}")
    rng = np.random.default_rng(random_state)
    counts = [n_samples // n_classes + (k < n_samples % n_classes) for k in range(n_classes)]
    parts, labels = [], []
    for k, m in enumerate(counts):
        r = np.linspace(0.1, 1.0, m)
        theta = 2 * math.pi * k / n_classes + 2 * math.pi * turns * r
        parts.append(np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1))
        labels.append(np.full(m, k))
    X = np.concatenate(parts)
    if noise:
        X = X + rng.normal(scale=noise, size=X.shape)
    return _finish(X, np.concatenate(labels), rng, shuffle)


def make_sine(n_samples: int = 100, noise: float = 0.1, random_state: int | np.random.Generator | None = None,
              low: float = -math.pi, high: float = math.pi,
              frequency: float = 1.0) -> tuple[NDArray[Any], NDArray[Any]]:
    """A 1-D regression problem: y = sin(frequency·x) + Gaussian noise, x uniform in [low, high).

    Parameters
    ----------
    n_samples : int, default 100
    noise : float, default 0.1
        Standard deviation of the noise added to y.
    random_state : int, optional
    low, high : float, default -π, π
    frequency : float, default 1.0

    Returns
    -------
    X : ndarray, float32, in random order (sort it to draw a curve)
    y : ndarray, float32

    Shape
    -----
    X: (n_samples, 1); y: (n_samples, 1) — a column like a network's output, so ``output − y`` cannot
    broadcast to (m, m) by mistake.

    Examples
    --------
    >>> X, y = make_sine(50, noise=0.0, random_state=0)
    >>> X.shape, y.shape, y.dtype, bool(np.allclose(y, np.sin(X), atol=1e-6))
    ((50, 1), (50, 1), dtype('float32'), True)
    """
    _check_n(n_samples, "make_sine")
    rng = np.random.default_rng(random_state)
    x = rng.uniform(low, high, size=(n_samples, 1))
    y = np.sin(frequency * x)
    if noise:
        y = y + rng.normal(scale=noise, size=y.shape)
    return x.astype(np.float32), y.astype(np.float32)
