"""Gates that move numbers around without changing them: reshape, transpose, indexing, joining.

Their backward moves the gradient back to where each number came from.
"""
from .. import backend as B
from ..autograd.gate import Gate

xp = B.xp


class ReshapeGate(Gate):
    """z = a with a new shape.   The gradient is reshaped back.

    Shape: a: any; z: ``shape`` (same number of elements; one entry may be −1).
    """

    needs_float = False

    def forward(self, a, shape=None):
        self.in_shape = a.shape
        try:
            return a.reshape(shape)
        except ValueError:
            raise ValueError(f"reshape: cannot reshape a tensor of shape {a.shape} "
                             f"({a.size} elements) into shape {tuple(shape)}") from None

    def backward(self, g):
        return g.reshape(self.in_shape)


class PermuteGate(Gate):
    """z = a with its axes reordered (``axes``; reversed by default: the transpose).

    The gradient is permuted back by the inverse order.
    Shape: a: (d0, ..., dk); z: (d_axes[0], ..., d_axes[k]).
    """

    needs_float = False

    def forward(self, a, axes=None):
        self.axes = tuple(range(a.ndim))[::-1] if axes is None else tuple(ax % a.ndim for ax in axes)
        if sorted(self.axes) != list(range(a.ndim)):
            raise ValueError(f"permute: axes {axes} are not a permutation of the {a.ndim} axes of shape {a.shape}")
        return xp.transpose(a, self.axes)

    def backward(self, g):
        return xp.transpose(g, xp.argsort(self.axes))


class GetItemGate(Gate):
    """z = a[index] (slices, integers, boolean masks, integer arrays).

    ∂L/∂a is zero except at the selected places, which receive ∂L/∂z; an element selected several times
    (repeated integer indices) receives the sum of its gradients (``np.add.at``).
    Shape: as NumPy indexing.
    """

    needs_float = False

    def forward(self, a, index=None):
        self.in_shape, self.index = a.shape, index
        return a[index]

    def backward(self, g):
        grad = xp.zeros(self.in_shape, dtype=g.dtype)
        xp.add.at(grad, self.index, g)
        return grad


class ConcatenateGate(Gate):
    """z = the inputs joined along ``axis``.   Each input gets back its own slice of the gradient.

    Shape: inputs equal except along ``axis``; z: their sizes along ``axis`` added.
    """

    needs_float = False

    def forward(self, *arrays, axis=0):
        self.axis = axis
        self.splits = xp.cumsum([x.shape[axis] for x in arrays])[:-1]
        try:
            return xp.concatenate(arrays, axis=axis)
        except ValueError as e:
            shapes = ", ".join(str(x.shape) for x in arrays)
            raise ValueError(f"concatenate: cannot join shapes {shapes} along axis {axis}: {e}") from None

    def backward(self, g):
        return tuple(xp.split(g, self.splits, axis=self.axis))


class StackGate(Gate):
    """z = the inputs stacked along a new ``axis``.   Each input gets back its own slice of the gradient.

    Shape: k inputs of equal shape S; z: S with k inserted at ``axis``.
    """

    needs_float = False

    def forward(self, *arrays, axis=0):
        self.axis = axis
        shapes = {x.shape for x in arrays}
        if len(shapes) > 1:
            raise ValueError(f"stack: all inputs must have the same shape, got {sorted(shapes)}")
        return xp.stack(arrays, axis=axis)

    def backward(self, g):
        return tuple(xp.moveaxis(g, self.axis, 0))
