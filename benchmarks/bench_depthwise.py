"""Depthwise convolution (groups = C_in), forward + backward: the direct kernel (functional/depthwise.py, what
F.conv2d runs) against the grouped reference (Conv2dGate with groups: C_in tiny matrix products), interleaved
round after round, medians. PyTorch is timed in the same process as a rough guide only (compare libraries in
separate processes, benchmarks/README.md).

    .venv/bin/python benchmarks/bench_depthwise.py      # about 20 s
"""
import statistics
import time

import numpy as np
import torch

import tensorgate as tg
from tensorgate.functional.conv import Conv2dGate
from tensorgate.functional.depthwise import DepthwiseConv2dGate

SHAPES = [  # (batch, channels, size, kernel, stride): EfficientNet's and MobileNet's depthwise layers on 28×28
    (32, 96, 14, 3, 1), (32, 96, 14, 5, 2), (32, 32, 28, 3, 1), (64, 16, 28, 3, 1), (64, 128, 7, 3, 1)]


def step(gate, x, w, stride, padding, **extra):
    z = gate.apply(x, w, stride=stride, padding=padding, **extra)
    z.backward(np.ones(z.shape, np.float32))


def main(rounds=9):
    print(f"{'shape (N, C, H, k, s)':24} {'direct ms':>10} {'grouped ms':>11} {'speed-up':>9} {'torch ms':>9}")
    for n, c, h, k, s in SHAPES:
        rng = np.random.default_rng(0)
        x_np, w_np = rng.standard_normal((n, c, h, h), np.float32), rng.standard_normal((c, 1, k, k), np.float32)
        x, w = tg.tensor(x_np, requires_grad=True), tg.tensor(w_np, requires_grad=True)
        tx, tw = torch.tensor(x_np, requires_grad=True), torch.tensor(w_np, requires_grad=True)

        def torch_step():
            z = torch.nn.functional.conv2d(tx, tw, None, s, (k - 1) // 2, 1, c)
            z.backward(torch.ones_like(z))

        contenders = {"direct": lambda: step(DepthwiseConv2dGate, x, w, s, (k - 1) // 2),
                      "grouped": lambda: step(Conv2dGate, x, w, s, (k - 1) // 2, groups=c), "torch": torch_step}
        times = {name: [] for name in contenders}
        for _ in range(rounds):
            for name, run in contenders.items():
                start = time.perf_counter()
                run()
                times[name].append(time.perf_counter() - start)
        med = {name: 1e3 * statistics.median(t[1:]) for name, t in times.items()}
        print(f"{str((n, c, h, k, s)):24} {med['direct']:10.2f} {med['grouped']:11.2f} "
              f"{med['grouped'] / med['direct']:8.2f}× {med['torch']:9.2f}")


if __name__ == "__main__":
    main()
