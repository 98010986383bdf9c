"""The convolutional layers: Conv2d and Conv1d, dense layers whose weights are shared across positions."""
from __future__ import annotations

from typing import TYPE_CHECKING
import math

from ..autograd.factory import zeros
from ..autograd.tensor import as_dtype
from ..backend import DEFAULT_FLOAT
from .. import functional as F
from ..functional.conv import _pair, padding_of
from ..functional.conv1d import same_padding, single
from . import init as _init
from .module import Module
from .parameter import Parameter

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

    from ..autograd.tensor import Tensor


def check_channels(where: str, in_channels: int, out_channels: int, groups: int) -> None:
    """Positive integer channel counts and groups, groups dividing both (Conv2d, ConvTranspose2d)."""
    for name, n in (("in_channels", in_channels), ("out_channels", out_channels), ("groups", groups)):
        if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
            raise ValueError(f"{where}: {name} must be a positive integer, got {n!r}")
    if in_channels % groups or out_channels % groups:
        raise ValueError(f"{where}: groups={groups} must divide in_channels={in_channels} and "
                         f"out_channels={out_channels}")


def reset_conv_parameters(weight: Parameter, bias: Parameter | None) -> None:
    """PyTorch's initialisation of a convolution: W ~ kaiming_uniform(a = √5), b ~ U(−1/√fan_in, 1/√fan_in),
    fan_in = weight[0].size (C_in/groups·kh·kw for Conv2d, C_out/groups·kh·kw for ConvTranspose2d).

    Shape: weight (d0, d1, kh, kw); bias (C_out,) or None.
    """
    _init.kaiming_uniform_(weight, a=math.sqrt(5.0))
    if bias is not None:
        bound = 1.0 / math.sqrt(weight.data[0].size)
        _init.uniform_(bias, -bound, bound)


class Conv2d(Module):
    """A 2-D convolution over NCHW images: z = x ⋆ W + b (PyTorch's ``nn.Conv2d``), one fused gate.

    Every output pixel is a linear classifier looking at one kh×kw patch of the input, and the same
    classifier (the kernel) is used at every position: locality and weight sharing (translation
    equivariance). So the layer has only C_out·C_in/groups·kh·kw + C_out parameters, whatever the image size.
    ``groups`` splits the channels into independent convolutions; ``groups = in_channels`` is the depthwise
    convolution of MobileNet (one filter per channel).

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int or (int, int)
    stride, padding, dilation : int or (int, int)
        ``padding`` may also be 'valid' or 'same' (stride 1, odd kernel), as in PyTorch.
    groups : int
        Must divide both in_channels and out_channels.
    bias : bool
    dtype : str, optional
        'float32' (default) or 'float64'.

    Notes
    -----
    Initialisation is PyTorch's: W ~ kaiming_uniform(a = √5) = U(−1/√fan_in, 1/√fan_in) and
    b ~ U(−1/√fan_in, 1/√fan_in), fan_in = C_in/groups·kh·kw.

    Shape
    -----
    x: (N, C_in, H, W); z: (N, C_out, H_out, W_out),
    H_out = ⌊(H + 2·padding − dilation·(kh − 1) − 1)/stride⌋ + 1 (W_out alike);
    weight: (C_out, C_in/groups, kh, kw); bias: (C_out,).

    Examples
    --------
    >>> import tensorgate as tg
    >>> conv = tg.nn.Conv2d(1, 6, 5, padding=2)
    >>> conv(tg.zeros(8, 1, 28, 28)).shape
    (8, 6, 28, 28)
    >>> conv.num_parameters()
    156
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | tuple[int, int],
                 stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] | str = 0,
                 dilation: int | tuple[int, int] = 1, groups: int = 1, bias: bool = True,
                 dtype: DTypeLike | None = None):
        super().__init__()
        check_channels("Conv2d", in_channels, out_channels, groups)
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = _pair(kernel_size, "Conv2d: kernel_size", 1)
        self.stride = _pair(stride, "Conv2d: stride", 1)
        self.dilation = _pair(dilation, "Conv2d: dilation", 1)
        self.padding = padding_of("Conv2d", padding, self.kernel_size, self.stride, self.dilation) \
            if isinstance(padding, str) else _pair(padding, "Conv2d: padding", 0)
        dtype = as_dtype(dtype) if dtype is not None else DEFAULT_FLOAT
        self.weight = Parameter(zeros(out_channels, in_channels // groups, *self.kernel_size, dtype=dtype))
        self.bias = Parameter(zeros(out_channels, dtype=dtype)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """W ~ U(−1/√fan_in, 1/√fan_in) (kaiming_uniform, a = √5) and b likewise, as PyTorch."""
        reset_conv_parameters(self.weight, self.bias)

    @property
    def _shares_batch(self) -> bool:   # type: ignore[override]
        """groups-1 kernels share a batch among threads (nn/shared_batch.py); depthwise ones use no BLAS."""
        return self.groups == 1

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(f"Conv2d({self.in_channels}, {self.out_channels}): expected input of shape "
                             f"(N, {self.in_channels}, H, W), got {tuple(x.shape)}")
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)

    def extra_repr(self) -> str:
        kh, kw = self.kernel_size
        text = f"{self.in_channels} → {self.out_channels}, kernel {kh}×{kw}"
        for name, value, default in (("stride", self.stride, (1, 1)), ("padding", self.padding, (0, 0)),
                                     ("dilation", self.dilation, (1, 1))):
            if value != default:
                text += f", {name}={value[0] if value[0] == value[1] else value}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        return text + ("" if self.bias is not None else ", bias=False")

    def _param_formula(self):
        kh, kw = self.kernel_size
        w = f"{self.out_channels}·{self.in_channels // self.groups}·{kh}·{kw}"
        return w + (f" + {self.out_channels}" if self.bias is not None else "")


class Conv1d(Module):
    """A 1-D convolution over (N, C, L) sequences, as PyTorch's ``nn.Conv1d``: the 2-D gate on sequences
    one pixel high (functional/conv1d.py). Each output position is a linear classifier looking at ``k``
    neighbouring positions, with the same weights everywhere.

    Parameters as :class:`Conv2d`, with ints for the one axis; ``padding`` may be 'valid' or 'same'.
    Initialisation is PyTorch's: W, b ~ U(−1/√fan_in, 1/√fan_in), fan_in = C_in/groups·k.

    Shape: x: (N, C_in, L); z: (N, C_out, L_out), L_out = ⌊(L + 2·padding − dilation·(k − 1) − 1)/stride⌋ + 1;
    weight: (C_out, C_in/groups, k); bias: (C_out,).

    Examples
    --------
    >>> import tensorgate as tg
    >>> tg.nn.Conv1d(3, 8, 5, padding="same")(tg.zeros(2, 3, 40)).shape
    (2, 8, 40)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1,
                 padding: int | str = 0, dilation: int = 1, groups: int = 1, bias: bool = True,
                 dtype: DTypeLike | None = None):
        super().__init__()
        check_channels("Conv1d", in_channels, out_channels, groups)
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = (single(kernel_size, "Conv1d: kernel_size", 1),)
        self.stride = (single(stride, "Conv1d: stride", 1),)
        self.dilation = (single(dilation, "Conv1d: dilation", 1),)
        if padding == "valid":
            padding = 0
        elif padding == "same":
            padding = same_padding(self.kernel_size[0], self.dilation[0], self.stride[0], "Conv1d")
        self.padding = (single(padding, "Conv1d: padding", 0),)
        dtype = as_dtype(dtype) if dtype is not None else DEFAULT_FLOAT
        self.weight = Parameter(zeros(out_channels, in_channels // groups, self.kernel_size[0], dtype=dtype))
        self.bias = Parameter(zeros(out_channels, dtype=dtype)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """W ~ U(−1/√fan_in, 1/√fan_in) (kaiming_uniform, a = √5) and b likewise, as PyTorch."""
        reset_conv_parameters(self.weight, self.bias)

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim != 3 or x.shape[1] != self.in_channels:
            raise ValueError(f"Conv1d({self.in_channels}, {self.out_channels}): expected input of shape "
                             f"(N, {self.in_channels}, L), got {tuple(x.shape)}")
        return F.conv1d(x, self.weight, self.bias, self.stride[0], self.padding[0], self.dilation[0], self.groups)

    def extra_repr(self) -> str:
        text = f"{self.in_channels} → {self.out_channels}, kernel {self.kernel_size[0]}"
        for name, value in (("stride", self.stride), ("padding", self.padding), ("dilation", self.dilation)):
            if value[0] != (0 if name == "padding" else 1):
                text += f", {name}={value[0]}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        return text + ("" if self.bias is not None else ", bias=False")

    def _param_formula(self):
        w = f"{self.out_channels}·{self.in_channels // self.groups}·{self.kernel_size[0]}"
        return w + (f" + {self.out_channels}" if self.bias is not None else "")
