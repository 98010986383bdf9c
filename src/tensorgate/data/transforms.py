"""Random augmentations of images, as ``torchvision.transforms`` takes them on tensors.

Each transform is a callable applied to one example's image, an array of shape (..., H, W) (channels
first, as (C, H, W)); a Dataset applies it in ``__getitem__`` (:class:`TransformedDataset`) so that every
epoch sees new random versions of the training images. The random numbers come from tensorgate's global
generator (``tg.manual_seed``), which a DataLoader reseeds per batch, so augmented batches repeat for the
same seed whatever the number of worker processes.

Given a stack of images (N, C, H, W), a transform draws its parameters once and applies them to all N, as
torchvision's transforms do on a batched tensor.

Example (the usual recipe for small images, torchvision's ``RandomCrop(28, padding=2)`` and
``RandomHorizontalFlip()``):

>>> import numpy as np, tensorgate as tg
>>> from tensorgate.data import ArrayDataset, DataLoader
>>> from tensorgate.data.transforms import Compose, RandomCrop, RandomHorizontalFlip, TransformedDataset
>>> images, labels = np.zeros((8, 1, 28, 28), np.float32), np.arange(8)
>>> augmented = TransformedDataset(ArrayDataset(images, labels),
...                                Compose([RandomCrop(28, padding=2), RandomHorizontalFlip()]))
>>> xb, yb = next(iter(DataLoader(augmented, batch_size=4, shuffle=True, seed=0)))
>>> xb.shape, yb.shape
((4, 1, 28, 28), (4,))
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from ..backend import random as _random
from .dataset import Dataset

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

__all__ = ["Compose", "RandomCrop", "RandomHorizontalFlip", "RandomVerticalFlip", "Normalize",
           "TransformedDataset"]

#: torchvision's padding modes and NumPy's names for them
_PAD_MODES = {"constant": "constant", "edge": "edge", "reflect": "reflect", "symmetric": "symmetric"}


def _image(x: ArrayLike, where: str) -> NDArray[Any]:
    a = np.asarray(x)
    if a.ndim < 2:
        raise ValueError(f"{where}: expected an image of shape (..., H, W), got shape {a.shape}")
    return a


def _size_pair(size: int | Sequence[int], where: str) -> tuple[int, int]:
    """torchvision's ``size``: an int (a square) or (h, w)."""
    pair = (size, size) if isinstance(size, (int, np.integer)) else tuple(size)
    if len(pair) == 1:
        pair = (pair[0], pair[0])
    if len(pair) != 2 or any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1 for s in pair):
        raise ValueError(f"{where}: size must be a positive int or (h, w), got {size!r}")
    return int(pair[0]), int(pair[1])


def _padding(padding: int | Sequence[int] | None, where: str) -> tuple[int, int, int, int]:
    """torchvision's ``padding`` as (left, top, right, bottom): one int for all four sides, (lr, tb), or four."""
    if padding is None:
        return (0, 0, 0, 0)
    p = (padding,) if isinstance(padding, (int, np.integer)) else tuple(padding)
    if len(p) == 1:
        p = p * 4
    elif len(p) == 2:
        p = (p[0], p[1], p[0], p[1])
    if len(p) != 4 or any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0 for v in p):
        raise ValueError(f"{where}: padding must be a non-negative int or a sequence of 2 or 4, got {padding!r}")
    return int(p[0]), int(p[1]), int(p[2]), int(p[3])


class Compose:
    """Apply ``transforms`` one after another: ``Compose([a, b])(x) == b(a(x))``.

    Shape: whatever the transforms take and return.
    """

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]):
        self.transforms = list(transforms)
        for t in self.transforms:
            if not callable(t):
                raise TypeError(f"Compose: every transform must be callable, got {type(t).__name__}")

    def __call__(self, x: Any) -> Any:
        for t in self.transforms:
            x = t(x)
        return x

    def __repr__(self) -> str:
        inner = "".join(f"\n    {t!r}" for t in self.transforms)
        return f"Compose({inner}\n)"


class RandomCrop:
    """Crop a random (h, w) window, after padding the image by ``padding`` pixels (torchvision's RandomCrop).

    The top-left corner (i, j) is drawn uniformly from 0 … H_pad − h and 0 … W_pad − w, so with padding p
    and size equal to the image's, the content shifts by up to p pixels in each direction and the border
    is filled with ``fill`` (``padding_mode="constant"``) or from the image (``"edge"``, ``"reflect"``,
    ``"symmetric"``).

    Parameters
    ----------
    size : int or (h, w)
        The output's height and width.
    padding : int, (left/right, top/bottom) or (left, top, right, bottom), optional
    pad_if_needed : bool, default False
        Pad an image smaller than ``size`` up to it (otherwise that is an error).
    fill : float, default 0
        The value of constant padding.
    padding_mode : {"constant", "edge", "reflect", "symmetric"}

    Shape: (..., H, W) → (..., h, w).
    """

    def __init__(self, size: int | Sequence[int], padding: int | Sequence[int] | None = None,
                 pad_if_needed: bool = False, fill: float = 0, padding_mode: str = "constant"):
        self.size = _size_pair(size, "RandomCrop")
        self.padding = _padding(padding, "RandomCrop")
        self.pad_if_needed, self.fill = bool(pad_if_needed), float(fill)
        if padding_mode not in _PAD_MODES:
            raise ValueError(f"RandomCrop: padding_mode must be one of {', '.join(_PAD_MODES)}, got {padding_mode!r}")
        self.padding_mode = padding_mode

    def _pad(self, a: NDArray[Any], left: int, top: int, right: int, bottom: int) -> NDArray[Any]:
        if not (left or top or right or bottom):
            return a
        widths = [(0, 0)] * (a.ndim - 2) + [(top, bottom), (left, right)]
        if self.padding_mode == "constant":
            return np.pad(a, widths, mode="constant", constant_values=np.asarray(self.fill, a.dtype))
        return np.pad(a, widths, mode=_PAD_MODES[self.padding_mode])  # type: ignore[call-overload]

    def __call__(self, x: ArrayLike) -> NDArray[Any]:
        a = self._pad(_image(x, "RandomCrop"), *self.padding)
        h, w = self.size
        if self.pad_if_needed:
            dh, dw = max(0, h - a.shape[-2]), max(0, w - a.shape[-1])
            a = self._pad(a, dw, dh, dw, dh)
        H, W = a.shape[-2:]
        if H < h or W < w:
            raise ValueError(f"RandomCrop: crop size {(h, w)} is larger than the (padded) image {(H, W)}; "
                             "pad it (padding=, pad_if_needed=True)")
        rng = _random.generator()
        i, j = int(rng.integers(0, H - h + 1)), int(rng.integers(0, W - w + 1))
        return a[..., i:i + h, j:j + w].copy()

    def __repr__(self) -> str:
        return f"RandomCrop(size={self.size}, padding={self.padding}, padding_mode={self.padding_mode!r})"


class _RandomFlip:
    axis = -1
    name = ""

    def __init__(self, p: float = 0.5):
        if isinstance(p, bool) or not 0.0 <= float(p) <= 1.0:
            raise ValueError(f"{self.name}: p must be a probability in [0, 1], got {p!r}")
        self.p = float(p)

    def __call__(self, x: ArrayLike) -> NDArray[Any]:
        a = _image(x, self.name)
        if _random.generator().random() < self.p:
            return np.flip(a, axis=self.axis).copy()
        return a

    def __repr__(self) -> str:
        return f"{self.name}(p={self.p})"


class RandomHorizontalFlip(_RandomFlip):
    """Mirror the image left to right with probability ``p`` (torchvision's RandomHorizontalFlip).

    Shape: (..., H, W) → (..., H, W).
    """

    axis, name = -1, "RandomHorizontalFlip"


class RandomVerticalFlip(_RandomFlip):
    """Mirror the image top to bottom with probability ``p`` (torchvision's RandomVerticalFlip).

    Shape: (..., H, W) → (..., H, W).
    """

    axis, name = -2, "RandomVerticalFlip"


class Normalize:
    """(x − mean[c]) / std[c] per channel c (torchvision's Normalize), in x's floating dtype.

    Parameters
    ----------
    mean, std : sequence of float
        One value per channel (or one for all).

    Shape: (..., C, H, W) → (..., C, H, W).
    """

    def __init__(self, mean: Sequence[float] | float, std: Sequence[float] | float):
        self.mean = np.atleast_1d(np.asarray(mean, dtype=np.float64))
        self.std = np.atleast_1d(np.asarray(std, dtype=np.float64))
        if self.mean.ndim != 1 or self.std.ndim != 1:
            raise ValueError("Normalize: mean and std must be sequences of numbers, one per channel")
        if np.any(self.std == 0) or not (np.all(np.isfinite(self.std)) and np.all(np.isfinite(self.mean))):
            raise ValueError(f"Normalize: std must be finite and non-zero, got {self.std.tolist()}")

    def __call__(self, x: ArrayLike) -> NDArray[Any]:
        a = _image(x, "Normalize")
        if a.ndim < 3:
            raise ValueError(f"Normalize: expected an image of shape (..., C, H, W), got shape {a.shape}")
        c = a.shape[-3]
        if len(self.mean) not in (1, c) or len(self.std) not in (1, c):
            raise ValueError(f"Normalize: {len(self.mean)} means and {len(self.std)} stds for an image of "
                             f"{c} channels")
        dtype = a.dtype if np.issubdtype(a.dtype, np.floating) else np.dtype(np.float32)
        mean, std = (v.astype(dtype)[:, None, None] for v in (self.mean, self.std))
        return ((a - mean) / std).astype(dtype, copy=False)

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean.tolist()}, std={self.std.tolist()})"


class TransformedDataset(Dataset):
    """``dataset`` with ``transform`` applied to each example's input (and ``target_transform`` to its label),
    freshly at every access: what torchvision's datasets do with their ``transform=`` argument.

    Shape: ``dataset[i]`` is (x, y) or x; the result is (transform(x), target_transform(y)) or transform(x).
    """

    def __init__(self, dataset: Any, transform: Callable[[Any], Any] | None = None,
                 target_transform: Callable[[Any], Any] | None = None):
        if not (hasattr(dataset, "__getitem__") and hasattr(dataset, "__len__")):
            raise TypeError(f"TransformedDataset: dataset must have __getitem__ and __len__, got "
                            f"{type(dataset).__name__}")
        for name, f in (("transform", transform), ("target_transform", target_transform)):
            if f is not None and not callable(f):
                raise TypeError(f"TransformedDataset: {name} must be callable, got {type(f).__name__}")
        self.dataset, self.transform, self.target_transform = dataset, transform, target_transform

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, index: Any) -> Any:
        item = self.dataset[index]
        if isinstance(item, tuple) and len(item) == 2:
            x, y = item
            x = x if self.transform is None else self.transform(x)
            y = y if self.target_transform is None else self.target_transform(y)
            return x, y
        return item if self.transform is None else self.transform(item)
