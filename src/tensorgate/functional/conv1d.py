"""1-D convolution and pooling over (N, C, L) sequences, as PyTorch's ``F.conv1d``, ``F.max_pool1d``, ...:
each is the 2-D gate on images one pixel high, (N, C, 1, L), with a 1 × k window. The gradients are the 2-D
gates' (checked there), so nothing new is derived here.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd.tensor import Tensor
from .package import gates as _gates

if TYPE_CHECKING:
    from ..autograd.tensor import TensorLike



def single(value: Any, name: str, minimum: int = 0) -> int:
    """An int or a 1-tuple of one → the int, checked against ``minimum`` (PyTorch's 1-D layers take both)."""
    if isinstance(value, (tuple, list)) and len(value) == 1:
        value = value[0]
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int (or a tuple of one int), got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return int(value)


def same_padding(kernel: int, dilation: int, stride: int, where: str) -> int:
    """PyTorch's ``padding='same'`` along one axis: (dilation·(kernel − 1))/2 on each side. PyTorch pads an
    odd total more on the right; that case, and strides other than 1 (which PyTorch refuses), are errors."""
    total = dilation * (kernel - 1)
    if stride != 1:
        raise ValueError(f"{where}: padding='same' is not supported for strided convolutions (as in PyTorch)")
    if total % 2:
        raise NotImplementedError(f"{where}: padding='same' with an even kernel ({kernel}, dilation {dilation}) "
                                  "pads one side more than the other in PyTorch; tensorgate does not support it, "
                                  "give the padding as an int")
    return total // 2


def _sequence(fn: str, x: TensorLike) -> Tensor:
    x = x if isinstance(x, Tensor) else Tensor(x)
    if x.ndim != 3:
        raise ValueError(f"{fn}: input must be a batch of sequences (N, C, L), got shape {tuple(x.shape)}; add a "
                         "batch axis with x.reshape(1, *x.shape) for a single sequence")
    return _gates().reshape(x, (x.shape[0], x.shape[1], 1, x.shape[2]))


def _back(y: Tensor) -> Tensor:
    return _gates().reshape(y, (y.shape[0], y.shape[1], y.shape[3]))


def conv1d(input: TensorLike, weight: TensorLike, bias: TensorLike | None = None, stride: int = 1,
           padding: int | str = 0, dilation: int = 1, groups: int = 1) -> Tensor:
    """The 1-D convolution (cross-correlation) of ``F.conv1d``; ``padding`` may be 'valid' or 'same'.

    Shape: input (N, C_in, L); weight (C_out, C_in/groups, k); bias (C_out,) or None;
    result (N, C_out, L_out), L_out = ⌊(L + 2·padding − dilation·(k − 1) − 1)/stride⌋ + 1.
    """
    w = weight if isinstance(weight, Tensor) else Tensor(weight)
    if w.ndim != 3:
        raise ValueError(f"conv1d: weight must have shape (C_out, C_in/groups, k), got {tuple(w.shape)}")
    stride, dilation = single(stride, "conv1d: stride", 1), single(dilation, "conv1d: dilation", 1)
    if padding == "valid":
        padding = 0
    elif padding == "same":
        padding = same_padding(w.shape[2], dilation, stride, "conv1d")
    padding = single(padding, "conv1d: padding", 0)
    F = _gates()
    w4 = F.reshape(w, (w.shape[0], w.shape[1], 1, w.shape[2]))
    return _back(F.conv2d(_sequence("conv1d", input), w4, bias, (1, stride), (0, padding), (1, dilation), groups))


def max_pool1d(input: TensorLike, kernel_size: int, stride: int | None = None, padding: int = 0) -> Tensor:
    """Max pooling over windows of ``kernel_size`` (``F.max_pool1d``; stride defaults to the kernel size).

    Shape: input (N, C, L); result (N, C, L_out).
    """
    k = single(kernel_size, "max_pool1d: kernel_size", 1)
    s = k if stride is None else single(stride, "max_pool1d: stride", 1)
    p = single(padding, "max_pool1d: padding", 0)
    return _back(_gates().max_pool2d(_sequence("max_pool1d", input), (1, k), (1, s), (0, p)))


def avg_pool1d(input: TensorLike, kernel_size: int, stride: int | None = None, padding: int = 0) -> Tensor:
    """Average pooling over windows of ``kernel_size`` (``F.avg_pool1d``; padded zeros count).

    Shape: input (N, C, L); result (N, C, L_out).
    """
    k = single(kernel_size, "avg_pool1d: kernel_size", 1)
    s = k if stride is None else single(stride, "avg_pool1d: stride", 1)
    p = single(padding, "avg_pool1d: padding", 0)
    return _back(_gates().avg_pool2d(_sequence("avg_pool1d", input), (1, k), (1, s), (0, p)))


def adaptive_avg_pool1d(input: TensorLike, output_size: int) -> Tensor:
    """Average pooling to ``output_size`` positions (``F.adaptive_avg_pool1d``); 1 is global average pooling.

    Shape: input (N, C, L); result (N, C, output_size).
    """
    size = single(output_size, "adaptive_avg_pool1d: output_size", 1)
    return _back(_gates().adaptive_avg_pool2d(_sequence("adaptive_avg_pool1d", input), (1, size)))


def adaptive_max_pool1d(input: TensorLike, output_size: int, return_indices: bool = False) -> Any:
    """Max pooling to ``output_size`` positions (``F.adaptive_max_pool1d``).

    Shape: input (N, C, L); result (N, C, output_size) (and the int64 indices along L with return_indices).
    """
    from .adaptive_pool import adaptive_max_pool2d

    size = single(output_size, "adaptive_max_pool1d: output_size", 1)
    out = adaptive_max_pool2d(_sequence("adaptive_max_pool1d", input), (1, size), return_indices)
    if return_indices:
        values, indices = out   # type: ignore[misc]
        return _back(values), _back(indices)
    return _back(out)   # type: ignore[arg-type]
