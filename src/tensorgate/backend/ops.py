"""The operations the array API standard lacks, one function each, per device.

Every gate writes its math with the standard's functions through ``xp = namespace(x)``; what the standard
has no function for lives here, with a NumPy version (the fast one, what the CPU runs), a CuPy version
(``cupyx``) and a version in the standard alone, which the ``array_api_strict`` test device runs.

Shape: each function says.
"""
from __future__ import annotations

import functools
from typing import Any
import math

import numpy as np
from scipy.special import erf as _scipy_erf   # SciPy ships a vectorised erf; NumPy has none

from .devices import cuda_device_count, device_of, kind as _kind, to_device


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
# ---- one entry per row: the target class of the classification losses -------------------------------------
# Cross-entropy and the negative log-likelihood read, and in backward write, one entry per row of an (m, K)
# array: the label's column y_i. NumPy and CuPy do it at flat positions i·K + y_i (a take and a fancy-index
# write, about twice as fast as a[rows, labels] on small batches); the standard has no indexed write, so its
# version compares the columns with the labels (an (m, K) mask) instead.

def label_positions(xp: Any, labels: Any, shape: tuple[int, int]) -> Any:
    """Where each row's label sits in a C-ordered (m, K) array, flat: i·K + y_i, shape (m,).

    Raises ValueError when a label is outside [0, K) (the caller names it). NumPy checks both ends in the
    same call that computes the positions (``ravel_multi_index``); elsewhere the check is one reduction
    read back to the host.

    Shape: labels: (m,) integers; result: (m,) integer positions.
    """
    if xp is np:
        return np.ravel_multi_index((_row_numbers(shape[0]), labels), shape)
    m, K = shape
    if labels.shape[0] and bool(xp.any((labels < 0) | (labels >= K))):
        raise ValueError("a label is outside [0, K)")
    rows = xp.arange(m, dtype=xp.int64, device=labels.device)
    return rows * K + xp.astype(labels, xp.int64)      # int64: K·m overflows a small label dtype


@functools.lru_cache(maxsize=32)   # batch sizes come and go (a last, shorter batch; an evaluation): keep a few
def _row_numbers(m: int) -> np.ndarray:
    """``arange(m)``, made once per m (read-only: it is shared): the row of each example's label."""
    rows = np.arange(m)
    rows.flags.writeable = False
    return rows


def take_labels(xp: Any, a: Any, positions: Any) -> Any:
    """a[i, y_i] for every row, from the flat positions of :func:`label_positions`.

    Shape: a: (m, K); positions: (m,); result: (m,).
    """
    if xp is np:
        return a.reshape(-1).take(positions)
    return xp.take(xp.reshape(a, (-1,)), positions)


def add_at_labels(xp: Any, a: Any, positions: Any, values: Any) -> Any:
    """a[i, y_i] += values_i for every row (values: a number, a 0-d array or one per row).

    Writes into ``a`` where the device can (NumPy, CuPy: give an array nothing else needs) and returns
    the result, which the caller uses (the standard's version returns a new array).

    Shape: a: (m, K); positions: (m,) from :func:`label_positions`; values: () or (m,); result: (m, K).
    """
    if xp is np or device_of(a)[0] == "cuda":
        if not a.flags.c_contiguous:         # a transposed array: its flat view would be a copy
            a = a.copy(order="C")
        a.reshape(-1)[positions] += values   # a view: a is C-contiguous
        return a
    m, K = a.shape
    columns = positions - xp.arange(m, dtype=positions.dtype, device=positions.device) * K
    hit = xp.reshape(xp.arange(K, dtype=positions.dtype, device=positions.device), (1, K)) == \
        xp.reshape(columns, (m, 1))
    if not isinstance(values, (int, float)) and values.ndim == 1:
        values = xp.reshape(values, (m, 1))
    return a + xp.astype(hit, a.dtype) * values
def einsum(xp: Any, subscripts: str, *arrays: Any) -> Any:
    """Einstein summation ``'ij,jk->ik'`` (every output subscript named; no ellipsis, no repeated subscript
    within one operand).

    NumPy's and CuPy's einsum where they exist; the standard has none, so there the operands are multiplied
    one after another, each letter summed out as soon as no later operand and not the output needs it.

    Shape: as the subscripts say.
    """
    if xp is np:
        return np.einsum(subscripts, *arrays)
    if device_of(arrays[0])[0] == "cuda":
        import cupy
        return cupy.einsum(subscripts, *arrays)
    inputs, output = subscripts.split("->")
    subs = inputs.split(",")
    sizes = {c: n for s, a in zip(subs, arrays) for c, n in zip(s, a.shape)}
    letters, total = "", None           # the running product and its axes' letters
    for k, (s, a) in enumerate(zip(subs, arrays)):
        axes = letters + "".join(c for c in s if c not in letters)
        # a's axes in the order of ``axes``, size 1 where a lacks the letter
        a = xp.permute_dims(a, tuple(sorted(range(len(s)), key=lambda i: axes.index(s[i]))))
        a = xp.reshape(a, tuple(sizes[c] if c in s else 1 for c in axes))
        if total is not None:
            total = xp.reshape(total, total.shape + (1,) * (len(axes) - len(letters)))
        total = a if total is None else total * a
        later = output + "".join(subs[k + 1:])
        done = tuple(i for i, c in enumerate(axes) if c not in later)
        if done:
            total = xp.sum(total, axis=done)
        letters = "".join(c for c in axes if c in later)
    return xp.permute_dims(total, tuple(letters.index(c) for c in output))
# ---- indexing ------------------------------------------------------------------------------------------
# NumPy and CuPy index with every NumPy form. The standard allows fewer (2024.12): integers, slices, ``...``
# and None; integer arrays only together with integers, one entry per axis; a boolean mask only as the sole
# index. ``standard_index`` brings the forms it can to one of those (one integer array among slices becomes
# integer arrays on every axis, as NumPy would broadcast them) and names the others in a clear error.

def getitem(xp: Any, a: Any, index: Any) -> Any:
    """``a[index]`` with NumPy's meaning; on a standard-only device, the forms :func:`standard_index` allows.

    Shape: as NumPy indexing.
    """
    if xp is np or device_of(a)[0] == "cuda":
        return a[index]
    form, key = standard_index(xp, a, index)
    return a[key]


def add_at(xp: Any, target: Any, index: Any, values: Any) -> Any:
    """``target[index] += values``, an element selected several times receiving the sum (``np.add.at``).

    Writes into ``target`` on NumPy and CuPy; use the result, which may be a new array elsewhere.
    Shape: values: the shape of ``target[index]``; result: target's.
    """
    if xp is np or device_of(target)[0] == "cuda":   # both index natively: np.add.at, cupyx.scatter_add
        return scatter_add(xp, target, index, values)
    form, key = standard_index(xp, target, index)
    if form == "integer":
        flat = scatter_add(xp, xp.reshape(target, (-1,)), _linear(xp, target.shape, key),
                           xp.reshape(xp.broadcast_to(values, _indexed_shape(key)), (-1,)))
        return xp.reshape(flat, target.shape)
    key = _without_none(key)     # basic and mask indices select an element once: read, add, write back
    target[key] = target[key] + xp.reshape(values, target[key].shape)
    return target


def put(xp: Any, target: Any, index: Any, values: Any) -> Any:
    """``target[index] = values`` (where an element is selected twice, the last value wins, as NumPy's).

    Writes into ``target`` on NumPy and CuPy; use the result, which may be a new array elsewhere.
    Shape: values broadcast to the shape of ``target[index]``; result: target's.
    """
    if xp is np or device_of(target)[0] == "cuda":
        target[index] = values
        return target
    form, key = standard_index(xp, target, index)
    if form != "integer":
        if hasattr(values, "shape"):
            values = xp.astype(values, target.dtype)
            if form == "basic":        # values broadcast to target[index], None axes and all
                values = xp.reshape(xp.broadcast_to(values, target[key].shape), target[_without_none(key)].shape)
        target[_without_none(key)] = values
        return target
    # the standard cannot write through integer arrays: for every element, the last value sent there
    n, lin = math.prod(target.shape), _linear(xp, target.shape, key)
    values = xp.astype(values, target.dtype) if hasattr(values, "shape") else \
        xp.asarray(values, dtype=target.dtype, device=target.device)
    vals = xp.reshape(xp.broadcast_to(values, _indexed_shape(key)), (-1,))
    hits = xp.reshape(lin, (-1, 1)) == xp.reshape(xp.arange(n, dtype=lin.dtype, device=lin.device), (1, -1))
    order = xp.reshape(xp.arange(lin.shape[0], dtype=lin.dtype, device=lin.device), (-1, 1))
    last = xp.max(xp.where(hits, order, -1), axis=0)
    flat = xp.where(last >= 0, xp.take(vals, xp.where(last >= 0, last, 0)), xp.reshape(target, (-1,)))
    return xp.reshape(flat, target.shape)


def standard_index(xp: Any, a: Any, index: Any) -> tuple[str, Any]:
    """``index`` as the standard spells it for ``a``: ('basic', key), ('mask', key) or ('integer', key), the
    last with an integer array (or integer) for every axis. Lists and NumPy arrays in it move to a's device.

    Raises IndexError, naming the form, for what the standard cannot express (integer or boolean arrays
    mixed with integers and slices, several arrays among slices, a mask beside other indices).
    Shape: not applicable.
    """
    key = tuple(_on_device(xp, a, i) for i in (index if isinstance(index, tuple) else (index,)))
    arrays = [i for i in key if hasattr(i, "shape")]
    if not arrays:
        if not _has_ellipsis(key) and sum(i is not None for i in key) < a.ndim:
            key += (Ellipsis,)       # NumPy fills the axes left out; the standard wants them said
        return "basic", key
    masks = [i for i in arrays if _kind(i.dtype) == "b"]
    if masks and (len(key) == 1 or (len(key) == 2 and key[1] is Ellipsis)) and key[0] is masks[0]:
        return "mask", key[:1]
    if not masks and len(key) == a.ndim and all(hasattr(i, "shape") or isinstance(i, int) for i in key):
        return "integer", tuple(_wrapped(xp, i, n) for i, n in zip(key, a.shape))
    if len(arrays) == 1 and all(isinstance(i, slice) or i is Ellipsis or hasattr(i, "shape") for i in key) \
            and sum(i is Ellipsis for i in key) <= 1 and (not masks or arrays[0].ndim == 1):
        return "integer", _spread(xp, a, key)
    raise IndexError(
        f"indexing on device {device_of(a)[0]}: the index {_describe(key)} is outside what the array API "
        "standard allows there (integers, slices, ..., None; integer arrays with integers on every axis, or "
        "one integer array or 1-D mask among slices; a boolean mask as the sole index); index in two steps, "
        "or use index_select / gather")


def _on_device(xp: Any, a: Any, i: Any) -> Any:
    if isinstance(i, (list, np.ndarray)):
        i = np.asarray(i)
        return to_device(i if i.dtype.kind == "b" else i.astype(np.int64), *device_of(a))
    if isinstance(i, np.integer):
        return int(i)
    if hasattr(i, "shape") and i.ndim == 0 and _kind(i.dtype) in "iu":
        return int(i)            # a 0-d integer array indexes as an integer (NumPy's meaning)
    if hasattr(i, "shape") and _kind(i.dtype) in "iu" and i.dtype != xp.int64:
        return xp.astype(i, xp.int64)    # strict indexes with its default integer dtype only
    return i


def _has_ellipsis(key: tuple[Any, ...]) -> bool:
    return any(i is Ellipsis for i in key)     # not ``in``: that compares arrays with ==


def _wrapped(xp: Any, i: Any, n: int) -> Any:
    """Negative positions counted from the end, as NumPy's (the standard leaves them to the device)."""
    if isinstance(i, int):
        return i % n if -n <= i < 0 else i
    return xp.where(i < 0, i + n, i)


def _spread(xp: Any, a: Any, key: tuple[Any, ...]) -> tuple[Any, ...]:
    """One index array among slices as integer arrays on every axis: slice q becomes its positions, laid along
    its own result axis; the array's axes sit where the array stands (NumPy's placement for one array)."""
    at = next((q for q, i in enumerate(key) if i is Ellipsis), len(key))
    key = key[:at] + (slice(None),) * (a.ndim - len(key) + _has_ellipsis(key)) + key[at + 1:]
    p = next(q for q, i in enumerate(key) if hasattr(i, "shape"))
    array = key[p]
    if _kind(array.dtype) == "b":
        array = xp.nonzero(array)[0]
    array = _wrapped(xp, array, a.shape[p])
    out_ndim = a.ndim - 1 + array.ndim
    spread = []
    for q, i in enumerate(key):
        if q == p:
            spread.append(xp.reshape(array, (1,) * p + tuple(array.shape) + (1,) * (a.ndim - p - 1)))
            continue
        positions = xp.arange(a.shape[q], device=array.device)[i]
        axis = q if q < p else q - 1 + array.ndim
        shape = [1] * out_ndim
        shape[axis] = positions.shape[0]
        spread.append(xp.reshape(positions, tuple(shape)))
    return tuple(spread)


def _linear(xp: Any, shape: tuple[int, ...], key: tuple[Any, ...]) -> Any:
    """The flat (row-major) positions an integer-form index addresses, as one int64 array of the result's shape."""
    lin: Any = 0
    stride = 1
    for i, n in zip(reversed(key), reversed(shape)):
        lin = lin + i * stride       # at least one entry is an array, so lin ends as one
        stride *= n
    return xp.reshape(xp.broadcast_to(lin, _indexed_shape(key)), (-1,))


def _indexed_shape(key: tuple[Any, ...]) -> tuple[int, ...]:
    return tuple(np.broadcast_shapes(*[tuple(i.shape) for i in key if hasattr(i, "shape")]))


def _without_none(key: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(i for i in key if i is not None)


def _describe(key: tuple[Any, ...]) -> str:
    def one(i: Any) -> str:
        if hasattr(i, "shape"):
            return f"{'bool' if _kind(i.dtype) == 'b' else 'integer'} array of shape {tuple(i.shape)}"
        return "..." if i is Ellipsis else repr(i)
    return "(" + ", ".join(one(i) for i in key) + ")"
