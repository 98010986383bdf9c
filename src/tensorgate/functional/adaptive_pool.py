"""Adaptive pooling: a fixed output size whatever the input size, with PyTorch's windows.

Output cell i along an axis of length L, out of ``out`` cells, pools the input range

    start_i = ⌊i·L/out⌋,   end_i = ⌈(i + 1)·L/out⌉       (end exclusive),

so windows differ in size by at most one and overlap when ``out`` does not divide L (and repeat input cells
when out > L). ``None`` in an output size keeps the input's size along that axis. The average gate is in
pooling.py (a product with averaging matrices); the max gate is here, in the array API standard's functions
of the input's namespace (its backward through ``ops.bincount``), the same code on every device.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd.gate import Gate
from ..backend import devices as D
from ..backend import ops

if TYPE_CHECKING:
    from typing import Sequence

    from numpy.typing import NDArray

    from ..autograd.gate import Grads
    from ..autograd.tensor import Tensor


def adaptive_windows(size: int, out: int) -> list[tuple[int, int]]:
    """[(start_i, end_i)] for i < out: PyTorch's adaptive windows over an axis of ``size`` cells.

    Shape: not applicable (a list of ``out`` pairs of ints).
    """
    return [((i * size) // out, -((-(i + 1) * size) // out)) for i in range(out)]


def adaptive_size(output_size: Any, where: str) -> tuple[int | None, int | None]:
    """An int, None or a pair of them → (oh, ow), each a positive int or None (keep the input's size).

    Shape: not applicable (a pair).
    """
    def one(v):
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{where}: output_size must hold positive ints or None, got {output_size!r}")
        return int(v)

    if isinstance(output_size, (tuple, list)):
        if len(output_size) != 2:
            raise ValueError(f"{where}: output_size must be an int or a pair (height, width), got {output_size!r}")
        return one(output_size[0]), one(output_size[1])
    return one(output_size), one(output_size)


def resolve_adaptive_size(x_shape: Sequence[int], output_size: Any, where: str) -> tuple[int, int]:
    """(oh, ow) for an input of ``x_shape`` (N, C, H, W): None replaced by the input's own size.

    Shape: x_shape: (N, C, H, W); result: (oh, ow).
    """
    if len(x_shape) != 4:
        raise ValueError(f"{where}: input must be a batch of images (N, C, H, W), got shape {tuple(x_shape)}")
    oh, ow = adaptive_size(output_size, where)
    return (x_shape[2] if oh is None else oh), (x_shape[3] if ow is None else ow)


def _adaptive_max(x, oh, ow):
    """(z, index): the maximum of every adaptive window and where it is, as a flat index h·W + w into its plane.

    The max over a rectangle is the max over its rows of the max along each row, so this takes the maxima
    along the width windows first (one slice per output column), then along the height windows (one slice per
    output row): ow + oh whole-array steps. argmax returns the first maximum, so the winner is the first
    in row-major order, as in PyTorch.
    """
    xp = D.namespace(x)
    n, c, h, w = x.shape
    row_max = xp.empty((n, c, h, ow), dtype=x.dtype, device=x.device)
    row_arg = xp.empty((n, c, h, ow), dtype=xp.int64, device=x.device)
    for j, (s, e) in enumerate(adaptive_windows(w, ow)):
        window = x[:, :, :, s:e]
        row_arg[..., j] = s + xp.argmax(window, axis=3)
        row_max[..., j] = xp.max(window, axis=3)
    z = xp.empty((n, c, oh, ow), dtype=x.dtype, device=x.device)
    index = xp.empty((n, c, oh, ow), dtype=xp.int64, device=x.device)
    for i, (s, e) in enumerate(adaptive_windows(h, oh)):
        window = row_max[:, :, s:e, :]
        r = xp.argmax(window, axis=2, keepdims=True)                     # the best row, relative to s
        z[:, :, i, :] = xp.max(window, axis=2)
        column = xp.take_along_axis(row_arg[:, :, s:e, :], r, axis=2)[:, :, 0, :]
        index[:, :, i, :] = (s + r[:, :, 0, :]) * w + column
    return z, index


class AdaptiveMaxPool2dGate(Gate):
    """z[n, c, i, j] = max of x[n, c, start_i:end_i, start_j:end_j] (PyTorch's adaptive windows).

    ∂z/∂x is 1 at each window's maximum (the first in row-major order among equal ones) and 0 elsewhere, so
    ∂L/∂x[n, c, h, w] = Σ of G over the windows whose maximum is (h, w) (overlapping windows may share one).
    Saves the flat index h·W + w of every window's maximum.

    Shape: x: (N, C, H, W); z: (N, C, oh, ow).
    """

    name = "adaptive_max_pool2d"

    def forward(self, x: NDArray[Any], output_size: Any = 1) -> NDArray[Any]:
        oh, ow = resolve_adaptive_size(x.shape, output_size, "adaptive_max_pool2d")
        z, self.index = _adaptive_max(x, oh, ow)
        self.x_shape = x.shape
        return z

    def backward(self, g: NDArray[Any]) -> Grads:
        n, c, h, w = self.x_shape
        xp = D.namespace(g)
        if g.size == 0 or n * c * h * w == 0:   # nothing to route (the standard's scatter cannot reshape size 0)
            return xp.zeros(self.x_shape, dtype=g.dtype, device=g.device)
        # every plane's flat indices, offset by the plane's position: one bincount adds G where it belongs
        planes = xp.reshape(xp.arange(n * c, dtype=xp.int64, device=g.device), (n, c, 1, 1)) * (h * w)
        dx = ops.bincount(xp, xp.reshape(planes + self.index, (-1,)), n * c * h * w, weights=xp.reshape(g, (-1,)))
        return xp.reshape(dx, self.x_shape)


class AdaptiveMaxPool2dIndicesGate(Gate):
    """The flat index h·W + w of each adaptive window's maximum (``return_indices=True``); no gradient.

    Shape: x: (N, C, H, W); z: (N, C, oh, ow) int64.
    """

    name = "adaptive_max_pool2d_indices"
    differentiable = False

    def forward(self, x: NDArray[Any], output_size: Any = 1) -> NDArray[Any]:
        oh, ow = resolve_adaptive_size(x.shape, output_size, "adaptive_max_pool2d")
        return _adaptive_max(x, oh, ow)[1]


def adaptive_max_pool2d(input: Tensor, output_size: int | tuple[int | None, int | None],
                        return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """Max pooling to a fixed spatial size (PyTorch's ``F.adaptive_max_pool2d``); None keeps an axis' size.

    ``return_indices=True`` also returns where each maximum is, as the flat index h·W + w into its
    (H, W) plane (int64), as PyTorch does.

    Shape: input: (N, C, H, W); result: (N, C, oh, ow) (and the indices, same shape).

    Example
    -------
    >>> import tensorgate as tg
    >>> adaptive_max_pool2d(tg.arange(12.0).reshape(1, 1, 3, 4), (2, 3)).numpy()[0, 0]
    array([[ 5.,  6.,  7.],
           [ 9., 10., 11.]], dtype=float32)
    """
    resolve_adaptive_size(input.shape, output_size, "adaptive_max_pool2d")
    z = AdaptiveMaxPool2dGate.apply(input, output_size=output_size)
    if return_indices:
        return z, AdaptiveMaxPool2dIndicesGate.apply(input, output_size=output_size)
    return z
