"""Upsample: resize images by nearest neighbour (PyTorch's ``nn.Upsample``, mode='nearest' only)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .. import functional as F
from ..functional.upsample import MODES
from .module import Module

if TYPE_CHECKING:
    from ..autograd.tensor import Tensor


class Upsample(Module):
    """Resizes the spatial axes by nearest neighbour: each output pixel copies the input pixel it falls in.

    Give ``size`` (the output's spatial size) or ``scale_factor`` (e.g. 2 doubles height and width), as
    PyTorch's ``nn.Upsample``. Only mode='nearest' is supported: the linear modes raise NotImplementedError
    when the layer is built, never a silently different picture. The gradient of an input pixel is the
    sum over the output pixels that copied it (functional/upsample.py).

    Shape: x: (N, C, H, W) (or (N, C, L), (N, C, D, H, W)); output: (N, C, H_out, W_out),
    H_out = size or ⌊H·scale_factor⌋.

    Example
    -------
    >>> import tensorgate as tg
    >>> tg.nn.Upsample(scale_factor=2)(tg.zeros(8, 3, 7, 7)).shape
    (8, 3, 14, 14)
    """

    _keeps_features = True

    def __init__(self, size: int | tuple[int, ...] | list[int] | None = None,
                 scale_factor: float | tuple[float, ...] | list[float] | None = None,
                 mode: str = "nearest", align_corners: bool | None = None,
                 recompute_scale_factor: bool | None = None):
        super().__init__()
        if mode not in MODES:
            raise NotImplementedError(f"Upsample: mode={mode!r} is not supported; tensorgate upsamples with "
                                      "mode='nearest' only")
        if (size is None) == (scale_factor is None):
            raise ValueError("Upsample: give exactly one of size and scale_factor")
        if align_corners is not None:
            raise ValueError("Upsample: align_corners only applies to the linear modes, not to mode='nearest'")
        self.size, self.mode, self.align_corners = size, mode, None
        self.scale_factor = None if scale_factor is None else (
            tuple(float(f) for f in scale_factor) if isinstance(scale_factor, (tuple, list)) else float(scale_factor))
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, x: Tensor) -> Tensor:
        return F.interpolate(x, self.size, self.scale_factor, self.mode,
                             recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self) -> str:
        what = f"size={self.size}" if self.size is not None else f"scale_factor={self.scale_factor}"
        return f"{what}, mode={self.mode!r}"

    def _out_features(self, in_features):
        return None


class UpsamplingNearest2d(Upsample):
    """Nearest-neighbour upsampling of images, PyTorch's older name for ``Upsample(mode='nearest')``.

    Shape: x: (N, C, H, W); output: (N, C, H_out, W_out).
    """

    def __init__(self, size: int | tuple[int, int] | None = None, scale_factor: float | tuple[float, float] | None = None):
        super().__init__(size, scale_factor)


class PixelShuffle(Module):
    """(N, C·r², H, W) → (N, C, H·r, W·r): groups of r² channels become r×r blocks of pixels (``nn.PixelShuffle``).

    Shape: as described.
    """

    def __init__(self, upscale_factor: int):
        super().__init__()
        self.upscale_factor = int(upscale_factor)

    def forward(self, x: Tensor) -> Tensor:
        from .. import functional as F

        return F.pixel_shuffle(x, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """(N, C, H·r, W·r) → (N, C·r², H, W), the inverse of :class:`PixelShuffle` (``nn.PixelUnshuffle``).

    Shape: as described.
    """

    def __init__(self, downscale_factor: int):
        super().__init__()
        self.downscale_factor = int(downscale_factor)

    def forward(self, x: Tensor) -> Tensor:
        from .. import functional as F

        return F.pixel_unshuffle(x, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"
