"""Shared helpers for the benchmark scripts: thread settings, interleaved timing, GEMM peak.

The machine is noisy, so every comparison is made inside one run: the contenders are timed in turn,
round after round (interleaved), and the median of the rounds is reported; ratios are medians of the
ratios within each round.
"""
import os
import random
import statistics
import time

THREADS = int(os.environ.get("TG_BENCH_THREADS", os.cpu_count() or 1))


def set_threads():
    """Give NumPy's BLAS and PyTorch the same number of threads, and every contender malloc's settings
    for training loops (``tensorgate.backend.tune_malloc``, which fit and the CLI call: the benchmark
    owns its process, so the NumPy floor and PyTorch get them too)."""
    from tensorgate.backend import tune_malloc

    tune_malloc()
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(THREADS)
    except ImportError:  # pragma: no cover
        pass
    import torch

    torch.set_num_threads(THREADS)


def interleaved(contenders, rounds=7, min_time=0.25, pause=0.0):
    """Time each ``contenders[name]()`` call in turn (in a shuffled order), ``rounds`` times; return
    name → median seconds per call.

    Each measurement repeats the call until ``min_time`` seconds have passed, to average out timer noise.
    ``pause`` seconds of sleep before each measurement let the previous contender's thread pools stop
    spinning (OpenBLAS's and PyTorch's threads busy-wait for a while after their last task).
    """
    samples = interleaved_samples(contenders, rounds, min_time, pause)
    return {name: statistics.median(s) for name, s in samples.items()}


def interleaved_samples(contenders, rounds=7, min_time=0.25, pause=0.0):
    """As :func:`interleaved`, but name → the list of seconds per call, one per round (for paired ratios)."""
    for fn in contenders.values():  # warm up: first calls allocate and fill caches
        fn()
        fn()
    samples = {name: [] for name in contenders}
    names = list(contenders)
    order = random.Random(0)
    for _ in range(rounds):
        # a new order every round, so that no contender always follows the same one
        order.shuffle(names)
        for name in names:
            fn = contenders[name]
            if pause:
                time.sleep(pause)
            n, start = 0, time.perf_counter()
            while True:
                fn()
                n += 1
                elapsed = time.perf_counter() - start
                if elapsed >= min_time:
                    break
            samples[name].append(elapsed / n)
    return samples


def paired_speedup(samples, a, b):
    """How many times faster ``a`` ran than ``b``: the median over rounds of time(b) / time(a).

    Pairing the two within each round cancels the machine's slow drifts, which a ratio of two medians
    taken over the whole run does not.
    """
    return statistics.median(tb / ta for ta, tb in zip(samples[a], samples[b]))


def gemm_peak_gflops(n=1024, rounds=5):
    """Measured float32 GEMM speed of NumPy's BLAS on an n×n×n product, in GFLOP/s.

    A peak is the best the machine can do, so this is the fastest round, not the median: on a machine
    shared with others a median can fall below what the contenders reach a minute later. Scripts measure
    it before and after their runs and keep the higher.
    """
    import numpy as np

    a = np.random.default_rng(0).standard_normal((n, n), dtype=np.float32)
    b = np.random.default_rng(1).standard_normal((n, n), dtype=np.float32)
    a @ b
    best = float("inf")
    for _ in range(rounds):
        count, start = 0, time.perf_counter()
        while True:
            a @ b
            count += 1
            elapsed = time.perf_counter() - start
            if elapsed >= 0.25:
                break
        best = min(best, elapsed / count)
    return 2 * n ** 3 / best / 1e9


def gemm_contender(n=1024):
    """A float32 n×n×n matrix product to time in the same rounds as the contenders, and its FLOPs.

    Its fastest round is the GEMM peak of those minutes: a peak measured once, before or after the
    contenders, was taken at a quieter or busier moment and moved their shares by ±8% from run to run.
    """
    import numpy as np

    a = np.random.default_rng(0).standard_normal((n, n), dtype=np.float32)
    b = np.random.default_rng(1).standard_normal((n, n), dtype=np.float32)

    def run():
        a @ b

    return run, 2 * n ** 3


def table(rows, header):
    """Print rows (lists) under a header, as an aligned text table."""
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    line = "  ".join(str(h).ljust(w) for h, w in zip(header, widths))
    print(line)
    print("-" * len(line))
    for r in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))
