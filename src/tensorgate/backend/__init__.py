"""The array backend: every gate does its array math through ``xp``.

Today ``xp`` is NumPy. Keeping all array calls behind this one module means a GPU array library with
NumPy's interface (CuPy) can be added here later without touching any gate.

The few functions NumPy lacks (``erf`` for the exact GELU) also live here.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as xp

from scipy.special import erf as _erf   # SciPy (a dependency, which blas.py needs too) ships a vectorised erf

if TYPE_CHECKING:
    from numpy.typing import DTypeLike, NDArray

float32 = xp.float32
float64 = xp.float64
int64 = xp.int64
bool_ = xp.bool_

#: The dtype of new floating tensors unless the caller asks for another.
DEFAULT_FLOAT = xp.float32

ndarray = xp.ndarray


def erf(x: NDArray[Any]) -> NDArray[Any]:
    """The error function, elementwise, keeping x's dtype, on any device (``ops.erf``).

    Shape: x: any; result: same as x.
    """
    if x.__class__ is xp.ndarray:
        return _erf(x).astype(x.dtype, copy=False)
    from .ops import erf as on_device
    return on_device(x)


def weak(value: Any) -> Any:
    """A NumPy scalar setting (a slope, a bound) as a Python number, which NumPy treats as "weak": it takes
    the array's dtype, where an ``np.float64`` would promote a float32 array to float64. Arrays and Python
    numbers are returned as they are.

    Shape: value: a scalar or an array; result: the same.
    """
    return value.item() if isinstance(value, xp.generic) else value


def is_floating(dtype: DTypeLike) -> bool:
    """True for float16/32/64 dtypes."""
    return xp.issubdtype(dtype, xp.floating)


def unbroadcast(grad: NDArray[Any], shape: tuple[int, ...]) -> NDArray[Any]:
    """Sum ``grad`` down to ``shape``: the backward of NumPy broadcasting.

    A tensor of shape (3, 1) added to one of shape (2, 3, 4) was copied along the axes that broadcasting
    created or stretched, so its gradient is the sum of the upstream gradient over those axes.

    Shape: grad: a shape that ``shape`` broadcasts to; result: ``shape``.
    """
    if grad.shape == shape:
        return grad
    if grad.__class__ is not xp.ndarray:          # another device: the same sums in the array API standard
        from .devices import namespace
        other = namespace(grad)
        extra = grad.ndim - len(shape)
        if extra:
            grad = other.sum(grad, axis=tuple(range(extra)))
        stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
        if stretched:
            grad = other.sum(grad, axis=stretched, keepdims=True)
        return other.reshape(grad, shape)
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad.reshape(shape)


from .memory import tune_malloc  # noqa: E402,F401  (called by fit and the CLI, never at import)
