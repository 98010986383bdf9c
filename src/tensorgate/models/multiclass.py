"""One-vs-rest: K binary classifiers make one K-class classifier."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.metaestimators import available_if

from ._base import encode_labels, validate_fit, validate_predict

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray
    from typing_extensions import Self

__all__ = ["OneVsRestClassifier"]


def _estimator_has(method):
    """The wrapper offers ``method`` only when the wrapped estimator does (scikit-learn's convention)."""
    def check(self):
        if hasattr(self, "estimators_"):
            return hasattr(self.estimators_[0], method)
        return hasattr(self.estimator, method)
    return check


class OneVsRestClassifier(ClassifierMixin, BaseEstimator):
    """One-vs-rest: for each class k a copy of a binary ``estimator`` learns "class k (1) or not (0)".

    The prediction is the class whose classifier is most confident: the largest ``decision_function``, or
    the largest positive-class probability when the estimator has no decision function. With two classes a
    single estimator is fitted (as scikit-learn does). ``predict_proba`` stacks the K positive-class
    probabilities and normalises each row to sum to 1, exactly as scikit-learn's ``OneVsRestClassifier``.

    Any binary classifier with scikit-learn's interface works: tensorgate's :class:`Perceptron`,
    :class:`LogisticRegression`, :class:`MLPClassifier`, or scikit-learn's own.

    Parameters
    ----------
    estimator : classifier
        The binary classifier to copy (with ``sklearn.base.clone``) for each class.

    Attributes
    ----------
    estimators_ : list of K fitted estimators (one when K = 2)
    classes_ : ndarray of shape (K,)
    n_features_in_ : int

    Shape
    -----
    X: (m, n); y: (m,); decision_function: (m, K), or (m,) when K = 2; predict_proba: (m, K).

    Examples
    --------
    >>> import numpy as np
    >>> from tensorgate.models import LogisticRegression
    >>> X = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]] * 3); y = np.array(["a", "b", "c"] * 3)
    >>> ovr = OneVsRestClassifier(LogisticRegression(C=100.0)).fit(X, y)
    >>> len(ovr.estimators_), ovr.predict([[5.0, 0.0], [0.0, 5.0]]).tolist()
    (3, ['b', 'c'])
    """

    def __init__(self, estimator: Any):
        self.estimator = estimator

    def fit(self, X: ArrayLike, y: ArrayLike) -> Self:
        """Fit one binary copy of ``estimator`` per class. Shape: X: (m, n); y: (m,). Returns self."""
        X, y = validate_fit(self, X, y, dtype=None)
        self.classes_, labels = encode_labels(y)
        K = len(self.classes_)
        positives = [1] if K == 2 else range(K)
        self.estimators_ = [clone(self.estimator).fit(X, (labels == k).astype(np.int64)) for k in positives]
        return self

    def _scores(self, X, method):
        X = validate_predict(self, X, dtype=None)
        if method == "predict_proba":
            columns = [est.predict_proba(X)[:, 1] for est in self.estimators_]
        else:
            columns = [np.ravel(getattr(est, method)(X)) for est in self.estimators_]
        return np.column_stack(columns).astype(np.float64)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X: ArrayLike) -> NDArray[Any]:
        """Each class's decision value. Shape: X: (m, n) → (m, K), or (m,) when K = 2."""
        scores = self._scores(X, "decision_function")
        return scores[:, 0] if scores.shape[1] == 1 else scores

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X: ArrayLike) -> NDArray[Any]:
        """P(class k | x) ∝ the k-th classifier's positive-class probability, rows normalised to sum to 1.

        Shape: X: (m, n) → (m, K).
        """
        p = self._scores(X, "predict_proba")
        if p.shape[1] == 1:
            return np.hstack([1.0 - p, p])
        total = p.sum(axis=1, keepdims=True)
        total[total == 0] = 1.0
        return p / total

    def predict(self, X: ArrayLike) -> NDArray[Any]:
        """The class whose binary classifier is most confident. Shape: X: (m, n) → (m,)."""
        inner = self.estimators_[0] if hasattr(self, "estimators_") else self.estimator
        if hasattr(inner, "decision_function"):
            scores = self._scores(X, "decision_function")
        elif hasattr(inner, "predict_proba"):
            scores = self._scores(X, "predict_proba") - 0.5
        else:
            scores = self._scores(X, "predict") - 0.5
        if scores.shape[1] == 1:
            return self.classes_[(scores[:, 0] > 0).astype(np.int64)]
        return self.classes_[scores.argmax(axis=1)]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        from sklearn.utils import get_tags

        inner = get_tags(self.estimator)
        tags.input_tags.allow_nan = inner.input_tags.allow_nan
        tags.input_tags.sparse = False
        return tags
