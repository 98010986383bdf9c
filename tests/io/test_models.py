"""tg.save / tg.load of models and checkpoints: architecture + weights, bit exact, never code from the file."""
import hashlib
import json
import struct

import numpy as np
import pytest

import tensorgate as tg
from tensorgate import nn, optim
from tensorgate.io import ModelFileError, load, load_checkpoint, save, save_checkpoint
from tensorgate.io.format import MAGIC


def _model(dtype=None):
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.2), nn.Linear(8, 2))
    if dtype == "float64":
        model = model.double()
    # make the buffers non-trivial
    model(tg.randn(16, 3, dtype=dtype))
    return model


@pytest.mark.parametrize("dtype", [None, "float64"])
def test_module_round_trip_is_bit_exact(tmp_path, dtype):
    model = _model(dtype)
    path = tmp_path / "model.tgate"
    save(model, path, metadata={"dataset": "toy"})
    back = load(path)
    assert type(back) is nn.Sequential and repr(back) == repr(model)
    a, b = model.state_dict(), back.state_dict()
    assert list(a) == list(b)
    for k in a:
        assert a[k].dtype == b[k].dtype and a[k].shape == b[k].shape
        assert a[k].tobytes() == b[k].tobytes(), k  # bit for bit (float32/float64 weights, int64 counter)
    assert b["1.num_batches_tracked"].dtype == np.int64
    model.eval(), back.eval()
    x = tg.randn(5, 3, dtype=dtype)
    np.testing.assert_array_equal(model(x).data, back(x).data)
    assert tg.io.read_metadata(path)["metadata"] == {"dataset": "toy"}


def test_custom_registered_module_round_trip(tmp_path):
    class TwoHeads(nn.Module):
        def __init__(self, n_in, n_hidden=4):
            super().__init__()
            self.body = nn.Linear(n_in, n_hidden)
            self.head = nn.Linear(n_hidden, 1)

        def forward(self, x):
            return self.head(self.body(x).relu())

    model = TwoHeads(3, n_hidden=5)
    save(model, tmp_path / "m.tgate")
    back = load(tmp_path / "m.tgate")
    assert isinstance(back, TwoHeads) and back.body.weight.shape == (5, 3)
    np.testing.assert_array_equal(back.head.weight.data, model.head.weight.data)


def _craft_module_file(path, config, state_rows=(), data=b""):
    header = {"format_version": 1, "kind": "module", "tensors": list(state_rows),
              "payload": {"config": config, "state": {r["name"]: {"__tensor__": r["name"]} for r in state_rows}},
              "metadata": {}}
    header_bytes = json.dumps(header).encode()
    head = struct.pack("<8sIQQ", MAGIC, 1, len(header_bytes), len(data)) + header_bytes
    head += b"\0" * ((-len(head)) % 64)
    body = head + data
    path.write_bytes(body + hashlib.sha256(body).digest())


@pytest.mark.parametrize("config", [
    {"type": "os.system", "args": ["touch {pwned}"], "kwargs": {}},
    {"type": "subprocess.Popen", "args": [["touch", "{pwned}"]], "kwargs": {}},
    {"type": "builtins.eval", "args": ["__import__('os').system('touch {pwned}')"], "kwargs": {}},
    {"type": "Sequential", "args": [{"type": "posix.system", "args": ["touch {pwned}"], "kwargs": {}}],
     "kwargs": {}},
])
def test_unregistered_type_is_an_error_not_code_execution(tmp_path, config):
    pwned = tmp_path / "pwned"
    text = json.dumps(config).replace("{pwned}", str(pwned))
    path = tmp_path / "evil.tgate"
    _craft_module_file(path, json.loads(text))
    with pytest.raises(ModelFileError, match="unknown module type"):
        load(path)
    assert not pwned.exists()


def test_weights_that_do_not_fit_the_architecture(tmp_path):
    path = tmp_path / "bad.tgate"
    row = {"name": "weight", "dtype": "<f4", "shape": [2, 2], "offset": 0, "nbytes": 16}
    _craft_module_file(path, {"type": "Linear", "args": [3, 2], "kwargs": {}}, [row], b"\0" * 16)
    with pytest.raises(ModelFileError, match="do not fit its architecture"):
        load(path)
    _craft_module_file(path, {"type": "Linear"}, [])
    with pytest.raises(ModelFileError, match="cannot rebuild"):
        load(path)


def test_checkpoint_round_trip(tmp_path):
    model = _model()
    opt = optim.AdamW(model.parameters(), lr=0.01, betas=(0.8, 0.9))
    model.train()
    loss = model(tg.randn(8, 3)).sum()
    loss.backward()
    opt.step()
    path = tmp_path / "ckpt.tgate"
    save_checkpoint(path, model, opt, epoch=4, history={"history": {"loss": [1.0, float("nan")]}, "epoch": [0, 1]},
                    rng_state=tg.backend.random.get_rng_state(), extra={"note": "x", "arr": np.arange(3)})
    ckpt = load_checkpoint(path)
    assert ckpt["epoch"] == 4 and ckpt["extra"]["note"] == "x"
    np.testing.assert_array_equal(ckpt["extra"]["arr"], np.arange(3))
    assert np.isnan(ckpt["history"]["history"]["loss"][1])
    assert ckpt["rng_state"] == tg.backend.random.get_rng_state()  # 128-bit integers survive JSON
    saved = opt.state_dict()
    assert ckpt["optimizer"]["param_groups"] == saved["param_groups"]
    assert ckpt["optimizer"]["param_groups"][0]["betas"] == (0.8, 0.9)
    for i, entry in saved["state"].items():
        for k, v in entry.items():
            np.testing.assert_array_equal(ckpt["optimizer"]["state"][i][k], v)
    full = load(path)
    assert isinstance(full["model"], nn.Sequential)
    with pytest.raises(ModelFileError, match="not a training checkpoint"):
        save(model, tmp_path / "m.tgate")
        load_checkpoint(tmp_path / "m.tgate")


def test_checkpoint_of_a_model_without_config_keeps_the_weights(tmp_path):
    class Plain(nn.Module):
        def __init__(self, fn):
            super().__init__()
            self.fn = fn
            self.lin = nn.Linear(2, 2)

        def forward(self, x):
            return self.fn(self.lin(x))

    model = Plain(lambda x: x)  # a function argument: no JSON config
    with pytest.raises(TypeError):
        save(model, tmp_path / "m.tgate")
    save_checkpoint(tmp_path / "c.tgate", model, epoch=1)
    ckpt = load(tmp_path / "c.tgate")
    assert ckpt["model_config"] is None and "model" not in ckpt
    np.testing.assert_array_equal(ckpt["model_state"]["lin.weight"], model.lin.weight.data)


def test_dict_with_a_module_inside(tmp_path):
    model = nn.Linear(2, 3)
    save({"model": model, "classes": ["a", "b", "c"]}, tmp_path / "d.tgate")
    back = load(tmp_path / "d.tgate")
    assert isinstance(back["model"], nn.Linear) and back["classes"] == ["a", "b", "c"]
    np.testing.assert_array_equal(back["model"].weight.data, model.weight.data)


def test_zoo_networks_load_in_a_fresh_interpreter(tmp_path):
    """tg.load finds LeNet5's class without the caller importing tensorgate.models.zoo first."""
    import subprocess
    import sys
    from pathlib import Path

    import tensorgate as tg
    from tensorgate.models import zoo
    from tensorgate.nn import config as module_config

    path = tmp_path / "lenet.tgate"
    tg.save(zoo.LeNet5(), path)
    src = str(Path(__file__).resolve().parents[2] / "src")
    code = f"import tensorgate as tg; print(type(tg.load({str(path)!r})).__name__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={"PYTHONPATH": src})
    assert out.stdout.strip() == "LeNet5", out.stderr
    ours = {name for name, obj in vars(zoo).items()      # the zoo is a package: one file per family
            if isinstance(obj, type) and issubclass(obj, tg.nn.Module) and obj.__module__.startswith(zoo.__name__)}
    assert {"LeNet5", "AlexNet", "GoogLeNet", "Inception", "EfficientNet", "MBConv"} <= ours
    assert ours <= set(module_config._DEFINED_IN)
