"""GoogLeNet (Szegedy et al., 2014): Inception modules, scaled down for 28×28 and 32×32 images."""
from __future__ import annotations

from collections import namedtuple
from typing import TYPE_CHECKING

from ... import functional as F
from ... import nn
from .classic import _positive_int

if TYPE_CHECKING:
    from ...autograd.tensor import Tensor

__all__ = ["Inception", "InceptionAux", "GoogLeNet", "GoogLeNetOutputs"]

#: What GoogLeNet returns in training mode with ``aux_logits=True`` (torchvision's name and order).
GoogLeNetOutputs = namedtuple("GoogLeNetOutputs", ["logits", "aux_logits2", "aux_logits1"])


def conv_bn_relu(in_channels: int, out_channels: int, kernel_size: int, padding: int = 0) -> nn.Sequential:
    """conv (no bias) → BatchNorm → ReLU: torchvision's ``BasicConv2d``, GoogLeNet's unit.

    Shape: x: (N, in_channels, H, W); output: (N, out_channels, H + 2·padding − k + 1, W alike).
    """
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, kernel_size, padding=padding, bias=False),
                         nn.BatchNorm2d(out_channels), nn.ReLU())


class Inception(nn.Module):
    """The Inception module: four branches side by side, their outputs stacked along the channels.

    1×1 conv | 1×1 reduce → 3×3 conv | 1×1 reduce → 5×5 conv | 3×3 max-pool (stride 1) → 1×1 projection.

    The network chooses, layer by layer, how much to look at 1×1, 3×3 and 5×5 neighbourhoods. The 1×1
    *reductions* are what make it affordable: a 5×5 convolution on 4 channels instead of 120 costs 30× less.

    Shape: x: (N, in_channels, H, W); output: (N, ch1x1 + ch3x3 + ch5x5 + pool_proj, H, W).

    Example
    -------
    >>> import tensorgate as tg
    >>> from tensorgate.models.zoo import Inception
    >>> Inception(32, 16, 24, 32, 4, 8, 8)(tg.zeros(2, 32, 14, 14)).shape
    (2, 64, 14, 14)
    """

    def __init__(self, in_channels: int, ch1x1: int, ch3x3red: int, ch3x3: int, ch5x5red: int, ch5x5: int,
                 pool_proj: int):
        super().__init__()
        self.branch1 = conv_bn_relu(in_channels, ch1x1, 1)
        self.branch2 = nn.Sequential(conv_bn_relu(in_channels, ch3x3red, 1), conv_bn_relu(ch3x3red, ch3x3, 3, 1))
        self.branch3 = nn.Sequential(conv_bn_relu(in_channels, ch5x5red, 1), conv_bn_relu(ch5x5red, ch5x5, 5, 2))
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1), conv_bn_relu(in_channels, pool_proj, 1))

    def forward(self, x: Tensor) -> Tensor:
        return F.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], dim=1)


class InceptionAux(nn.Module):
    """An auxiliary classifier on an intermediate layer: pool to 2×2 → 1×1 conv (32) → dense (128) → dropout → classes.

    GoogLeNet adds two during training, their losses weighted by 0.3, to push gradient into the middle of
    the deep network; they are dropped at inference. (torchvision: 4×4 pool, 128 channels, 1024 units.)

    Shape: x: (N, in_channels, H, W); output: (N, num_classes).
    """

    def __init__(self, in_channels: int, num_classes: int, dropout: float = 0.7):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(2)
        self.conv = conv_bn_relu(in_channels, 32, 1)
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(32 * 2 * 2, 128)
        self.relu = nn.ReLU()
        self.dropout = nn.Dropout(dropout)
        self.fc2 = nn.Linear(128, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc2(self.dropout(self.relu(self.fc1(self.flatten(self.conv(self.pool(x)))))))


class GoogLeNet(nn.Module):
    """GoogLeNet (Inception v1): a stem, nine Inception modules between max-pools, global average pooling.

    stem conv 3×3 (32) → max-pool 3/2 → 3a, 3b → max-pool 3/2 → 4a, 4b, 4c → max-pool 3/2 → 5a, 5b
    → global average pool → dropout → classes. Every convolution is conv → BatchNorm → ReLU (torchvision's
    BasicConv2d; the 2014 paper had no BatchNorm).

    Adapted to 28×28 and 32×32 inputs (the original takes 224×224): the stem is one 3×3 convolution
    (stride 1) instead of 7×7/2 conv, pool and two more convolutions, so the three pools take 28 → 14 → 7 →
    4 pixels (32 → 16 → 8 → 4); the five Inception stages 4a–4e of the paper become three (4a–4c), and the
    channel counts are about a quarter to an eighth of the paper's. About 266,000 parameters.

    ``aux_logits=True`` adds the two auxiliary classifiers (after 4a and after 4c): in training mode the model
    then returns ``GoogLeNetOutputs(logits, aux_logits2, aux_logits1)``, as torchvision does, for a loss
    such as ``loss(logits) + 0.3·(loss(aux1) + loss(aux2))``; in evaluation mode it returns the logits
    alone. Off by default, so that the model trains like any other from ``fit`` and the command line.

    Parameters
    ----------
    in_channels, num_classes : int
    aux_logits : bool
    dropout : float
        Before the classifier (torchvision's 0.2).
    dropout_aux : float
        In the auxiliary classifiers (0.7).

    Shape: x: (N, in_channels, H, W), H, W ≥ 8; output: (N, num_classes) (a GoogLeNetOutputs of three
    such in training mode with aux_logits).

    Example
    -------
    >>> import tensorgate as tg
    >>> from tensorgate.models.zoo import GoogLeNet
    >>> GoogLeNet(3, 10)(tg.zeros(2, 3, 32, 32)).shape
    (2, 10)
    """

    def __init__(self, in_channels: int = 1, num_classes: int = 10, aux_logits: bool = False, dropout: float = 0.2,
                 dropout_aux: float = 0.7):
        super().__init__()
        _positive_int(in_channels, "in_channels", "GoogLeNet")
        _positive_int(num_classes, "num_classes", "GoogLeNet")
        self.aux_logits = bool(aux_logits)
        self.stem = conv_bn_relu(in_channels, 32, 3, padding=1)
        self.pool1 = nn.MaxPool2d(3, stride=2, padding=1)
        self.inception3a = Inception(32, 16, 24, 32, 4, 8, 8)          # → 64 channels
        self.inception3b = Inception(64, 32, 32, 48, 8, 24, 16)        # → 120
        self.pool2 = nn.MaxPool2d(3, stride=2, padding=1)
        self.inception4a = Inception(120, 48, 24, 52, 4, 12, 16)       # → 128
        self.inception4b = Inception(128, 40, 28, 56, 6, 16, 16)       # → 128
        self.inception4c = Inception(128, 32, 32, 64, 6, 16, 16)       # → 128
        self.pool3 = nn.MaxPool2d(3, stride=2, padding=1)
        self.inception5a = Inception(128, 64, 40, 80, 8, 32, 32)       # → 208
        self.inception5b = Inception(208, 96, 48, 96, 12, 32, 32)      # → 256
        self.aux1 = InceptionAux(128, num_classes, dropout_aux) if self.aux_logits else None
        self.aux2 = InceptionAux(128, num_classes, dropout_aux) if self.aux_logits else None
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(256, num_classes)

    def forward(self, x: Tensor) -> Tensor | GoogLeNetOutputs:
        x = self.pool1(self.stem(x))
        x = self.pool2(self.inception3b(self.inception3a(x)))
        x = self.inception4a(x)
        aux1 = self.aux1(x) if self.aux1 is not None and self.training else None
        x = self.inception4c(self.inception4b(x))
        aux2 = self.aux2(x) if self.aux2 is not None and self.training else None
        x = self.inception5b(self.inception5a(self.pool3(x)))
        logits = self.fc(self.dropout(self.flatten(self.avgpool(x))))
        if aux1 is not None:
            return GoogLeNetOutputs(logits, aux2, aux1)
        return logits
