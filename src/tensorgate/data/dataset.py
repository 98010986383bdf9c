"""PyTorch's dataset names: the Dataset base class, Subset and random_split.

Any object with ``__len__`` and ``__getitem__`` (returning one example, or a tuple of its parts) can feed a
:class:`~tensorgate.data.DataLoader`; :class:`Dataset` is that contract spelled as a base class, as in
``torch.utils.data``. ``TensorDataset`` lives in ``loader.py``, beside the ArrayDataset it builds on.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import math

import numpy as np

from ..backend import random as _random

if TYPE_CHECKING:
    from typing import Iterable, Iterator, Sequence

__all__ = ["Dataset", "Subset", "random_split", "ConcatDataset", "IterableDataset"]


class Dataset:
    """Base class for map-style datasets: subclass it and define ``__getitem__`` and ``__len__``.

    ``dataset[i]`` returns example i: one array or a tuple such as ``(x, y)``; a DataLoader stacks the
    examples of a batch. Shape: ``dataset[i]`` parts of any shape; the batch adds a first axis (b, ...).

    Examples
    --------
    >>> import numpy as np
    >>> from tensorgate.data import DataLoader
    >>> class Squares(Dataset):
    ...     def __len__(self):
    ...         return 4
    ...     def __getitem__(self, i):
    ...         return np.array([i], np.float32), i * i
    >>> [yb.tolist() for xb, yb in DataLoader(Squares(), batch_size=2)]
    [[0, 1], [4, 9]]
    """

    def __getitem__(self, index: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__}: a Dataset subclass must define __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__}: a Dataset subclass must define __len__ "
                                  "(a DataLoader needs the number of examples)")


class Subset(Dataset):
    """The examples of ``dataset`` at ``indices``, in that order: ``subset[i] == dataset[indices[i]]``.

    Shape: ``len(subset) == len(indices)``; examples as in ``dataset``.

    Examples
    --------
    >>> import numpy as np
    >>> s = Subset(np.array([10, 11, 12, 13]), [3, 1])
    >>> len(s), int(s[0]), s[[0, 1]].tolist()
    (2, 13, [13, 11])
    """

    def __init__(self, dataset: Dataset | Sequence[Any], indices: Sequence[int]):
        self.dataset = dataset
        self.indices = [int(i) for i in indices]

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, list):  # a list of positions is passed on as one list, as torch's Subset does
            return self.dataset[[self.indices[i] for i in index]]  # type: ignore[call-overload]
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)

    def __repr__(self) -> str:
        return f"Subset({len(self)} of {len(self.dataset)} examples)"


def random_split(dataset: Dataset | Sequence[Any], lengths: Sequence[float],
                 generator: np.random.Generator | None = None, *, seed: int | None = None) -> list[Subset]:
    """Split ``dataset`` at random into non-overlapping :class:`Subset` s of the given lengths.

    ``lengths`` are counts summing to ``len(dataset)``, or fractions summing to 1: each gets
    ⌊fraction · m⌋ examples and the remainder is dealt out one at a time from the first subset on, as in
    PyTorch. The permutation comes from ``generator`` (a ``numpy.random.Generator``), else from ``seed``,
    else from tensorgate's global generator (``tg.manual_seed``).

    Shape: m = len(dataset); k lengths → k Subsets whose lengths sum to m.

    Examples
    --------
    >>> train, val = random_split(list(range(10)), [0.8, 0.2], seed=0)
    >>> len(train), len(val), sorted(train.indices + val.indices) == list(range(10))
    (8, 2, True)
    """
    m = len(dataset)
    lengths = list(lengths)
    if generator is not None and seed is not None:
        raise TypeError("random_split: give generator= or seed=, not both")
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:  # fractions (PyTorch's test, so [0, 1] is too)
        if any(not 0 <= f <= 1 for f in lengths):
            raise ValueError(f"random_split: fractions must lie in [0, 1], got {lengths}")
        counts = [int(math.floor(m * f)) for f in lengths]
        for i in range(m - sum(counts)):
            counts[i % len(counts)] += 1
        lengths = counts
    if any(isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0 for n in lengths):
        raise ValueError(f"random_split: lengths must be non-negative integers or fractions summing to 1, "
                         f"got {lengths}")
    if sum(lengths) != m:
        raise ValueError(f"random_split: lengths {lengths} sum to {sum(lengths)}, but the dataset has {m} "
                         "examples")
    if generator is None:
        generator = _random.generator() if seed is None else np.random.default_rng(seed)
    order = generator.permutation(m).tolist()
    bounds = np.cumsum([0] + lengths)
    return [Subset(dataset, order[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]


class ConcatDataset(Dataset):
    """Several datasets one after another: example i of the whole is example i − offset of the part it falls in.

    Shape: ``dataset[i]`` as the part's example; ``len`` the sum of the parts' lengths.

    Examples
    --------
    >>> ds = ConcatDataset([[10, 11], [20, 21, 22]])
    >>> len(ds), ds[1], ds[2], ds[-1]
    (5, 11, 20, 22)
    """

    def __init__(self, datasets: Iterable[Dataset]):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        self.cumulative_sizes = np.cumsum([len(d) for d in self.datasets]).tolist()

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        n = len(self)
        if isinstance(index, (bool, np.bool_)) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"ConcatDataset: index must be an integer, got {type(index).__name__}")
        if not -n <= index < n:
            raise IndexError(f"ConcatDataset: index {index} is out of range for {n} examples")
        index = int(index) % n
        part = int(np.searchsorted(self.cumulative_sizes, index, side="right"))
        offset = self.cumulative_sizes[part - 1] if part else 0
        return self.datasets[part][index - offset]


class IterableDataset:
    """Base class for stream-style datasets: subclass it and define ``__iter__`` yielding examples.

    A DataLoader batches consecutive examples in the main process (``num_workers > 0``, ``shuffle`` and
    samplers are errors for a stream, as sharding it across workers is the dataset's business).

    Shape: each example's parts any shape; a batch adds a first axis (b, ...).

    Examples
    --------
    >>> from tensorgate.data import DataLoader
    >>> class Count(IterableDataset):
    ...     def __iter__(self):
    ...         return iter(range(5))
    >>> [b[0].tolist() for b in DataLoader(Count(), batch_size=2)]
    [[0, 1], [2, 3], [4]]
    """

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__}: an IterableDataset subclass must define __iter__")
