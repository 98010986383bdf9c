"""``--augment``: the training images drawn anew every epoch, randomly shifted and/or mirrored.

The augmentations (:mod:`tensorgate.data.transforms`) act on the images as read (pixel 0 is the
background, so padding with 0 extends it), then the run's standardisation applies, as torchvision's
``Compose([RandomCrop(28, padding=2), RandomHorizontalFlip(), ToTensor(), Normalize(...)])``. Validation
and test images are never augmented.

With ``--augment`` the standardisation is one mean and one standard deviation per channel (torchvision's
``Normalize``), not per pixel: a shifted image moves its content onto pixels whose own statistics are
not its, and a border pixel that is almost always 0 (σ near 0) would turn a little ink into a huge input.
"""
import numpy as np

from .errors import UserError

AUGMENTATIONS = ("crop", "flip")


def crop_padding(height):
    """crop's shift: up to ⌈H/14⌉ pixels each way (2 for 28×28 images, 3 for 32×32, 1 for 8×8 digits),
    a random crop of the image's size after padding every side by that many background pixels."""
    return -(-int(height) // 14)


def parse(value):
    """``"crop,flip"`` (or a list) → ["crop", "flip"]; ``""`` or ``"none"`` → []."""
    if isinstance(value, (list, tuple)):
        items = [str(v).strip().lower() for v in value]
    elif isinstance(value, str):
        text = value.strip().lower()
        items = [] if text in ("", "none") else [t.strip() for t in text.split(",")]
    else:
        raise UserError(f"--augment: expected crop, flip, crop,flip or none, got {value!r}")
    for item in items:
        if item not in AUGMENTATIONS:
            raise UserError(f"--augment: unknown augmentation {item!r}; choose from crop, flip (comma-separated), "
                            "or none")
    return [a for a in AUGMENTATIONS if a in items]


def per_channel_standardizer(X, image_shape):
    """A :class:`~tensorgate.data.Standardizer` whose μ and σ are each channel's over all its pixels, laid out
    per feature (the same for every pixel of a channel), so that runs save and apply it as any other.

    Shape: X (m, C, H, W) or (m, C·H·W) with ``image_shape`` (C, H, W); mean_, scale_: X's feature shape.
    """
    from ..data import Standardizer

    c = image_shape[0]
    pixels = np.asarray(X).reshape((len(X), c, -1)).transpose(0, 2, 1).reshape(-1, c)
    channels = Standardizer().fit(pixels)
    standardizer = Standardizer()
    shape, per_pixel = X.shape[1:], (c, int(np.prod(image_shape[1:])))
    for name in ("mean_", "scale_", "var_"):
        value = np.broadcast_to(getattr(channels, name)[:, None], per_pixel).reshape(shape).copy()
        setattr(standardizer, name, value)
    standardizer.n_features_in_ = int(np.prod(shape))
    return standardizer


def train_source(settings, data):
    """What ``fit`` trains on: the prepared (X, y) arrays, or with ``--augment`` a DataLoader whose batches
    are augmented afresh every epoch (shuffled with the run's seed)."""
    if not settings["augment"]:
        return data.train_xy
    from ..data import ArrayDataset, DataLoader
    from ..data.transforms import Compose, RandomCrop, RandomHorizontalFlip, TransformedDataset

    image_shape = data.dataset.image_shape
    if not image_shape or len(image_shape) != 3:
        raise UserError(f"--augment: {', '.join(settings['augment'])} needs image data; "
                        f"{data.dataset.name} is a table of features")
    steps = []
    if "crop" in settings["augment"]:
        steps.append(RandomCrop(tuple(image_shape[1:]), padding=crop_padding(image_shape[1])))
    if "flip" in settings["augment"]:
        steps.append(RandomHorizontalFlip())
    steps.append(_Prepare(data.standardizer, data.example_shape))
    X_raw, y = data.train_raw
    dataset = TransformedDataset(ArrayDataset(X_raw, y), _AsImage(image_shape, Compose(steps)))
    return DataLoader(dataset, batch_size=settings["batch_size"], shuffle=True, seed=settings["seed"])


class _AsImage:
    """Apply ``transform`` to one example seen as an image (C, H, W), whatever its stored shape."""

    def __init__(self, image_shape, transform):
        self.image_shape, self.transform = tuple(image_shape), transform

    def __call__(self, x):
        return self.transform(np.asarray(x).reshape(self.image_shape))


class _Prepare:
    """The run's standardisation of one augmented image, in the network's input shape, float32: the
    Standardizer's (x − mean_)/scale_ with its arrays cast once, not checked again for every image."""

    def __init__(self, standardizer, example_shape):
        self.example_shape = tuple(example_shape)
        self.mean = self.scale = None
        if standardizer is not None:
            self.mean = standardizer.mean_.astype(np.float32).reshape(self.example_shape)
            self.scale = standardizer.scale_.astype(np.float32).reshape(self.example_shape)

    def __call__(self, image):
        x = np.asarray(image, dtype=np.float32).reshape(self.example_shape)
        if self.mean is not None:
            x = (x - self.mean) / self.scale
        return np.ascontiguousarray(x)
