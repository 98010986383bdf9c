"""Nearest-neighbour resizing (PyTorch's ``F.interpolate(mode='nearest')``, ``nn.Upsample``).

Output cell j along an axis reads input cell src(j) = min(⌊j·scale⌋, L_in − 1), PyTorch's rule, with
scale = 1/scale_factor when a scale factor was given and L_in/L_out otherwise, computed in float32 as
PyTorch does (so that the same cells are picked at non-integer factors). The indices are computed on the CPU
(NumPy) and moved to the input's device where it is another.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import math

import numpy as np

from ..autograd.gate import Gate
from ..backend import devices as D

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from ..autograd.gate import Grads
    from ..autograd.tensor import Tensor

MODES = ("nearest",)


def nearest_source(in_size: int, out_size: int, scale_factor: float | None = None) -> NDArray[Any]:
    """src(j) for j < out_size: the input cell each output cell copies (PyTorch's ``nearest_idx``).

    Shape: result: (out_size,) int64.
    """
    if out_size == in_size:
        return np.arange(out_size)
    if out_size == 2 * in_size:
        return np.arange(out_size) // 2
    if scale_factor is not None and scale_factor > 0:
        scale = np.float32(1.0 / scale_factor)
    else:
        scale = np.float32(in_size) / np.float32(out_size)
    j = np.arange(out_size, dtype=np.float32)
    return np.minimum(np.floor(j * scale).astype(np.int64), in_size - 1)


class UpsampleNearestGate(Gate):
    """z[n, c, i, j] = x[n, c, src_h(i), src_w(j)]: every output cell copies its nearest input cell.

    Each input cell's gradient is the sum of G over the output cells that copied it (none when shrinking
    skips it). With S (L_in, L_out) the one-hot matrix S[src(j), j] = 1 of an axis, z = x·Sᵀ along that
    axis and ∂L/∂x = G·S along it (axis by axis). Saves the source indices.

    ``factors`` are the scale factors that set the index rule (None: L_in/L_out), as in :func:`nearest_source`.

    Shape: x: (N, C, d_1, …, d_k); z: (N, C, o_1, …, o_k) with (o_1, …, o_k) = ``sizes``.
    """

    name = "upsample_nearest"

    def forward(self, x: NDArray[Any], sizes: tuple[int, ...] = (),
                factors: tuple[float | None, ...] = ()) -> NDArray[Any]:
        self.sources = [nearest_source(n, o, f) for n, o, f in zip(x.shape[2:], sizes, factors)]
        self.x_shape = x.shape
        xp = D.namespace(x)
        if xp is np:
            return x[(slice(None), slice(None)) + np.ix_(*self.sources)]
        for k, src in enumerate(self.sources):   # the standard: one take per axis (it has no np.ix_)
            x = xp.take(x, D.to_device(src, *D.device_of(x)), axis=2 + k)
        return x

    def backward(self, g: NDArray[Any]) -> Grads:
        xp = D.namespace(g)
        for k, src in enumerate(self.sources):
            axis = 2 + k
            one_hot = np.zeros((len(src), self.x_shape[axis]), dtype=D.numpy_dtype(g.dtype))  # Sᵀ: (L_out, L_in)
            one_hot[np.arange(len(src)), src] = 1.0
            if xp is not np:
                one_hot = D.to_device(one_hot, *D.device_of(g))
            g = xp.moveaxis(xp.moveaxis(g, axis, -1) @ one_hot, -1, axis)
        return g


def _output_sizes(input, size, scale_factor, dims):
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size and scale_factor")
    spatial = input.shape[2:]
    if size is not None:
        sizes = tuple(size) if isinstance(size, (tuple, list)) else (size,) * dims
        if len(sizes) != dims or any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1
                                     for s in sizes):
            raise ValueError(f"interpolate: size must be a positive int or {dims} of them for input shape "
                             f"{tuple(input.shape)}, got {size!r}")
        return tuple(int(s) for s in sizes), (None,) * dims
    factors = tuple(scale_factor) if isinstance(scale_factor, (tuple, list)) else (scale_factor,) * dims
    if len(factors) != dims or any(isinstance(f, bool) or not isinstance(f, (int, float, np.number)) or f <= 0
                                   for f in factors):
        raise ValueError(f"interpolate: scale_factor must be a positive number or {dims} of them for input shape "
                         f"{tuple(input.shape)}, got {scale_factor!r}")
    factors = tuple(float(f) for f in factors)
    sizes = tuple(math.floor(n * f) for n, f in zip(spatial, factors))
    if min(sizes) < 1:
        raise ValueError(f"interpolate: scale_factor {scale_factor!r} shrinks input shape {tuple(input.shape)} "
                         f"to nothing ({sizes})")
    return sizes, factors


def interpolate(input: Tensor, size: int | tuple[int, ...] | list[int] | None = None,
                scale_factor: float | tuple[float, ...] | list[float] | None = None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """Resize the spatial axes of a batch (PyTorch's ``F.interpolate``); mode='nearest' only.

    Give ``size`` (the output's spatial size: an int or one per axis) or ``scale_factor`` (output size
    ⌊L·factor⌋). Each output cell copies the input cell ⌊j·scale⌋ with scale = 1/scale_factor (or
    L_in/L_out when ``size`` is given or ``recompute_scale_factor=True``), as PyTorch. Other modes
    ('bilinear', 'bicubic', ...) raise NotImplementedError.

    Shape: input: (N, C, L), (N, C, H, W) or (N, C, D, H, W); result: (N, C, *size).

    Example
    -------
    >>> import tensorgate as tg
    >>> interpolate(tg.arange(4.0).reshape(1, 1, 2, 2), scale_factor=2).numpy()[0, 0]
    array([[0., 0., 1., 1.],
           [0., 0., 1., 1.],
           [2., 2., 3., 3.],
           [2., 2., 3., 3.]], dtype=float32)
    """
    if mode not in MODES:
        raise NotImplementedError(f"interpolate: mode={mode!r} is not supported; tensorgate resizes with "
                                  "mode='nearest' only")
    if align_corners is not None:
        raise ValueError("interpolate: align_corners only applies to the linear modes, not to mode='nearest' "
                         "(as in PyTorch); leave it None")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported (nor used by mode='nearest')")
    if not 3 <= input.ndim <= 5:
        raise ValueError(f"interpolate: input must be (N, C, L), (N, C, H, W) or (N, C, D, H, W), got shape "
                         f"{tuple(input.shape)}")
    sizes, factors = _output_sizes(input, size, scale_factor, input.ndim - 2)
    if recompute_scale_factor:
        factors = (None,) * len(sizes)
    return UpsampleNearestGate.apply(input, sizes=sizes, factors=factors)
