"""What test_strict_training.py checks on the stand-in device, on a real GPU through CuPy: moving modules,
the optimisers against the CPU, clipping, save/load with map_location='cuda', pinned batches, fit and the
compiled step, ``tensorgate train --device cuda``. Skipped, with the reason, where no GPU is usable.
"""
import json

import numpy as np
import pytest

import tensorgate as tg
from tensorgate import nn

pytestmark = pytest.mark.skipif(not tg.cuda.is_available(),
                                reason="no GPU: these need CuPy (tensorgate[cuda12] or [cuda13]) and an NVIDIA GPU")

CUDA = "cuda"


def _on_gpu(a):
    return type(a).__module__.partition(".")[0] == "cupy"


def test_module_moves_to_the_gpu_and_back():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    params = list(model.parameters())
    for p in params:
        p.grad = np.ones(p.shape, np.float32)
    before = model.state_dict()
    assert model.cuda() is model and list(model.parameters()) == params
    assert all(_on_gpu(t.data) for t in params + list(model.buffers()))
    assert all(p.is_cuda and _on_gpu(p._grad) for p in params)
    for name, a in model.state_dict().items():
        assert isinstance(a, np.ndarray)
        np.testing.assert_array_equal(a, before[name])
    model.cpu()
    assert all(isinstance(t.data, np.ndarray) for t in params)


@pytest.mark.parametrize("cls, options", [
    (tg.optim.SGD, dict(lr=0.1)), (tg.optim.SGD, dict(lr=0.1, momentum=0.9)),
    (tg.optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    (tg.optim.Adam, dict(lr=0.01, amsgrad=True)), (tg.optim.AdamW, dict(lr=0.01)),
    (tg.optim.RMSprop, dict(lr=0.01, centered=True, momentum=0.5))])
def test_each_optimiser_steps_on_the_gpu_as_on_the_cpu(cls, options):
    results = {}
    for device in ("cpu", CUDA):
        rng = np.random.default_rng(0)
        params = [nn.Parameter(tg.tensor(rng.standard_normal(s).astype(np.float32), device=device))
                  for s in ((3, 4), (5,))]
        opt = cls(params, **options)
        for _ in range(4):
            for p in params:
                p.grad = tg.tensor(rng.standard_normal(p.shape).astype(np.float32), device=device)
            opt.step()
        results[device] = [p.numpy(force=True) for p in params], opt.state_dict()
        if device == CUDA:
            assert all(not hasattr(v, "shape") or _on_gpu(v) for p in params for v in opt.state[p].values())
    for c, g in zip(results["cpu"][0], results[CUDA][0]):
        np.testing.assert_allclose(g, c, rtol=1e-5, atol=1e-6)
    assert all(isinstance(v, (np.ndarray, int, float)) for e in results[CUDA][1]["state"].values() for v in e.values())


def test_clip_grad_norm_on_the_gpu():
    w = tg.zeros(2, requires_grad=True, device=CUDA)
    w.grad = tg.tensor([3.0, 4.0], device=CUDA)
    total = tg.optim.clip_grad_norm_([w], 1.0)
    assert total.is_cuda and total.item() == pytest.approx(5.0)
    np.testing.assert_allclose(w.grad.numpy(force=True), [0.6, 0.8], rtol=1e-5)


def test_save_a_gpu_model_and_load_it_onto_the_gpu(tmp_path):
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)).cuda()
    tg.save(model, tmp_path / "m.tgate")
    assert all(isinstance(p.data, np.ndarray) for p in tg.load(tmp_path / "m.tgate").parameters())
    back = tg.load(tmp_path / "m.tgate", map_location="cuda:0")
    assert all(_on_gpu(t.data) for t in list(back.parameters()) + list(back.buffers()))
    np.testing.assert_array_equal(back[0].weight.numpy(force=True), model[0].weight.numpy(force=True))


def test_pin_memory_puts_batches_in_page_locked_memory():
    X, y = np.arange(12, dtype=np.float32).reshape(6, 2), np.arange(6)
    for xb, yb in tg.data.DataLoader(tg.data.ArrayDataset(X, y), batch_size=4, pin_memory=True):
        for t in (xb, yb):
            assert isinstance(t.data, np.ndarray) and "Pinned" in type(t.data.base).__name__
        assert xb.to(CUDA).is_cuda


@pytest.mark.parametrize("run_eagerly", [True, None], ids=["eager", "compiled"])
def test_fit_on_the_gpu_equals_the_cpu(run_eagerly):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 4)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64)
    results = {}
    for device in ("cpu", CUDA):
        tg.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
        opt = tg.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        history = tg.training.fit(model, nn.CrossEntropyLoss(), opt, (X, y), epochs=2, batch_size=16,
                                  verbose=False, seed=0, device=device, run_eagerly=run_eagerly, val_data=(X, y))
        results[device] = history.history, tg.training.predict(model, X[:5])
    np.testing.assert_allclose(results[CUDA][1], results["cpu"][1], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(results[CUDA][0]["loss"], results["cpu"][0]["loss"], rtol=1e-4)


def test_the_compiled_step_replays_on_the_gpu():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3)).cuda()
    step = tg.training.compile_step(model, nn.CrossEntropyLoss(), tg.optim.Adam(model.parameters(), lr=0.01))
    x, y = np.ones((5, 4), np.float32), np.array([0, 1, 2, 0, 1])
    losses = [step(x, y)[0] for _ in range(3)]
    assert step.replays == 2 and all(np.isfinite(losses)) and _on_gpu(step(x, y)[1])


def test_cli_trains_on_the_gpu(tmp_path):
    from tensorgate.cli.main import main

    out = tmp_path / "run"
    assert main(["train", "--device", "cuda", "--data", "xor", "--epochs", "2", "--out", str(out), "--no-plots",
                 "--progress", "none"]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["training"]["device"] == "cuda"
    assert all(isinstance(p.data, np.ndarray) for p in tg.load(out / "model.tgate").parameters())
