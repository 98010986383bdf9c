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
