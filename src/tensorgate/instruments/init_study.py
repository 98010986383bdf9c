"""The initialisation study: how the spread of the activations changes with depth under each initialisation.

Push one batch x ~ N(0, 1) through a deep stack a_l = g(a_{l−1} W_lᵀ), every W_l of shape (width, width)
drawn by one scheme, and measure the standard deviation of each layer's activations:

* zeros:   every a_l is g(0) = 0 for tanh and ReLU — no spread at all, and every unit identical (symmetry).
* N(0, 1): Var(z) = width · Var(a), so the pre-activations grow by √width per layer: tanh saturates at ±1,
           ReLU explodes (√(width/2) per layer).
* Xavier:  Var(w) = 2/(fan_in + fan_out) = 1/width keeps Var(z) ≈ Var(a): right for tanh (slowly shrinking,
           never saturating); for ReLU, which zeroes half the units, the spread halves at every layer.
* He:      Var(w) = 2/fan_in makes up for that half: the ReLU spread stays constant with depth.

With examples as rows (a: (batch, width)), a W_lᵀ is the lecture's W_l A with examples as columns.
"""
import numpy as np

from .. import functional as F
from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ..backend.random import generator
from ..nn import init as nn_init

#: the schemes of the study: name → function filling a (width, width) weight in place
INITS = {
    "zeros": nn_init.zeros_,
    "normal": lambda w: nn_init.normal_(w, 0.0, 1.0),
    "xavier": nn_init.xavier_normal_,
    "he": nn_init.he_normal_,
}
ACTIVATIONS = {"tanh": F.tanh, "relu": F.relu, "sigmoid": F.sigmoid}


def initialisation_study(depth=10, width=256, activation="tanh", inits=("zeros", "normal", "xavier", "he"),
                         batch=512, seed=0, dtype="float64"):
    """Activation spread (standard deviation) per layer of a deep stack, for each initialisation.

    Parameters
    ----------
    depth : int
        Number of layers (weight matrices, each followed by the activation).
    width : int
        Units per layer (the input has as many features).
    activation : {'tanh', 'relu', 'sigmoid'}
        The nonlinearity after every layer.
    inits : sequence of str
        Among 'zeros', 'normal' (N(0, 1)), 'xavier' (Glorot normal) and 'he' (Kaiming normal).
    batch : int
        Examples pushed through together.
    seed : int
        The batch and the weights are drawn from a generator seeded with this, so results repeat. (The
        global generator is restored afterwards.)
    dtype : str
        float64 by default, so that N(0, 1) with ReLU can explode for many layers without overflowing.

    Returns
    -------
    dict
        init name → NumPy array of shape (depth,): the std of the activations after each layer.

    Shape
    -----
    x: (batch, width); each W: (width, width); each activation (batch, width).

    Examples
    --------
    >>> spread = initialisation_study(depth=5, width=64, activation="relu", batch=128)
    >>> float(spread["zeros"][-1])
    0.0
    >>> bool(0.3 < spread["he"][-1] < 3.0 and spread["normal"][-1] > 100)
    True
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"initialisation_study: activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    for name in inits:
        if name not in INITS:
            raise ValueError(f"initialisation_study: unknown init {name!r}; use some of {list(INITS)}")
    for arg, value in (("depth", depth), ("width", width), ("batch", batch)):
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"initialisation_study: {arg} must be a positive integer, got {value!r}")
    g = ACTIVATIONS[activation]
    from ..backend import random as _random

    saved = _random.get_rng_state()
    try:
        _random.manual_seed(seed)
        x = Tensor(generator().standard_normal((batch, width)), dtype=dtype)
        result = {}
        with no_grad():
            for name in inits:
                a = x
                spread = np.empty(depth)
                for layer in range(depth):
                    w = INITS[name](Tensor(np.empty((width, width)), dtype=dtype))
                    a = g(F.linear(a, w))
                    spread[layer] = float(a.data.std())
                result[name] = spread
    finally:
        _random.set_rng_state(saved)
    return result
