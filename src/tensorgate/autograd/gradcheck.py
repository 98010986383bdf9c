"""Check backpropagation against central finite differences.

For every element x_i of every input that requires grad,
    ∂f/∂x_i ≈ (f(x + ε e_i) − f(x − ε e_i)) / (2ε),
with the output reduced to a scalar by a fixed random projection ⟨f(x), r⟩, so one backward pass checks the
full Jacobian-vector product. Everything is done in float64 (float32 differences are too coarse), on the
inputs' device: the differences are taken on CPU copies, each perturbed input moved there for ``fn``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..backend import devices as D
from . import grad_mode
from .tensor import Tensor

if TYPE_CHECKING:
    from typing import Callable

    from .tensor import TensorLike


class GradcheckError(AssertionError):
    """Backpropagated and numerical gradients disagree."""


def gradcheck(fn: Callable[..., Tensor], *inputs: TensorLike, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              seed: int = 0) -> bool:
    """Compare ``fn``'s backpropagated gradients with central differences, in float64.

    Parameters
    ----------
    fn : callable
        Takes the inputs (Tensors) and returns a Tensor of any shape.
    *inputs : Tensor or array_like
        Inputs; those with ``requires_grad=True`` (or all floating ones, if none requires grad) are checked.
        They are converted to float64 copies; the originals are not touched.
    eps, atol, rtol : float
        Step and tolerances: |analytic − numeric| ≤ atol + rtol·|numeric| element by element.

    Returns
    -------
    True, or raises :class:`GradcheckError` naming the input and its worst element.

    Shape
    -----
    inputs any; fn's output any.
    """
    originals = [x if isinstance(x, Tensor) else Tensor(x, dtype="float64") for x in inputs]
    wanted = [x.requires_grad for x in originals]
    if not any(wanted):
        wanted = [x.dtype.kind == "f" for x in originals]
    xs = [Tensor(x.data, requires_grad=w, dtype=np.float64 if x.dtype.kind == "f" else x.dtype)
          for x, w in zip(originals, wanted)]
    devices = [D.device_of(x.data) for x in xs]

    with grad_mode.enable_grad():
        out = fn(*xs)
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: fn must return a Tensor, got {type(out).__name__}")
    projection = np.random.default_rng(seed).standard_normal(out.shape)
    if out.requires_grad:      # ∂⟨out, r⟩/∂out = r: the projection is the upstream gradient
        out.backward(Tensor(D.to_device(projection.astype(out.dtype), *D.device_of(out.data)), dtype=out.dtype))

    def scalar(arrays):
        with grad_mode.no_grad():
            value = fn(*[Tensor(D.to_device(a, *where), dtype=a.dtype) for a, where in zip(arrays, devices)])
        return float((D.to_numpy(value.data).astype(np.float64) * projection).sum())

    arrays = [np.array(D.to_numpy(x.data)) for x in xs]       # host copies, perturbed one element at a time
    for k, x in enumerate(xs):
        if not wanted[k]:
            continue
        analytic = D.to_numpy(x._grad) if x._grad is not None else np.zeros(x.shape)
        numeric = np.zeros(x.shape)
        flat = arrays[k].reshape(-1)
        for i in range(flat.size):
            saved = flat[i]
            flat[i] = saved + eps
            plus = scalar(arrays)
            flat[i] = saved - eps
            minus = scalar(arrays)
            flat[i] = saved
            numeric.reshape(-1)[i] = (plus - minus) / (2 * eps)
        error = np.abs(analytic - numeric) - (atol + rtol * np.abs(numeric))
        if (error > 0).any() or not np.isfinite(analytic).all():
            worst = np.unravel_index(np.nanargmax(np.where(np.isfinite(error), error, np.inf)), x.shape)
            raise GradcheckError(
                f"gradcheck: gradient of input {k} (shape {x.shape}) is wrong at index {tuple(map(int, worst))}: "
                f"backprop gives {analytic[worst]:.8g}, finite differences give {numeric[worst]:.8g}")
    return True
