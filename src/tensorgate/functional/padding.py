"""Constant padding (PyTorch's ``F.pad`` in its 'constant' mode; ZeroPad2d): a frame of a constant around the
last axes, or a crop where a width is negative."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import backend as B
from ..autograd.gate import Gate
from ..backend import devices as D

if TYPE_CHECKING:
    from typing import Sequence

    from numpy.typing import NDArray

    from ..autograd.gate import Grads
    from ..autograd.tensor import Tensor


def _regions(shape, pad):
    """(output shape, where x is read, where it lands in z): slices per axis for PyTorch's pad tuple.

    ``pad`` = (before, after) for the last axis, then the one before it, ...; a negative width crops.
    """
    out = list(shape)
    source, target = [slice(None)] * len(shape), [slice(None)] * len(shape)
    for i in range(len(pad) // 2):
        axis = len(shape) - 1 - i
        before, after = pad[2 * i], pad[2 * i + 1]
        size = shape[axis]
        out[axis] = size + before + after
        source[axis] = slice(max(-before, 0), size - max(-after, 0))
        target[axis] = slice(max(before, 0), out[axis] - max(after, 0))
    return tuple(out), tuple(source), tuple(target)


class PadGate(Gate):
    """z = x framed by ``value`` along its last axes (cropped where a width is negative).

    z[target] = x[source] and z = value elsewhere, so ∂z/∂x is 1 where x lands in z and 0 where it was
    cropped: ∂L/∂x[source] = G[target], 0 elsewhere. Saves the two regions.

    Shape: x: (*, d_1, …, d_k); z: (*, d_1 + before_1 + after_1, …, d_k + before_k + after_k), with
    pad = (before_k, after_k, before_(k−1), after_(k−1), …) (the last axis first, as PyTorch).
    """

    name = "pad"

    def forward(self, x: NDArray[Any], pad: tuple[int, ...] = (), value: float = 0.0) -> NDArray[Any]:
        out_shape, self.source, self.target = _regions(x.shape, pad)
        if min(out_shape, default=1) < 0:
            raise ValueError(f"pad: padding {tuple(pad)} on input shape {x.shape} gives the negative size "
                             f"{out_shape}")
        z = D.namespace(x).full(out_shape, B.weak(value), dtype=x.dtype, device=x.device)
        z[self.target] = x[self.source]
        self.x_shape = x.shape
        return z

    def backward(self, g: NDArray[Any]) -> Grads:
        dx = D.namespace(g).zeros(self.x_shape, dtype=g.dtype, device=g.device)
        dx[self.source] = g[self.target]
        return dx


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None) -> Tensor:
    """``input`` padded with ``value`` (0 by default) along its last len(pad)/2 axes (PyTorch's ``F.pad``).

    ``pad`` = (left, right) for the last axis, then (top, bottom) for the one before, and so on; negative
    widths crop. Only mode='constant' is supported ('reflect', 'replicate' and 'circular' raise).

    Shape: input: (*, d_1, …, d_k); result: (*, d_1 + p, …) with each axis grown by its two widths.

    Example
    -------
    >>> import tensorgate as tg
    >>> pad(tg.ones((1, 1, 1, 2)), (1, 0, 0, 1)).numpy()[0, 0]
    array([[0., 1., 1.],
           [0., 0., 0.]], dtype=float32)
    """
    if mode != "constant":
        raise NotImplementedError(f"pad: mode={mode!r} is not supported; tensorgate pads with a constant only "
                                  "(mode='constant')")
    pad = tuple(pad)
    if len(pad) % 2 or any(isinstance(p, bool) or not isinstance(p, (int, np.integer)) for p in pad):
        raise ValueError(f"pad: pad must be an even number of ints (before, after per axis, last axis first), "
                         f"got {pad!r}")
    if len(pad) // 2 > input.ndim:
        raise ValueError(f"pad: {len(pad)} widths pad {len(pad) // 2} axes, but the input has shape "
                         f"{tuple(input.shape)}")
    return PadGate.apply(input, pad=tuple(int(p) for p in pad), value=0.0 if value is None else value)
