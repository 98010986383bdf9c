"""Commands that would destroy a user's work are refused, `evaluate` scores what was asked, a diverged run
writes what is known, and every user error ends in one line and exit status 2."""
import json

import numpy as np
import pytest

import tensorgate as tg
import tensorgate.io  # noqa: F401
from cli_helpers import assert_main_error, run_main

QUICK = ("--epochs", "2", "--hidden", "8", "--no-plots", "--no-progress")


@pytest.fixture(scope="module")
def digits_csv(tmp_path_factory):
    """The digits data as a labelled CSV file (labels 0-9) and a run trained on it (few epochs)."""
    root = tmp_path_factory.mktemp("digits")
    d = tg.data.load_digits()
    X, y = np.concatenate([d.X_train, d.X_test]), np.concatenate([d.y_train, d.y_test])
    path = root / "digits.csv"
    header = ",".join(f"p{i}" for i in range(64)) + ",label"
    np.savetxt(path, np.column_stack([X, y]), delimiter=",", header=header, comments="", fmt="%g")
    from tensorgate.cli.main import main

    assert main(["train", "--data", str(path), "--epochs", "15", "--out", str(root / "run"), "--no-plots",
                 "--no-progress"]) == 0
    return root, X, y


def test_train_refuses_an_existing_run_unless_overwrite(tmp_path, capsys):
    out = tmp_path / "run"
    assert run_main(capsys, "train", "--data", "xor", "--out", out, *QUICK)[0] == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (out / "notes.txt").write_text("mine")
    assert_main_error(capsys, ["train", "--data", "xor", "--seed", "1", "--out", out, *QUICK],
                      "already holds a previous run", "--overwrite")
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.name != "notes.txt"} == before
    status, _, err = run_main(capsys, "train", "--data", "xor", "--seed", "1", "--out", out, "--overwrite", *QUICK)
    assert status == 0, err
    assert (out / "notes.txt").read_text() == "mine"  # not a run file: never touched
    assert json.loads((out / "config.json").read_text())["settings"]["seed"] == 1
    other = tmp_path / "other"
    other.mkdir()
    (other / "thesis.tex").write_text("years of work")
    assert_main_error(capsys, ["train", "--data", "xor", "--out", other, *QUICK], "already holds other files")


def test_train_removes_stale_temporaries_of_a_killed_run(tmp_path, capsys):
    out = tmp_path / "run"
    out.mkdir()
    stale = out / ".model.tgate.999999999.abcd.tmp"  # no such process
    stale.write_bytes(b"\0" * 1000)
    assert run_main(capsys, "train", "--data", "xor", "--out", out, *QUICK)[0] == 0
    assert not stale.exists() and not [p for p in out.iterdir() if p.name.startswith(".")]


def test_predict_output_may_not_name_the_model_or_the_input(tmp_path, capsys):
    out = tmp_path / "run"
    assert run_main(capsys, "train", "--data", "xor", "--out", out, *QUICK)[0] == 0
    x = tmp_path / "x.csv"
    x.write_text("a,b\n0.5,1\n-1,2\n")
    model_bytes = (out / "model.tgate").read_bytes()
    assert_main_error(capsys, ["predict", out, x, "--output", out / "model.tgate"], "is the model file")
    assert_main_error(capsys, ["predict", out / "model.tgate", x, "--output", out / ".." / "run" / "model.tgate"],
                      "is the model file")
    assert_main_error(capsys, ["predict", out, x, "-o", x], "is the input file")
    assert (out / "model.tgate").read_bytes() == model_bytes and x.read_text().startswith("a,b")
    assert run_main(capsys, "predict", out, x, "-o", tmp_path / "pred.csv")[0] == 0


def test_evaluate_maps_labels_through_the_models_classes(digits_csv, tmp_path, capsys):
    root, X, y = digits_csv
    run = root / "run"
    # a file holding only digits 3 and 7: their labels stay 3 and 7
    subset = tmp_path / "threes_and_sevens.npz"
    keep = (y == 3) | (y == 7)
    np.savez(subset, X=X[keep], y=y[keep])
    status, _, err = run_main(capsys, "evaluate", run, "--data", subset, "--no-plots")
    assert status == 0, err
    evaluation = json.loads((run / "evaluation.json").read_text())
    model = tg.load(run / "model.tgate")
    from tensorgate.cli.runs import Predictor

    predicted = Predictor(model, tg.io.read_metadata(run / "model.tgate")["metadata"]).predict(X[keep])
    assert evaluation["accuracy"] == pytest.approx(np.mean(predicted == y[keep]))
    assert evaluation["accuracy"] > 0.5  # renumbered to 0 and 1 it scored 3 %
    # labels the model does not know are refused
    shifted = tmp_path / "shifted.npz"
    np.savez(shifted, X=X[:50], y=y[:50] + 10)
    assert_main_error(capsys, ["evaluate", run, "--data", shifted, "--no-plots"], "not among the model's classes")


def test_evaluate_never_opens_a_path_from_the_model_file(tmp_path, capsys):
    secret = tmp_path / "secret.txt"
    secret.write_text("password=hunter2\n")
    model = tg.nn.Sequential(tg.nn.Linear(2, 2))
    tg.io.save(model, tmp_path / "m.tgate", metadata={"tensorgate_cli": 1, "model": "mlp", "data": str(secret),
                                                       "classes": ["a", "b"], "example_shape": [2]})
    status, out, err = run_main(capsys, "evaluate", tmp_path / "m.tgate")
    assert status == 2 and "hunter2" not in out + err and "give --data" in err


@pytest.mark.parametrize("metadata, fragment", [
    ({"example_shape": [2], "standardize": {"mean": [0.0, 1.0, 2.0], "scale": [1.0, 1.0, 1.0]}},
     "has 3 values for 2 features"),
    ({"example_shape": [2], "standardize": {"mean": [0.0, 1.0], "scale": [1.0, 0.0]}}, "zero scale"),
    ({"example_shape": [2], "standardize": {"mean": ["a", 1.0], "scale": [1.0, 1.0]}}, "finite numbers"),
    ({"example_shape": [2], "classes": "ab"}, "'classes'"),
    ({"example_shape": [0, -1]}, "'example_shape'"),
])
def test_damaged_run_metadata_is_one_line(tmp_path, capsys, metadata, fragment):
    tg.io.save(tg.nn.Sequential(tg.nn.Linear(2, 2)), tmp_path / "m.tgate", metadata=metadata)
    (tmp_path / "x.csv").write_text("a,b\n0.5,1\n")
    assert_main_error(capsys, ["predict", tmp_path / "m.tgate", tmp_path / "x.csv"], fragment)


@pytest.mark.parametrize("arrays, fragment", [
    ({"X": np.zeros((0, 2))}, "no rows"),
    ({"X": np.zeros((20, 0))}, "no features"),
    ({"X": np.array([[0.0, 1.0], [np.nan, 1.0]])}, "nan or inf"),
])
def test_predict_refuses_npz_inputs_it_cannot_score(tmp_path, capsys, arrays, fragment):
    tg.io.save(tg.nn.Sequential(tg.nn.Linear(2, 2)), tmp_path / "m.tgate")
    np.savez(tmp_path / "x.npz", **arrays)
    assert_main_error(capsys, ["predict", tmp_path / "m.tgate", tmp_path / "x.npz"], fragment)


def test_predict_refuses_a_fifo_and_an_unreadable_input(tmp_path, capsys, monkeypatch):
    import os

    tg.io.save(tg.nn.Sequential(tg.nn.Linear(2, 2)), tmp_path / "m.tgate")
    os.mkfifo(tmp_path / "pipe.csv")
    assert_main_error(capsys, ["predict", tmp_path / "m.tgate", tmp_path / "pipe.csv"], "not a regular file")
    os.mkfifo(tmp_path / "pipe.tgate")
    assert_main_error(capsys, ["predict", tmp_path / "pipe.tgate", tmp_path / "pipe.csv"], "not a regular file")
    (tmp_path / "x.csv").write_text("a,b\n0.5,1\n")
    from tensorgate.data import files

    def denied(path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(files, "open_regular", denied)  # root reads everything: pretend
    assert_main_error(capsys, ["predict", tmp_path / "m.tgate", tmp_path / "x.csv"], "Permission denied")


@pytest.mark.parametrize("args, fragment", [
    (["--seed", str(2 ** 40)], "--seed: expected an integer >= 0 and below"),
    (["--hidden", str(10 ** 10)], "--hidden"),
])
def test_train_flag_values_that_used_to_crash(tmp_path, capsys, args, fragment):
    assert_main_error(capsys, ["train", "--data", "xor", "--out", tmp_path / "r", *args, *QUICK[:2]], fragment)


def test_npz_training_data_with_a_member_that_is_not_an_array(tmp_path, capsys):
    import zipfile

    path = tmp_path / "odd.npz"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("X.npy", b"not an array")
        z.writestr("y.npy", b"nor this")
    assert_main_error(capsys, ["train", "--data", path, "--out", tmp_path / "r", *QUICK], "not a NumPy array")


@pytest.mark.parametrize("monitor", [False, True])
def test_a_diverged_run_writes_what_is_known_and_fails(tmp_path, capsys, monitor):
    out = tmp_path / "run"
    args = ["train", "--data", "xor", "--optimizer", "sgd", "--lr", "1e30", "--schedule", "constant", "--out", out,
            *QUICK] + (["--monitor"] if monitor else [])
    with np.errstate(all="ignore"):
        status, _, err = run_main(capsys, *args)
    assert status == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tensorgate: error: fit: training diverged"), err
    diagnosis = json.loads((out / "diagnosis.json").read_text())
    assert diagnosis["epoch"] >= 1 and "where" in diagnosis and diagnosis["settings"]["lr"] == 1e30
    assert json.loads((out / "history.json").read_text())["history"] is not None
    assert not (out / "model.tgate").exists()
    if monitor:
        assert (out / "diagnosis.txt").exists()
