"""Rosenblatt's perceptron: a Linear layer followed by a Step, trained by the perceptron rule."""
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning

from .. import nn
from ..autograd import Tensor, no_grad
from ._base import check_positive, encode_labels, make_rng, validate_fit, validate_predict

__all__ = ["Perceptron"]


class Perceptron(ClassifierMixin, BaseEstimator):
    """Rosenblatt's perceptron: ŷ = step(wᵀx + b), learnt one example at a time by the perceptron rule.

    The forward pass runs through tensorgate's engine: a :class:`tensorgate.nn.Linear` layer (z = x Wᵀ + b)
    followed by the :class:`tensorgate.nn.Step` activation (1 if z ≥ 0 else 0). The step has no useful
    derivative, so the weights are not learnt by backpropagation but by Rosenblatt's rule, applied after each
    example (in a shuffled order each epoch when ``shuffle``):

    .. code-block:: text

        w ← w + η (y − ŷ) x,    b ← b + η (y − ŷ)          (y, ŷ ∈ {0, 1})

    A correctly classified example changes nothing; a missed positive adds ηx, a false positive subtracts
    it. Training stops after the first epoch without a single mistake — which happens after finitely many
    updates if and only if a hyperplane separates the classes (Novikoff's theorem) — or after ``max_iter``
    epochs, with a :class:`~sklearn.exceptions.ConvergenceWarning` (XOR is the classic case).

    Multi-class: one-vs-rest inside one layer. With K > 2 classes the layer has K outputs, output k is a
    perceptron for "class k or not" trained by the same rule on its own 0/1 target, and the prediction is
    the class with the largest z. Training has converged when every one of the K perceptrons makes no
    mistake in an epoch.

    Parameters
    ----------
    max_iter : int, default 1000
        Largest number of epochs (passes over the training data).
    eta : float, default 1.0
        η, the learning rate. Starting from w = 0, η only scales w, so it does not change the predictions.
    random_state : int, RandomState, Generator or None
        Seed of the shuffling.
    shuffle : bool, default True
        Visit the examples in a new random order every epoch.

    Attributes
    ----------
    classes_ : ndarray of shape (K,)
    coef_ : ndarray of shape (1, n) for two classes, (K, n) otherwise
    intercept_ : ndarray of shape (1,) or (K,)
    converged_ : bool
        Whether an epoch passed without mistakes.
    n_iter_ : int
        Epochs run.
    errors_ : list of int
        Number of updates (mistakes, summed over the K outputs) in each epoch.
    model_ : tensorgate.nn.Sequential
        Linear(n, K or 1) followed by Step().

    Shape
    -----
    X: (m, n); y: (m,); decision_function: (m,) for two classes, (m, K) otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    >>> clf = Perceptron(random_state=0).fit(X, [0, 0, 0, 1])       # AND is linearly separable
    >>> clf.converged_, clf.predict(X).tolist()
    (True, [0, 0, 0, 1])
    """

    def __init__(self, max_iter=1000, eta=1.0, random_state=None, shuffle=True):
        self.max_iter = max_iter
        self.eta = eta
        self.random_state = random_state
        self.shuffle = shuffle

    def fit(self, X, y):
        """Run the perceptron rule until an epoch has no mistakes, or for max_iter epochs.

        Shape: X: (m, n); y: (m,). Returns self.
        """
        check_positive(self, "max_iter", self.max_iter, integer=True)
        check_positive(self, "eta", self.eta)
        X, y = validate_fit(self, X, y, dtype=np.float64)
        self.classes_, labels = encode_labels(y)
        K = len(self.classes_)
        n_out = 1 if K == 2 else K
        targets = (labels[:, None] == (np.arange(n_out) + (1 if n_out == 1 else 0))).astype(np.float64)
        linear = nn.Linear(X.shape[1], n_out, init="zeros", dtype="float64")    # w = 0, b = 0
        self.model_ = nn.Sequential(linear, nn.Step())
        W, b, eta = linear.weight.data, linear.bias.data, float(self.eta)
        rows = [Tensor(X[i:i + 1], dtype="float64") for i in range(X.shape[0])]
        rng = make_rng(self.random_state)
        self.errors_, self.converged_ = [], False
        with no_grad():
            for epoch in range(1, int(self.max_iter) + 1):
                order = rng.permutation(len(rows)) if self.shuffle else range(len(rows))
                mistakes = 0
                for i in order:
                    y_hat = self.model_(rows[i]).data[0]          # ŷ = step(x Wᵀ + b)
                    error = targets[i] - y_hat                    # y − ŷ ∈ {−1, 0, 1} per output
                    if error.any():
                        W += eta * np.outer(error, X[i])          # w ← w + η (y − ŷ) x
                        b += eta * error                          # b ← b + η (y − ŷ)
                        mistakes += int(np.count_nonzero(error))
                self.errors_.append(mistakes)
                if mistakes == 0:
                    self.converged_ = True
                    break
        self.n_iter_ = epoch
        if not self.converged_:
            warnings.warn(
                f"Perceptron: the training data were not separated after max_iter={self.max_iter} epochs "
                f"({self.errors_[-1]} mistakes in the last one); they may not be linearly separable "
                "(e.g. XOR), or more epochs are needed", ConvergenceWarning)
        self.coef_ = W.copy()
        self.intercept_ = b.copy()
        return self

    def decision_function(self, X):
        """z = x Wᵀ + b, the signed (unnormalised) distance to each hyperplane.

        Shape: X: (m, n) → (m,) for two classes, (m, K) otherwise.
        """
        X = validate_predict(self, X, dtype=np.float64)
        with no_grad():
            z = self.model_[0](Tensor(X, dtype="float64")).data
        return z[:, 0] if z.shape[1] == 1 else z

    def predict(self, X):
        """step(z) for two classes, the class with the largest z otherwise. Shape: X: (m, n) → (m,)."""
        z = self.decision_function(X)
        index = (z >= 0).astype(np.int64) if z.ndim == 1 else z.argmax(axis=1)
        return self.classes_[index]
