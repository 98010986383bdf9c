"""Multi-layer perceptrons with scikit-learn's interface, built from tensorgate's nn and optim."""
import copy
import math
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import column_or_1d

from .. import functional as F
from .. import nn, optim
from ..autograd import Tensor, no_grad
from ._base import (check_one_of, check_positive, encode_labels, is_multilabel, make_rng, validate_fit,
                    validate_predict)

__all__ = ["MLPClassifier", "MLPRegressor"]

_ACTIVATIONS = {
    "relu": nn.ReLU, "tanh": nn.Tanh, "logistic": nn.Sigmoid, "sigmoid": nn.Sigmoid, "identity": nn.Identity,
    "leaky_relu": nn.LeakyReLU, "gelu": nn.GELU,
}


#: our schemes under tensorgate.nn.init's names (same distributions)
_SCHEME_NAMES = {"he": "he_uniform", "glorot": "xavier_uniform"}


def _init_weight(rng, weight, scheme):
    """Fill W (out, in) in place from the estimator's own generator.

    'he':     W ~ U(−√(6/fan_in), √(6/fan_in)),            Var(w) = 2/fan_in         (ReLU networks)
    'glorot': W ~ U(−√(6/(fan_in+fan_out)), +√(...)),       Var(w) = 2/(fan_in+fan_out) (scikit-learn's)
    """
    fan_out, fan_in = weight.shape
    bound = math.sqrt(6.0 / fan_in) if scheme == "he" else math.sqrt(6.0 / (fan_in + fan_out))
    weight.data[...] = rng.uniform(-bound, bound, size=weight.shape)


class _BaseMLP(BaseEstimator):
    """The network, the training loop and the stopping rule shared by MLPClassifier and MLPRegressor."""

    _loss_name = None

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", init="he", solver="adam", alpha=1e-4,
                 batch_size="auto", learning_rate_init=1e-3, max_iter=200, shuffle=True, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1, n_iter_no_change=10,
                 tol=1e-4, random_state=None, verbose=False):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.init = init
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.random_state = random_state
        self.verbose = verbose

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
        check_one_of(self, "init", self.init, ("he", "glorot"))
        check_one_of(self, "solver", self.solver, ("adam", "sgd"))
        check_positive(self, "alpha", self.alpha, allow_zero=True)
        check_positive(self, "learning_rate_init", self.learning_rate_init)
        check_positive(self, "max_iter", self.max_iter, integer=True)
        check_positive(self, "n_iter_no_change", self.n_iter_no_change, integer=True)
        check_positive(self, "tol", self.tol, allow_zero=True)
        if self.batch_size != "auto":
            check_positive(self, "batch_size", self.batch_size, integer=True)
        if not 0.0 < self.validation_fraction < 1.0:
            raise ValueError(f"{type(self).__name__}: validation_fraction must be in (0, 1), "
                             f"got {self.validation_fraction!r}")
        return self._hidden_sizes()

    def _build(self, n_in, n_out, rng):
        """Sequential(Linear, activation, ..., Linear): the last layer outputs logits (or values)."""
        sizes = [n_in] + self._check_params() + [n_out]
        layers = []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            linear = nn.Linear(a, b, init="zeros", dtype="float32")     # b = 0; W drawn below
            _init_weight(rng, linear.weight, self.init)
            linear.init = _SCHEME_NAMES[self.init]     # the layer's config names the distribution W came from
            layers.append(linear)
            if i < len(sizes) - 2:
                layers.append(_ACTIVATIONS[self.activation]())
        return nn.Sequential(*layers)

    # ---------------------------------------------------------------- training
    def _fit_network(self, X, target, n_out, stratify=None):
        """Mini-batch training of ``self.model_`` on (X, target) with sklearn's stopping rule.

        Per batch: loss = data loss + ½α‖W‖²/b (b the batch size, weights only, biases unpenalised), as
        scikit-learn's MLP; the penalty enters as the optimiser's (coupled) weight decay α/b.
        """
        rng = make_rng(self.random_state)
        self.model_ = self._build(X.shape[1], n_out, rng)
        X_val = y_val = None
        if self.early_stopping:
            from sklearn.model_selection import train_test_split

            X, X_val, target, y_val = train_test_split(
                X, target, test_size=self.validation_fraction, random_state=int(rng.integers(2 ** 31 - 1)),
                stratify=stratify)
        n = X.shape[0]
        batch = min(200, n) if self.batch_size == "auto" else min(int(self.batch_size), n)
        weights = [m.weight for m in self.model_ if isinstance(m, nn.Linear)]
        biases = [m.bias for m in self.model_ if isinstance(m, nn.Linear)]
        decay = float(self.alpha) / batch
        groups = [{"params": weights, "weight_decay": decay}, {"params": biases, "weight_decay": 0.0}]
        lr = float(self.learning_rate_init)
        if self.solver == "adam":
            opt = optim.Adam(groups, lr=lr)
        else:
            opt = optim.SGD(groups, lr=lr, momentum=float(self.momentum),
                            nesterov=bool(self.nesterovs_momentum) and self.momentum > 0)

        self.loss_curve_, self.validation_scores_ = [], []
        self.best_loss_, self.best_validation_score_ = np.inf, -np.inf
        best_state, stale, converged, epoch = None, 0, False, 0
        X_t = Tensor(X, dtype="float32")
        for epoch in range(1, int(self.max_iter) + 1):
            if self.shuffle:
                order = rng.permutation(n)
                Xs, ts = X[order], target[order]
            else:
                Xs, ts = X, target
            total = 0.0
            for start in range(0, n, batch):
                xb = Tensor._make(Xs[start:start + batch], False, None)
                loss = self._data_loss(self.model_(xb), ts[start:start + batch])
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += float(loss.data) * xb.shape[0]
            penalty = 0.5 * decay * sum(float(np.vdot(w.data, w.data)) for w in weights)
            self.loss_curve_.append(total / n + penalty)
            if not np.isfinite(self.loss_curve_[-1]):
                raise FloatingPointError(f"{type(self).__name__}: the loss diverged to {self.loss_curve_[-1]} "
                                         f"at epoch {epoch}; lower learning_rate_init (it is {lr})")
            if self.verbose:
                print(f"Iteration {epoch}, loss = {self.loss_curve_[-1]:.8f}")
            if self.early_stopping:
                score = self._validation_score(X_val, y_val)
                self.validation_scores_.append(score)
                if self.verbose:
                    print(f"Validation score: {score:.6f}")
                stale = stale + 1 if score < self.best_validation_score_ + self.tol else 0
                if score > self.best_validation_score_:
                    self.best_validation_score_ = score
                    best_state = [p.data.copy() for p in self.model_.parameters()]
            else:
                loss_now = self.loss_curve_[-1]
                stale = stale + 1 if loss_now > self.best_loss_ - self.tol else 0
                self.best_loss_ = min(self.best_loss_, loss_now)
            if stale > self.n_iter_no_change:
                converged = True
                if self.verbose:
                    print(f"Training loss did not improve more than tol={self.tol} for {self.n_iter_no_change} "
                          "consecutive epochs. Stopping.")
                break
        del X_t
        if best_state is not None:                     # early stopping: keep the best validated weights
            for p, data in zip(self.model_.parameters(), best_state):
                p.data[...] = data
        if not self.early_stopping:
            self.validation_scores_ = self.best_validation_score_ = None
        else:
            self.best_loss_ = None
        self.n_iter_ = epoch
        self.t_ = epoch * n
        if not converged:
            warnings.warn(f"{type(self).__name__}: stochastic optimizer: maximum iterations ({self.max_iter}) "
                          "reached and the optimization hasn't converged yet.", ConvergenceWarning)

    def _forward(self, X, exact=True):
        """The network's output for validated X, computed without a graph. Shape: (m, n) → (m, n_out).

        With ``exact`` (predictions) it runs a float64 copy of the float32 weights: in float32 a row's
        output can change in its last bits with the batch around it (BLAS kernels round differently at
        block edges), and a prediction should not depend on which other rows came with it.
        """
        if not exact:
            with no_grad():
                return self.model_(Tensor(X, dtype="float32")).data
        model = copy.deepcopy(self.model_).double()
        with no_grad():
            return model(Tensor(X, dtype="float64")).data

    # ---------------------------------------------------------------- inspection
    @property
    def coefs_(self):
        """Weight matrices as scikit-learn stores them: coefs_[i] has shape (n_in, n_out) (Wᵀ)."""
        return [m.weight.data.T for m in self.model_ if isinstance(m, nn.Linear)]

    @property
    def intercepts_(self):
        """Bias vectors b of each layer. Shape: intercepts_[i]: (n_out,)."""
        return [m.bias.data for m in self.model_ if isinstance(m, nn.Linear)]

    @property
    def n_layers_(self):
        """Number of layers, input and output included (scikit-learn's count)."""
        return len(self.coefs_) + 1


_MLP_DOC = """

    Parameters
    ----------
    hidden_layer_sizes : int or tuple of int, default (100,)
        Units of each hidden layer.
    activation : {'relu', 'tanh', 'logistic', 'identity', 'leaky_relu', 'gelu'}, default 'relu'
        Hidden layers' activation.
    init : {'he', 'glorot'}, default 'he'
        W ~ U(±√(6/fan_in)) (He, for ReLU) or U(±√(6/(fan_in + fan_out))) (Glorot, scikit-learn's);
        biases start at 0. Drawn from the estimator's own generator (``random_state``).
    solver : {'adam', 'sgd'}, default 'adam'
        :class:`tensorgate.optim.Adam`, or :class:`tensorgate.optim.SGD` with ``momentum`` (Nesterov by
        default, as scikit-learn).
    alpha : float, default 1e-4
        L2 penalty ½α‖W‖²/b per batch of b examples (scikit-learn's), on weights, not biases.
    batch_size : int or 'auto', default 'auto'
        min(200, n).
    learning_rate_init : float, default 1e-3
    max_iter : int, default 200
        Largest number of epochs.
    shuffle : bool, default True
    momentum : float, default 0.9
        'sgd' only.
    nesterovs_momentum : bool, default True
        'sgd' only.
    early_stopping : bool, default False
        Hold out ``validation_fraction`` of the training data (stratified for classifiers), stop when its
        score has not improved by ``tol`` for ``n_iter_no_change`` epochs and keep the best weights.
    validation_fraction : float, default 0.1
    n_iter_no_change : int, default 10
    tol : float, default 1e-4
        Without early stopping, training stops when the epoch loss has not improved by ``tol`` for more
        than ``n_iter_no_change`` consecutive epochs (scikit-learn's rule); otherwise a
        ConvergenceWarning says that ``max_iter`` was reached.
    random_state : int, RandomState, Generator or None
        Seeds initial weights, shuffling and the validation split; tensorgate's global generator is not
        touched.
    verbose : bool, default False
        Print the loss after every epoch.

    Attributes
    ----------
    model_ : tensorgate.nn.Sequential
        The trained network (float32). It outputs the last layer's pre-activation z, so
        ``tg.save(est.model_, path)`` saves an ordinary tensorgate model.
    loss_curve_ : list of float
        Training loss (with the penalty) after each epoch.
    n_iter_ : int
        Epochs run.
    best_loss_ : float or None
    validation_scores_ : list of float or None
        Validation score per epoch (early stopping only).
    best_validation_score_ : float or None
    coefs_, intercepts_ : lists of arrays
        Weights (n_in, n_out) and biases per layer, as scikit-learn names them.
    n_features_in_ : int
    t_ : int
        Training examples seen.
"""


class MLPClassifier(ClassifierMixin, _BaseMLP):
    __doc__ = """A multi-layer perceptron classifier: hidden layers learn their own basis functions.

    The network is ``Sequential(Linear, activation, ..., Linear)`` from :mod:`tensorgate.nn`, trained by
    :mod:`tensorgate.optim` on mini-batches in float32. The output layer and loss follow the target:

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
    X: (m, n); y: (m,) labels or (m, K) indicator matrix; predict_proba: (m, K).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]] * 10)
    >>> y = np.array(["same", "diff", "diff", "same"] * 10)                    # XOR
    >>> clf = MLPClassifier((16,), learning_rate_init=0.05, max_iter=300, random_state=0).fit(X, y)
    >>> clf.predict([[0.0, 1.0], [1.0, 1.0]]).tolist()
    ['diff', 'same']
    """

    def fit(self, X, y):
        """Train the network. Shape: X: (m, n); y: (m,) or (m, K) indicator. Returns self."""
        X, y = validate_fit(self, X, y, dtype=np.float32, multi_output=True)
        if np.ndim(y) == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        self._multilabel = is_multilabel(y)
        if self._multilabel:
            self.classes_ = np.arange(y.shape[1])
            target, n_out, stratify = y.astype(np.float32), y.shape[1], None
            self.out_activation_ = "logistic"
        else:
            if np.ndim(y) != 1:
                raise ValueError(f"MLPClassifier: y must be 1-D class labels or a 2-D 0/1 indicator matrix "
                                 f"(multi-label), got shape {np.shape(y)} of type multiclass-multioutput")
            self.classes_, labels = encode_labels(y)
            stratify = labels
            if len(self.classes_) == 2:
                target, n_out = labels.astype(np.float32)[:, None], 1
                self.out_activation_ = "logistic"
            else:
                target, n_out = labels, len(self.classes_)
                self.out_activation_ = "softmax"
        self.n_outputs_ = n_out
        self._fit_network(X, target, n_out, stratify=stratify)
        return self

    def _data_loss(self, z, target):
        if self.out_activation_ == "softmax":
            return F.cross_entropy(z, target)                      # mean over the batch
        # binary and multi-label: Σ over outputs, mean over examples (scikit-learn's log-loss)
        return F.binary_cross_entropy_with_logits(z, target, reduction="sum") * (1.0 / z.shape[0])

    def _validation_score(self, X, target):
        z = self._forward(X, exact=False)
        if self.out_activation_ == "softmax":
            return float(np.mean(z.argmax(axis=1) == target))
        predicted = z > 0
        if self._multilabel:
            return float(np.mean(np.all(predicted == (target > 0.5), axis=1)))
        return float(np.mean(predicted[:, 0] == (target[:, 0] > 0.5)))

    def predict_proba(self, X):
        """softmax(z) (multi-class), [1 − σ(z), σ(z)] (binary) or σ(zₖ) per label (multi-label).

        Shape: X: (m, n) → (m, K).
        """
        z = self._forward(validate_predict(self, X, dtype=np.float64))
        if self.out_activation_ == "softmax":
            return F.softmax(Tensor(z, dtype="float64"), axis=1).data
        p = F.sigmoid(Tensor(z, dtype="float64")).data
        return np.hstack([1.0 - p, p]) if not self._multilabel else p

    def predict_log_proba(self, X):
        """log of :meth:`predict_proba`. Shape: X: (m, n) → (m, K)."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
        """Class labels (the largest probability), or a 0/1 indicator matrix for multi-label y.

        Shape: X: (m, n) → (m,), or (m, K) for multi-label.
        """
        z = self._forward(validate_predict(self, X, dtype=np.float64))
        if self._multilabel:
            return (z > 0).astype(np.int64)
        if self.out_activation_ == "softmax":
            return self.classes_[z.argmax(axis=1)]
        return self.classes_[(z[:, 0] > 0).astype(np.int64)]

    def __sklearn_tags__(self):
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
    X: (m, n); y: (m,) or (m, k); predict: (m,) or (m, k), as y was.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.linspace(-3, 3, 200).reshape(-1, 1); y = np.sin(X).ravel()
    >>> reg = MLPRegressor((32,), activation="tanh", batch_size=20, learning_rate_init=0.01, max_iter=300,
    ...                    tol=1e-6, random_state=0).fit(X, y)
    >>> bool(np.mean((reg.predict(X) - y) ** 2) < 0.01)
    True
    """

    def fit(self, X, y):
        """Train the network. Shape: X: (m, n); y: (m,) or (m, k). Returns self."""
        X, y = validate_fit(self, X, y, dtype=np.float32, multi_output=True, y_numeric=True)
        if np.ndim(y) == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        self._y_1d = np.ndim(y) == 1
        target = y.reshape(len(y), -1).astype(np.float32)
        self.n_outputs_ = target.shape[1]
        self.out_activation_ = "identity"
        self._fit_network(X, target, self.n_outputs_)
        return self

    def _data_loss(self, z, target):
        return F.mse_loss(z, target) * 0.5

    def _validation_score(self, X, target):
        from sklearn.metrics import r2_score

        return float(r2_score(target, self._forward(X, exact=False)))

    def predict(self, X):
        """The network's output. Shape: X: (m, n) → (m,) or (m, k), as y was."""
        z = self._forward(validate_predict(self, X, dtype=np.float64)).astype(np.float64)
        return z[:, 0] if self._y_1d else z

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
