"""LeNet-5 learns Fashion-MNIST: a short run on a subset clears a lower bar than the full example's 90%."""
import time

import numpy as np
import pytest

import tensorgate as tg
from tensorgate.models.zoo import LeNet5
from tensorgate.optim import Adam
from tensorgate.training import evaluate, fit


@pytest.fixture(scope="module")
def fashion():
    try:
        X_train, y_train, X_test, y_test, _ = tg.data.load_fashion_mnist(as_images=True, download=False,
                                                                          progress=False)
    except tg.data.DatasetUnavailableError as error:
        pytest.skip(f"Fashion-MNIST is not available locally: {error}")
    mean, std = 0.2860, 0.3530  # the training set's pixel mean and standard deviation
    return (X_train[:10000] - mean) / std, y_train[:10000], (X_test[:2000] - mean) / std, y_test[:2000]


def test_lenet5_reaches_80_percent_on_a_fashion_mnist_subset(fashion):
    X, y, X_test, y_test = fashion
    assert X.shape == (10000, 1, 28, 28) and X.dtype == np.float32
    tg.manual_seed(0)
    model = LeNet5()
    start = time.perf_counter()
    history = fit(model, tg.nn.CrossEntropyLoss(), Adam(model.parameters(), lr=2e-3), (X, y), epochs=2,
                  batch_size=32, verbose=False, seed=0)
    seconds = time.perf_counter() - start
    result = evaluate(model, tg.nn.CrossEntropyLoss(), (X_test, y_test))
    accuracy = result["accuracy"]
    assert history.history["loss"][1] < history.history["loss"][0]
    # PyTorch's LeNet-5 with the same recipe reaches 0.83 ± 0.01 here (3 seeds)
    assert accuracy >= 0.80, f"test accuracy {accuracy:.3f} after 2 epochs on 10k examples ({seconds:.1f} s)"
