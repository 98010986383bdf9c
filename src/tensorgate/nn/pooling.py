"""Pooling layers: MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d (no parameters; each calls its gate),
and their 1-D forms over (N, C, L) sequences (functional/conv1d.py: the 2-D gates one pixel high)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import functional as F
from ..functional.adaptive_pool import adaptive_size
from ..functional.conv import _pair
from ..functional.conv1d import single
from .module import Module

if TYPE_CHECKING:
    from ..autograd.tensor import Tensor


class _Pool2d(Module):
    _keeps_features = True  # the channels are kept (only H and W shrink)

    def __init__(self, kernel_size: int | tuple[int, int], stride: int | tuple[int, int] | None = None,
                 padding: int | tuple[int, int] = 0):
        super().__init__()
        self.kernel_size = _pair(kernel_size, f"{type(self).__name__}: kernel_size", 1)
        self.stride = self.kernel_size if stride is None else _pair(stride, f"{type(self).__name__}: stride", 1)
        self.padding = _pair(padding, f"{type(self).__name__}: padding", 0)

    def extra_repr(self) -> str:
        def short(v):
            return str(v[0]) if v[0] == v[1] else str(v)
        text = f"{short(self.kernel_size)}"
        if self.stride != self.kernel_size:
            text += f", stride={short(self.stride)}"
        if self.padding != (0, 0):
            text += f", padding={short(self.padding)}"
        return text

    def _out_features(self, in_features):
        return None


class MaxPool2d(_Pool2d):
    """Max pooling: each output pixel is the largest value of its kh×kw window (PyTorch's ``nn.MaxPool2d``).

    Keeps the strongest response of each feature detector in a neighbourhood: a little invariance to small
    shifts, and 4× fewer pixels for a 2×2 window. The gradient goes to the window's maximum only.
    ``stride`` defaults to ``kernel_size`` (non-overlapping windows).

    Shape: x: (N, C, H, W); output: (N, C, H_out, W_out), H_out = ⌊(H + 2·padding − kh)/stride⌋ + 1.

    Examples
    --------
    >>> import tensorgate as tg
    >>> tg.nn.MaxPool2d(2)(tg.zeros(8, 6, 28, 28)).shape
    (8, 6, 14, 14)
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding)


class AvgPool2d(_Pool2d):
    """Average pooling over kh×kw windows (``nn.AvgPool2d``; padded zeros count in the average).

    The gradient of each window is shared equally by its kh·kw inputs.

    Shape: x: (N, C, H, W); output: (N, C, H_out, W_out), H_out = ⌊(H + 2·padding − kh)/stride⌋ + 1.

    Examples
    --------
    >>> import tensorgate as tg
    >>> tg.nn.AvgPool2d(2)(tg.zeros(8, 6, 28, 28)).shape
    (8, 6, 14, 14)
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding)


class _AdaptivePool2d(Module):
    """Shared by the adaptive pools: the output size (ints, or None to keep an axis), repr, no parameters."""

    _keeps_features = True

    def __init__(self, output_size: Any):
        super().__init__()
        self.output_size = adaptive_size(output_size, f"{type(self).__name__}")

    def extra_repr(self) -> str:
        oh, ow = self.output_size
        return f"{oh}" if oh == ow else f"{self.output_size}"

    def _out_features(self, in_features):
        return None


class AdaptiveAvgPool2d(_AdaptivePool2d):
    """Average pooling to a fixed output size, whatever the input size (``nn.AdaptiveAvgPool2d``).

    ``output_size=1`` is global average pooling: one number per channel, the usual head of ResNet and
    MobileNet (it replaces the large fully connected layers of LeNet and VGG). Output cell i pools input
    rows ⌊i·H/oh⌋ … ⌈(i+1)·H/oh⌉ − 1 (PyTorch's windows, which overlap when oh does not divide H); None in
    ``output_size`` keeps that axis' size.

    Shape: x: (N, C, H, W); output: (N, C, oh, ow).

    Examples
    --------
    >>> import tensorgate as tg
    >>> tg.nn.AdaptiveAvgPool2d(1)(tg.zeros(8, 32, 7, 7)).shape
    (8, 32, 1, 1)
    """

    def __init__(self, output_size: Any = 1):
        super().__init__(output_size)

    def forward(self, x: Tensor) -> Tensor:
        return F.adaptive_avg_pool2d(x, self.output_size)


class AdaptiveMaxPool2d(_AdaptivePool2d):
    """Max pooling to a fixed output size, whatever the input size (``nn.AdaptiveMaxPool2d``).

    The windows are AdaptiveAvgPool2d's (PyTorch's rule); each output is its window's maximum, and the
    gradient goes to that maximum only. ``return_indices=True`` also returns where each maximum is (the
    flat index h·W + w in its plane), as PyTorch.

    Shape: x: (N, C, H, W); output: (N, C, oh, ow).

    Example
    -------
    >>> import tensorgate as tg
    >>> tg.nn.AdaptiveMaxPool2d((3, None))(tg.zeros(8, 32, 7, 5)).shape
    (8, 32, 3, 5)
    """

    def __init__(self, output_size: Any, return_indices: bool = False):
        super().__init__(output_size)
        self.return_indices = bool(return_indices)

    def forward(self, x: Tensor) -> Tensor | tuple[Tensor, Tensor]:
        return F.adaptive_max_pool2d(x, self.output_size, self.return_indices)


class _Pool1d(Module):
    _keeps_features = True

    def __init__(self, kernel_size: int, stride: int | None = None, padding: int = 0):
        super().__init__()
        name = type(self).__name__
        self.kernel_size = single(kernel_size, f"{name}: kernel_size", 1)
        self.stride = self.kernel_size if stride is None else single(stride, f"{name}: stride", 1)
        self.padding = single(padding, f"{name}: padding", 0)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"

    def _out_features(self, in_features):
        return None


class MaxPool1d(_Pool1d):
    """Max pooling over windows of ``kernel_size`` positions (``nn.MaxPool1d``; stride defaults to it).

    Shape: x: (N, C, L); output: (N, C, L_out), L_out = ⌊(L + 2·padding − k)/stride⌋ + 1.
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.max_pool1d(x, self.kernel_size, self.stride, self.padding)


class AvgPool1d(_Pool1d):
    """Average pooling over windows of ``kernel_size`` positions (``nn.AvgPool1d``; padded zeros count).

    Shape: x: (N, C, L); output: (N, C, L_out), L_out = ⌊(L + 2·padding − k)/stride⌋ + 1.
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.avg_pool1d(x, self.kernel_size, self.stride, self.padding)


class AdaptiveAvgPool1d(Module):
    """Average pooling to ``output_size`` positions, whatever the length (``nn.AdaptiveAvgPool1d``).

    Shape: x: (N, C, L); output: (N, C, output_size).
    """

    _keeps_features = True

    def __init__(self, output_size: int):
        super().__init__()
        self.output_size = single(output_size, "AdaptiveAvgPool1d: output_size", 1)

    def forward(self, x: Tensor) -> Tensor:
        return F.adaptive_avg_pool1d(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"

    def _out_features(self, in_features):
        return None


class AdaptiveMaxPool1d(AdaptiveAvgPool1d):
    """Max pooling to ``output_size`` positions, whatever the length (``nn.AdaptiveMaxPool1d``).

    Shape: x: (N, C, L); output: (N, C, output_size) (and the indices with return_indices).
    """

    def __init__(self, output_size: int, return_indices: bool = False):
        super().__init__(output_size)
        self.return_indices = bool(return_indices)

    def forward(self, x: Tensor) -> Tensor | tuple[Tensor, Tensor]:  # type: ignore[override]
        return F.adaptive_max_pool1d(x, self.output_size, self.return_indices)
