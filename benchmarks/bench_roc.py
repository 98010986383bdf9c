"""roc_curve on 10^7 scores: tensorgate against scikit-learn in the same run.

Interleaved repetitions (tensorgate, scikit-learn, tensorgate, ...), median of each, and the ratio. The
outputs are checked equal once before timing.

    PYTHONPATH=src python3 benchmarks/bench_roc.py [--n 10000000] [--repeats 5] [--scores uniform|logits|float32|ties]
"""
import argparse
import os
import platform
import statistics
import sys
import time

import numpy as np
import sklearn
import sklearn.metrics as skm

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
from tensorgate.metrics import roc_curve  # noqa: E402


def make_scores(kind, n, rng):
    y = rng.integers(0, 2, n)
    if kind == "uniform":                      # probabilities in [0, 1), all distinct
        s = rng.random(n)
    elif kind == "logits":                     # both signs, wide range
        s = rng.normal(0.0, 4.0, n) + 2.0 * y
    elif kind == "float32":
        s = rng.random(n).astype(np.float32)
    elif kind == "ties":                       # 1001 distinct values
        s = np.round(rng.random(n), 3)
    else:
        raise ValueError(kind)
    return y, s


def timed(fn, *args):
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--scores", default="uniform", choices=["uniform", "logits", "float32", "ties"])
    args = parser.parse_args()

    y, s = make_scores(args.scores, args.n, np.random.default_rng(0))
    ours, theirs = roc_curve(y, s), skm.roc_curve(y, s)
    assert all(np.array_equal(a, b) for a, b in zip(ours, theirs)), "results differ"
    del ours, theirs

    times = {"tensorgate": [], "scikit-learn": []}
    for _ in range(args.repeats):
        times["tensorgate"].append(timed(roc_curve, y, s))
        times["scikit-learn"].append(timed(skm.roc_curve, y, s))
    tg, sk = statistics.median(times["tensorgate"]), statistics.median(times["scikit-learn"])
    print(f"roc_curve, n = {args.n:,} {args.scores} scores ({s.dtype}), median of {args.repeats} interleaved runs")
    print(f"  machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; "
          f"numpy {np.__version__}, scikit-learn {sklearn.__version__}")
    print(f"  tensorgate   {tg:8.3f} s   (runs: {', '.join(f'{t:.3f}' for t in times['tensorgate'])})")
    print(f"  scikit-learn {sk:8.3f} s   (runs: {', '.join(f'{t:.3f}' for t in times['scikit-learn'])})")
    print(f"  ratio scikit-learn / tensorgate: {sk / tg:.2f}x")


if __name__ == "__main__":
    main()
