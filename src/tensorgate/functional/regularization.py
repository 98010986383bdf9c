"""Inverted dropout as a gate: a random mask drawn inside the gate (so a replayed step draws it too).

DropoutGate drops single units; Dropout2dGate drops whole channels of an image batch. The masks are drawn
on the CPU from tensorgate's NumPy generator and moved to the input's device, so one seed gives the same
masks on every device.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd.gate import Gate
from ..autograd.tensor import Tensor
from ..backend import devices as D
from ..backend.random import generator

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from ..autograd.gate import Grads


def _keep(shape: tuple[int, ...], dtype: Any, p: float) -> NDArray[Any]:
    """keep ~ Bernoulli(1 − p), a NumPy bool array, from uniforms of ``dtype`` (a NumPy dtype)."""
    uniform = generator().random(shape, dtype=dtype) if dtype.itemsize >= 4 \
        else generator().random(shape)          # the generator draws float32 and float64 only
    return uniform >= p


def _mask(a: Any, shape: tuple[int, ...], p: float) -> Any:
    """keep/(1 − p) of a's dtype on a's device, keep drawn on the CPU (the same numbers on every device for
    one seed); off the CPU only the bool keep travels (a quarter of a float32 mask's bytes)."""
    if a.__class__ is np.ndarray:
        return _keep(shape, a.dtype, p) * a.dtype.type(1.0 / (1.0 - p))
    xp = D.namespace(a)
    keep = D.to_device(_keep(shape, D.numpy_dtype(a.dtype), p), *D.device_of(a))
    return xp.astype(keep, a.dtype) * (1.0 / (1.0 - p))


class DropoutGate(Gate):
    """z = a ⊙ mask, with mask = keep/(1 − p) drawn once per call (keep ~ Bernoulli(1 − p)).

    ∂z/∂a = mask: the same units are dropped in the backward pass. Saves the mask.
    Scaling the kept units by 1/(1 − p) in training ("inverted" dropout) keeps E[z] = a, so evaluation
    needs no rescaling: dropout is simply off.

    The mask is drawn here, in forward, from tensorgate's generator: a replayed training step
    (:class:`~tensorgate.training.CompiledStep`) runs the gates without the Python around them, so a mask
    drawn outside would be reused; drawn here, every replay draws a fresh one, in the eager step's order.

    Shape: a: any; mask: same; z: same.
    """

    name = "dropout"

    def forward(self, a: NDArray[Any], p: float = 0.5) -> NDArray[Any]:
        if p == 1.0:
            mask = a.dtype.type(0) * a if a.__class__ is np.ndarray else 0.0 * a
        else:
            mask = _mask(a, a.shape, p)
        self.mask = mask
        return a * mask

    def backward(self, g: NDArray[Any]) -> Grads:
        return g * self.mask


def dropout(input: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Inverted dropout: zero each element with probability p and scale the rest by 1/(1 − p).

    The identity when ``training`` is False or p = 0. The mask is drawn from tensorgate's generator, so
    ``tg.manual_seed`` repeats it.

    Shape: input: any; result: same.

    Examples
    --------
    >>> import tensorgate as tg
    >>> _ = tg.manual_seed(0)
    >>> sorted(set(tg.nn.functional.dropout(tg.ones(100), p=0.5).tolist()))   # kept units are scaled by 2
    [0.0, 2.0]
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: p must be a probability in [0, 1], got {p}")
    if not training or p == 0.0:
        return input
    if not isinstance(input, Tensor):
        input = Tensor(input)
    return DropoutGate.apply(input, p=float(p))


class Dropout2dGate(Gate):
    """z = a ⊙ mask with one draw per (example, channel): mask (N, C, 1, 1) = keep/(1 − p), keep ~ Bernoulli(1 − p).

    Whole feature maps are dropped (Tompson et al., 2015): neighbouring pixels of a map are strongly
    correlated, so dropping pixels one by one barely regularises a convolutional layer. ∂z/∂a = mask
    (broadcast over the map). Saves the mask; drawn here, in forward, as in :class:`DropoutGate`.

    Shape: a: (N, C, H, W); mask: (N, C, 1, 1); z: (N, C, H, W).
    """

    name = "dropout2d"

    def forward(self, a: NDArray[Any], p: float = 0.5) -> NDArray[Any]:
        shape = a.shape[:2] + (1,) * (a.ndim - 2)
        if p == 1.0:
            mask = D.namespace(a).zeros(shape, dtype=a.dtype, device=a.device)
        else:
            mask = _mask(a, shape, p)
        self.mask = mask
        return a * mask

    def backward(self, g: NDArray[Any]) -> Grads:
        return g * self.mask


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Channel-wise dropout: zero each (example, channel) map with probability p, scale the rest by 1/(1 − p).

    PyTorch's ``F.dropout2d`` on an (N, C, H, W) batch; the identity when ``training`` is False or p = 0.
    A 3-D input is refused (PyTorch reads it as (N, C, L) with a deprecation warning that it will change).

    Shape: input: (N, C, H, W); result: same.

    Example
    -------
    >>> import tensorgate as tg
    >>> _ = tg.manual_seed(0)
    >>> z = dropout2d(tg.ones((1, 8, 2, 2)), p=0.5)
    >>> [sorted(set(z.numpy()[0, c].ravel().tolist())) in ([0.0], [2.0]) for c in range(8)] == [True] * 8
    True
    """
    if inplace:
        raise NotImplementedError("dropout2d: inplace=True is not supported (tensorgate returns a new tensor)")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout2d: p must be a probability in [0, 1], got {p}")
    if getattr(input, "ndim", None) != 4:
        raise ValueError(f"dropout2d: input must be a batch of images (N, C, H, W), got shape "
                         f"{tuple(getattr(input, 'shape', ()))}")
    if not training or p == 0.0:
        return input
    if not isinstance(input, Tensor):
        input = Tensor(input)
    return Dropout2dGate.apply(input, p=float(p))


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Channel-wise dropout of sequences: zero each (example, channel) sequence with probability p, scale the
    rest by 1/(1 − p) (``F.dropout1d``); the Dropout2d gate on sequences one pixel high.

    Shape: input: (N, C, L); result: same.
    """
    if getattr(input, "ndim", None) != 3:
        raise ValueError(f"dropout1d: input must be a batch of sequences (N, C, L), got shape "
                         f"{tuple(getattr(input, 'shape', ()))}")
    from . import reshape

    n, c, length = input.shape
    return reshape(dropout2d(reshape(input, (n, c, 1, length)), p, training, inplace), (n, c, length))
