"""Parameter: a Tensor that a Module registers as something to learn."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..autograd.tensor import Tensor, to_array
from ..backend import devices as D

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

    from ..autograd.tensor import TensorLike


class Parameter(Tensor):
    """A tensor that is a learnable parameter of a Module (requires_grad=True by default).

    Assigning a Parameter to a Module attribute registers it, so it shows up in ``parameters()`` and
    ``state_dict()``. Data given as a Tensor keeps its dtype and shares its array; other data follows
    :func:`tensorgate.tensor` (floats become float32 unless ``dtype`` is given).

    Shape: that of ``data``.

    Examples
    --------
    >>> import tensorgate as tg
    >>> w = tg.nn.Parameter(tg.zeros(2, 3))
    >>> w.requires_grad, w.shape
    (True, (2, 3))
    """

    __slots__ = ()

    def __init__(self, data: TensorLike, requires_grad: bool = True, dtype: DTypeLike | None = None):
        if isinstance(data, Tensor) and dtype is None:
            data = data.data
            dtype = D.numpy_dtype(data.dtype)     # any device's dtype, as NumPy names it
        super().__init__(to_array(data, dtype), requires_grad=requires_grad, dtype=dtype)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
