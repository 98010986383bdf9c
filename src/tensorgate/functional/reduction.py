"""Reduction gates: sum, mean, max, min over some axes.

Their backward spreads the upstream gradient back over the axes that were reduced.
"""
from .. import backend as B
from ..autograd.gate import Gate

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

    def forward(self, a, axis=None, keepdims=False):
        self.in_shape = a.shape
        self.axes = _normalize_axis(axis, a.ndim)
        self.keepdims = keepdims
        return xp.sum(a, axis=self.axes, keepdims=keepdims)

    def backward(self, g):
        g = _expand(g, self.in_shape, self.axes, self.keepdims)
        return xp.broadcast_to(g, self.in_shape)


class MeanGate(Gate):
    """z = (1/N) Σ a over ``axis``.   ∂z/∂a_i = 1/N, N the number of elements averaged.

    Shape: as :class:`SumGate`.
    """

    def forward(self, a, axis=None, keepdims=False):
        self.in_shape = a.shape
        self.axes = _normalize_axis(axis, a.ndim)
        self.keepdims = keepdims
        self.count = 1
        for ax in self.axes:
            self.count *= a.shape[ax] if a.ndim else 1
        return xp.mean(a, axis=self.axes, keepdims=keepdims)

    def backward(self, g):
        # N = 0 only when an averaged axis is empty: then so is the input, and its gradient
        g = _expand(g, self.in_shape, self.axes, self.keepdims) * (1.0 / self.count if self.count else 0.0)
        return xp.broadcast_to(g, self.in_shape)


class MaxGate(Gate):
    """z = max a over ``axis``.   ∂z/∂a_i = 1 at the maximum (shared equally between ties), 0 elsewhere.

    Shape: as :class:`SumGate`.
    """

    reduce = staticmethod(xp.max)

    def forward(self, a, axis=None, keepdims=False):
        self.a = a
        self.axes = _normalize_axis(axis, a.ndim)
        self.keepdims = keepdims
        if any(a.shape[ax] == 0 for ax in self.axes):  # as PyTorch: other axes may be empty, these not
            raise ValueError(f"{self.name}: cannot reduce over an empty axis: tensor of shape {a.shape}, "
                             f"axes {self.axes}")
        self.z = self.reduce(a, axis=self.axes, keepdims=True)
        return self.z if keepdims else self.z.reshape([n for i, n in enumerate(a.shape) if i not in self.axes])

    def backward(self, g):
        g = _expand(g, self.a.shape, self.axes, self.keepdims)
        winners = self.a == self.z
        share = winners / winners.sum(axis=self.axes, keepdims=True)
        return (g * share).astype(self.a.dtype, copy=False)


class MinGate(MaxGate):
    """z = min a over ``axis``.   ∂z/∂a_i = 1 at the minimum (shared equally between ties), 0 elsewhere.

    Shape: as :class:`SumGate`.
    """

    reduce = staticmethod(xp.min)
