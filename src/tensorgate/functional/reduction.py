"""Reduction gates: sum, mean, max, min over some axes.

Their backward spreads the upstream gradient back over the axes that were reduced. Each gate takes its array
module from its input (``D.namespace``), so it runs on any device; the sum, hot in every training step, keeps
its NumPy code as it was.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import math

import numpy as np

from ..backend import devices as D
from ..autograd.gate import Gate

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from ..autograd.gate import Grads


def _normalize_axis(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    out = []
    for ax in axes:
        if not -ndim <= ax < max(ndim, 1):
            raise ValueError(f"axis {ax} is out of range for a tensor with {ndim} dimensions")
        out.append(ax % max(ndim, 1))
    return tuple(out)


def _expand(g, in_shape, axes, keepdims):
    """Put back the reduced axes (as size 1) so that g broadcasts against the input."""
    if not keepdims:
        shape = [1 if i in axes else n for i, n in enumerate(in_shape)]
        if g.__class__ is np.ndarray or isinstance(g, np.generic):   # NumPy's method: the fastest call
            return g.reshape(shape)
        return D.namespace(g).reshape(g, tuple(shape))
    return g


def _drop(z, axes):
    """z (reduced with keepdims) without the reduced axes."""
    shape = [n for i, n in enumerate(z.shape) if i not in axes]
    if z.__class__ is np.ndarray or isinstance(z, np.generic):
        return z.reshape(shape)
    return D.namespace(z).reshape(z, tuple(shape))


class SumGate(Gate):
    """z = Σ a over ``axis``.   ∂z/∂a_i = 1 for every summed element: the gradient is copied back.

    Shape: a: (d0, ..., dk); z: a's shape without ``axis`` (or with size 1 there when ``keepdims``).
    """

    needs_float = False

    def forward(self, a: NDArray[Any], axis: int | tuple[int, ...] | None = None,
                keepdims: bool = False) -> NDArray[Any]:
        self.in_shape = a.shape
        self.axes = _normalize_axis(axis, a.ndim)
        self.keepdims = keepdims
        if a.__class__ is np.ndarray or isinstance(a, np.generic):    # NumPy's 0-d results are scalars
            return np.sum(a, axis=self.axes, keepdims=keepdims)
        xp = D.namespace(a)
        if D.kind(a.dtype) == "b":       # the standard sums numbers only; NumPy counts booleans as int64
            a = xp.astype(a, xp.int64)
        return xp.sum(a, axis=self.axes, keepdims=keepdims)

    def backward(self, g: NDArray[Any]) -> Grads:
        g = _expand(g, self.in_shape, self.axes, self.keepdims)
        if g.__class__ is np.ndarray or isinstance(g, np.generic):
            return np.broadcast_to(g, self.in_shape)
        return D.namespace(g).broadcast_to(g, self.in_shape)


class MeanGate(Gate):
    """z = (1/N) Σ a over ``axis``.   ∂z/∂a_i = 1/N, N the number of elements averaged.

    Shape: as :class:`SumGate`.
    """

    def forward(self, a: NDArray[Any], axis: int | tuple[int, ...] | None = None,
                keepdims: bool = False) -> NDArray[Any]:
        self.in_shape = a.shape
        self.axes = _normalize_axis(axis, a.ndim)
        self.keepdims = keepdims
        self.count = 1
        for ax in self.axes:
            self.count *= a.shape[ax] if a.ndim else 1
        return D.namespace(a).mean(a, axis=self.axes, keepdims=keepdims)

    def backward(self, g: NDArray[Any]) -> Grads:
        # N = 0 only when an averaged axis is empty: then so is the input, and its gradient
        g = _expand(g, self.in_shape, self.axes, self.keepdims) * (1.0 / self.count if self.count else 0.0)
        return D.namespace(g).broadcast_to(g, self.in_shape)


class MaxGate(Gate):
    """z = max a over ``axis``.   ∂z/∂a_i = 1 at the maximum (shared equally between ties), 0 elsewhere.

    Shape: as :class:`SumGate`.
    """

    #: the namespace's function that reduces
    reduce = "max"

    def forward(self, a: NDArray[Any], axis: int | tuple[int, ...] | None = None,
                keepdims: bool = False) -> NDArray[Any]:
        self.a = a
        self.axes = _normalize_axis(axis, a.ndim)
        self.keepdims = keepdims
        if any(a.shape[ax] == 0 for ax in self.axes):  # as PyTorch: other axes may be empty, these not
            raise ValueError(f"{self.name}: cannot reduce over an empty axis: tensor of shape {a.shape}, "
                             f"axes {self.axes}")
        self.z = getattr(D.namespace(a), self.reduce)(a, axis=self.axes, keepdims=True)
        return self.z if keepdims else _drop(self.z, self.axes)

    def backward(self, g: NDArray[Any]) -> Grads:
        xp = D.namespace(g)
        g = _expand(g, self.a.shape, self.axes, self.keepdims)
        winners = xp.astype(self.a == self.z, self.a.dtype)    # 1 at each maximum; the standard: no bool ÷
        return g * (winners / xp.sum(winners, axis=self.axes, keepdims=True))


class MinGate(MaxGate):
    """z = min a over ``axis``.   ∂z/∂a_i = 1 at the minimum (shared equally between ties), 0 elsewhere.

    Shape: as :class:`SumGate`.
    """

    reduce = "min"


class ProdGate(Gate):
    """z = Π a over ``axis``.   ∂z/∂a_i = Π_{j≠i} a_j (the product of the others).

    The product of the others is computed as (product of those before i) · (product of those after i), so
    a zero among the a_j gives the right derivative instead of 0/0. Saves a.
    Shape: as :class:`Sum`.
    """

    name = "prod"

    def forward(self, a: NDArray[Any], axis: int | tuple[int, ...] | None = None,
                keepdims: bool = False) -> NDArray[Any]:
        self.a = a
        self.axes = _normalize_axis(axis, a.ndim)
        self.keepdims = keepdims
        return D.namespace(a).prod(a, axis=self.axes, keepdims=keepdims)

    def backward(self, g: NDArray[Any]) -> Grads:
        a, axes = self.a, self.axes
        xp = D.namespace(g)
        g = _expand(g, a.shape, axes, self.keepdims)
        rest = [i for i in range(a.ndim) if i not in axes]
        count = math.prod([a.shape[i] for i in axes])
        if a.size == 0 or count == 1:     # nothing to multiply: the others' product is empty (1)
            return g * xp.ones(a.shape, dtype=a.dtype, device=a.device)
        order = rest + list(axes)
        moved = xp.permute_dims(a, tuple(order))
        rows = xp.reshape(moved, (a.size // count, count))
        ones = xp.ones((rows.shape[0], 1), dtype=a.dtype, device=a.device)
        before = xp.concat([ones, _cumprod(xp, rows[:, :-1])], axis=1)
        after = xp.concat([xp.flip(_cumprod(xp, xp.flip(rows[:, 1:], axis=1)), axis=1), ones], axis=1)
        inverse = tuple(sorted(range(a.ndim), key=order.__getitem__))
        return g * xp.permute_dims(xp.reshape(before * after, moved.shape), inverse)


def _cumprod(xp: Any, rows: NDArray[Any]) -> NDArray[Any]:
    """The running product along axis 1 (NumPy's cumprod; cumulative_prod in the standard)."""
    return np.cumprod(rows, axis=1) if xp is np else xp.cumulative_prod(rows, axis=1)


class CumsumGate(Gate):
    """z_i = Σ_{j≤i} a_j along ``axis``.   ∂L/∂a_j = Σ_{i≥j} ∂L/∂z_i: the cumulative sum taken backwards.

    Shape: a: any; z: a's shape.
    """

    needs_float = False

    name = "cumsum"

    def forward(self, a: NDArray[Any], axis: int = 0) -> NDArray[Any]:
        self.axis = axis
        return _cumsum(D.namespace(a), a, axis)

    def backward(self, g: NDArray[Any]) -> Grads:
        xp, axis = D.namespace(g), self.axis
        return xp.flip(_cumsum(xp, xp.flip(g, axis=axis), axis), axis=axis)


def _cumsum(xp: Any, a: NDArray[Any], axis: int) -> NDArray[Any]:
    """The running sum along ``axis`` (NumPy's cumsum; cumulative_sum in the standard)."""
    return np.cumsum(a, axis=axis) if xp is np else xp.cumulative_sum(a, axis=axis)


class NormGate(Gate):
    """z = ‖a‖₂ = √(Σ a²) over ``axis``.   ∂z/∂a = a / z, taken as 0 where z = 0 (PyTorch's subgradient).

    Saves a and z. Shape: as :class:`Sum`.
    """

    name = "norm"

    def forward(self, a: NDArray[Any], axis: int | tuple[int, ...] | None = None,
                keepdims: bool = False) -> NDArray[Any]:
        self.a = a
        self.axes = _normalize_axis(axis, a.ndim)
        self.keepdims = keepdims
        xp = D.namespace(a)
        self.z = xp.sqrt(xp.sum(a * a, axis=self.axes, keepdims=True))
        return self.z if keepdims else _drop(self.z, self.axes)

    def backward(self, g: NDArray[Any]) -> Grads:
        xp = D.namespace(g)
        g = _expand(g, self.a.shape, self.axes, self.keepdims)
        safe = xp.where(self.z == 0, 1.0, self.z)
        return xp.astype(g * xp.where(self.z == 0, 0.0, self.a / safe), self.a.dtype, copy=False)
