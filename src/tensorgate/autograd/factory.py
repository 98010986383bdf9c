"""Tensor constructors, PyTorch's names: zeros, ones, full, arange, linspace, eye, randn, rand, their *_like
forms, and from_numpy.

Random ones draw from tensorgate's global generator, which ``tg.manual_seed`` reseeds.
"""
import numpy as np

from .. import backend as B
from ..backend import random as _random
from ..backend.budget import charge
from .tensor import Tensor, as_dtype


def _shape(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    for n in shape:
        if not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"shape: sizes must be non-negative integers, got {shape}")
    shape = tuple(int(n) for n in shape)
    charge(shape)  # inside tensorgate.io.load's allocation budget: refuse before allocating
    return shape


def _float_dtype(dtype):
    return as_dtype(dtype) if dtype is not None else np.dtype(B.DEFAULT_FLOAT)


def zeros(*shape, dtype=None, requires_grad=False):
    """A tensor of zeros. Shape: ``shape``."""
    return Tensor(np.zeros(_shape(shape), _float_dtype(dtype)), requires_grad, dtype=_float_dtype(dtype))


def ones(*shape, dtype=None, requires_grad=False):
    """A tensor of ones. Shape: ``shape``."""
    return Tensor(np.ones(_shape(shape), _float_dtype(dtype)), requires_grad, dtype=_float_dtype(dtype))


def full(shape, fill_value, dtype=None, requires_grad=False):
    """A tensor filled with ``fill_value``. Shape: ``shape``."""
    shape = _shape((shape,) if isinstance(shape, int) else (shape,))
    return Tensor(np.full(shape, fill_value, _float_dtype(dtype)), requires_grad, dtype=_float_dtype(dtype))


def arange(start, stop=None, step=1, dtype=None, requires_grad=False):
    """Evenly spaced values in [start, stop), as ``np.arange``: integer arguments give int64 unless ``dtype``.

    Shape: (ceil((stop − start)/step),).
    """
    values = np.arange(start, stop, step) if stop is not None else np.arange(start)
    return Tensor(values, requires_grad, dtype=dtype)


def randn(*shape, dtype=None, requires_grad=False):
    """Samples of the standard normal N(0, 1). Shape: ``shape``."""
    dtype = _float_dtype(dtype)
    values = _random.generator().standard_normal(_shape(shape), dtype=dtype)
    return Tensor(values, requires_grad, dtype=dtype)


def rand(*shape, dtype=None, requires_grad=False):
    """Samples of the uniform distribution on [0, 1). Shape: ``shape``."""
    dtype = _float_dtype(dtype)
    values = _random.generator().random(_shape(shape), dtype=dtype)
    return Tensor(values, requires_grad, dtype=dtype)


def zeros_like(t, dtype=None, requires_grad=False):
    """Zeros of t's shape (and dtype unless given)."""
    return zeros(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad)


def ones_like(t, dtype=None, requires_grad=False):
    """Ones of t's shape (and dtype unless given)."""
    return ones(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad)


def from_numpy(array):
    """A tensor sharing ``array``'s memory and keeping its dtype (float64 stays float64), as torch.from_numpy.

    Writing to one writes to the other. Shape: that of ``array``.
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    if array.dtype.kind not in "biuf":
        raise TypeError(f"from_numpy: array has dtype {array.dtype}; only numbers and booleans can become tensors")
    return Tensor._make(array, False, None)


def linspace(start, end, steps, dtype=None, requires_grad=False):
    """``steps`` evenly spaced values from ``start`` to ``end``, both included (float32 unless ``dtype``).

    Shape: (steps,).
    """
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"linspace: steps must be a non-negative integer, got {steps!r}")
    dtype = _float_dtype(dtype)
    return Tensor(np.linspace(start, end, int(steps)).astype(dtype), requires_grad, dtype=dtype)


def eye(n, m=None, dtype=None, requires_grad=False):
    """The identity matrix: ones on the diagonal, zeros elsewhere (float32 unless ``dtype``).

    Shape: (n, m), or (n, n) without m.
    """
    n, m = _shape((n, n if m is None else m))
    dtype = _float_dtype(dtype)
    return Tensor(np.eye(n, m, dtype=dtype), requires_grad, dtype=dtype)


def _new_zeros(self, *size, dtype=None, requires_grad=False):
    """A new tensor of zeros with self's dtype (unless ``dtype``), as PyTorch. Shape: ``size``."""
    return zeros(*size, dtype=self.data.dtype if dtype is None else dtype, requires_grad=requires_grad)


_new_zeros.__name__, _new_zeros.__qualname__ = "new_zeros", "Tensor.new_zeros"
Tensor.new_zeros = _new_zeros   # tensor.py cannot import this module, which builds on it
