"""Shapes with PyTorch's names: view_as, expand, repeat, split, chunk, unbind, flatten(start, end),
unflatten, and ``Tensor.to``. Each is built from the shape gates, so gradients flow through.

Unlike PyTorch, a "view" here is a new tensor in the graph, not memory shared with the original: writing
into ``x.view(-1)`` in place does not change x (tensorgate's reshape may copy, as NumPy's).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import math

import numpy as np

from ..autograd.device import device as _device
from ..autograd.tensor import Tensor, as_dtype
from . import shape as _sh
from .device_moves import to_device

if TYPE_CHECKING:
    from typing import Sequence

    from numpy.typing import DTypeLike

    from ..autograd.tensor import TensorLike


def _sizes(sizes):
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    return tuple(int(n) for n in sizes)


def view_as(input: TensorLike, other: Tensor) -> Tensor:
    """input reshaped to other's shape. Shape: other's."""
    from . import reshape

    return reshape(input, other.shape)


def expand(input: Tensor, *sizes: int | Sequence[int]) -> Tensor:
    """input broadcast to ``sizes`` (−1 keeps a size; new leading dimensions may be added), without copying.

    Shape: ``sizes``.
    """
    sizes = _sizes(sizes)
    lead = len(sizes) - input.ndim
    if lead < 0:
        raise ValueError(f"expand: {len(sizes)} sizes given for a tensor of shape {input.shape}")
    shape = tuple(input.shape[i - lead] if n == -1 and i >= lead else n for i, n in enumerate(sizes))
    if any(n < 0 for n in shape):
        raise ValueError(f"expand: −1 is not allowed for a new leading dimension, got sizes {sizes}")
    return _sh.ExpandGate.apply(input, shape=shape)


def expand_as(input: TensorLike, other: Tensor) -> Tensor:
    """input broadcast to other's shape. Shape: other's."""
    return expand(input, other.shape)  # type: ignore[arg-type]


def repeat(input: Tensor, *sizes: int | Sequence[int]) -> Tensor:
    """input tiled ``sizes`` times along each dimension (NumPy's ``tile``; PyTorch's ``repeat``).

    Built as reshape → expand → reshape: a (n, m) tensor repeated (a, b) is viewed as (1, n, 1, m), expanded
    to (a, n, b, m) and merged to (a·n, b·m). Shape: (sizes[i] · shape[i]) with shape padded by leading 1s.
    """
    from . import reshape

    sizes = _sizes(sizes)
    if len(sizes) < input.ndim:
        raise ValueError(f"repeat: give at least {input.ndim} sizes for a tensor of shape {input.shape}, got {sizes}")
    shape = (1,) * (len(sizes) - input.ndim) + tuple(input.shape)
    spread = tuple(x for n in shape for x in (1, n))
    tiled = tuple(x for r, n in zip(sizes, shape) for x in (r, n))
    out = expand(reshape(input, spread), tiled)
    return reshape(out, tuple(r * n for r, n in zip(sizes, shape)))


def _slices(input, dim, bounds):
    from . import getitem

    dim = dim % input.ndim
    parts = []
    for lo, hi in bounds:
        where = (slice(None),) * dim + (slice(lo, hi),)
        parts.append(getitem(input, where))
    return tuple(parts)


def split(tensor: Tensor, split_size_or_sections: int | Sequence[int], dim: int = 0) -> tuple[Tensor, ...]:
    """Pieces of ``split_size_or_sections`` along ``dim`` (the last may be smaller), or of the given sizes
    (a list that must add up to the size along dim). Shape: the pieces of input along dim."""
    n = tensor.shape[dim]
    if isinstance(split_size_or_sections, (int, np.integer)):
        step = int(split_size_or_sections)
        if step <= 0:
            raise ValueError(f"split: split_size must be positive, got {step}")
        edges = list(range(0, n, step)) + [n]
    else:
        sections = [int(s) for s in split_size_or_sections]
        if sum(sections) != n:
            raise ValueError(f"split: sections {sections} add up to {sum(sections)}, not to the size {n} along dim {dim}")
        edges = [0] + [int(e) for e in np.cumsum(sections)]   # Python ints: a device's slices take no NumPy ints
    return _slices(tensor, dim, list(zip(edges[:-1], edges[1:])))


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """``chunks`` pieces of ⌈n / chunks⌉ along ``dim`` (fewer if n is small, as PyTorch). Shape: pieces."""
    if chunks <= 0:
        raise ValueError(f"chunk: chunks must be positive, got {chunks}")
    n = input.shape[dim]
    return split(input, max(1, math.ceil(n / chunks)), dim)


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices of input along ``dim``, that dimension removed. Shape: k tensors of input's shape without dim."""
    from . import getitem

    dim = dim % input.ndim
    return tuple(getitem(input, (slice(None),) * dim + (i,)) for i in range(input.shape[dim]))


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """input with the dimensions start_dim … end_dim merged into one. A 0-d tensor becomes shape (1,).

    Shape: (d0, …, d_{start−1}, d_start·…·d_end, d_{end+1}, …).
    """
    from . import reshape

    if input.ndim == 0:
        return reshape(input, (1,))
    start, end = start_dim % input.ndim, end_dim % input.ndim
    if start > end:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} for shape {input.shape}")
    merged = int(np.prod(input.shape[start:end + 1], dtype=np.int64))
    return reshape(input, input.shape[:start] + (merged,) + input.shape[end + 1:])


def unflatten(input: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    """Dimension ``dim`` split into ``sizes`` (one may be −1). Shape: input's with dim replaced by sizes."""
    from . import reshape

    dim = dim % input.ndim
    return reshape(input, input.shape[:dim] + tuple(sizes) + input.shape[dim + 1:])


def to(input: Tensor, *args: Any, dtype: DTypeLike | None = None, device: Any = None, non_blocking: bool = False,
       copy: bool = False) -> Tensor:
    """``x.to('cuda')``, ``x.to(tg.float64)``, ``x.to(other)`` (its dtype and device), ``x.to('cuda', tg.float64)``:
    both conversions keep the graph (see ``device_moves.py``).

    Shape: unchanged.
    """
    from . import cast, clone

    for a in args:
        if isinstance(a, Tensor):
            dtype, device = a.dtype, a.device
        elif isinstance(a, (str, _device)) and not _is_dtype_name(a):
            device = a
        elif isinstance(a, int) and not isinstance(a, bool):
            device = a       # a GPU index, as in PyTorch
        else:
            dtype = a
    out = input if device is None else to_device(input, device)
    out = out if dtype is None else cast(out, as_dtype(dtype))  # type: ignore[arg-type]
    return clone(out) if copy and out is input else out


def _is_dtype_name(a):
    try:
        as_dtype(a)
        return True
    except TypeError:
        return False
