"""Ready-made datasets, all returned in one shape: ``X_train, y_train, X_test, y_test, classes``.

MNIST and Fashion-MNIST come as four IDX files. :func:`load_fashion_mnist` and :func:`load_mnist` look for
them, in this order, and use the first directory that holds all four:

1. ``path=``, when given (then *only* there: an explicit path that lacks the files is an error);
2. ``$TENSORGATE_DATA/<name>/`` (``<name>`` is ``fashion-mnist`` or ``mnist``);
3. the system directory, :data:`SYSTEM_DIRS`: ``/usr/share/datasets/fashion-mnist/`` is where Debian's
   ``dataset-fashion-mnist`` package installs the files (MNIST has no package; its files are looked for
   at ``/usr/share/datasets/mnist/`` by the same pattern);
4. the per-user cache ``~/.cache/tensorgate/<name>/`` (``$TENSORGATE_CACHE/<name>/`` when that is set);

otherwise the missing files are downloaded into the cache from the canonical mirror (:data:`FASHION_MNIST_URL`,
:data:`MNIST_URL`) with a progress bar, checked against known SHA-256 digests (:data:`FASHION_MNIST_SHA256`,
:data:`MNIST_SHA256`) and moved into place atomically. Offline, the error lists all these options.

Each file may be gzip-compressed (``train-images-idx3-ubyte.gz``) or raw (``train-images-idx3-ubyte``).

Digits and breast cancer come from scikit-learn (no download) and are split into train and test sets with a
seeded, stratified split.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple
import os
from pathlib import Path

import numpy as np

from .download import DownloadError, download_file
from .idx import read_idx
from .preprocessing import train_test_split

if TYPE_CHECKING:
    from typing import Mapping

    from numpy.typing import DTypeLike

__all__ = [
    "TrainTestData",
    "DatasetUnavailableError",
    "load_fashion_mnist",
    "load_mnist",
    "load_digits",
    "load_breast_cancer",
    "cache_dir",
    "FASHION_MNIST_URL",
    "FASHION_MNIST_SHA256",
    "FASHION_MNIST_CLASSES",
    "MNIST_URL",
    "MNIST_SHA256",
    "SYSTEM_DIRS",
]

#: The Fashion-MNIST mirror named in zalandoresearch/fashion-mnist's README (plain http; every file's
#: SHA-256 is checked, so the transport need not be trusted).
FASHION_MNIST_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
#: SHA-256 of the files on that mirror (their MD5s match the ones the README publishes).
FASHION_MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    "train-labels-idx1-ubyte.gz": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    "t10k-images-idx3-ubyte.gz": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
    "t10k-labels-idx1-ubyte.gz": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
}
FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)

#: The MNIST mirror PyTorch's torchvision uses (LeCun's site no longer serves the files reliably).
MNIST_URL = "https://ossci-datasets.s3.amazonaws.com/mnist/"
MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}

#: Where system packages put the files (step 3 of the search).
SYSTEM_DIRS = {
    "fashion-mnist": "/usr/share/datasets/fashion-mnist",
    "mnist": "/usr/share/datasets/mnist",
}
_INSTALL_HINTS = {"fashion-mnist": "sudo apt-get install dataset-fashion-mnist"}

# role -> file name without ".gz"
_IDX_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}


class DatasetUnavailableError(OSError):
    """A dataset's files were found nowhere and could not be downloaded."""


class TrainTestData(NamedTuple):
    """A dataset split into training and test sets, with its class names.

    It unpacks like a tuple: ``X_train, y_train, X_test, y_test, classes = tg.data.load_digits()``.

    Shape
    -----
    X_train: (m_train, n) or (m_train, C, H, W) for images; y_train: (m_train,) int64;
    X_test: (m_test, ...) like X_train; y_test: (m_test,) int64; classes: K names, label k is ``classes[k]``.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    classes: tuple

    def __repr__(self) -> str:
        def part(a):
            return f"{a.dtype} {a.shape}"

        return (
            f"TrainTestData(X_train: {part(self.X_train)}, y_train: {part(self.y_train)}, "
            f"X_test: {part(self.X_test)}, y_test: {part(self.y_test)}, classes: {len(self.classes)})"
        )


def cache_dir(name: str | None = None) -> Path:
    """The per-user cache directory of tensorgate's downloads (not created here).

    ``$TENSORGATE_CACHE`` when set, else ``$XDG_CACHE_HOME/tensorgate``, else ``~/.cache/tensorgate``.

    Parameters
    ----------
    name : str, optional
        A dataset's name; the result is then that dataset's subdirectory.

    Returns
    -------
    pathlib.Path

    Shape
    -----
    Not applicable.

    Examples
    --------
    >>> cache_dir("mnist").name
    'mnist'
    """
    root = os.environ.get("TENSORGATE_CACHE")
    if root:
        root = Path(root).expanduser()
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        root = (Path(xdg) if xdg else Path.home() / ".cache") / "tensorgate"
    return root / name if name else root


def _find_files(directory):
    """{role: path} of the four IDX files in ``directory``, .gz or raw; None for each one missing."""
    found = {}
    for role, stem in _IDX_FILES.items():
        found[role] = None
        for candidate in (directory / f"{stem}.gz", directory / stem):
            if candidate.is_file():
                found[role] = candidate
                break
    return found


def _locations(name):
    """The directories searched, in order, as (label, Path or None, note) tuples; the cache comes last."""
    env = os.environ.get("TENSORGATE_DATA")
    system = SYSTEM_DIRS.get(name)
    hint = _INSTALL_HINTS.get(name)
    return [
        ("$TENSORGATE_DATA/" + name,
         Path(env).expanduser() / name if env else None,
         None if env else "TENSORGATE_DATA is not set"),
        ("system directory", Path(system) if system else None,
         f"install with: {hint}" if hint else "no system package; put the files there by hand"),
        ("cache", cache_dir(name), "set TENSORGATE_CACHE to move it"),
    ]


def _unavailable(title, function, locations, reason, download=True):
    names = ", ".join(f"{stem}.gz" for stem in _IDX_FILES.values())
    lines = [f"{title} is not available: {reason}", f"tensorgate looks for its four files ({names}) in:",
             f"  1. the path= argument of {function}(path=...)"]
    for i, (label, directory, note) in enumerate(locations, start=2):
        where = f"{label}: {directory}" if directory is not None else label
        lines.append(f"  {i}. {where}" + (f"  ({note})" if note else ""))
    if download:
        lines.append("and otherwise downloads them into the cache. To fix this: connect to the internet and "
                     f"call {function}() again, or copy the files into one of these directories, "
                     "or pass path=.")
    else:
        lines.append(f"To fix this: call {function}(download=True) to download them into the cache, or copy "
                     "the files into one of these directories, or pass path=.")
    return DatasetUnavailableError("\n".join(lines))


def _resolve(title, name, function, path, download, base_url, sha256, progress):
    """The {role: file} of the first complete location, downloading into the cache if needed."""
    if path is not None:
        directory = Path(path).expanduser()
        found = _find_files(directory)
        missing = [f"{_IDX_FILES[r]}[.gz]" for r, p in found.items() if p is None]
        if missing:
            raise FileNotFoundError(f"{function}(path={str(path)!r}): {directory} lacks " + ", ".join(missing))
        return found
    locations = _locations(name)
    for _, directory, _ in locations:
        if directory is not None:
            found = _find_files(directory)
            if all(found.values()):
                return found
    cache = cache_dir(name)
    if not download:
        raise _unavailable(title, function, locations, "downloading is switched off (download=False)",
                          download=False)
    found = _find_files(cache)
    for role, stem in _IDX_FILES.items():
        if found[role] is None:
            file_name = f"{stem}.gz"
            url = base_url.rstrip("/") + "/" + file_name
            if file_name not in sha256:
                raise ValueError(f"{function}: no SHA-256 digest known for {file_name}; give sha256= a dict "
                                 "with an entry for each of the four files")
            try:
                found[role] = download_file(url, cache / file_name, sha256=sha256[file_name],
                                            progress=progress)
            except DownloadError as err:
                raise _unavailable(title, function, locations,
                                   f"{err} (offline, or the mirror is unreachable)") from err
    return found


def _load_idx_dataset(title, name, function, classes, path, as_images, dtype, download, base_url,
                      sha256, progress):
    files = _resolve(title, name, function, path, download, base_url, sha256, progress)
    arrays = {role: read_idx(p) for role, p in files.items()}
    out = []
    for split in ("train", "test"):
        images, labels = arrays[f"{split}_images"], arrays[f"{split}_labels"]
        image_file, label_file = files[f"{split}_images"], files[f"{split}_labels"]
        if images.ndim != 3 or images.dtype != np.uint8:
            raise ValueError(f"{image_file}: expected uint8 images of shape (m, H, W), "
                             f"got {images.dtype} {images.shape}")
        if labels.ndim != 1 or labels.shape[0] != images.shape[0]:
            raise ValueError(f"{label_file}: expected {images.shape[0]} labels to match {image_file}, "
                             f"got shape {labels.shape}")
        if labels.dtype.kind not in "iu":  # a float label 3.5 is no class, and astype(int64) would hide it
            raise ValueError(f"{label_file}: labels must be integers, got {labels.dtype}")
        bad = (labels < 0) | (labels >= len(classes))
        if bad.any():
            raise ValueError(f"{label_file}: labels must lie in [0, {len(classes)}), found "
                             f"{sorted(set(labels[bad].tolist()))[:5]}")
        X = images.astype(dtype)
        X /= 255  # exact at both ends: 0 -> 0.0, 255 -> 1.0
        m, h, w = images.shape
        X = X.reshape(m, 1, h, w) if as_images else X.reshape(m, h * w)
        out += [X, labels.astype(np.int64)]
    return TrainTestData(*out, tuple(classes))  # type: ignore[arg-type, call-arg]


def load_fashion_mnist(path: str | os.PathLike[str] | None = None, as_images: bool = False,
                       dtype: DTypeLike = np.float32, download: bool = True, base_url: str | None = None,
                       sha256: Mapping[str, str] | None = None, progress: bool = True) -> TrainTestData:
    """Zalando's Fashion-MNIST: 70000 grey 28×28 images of clothing in 10 classes.

    The files are looked for in ``path=``, ``$TENSORGATE_DATA/fashion-mnist``,
    ``/usr/share/datasets/fashion-mnist`` (``apt-get install dataset-fashion-mnist``) and the cache, and
    downloaded into the cache otherwise (see the module's docstring for the details).

    Parameters
    ----------
    path : str or os.PathLike, optional
        A directory holding the four IDX files (``.gz`` or raw). When given, only it is searched.
    as_images : bool, default False
        Return images (m, 1, 28, 28) for convolutional networks instead of flat rows (m, 784).
    dtype : numpy dtype, default float32
        Floating dtype of X (float64 on request).
    download : bool, default True
        Download missing files into the cache. With False, missing files are an error.
    base_url : str, optional
        Mirror to download from; :data:`FASHION_MNIST_URL` by default.
    sha256 : dict, optional
        {file name: hex digest} to verify downloads; :data:`FASHION_MNIST_SHA256` by default.
    progress : bool, default True
        Show a progress bar while downloading.

    Returns
    -------
    TrainTestData
        ``(X_train, y_train, X_test, y_test, classes)``; X in [0, 1], y int64 in [0, 10), classes the
        10 names ``("T-shirt/top", "Trouser", ..., "Ankle boot")``.

    Shape
    -----
    X_train: (60000, 784), or (60000, 1, 28, 28) with ``as_images``; y_train: (60000,);
    X_test: (10000, 784) or (10000, 1, 28, 28); y_test: (10000,).

    Raises
    ------
    DatasetUnavailableError
        If the files are nowhere and cannot be downloaded; the message lists where they were looked for.
    ValueError
        If a file is corrupt (see :func:`read_idx`) or a download fails its SHA-256 check.

    Examples
    --------
    >>> X_train, y_train, X_test, y_test, classes = load_fashion_mnist()  # doctest: +SKIP
    >>> X_train.shape, X_train.dtype, classes[9]  # doctest: +SKIP
    ((60000, 784), dtype('float32'), 'Ankle boot')
    """
    return _load_idx_dataset(
        "Fashion-MNIST", "fashion-mnist", "load_fashion_mnist", FASHION_MNIST_CLASSES, path, as_images,
        dtype, download, FASHION_MNIST_URL if base_url is None else base_url,
        FASHION_MNIST_SHA256 if sha256 is None else sha256, progress,
    )


def load_mnist(path: str | os.PathLike[str] | None = None, as_images: bool = False, dtype: DTypeLike = np.float32,
               download: bool = True, base_url: str | None = None, sha256: Mapping[str, str] | None = None,
               progress: bool = True) -> TrainTestData:
    """LeCun's MNIST: 70000 grey 28×28 images of handwritten digits 0-9.

    The files are looked for in ``path=``, ``$TENSORGATE_DATA/mnist``, ``/usr/share/datasets/mnist`` and
    the cache, and downloaded into the cache from :data:`MNIST_URL` otherwise. The parameters are those of
    :func:`load_fashion_mnist`.

    Returns
    -------
    TrainTestData
        ``(X_train, y_train, X_test, y_test, classes)``; X in [0, 1], y int64 in [0, 10),
        classes ``("0", "1", ..., "9")``.

    Shape
    -----
    X_train: (60000, 784), or (60000, 1, 28, 28) with ``as_images``; y_train: (60000,);
    X_test: (10000, 784) or (10000, 1, 28, 28); y_test: (10000,).

    Examples
    --------
    >>> X_train, y_train, X_test, y_test, classes = load_mnist(as_images=True)  # doctest: +SKIP
    >>> X_train.shape  # doctest: +SKIP
    (60000, 1, 28, 28)
    """
    return _load_idx_dataset(
        "MNIST", "mnist", "load_mnist", tuple(str(d) for d in range(10)), path, as_images, dtype, download,
        MNIST_URL if base_url is None else base_url, MNIST_SHA256 if sha256 is None else sha256, progress,
    )


def _split(X, y, classes, test_size, random_state):
    X_train, X_test, y_train, y_test = train_test_split(
        X, y.astype(np.int64), test_size=test_size, random_state=random_state, stratify=y
    )
    return TrainTestData(X_train, y_train, X_test, y_test, tuple(classes))


def load_digits(test_size: float = 0.25, random_state: int | np.random.Generator | None = 0, as_images: bool = False,
                dtype: DTypeLike = np.float32) -> TrainTestData:
    """scikit-learn's handwritten digits: 1797 images of 8×8 pixels, classes 0-9, no download.

    Pixels (0-16 in the original) are divided by 16, so X lies in [0, 1]. The split is stratified, so
    train and test have the same class proportions, and seeded by ``random_state``.

    Parameters
    ----------
    test_size : float or int, default 0.25
        Fraction (or number) of examples in the test set.
    random_state : int or None, default 0
        Seed of the split; None for a different split each call.
    as_images : bool, default False
        Return images (m, 1, 8, 8) instead of rows (m, 64).
    dtype : numpy dtype, default float32

    Returns
    -------
    TrainTestData
        ``(X_train, y_train, X_test, y_test, classes)``, classes ``("0", ..., "9")``.

    Shape
    -----
    X_train: (1347, 64) or (1347, 1, 8, 8); y_train: (1347,); X_test: (450, 64) or (450, 1, 8, 8);
    y_test: (450,) (with the default test_size).

    Examples
    --------
    >>> X_train, y_train, X_test, y_test, classes = load_digits()
    >>> X_train.shape, X_test.shape, X_train.dtype, y_train.dtype
    ((1347, 64), (450, 64), dtype('float32'), dtype('int64'))
    >>> float(X_train.max())
    1.0
    """
    from sklearn import datasets

    bunch = datasets.load_digits()
    X = (bunch.data / 16.0).astype(dtype)
    if as_images:
        X = X.reshape(-1, 1, 8, 8)
    return _split(X, bunch.target, [str(c) for c in bunch.target_names], test_size, random_state)


def load_breast_cancer(test_size: float = 0.25, random_state: int | np.random.Generator | None = 0,
                       dtype: DTypeLike = np.float32) -> TrainTestData:
    """scikit-learn's Wisconsin breast-cancer set: 569 tumours, 30 features, binary, no download.

    Label 0 is ``"malignant"`` and 1 is ``"benign"``, as in scikit-learn. The features are left in their
    original, very different scales: standardise them (:class:`Standardizer`, fitted on the training set)
    before training a network.

    Parameters
    ----------
    test_size : float or int, default 0.25
    random_state : int or None, default 0
        Seed of the stratified split.
    dtype : numpy dtype, default float32

    Returns
    -------
    TrainTestData
        ``(X_train, y_train, X_test, y_test, ("malignant", "benign"))``.

    Shape
    -----
    X_train: (426, 30); y_train: (426,); X_test: (143, 30); y_test: (143,) (with the default test_size).

    Examples
    --------
    >>> data = load_breast_cancer()
    >>> data.X_train.shape, data.classes
    ((426, 30), ('malignant', 'benign'))
    """
    from sklearn import datasets

    bunch = datasets.load_breast_cancer()
    return _split(bunch.data.astype(dtype), bunch.target, [str(c) for c in bunch.target_names], test_size,
                  random_state)
