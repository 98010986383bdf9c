"""Pooling gates: max, average and adaptive average pooling over the two spatial axes of NCHW batches.

A pooling window of kh×kw taps slides with a stride. Every gate here loops over the kh·kw *taps* of the
window — never over examples or pixels: tap (p, q) of every window at once is one strided slice

    x_pad[:, :, p : p + s·H_out : s, q : q + s·W_out : s]          (shape (N, C, H_out, W_out)),

so a 2×2 pool is four whole-array operations forward and four backward. Where windows do not overlap
(stride = kernel, no padding, the usual case) the slices tile the input and the backward assigns instead of
adding.

On the CPU the gates keep NumPy's tricks (``out=`` buffers, the convolutions' channels-major layout). On other
devices they write the same sums in the array API standard: the taps stacked along a new axis, max pooling's
argmax along it (``take_along_axis`` for the maxima, ``where`` to route G back), new arrays instead of buffers.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import math

import numpy as np

from ..autograd.gate import Gate
from ..backend import devices as D
from .adaptive_pool import adaptive_windows, resolve_adaptive_size
from .conv import _check_window, _pair

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from ..autograd.gate import Grads
    from ..autograd.tensor import Tensor, TensorLike


def _pool_params(gate, x, kernel_size, stride, padding):
    if x.ndim != 4:
        raise ValueError(f"{gate}: input must be a batch of images (N, C, H, W), got shape {x.shape}")
    kernel = _pair(kernel_size, f"{gate}: kernel_size", 1)
    stride = kernel if stride is None else _pair(stride, f"{gate}: stride", 1)
    padding = _pair(padding, f"{gate}: padding", 0)
    if padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        raise ValueError(f"{gate}: padding {padding} must be at most half the kernel size {kernel}")
    out_hw = _check_window(gate, x.shape, kernel, stride, padding, (1, 1))
    return kernel, stride, padding, out_hw


def _padded(x, padding, value):
    """x with ``value`` around it; the same memory layout as x (NCHW or the convolutions' CNHW)."""
    ph, pw = padding
    if ph == 0 and pw == 0:
        return x
    n, c, h, w = x.shape
    out = _empty_like_layout(x, (n, c, h + 2 * ph, w + 2 * pw))
    out.fill(value)
    out[:, :, ph:ph + h, pw:pw + w] = x
    return out


def _empty_like_layout(x, shape, dtype=None):
    """An empty (N, C, H, W) array of ``shape`` laid out in memory as x is: channels-major if x is."""
    dtype = x.dtype if dtype is None else dtype
    if x.strides[1] > x.strides[0]:  # x is a (C, N, H, W) array seen through NCHW axes
        n, c, h, w = shape
        return np.empty((c, n, h, w), dtype=dtype).transpose(1, 0, 2, 3)
    return np.empty(shape, dtype=dtype)


def _in_layout_of(g, x):
    """g laid out in memory as x is (one copy if they differ), so elementwise work on both streams."""
    if (x.strides[1] > x.strides[0]) == (g.strides[1] > g.strides[0]):
        return g
    out = _empty_like_layout(x, g.shape, g.dtype)
    out[...] = g
    return out


def _zeros_like_layout(x, shape):
    out = _empty_like_layout(x, shape)
    out.fill(0)
    return out


def _taps(kernel, stride, out_hw):
    """For each tap (p, q) of the window, the (rows, cols) slices that pick that tap of every window."""
    (kh, kw), (sh, sw), (ho, wo) = kernel, stride, out_hw
    for p in range(kh):
        for q in range(kw):
            yield slice(p, p + sh * (ho - 1) + 1, sh), slice(q, q + sw * (wo - 1) + 1, sw)


def _crop(dx_padded, padding, x_shape):
    ph, pw = padding
    return dx_padded[:, :, ph:ph + x_shape[2], pw:pw + x_shape[3]]


def _padded_on(xp, x, padding, value):
    """:func:`_padded` in the array API standard (other devices): a new NCHW array."""
    ph, pw = padding
    if ph == 0 and pw == 0:
        return x
    n, c, h, w = x.shape
    out = xp.full((n, c, h + 2 * ph, w + 2 * pw), value, dtype=x.dtype, device=x.device)
    out[:, :, ph:ph + h, pw:pw + w] = x
    return out


def _gather_taps(xp, xpad, taps):
    """Tap k of every window as windows[k]: the kh·kw strided slices of xpad, stacked (taps, N, C, H_out, W_out)."""
    return xp.stack([xpad[:, :, rows, cols] for rows, cols in taps])


class MaxPool2dGate(Gate):
    """z[n, c, i, j] = max over the window's taps (p, q) of x_pad[n, c, i·s + p, j·s + q]  (x padded with −∞).

    ∂z/∂x is 1 at the window's maximum and 0 elsewhere, so the gradient is routed back to the argmax only;
    among equal maxima the first tap in row-major order wins (as PyTorch).
    Saves the argmax tap of every window (an int8 array the size of z).

    How: the kh·kw taps of every window are first gathered into one contiguous array (taps, N, C, H_out, W_out)
    — one strided read per tap — so the running maximum and argmax run on contiguous memory. Without a graph
    (``recording`` False: ``tg.no_grad()``, evaluation) only the running maximum over the strided taps.

    Shape: x: (N, C, H, W); z: (N, C, H_out, W_out), H_out = ⌊(H + 2·padding − kh)/stride⌋ + 1 (W_out alike).
    """

    name = "max_pool2d"

    def forward(self, x: NDArray[Any], kernel_size: int | tuple[int, int] = 2,
                stride: int | tuple[int, int] | None = None, padding: int | tuple[int, int] = 0) -> NDArray[Any]:
        kernel, stride, padding, out_hw = _pool_params("max_pool2d", x, kernel_size, stride, padding)
        if not self.recording and x.__class__ is np.ndarray:   # no backward to route: no windows, no argmax
            tiled = _tiled_maximum(x, kernel, stride, padding, out_hw)
            if tiled is not None:
                return tiled
        xp = D.namespace(x)
        taps = list(_taps(kernel, stride, out_hw))
        self.taps, self.padding, self.x_shape, self.xp = taps, padding, x.shape, None
        if xp is not np:   # the standard: stack the taps, argmax along them, take the maxima there
            xpad = _padded_on(xp, x, padding, -math.inf)
            self.xp, self.xpad_shape = xp, xpad.shape
            windows = _gather_taps(xp, xpad, taps)
            argmax = xp.argmax(windows, axis=0, keepdims=True)      # the first maximum wins ties
            self.argmax = argmax[0, ...]
            return xp.take_along_axis(windows, argmax, axis=0)[0, ...]
        xpad = _padded(x, padding, -np.inf)
        if not self.recording:   # the running maximum over the strided taps
            first_rows, first_cols = taps[0]
            best = xpad[:, :, first_rows, first_cols].copy(order="K")
            for rows, cols in taps[1:]:
                np.maximum(best, xpad[:, :, rows, cols], out=best)
            return best
        n, c = x.shape[:2]
        windows = _stacked_empty(x, len(taps), (n, c) + out_hw)   # (taps, N, C, H_out, W_out)
        for k, (rows, cols) in enumerate(taps):
            windows[k] = xpad[:, :, rows, cols]
        best = windows[0].copy(order="K")
        index_type = np.int8 if len(taps) < 128 else np.int32
        argmax = np.zeros_like(best, dtype=index_type)
        better = np.empty_like(best, dtype=bool)
        for k in range(1, len(taps)):
            np.greater(windows[k], best, out=better)   # strictly greater: the first maximum wins ties
            # argmax ← k where better. Taps come in increasing k, so a maximum does it without branches
            # (masked writes such as np.where or copyto(where=) mispredict on random data: 10–40× slower).
            np.maximum(argmax, better.view(np.int8).astype(index_type, copy=False) * index_type(k), out=argmax)
            np.maximum(best, windows[k], out=best)      # (NaN propagates, as in PyTorch)
        self.argmax, self.xpad = argmax, xpad
        self.tiled = stride == kernel and out_hw[0] * stride[0] == xpad.shape[2] and \
            out_hw[1] * stride[1] == xpad.shape[3]
        return best

    def backward(self, g: NDArray[Any]) -> Grads:
        if self.xp is not None:   # the standard: each tap's share of G where it was the argmax, added back
            xp = self.xp
            dx = xp.zeros(self.xpad_shape, dtype=g.dtype, device=g.device)
            for k, (rows, cols) in enumerate(self.taps):
                dx[:, :, rows, cols] += xp.where(self.argmax == k, g, 0.0)
            return _crop(dx, self.padding, self.x_shape)
        g = _in_layout_of(g, self.argmax)
        if self.tiled:  # the windows tile the input: every element is written exactly once below
            dx = _empty_like_layout(self.xpad, self.xpad.shape)
        else:
            dx = _zeros_like_layout(self.xpad, self.xpad.shape)
        for k, (rows, cols) in enumerate(self.taps):
            routed = self.argmax == k
            if self.tiled:
                np.multiply(g, routed, out=dx[:, :, rows, cols])
            else:
                dx[:, :, rows, cols] += g * routed
        return _crop(dx, self.padding, self.x_shape)


def _tiled_maximum(x, kernel, stride, padding, out_hw):
    """Max pooling whose windows tile x exactly (stride = kernel ≥ 2, no padding, sizes divisible), as
    two passes over memory in x's own layout: the maximum over each window's kh rows (long contiguous
    rows), then over each run of kw columns. None where that does not apply. 1.2× faster than the strided
    taps at batch 64, and 1.8× for one image (fewer, longer NumPy calls).

    Shape: x: (N, C, H, W) NCHW or channels-major; result: (N, C, H/kh, W/kw) in the same layout.
    """
    (kh, kw), (h, w) = kernel, x.shape[2:]
    if stride != kernel or padding != (0, 0) or kh < 2 or kw < 2 or out_hw != (h // kh, w // kw) \
            or h % kh or w % kw:
        return None
    channels_major = not x.flags.c_contiguous
    base = x.transpose(1, 0, 2, 3) if channels_major else x   # the array in its memory order
    if not base.flags.c_contiguous:
        return None
    rows = base.reshape(-1, kh, w)                            # each window's kh rows, one after the other
    best = np.maximum(rows[:, 0], rows[:, 1])
    for p in range(2, kh):
        np.maximum(best, rows[:, p], out=best)
    cols = best.reshape(-1, w // kw, kw)                      # then each window's kw columns
    out = np.maximum(cols[:, :, 0], cols[:, :, 1])
    for q in range(2, kw):
        np.maximum(out, cols[:, :, q], out=out)
    out = out.reshape(base.shape[:2] + out_hw)
    return out.transpose(1, 0, 2, 3) if channels_major else out


def _stacked_empty(x, count, shape):
    """An empty (count, N, C, H, W) array whose every [k] is laid out in memory as x is."""
    if x.strides[1] > x.strides[0]:
        n, c, h, w = shape
        return np.empty((count, c, n, h, w), dtype=x.dtype).transpose(0, 2, 1, 3, 4)
    return np.empty((count,) + shape, dtype=x.dtype)


class AvgPool2dGate(Gate):
    """z[n, c, i, j] = (1/(kh·kw)) Σ over the window's taps of x_pad[n, c, i·s + p, j·s + q]  (x padded with 0).

    The padded zeros count in the average (PyTorch's ``count_include_pad=True``).
    ∂z/∂x = 1/(kh·kw) for every tap of the window: each window's gradient is spread evenly over it.
    Saves only shapes.

    Shape: x: (N, C, H, W); z: (N, C, H_out, W_out), H_out = ⌊(H + 2·padding − kh)/stride⌋ + 1 (W_out alike).
    """

    name = "avg_pool2d"

    def forward(self, x: NDArray[Any], kernel_size: int | tuple[int, int] = 2,
                stride: int | tuple[int, int] | None = None, padding: int | tuple[int, int] = 0) -> NDArray[Any]:
        kernel, stride, padding, out_hw = _pool_params("avg_pool2d", x, kernel_size, stride, padding)
        xp = D.namespace(x)
        taps = list(_taps(kernel, stride, out_hw))
        self.scale = 1.0 / (kernel[0] * kernel[1])
        self.taps, self.padding, self.x_shape, self.xp = taps, padding, x.shape, None
        if xp is not np:   # the standard: a sum of new arrays
            xpad = _padded_on(xp, x, padding, 0.0)
            self.xp, self.xpad_shape = xp, xpad.shape
            return xp.sum(_gather_taps(xp, xpad, taps), axis=0) * self.scale
        xpad = _padded(x, padding, 0.0)
        total = xpad[(slice(None), slice(None)) + taps[0]].copy(order="K")
        for rows, cols in taps[1:]:
            total += xpad[:, :, rows, cols]
        self.xpad = xpad
        self.overlap = stride[0] < kernel[0] or stride[1] < kernel[1]
        total *= self.scale
        return total

    def backward(self, g: NDArray[Any]) -> Grads:
        if self.xp is not None:   # the standard: each window's share added back, tap by tap
            dx = self.xp.zeros(self.xpad_shape, dtype=g.dtype, device=g.device)
            share = g * self.scale
            for rows, cols in self.taps:
                dx[:, :, rows, cols] += share
            return _crop(dx, self.padding, self.x_shape)
        share = _in_layout_of(g, self.xpad) * self.scale
        dx = _zeros_like_layout(self.xpad, self.xpad.shape)
        for rows, cols in self.taps:
            if self.overlap:
                dx[:, :, rows, cols] += share
            else:
                dx[:, :, rows, cols] = share
        return _crop(dx, self.padding, self.x_shape)


def _adaptive_matrix(size, out, dtype):
    """P (out, size): row i averages x[start_i:end_i], start_i = ⌊i·size/out⌋, end_i = ⌈(i+1)·size/out⌉."""
    p = np.zeros((out, size), dtype=dtype)
    for i, (start, end) in enumerate(adaptive_windows(size, out)):
        p[i, start:end] = 1.0 / (end - start)
    return p


class AdaptiveAvgPool2dGate(Gate):
    """Average pooling to a fixed output size (oh, ow), whatever the input size.

    Window i along the height covers rows ⌊i·H/oh⌋ … ⌈(i+1)·H/oh⌉ − 1 (PyTorch's rule; windows may overlap
    or differ in size when oh does not divide H, and repeat rows when oh > H; None keeps H). Averaging along an axis is a matrix product, so

        z = P_h · x · P_wᵀ   (over the last two axes),     ∂L/∂x = P_hᵀ · G · P_w,

    with P_h (oh, H), P_w (ow, W) the averaging matrices. The global case (1, 1) is the mean over H and W,
    ∂L/∂x = G / (H·W) everywhere. Saves P_h and P_w.

    Shape: x: (N, C, H, W); z: (N, C, oh, ow).
    """

    name = "adaptive_avg_pool2d"

    def forward(self, x: NDArray[Any], output_size: Any = 1) -> NDArray[Any]:
        oh, ow = resolve_adaptive_size(x.shape, output_size, "adaptive_avg_pool2d")
        h, w = x.shape[2:]
        self.x_shape = x.shape
        xp = D.namespace(x)
        if (oh, ow) == (1, 1):
            self.ph = None
            if xp is not np:
                return xp.mean(x, axis=(2, 3), keepdims=True)
            return x.mean(axis=(2, 3), keepdims=True, dtype=x.dtype)
        dtype = D.numpy_dtype(x.dtype)
        self.ph, self.pw = _adaptive_matrix(h, oh, dtype), _adaptive_matrix(w, ow, dtype)
        if xp is not np:   # the averaging matrices are made on the CPU, then moved to x's device
            self.ph, self.pw = D.to_device(self.ph, *D.device_of(x)), D.to_device(self.pw, *D.device_of(x))
        return self.ph @ (x @ self.pw.T)

    def backward(self, g: NDArray[Any]) -> Grads:
        if self.ph is None:
            n, c, h, w = self.x_shape
            return D.namespace(g).broadcast_to(g * (1.0 / (h * w)), self.x_shape)
        return self.ph.T @ (g @ self.pw)


def max_pool2d(x: TensorLike, kernel_size: int | tuple[int, int], stride: int | tuple[int, int] | None = None,
               padding: int | tuple[int, int] = 0) -> Tensor:
    """Max pooling over kh×kw windows of an NCHW batch (PyTorch's ``F.max_pool2d``).

    ``stride`` defaults to ``kernel_size``; ``padding`` (at most half the kernel) pads with −∞.
    Shape: x: (N, C, H, W); z: (N, C, H_out, W_out), H_out = ⌊(H + 2·padding − kh)/stride⌋ + 1.

    Examples
    --------
    >>> import tensorgate as tg
    >>> max_pool2d(tg.arange(16.0).reshape(1, 1, 4, 4), 2).numpy()[0, 0]
    array([[ 5.,  7.],
           [13., 15.]], dtype=float32)
    """
    return MaxPool2dGate.apply(x, kernel_size=kernel_size, stride=stride, padding=padding)


def avg_pool2d(x: TensorLike, kernel_size: int | tuple[int, int], stride: int | tuple[int, int] | None = None,
               padding: int | tuple[int, int] = 0) -> Tensor:
    """Average pooling over kh×kw windows of an NCHW batch (``F.avg_pool2d``, padded zeros counted).

    Shape: x: (N, C, H, W); z: (N, C, H_out, W_out), H_out = ⌊(H + 2·padding − kh)/stride⌋ + 1.

    Examples
    --------
    >>> import tensorgate as tg
    >>> avg_pool2d(tg.arange(16.0).reshape(1, 1, 4, 4), 2).numpy()[0, 0]
    array([[ 2.5,  4.5],
           [10.5, 12.5]], dtype=float32)
    """
    return AvgPool2dGate.apply(x, kernel_size=kernel_size, stride=stride, padding=padding)


def adaptive_avg_pool2d(x: TensorLike, output_size: int | tuple[int | None, int | None]) -> Tensor:
    """Average pooling to a fixed spatial size (``F.adaptive_avg_pool2d``); (1, 1) is global average pooling.

    ``output_size`` is an int or a pair; None in it keeps the input's size along that axis.

    Shape: x: (N, C, H, W); z: (N, C, oh, ow).

    Examples
    --------
    >>> import tensorgate as tg
    >>> adaptive_avg_pool2d(tg.ones((2, 3, 5, 5)), 1).shape
    (2, 3, 1, 1)
    """
    return AdaptiveAvgPool2dGate.apply(x, output_size=output_size)
