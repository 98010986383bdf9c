"""Reduction gates: sum, mean, max, min over some axes.

Their backward spreads the upstream gradient back over the axes that were reduced.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import backend as B
from ..autograd.gate import Gate

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from ..autograd.gate import Grads

xp = B.xp


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
        g = g.reshape([1 if i in axes else n for i, n in enumerate(in_shape)])
    return g


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
        return xp.sum(a, axis=self.axes, keepdims=keepdims)

    def backward(self, g: NDArray[Any]) -> Grads:
        g = _expand(g, self.in_shape, self.axes, self.keepdims)
        return xp.broadcast_to(g, self.in_shape)


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
        return xp.mean(a, axis=self.axes, keepdims=keepdims)

    def backward(self, g: NDArray[Any]) -> Grads:
        # N = 0 only when an averaged axis is empty: then so is the input, and its gradient
        g = _expand(g, self.in_shape, self.axes, self.keepdims) * (1.0 / self.count if self.count else 0.0)
        return xp.broadcast_to(g, self.in_shape)


class MaxGate(Gate):
    """z = max a over ``axis``.   ∂z/∂a_i = 1 at the maximum (shared equally between ties), 0 elsewhere.

    Shape: as :class:`SumGate`.
    """

    reduce = staticmethod(xp.max)

    def forward(self, a: NDArray[Any], axis: int | tuple[int, ...] | None = None,
                keepdims: bool = False) -> NDArray[Any]:
        self.a = a
        self.axes = _normalize_axis(axis, a.ndim)
        self.keepdims = keepdims
        if any(a.shape[ax] == 0 for ax in self.axes):  # as PyTorch: other axes may be empty, these not
            raise ValueError(f"{self.name}: cannot reduce over an empty axis: tensor of shape {a.shape}, "
                             f"axes {self.axes}")
        self.z = self.reduce(a, axis=self.axes, keepdims=True)  # type: ignore[arg-type]
        return self.z if keepdims else self.z.reshape([n for i, n in enumerate(a.shape) if i not in self.axes])

    def backward(self, g: NDArray[Any]) -> Grads:
        g = _expand(g, self.a.shape, self.axes, self.keepdims)
        winners = self.a == self.z
        share = winners / winners.sum(axis=self.axes, keepdims=True)
        return (g * share).astype(self.a.dtype, copy=False)


class MinGate(MaxGate):
    """z = min a over ``axis``.   ∂z/∂a_i = 1 at the minimum (shared equally between ties), 0 elsewhere.

    Shape: as :class:`SumGate`.
    """

    reduce = staticmethod(xp.min)


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
        return xp.prod(a, axis=self.axes, keepdims=keepdims)

    def backward(self, g: NDArray[Any]) -> Grads:
        a, axes = self.a, self.axes
        rest = [i for i in range(a.ndim) if i not in axes]
        order = rest + list(axes)
        moved = xp.transpose(a, order)
        rows = moved.reshape(-1, max(1, int(xp.prod([a.shape[i] for i in axes], dtype=xp.int64))))
        ones = xp.ones((rows.shape[0], 1), dtype=a.dtype)
        before = xp.concatenate([ones, xp.cumprod(rows[:, :-1], axis=1)], axis=1)
        after = xp.concatenate([xp.cumprod(rows[:, :0:-1], axis=1)[:, ::-1], ones], axis=1)
        others = xp.transpose((before * after).reshape(moved.shape), xp.argsort(order))
        return _expand(g, a.shape, axes, self.keepdims) * others


class CumsumGate(Gate):
    """z_i = Σ_{j≤i} a_j along ``axis``.   ∂L/∂a_j = Σ_{i≥j} ∂L/∂z_i: the cumulative sum taken backwards.

    Shape: a: any; z: a's shape.
    """

    needs_float = False

    name = "cumsum"

    def forward(self, a: NDArray[Any], axis: int = 0) -> NDArray[Any]:
        self.axis = axis
        return xp.cumsum(a, axis=axis)

    def backward(self, g: NDArray[Any]) -> Grads:
        return xp.flip(xp.cumsum(xp.flip(g, self.axis), axis=self.axis), self.axis)


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
        self.z = xp.sqrt(xp.sum(a * a, axis=self.axes, keepdims=True))
        return self.z if keepdims else self.z.reshape([n for i, n in enumerate(a.shape) if i not in self.axes])

    def backward(self, g: NDArray[Any]) -> Grads:
        g = _expand(g, self.a.shape, self.axes, self.keepdims)
        safe = xp.where(self.z == 0, 1, self.z)
        return (g * xp.where(self.z == 0, 0, self.a / safe)).astype(self.a.dtype, copy=False)
