"""Gradient clipping: call between ``loss.backward()`` and ``optimizer.step()``.

PyTorch keeps these in ``torch.nn.utils`` (and so does tensorgate); ``tg.optim.clip_grad_norm_`` is the same
function, re-exported from here.
"""
from __future__ import annotations

from typing import TYPE_CHECKING
import math

import numpy as np

from ...autograd import Tensor
from ...backend import devices as D

if TYPE_CHECKING:
    from typing import Iterable

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def _grads(parameters):
    """The gradient arrays (``p._grad``, which ``p.grad`` shows as a Tensor), to be changed in place."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p._grad for p in parameters if p._grad is not None]


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float, norm_type: float | str = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    r"""Rescale the gradients in place so that their joint norm is at most ``max_norm``.

    The total norm treats all gradients as one long vector: ‖g‖ₚ = (Σᵢ Σⱼ |gᵢⱼ|ᵖ)^{1/p} (the largest |gᵢⱼ|
    for p = inf). When it exceeds ``max_norm`` every gradient is multiplied by
    c = max_norm / (‖g‖ₚ + 10⁻⁶) (PyTorch's formula), which keeps the gradient's direction.

    Parameters
    ----------
    parameters : Tensor or iterable of Tensor
        Parameters whose ``.grad`` to clip (those without a gradient are ignored).
    max_norm : float
        The largest allowed total norm.
    norm_type : float, default 2
        p; ``float("inf")`` for the max norm.
    error_if_nonfinite : bool, default False
        Raise if the total norm is nan or inf (instead of clipping with a nan factor).
    foreach : bool, optional
        PyTorch's choice of kernel; accepted and ignored (the result is the same).

    Returns
    -------
    Tensor
        The total norm of the gradients before clipping, a 0-d tensor of the gradients' dtype (as PyTorch:
        ``.item()`` gives the number).

    Shape
    -----
    gradients any shapes; modified in place.

    Examples
    --------
    >>> import tensorgate as tg
    >>> w = tg.tensor([0.0, 0.0], requires_grad=True)
    >>> (w * tg.tensor([3.0, 4.0])).sum().backward()      # ∇ = [3, 4], norm 5
    >>> round(clip_grad_norm_([w], max_norm=1.0).item(), 4)
    5.0
    >>> w.grad.numpy().round(4)
    array([0.6, 0.8], dtype=float32)
    """
    grads = _grads(parameters)
    max_norm, norm_type = float(max_norm), float(norm_type)
    if not grads:
        return Tensor(0.0)
    if any(g.__class__ is not np.ndarray for g in grads):
        total = _device_norm(grads, norm_type)
    elif norm_type == math.inf:
        total = max(float(np.max(np.abs(g))) if g.size else 0.0 for g in grads)
    elif norm_type == 2.0:
        total = math.sqrt(math.fsum(float(np.vdot(g, g)) for g in grads))
    else:
        total = math.fsum(float(np.sum(np.abs(g) ** norm_type)) for g in grads) ** (1.0 / norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is {total}; "
                           "pass error_if_nonfinite=False to clip anyway")
    coef = max_norm / (total + 1e-6)
    if coef < 1.0:
        for g in grads:
            g *= coef
    result = np.array(total, dtype=D.numpy_dtype(grads[0].dtype))
    return Tensor(result if grads[0].__class__ is np.ndarray else D.to_device(result, *D.device_of(grads[0])),
                  dtype=result.dtype)


def _device_norm(grads, norm_type):
    """The total norm of gradients off the CPU: one number per gradient on the device, one copy to the host."""
    xp = D.namespace(*grads)      # refuses gradients on two devices, naming both
    grads = [xp.reshape(g, (-1,)) for g in grads if g.size]
    if not grads:
        return 0.0
    if norm_type == math.inf:
        return float(xp.max(xp.stack([xp.max(xp.abs(g)) for g in grads])))
    if norm_type == 2.0:
        parts = [xp.astype(xp.vecdot(g, g), xp.float64) for g in grads]
        return math.sqrt(float(xp.sum(xp.stack(parts))))
    parts = [xp.astype(xp.sum(xp.abs(g) ** norm_type), xp.float64) for g in grads]
    return float(xp.sum(xp.stack(parts))) ** (1.0 / norm_type)


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float, foreach: bool | None = None) -> None:
    """Clip every gradient entry to [−clip_value, clip_value] in place.

    Shape: gradients any shapes; modified in place.

    Examples
    --------
    >>> import tensorgate as tg
    >>> w = tg.tensor([0.0, 0.0], requires_grad=True)
    >>> (w * tg.tensor([3.0, -0.5])).sum().backward()
    >>> clip_grad_value_([w], 1.0)
    >>> w.grad.numpy()
    array([ 1. , -0.5], dtype=float32)
    """
    clip_value = float(clip_value)
    if clip_value < 0:
        raise ValueError(f"clip_grad_value_: clip_value must be non-negative, got {clip_value}")
    for g in _grads(parameters):
        if g.__class__ is np.ndarray:
            np.clip(g, -clip_value, clip_value, out=g)
        else:
            g[...] = D.namespace(g).clip(g, -clip_value, clip_value)
