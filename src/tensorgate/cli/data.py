"""Loading the data set named by ``--data`` for the command line, and splitting off a validation set.

Every source comes back as a :class:`Dataset`: training and test arrays, class names, and the shape of
one example (``(64,)`` for flat digits, ``(1, 8, 8)`` for digits as images). Library errors (a missing
file, a bad CSV) become :class:`UserError`.
"""
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .config import DATA_NAMES
from .errors import UserError, one_line

#: (generator, keyword arguments, number of points, class names) of the 2-D toy problems.
TOY = {
    "moons": ("make_moons", {"noise": 0.2}, 1000, ("0", "1")),
    "circles": ("make_circles", {"noise": 0.1, "factor": 0.5}, 1000, ("outer", "inner")),
    "xor": ("make_xor", {"noise": 0.1}, 1000, ("0", "1")),
    "spiral": ("make_spiral", {"noise": 0.05, "n_classes": 3}, 1500, ("0", "1", "2")),
}
#: Data sets whose examples are images (channels, height, width).
IMAGE_SHAPES = {"digits": (1, 8, 8), "fashion-mnist": (1, 28, 28), "mnist": (1, 28, 28)}


@dataclass
class Dataset:
    """A labelled data set ready for training.

    Shape: X_*: (m, *example_shape); y_*: (m,) int64 in [0, K); classes: K names.
    """

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    classes: tuple
    image_shape: tuple | None = None  # (C, H, W) when the examples are images

    @property
    def num_classes(self):
        return len(self.classes)

    @property
    def n_features(self):
        return int(np.prod(self.X_train.shape[1:]))


def is_builtin(source):
    return source in DATA_NAMES


def load(source, seed=0, as_images=False, test_fraction=0.25):
    """The :class:`Dataset` named by ``source`` (a built-in name or a CSV/NPZ path).

    ``as_images`` returns image data as (m, C, H, W) (for the convolutional networks); other data stays
    (m, n). A file is split into train and test sets (stratified, seeded) with ``test_fraction``.
    """
    from .. import data as tgdata

    try:
        if source in ("digits", "fashion-mnist", "mnist", "breast-cancer"):
            if source == "breast-cancer":
                d = tgdata.load_breast_cancer()
            else:
                loader = {"digits": tgdata.load_digits, "fashion-mnist": tgdata.load_fashion_mnist,
                          "mnist": tgdata.load_mnist}[source]
                kwargs = {"progress": True} if source != "digits" else {}
                d = loader(as_images=as_images, **kwargs)
            image_shape = IMAGE_SHAPES.get(source)
            return Dataset(source, d.X_train, d.y_train, d.X_test, d.y_test, tuple(d.classes), image_shape)
        if source in TOY:
            function, kwargs, n, classes = TOY[source]
            X, y = getattr(tgdata, function)(n, random_state=seed, **kwargs)
            return _split(source, X, y, classes, seed, test_fraction)
        table = tgdata.load_table(source)
    except (FileNotFoundError, tgdata.DatasetUnavailableError) as err:
        raise UserError(f"--data {source}: {one_line(err)}") from None
    except (ValueError, OSError) as err:
        raise UserError(f"--data: {one_line(err)}") from None
    X, y, classes = table
    if len(classes) < 2:
        raise UserError(f"--data {source}: the label column holds a single class {classes[0]!r}; "
                        "a classifier needs at least two")
    image_shape = _guess_image_shape(X)
    if X.ndim > 2 and not as_images:
        X = X.reshape(len(X), -1)
    return _split(Path(source).stem, X, y, classes, seed, test_fraction, image_shape)


def _guess_image_shape(X):
    """(C, H, W) for image-shaped or square-pixel data (784 → 1×28×28), else None."""
    if X.ndim == 4:
        return tuple(X.shape[1:])
    if X.ndim == 3:
        return (1,) + tuple(X.shape[1:])
    side = int(round(np.sqrt(X.shape[1])))
    if side >= 8 and side * side == X.shape[1]:
        return (1, side, side)
    return None


def _split(name, X, y, classes, seed, test_fraction, image_shape=None):
    from ..data import train_test_split

    counts = np.bincount(y, minlength=len(classes))
    stratify = y if counts.min() >= 2 and len(y) * test_fraction >= len(classes) else None
    if len(y) < 4:
        raise UserError(f"--data {name}: only {len(y)} examples; need at least 4 to split off a test set")
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_fraction, random_state=seed,
                                                        stratify=stratify)
    return Dataset(name, X_train, y_train, X_test, y_test, tuple(classes), image_shape)


def validation_split(X, y, fraction, seed):
    """(X_train, y_train, X_val, y_val): a seeded, stratified validation set of ``fraction`` of X."""
    from ..data import train_test_split

    if fraction <= 0 or len(y) < 10:
        return X, y, X[:0], y[:0]
    counts = np.bincount(y)
    counts = counts[counts > 0]
    stratify = y if counts.min() >= 2 and int(len(y) * fraction) >= len(counts) else None
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=fraction, random_state=seed,
                                                      stratify=stratify)
    return X_train, y_train, X_val, y_val
