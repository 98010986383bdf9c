"""AlexNet, GoogLeNet and EfficientNet learn Fashion-MNIST: one epoch on a 3,000-image subset clears a low bar
(a smoke test of the whole training path on real data, not a recipe).

Marked slow and run only when asked (``pytest -m slow tests/conv/test_zoo_new_fashion.py``): an epoch of
GoogLeNet or EfficientNet takes tens of seconds on 2 cores, too long for the default suite. Measured on a
loaded 2-core machine: AlexNet 0.477 (92 s; no BatchNorm, it starts slowly), GoogLeNet ≥ 0.65 (229 s),
EfficientNet ≥ 0.6 (215 s).
"""
import time

import numpy as np
import pytest

import tensorgate as tg
from tensorgate.models import zoo
from tensorgate.optim import Adam
from tensorgate.training import evaluate, fit


@pytest.fixture(scope="module")
def fashion(request):
    if "slow" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("minutes of training: run with -m slow")
    try:
        X_train, y_train, X_test, y_test, _ = tg.data.load_fashion_mnist(as_images=True, download=False,
                                                                          progress=False)
    except tg.data.DatasetUnavailableError as error:
        pytest.skip(f"Fashion-MNIST is not available locally: {error}")
    mean, std = 0.2860, 0.3530  # the training set's pixel mean and standard deviation
    return (X_train[:3000] - mean) / std, y_train[:3000], (X_test[:1000] - mean) / std, y_test[:1000]


@pytest.mark.slow
@pytest.mark.parametrize("name,floor", [("alexnet", 0.4), ("googlenet", 0.65), ("efficientnet", 0.6)])
def test_new_zoo_model_learns_a_fashion_mnist_subset(fashion, name, floor):
    X, y, X_test, y_test = fashion
    tg.manual_seed(0)
    model = zoo.get_model(name, (1, 28, 28), 10)
    start = time.perf_counter()
    history = fit(model, tg.nn.CrossEntropyLoss(), Adam(model.parameters(), lr=2e-3), (X, y), epochs=1,
                  batch_size=32, verbose=False, seed=0)
    seconds = time.perf_counter() - start
    accuracy = evaluate(model, tg.nn.CrossEntropyLoss(), (X_test, y_test))["accuracy"]
    assert np.isfinite(history.history["loss"][0])
    assert accuracy >= floor, f"{name}: test accuracy {accuracy:.3f} after 1 epoch on 3,000 images ({seconds:.1f} s)"
