"""Worker processes for a DataLoader over a Python dataset (``num_workers > 0``).

The main process decides everything that makes a run reproducible: which examples go in batch k (the
sampler), and the seed of batch k. A worker only computes ``collate_fn([dataset[i] for i in batch])`` with
the random generators seeded for that batch, and sends the result back; the main process hands out the
batches in order. So the batches are the same, augmentations included, whatever the number of workers —
``num_workers=0`` runs the same function with the same seeds in the main process.

Seeding per batch: Python's ``random``, NumPy's global ``np.random`` and tensorgate's generator
(``tg.manual_seed``) are seeded from (the epoch's base seed, k) before the batch and restored after it (in
the main process, the user's own random streams are left as they were).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import multiprocessing
import queue
import random
import traceback
from collections import namedtuple

import numpy as np

from ..backend import random as _random

if TYPE_CHECKING:
    from typing import Callable, Iterable, Iterator, Literal, Sequence

#: What ``get_worker_info()`` returns inside a worker (None in the main process), as in PyTorch.
WorkerInfo = namedtuple("WorkerInfo", ["id", "num_workers", "seed", "dataset"])

_worker_info = None

#: seconds between checks that the workers are still alive while waiting for a batch
_POLL = 1.0


def get_worker_info() -> WorkerInfo | None:
    """Inside a DataLoader worker: its ``WorkerInfo(id, num_workers, seed, dataset)``; None elsewhere.

    Shape: not applicable.

    Examples
    --------
    >>> get_worker_info() is None      # in the main process
    True
    """
    return _worker_info


def batch_seed(base_seed: int, number: int) -> int:
    """The seed of batch ``number`` of an epoch whose base seed is ``base_seed`` (a 32-bit integer).

    Shape: not applicable.
    """
    return int(np.random.SeedSequence([int(base_seed), int(number)]).generate_state(1)[0])


class seeded_generators:
    """Seed ``random``, ``np.random`` and tensorgate's generator with ``seed``; restore them on exit."""

    def __init__(self, seed: int):
        self.seed = seed

    def __enter__(self) -> seeded_generators:
        self.saved = (random.getstate(), np.random.get_state(),
                      _random.swap_generator(np.random.default_rng(self.seed)))
        random.seed(self.seed)
        np.random.seed(self.seed)
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        python_state, numpy_state, generator = self.saved
        random.setstate(python_state)
        np.random.set_state(numpy_state)
        _random.swap_generator(generator)
        return False


def fetch(dataset: Any, indices: Sequence[int], collate_fn: Callable[[list[Any]], Any], seed: int) -> Any:
    """One batch: ``collate_fn([dataset[i] for i in indices])`` with the generators seeded by ``seed``."""
    with seeded_generators(seed):
        return collate_fn([dataset[i] for i in indices])


def _worker_loop(dataset, collate_fn, index_queue, result_queue, worker_id, num_workers, init_fn, base_seed):
    """A worker's life: seed, run ``worker_init_fn``, then compute batches until told to stop (None)."""
    global _worker_info
    _worker_info = WorkerInfo(worker_id, num_workers, base_seed + worker_id, dataset)
    seed = (base_seed + worker_id) % 2 ** 32
    random.seed(seed)
    np.random.seed(seed)
    _random.swap_generator(np.random.default_rng(seed))
    init_error = None
    if init_fn is not None:
        try:
            init_fn(worker_id)
        except Exception as error:   # reported with the first batch this worker is given
            init_error = _describe(error, worker_id, "worker_init_fn")
    while True:
        try:
            task = index_queue.get()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if task is None:
            return
        tag, number, indices, seed = task
        if init_error is not None:
            result_queue.put((tag, number, None, init_error))
            continue
        try:
            result_queue.put((tag, number, fetch(dataset, indices, collate_fn, seed), None))
        except Exception as error:
            result_queue.put((tag, number, None, _describe(error, worker_id, "the dataset or collate_fn")))


def _describe(error, worker_id, where):
    return (type(error).__name__, f"Caught {type(error).__name__} in DataLoader worker process {worker_id} "
            f"(in {where}). Original traceback:\n{traceback.format_exc()}")


#: errors re-raised in the main process as their own type (with the worker's traceback in the message)
_KNOWN_ERRORS = {cls.__name__: cls for cls in (ValueError, TypeError, IndexError, KeyError, RuntimeError,
                                              FileNotFoundError, OSError, ZeroDivisionError, AttributeError,
                                              NotImplementedError)}


def _raise(described):
    name, message = described
    raise _KNOWN_ERRORS.get(name, RuntimeError)(message)


class WorkerPool:
    """``num_workers`` processes computing batches of one loader; ``run(tasks)`` yields the results in order.

    Shape: not applicable.
    """

    def __init__(self, dataset: Any, collate_fn: Callable[[list[Any]], Any], num_workers: int,
                 worker_init_fn: Callable[[int], None] | None, base_seed: int, prefetch_factor: int, timeout: float,
                 context: Any):
        ctx = multiprocessing.get_context(context) if isinstance(context, str) or context is None else context
        if context is None:
            methods = multiprocessing.get_all_start_methods()
            ctx = multiprocessing.get_context("fork" if "fork" in methods else methods[0])
        self.num_workers, self.prefetch, self.timeout = num_workers, prefetch_factor * num_workers, timeout
        self.result_queue = ctx.Queue()
        self.index_queues = [ctx.Queue() for _ in range(num_workers)]
        self.processes = []
        for worker_id in range(num_workers):
            p = ctx.Process(target=_worker_loop, daemon=True,  # type: ignore[union-attr]
                            args=(dataset, collate_fn, self.index_queues[worker_id], self.result_queue, worker_id,
                                  num_workers, worker_init_fn, base_seed))
            p.start()
            self.processes.append(p)
        self.tag = 0     # which run a result belongs to (a persistent pool may have leftovers of a broken-off run)

    def run(self, tasks: Iterable[tuple[Any, ...]]) -> Iterator[Any]:
        """Send ``tasks`` (batch number, indices, seed) round-robin, keep ``prefetch_factor`` per worker in
        flight, and yield the results in batch order."""
        self.tag += 1
        tag, tasks = self.tag, iter(tasks)
        pending, sent, done = {}, 0, 0

        def send():
            nonlocal sent
            task = next(tasks, None)
            if task is None:
                return False
            number, indices, seed = task
            self.index_queues[number % self.num_workers].put((tag, number, indices, seed))
            sent += 1
            return True

        while sent < self.prefetch and send():
            pass
        while done < sent:
            while done not in pending:
                got_tag, number, batch, error = self._get()
                if got_tag != tag:
                    continue           # a result of an earlier, abandoned run
                if error is not None:
                    _raise(error)
                pending[number] = batch
            batch = pending.pop(done)
            done += 1
            send()
            yield batch

    def _get(self):
        waited = 0.0
        while True:
            try:
                return self.result_queue.get(timeout=_POLL)
            except queue.Empty:
                waited += _POLL
                dead = [p for p in self.processes if not p.is_alive()]
                if dead:
                    self.shutdown()
                    raise RuntimeError(f"DataLoader worker (pid {dead[0].pid}) exited unexpectedly with exit code "
                                       f"{dead[0].exitcode}")
                if self.timeout and waited >= self.timeout:
                    self.shutdown()
                    raise RuntimeError(f"DataLoader timed out after {self.timeout} seconds waiting for a batch")

    def shutdown(self) -> None:
        """Stop the workers (politely, then by force) and close the queues."""
        for q, p in zip(self.index_queues, self.processes):
            if p.is_alive():
                try:
                    q.put(None)
                except (OSError, ValueError):
                    pass
        for p in self.processes:
            p.join(timeout=5)
            if p.is_alive():
                p.terminate()
                p.join(timeout=1)
        for q in self.index_queues + [self.result_queue]:
            q.cancel_join_thread()
            q.close()
        self.processes = []
