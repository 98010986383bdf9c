"""Preparing arrays for training: one-hot labels, a train/test split, standardisation."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, DTypeLike, NDArray
    from typing_extensions import Self

__all__ = ["one_hot", "train_test_split", "Standardizer"]


def one_hot(y: ArrayLike, num_classes: int | None = None, dtype: DTypeLike = np.float32) -> NDArray[Any]:
    """Integer class labels as one-hot rows: row i has a 1 in column y[i] and 0 elsewhere.

    Parameters
    ----------
    y : array_like of int
        Class labels in [0, num_classes).
    num_classes : int, optional
        K, the number of columns; ``max(y) + 1`` by default.
    dtype : numpy dtype, default float32

    Returns
    -------
    numpy.ndarray

    Shape
    -----
    y: (m,); result: (m, K). (The lecture's column convention stacks the same vectors as columns: Yᵀ.)

    Raises
    ------
    ValueError
        If y is not 1-D, not integer, or holds labels outside [0, K); the message names them.

    Examples
    --------
    >>> one_hot([0, 2, 1])
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 1., 0.]], dtype=float32)
    """
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"one_hot: y must be 1-D of shape (m,), got shape {y.shape}")
    if y.size and not np.issubdtype(y.dtype, np.integer):
        if np.issubdtype(y.dtype, np.floating) and np.all(np.isfinite(y)) and np.all(y == np.round(y)):
            y = y.astype(np.int64)
        else:
            raise ValueError(f"one_hot: y must hold integer class labels, got dtype {y.dtype}")
    y = y.astype(np.int64, copy=False)
    if num_classes is None:
        num_classes = int(y.max()) + 1 if y.size else 0
    num_classes = int(num_classes)
    bad = (y < 0) | (y >= num_classes)
    if bad.any():
        labels = sorted(set(y[bad].tolist()))
        shown = ", ".join(map(str, labels[:10])) + (", ..." if len(labels) > 10 else "")
        raise ValueError(f"one_hot: labels must lie in [0, {num_classes}) for num_classes={num_classes}, "
                         f"found {shown} (at positions {np.flatnonzero(bad)[:5].tolist()}...)")
    out = np.zeros((y.shape[0], num_classes), dtype=dtype)
    out[np.arange(y.shape[0]), y] = 1
    return out


def train_test_split(*arrays: ArrayLike, test_size: float | int | None = 0.25,
                     random_state: int | np.random.Generator | None = None, stratify: ArrayLike | None = None,
                     shuffle: bool = True) -> list[Any]:
    """Split arrays into random train and test subsets, with scikit-learn's semantics (it does the work).

    Parameters
    ----------
    *arrays : array_like
        Arrays with the same first dimension m, split along it with the same permutation.
    test_size : float or int, default 0.25
        Fraction of the examples (float in (0, 1)) or number of examples (int) in the test set.
    random_state : int or None
        Seed; the same seed gives the same split.
    stratify : array_like, optional
        Labels whose proportions both subsets keep (usually y).
    shuffle : bool, default True
        Shuffle before splitting; without it the last examples form the test set.

    Returns
    -------
    list of numpy.ndarray
        ``a_train, a_test`` for each input array, in order: ``X_train, X_test, y_train, y_test``.

    Shape
    -----
    each array: (m, ...); its train part: (m - t, ...), its test part: (t, ...), t = ceil(test_size·m).

    Examples
    --------
    >>> import numpy as np
    >>> X, y = np.arange(20).reshape(10, 2), np.array([0, 1] * 5)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
    >>> X_train.shape, X_test.shape, sorted(y_test.tolist())
    ((8, 2), (2, 2), [0, 1])
    """
    from sklearn.model_selection import train_test_split as sk_split

    if not arrays:
        raise ValueError("train_test_split: at least one array is required")
    arrays = [np.asarray(a) for a in arrays]
    lengths = [a.shape[0] if a.ndim else None for a in arrays]
    if None in lengths or len(set(lengths)) > 1:
        shapes = ", ".join(str(a.shape) for a in arrays)
        raise ValueError(f"train_test_split: all arrays need the same first dimension, got shapes {shapes}")
    return sk_split(*arrays, test_size=test_size, random_state=random_state,
                    stratify=None if stratify is None else np.asarray(stratify), shuffle=shuffle)


class Standardizer:
    """Centre each feature on 0 and scale it to unit variance: x' = (x − μ) / σ.

    μ and σ (population standard deviation, ddof=0) are learned by :meth:`fit` on the training set and then
    applied unchanged to validation and test data. A feature that is constant in the training set has
    σ = 0; it is only centred (its scale is set to 1), as in scikit-learn's ``StandardScaler``.

    Statistics are computed in float64; transformed data keeps the input's floating dtype (float32 stays
    float32; integer input becomes float32).

    Attributes
    ----------
    mean_ : ndarray of shape (n,), float64
    scale_ : ndarray of shape (n,), float64 (1 for constant features)
    var_ : ndarray of shape (n,), float64
    n_features_in_ : int

    Shape
    -----
    X: (m, n) (or (m, ...), standardised per feature position over the first axis); result: same as X.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1., 10.], [3., 10.]], dtype=np.float32)
    >>> s = Standardizer().fit(X)
    >>> s.mean_, s.scale_
    (array([ 2., 10.]), array([1., 1.]))
    >>> s.transform(X)
    array([[-1.,  0.],
           [ 1.,  0.]], dtype=float32)
    """

    def __init__(self):
        self.mean_ = None
        self.scale_ = None
        self.var_ = None
        self.n_features_in_ = None

    def __repr__(self) -> str:
        fitted = f"n_features_in_={self.n_features_in_}" if self.mean_ is not None else "not fitted"
        return f"Standardizer({fitted})"

    @staticmethod
    def _check(X, where):
        X = np.asarray(X)
        if X.ndim < 2:
            raise ValueError(f"Standardizer.{where}: X must have shape (m, n), got shape {X.shape}")
        if not (np.issubdtype(X.dtype, np.floating) or np.issubdtype(X.dtype, np.integer)):
            raise ValueError(f"Standardizer.{where}: X must be numeric, got dtype {X.dtype}")
        if np.issubdtype(X.dtype, np.floating) and not np.all(np.isfinite(X)):
            raise ValueError(f"Standardizer.{where}: X contains nan or inf")
        return X

    def _check_fitted(self, X, where):
        if self.mean_ is None:
            raise RuntimeError(f"Standardizer.{where}: call fit(X_train) first")
        X = self._check(X, where)
        if X.shape[1:] != self.mean_.shape:
            raise ValueError(f"Standardizer.{where}: X has feature shape {X.shape[1:]}, the Standardizer "
                             f"was fitted on {self.mean_.shape}")
        return X

    @staticmethod
    def _out_dtype(X):
        return X.dtype if np.issubdtype(X.dtype, np.floating) else np.dtype(np.float32)

    def fit(self, X: ArrayLike, y: object | None = None) -> Self:
        """Learn μ and σ of each feature from X (rows are examples); ``y`` is ignored. Returns self.

        Shape: X: (m, n); mean_, scale_: (n,).
        """
        X = self._check(X, "fit")
        if X.shape[0] == 0:
            raise ValueError("Standardizer.fit: X has no rows")
        X64 = X.astype(np.float64)
        self.mean_ = X64.mean(axis=0)
        self.var_ = X64.var(axis=0)
        constant = np.ptp(X64, axis=0) == 0
        scale = np.sqrt(self.var_)
        scale[constant | (scale < 10 * np.finfo(np.float64).eps)] = 1.0
        self.scale_ = scale
        self.n_features_in_ = int(np.prod(X.shape[1:]))
        return self

    def transform(self, X: ArrayLike) -> NDArray[Any]:
        """(X − mean_) / scale_, in X's floating dtype.

        Shape: X: (m, n); result: (m, n).
        """
        X = self._check_fitted(X, "transform")
        dtype = self._out_dtype(X)
        return ((X - self.mean_.astype(dtype)) / self.scale_.astype(dtype)).astype(dtype, copy=False)  # type: ignore[union-attr]

    def fit_transform(self, X: ArrayLike, y: object | None = None) -> NDArray[Any]:
        """``fit(X)`` then ``transform(X)``.

        Shape: X: (m, n); result: (m, n).
        """
        return self.fit(X).transform(X)

    def inverse_transform(self, Z: ArrayLike) -> NDArray[Any]:
        """Undo :meth:`transform`: Z · scale_ + mean_, in Z's floating dtype.

        Shape: Z: (m, n); result: (m, n).
        """
        Z = self._check_fitted(Z, "inverse_transform")
        dtype = self._out_dtype(Z)
        return (Z * self.scale_.astype(dtype) + self.mean_.astype(dtype)).astype(dtype, copy=False)  # type: ignore[union-attr]
