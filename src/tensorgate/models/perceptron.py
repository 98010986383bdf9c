"""Rosenblatt's perceptron with scikit-learn's interface and behaviour (its SGD with ``loss='perceptron'``)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedShuffleSplit
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.validation import _check_sample_weight, check_random_state

from .. import nn
from ..autograd import Tensor, no_grad
from ._base import check_one_of, check_positive, encode_labels, validate_fit, validate_predict
from ._perceptron_epochs import fit_binary

if TYPE_CHECKING:
    from typing import Mapping

    from numpy.typing import ArrayLike, NDArray
    from typing_extensions import Self

__all__ = ["Perceptron"]

_MAX_INT = np.iinfo(np.int32).max
#: scikit-learn moves the intercept 100 times more slowly on sparse X (``SPARSE_INTERCEPT_DECAY``)
_SPARSE_INTERCEPT_DECAY = 0.01


class Perceptron(ClassifierMixin, BaseEstimator):
    """Rosenblatt's perceptron: ŷ = sign(w·x + b), learnt one example at a time by the perceptron rule.

    The same estimator as scikit-learn's ``Perceptron`` (its SGD with the perceptron loss max(0, −y·z) and
    a constant learning rate η = ``eta0``), with its parameters, defaults and stopping rule. On each
    example in turn (in a new random order every epoch when ``shuffle``), with y ∈ {−1, +1}:

    .. code-block:: text

        if y (w·x + b) ≤ 0:   w ← w + η y x,   b ← b + η y        (a mistake; 0 counts as one)

    times the class weight and sample weight, with the optional penalty as weight decay (and truncated
    L1). Training stops when the epoch's mean loss (plus penalty) has not fallen below the best − ``tol``
    for ``n_iter_no_change`` epochs in a row, or after ``max_iter`` epochs with a ConvergenceWarning. On
    separable data the loss reaches 0 after finitely many mistakes (Novikoff's theorem); on XOR it never
    does. An epoch runs from mistake to mistake with one matrix product per stretch of correctly
    classified examples (exact: see :mod:`tensorgate.models._perceptron_epochs`).

    Multi-class: one-vs-rest, K binary perceptrons ("class k or not") in one (K, n) weight matrix, each
    with its own shuffling seed; the prediction is the class with the largest z. The trained weights sit in
    ``model_``, a ``Sequential(Linear, Step)`` of tensorgate's nn, which computes ``decision_function``.

    Parameters
    ----------
    penalty : {None, 'l2', 'l1', 'elasticnet'}, default None
    alpha : float, default 1e-4
        Strength of the penalty.
    l1_ratio : float, default 0.15
        Share of L1 in 'elasticnet'.
    fit_intercept : bool, default True
    max_iter : int, default 1000
        Largest number of epochs.
    tol : float or None, default 1e-3
        None: run all ``max_iter`` epochs.
    shuffle : bool, default True
    verbose : int, default 0
    eta0 : float, default 1.0
        η. From w = 0 without a penalty, η only scales w and b, so it does not change the predictions.
    n_jobs : None
        Accepted for scikit-learn's signature; the binary problems run one after the other.
    random_state : int, RandomState or None, default 0
        Seeds the shuffling (and the validation split).
    early_stopping : bool, default False
        Hold out ``validation_fraction`` (stratified) and stop on its accuracy instead of the loss.
    validation_fraction : float, default 0.1
    n_iter_no_change : int, default 5
    class_weight : dict, 'balanced' or None
        Multiplies the update on examples of each class; 'balanced': n / (K · count of the class).
    warm_start : bool, default False
        ``fit`` starts from the previous coef_ and intercept_.

    Attributes
    ----------
    classes_ : ndarray of shape (K,)
    coef_ : ndarray of shape (1, n) for two classes, (K, n) otherwise (X's float dtype)
    intercept_ : ndarray of shape (1,) or (K,)
    n_iter_ : int
        Epochs run (the most over the K binary problems).
    t_ : float
        Number of weight updates performed (scikit-learn's count: examples × epochs + 1).
    errors_ : list of int
        Mistakes in each epoch, summed over the binary problems.
    model_ : tensorgate.nn.Sequential
        Linear(n, K or 1) followed by Step(), holding coef_ and intercept_.
    n_features_in_ : int

    Shape
    -----
    X: (m, n) dense or SciPy sparse; y: (m,); sample_weight: (m,); decision_function: (m,) for two
    classes, (m, K) otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    >>> clf = Perceptron().fit(X, [0, 0, 0, 1])       # AND is linearly separable
    >>> clf.predict(X).tolist()
    [0, 0, 0, 1]
    """

    def __init__(self, *, penalty: str | None = None, alpha: float = 0.0001, l1_ratio: float = 0.15,
                 fit_intercept: bool = True, max_iter: int = 1000, tol: float | None = 1e-3, shuffle: bool = True,
                 verbose: bool | int = 0, eta0: float = 1.0, n_jobs: int | None = None,
                 random_state: int | np.random.RandomState | np.random.Generator | None = 0,
                 early_stopping: bool = False, validation_fraction: float = 0.1, n_iter_no_change: int = 5,
                 class_weight: Mapping[Any, float] | str | None = None, warm_start: bool = False):
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.shuffle = shuffle
        self.verbose = verbose
        self.eta0 = eta0
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.class_weight = class_weight
        self.warm_start = warm_start

    def _check_params(self):
        check_one_of(self, "penalty", self.penalty, (None, "l2", "l1", "elasticnet"))
        check_positive(self, "alpha", self.alpha, allow_zero=True)
        check_positive(self, "eta0", self.eta0)
        check_positive(self, "max_iter", self.max_iter, integer=True)
        check_positive(self, "n_iter_no_change", self.n_iter_no_change, integer=True)
        if self.tol is not None:
            check_positive(self, "tol", self.tol, allow_zero=True)
        if not isinstance(self.l1_ratio, (int, float, np.number)) or not 0 <= self.l1_ratio <= 1:
            raise ValueError(f"Perceptron: l1_ratio must be in [0, 1], got {self.l1_ratio!r}")
        if not 0.0 < self.validation_fraction < 1.0:
            raise ValueError(f"Perceptron: validation_fraction must be in (0, 1), got {self.validation_fraction!r}")

    def fit(self, X: ArrayLike, y: ArrayLike, coef_init: ArrayLike | None = None,
            intercept_init: ArrayLike | None = None, sample_weight: ArrayLike | None = None) -> Self:
        """Run the perceptron rule until the loss stops improving by tol, or for max_iter epochs.

        Shape: X: (m, n); y: (m,); coef_init: (K or 1, n); intercept_init: (K or 1,); sample_weight: (m,).
        Returns self.
        """
        if self.warm_start and hasattr(self, "coef_"):
            coef_init = self.coef_ if coef_init is None else coef_init  # type: ignore[has-type]
            intercept_init = self.intercept_ if intercept_init is None else intercept_init  # type: ignore[has-type]
        for name in ("classes_", "coef_", "intercept_"):
            self.__dict__.pop(name, None)
        self.t_ = 1.0
        self.errors_ = []  # type: ignore[var-annotated]
        return self._fit(X, y, None, sample_weight, int(self.max_iter), coef_init, intercept_init, reset=True,
                         incremental=False)

    def partial_fit(self, X: ArrayLike, y: ArrayLike, classes: ArrayLike | None = None,
                    sample_weight: ArrayLike | None = None) -> Self:
        """One epoch over (X, y), continuing the weights (``classes`` required on the first call).

        Shape: X: (m, n); y: (m,); classes: (K,); sample_weight: (m,). Returns self.
        """
        first = not hasattr(self, "classes_")
        if first:
            if classes is None:
                raise ValueError("Perceptron: classes must be passed on the first call to partial_fit")
            self.t_ = 1.0
            self.errors_ = []
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(f"Perceptron: classes={np.unique(classes).tolist()} is not the same as on the first "
                             f"call to partial_fit, {self.classes_.tolist()}")
        if self.early_stopping:
            raise ValueError("Perceptron: partial_fit does not support early_stopping=True")
        return self._fit(X, y, classes, sample_weight, 1, None, None, reset=first, incremental=True)

    def _fit(self, X, y, classes, sample_weight, max_iter, coef_init, intercept_init, reset, incremental):
        self._check_params()
        X, y = validate_fit(self, X, y, dtype=[np.float64, np.float32], reset=reset, accept_sparse="csr")
        sparse = sp.issparse(X)
        if sparse:
            X = sp.csr_matrix(X)
        if reset:
            if classes is None:
                self.classes_, labels = encode_labels(y)
            else:
                self.classes_ = np.unique(np.asarray(classes))
        unknown = np.setdiff1d(np.unique(y), self.classes_)
        if len(unknown):
            raise ValueError(f"Perceptron: y has labels {unknown.tolist()} not in classes {self.classes_.tolist()}")
        if len(self.classes_) < 2:
            raise ValueError(f"Perceptron: y contains only one class ({self.classes_[0]!r}); a classifier needs "
                             "samples of at least 2 classes in the data")
        labels = np.searchsorted(self.classes_, y)
        K = len(self.classes_)
        n_out = 1 if K == 2 else K
        sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        class_weight = compute_class_weight(self.class_weight, classes=self.classes_, y=y)
        coef, intercept = self._start(X.shape[1], n_out, X.dtype, coef_init, intercept_init)
        rng = check_random_state(self.random_state)
        validation = None
        if self.early_stopping:
            split = StratifiedShuffleSplit(test_size=self.validation_fraction, random_state=self.random_state)
            train, held = next(split.split(np.zeros((len(labels), 1)), labels))
            validation = held
            keep = np.zeros(len(labels), bool)
            keep[train] = True
        else:
            keep = slice(None)
        seeds = [rng.randint(_MAX_INT)] if n_out == 1 else rng.randint(_MAX_INT, size=K)
        tol = -np.inf if self.tol is None else float(self.tol)
        decay = _SPARSE_INTERCEPT_DECAY if sparse else 1.0
        n_iters, errors, stopped_all = [], [], True  # type: ignore[var-annotated]
        for k in range(n_out):
            positive = 1 if n_out == 1 else k
            y_pm = np.where(labels == positive, 1.0, -1.0)
            weights = np.where(y_pm > 0, class_weight[positive], class_weight[0] if n_out == 1 else 1.0)
            gain = float(self.eta0) * y_pm * weights * sample_weight
            held = None
            if validation is not None:
                held = (X[validation], y_pm[validation], sample_weight[validation])
            coef[k], intercept[k], n_iter, errs, stopped = fit_binary(
                X[keep], y_pm[keep], gain[keep], coef[k], intercept[k], eta=float(self.eta0), alpha=float(self.alpha),
                l1_ratio=float(self.l1_ratio), penalty=self.penalty, max_iter=max_iter, tol=tol,
                n_iter_no_change=int(self.n_iter_no_change), shuffle=bool(self.shuffle), seed=int(seeds[k]),
                fit_intercept=bool(self.fit_intercept), intercept_decay=decay, validation=held,
                verbose=bool(self.verbose))
            n_iters.append(n_iter)
            stopped_all &= stopped
            for epoch, count in enumerate(errs):
                if epoch == len(errors):
                    errors.append(0)
                errors[epoch] += count
        self.n_iter_ = max(n_iters)
        self.errors_ = list(getattr(self, "errors_", [])) + errors
        self.t_ = getattr(self, "t_", 1.0) + self.n_iter_ * (X.shape[0] if validation is None else len(train))
        self.coef_, self.intercept_ = coef, intercept
        self.model_ = self._network(coef, intercept)
        if not incremental and tol > -np.inf and not stopped_all and self.n_iter_ == max_iter:
            warnings.warn(f"Perceptron: maximum number of iteration reached before convergence ({max_iter} epochs, "
                          f"{self.errors_[-1]} mistakes in the last). Consider increasing max_iter to improve the "
                          "fit; the data may not be linearly separable (e.g. XOR)", ConvergenceWarning)
        return self

    def _start(self, n_features, n_out, dtype, coef_init, intercept_init):
        """The starting weights: coef_init/intercept_init, the previous fit's (partial_fit), or zeros."""
        coef = np.zeros((n_out, n_features), dtype=dtype)
        intercept = np.zeros(n_out, dtype=np.float64)
        if coef_init is None and hasattr(self, "coef_"):
            coef_init, intercept_init = self.coef_, self.intercept_
        if coef_init is not None:
            coef_init = np.asarray(coef_init, dtype=dtype).reshape(n_out, -1) if np.size(coef_init) else coef_init
            if np.shape(coef_init) != coef.shape:
                raise ValueError(f"Perceptron: coef_init has shape {np.shape(coef_init)}, expected {coef.shape}")
            coef[...] = coef_init
        if intercept_init is not None:
            intercept[...] = np.asarray(intercept_init, dtype=np.float64).reshape(n_out)
        return coef, intercept

    def _network(self, coef, intercept):
        linear = nn.Linear(coef.shape[1], coef.shape[0], init="zeros", dtype=np.dtype(coef.dtype).name)
        linear.weight.data[...] = coef
        linear.bias.data[...] = intercept  # type: ignore[union-attr]
        return nn.Sequential(linear, nn.Step())

    def decision_function(self, X: ArrayLike) -> NDArray[Any]:
        """z = x Wᵀ + b, the signed (unnormalised) distance to each hyperplane.

        Shape: X: (m, n) → (m,) for two classes, (m, K) otherwise.
        """
        X = validate_predict(self, X, dtype=[np.float64, np.float32], accept_sparse="csr")
        if sp.issparse(X):
            z = np.asarray(X @ self.coef_.T) + self.intercept_
        else:
            with no_grad():
                z = self.model_[0].double()(Tensor(X, dtype="float64")).data if X.dtype == np.float64 and \
                    self.coef_.dtype == np.float64 else X @ self.coef_.T + self.intercept_
        return z[:, 0] if z.shape[1] == 1 else z

    def predict(self, X: ArrayLike) -> NDArray[Any]:
        """The class with z > 0 (two classes) or the largest z. Shape: X: (m, n) → (m,)."""
        z = self.decision_function(X)
        index = (z > 0).astype(np.int64) if z.ndim == 1 else z.argmax(axis=1)
        return self.classes_[index]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
