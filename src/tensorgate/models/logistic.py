"""Logistic regression (binary, one-vs-rest, softmax) on tensorgate's engine, with four solvers."""
import os
import warnings

import numpy as np
from scipy.optimize import minimize
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted

from .. import functional as F
from .. import nn, optim
from ..autograd import Tensor, no_grad
from ._base import check_one_of, check_positive, encode_labels, make_rng, validate_fit, validate_predict

__all__ = ["LogisticRegression", "SoftmaxRegression"]

_SOLVERS = ("lbfgs", "gd", "sgd", "adam")
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

    Solvers: ``'lbfgs'`` — SciPy's L-BFGS-B on the value and gradient computed by tensorgate's forward and
    backward pass, in float64 (converges as scikit-learn's default; stops when the largest gradient entry is
    below ``tol``); ``'gd'`` — full-batch gradient descent; ``'sgd'`` — mini-batch stochastic gradient
    descent; ``'adam'`` — mini-batch Adam. The three gradient solvers run in float32 for ``max_iter`` epochs
    and stop early once the epoch's objective has not improved by ``tol`` for 5 epochs.

    Parameters
    ----------
    penalty : {'l2', None}, default 'l2'
    C : float, default 1.0
        Inverse regularisation strength (``np.inf`` for none).
    solver : {'lbfgs', 'gd', 'sgd', 'adam'}, default 'lbfgs'
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
    X: (m, n); y: (m,) any labels; decision_function: (m,) for two classes, (m, K) otherwise;
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

    def __init__(self, penalty="l2", C=1.0, solver="lbfgs", max_iter=100, tol=1e-4, multi_class="auto",
                 fit_intercept=True, batch_size=32, learning_rate=None, random_state=None, verbose=False):
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

    # ---------------------------------------------------------------- fitting
    def _check_params(self):
        check_one_of(self, "penalty", self.penalty, ("l2", None, "none"))
        check_one_of(self, "solver", self.solver, _SOLVERS)
        check_one_of(self, "multi_class", self.multi_class, ("auto", "multinomial", "ovr"))
        check_positive(self, "C", self.C) if self.C != np.inf else None
        check_positive(self, "max_iter", self.max_iter, integer=True)
        check_positive(self, "tol", self.tol, allow_zero=True)
        check_positive(self, "batch_size", self.batch_size, integer=True)
        if self.learning_rate is not None:
            check_positive(self, "learning_rate", self.learning_rate)

    def fit(self, X, y):
        """Fit the weights to (X, y). Shape: X: (m, n), y: (m,). Returns self."""
        self._check_params()
        dtype = np.float64 if self.solver == "lbfgs" else np.float32
        X, y = validate_fit(self, X, y, dtype=dtype)
        self.classes_, labels = encode_labels(y)
        K = len(self.classes_)
        self._multinomial = self.multi_class == "multinomial" or (self.multi_class == "auto" and K > 2)
        n_out = K if (self._multinomial or K > 2) else 1
        # the convex problem starts at W = 0, b = 0 (and draws nothing from tensorgate's generator)
        self.model_ = nn.Linear(X.shape[1], n_out, bias=bool(self.fit_intercept), init="zeros",
                                dtype=dtype)
        if self._multinomial:
            target = labels
        else:
            target = np.zeros((len(labels), n_out), dtype=dtype)
            if n_out == 1:
                target[:, 0] = labels == 1
            else:
                target[np.arange(len(labels)), labels] = 1.0
        penalised = self.penalty == "l2" and np.isfinite(self.C)
        self._l2 = (1.0 / float(self.C)) / X.shape[0] if penalised else 0.0   # J's penalty: ‖W‖²·l2/2
        X_t = Tensor(X, dtype=dtype)
        if self.solver == "lbfgs":
            self._fit_lbfgs(X_t, target)
        else:
            self._fit_gradient(X, target, dtype)
        self._set_coef()
        return self

    def _objective(self, X, target, m=None):
        """J on a batch: the mean loss over the batch plus the penalty ‖W‖²/(2nC), as a scalar tensor."""
        z = self.model_(X)
        if self._multinomial:
            loss = F.cross_entropy(z, target)
        else:
            loss = F.binary_cross_entropy_with_logits(z, target, reduction="sum") * (1.0 / z.shape[0])
        if self._l2:
            w = self.model_.weight
            loss = loss + (w * w).sum() * (0.5 * self._l2)
        return loss

    def _fit_lbfgs(self, X, target):
        params = list(self.model_.parameters())
        shapes = [p.shape for p in params]
        sizes = [p.data.size for p in params]

        def value_and_grad(theta):
            offset = 0
            for p, size, shape in zip(params, sizes, shapes):
                p.data[...] = theta[offset:offset + size].reshape(shape)
                p._grad = None
                offset += size
            loss = self._objective(X, target)
            loss.backward()
            grad = np.concatenate([p._grad.reshape(-1) for p in params])
            return float(loss.item()), grad

        theta0 = np.concatenate([p.data.reshape(-1) for p in params])
        with _blas_threads_for_lbfgs(X.data.size * shapes[0][0]):
            result = minimize(value_and_grad, theta0, jac=True, method="L-BFGS-B",
                              options={"maxiter": int(self.max_iter), "maxls": 50, "gtol": float(self.tol),
                                       "ftol": 64 * np.finfo(float).eps})
        value_and_grad(result.x)
        self.loss_ = float(result.fun)
        self.n_iter_ = np.array([min(int(result.nit), int(self.max_iter))])
        if result.status == 1 or not result.success and result.nit >= self.max_iter:
            warnings.warn(f"{type(self).__name__}: lbfgs failed to converge after {self.max_iter} iterations "
                          "(status 1: iteration limit). Increase max_iter or scale the data.", ConvergenceWarning)

    def _fit_gradient(self, X, target, dtype):
        n = X.shape[0]
        lr = _DEFAULT_LR[self.solver] if self.learning_rate is None else float(self.learning_rate)
        params = list(self.model_.parameters())
        opt = optim.Adam(params, lr=lr) if self.solver == "adam" else optim.SGD(params, lr=lr)
        batch = n if self.solver == "gd" else min(int(self.batch_size), n)
        rng = make_rng(self.random_state)
        best, stale, epoch = np.inf, 0, 0
        converged = False
        for epoch in range(1, int(self.max_iter) + 1):
            order = rng.permutation(n) if batch < n else np.arange(n)
            total = 0.0
            for start in range(0, n, batch):
                idx = order[start:start + batch]
                loss = self._objective(Tensor(X[idx], dtype=dtype), target[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += loss.item() * len(idx)
            epoch_loss = total / n
            if self.verbose:
                print(f"epoch {epoch}: objective {epoch_loss:.6f}")
            if not np.isfinite(epoch_loss):
                raise FloatingPointError(f"{type(self).__name__}: the objective diverged to {epoch_loss} at epoch "
                                         f"{epoch}; lower learning_rate (it is {lr})")
            stale = stale + 1 if epoch_loss > best - self.tol else 0
            best = min(best, epoch_loss)
            if stale >= 5:
                converged = True
                break
        with no_grad():
            self.loss_ = float(self._objective(Tensor(X, dtype=dtype), target).item())
        self.n_iter_ = np.array([epoch])
        if not converged:
            warnings.warn(f"{type(self).__name__}: solver {self.solver!r} reached max_iter={self.max_iter} epochs "
                          "before the objective stopped improving; increase max_iter", ConvergenceWarning)

    def _set_coef(self):
        W = self.model_.weight.data.astype(np.float64)
        b = self.model_.bias.data.astype(np.float64) if self.fit_intercept else np.zeros(W.shape[0])
        if self._multinomial and len(self.classes_) == 2:     # softmax with 2 outputs: z₁ − z₀ decides
            W, b = W[1:] - W[:1], b[1:] - b[:1]
        self.coef_, self.intercept_ = W, b

    # ---------------------------------------------------------------- predicting
    def _logits(self, X):
        """z = x Wᵀ + b in float64 (float32-trained weights are widened, so that a row's z does not depend
        in its last bits on the rows that came with it). Shape: (m, n) → (m, outputs)."""
        check_is_fitted(self)
        X = validate_predict(self, X, dtype=np.float64)
        W = Tensor(self.model_.weight.data, dtype="float64")
        b = Tensor(self.model_.bias.data, dtype="float64") if self.fit_intercept else None
        with no_grad():
            return F.linear(Tensor(X, dtype="float64"), W, b).data

    def decision_function(self, X):
        """z = x Wᵀ + b. Shape: X: (m, n) → (m,) for two classes (z of the positive class), else (m, K)."""
        z = self._logits(X)
        if z.shape[1] == 1:
            return z[:, 0]
        if len(self.classes_) == 2:
            return z[:, 1] - z[:, 0]
        return z

    def predict_proba(self, X):
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

    def predict_log_proba(self, X):
        """log of :meth:`predict_proba`. Shape: X: (m, n) → (m, K)."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
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

    def __init__(self, penalty="l2", C=1.0, solver="lbfgs", max_iter=100, tol=1e-4, fit_intercept=True,
                 batch_size=32, learning_rate=None, random_state=None, verbose=False):
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
