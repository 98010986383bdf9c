"""Fast kernels behind :class:`~tensorgate.functional.conv.Conv2dGate` (groups = 1): the same products,
a few images at a time, so that the patch matrix never leaves the cache.

The textbook gate builds the whole patch matrix cols (K = C_in·kh·kw rows, M = N·H_out·W_out columns) and
keeps it for the backward pass. For a 3×3 layer of 16 channels on a batch of 64 28×28 images that is 31 MB:
written once, read by the product, written again as ∂L/∂cols, read by col2im — every pass from main
memory. These kernels cut the batch into chunks of ``nb`` images whose columns fill about a megabyte,
and for each chunk build its columns in a reused buffer and multiply at once, while they are
still in the cache:

    forward      Z[:, chunk]  = Wmat · cols(chunk) + b          (Z compact: (C_out, N, H_out, W_out))
    ∂L/∂W        Σ_chunks G[:, chunk] · cols(chunk)ᵀ          (cols rebuilt from the saved padded input:
                                                                 a copy costs less than keeping 31 MB)
    ∂L/∂x        (stride 1) the convolution of G, zero-padded by d·(k − 1) − p, with the kernel flipped
                 in space and transposed in channels:  ∂L/∂x[n, c] = Σ_o G[n, o] ⋆ rot180(W[o, c])
                 — a forward convolution, so no col2im and its kh·kw scatter-adds at all.

The last line is the derivative of the forward written the other way round: x[n, c, u, v] meets
W[o, c, p, q] in output pixel (u − p·d, v − q·d) (before padding), so
∂L/∂x[n, c, u, v] = Σ_(o, p, q) G[n, o, u − p·d, v − q·d] · W[o, c, p, q], a correlation of G (padded
with d·(k − 1) − p zeros, out-of-range pixels contributing 0) with W flipped along p and q.
``tests/conv/test_conv_kernels.py`` checks every kernel against the textbook gate.

Shapes follow :class:`~tensorgate.functional.conv._Geometry`: the padded input lives in a flat
channels-major buffer (C, N, L); the columns of a chunk are computed H_out·row per image, row = W_out or,
in the wide layout, the padded width Wp.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from .. import backend as B
from ..backend.threads import parallel_ranges, team

if TYPE_CHECKING:
    from numpy.typing import NDArray

xp = B.xp

#: elements of one chunk's patch matrix (K × nb·H_out·row): 2¹⁸ float32 numbers are 1 MiB, which mostly stays
#: in cache beside the weights and the chunk of the output (measured on SmallVGG's step: 1.10× faster than
#: 256 KiB chunks, 1.08× than 4 MiB, 1.18× than the whole batch at once)
CHUNK_ELEMENTS = 1 << 18

#: col2im adds kh·kw blocks per chunk: its calls cost more than its cache misses on small layers (LeNet: whole
#: batch 1.5× faster than 1 MiB chunks), so its chunks are larger
COL2IM_CHUNK_ELEMENTS = 1 << 22

#: outputs of at least this many numbers (in the wide layout) are compacted; below it (one image of a small
#: layer) the copy cost more than it saved: ResNetSmall's single-image inference 0.90× before this threshold
COMPACT_FROM = 1 << 15

#: compute ∂L/∂x of stride-1 layers as a convolution of G (rather than col2im)
TRANSPOSED_INPUT_GRADIENT = True

_local = threading.local()


def scratch(name: str, shape: tuple[int, ...], dtype: Any) -> NDArray[Any]:
    """A reused buffer of ``shape`` and ``dtype`` for ``name`` (one per thread): temporaries that live only
    inside one kernel call. One flat buffer per name, grown when a layer needs more and viewed in the
    shape asked for, so that every layer reuses the same memory, still in cache from the layer before
    (a buffer per shape spread over megabytes: single-image inference 15% slower). Contents are
    undefined: callers write before they read.
    """
    pool = getattr(_local, "pool", None)
    if pool is None:
        pool = _local.pool = {}
    size = 1
    for n in shape:
        size *= n
    key = (name, dtype)
    buf = pool.get(key)
    if buf is None or buf.size < size:
        buf = pool[key] = xp.empty(max(size, 1), dtype=dtype)
    return buf[:size].reshape(shape)


def chunk_images(geo: Any, k_rows: int, elements: int | None = None) -> int:
    """How many images' columns to build at once: about CHUNK_ELEMENTS numbers, at least one image."""
    per_image = k_rows * geo.out_h * geo.row
    return max(1, min(geo.n, (elements or CHUNK_ELEMENTS) // max(1, per_image)))


def _chunk_taps(geo, flat):
    """The all-taps view of the padded input buffer without the group axis: (C, kh, kw, N, H_out, row)."""
    return geo.taps(flat)[0]


def correlate(geo: Any, flat: NDArray[Any], wmat: NDArray[Any], bias: NDArray[Any] | None = None) -> NDArray[Any]:
    """Z = Wmat · cols + b, nb images at a time: the forward pass of a convolution with groups = 1.

    In the wide layout each chunk's product is computed in a reused buffer and its W_out valid columns of
    every row copied out while still in cache, so Z comes back compact: the next gates (BatchNorm, ReLU,
    pooling) then stream over contiguous memory instead of rows with gaps.

    Shape: flat: (C_in, N, L) the padded input buffer; wmat: (C_out, K); bias: (C_out,) or None;
    result: (C_out, N, H_out, W_out), a new array, contiguous unless small (see COMPACT_FROM).
    """
    c_out, k = wmat.shape
    per = geo.out_h * geo.row
    taps = _chunk_taps(geo, flat)
    nb = chunk_images(geo, k)
    kh, kw = geo.kernel
    if geo.row != geo.out_w and c_out * geo.n * per < COMPACT_FROM:
        # a small output (a single image): the copy costs more than the gaps; a view of the wide rows
        z = xp.empty((c_out, geo.n, geo.out_h, geo.row), dtype=wmat.dtype)
        cols = scratch("cols", (k, nb * per), wmat.dtype)
        for a in range(0, geo.n, nb):
            b = min(a + nb, geo.n)
            part = cols[:, :(b - a) * per]
            xp.copyto(part.reshape(geo.c, kh, kw, b - a, geo.out_h, geo.row), taps[:, :, :, a:b])
            xp.matmul(wmat, part, out=z[:, a:b].reshape(c_out, -1))
        if bias is not None:   # on the wide rows, garbage columns too: one long run per channel, 5× faster
            rows = z.reshape(c_out, -1)   # than W_out pixels at a time through the view returned below
            rows += bias[:, None]
        return z[:, :, :, :geo.out_w]
    z = xp.empty((c_out, geo.n, geo.out_h, geo.out_w), dtype=wmat.dtype)

    def images(first, stop):   # one thread's share of the batch (parallel_ranges), chunk by chunk
        cols = scratch("cols", (k, nb * per), wmat.dtype)   # scratch is per thread
        wide = scratch("wide", (c_out, nb * per), wmat.dtype) if geo.row != geo.out_w else None
        for a in range(first, stop, nb):
            b = min(a + nb, stop)
            part = cols[:, :(b - a) * per]
            xp.copyto(part.reshape(geo.c, kh, kw, b - a, geo.out_h, geo.row), taps[:, :, :, a:b])
            out = z[:, a:b]
            if wide is None:
                xp.matmul(wmat, part, out=out.reshape(c_out, -1))
            else:
                product = wide[:, :(b - a) * per]
                xp.matmul(wmat, part, out=product)
                xp.copyto(out, product.reshape(c_out, b - a, geo.out_h, geo.row)[:, :, :, :geo.out_w])
            if bias is not None:
                out += bias[:, None, None, None]

    parallel_ranges(images, geo.n, nb)
    return z


def _gradient_buffer(geo, c_out, nb, dtype):
    """A scratch (C_out, nb, H_out, row) buffer for chunks of G whose garbage columns (wide layout) are 0."""
    grad = scratch("grad", (c_out, nb, geo.out_h, geo.row), dtype)
    if geo.row != geo.out_w:
        grad[:, :, :, geo.out_w:] = 0.0
    return grad


def weight_gradient(geo: Any, flat: NDArray[Any], g: NDArray[Any]) -> NDArray[Any]:
    """∂L/∂Wmat = Σ_chunks G[:, chunk] · cols(chunk)ᵀ, the columns rebuilt chunk by chunk from ``flat``.

    Shape: flat: (C_in, N, L); g: (N, C_out, H_out, W_out) the upstream gradient (any memory layout);
    result: (C_out, K).
    """
    c_out = g.shape[1]
    kh, kw = geo.kernel
    k = geo.c * kh * kw
    per = geo.out_h * geo.row
    taps = _chunk_taps(geo, flat)
    nb = chunk_images(geo, k)

    def images(first, stop):   # one thread's share of the batch: its own sum over its chunks
        cols = scratch("cols", (k, nb * per), g.dtype)
        # the chunk of G in the columns' layout; in the wide layout its last row − W_out columns are 0
        grad = _gradient_buffer(geo, c_out, nb, g.dtype)
        gw = xp.zeros((c_out, k), dtype=g.dtype)
        product = scratch("product", (c_out, k), g.dtype)
        for a in range(first, stop, nb):
            b = min(a + nb, stop)
            part = cols[:, :(b - a) * per]
            xp.copyto(part.reshape(geo.c, kh, kw, b - a, geo.out_h, geo.row), taps[:, :, :, a:b])
            gpart = grad[:, :b - a]
            gpart[:, :, :, :geo.out_w] = g[a:b].transpose(1, 0, 2, 3)
            xp.matmul(gpart.reshape(c_out, -1), part.T, out=product)
            gw += product
        return gw

    shares = parallel_ranges(images, geo.n, nb)
    for other in shares[1:]:
        shares[0] += other
    return shares[0]


def input_gradient_by_col2im(geo: Any, wmat: NDArray[Any], g: NDArray[Any]) -> NDArray[Any]:
    """∂L/∂x where :func:`input_gradient` does not apply (stride > 1): ∂L/∂cols = Wmatᵀ · G chunk by chunk,
    each chunk's block of rows added back where im2col read it from (col2im); the padding cropped.

    Shape: wmat: (C_out, K); g: (N, C_out, H_out, W_out); result: (N, C_in, H, W), channels-major memory.
    """
    if geo.n == 0:  # an empty batch: no taps to add (and no buffer to view them in)
        return xp.zeros((0, geo.c, geo.h, geo.w), dtype=g.dtype)
    c_out, k = wmat.shape
    kh, kw = geo.kernel
    per = geo.out_h * geo.row
    # large chunks, but at least one per thread: a single chunk would leave the team's other threads idle
    nb = min(chunk_images(geo, k, COL2IM_CHUNK_ELEMENTS), -(-geo.n // team()))
    flat, image = geo.buffer(g.dtype)
    taps = [(p, q, geo.taps(flat, p, q, writeable=True)[0]) for p in range(kh) for q in range(kw)]

    def images(first, stop):   # one thread's share: its images' taps overlap no other thread's
        grad = _gradient_buffer(geo, c_out, nb, g.dtype)
        dcols = scratch("dcols", (k, nb * per), g.dtype)
        for a in range(first, stop, nb):
            b = min(a + nb, stop)
            gpart = grad[:, :b - a]
            gpart[:, :, :, :geo.out_w] = g[a:b].transpose(1, 0, 2, 3)
            part = dcols[:, :(b - a) * per]
            xp.matmul(wmat.T, gpart.reshape(c_out, -1), out=part)
            blocks = part.reshape(geo.c, kh, kw, b - a, geo.out_h, geo.row)
            for p, q, tap in taps:
                tap[:, a:b] += blocks[:, p, q]

    parallel_ranges(images, geo.n, nb)
    return geo.interior(image).transpose(1, 0, 2, 3)


def input_gradient_applies(geo: Any, c_out: int) -> bool:
    """True where :func:`input_gradient` computes ∂L/∂x: stride 1, padding ≤ dilation·(kernel − 1), and no
    more output channels than input channels. Its patch matrix has C_out·kh·kw rows where col2im's ∂L/∂cols
    has C_in·kh·kw, so with C_out > C_in (LeNet's 6 → 16) col2im moves less memory (measured: 2× faster)."""
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = geo.kernel, geo.stride, geo.padding, geo.dilation
    return (TRANSPOSED_INPUT_GRADIENT and geo.groups == 1 and sh == sw == 1 and ph <= dh * (kh - 1)
            and pw <= dw * (kw - 1) and geo.n > 0 and c_out <= geo.c)


def input_gradient(geo: Any, weight: NDArray[Any], g: NDArray[Any], geometry: Any) -> NDArray[Any]:
    """∂L/∂x as the forward convolution of G (padded by d·(k − 1) − p) with rot180(W) transposed (module docstring).

    ``geometry`` is :class:`~tensorgate.functional.conv._Geometry` (passed in, not imported, to keep the
    kernels free of the gate's module). Shape: weight: (C_out, C_in, kh, kw); g: (N, C_out, H_out, W_out);
    result: (N, C_in, H, W), a channels-major array seen through NCHW axes.
    """
    (kh, kw), (ph, pw), (dh, dw) = geo.kernel, geo.padding, geo.dilation
    flipped = weight[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)               # (C_in, C_out, kh, kw)
    wmat = xp.ascontiguousarray(flipped).reshape(geo.c, -1)
    back = geometry(g.shape, (kh, kw), (1, 1), (dh * (kh - 1) - ph, dw * (kw - 1) - pw), (dh, dw), 1,
                    g.itemsize, True)
    flat, image = back.buffer(g.dtype)
    back.interior(image)[...] = g.transpose(1, 0, 2, 3)
    return correlate(back, flat, wmat).transpose(1, 0, 2, 3)
