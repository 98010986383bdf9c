"""How many threads NumPy's BLAS (and OpenMP) may use: PyTorch's ``set_num_threads`` / ``get_num_threads``,
through threadpoolctl, which knows every BLAS loaded in the process (NumPy's and SciPy's OpenBLAS)."""
from __future__ import annotations

import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any, Callable, Iterator

import threadpoolctl

_limits = None   # the threadpool_limits object of the last set_num_threads, kept so that it stays in force


def set_num_threads(n: int) -> None:
    """Let BLAS use at most ``n`` threads from now on (all the BLAS libraries loaded, as PyTorch's setting).

    Shape: not applicable.
    """
    global _limits
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"set_num_threads: n must be a positive integer, got {n!r}")
    _limits = threadpoolctl.threadpool_limits(limits=n, user_api="blas")


def get_num_threads() -> int:
    """The number of threads BLAS uses (the largest among the BLAS libraries loaded). Shape: not applicable."""
    pools = [p["num_threads"] for p in threadpoolctl.threadpool_info() if p.get("user_api") == "blas"]
    return max(pools) if pools else 1


# --------------------------------------------------------------------------- work split across threads
# PyTorch's CPU kernels split a batch across their threads (one OpenMP team); OpenBLAS splits one matrix
# product. For the skinny products of a convolution chunk (16 × 144 · 144 × 1,800) OpenBLAS's split gains
# little, and the copies between the products (im2col) run on one thread. Inside batch_threads(), BLAS is
# held at one thread and parallel_ranges gives each of the threads BLAS had whole chunks of the batch
# instead — copies and products. NumPy releases the GIL in both.
#
# Why a whole step and not each call: after a multi-threaded product OpenBLAS's idle threads spin for a
# while (about 0.1 s, OPENBLAS_THREAD_TIMEOUT) before they sleep, and a spinning thread takes a core from
# the threads of a region. Held at one thread for the whole training step, OpenBLAS never wakes them.
# Measured on the 2-core machine, compiled step at batch 64, 2 threads: SmallVGG 1.27× and ResNetSmall
# 1.3–1.4× its 1-thread speed this way; switching per call instead ran no faster than one thread.

_pool: dict[str, Any] = {"pid": None, "executor": None, "size": 0, "blas": None}
_hold: dict[str, Any] = {"depth": 0, "before": [], "team": 1, "owner": None}
_lock = threading.RLock()   # one holder at a time: it sets BLAS's thread count and gives it back


def _blas_controllers() -> list[Any]:
    """threadpoolctl's controllers of every BLAS loaded (NumPy's and SciPy's OpenBLAS), found once."""
    if _pool["blas"] is None:
        _pool["blas"] = threadpoolctl.ThreadpoolController().select(user_api="blas").lib_controllers
    return _pool["blas"]


def blas_threads() -> int:
    """The threads BLAS uses now (1 microsecond: a direct call into each library). Shape: not applicable."""
    return max([c.get_num_threads() for c in _blas_controllers()] or [1])


@contextlib.contextmanager
def batch_threads(threads: int | None = None) -> Iterator[bool]:
    """Inside, BLAS runs on one thread and :func:`parallel_ranges` shares work among ``threads`` threads
    (default: as many as BLAS had); on leaving, BLAS gets its threads back. Yields False, and changes
    nothing, when another thread holds it; nests in the thread that holds it.

    Shape: not applicable.
    """
    if not _lock.acquire(blocking=False):
        yield False
        return
    try:
        controllers = _blas_controllers()
        if _hold["depth"] == 0:
            before = [c.get_num_threads() for c in controllers]
            _hold.update(before=before, team=threads or max(before or [1]), owner=threading.get_ident())
            for c, n in zip(controllers, before):
                if n != 1:   # (a call into the library costs microseconds: single-image inference asks)
                    c.set_num_threads(1)
        _hold["depth"] += 1
        try:
            yield True
        finally:
            _hold["depth"] -= 1
            if _hold["depth"] == 0:
                for c, n in zip(controllers, _hold["before"]):
                    if n != 1:
                        c.set_num_threads(n)
                _hold.update(team=1, owner=None)
    finally:
        _lock.release()


def holding() -> bool:
    """Whether some thread holds BLAS in :func:`batch_threads` now. Shape: not applicable."""
    return _hold["depth"] > 0


def team() -> int:
    """How many threads :func:`parallel_ranges` shares work among here: the team of the enclosing
    :func:`batch_threads` in the thread that holds it (outside a range of a parallel_ranges), else 1.
    Shape: not applicable."""
    if _hold["owner"] != threading.get_ident() or getattr(_busy, "here", False):
        return 1
    return _hold["team"]


_busy = threading.local()   # .here: this thread runs a range of a parallel_ranges (pool threads never hold)


def _executor(workers: int) -> Any:
    """A pool of ``workers`` threads, kept between calls; made anew in a forked child (its threads are gone)."""
    pid = os.getpid()
    if _pool["pid"] != pid or _pool["size"] < workers:
        if _pool["executor"] is not None and _pool["pid"] == pid:
            _pool["executor"].shutdown(wait=False)
        _pool.update(pid=pid, size=workers,
                     executor=ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tensorgate"))
    return _pool["executor"]


def parallel_ranges(work: Callable[[int, int], Any], stop: int, step: int, threads: int | None = None) -> list[Any]:
    """Run ``work(a, b)`` over [0, stop) cut at multiples of ``step``, the pieces shared among ``threads``
    threads — by default the team of the enclosing :func:`batch_threads`, and one thread outside it —
    BLAS at one thread meanwhile; return the results in order.

    Each thread gets one contiguous range (a whole number of steps), the caller's thread the first. With one
    thread, or fewer than two steps, ``work(0, stop)`` runs alone on the caller's thread, BLAS untouched.
    ``work`` must write only to what its own range owns (and to per-thread scratch memory).

    Inside ``work`` a nested call runs alone on its thread (every thread is busy with a range already).

    Shape: not applicable; the result: one value per range.
    """
    steps = -(-stop // step) if step > 0 else 0
    parts = min(team() if threads is None else threads, steps)
    if parts < 2:
        return [work(0, stop)]
    per = -(-steps // parts)
    bounds = [(i * per * step, min((i + 1) * per * step, stop)) for i in range(parts) if i * per * step < stop]
    with batch_threads(parts) as held:
        if not held:   # another thread holds BLAS's setting: run alone
            return [work(0, stop)]
        futures = [_executor(len(bounds) - 1).submit(work, a, b) for a, b in bounds[1:]]
        _busy.here = True
        try:
            first = work(*bounds[0])
        finally:
            _busy.here = False
            wait(futures)   # every range done (or failed) before BLAS gets its threads back
        return [first] + [f.result() for f in futures]
