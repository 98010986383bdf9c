"""MLP 784-256-128-10 training and inference: tensorgate vs PyTorch eager vs a hand-written NumPy MLP.

The hand-written NumPy version is the floor of a NumPy library's overhead: the same matrix products with
no graph, no tensors, no modules. Every number is measured in this one run, interleaved, as medians;
the ratios are medians of the ratios within each round.

    python benchmarks/bench_mlp.py            # all batch sizes
    python benchmarks/bench_mlp.py --quick    # fewer rounds
"""
import argparse
import statistics
import sys
import time
import tracemalloc

import numpy as np

from common import (THREADS, gemm_contender, gemm_peak_gflops, interleaved, interleaved_samples, paired_speedup,
                    set_threads, table)

SIZES = (784, 256, 128, 10)
LR, MOMENTUM = 0.01, 0.9


def init_weights(seed=0):
    rng = np.random.default_rng(seed)
    ws = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:]):
        bound = np.sqrt(6.0 / n_in)
        ws.append((rng.uniform(-bound, bound, (n_out, n_in)).astype(np.float32), np.zeros(n_out, np.float32)))
    return ws


class NumpyMLP:
    """The floor: forward and backward written out by hand, SGD with momentum (v ← μv + g, p ← p − ηv).

    Like PyTorch's step and tensorgate's, it computes the loss's value (a training loop reports it); it
    checks nothing (labels out of range, nan) and keeps no graph.
    """

    def __init__(self, weights, optimizer="sgd"):
        self.params = [p.copy() for wb in weights for p in wb]
        self.velocity = [np.zeros_like(p) for p in self.params]
        self.second = [np.zeros_like(p) for p in self.params]
        self.optimizer, self.t = optimizer, 0

    def forward(self, x):
        w1, b1, w2, b2, w3, b3 = self.params
        h1 = np.maximum(x @ w1.T + b1, 0)
        h2 = np.maximum(h1 @ w2.T + b2, 0)
        return h1, h2, h2 @ w3.T + b3

    def step(self, x, y):
        w1, b1, w2, b2, w3, b3 = self.params
        h1, h2, z = self.forward(x)
        z = z - z.max(axis=1, keepdims=True)
        p = np.exp(z)
        total = p.sum(axis=1, keepdims=True)
        m, rows = x.shape[0], np.arange(x.shape[0])
        loss = (np.log(total).sum() - z[rows, y].sum()) / m   # mean of log Σ e^z − z_y
        p /= total
        dz = p
        dz[rows, y] -= 1
        dz /= m
        d2 = (dz @ w3) * (h2 > 0)
        d1 = (d2 @ w2) * (h1 > 0)
        grads = [d1.T @ x, d1.sum(0), d2.T @ h1, d2.sum(0), dz.T @ h2, dz.sum(0)]
        if self.optimizer == "sgd":
            for param, g, v in zip(self.params, grads, self.velocity):
                v *= MOMENTUM
                v += g
                param -= LR * v
        else:  # Adam
            self.t += 1
            c1, c2 = 1 - 0.9 ** self.t, 1 - 0.999 ** self.t
            for param, g, m1, m2 in zip(self.params, grads, self.velocity, self.second):
                m1 *= 0.9
                m1 += 0.1 * g
                m2 *= 0.999
                m2 += 0.001 * g * g
                param -= (1e-3 / c1) * m1 / (np.sqrt(m2 / c2) + 1e-8)
        return float(loss)


def torch_model(weights, optimizer="sgd"):
    import torch

    layers = []
    for i, (w, b) in enumerate(weights):
        lin = torch.nn.Linear(w.shape[1], w.shape[0])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(w))
            lin.bias.copy_(torch.from_numpy(b))
        layers += [lin] + ([torch.nn.ReLU()] if i < len(weights) - 1 else [])
    model = torch.nn.Sequential(*layers)
    opt = (torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM) if optimizer == "sgd"
           else torch.optim.Adam(model.parameters(), lr=1e-3))
    loss_fn = torch.nn.CrossEntropyLoss()

    def step(x, y):
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    return model, step


def tensorgate_model(weights, optimizer="sgd"):
    import tensorgate as tg

    layers = []
    for i, (w, b) in enumerate(weights):
        lin = tg.nn.Linear(w.shape[1], w.shape[0])
        lin.weight.data[...] = w
        lin.bias.data[...] = b
        layers += [lin] + ([tg.nn.ReLU()] if i < len(weights) - 1 else [])
    model = tg.nn.Sequential(*layers)
    opt = (tg.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM) if optimizer == "sgd"
           else tg.optim.Adam(model.parameters(), lr=1e-3))
    loss_fn = tg.nn.CrossEntropyLoss()

    def step(x, y):
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    return model, step


def tensorgate_compiled(weights, optimizer="sgd"):
    """The same model and optimiser, its step recorded once and replayed (tg.training.compile_step)."""
    import tensorgate as tg

    model, _ = tensorgate_model(weights, optimizer)
    opt = (tg.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM) if optimizer == "sgd"
           else tg.optim.Adam(model.parameters(), lr=1e-3))
    return model, tg.training.compile_step(model, tg.nn.CrossEntropyLoss(), opt)


def batches(batch_size, n=8192, seed=0):
    """Endless Fashion-MNIST-shaped float32 batches (random pixels, random labels)."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, SIZES[0]), dtype=np.float32)
    y = rng.integers(0, SIZES[-1], n).astype(np.int64)
    i = 0
    while True:
        if i + batch_size > n:
            i = 0
        yield X[i:i + batch_size], y[i:i + batch_size]
        i += batch_size


def training_contenders(batch_size, optimizer):
    import torch
    import tensorgate as tg

    weights = init_weights()
    floor = NumpyMLP(weights, optimizer)
    _, torch_step = torch_model(weights, optimizer)
    _, tg_step = tensorgate_model(weights, optimizer)
    _, compiled_step = tensorgate_compiled(weights, optimizer)
    data = {name: batches(batch_size) for name in ("numpy", "torch", "tensorgate", "compiled")}

    def run_numpy():
        x, y = next(data["numpy"])
        floor.step(x, y)

    def run_torch():
        x, y = next(data["torch"])
        torch_step(torch.from_numpy(x), torch.from_numpy(y))

    def run_tg():
        x, y = next(data["tensorgate"])
        tg_step(tg.from_numpy(x), tg.from_numpy(y))

    def run_compiled():
        compiled_step(*next(data["compiled"]))

    return {"numpy floor": run_numpy, "torch": run_torch, "tensorgate": run_tg, "compiled": run_compiled}


def flops_per_step(batch_size):
    """Forward 2·m·Σ n_in·n_out, backward twice that (∂x and ∂W products)."""
    return 6 * batch_size * sum(a * b for a, b in zip(SIZES[:-1], SIZES[1:]))


def bench_training(batch_sizes, rounds):
    """Samples/s of each contender (medians), speed ratios as medians of the ratios within each round, and
    each contender's median GFLOP/s as a share of the GEMM peak: the fastest round of a GEMM timed in the
    same rounds, so that the peak and the contenders are measured over the same minutes."""
    rows = []
    for bs, opt in [(b, "sgd") for b in batch_sizes] + [(128, "adam")]:
        contenders = training_contenders(bs, opt)
        contenders["gemm"], gemm_flops = gemm_contender()
        samples = interleaved_samples(contenders, rounds=rounds, min_time=0.1, pause=0.1)
        sps = {k: bs / statistics.median(t) for k, t in samples.items() if k != "gemm"}

        def ratio(a, b):
            return f"{paired_speedup(samples, a, b):.2f}"

        peak = gemm_flops / min(samples["gemm"])

        def share(name):
            return flops_per_step(bs) / statistics.median(samples[name]) / peak

        rows.append([f"{bs} {opt}", f"{sps['tensorgate']:.0f}", f"{sps['compiled']:.0f}", f"{sps['torch']:.0f}",
                     f"{sps['numpy floor']:.0f}", ratio("tensorgate", "torch"), ratio("compiled", "torch"),
                     ratio("tensorgate", "numpy floor"), ratio("compiled", "numpy floor"),
                     " / ".join(f"{share(k):.0%}" for k in ("compiled", "torch", "numpy floor"))])
        print(f"  measured batch {bs} {opt}", file=sys.stderr)
    return rows


def bench_floor_pairs(batch_sizes, steps=40000):
    """compiled / floor speed measured the finest way: blocks of 5 steps each, alternating, for ~``steps``
    examples; the median (and quartiles) of the blocks' ratios. A neighbour's load on a shared machine
    changes over milliseconds, so two blocks a millisecond apart see the same machine."""
    print("\ncompiled step / NumPy floor, speed ratio over alternating blocks of 5 steps (median, quartiles)")
    for bs in batch_sizes:
        contenders = training_contenders(bs, "sgd")
        floor, compiled = contenders["numpy floor"], contenders["compiled"]
        for fn in (floor, compiled, floor, compiled):
            fn()
        ratios = []
        for _ in range(max(100, steps // (5 * bs))):
            start = time.perf_counter()
            for _ in range(5):
                floor()
            middle = time.perf_counter()
            for _ in range(5):
                compiled()
            ratios.append((middle - start) / (time.perf_counter() - middle))
        q1, median, q3 = statistics.quantiles(ratios, n=4)
        print(f"  batch {bs:5d}: {median:.3f}  ({q1:.3f}-{q3:.3f}, {len(ratios)} pairs of blocks)")


def bench_inference(rounds):
    import torch
    import tensorgate as tg

    weights = init_weights()
    floor = NumpyMLP(weights)
    tmodel, _ = torch_model(weights)
    gmodel, _ = tensorgate_model(weights)
    gmodel.eval()
    rows = []
    for bs in (1, 1024):
        x = np.random.default_rng(1).random((bs, SIZES[0]), dtype=np.float32)
        tx = torch.from_numpy(x)

        def run_tg():
            with tg.no_grad():
                gmodel(tg.from_numpy(x))

        def run_torch():
            with torch.no_grad():
                tmodel(tx)

        times = interleaved({"tensorgate": run_tg, "torch": run_torch, "numpy floor": lambda: floor.forward(x)},
                            rounds=rounds, min_time=0.1)
        label = "latency, 1 example (µs)" if bs == 1 else "throughput, batch 1024 (samples/s)"
        fmt = (lambda t: f"{t * 1e6:.1f}") if bs == 1 else (lambda t: f"{bs / t:.0f}")
        rows.append([label, fmt(times["tensorgate"]), fmt(times["torch"]), fmt(times["numpy floor"]),
                     f"{times['torch'] / times['tensorgate']:.2f}"])
    print("\nMLP inference")
    table(rows, ["measure", "tensorgate", "torch", "numpy floor", "tg speed / torch"])


def bench_memory():
    """Peak bytes allocated (tracemalloc sees NumPy's buffers) during one training step at batch 128, in the
    steady state: after three steps (the optimiser makes its velocities on the first step, and SGD lays them
    out side by side on the second)."""
    import tensorgate as tg

    weights = init_weights()
    x, y = next(batches(128))
    floor = NumpyMLP(weights)
    _, tg_step = tensorgate_model(weights)
    peaks = {}
    for name, fn in [("numpy floor", lambda: floor.step(x, y)), ("tensorgate", lambda: tg_step(tg.from_numpy(x), tg.from_numpy(y)))]:
        for _ in range(3):
            fn()
        tracemalloc.start()
        fn()
        peaks[name] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    print(f"\nPeak memory of one training step at batch 128: tensorgate {peaks['tensorgate'] / 2**20:.2f} MiB, "
          f"numpy floor {peaks['numpy floor'] / 2**20:.2f} MiB, ratio {peaks['tensorgate'] / peaks['numpy floor']:.2f}")


def bench_epoch():
    """One full Fashion-MNIST epoch (60,000 examples, batch 128), when the dataset is installed."""

    import torch
    import tensorgate as tg

    try:
        X, y, *_ = tg.data.load_fashion_mnist(download=False)
    except Exception as e:  # noqa: BLE001 - report and go on
        print(f"\nFull epoch: skipped ({e})")
        return
    weights = init_weights()
    floor = NumpyMLP(weights)
    _, torch_step = torch_model(weights)
    _, tg_step = tensorgate_model(weights)
    _, compiled_step = tensorgate_compiled(weights)
    tX, ty = torch.from_numpy(X), torch.from_numpy(y)
    runs = {
        "numpy floor": lambda i: floor.step(X[i:i + 128], y[i:i + 128]),
        "torch": lambda i: torch_step(tX[i:i + 128], ty[i:i + 128]),
        "tensorgate": lambda i: tg_step(tg.from_numpy(X[i:i + 128]), tg.from_numpy(y[i:i + 128])),
        "tensorgate compiled": lambda i: compiled_step(X[i:i + 128], y[i:i + 128]),
    }
    seconds = {}
    for name, run in runs.items():
        start = time.perf_counter()
        for i in range(0, len(X) - 127, 128):
            run(i)
        seconds[name] = time.perf_counter() - start
    print("\nOne Fashion-MNIST epoch (batch 128): " + ", ".join(f"{k} {v:.2f} s" for k, v in seconds.items())
          + f"; time / torch's: tensorgate {seconds['tensorgate'] / seconds['torch']:.2f}, compiled "
          f"{seconds['tensorgate compiled'] / seconds['torch']:.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds, fewer batch sizes")
    args = parser.parse_args()
    set_threads()
    rounds = 5 if args.quick else 15
    peak = gemm_peak_gflops()
    print(f"threads: {THREADS}; measured float32 GEMM peak: {peak:.0f} GFLOP/s")
    rows = bench_training((16, 128, 1024) if args.quick else (16, 64, 128, 512, 1024), rounds)
    print(f"\nMLP 784-256-128-10 training, samples/s (higher is better); tg = eager tensorgate, "
          f"comp = tg.training.compile_step; GEMM peak: the fastest round of a 1024³ float32 product "
          f"timed in the same rounds")
    table(rows,
          ["batch opt", "tg", "comp", "torch", "numpy floor", "tg/torch", "comp/torch", "tg/floor",
           "comp/floor", "GEMM peak comp/torch/floor"])
    bench_floor_pairs((16, 128, 1024) if args.quick else (16, 64, 128, 512, 1024),
                      steps=10000 if args.quick else 40000)
    bench_inference(rounds)
    bench_memory()
    bench_epoch()


if __name__ == "__main__":
    main()
