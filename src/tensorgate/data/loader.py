"""Datasets of arrays and the loader that cuts them into batches of tensors.

The batch size decides which flavour of gradient descent a training loop performs:

* ``batch_size=1``: **stochastic** gradient descent, one update per example;
* ``batch_size=len(dataset)``: **full-batch** (batch) gradient descent, one update per epoch;
* anything between: **mini-batch** gradient descent, the usual choice (32-256).

One pass over the whole dataset is an epoch; ``len(loader)`` is the number of updates it makes.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import math

import numpy as np

from ..autograd import Tensor
from ..backend import devices, ops
from ..backend import random as _random
from .dataset import Dataset, IterableDataset
from .workers import WorkerPool, batch_seed, fetch

if TYPE_CHECKING:
    from typing import Callable, Iterable, Iterator, Sequence

    from numpy.typing import ArrayLike, NDArray

__all__ = ["ArrayDataset", "TensorDataset", "DataLoader", "default_collate"]


def _rows(a, index):
    """``a[index]`` for a column on any device: an index array goes to the column's device first (the array
    API standard indexes with arrays of the same device only)."""
    if a.__class__ is np.ndarray:
        return a[index]
    if isinstance(index, (np.ndarray, list)):
        index = np.asarray(index)
        index = np.flatnonzero(index) if index.dtype == bool else index.astype(np.int64, copy=False)
        xp = devices.namespace(a)
        return xp.take(a, devices.to_device(index, *devices.device_of(a)), axis=0)
    if isinstance(index, np.integer):
        index = int(index)
    return a[index, ...]      # the standard wants every axis named: rows, then the rest


def _as_array(a, position, owner="ArrayDataset"):
    """An ndarray for a dataset column: Tensors and arrays keep their dtype; lists follow tg.tensor's rules."""
    if isinstance(a, Tensor):
        a = a.data
    if a.__class__ is not np.ndarray and devices.is_array(a):    # a column on a GPU (or the stand-in device)
        if a.ndim == 0:
            raise ValueError(f"{owner}: array {position} is a scalar; each array needs a first dimension "
                             "of one entry per example")
        return a
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

    def __init__(self, *arrays: ArrayLike):
        name = type(self).__name__
        if not arrays:
            raise ValueError(f"{name}: give at least one array, e.g. {name}(X, y)")
        self.arrays = tuple(_as_array(a, i, name) for i, a in enumerate(arrays))
        lengths = {a.shape[0] for a in self.arrays}
        if len(lengths) > 1:
            shapes = ", ".join(str(a.shape) for a in self.arrays)
            raise ValueError(f"{name}: all arrays need the same first dimension (one entry per "
                             f"example), got shapes {shapes}")

    def __len__(self) -> int:
        return self.arrays[0].shape[0]

    def __getitem__(self, index: Any) -> tuple[NDArray[Any], ...]:
        return tuple(_rows(a, index) for a in self.arrays)

    def __repr__(self) -> str:
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
    def tensors(self) -> tuple[Tensor, ...]:
        return tuple(Tensor(a, dtype=devices.numpy_dtype(a.dtype)) for a in self.arrays)

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:  # type: ignore[override]
        return tuple(Tensor(_rows(a, index), dtype=devices.numpy_dtype(a.dtype)) for a in self.arrays)


class DataLoader:
    """Iterate over a dataset in batches of tensors, optionally shuffled: one full pass is one epoch.

    ``batch_size=1`` gives stochastic gradient descent, ``batch_size=len(dataset)`` full-batch gradient
    descent, sizes between mini-batch gradient descent. PyTorch's arguments, in PyTorch's order.

    Parameters
    ----------
    dataset : ArrayDataset, TensorDataset, Dataset or sequence
        An :class:`ArrayDataset` or TensorDataset (fast: each batch is one NumPy fancy-indexing per array,
        in the main process whatever ``num_workers`` says — no worker could be faster), or any object with
        ``__len__`` and ``__getitem__`` returning an example: an array, a tuple/list of parts or a dict
        (arrays, tensors or numbers, stacked per batch; Python floats become float32, as in ``tg.tensor``).
        A bare pair ``(X, y)`` of arrays is wrapped in an ArrayDataset.
    batch_size : int, default 1
        Examples per batch; the last batch is smaller when it does not divide the dataset.
    shuffle : bool, default False
        Visit the examples in a new random order each epoch.
    sampler : iterable of int, optional
        The example indices to visit, in order (e.g. :class:`SubsetRandomSampler`); excludes ``shuffle``.
    batch_sampler : iterable of lists of int, optional
        The batches themselves; excludes batch_size, shuffle, sampler and drop_last.
    num_workers : int, default 0
        Worker processes that compute the batches of a Python dataset (augmentations) in parallel. The
        batches come out in order and equal to ``num_workers=0``'s, random augmentations included: each batch
        is computed with Python's ``random``, ``np.random`` and tensorgate's generator seeded from (the
        epoch's seed, the batch number), in a worker or in the main process alike (see ``workers.py``).
    collate_fn : callable, optional
        Turns a list of examples into a batch (default: stack each part into a tensor).
    pin_memory : bool
        Put each batch in page-locked ("pinned") host memory, from which ``batch.to('cuda')`` copies faster (the
        GPU reads it by DMA). The batches are still CPU tensors. Needs CuPy and a GPU; without them it does
        nothing (there is no GPU to pin memory for), as PyTorch does.
    drop_last : bool, default False
        Skip the last, smaller batch (so every update sees ``batch_size`` examples).
    timeout : float, default 0
        Seconds to wait for a worker's batch before raising (0: wait as long as the workers live).
    worker_init_fn : callable, optional
        Called as ``worker_init_fn(worker_id)`` in each worker when it starts.
    multiprocessing_context : str or context, optional
        'fork' (the default where available), 'spawn' or 'forkserver'; spawn needs a picklable dataset.
    generator : numpy.random.Generator, optional
        Draws the shuffling orders and the epochs' seeds instead of the global generator.
    prefetch_factor : int, default 2 with workers
        Batches in flight per worker.
    persistent_workers : bool
        Keep the workers alive from one epoch to the next (they keep the dataset as it was when they started).
    seed : int, optional
        Makes shuffling and augmentations reproducible: epoch e uses the permutation drawn from ``(seed, e)``,
        so the order changes from epoch to epoch but every run with the same seed sees the same orders.
        Without a seed, orders are drawn from tensorgate's global generator (``tg.manual_seed``).

    Yields
    ------
    tuple of Tensor (or what ``collate_fn`` returns)
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

    def __init__(self, dataset: Any, batch_size: int | None = 1, shuffle: bool | None = False,
                 sampler: Iterable[int] | None = None, batch_sampler: Iterable[Sequence[int]] | None = None,
                 num_workers: int = 0, collate_fn: Callable[[list[Any]], Any] | None = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0, worker_init_fn: Callable[[int], None] | None = None,
                 multiprocessing_context: Any = None, generator: np.random.Generator | None = None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False, pin_memory_device: str = "",
                 seed: int | None = None):
        if isinstance(dataset, tuple) and all(isinstance(a, (np.ndarray, Tensor)) for a in dataset):
            dataset = ArrayDataset(*dataset)
        self._stream = isinstance(dataset, IterableDataset)
        if self._stream and (shuffle or sampler is not None or batch_sampler is not None or num_workers):
            raise ValueError("DataLoader: an IterableDataset is read in order in the main process: shuffle, sampler, "
                             "batch_sampler and num_workers > 0 are not supported with it")
        if not self._stream and not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(f"DataLoader: dataset must have __len__ and __getitem__ (e.g. an ArrayDataset), "
                            f"got {type(dataset).__name__}")
        if batch_size is None:
            raise NotImplementedError("DataLoader: batch_size=None (no automatic batching) is not supported; "
                                      "use batch_size=1, or index the dataset directly")
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive integer, got {batch_size!r}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
            raise ValueError(f"DataLoader: seed must be a non-negative integer or None, got {seed!r}")
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None and (batch_size != 1 or shuffle or sampler is not None or drop_last):
            raise ValueError("DataLoader: batch_sampler option is mutually exclusive with batch_size, shuffle, "
                             "sampler, and drop_last")
        if isinstance(num_workers, bool) or not isinstance(num_workers, (int, np.integer)) or num_workers < 0:
            raise ValueError(f"DataLoader: num_workers must be a non-negative integer, got {num_workers!r}")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("DataLoader: prefetch_factor option could only be specified in multiprocessing; "
                             "let num_workers > 0 to enable multiprocessing")
        if num_workers == 0 and persistent_workers:
            raise ValueError("DataLoader: persistent_workers option needs num_workers > 0")
        if prefetch_factor is not None and (isinstance(prefetch_factor, bool) or not isinstance(prefetch_factor, int)
                                            or prefetch_factor < 1):
            raise ValueError(f"DataLoader: prefetch_factor must be a positive integer, got {prefetch_factor!r}")
        if not isinstance(timeout, (int, float)) or timeout < 0:
            raise ValueError(f"DataLoader: timeout option should be non-negative, got {timeout!r}")
        if worker_init_fn is not None and not callable(worker_init_fn):
            raise TypeError("DataLoader: worker_init_fn must be a function of the worker id")
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError("DataLoader: collate_fn must be a function of a list of examples")
        if generator is not None and not isinstance(generator, np.random.Generator):
            raise TypeError(f"DataLoader: generator must be a numpy.random.Generator, got {type(generator).__name__}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = bool(drop_last)
        self.seed = seed
        self.sampler, self.batch_sampler, self.collate_fn = sampler, batch_sampler, collate_fn
        self.num_workers, self.timeout, self.worker_init_fn = int(num_workers), timeout, worker_init_fn
        self.multiprocessing_context, self.generator = multiprocessing_context, generator
        self.prefetch_factor = (2 if prefetch_factor is None else prefetch_factor) if num_workers else None
        self.persistent_workers, self.pin_memory = bool(persistent_workers), bool(pin_memory)
        self.pin_memory_device = pin_memory_device
        self._pool = None
        self.epoch = 0  # the number of epochs started; the next iteration uses this epoch's order

    def __len__(self) -> int:
        if self._stream:
            if not hasattr(self.dataset, "__len__"):
                raise TypeError("DataLoader: this IterableDataset has no __len__, so the number of batches is unknown")
            m = len(self.dataset)
            return m // self.batch_size if self.drop_last else math.ceil(m / self.batch_size)
        if self.batch_sampler is not None:
            return len(self.batch_sampler)  # type: ignore[arg-type]
        m = len(self.sampler) if self.sampler is not None else len(self.dataset)  # type: ignore[arg-type]
        return m // self.batch_size if self.drop_last else math.ceil(m / self.batch_size)

    def __repr__(self) -> str:
        if self._stream:
            return f"DataLoader({type(self.dataset).__name__} stream, batch_size={self.batch_size})"
        workers = f", num_workers={self.num_workers}" if self.num_workers else ""
        return (f"DataLoader({len(self.dataset)} examples, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last}, seed={self.seed}{workers}, {len(self)} batches)")

    def set_epoch(self, epoch: int) -> None:
        """Make the next iteration use epoch ``epoch``'s order (to resume a run from a checkpoint).

        Shape: not applicable.
        """
        self.epoch = int(epoch)

    def order(self, epoch: int) -> NDArray[Any]:
        """The permutation of example indices that epoch ``epoch`` visits (with a seed or no shuffling).

        Shape: (m,) int64.
        """
        m = len(self.dataset)
        if self.sampler is not None:
            return np.asarray(list(self.sampler), dtype=np.int64)
        if not self.shuffle:
            return np.arange(m)
        if self.seed is None:
            return (self.generator or _random.generator()).permutation(m)
        return np.random.default_rng([self.seed, epoch]).permutation(m)

    def _epoch_seed(self, epoch):
        """The base seed of an epoch's batches (augmentations): from the loader's seed, or drawn."""
        if self.seed is not None:
            return int(np.random.SeedSequence([self.seed, epoch, 1]).generate_state(1)[0])
        return int((self.generator or _random.generator()).integers(0, 2 ** 32))

    def __iter__(self) -> Iterator[Any]:
        epoch = self.epoch
        self.epoch += 1
        if self._stream:
            stream = self._stream_batches()
            return _pinned_batches(stream) if self.pin_memory and devices.cuda_device_count() else stream
        if self.batch_sampler is not None:
            batches = [np.asarray(b, dtype=np.int64) for b in self.batch_sampler]
        else:
            order = self.order(epoch)
            m, b = len(order), self.batch_size
            stop = m - m % b if self.drop_last else m
            batches = [order[start:start + b] for start in range(0, stop, b)]
        if isinstance(self.dataset, ArrayDataset) and self.collate_fn is None:
            batched = self._array_batches(batches)
        else:
            batched = self._python_batches(batches, self._epoch_seed(epoch))
        return _pinned_batches(batched) if self.pin_memory and devices.cuda_device_count() else batched

    def _array_batches(self, batches):
        contiguous = not self.shuffle and self.sampler is None and self.batch_sampler is None
        start = 0
        for idx in batches:
            if contiguous:   # views: no copy
                arrays = [a[start:start + len(idx)] if a.__class__ is np.ndarray
                          else a[start:start + len(idx), ...] for a in self.dataset.arrays]
                start += len(idx)
            else:
                arrays = [a[idx] if a.__class__ is np.ndarray else _rows(a, idx) for a in self.dataset.arrays]
            yield tuple(_to_tensor(a) for a in arrays)

    def _python_batches(self, batches, base_seed):
        collate = self.collate_fn or default_collate
        tasks = ((k, [int(i) for i in idx], batch_seed(base_seed, k)) for k, idx in enumerate(batches))
        if self.num_workers == 0:
            for _, indices, seed in tasks:
                yield fetch(self.dataset, indices, collate, seed)
            return
        pool = self._pool or WorkerPool(self.dataset, collate, self.num_workers, self.worker_init_fn, base_seed,
                                        self.prefetch_factor, self.timeout, self.multiprocessing_context)  # type: ignore[arg-type]
        if self.persistent_workers:
            self._pool = pool  # type: ignore[assignment]
        try:
            yield from pool.run(tasks)
        except BaseException:
            pool.shutdown()
            self._pool = None
            raise
        finally:
            if not self.persistent_workers:
                pool.shutdown()

    def _stream_batches(self):
        """Consecutive examples of an IterableDataset, batched (the stream draws from the global generators)."""
        collate, batch = self.collate_fn or default_collate, []
        for example in self.dataset:  # type: ignore[union-attr]
            batch.append(example)
            if len(batch) == self.batch_size:
                yield collate(batch)
                batch = []
        if batch and not self.drop_last:
            yield collate(batch)

    def __del__(self) -> None:
        pool = self.__dict__.get("_pool")
        if pool is not None:
            pool.shutdown()


def _pinned_batches(batches):
    for batch in batches:
        yield _pin(batch)


def _pin(batch):
    """A batch (Tensors, or tuples, lists and dicts of them) with its NumPy arrays in pinned host memory."""
    if isinstance(batch, Tensor):
        return Tensor(ops.pinned(batch.data), dtype=batch.dtype) if batch.data.__class__ is np.ndarray else batch
    if isinstance(batch, np.ndarray):
        return ops.pinned(batch)
    if isinstance(batch, dict):
        return batch.__class__((k, _pin(v)) for k, v in batch.items())
    if isinstance(batch, tuple) and hasattr(batch, "_fields"):     # a namedtuple
        return batch.__class__(*(_pin(v) for v in batch))
    if isinstance(batch, (tuple, list)):
        return batch.__class__(_pin(v) for v in batch)
    return batch


def default_collate(examples: Sequence[Any]) -> Any:
    """The default batching: stack each part of the examples into a tensor (PyTorch's ``default_collate``).

    Examples that are tuples or lists give a tuple of tensors, dicts a dict, single arrays or numbers a
    one-tuple (the loader's ``(x_batch,)``). Arrays and tensors keep their dtype; Python floats become float32,
    integers int64.

    Shape: k examples with a part of shape S → that part's batch (k, *S).

    Examples
    --------
    >>> [t.tolist() for t in default_collate([(1.0, 0), (2.0, 1)])]
    [[1.0, 2.0], [0, 1]]
    """
    first = examples[0]
    if isinstance(first, dict):
        return {key: _to_tensor(_stack([e[key] for e in examples])) for key in first}
    return tuple(_to_tensor(a) for a in _collate(examples))


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
    if array.__class__ is not np.ndarray:   # a batch of a column on another device: Tensor's rules there
        return Tensor(array, dtype=devices.numpy_dtype(array.dtype) if devices.kind(array.dtype) == "f" else None)
    if array.dtype.kind in "iu" and array.dtype != np.int64:
        array = array.astype(np.int64)
    return Tensor(array, dtype=array.dtype)
