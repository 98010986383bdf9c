"""Multi-layer perceptrons with scikit-learn's interface, built from tensorgate's nn and optim."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import copy
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _check_sample_weight, check_random_state, column_or_1d

from .. import functional as F
from .. import nn, optim
from ..autograd import Tensor, no_grad
from ..training import Trainer
from ._base import check_one_of, check_positive, encode_labels, is_multilabel, validate_fit, validate_predict
from ._mlp_training import MLPObjective, ScikitLearnStopping, fit_lbfgs, init_like_sklearn

if TYPE_CHECKING:
    from typing import Sequence

    from numpy.typing import ArrayLike, NDArray
    from typing_extensions import Self

__all__ = ["MLPClassifier", "MLPRegressor"]

_ACTIVATIONS = {
    "relu": nn.ReLU, "tanh": nn.Tanh, "logistic": nn.Sigmoid, "sigmoid": nn.Sigmoid, "identity": nn.Identity,
    "leaky_relu": nn.LeakyReLU, "gelu": nn.GELU,
}


class _BaseMLP(BaseEstimator):
    """The network, its training through tensorgate's loop and scikit-learn's stopping rule."""

    _loss_name = None

    def __init__(self, hidden_layer_sizes: int | Sequence[int] = (100,), activation: str = "relu", *,
                 solver: str = "adam", alpha: float = 1e-4, batch_size: int | str = "auto",
                 learning_rate: str = "constant", learning_rate_init: float = 1e-3, power_t: float = 0.5,
                 max_iter: int = 200, shuffle: bool = True,
                 random_state: int | np.random.RandomState | np.random.Generator | None = None, tol: float = 1e-4,
                 verbose: bool | int = False, warm_start: bool = False, momentum: float = 0.9,
                 nesterovs_momentum: bool = True, early_stopping: bool = False, validation_fraction: float = 0.1,
                 beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-8, n_iter_no_change: int = 10,
                 max_fun: int = 15000, init: str = "glorot"):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.init = init

    # ---------------------------------------------------------------- checks and the network
    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, (int, np.integer)) else list(sizes)
        for h in sizes:
            if isinstance(h, bool) or not isinstance(h, (int, np.integer)) or h <= 0:
                raise ValueError(f"{type(self).__name__}: hidden_layer_sizes must hold positive integers, "
                                 f"got {self.hidden_layer_sizes!r}")
        return [int(h) for h in sizes]

    def _check_params(self):
        check_one_of(self, "activation", self.activation, tuple(_ACTIVATIONS))
        check_one_of(self, "init", self.init, ("glorot", "he", "lecun"))
        check_one_of(self, "solver", self.solver, ("adam", "sgd", "lbfgs"))
        check_one_of(self, "learning_rate", self.learning_rate, ("constant", "invscaling", "adaptive"))
        check_positive(self, "alpha", self.alpha, allow_zero=True)
        check_positive(self, "learning_rate_init", self.learning_rate_init)
        check_positive(self, "power_t", self.power_t, allow_zero=True)
        check_positive(self, "max_iter", self.max_iter, integer=True)
        check_positive(self, "max_fun", self.max_fun, integer=True)
        check_positive(self, "n_iter_no_change", self.n_iter_no_change, integer=True)
        check_positive(self, "tol", self.tol, allow_zero=True)
        check_positive(self, "epsilon", self.epsilon)
        for name in ("beta_1", "beta_2", "momentum"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not 0 <= value < 1:
                raise ValueError(f"{type(self).__name__}: {name} must be in [0, 1), got {value!r}")
        if self.batch_size != "auto":
            check_positive(self, "batch_size", self.batch_size, integer=True)
        if not 0.0 < self.validation_fraction < 1.0:
            raise ValueError(f"{type(self).__name__}: validation_fraction must be in (0, 1), "
                             f"got {self.validation_fraction!r}")
        return self._hidden_sizes()

    def _build(self, n_in, n_out, dtype, rng):
        """Sequential(Linear, activation, ..., Linear): the last layer outputs logits (or values)."""
        sizes = [n_in] + self._check_params() + [n_out]
        layers = []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(nn.Linear(a, b, init="zeros", dtype=np.dtype(dtype).name))
            if i < len(sizes) - 2:
                layers.append(_ACTIVATIONS[self.activation]())  # type: ignore[arg-type]
        model = nn.Sequential(*layers)
        init_like_sklearn(model, rng, self.init, self.activation)
        return model

    # ---------------------------------------------------------------- training
    def _fit(self, X, target, n_out, sample_weight=None, stratify=None, incremental=False):
        """Train ``self.model_`` on (X, target): a fresh network unless warm_start or partial_fit continues one.

        Stochastic solvers run :class:`tensorgate.training.Trainer` (the library's training loop, with its
        replayed step) with :class:`ScikitLearnStopping` as callback; 'lbfgs' runs SciPy's L-BFGS-B on the
        engine's gradients.
        """
        self._check_params()
        rng = check_random_state(self.random_state)       # scikit-learn's generator: its initial weights
        first = not hasattr(self, "model_") or not (self.warm_start or incremental)
        if not first and self.model_[0].weight.shape[1] != X.shape[1]:  # type: ignore[has-type]
            raise ValueError(f"{type(self).__name__}: X has {X.shape[1]} features, but the network continued by "
                             f"warm_start or partial_fit takes {self.model_[0].weight.shape[1]}")  # type: ignore[has-type]
        if first:
            self.model_ = self._build(X.shape[1], n_out, X.dtype, rng)
            self.loss_curve_, self.t_, self._no_improvement_count = [], 0, 0
            self.best_loss_, self.best_validation_score_ = np.inf, -np.inf
            self.validation_scores_ = []
            self._optimizer = None
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype)
        weights = [m.weight for m in self.model_ if isinstance(m, nn.Linear)]
        objective = MLPObjective(self._loss_kind(), weights, self.alpha, weighted=sample_weight is not None)
        if sample_weight is not None:       # the weights travel as the target's last column
            columns = target.reshape(len(target), -1).astype(X.dtype)
            target = np.hstack([columns, sample_weight[:, None]])
        if self.solver == "lbfgs":
            self._fit_lbfgs(X, target, objective)
        else:
            self._fit_stochastic(X, target, objective, rng, stratify, incremental, sample_weight is not None)
        for p in self.model_.parameters():
            if not np.all(np.isfinite(p.data)):
                raise ValueError(f"{type(self).__name__}: the solver produced non-finite weights; the input may "
                                 "contain large values and need scaling")
        self.n_layers_ = len(weights) + 1

    def _fit_lbfgs(self, X, target, objective):
        result = fit_lbfgs(self.model_, objective, X, target, self.max_iter, self.max_fun, self.tol)
        self.n_iter_ = min(int(result.nit), int(self.max_iter))
        self.loss_ = float(result.fun)
        self.loss_curve_ = self.validation_scores_ = self.best_validation_score_ = None  # type: ignore[assignment]
        self.best_loss_ = None  # type: ignore[assignment]
        if result.status != 0:
            warnings.warn(f"{type(self).__name__}: lbfgs failed to converge (status {result.status}): "
                          f"{result.message}. Increase max_iter or max_fun, or scale the data.", ConvergenceWarning)

    def _fit_stochastic(self, X, target, objective, rng, stratify, incremental, weighted):
        if self.early_stopping and incremental:
            raise ValueError(f"{type(self).__name__}: partial_fit does not support early_stopping=True")
        if self.loss_curve_ is None:        # continuing an lbfgs fit with a stochastic solver
            self.loss_curve_, self.best_loss_, self.validation_scores_ = [], np.inf, []
            self.best_validation_score_, self._no_improvement_count = -np.inf, 0
        validation = None
        if self.early_stopping:
            X, X_val, target, y_val = train_test_split(X, target, random_state=rng,
                                                       test_size=self.validation_fraction, stratify=stratify)
            if X_val.shape[0] < 2:
                raise ValueError(f"{type(self).__name__}: the validation set is too small; increase "
                                 "validation_fraction or the size of the data")
            validation = (X_val, y_val[:, :-1] if weighted else y_val)
            self._best_state = None
        n = X.shape[0]
        batch = min(200, n) if self.batch_size == "auto" else min(int(self.batch_size), n)
        if self._optimizer is None or not incremental:   # fit (warm_start too) starts a new optimiser
            params = list(self.model_.parameters())
            lr = float(self.learning_rate_init)
            if self.solver == "adam":
                self._optimizer = optim.Adam(params, lr=lr, betas=(float(self.beta_1), float(self.beta_2)),
                                             eps=float(self.epsilon))
            else:
                self._optimizer = optim.SGD(params, lr=lr, momentum=float(self.momentum),
                                            nesterov=bool(self.nesterovs_momentum) and self.momentum > 0)
        self.n_iter_ = 0
        stopping = ScikitLearnStopping(self, n, validation)
        trainer = Trainer(self.model_, objective, self._optimizer, metrics=(), callbacks=[stopping], verbose=False,
                          run_eagerly=True if weighted else None)
        trainer.shuffle_rng = rng           # RandomState.permutation: the loop draws its order from random_state
        trainer.fit((X, target), epochs=1 if incremental else int(self.max_iter), batch_size=batch,
                    shuffle=bool(self.shuffle))
        if self.early_stopping:
            if self._best_state is not None:    # keep the best validated weights
                for p, data in zip(self.model_.parameters(), self._best_state):
                    p.data[...] = data
            self.best_loss_ = None  # type: ignore[assignment]
        else:
            self.validation_scores_ = self.best_validation_score_ = None  # type: ignore[assignment]
        if not incremental and not stopping.stopped and self.n_iter_ == self.max_iter:
            warnings.warn(f"{type(self).__name__}: stochastic optimizer: maximum iterations ({self.max_iter}) "
                          "reached and the optimization hasn't converged yet.", ConvergenceWarning)

    def _forward(self, X, exact=True):
        """The network's output for validated X, computed without a graph. Shape: (m, n) → (m, n_out).

        With ``exact`` (predictions) a float32 network runs as a float64 copy: in float32 a row's output
        can change in its last bits with the batch around it (BLAS kernels round differently at block
        edges), and a prediction should not depend on which other rows came with it.
        """
        model = self.model_
        if exact and model[0].weight.dtype != np.float64:
            model = copy.deepcopy(model).double()
        dtype = model[0].weight.dtype
        with no_grad():
            return model(Tensor(np.asarray(X, dtype=dtype), dtype=dtype.name)).data

    # ---------------------------------------------------------------- inspection
    @property
    def coefs_(self) -> list[NDArray[Any]]:
        """Weight matrices as scikit-learn stores them: coefs_[i] has shape (n_in, n_out) (Wᵀ)."""
        return [m.weight.data.T for m in self.model_ if isinstance(m, nn.Linear)]

    @property
    def intercepts_(self) -> list[NDArray[Any]]:
        """Bias vectors b of each layer. Shape: intercepts_[i]: (n_out,)."""
        return [m.bias.data for m in self.model_ if isinstance(m, nn.Linear)]  # type: ignore[union-attr]


_MLP_DOC = """

    Training follows scikit-learn's MLP at the same settings (same objective, initialisation, Adam, batch
    size, stopping rule and learning-rate schedules), run by tensorgate's training loop
    (:class:`tensorgate.training.Trainer`, whose step is recorded once and replayed) with the stopping rule
    as a callback; ``solver='lbfgs'`` runs SciPy's L-BFGS-B on the engine's gradients. The numbers differ
    from scikit-learn's only by the order of the shuffled batches and floating-point rounding.

    Parameters
    ----------
    hidden_layer_sizes : int or tuple of int, default (100,)
        Units of each hidden layer.
    activation : {'relu', 'tanh', 'logistic', 'identity', 'leaky_relu', 'gelu'}, default 'relu'
        Hidden layers' activation.
    solver : {'adam', 'sgd', 'lbfgs'}, default 'adam'
        :class:`tensorgate.optim.Adam`; :class:`tensorgate.optim.SGD` with ``momentum`` (Nesterov by
        default); or SciPy's L-BFGS-B on the whole data (good for small data sets).
    alpha : float, default 1e-4
        L2 penalty α‖W‖²/(2S) per batch, S its number of examples (or sum of sample weights), on weights,
        not biases (scikit-learn's scaling).
    batch_size : int or 'auto', default 'auto'
        min(200, n).
    learning_rate : {'constant', 'invscaling', 'adaptive'}, default 'constant'
        'sgd' only. 'invscaling': η = learning_rate_init/(t + 1)^power_t after each epoch, t the examples
        seen; 'adaptive': η/5 each time the stopping rule fires, stopping once η ≤ 10⁻⁶.
    learning_rate_init : float, default 1e-3
    power_t : float, default 0.5
    max_iter : int, default 200
        Largest number of epochs (stochastic solvers) or of L-BFGS iterations.
    shuffle : bool, default True
    random_state : int, RandomState or None
        Seeds initial weights, shuffling and the validation split (scikit-learn's ``check_random_state``);
        tensorgate's global generator is not touched.
    tol : float, default 1e-4
        Stochastic solvers stop when the epoch loss has not fallen below best − tol (with early stopping:
        the validation score not above best + tol) for more than ``n_iter_no_change`` consecutive epochs;
        L-BFGS stops when the largest gradient entry is below tol. Otherwise a ConvergenceWarning.
    verbose : bool, default False
        Print the loss after every epoch.
    warm_start : bool, default False
        ``fit`` continues from the current weights (with a new optimiser, as scikit-learn).
    momentum : float, default 0.9
        'sgd' only.
    nesterovs_momentum : bool, default True
        'sgd' only.
    early_stopping : bool, default False
        Hold out ``validation_fraction`` of the training data (stratified for single-label classifiers),
        stop on its score and keep the best weights.
    validation_fraction : float, default 0.1
    beta_1, beta_2, epsilon : float, default 0.9, 0.999, 1e-8
        Adam's.
    n_iter_no_change : int, default 10
    max_fun : int, default 15000
        'lbfgs' only: the most loss evaluations.
    init : {'glorot', 'lecun', 'he'}, default 'glorot'
        W and b ~ U(±a): scikit-learn's Glorot a = √(f/(fan_in + fan_out)) (f = 2 for 'logistic', else 6),
        LeCun a = √(3/fan_in) (Var = 1/fan_in) or He a = √(6/fan_in) (Var = 2/fan_in).

    Attributes
    ----------
    model_ : tensorgate.nn.Sequential
        The trained network, float64 for float64 X and float32 for float32 X (as scikit-learn). It outputs
        the last layer's pre-activation z, so ``tg.save(est.model_, path)`` saves an ordinary model.
    loss_ : float
        The last epoch's loss (or L-BFGS's final objective).
    loss_curve_ : list of float or None
        Training loss (with the penalty) after each epoch (None for 'lbfgs').
    n_iter_ : int
        Epochs (or L-BFGS iterations) run by the last call.
    best_loss_ : float or None
    validation_scores_ : list of float or None
        Validation score per epoch (early stopping only).
    best_validation_score_ : float or None
    coefs_, intercepts_ : lists of arrays
        Weights (n_in, n_out) and biases per layer, as scikit-learn names them.
    n_layers_ : int
    n_features_in_ : int
    t_ : int
        Training examples seen by the stochastic solvers.
"""


def _fit_dtype(estimator, incremental):
    """float64 or float32 as X comes (scikit-learn's rule); a network continued keeps its own dtype."""
    if (estimator.warm_start or incremental) and hasattr(estimator, "model_"):
        return estimator.model_[0].weight.dtype.type
    return [np.float64, np.float32]


def _stochastic_solver(estimator):
    """partial_fit exists for 'adam' and 'sgd', as in scikit-learn."""
    return estimator.solver in ("adam", "sgd")


class MLPClassifier(ClassifierMixin, _BaseMLP):
    __doc__ = """A multi-layer perceptron classifier: hidden layers learn their own basis functions.

    The network is ``Sequential(Linear, activation, ..., Linear)`` from :mod:`tensorgate.nn`. The output
    layer and loss follow the target:

    * K > 2 classes: K outputs, softmax, cross-entropy (fused: ∂L/∂z = softmax(z) − y);
    * 2 classes: one output, sigmoid, binary cross-entropy (fused: ∂L/∂z = σ(z) − y);
    * multi-label y (a 2-D 0/1 indicator matrix, one column per label): one sigmoid output per label, the
      binary cross-entropy summed over labels; ``predict`` returns an indicator matrix.
    """ + _MLP_DOC + """
    classes_ : ndarray of shape (K,)
        Class labels (0..K−1 for multi-label y).
    out_activation_ : {'softmax', 'logistic'}

    Shape
    -----
    X: (m, n); y: (m,) labels or (m, K) indicator matrix; sample_weight: (m,); predict_proba: (m, K).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]] * 10)
    >>> y = np.array(["same", "diff", "diff", "same"] * 10)                    # XOR
    >>> clf = MLPClassifier((16,), learning_rate_init=0.05, max_iter=300, random_state=0).fit(X, y)
    >>> clf.predict([[0.0, 1.0], [1.0, 1.0]]).tolist()
    ['diff', 'same']
    """

    def fit(self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None) -> Self:
        """Train the network. Shape: X: (m, n); y: (m,) or (m, K) indicator; sample_weight: (m,). Returns self."""
        return self._fit_classifier(X, y, sample_weight, incremental=False, classes=None)

    @available_if(_stochastic_solver)
    def partial_fit(self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None,
                    classes: ArrayLike | None = None) -> Self:
        """One epoch over (X, y), continuing the network and its optimiser (``classes`` on the first call).

        Shape: X: (m, n); y: (m,) or (m, K) indicator; classes: (K,). Returns self.
        """
        return self._fit_classifier(X, y, sample_weight, incremental=True, classes=classes)

    def _fit_classifier(self, X, y, sample_weight, incremental, classes):
        continuing = hasattr(self, "model_") and (self.warm_start or incremental)
        X, y = validate_fit(self, X, y, dtype=_fit_dtype(self, incremental), multi_output=True, reset=not continuing)
        if np.ndim(y) == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        multilabel = is_multilabel(y)
        if multilabel:
            found, target, stratify = np.arange(y.shape[1]), y.astype(X.dtype), None
        else:
            if np.ndim(y) != 1:
                raise ValueError(f"MLPClassifier: y must be 1-D class labels or a 2-D 0/1 indicator matrix "
                                 f"(multi-label), got shape {np.shape(y)} of type multiclass-multioutput")
            if incremental and not continuing and classes is None:
                raise ValueError("MLPClassifier: classes must be passed on the first call to partial_fit")
            if continuing or classes is not None:
                known = self.classes_ if continuing else np.unique(np.asarray(classes))  # type: ignore[has-type]
                unseen = np.setdiff1d(np.unique(y), known)
                if len(unseen) or (not incremental and not np.array_equal(np.unique(y), known)):
                    raise ValueError(f"MLPClassifier: y has classes {np.unique(y).tolist()}, but "
                                     f"{'partial_fit' if incremental else 'warm_start'} continues a network for "
                                     f"{known.tolist()}")
                found, labels = known, np.searchsorted(known, y)
            else:
                found, labels = encode_labels(y)
            stratify = labels
            target = labels.astype(X.dtype)[:, None] if len(found) == 2 else labels
        if continuing and multilabel != self._multilabel:  # type: ignore[has-type]
            raise ValueError("MLPClassifier: warm_start and partial_fit cannot switch between multi-label and "
                             "single-label targets")
        self.classes_, self._multilabel = found, multilabel
        n_out = y.shape[1] if multilabel else (1 if len(found) == 2 else len(found))
        self.out_activation_ = "softmax" if n_out > 1 and not multilabel else "logistic"
        self.n_outputs_ = n_out
        self._fit(X, target, n_out, sample_weight=sample_weight, stratify=stratify, incremental=incremental)
        return self

    def _loss_kind(self):
        return "log_loss" if self.out_activation_ == "softmax" else "binary_log_loss"

    def _validation_score(self, X, target):
        z = self._forward(X, exact=False)
        if self.out_activation_ == "softmax":
            return float(np.mean(z.argmax(axis=1) == np.ravel(target).astype(np.int64)))
        predicted = z > 0
        if self._multilabel:
            return float(np.mean(np.all(predicted == (target > 0.5), axis=1)))
        return float(np.mean(predicted[:, 0] == (np.ravel(target) > 0.5)))

    def predict_proba(self, X: ArrayLike) -> NDArray[Any]:
        """softmax(z) (multi-class), [1 − σ(z), σ(z)] (binary) or σ(zₖ) per label (multi-label).

        Shape: X: (m, n) → (m, K).
        """
        z = self._forward(validate_predict(self, X, dtype=np.float64))
        if self.out_activation_ == "softmax":
            return F.softmax(Tensor(z, dtype="float64"), axis=1).data
        p = F.sigmoid(Tensor(z, dtype="float64")).data
        return np.hstack([1.0 - p, p]) if not self._multilabel else p

    def predict_log_proba(self, X: ArrayLike) -> NDArray[Any]:
        """log of :meth:`predict_proba`. Shape: X: (m, n) → (m, K)."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X: ArrayLike) -> NDArray[Any]:
        """Class labels (the largest probability), or a 0/1 indicator matrix for multi-label y.

        Shape: X: (m, n) → (m,), or (m, K) for multi-label.
        """
        z = self._forward(validate_predict(self, X, dtype=np.float64))
        if self._multilabel:
            return (z > 0).astype(np.int64)
        if self.out_activation_ == "softmax":
            return self.classes_[z.argmax(axis=1)]
        return self.classes_[(z[:, 0] > 0).astype(np.int64)]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class MLPRegressor(RegressorMixin, _BaseMLP):
    __doc__ = """A multi-layer perceptron regressor: identity output, squared error.

    The loss is scikit-learn's ½·mean (ŷ − y)² (over all outputs and examples) plus the L2 penalty. One
    hidden layer of enough units approximates any continuous function on a bounded interval (the universal
    approximation theorem): ``MLPRegressor((50,), activation='tanh')`` fits sin x on [−π, π].
    """ + _MLP_DOC + """
    n_outputs_ : int

    Shape
    -----
    X: (m, n); y: (m,) or (m, k); sample_weight: (m,); predict: (m,) or (m, k), as y was.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.linspace(-3, 3, 200).reshape(-1, 1); y = np.sin(X).ravel()
    >>> reg = MLPRegressor(random_state=0, solver="lbfgs").fit(X, y)
    >>> bool(np.mean(np.abs(reg.predict(X) - y)) < 0.01)
    True
    """

    def fit(self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None) -> Self:
        """Train the network. Shape: X: (m, n); y: (m,) or (m, k); sample_weight: (m,). Returns self."""
        return self._fit_regressor(X, y, sample_weight, incremental=False)

    @available_if(_stochastic_solver)
    def partial_fit(self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None) -> Self:
        """One epoch over (X, y), continuing the network and its optimiser.

        Shape: X: (m, n); y: (m,) or (m, k); sample_weight: (m,). Returns self.
        """
        return self._fit_regressor(X, y, sample_weight, incremental=True)

    def _fit_regressor(self, X, y, sample_weight, incremental):
        continuing = hasattr(self, "model_") and (self.warm_start or incremental)
        X, y = validate_fit(self, X, y, dtype=_fit_dtype(self, incremental), multi_output=True, y_numeric=True,
                            reset=not continuing)
        if np.ndim(y) == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        self._y_1d = np.ndim(y) == 1
        target = y.reshape(len(y), -1).astype(X.dtype)
        if continuing and target.shape[1] != self.n_outputs_:  # type: ignore[has-type]
            raise ValueError(f"MLPRegressor: y has {target.shape[1]} outputs, but the network continued has "
                             f"{self.n_outputs_}")  # type: ignore[has-type]
        self.n_outputs_ = target.shape[1]
        self.out_activation_ = "identity"
        self._fit(X, target, self.n_outputs_, sample_weight=sample_weight, incremental=incremental)
        return self

    def _loss_kind(self):
        return "squared_error"

    def _validation_score(self, X, target):
        return float(r2_score(target, self._forward(X, exact=False)))

    def predict(self, X: ArrayLike) -> NDArray[Any]:
        """The network's output. Shape: X: (m, n) → (m,) or (m, k), as y was."""
        z = self._forward(validate_predict(self, X, dtype=np.float64)).astype(np.float64)
        return z[:, 0] if self._y_1d else z

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
