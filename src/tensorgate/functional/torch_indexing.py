"""Masks, logic and index operations with PyTorch's names: gather, scatter, index_select, masked_fill,
nonzero, isnan, logical_and, eq, ..., and the products bmm and einsum.

Comparisons and logic carry no gradient (their results are bool tensors). Selections (gather,
index_select, masked_fill, scatter) are gates: the gradient goes back to the elements selected.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..autograd.tensor import Tensor
from ..autograd.tensor_inplace import _scatter_index
from ..autograd.tensor_logic import elementwise
from ..backend import devices as D
from . import shape as _sh
from .einsum import EinsumGate, parse_equation

if TYPE_CHECKING:
    from ..autograd.tensor import TensorLike


def _tensor(x):
    return x if isinstance(x, Tensor) else Tensor(x)


def _data(x):
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _bool(name, x):
    return Tensor._make(np.asarray(x) if isinstance(x, (np.ndarray, np.generic, bool)) else x, False, None)


def _device(x):
    """The namespace of x's array where it lives off NumPy (None on the CPU)."""
    data = _data(x)
    return None if data.__class__ is np.ndarray or isinstance(data, np.generic) else D.namespace(data)


def _like(array, other):
    """``array`` (NumPy's, or a device's) moved to other's device."""
    return D.to_device(array, *D.device_of(other)) if other.__class__ is not np.ndarray else array


# ---------------------------------------------------------------- selections (gates)
def gather(input: TensorLike, dim: int, index: TensorLike) -> Tensor:
    """out[i][j] = input[index[i][j]][j] (dim 0), input[i][index[i][j]] (dim 1), ...; the gradient goes back
    to the gathered places (repeats accumulate).

    Shape: index has input's number of dimensions; out has index's shape.
    """
    input = _tensor(input)
    return _sh.GetItemGate.apply(input, index=_scatter_index(input.data, dim, _data(index)))


def scatter(input: TensorLike, dim: int, index: TensorLike, src: TensorLike | None = None, *,
            value: float | None = None) -> Tensor:
    """A copy of input with ``src`` (a tensor, or a number as ``value``) written at ``index`` along ``dim``.

    Shape: index has input's number of dimensions; src at least index's shape; out has input's shape.
    """
    input = _tensor(input)
    idx = _scatter_index(input.data, dim, _data(index))
    src = value if src is None else src
    if not isinstance(src, Tensor):
        src = Tensor(_like(np.full(tuple(idx[0].shape), src, dtype=input.dtype), input.data))
    return _sh.ScatterGate.apply(input, src, index=idx, add=False)


def scatter_add(input: TensorLike, dim: int, index: TensorLike, src: TensorLike) -> Tensor:
    """A copy of input with ``src`` added at ``index`` along ``dim`` (repeated places accumulate).

    Shape: as :func:`scatter`.
    """
    input = _tensor(input)
    return _sh.ScatterGate.apply(input, _tensor(src), index=_scatter_index(input.data, dim, _data(index)),
                                 add=True)


def index_select(input: TensorLike, dim: int, index: TensorLike) -> Tensor:
    """The slices of input at the positions ``index`` (1-D integers) along ``dim``.

    Shape: input's shape with len(index) along dim.
    """
    input = _tensor(input)
    index = _data(index)
    if index.ndim > 1 or D.kind(index.dtype) not in "iu":
        raise TypeError(f"index_select: index must be a 1-D integer tensor, got dtype {D.numpy_dtype(index.dtype)} "
                        f"and shape {index.shape}")
    where: list = [slice(None)] * input.ndim
    where[dim] = index.reshape(-1) if index.__class__ is np.ndarray else D.namespace(index).reshape(index, (-1,))
    return _sh.GetItemGate.apply(input, index=tuple(where))


def masked_fill(input: TensorLike, mask: TensorLike, value: TensorLike) -> Tensor:
    """A copy of input with ``value`` where ``mask`` is true; the gradient passes where it is false.

    Shape: mask broadcasts to input's shape; out has input's shape.
    """
    from . import where

    input = _tensor(input)
    m = _data(mask)
    if D.kind(m.dtype) != "b":
        raise TypeError(f"masked_fill: mask must be a bool tensor, got dtype {D.numpy_dtype(m.dtype)}")
    value = value.data if isinstance(value, Tensor) else value
    xp = _device(input)
    if xp is None:
        fill = np.asarray(value, dtype=input.dtype)
        return where(np.broadcast_to(m, input.shape), Tensor(fill, dtype=input.dtype), input)  # type: ignore[return-value]
    m, value = _like(m, input.data), _like(value, input.data) if hasattr(value, "shape") else np.asarray(value)
    fill = xp.astype(_like(value, input.data), input.data.dtype)
    return where(xp.broadcast_to(m, input.shape), Tensor(fill, dtype=input.dtype), input)  # type: ignore[return-value]


def nonzero(input: TensorLike, *, as_tuple: bool = False) -> Tensor | tuple[Tensor, ...]:
    """The indices of the nonzero elements: an int64 tensor of shape (count, ndim), or with ``as_tuple``
    one 1-D tensor per dimension (NumPy's ``nonzero``). Shape: (count, input.ndim)."""
    data = _data(input)
    xp = _device(input)
    if xp is None:
        if as_tuple:
            return tuple(Tensor(i.astype(np.int64)) for i in np.nonzero(data))
        return Tensor(np.argwhere(data).astype(np.int64))
    found = [xp.astype(i, xp.int64) for i in xp.nonzero(data)]
    if as_tuple:
        return tuple(Tensor(i) for i in found)
    return Tensor(xp.stack(found, axis=1))


def argwhere(input: TensorLike) -> Tensor:
    """The indices of the nonzero elements, as :func:`nonzero`. Shape: (count, input.ndim)."""
    return nonzero(input)  # type: ignore[return-value]


# ---------------------------------------------------------------- comparisons and logic (bool, no gradient)
def eq(input: TensorLike, other: TensorLike) -> Tensor:
    """input = other elementwise, a bool tensor. Shape: broadcast of both."""
    return _tensor(input).eq(other)


def ne(input: TensorLike, other: TensorLike) -> Tensor:
    """input ≠ other elementwise, a bool tensor. Shape: broadcast of both."""
    return _tensor(input).ne(other)


def lt(input: TensorLike, other: TensorLike) -> Tensor:
    """input < other elementwise, a bool tensor. Shape: broadcast of both."""
    return _tensor(input).lt(other)


def le(input: TensorLike, other: TensorLike) -> Tensor:
    """input ≤ other elementwise, a bool tensor. Shape: broadcast of both."""
    return _tensor(input).le(other)


def gt(input: TensorLike, other: TensorLike) -> Tensor:
    """input > other elementwise, a bool tensor. Shape: broadcast of both."""
    return _tensor(input).gt(other)


def ge(input: TensorLike, other: TensorLike) -> Tensor:
    """input ≥ other elementwise, a bool tensor. Shape: broadcast of both."""
    return _tensor(input).ge(other)


def equal(input: TensorLike, other: TensorLike) -> bool:
    """True if both have the same shape and the same elements (a Python bool). Shape: not applicable."""
    a, b = _data(input), _data(other)
    if a.__class__ is np.ndarray and b.__class__ is np.ndarray:
        return a.shape == b.shape and bool(np.array_equal(a, b))
    return tuple(a.shape) == tuple(b.shape) and bool(_all(elementwise("equal", a, b)))


def _all(x):
    return np.all(x) if x.__class__ is np.ndarray else D.namespace(x).all(x)


def allclose(input: TensorLike, other: TensorLike, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """True if |input − other| ≤ atol + rtol·|other| everywhere (a Python bool). Shape: broadcastable."""
    if _device(input) is None and _device(other) is None:
        return bool(np.allclose(_data(input), _data(other), rtol=rtol, atol=atol, equal_nan=equal_nan))
    return bool(_all(_isclose(_data(input), _data(other), rtol, atol, equal_nan)))


def isclose(input: TensorLike, other: TensorLike, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    """|input − other| ≤ atol + rtol·|other| elementwise, a bool tensor. Shape: broadcast of both."""
    if _device(input) is None and _device(other) is None:
        return _bool("isclose", np.isclose(_data(input), _data(other), rtol=rtol, atol=atol, equal_nan=equal_nan))
    return _bool("isclose", _isclose(_data(input), _data(other), rtol, atol, equal_nan))


def _isclose(a, b, rtol, atol, equal_nan):
    """NumPy's isclose in the standard: equal (infinities too), or |a − b| ≤ atol + rtol·|b|."""
    def close(xp, a, b):
        if D.kind(a.dtype) != "f":
            a, b = xp.astype(a, xp.float64), xp.astype(b, xp.float64)
        near = (a == b) | (xp.abs(a - b) <= atol + rtol * xp.abs(b))
        return near | (xp.isnan(a) & xp.isnan(b)) if equal_nan else near
    return elementwise(close, a, b)


def isnan(input: TensorLike) -> Tensor:
    """True where input is nan. Shape: input's."""
    return _bool("isnan", _unary("isnan", input))


def isinf(input: TensorLike) -> Tensor:
    """True where input is ±inf. Shape: input's."""
    return _bool("isinf", _unary("isinf", input))


def isfinite(input: TensorLike) -> Tensor:
    """True where input is neither nan nor ±inf. Shape: input's."""
    return _bool("isfinite", _unary("isfinite", input))


def logical_and(input: TensorLike, other: TensorLike) -> Tensor:
    """input ∧ other (nonzero is true), a bool tensor. Shape: broadcast of both."""
    return _logical("logical_and", input, other)


def logical_or(input: TensorLike, other: TensorLike) -> Tensor:
    """input ∨ other (nonzero is true), a bool tensor. Shape: broadcast of both."""
    return _logical("logical_or", input, other)


def logical_xor(input: TensorLike, other: TensorLike) -> Tensor:
    """input ⊕ other (nonzero is true), a bool tensor. Shape: broadcast of both."""
    return _logical("logical_xor", input, other)


def logical_not(input: TensorLike) -> Tensor:
    """¬input (nonzero is true), a bool tensor. Shape: input's."""
    xp = _device(input)
    if xp is None:
        return _bool("logical_not", np.logical_not(_data(input)))
    return _bool("logical_not", xp.logical_not(_truth(xp, _data(input))))


def _unary(name, input):
    xp = _device(input)
    return getattr(np, name)(_data(input)) if xp is None else getattr(xp, name)(_data(input))


def _truth(xp, x):
    """Nonzero as true (NumPy's logical functions take numbers; the standard's take bool arrays)."""
    return x if D.kind(x.dtype) == "b" else x != 0


def _logical(name, input, other):
    if _device(input) is None and _device(other) is None:
        return _bool(name, getattr(np, name)(_data(input), _data(other)))
    return _bool(name, elementwise(lambda xp, a, b: getattr(xp, name)(_truth(xp, a), _truth(xp, b)),
                                   _data(input), _data(other)))


def count_nonzero(input: TensorLike, dim: int | tuple[int, ...] | None = None) -> Tensor:
    """The number of nonzero elements (along ``dim``), int64. Shape: as a reduction."""
    xp = _device(input)
    if xp is None:
        return Tensor(np.asarray(np.count_nonzero(_data(input), axis=dim), dtype=np.int64))
    return Tensor(xp.astype(xp.count_nonzero(_data(input), axis=dim), xp.int64))


# ---------------------------------------------------------------- products
def bmm(input: TensorLike, mat2: TensorLike) -> Tensor:
    """Batched matrix product (PyTorch's ``bmm``: 3-D operands, no broadcasting).

    Shape: (b, n, m) @ (b, m, p) → (b, n, p).
    """
    from . import matmul

    a, b = _tensor(input), _tensor(mat2)
    if a.ndim != 3 or b.ndim != 3 or a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise ValueError(f"bmm: expects (b, n, m) and (b, m, p) tensors, got shapes {a.shape} and {b.shape}")
    return matmul(a, b)


def einsum(equation: str, *operands: TensorLike) -> Tensor:
    """Einstein summation, e.g. ``einsum('bij,bjk->bik', a, b)`` (no '...' and no repeated subscript within
    an operand). Shape: as the equation says.
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    subs, output = parse_equation(equation, len(operands))
    for s, x in zip(subs, operands):
        data = x.data if isinstance(x, Tensor) else np.asarray(x)
        if len(s) != data.ndim:
            raise ValueError(f"einsum: subscripts {s!r} do not match an operand of shape {tuple(data.shape)}")
    return EinsumGate.apply(*operands, subs=subs, output=output)
