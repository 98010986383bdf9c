"""Embedding: a lookup table of learned vectors, one row per token id; its gate scatter-adds the gradient."""
import numpy as np

from ..autograd.factory import zeros
from ..autograd.gate import Gate
from ..autograd.tensor import Tensor, as_dtype
from .. import backend as B
from . import init as _init
from .module import Module
from .parameter import Parameter

xp = B.xp


class EmbeddingGate(Gate):
    """z = W[idx]: row idx_j of the table for every index.

    ∂L/∂W[r] = Σ_{j: idx_j = r} g_j — the upstream rows scatter-added back to the rows they came from (an index
    used twice receives both gradients); 0 for the ``padding_idx`` row, which is never trained; divided by
    the index's count in the batch with ``scale_grad_by_freq``. Saves the indices.

    Shape: W: (N, D); idx: any integer shape S; z: S + (D,).
    """

    name = "embedding"

    def forward(self, weight, indices=None, padding_idx=None, scale_grad_by_freq=False):
        N = weight.shape[0]
        if indices.size and (indices.min() < 0 or indices.max() >= N):     # as PyTorch: no negative ids
            bad = indices[(indices < 0) | (indices >= N)].reshape(-1)[0]
            raise IndexError(f"embedding: index {int(bad)} is out of range [0, {N}) of the table's rows")
        self.indices = indices
        self.padding_idx, self.scale, self.shape = padding_idx, scale_grad_by_freq, weight.shape
        return weight[indices]

    def backward(self, g):
        N, D = self.shape
        rows = self.indices.reshape(-1)
        g = g.reshape(-1, D)
        if self.scale:
            counts = xp.bincount(rows, minlength=N)
            g = g / counts[rows][:, None].astype(g.dtype)
        dW = xp.zeros(self.shape, dtype=g.dtype)
        xp.add.at(dW, rows, g)
        if self.padding_idx is not None:
            dW[self.padding_idx] = 0
        return (dW,)


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


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """The rows of ``weight`` at the integer ``input`` indices (PyTorch's ``F.embedding``).

    ``max_norm`` (renormalising rows in place) and ``sparse`` gradients are not supported: a clear error.

    Shape: input: any integer shape S; weight: (N, D); result: S + (D,).

    Example
    -------
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


class Embedding(Module):
    """A table of ``num_embeddings`` learned vectors of size ``embedding_dim``; ``emb(ids)`` looks them up.

    Initialised N(0, 1) as PyTorch, with the ``padding_idx`` row (if any) zero and never updated (its
    gradient is 0). ``max_norm`` and ``sparse=True`` are not supported (a clear error).

    Shape: input: integer ids of any shape S, in [0, num_embeddings); output: S + (embedding_dim,);
    weight: (num_embeddings, embedding_dim).

    Example
    -------
    >>> import tensorgate as tg
    >>> emb = tg.nn.Embedding(10, 3, padding_idx=0)
    >>> emb(tg.tensor([[1, 2, 0]])).shape, emb.weight[0].tolist()
    ((1, 3, 3), [0.0, 0.0, 0.0])
    """

    _convert_inputs = False     # integer ids must stay integers

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, sparse=False, _freeze=False, dtype=None):
        super().__init__()
        for name, n in (("num_embeddings", num_embeddings), ("embedding_dim", embedding_dim)):
            if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
                raise ValueError(f"Embedding: {name} must be a positive integer, got {n!r}")
        if max_norm is not None or sparse:
            embedding(np.zeros(0, np.int64), zeros(1, 1), max_norm=max_norm, sparse=sparse)   # raises the error
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx = _padding("Embedding", padding_idx, num_embeddings)
        self.max_norm, self.norm_type, self.sparse = None, float(norm_type), False
        self.scale_grad_by_freq = bool(scale_grad_by_freq)
        dtype = as_dtype(dtype) if dtype is not None else B.DEFAULT_FLOAT
        self.weight = Parameter(zeros(num_embeddings, embedding_dim, dtype=dtype), requires_grad=not _freeze)
        self.reset_parameters()

    def reset_parameters(self):
        """W ~ N(0, 1), the padding row zero."""
        _init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, sparse=False):
        """An Embedding holding a copy of ``embeddings`` (N, D), frozen (no gradient) by default.

        Shape: embeddings: (N, D).
        """
        data = embeddings.data if isinstance(embeddings, Tensor) else np.asarray(embeddings)
        if data.ndim != 2:
            raise ValueError(f"Embedding.from_pretrained: embeddings must be 2-D (N, D), got shape {data.shape}")
        module = cls(data.shape[0], data.shape[1], padding_idx=padding_idx, max_norm=max_norm,
                     norm_type=norm_type, scale_grad_by_freq=scale_grad_by_freq, sparse=sparse, _freeze=bool(freeze),
                     dtype=data.dtype.name if data.dtype.kind == "f" else None)
        module.weight.data[...] = data
        return module

    def forward(self, input):
        return EmbeddingGate.apply(self.weight, indices=_index_array("Embedding", input),
                                   padding_idx=self.padding_idx, scale_grad_by_freq=self.scale_grad_by_freq)

    def extra_repr(self):
        extra = "" if self.padding_idx is None else f", padding_idx={self.padding_idx}"
        return f"{self.num_embeddings}, {self.embedding_dim}{extra}"

    def _param_formula(self):
        return f"{self.num_embeddings}·{self.embedding_dim}"
