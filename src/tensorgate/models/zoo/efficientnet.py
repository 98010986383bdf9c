"""EfficientNet-B0-style networks (Tan & Le, 2019): MBConv blocks with squeeze-and-excitation, compound scaling."""
from __future__ import annotations

from typing import TYPE_CHECKING
import math

from ... import nn
from .classic import _positive_int

if TYPE_CHECKING:
    from ...autograd.tensor import Tensor

__all__ = ["SqueezeExcitation", "MBConv", "EfficientNet", "B0_STAGES"]

#: EfficientNet-B0's stages: (expand ratio, output channels, blocks, stride, kernel). Strides are the
#: paper's; EfficientNet keeps two of them at 1 for small images (see its docstring).
B0_STAGES = ((1, 16, 1, 1, 3), (6, 24, 2, 2, 3), (6, 40, 2, 2, 5), (6, 80, 3, 2, 3), (6, 112, 3, 1, 5),
             (6, 192, 4, 2, 5), (6, 320, 1, 1, 3))


def make_divisible(value: float, divisor: int = 8) -> int:
    """The nearest multiple of ``divisor`` to ``value``, at least ``divisor`` and never 10 % below ``value``
    (the channel rounding of the MobileNet/EfficientNet papers and torchvision's ``_make_divisible``).

    Shape: not applicable (an int).
    """
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def conv_bn_silu(in_channels: int, out_channels: int, kernel_size: int, stride: int = 1,
                 groups: int = 1) -> nn.Sequential:
    """conv (no bias, 'same' padding) → BatchNorm → SiLU: torchvision's ``Conv2dNormActivation``.

    Shape: x: (N, in_channels, H, W); output: (N, out_channels, ⌈H/stride⌉, ⌈W/stride⌉).
    """
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, kernel_size, stride=stride,
                                   padding=(kernel_size - 1) // 2, groups=groups, bias=False),
                         nn.BatchNorm2d(out_channels), nn.SiLU())


class SqueezeExcitation(nn.Module):
    """Squeeze-and-excitation (Hu et al., 2017): reweight each channel by a gate computed from all of them.

    s = σ(fc2(SiLU(fc1(mean over H, W of x)))),  output = s ⊙ x  (s broadcast over the pixels),

    fc1 and fc2 being 1×1 convolutions (C → squeeze → C). The block learns which feature maps matter for
    this image, at the cost of 2·C·squeeze weights. torchvision's ``ops.SqueezeExcitation`` with SiLU.

    Shape: x: (N, C, H, W); output: (N, C, H, W).
    """

    def __init__(self, input_channels: int, squeeze_channels: int):
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(input_channels, squeeze_channels, 1)
        self.fc2 = nn.Conv2d(squeeze_channels, input_channels, 1)
        self.activation = nn.SiLU()
        self.scale_activation = nn.Sigmoid()

    def forward(self, x: Tensor) -> Tensor:
        scale = self.scale_activation(self.fc2(self.activation(self.fc1(self.avgpool(x)))))
        return scale * x


class MBConv(nn.Module):
    """The mobile inverted bottleneck (MobileNetV2) with squeeze-and-excitation, EfficientNet's block.

    1×1 expand (C_in → t·C_in) → BN → SiLU → k×k *depthwise* conv (stride s) → BN → SiLU → squeeze-and-
    excitation (squeeze to C_in/4) → 1×1 project (→ C_out) → BN, plus the input when the shape is kept
    (s = 1 and C_in = C_out). Expanding, filtering each channel alone and projecting back to a narrow
    output keeps the cheap depthwise convolution in a wide space and the tensors between blocks narrow.
    No expansion layer when t = 1; no stochastic depth (torchvision drops blocks at random in training).

    Shape: x: (N, in_channels, H, W); output: (N, out_channels, ⌈H/stride⌉, ⌈W/stride⌉).

    Example
    -------
    >>> import tensorgate as tg
    >>> from tensorgate.models.zoo import MBConv
    >>> MBConv(16, 24, expand_ratio=6, kernel_size=3, stride=2)(tg.zeros(2, 16, 14, 14)).shape
    (2, 24, 7, 7)
    """

    def __init__(self, in_channels: int, out_channels: int, expand_ratio: int, kernel_size: int, stride: int):
        super().__init__()
        hidden = make_divisible(in_channels * expand_ratio)
        self.use_residual = stride == 1 and in_channels == out_channels
        layers: list[nn.Module] = [conv_bn_silu(in_channels, hidden, 1)] if hidden != in_channels else []
        layers += [conv_bn_silu(hidden, hidden, kernel_size, stride, groups=hidden),
                   SqueezeExcitation(hidden, max(1, in_channels // 4)),
                   nn.Sequential(nn.Conv2d(hidden, out_channels, 1, bias=False), nn.BatchNorm2d(out_channels))]
        self.block = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        out = self.block(x)
        return out + x if self.use_residual else out


class EfficientNet(nn.Module):
    """An EfficientNet-B0-style network: a stem, seven stages of MBConv blocks, a 1×1 head, global pooling.

    EfficientNet's idea is *compound scaling*: grow width (channels), depth (blocks per stage) and
    resolution together by fixed ratios rather than one alone. Here ``width_mult`` scales every stage's
    channels (rounded to multiples of 8) and ``depth_mult`` its number of blocks (⌈blocks·depth_mult⌉), as
    torchvision's ``efficientnet_b0`` … ``b7`` do (B0 is width 1.0, depth 1.0; B1 is 1.0, 1.1; B2 1.1, 1.2…).

    stem conv 3×3 (32·w) → BN → SiLU → MBConv stages of B0 (expand, channels, blocks, stride, kernel):
    (1, 16, 1, 1, 3), (6, 24, 2, 2, 3), (6, 40, 2, 2, 5), (6, 80, 3, 2, 3), (6, 112, 3, 1, 5),
    (6, 192, 4, 2, 5), (6, 320, 1, 1, 3) → conv 1×1 (4 × the last width) → BN → SiLU → global average pool →
    dropout → classes.

    Adapted to 28×28 and 32×32 inputs (B0 takes 224×224 and divides it by 32): the stem has stride 1
    instead of 2 and the sixth stage stride 1 instead of 2, so the image is divided by 8 (28 → 4 pixels,
    32 → 4); by default width_mult = 0.4 and depth_mult = 0.5 (a scaled-*down* B0: 1–2 blocks per stage,
    10 blocks in all), about 463,000 parameters for one input channel. BatchNorm keeps PyTorch's default
    momentum (torchvision uses 0.01, too slow for short runs).

    Parameters
    ----------
    in_channels, num_classes : int
    width_mult, depth_mult : float
        Compound-scaling multipliers of channels and of blocks per stage.
    dropout : float
        Before the classifier (B0's 0.2).

    Shape: x: (N, in_channels, H, W); output: (N, num_classes).

    Example
    -------
    >>> import tensorgate as tg
    >>> from tensorgate.models.zoo import EfficientNet
    >>> EfficientNet(3, 10)(tg.zeros(2, 3, 32, 32)).shape
    (2, 10)
    """

    #: stage strides for small images (B0's are 1, 2, 2, 2, 1, 2, 1 after a stride-2 stem)
    strides = (1, 2, 2, 2, 1, 1, 1)

    def __init__(self, in_channels: int = 1, num_classes: int = 10, width_mult: float = 0.4,
                 depth_mult: float = 0.5, dropout: float = 0.2):
        super().__init__()
        _positive_int(in_channels, "in_channels", "EfficientNet")
        _positive_int(num_classes, "num_classes", "EfficientNet")
        for name, value in (("width_mult", width_mult), ("depth_mult", depth_mult)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ValueError(f"EfficientNet: {name} must be a positive number, got {value!r}")
        self.width_mult, self.depth_mult = float(width_mult), float(depth_mult)
        stem = make_divisible(32 * width_mult)
        self.stem = conv_bn_silu(in_channels, stem, 3)
        blocks, c = [], stem
        for (expand, channels, repeats, _, kernel), stride in zip(B0_STAGES, self.strides):
            out = make_divisible(channels * width_mult)
            for i in range(int(math.ceil(repeats * depth_mult))):
                blocks.append(MBConv(c, out, expand, kernel, stride if i == 0 else 1))
                c = out
        self.blocks = nn.Sequential(*blocks)
        self.head = conv_bn_silu(c, 4 * c, 1)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(4 * c, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        x = self.head(self.blocks(self.stem(x)))
        return self.fc(self.dropout(self.flatten(self.avgpool(x))))
