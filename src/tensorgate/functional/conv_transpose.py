"""The transposed convolution (PyTorch's ``conv_transpose2d``): the adjoint of conv2d, as one gate.

A convolution maps an image to a smaller (or equal) one, z = conv(x, W), and is linear in x: z = A x for a
matrix A fixed by W. The *transposed* convolution applies Aᵀ: every input pixel scatters its values,
weighted by the kernel, into a kh×kw patch of the (larger) output:

    z_pad[n, g·C_out/G + o, i·s + p·d, j·s + q·d] += Σ_c W[g·C_in/G + c, o, p, q] · x[n, g·C_in/G + c, i, j]

then the padding is cropped from z_pad. That is the backward pass of conv2d with respect to its input
(its *col2im*), which is why the weight is laid out (C_in, C_out/G, kh, kw): the conv2d it is the adjoint of
maps C_out channels to C_in. So its own backward is a plain convolution (im2col):

    ∂L/∂x    = conv2d(G, W)                            (a convolution of the upstream gradient with W),
    ∂L/∂W    = Σ_(n, i, j) x[n, c, i, j] · G_pad[n, o, i·s + p·d, j·s + q·d],
    ∂L/∂b[o] = Σ_(n, i, j) G[n, o, i, j].

Here both directions loop over the kh·kw kernel taps (one strided slice each), never over examples or
pixels, and do one (batched over groups) matrix product each, with the array API standard's functions of
the input's namespace: the same code on every device.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd.gate import Gate
from ..backend import devices as D
from .conv import _pair

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from ..autograd.gate import Grads
    from ..autograd.tensor import Tensor


def transposed_output_size(size: int, kernel: int, stride: int, padding: int, output_padding: int,
                           dilation: int) -> int:
    """(size − 1)·stride − 2·padding + dilation·(kernel − 1) + output_padding + 1, PyTorch's formula (one axis).

    Shape: not applicable (ints).
    """
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


class ConvTranspose2dGate(Gate):
    """z = conv_transpose2d(x, W) + b: each input pixel adds W·x into a kh×kw patch of the output.

    With X = x as a (G, C_in/G, N·H·W) matrix and Wmat = W as (G, C_in/G, C_out/G·kh·kw):

        cols = Wmatᵀ X   (G, C_out/G·kh·kw, N·H·W): every pixel's patch,
        z    = col2im(cols) cropped by the padding, + b,

    and, with G_cols = im2col(G_pad) (the taps of the zero-padded upstream gradient, same layout as cols):

        ∂L/∂x = Wmat · G_cols,     ∂L/∂W = X · G_colsᵀ,     ∂L/∂b = Σ_(n, i, j) G.

    Saves x as the matrix X (for ∂L/∂W) and the weight matrix (for ∂L/∂x).

    Shape: x: (N, C_in, H, W), W: (C_in, C_out/groups, kh, kw), b: (C_out,) or absent;
    z: (N, C_out, H_out, W_out), H_out = (H − 1)·stride − 2·padding + dilation·(kh − 1) + output_padding + 1.
    """

    name = "conv_transpose2d"

    def forward(self, x: NDArray[Any], weight: NDArray[Any], bias: NDArray[Any] | None = None,
                stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] = 0,
                output_padding: int | tuple[int, int] = 0, groups: int = 1,
                dilation: int | tuple[int, int] = 1) -> NDArray[Any]:
        stride, padding = _pair(stride, "conv_transpose2d: stride", 1), _pair(padding, "conv_transpose2d: padding")
        dilation = _pair(dilation, "conv_transpose2d: dilation", 1)
        output_padding = _pair(output_padding, "conv_transpose2d: output_padding")
        n, c_in, h, w = x.shape
        _, og, kh, kw = weight.shape
        c_out = og * groups
        out_hw = tuple(transposed_output_size(size, k, s, p, op, d) for size, k, s, p, op, d in
                       zip((h, w), (kh, kw), stride, padding, output_padding, dilation))
        if min(out_hw) < 1:
            raise ValueError(f"conv_transpose2d: the output would be {out_hw} pixels for input shape {x.shape}, "
                             f"kernel {(kh, kw)}, stride {stride}, padding {padding}; reduce the padding")
        self.x_shape, self.out_hw, self.groups = x.shape, out_hw, groups
        self.kernel, self.stride, self.padding, self.dilation = (kh, kw), stride, padding, dilation

        xp = D.namespace(x)
        X = xp.reshape(xp.permute_dims(x, (1, 0, 2, 3)), (groups, c_in // groups, n * h * w))  # (G, C_in/G, M)
        wmat = xp.reshape(weight, (groups, c_in // groups, og * kh * kw))                      # (G, C_in/G, K)
        cols = xp.matmul(xp.matrix_transpose(wmat), X)                                         # (G, K, M)
        cols = xp.reshape(cols, (c_out, kh, kw, n, h, w))
        z_pad = xp.zeros((c_out, n) + self._padded_hw(), dtype=x.dtype, device=x.device)  # channels-major
        for p, q, rows, columns in self._taps():                                                # col2im
            z_pad[:, :, rows, columns] += cols[:, p, q, ...]
        z = self._crop(z_pad)
        if bias is not None:
            z = z + xp.reshape(bias, (c_out, 1, 1, 1))
        self.X, self.wmat = X, wmat
        return xp.permute_dims(z, (1, 0, 2, 3))

    def backward(self, g: NDArray[Any]) -> Grads:
        xp = D.namespace(g)
        n, c_in, h, w = self.x_shape
        groups, (kh, kw) = self.groups, self.kernel
        c_out = g.shape[1]
        g_pad = xp.zeros((c_out, n) + self._padded_hw(), dtype=g.dtype, device=g.device)
        ph, pw = self.padding
        g_pad[:, :, ph:ph + self.out_hw[0], pw:pw + self.out_hw[1]] = xp.permute_dims(g, (1, 0, 2, 3))
        # im2col of G_pad: the taps that col2im added into, gathered back
        g_cols = xp.stack([g_pad[:, :, rows, columns] for _, _, rows, columns in self._taps()], axis=1)
        g_cols = xp.reshape(g_cols, (groups, (c_out // groups) * kh * kw, n * h * w))          # (G, K, M)

        gx = gw = gb = None
        if self.needs[0]:
            gx = xp.permute_dims(xp.reshape(xp.matmul(self.wmat, g_cols), (c_in, n, h, w)), (1, 0, 2, 3))
        if self.needs[1]:
            gw = xp.reshape(xp.matmul(self.X, xp.matrix_transpose(g_cols)), (c_in, c_out // groups, kh, kw))
        if len(self.needs) == 3 and self.needs[2]:
            gb = xp.sum(g, axis=(0, 2, 3))
        return (gx, gw, gb) if len(self.needs) == 3 else (gx, gw)

    def _padded_hw(self):
        """The uncropped output: (H − 1)·s + d·(k − 1) + 1 pixels, plus output_padding (≥ H_out + 2·padding)."""
        return tuple(o + 2 * p for o, p in zip(self.out_hw, self.padding))

    def _taps(self):
        """For each kernel tap (p, q): the strided slices of the padded output that input pixels (i, j) hit."""
        (kh, kw), (sh, sw), (dh, dw) = self.kernel, self.stride, self.dilation
        h, w = self.x_shape[2:]
        for p in range(kh):
            for q in range(kw):
                yield p, q, slice(p * dh, p * dh + sh * (h - 1) + 1, sh), slice(q * dw, q * dw + sw * (w - 1) + 1, sw)

    def _crop(self, z_pad):
        (ph, pw), (oh, ow) = self.padding, self.out_hw
        return z_pad[:, :, ph:ph + oh, pw:pw + ow]


def _check_shapes(x_shape, w_shape, b_shape, groups, stride, dilation, output_padding):
    if len(x_shape) != 4:
        raise ValueError(f"conv_transpose2d: input must be a batch of images (N, C, H, W), got shape {tuple(x_shape)}")
    if len(w_shape) != 4:
        raise ValueError(f"conv_transpose2d: weight must have shape (C_in, C_out/groups, kh, kw), got {tuple(w_shape)}")
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ValueError(f"conv_transpose2d: groups must be a positive int, got {groups!r}")
    if x_shape[1] != w_shape[0]:
        raise ValueError(f"conv_transpose2d: input has {x_shape[1]} channels (shape {tuple(x_shape)}) but the weight "
                         f"{tuple(w_shape)} expects {w_shape[0]} (its first axis)")
    if w_shape[0] % groups:
        raise ValueError(f"conv_transpose2d: groups={groups} must divide the input channels ({w_shape[0]})")
    if b_shape is not None and tuple(b_shape) != (w_shape[1] * groups,):
        raise ValueError(f"conv_transpose2d: bias must have shape ({w_shape[1] * groups},) to match the weight "
                         f"{tuple(w_shape)} and groups={groups}, got {tuple(b_shape)}")
    stride = _pair(stride, "conv_transpose2d: stride", 1)
    dilation = _pair(dilation, "conv_transpose2d: dilation", 1)
    output_padding = _pair(output_padding, "conv_transpose2d: output_padding")
    for op, s, d in zip(output_padding, stride, dilation):
        if op >= max(s, d):
            raise ValueError(f"conv_transpose2d: output_padding {output_padding} must be smaller than either the "
                             f"stride {stride} or the dilation {dilation} (as in PyTorch)")


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: int | tuple[int, int] = 1,
                     padding: int | tuple[int, int] = 0, output_padding: int | tuple[int, int] = 0,
                     groups: int = 1, dilation: int | tuple[int, int] = 1) -> Tensor:
    """The transposed convolution of an NCHW batch (PyTorch's ``F.conv_transpose2d``): the adjoint of conv2d.

    Each input pixel spreads W·x over a kh×kw patch of the output; ``stride`` spaces the patches out (an
    upsampling: the "deconvolution" of decoders and of the pictures of what a filter sees), ``padding``
    removes that many rows and columns from each side of the output (where the conv2d it is the adjoint of
    would have added them), and ``output_padding`` adds rows and columns on the bottom and right, to choose
    among the input sizes that a strided conv2d maps to the same size.

    Parameters
    ----------
    input : Tensor (N, C_in, H, W)
    weight : Tensor (C_in, C_out/groups, kh, kw)
    bias : Tensor (C_out,), optional
    stride, padding, output_padding, dilation : int or (int, int)
    groups : int

    Shape: input: (N, C_in, H, W); result: (N, C_out, H_out, W_out),
    H_out = (H − 1)·stride − 2·padding + dilation·(kh − 1) + output_padding + 1 (W_out alike).

    Example
    -------
    >>> import tensorgate as tg
    >>> conv_transpose2d(tg.ones((1, 1, 2, 2)), tg.ones((1, 1, 2, 2)), stride=2).shape
    (1, 1, 4, 4)
    """
    _check_shapes(input.shape, weight.shape, None if bias is None else bias.shape, groups, stride, dilation,
                  output_padding)
    params = dict(stride=stride, padding=padding, output_padding=output_padding, groups=groups, dilation=dilation)
    if bias is None:
        return ConvTranspose2dGate.apply(input, weight, **params)
    return ConvTranspose2dGate.apply(input, weight, bias, **params)
