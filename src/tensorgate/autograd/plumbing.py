"""The gradient plumbing every gate shares, in one place for eager backward and the replayed tape.

A gate's ``backward`` is only its derivative. What is the same for every gate lives here, and both walks
of the graph call it: the eager engine (:meth:`Gate.downstream`, ``engine.backward``) and the code a
:class:`~tensorgate.autograd.tape.Tape` generates.

- :func:`per_input`: what a backward returned as one gradient per input (a gate with one input may return
  its array alone; a tuple stays as it is).
- :func:`fit`: a gradient brought to its input's shape (broadcasting undone) and dtype.
- :func:`add`: the junction rule, a value used twice receives the sum of both gradients.
- :func:`accumulate`: the junction rule across backward calls, into a tensor's ``.grad``, keeping the
  array itself only where nothing else can see it (copy-if-shared).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import backend as B
from ..backend import devices as D

if TYPE_CHECKING:
    from typing import Sequence

    from numpy.typing import NDArray

    from .gate import Grads
    from .tensor import Tensor


def per_input(grads: Grads) -> tuple[NDArray[Any] | None, ...]:
    """A backward's result as a tuple, one gradient (or None) per input.

    Shape: ``grads`` is an array (a gate with one input) or a tuple of arrays and Nones.
    """
    return grads if grads.__class__ is tuple else (grads,)  # type: ignore[return-value]


def fit(grad: NDArray[Any] | None, shape: tuple[int, ...], dtype: np.dtype[Any]) -> NDArray[Any] | None:
    """``grad`` brought to a value's ``shape`` (broadcast axes summed: :func:`backend.unbroadcast`) and
    ``dtype``; None stays None.

    Shape: grad: a shape that ``shape`` broadcasts to; result: ``shape``.
    """
    if grad is None:
        return None
    if grad.shape != shape:
        grad = B.unbroadcast(grad, shape)
    if grad.dtype is not dtype and grad.dtype != dtype:  # identity first: NumPy's dtypes are shared
        grad = D.namespace(grad).astype(grad, dtype)
    return grad


def add(total: NDArray[Any] | None, grad: NDArray[Any] | None) -> NDArray[Any] | None:
    """The junction rule: the sum of two gradients of one value, where either may be None (no gradient).

    Never in place: ``total`` may be an array a gate also handed elsewhere. Shape: both the value's.
    """
    if total is None:
        return grad
    return total if grad is None else total + grad


def is_shared(grad: NDArray[Any], upstream: NDArray[Any], downstream: Sequence[NDArray[Any] | None]) -> bool:
    """True if other code can see ``grad``: it is the gradient the gate received (passed on unchanged), or
    the gate handed the same array to two of its inputs."""
    if grad is upstream:
        return True
    count = 0
    for d in downstream:
        if d is grad:
            count += 1
    return count > 1


def accumulate(tensor: Tensor, grad: NDArray[Any], shared: bool = False) -> None:
    """Add ``grad`` into ``tensor.grad`` (the junction rule across backward calls, until zeroed).

    The first gradient is kept as it is only if nothing else can see it: not ``shared`` (see
    :func:`is_shared`), not a view, writeable; otherwise ``.grad`` gets a copy, so that accumulating into
    it later changes nothing else. Shape: grad: the tensor's.
    """
    if tensor._grad is None:
        if grad.__class__ is not np.ndarray:    # other devices: no views to detect, so always a private copy
            grad = D.namespace(grad).asarray(grad, copy=True)
        elif shared or grad.base is not None or not grad.flags.writeable:
            grad = grad.copy()
        tensor._grad = grad
    else:
        tensor._grad += grad
