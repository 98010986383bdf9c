"""Embedding: the gate, with its closed-form backward, and the functional ``embedding``
(the module is in nn/embedding.py)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd.gate import Gate
from ..autograd.tensor import Tensor
from .. import backend as B

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from ..autograd.gate import Grads
    from ..autograd.tensor import TensorLike

xp = B.xp


class EmbeddingGate(Gate):
    """z = W[idx]: row idx_j of the table for every index.

    ∂L/∂W[r] = Σ_{j: idx_j = r} g_j — the upstream rows scatter-added back to the rows they came from (an index
    used twice receives both gradients); 0 for the ``padding_idx`` row, which is never trained; divided by
    the index's count in the batch with ``scale_grad_by_freq``. Saves the indices.

    Shape: W: (N, D); idx: any integer shape S; z: S + (D,).
    """

    name = "embedding"

    def forward(self, weight: NDArray[Any], indices: NDArray[Any] | None = None, padding_idx: int | None = None,
                scale_grad_by_freq: bool = False) -> NDArray[Any]:
        N = weight.shape[0]
        if indices.size and (indices.min() < 0 or indices.max() >= N):  # type: ignore[union-attr]  # as PyTorch: no negative ids
            bad = indices[(indices < 0) | (indices >= N)].reshape(-1)[0]  # type: ignore[index, operator]
            raise IndexError(f"embedding: index {int(bad)} is out of range [0, {N}) of the table's rows")
        self.indices = indices
        self.padding_idx, self.scale, self.shape = padding_idx, scale_grad_by_freq, weight.shape
        return weight[indices]

    def backward(self, g: NDArray[Any]) -> Grads:
        N, D = self.shape
        rows = self.indices.reshape(-1)  # type: ignore[union-attr]
        g = g.reshape(-1, D)
        if self.scale:
            counts = xp.bincount(rows, minlength=N)
            g = g / counts[rows][:, None].astype(g.dtype)
        dW = xp.zeros(self.shape, dtype=g.dtype)
        xp.add.at(dW, rows, g)
        if self.padding_idx is not None:
            dW[self.padding_idx] = 0
        return dW


def _index_array(fn, input):
    idx = input.data if isinstance(input, Tensor) else np.asarray(input)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{fn}: indices must be integers (a long tensor), got dtype {idx.dtype}")
    return idx


def _padding(fn, padding_idx, N):
    if padding_idx is None:
        return None
    if not -N <= padding_idx < N:
        raise ValueError(f"{fn}: padding_idx must be within [{-N}, {N}), got {padding_idx}")
    return padding_idx % N


def embedding(input: TensorLike, weight: Tensor, padding_idx: int | None = None, max_norm: float | None = None,
              norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """The rows of ``weight`` at the integer ``input`` indices (PyTorch's ``F.embedding``).

    ``max_norm`` (renormalising rows in place) and ``sparse`` gradients are not supported: a clear error.

    Shape: input: any integer shape S; weight: (N, D); result: S + (D,).

    Examples
    --------
    >>> import tensorgate as tg
    >>> embedding(tg.tensor([2, 0]), tg.tensor([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])).tolist()
    [[4.0, 5.0], [0.0, 1.0]]
    """
    fn = "embedding"
    if max_norm is not None:
        raise NotImplementedError(f"{fn}: max_norm is not supported (PyTorch renormalises the table's rows in "
                                  "place); clip the weights yourself after the optimiser step")
    if sparse:
        raise NotImplementedError(f"{fn}: sparse gradients are not supported; use sparse=False (dense gradient)")
    if getattr(weight, "ndim", None) != 2:
        raise ValueError(f"{fn}: weight must have shape (num_embeddings, embedding_dim), got "
                         f"{getattr(weight, 'shape', type(weight).__name__)}")
    idx = _index_array(fn, input)
    return EmbeddingGate.apply(weight, indices=idx, padding_idx=_padding(fn, padding_idx, weight.shape[0]),
                               scale_grad_by_freq=bool(scale_grad_by_freq))
