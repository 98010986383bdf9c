"""Datasets of arrays and the loader that cuts them into batches of tensors.

The batch size decides which flavour of gradient descent a training loop performs:

* ``batch_size=1``: **stochastic** gradient descent, one update per example;
* ``batch_size=len(dataset)``: **full-batch** (batch) gradient descent, one update per epoch;
* anything between: **mini-batch** gradient descent, the usual choice (32-256).

One pass over the whole dataset is an epoch; ``len(loader)`` is the number of updates it makes.
"""
import math

import numpy as np

from ..autograd import Tensor
from ..backend import random as _random
from .dataset import Dataset

__all__ = ["ArrayDataset", "TensorDataset", "DataLoader"]


def _as_array(a, position, owner="ArrayDataset"):
    """An ndarray for a dataset column: Tensors and arrays keep their dtype; lists follow tg.tensor's rules."""
    if isinstance(a, Tensor):
        return a.data
    if isinstance(a, np.ndarray):
        array = a
    else:
        array = np.asarray(a)
        if array.dtype.kind == "f":
            array = array.astype(np.float32)
        elif array.dtype.kind in "iu":
            array = array.astype(np.int64)
    if array.ndim == 0:
        raise ValueError(f"{owner}: array {position} is a scalar; each array needs a first dimension "
                         "of one entry per example")
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{owner}: array {position} has dtype {array.dtype}; only numbers and booleans "
                         "can become tensors")
    return array


class ArrayDataset(Dataset):
    """Arrays that share their first dimension, indexed together: ``dataset[i] == (X[i], y[i])``.

    Parameters
    ----------
    *arrays : array_like or Tensor
        Usually ``X, y``. NumPy arrays and Tensors keep their dtype (and are not copied); lists become
        float32 or int64 like ``tg.tensor``.

    Shape
    -----
    each array: (m, ...) with the same m; ``dataset[i]``: a tuple of rows (...); ``dataset[idx]`` with an
    index array of length b: a tuple of batches (b, ...).

    Raises
    ------
    ValueError
        If no array is given, or the first dimensions differ (the message lists the shapes).

    Examples
    --------
    >>> import numpy as np
    >>> ds = ArrayDataset(np.zeros((5, 3), np.float32), np.arange(5))
    >>> len(ds), ds[2][0].shape, int(ds[2][1])
    (5, (3,), 2)
    >>> [a.shape for a in ds[np.array([0, 4])]]
    [(2, 3), (2,)]
    """

    def __init__(self, *arrays):
        name = type(self).__name__
        if not arrays:
            raise ValueError(f"{name}: give at least one array, e.g. {name}(X, y)")
        self.arrays = tuple(_as_array(a, i, name) for i, a in enumerate(arrays))
        lengths = {a.shape[0] for a in self.arrays}
        if len(lengths) > 1:
            shapes = ", ".join(str(a.shape) for a in self.arrays)
            raise ValueError(f"{name}: all arrays need the same first dimension (one entry per "
                             f"example), got shapes {shapes}")

    def __len__(self):
        return self.arrays[0].shape[0]

    def __getitem__(self, index):
        return tuple(a[index] for a in self.arrays)

    def __repr__(self):
        parts = ", ".join(f"{a.dtype} {a.shape}" for a in self.arrays)
        return f"{type(self).__name__}({parts})"


class TensorDataset(ArrayDataset):
    """PyTorch's name for an :class:`ArrayDataset` whose examples come back as tensors.

    ``TensorDataset(X, y)[i] == (X[i], y[i])`` as a tuple of Tensors (sharing memory with the data, without
    gradient); ``.tensors`` holds the whole columns as Tensors. Arrays are accepted too. A DataLoader
    batches it as fast as an ArrayDataset.

    Shape: each tensor (m, ...) with the same m; ``dataset[i]``: a tuple of (...) rows.

    Examples
    --------
    >>> import tensorgate as tg
    >>> ds = TensorDataset(tg.zeros(5, 3), tg.arange(5))
    >>> x, y = ds[2]
    >>> len(ds), x.shape, y.item()
    (5, (3,), 2)
    """

    @property
    def tensors(self):
        return tuple(Tensor(a, dtype=a.dtype) for a in self.arrays)

    def __getitem__(self, index):
        return tuple(Tensor(a[index], dtype=a.dtype) for a in self.arrays)


class DataLoader:
    """Iterate over a dataset in batches of tensors, optionally shuffled: one full pass is one epoch.

    ``batch_size=1`` gives stochastic gradient descent, ``batch_size=len(dataset)`` full-batch gradient
    descent, sizes between mini-batch gradient descent.

    Parameters
    ----------
    dataset : ArrayDataset, TensorDataset, Dataset or sequence
        An :class:`ArrayDataset` or TensorDataset (fast: each batch is one NumPy fancy-indexing per array),
        or any object with ``__len__`` and ``__getitem__`` returning an example or a tuple of its parts
        (arrays, tensors or numbers, stacked per batch; Python floats become float32, as in ``tg.tensor``).
        A bare pair ``(X, y)`` of arrays is wrapped in an ArrayDataset.
    batch_size : int, default 1
        Examples per batch; the last batch is smaller when it does not divide the dataset.
    shuffle : bool, default False
        Visit the examples in a new random order each epoch.
    drop_last : bool, default False
        Skip the last, smaller batch (so every update sees ``batch_size`` examples).
    seed : int, optional
        Makes shuffling reproducible: epoch e uses the permutation drawn from ``(seed, e)``, so the order
        changes from epoch to epoch but every run with the same seed sees the same orders. Without a
        seed, orders are drawn from tensorgate's global generator (``tg.manual_seed``).

    Yields
    ------
    tuple of Tensor
        One tensor per dataset array, e.g. ``(x_batch, y_batch)``. Floating arrays keep their dtype
        (float32 by default), integer labels are int64. The tensors do not require gradients.

    Shape
    -----
    x_batch: (b, ...) where the dataset's X is (m, ...); y_batch: (b,); b = batch_size (the last batch
    may be smaller). ``len(loader)`` = ceil(m / batch_size), or floor with ``drop_last``.

    Examples
    --------
    >>> import numpy as np
    >>> X, y = np.arange(10, dtype=np.float32).reshape(5, 2), np.arange(5)
    >>> loader = DataLoader(ArrayDataset(X, y), batch_size=2, shuffle=True, seed=0)
    >>> len(loader)
    3
    >>> [tuple(xb.shape) for xb, yb in loader]
    [(2, 2), (2, 2), (1, 2)]
    >>> xb, yb = next(iter(loader))
    >>> xb.dtype, yb.dtype
    (dtype('float32'), dtype('int64'))
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, seed=None):
        if isinstance(dataset, tuple) and all(isinstance(a, (np.ndarray, Tensor)) for a in dataset):
            dataset = ArrayDataset(*dataset)
        if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(f"DataLoader: dataset must have __len__ and __getitem__ (e.g. an ArrayDataset), "
                            f"got {type(dataset).__name__}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive integer, got {batch_size!r}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
            raise ValueError(f"DataLoader: seed must be a non-negative integer or None, got {seed!r}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.seed = seed
        self.epoch = 0  # the number of epochs started; the next iteration uses this epoch's order

    def __len__(self):
        m = len(self.dataset)
        return m // self.batch_size if self.drop_last else math.ceil(m / self.batch_size)

    def __repr__(self):
        return (f"DataLoader({len(self.dataset)} examples, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last}, seed={self.seed}, {len(self)} batches)")

    def set_epoch(self, epoch):
        """Make the next iteration use epoch ``epoch``'s order (to resume a run from a checkpoint).

        Shape: not applicable.
        """
        self.epoch = int(epoch)

    def order(self, epoch):
        """The permutation of example indices that epoch ``epoch`` visits (with a seed or no shuffling).

        Shape: (m,) int64.
        """
        m = len(self.dataset)
        if not self.shuffle:
            return np.arange(m)
        if self.seed is None:
            return _random.generator().permutation(m)
        return np.random.default_rng([self.seed, epoch]).permutation(m)

    def __iter__(self):
        order = self.order(self.epoch)
        self.epoch += 1
        m, b = len(order), self.batch_size
        stop = m - m % b if self.drop_last else m
        fast = isinstance(self.dataset, ArrayDataset)
        for start in range(0, stop, b):
            if not self.shuffle and fast:
                arrays = [a[start:start + b] for a in self.dataset.arrays]  # views: no copy
            elif fast:
                arrays = [a[order[start:start + b]] for a in self.dataset.arrays]
            else:
                arrays = _collate([self.dataset[int(i)] for i in order[start:start + b]])
            yield tuple(_to_tensor(a) for a in arrays)


def _collate(examples):
    first = examples[0]
    if not isinstance(first, (tuple, list)):
        return (_stack(examples),)
    return tuple(_stack([e[k] for e in examples]) for k in range(len(first)))


def _stack(values):
    """One batch array from a part of each example. Arrays and tensors keep their dtype; Python numbers
    follow tg.tensor's rules (floats become float32, where torch's collate would make float64)."""
    array = np.stack([np.asarray(v) for v in values])
    if array.dtype.kind == "f" and not isinstance(values[0], (np.ndarray, np.generic, Tensor)):
        array = array.astype(np.float32)
    return array


def _to_tensor(array):
    if array.dtype.kind in "iu" and array.dtype != np.int64:
        array = array.astype(np.int64)
    return Tensor(array, dtype=array.dtype)
