"""DataLoader over a Python dataset with costly augmentations: num_workers = 0, 2, 4, and PyTorch's loader
with the same settings; plus the array fast path against its own numbers (it must not slow down).

The dataset's ``__getitem__`` spends about 0.5 ms of Python and NumPy per example (a random crop, flip and
noise of a 32×32 image), as an augmentation pipeline does. Timings interleaved (benchmarks/common.py); the
machine is shared, so compare the ratios of one run.
"""
import numpy as np
import torch
import torch.utils.data as tud

import tensorgate as tg
from common import interleaved


class Augmented:
    def __init__(self, n=256):
        self.images = np.random.default_rng(0).random((n, 40, 40), dtype=np.float32)

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        image = self.images[i]
        for _ in range(20):   # a few cheap NumPy operations, as a real augmentation chain makes
            top, left = np.random.randint(0, 9, size=2)
            crop = image[top:top + 32, left:left + 32]
            if np.random.rand() < 0.5:
                crop = crop[:, ::-1]
            crop = crop + np.random.normal(0, 0.01, crop.shape).astype(np.float32)
        return np.ascontiguousarray(crop), i % 10


def epoch(loader):
    for _ in loader:
        pass


def main():
    ds = Augmented()
    contenders = {}
    for workers in (0, 2, 4):
        ours = tg.data.DataLoader(ds, batch_size=32, shuffle=True, seed=0, num_workers=workers,
                                  persistent_workers=workers > 0)
        theirs = tud.DataLoader(ds, batch_size=32, shuffle=True, num_workers=workers, persistent_workers=workers > 0)
        contenders[f"tensorgate workers={workers}"] = lambda loader=ours: epoch(loader)
        contenders[f"torch      workers={workers}"] = lambda loader=theirs: epoch(loader)
    X = np.random.rand(60000, 784).astype(np.float32)
    y = np.random.randint(0, 10, 60000)
    fast = tg.data.DataLoader(tg.data.TensorDataset(X, y), batch_size=64, shuffle=True, seed=0)
    contenders["tensorgate TensorDataset fast path (60000×784, batch 64)"] = lambda: epoch(fast)
    times = interleaved(contenders, rounds=5, min_time=0.5)
    for name, seconds in times.items():
        print(f"{name:60s} {seconds * 1e3:8.1f} ms per epoch")


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
