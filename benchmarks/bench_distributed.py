"""Data-parallel training on Ray (tensorgate.distributed): throughput with 1 and 2 workers at one BLAS thread
each, against fit in this process at one thread; and the cost of the ring all-reduce as the model grows.

1. Throughput: an MLP 784-256-128-10 (235,146 parameters, Fashion-MNIST's shape, synthetic data) trained
   with Adam for one epoch of 8,192 examples at batch 64, 256 and 1024; the contenders in turn, round after
   round (their actors started once, outside the timing); samples/s are medians over rounds. The epoch's
   time includes the driver's push and pull of the weights (once per epoch each).
2. Communication: one Linear(n, n) layer (n² + n parameters) at batch 8 (so that computing is cheap), the
   median time of a step with 1 worker and with 2; the difference is what the all-reduce of 2 workers
   adds (2 chunks of half the gradient out and in per worker, scheduled by the driver), over the bytes
   each worker sends.

Run: .venv/bin/python benchmarks/bench_distributed.py [--quick]   (about 3 minutes; --quick: 1 minute)
"""
import statistics
import sys
import time

import numpy as np

import tensorgate as tg
from tensorgate import distributed, nn, optim
from tensorgate.distributed import DataParallelTrainer, WorkerGroup

QUICK = "--quick" in sys.argv
ROUNDS = 3 if QUICK else 5


def mlp():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    return model, optim.Adam(model.parameters(), lr=1e-3)


def throughput():
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    X = rng.standard_normal((8192, 784)).astype(np.float32)
    y = rng.integers(0, 10, 8192)
    print("MLP 784-256-128-10, Adam, one epoch of 8,192 examples; samples/s (median of rounds)")
    print(f"{'batch':>6} {'fit, 1 thread':>14} {'1 worker':>10} {'2 workers':>10} {'2 w / fit':>10} {'2 w / 1 w':>10}")
    for batch in (64, 256, 1024):
        contenders = {}
        model, opt = mlp()
        local = tg.training.Trainer(model, nn.CrossEntropyLoss(), opt, verbose=False)

        def run_local(local=local):
            with threadpool_limits(1):
                return local.fit((X, y), epochs=1, batch_size=batch, seed=0).history["samples_per_sec"][-1]

        contenders["fit"] = run_local
        trainers = []
        for workers in (1, 2):
            model, opt = mlp()
            trainer = DataParallelTrainer(model, nn.CrossEntropyLoss(), opt, workers=workers, verbose=False)
            trainers.append(trainer)
            contenders[workers] = (lambda t=trainer: t.fit((X, y), epochs=1, batch_size=batch, seed=0)
                                   .history["samples_per_sec"][-1])
        for fn in contenders.values():
            fn()   # warm up
        rates = {name: [] for name in contenders}
        for _ in range(ROUNDS):
            for name, fn in contenders.items():
                rates[name].append(fn())
        for t in trainers:
            t.shutdown()
        m = {name: statistics.median(r) for name, r in rates.items()}
        ratio2 = statistics.median([b / a for a, b in zip(rates["fit"], rates[2])])
        ratio21 = statistics.median([b / a for a, b in zip(rates[1], rates[2])])
        print(f"{batch:>6} {m['fit']:>14,.0f} {m[1]:>10,.0f} {m[2]:>10,.0f} {ratio2:>10.2f} {ratio21:>10.2f}")


def communication():
    print("\nThe all-reduce's cost: Linear(n, n) at batch 8, median ms per step (30 steps, in turn, rounds)")
    print(f"{'parameters':>11} {'MB sent/worker':>15} {'1 worker':>9} {'2 workers':>10} {'added':>7} {'MB/s':>7}")
    sizes = (100, 300, 1000) if QUICK else (100, 300, 1000, 2000)
    for n in sizes:
        tg.manual_seed(0)
        groups = {}
        for workers in (1, 2):
            model = nn.Linear(n, n)
            opt = optim.SGD(model.parameters(), lr=1e-3)
            group = WorkerGroup(model, nn.MSELoss(), opt, workers)
            group.push(model)
            groups[workers] = group
        x = np.random.default_rng(0).standard_normal((8, n)).astype(np.float32)
        t = np.zeros((8, n), np.float32)
        times = {1: [], 2: []}
        for _ in range(ROUNDS):
            for workers, group in groups.items():
                group(x, t)
                start = time.perf_counter()
                for _ in range(30):
                    group(x, t)
                times[workers].append((time.perf_counter() - start) / 30 * 1e3)
        for group in groups.values():
            group.shutdown()
        p = n * n + n
        sent = 2 * (2 - 1) / 2 * (p + 2) * 4 / 1e6     # ring: 2(N − 1) chunks of 1/N, float32, + flags
        one, two = statistics.median(times[1]), statistics.median(times[2])
        added = two - one
        rate = sent / (added / 1e3) if added > 0 else float("inf")
        print(f"{p:>11,} {sent:>15.2f} {one:>9.2f} {two:>10.2f} {added:>7.2f} {rate:>7.0f}")


if __name__ == "__main__":
    # 3 logical CPUs on this 2-core machine: the 1-worker and the 2-worker contenders' actors all live at
    # once, but they run in turn (Ray's CPUs are a count for scheduling, not a pinning)
    distributed.connect(num_cpus=3)
    import ray

    import os

    print(f"Ray {ray.__version__}, {os.cpu_count()} cores, one BLAS thread per worker and for fit\n")
    throughput()
    communication()
