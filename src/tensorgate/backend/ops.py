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

from .devices import device_of, to_device


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
