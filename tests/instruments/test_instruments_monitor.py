"""The Monitor's diagnoses on networks built to have each problem, and on a healthy one that has none."""
import math
import warnings

import numpy as np
import pytest

import tensorgate as tg
import tensorgate.optim  # noqa: F401  (tg.optim)
from tensorgate import nn
from tensorgate.instruments import Finding, Monitor, TrainingWarning, identical_rows, linear_stacks
from tensorgate.training import fit


def blobs(n=256, d=10, seed=0):
    """Two classes split by the plane x₀ + x₁ = 0."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    return X, y


def train(model, lr=0.1, epochs=5, data=None, loss_fn=None, monitor=None):
    """fit() with a Monitor callback; returns (monitor, history, the TrainingWarnings raised)."""
    monitor = monitor or Monitor()
    optimizer = tg.optim.SGD(model.parameters(), lr=lr)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = fit(model, loss_fn or nn.CrossEntropyLoss(), optimizer, data or blobs(), epochs=epochs,
                      batch_size=32, verbose=False, callbacks=[monitor], seed=0)
    return monitor, history, [w for w in caught if issubclass(w.category, TrainingWarning)]


def kinds(findings):
    return [f.kind for f in findings]


def test_deep_sigmoid_net_flags_vanishing_gradients_naming_the_first_layers():
    tg.manual_seed(0)
    layers, width = [], 10
    for _ in range(10):
        layers += [nn.Linear(width, 32), nn.Sigmoid()]
        width = 32
    model = nn.Sequential(*layers, nn.Linear(32, 2))
    monitor, history, caught = train(model, epochs=2)
    vanishing = [f for f in monitor.diagnose() if f.kind == "vanishing_gradients"]
    assert len(vanishing) == 1
    named = vanishing[0].layer.split(", ")
    assert named[0] == "0" and len(named) >= 3        # the first layers, by module path
    assert "ReLU" in " ".join(vanishing[0].remedies) and "He" in " ".join(vanishing[0].remedies)
    assert len(caught) == 1 and "vanishing_gradients" in str(caught[0].message)
    # the numbers behind it: layer 0's weight gradient is orders of magnitude below the last layer's
    last = monitor.records[-1]["grad_norm"]
    assert last["0.weight"] / math.sqrt(32 * 10) < 1e-3 * last["20.weight"] / math.sqrt(2 * 32)
    # kept in the History, one entry per epoch
    assert len(history.history["monitor"]) == 2 and history.history["monitor"][0]["epoch"] == 0


def test_relu_with_large_negative_bias_flags_dead_units():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 2))
    model[0].bias.data[...] = -10.0   # z = xWᵀ − 10 < 0 for every example: every ReLU outputs 0
    monitor, _, caught = train(model, epochs=2)
    dead = [f for f in monitor.findings if f.kind == "dead_units"]
    assert [f.layer for f in dead] == ["1"] and dead[0].epoch == 0
    assert "1 (ReLU)" in dead[0].message and "100%" in dead[0].message
    assert monitor.records[0]["activations"]["1"]["dead_fraction"] == 1.0
    assert monitor.records[0]["activations"]["1"]["zero_fraction"] == 1.0
    assert any("dead_units" in str(w.message) for w in caught)


def test_zero_initialisation_keeps_rows_identical_and_the_monitor_says_so():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(10, 16, init="zeros"), nn.Sigmoid(), nn.Linear(16, 2, init="zeros"))
    monitor, _, _ = train(model, lr=0.5, epochs=5)
    W = model[0].weight.data
    assert np.abs(W).max() > 1e-3                       # training did move the weights ...
    np.testing.assert_allclose(W, np.broadcast_to(W[0], W.shape), rtol=1e-6, atol=0)  # ... all rows alike
    symmetry = [f for f in monitor.findings if f.kind == "symmetry" and f.layer == "0"]
    assert len(symmetry) == 2                            # at initialisation, and still after training
    assert "all zero at initialisation" in symmetry[0].message
    assert "still all 16 rows identical after 40 training steps" in symmetry[1].message
    assert "exploding_gradients" not in kinds(monitor.findings)  # weights growing from zero are no explosion


def test_too_large_learning_rate_flags_explosion_before_the_loss_is_nan():
    tg.manual_seed(0)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((256, 10)).astype(np.float32)
    y = X.sum(axis=1, keepdims=True).astype(np.float32)
    model = nn.Sequential(nn.Linear(10, 64, init="he_normal"), nn.ReLU(), nn.Linear(64, 64, init="he_normal"),
                          nn.ReLU(), nn.Linear(64, 1, init="he_normal"))
    optimizer = tg.optim.SGD(model.parameters(), lr=0.5)
    monitor = Monitor(model, warn=False)   # on its own: observe_batch after each step
    first_nan = None
    with np.errstate(all="ignore"):
        for step in range(100):
            i = step * 32 % 256
            d = model(tg.tensor(X[i:i + 32])) - tg.tensor(y[i:i + 32])
            loss = (d * d).mean()           # no loss module: they refuse nan inputs
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            monitor.observe_batch(loss)
            if not math.isfinite(loss.item()):
                first_nan = step
                break
    assert first_nan is not None
    explosion = [f for f in monitor.diagnose() if f.kind == "exploding_gradients"]
    assert explosion and min(f.step for f in explosion) < first_nan
    assert any("learning rate" in r for r in explosion[0].remedies)
    assert any("clipping" in r for r in explosion[0].remedies)
    nan = [f for f in monitor.findings if f.kind == "nan"]
    assert len(nan) == 1 and nan[0].step == first_nan


def test_explosion_under_fit_is_flagged_as_a_warning_before_training_breaks():
    tg.manual_seed(0)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((256, 10)).astype(np.float32)
    y = (3 * X.sum(axis=1, keepdims=True)).astype(np.float32)
    model = nn.Sequential(nn.Linear(10, 64, init="he_normal"), nn.ReLU(), nn.Linear(64, 1, init="he_normal"))
    monitor = Monitor()
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always")
        with pytest.raises(ValueError, match="nan"):   # MSELoss refuses nan outputs: training stops there
            fit(model, nn.MSELoss(), tg.optim.SGD(model.parameters(), lr=0.5), (X, y), epochs=20,
                batch_size=32, verbose=False, callbacks=[monitor], seed=0)
    stopped_at = len(monitor.steps["loss"])            # the step whose forward pass gave nan
    explosion = [f for f in monitor.findings if f.kind == "exploding_gradients"]
    assert explosion and explosion[0].step < stopped_at
    assert any(issubclass(w.category, TrainingWarning) and "exploding" in str(w.message) for w in caught)


def test_healthy_relu_he_network_flags_nothing():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(10, 64, init="he_normal"), nn.ReLU(), nn.Linear(64, 64, init="he_normal"),
                          nn.ReLU(), nn.Linear(64, 2, init="he_normal"))
    monitor, history, caught = train(model, lr=0.1, epochs=8)
    assert monitor.diagnose() == [] and caught == []
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]   # and it did learn
    record = monitor.records[-1]
    assert set(record["activations"]) == {"0", "1", "2", "3", "4"}
    assert 0.3 < record["activations"]["1"]["zero_fraction"] < 0.7           # a ReLU zeroes about half
    assert record["activations"]["1"]["dead_fraction"] < 0.1
    for name in ("0.weight", "2.weight", "4.weight"):
        assert 1e-4 < record["update_ratio"][name] < 0.1
        assert record["grad_norm"][name] > 0
    # hooks are gone after fit: the model calls plain forward again
    assert not any(m._has_hooks for m in model.modules())
    assert all(not p._hooks for p in model.parameters())


def test_linear_stack_is_detected_from_the_structure():
    model = nn.Sequential(nn.Linear(10, 16), nn.Dropout(0.1), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 2))
    found = linear_stacks(model)
    assert [(f.kind, f.layer) for f in found] == [("linear_stack", "0, 2")]
    assert "ReLU" in found[0].remedies[0]
    nested = nn.Sequential(nn.Sequential(nn.Linear(4, 4), nn.Tanh()), nn.Sequential(nn.Linear(4, 4)),
                           nn.Linear(4, 2))
    assert [f.layer for f in linear_stacks(nested)] == ["1.0, 2"]
    assert linear_stacks(nn.Sequential(nn.Linear(4, 4), nn.Tanh(), nn.Linear(4, 2))) == []
    with pytest.warns(TrainingWarning, match="linear_stack"):
        Monitor(nn.Sequential(nn.Linear(3, 3), nn.Linear(3, 1)))


def test_standalone_use_records_per_step_and_detach_removes_every_hook():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8, init="he_normal"), nn.ReLU(), nn.Linear(8, 1, init="he_normal"))
    optimizer = tg.optim.SGD(model.parameters(), lr=0.01)
    monitor = Monitor(warn=False).attach(model)
    x, y = tg.randn(16, 4), tg.randn(16, 1)
    before = model[0].weight.data.copy()
    loss = ((model(x) - y) ** 2).mean()
    optimizer.zero_grad()
    loss.backward()
    grad = model[0].weight.grad.numpy().copy()
    optimizer.step()
    monitor.observe_batch(loss)
    assert monitor.steps["grad_norm"]["0.weight"][0] == pytest.approx(np.linalg.norm(grad), rel=1e-5)
    expected = np.linalg.norm(model[0].weight.data - before) / np.linalg.norm(before)
    assert monitor.steps["update_ratio"]["0.weight"][0] == pytest.approx(expected, rel=1e-5)
    with tg.no_grad():                   # evaluation passes are not recorded
        model(x)
    record = monitor.end_epoch()
    assert record["steps"] == 1 and record["loss"] == pytest.approx(loss.item())
    assert 0 in monitor.samples and monitor.samples[0]["1"].size <= monitor.sample_size
    monitor.detach()
    assert not any(m._has_hooks for m in model.modules()) and all(not p._hooks for p in model.parameters())
    assert monitor.diagnose() == []


def test_identical_rows_and_finding_text():
    assert identical_rows(np.zeros((3, 2)))
    assert identical_rows(np.ones((3, 2)) * [1.0, 2.0])
    assert not identical_rows(np.arange(6.0).reshape(3, 2))
    assert not identical_rows(np.ones((1, 5)))
    f = Finding("dead_units", "1", "layer 1 is dead.")
    assert f.remedies and "leaky ReLU" in str(f) and f.to_dict()["kind"] == "dead_units"


def test_write_monitor_report_writes_the_plots_and_the_diagnosis(tmp_path):
    from tensorgate.plot.instruments import write_monitor_report

    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 2))
    model[0].bias.data[:40] = -10.0           # 40 of 64 units dead
    monitor, _, _ = train(model, epochs=2)
    files = write_monitor_report(monitor, tmp_path / "run")
    names = sorted(p.rsplit("/", 1)[-1] for p in map(str, files))
    assert names == ["activation_histograms.png", "diagnosis.txt", "gradient_norms.png", "update_ratios.png"]
    for path in files:
        assert (tmp_path / "run" / path.rsplit("/", 1)[-1]).stat().st_size > 0
    text = (tmp_path / "run" / "diagnosis.txt").read_text(encoding="utf-8")
    assert "[dead_units]" in text and "1 (ReLU)" in text and "remedy:" in text
