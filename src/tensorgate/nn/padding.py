"""Padding layers: a frame of a constant (zeros for ZeroPad*) around the last 1, 2 or 3 axes, or a crop with
negative widths, as PyTorch's ConstantPad1d/2d/3d and ZeroPad1d/2d/3d; all call ``F.pad``."""
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


class _ConstantPad(Module):
    """A frame of ``value`` around the last ``dims`` axes: ``padding`` is an int (every side) or 2·dims ints,
    (before, after) for the last axis first, as PyTorch orders them."""

    _keeps_features = True
    dims = 1

    def __init__(self, padding: int | Sequence[int], value: float = 0.0):
        super().__init__()
        name, count = type(self).__name__, 2 * self.dims
        if isinstance(padding, (int, np.integer)) and not isinstance(padding, bool):
            padding = (int(padding),) * count
        elif not (isinstance(padding, (tuple, list)) and len(padding) == count and all(
                isinstance(p, (int, np.integer)) and not isinstance(p, bool) for p in padding)):
            raise ValueError(f"{name}: padding must be an int or {count} ints, got {padding!r}")
        self.padding, self.value = tuple(int(p) for p in padding), float(value)

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim not in (self.dims + 1, self.dims + 2):
            raise ValueError(f"{type(self).__name__}: expected input with {self.dims + 1} or {self.dims + 2} axes, "
                             f"got shape {tuple(x.shape)}")
        return F.pad(x, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"

    def _out_features(self, in_features):
        return None


class ConstantPad1d(_ConstantPad):
    """Pads the last axis with ``value``: padding (left, right) or an int.

    Shape: x: (N, C, L) or (C, L); output: (…, L + left + right).
    """

    dims = 1


class ConstantPad2d(_ConstantPad):
    """Pads the last two axes with ``value``: (left, right, top, bottom) or an int.

    Shape: x: (N, C, H, W) or (C, H, W); output: (…, H + top + bottom, W + left + right).
    """

    dims = 2


class ConstantPad3d(_ConstantPad):
    """Pads the last three axes with ``value``: six ints (left, right, top, bottom, front, back) or an int.

    Shape: x: (N, C, D, H, W) or (C, D, H, W); output: each of the three axes grown by its two widths.
    """

    dims = 3


class ZeroPad1d(ConstantPad1d):
    """Pads the last axis with zeros: padding (left, right) or an int.

    Shape: x: (N, C, L) or (C, L); output: (…, L + left + right).
    """

    def __init__(self, padding: int | Sequence[int]):
        super().__init__(padding, 0.0)


class ZeroPad3d(ConstantPad3d):
    """Pads the last three axes with zeros: six ints (last axis first) or an int.

    Shape: x: (N, C, D, H, W) or (C, D, H, W); output: each of the three axes grown by its two widths.
    """

    def __init__(self, padding: int | Sequence[int]):
        super().__init__(padding, 0.0)
