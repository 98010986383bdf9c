"""Everything above the gates on another device: moving modules, initialising, optimising, clipping, saving
and loading, datasets and the loader's pinning, the tape, fit, and the CLI's --device.

Tests taking ``device`` (conftest.py) run on the stand-in device, and on 'cuda' too where a GPU is present.

The optimisers get their gradients by hand (``p.grad = ...``), so their tests need no gate; fit and the
compiled step train through the gates on the device.
"""
import os

import numpy as np
import pytest

import tensorgate as tg
from tensorgate import nn

from tensorgate.backend import devices as D

from .parity import STRICT



def _on(array, device):
    """Whether ``array`` lives on ``device`` ('array_api_strict', or 'cuda' where a GPU is present)."""
    return D.device_of(array)[0] == tg.device(device).type


def _tol(device, dtype=np.float32):
    """The stand-in device computes as NumPy does; a GPU's kernels may fuse a multiply-add (one rounding)."""
    if dtype == np.float64:
        return dict(rtol=1e-13, atol=1e-14) if device == STRICT else dict(rtol=1e-10, atol=1e-12)
    return dict(rtol=1e-6, atol=1e-7) if device == STRICT else dict(rtol=2e-5, atol=1e-6)


def _small_model():
    tg.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))


# ---------------------------------------------------------------- Module.to / .cuda / .cpu
def test_module_to_moves_parameters_buffers_and_grads_in_place(device):
    model = _small_model()
    params, buffers = list(model.parameters()), list(model.buffers())
    values = {name: a.copy() for name, a in model.state_dict().items()}
    for p in params:
        p.grad = np.full(p.shape, 0.5, dtype=np.float32)
    assert model.to(device) is model
    assert list(model.parameters()) == params and list(model.buffers()) == buffers   # the same objects
    for t in params + buffers:
        assert t.device == tg.device(device) and _on(t.data, device)
    for p in params:
        assert p.grad.device == tg.device(device) and p.requires_grad
        np.testing.assert_array_equal(p.grad.numpy(force=True), 0.5)
    assert model[1].num_batches_tracked.dtype == np.int64       # integer buffers keep their dtype
    for name, a in model.state_dict().items():                  # state dicts come to the CPU
        assert isinstance(a, np.ndarray)
        np.testing.assert_array_equal(a, values[name])
    assert model.cpu() is model
    assert all(isinstance(t.data, np.ndarray) for t in params + buffers)
    assert all(isinstance(p._grad, np.ndarray) for p in params)


def test_module_to_takes_a_device_and_a_dtype_together_or_a_tensor(device):
    model = _small_model()
    model.to(device, tg.float64)
    assert all(p.device == tg.device(device) and p.dtype == np.float64 for p in model.parameters())
    assert model[1].num_batches_tracked.dtype == np.int64
    model.to(dtype="float32", device="cpu")
    assert all(p.device == tg.device("cpu") and p.dtype == np.float32 for p in model.parameters())
    model.to(tg.zeros(1, dtype="float64", device=device))
    assert all(p.device == tg.device(device) and p.dtype == np.float64 for p in model.parameters())
    model.to(tg.device("cpu")).float()
    assert all(p.device == tg.device("cpu") and p.dtype == np.float32 for p in model.parameters())
    with pytest.raises(TypeError, match="floating"):
        model.to("int64")


def test_module_cuda_without_a_gpu_is_refused_before_anything_moves():
    if tg.cuda.is_available():
        pytest.skip("a GPU is present")
    model = _small_model()
    for call in (model.cuda, lambda: model.to("cuda"), lambda: model.to("cuda:1")):
        with pytest.raises(RuntimeError, match="cuda"):
            call()
    assert all(p.device == tg.device("cpu") for p in model.parameters())


def test_initialisation_on_the_device_draws_the_cpus_numbers(device):
    tg.manual_seed(3)
    cpu = nn.Linear(5, 4)
    moved = nn.Linear(5, 4).to(device)
    tg.manual_seed(3)
    moved.reset_parameters()
    assert moved.weight.device == tg.device(device)
    np.testing.assert_array_equal(moved.weight.numpy(force=True), cpu.weight.numpy())
    np.testing.assert_array_equal(moved.bias.numpy(force=True), cpu.bias.numpy())
    for init in (nn.init.xavier_uniform_, nn.init.he_normal_, nn.init.zeros_, lambda t: nn.init.constant_(t, 2.0)):
        w = nn.Parameter(tg.zeros(4, 5, device=device))
        tg.manual_seed(1)
        init(w)
        expected = nn.Parameter(tg.zeros(4, 5))
        tg.manual_seed(1)
        init(expected)
        assert w.device == tg.device(device)
        np.testing.assert_array_equal(w.numpy(force=True), expected.numpy())


def test_batchnorm_running_statistics_reset_on_the_device(device):
    bn = nn.BatchNorm1d(3).to(device)
    bn.running_mean.data[...] = 5.0
    bn.reset_running_stats()
    assert bn.running_mean.device == tg.device(device) and _on(bn.running_var.data, device)
    np.testing.assert_array_equal(bn.running_mean.numpy(force=True), 0.0)
    np.testing.assert_array_equal(bn.running_var.numpy(force=True), 1.0)


def test_load_state_dict_into_a_module_on_the_device(device):
    source, target = _small_model(), nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    target.to(device)
    target.load_state_dict(source.state_dict())
    for name, a in target.state_dict().items():
        np.testing.assert_array_equal(a, source.state_dict()[name])
    assert all(_on(t.data, device) for t in list(target.parameters()) + list(target.buffers()))
    other = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    other.load_state_dict(target.state_dict())          # and from the device's (host) state dict to the CPU
    np.testing.assert_array_equal(other[0].weight.numpy(), source[0].weight.numpy())


def test_numpy_inputs_follow_the_parameters_and_summary_runs_on_the_device(device):
    layer = nn.Linear(3, 2).to(device)
    out = layer(np.ones((4, 3)))                          # float64 NumPy: cast and moved, as on the CPU
    assert out.device == tg.device(device) and out.dtype == np.float32
    rows = nn.summary(nn.Sequential(nn.Linear(3, 2)).to(device), (3,), print_fn=None)
    assert rows[0]["params"] == 8


# ---------------------------------------------------------------- optimisers
OPTIMISERS = [
    ("sgd", tg.optim.SGD, dict(lr=0.1)),
    ("sgd_momentum", tg.optim.SGD, dict(lr=0.1, momentum=0.9)),
    ("sgd_nesterov_decay", tg.optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("sgd_dampening", tg.optim.SGD, dict(lr=0.05, momentum=0.5, dampening=0.3)),
    ("adam", tg.optim.Adam, dict(lr=0.01)),
    ("adam_amsgrad_decay", tg.optim.Adam, dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
    ("adamw", tg.optim.AdamW, dict(lr=0.01)),
    ("rmsprop", tg.optim.RMSprop, dict(lr=0.01)),
    ("rmsprop_centered_momentum", tg.optim.RMSprop, dict(lr=0.01, centered=True, momentum=0.5, weight_decay=0.1)),
]


def _optimise(cls, options, device, steps=4, dtype=np.float32):
    """Parameters of two shapes on ``device`` stepped ``steps`` times with the same hand-made gradients."""
    rng = np.random.default_rng(0)
    params = [nn.Parameter(tg.tensor(rng.standard_normal(shape).astype(dtype), dtype=dtype, device=device))
              for shape in ((3, 4), (5,))]
    opt = cls(params, **options)
    for _ in range(steps):
        for p in params:
            p.grad = tg.tensor(rng.standard_normal(p.shape).astype(dtype), dtype=dtype, device=device)
        opt.step()
    return params, opt


@pytest.mark.parametrize("cls, options", [o[1:] for o in OPTIMISERS], ids=[o[0] for o in OPTIMISERS])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_each_optimiser_steps_on_the_device_as_on_the_cpu(cls, options, dtype, device):
    cpu, cpu_opt = _optimise(cls, options, "cpu", dtype=dtype)
    strict, strict_opt = _optimise(cls, options, device, dtype=dtype)
    tol = _tol(device, dtype)
    for c, s in zip(cpu, strict):
        assert s.device == tg.device(device) and s.dtype == dtype
        np.testing.assert_allclose(s.numpy(force=True), c.numpy(), **tol)
    for p in strict:        # the state lives on the parameters' device
        for value in strict_opt.state[p].values():
            assert not hasattr(value, "shape") or _on(value, device)
    saved, expected = strict_opt.state_dict(), cpu_opt.state_dict()
    for index, entry in expected["state"].items():      # and comes to the CPU in a state dict
        for key, value in entry.items():
            if isinstance(value, np.ndarray):
                assert isinstance(saved["state"][index][key], np.ndarray)
                np.testing.assert_allclose(saved["state"][index][key], value, **tol)
            else:
                assert saved["state"][index][key] == value


@pytest.mark.parametrize("cls, options", [o[1:] for o in OPTIMISERS], ids=[o[0] for o in OPTIMISERS])
def test_an_optimiser_state_dict_loads_onto_the_device_and_continues_as_on_the_cpu(cls, options, device):
    cpu, cpu_opt = _optimise(cls, options, "cpu", steps=2)
    fresh = [nn.Parameter(tg.tensor(p.numpy(), device=device)) for p in cpu]
    opt = cls(fresh, **options)
    opt.load_state_dict(cpu_opt.state_dict())
    for p in fresh:
        assert all(not hasattr(v, "shape") or _on(v, device) for v in opt.state[p].values())
    grads = [np.random.default_rng(9).standard_normal(p.shape).astype(np.float32) for p in cpu]
    for params, optimiser, where in ((cpu, cpu_opt, "cpu"), (fresh, opt, device)):
        for p, g in zip(params, grads):
            p.grad = tg.tensor(g, device=where)
        optimiser.step()
    for c, s in zip(cpu, fresh):
        np.testing.assert_allclose(s.numpy(force=True), c.numpy(), **_tol(device))


def test_the_state_follows_a_model_moved_after_its_optimiser_was_made(device):
    model = nn.Linear(3, 2)
    opt = tg.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for _ in range(2):     # two steps: SGD's flat velocity layout exists on the CPU
        for p in model.parameters():
            p.grad = np.ones(p.shape, np.float32)
        opt.step()
    model.to(device)
    for p in model.parameters():
        p.grad = tg.ones(*p.shape, device=device)
    opt.step()
    assert all(_on(opt.state[p]["momentum_buffer"], device) for p in model.parameters())
    model.cpu()
    for p in model.parameters():
        p.grad = np.ones(p.shape, np.float32)
    opt.step()
    assert all(isinstance(opt.state[p]["momentum_buffer"], np.ndarray) for p in model.parameters())
    np.testing.assert_allclose(opt.state[model.bias]["momentum_buffer"], 1 + 0.9 * (1 + 0.9 * (1 + 0.9)), rtol=1e-6)


def test_zero_grad_without_none_zeroes_on_the_device(device):
    model = nn.Linear(3, 2).to(device)
    opt = tg.optim.SGD(model.parameters(), lr=0.1)
    for p in model.parameters():
        p.grad = tg.ones(*p.shape, device=device)
    opt.zero_grad(set_to_none=False)
    assert all(p.grad.device == tg.device(device) and not p.grad.numpy(force=True).any() for p in model.parameters())
    model.zero_grad(set_to_none=False)
    assert all(p.grad is not None for p in model.parameters())


def test_a_schedule_drives_an_optimiser_on_the_device(device):
    params, opt = _optimise(tg.optim.SGD, dict(lr=0.1, momentum=0.9), device, steps=1)
    schedule = tg.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    schedule.step()
    assert opt.param_groups[0]["lr"] == pytest.approx(0.05)


# ---------------------------------------------------------------- clipping
@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_on_the_device_equals_the_cpu(norm_type, max_norm, device):
    results = {}
    for where in ("cpu", device):
        rng = np.random.default_rng(0)
        params = [tg.zeros(*shape, requires_grad=True, device=where) for shape in ((4, 3), (3,), (2, 2, 2))]
        for p in params:
            p.grad = tg.tensor(rng.standard_normal(p.shape).astype(np.float32), device=where)
        total = tg.optim.clip_grad_norm_(params, max_norm, norm_type=norm_type)
        assert total.device == tg.device(where) and total.dtype == np.float32
        results[where] = (float(total.item()), [p.grad.numpy(force=True) for p in params])
    assert results[device][0] == pytest.approx(results["cpu"][0], rel=1e-5)
    for s, c in zip(results[device][1], results["cpu"][1]):
        np.testing.assert_allclose(s, c, **_tol(device))


def test_clip_grad_value_on_the_device(device):
    w = tg.zeros(3, requires_grad=True, device=device)
    w.grad = tg.tensor([3.0, -0.5, -2.0], device=device)
    tg.optim.clip_grad_value_([w], 1.0)
    assert w.grad.device == tg.device(device)
    np.testing.assert_array_equal(w.grad.numpy(force=True), [1.0, -0.5, -1.0])


def test_vector_to_parameters_on_the_device(device):
    layer = nn.Linear(2, 2).to(device)
    nn.utils.vector_to_parameters(tg.arange(6, dtype="float32", device=device), layer.parameters())
    np.testing.assert_array_equal(layer.weight.numpy(force=True), [[0, 1], [2, 3]])
    assert _on(layer.weight.data, device)


# ---------------------------------------------------------------- save / load
def test_save_brings_a_device_model_to_the_cpu_and_load_can_put_it_back(tmp_path, device):
    model = _small_model().to(device)
    path = tmp_path / "model.tgate"
    tg.save(model, path)
    loaded = tg.load(path)
    assert all(isinstance(t.data, np.ndarray) for t in loaded.parameters())
    for name, a in loaded.state_dict().items():
        np.testing.assert_array_equal(a, model.state_dict()[name])
    for where in (device, tg.device(device)):
        placed = tg.load(path, map_location=where)
        assert all(t.device == tg.device(device) for t in list(placed.parameters()) + list(placed.buffers()))
        np.testing.assert_array_equal(placed[0].weight.numpy(force=True), model[0].weight.numpy(force=True))


def test_save_and_load_a_dict_of_device_tensors(tmp_path, device):
    w = nn.Parameter(tg.tensor([[1.0, 2.0]], device=device))
    path = tmp_path / "d.tgate"
    tg.save({"w": w, "raw": w.data, "step": 3}, path)
    back = tg.load(path)
    assert back["w"].device == tg.device("cpu") and back["w"].requires_grad and isinstance(back["raw"], np.ndarray)
    placed = tg.load(path, map_location=device)
    assert placed["w"].device == tg.device(device) and placed["w"].requires_grad and placed["step"] == 3
    assert isinstance(placed["raw"], np.ndarray)        # plain arrays stay NumPy arrays
    np.testing.assert_array_equal(placed["w"].numpy(force=True), [[1.0, 2.0]])


def test_safetensors_and_checkpoints_from_a_device_model(tmp_path, device):
    model = _small_model().to(device)
    tg.save(model.state_dict(), tmp_path / "w.safetensors")
    tg.save({"weight": model[0].weight}, tmp_path / "one.safetensors")
    np.testing.assert_array_equal(tg.load(tmp_path / "one.safetensors")["weight"], model[0].weight.numpy(force=True))
    opt = tg.optim.Adam(model.parameters())
    for p in model.parameters():
        p.grad = tg.ones(*p.shape, device=device)
    opt.step()
    tg.io.save_checkpoint(tmp_path / "ckpt.tgate", model, opt, epoch=1)
    ckpt = tg.load(tmp_path / "ckpt.tgate", map_location=device)
    assert ckpt["model"][0].weight.device == tg.device(device)
    fresh = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2)).to(device)
    fresh_opt = tg.optim.Adam(fresh.parameters())
    fresh.load_state_dict(ckpt["model_state"])
    fresh_opt.load_state_dict(ckpt["optimizer"])
    assert all(_on(fresh_opt.state[p]["exp_avg"], device) for p in fresh.parameters())


def test_load_to_cuda_without_a_gpu_is_refused(tmp_path):
    if tg.cuda.is_available():
        pytest.skip("a GPU is present")
    path = tmp_path / "m.tgate"
    tg.save(nn.Linear(2, 2), path)
    with pytest.raises(RuntimeError, match="cuda"):
        tg.load(path, map_location="cuda")
    with pytest.raises(ValueError, match="map_location"):
        tg.load(path, map_location="mps")


# ---------------------------------------------------------------- data
def test_pin_memory_without_a_gpu_changes_nothing():
    X, y = np.arange(12, dtype=np.float32).reshape(6, 2), np.arange(6)
    plain = [b for b in tg.data.DataLoader(tg.data.ArrayDataset(X, y), batch_size=4)]
    pinned = [b for b in tg.data.DataLoader(tg.data.ArrayDataset(X, y), batch_size=4, pin_memory=True)]
    for (a, b), (c, d) in zip(plain, pinned):
        np.testing.assert_array_equal(a.numpy(), c.numpy())
        np.testing.assert_array_equal(b.numpy(), d.numpy())


def test_pin_memory_pins_every_array_of_a_batch(monkeypatch):
    """With a GPU, every NumPy array of a batch goes through backend.ops.pinned (CuPy's pinned pool);
    here a stand-in for it records the calls (no GPU on the test machines)."""
    from tensorgate.data import loader

    seen = []

    def fake_pinned(array):
        seen.append(array.shape)
        return array.copy()

    monkeypatch.setattr(loader.devices, "cuda_device_count", lambda: 1)
    monkeypatch.setattr(loader.ops, "pinned", fake_pinned)
    X, y = np.zeros((6, 2), np.float32), np.arange(6)
    batches = list(tg.data.DataLoader(tg.data.ArrayDataset(X, y), batch_size=4, pin_memory=True))
    assert seen == [(4, 2), (4,), (2, 2), (2,)]
    assert all(isinstance(t, tg.Tensor) for batch in batches for t in batch)
    dicts = list(tg.data.DataLoader([{"x": np.ones(2, np.float32)}] * 3, batch_size=3, pin_memory=True))
    assert seen[-1] == (3, 2) and dicts[0]["x"].shape == (3, 2)


@pytest.mark.parametrize("shuffle", [False, True])
def test_a_dataset_on_the_device_is_batched_there(shuffle, device):
    X, y = np.arange(12, dtype=np.float32).reshape(6, 2), np.arange(6)
    dataset = tg.data.TensorDataset(tg.tensor(X, device=device), tg.tensor(y, device=device))
    assert dataset[2][0].device == tg.device(device) and dataset[2][1].item() == 2
    np.testing.assert_array_equal(dataset[np.array([0, 5])][0].numpy(force=True), X[[0, 5]])
    on_cpu = list(tg.data.DataLoader(tg.data.TensorDataset(X, y), batch_size=4, shuffle=shuffle, seed=0))
    on_device = list(tg.data.DataLoader(dataset, batch_size=4, shuffle=shuffle, seed=0))
    assert len(on_device) == len(on_cpu) == 2
    for (xc, yc), (xd, yd) in zip(on_cpu, on_device):
        assert xd.device == tg.device(device) and xd.dtype == np.float32 and yd.dtype == np.int64
        np.testing.assert_array_equal(xd.numpy(force=True), xc.numpy())
        np.testing.assert_array_equal(yd.numpy(force=True), yc.numpy())


def test_pinned_is_the_array_itself_without_a_gpu():
    from tensorgate.backend import ops

    if tg.cuda.is_available():
        pytest.skip("a GPU is present")
    a = np.ones(3)
    assert ops.pinned(a) is a


# ---------------------------------------------------------------- tape, compiled step, fit
def test_a_tape_replays_on_the_device(device):
    from tensorgate.autograd.tape import Tape, recording

    results = {}
    for where in ("cpu", device):
        w = tg.tensor([1.0, -2.0], requires_grad=True, device=where)
        x = tg.tensor([3.0, 4.0], device=where)
        with recording() as gates:
            out = (w * x + w) * w
        tape = Tape(gates, args=[x], leaves=[w], outputs=[out])
        w.grad = None
        (value,) = tape.replay([tg.tensor([1.0, 1.0], device=where).data])
        assert w.grad.device == tg.device(where) and _on(value, where)
        results[where] = (D.to_numpy(value), w.grad.numpy(force=True))
    for s, c in zip(results[device], results["cpu"]):
        np.testing.assert_array_equal(s, c)
    assert "fit(ds[0], (2,), float32)" in tape.code      # the device's dtype is named as the CPU's


def _fit_both(model_fn, loss, X, y, device, **options):
    results = {}
    for where in ("cpu", device):
        tg.manual_seed(0)
        model = model_fn()
        opt = tg.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        history = tg.training.fit(model, loss, opt, (X, y), epochs=2, batch_size=16, verbose=False, seed=0,
                                  device=where, val_data=(X, y), **options)
        assert all(p.device == tg.device(where) for p in model.parameters())
        results[where] = (history.history, tg.training.predict(model, X[:5]), model)
    return results


@pytest.mark.parametrize("run_eagerly", [True, None], ids=["eager", "compiled"])
def test_fit_on_the_device_equals_the_cpu(run_eagerly, device):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 4)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64)
    results = _fit_both(lambda: nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)), nn.CrossEntropyLoss(),
                        X, y, device, run_eagerly=run_eagerly)
    (cpu_history, cpu_pred, cpu_model), (history, pred, model) = results["cpu"], results[device]
    assert isinstance(pred, np.ndarray)                       # predictions come back to the CPU
    np.testing.assert_allclose(pred, cpu_pred, rtol=1e-4, atol=1e-5)
    assert model._recorded_forward.replays > 0                # validation and predict replayed on the device
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        np.testing.assert_allclose(history[key], cpu_history[key], rtol=1e-4)
    scores, cpu_scores = (tg.training.evaluate(m, nn.CrossEntropyLoss(), (X, y)) for m in (model, cpu_model))
    assert scores["accuracy"] == cpu_scores["accuracy"]
    assert scores["loss"] == pytest.approx(cpu_scores["loss"], rel=1e-4)


def test_fit_moves_the_model_and_the_losss_buffers_to_the_device(device):
    model = nn.Linear(4, 2)
    loss = nn.CrossEntropyLoss(weight=np.array([1.0, 2.0], np.float32))
    X, y = np.zeros((8, 4), np.float32), np.zeros(8, np.int64)
    tg.training.fit(model, loss, tg.optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=0, verbose=False,
                    device=device)
    assert model.weight.device == tg.device(device) and loss.weight.device == tg.device(device)


def test_the_compiled_step_replays_on_the_device(device):
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3)).to(device)
    step = tg.training.compile_step(model, nn.CrossEntropyLoss(), tg.optim.Adam(model.parameters(), lr=0.01))
    x, y = np.ones((5, 4), np.float32), np.array([0, 1, 2, 0, 1])
    losses = [step(x, y)[0] for _ in range(3)]              # NumPy batches are moved to the model's device
    assert step.replays == 2 and all(np.isfinite(losses))
    out = step(tg.tensor(x, device=device), tg.tensor(y, device=device))[1]
    assert _on(out, device) and step.replays == 3
    assert _on(model[1].running_mean.data, device)


# ---------------------------------------------------------------- the command line
def test_cli_train_on_cuda_without_a_gpu_is_one_line_and_exit_2(tmp_path, capsys):
    if tg.cuda.is_available():
        pytest.skip("a GPU is present")
    from tensorgate.cli.main import main

    out = tmp_path / "run"
    assert main(["train", "--device", "cuda", "--epochs", "1", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "cuda" in err and err.startswith("tensorgate: error:")
    assert not os.path.exists(out)                           # refused before a run directory was made
    assert main(["train", "--device", "gpu", "--out", str(out)]) == 2
    assert "cpu, cuda or cuda:N" in capsys.readouterr().err


def test_cli_train_on_the_cpu_says_nothing_of_devices(tmp_path):
    from tensorgate.cli.main import main

    out = tmp_path / "run"
    assert main(["train", "--device", "cpu", "--data", "xor", "--epochs", "1", "--out", str(out), "--no-plots",
                 "--progress", "none"]) == 0
    import json
    metrics = json.loads((out / "metrics.json").read_text())
    assert "device" not in metrics["training"]
