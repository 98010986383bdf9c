"""2-D convolution as one gate: im2col through stride tricks, then one matrix product each way.

A convolution is a dense layer applied at every position: each output pixel is a linear classifier
(the kernel) looking at one kh×kw patch of the input, with the same weights at every position
(locality and translation equivariance). Writing every patch as a column of a matrix — *im2col* — turns
the whole layer into one matrix product:

    cols[(c, p, q), (n, i, j)] = x_pad[n, c, i·s + p·d, j·s + q·d]    (K = C_in·kh·kw rows, M = N·H_out·W_out)
    Z[o, (n, i, j)]            = Σ_(c, p, q) W[o, c, p, q] · cols[(c, p, q), (n, i, j)] + b[o]
                               = (Wmat · cols)[o, (n, i, j)],   Wmat = W reshaped to (C_out, K) (no copy)

and the backward pass is two more products and the inverse of im2col (*col2im*), with G = ∂L/∂Z:

    ∂L/∂Wmat = G · colsᵀ,      ∂L/∂b = Σ_columns G,      ∂L/∂cols = Wmatᵀ · G,
    ∂L/∂x    = col2im(∂L/∂cols): every patch's gradient added back where the patch came from, one strided
               slice per kernel offset (p, q) — a loop over kh·kw, never over examples or pixels.

Layout, for speed. The input is copied once into a zero-padded *channels-major* buffer (C, N, H, W), so
every row of cols is a run of whole image rows, and the product's result (C_out, N·H_out·W_out) *is* the
output in (C, N, H, W) memory: the gate returns it through NCHW axes (``.transpose(1, 0, 2, 3)``, no copy).
NumPy's elementwise gates keep that layout, so the next layer reads it the same way. Shapes everywhere are
NCHW, as in PyTorch; only the strides differ. With stride 1 along the width the columns are also made
*wide* (see :class:`_Geometry`), which turns im2col and col2im into long contiguous copies.

``groups`` splits the channels into G independent convolutions (C_in/G → C_out/G each); cols gets a
leading group axis and the product becomes one batched matmul (G, C_out/G, K) @ (G, K, M).
Depthwise convolution (MobileNet) is groups = C_in; :func:`conv2d` sends it to the direct kernel of
depthwise.py, which is many times faster than C_in tiny matrix products.

Devices. Everything above is the CPU's (NumPy's) path: strides, views and the kernels of conv_kernels.py.
On any other device (CuPy, the array_api_strict test device) the gate writes the same formulas in the array
API standard: cols = ``ops.im2col`` (the kh·kw shifted slices of the padded input, stacked), one batched
``xp.matmul`` over the groups each way, and ``ops.col2im`` (kh·kw slice additions) for ∂L/∂x.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd.gate import Gate
from ..backend import devices as D
from ..backend import ops
from . import conv_kernels as kernels

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from ..autograd.gate import Grads
    from ..autograd.tensor import Tensor, TensorLike


def _pair(value, name, minimum=0):
    """An int or a pair of ints → a pair of ints (height, width), checked against ``minimum``."""
    # the usual cases first (every call of a layer asks): an int, or the pair of ints a module keeps
    if value.__class__ is int and value >= minimum:
        return value, value
    if value.__class__ is tuple and len(value) == 2 and value[0].__class__ is int and value[1].__class__ is int \
            and value[0] >= minimum and value[1] >= minimum:
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        pair = (int(value), int(value))
    elif isinstance(value, (tuple, list)) and len(value) == 2 and all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value):
        pair = (int(value[0]), int(value[1]))
    else:
        raise TypeError(f"{name} must be an int or a pair of ints (height, width), got {value!r}")
    if min(pair) < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return pair


def padding_of(where: str, padding: str, kernel: Any, stride: Any, dilation: Any) -> tuple[int, int]:
    """PyTorch's padding names as a pair: 'valid' is no padding, 'same' keeps the size at stride 1
    (``conv1d.same_padding`` per axis: an even kernel, which PyTorch pads unevenly, is an error)."""
    from .conv1d import same_padding

    if padding == "valid":
        return 0, 0
    if padding != "same":
        raise ValueError(f"{where}: padding must be an int, a pair of ints, 'valid' or 'same', got {padding!r}")
    (kh, kw), (sh, sw), (dh, dw) = kernel, _pair(stride, f"{where}: stride", 1), _pair(dilation, f"{where}: dilation", 1)
    return same_padding(kh, dh, sh, where), same_padding(kw, dw, sw, where)


def output_size(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """floor((size + 2·padding − dilation·(kernel − 1) − 1) / stride) + 1, PyTorch's formula (one axis)."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def _check_window(gate, x_shape, kernel, stride, padding, dilation):
    """Output (H_out, W_out) of a kh×kw window sliding over x, or a clear error if the window does not fit."""
    h, w = x_shape[2:]
    out = []
    for axis, size, k, s, p, d in (("height", h, kernel[0], stride[0], padding[0], dilation[0]),
                                   ("width", w, kernel[1], stride[1], padding[1], dilation[1])):
        span = d * (k - 1) + 1
        if span > size + 2 * p:
            raise ValueError(
                f"{gate}: the kernel ({kernel[0]}×{kernel[1]}, dilation {dilation}, so {span} pixels along the "
                f"{axis}) is larger than the padded input (input shape {tuple(x_shape)}, padding {padding}: "
                f"{size + 2 * p} pixels)")
        out.append(output_size(size, k, s, p, d))
    return tuple(out)


class _Geometry:
    """Where every patch lives in the flat, zero-padded, channels-major input buffer (C, N, L).

    Image n of channel c occupies buffer[c, n, :Hp·Wp] as Hp rows of Wp pixels (the padded image), followed
    by ``slack`` zeros. Output pixel (i, j) reads tap (p, q) at flat position
        (i·sh + p·dh)·Wp + j·sw + q·dw   within its image.
    Where the kernel spans the padding, a row's right padding is the next row's left padding: Wp = W + pw
    (see ``__init__``); otherwise Wp = W + 2·pw.

    *Wide* layout (when sw = 1): output rows are computed Wp pixels wide instead of W_out, the last
    Wp − W_out of each row being garbage that is dropped. Then every tap's values for a whole image are one
    contiguous run of the buffer, (H_out·Wp) long, so building cols and col2im copy long runs instead of
    rows of W_out pixels (2–4× faster); the price is Wp/W_out more columns in the matrix products. The slack
    keeps the last tap's run inside the buffer.
    """

    def __init__(self, x_shape, kernel, stride, padding, dilation, groups, itemsize, wide):
        n, c, h, w = x_shape
        (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
        self.n, self.c, self.h, self.w, self.groups = n, c, h, w, groups
        self.kernel, self.stride, self.padding, self.dilation = kernel, stride, padding, dilation
        self.out_h, self.out_w = output_size(h, kh, sh, ph, dh), output_size(w, kw, sw, pw, dw)
        # Rows share their padding where the kernel spans it (pw ≤ dw·(kw − 1), as in every "same"
        # convolution): a window that runs off the right edge of a row reads on into the next row's left
        # padding, pw zeros too, so a padded row is W + pw wide rather than W + 2·pw. Fewer garbage columns
        # in the wide layout: 8 instead of 9 per row of a 7×7 image with padding 1.
        shared = pw if pw <= dw * (kw - 1) else 0
        self.hp, self.wp = h + 2 * ph, w + 2 * pw - shared
        self.wide = wide and sw == 1
        self.row = self.wp if self.wide else self.out_w          # pixels computed per output row
        # zeros after each image: the last tap's run in the wide layout, the last row's right padding
        self.slack = max((kw - 1) * dw if self.wide else 0, shared)
        self.length = self.hp * self.wp + self.slack            # L: one padded image plus slack
        self.columns = n * self.out_h * self.row                 # M: columns of the patch matrix
        self.itemsize = itemsize

    def buffer(self, dtype):
        """A zero buffer (C, N, L) and its padded-image view (C, N, Hp, Wp)."""
        flat = np.zeros((self.c, self.n, self.length), dtype=dtype)
        return flat, flat[:, :, :self.hp * self.wp].reshape(self.c, self.n, self.hp, self.wp)

    def interior(self, image):
        """The unpadded part of a padded-image view (C, N, Hp, Wp) → (C, N, H, W)."""
        ph, pw = self.padding
        return image[:, :, ph:ph + self.h, pw:pw + self.w]

    def taps(self, flat, p=None, q=None, writeable=False):
        """Strided view of the buffer: all taps (G, C/G, kh, kw, N, H_out, row), or one tap (G, C/G, N, H_out, row)."""
        e, (kh, kw), (sh, sw), (dh, dw) = self.itemsize, self.kernel, self.stride, self.dilation
        cg = self.c // self.groups
        sc, sn = flat.strides[0], flat.strides[1]
        step = 1 if self.wide else sw
        inner = (self.n, self.out_h, self.row)
        inner_strides = (sn, sh * self.wp * e, step * e)
        if p is None:
            shape = (self.groups, cg, kh, kw) + inner
            strides = (cg * sc, sc, dh * self.wp * e, dw * e) + inner_strides
            offset = 0
        else:
            shape, strides = (self.groups, cg) + inner, (cg * sc, sc) + inner_strides
            offset = (p * dh * self.wp + q * dw) * e
        # a view of the buffer's memory (np.ndarray with buffer= is as_strided without its overhead)
        view = np.ndarray(shape, flat.dtype, buffer=flat, offset=offset, strides=strides)
        view.flags.writeable = writeable
        return view


_geometries: dict[tuple[Any, ...], _Geometry] = {}   # checked layouts of the calls seen, by their shapes
_MAX_GEOMETRIES = 256


def _geometry(x, weight, bias, stride, padding, dilation, groups, wide):
    """The :class:`_Geometry` of a call, its shapes checked: made and checked once per signature (every
    call of a layer has the same one) and then looked up — a replayed single image would otherwise spend
    about 4 µs per convolution on checks and arithmetic whose answer it knows."""
    if groups.__class__ is not int:   # a bool (equal to 1 as a key), a NumPy integer, a wrong type: check now
        _check_conv_shapes(x.shape, weight.shape, None if bias is None else bias.shape, groups)
        groups = int(groups)
    key = (x.shape, x.itemsize, weight.shape, None if bias is None else bias.shape, stride, padding, dilation,
           groups, wide)
    geo = _geometries.get(key)
    if geo is None:
        _check_conv_shapes(x.shape, weight.shape, None if bias is None else bias.shape, groups)
        _check_window("conv2d", x.shape, weight.shape[2:], stride, padding, dilation)
        geo = _Geometry(x.shape, weight.shape[2:], stride, padding, dilation, groups, x.itemsize, wide)
        if len(_geometries) >= _MAX_GEOMETRIES:   # inputs of ever new sizes: start again
            _geometries.clear()
        _geometries[key] = geo
    return geo


class Conv2dGate(Gate):
    """z = x ⋆ W + b, the 2-D cross-correlation of deep learning, on NCHW batches (one gate).

    z[n, o, i, j] = b[o] + Σ_(c, p, q) W[o, c, p, q] · x_pad[n, g(o)·C_in/G + c, i·s + p·d, j·s + q·d]

    computed as Z = Wmat · cols + b (see the module docstring): cols is the im2col matrix
    (C_in/G·kh·kw, N·H_out·W_out), one column per output pixel, and Wmat = W as (C_out, C_in/G·kh·kw).
    Derivatives, with G = ∂L/∂Z as a (C_out, N·H_out·W_out) matrix:

        ∂L/∂W = G colsᵀ   (reshaped to (C_out, C_in/G, kh, kw)),     ∂L/∂b = Σ_columns G,
        ∂L/∂x = col2im(Wmatᵀ G): for each kernel offset (p, q), add that block of rows into the strided slice
                x_pad[:, :, p·d : p·d + s·H_out : s, q·d : q·d + s·W_out : s] it was read from; crop the padding.

    Saves the patch matrix cols (for ∂L/∂W) and the weight matrix (for ∂L/∂x). With groups = 1 the same
    products run through ``conv_kernels.py`` (a few images at a time, ∂L/∂x of stride-1 layers as a
    convolution of G; it saves the padded input instead of cols and returns z compact);
    ``tests/conv/test_conv_kernels.py`` checks them against :class:`PlainConv2dGate`.
    With stride 1 along the width the columns are computed in the *wide* layout (see :class:`_Geometry`),
    the fast path; :class:`PlainConv2dGate` keeps the textbook layout, one column per output pixel, and
    ``tests/conv/test_conv_gates.py`` shows that both give the same numbers. On devices other than the CPU the
    textbook layout runs in the array API standard, through ``ops.im2col`` / ``ops.col2im``
    (``tests/devices/test_strict_conv.py`` compares it with the CPU's).

    Shape: x: (N, C_in, H, W), W: (C_out, C_in/groups, kh, kw), b: (C_out,) or absent;
    z: (N, C_out, H_out, W_out), H_out = ⌊(H + 2·padding − dilation·(kh − 1) − 1)/stride⌋ + 1 (W_out alike).
    z is a channels-major (C, N, H, W) array seen through NCHW axes.
    """

    name = "conv2d"
    #: compute stride-1 convolutions in the wide layout (see :class:`_Geometry`)
    wide_layout = True
    #: with groups = 1, run the kernels of conv_kernels.py (a few images at a time) instead of the whole-batch
    #: products written out below; :class:`PlainConv2dGate` keeps those, the reference
    chunked = True
    #: multiply-adds of a call from which its kernels gain by sharing the batch among threads: below it
    #: (LeNet-5's layers, 7 and 15 million) handing work to a thread costs more than it saves — LeNet-5's
    #: step at 2 threads ran slower than at 1 — and OpenBLAS's own threads serve better
    SHARED_FROM = 1 << 25

    @classmethod
    def shares_batch(cls, inputs: list[Any], params: dict[str, Any], out: Any) -> bool:
        """Groups-1 kernels on the CPU, from SHARED_FROM multiply-adds (backend/threads.py says why)."""
        weight = inputs[1].data
        return (cls.chunked and params.get("groups", 1) == 1 and out.data.__class__ is np.ndarray
                and out.data.size * (weight.size // max(1, weight.shape[0])) >= cls.SHARED_FROM)

    def forward(self, x: NDArray[Any], weight: NDArray[Any], bias: NDArray[Any] | None = None,
                stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] = 0,
                dilation: int | tuple[int, int] = 1, groups: int = 1) -> NDArray[Any]:
        stride, padding = _pair(stride, "conv2d: stride", 1), _pair(padding, "conv2d: padding", 0)
        dilation = _pair(dilation, "conv2d: dilation", 1)
        c_out, cg, kh, kw = weight.shape
        if x.__class__ is not np.ndarray:   # another device: im2col in the array API standard, one product
            _check_conv_shapes(x.shape, weight.shape, None if bias is None else bias.shape, groups)
            out_hw = _check_window("conv2d", x.shape, (kh, kw), stride, padding, dilation)
            return self._forward_on(D.namespace(x), x, weight, bias, stride, padding, dilation, groups, out_hw)
        self.xp = None
        geo = _geometry(x, weight, bias, stride, padding, dilation, groups, self.wide_layout)

        flat, image = geo.buffer(x.dtype)
        geo.interior(image)[...] = x.transpose(1, 0, 2, 3)
        self.flat = None
        if groups == 1 and self.chunked:   # the same products, a few images at a time (conv_kernels.py)
            z = kernels.correlate(geo, flat, weight.reshape(c_out, -1), bias)
            self.flat, self.weight, self.geo = flat, weight, geo
            return z.transpose(1, 0, 2, 3)
        cols = np.ascontiguousarray(geo.taps(flat)).reshape(groups, cg * kh * kw, geo.columns)   # (G, K, M)
        wmat = weight.reshape(groups, c_out // groups, cg * kh * kw)                              # (G, C_out/G, K)
        z = (wmat[0] @ cols[0]) if groups == 1 else np.matmul(wmat, cols).reshape(c_out, geo.columns)
        if bias is not None:
            z += bias[:, None]
        self.cols, self.wmat, self.geo = cols, wmat, geo
        z = z.reshape(c_out, geo.n, geo.out_h, geo.row)[:, :, :, :geo.out_w]
        return z.transpose(1, 0, 2, 3)

    def backward(self, g: NDArray[Any]) -> Grads:
        if self.xp is not None:
            return self._backward_on(self.xp, g)
        if self.flat is not None:   # forward ran the kernels
            return self._chunked_backward(g)
        cols, wmat, geo = self.cols, self.wmat, self.geo
        c_out, groups = g.shape[1], geo.groups
        if geo.row == geo.out_w:
            g2 = g.transpose(1, 0, 2, 3).reshape(c_out, geo.columns)  # free when g is channels-major
        else:  # wide layout: the garbage columns get a zero gradient
            g2 = np.empty((c_out, geo.n, geo.out_h, geo.row), dtype=g.dtype)
            g2[:, :, :, :geo.out_w] = g.transpose(1, 0, 2, 3)
            g2[:, :, :, geo.out_w:] = 0.0
            g2 = g2.reshape(c_out, geo.columns)
        gg = g2.reshape(groups, c_out // groups, geo.columns)           # (G, C_out/G, M)

        gx = gw = gb = None
        if self.needs[0]:
            if groups == 1:
                dcols = (wmat[0].T @ g2)[None]
            else:
                dcols = np.matmul(wmat.transpose(0, 2, 1), gg)          # (G, K, M)
            gx = self._col2im(dcols)
        if self.needs[1]:
            gw = (g2 @ cols[0].T) if groups == 1 else np.matmul(gg, cols.transpose(0, 2, 1))
            gw = gw.reshape(c_out, -1, geo.kernel[0], geo.kernel[1])
        if len(self.needs) == 3 and self.needs[2]:
            gb = g2.sum(axis=1)
        return (gx, gw, gb) if len(self.needs) == 3 else (gx, gw)

    def _chunked_backward(self, g: NDArray[Any]) -> Grads:
        """The backward above through conv_kernels.py: ∂L/∂W chunk by chunk, ∂L/∂x as a convolution of G."""
        geo, weight = self.geo, self.weight
        gx = gw = gb = None
        if self.needs[0]:
            if kernels.input_gradient_applies(geo, weight.shape[0]):
                gx = kernels.input_gradient(geo, weight, g, _Geometry)
            else:
                gx = kernels.input_gradient_by_col2im(geo, weight.reshape(weight.shape[0], -1), g)
        if self.needs[1]:
            gw = kernels.weight_gradient(geo, self.flat, g).reshape(weight.shape)  # type: ignore[arg-type]
        if len(self.needs) == 3 and self.needs[2]:
            gb = g.sum(axis=(0, 2, 3))
        return (gx, gw, gb) if len(self.needs) == 3 else (gx, gw)

    def _forward_on(self, xp, x, weight, bias, stride, padding, dilation, groups, out_hw):
        """The forward on a device other than the CPU: cols = ops.im2col(x), Z = Wmat · cols (+ b), batched
        over the groups."""
        n = x.shape[0]
        c_out, cg, kh, kw = weight.shape
        m = n * out_hw[0] * out_hw[1]
        cols = xp.reshape(ops.im2col(xp, x, (kh, kw), stride, padding, dilation, out_hw),
                          (groups, cg * kh * kw, m))                                          # (G, K, M)
        wmat = xp.reshape(weight, (groups, c_out // groups, cg * kh * kw))                    # (G, C_out/G, K)
        z = xp.reshape(xp.matmul(wmat, cols), (c_out, n) + out_hw)
        if bias is not None:
            z = z + xp.reshape(bias, (c_out, 1, 1, 1))
        self.xp, self.cols, self.wmat, self.kernel = xp, cols, wmat, (kh, kw)
        self.x_shape, self.stride, self.padding, self.dilation = x.shape, stride, padding, dilation
        return xp.permute_dims(z, (1, 0, 2, 3))

    def _backward_on(self, xp, g):
        """The backward of :meth:`_forward_on`: ∂L/∂W = G colsᵀ, ∂L/∂x = col2im(Wmatᵀ G), ∂L/∂b = Σ G."""
        cols, wmat = self.cols, self.wmat
        groups, c_out = wmat.shape[0], g.shape[1]
        gg = xp.reshape(xp.permute_dims(g, (1, 0, 2, 3)), (groups, c_out // groups, cols.shape[2]))  # (G, C_out/G, M)
        gx = gw = gb = None
        if self.needs[0]:
            n, c = self.x_shape[:2]
            dcols = xp.matmul(xp.matrix_transpose(wmat), gg)                                  # (G, K, M)
            gx = ops.col2im(xp, xp.reshape(dcols, (c,) + self.kernel + (n,) + g.shape[2:]), self.x_shape,
                            self.stride, self.padding, self.dilation)
        if self.needs[1]:
            gw = xp.reshape(xp.matmul(gg, xp.matrix_transpose(cols)), (c_out, -1) + self.kernel)
        if len(self.needs) == 3 and self.needs[2]:
            gb = xp.sum(g, axis=(0, 2, 3))
        return (gx, gw, gb) if len(self.needs) == 3 else (gx, gw)

    def _col2im(self, dcols):
        """Add each kernel offset's block of ∂L/∂cols back where im2col read it from; crop the padding."""
        geo = self.geo
        if geo.n == 0:  # an empty batch: no taps to add (and no buffer to view them in)
            return np.zeros((0, geo.c, geo.h, geo.w), dtype=dcols.dtype)
        kh, kw = geo.kernel
        dcols = dcols.reshape(geo.groups, geo.c // geo.groups, kh, kw, geo.n, geo.out_h, geo.row)
        flat, image = geo.buffer(dcols.dtype)
        for p in range(kh):
            for q in range(kw):
                tap = geo.taps(flat, p, q, writeable=True)
                tap += dcols[:, :, p, q]
        return geo.interior(image).transpose(1, 0, 2, 3)


class PlainConv2dGate(Conv2dGate):
    """:class:`Conv2dGate` with the textbook im2col layout at every stride: one column per output pixel.

    The reference for the wide layout's speed-up and for the kernels of ``conv_kernels.py`` (which it does not
    use); the same shapes, values and derivatives.
    """

    wide_layout = False
    chunked = False


def _check_conv_shapes(x_shape, w_shape, b_shape, groups):
    if len(x_shape) != 4:
        raise ValueError(f"conv2d: input must be a batch of images (N, C, H, W), got shape {tuple(x_shape)}; "
                         "add a batch axis with x.reshape(1, *x.shape) for a single image")
    if len(w_shape) != 4:
        raise ValueError(f"conv2d: weight must have shape (C_out, C_in/groups, kh, kw), got {tuple(w_shape)}")
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ValueError(f"conv2d: groups must be a positive int, got {groups!r}")
    c_in, c_out = x_shape[1], w_shape[0]
    if c_in % groups or c_out % groups:
        raise ValueError(f"conv2d: groups={groups} must divide both the input channels ({c_in}, input shape "
                         f"{tuple(x_shape)}) and the output channels ({c_out}, weight shape {tuple(w_shape)})")
    if w_shape[1] * groups != c_in:
        raise ValueError(
            f"conv2d: input has {c_in} channels (shape {tuple(x_shape)}) but the weight {tuple(w_shape)} with "
            f"groups={groups} expects {w_shape[1] * groups}")
    if b_shape is not None and tuple(b_shape) != (c_out,):
        raise ValueError(f"conv2d: bias must have shape ({c_out},) to match the weight {tuple(w_shape)}, "
                         f"got {tuple(b_shape)}")


def conv2d(x: TensorLike, weight: TensorLike, bias: TensorLike | None = None, stride: int | tuple[int, int] = 1,
           padding: int | tuple[int, int] | str = 0, dilation: int | tuple[int, int] = 1, groups: int = 1) -> Tensor:
    """2-D convolution (cross-correlation) of an NCHW batch, as PyTorch's ``F.conv2d``.

    Parameters
    ----------
    x : Tensor (N, C_in, H, W)
    weight : Tensor (C_out, C_in/groups, kh, kw)
    bias : Tensor (C_out,), optional
    stride, padding, dilation : int or (int, int)
        Step of the window, zeros added on each side, spacing of the kernel's taps; ``padding`` may also be
        'valid' (none) or 'same' (the input's size, at stride 1 and an odd kernel), as in PyTorch.
    groups : int
        Split channels into ``groups`` independent convolutions; groups = C_in is depthwise.

    Shape
    -----
    x: (N, C_in, H, W); z: (N, C_out, H_out, W_out),
    H_out = ⌊(H + 2·padding − dilation·(kh − 1) − 1)/stride⌋ + 1, likewise W_out.

    Examples
    --------
    >>> import tensorgate as tg
    >>> x = tg.ones((1, 1, 3, 3)); w = tg.ones((1, 1, 2, 2))
    >>> conv2d(x, w).shape
    (1, 1, 2, 2)
    """
    if isinstance(padding, str):
        padding = padding_of("conv2d", padding, getattr(weight, "shape", (0, 0, 1, 1))[2:], stride, dilation)
    if groups > 1 and groups == getattr(x, "shape", (0, 0))[1] and getattr(weight, "shape", (0, 0))[1] == 1:
        # depthwise (one filter or m filters per channel): direct, one tap at a time (depthwise.py)
        from .depthwise import DepthwiseConv2dGate

        _check_conv_shapes(x.shape, weight.shape, None if bias is None else bias.shape,  # type: ignore[union-attr]
                           groups)
        params = dict(stride=stride, padding=padding, dilation=dilation)
        gate = DepthwiseConv2dGate
    else:
        params = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
        gate = Conv2dGate
    if bias is None:
        return gate.apply(x, weight, **params)
    return gate.apply(x, weight, bias, **params)
