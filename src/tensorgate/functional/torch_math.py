"""PyTorch's everyday functions that the other modules lack: outer, tril/triu, flip, roll, tile,
broadcast_to, lerp, nan_to_num, diag, meshgrid, logspace, unique, and F.normalize, F.cosine_similarity and
F.pairwise_distance
(erf is a gate of elementwise.py).

Most are written with gates that exist already (products, masks, slices, concatenation, ``where``), so their
gradients are those gates' and read as the formula: tril(x) = x·M with the constant lower-triangular mask M,
so ∂L/∂x = G·M; flip(x) is a slice with step −1, whose gradient is G flipped back; roll is two slices joined
the other way round. unique and logspace make new tensors without a graph, as in
PyTorch. Each is checked against PyTorch, values and gradients, in ``tests/conformance/``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import numpy as np

from ..autograd.tensor import Tensor, as_dtype
from ..backend import devices as D
from .. import backend as B
from .package import gates as _F

if TYPE_CHECKING:
    from typing import Sequence

    from numpy.typing import DTypeLike, NDArray

    from ..autograd.tensor import TensorLike



def _tensor(x: TensorLike) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _constant(array: NDArray[Any], like: Tensor) -> Tensor:
    """A NumPy array as a tensor without a graph on ``like``'s device (its dtype as it is)."""
    data = array if like.data.__class__ is np.ndarray else D.to_device(array, *D.device_of(like.data))
    return Tensor._make(data, False, None)


def outer(input: TensorLike, vec2: TensorLike) -> Tensor:
    """The outer product z[i, j] = a[i]·b[j] of two 1-D tensors, as ``torch.outer``.

    Shape: input (m,), vec2 (n,); result (m, n).
    """
    a, b = _tensor(input), _tensor(vec2)
    if a.ndim != 1 or b.ndim != 1:
        raise ValueError(f"outer: expects two 1-D tensors, got shapes {a.shape} and {b.shape}")
    F = _F()
    return F.mul(F.reshape(a, (-1, 1)), F.reshape(b, (1, -1)))


def _triangle(name, input, diagonal, lower):
    x = _tensor(input)
    if x.ndim < 2:
        raise ValueError(f"{name}: expects a tensor of at least 2 dimensions (…, m, n), got shape {x.shape}")
    if isinstance(diagonal, bool) or not isinstance(diagonal, (int, np.integer)):
        raise TypeError(f"{name}: diagonal must be an int, got {diagonal!r}")
    m, n = x.shape[-2:]
    keep = np.tri(m, n, k=int(diagonal), dtype=bool) if lower else ~np.tri(m, n, k=int(diagonal) - 1, dtype=bool)
    # x·M, M the constant mask: ∂L/∂x = G·M (where keeps a NaN outside the triangle from becoming 0·NaN)
    return _F().where(_constant(keep, x), x, _constant(np.zeros((), dtype=x.dtype), x))


def tril(input: TensorLike, diagonal: int = 0) -> Tensor:
    """The lower triangle of the last two dimensions (on and below ``diagonal``), the rest 0, as ``torch.tril``.

    Shape: input (…, m, n); the result the same.
    """
    return _triangle("tril", input, diagonal, lower=True)


def triu(input: TensorLike, diagonal: int = 0) -> Tensor:
    """The upper triangle of the last two dimensions (on and above ``diagonal``), the rest 0, as ``torch.triu``.

    Shape: input (…, m, n); the result the same.
    """
    return _triangle("triu", input, diagonal, lower=False)


def _dims(name, x, dims):
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    out = []
    for d in dims:
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or not -x.ndim <= d < max(x.ndim, 1):
            raise ValueError(f"{name}: dimension {d!r} is out of range for a tensor of shape {x.shape}")
        out.append(int(d) % max(x.ndim, 1))
    if len(set(out)) != len(out):
        raise ValueError(f"{name}: dims {dims} name a dimension twice")
    return out


def flip(input: TensorLike, dims: int | Sequence[int]) -> Tensor:
    """input with the order of its elements reversed along ``dims``, as ``torch.flip``.

    Shape: input any; the result the same.
    """
    x = _tensor(input)
    if x.ndim == 0:
        return _F().clone(x)
    index = [slice(None)] * x.ndim
    for d in _dims("flip", x, dims):
        index[d] = slice(None, None, -1)
    return _F().getitem(x, tuple(index))


def roll(input: TensorLike, shifts: int | Sequence[int], dims: int | Sequence[int] | None = None) -> Tensor:
    """input shifted by ``shifts`` along ``dims``, the elements that fall off one end coming back at the other,
    as ``torch.roll``; without ``dims`` the flattened tensor is rolled and given its shape back.

    Shape: input any; the result the same.
    """
    x = _tensor(input)
    F = _F()
    if dims is None:
        if not isinstance(shifts, (int, np.integer)):
            raise ValueError(f"roll: without dims, shifts must be one int, got {shifts!r}")
        return F.reshape(roll(F.reshape(x, (-1,)), int(shifts), 0), x.shape)
    shifts = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
    dims = _dims("roll", x, dims)
    if len(shifts) != len(dims):
        raise ValueError(f"roll: {len(shifts)} shifts for {len(dims)} dims")
    for shift, d in zip(shifts, dims):
        n = x.shape[d]
        k = int(shift) % n if n else 0
        if k:
            head = [slice(None)] * x.ndim
            tail = [slice(None)] * x.ndim
            head[d], tail[d] = slice(n - k, None), slice(None, n - k)
            x = F.cat([F.getitem(x, tuple(head)), F.getitem(x, tuple(tail))], dim=d)
    return x


def tile(input: TensorLike, dims: Sequence[int]) -> Tensor:
    """input repeated ``dims[i]`` times along each dimension, as ``torch.tile``: with fewer ``dims`` than
    dimensions, ones are put in front of ``dims``; with more, ones in front of the shape.

    Shape: input (d₁, …, d_k); the result (r₁·d₁, …) with r the reps aligned to the right.
    """
    x = _tensor(input)
    reps = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    reps = (1,) * (x.ndim - len(reps)) + reps
    if len(reps) > x.ndim:
        x = _F().reshape(x, (1,) * (len(reps) - x.ndim) + x.shape)
    return _F().repeat(x, *reps)


def broadcast_to(input: TensorLike, size: Sequence[int]) -> Tensor:
    """input broadcast to ``size`` (−1 keeps a size), as ``torch.broadcast_to`` (``expand``). Shape: ``size``."""
    return _F().expand(_tensor(input), tuple(size))


def lerp(input: TensorLike, end: TensorLike, weight: TensorLike | float) -> Tensor:
    """input + weight·(end − input), the linear interpolation of ``torch.lerp``. Shape: broadcast of the three."""
    F = _F()
    return F.add(input, F.mul(weight, F.sub(end, input)))


def nan_to_num(input: TensorLike, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Tensor:
    """input with NaN replaced by ``nan``, +∞ by ``posinf`` and −∞ by ``neginf`` (by default the largest and
    smallest finite numbers of its dtype), as ``torch.nan_to_num``. The gradient flows where input was finite.

    Shape: input any; the result the same.
    """
    x = _tensor(input)
    F = _F()
    if x.dtype.kind != "f":
        return F.clone(x)
    info = np.finfo(x.dtype)
    big = info.max if posinf is None else posinf
    small = info.min if neginf is None else neginf
    host = D.to_numpy(x.data)
    value = np.where(np.isnan(host), nan, np.where(host > 0, big, small)).astype(x.dtype)
    return F.where(F.isfinite(x), x, _constant(value, x))


def diag(input: TensorLike, diagonal: int = 0) -> Tensor:
    """As ``torch.diag``: a 1-D input becomes a square matrix with it on ``diagonal``; a 2-D input gives its
    ``diagonal`` as a 1-D tensor.

    Shape: (n,) → (n + |k|, n + |k|); (m, n) → (length of that diagonal,).
    """
    x = _tensor(input)
    k = int(diagonal)
    F = _F()
    if x.ndim == 1:
        # out = [0, x₀, x₁, …][index]: index[i, j] = t + 1 on the diagonal (t counts along it), else 0 —
        # one gather, whose gradient adds G back into x (and into the discarded 0)
        length, n = x.shape[0], x.shape[0] + abs(k)
        index = np.zeros((n, n), dtype=np.int64)
        index[np.arange(length) + max(-k, 0), np.arange(length) + max(k, 0)] = np.arange(1, length + 1)
        padded = F.cat([_constant(np.zeros(1, dtype=x.dtype), x), x])
        return F.getitem(padded, _constant(index, x))
    if x.ndim == 2:
        m, n = x.shape
        start_row, start_col = max(-k, 0), max(k, 0)
        length = max(0, min(m - start_row, n - start_col))
        rows, cols = np.arange(length) + start_row, np.arange(length) + start_col
        return F.getitem(x, (rows, cols))
    raise ValueError(f"diag: expects a 1-D or 2-D tensor, got shape {x.shape}")


def meshgrid(*tensors: TensorLike, indexing: str = "ij") -> tuple[Tensor, ...]:
    """Coordinate grids from 1-D tensors, as ``torch.meshgrid``: with ``indexing='ij'`` (PyTorch's default)
    grid k varies along dimension k; with ``'xy'`` the first two are swapped (NumPy's and MATLAB's habit).

    Shape: k tensors of sizes n₁ … n_k → k tensors of shape (n₁, …, n_k) ('xy': (n₂, n₁, …)).
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    ts = [_tensor(t) for t in tensors]
    if any(t.ndim > 1 for t in ts):
        raise ValueError(f"meshgrid: expects 0-D or 1-D tensors, got shapes {[t.shape for t in ts]}")
    F = _F()
    ts = [F.reshape(t, (-1,)) for t in ts]
    if indexing == "xy" and len(ts) >= 2:
        ts[0], ts[1] = ts[1], ts[0]
    shape = tuple(t.shape[0] for t in ts)
    grids = []
    for k, t in enumerate(ts):
        view = [1] * len(ts)
        view[k] = -1
        grids.append(F.expand(F.reshape(t, tuple(view)), shape))
    if indexing == "xy" and len(grids) >= 2:   # grid 0 varies along the columns, grid 1 along the rows
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def logspace(start: float, end: float, steps: int, base: float = 10.0, dtype: DTypeLike | None = None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` numbers base^t for t evenly spaced from ``start`` to ``end``, as ``torch.logspace``
    (float32 unless ``dtype``). Shape: (steps,).
    """
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"logspace: steps must be a non-negative integer, got {steps!r}")
    want = as_dtype(dtype) or np.dtype(B.DEFAULT_FLOAT)
    values = np.logspace(start, end, int(steps), base=base).astype(want)
    return Tensor(values, requires_grad=requires_grad, dtype=want)


def unique(input: TensorLike, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,
           dim: int | None = None) -> Tensor | tuple[Tensor, ...]:
    """The distinct values of input, sorted, as ``torch.unique`` (no gradient, as in PyTorch); with
    ``return_inverse`` the index of each element's value among them (input's shape), with ``return_counts``
    how often each occurs. ``dim`` (unique rows or columns) is not supported.

    Shape: input any; values (k,); inverse: input's shape; counts (k,).
    """
    if dim is not None:
        raise NotImplementedError("unique: dim= (unique slices along a dimension) is not supported by tensorgate")
    x = _tensor(input)
    values, inverse, counts = np.unique(D.to_numpy(x.data), return_inverse=True, return_counts=True)
    out = [_constant(values, x)]
    if return_inverse:
        out.append(_constant(inverse.reshape(x.shape).astype(np.int64), x))
    if return_counts:
        out.append(_constant(counts.astype(np.int64), x))
    return out[0] if len(out) == 1 else tuple(out)


def normalize(input: TensorLike, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """input / max(‖input‖_p, eps) along ``dim``, as ``F.normalize``: unit vectors (rows, by default).

    Shape: input any; the result the same.
    """
    F = _F()
    x = _tensor(input)
    return F.div(x, F.clip(F.norm(x, p, dim=dim, keepdim=True), min=eps))


def cosine_similarity(x1: TensorLike, x2: TensorLike, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """Σ (x1/max(‖x1‖, eps))·(x2/max(‖x2‖, eps)) along ``dim``, as ``F.cosine_similarity`` (each divided by
    its own norm first, as PyTorch does). Shape: x1, x2 broadcastable; the result without ``dim``.
    """
    F = _F()

    def unit(v):   # v / max(‖v‖, eps), the floor raised without a gradient of its own, as PyTorch raises it
        norm = F.norm(v, 2, dim=dim, keepdim=True)
        xp = D.namespace(norm.data)
        lift = xp.maximum(norm.data, eps) - norm.data
        return F.div(v, F.add(norm, Tensor._make(lift, False, None)))

    return F.sum(F.mul(unit(_tensor(x1)), unit(_tensor(x2))), dim=dim)


def pairwise_distance(x1: TensorLike, x2: TensorLike, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """‖x1 − x2 + eps‖_p along the last dimension, as ``F.pairwise_distance`` (eps keeps the gradient finite
    where the two agree). Shape: (m, n), (m, n) → (m,) ((m, 1) with keepdim)."""
    F = _F()
    return F.norm(F.add(F.sub(x1, x2), eps), p, dim=-1, keepdim=keepdim)


def pixel_shuffle(input: TensorLike, upscale_factor: int) -> Tensor:
    """(N, C·r², H, W) → (N, C, H·r, W·r): each group of r² channels becomes an r×r block of pixels, as
    ``F.pixel_shuffle`` (the sub-pixel convolution's last step). A reshape and a permutation, so the
    gradient is the inverse shuffle. Shape: as described."""
    F = _F()
    x = _tensor(input)
    r = int(upscale_factor)
    if x.ndim != 4 or r < 1 or x.shape[1] % (r * r):
        raise ValueError(f"pixel_shuffle: expects (N, C·r², H, W) with r = {upscale_factor!r}, got shape "
                         f"{tuple(x.shape)}")
    n, c, h, w = x.shape
    y = F.reshape(x, (n, c // (r * r), r, r, h, w))
    return F.reshape(F.permute(y, (0, 1, 4, 2, 5, 3)), (n, c // (r * r), h * r, w * r))


def pixel_unshuffle(input: TensorLike, downscale_factor: int) -> Tensor:
    """(N, C, H·r, W·r) → (N, C·r², H, W), the inverse of :func:`pixel_shuffle` (``F.pixel_unshuffle``).
    Shape: as described."""
    F = _F()
    x = _tensor(input)
    r = int(downscale_factor)
    if x.ndim != 4 or r < 1 or x.shape[2] % r or x.shape[3] % r:
        raise ValueError(f"pixel_unshuffle: expects (N, C, H·r, W·r) with r = {downscale_factor!r}, got shape "
                         f"{tuple(x.shape)}")
    n, c, h, w = x.shape
    y = F.reshape(x, (n, c, h // r, r, w // r, r))
    return F.reshape(F.permute(y, (0, 1, 3, 5, 2, 4)), (n, c * r * r, h // r, w // r))


__all__ = ["pixel_shuffle", "pixel_unshuffle", "normalize", "cosine_similarity", "pairwise_distance", "outer", "tril", "triu", "flip", "roll", "tile", "broadcast_to", "lerp", "nan_to_num", "diag",
           "meshgrid", "logspace", "unique"]
