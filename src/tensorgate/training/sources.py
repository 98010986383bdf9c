"""Where fit, evaluate and predict get their batches: (X, y) arrays (shuffled and cut into batches in CPU
memory, in the model's dtype) or any iterable of (x, y) batches (a DataLoader); and the small settings of
the model they share (its dtype, its mode, the loss's device).

Shape: X (m, ...), y (m,) or (m, K); batches (b, ...) and (b,) or (b, K).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable, Union
import math

import numpy as np

from ..autograd import Tensor
from ..backend import devices as D
from .placement import host

if TYPE_CHECKING:
    from typing import TypeAlias

    from ..autograd.tensor import TensorLike

    #: a loss: ``loss_fn(output, target)`` → the batch's mean loss as a scalar Tensor
    LossFn: TypeAlias = Callable[[Tensor, Tensor], Tensor]
    #: what fit, evaluate and predict train on: (X, y) arrays or tensors, or an iterable of (x, y) batches
    #: (a DataLoader)
    Data: TypeAlias = Union[tuple[TensorLike, TensorLike], Iterable[Any]]


def _model_dtype(model):
    for p in model.parameters():
        return D.numpy_dtype(p.data.dtype)
    return np.dtype(np.float32)


def _column(a, float_dtype, what):
    """One column of the data (X or y) as a NumPy array, in CPU memory whatever device it came from: fit
    shuffles and batches on the host and moves each batch to the model's device."""
    array = a.data if isinstance(a, Tensor) else a
    array = array if array.__class__ is np.ndarray else host(array) if D.is_array(array) else np.asarray(array)
    if array.ndim == 0:
        raise ValueError(f"fit: {what} is a scalar; it needs one row per example")
    if array.dtype.kind == "f" and array.dtype != float_dtype:
        array = array.astype(float_dtype)  # once, not per batch: the model's dtype decides
    elif array.dtype.kind in "iu" and array.dtype != np.int64:
        array = array.astype(np.int64)
    elif array.dtype.kind not in "fiub":
        raise TypeError(f"fit: {what} has dtype {array.dtype}; give numbers")
    return array


def _is_array_pair(data):
    return (isinstance(data, (tuple, list)) and len(data) == 2
            and all(isinstance(a, (np.ndarray, Tensor, list)) for a in data))


class _Arrays:
    """(X, y) held as NumPy arrays; batches are fancy-indexed rows (one copy per batch, nothing else)."""

    def __init__(self, data, batch_size, dtype, name):
        self.X = _column(data[0], dtype, f"{name} X")
        self.y = _column(data[1], dtype, f"{name} y")
        if self.X.shape[0] != self.y.shape[0]:
            raise ValueError(f"fit: {name} X has {self.X.shape[0]} examples but y has {self.y.shape[0]} "
                             f"(shapes {self.X.shape} and {self.y.shape})")
        self.n = self.X.shape[0]
        if self.n == 0:
            raise ValueError(f"fit: {name} data has no examples")
        if batch_size is None:
            batch_size = self.n
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"fit: batch_size must be a positive integer or None (full batch), got {batch_size!r}")
        self.batch_size = min(int(batch_size), self.n)

    def __len__(self):
        return -(-self.n // self.batch_size)

    def batches(self, rng=None):
        X, y, b = self.X, self.y, self.batch_size
        if rng is None:
            for start in range(0, self.n, b):
                yield X[start:start + b], y[start:start + b]  # views
            return
        order = rng.permutation(self.n)
        for start in range(0, self.n, b):
            index = order[start:start + b]
            yield X[index], y[index]


class _Iterable:
    """A DataLoader (or any re-iterable of (x, y) batches): it shuffles, if at all, by itself."""

    def __init__(self, data, dtype):
        self.data = data
        self.dtype = dtype

    def __len__(self):
        return len(self.data)

    def batches(self, rng=None):
        for batch in self.data:
            if not isinstance(batch, (tuple, list)) or len(batch) < 2:
                raise ValueError(f"fit: a data iterable must yield (x, y) batches, got {type(batch).__name__}")
            yield (_column(batch[0], self.dtype, "batch x"), _column(batch[1], self.dtype, "batch y"))


def _source(data, batch_size, dtype, name):
    if _is_array_pair(data):
        return _Arrays(data, batch_size, dtype, name)
    if hasattr(data, "arrays") and len(getattr(data, "arrays")) == 2:  # an ArrayDataset
        return _Arrays(data.arrays, batch_size, dtype, name)
    if hasattr(data, "__iter__") and not isinstance(data, (str, bytes, np.ndarray, Tensor)):
        return _Iterable(data, dtype)
    raise TypeError(f"fit: {name} data must be a pair (X, y) of arrays or Tensors, or an iterable of (x, y) "
                    f"batches such as a DataLoader; got {type(data).__name__}")


def _split_last(data, fraction):
    """Keras's ``validation_split``: (train, validation) with the validation set the last ``fraction`` of the
    rows, taken before any shuffling; arrays only."""
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float, np.integer, np.floating)) \
            or not 0 <= fraction < 1:
        raise ValueError(f"fit: validation_split must be a fraction in [0, 1), got {fraction!r}")
    if hasattr(data, "arrays") and len(getattr(data, "arrays")) == 2:
        data = data.arrays
    if not _is_array_pair(data):
        raise ValueError("fit: validation_split is only supported for (X, y) arrays or Tensors; with a DataLoader "
                         "or another iterable, pass val_data")
    X, y = data
    n = len(X)
    split_at = int(math.floor(n * (1.0 - fraction)))    # as Keras: the first rows train, the rest validate
    if split_at == 0 or split_at == n:
        raise ValueError(f"fit: the training data has {n} examples, which is not enough to hold out "
                         f"validation_split={fraction} of them for validation")
    return (X[:split_at], y[:split_at]), (X[split_at:], y[split_at:])


def _set_mode(model, training):
    if hasattr(model, "train"):
        model.train() if training else model.eval()


def _loss_follows(loss_fn, where):
    """A loss module's buffers (class weights, pos_weight) moved to the model's device, as a PyTorch loop's
    ``criterion.to(device)``."""
    buffers = list(loss_fn.buffers()) if hasattr(loss_fn, "buffers") and hasattr(loss_fn, "to") else []
    if any(D.device_of(b.data) != where for b in buffers):
        loss_fn.to(D.describe(where))
