"""Hooks cost nothing when none is registered: an MLP training step with no hooks, with hooks registered
and removed again, and with the Monitor attached.

The first two must take the same time (ratio ≈ 1.00, within the noise): registering and removing a hook
leaves a module's call and the backward engine on their hook-free fast paths. The third shows what the
Monitor's measurements cost (activation statistics, gradient norms, a copy of every weight per step).

    python benchmarks/bench_hooks.py            # MLP 784-256-128-10, batch 64
    python benchmarks/bench_hooks.py --quick    # fewer rounds

Timings are interleaved round by round and reported as medians (see common.py).
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

import tensorgate as tg  # noqa: E402
import tensorgate.optim  # noqa: E402,F401
from tensorgate import nn  # noqa: E402
from tensorgate.instruments import Monitor  # noqa: E402

tg.backend.tune_malloc()   # the benchmark owns its process, as fit and the CLI do

from common import THREADS, interleaved, table  # noqa: E402

SIZES = (784, 256, 128, 10)


def make_model(seed=0):
    tg.manual_seed(seed)
    layers = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:]):
        layers += [nn.Linear(n_in, n_out, init="he_uniform"), nn.ReLU()]
    return nn.Sequential(*layers[:-1])


def make_step(model, x, y):
    loss_fn = nn.CrossEntropyLoss()
    optimizer = tg.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step():
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss
    return step


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--batch", type=int, default=64)
    args = parser.parse_args()
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(THREADS)
    except ImportError:  # pragma: no cover
        pass

    rng = np.random.default_rng(0)
    x = tg.tensor(rng.standard_normal((args.batch, SIZES[0])).astype(np.float32))
    y = tg.tensor(rng.integers(0, SIZES[-1], args.batch))

    plain = make_model()
    removed = make_model()
    handles = [m.register_forward_hook(lambda module, inputs, output: None) for m in removed.modules()]
    handles += [m.register_full_backward_hook(lambda module, gi, go: None) for m in removed.modules()]
    handles += [p.register_hook(lambda g: None) for p in removed.parameters()]
    for h in handles:
        h.remove()
    monitored = make_model()
    monitor = Monitor(monitored, warn=False)
    monitored_step = make_step(monitored, x, y)

    def with_monitor():
        monitored_step()
        monitor.observe_batch()   # what fit's callback does after every step

    contenders = {
        "no hooks": make_step(plain, x, y),
        "hooks registered, then removed": make_step(removed, x, y),
        "Monitor attached": with_monitor,
    }
    rounds = 5 if args.quick else 15
    times = interleaved(contenders, rounds=rounds, min_time=0.1 if args.quick else 0.25)
    base = times["no hooks"]
    print(f"MLP {'-'.join(map(str, SIZES))} training step (SGD with momentum), batch {args.batch}, "
          f"{THREADS} thread(s), median of {rounds} interleaved rounds\n")
    table([[name, f"{t * 1e3:.3f}", f"{t / base:.3f}"] for name, t in times.items()],
          ["variant", "ms per step", "ratio to no hooks"])
    print(f"\nhooks registered and removed cost {100 * (times['hooks registered, then removed'] / base - 1):+.1f}% "
          "(noise level: a few %); the Monitor costs "
          f"{100 * (times['Monitor attached'] / base - 1):+.1f}% while it measures.")


if __name__ == "__main__":
    main()
