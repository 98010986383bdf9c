"""The operations the array API standard lacks, one function each, per device.

Every gate writes its math with the standard's functions through ``xp = namespace(x)``; what the standard
has no function for lives here, with a NumPy version (the fast one, what the CPU runs), a CuPy version
(``cupyx``) and a version in the standard alone, which the ``array_api_strict`` test device runs.

Shape: each function says.
"""
from __future__ import annotations

import functools
from typing import Any

import numpy as np
from scipy.special import erf as _scipy_erf   # SciPy ships a vectorised erf; NumPy has none

from .devices import cuda_device_count, device_of, to_device


def erf(x: Any) -> Any:
    """The error function, elementwise, keeping x's dtype.

    Shape: x: any; result: the same.
    """
    if x.__class__ is np.ndarray:
        return _scipy_erf(x).astype(x.dtype, copy=False)
    kind, index = device_of(x)
    if kind == "cuda":
        import cupyx.scipy.special
        return cupyx.scipy.special.erf(x)
    # array_api_strict lives on the CPU: SciPy's erf on its NumPy view, and back
    host = np.asarray(x)
    return to_device(_scipy_erf(host).astype(host.dtype, copy=False), kind, index)


def scatter_add(xp: Any, target: Any, index: Any, values: Any) -> Any:
    """``target[index[i]] += values[i]`` along axis 0, repeated indices summing (NumPy's ``np.add.at``).

    Writes into ``target`` and returns it.

    Shape: target: (n, ...); index: (m,) integers in [0, n); values: (m, ...) with target's trailing shape.
    """
    if xp is np:
        np.add.at(target, index, values)
        return target
    if device_of(target)[0] == "cuda":
        import cupyx
        cupyx.scatter_add(target, index, values)
        return target
    # the standard has no scatter: a one-hot matrix times the values does the same sum
    n = target.shape[0]
    one_hot = xp.astype(xp.reshape(index, (-1, 1)) == xp.reshape(xp.arange(n, dtype=index.dtype), (1, -1)),
                        values.dtype)
    flat = xp.reshape(values, (values.shape[0], -1))
    target += xp.reshape(xp.matmul(xp.matrix_transpose(one_hot), flat), target.shape)
    return target


def bincount(xp: Any, index: Any, length: int, weights: Any = None) -> Any:
    """How often each of 0 … length−1 occurs in ``index`` (summing ``weights`` instead where given).

    The result is int64 counts, or weights' dtype.

    Shape: index: (m,) integers in [0, length); weights: (m,) or None; result: (length,).
    """
    if xp is np:
        counts = np.bincount(index, weights=weights, minlength=length)
        return counts if weights is None else counts.astype(weights.dtype, copy=False)
    if weights is None:
        weights = xp.ones(index.shape, dtype=xp.int64, device=index.device)
    target = xp.zeros((length,), dtype=weights.dtype, device=index.device)
    return scatter_add(xp, target, index, weights)


def pinned(array: Any) -> Any:
    """A copy of a NumPy array in page-locked ("pinned") host memory, which the GPU copies from by DMA, faster
    than from ordinary memory and without a staging copy (``DataLoader(pin_memory=True)``). It is still a NumPy
    array. Without CuPy or a GPU there is nothing to pin for: the array itself comes back.

    The memory comes from CuPy's pinned memory pool (``cupyx.empty_pinned``), so batches of one shape reuse it
    instead of asking the driver each time (page-locking is slow).

    Shape: array: any; result: the same.
    """
    if array.__class__ is not np.ndarray or cuda_device_count() == 0:
        return array
    import cupyx
    out = cupyx.empty_pinned(array.shape, dtype=array.dtype)
    out[...] = array
    return out


def momentum_step(xp: Any, p: Any, grad: Any, v: Any, lr: float, mu: float) -> None:
    """SGD's heavy-ball step in place: v ← μ v + g, then p ← p − η v.

    On a GPU one fused CuPy kernel per parameter does both (an eager step would launch four: μ v, + g, η v,
    p −); elsewhere the standard's in-place operators. (The CPU's SGD keeps its own flat, BLAS path.)

    Shape: p, grad, v: the same shape and dtype; lr, mu: Python numbers.
    """
    if device_of(p)[0] == "cuda":
        scalar = p.dtype.type       # the parameter's own float type: the kernel's T
        _momentum_kernel()(grad, scalar(mu), scalar(lr), p, v)
        return
    v *= mu
    v += grad
    p -= v * lr


@functools.lru_cache(maxsize=None)
def _momentum_kernel() -> Any:
    import cupy
    # p and v are outputs that are read too: CuPy passes them by reference, updated in place
    return cupy.ElementwiseKernel("T g, T mu, T lr", "T p, T v", "v = mu * v + g; p = p - lr * v",
                                  "tensorgate_momentum_step")


# ---- im2col / col2im (convolutions off the CPU) ---------------------------------------------------------

def window_taps(kernel: tuple[int, int], stride: tuple[int, int], dilation: tuple[int, int],
                out_hw: tuple[int, int]) -> list[tuple[int, int, slice, slice]]:
    """(p, q, rows, cols) for every tap of a kh×kw window: the strided slices of a padded image that tap (p, q)
    of every window reads, rows = p·d : p·d + s·(H_out − 1) + 1 : s (cols alike).

    Shape: not applicable (a list of kh·kw tuples).
    """
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out_hw
    return [(p, q, slice(p * dh, p * dh + sh * (oh - 1) + 1, sh), slice(q * dw, q * dw + sw * (ow - 1) + 1, sw))
            for p in range(kh) for q in range(kw)]


def im2col(xp: Any, x: Any, kernel: tuple[int, int], stride: tuple[int, int], padding: tuple[int, int],
           dilation: tuple[int, int], out_hw: tuple[int, int]) -> Any:
    """The patch matrix of a convolution: cols[c, p, q, n, i, j] = x_pad[n, c, i·s + p·d, j·s + q·d].

    x is zero-padded by ``padding`` (channels-major, so that reshaping cols to (C·kh·kw, N·H_out·W_out) is
    free). NumPy views the padded buffer through strides and copies once; the standard has no strides, so
    other devices gather the kh·kw shifted slices and stack them (kh·kw copies of N·C·H_out·W_out numbers,
    what the view's one copy moves too).

    Shape: x: (N, C, H, W); result: (C, kh, kw, N, H_out, W_out).
    """
    n, c, h, w = x.shape
    (kh, kw), (ph, pw), (oh, ow) = kernel, padding, out_hw
    if xp is np:
        x_pad = np.zeros((c, n, h + 2 * ph, w + 2 * pw), dtype=x.dtype)
        x_pad[:, :, ph:ph + h, pw:pw + w] = x.transpose(1, 0, 2, 3)
        sc, sn, sh, sw = x_pad.strides
        view = np.lib.stride_tricks.as_strided(
            x_pad, (c, kh, kw, n, oh, ow),
            (sc, dilation[0] * sh, dilation[1] * sw, sn, stride[0] * sh, stride[1] * sw), writeable=False)
        return np.ascontiguousarray(view)
    x_pad = xp.zeros((c, n, h + 2 * ph, w + 2 * pw), dtype=x.dtype, device=x.device)
    x_pad[:, :, ph:ph + h, pw:pw + w] = xp.permute_dims(x, (1, 0, 2, 3))
    taps = [x_pad[:, :, rows, cols] for _, _, rows, cols in window_taps(kernel, stride, dilation, out_hw)]
    return xp.reshape(xp.stack(taps, axis=1), (c, kh, kw, n, oh, ow))


def col2im(xp: Any, cols: Any, x_shape: tuple[int, ...], stride: tuple[int, int], padding: tuple[int, int],
           dilation: tuple[int, int]) -> Any:
    """The adjoint of :func:`im2col`: each tap's block of cols added back where im2col read it; the padding
    cropped. A sum of kh·kw strided-slice additions into a zero-padded image, on every device (NumPy adds
    in place into views; the standard's ``a[key] += b`` does the same).

    Shape: cols: (C, kh, kw, N, H_out, W_out); x_shape: (N, C, H, W); result: (N, C, H, W).
    """
    n, c, h, w = x_shape
    _, kh, kw, _, oh, ow = cols.shape
    ph, pw = padding
    dx = xp.zeros((c, n, h + 2 * ph, w + 2 * pw), dtype=cols.dtype, device=cols.device)
    for p, q, rows, columns in window_taps((kh, kw), stride, dilation, (oh, ow)):
        dx[:, :, rows, columns] += cols[:, p, q, ...]
    return xp.permute_dims(dx[:, :, ph:ph + h, pw:pw + w], (1, 0, 2, 3))
