"""The classic CNNs of the zoo: LeNet-5, a small VGG, a small ResNet and a small MobileNet (see zoo/__init__.py)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ... import nn
from ...nn.fusion import conv_bn
from ..pytorch_names import PyTorchNames

if TYPE_CHECKING:
    from typing import Sequence

    from ...autograd.tensor import Tensor

__all__ = ["LeNet5", "SmallVGG", "BasicBlock", "ResNetSmall", "resnet8", "DepthwiseSeparable", "MobileNetSmall"]


def _positive_int(value, name, where):
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{where}: {name} must be a positive integer, got {value!r}")
    return value


def _channels(widths, where):
    widths = tuple(widths)
    if not widths:
        raise ValueError(f"{where}: widths must not be empty")
    for w in widths:
        _positive_int(w, "each width", where)
    return widths


class LeNet5(PyTorchNames, nn.Module):
    """LeNet-5: two convolution + pooling stages, then three dense layers (LeCun et al., 1998).

    conv 5×5 (6) → ReLU → max-pool 2 → conv 5×5 (16) → ReLU → max-pool 2 → 120 → 84 → classes.
    The original used tanh/sigmoid and average pooling ("subsampling"); ReLU and max pooling, as here,
    train faster. On 28×28 input the first convolution pads by 2 so that, as on LeNet's 32×32 digits,
    the second stage ends with 16 maps of 5×5. About 61,700 parameters.

    Parameters
    ----------
    in_channels : int
        1 for grayscale, 3 for colour.
    num_classes : int
    input_size : int
        Height (= width) of the input images, at least 12; 28 and 32 give LeNet's 16×5×5 features.

    Shape: x: (N, in_channels, input_size, input_size); output: (N, num_classes) logits.

    Example
    -------
    >>> import tensorgate as tg
    >>> from tensorgate.models.zoo import LeNet5
    >>> LeNet5()(tg.zeros(2, 1, 28, 28)).shape
    (2, 10)
    """

    def __init__(self, in_channels: int = 1, num_classes: int = 10, input_size: int = 28):
        super().__init__()
        _positive_int(in_channels, "in_channels", "LeNet5")
        _positive_int(num_classes, "num_classes", "LeNet5")
        _positive_int(input_size, "input_size", "LeNet5")
        padding = 2 if input_size < 32 else 0
        size = ((input_size + 2 * padding - 4) // 2 - 4) // 2
        if size < 1:
            raise ValueError(f"LeNet5: input_size must be at least 12, got {input_size}")
        self.input_size = input_size
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 6, 5, padding=padding), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.flatten = nn.Flatten()
        self.classifier = nn.Sequential(
            nn.Linear(16 * size * size, 120), nn.ReLU(),
            nn.Linear(120, 84), nn.ReLU(),
            nn.Linear(84, num_classes),
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.flatten(self.features(x)))

    def _pytorch_prefixes(self):
        """PyTorch's tutorial LeNet names its layers conv1, conv2, fc1, fc2, fc3 (models/pytorch_names.py)."""
        return [("features.0", "conv1"), ("features.3", "conv2"), ("classifier.0", "fc1"),
                ("classifier.2", "fc2"), ("classifier.4", "fc3")]


class SmallVGG(nn.Module):
    """A small VGG-style network: stages of two 3×3 convolutions (padding 1) + ReLU, then a 2×2 max-pool.

    The width doubles at each stage while the image halves, as in VGG (Simonyan & Zisserman, 2014): two
    stacked 3×3 convolutions see a 5×5 window with 2·9 = 18 weights per channel pair instead of 25, and
    add a nonlinearity. BatchNorm after each convolution (``batch_norm=True``, the default) is a later
    addition that makes such plain stacks train easily. A dense head of ``hidden`` units classifies.

    Parameters
    ----------
    in_channels, num_classes, input_size : int
    widths : tuple of int
        Channels of each stage (default (16, 32, 64): 28 → 14 → 7 → 3 pixels).
    hidden : int
        Units of the dense hidden layer.
    batch_norm : bool

    Shape: x: (N, in_channels, input_size, input_size); output: (N, num_classes).

    Example
    -------
    >>> import tensorgate as tg
    >>> from tensorgate.models.zoo import SmallVGG
    >>> SmallVGG(3, 10, 32)(tg.zeros(2, 3, 32, 32)).shape
    (2, 10)
    """

    def __init__(self, in_channels: int = 1, num_classes: int = 10, input_size: int = 28,
                 widths: Sequence[int] = (16, 32, 64), hidden: int = 128, batch_norm: bool = True):
        super().__init__()
        _positive_int(in_channels, "in_channels", "SmallVGG")
        _positive_int(num_classes, "num_classes", "SmallVGG")
        _positive_int(hidden, "hidden", "SmallVGG")
        widths = _channels(widths, "SmallVGG")
        size = _positive_int(input_size, "input_size", "SmallVGG")
        layers, c = [], in_channels
        for w in widths:
            for _ in range(2):
                layers.append(nn.Conv2d(c, w, 3, padding=1, bias=not batch_norm))
                if batch_norm:
                    layers.append(nn.BatchNorm2d(w))  # type: ignore[arg-type]
                layers.append(nn.ReLU())  # type: ignore[arg-type]
                c = w
            layers.append(nn.MaxPool2d(2))  # type: ignore[arg-type]
            size //= 2
        if size < 1:
            raise ValueError(f"SmallVGG: input_size {input_size} is too small for {len(widths)} stages of "
                             f"2×2 pooling (needs at least {2 ** len(widths)})")
        self.features = nn.Sequential(*layers)
        self.flatten = nn.Flatten()
        self.classifier = nn.Sequential(nn.Linear(c * size * size, hidden), nn.ReLU(), nn.Linear(hidden, num_classes))

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.flatten(self.features(x)))


class BasicBlock(nn.Module):
    """ResNet's basic residual block: y = relu(F(x) + shortcut(x)), F = conv3×3-BN-ReLU-conv3×3-BN.

    The shortcut is the identity when the shape is kept, else a 1×1 convolution with the same stride and
    BatchNorm (to match channels and size). Because y contains x itself, ∂y/∂x = I + ∂F/∂x: the gradient
    reaches early layers undiminished through the identity, however deep the network.

    Shape: x: (N, in_channels, H, W); output: (N, out_channels, ⌈H/stride⌉, ⌈W/stride⌉).

    Example
    -------
    >>> import tensorgate as tg
    >>> from tensorgate.models.zoo import BasicBlock
    >>> BasicBlock(16, 32, stride=2)(tg.zeros(2, 16, 28, 28)).shape
    (2, 32, 14, 14)
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                                          nn.BatchNorm2d(out_channels))
        else:
            self.shortcut = None  # type: ignore[assignment]

    def forward(self, x: Tensor) -> Tensor:
        out = conv_bn(self.conv1, self.bn1, x, relu=True)   # bn1(conv1(x)).relu(), one convolution in evaluation
        out = conv_bn(self.conv2, self.bn2, out)
        skip = x if self.shortcut is None else self.shortcut(x)
        return (out + skip).relu()


class ResNetSmall(PyTorchNames, nn.Module):
    """A small ResNet (He et al., 2015) of :class:`BasicBlock` stages for 28×28 or 32×32 images.

    stem conv3×3 (widths[0]) → BN → ReLU → stage 1 (stride 1) → stage 2 (stride 2) → ... → global average
    pool → dense classifier. With the defaults — three stages of one block, widths (16, 32, 64) — it has
    1 + 3·2 + 1 = 8 weight layers: ``resnet8``. Residual connections plus BatchNorm are what let such
    networks go to hundreds of layers without vanishing gradients.

    Parameters
    ----------
    in_channels, num_classes : int
    widths : tuple of int
        Channels of each stage; every stage after the first halves the image.
    blocks : int
        Basic blocks per stage (1 → resnet8, 3 → resnet20 as in the paper's CIFAR models).

    Shape: x: (N, in_channels, H, W) (any H, W ≥ 2^(stages − 1)); output: (N, num_classes).

    Example
    -------
    >>> import tensorgate as tg
    >>> from tensorgate.models.zoo import ResNetSmall
    >>> ResNetSmall(1, 10)(tg.zeros(2, 1, 28, 28)).shape
    (2, 10)
    """

    def __init__(self, in_channels: int = 1, num_classes: int = 10, widths: Sequence[int] = (16, 32, 64),
                 blocks: int = 1):
        super().__init__()
        _positive_int(in_channels, "in_channels", "ResNetSmall")
        _positive_int(num_classes, "num_classes", "ResNetSmall")
        _positive_int(blocks, "blocks", "ResNetSmall")
        widths = _channels(widths, "ResNetSmall")
        self.stem = nn.Sequential(nn.Conv2d(in_channels, widths[0], 3, padding=1, bias=False),
                                  nn.BatchNorm2d(widths[0]), nn.ReLU())
        stages, c = [], widths[0]
        for i, w in enumerate(widths):
            for b in range(blocks):
                stages.append(BasicBlock(c, w, stride=2 if (i > 0 and b == 0) else 1))
                c = w
        self.stages = nn.Sequential(*stages)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(c, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc(self.flatten(self.pool(self.stages(self.stem(x)))))

    def _pytorch_prefixes(self):
        """torchvision's names: conv1, bn1, layer{s}.{b} (a new stage at each strided block), downsample."""
        pairs, stage, index = [("stem.0", "conv1"), ("stem.1", "bn1")], 0, 0
        for k, block in enumerate(self.stages):
            if k == 0 or block.conv1.stride != (1, 1):
                stage, index = stage + 1, 0
            pairs.append((f"stages.{k}", f"layer{stage}.{index}"))
            pairs.append((f"stages.{k}.shortcut", f"layer{stage}.{index}.downsample"))
            index += 1
        return pairs


def resnet8(in_channels: int = 1, num_classes: int = 10) -> ResNetSmall:
    """ResNetSmall with three stages of one basic block (16, 32, 64 channels): 8 weight layers, ~78k parameters.

    Shape: x: (N, in_channels, H, W); output: (N, num_classes).
    """
    return ResNetSmall(in_channels, num_classes, widths=(16, 32, 64), blocks=1)


class DepthwiseSeparable(nn.Module):
    """MobileNet's block: depthwise 3×3 conv (groups = channels) → BN → ReLU → pointwise 1×1 → BN → ReLU.

    The depthwise convolution filters each channel on its own (C·9 weights); the pointwise one mixes channels
    (C·C_out weights). A full 3×3 convolution would need C·C_out·9: the factorisation saves ~9× for wide layers.

    Shape: x: (N, in_channels, H, W); output: (N, out_channels, ⌈H/stride⌉, ⌈W/stride⌉).

    Example
    -------
    >>> import tensorgate as tg
    >>> from tensorgate.models.zoo import DepthwiseSeparable
    >>> DepthwiseSeparable(16, 32, stride=2)(tg.zeros(2, 16, 28, 28)).shape
    (2, 32, 14, 14)
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1):
        super().__init__()
        self.depthwise = nn.Conv2d(in_channels, in_channels, 3, stride=stride, padding=1, groups=in_channels,
                                   bias=False)
        self.bn1 = nn.BatchNorm2d(in_channels)
        self.pointwise = nn.Conv2d(in_channels, out_channels, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)

    def forward(self, x: Tensor) -> Tensor:
        x = conv_bn(self.depthwise, self.bn1, x, relu=True)   # bn1(depthwise(x)).relu(), one convolution in evaluation
        return conv_bn(self.pointwise, self.bn2, x, relu=True)


class MobileNetSmall(nn.Module):
    """A small MobileNet (Howard et al., 2017): a 3×3 stem, then depthwise-separable blocks, global pooling.

    stem conv3×3 (widths[0]) → BN → ReLU → one :class:`DepthwiseSeparable` block per further width (stride 2
    where ``strides`` says so) → global average pool → dense classifier. The default
    widths (16, 32, 64, 64, 128) with strides (1, 2, 1, 2) take 28×28 to 7×7.

    Parameters
    ----------
    in_channels, num_classes : int
    widths : tuple of int
        Channels of the stem and of each block.
    strides : tuple of int
        Stride of each block (len(widths) − 1 entries).

    Shape: x: (N, in_channels, H, W); output: (N, num_classes).

    Example
    -------
    >>> import tensorgate as tg
    >>> from tensorgate.models.zoo import MobileNetSmall
    >>> MobileNetSmall(3, 10)(tg.zeros(2, 3, 32, 32)).shape
    (2, 10)
    """

    def __init__(self, in_channels: int = 1, num_classes: int = 10, widths: Sequence[int] = (16, 32, 64, 64, 128),
                 strides: Sequence[int] = (1, 2, 1, 2)):
        super().__init__()
        _positive_int(in_channels, "in_channels", "MobileNetSmall")
        _positive_int(num_classes, "num_classes", "MobileNetSmall")
        widths = _channels(widths, "MobileNetSmall")
        strides = tuple(strides)
        if len(strides) != len(widths) - 1:
            raise ValueError(f"MobileNetSmall: give one stride per block, {len(widths) - 1} for widths {widths}, "
                             f"got {strides}")
        self.stem = nn.Sequential(nn.Conv2d(in_channels, widths[0], 3, padding=1, bias=False),
                                  nn.BatchNorm2d(widths[0]), nn.ReLU())
        self.blocks = nn.Sequential(*[DepthwiseSeparable(c, w, s)
                                      for c, w, s in zip(widths[:-1], widths[1:], strides)])
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(widths[-1], num_classes)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc(self.flatten(self.pool(self.blocks(self.stem(x)))))
