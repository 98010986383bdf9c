"""``Embedding``, the module; its gate and the functional ``embedding`` are in functional/embedding.py."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from ..autograd.factory import zeros
from ..autograd.tensor import Tensor, as_dtype
from .. import backend as B
from . import init as _init
from .module import Module
from .parameter import Parameter
from ..functional.embedding import EmbeddingGate, _index_array, _padding, embedding

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

    from ..autograd.tensor import TensorLike


class Embedding(Module):
    """A table of ``num_embeddings`` learned vectors of size ``embedding_dim``; ``emb(ids)`` looks them up.

    Initialised N(0, 1) as PyTorch, with the ``padding_idx`` row (if any) zero and never updated (its
    gradient is 0). ``max_norm`` and ``sparse=True`` are not supported (a clear error).

    Shape: input: integer ids of any shape S, in [0, num_embeddings); output: S + (embedding_dim,);
    weight: (num_embeddings, embedding_dim).

    Examples
    --------
    >>> import tensorgate as tg
    >>> emb = tg.nn.Embedding(10, 3, padding_idx=0)
    >>> emb(tg.tensor([[1, 2, 0]])).shape, emb.weight[0].tolist()
    ((1, 3, 3), [0.0, 0.0, 0.0])
    """

    _convert_inputs = False     # integer ids must stay integers

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                 sparse: bool = False, _freeze: bool = False, dtype: DTypeLike | None = None):
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

    def reset_parameters(self) -> None:
        """W ~ N(0, 1), the padding row zero."""
        _init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    @classmethod
    def from_pretrained(cls, embeddings: TensorLike, freeze: bool = True, padding_idx: int | None = None,
                        max_norm: float | None = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                        sparse: bool = False) -> Embedding:
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

    def forward(self, input: Tensor) -> Tensor:
        return EmbeddingGate.apply(self.weight, indices=_index_array("Embedding", input),
                                   padding_idx=self.padding_idx, scale_grad_by_freq=self.scale_grad_by_freq)

    def extra_repr(self) -> str:
        extra = "" if self.padding_idx is None else f", padding_idx={self.padding_idx}"
        return f"{self.num_embeddings}, {self.embedding_dim}{extra}"

    def _param_formula(self):
        return f"{self.num_embeddings}·{self.embedding_dim}"
