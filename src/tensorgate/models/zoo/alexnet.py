"""AlexNet (Krizhevsky, Sutskever & Hinton, 2012), scaled down for 28×28 and 32×32 images."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ... import nn
from .classic import _channels, _positive_int

if TYPE_CHECKING:
    from typing import Sequence

    from ...autograd.tensor import Tensor

__all__ = ["AlexNet"]


class AlexNet(nn.Module):
    """AlexNet: five convolutions with ReLU and overlapping max-pooling, then three dense layers with dropout.

    The network that started the deep-learning era on ImageNet. Its ideas, all kept here: ReLU instead of
    tanh (several times faster training), *overlapping* max-pooling (3×3 windows, stride 2), dropout in the
    dense layers, and, as an option, local response normalisation after the first two convolutions.

    conv 5×5 (w₀) → ReLU [→ LRN] → max-pool 3/2 → conv 5×5 (w₁) → ReLU [→ LRN] → max-pool 3/2
    → conv 3×3 (w₂) → ReLU → conv 3×3 (w₃) → ReLU → conv 3×3 (w₄) → ReLU → max-pool 3/2
    → adaptive average pool 2×2 → dropout → hidden → ReLU → dropout → hidden → ReLU → classes.

    Adapted to 28×28 and 32×32 inputs (the original takes 224×224 colour images): the first convolution
    is 5×5 with stride 1 and padding 2 instead of 11×11 with stride 4 (which would leave a 28-pixel image
    6 pixels wide), every convolution keeps the size (padding), the widths are (32, 64, 96, 96, 64) instead
    of (96, 256, 384, 384, 256), the dense layers have 256 units instead of 4096, and the features are
    average-pooled to 2×2 (torchvision's ``AdaptiveAvgPool2d``, 6×6 there). The pools take 28 → 13 → 6 → 2
    and 32 → 15 → 7 → 3 pixels. About 380,000 parameters for one input channel.
    The paper's LRN, b = a/(k + α Σ a²)^β with n = 5, α = 10⁻⁴, β = 0.75, k = 2, is
    ``nn.LocalResponseNorm(5, alpha=5e-4, beta=0.75, k=2)``: PyTorch's form divides the sum by n.

    Parameters
    ----------
    in_channels, num_classes : int
    input_size : int
        Height (= width) of the input images, at least 15 (checked here; the network accepts any size).
    widths : tuple of 5 ints
        Channels of the five convolutions.
    hidden : int
        Units of the two hidden dense layers.
    dropout : float
        Drop probability before each hidden dense layer (the paper's 0.5).
    local_response_norm : bool
        Add the paper's LRN after the first two ReLUs (off by default: BatchNorm-era networks dropped it).

    Shape: x: (N, in_channels, input_size, input_size); output: (N, num_classes) logits.

    Example
    -------
    >>> import tensorgate as tg
    >>> from tensorgate.models.zoo import AlexNet
    >>> AlexNet()(tg.zeros(2, 1, 28, 28)).shape
    (2, 10)
    >>> AlexNet().num_parameters()
    380042
    """

    def __init__(self, in_channels: int = 1, num_classes: int = 10, input_size: int = 28,
                 widths: Sequence[int] = (32, 64, 96, 96, 64), hidden: int = 256, dropout: float = 0.5,
                 local_response_norm: bool = False):
        super().__init__()
        _positive_int(in_channels, "in_channels", "AlexNet")
        _positive_int(num_classes, "num_classes", "AlexNet")
        _positive_int(hidden, "hidden", "AlexNet")
        widths = _channels(widths, "AlexNet")
        if len(widths) != 5:
            raise ValueError(f"AlexNet: widths must give the channels of the 5 convolutions, got {widths}")
        if _positive_int(input_size, "input_size", "AlexNet") < 15:
            raise ValueError(f"AlexNet: input_size must be at least 15 for three 3×3 poolings with stride 2, got "
                             f"{input_size}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"AlexNet: dropout must be in [0, 1), got {dropout}")
        self.input_size = input_size

        def lrn() -> list[nn.Module]:
            return [nn.LocalResponseNorm(5, alpha=5e-4, beta=0.75, k=2.0)] if local_response_norm else []

        w0, w1, w2, w3, w4 = widths
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, w0, 5, padding=2), nn.ReLU(), *lrn(), nn.MaxPool2d(3, stride=2),
            nn.Conv2d(w0, w1, 5, padding=2), nn.ReLU(), *lrn(), nn.MaxPool2d(3, stride=2),
            nn.Conv2d(w1, w2, 3, padding=1), nn.ReLU(),
            nn.Conv2d(w2, w3, 3, padding=1), nn.ReLU(),
            nn.Conv2d(w3, w4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d(2)
        self.flatten = nn.Flatten()
        self.classifier = nn.Sequential(
            nn.Dropout(dropout), nn.Linear(w4 * 2 * 2, hidden), nn.ReLU(),
            nn.Dropout(dropout), nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, num_classes),
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.flatten(self.avgpool(self.features(x))))
