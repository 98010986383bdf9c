"""Exploding activations, the lecture's diagnosis of N(0, 1) initialisation: from the Monitor under fit, after
a run broke, and from one forward pass without training."""
import warnings

import numpy as np
import pytest

import tensorgate as tg
from tensorgate import nn
from tensorgate.instruments import Monitor, diagnose_forward, exploding_activations
from tensorgate.training import fit


def data(m=256, n=64, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, n)).astype(np.float32)
    return X, (X[:, 0] > 0).astype(np.int64)


def net(init, n=64, width=128, depth=2):
    layers, size = [], n
    for _ in range(depth):
        layers += [nn.Linear(size, width, init=init), nn.ReLU()]
        size = width
    return nn.Sequential(*layers, nn.Linear(size, 2, init=init))


@pytest.mark.parametrize("init, exploding", [("normal", True), ("he_normal", False), ("xavier_uniform", False)])
def test_the_monitor_says_exploding_activations_for_normal_init_only(init, exploding):
    tg.manual_seed(0)
    monitor = Monitor(warn=False)
    model = net(init)
    fit(model, nn.CrossEntropyLoss(), "adam", data(), epochs=2, verbose=False, callbacks=[monitor], seed=0)
    found = [f for f in monitor.diagnose() if f.kind == "exploding_activations"]
    assert bool(found) == exploding
    if exploding:
        # N(0, 1): Var(z) = n·E[a²], so the first layer multiplies the spread by about √64 = 8
        gain = monitor.records[0]["activations"]["0"]["std"] / monitor.records[0]["activations"]["0"]["input_rms"]
        assert gain == pytest.approx(8, rel=0.15)
        assert "0 (Linear)" in found[0].message and "N(0, 1)" in found[0].message
        assert any("1/n" in r and "2/n" in r for r in found[0].remedies)


def test_a_run_that_overflows_is_diagnosed_after_it_broke():
    """Weights far too large: the logits overflow, the loss refuses them, and the monitor still says why."""
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 2))
    for layer in (model[0], model[2]):
        layer.weight.data[...] = np.random.default_rng(1).normal(0, 1e19, layer.weight.data.shape)
    monitor = Monitor(warn=False)
    with pytest.raises(ValueError), np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit(model, nn.CrossEntropyLoss(), "sgd", data(), epochs=1, verbose=False, callbacks=[monitor])
    kinds = [f.kind for f in monitor.diagnose()]     # closes the broken epoch
    assert "exploding_activations" in kinds
    found = [f for f in monitor.findings if f.kind == "exploding_activations"][0]
    assert found.layer == "2" and "overflowed at layer 2 (Linear), after" in found.message
    assert "0 (Linear) ×" in found.message                   # where the spread grew before it overflowed


def test_diagnose_forward_without_training():
    X, _ = data()
    tg.manual_seed(0)
    assert [f.kind for f in diagnose_forward(net("normal"), X)] == ["exploding_activations"]
    assert diagnose_forward(net("he_normal"), X) == []
    model = net("he_normal")
    model[0].weight.data[0, 0] = np.nan
    assert "exploding_gradients" in [f.kind for f in diagnose_forward(model, X)]
    assert model.training


def test_exploding_activations_by_hand():
    # gains 28 and 22.5: the product 630 > 10
    found = exploding_activations([("0", "Linear", 1.0, 28.0), ("1", "ReLU", None, 16.0),
                                   ("2", "Linear", 16.0, 360.0)])
    assert [f.layer for f in found] == ["0, 2"]
    assert exploding_activations([("0", "Linear", 1.0, 1.4), ("2", "Linear", 1.2, 1.7)]) == []
    assert exploding_activations([("0", "Linear", 1.0, 5.0)]) == []       # one layer ×5: the product is ≤ 10
    assert exploding_activations([("0", "Linear", 1.0, np.inf), ("1", "ReLU", None, np.nan)])[0].layer == "0"


def test_exploding_activations_are_said_at_the_first_step_before_the_gradients_explode():
    tg.manual_seed(0)
    monitor = Monitor(warn=False)
    model = net("normal", width=256, depth=3)
    with pytest.raises(ValueError), np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit(model, nn.CrossEntropyLoss(), tg.optim.SGD(model.parameters(), lr=0.01), data(), epochs=3,
            batch_size=32, verbose=False, callbacks=[monitor], seed=0)
    first = monitor.findings[0]
    assert first.kind == "exploding_activations" and first.step == 0
    assert "exploding_gradients" in [f.kind for f in monitor.findings[1:]]


@pytest.mark.parametrize("name", ["tensorgate.instruments.diagnosis", "tensorgate.instruments.monitor"])
def test_docstring_examples(name):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
