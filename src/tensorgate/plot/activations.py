"""Activation functions beside their derivatives, both computed by the engine's gates.

The derivative is not a formula typed in here: each curve is f(x) from the gate's forward pass and f'(x)
from ``backward`` of Σ f(xᵢ) (so ∂/∂xᵢ = f'(xᵢ)), exactly what a network uses while training.
"""
import numpy as np

from ._common import finish, new_figure

#: name → (label of f, label of f' as the gate's docstring writes it)
FORMULAS = {
    "sigmoid": ("σ(x) = 1 / (1 + e⁻ˣ)", "σ'(x) = σ(x)(1 − σ(x))"),
    "tanh": ("tanh(x)", "tanh'(x) = 1 − tanh²(x)"),
    "relu": ("relu(x) = max(0, x)", "relu'(x) = [x > 0]"),
    "leaky_relu": ("leaky_relu(x), slope 0.01", "1 if x > 0 else 0.01"),
    "gelu": ("gelu(x) = x Φ(x)", "gelu'(x) = Φ(x) + x φ(x)"),
    "hardtanh": ("hardtanh(x) = clip(x, −1, 1)", "[−1 < x < 1]"),
    "step": ("step(x) = [x > 0]", "0 (no gradient to learn from)"),
}


def activation_and_derivative(name, x):
    """(f(x), f'(x)) of the activation gate ``name`` at the points x, through forward and backward.

    Shape: x (m,); both results (m,).
    """
    from .. import functional as F
    from ..autograd import tensor

    if name not in FORMULAS or not hasattr(F, name):
        raise ValueError(f"plot_activations: unknown activation {name!r}; choose from {', '.join(FORMULAS)}")
    t = tensor(np.asarray(x, dtype=np.float64), requires_grad=True, dtype="float64")
    out = getattr(F, name)(t)
    out.sum().backward()
    grad = t._grad
    grad = np.zeros_like(t.data) if grad is None else np.asarray(getattr(grad, "data", grad))
    return np.asarray(out.data), grad


def plot_activations(names=("sigmoid", "tanh", "relu", "leaky_relu", "gelu"), x_range=(-5, 5), path=None,
                     title=None):
    """Each activation function (top row) above its derivative (bottom row), from the gates' backward.

    Parameters
    ----------
    names : sequence of str
        Activations among sigmoid, tanh, relu, leaky_relu, gelu, hardtanh, step.
    x_range : (float, float)
    path : str or Path, optional

    Returns
    -------
    matplotlib.figure.Figure
        2 × len(names) Axes: f(x) titled with its formula above f'(x) titled with the derivative's.

    Shape
    -----
    not applicable.

    Examples
    --------
    >>> fig = plot_activations(["sigmoid", "relu"])
    >>> [ax.get_title() for ax in fig.axes][:2]
    ['σ(x) = 1 / (1 + e⁻ˣ)', 'relu(x) = max(0, x)']
    """
    names = list(names)
    if not names:
        raise ValueError("plot_activations: give at least one activation name")
    x = np.linspace(float(x_range[0]), float(x_range[1]), 801)
    fig, axes = new_figure((3.1 * len(names), 5.4), 2, len(names), sharex=True)
    for j, name in enumerate(names):
        f, df = activation_and_derivative(name, x)
        top, bottom = axes[0, j], axes[1, j]
        top.plot(x, f, color="tab:blue", lw=2)
        bottom.plot(x, df, color="tab:red", lw=2)
        top.set_title(FORMULAS[name][0], fontsize=9)
        bottom.set_title(FORMULAS[name][1], fontsize=9)
        for ax in (top, bottom):
            ax.axhline(0, color="grey", lw=0.6)
            ax.axvline(0, color="grey", lw=0.6)
            ax.grid(True, alpha=0.3)
        bottom.set_xlabel("x")
    axes[0, 0].set_ylabel("f(x)")
    axes[1, 0].set_ylabel("f'(x), from backward")
    fig.suptitle(title or "activation functions (top) and their derivatives (bottom), computed by the gates")
    return finish(fig, path)
