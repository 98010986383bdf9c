"""Logistic regression (binary, one-vs-rest, softmax) on tensorgate's engine, with four solvers."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import os
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.validation import _check_sample_weight, check_is_fitted

from .. import functional as F
from .. import nn, optim
from ..autograd import Tensor, no_grad
from ..training import Callback, Trainer
from ._base import check_one_of, check_positive, encode_labels, make_rng, validate_fit, validate_predict
from ._logistic_solvers import LogisticLoss, fista, lbfgs
from ._mlp_training import MLPObjective

if TYPE_CHECKING:
    from typing import Mapping

    from numpy.typing import ArrayLike, NDArray
    from typing_extensions import Self

__all__ = ["LogisticRegression", "SoftmaxRegression"]

_SOLVERS = ("lbfgs", "saga", "gd", "sgd", "adam")
_DEFAULT_LR = {"gd": 0.5, "sgd": 0.05, "adam": 0.01}


#: below this many multiply-adds per gradient (m·n·outputs), one BLAS thread beats two
SMALL_PROBLEM = 10_000_000
_controller = None


def _blas_threads_for_lbfgs(work):
    """Limit BLAS thread pools while SciPy's L-BFGS-B runs on the engine's gradients.

    SciPy ships its own OpenBLAS next to NumPy's. Between L-BFGS-B's calls into its pool and the engine's
    matrix products in NumPy's, the idle threads of one pool spin while the other works, and on 2 cores
    they fight for the CPU: measured here on digits (1347 × 64, 10 classes), softmax regression took
    0.7–2.4 s with both pools at 2 threads, 0.8–1.0 s with SciPy's at 1, and 0.08–0.17 s with all at 1.
    So SciPy's pool (whose work, O(number of weights) vector updates, needs no threads) always gets one
    thread, and NumPy's too unless the gradient is a large product (``work`` ≥ :data:`SMALL_PROBLEM`).
    """
    global _controller
    from threadpoolctl import ThreadpoolController

    if _controller is None:
        _controller = ThreadpoolController()
    if work < SMALL_PROBLEM:
        return _controller.limit(limits=1, user_api="blas")
    others = [lib.filepath for lib in _controller.lib_controllers
              if lib.user_api == "blas" and not os.path.basename(os.path.dirname(lib.filepath)).startswith("numpy")]
    return _controller.limit(limits={path: 1 for path in others} if others else None, user_api="blas")


class _Plateau(Callback):
    """Stop once the epoch's objective has not fallen below the best − tol for ``patience`` epochs.

    Shape: not applicable.
    """

    def __init__(self, tol: float, patience: int, verbose: bool | int, name: str, lr: float):
        self.tol, self.patience, self.verbose, self.name, self.lr = float(tol), patience, verbose, name, lr
        self.best, self.stale, self.stopped = np.inf, 0, False

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        value = float(logs["loss"])  # type: ignore[index]
        if self.verbose:
            print(f"epoch {epoch + 1}: objective {value:.6f}")
        if not np.isfinite(value):
            raise FloatingPointError(f"{self.name}: the objective diverged to {value} at epoch {epoch + 1}; lower "
                                     f"learning_rate (it is {self.lr})")
        self.stale = self.stale + 1 if value > self.best - self.tol else 0
        self.best = min(self.best, value)
        if self.stale >= self.patience:
            self.stopped = True
            self.trainer.stop_training = True  # type: ignore[union-attr]


class LogisticRegression(ClassifierMixin, BaseEstimator):
    r"""Logistic regression: a single neuron z = x Wᵀ + b with a sigmoid (binary) or softmax (multi-class).

    Trained by maximum likelihood under a Bernoulli (categorical) model, i.e. by minimising the
    cross-entropy, with scikit-learn's L2 penalty. The objective is exactly scikit-learn's, divided by n:

    .. code-block:: text

        J(W, b) = (1/n) Σᵢ ℓ(zᵢ, yᵢ) + ‖W‖² / (2 n C)      (the intercept b is not penalised)

    which has the same minimiser as scikit-learn's C Σᵢ ℓᵢ + ½‖W‖². The decision boundary {z = 0} (binary)
    is a hyperplane in x-space; put :class:`PolynomialFeatures` in front for curved boundaries.

    Multi-class (``multi_class``):

    * ``'multinomial'`` — softmax regression: K outputs, ℓ = cross-entropy of softmax(z), ‖W‖² over all
      K rows (as scikit-learn's multinomial loss);
    * ``'ovr'`` — one-vs-rest: K independent sigmoid outputs, ℓ = Σₖ BCE(zₖ, [y = k]); the K binary problems
      decouple, so fitting them jointly finds each one's own optimum; ``predict_proba`` normalises the K
      sigmoids to sum to 1 (as scikit-learn's OvR);
    * ``'auto'`` — binary (one sigmoid output) for 2 classes, multinomial for more.

    With sample weights sᵢ (times the class weights) the mean becomes Σ sᵢℓᵢ/S and n becomes S = Σ sᵢ, as
    in scikit-learn; 'l1' and 'elasticnet' add r‖W‖₁/(CS) and keep (1 − r)‖W‖²/(2CS) (r = 1 for 'l1',
    ``l1_ratio`` for 'elasticnet').

    Solvers: ``'lbfgs'`` — SciPy's L-BFGS-B on J and its gradient, fused in float64 NumPy (the gradient the
    engine's fused gates give, (p − y)·s/S, as two matrix products; see
    :mod:`tensorgate.models._logistic_solvers`), as scikit-learn's default; it stops when the largest
    gradient entry is below ``tol``. ``'saga'`` — for 'l1' and 'elasticnet' (and 'l2'): the same
    minimiser as scikit-learn's SAGA, reached by FISTA, accelerated proximal gradient descent (soft
    thresholding sets weights exactly to 0), stopping as SAGA does when no weight moved by more than tol
    times the largest; ``n_iter_`` counts its full-gradient iterations. ``'gd'`` — full-batch gradient
    descent; ``'sgd'`` — mini-batch stochastic gradient descent; ``'adam'`` — mini-batch Adam: these three
    run tensorgate's training loop (:class:`tensorgate.training.Trainer`) in X's float dtype for
    ``max_iter`` epochs and stop once the epoch's objective has not improved by ``tol`` for 5 epochs.
    Solver and penalty combinations scikit-learn refuses ('l1' with 'lbfgs', ...) raise its error.

    Parameters
    ----------
    penalty : {'l2', 'l1', 'elasticnet', None}, default 'deprecated'
        As in scikit-learn 1.8 and later: left out, the penalty follows ``l1_ratio`` (None or 0: 'l2', 1:
        'l1', in between: 'elasticnet'; ``C=np.inf`` for none). Given, it means what it meant before
        scikit-learn 1.8, and ``l1_ratio`` counts only for 'elasticnet' (a warning says so otherwise).
    C : float, default 1.0
        Inverse regularisation strength (``np.inf`` for none).
    solver : {'lbfgs', 'saga', 'gd', 'sgd', 'adam'}, default 'lbfgs'
    max_iter : int, default 100
        L-BFGS iterations, or epochs for the gradient solvers.
    tol : float, default 1e-4
    multi_class : {'auto', 'multinomial', 'ovr'}, default 'auto'
    fit_intercept : bool, default True
    batch_size : int, default 32
        Mini-batch size of 'sgd' and 'adam' (capped at n).
    learning_rate : float or None, default None
        Step size of 'gd' (default 0.5), 'sgd' (0.05), 'adam' (0.01).
    random_state : int, RandomState, Generator or None
        Shuffling of the mini-batches.
    verbose : bool, default False
        Print the objective every epoch (gradient solvers).
    class_weight : dict, 'balanced' or None
        Multiplies each example's weight by its class's; 'balanced': S/(K·(weight of the class)).
    warm_start : bool, default False
        ``fit`` starts from the previous solution (solvers 'lbfgs' and 'saga', as scikit-learn).
    l1_ratio : float or None
        The L1 share r of the penalty, in [0, 1]: r·‖w‖₁ + (1 − r)·½‖w‖² (see ``penalty``).

    Attributes
    ----------
    classes_ : ndarray of shape (K,)
    coef_ : ndarray of shape (1, n) for two classes, (K, n) otherwise
    intercept_ : ndarray of shape (1,) or (K,)
    n_features_in_ : int
    n_iter_ : ndarray of shape (1,)
        Iterations (L-BFGS) or epochs run.
    loss_ : float
        Final value of the objective J.
    model_ : tensorgate.nn.Linear
        The trained neuron (weights W of shape (outputs, n), bias b).

    Shape
    -----
    X: (m, n) (SciPy sparse too, with 'lbfgs' and 'saga'); y: (m,) any labels; sample_weight: (m,);
    decision_function: (m,) for two classes, (m, K) otherwise;
    predict_proba: (m, K). W: (outputs, n), z = x Wᵀ + b (the lecture's z = wᵀx + b per column example).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[-2.0], [-1.0], [1.0], [2.0]]); y = np.array(["no", "no", "yes", "yes"])
    >>> clf = LogisticRegression().fit(X, y)
    >>> clf.predict([[-3.0], [3.0]]).tolist()
    ['no', 'yes']
    >>> clf.coef_.shape, clf.predict_proba([[0.0]]).round(2).tolist()
    ((1, 1), [[0.5, 0.5]])
    """

    def __init__(self, penalty: str | None = "deprecated", C: float = 1.0, solver: str = "lbfgs", max_iter: int = 100,
                 tol: float = 1e-4, multi_class: str = "auto", fit_intercept: bool = True, batch_size: int | None = 32,
                 learning_rate: float | None = None,
                 random_state: int | np.random.RandomState | np.random.Generator | None = None,
                 verbose: bool | int = False, class_weight: Mapping[Any, float] | str | None = None,
                 warm_start: bool = False, l1_ratio: float | None = None):
        self.penalty = penalty
        self.C = C
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.multi_class = multi_class
        self.fit_intercept = fit_intercept
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.random_state = random_state
        self.verbose = verbose
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.l1_ratio = l1_ratio

    # ---------------------------------------------------------------- fitting
    def _check_params(self):
        check_one_of(self, "penalty", self.penalty, ("deprecated", "l2", "l1", "elasticnet", None, "none"))
        check_one_of(self, "solver", self.solver, _SOLVERS)
        check_one_of(self, "multi_class", self.multi_class, ("auto", "multinomial", "ovr"))
        check_positive(self, "C", self.C) if self.C != np.inf else None
        check_positive(self, "max_iter", self.max_iter, integer=True)
        check_positive(self, "tol", self.tol, allow_zero=True)
        check_positive(self, "batch_size", self.batch_size, integer=True)
        if self.learning_rate is not None:
            check_positive(self, "learning_rate", self.learning_rate)
        penalty = self._penalty_in_use()
        # scikit-learn's own messages for the combinations it refuses
        if penalty not in ("l2", None) and self.solver != "saga":
            raise ValueError(f"Solver {self.solver} supports only 'l2' or None penalties, got {penalty} penalty.")
        if penalty == "elasticnet":
            if self.l1_ratio is None or isinstance(self.l1_ratio, bool) or not 0 <= self.l1_ratio <= 1:
                raise ValueError(f"l1_ratio must be a number in [0, 1] when penalty is elasticnet, "
                                 f"got {self.l1_ratio!r}.")
        return penalty

    def _penalty_in_use(self):
        """The penalty that ``penalty`` and ``l1_ratio`` ask for, read as scikit-learn (1.8 and later) reads them."""
        ratio = self.l1_ratio
        if self.penalty == "deprecated":          # left out: l1_ratio decides
            if ratio is None or ratio == 0:
                return "l2"
            if isinstance(ratio, bool) or not 0 <= ratio <= 1:
                raise ValueError(f"l1_ratio must be a number in [0, 1], got {ratio!r}.")
            return "l1" if ratio == 1 else "elasticnet"
        if ratio is not None and self.penalty != "elasticnet":
            warnings.warn(f"l1_ratio parameter is only used when penalty is 'elasticnet'. Got (penalty={self.penalty})")
        return None if self.penalty == "none" else self.penalty

    def fit(self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None) -> Self:
        """Fit the weights to (X, y). Shape: X: (m, n), y: (m,), sample_weight: (m,). Returns self."""
        penalty = self._check_params()
        full_batch = self.solver in ("lbfgs", "saga")
        dtype = [np.float64, np.float32]          # the full-batch solvers' products in X's dtype, θ in float64
        X, y = validate_fit(self, X, y, dtype=dtype, accept_sparse="csr" if full_batch else False)
        self._input_dtype = X.dtype
        previous = (self.coef_, self.intercept_, self.classes_) if self.warm_start and hasattr(self, "coef_") else None  # type: ignore[has-type]
        self.classes_, labels = encode_labels(y)
        K = len(self.classes_)
        self._multinomial = self.multi_class == "multinomial" or (self.multi_class == "auto" and K > 2)
        n_out = K if (self._multinomial or K > 2) else 1
        weights = _check_sample_weight(sample_weight, X, dtype=np.float64)
        if self.class_weight is not None:
            weights = weights * compute_class_weight(self.class_weight, classes=self.classes_, y=y,
                                                     sample_weight=weights)[labels]
        if self._multinomial:
            target = labels
        else:
            target = np.zeros((len(labels), n_out), dtype=X.dtype)
            if n_out == 1:
                target[:, 0] = labels == 1
            else:
                target[np.arange(len(labels)), labels] = 1.0
        strength = 0.0 if penalty is None or not np.isfinite(self.C) else 1.0 / float(self.C)
        ratio = {"l1": 1.0, "elasticnet": float(self.l1_ratio or 0.0)}.get(penalty, 0.0)
        if full_batch:
            W, b = self._fit_full_batch(X, target, weights, n_out, strength, ratio, previous)
        else:
            W, b = self._fit_gradient(X, target, weights, n_out, strength)
        # the convex problem's weights sit in an nn.Linear (z = x Wᵀ + b), which computes decision_function
        self.model_ = nn.Linear(X.shape[1], n_out, bias=bool(self.fit_intercept), init="zeros",
                                dtype=np.dtype(W.dtype).name)
        self.model_.weight.data[...] = W
        if self.fit_intercept:
            self.model_.bias.data[...] = b  # type: ignore[union-attr]
        self._set_coef()
        return self

    def _start(self, previous, n_out, d):
        """θ₀ = 0 (the convex problem has one minimum), or the previous solution with warm_start."""
        theta = np.zeros(n_out * d + (n_out if self.fit_intercept else 0))
        if previous is None:
            return theta
        coef, intercept, classes = previous
        if not np.array_equal(classes, self.classes_) or coef.shape[1] != d:
            return theta
        if self._multinomial and len(classes) == 2:      # coef_ kept z₁ − z₀: put it on the second row
            coef = np.vstack([np.zeros_like(coef), coef])
            intercept = np.concatenate([[0.0], intercept])
        if coef.shape[0] != n_out:
            return theta
        theta[:n_out * d] = coef.reshape(-1)
        if self.fit_intercept:
            theta[n_out * d:] = intercept
        return theta

    def _fit_full_batch(self, X, target, weights, n_out, strength, ratio, previous):
        total = float(weights.sum())
        kind = "multinomial" if self._multinomial else "binary"
        loss = LogisticLoss(X, target, weights, kind, n_out, bool(self.fit_intercept),
                            l2=(1.0 - ratio) * strength / total)
        theta0 = self._start(previous, n_out, X.shape[1])
        if self.solver == "lbfgs":
            with _blas_threads_for_lbfgs(X.shape[0] * X.shape[1] * n_out):
                result = lbfgs(loss, theta0, self.max_iter, self.tol)
            theta, iterations = result.x, min(int(result.nit), int(self.max_iter))
            self.loss_ = float(result.fun)
            converged = result.status != 1 and (result.success or result.nit < self.max_iter)
            message = "lbfgs failed to converge after {} iterations (status 1: iteration limit)"
        else:
            theta, iterations, converged = fista(loss, theta0, ratio * strength / total, self.max_iter, self.tol)
            self.loss_ = loss(theta)[0] + ratio * strength / total * float(np.abs(theta[:n_out * X.shape[1]]).sum())
            message = "saga (FISTA) did not converge within max_iter={} iterations"
        self.n_iter_ = np.array([iterations])
        if not converged:
            warnings.warn(f"{type(self).__name__}: {message.format(self.max_iter)}. Increase max_iter or scale "
                          "the data.", ConvergenceWarning)
        return loss.split(theta)[0].copy(), (loss.split(theta)[1] if self.fit_intercept else None)

    def _fit_gradient(self, X, target, weights, n_out, strength):
        """'gd', 'sgd', 'adam': tensorgate's training loop on J, with a plateau rule as callback."""
        n = X.shape[0]
        dtype = X.dtype
        lr = _DEFAULT_LR[self.solver] if self.learning_rate is None else float(self.learning_rate)
        model = nn.Linear(X.shape[1], n_out, bias=bool(self.fit_intercept), init="zeros", dtype=dtype.name)
        params = list(model.parameters())
        opt = optim.Adam(params, lr=lr) if self.solver == "adam" else optim.SGD(params, lr=lr)
        batch = n if self.solver == "gd" else min(int(self.batch_size), n)  # type: ignore[arg-type]
        weighted = not np.all(weights == 1.0)
        total = float(weights.sum())
        objective = MLPObjective("log_loss" if self._multinomial else "binary_log_loss", [model.weight], 0.0,
                                 weighted=weighted, fixed_l2=strength / total)
        if weighted:       # each example's weight travels as the target's last column (a batch: Σ sᵢℓᵢ / Σ sᵢ)
            columns = target.reshape(n, -1).astype(dtype)
            target = np.hstack([columns, weights[:, None].astype(dtype)])
        plateau = _Plateau(self.tol, patience=5, verbose=self.verbose, name=type(self).__name__, lr=lr)
        trainer = Trainer(model, objective, opt, metrics=(), callbacks=[plateau], verbose=False,
                          run_eagerly=True if weighted else None)
        trainer.shuffle_rng = make_rng(self.random_state)
        trainer.fit((X, target), epochs=int(self.max_iter), batch_size=batch, shuffle=batch < n)
        with no_grad():
            self.loss_ = float(objective(model(Tensor(X, dtype=dtype.name)), Tensor(target, dtype=target.dtype)).item())
        self.n_iter_ = np.array([len(trainer.history.epoch)])
        if not plateau.stopped:
            warnings.warn(f"{type(self).__name__}: solver {self.solver!r} reached max_iter={self.max_iter} epochs "
                          "before the objective stopped improving; increase max_iter", ConvergenceWarning)
        return model.weight.data.copy(), (model.bias.data.copy() if self.fit_intercept else None)  # type: ignore[union-attr]

    def _set_coef(self):
        W = self.model_.weight.data.copy()
        b = self.model_.bias.data.copy() if self.fit_intercept else np.zeros(W.shape[0], dtype=W.dtype)  # type: ignore[union-attr]
        if self._multinomial and len(self.classes_) == 2:     # softmax with 2 outputs: z₁ − z₀ decides
            W, b = W[1:] - W[:1], b[1:] - b[:1]
        # in X's float dtype, as scikit-learn's (the full-batch solvers keep θ in float64 while they run)
        dtype = getattr(self, "_input_dtype", W.dtype)
        self.coef_, self.intercept_ = W.astype(dtype, copy=False), b.astype(dtype, copy=False)

    # ---------------------------------------------------------------- predicting
    def _logits(self, X):
        """z = x Wᵀ + b in float64 (float32-trained weights are widened, so that a row's z does not depend
        in its last bits on the rows that came with it). Shape: (m, n) → (m, outputs)."""
        check_is_fitted(self)
        X = validate_predict(self, X, dtype=np.float64, accept_sparse="csr")
        if sp.issparse(X):
            z = np.asarray(X @ self.model_.weight.data.T.astype(np.float64))
            return z + self.model_.bias.data if self.fit_intercept else z  # type: ignore[union-attr]
        W = Tensor(self.model_.weight.data, dtype="float64")
        b = Tensor(self.model_.bias.data, dtype="float64") if self.fit_intercept else None  # type: ignore[union-attr]
        with no_grad():
            return F.linear(Tensor(X, dtype="float64"), W, b).data

    def decision_function(self, X: ArrayLike) -> NDArray[Any]:
        """z = x Wᵀ + b. Shape: X: (m, n) → (m,) for two classes (z of the positive class), else (m, K)."""
        z = self._logits(X)
        if z.shape[1] == 1:
            return z[:, 0]
        if len(self.classes_) == 2:
            return z[:, 1] - z[:, 0]
        return z

    def predict_proba(self, X: ArrayLike) -> NDArray[Any]:
        """Class probabilities: σ(z) (binary), softmax(z) (multinomial), normalised σ(zₖ) (ovr).

        Shape: X: (m, n) → (m, K), rows summing to 1.
        """
        z = self._logits(X)
        if self._multinomial:
            return F.softmax(Tensor(z, dtype=np.float64), axis=1).data
        p = F.sigmoid(Tensor(z, dtype=np.float64)).data
        if p.shape[1] == 1:
            return np.hstack([1.0 - p, p])
        return p / p.sum(axis=1, keepdims=True)

    def predict_log_proba(self, X: ArrayLike) -> NDArray[Any]:
        """log of :meth:`predict_proba`. Shape: X: (m, n) → (m, K)."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = self.solver in ("lbfgs", "saga")     # the full-batch solvers take CSR
        return tags

    def predict(self, X: ArrayLike) -> NDArray[Any]:
        """The most probable class label. Shape: X: (m, n) → (m,)."""
        z = self._logits(X)
        index = (z[:, 0] > 0).astype(np.int64) if z.shape[1] == 1 else z.argmax(axis=1)
        return self.classes_[index]


class SoftmaxRegression(LogisticRegression):
    """Softmax regression: :class:`LogisticRegression` with ``multi_class='multinomial'`` fixed.

    K outputs z = x Wᵀ + b, p = softmax(z), trained with the cross-entropy −log p_y plus the L2 penalty
    ‖W‖²/(2nC). Takes every parameter of :class:`LogisticRegression` but ``multi_class``.

    Shape
    -----
    X: (m, n); W: (K, n); predict_proba: (m, K).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]] * 3); y = np.array([0, 1, 2] * 3)
    >>> SoftmaxRegression(C=100.0).fit(X, y).predict([[5.0, 0.0], [0.0, 5.0]]).tolist()
    [1, 2]
    """

    multi_class = "multinomial"

    def __init__(self, penalty: str | None = "deprecated", C: float = 1.0, solver: str = "lbfgs", max_iter: int = 100,
                 tol: float = 1e-4, fit_intercept: bool = True, batch_size: int | None = 32,
                 learning_rate: float | None = None,
                 random_state: int | np.random.RandomState | np.random.Generator | None = None,
                 verbose: bool | int = False, class_weight: Mapping[Any, float] | str | None = None,
                 warm_start: bool = False, l1_ratio: float | None = None):
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.l1_ratio = l1_ratio
        self.penalty = penalty
        self.C = C
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.fit_intercept = fit_intercept
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.random_state = random_state
        self.verbose = verbose
