"""``CosineSimilarity`` and ``PairwiseDistance``, the modules of ``F.cosine_similarity`` and
``F.pairwise_distance`` (functional/torch_math.py, built from the norm and arithmetic gates)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..functional import torch_math as _math
from .module import Module

if TYPE_CHECKING:
    from ..autograd.tensor import Tensor


class CosineSimilarity(Module):
    """The cosine of the angle between x1 and x2 along ``dim``, each divided by max(its norm, eps).

    Shape: x1, x2 broadcastable, e.g. (m, n); output: without ``dim``, e.g. (m,).
    """

    def __init__(self, dim: int = 1, eps: float = 1e-8):
        super().__init__()
        self.dim, self.eps = int(dim), float(eps)

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return _math.cosine_similarity(x1, x2, self.dim, self.eps)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, eps={self.eps}"


class PairwiseDistance(Module):
    """‖x1 − x2 + eps‖_p along the last dimension (p = 2: the Euclidean distance of each pair of rows).

    Shape: x1, x2 (m, n); output: (m,) ((m, 1) with keepdim).
    """

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False):
        super().__init__()
        self.norm, self.eps, self.keepdim = float(p), float(eps), bool(keepdim)

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return _math.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)

    def extra_repr(self) -> str:
        return f"p={self.norm}, eps={self.eps}" + (", keepdim=True" if self.keepdim else "")
