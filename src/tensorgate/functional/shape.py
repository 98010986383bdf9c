"""Gates that move numbers around without changing them: reshape, transpose, indexing, joining.

Their backward moves the gradient back to where each number came from.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import itertools

import numpy as np

from .. import backend as B
from ..autograd.gate import Gate
from ..backend import devices as D
from ..backend import ops

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from ..autograd.gate import Grads


class ReshapeGate(Gate):
    """z = a with a new shape.   The gradient is reshaped back.

    Shape: a: any; z: ``shape`` (same number of elements; one entry may be −1).
    """

    needs_float = False

    def forward(self, a: NDArray[Any], shape: tuple[int, ...] | None = None) -> NDArray[Any]:
        self.in_shape = a.shape
        try:
            return a.reshape(shape) if a.__class__ is np.ndarray else D.namespace(a).reshape(a, shape)
        except ValueError:
            raise ValueError(f"reshape: cannot reshape a tensor of shape {a.shape} "
                             f"({a.size} elements) into shape {tuple(shape)}") from None  # type: ignore[arg-type]

    def backward(self, g: NDArray[Any]) -> Grads:
        return g.reshape(self.in_shape) if g.__class__ is np.ndarray else D.namespace(g).reshape(g, self.in_shape)


class PermuteGate(Gate):
    """z = a with its axes reordered (``axes``; reversed by default: the transpose).

    The gradient is permuted back by the inverse order.
    Shape: a: (d0, ..., dk); z: (d_axes[0], ..., d_axes[k]).
    """

    needs_float = False

    def forward(self, a: NDArray[Any], axes: tuple[int, ...] | None = None) -> NDArray[Any]:
        self.axes = tuple(range(a.ndim))[::-1] if axes is None else tuple(ax % a.ndim for ax in axes)
        if sorted(self.axes) != list(range(a.ndim)):
            raise ValueError(f"permute: axes {axes} are not a permutation of the {a.ndim} axes of shape {a.shape}")
        return D.namespace(a).permute_dims(a, self.axes)

    def backward(self, g: NDArray[Any]) -> Grads:
        return D.namespace(g).permute_dims(g, tuple(sorted(range(len(self.axes)), key=self.axes.__getitem__)))


class GetItemGate(Gate):
    """z = a[index] (slices, integers, boolean masks, integer arrays).

    ∂L/∂a is zero except at the selected places, which receive ∂L/∂z; an element selected several times
    (repeated integer indices) receives the sum of its gradients (``np.add.at``).
    Shape: as NumPy indexing.
    """

    needs_float = False

    def forward(self, a: NDArray[Any], index: Any = None) -> NDArray[Any]:
        self.in_shape, self.index = a.shape, index
        if a.__class__ is np.ndarray:
            return a[index]
        return ops.getitem(D.namespace(a), a, index)   # the standard's index forms, or a clear error

    def backward(self, g: NDArray[Any]) -> Grads:
        if g.__class__ is np.ndarray:
            grad = np.zeros(self.in_shape, dtype=g.dtype)
            np.add.at(grad, self.index, g)
            return grad
        xp = D.namespace(g)
        return ops.add_at(xp, xp.zeros(self.in_shape, dtype=g.dtype, device=g.device), self.index, g)


class ConcatenateGate(Gate):
    """z = the inputs joined along ``axis``.   Each input gets back its own slice of the gradient.

    Shape: inputs equal except along ``axis``; z: their sizes along ``axis`` added.
    """

    needs_float = False
    promotes_integers = True

    def forward(self, *arrays: NDArray[Any], axis: int = 0) -> NDArray[Any]:
        self.axis = axis
        self.splits = list(itertools.accumulate(x.shape[axis] for x in arrays))[:-1]
        xp = D.namespace(*arrays)
        try:
            return np.concatenate(arrays, axis=axis) if xp is np else xp.concat(arrays, axis=axis)
        except ValueError as e:
            shapes = ", ".join(str(x.shape) for x in arrays)
            raise ValueError(f"concatenate: cannot join shapes {shapes} along axis {axis}: {e}") from None

    def backward(self, g: NDArray[Any]) -> Grads:
        if g.__class__ is np.ndarray:
            return tuple(np.split(g, self.splits, axis=self.axis))
        before = (slice(None),) * (self.axis % g.ndim)
        edges = [0, *self.splits, g.shape[self.axis]]
        return tuple(g[before + (slice(lo, hi), ...)] for lo, hi in zip(edges[:-1], edges[1:]))


class StackGate(Gate):
    """z = the inputs stacked along a new ``axis``.   Each input gets back its own slice of the gradient.

    Shape: k inputs of equal shape S; z: S with k inserted at ``axis``.
    """

    needs_float = False
    promotes_integers = True

    def forward(self, *arrays: NDArray[Any], axis: int = 0) -> NDArray[Any]:
        self.axis = axis
        shapes = {x.shape for x in arrays}
        if len(shapes) > 1:
            raise ValueError(f"stack: all inputs must have the same shape, got {sorted(shapes)}")
        return D.namespace(*arrays).stack(arrays, axis=axis)

    def backward(self, g: NDArray[Any]) -> Grads:
        if g.__class__ is np.ndarray:
            return tuple(np.moveaxis(g, self.axis, 0))
        return tuple(D.namespace(g).unstack(g, axis=self.axis))


class ExpandGate(Gate):
    """z = a broadcast to ``shape`` (a read-only view, PyTorch's ``expand``).   The gradient is summed back
    over the broadcast axes.

    Shape: a: any, broadcastable to ``shape``; z: ``shape``.
    """

    needs_float = False

    name = "expand"

    def forward(self, a: NDArray[Any], shape: tuple[int, ...] | None = None) -> NDArray[Any]:
        self.in_shape = a.shape
        try:
            return D.namespace(a).broadcast_to(a, shape)
        except ValueError:
            raise ValueError(f"expand: cannot expand a tensor of shape {a.shape} to shape {tuple(shape)} "  # type: ignore[arg-type]
                             "(only sizes of 1 can grow)") from None

    def backward(self, g: NDArray[Any]) -> Grads:
        return B.unbroadcast(g, self.in_shape)


class ScatterGate(Gate):
    """z = a with ``src`` written (``add=False``) or added (``add=True``, repeats accumulate) at ``index``
    (a NumPy index tuple addressing the places, one array per axis, all of src's kept shape).

    ∂z/∂a = 1 except, when writing, 0 at the overwritten places; ∂z/∂src = 1 at the places it went to.
    Shape: a: any; src: at least the index arrays' shape (the leading part is used); z: a's shape.
    """

    needs_float = False

    name = "scatter"

    def forward(self, a: NDArray[Any], src: NDArray[Any], index: Any = None, add: bool = False) -> NDArray[Any]:
        self.index, self.add, self.src_shape = index, add, src.shape
        self.used = tuple(slice(0, n) for n in index[0].shape)
        if a.__class__ is np.ndarray:
            z = a.copy()
            if add:
                np.add.at(z, index, src[self.used])
            else:
                z[index] = src[self.used]
            return z
        xp = D.namespace(a, src)
        used = ops.getitem(xp, src, self.used)
        z = xp.asarray(a, copy=True)
        return ops.add_at(xp, z, index, used) if add else ops.put(xp, z, index, used)

    def backward(self, g: NDArray[Any]) -> Grads:
        ga = gs = None
        if g.__class__ is np.ndarray:
            if self.needs[0]:
                ga = g.copy()
                if not self.add:
                    ga[self.index] = 0
            if self.needs[1]:
                gs = np.zeros(self.src_shape, dtype=g.dtype)
                gs[self.used] = g[self.index]
            return ga, gs
        xp = D.namespace(g)
        if self.needs[0]:
            ga = g if self.add else ops.put(xp, xp.asarray(g, copy=True), self.index, 0.0)
        if self.needs[1]:
            gs = ops.put(xp, xp.zeros(self.src_shape, dtype=g.dtype, device=g.device), self.used,
                         ops.getitem(xp, g, self.index))
        return ga, gs
