"""Adam and AdamW: momentum on the gradient and on its square, with bias correction."""
from __future__ import annotations

from typing import TYPE_CHECKING
import math

import numpy as np

from .optimizer import Optimizer, _check_number
from .sgd import _decayed

if TYPE_CHECKING:
    from .optimizer import ParamsT

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015): adaptive moment estimation.

    For every parameter p with gradient ∇, learning rate η, betas (β₁, β₂), ε and weight decay λ, step
    t = 1, 2, ... does (PyTorch's convention):

    .. code-block:: text

        g  ← ∇ + λ p                       (L2 weight decay, if λ ≠ 0: added to the gradient)
        m  ← β₁ m + (1 − β₁) g             (first moment: the momentum, an exponential average of g)
        v  ← β₂ v + (1 − β₂) g²            (second moment: an exponential average of g², elementwise)
        v̂max ← max(v̂max, v)                (amsgrad only; then v̂max replaces v below)
        m̂  = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)       (bias correction: m and v start at 0)
        p  ← p − η m̂ / (√v̂ + ε)

    computed as p ← p − (η / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε), exactly as PyTorch does.

    Parameters
    ----------
    params : iterable of Tensor or of dict
        Parameters or parameter groups.
    lr : float, default 1e-3
        η.
    betas : (float, float), default (0.9, 0.999)
        β₁, β₂ ∈ [0, 1).
    eps : float, default 1e-8
        ε, keeps the denominator away from 0.
    weight_decay : float, default 0
        λ (coupled L2: it goes through the adaptive scaling; see :class:`AdamW` for the decoupled form).
    amsgrad : bool, default False
        Use the running maximum of v (Reddi et al., 2018).

    Shape
    -----
    each parameter any shape; ``state[p]["exp_avg"]`` (m), ``["exp_avg_sq"]`` (v) and
    ``["max_exp_avg_sq"]`` have p's shape and dtype; ``state[p]["step"]`` is t (an int).

    Examples
    --------
    >>> import tensorgate as tg
    >>> w = tg.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = Adam([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()                      # the first Adam step moves every weight by about η
    >>> w.data.round(4)
    array([ 0.9, -1.9], dtype=float32)
    """

    _decoupled = False

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False):
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=bool(amsgrad))
        super().__init__(params, defaults)

    def _check_group(self, group):
        cls = type(self).__name__
        _check_number("lr", group["lr"], cls=cls)
        _check_number("eps", group["eps"], cls=cls)
        _check_number("weight_decay", group["weight_decay"], cls=cls)
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"{cls}: betas must be a pair (beta1, beta2), got {betas!r}")
        _check_number("betas[0]", betas[0], high=1.0, cls=cls)
        _check_number("betas[1]", betas[1], high=1.0, cls=cls)
        group["betas"] = tuple(float(b) for b in betas)

    def _update(self, p, grad, group, state, work):
        lr, (beta1, beta2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        if not state:
            _start(state, p, group, np.zeros_like)
        state["step"] += 1
        t = state["step"]
        m, v, s = state["exp_avg"], state["exp_avg_sq"], work.b

        if self._decoupled:
            if wd:
                p *= 1.0 - lr * wd                    # AdamW: p ← p − η λ p, outside the adaptive scaling
            g = grad
        else:
            g = _decayed(p, grad, wd, work.a)         # Adam: g ← ∇ + λ p

        m *= beta1                                    # m ← β₁ m + (1 − β₁) g
        np.multiply(g, 1.0 - beta1, out=s)
        m += s
        v *= beta2                                    # v ← β₂ v + (1 − β₂) g²
        np.multiply(g, g, out=s)
        s *= 1.0 - beta2
        v += s
        if group["amsgrad"]:
            vmax = state.get("max_exp_avg_sq")
            if vmax is None:                          # amsgrad switched on after some steps
                vmax = state["max_exp_avg_sq"] = np.zeros_like(p)
            np.maximum(vmax, v, out=vmax)             # v̂max ← max(v̂max, v)
            v = vmax

        step_size = lr / (1.0 - beta1 ** t)
        bias_correction2_sqrt = math.sqrt(1.0 - beta2 ** t)
        np.sqrt(v, out=s)                             # denominator √v / √(1 − β₂ᵗ) + ε
        s /= bias_correction2_sqrt
        s += eps
        np.divide(m, s, out=s)                        # p ← p − η/(1 − β₁ᵗ) · m / denominator
        s *= step_size
        p -= s

    def _update_xp(self, p, grad, group, state, xp):
        # the same equations as _update in the array API standard, for arrays on another device
        lr, eps, wd = float(group["lr"]), float(group["eps"]), float(group["weight_decay"])
        beta1, beta2 = group["betas"]
        if not state:
            _start(state, p, group, xp.zeros_like)
        state["step"] += 1
        t = state["step"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        if self._decoupled:
            if wd:
                p *= 1.0 - lr * wd                    # AdamW: p ← p − η λ p
            g = grad
        else:
            g = grad + p * wd if wd else grad         # Adam: g ← ∇ + λ p
        m *= beta1                                    # m ← β₁ m + (1 − β₁) g
        m += g * (1.0 - beta1)
        v *= beta2                                    # v ← β₂ v + (1 − β₂) g²
        v += (g * g) * (1.0 - beta2)
        if group["amsgrad"]:
            vmax = state.get("max_exp_avg_sq")
            if vmax is None:
                vmax = state["max_exp_avg_sq"] = xp.zeros_like(p)
            vmax[...] = xp.maximum(vmax, v)           # v̂max ← max(v̂max, v)
            v = vmax
        step_size = lr / (1.0 - beta1 ** t)
        denominator = xp.sqrt(v) / math.sqrt(1.0 - beta2 ** t) + eps
        p -= (m / denominator) * step_size            # p ← p − η/(1 − β₁ᵗ) · m / denominator


class AdamW(Adam):
    r"""AdamW (Loshchilov & Hutter, 2019): Adam with decoupled weight decay.

    The decay shrinks the weights directly instead of being added to the gradient, so it is not divided
    by √v̂ (L2 regularisation and weight decay are the same for SGD but not for Adam):

    .. code-block:: text

        p  ← p − η λ p                     (decoupled weight decay)
        m  ← β₁ m + (1 − β₁) ∇
        v  ← β₂ v + (1 − β₂) ∇²
        v̂max ← max(v̂max, v)                (amsgrad only)
        p  ← p − η m̂ / (√v̂ + ε),   m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)

    Parameters
    ----------
    params, lr, betas, eps, amsgrad
        As :class:`Adam`.
    weight_decay : float, default 1e-2
        λ (PyTorch's default for AdamW).

    Shape
    -----
    as :class:`Adam`.

    Examples
    --------
    >>> import tensorgate as tg
    >>> w = tg.tensor([1.0], requires_grad=True)
    >>> opt = AdamW([w], lr=0.1, weight_decay=0.5)
    >>> (w * 0.0).sum().backward()      # a zero gradient: only the decay acts, w ← w (1 − ηλ)
    >>> opt.step()
    >>> w.data
    array([0.95], dtype=float32)
    """

    _decoupled = True

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)


def _start(state, p, group, zeros_like):
    """A parameter's first state: m, v (and v̂max with amsgrad), zeros on p's device."""
    state["step"] = 0
    state["exp_avg"] = zeros_like(p)
    state["exp_avg_sq"] = zeros_like(p)
    if group["amsgrad"]:
        state["max_exp_avg_sq"] = zeros_like(p)
