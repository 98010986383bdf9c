"""RMSprop: divide the gradient by a running root-mean-square of recent gradients."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .optimizer import Optimizer, _check_number
from .sgd import _decayed

if TYPE_CHECKING:
    from .optimizer import ParamsT

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop (Hinton's lecture 6e), PyTorch's variant with optional centring and momentum.

    For every parameter p with gradient ∇, learning rate η, smoothing α, ε, weight decay λ and momentum μ:

    .. code-block:: text

        g  ← ∇ + λ p                        (L2 weight decay, if λ ≠ 0)
        s  ← α s + (1 − α) g²               (running mean of the squared gradient)
        ḡ  ← α ḡ + (1 − α) g                (centered only: running mean of the gradient)
        d  = √(s − ḡ²) + ε   if centered,   else   d = √s + ε
        b  ← μ b + g / d;   p ← p − η b      (with momentum μ > 0, PyTorch's convention)
        p  ← p − η g / d                    (without momentum)

    Centring divides by an estimate of the gradient's standard deviation instead of its root mean square.

    Parameters
    ----------
    params : iterable of Tensor or of dict
        Parameters or parameter groups.
    lr : float, default 1e-2
        η.
    alpha : float, default 0.99
        α, the smoothing constant of the running averages.
    eps : float, default 1e-8
        ε, added to the denominator (outside the square root, as in PyTorch).
    weight_decay : float, default 0
        λ.
    momentum : float, default 0
        μ.
    centered : bool, default False
        Subtract the squared running mean of the gradient inside the square root.

    Shape
    -----
    each parameter any shape; ``state[p]["square_avg"]`` (s), ``["grad_avg"]`` (ḡ) and
    ``["momentum_buffer"]`` (b) have p's shape and dtype.

    Examples
    --------
    >>> import tensorgate as tg
    >>> w = tg.tensor([3.0], requires_grad=True)
    >>> opt = RMSprop([w], lr=0.01, alpha=0.0)   # α = 0: s = g², so the step is η·sign(g)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w.data
    array([2.99], dtype=float32)
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False):
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                        centered=bool(centered))
        super().__init__(params, defaults)

    def _check_group(self, group):
        for name in ("lr", "alpha", "eps", "weight_decay", "momentum"):
            _check_number(name, group[name], cls="RMSprop")

    def _update(self, p, grad, group, state, work):
        lr, alpha, eps, mu = group["lr"], group["alpha"], group["eps"], group["momentum"]
        if not state:
            _start(state, p, group, np.zeros_like)
        state["step"] += 1
        g = _decayed(p, grad, group["weight_decay"], work.a)
        s, d = state["square_avg"], work.b

        s *= alpha                                     # s ← α s + (1 − α) g²
        np.multiply(g, g, out=d)
        d *= 1.0 - alpha
        s += d
        if group["centered"]:
            g_avg = state["grad_avg"]                  # ḡ ← α ḡ + (1 − α) g
            g_avg *= alpha
            np.multiply(g, 1.0 - alpha, out=d)
            g_avg += d
            np.multiply(g_avg, g_avg, out=d)           # d = √(s − ḡ²) + ε
            np.subtract(s, d, out=d)
            np.sqrt(d, out=d)
        else:
            np.sqrt(s, out=d)                          # d = √s + ε
        d += eps
        np.divide(g, d, out=d)                         # g / d
        if mu > 0:
            b = state["momentum_buffer"]               # b ← μ b + g / d;  p ← p − η b
            b *= mu
            b += d
            np.multiply(b, lr, out=d)
        else:
            d *= lr                                    # p ← p − η g / d
        p -= d

    def _update_xp(self, p, grad, group, state, xp):
        # the same equations as _update in the array API standard, for arrays on another device
        lr, alpha, eps, mu = float(group["lr"]), float(group["alpha"]), float(group["eps"]), float(group["momentum"])
        if not state:
            _start(state, p, group, xp.zeros_like)
        state["step"] += 1
        wd = float(group["weight_decay"])
        g = grad + p * wd if wd else grad
        s = state["square_avg"]
        s *= alpha                                     # s ← α s + (1 − α) g²
        s += (g * g) * (1.0 - alpha)
        if group["centered"]:
            g_avg = state["grad_avg"]                  # ḡ ← α ḡ + (1 − α) g
            g_avg *= alpha
            g_avg += g * (1.0 - alpha)
            d = xp.sqrt(s - g_avg * g_avg)             # d = √(s − ḡ²) + ε
        else:
            d = xp.sqrt(s)                             # d = √s + ε
        d += eps
        d = g / d
        if mu > 0:
            b = state["momentum_buffer"]               # b ← μ b + g / d;  p ← p − η b
            b *= mu
            b += d
            p -= b * lr
        else:
            p -= d * lr                                # p ← p − η g / d


def _start(state, p, group, zeros_like):
    """A parameter's first state: the square average s, the momentum buffer b (momentum > 0) and the mean
    gradient (centered), zeros on p's device."""
    state["step"] = 0
    state["square_avg"] = zeros_like(p)
    if group["momentum"] > 0:
        state["momentum_buffer"] = zeros_like(p)
    if group["centered"]:
        state["grad_avg"] = zeros_like(p)
