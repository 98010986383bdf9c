"""Layers that only change the shape: Flatten."""
from .. import functional as F
from .module import Module


class Flatten(Module):
    """Merge the axes from ``start_dim`` to ``end_dim`` into one (images (m, C, H, W) → (m, C·H·W)).

    Shape: x: (m, d1, ..., dk); output: (m, d1·...·dk) with the defaults start_dim=1, end_dim=−1.

    Example
    -------
    >>> import tensorgate as tg
    >>> tg.nn.Flatten()(tg.zeros(2, 1, 28, 28)).shape
    (2, 784)
    """

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        shape = x.shape
        start, end = self.start_dim % len(shape), self.end_dim % len(shape)
        merged = 1
        for n in shape[start:end + 1]:
            merged *= n
        return F.reshape(x, shape[:start] + (merged,) + shape[end + 1:])

    def extra_repr(self):
        if (self.start_dim, self.end_dim) == (1, -1):
            return ""
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
