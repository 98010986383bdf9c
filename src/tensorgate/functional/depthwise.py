"""Depthwise convolution (groups = C_in) computed directly, one kernel tap at a time: the fast path.

A depthwise convolution filters each channel with its own kh×kw kernel (MobileNet, EfficientNet). As a
grouped convolution (conv.py) it becomes C_in products of a (m, kh·kw) matrix with a (kh·kw, N·H·W) one:
thousands of tiny matrix products, and NumPy spends its time on their overhead. Here it is written as
what it is, a weighted sum of kh·kw shifted copies of the input,

    z[n, c·m + j, i, l] = Σ_(p, q) W[c·m + j, 0, p, q] · x_pad[n, c, i·s + p·d, l·s + q·d],

one multiply-add over the whole batch per tap (9 for a 3×3 kernel). The arrays are laid out
(H, W, N, C) in memory ("channels last") so that each tap's weights, one per channel, multiply the
innermost, contiguous axis. :class:`~tensorgate.functional.conv.Conv2dGate` with ``groups`` is the
reference; ``tests/conv/test_cnn_layers.py`` shows that both give the same numbers. On devices other than
the CPU the same sum is written in the array API standard (new arrays instead of NumPy's ``out=`` buffers).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd.gate import Gate
from ..backend import devices as D
from ..backend.threads import parallel_ranges
from .conv import _check_window, _pair

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from ..autograd.gate import Grads


#: numbers of z from which a part of the output rows goes to a thread of its own (inside batch_threads())
ROWS_SHARED_FROM = 1 << 16


class DepthwiseConv2dGate(Gate):
    """z = depthwise x ⋆ W + b: channel c filtered by its m kernels W[c·m + j] (groups = C_in, C_out = m·C_in).

    With x_pq the input shifted by tap (p, q) (the strided slice x_pad[:, :, p·d : … : s, q·d : … : s]):

        z = Σ_(p, q) W[:, p, q] ⊙ x_pq + b                  (W[:, p, q] one weight per output channel),
        ∂L/∂x_pq += Σ_j G ⊙ W[:, p, q]   (added back where x_pq was read; the padding cropped),
        ∂L/∂W[:, p, q] = Σ_(n, i, l) G ⊙ x_pq,      ∂L/∂b = Σ_(n, i, l) G.

    Saves the padded input (channels last) and the weight.

    Shape: x: (N, C_in, H, W), W: (m·C_in, 1, kh, kw), b: (m·C_in,) or absent; z: (N, m·C_in, H_out, W_out),
    H_out = ⌊(H + 2·padding − dilation·(kh − 1) − 1)/stride⌋ + 1 (W_out alike).
    """

    name = "depthwise_conv2d"

    def forward(self, x: NDArray[Any], weight: NDArray[Any], bias: NDArray[Any] | None = None,
                stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] = 0,
                dilation: int | tuple[int, int] = 1) -> NDArray[Any]:
        stride, padding = _pair(stride, "conv2d: stride", 1), _pair(padding, "conv2d: padding", 0)
        dilation = _pair(dilation, "conv2d: dilation", 1)
        n, c, h, w = x.shape
        c_out, _, kh, kw = weight.shape
        m = c_out // c
        out_h, out_w = _check_window("conv2d", x.shape, (kh, kw), stride, padding, dilation)
        (ph, pw) = padding
        taps = self._taps((kh, kw), stride, dilation, (out_h, out_w))
        self.x_shape, self.padding, self.taps, self.m = x.shape, padding, taps, m
        xp = D.namespace(x)
        if xp is not np:
            return self._forward_on(xp, x, weight, bias)
        self.xp = None
        x_pad = np.zeros((h + 2 * ph, w + 2 * pw, n, c), dtype=x.dtype)           # channels last
        x_pad[ph:ph + h, pw:pw + w] = x.transpose(2, 3, 0, 1)
        w_taps = weight.reshape(c, m, kh, kw) if m > 1 else weight.reshape(c, kh, kw)
        z = np.zeros((out_h, out_w, n) + w_taps.shape[:-2], dtype=x.dtype)
        sh = stride[0]

        def output_rows(a, b):   # rows a..b of z: each thread its own (inside batch_threads())
            block = z[a:b]
            tmp = np.empty_like(block)
            for p, q, rows, cols in taps:
                rows = slice(rows.start + a * sh, rows.start + (b - 1) * sh + 1, sh)
                shifted = x_pad[rows, cols] if m == 1 else x_pad[rows, cols][..., None]
                np.multiply(shifted, w_taps[..., p, q], out=tmp)
                block += tmp

        # NumPy's elementwise calls run on one thread; PyTorch's on all of them. Rows at least a few hundred
        # kilobytes apart, so that the handing out costs little beside them
        parallel_ranges(output_rows, out_h, max(1, -(-ROWS_SHARED_FROM // max(1, z[0].size))))
        z = z.reshape(out_h, out_w, n, c_out)
        if bias is not None:
            z += bias
        self.x_pad, self.w_taps = x_pad, w_taps
        return z.transpose(2, 3, 0, 1)

    def backward(self, g: NDArray[Any]) -> Grads:
        if self.xp is not None:
            return self._backward_on(self.xp, g)
        x_pad, w_taps, m = self.x_pad, self.w_taps, self.m
        n, c, h, w = self.x_shape
        g = g.transpose(2, 3, 0, 1)                                      # (H_out, W_out, N, C_out), a view
        g = np.ascontiguousarray(g).reshape(g.shape[:3] + w_taps.shape[:-2])
        gx = gw = gb = None
        if self.needs[0]:
            dx_pad = np.zeros_like(x_pad)
            for p, q, rows, cols in self.taps:
                share = g * w_taps[..., p, q]
                dx_pad[rows, cols] += share if m == 1 else share.sum(axis=-1)
            (ph, pw) = self.padding
            gx = dx_pad[ph:ph + h, pw:pw + w].transpose(2, 3, 0, 1)
        # Σ over (n, i, l) as a product with a vector of ones: BLAS sums the rows of a (M, C) matrix many
        # times faster than NumPy's sum along axis 0
        ones = np.ones(g.size // (c * m), dtype=g.dtype)
        if self.needs[1]:
            gw = np.empty(w_taps.shape, dtype=g.dtype)
            tmp = np.empty_like(g)
            for p, q, rows, cols in self.taps:
                shifted = x_pad[rows, cols] if m == 1 else x_pad[rows, cols][..., None]
                np.multiply(g, shifted, out=tmp)
                gw[..., p, q] = (ones @ tmp.reshape(-1, c * m)).reshape(w_taps.shape[:-2])
            gw = gw.reshape(c * m, 1, w_taps.shape[-2], w_taps.shape[-1])
        if len(self.needs) == 3 and self.needs[2]:
            gb = ones @ g.reshape(-1, c * m)
        return (gx, gw, gb) if len(self.needs) == 3 else (gx, gw)

    def _forward_on(self, xp, x, weight, bias):
        """The same sum of kh·kw shifted products on another device, in the array API standard (new arrays
        where NumPy writes into buffers); the weight as (C_in, m, kh, kw) on an (H, W, N, C_in, m) layout."""
        n, c, h, w = x.shape
        c_out, _, kh, kw = weight.shape
        (ph, pw), m = self.padding, self.m
        x_pad = xp.zeros((h + 2 * ph, w + 2 * pw, n, c, 1), dtype=x.dtype, device=x.device)   # channels last
        x_pad[ph:ph + h, pw:pw + w, ...] = xp.permute_dims(x, (2, 3, 0, 1))[..., None]
        w_taps = xp.reshape(weight, (c, m, kh, kw))
        _, _, rows, cols = self.taps[0]
        z = x_pad[rows, cols, ...] * w_taps[:, :, 0, 0]
        for p, q, rows, cols in self.taps[1:]:
            z = z + x_pad[rows, cols, ...] * w_taps[:, :, p, q]
        z = xp.reshape(z, z.shape[:3] + (c_out,))
        if bias is not None:
            z = z + bias
        self.xp, self.x_pad, self.w_taps = xp, x_pad, w_taps
        return xp.permute_dims(z, (2, 3, 0, 1))

    def _backward_on(self, xp, g):
        """∂L/∂x and ∂L/∂W of :meth:`_forward_on`, tap by tap, in the array API standard."""
        x_pad, w_taps, m = self.x_pad, self.w_taps, self.m
        n, c, h, w = self.x_shape
        g = xp.permute_dims(g, (2, 3, 0, 1))
        g = xp.reshape(g, g.shape[:3] + (c, m))                                # (H_out, W_out, N, C_in, m)
        gx = gw = gb = None
        if self.needs[0]:
            dx_pad = xp.zeros(x_pad.shape, dtype=g.dtype, device=g.device)
            for p, q, rows, cols in self.taps:
                dx_pad[rows, cols, ...] += xp.sum(g * w_taps[:, :, p, q], axis=-1, keepdims=True)
            (ph, pw) = self.padding
            gx = xp.permute_dims(dx_pad[ph:ph + h, pw:pw + w, :, :, 0], (2, 3, 0, 1))
        if self.needs[1]:
            gw = xp.stack([xp.sum(g * x_pad[rows, cols, ...], axis=(0, 1, 2)) for _, _, rows, cols in self.taps],
                          axis=-1)                                              # (C_in, m, kh·kw)
            gw = xp.reshape(gw, (c * m, 1) + w_taps.shape[2:])
        if len(self.needs) == 3 and self.needs[2]:
            gb = xp.reshape(xp.sum(g, axis=(0, 1, 2)), (c * m,))
        return (gx, gw, gb) if len(self.needs) == 3 else (gx, gw)

    @staticmethod
    def _taps(kernel, stride, dilation, out_hw):
        """(p, q, rows, cols) for every tap: the slices of the padded input that tap reads."""
        (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out_hw
        return [(p, q, slice(p * dh, p * dh + sh * (oh - 1) + 1, sh), slice(q * dw, q * dw + sw * (ow - 1) + 1, sw))
                for p in range(kh) for q in range(kw)]
