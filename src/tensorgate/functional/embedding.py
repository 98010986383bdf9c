"""Embedding: the gate, with its closed-form backward, and the functional ``embedding``
(the module is in nn/embedding.py)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd.gate import Gate
from ..autograd.tensor import Tensor
from ..backend import devices as D
from ..backend import ops

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from ..autograd.gate import Grads
    from ..autograd.tensor import TensorLike


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
        self.indices = indices
        self.padding_idx, self.scale, self.shape = padding_idx, scale_grad_by_freq, weight.shape
        if weight.__class__ is not np.ndarray:
            xp = D.namespace(weight, indices)
            if indices.size and (int(xp.min(indices)) < 0 or int(xp.max(indices)) >= N):  # type: ignore[union-attr]
                _out_of_range(D.to_numpy(indices), N)
            rows = xp.take(weight, xp.reshape(indices, (-1,)), axis=0)
            return xp.reshape(rows, tuple(indices.shape) + tuple(weight.shape[1:]))  # type: ignore[union-attr]
        if indices.size and (indices.min() < 0 or indices.max() >= N):  # type: ignore[union-attr]  # as PyTorch: no negative ids
            _out_of_range(indices, N)
        return weight[indices]

    def backward(self, g: NDArray[Any]) -> Grads:
        N, width = self.shape
        if g.__class__ is not np.ndarray:
            xp = D.namespace(g)
            rows = xp.reshape(self.indices, (-1,))
            g = xp.reshape(g, (-1, width))
            if self.scale:
                counts = ops.bincount(xp, rows, N)
                g = g / xp.astype(xp.reshape(xp.take(counts, rows), (-1, 1)), g.dtype)
            dW = ops.scatter_add(xp, xp.zeros(self.shape, dtype=g.dtype, device=g.device), rows, g)
            if self.padding_idx is not None:
                dW[self.padding_idx, ...] = 0.0
            return dW
        rows = self.indices.reshape(-1)  # type: ignore[union-attr]
        g = g.reshape(-1, width)
        if self.scale:
            counts = np.bincount(rows, minlength=N)
            g = g / counts[rows][:, None].astype(g.dtype)
        dW = np.zeros(self.shape, dtype=g.dtype)
        np.add.at(dW, rows, g)
        if self.padding_idx is not None:
            dW[self.padding_idx] = 0
        return dW


def _out_of_range(indices, N):
    bad = indices[(indices < 0) | (indices >= N)].reshape(-1)[0]
    raise IndexError(f"embedding: index {int(bad)} is out of range [0, {N}) of the table's rows")


def _index_array(fn, input):
    idx = input.data if isinstance(input, Tensor) else np.asarray(input)
    if D.kind(idx.dtype) not in "iu":
        raise TypeError(f"{fn}: indices must be integers (a long tensor), got dtype {D.numpy_dtype(idx.dtype)}")
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
    if idx.__class__ is np.ndarray and weight.data.__class__ is not np.ndarray:
        idx = D.to_device(idx, *D.device_of(weight.data))    # indices given as a list or NumPy array
    return EmbeddingGate.apply(weight, indices=idx, padding_idx=_padding(fn, padding_idx, weight.shape[0]),
                               scale_grad_by_freq=bool(scale_grad_by_freq))
