"""Real data: an MLP 784-256-128-10 trained by fit() on a Fashion-MNIST subset clears a lower bar.

The full run (>= 88% test accuracy) is ``examples/fashion_mnist_mlp.py``.
"""
import gzip
import os

import numpy as np
import pytest

import tensorgate as tg
from tensorgate import nn, optim
from tensorgate.training import evaluate, fit

DATA_DIR = "/usr/share/datasets/fashion-mnist"


def _read_idx(path):
    """A small IDX reader, used when tensorgate.data is not available."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def _load():
    loader = getattr(getattr(tg, "data", None), "load_fashion_mnist", None)
    if loader is not None:
        try:
            X_train, y_train, X_test, y_test, _ = loader(download=False)
            return X_train, y_train, X_test, y_test
        except OSError:
            pass
    if not os.path.isdir(DATA_DIR):
        pytest.skip(f"Fashion-MNIST not found in {DATA_DIR}")
    parts = [_read_idx(os.path.join(DATA_DIR, f"{name}-ubyte.gz")) for name in
             ("train-images-idx3", "train-labels-idx1", "t10k-images-idx3", "t10k-labels-idx1")]
    X_train, y_train, X_test, y_test = parts
    return (X_train.reshape(-1, 784).astype(np.float32) / 255, y_train.astype(np.int64),
            X_test.reshape(-1, 784).astype(np.float32) / 255, y_test.astype(np.int64))


def test_mlp_on_a_fashion_mnist_subset():
    X_train, y_train, X_test, y_test = _load()
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    optimizer = optim.Adam(model.parameters(), lr=2e-3)
    history = fit(model, nn.CrossEntropyLoss(), optimizer, (X_train[:10000], y_train[:10000]), epochs=2,
                  batch_size=64, verbose=False, seed=0)
    assert history.history["loss"][1] < history.history["loss"][0]
    test = evaluate(model, nn.CrossEntropyLoss(), (X_test[:5000], y_test[:5000]), batch_size=1000)
    assert test["accuracy"] >= 0.80, test
