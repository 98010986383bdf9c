"""Inverted dropout as a module: a random mask in training, the identity in evaluation."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .. import functional as F
from .module import Module

if TYPE_CHECKING:
    from ..autograd.tensor import Tensor


class Dropout(Module):
    """Inverted dropout with drop probability p (0.5 by default); the identity in ``eval()`` mode.

    Shape: x: any; output: same.

    Examples
    --------
    >>> import tensorgate as tg
    >>> layer = tg.nn.Dropout(0.2).eval()
    >>> layer(tg.ones(3)).tolist()
    [1.0, 1.0, 1.0]
    """

    _keeps_features = True

    def __init__(self, p: float = 0.5):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be a probability in [0, 1], got {p}")
        self.p = float(p)

    def forward(self, x: Tensor) -> Tensor:
        if not self.training or self.p == 0.0:
            return x
        return F.dropout(x, self.p, True)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class Dropout2d(Module):
    """Channel-wise dropout (PyTorch's ``nn.Dropout2d``): each (example, channel) map is zeroed with
    probability p (0.5 by default), the others scaled by 1/(1 − p); the identity in ``eval()`` mode.

    Dropping whole maps suits convolutional layers, whose neighbouring pixels are too correlated for
    element-wise dropout to regularise them.

    Shape: x: (N, C, H, W); output: same.

    Example
    -------
    >>> import tensorgate as tg
    >>> tg.nn.Dropout2d(0.3).eval()(tg.ones(1, 2, 1, 1)).tolist()
    [[[[1.0]], [[1.0]]]]
    """

    _keeps_features = True

    def __init__(self, p: float = 0.5, inplace: bool = False):
        super().__init__()
        if inplace:
            raise NotImplementedError("Dropout2d: inplace=True is not supported (tensorgate returns a new tensor)")
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout2d: p must be a probability in [0, 1], got {p}")
        self.p, self.inplace = float(p), False

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout2d(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class Dropout1d(Dropout2d):
    """Channel-wise dropout of sequences (PyTorch's ``nn.Dropout1d``): each (example, channel) sequence is
    zeroed with probability p, the others scaled by 1/(1 − p); the identity in ``eval()`` mode.

    Shape: x: (N, C, L); output: same.
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout1d(x, self.p, self.training)
