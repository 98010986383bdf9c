"""Reductions with PyTorch's signatures: ``max(x, 1)`` gives ``(values, indices)``, ``argmax``, ``sort``,
``topk``, ``median``, ``prod``, ``cumsum``, ``logsumexp``, ``amax``/``amin``, ``all``/``any``.

``dim`` may be given positionally or as ``dim=``; NumPy's spellings ``axis=`` and ``keepdims=`` are accepted
as aliases, as PyTorch accepts them, and mean the same (``max(x, axis=1)`` is also a named tuple).
Values selected by an index (``max`` with a dim, ``sort``, ``topk``, ``median``) are gathered, so their
gradient goes to the selected element, as in PyTorch; ``amax``/``amin`` and ``max`` without a dim share
it equally between ties, as PyTorch does. Indices are computed with the input's array module
(``D.namespace``), on its device.
"""
from __future__ import annotations

from typing import TYPE_CHECKING
import builtins
from collections import namedtuple

import numpy as np

from ..autograd.tensor import Tensor
from ..backend import devices as D
from . import reduction as _red
from .torch_indexing import gather

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

    from ..autograd.tensor import TensorLike

#: the named tuples of PyTorch's ``torch.return_types``: fields ``values`` and ``indices``
max_result = namedtuple("max", ["values", "indices"])  # type: ignore[name-match]
min_result = namedtuple("min", ["values", "indices"])  # type: ignore[name-match]
sort_result = namedtuple("sort", ["values", "indices"])  # type: ignore[name-match]
topk_result = namedtuple("topk", ["values", "indices"])  # type: ignore[name-match]
median_result = namedtuple("median", ["values", "indices"])  # type: ignore[name-match]


def _dim(fn, dim, axis):
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{fn}: give the dimension once, as dim= (or its alias axis=), not both")
        return axis
    return dim


def _keep(keepdim, keepdims):
    return keepdim if keepdims is None else keepdims


def _tensor(x):
    return x if isinstance(x, Tensor) else Tensor(x)


def _indices(array):
    """Indices as an int64 tensor that needs no gradient, on the array's device."""
    if array.__class__ is np.ndarray or isinstance(array, np.generic):
        return Tensor._make(np.asarray(array, dtype=np.int64), False, None)
    xp = D.namespace(array)
    return Tensor._make(array if array.dtype == xp.int64 else xp.astype(array, xp.int64), False, None)


def _zero_index(x):
    """The index 0 as a 0-d int64 tensor on x's device (the answer for a 0-d tensor)."""
    xp = D.namespace(x.data)
    return Tensor._make(xp.zeros((), dtype=D.dtype_in(xp, np.int64), device=x.data.device), False, None)


def _check_dim(fn, x, dim):
    nd = builtins.max(x.ndim, 1)
    if not isinstance(dim, (int, np.integer)) or not -nd <= dim < nd:
        raise IndexError(f"{fn}: dim {dim!r} is out of range for a tensor of shape {x.shape}")
    return int(dim) % nd


def _pick(fn, x, dim, keepdim, find):
    """(values, indices) of the element ``find`` picks along ``dim``, the values gathered (gradient to it)."""
    x = _tensor(x)
    if x.ndim == 0:
        return x, _zero_index(x)
    dim = _check_dim(fn, x, dim)
    if x.shape[dim] == 0:
        raise IndexError(f"{fn}: cannot reduce over dim {dim} of size 0 (shape {x.shape})")
    xp = D.namespace(x.data)
    idx = find(xp, x.data, dim)
    values = gather(x, dim, Tensor._make(idx, False, None))
    if not keepdim:
        values = values.reshape(values.shape[:dim] + values.shape[dim + 1:])
        idx = xp.squeeze(idx, axis=dim)
    return values, _indices(idx)


def max(input: TensorLike, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None,
        keepdims: bool | None = None) -> Tensor | max_result:
    """The maximum of all elements (a 0-d tensor), or along ``dim`` the named tuple ``(values, indices)``;
    ``max(a, b)`` with a tensor b is the elementwise :func:`maximum`, as in PyTorch.

    Shape: () without dim; along dim: input's shape without dim (size 1 there with keepdim).
    """
    if isinstance(dim, (Tensor, np.ndarray)):
        from . import maximum

        return maximum(input, dim)
    dim = _dim("max", dim, axis)
    if dim is None:
        return _red.MaxGate.apply(input)
    return max_result(*_pick("max", input, dim, _keep(keepdim, keepdims),
                             lambda xp, a, d: xp.argmax(a, axis=d, keepdims=True)))


def min(input: TensorLike, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None,
        keepdims: bool | None = None) -> Tensor | min_result:
    """The minimum, as :func:`max`: ``(values, indices)`` along ``dim``; ``min(a, b)`` is :func:`minimum`.

    Shape: as :func:`max`.
    """
    if isinstance(dim, (Tensor, np.ndarray)):
        from . import minimum

        return minimum(input, dim)
    dim = _dim("min", dim, axis)
    if dim is None:
        return _red.MinGate.apply(input)
    return min_result(*_pick("min", input, dim, _keep(keepdim, keepdims),
                             lambda xp, a, d: xp.argmin(a, axis=d, keepdims=True)))


def _arg(fn, find, input, dim, keepdim):
    input = _tensor(input)
    xp = D.namespace(input.data)
    if dim is None:       # over the flattened tensor
        result = getattr(xp, find)(xp.reshape(input.data, (-1,)))
        return _indices(xp.reshape(result, (1,) * input.ndim if keepdim else ()))
    dim = _check_dim(fn, input, dim)
    return _indices(getattr(xp, find)(input.data, axis=dim, keepdims=keepdim))


def argmax(input: TensorLike, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None,
           keepdims: bool | None = None) -> Tensor:
    """The index of the (first) maximum, over the flattened tensor or along ``dim``; int64, no gradient.

    Shape: () without dim; along dim: input's shape without dim (size 1 there with keepdim).
    """
    return _arg("argmax", "argmax", input, _dim("argmax", dim, axis), _keep(keepdim, keepdims))


def argmin(input: TensorLike, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None,
           keepdims: bool | None = None) -> Tensor:
    """The index of the (first) minimum, as :func:`argmax`. Shape: as :func:`argmax`."""
    return _arg("argmin", "argmin", input, _dim("argmin", dim, axis), _keep(keepdim, keepdims))


def amax(input: TensorLike, dim: int | tuple[int, ...] | None = (), keepdim: bool = False, *,
         axis: int | tuple[int, ...] | None = None, keepdims: bool | None = None) -> Tensor:
    """The maximum over ``dim`` (an int, a tuple, or () for all), ties sharing the gradient (PyTorch's amax).

    Shape: input's shape without the dims (size 1 there with keepdim).
    """
    dim = _dim("amax", None if dim == () else dim, axis)
    return _red.MaxGate.apply(input, axis=dim, keepdims=_keep(keepdim, keepdims))


def amin(input: TensorLike, dim: int | tuple[int, ...] | None = (), keepdim: bool = False, *,
         axis: int | tuple[int, ...] | None = None, keepdims: bool | None = None) -> Tensor:
    """The minimum over ``dim``, as :func:`amax`. Shape: as :func:`amax`."""
    dim = _dim("amin", None if dim == () else dim, axis)
    return _red.MinGate.apply(input, axis=dim, keepdims=_keep(keepdim, keepdims))


def argsort(input: TensorLike, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """Indices that sort ``input`` along ``dim`` (ties in their original order); int64. Shape: input's."""
    input = _tensor(input)
    if input.ndim == 0:
        return _zero_index(input)
    dim = _check_dim("argsort", input, dim)
    data = input.data
    if data.__class__ is not np.ndarray:      # the standard's stable argsort keeps ties in order both ways
        return _indices(D.namespace(data).argsort(data, axis=dim, descending=descending, stable=True))
    if descending:   # a stable sort of the reversed array, reversed back, keeps ties in order
        flipped = np.flip(data, dim)
        idx = np.flip(np.argsort(flipped, axis=dim, kind="stable"), dim)
        idx = data.shape[dim] - 1 - idx
    else:
        idx = np.argsort(data, axis=dim, kind="stable")
    return Tensor._make(idx.astype(np.int64, copy=False), False, None)


def sort(input: TensorLike, dim: int = -1, descending: bool = False, stable: bool = False) -> sort_result:
    """``(values, indices)`` of ``input`` sorted along ``dim``; values gathered (gradient to each element).

    Shape: both of input's shape.
    """
    input = _tensor(input)
    if input.ndim == 0:
        return sort_result(input, _zero_index(input))
    idx = argsort(input, dim, descending)
    return sort_result(gather(input, dim, idx), idx)


def topk(input: TensorLike, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> topk_result:
    """The ``k`` largest (or smallest) elements along ``dim`` as ``(values, indices)``, largest first.

    Shape: input's shape with k along dim.
    """
    input = _tensor(input)
    dim = _check_dim("topk", input, dim)
    if not 0 <= k <= input.shape[dim]:
        raise IndexError(f"topk: k = {k} is out of range for dim {dim} of size {input.shape[dim]}")
    idx = argsort(input, dim, descending=largest)
    idx = Tensor._make(idx.data[(slice(None),) * dim + (slice(0, k), ...)], False, None)
    return topk_result(gather(input, dim, idx), idx)


def median(input: TensorLike, dim: int | None = None, keepdim: bool = False) -> Tensor | median_result:
    """The lower median (no averaging of the middle two, as PyTorch): of all elements a 0-d tensor, along
    ``dim`` the named tuple ``(values, indices)``.

    Shape: () without dim; along dim: input's shape without dim (size 1 there with keepdim).
    """
    input = _tensor(input)
    if dim is None:
        flat = input.reshape(-1)
        values, _ = median(flat, 0)  # type: ignore[misc]
        return values
    dim = _check_dim("median", input, dim)

    def find(xp, a, d):
        order = xp.argsort(a, axis=d, stable=True)
        middle = (a.shape[d] - 1) // 2
        return order[(slice(None),) * d + (slice(middle, middle + 1), ...)]

    return median_result(*_pick("median", input, dim, keepdim, find))


def prod(input: TensorLike, dim: int | None = None, keepdim: bool = False, *, dtype: DTypeLike | None = None,
         axis: int | None = None, keepdims: bool | None = None) -> Tensor:
    """Π of the elements (all, or along ``dim``); the gradient is the product of the others.

    Shape: () without dim; along dim: input's shape without dim (size 1 there with keepdim).
    """
    input = _tensor(input)
    if dtype is not None:
        input = input.to(dtype)
    dim = _dim("prod", dim, axis)
    if input.dtype.kind != "f":   # integers and booleans: an int64 product without gradient, as PyTorch
        xp = D.namespace(input.data)
        data = xp.astype(input.data, D.dtype_in(xp, np.int64))
        return Tensor._make(xp.prod(data, axis=dim, keepdims=_keep(keepdim, keepdims)), False, None)
    return _red.ProdGate.apply(input, axis=dim, keepdims=_keep(keepdim, keepdims))


def cumsum(input: TensorLike, dim: int, *, dtype: DTypeLike | None = None) -> Tensor:
    """The running sum along ``dim``. Integers and booleans sum as int64, as PyTorch. Shape: input's."""
    input = _tensor(input)
    if dtype is not None:
        input = input.to(dtype)
    elif input.dtype.kind in "biu" and input.dtype != np.int64:
        xp = D.namespace(input.data)
        input = Tensor._make(xp.astype(input.data, D.dtype_in(xp, np.int64)), False, None)
    return _red.CumsumGate.apply(input, axis=_check_dim("cumsum", input, dim))


def logsumexp(input: TensorLike, dim: int | tuple[int, ...], keepdim: bool = False) -> Tensor:
    """log Σ exp(x) along ``dim``, computed as m + log Σ exp(x − m), m the maximum (no overflow).

    The gradient is softmax(x) along dim. Shape: input's shape without dim (size 1 there with keepdim).
    """
    from . import exp, log, sum as _sum

    input = _tensor(input)
    xp = D.namespace(input.data)
    m = xp.max(input.data, axis=dim, keepdims=True)
    m = Tensor._make(xp.where(xp.isfinite(m), m, 0.0), False, None)   # all −inf: log 0 = −inf, not nan
    z = log(_sum(exp(input - m), axis=dim, keepdims=True)) + m
    if not keepdim:
        dims = _red._normalize_axis(dim, input.ndim)
        z = z.reshape(tuple(n for i, n in enumerate(z.shape) if i not in dims))
    return z


def all(input: TensorLike, dim: int | tuple[int, ...] | None = None, keepdim: bool = False) -> Tensor:
    """True where every element (along ``dim``) is nonzero, as a bool tensor. Shape: as a reduction."""
    return _tensor(input).all(dim, keepdim)


def any(input: TensorLike, dim: int | tuple[int, ...] | None = None, keepdim: bool = False) -> Tensor:
    """True where some element (along ``dim``) is nonzero, as a bool tensor. Shape: as a reduction."""
    return _tensor(input).any(dim, keepdim)


def norm(input: TensorLike, p: float | str = "fro", dim: int | tuple[int, ...] | None = None,
         keepdim: bool = False) -> Tensor:
    """The vector norm over ``dim`` (all elements by default): p = 2 or 'fro' the Euclidean norm (its
    gradient a/‖a‖, 0 at a = 0 as PyTorch), p = 1 Σ|a|, p = inf max|a|.

    Shape: () without dim; along dim: input's shape without dim (size 1 there with keepdim).
    """
    from . import abs as _abs, sum as _sum

    input = _tensor(input)
    if p in ("fro", 2, 2.0):
        return _red.NormGate.apply(input, axis=dim, keepdims=keepdim)
    if p in (1, 1.0):
        return _sum(_abs(input), axis=dim, keepdims=keepdim)
    if p == float("inf"):
        return _red.MaxGate.apply(_abs(input), axis=dim, keepdims=keepdim)
    raise ValueError(f"norm: p must be 1, 2, 'fro' or inf, got {p!r}")
