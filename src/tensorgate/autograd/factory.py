"""Tensor constructors, PyTorch's names: zeros, ones, full, empty, arange, linspace, eye, randn, rand,
randint, randperm, their *_like forms, from_numpy and as_tensor (is_tensor and numel beside them). ``device='cpu'`` is accepted; a GPU is refused.

Random ones draw from tensorgate's global generator, which ``tg.manual_seed`` reseeds.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import backend as B
from ..backend import random as _random
from ..backend.budget import charge
from ..backend import devices as D
from .device import as_device
from .tensor import Tensor, as_dtype

if TYPE_CHECKING:
    from typing import Sequence

    from numpy.typing import DTypeLike, NDArray

    from .device import device


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


def zeros(*shape: int | Sequence[int], dtype: DTypeLike | None = None, device: str | device | None = None,
          requires_grad: bool = False) -> Tensor:
    """A tensor of zeros. Shape: ``shape``."""
    where = _check_device(device)
    return _place(Tensor(np.zeros(_shape(shape), _float_dtype(dtype)), requires_grad, dtype=_float_dtype(dtype)), where)


def ones(*shape: int | Sequence[int], dtype: DTypeLike | None = None, device: str | device | None = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of ones. Shape: ``shape``."""
    where = _check_device(device)
    return _place(Tensor(np.ones(_shape(shape), _float_dtype(dtype)), requires_grad, dtype=_float_dtype(dtype)), where)


def full(shape: int | Sequence[int], fill_value: float, dtype: DTypeLike | None = None,
         device: str | device | None = None, requires_grad: bool = False) -> Tensor:
    """A tensor filled with ``fill_value``; its dtype, unless given, follows the value as in PyTorch: bool for
    a bool, int64 for an int, float32 otherwise. Shape: ``shape``."""
    where = _check_device(device)
    shape = _shape((shape,) if isinstance(shape, int) else (shape,))
    if dtype is None and isinstance(fill_value, (bool, np.bool_)):
        dtype = np.bool_
    elif dtype is None and isinstance(fill_value, (int, np.integer)):
        dtype = np.int64
    dtype = _float_dtype(dtype)
    return _place(Tensor(np.full(shape, fill_value, dtype), requires_grad, dtype=dtype), where)


def arange(start: float, stop: float | None = None, step: float = 1, dtype: DTypeLike | None = None,
           device: str | device | None = None, requires_grad: bool = False) -> Tensor:
    """Evenly spaced values in [start, stop), as ``np.arange``: integer arguments give int64 unless ``dtype``.

    Shape: (ceil((stop − start)/step),).
    """
    where = _check_device(device)
    values = np.arange(start, stop, step) if stop is not None else np.arange(start)
    return _place(Tensor(values, requires_grad, dtype=dtype), where)


def randn(*shape: int | Sequence[int], dtype: DTypeLike | None = None, device: str | device | None = None,
          requires_grad: bool = False) -> Tensor:
    """Samples of the standard normal N(0, 1). Shape: ``shape``."""
    where = _check_device(device)
    dtype = _float_dtype(dtype)
    values = _random.generator().standard_normal(_shape(shape), dtype=dtype)
    return _place(Tensor(values, requires_grad, dtype=dtype), where)


def rand(*shape: int | Sequence[int], dtype: DTypeLike | None = None, device: str | device | None = None,
         requires_grad: bool = False) -> Tensor:
    """Samples of the uniform distribution on [0, 1). Shape: ``shape``."""
    where = _check_device(device)
    dtype = _float_dtype(dtype)
    values = _random.generator().random(_shape(shape), dtype=dtype)
    return _place(Tensor(values, requires_grad, dtype=dtype), where)


def _check_device(device):
    """The device a creation function was asked for (None: the CPU); a missing GPU raises here, first."""
    where = as_device(device)
    if where is not None and where.type == "cuda":
        D.require_cuda(f"device={str(where)!r}")
    return where


def _place(t: Tensor, where) -> Tensor:
    """t, made on the CPU from tensorgate's one random generator, moved to ``where`` (same numbers everywhere)."""
    if where is not None and where.type != "cpu":
        t.data = D.to_device(t.data, *where.key)
    return t


def empty(*shape: int | Sequence[int], dtype: DTypeLike | None = None, device: str | device | None = None,
          requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor (zeros here: NumPy's empty would leak old memory into a user's results).

    Shape: ``shape``.
    """
    return zeros(*shape, dtype=dtype, device=device, requires_grad=requires_grad)


def randint(low: int, high: int | None = None, size: Sequence[int] | None = None, *, dtype: DTypeLike | None = None,
            device: str | device | None = None, requires_grad: bool = False) -> Tensor:
    """Integers drawn uniformly from [low, high) (``randint(high, size)`` means low = 0); int64.

    Shape: ``size`` (a tuple, required, as PyTorch).
    """
    where = _check_device(device)
    if size is None:
        if high is None or not isinstance(high, (tuple, list)):
            raise TypeError("randint: size is required, e.g. randint(0, 10, (3,))")
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    values = _random.generator().integers(low, high, _shape(tuple(size)), dtype=np.int64)
    return _place(Tensor(values, requires_grad, dtype=dtype or np.int64), where)


def randperm(n: int, *, dtype: DTypeLike | None = None, device: str | device | None = None,
             requires_grad: bool = False) -> Tensor:
    """A random permutation of 0 … n−1; int64. Shape: (n,)."""
    where = _check_device(device)
    return _place(Tensor(_random.generator().permutation(int(n)), requires_grad, dtype=dtype or np.int64), where)


def _like(t, dtype):
    return tuple(t.shape), (t.dtype if dtype is None else dtype)


def _device_like(t, device):
    """A *_like function's device: t's unless given, as in PyTorch."""
    return t.device if device is None else device


def zeros_like(t: Tensor, dtype: DTypeLike | None = None, device: str | device | None = None,
               requires_grad: bool = False) -> Tensor:
    """Zeros of t's shape and dtype (unless ``dtype``). Shape: t's."""
    shape, dtype = _like(t, dtype)
    return zeros(shape, dtype=dtype, device=_device_like(t, device), requires_grad=requires_grad)


def ones_like(t: Tensor, dtype: DTypeLike | None = None, device: str | device | None = None,
              requires_grad: bool = False) -> Tensor:
    """Ones of t's shape and dtype (unless ``dtype``). Shape: t's."""
    shape, dtype = _like(t, dtype)
    return ones(shape, dtype=dtype, device=_device_like(t, device), requires_grad=requires_grad)


def empty_like(t: Tensor, dtype: DTypeLike | None = None, device: str | device | None = None,
               requires_grad: bool = False) -> Tensor:
    """An uninitialised (here: zero) tensor of t's shape and dtype. Shape: t's."""
    return zeros_like(t, dtype, device, requires_grad)


def full_like(t: Tensor, fill_value: float, dtype: DTypeLike | None = None, device: str | device | None = None,
              requires_grad: bool = False) -> Tensor:
    """``fill_value`` everywhere, t's shape and dtype (unless ``dtype``). Shape: t's."""
    shape, dtype = _like(t, dtype)
    return full(shape, fill_value, dtype=dtype, device=_device_like(t, device), requires_grad=requires_grad)


def rand_like(t: Tensor, dtype: DTypeLike | None = None, device: str | device | None = None,
              requires_grad: bool = False) -> Tensor:
    """U[0, 1) samples of t's shape and (floating) dtype. Shape: t's."""
    shape, dtype = _like(t, dtype)
    return rand(shape, dtype=dtype, device=_device_like(t, device), requires_grad=requires_grad)


def randn_like(t: Tensor, dtype: DTypeLike | None = None, device: str | device | None = None,
               requires_grad: bool = False) -> Tensor:
    """N(0, 1) samples of t's shape and (floating) dtype. Shape: t's."""
    shape, dtype = _like(t, dtype)
    return randn(shape, dtype=dtype, device=_device_like(t, device), requires_grad=requires_grad)


def from_numpy(array: NDArray[Any]) -> Tensor:
    """A tensor sharing ``array``'s memory and keeping its dtype (float64 stays float64), as torch.from_numpy.

    Writing to one writes to the other. Shape: that of ``array``.
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    if array.dtype.kind not in "biuf":
        raise TypeError(f"from_numpy: array has dtype {array.dtype}; only numbers and booleans can become tensors")
    return Tensor._make(array, False, None)


def as_tensor(data: Any, dtype: DTypeLike | None = None, device: str | device | None = None) -> Tensor:
    """``data`` as a tensor, sharing memory where it can, as ``torch.as_tensor``.

    A Tensor already of that dtype and device is returned itself (its graph kept); another Tensor is
    converted with ``.to``. A NumPy array of that dtype (or any number dtype, with ``dtype`` None) on the
    CPU is shared, as ``from_numpy`` shares it; otherwise the data is copied as :func:`tensor` copies it
    (a NumPy array keeps its dtype, Python floats become float32). Shape: that of ``data``.
    """
    from .tensor import tensor

    want = as_dtype(dtype)
    where = as_device(device)
    if isinstance(data, Tensor):
        if want is not None and want != data.dtype:
            data = data.to(want)
        return data if where is None else data.to(where)
    if (isinstance(data, np.ndarray) and data.dtype.kind in "biuf" and where in (None, as_device("cpu"))
            and (want is None or want == data.dtype)):
        return from_numpy(data)
    return tensor(data, dtype=want, device=where)


def is_tensor(obj: Any) -> bool:
    """True if ``obj`` is a tensorgate Tensor (a Parameter included), as ``torch.is_tensor``."""
    return isinstance(obj, Tensor)


def numel(t: Tensor) -> int:
    """The number of elements of ``t``, as ``torch.numel``. Shape: t any; the result an int."""
    return t.numel()


def linspace(start: float, end: float, steps: int, dtype: DTypeLike | None = None,
             device: str | device | None = None, requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included (float32 unless ``dtype``).

    Shape: (steps,).
    """
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"linspace: steps must be a non-negative integer, got {steps!r}")
    where = _check_device(device)
    dtype = _float_dtype(dtype)
    return _place(Tensor(np.linspace(start, end, int(steps)).astype(dtype), requires_grad, dtype=dtype), where)


def eye(n: int, m: int | None = None, dtype: DTypeLike | None = None, device: str | device | None = None,
        requires_grad: bool = False) -> Tensor:
    """The identity matrix: ones on the diagonal, zeros elsewhere (float32 unless ``dtype``).

    Shape: (n, m), or (n, n) without m.
    """
    n, m = _shape((n, n if m is None else m))
    where = _check_device(device)
    dtype = _float_dtype(dtype)
    return _place(Tensor(np.eye(n, m, dtype=dtype), requires_grad, dtype=dtype), where)


def _new_zeros(self: Tensor, *size: int | Sequence[int], dtype: DTypeLike | None = None,
               requires_grad: bool = False) -> Tensor:
    """A new tensor of zeros with self's dtype (unless ``dtype``), as PyTorch. Shape: ``size``."""
    return zeros(*size, dtype=self.dtype if dtype is None else dtype, device=self.device,
                       requires_grad=requires_grad)


def _new_ones(self: Tensor, *size: int | Sequence[int], dtype: DTypeLike | None = None,
              requires_grad: bool = False) -> Tensor:
    """A new tensor of ones with self's dtype (unless ``dtype``). Shape: ``size``."""
    return ones(*size, dtype=self.dtype if dtype is None else dtype, device=self.device,
                      requires_grad=requires_grad)


def _new_full(self: Tensor, size: int | Sequence[int], fill_value: float, dtype: DTypeLike | None = None,
              requires_grad: bool = False) -> Tensor:
    """A new tensor filled with ``fill_value``, self's dtype unless ``dtype``. Shape: ``size``."""
    return full(size, fill_value, dtype=self.dtype if dtype is None else dtype, device=self.device,
                                 requires_grad=requires_grad)


# tensor.py cannot import this module, which builds on it: the methods are attached here
for _method in (_new_zeros, _new_ones, _new_full):
    _method.__name__ = _method.__name__[1:]
    _method.__qualname__ = "Tensor." + _method.__name__
    setattr(Tensor, _method.__name__, _method)
del _method
