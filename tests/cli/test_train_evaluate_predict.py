"""train → evaluate → predict through the real command, and the errors a user can make on the way."""
import csv
import json
import re
import time

import numpy as np
import pytest

import tensorgate as tg
import tensorgate.data  # noqa: F401  (subpackages, until tensorgate/__init__ imports them)
import tensorgate.io  # noqa: F401
import tensorgate.nn  # noqa: F401
from tensorgate.cli import config as cli_config
from cli_helpers import assert_main_error, assert_user_error, run_cli, run_main

RUN_FILES = ("model.tgate", "config.json", "config.toml", "history.json", "metrics.json", "history.png",
             "confusion_matrix.png", "roc.png", "precision_recall.png")


def parsed_test_accuracy(text):
    match = re.search(r"test accuracy: ([0-9.]+)%", text)
    assert match, text
    return float(match.group(1)) / 100


# ------------------------------------------------------------------ the default run
@pytest.fixture(scope="session")
def digits_run(tmp_path_factory):
    """``tensorgate train`` with no arguments, in an empty directory: (result, seconds, run directory)."""
    cwd = tmp_path_factory.mktemp("default")
    started = time.perf_counter()
    result = run_cli("train", cwd=cwd)
    seconds = time.perf_counter() - started
    runs = sorted((cwd / "runs").glob("*-digits-mlp"))
    return result, seconds, runs[0] if runs else None


def test_default_train_on_digits(digits_run):
    result, seconds, run_dir = digits_run
    assert result.returncode == 0, result.stderr[-2000:]
    assert parsed_test_accuracy(result.stdout) >= 0.95
    assert seconds < 60
    for split in ("train", "validation", "test"):
        assert re.search(rf"^\s+{split}\s+[0-9.]+\s+[0-9.]+%\s+\d+$", result.stdout, re.M), split
    assert "samples/s" in result.stdout and "training time" in result.stdout
    assert "Epoch 30/30 - " in result.stdout and "\r" not in result.stdout  # not a terminal: a line per epoch
    assert run_dir is not None and f"run directory: runs/{run_dir.name}" in result.stdout
    for name in RUN_FILES + ("first_layer_weights.png",):
        assert (run_dir / name).stat().st_size > 0, name
    history = json.loads((run_dir / "history.json").read_text())["history"]
    assert len(history["loss"]) == len(history["val_accuracy"]) == 30
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert abs(metrics["test"]["accuracy"] - parsed_test_accuracy(result.stdout)) < 1e-4
    assert metrics["test"]["roc_auc"] > 0.99
    config = json.loads((run_dir / "config.json").read_text())["settings"]
    assert (config["data"], config["model"], config["hidden"], config["optimizer"]) == ("digits", "mlp", [128], "adam")
    model = tg.io.load(run_dir / "model.tgate")
    meta = tg.io.read_metadata(run_dir / "model.tgate")["metadata"]
    assert len(meta["standardize"]["mean"]) == 64 and meta["classes"] == [str(d) for d in range(10)]
    assert isinstance(model, tg.nn.Module)


def test_evaluate_the_default_run(digits_run, capsys):
    _, _, run_dir = digits_run
    status, out, err = run_main(capsys, "evaluate", run_dir, "--no-plots")
    assert status == 0, err
    assert "confusion matrix" in out and "precision" in out and "f1-score" in out
    assert "ROC AUC (one-vs-rest, macro average)" in out
    evaluation = json.loads((run_dir / "evaluation.json").read_text())
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert evaluation["accuracy"] == pytest.approx(metrics["test"]["accuracy"])  # the same test split
    assert np.array(evaluation["confusion_matrix"]).sum() == 450


# ------------------------------------------------------------------ a binary CSV, round trip
@pytest.fixture(scope="session")
def moons_files(tmp_path_factory):
    """A labelled CSV whose features have wildly different scales (so standardisation matters)."""
    root = tmp_path_factory.mktemp("moons")
    X, y = tg.data.make_moons(400, noise=0.15, random_state=1)
    X = X * np.array([100.0, 0.01], dtype=np.float32) + np.array([1000.0, 0.0], dtype=np.float32)
    names = np.array(["round", "spiky"])[y]
    labelled, features = root / "moons.csv", root / "new.csv"
    with open(labelled, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["width", "height", "label"])
        w.writerows([[f"{a:.6f}", f"{b:.8f}", n] for (a, b), n in zip(X, names)])
    with open(features, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["width", "height"])
        w.writerows([[f"{a:.6f}", f"{b:.8f}"] for a, b in X[:25]])
    return root, labelled, features, names


def test_round_trip_train_evaluate_predict(moons_files, capsys):
    root, labelled, features, names = moons_files
    run_dir = root / "run"
    result = run_cli("train", "--data", labelled, "--hidden", "16,16", "--epochs", "40", "--out", run_dir,
                     "--no-progress", "--no-plots")
    assert result.returncode == 0, result.stderr
    assert parsed_test_accuracy(result.stdout) >= 0.9
    for name in RUN_FILES[:5]:
        assert (run_dir / name).stat().st_size > 0, name
    assert not (run_dir / "roc.png").exists()

    # evaluate on the training file itself: its test split (100 of 400 rows), as train measured it. The
    # model file names that file, but tensorgate never opens a path read from a model file: it must be given
    assert_main_error(capsys, ["evaluate", run_dir, "--no-plots"], "was trained on a file; give --data")
    status, _, err = run_main(capsys, "evaluate", run_dir, "--data", labelled, "--no-plots")
    assert status == 0, err
    evaluation = json.loads((run_dir / "evaluation.json").read_text())
    assert evaluation["examples"] == 100
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert evaluation["accuracy"] == pytest.approx(metrics["test"]["accuracy"])

    # evaluate on another file (here a copy): every row, with the thresholds and the plots
    other = root / "other.csv"
    other.write_bytes(labelled.read_bytes())
    result = run_cli("evaluate", run_dir, "--data", other)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "ROC AUC: " in out and "average precision" in out
    for criterion in ("Youden's J", "minimum error", "maximum F1", "recall >= 0.95"):
        assert criterion in out, criterion
    evaluation = json.loads((run_dir / "evaluation.json").read_text())
    assert evaluation["examples"] == 400 and evaluation["classes"] == ["round", "spiky"]
    assert set(evaluation["thresholds"]) == {"youden", "cost", "f1", "recall"}
    assert evaluation["thresholds"]["recall"]["chosen"]["tpr"] >= 0.95   # where it was chosen: validation
    assert evaluation["report"]["spiky"]["support"] == int((names == "spiky").sum())
    for name in ("decision_boundary.png", "roc.png", "precision_recall.png", "confusion_matrix.png"):
        assert (run_dir / name).stat().st_size > 0, name

    # predict on the labelled file (label column dropped): the same accuracy as evaluate
    status, out, err = run_main(capsys, "predict", run_dir / "model.tgate", labelled)
    assert status == 0, err
    rows = list(csv.DictReader(out.splitlines()))
    assert list(rows[0]) == ["class", "p_round", "p_spiky"] and len(rows) == 400
    predicted = np.array([r["class"] for r in rows])
    assert np.mean(predicted == names) == pytest.approx(evaluation["accuracy"])
    p = np.array([[float(r["p_round"]), float(r["p_spiky"])] for r in rows])
    assert np.allclose(p.sum(axis=1), 1, atol=1e-5)
    assert np.array_equal(np.where(p[:, 1] > p[:, 0], "spiky", "round"), predicted)

    # predict on an NPZ file of the same features
    X = np.loadtxt(features, delimiter=",", skiprows=1)
    np.savez(root / "new.npz", X=X)
    status, out, err = run_main(capsys, "predict", run_dir, root / "new.npz")
    assert status == 0, err
    assert [r["class"] for r in csv.DictReader(out.splitlines())] == list(predicted[:25])

    # predict on features without labels, into a file
    out_file = root / "pred.csv"
    result = run_cli("predict", run_dir, features, "--output", out_file)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(out_file.read_text().splitlines()))
    assert len(rows) == 25 and [r["class"] for r in rows] == list(predicted[:25])


# ------------------------------------------------------------------ user errors
def test_predict_and_evaluate_errors(moons_files, tmp_path, capsys):
    root, labelled, features, _ = moons_files
    run_dir = root / "run"
    if not (run_dir / "model.tgate").exists():
        pytest.skip("needs the round-trip run")
    wide = tmp_path / "wide.csv"
    wide.write_text("a,b,c,d\n1,2,3,4\n")
    assert_main_error(capsys, ["predict", run_dir, wide], "the model takes 2 features per example, the data has 4")
    assert_main_error(capsys, ["evaluate", run_dir, "--data", wide], "the model takes 2 features")
    assert_main_error(capsys, ["predict", run_dir, tmp_path / "nope.csv"], "no such input file")
    assert_main_error(capsys, ["predict", tmp_path / "nope.tgate", features], "no such model file")
    assert_main_error(capsys, ["evaluate", tmp_path], "not a run directory")
    text = tmp_path / "text.csv"
    text.write_text("width,height\n1,abc\n")
    assert_main_error(capsys, ["predict", run_dir, text], "line 2, column 'height'", "not a number")

    corrupt = tmp_path / "corrupt.tgate"
    data = bytearray((run_dir / "model.tgate").read_bytes())
    data[len(data) // 2] ^= 0xFF
    corrupt.write_bytes(bytes(data))
    assert_user_error(run_cli("predict", corrupt, features), "not a usable model file")
    truncated = tmp_path / "truncated.tgate"
    truncated.write_bytes(bytes(data[:200]))
    assert_main_error(capsys, ["evaluate", truncated], "not a usable model file", "truncated")
    png = tmp_path / "picture.tgate"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    assert_main_error(capsys, ["predict", png, features], "PNG")


def test_data_the_model_cannot_take(tmp_path, capsys):
    assert_main_error(capsys, ["train", "--data", "digits", "--model", "logreg", "--out", tmp_path / "a"],
                      "binary classifier", "10 classes")
    assert_main_error(capsys, ["train", "--data", "moons", "--model", "lenet", "--out", tmp_path / "b"], "lenet")
    bad = tmp_path / "one_class.csv"
    bad.write_text("x,label\n1,a\n2,a\n3,a\n4,a\n5,a\n")
    assert_main_error(capsys, ["train", "--data", bad, "--out", tmp_path / "c"], "single class")
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("x,y,label\n1,2,a\n3,b\n")
    assert_main_error(capsys, ["train", "--data", ragged, "--out", tmp_path / "d"], "ragged row")


# ------------------------------------------------------------------ settings, models, monitor (in process)
def test_config_file_and_flags(tmp_path, capsys):
    toml = tmp_path / "c.toml"
    toml.write_text('data = "xor"\nepochs = 2\nhidden = "8"\nbatch-size = 64\n')
    status, out, err = run_main(capsys, "train", "--config", toml, "--epochs", "3", "--out", tmp_path / "run",
                                "--no-plots", "--no-progress")
    assert status == 0, err
    settings = json.loads((tmp_path / "run" / "config.json").read_text())["settings"]
    assert (settings["data"], settings["epochs"], settings["hidden"], settings["batch_size"]) == ("xor", 3, [8], 64)
    assert len(json.loads((tmp_path / "run" / "history.json").read_text())["history"]["loss"]) == 3
    rerun = cli_config.read_toml(tmp_path / "run" / "config.toml")
    assert rerun["epochs"] == 3 and rerun["hidden"] == [8]


@pytest.mark.parametrize("model, data, floor", [
    ("logreg", "breast-cancer", 0.9), ("perceptron", "breast-cancer", 0.85), ("softmax", "spiral", 0.3),
    ("mlp", "circles", 0.9), ("softmax", "digits", 0.9),
])
def test_every_model(model, data, floor, tmp_path, capsys):
    status, out, err = run_main(capsys, "train", "--data", data, "--model", model, "--epochs", "40", "--out",
                                tmp_path / "run", "--no-plots", "--no-progress")
    assert status == 0, err
    assert parsed_test_accuracy(out) >= floor
    status, out, err = run_main(capsys, "evaluate", tmp_path / "run", "--no-plots")
    assert status == 0, err


def test_monitor_writes_its_report(tmp_path, capsys):
    if not _has_monitor():
        pytest.skip("tensorgate.instruments.Monitor is not available")
    status, out, err = run_main(capsys, "train", "--data", "xor", "--epochs", "2", "--monitor", "--out",
                                tmp_path / "run", "--no-plots", "--no-progress")
    assert status == 0, err
    assert (tmp_path / "run" / "diagnosis.txt").exists()
    assert "monitor report: " in out


def _has_monitor():
    try:
        from tensorgate.instruments import Monitor  # noqa: F401
    except ImportError:
        return False
    return True


def test_predict_with_a_plain_saved_model(tmp_path, capsys):
    """A model saved with tg.io.save alone (no run metadata): raw features, classes named 0..K-1."""
    tg.manual_seed(0)
    model = tg.nn.Sequential(tg.nn.Linear(2, 3))
    tg.io.save(model, tmp_path / "plain.tgate")
    (tmp_path / "x.csv").write_text("a,b\n0.5,1\n-1,2\n")
    status, out, err = run_main(capsys, "predict", tmp_path / "plain.tgate", tmp_path / "x.csv")
    assert status == 0, err
    rows = list(csv.DictReader(out.splitlines()))
    assert list(rows[0]) == ["class", "p_0", "p_1", "p_2"] and len(rows) == 2
    with tg.no_grad():
        z = model(tg.tensor(np.array([[0.5, 1], [-1, 2]], dtype=np.float32))).data
    assert [r["class"] for r in rows] == [str(k) for k in z.argmax(axis=1)]
