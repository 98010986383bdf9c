"""The playground's network: input features as a Module, the MLP built from the page's choices, and the inits.

The model the page trains is ``Sequential(PlaygroundFeatures(...), Linear, [BatchNorm1d], activation, [Dropout], ...,
Linear(·, 1))``: it takes the raw points (x₁, x₂) and returns one logit, so a downloaded ``.tgate`` file
(saved with a final ``Sigmoid``) answers ``P(class 1 | x)`` for raw points with nothing else to know.
This module imports only the engine (no web server), so ``tg.load`` can rebuild :class:`PlaygroundFeatures`.
"""

import numpy as np

from ..autograd.tensor import Tensor
from ..backend.random import manual_seed
from .. import nn

__all__ = ["PlaygroundFeatures", "FEATURES", "ACTIVATIONS", "INITS", "build_model", "feature_names"]

#: the course's basis functions, by the names the page and the URL use
FEATURES = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1x2": lambda x1, x2: x1 * x2,
    "sin(x1)": lambda x1, x2: np.sin(x1),
    "sin(x2)": lambda x1, x2: np.sin(x2),
}

ACTIVATIONS = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "leaky_relu": nn.LeakyReLU,
    "gelu": nn.GELU,
    "linear": None,  # no activation module at all: the layer stays affine
}


INITS = {
    "zeros": nn.init.zeros_,
    "normal": lambda w: nn.init.normal_(w, 0.0, 1.0),
    "xavier": nn.init.xavier_normal_,
    "he": nn.init.he_normal_,
    "lecun": nn.init.lecun_normal_,
}


def _monomials(degree):
    """Exponent pairs (i, j) of x₁ⁱ x₂ʲ with 2 ≤ i + j ≤ degree (degree 1 adds nothing)."""
    return [(i, d - i) for d in range(2, degree + 1) for i in range(d, -1, -1)]


def feature_names(features, degree=1):
    """The column names of :class:`PlaygroundFeatures`' output: the chosen basis functions, then the polynomial terms
    of degree 2..``degree`` not already chosen (x1^2, x2^2 and x1x2 are degree-2 terms)."""
    names = list(features)
    for i, j in _monomials(degree):
        name = _monomial_name(i, j)
        if name not in names:
            names.append(name)
    return names


def _monomial_name(i, j):
    parts = [f"x1^{i}" if i > 1 else "x1" if i == 1 else "", f"x2^{j}" if j > 1 else "x2" if j == 1 else ""]
    return "".join(parts)


class PlaygroundFeatures(nn.Module):
    """The input layer: raw points (x₁, x₂) → the chosen basis functions and polynomial terms, as columns.

    Parameters
    ----------
    features : list of str
        Names among ``FEATURES`` (x1, x2, x1^2, x2^2, x1x2, sin(x1), sin(x2)).
    degree : int, default 1
        Also add every monomial x₁ⁱx₂ʲ with 2 ≤ i + j ≤ degree (up to 6).

    The columns are computed with NumPy (the input needs no gradient), so this module is not replayed by a
    compiled step.

    Shape: x: (m, 2); output: (m, len(feature_names(features, degree))).

    Example
    -------
    >>> import numpy as np
    >>> f = PlaygroundFeatures(["x1", "x1x2"], degree=2)
    >>> f.names
    ['x1', 'x1x2', 'x1^2', 'x2^2']
    >>> f(np.array([[2.0, 3.0]], dtype=np.float32)).tolist()
    [[2.0, 6.0, 4.0, 9.0]]
    """

    def __init__(self, features, degree=1):
        super().__init__()
        features = list(features)
        unknown = [f for f in features if f not in FEATURES]
        if unknown:
            raise ValueError(f"PlaygroundFeatures: unknown feature(s) {unknown}; choose among {list(FEATURES)}")
        if len(set(features)) != len(features):
            raise ValueError(f"PlaygroundFeatures: a feature is listed twice in {features}")
        if isinstance(degree, bool) or not isinstance(degree, int) or not 1 <= degree <= 6:
            raise ValueError(f"PlaygroundFeatures: degree must be an int in [1, 6], got {degree!r}")
        self.features, self.degree = features, degree
        self.names = feature_names(features, degree)
        if not self.names:
            raise ValueError("PlaygroundFeatures: choose at least one feature (or a polynomial degree of 2 or more)")
        self._terms = [(i, j) for i, j in _monomials(degree) if _monomial_name(i, j) not in features]

    @property
    def out_features(self):
        return len(self.names)

    def _replayable(self):
        return False  # computes its columns with NumPy, outside the gates

    def forward(self, x):
        a = x.data if isinstance(x, Tensor) else np.asarray(x)
        if a.ndim != 2 or a.shape[1] != 2:
            raise ValueError(f"PlaygroundFeatures: expected points of shape (m, 2), got {a.shape}")
        x1, x2 = a[:, 0], a[:, 1]
        columns = [FEATURES[f](x1, x2) for f in self.features]
        columns += [x1 ** i * x2 ** j for i, j in self._terms]
        return Tensor(np.stack(columns, axis=1).astype(a.dtype, copy=False))

    def extra_repr(self):
        return f"{self.names}"


def build_model(features, degree, layers, activation="tanh", init="xavier", batchnorm=False, dropout=0.0,
                seed=0):
    """The page's network: PlaygroundFeatures → (Linear → [BatchNorm1d] → activation → [Dropout]) per hidden layer →
    Linear(·, 1), a logit. ``layers`` lists the hidden widths ([] is logistic regression). Weights are drawn
    from tensorgate's generator after ``tg.manual_seed(seed)``; biases start at 0.

    Shape: input (m, 2); output (m, 1) logits.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {list(ACTIVATIONS)}, got {activation!r}")
    if init not in INITS:
        raise ValueError(f"init must be one of {list(INITS)}, got {init!r}")
    manual_seed(seed)
    features = PlaygroundFeatures(features, degree)
    modules, width = [features], features.out_features
    for n in list(layers):
        modules.append(nn.Linear(width, n))
        if batchnorm:
            modules.append(nn.BatchNorm1d(n))
        if ACTIVATIONS[activation] is not None:
            modules.append(ACTIVATIONS[activation]())
        if dropout > 0:
            modules.append(nn.Dropout(dropout))
        width = n
    modules.append(nn.Linear(width, 1))
    for layer in modules:  # after building, in order: the exported script draws the same numbers
        if isinstance(layer, nn.Linear):
            INITS[init](layer.weight)
            nn.init.zeros_(layer.bias)
    return nn.Sequential(*modules)
