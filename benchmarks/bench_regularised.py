"""An MLP with BatchNorm and Dropout in training: tensorgate eager, its compiled step, and PyTorch eager.

784-256 BatchNorm ReLU Dropout(0.2) -256-128 BatchNorm ReLU Dropout(0.2) -128-10, softmax cross-entropy,
SGD with momentum, float32, on Fashion-MNIST-shaped random data. Dropout draws its mask and BatchNorm
counts its batches inside their gates, so the compiled step replays them; before, such a model trained
eagerly. Interleaved rounds, medians, paired ratios (see common.py).

    python benchmarks/bench_regularised.py            # batch 64 and 128
    python benchmarks/bench_regularised.py --quick    # fewer rounds
"""
import argparse

import numpy as np

from common import interleaved_samples, paired_speedup, set_threads, table

SIZES = (784, 256, 128, 10)
LR, MOMENTUM, DROP = 0.01, 0.9, 0.2


def tensorgate_steps(batch):
    import tensorgate as tg
    from tensorgate import nn

    def build():
        tg.manual_seed(0)
        layers = []
        for i, (n_in, n_out) in enumerate(zip(SIZES[:-1], SIZES[1:])):
            layers.append(nn.Linear(n_in, n_out))
            if i < len(SIZES) - 2:
                layers += [nn.BatchNorm1d(n_out), nn.ReLU(), nn.Dropout(DROP)]
        model = nn.Sequential(*layers)
        return model, tg.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)

    x, y = data(batch)
    model, opt = build()
    loss_fn = nn.CrossEntropyLoss()

    def eager():
        opt.zero_grad()
        loss = loss_fn(model(tg.from_numpy(x)), tg.from_numpy(y))
        loss.backward()
        opt.step()

    compiled_model, compiled_opt = build()
    compiled = tg.training.compile_step(compiled_model, nn.CrossEntropyLoss(), compiled_opt)
    return eager, lambda: compiled(x, y), compiled


def torch_step(batch):
    import torch

    torch.manual_seed(0)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        layers.append(torch.nn.Linear(n_in, n_out))
        if i < len(SIZES) - 2:
            layers += [torch.nn.BatchNorm1d(n_out), torch.nn.ReLU(), torch.nn.Dropout(DROP)]
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    loss_fn = torch.nn.CrossEntropyLoss()
    x, y = (torch.from_numpy(a) for a in data(batch))

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    return step


def data(batch):
    rng = np.random.default_rng(1)
    return rng.random((batch, SIZES[0]), dtype=np.float32), rng.integers(0, SIZES[-1], batch)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    args = parser.parse_args()
    set_threads()
    rows = []
    for batch in (64, 128):
        eager, compiled, step = tensorgate_steps(batch)
        samples = interleaved_samples({"eager": eager, "compiled": compiled, "torch": torch_step(batch)},
                                      rounds=5 if args.quick else 15, min_time=0.1, pause=0.1)
        assert step.replays > 0, step.code   # the compiled step must really replay
        speed = {name: batch / np.median(s) for name, s in samples.items()}
        rows.append([batch, f"{speed['eager']:.0f}", f"{speed['compiled']:.0f}", f"{speed['torch']:.0f}",
                     f"{paired_speedup(samples, 'compiled', 'eager'):.2f}",
                     f"{paired_speedup(samples, 'compiled', 'torch'):.2f}"])
    print(__doc__.splitlines()[0])
    table(rows, ["batch", "tg eager /s", "tg compiled /s", "torch /s", "compiled/eager", "compiled/torch"])


if __name__ == "__main__":
    main()
