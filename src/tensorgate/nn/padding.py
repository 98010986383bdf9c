"""Padding layers: ZeroPad2d, a frame of zeros around each image (or a crop, with negative widths)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import functional as F
from .module import Module

if TYPE_CHECKING:
    from typing import Sequence

    from ..autograd.tensor import Tensor


class ZeroPad2d(Module):
    """Pads the last two axes with zeros (PyTorch's ``nn.ZeroPad2d``); negative widths crop.

    ``padding`` is an int (the same on all four sides) or (left, right, top, bottom), PyTorch's order.

    Shape: x: (N, C, H, W) or (C, H, W); output: (…, H + top + bottom, W + left + right).

    Example
    -------
    >>> import tensorgate as tg
    >>> tg.nn.ZeroPad2d((1, 1, 2, 0))(tg.zeros(8, 3, 28, 28)).shape
    (8, 3, 30, 30)
    """

    _keeps_features = True

    def __init__(self, padding: int | Sequence[int]):
        super().__init__()
        if isinstance(padding, (int, np.integer)) and not isinstance(padding, bool):
            padding = (int(padding),) * 4
        elif not (isinstance(padding, (tuple, list)) and len(padding) == 4 and all(
                isinstance(p, (int, np.integer)) and not isinstance(p, bool) for p in padding)):
            raise ValueError(f"ZeroPad2d: padding must be an int or 4 ints (left, right, top, bottom), got "
                             f"{padding!r}")
        self.padding = tuple(int(p) for p in padding)

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim not in (3, 4):
            raise ValueError(f"ZeroPad2d: expected input of shape (N, C, H, W) or (C, H, W), got {tuple(x.shape)}")
        return F.pad(x, self.padding, "constant", 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"

    def _out_features(self, in_features):
        return None
