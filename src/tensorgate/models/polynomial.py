"""PolynomialFeatures: basis functions φ(x) that make a linear model nonlinear in x."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
from itertools import chain, combinations, combinations_with_replacement
from math import comb

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted, validate_data

if TYPE_CHECKING:
    from typing import Sequence

    from numpy.typing import ArrayLike, NDArray
    from typing_extensions import Self

__all__ = ["PolynomialFeatures"]


class PolynomialFeatures(TransformerMixin, BaseEstimator):
    """All monomials of the features up to a given degree: the basis-function transformer.

    A linear model on φ(x) instead of x draws a curved decision boundary in x-space. The lecture's
    example: a disc of class 1 inside a ring of class 0 has no separating line in (x₁, x₂), but with
    φ₁ = x₁², φ₂ = x₂² the disc is {φ₁ + φ₂ < r²}, a half-plane — so ``PolynomialFeatures(2)`` followed by
    :class:`LogisticRegression` separates concentric circles.

    The price is the number of features: there are C(d + κ, d) monomials of degree at most κ in d
    variables (the bias, of degree 0, included). For d = 784 pixels and κ = 2 that is 308,505 columns;
    networks learn their own basis functions instead (:class:`MLPClassifier`).

    Columns come in scikit-learn's order (same output and the same ``get_feature_names_out``): the bias,
    the degree-1 terms x₀, x₁, …, then for each degree the index tuples in lexicographic order
    (x₀², x₀x₁, …, x₁², …).

    Parameters
    ----------
    degree : int or (int, int), default 2
        κ, the largest degree; a pair (min_degree, max_degree) keeps only degrees in that range (the bias
        still follows ``include_bias``).
    interaction_only : bool, default False
        Keep only products of distinct features (x₀x₁, but not x₀²).
    include_bias : bool, default True
        Include the column of ones (degree 0).

    Attributes
    ----------
    n_features_in_ : int
        d.
    n_output_features_ : int
        Number of columns produced, C(d + κ, d) with the defaults.
    powers_ : ndarray of shape (n_output_features_, n_features_in_)
        ``powers_[j, i]`` is the exponent of xᵢ in output column j.

    Shape
    -----
    X: (m, d) → (m, n_output_features_).

    Examples
    --------
    >>> import numpy as np
    >>> poly = PolynomialFeatures(degree=2).fit(np.array([[2.0, 3.0]]))
    >>> poly.transform(np.array([[2.0, 3.0]]))          # 1, x₀, x₁, x₀², x₀x₁, x₁²
    array([[1., 2., 3., 4., 6., 9.]])
    >>> poly.get_feature_names_out().tolist()
    ['1', 'x0', 'x1', 'x0^2', 'x0 x1', 'x1^2']
    >>> PolynomialFeatures.count(d=2, degree=2)           # C(2 + 2, 2)
    6
    """

    def __init__(self, degree: int = 2, interaction_only: bool = False, include_bias: bool = True):
        self.degree = degree
        self.interaction_only = interaction_only
        self.include_bias = include_bias

    @staticmethod
    def count(d: int, degree: int, interaction_only: bool = False, include_bias: bool = True) -> int:
        """Number of monomials of degree ≤ ``degree`` in ``d`` variables: C(d + κ, d) (minus 1 without bias).

        With ``interaction_only``, Σ_{k ≤ κ} C(d, k).
        """
        n = sum(comb(d, k) for k in range(degree + 1)) if interaction_only else comb(d + degree, d)
        return n - (0 if include_bias else 1)

    def _degrees(self):
        degree = self.degree
        if isinstance(degree, (tuple, list)) and len(degree) == 2:
            low, high = degree
        else:
            low, high = 0, degree
        for name, value in (("degree", low), ("degree", high)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
                raise ValueError(f"PolynomialFeatures: degree must be a non-negative integer or a pair "
                                 f"(min_degree, max_degree), got {self.degree!r}")
        if low > high:
            raise ValueError(f"PolynomialFeatures: min_degree must be <= max_degree, got {self.degree!r}")
        if high == 0 and not self.include_bias:
            raise ValueError("PolynomialFeatures: degree=0 with include_bias=False would produce no features")
        return int(low), int(high)

    def _combinations(self, d):
        """Index tuples of the output columns, in scikit-learn's order: () is the bias, (0, 1) is x₀x₁."""
        low, high = self._degrees()
        pick = combinations if self.interaction_only else combinations_with_replacement
        start = max(1, low)
        parts = [pick(range(d), k) for k in range(start, high + 1)]
        if self.include_bias:
            parts.insert(0, [()])  # type: ignore[arg-type]
        return list(chain.from_iterable(parts))

    def fit(self, X: ArrayLike, y: object | None = None) -> Self:
        """Record d and the output columns. Shape: X: (m, d)."""
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=True)
        self._combos = self._combinations(X.shape[1])
        d = X.shape[1]
        self.powers_ = np.array([np.bincount(np.asarray(c, dtype=np.int64), minlength=d) for c in self._combos],
                                dtype=np.int64).reshape(len(self._combos), d)
        self.n_output_features_ = len(self._combos)
        return self

    def transform(self, X: ArrayLike) -> NDArray[Any]:
        """φ(X): each output column the product of the input columns in its index tuple.

        Built degree by degree: a column of degree k is a column of degree k − 1 times one more feature, so
        every product costs one multiplication. Shape: X: (m, d) → (m, n_output_features_).
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        out = np.empty((X.shape[0], self.n_output_features_), dtype=X.dtype)
        made = {(): None}
        for j, c in enumerate(self._combos):
            if not c:
                out[:, j] = 1.0
            elif len(c) == 1:
                out[:, j] = X[:, c[0]]
            else:
                prefix = made.get(c[:-1])
                if prefix is None:  # the lower-degree column was not output (min_degree): build it
                    prefix = np.prod(X[:, list(c[:-1])], axis=1)
                else:
                    prefix = out[:, prefix]
                np.multiply(prefix, X[:, c[-1]], out=out[:, j])
            made[c] = j  # type: ignore[assignment]
        return out

    def get_feature_names_out(self, input_features: Sequence[str] | None = None) -> NDArray[Any]:
        """Names of the output columns: '1', 'x0', 'x0^2', 'x0 x1', ... (scikit-learn's spelling)."""
        check_is_fitted(self)
        names = _check_feature_names_in(self, input_features)
        out = []
        for row in self.powers_:
            terms = [names[i] if p == 1 else f"{names[i]}^{p}" for i, p in enumerate(row) if p]
            out.append(" ".join(terms) if terms else "1")
        return np.asarray(out, dtype=object)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.requires_fit = True
        return tags
