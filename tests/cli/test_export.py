"""``tensorgate export RUN --format onnx|safetensors``: the file other tools read gives what predict gives."""
import json

import numpy as np
import pytest

import tensorgate as tg
from cli_helpers import assert_main_error, assert_user_error, run_cli, run_main

onnx = pytest.importorskip("onnx", reason="the optional 'onnx' package is not installed (pip install tensorgate[onnx])")
ort = pytest.importorskip("onnxruntime", reason="the optional 'onnxruntime' package is not installed")


def _train(capsys, run_dir, *args):
    status, _, err = run_main(capsys, "train", *args, "--out", run_dir, "--no-plots", "--no-progress")
    assert status == 0, err


def _image_run(run_dir):
    """A run directory of a ResNetSmall on 8×8 images with standardisation (saved as train saves it, untrained:
    training a CNN here would take seconds and change nothing the export does)."""
    from tensorgate.models import zoo

    tg.manual_seed(0)
    model = zoo.get_model("resnet", (1, 8, 8), 4)
    rng = np.random.default_rng(0)
    for m in model.modules():
        if isinstance(m, tg.nn.BatchNorm2d):
            m.running_mean.data[...] = 0.1 * rng.standard_normal(m.num_features)
            m.running_var.data[...] = rng.uniform(0.5, 1.5, m.num_features)
    run_dir.mkdir()
    metadata = {"tensorgate_cli": 1, "model": "resnet", "data": "shapes", "seed": 0, "classes": list("abcd"),
                "example_shape": [1, 8, 8], "image_shape": [1, 8, 8],
                "standardize": {"mean": rng.uniform(0, 8, 64).tolist(), "scale": rng.uniform(1, 4, 64).tolist()}}
    tg.save(model.eval(), run_dir / "model.tgate", metadata=metadata)


@pytest.mark.parametrize("args", [("--data", "xor", "--epochs", "2"),
                                  ("--data", "breast-cancer", "--model", "logreg", "--epochs", "3"),
                                  "image"])
def test_onnx_gives_what_predict_gives(tmp_path, capsys, args):
    from tensorgate.cli.runs import Predictor

    run_dir = tmp_path / "run"
    if args == "image":
        _image_run(run_dir)
    else:
        _train(capsys, run_dir, *args)
    status, out, err = run_main(capsys, "export", run_dir, "--format", "onnx")
    assert status == 0, err
    assert "model.onnx" in out
    proto = onnx.load(str(run_dir / "model.onnx"))
    onnx.checker.check_model(proto, full_check=True)
    predictor = Predictor.load(run_dir)
    props = {p.key: p.value for p in proto.metadata_props}
    assert json.loads(props["classes"]) == predictor.class_names(len(predictor.classes))
    session = ort.InferenceSession(str(run_dir / "model.onnx"), providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    scale = predictor.scale if predictor.scale is not None else 1.0
    mean = predictor.mean if predictor.mean is not None else 0.0
    for n in (3, 11):   # raw features around the training data's
        raw = (mean + scale * rng.standard_normal((n,) + predictor.example_shape)).astype(np.float32)
        logits, proba = session.run(["logits", "probabilities"], {"input": raw})
        np.testing.assert_allclose(logits, predictor.logits(raw), rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(proba, predictor.predict_proba(raw), rtol=1e-5, atol=1e-5)


def test_existing_files_are_kept_without_overwrite(tmp_path, capsys):
    run_dir = tmp_path / "run"
    _train(capsys, run_dir, "--data", "xor", "--epochs", "1")
    (run_dir / "model.onnx").write_bytes(b"mine")
    assert_main_error(capsys, ["export", run_dir], "model.onnx exists", "--overwrite")
    assert (run_dir / "model.onnx").read_bytes() == b"mine"
    status, _, err = run_main(capsys, "export", run_dir, "--overwrite")
    assert status == 0, err
    onnx.checker.check_model(onnx.load(str(run_dir / "model.onnx")))
    status, _, err = run_main(capsys, "export", run_dir / "model.tgate", "--format", "safetensors",
                              "--output", tmp_path / "w.safetensors")
    assert status == 0, err
    weights = tg.load(tmp_path / "w.safetensors")
    model = tg.load(run_dir / "model.tgate")
    assert set(weights) == set(model.state_dict())
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(weights[k], v)
    assert sorted(p.name for p in run_dir.iterdir() if p.name.startswith(".")) == []   # no temporaries


def test_export_errors_are_one_line(tmp_path):
    assert_user_error(run_cli("export", tmp_path / "nowhere"), "no such model file or run directory")
    assert_user_error(run_cli("export", tmp_path, "--format", "onnx"), "not a run directory")
    assert_user_error(run_cli("export", tmp_path, "--format", "keras"), "invalid choice")
