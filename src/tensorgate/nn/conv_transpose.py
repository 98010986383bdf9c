"""ConvTranspose2d: the transposed convolution (the adjoint of Conv2d), an upsampling layer with weights."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .. import functional as F
from ..autograd.factory import zeros
from ..autograd.tensor import as_dtype
from ..backend import DEFAULT_FLOAT
from ..functional.conv import _pair
from ..functional.conv_transpose import transposed_output_size
from .conv import check_channels, reset_conv_parameters
from .module import Module
from .parameter import Parameter

if TYPE_CHECKING:
    from typing import Sequence

    from numpy.typing import DTypeLike

    from ..autograd.tensor import Tensor


class ConvTranspose2d(Module):
    """A 2-D transposed convolution over NCHW images (PyTorch's ``nn.ConvTranspose2d``), one gate.

    Each input pixel adds the kernel, weighted by its value, into a kh×kw patch of the output, the patches
    ``stride`` pixels apart: the adjoint (transpose) of a Conv2d with the same settings, which maps the
    output's size back to the input's. Decoders use it to upsample; a learner uses it to see what a
    filter responds to. The weight is laid out (in_channels, out_channels/groups, kh, kw), as PyTorch's.

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int or (int, int)
    stride, padding, output_padding, dilation : int or (int, int)
        ``padding`` crops each side of the output; ``output_padding`` (smaller than stride or dilation) adds
        rows and columns at the bottom and right.
    groups : int
        Must divide both in_channels and out_channels.
    bias : bool
    padding_mode : str
        'zeros' only (as PyTorch for this layer).
    dtype : str, optional

    Shape
    -----
    x: (N, C_in, H, W); z: (N, C_out, H_out, W_out),
    H_out = (H − 1)·stride − 2·padding + dilation·(kh − 1) + output_padding + 1 (W_out alike);
    weight: (C_in, C_out/groups, kh, kw); bias: (C_out,).

    Notes
    -----
    Initialisation is PyTorch's: W and b ~ U(−1/√fan_in, 1/√fan_in), fan_in = out_channels/groups·kh·kw
    (computed from the weight's second axis, as PyTorch does).

    Example
    -------
    >>> import tensorgate as tg
    >>> up = tg.nn.ConvTranspose2d(16, 8, 2, stride=2)
    >>> up(tg.zeros(4, 16, 7, 7)).shape
    (4, 8, 14, 14)
    >>> up.num_parameters()
    520
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | tuple[int, int],
                 stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] = 0,
                 output_padding: int | tuple[int, int] = 0, groups: int = 1, bias: bool = True,
                 dilation: int | tuple[int, int] = 1, padding_mode: str = "zeros", dtype: DTypeLike | None = None):
        super().__init__()
        check_channels("ConvTranspose2d", in_channels, out_channels, groups)
        if padding_mode != "zeros":
            raise ValueError(f"ConvTranspose2d: only padding_mode='zeros' is supported (as in PyTorch), got "
                             f"{padding_mode!r}")
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = _pair(kernel_size, "ConvTranspose2d: kernel_size", 1)
        self.stride = _pair(stride, "ConvTranspose2d: stride", 1)
        self.padding = _pair(padding, "ConvTranspose2d: padding", 0)
        self.output_padding = _pair(output_padding, "ConvTranspose2d: output_padding", 0)
        self.dilation = _pair(dilation, "ConvTranspose2d: dilation", 1)
        self.padding_mode = padding_mode
        for op, s, d in zip(self.output_padding, self.stride, self.dilation):
            if op >= max(s, d):
                raise ValueError(f"ConvTranspose2d: output_padding {self.output_padding} must be smaller than "
                                 f"either the stride {self.stride} or the dilation {self.dilation}")
        dtype = as_dtype(dtype) if dtype is not None else DEFAULT_FLOAT
        self.weight = Parameter(zeros(in_channels, out_channels // groups, *self.kernel_size, dtype=dtype))
        self.bias = Parameter(zeros(out_channels, dtype=dtype)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """W ~ kaiming_uniform(a = √5) and b ~ U(−1/√fan_in, 1/√fan_in), fan_in = C_out/groups·kh·kw (PyTorch)."""
        reset_conv_parameters(self.weight, self.bias)

    def forward(self, x: Tensor, output_size: Sequence[int] | None = None) -> Tensor:
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(f"ConvTranspose2d({self.in_channels}, {self.out_channels}): expected input of shape "
                             f"(N, {self.in_channels}, H, W), got {tuple(x.shape)}")
        output_padding = self.output_padding if output_size is None else self._output_padding(x, output_size)
        return F.conv_transpose2d(x, self.weight, self.bias, self.stride, self.padding, output_padding,
                                  self.groups, self.dilation)

    def _output_padding(self, x, output_size):
        """The output_padding that gives ``output_size`` (H_out, W_out), as PyTorch's forward(x, output_size)."""
        wanted = tuple(output_size)[-2:]
        padding = []
        for size, want, k, s, p, d in zip(x.shape[2:], wanted, self.kernel_size, self.stride, self.padding,
                                          self.dilation):
            smallest = transposed_output_size(size, k, s, p, 0, d)
            if not smallest <= want < smallest + max(s, d):
                raise ValueError(f"ConvTranspose2d: output_size {tuple(wanted)} is not reachable from input shape "
                                 f"{tuple(x.shape)}: each size must be in [{smallest}, {smallest + max(s, d) - 1}]")
            padding.append(want - smallest)
        return tuple(padding)

    def extra_repr(self) -> str:
        kh, kw = self.kernel_size
        text = f"{self.in_channels} → {self.out_channels}, kernel {kh}×{kw}"
        for name, value, default in (("stride", self.stride, (1, 1)), ("padding", self.padding, (0, 0)),
                                     ("output_padding", self.output_padding, (0, 0)),
                                     ("dilation", self.dilation, (1, 1))):
            if value != default:
                text += f", {name}={value[0] if value[0] == value[1] else value}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        return text + ("" if self.bias is not None else ", bias=False")

    def _param_formula(self):
        kh, kw = self.kernel_size
        w = f"{self.in_channels}·{self.out_channels // self.groups}·{kh}·{kw}"
        return w + (f" + {self.out_channels}" if self.bias is not None else "")
