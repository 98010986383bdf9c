"""Layers that only change the shape: Flatten."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .. import functional as F
from .module import Module

if TYPE_CHECKING:
    from typing import Sequence

    from ..autograd.tensor import Tensor


class Flatten(Module):
    """Merge the axes from ``start_dim`` to ``end_dim`` into one (images (m, C, H, W) → (m, C·H·W)).

    Shape: x: (m, d1, ..., dk); output: (m, d1·...·dk) with the defaults start_dim=1, end_dim=−1.

    Examples
    --------
    >>> import tensorgate as tg
    >>> tg.nn.Flatten()(tg.zeros(2, 1, 28, 28)).shape
    (2, 784)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x: Tensor) -> Tensor:
        shape = x.shape
        start, end = self.start_dim % len(shape), self.end_dim % len(shape)
        merged = 1
        for n in shape[start:end + 1]:
            merged *= n
        return F.reshape(x, shape[:start] + (merged,) + shape[end + 1:])

    def extra_repr(self) -> str:
        if (self.start_dim, self.end_dim) == (1, -1):
            return ""
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split axis ``dim`` into the shape ``unflattened_size`` (one entry may be −1): Flatten's inverse.

    Shape: x: (..., d_dim, ...); output: (..., *unflattened_size, ...) with prod(unflattened_size) = d_dim.

    Examples
    --------
    >>> import tensorgate as tg
    >>> tg.nn.Unflatten(1, (1, 28, 28))(tg.zeros(2, 784)).shape
    (2, 1, 28, 28)
    """

    def __init__(self, dim: int, unflattened_size: Sequence[int]):
        super().__init__()
        self.dim, self.unflattened_size = int(dim), tuple(int(n) for n in unflattened_size)
        if not self.unflattened_size or sum(n == -1 for n in self.unflattened_size) > 1:
            raise ValueError(f"Unflatten: unflattened_size must be a non-empty shape with at most one -1, got "
                             f"{unflattened_size!r}")

    def forward(self, x: Tensor) -> Tensor:
        shape = x.shape
        if not -len(shape) <= self.dim < len(shape):
            raise ValueError(f"Unflatten: dim {self.dim} is out of range for input of shape {tuple(shape)}")
        dim = self.dim % len(shape)
        sizes, known = self.unflattened_size, 1
        for n in sizes:
            known *= n if n != -1 else 1
        if (-1 not in sizes and known != shape[dim]) or (-1 in sizes and shape[dim] % known):
            raise ValueError(f"Unflatten: cannot split axis {self.dim} of size {shape[dim]} into {sizes}")
        return F.reshape(x, shape[:dim] + sizes + shape[dim + 1:])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
