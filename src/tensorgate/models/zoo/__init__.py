"""The CNN zoo: the classic convolutional architectures, small enough to train on a CPU.

Each one introduced an idea that the later ones keep:

* :class:`LeNet5` (LeCun et al., 1998) — convolution + pooling: local receptive fields with shared weights,
  then subsampling, then a small dense classifier. The template of every CNN since.
* :class:`AlexNet` (Krizhevsky et al., 2012) — the same recipe, deeper and wider, made trainable by ReLU,
  dropout and (then) GPUs; overlapping max-pooling and local response normalisation.
* :class:`SmallVGG` (Simonyan & Zisserman, 2014) — depth from uniform stacks of 3×3 convolutions: two 3×3
  layers see a 5×5 window with fewer parameters and one more nonlinearity; the width doubles each time the
  image is halved.
* :class:`GoogLeNet` (Szegedy et al., 2014) — Inception modules: 1×1, 3×3 and 5×5 convolutions and a pool
  side by side, made cheap by 1×1 *reductions*; auxiliary classifiers push gradient into the middle.
* :class:`ResNetSmall` (He et al., 2015) — residual connections y = relu(x + F(x)) with BatchNorm: the
  identity path carries the gradient past each block unchanged, so very deep networks no longer suffer
  vanishing gradients; global average pooling replaces the big dense layers.
* :class:`MobileNetSmall` (Howard et al., 2017) — depthwise-separable convolutions: a 3×3 *depthwise*
  convolution (``groups = channels``, one filter per channel) then a 1×1 *pointwise* one that mixes channels,
  about k² = 9 times fewer multiplications and parameters than a full 3×3 convolution.
* :class:`EfficientNet` (Tan & Le, 2019) — MBConv blocks (expand, depthwise, squeeze-and-excitation,
  project) with SiLU, and compound scaling of width and depth.

All are sized for 28×28 grayscale (Fashion-MNIST: ``in_channels=1``) and 32×32 colour (CIFAR-10:
``in_channels=3, input_size=32``) images; each docstring says how it departs from the paper's network.
:func:`get_model` builds one by name for the command line. One file per family: classic.py (LeNet-5, VGG,
ResNet, MobileNet), alexnet.py, googlenet.py, efficientnet.py.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .alexnet import AlexNet
from .classic import (BasicBlock, DepthwiseSeparable, LeNet5, MobileNetSmall, ResNetSmall, SmallVGG, _positive_int,
                      resnet8)
from .efficientnet import MBConv, EfficientNet, SqueezeExcitation
from .googlenet import GoogLeNet, GoogLeNetOutputs, Inception, InceptionAux

if TYPE_CHECKING:
    from typing import Sequence

    from ... import nn

__all__ = ["LeNet5", "SmallVGG", "BasicBlock", "ResNetSmall", "resnet8", "DepthwiseSeparable", "MobileNetSmall",
           "AlexNet", "Inception", "InceptionAux", "GoogLeNet", "GoogLeNetOutputs", "SqueezeExcitation", "MBConv",
           "EfficientNet", "get_model", "MODELS"]


#: command-line names → builders taking (in_channels, num_classes, input_size)
MODELS = {
    "lenet": lambda c, k, s: LeNet5(c, k, s),
    "vgg": lambda c, k, s: SmallVGG(c, k, s),
    "resnet": lambda c, k, s: resnet8(c, k),
    "mobilenet": lambda c, k, s: MobileNetSmall(c, k),
    "alexnet": lambda c, k, s: AlexNet(c, k, s),
    "googlenet": lambda c, k, s: GoogLeNet(c, k),
    "efficientnet": lambda c, k, s: EfficientNet(c, k),
}
_ALIASES = {"lenet5": "lenet", "smallvgg": "vgg", "resnet8": "resnet", "resnetsmall": "resnet",
            "mobilenetsmall": "mobilenet", "inception": "googlenet", "efficientnet-b0": "efficientnet",
            "efficientnet_b0": "efficientnet"}


def get_model(name: str, in_shape: Sequence[int] = (1, 28, 28), num_classes: int = 10) -> nn.Module:
    """Build a zoo model by its command-line name: ``lenet``, ``vgg``, ``resnet``, ``mobilenet``, ``alexnet``,
    ``googlenet`` or ``efficientnet``.

    Parameters
    ----------
    name : str
        One of :data:`MODELS` (case-insensitive; ``lenet5``, ``resnet8`` ... also accepted).
    in_shape : (C, H, W)
        Shape of one input image, e.g. (1, 28, 28) for Fashion-MNIST, (3, 32, 32) for CIFAR-10.
    num_classes : int

    Shape: the model maps (N, C, H, W) to (N, num_classes).

    Example
    -------
    >>> import tensorgate as tg
    >>> from tensorgate.models.zoo import get_model
    >>> get_model("mobilenet", (3, 32, 32), 10)(tg.zeros(2, 3, 32, 32)).shape
    (2, 10)
    """
    key = str(name).lower()
    key = _ALIASES.get(key, key)
    if key not in MODELS:
        raise ValueError(f"get_model: unknown model {name!r}; choose one of {sorted(MODELS)}")
    in_shape = tuple(in_shape)
    if len(in_shape) != 3 or any(isinstance(n, bool) or not isinstance(n, int) or n <= 0 for n in in_shape):
        raise ValueError(f"get_model: in_shape must be (channels, height, width) of one image, got {in_shape}")
    c, h, w = in_shape
    if h != w:
        raise ValueError(f"get_model: the zoo models expect square images, got in_shape {in_shape}")
    return MODELS[key](c, _positive_int(num_classes, "num_classes", "get_model"), h)
