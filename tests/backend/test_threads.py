"""backend.threads.parallel_ranges: a batch shared among threads, BLAS at one thread meanwhile."""
import threading

import numpy as np
import pytest

from tensorgate.backend import threads


def _record(log):
    def work(a, b):
        log.append((a, b, threading.get_ident(), threads.blas_threads()))
        return np.arange(a, b).sum()
    return work


@pytest.mark.parametrize("stop, step, workers", [(64, 11, 2), (64, 11, 3), (10, 1, 4), (7, 3, 2), (5, 5, 2)])
def test_ranges_cover_the_batch_in_order_at_step_boundaries(stop, step, workers):
    log = []
    results = threads.parallel_ranges(_record(log), stop, step, threads=workers)
    ranges = sorted((a, b) for a, b, _, _ in log)
    assert ranges[0][0] == 0 and ranges[-1][1] == stop
    assert all(b0 == a1 for (_, b0), (a1, _) in zip(ranges, ranges[1:]))          # no gap, no overlap
    assert all(a % step == 0 for a, _ in ranges)                                   # whole chunks each
    assert [int(r) for r in results] == [sum(range(a, b)) for a, b in ranges]      # results in range order
    chunks = -(-stop // step)
    assert len(ranges) == min(workers, chunks)


def test_shares_run_on_several_threads_with_blas_at_one_and_restore_it():
    before = threads.blas_threads()
    log = []
    threads.parallel_ranges(_record(log), 100, 10, threads=2)
    assert len({ident for _, _, ident, _ in log}) == 2
    assert all(blas == 1 for *_, blas in log)
    assert threads.blas_threads() == before


def test_one_thread_or_one_chunk_runs_alone_and_leaves_blas_alone():
    for stop, step, workers in ((100, 10, 1), (5, 10, 4), (0, 3, 2)):
        log = []
        threads.parallel_ranges(_record(log), stop, step, threads=workers)
        assert [(a, b) for a, b, *_ in log] == [(0, stop)]
        assert log[0][2] == threading.get_ident()


def test_an_error_in_a_share_reaches_the_caller_and_blas_gets_its_threads_back():
    before = threads.blas_threads()

    def work(a, b):
        if a > 0:
            raise ValueError(f"share {a}:{b} failed")
        return a

    with pytest.raises(ValueError, match="share 50:100 failed"):
        threads.parallel_ranges(work, 100, 10, threads=2)
    assert threads.blas_threads() == before


def test_the_team_is_the_holders_and_a_range_works_alone():
    """team(): the holder's team in the holding thread, 1 elsewhere and inside a range of parallel_ranges, so
    that work which itself shares (a replayed forward's convolutions) does not wait for busy threads."""
    assert threads.team() == 1
    seen = []
    with threads.batch_threads(3):
        assert threads.team() == 3
        elsewhere = threading.Thread(target=lambda: seen.append(("other thread", threads.team())))
        elsewhere.start()
        elsewhere.join()

        def work(a, b):
            seen.append(("range", threads.team()))
            return threads.parallel_ranges(lambda c, d: threading.get_ident(), 4, 1)   # nested: alone
        nested = threads.parallel_ranges(work, 3, 1)
        assert threads.team() == 3                   # the holder's thread has its team back after its range
    assert threads.team() == 1
    assert seen[0] == ("other thread", 1) and sorted(seen[1:]) == [("range", 1)] * 3
    assert all(len(inner) == 1 for inner in nested)
