"""Inverted dropout as a gate: a random mask drawn inside the gate (so a replayed step draws it too)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..autograd.gate import Gate
from ..autograd.tensor import Tensor
from ..backend.random import generator

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from ..autograd.gate import Grads
    from ..autograd.tensor import TensorLike


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
            mask = a.dtype.type(0) * a
        else:
            uniform = generator().random(a.shape, dtype=a.dtype) if a.dtype.itemsize >= 4 \
                else generator().random(a.shape)          # the generator draws float32 and float64 only
            mask = (uniform >= p) * a.dtype.type(1.0 / (1.0 - p))
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
