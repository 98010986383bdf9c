"""The CLI's reports: thresholds chosen on validation and measured on test, the positive class, the progress
modes, the lecture's initialisations and step activation, and --config on Python 3.10 (in process, small runs)."""
import json
import shutil
import sys

import numpy as np
import pytest

import tensorgate as tg
import tensorgate.metrics as tm
from cli_helpers import assert_main_error, run_main
from tensorgate.cli import config as cli_config
from tensorgate.cli import training as cli_training
from tensorgate.cli.runs import Predictor, read_validation_split


@pytest.fixture(scope="module")
def cancer_run(tmp_path_factory):
    """A small breast-cancer run: labels 0 = malignant, 1 = benign."""
    run_dir = tmp_path_factory.mktemp("cancer") / "run"
    from tensorgate.cli.main import main

    status = main(["train", "--data", "breast-cancer", "--hidden", "8", "--epochs", "5", "--out", str(run_dir),
                   "--no-plots", "--progress", "none"])
    assert status == 0
    return run_dir


def test_train_keeps_the_validation_split(cancer_run):
    config = json.loads((cancer_run / "config.json").read_text())
    X, y = read_validation_split(cancer_run)
    assert len(y) == config["data"]["validation"] > 0 and X.shape == (len(y), 30)


def test_thresholds_are_chosen_on_validation_and_measured_on_test(cancer_run, tmp_path, capsys):
    status, out, err = run_main(capsys, "evaluate", cancer_run, "--pos-label", "malignant", "--no-plots",
                                "--out", tmp_path)
    assert status == 0, err
    assert "positive class: 'malignant' (label 0; the other is 'benign')" in out
    assert "thresholds for P('malignant') >= θ, chosen on the run's validation split" in out
    result = json.loads((tmp_path / "evaluation.json").read_text())
    assert result["positive_class"] == {"label": 0, "name": "malignant"}
    # recompute by hand: θ from best_threshold on the validation split, its effect from the test split
    predictor = Predictor.load(cancer_run)
    X_val, y_val = read_validation_split(cancer_run)
    from tensorgate.cli import data as cli_data

    d = cli_data.load("breast-cancer", seed=0)
    p_val, p_test = predictor.predict_proba(X_val)[:, 0], predictor.predict_proba(d.X_test)[:, 0]
    chosen = tm.best_threshold(y_val, p_val, "recall", pos_label=0, min_recall=0.95)
    entry = result["thresholds"]["recall"]
    assert entry["threshold"] == pytest.approx(chosen.threshold)
    assert entry["chosen"]["tpr"] == pytest.approx(chosen.recall) and chosen.recall >= 0.95
    predicted = p_test >= chosen.threshold
    malignant = d.y_test == 0
    assert entry["tpr"] == pytest.approx(np.mean(predicted[malignant]))          # recall of the sick, on test
    assert entry["fp"] == int(np.sum(predicted & ~malignant))
    # AUC of the positive class (the same number), average precision of malignant (a different one)
    assert result["roc_auc"] == pytest.approx(tm.roc_auc_score(malignant, p_test))
    assert result["average_precision"] == pytest.approx(tm.average_precision_score(malignant, p_test))


def test_an_old_run_says_where_its_thresholds_come_from(cancer_run, tmp_path, capsys):
    old = tmp_path / "old"
    shutil.copytree(cancer_run, old)
    (old / "validation.npz").unlink()
    status, out, err = run_main(capsys, "evaluate", old, "--no-plots")
    assert status == 0, err
    assert "positive class: 'benign' (label 1" in out and "--pos-label CLASS chooses another" in out
    assert "note: this run has no saved validation split" in out and "--threshold-data" in out
    assert "chosen on the evaluation data itself" in out
    # --threshold-data FILE: chosen there instead
    X, y = read_validation_split(cancer_run)
    np.savez(tmp_path / "held_out.npz", X=X, y=y)
    status, out, err = run_main(capsys, "evaluate", old, "--no-plots", "--threshold-data",
                                tmp_path / "held_out.npz")
    assert status == 0, err
    assert "chosen on held_out.npz (--threshold-data" in out and "note:" not in out
    result = json.loads((old / "evaluation.json").read_text())
    assert result["thresholds_chosen_on"].startswith("held_out.npz")


def test_pos_label_errors(cancer_run, capsys):
    assert_main_error(capsys, ["evaluate", cancer_run, "--pos-label", "healthy", "--no-plots"],
                      "--pos-label: no class 'healthy'", "0 (malignant), 1 (benign)")


def test_threshold_metrics_matches_sklearn_by_hand():
    import sklearn.metrics as skm

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 100)
    s = rng.random(100).round(2)
    for theta in (0.0, 0.37, 0.5, 1.0, np.inf):
        r = tm.threshold_metrics(y, s, theta, pos_label=0)
        predicted = np.where(s >= theta, 0, 1)
        assert r.recall == pytest.approx(skm.recall_score(y, predicted, pos_label=0))
        assert r.precision == pytest.approx(skm.precision_score(y, predicted, pos_label=0, zero_division=0))
        assert r.accuracy == pytest.approx(skm.accuracy_score(y, predicted))


# ------------------------------------------------------------------ progress, init, activation, help
@pytest.mark.parametrize("flags, lines", [(["--progress", "epoch"], 2), (["--progress", "none"], 0),
                                          (["--no-progress"], 0), ([], 2)])   # bar: not a terminal here
def test_progress_modes(flags, lines, tmp_path, capsys):
    status, out, err = run_main(capsys, "train", "--data", "xor", "--epochs", "2", "--out", tmp_path / "run",
                                "--no-plots", *flags)
    assert status == 0, err
    assert sum(line.startswith("Epoch ") for line in out.splitlines()) == lines
    assert "val_accuracy" in out if lines else True


def test_progress_values_and_old_configs():
    assert [cli_config.PARSERS["progress"](v) for v in ("bar", "EPOCH", "none", True, "false")] == \
        ["bar", "epoch", "none", "bar", "none"]
    with pytest.raises(cli_config.UserError, match="--progress: unknown progress 'fast'; choose from bar, epoch"):
        cli_config.PARSERS["progress"]("fast")


def test_the_cli_says_what_it_does_after_a_long_fit(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli_training, "LONG_RUN_SECONDS", 0.0)
    status, out, err = run_main(capsys, "train", "--data", "xor", "--epochs", "1", "--out", tmp_path / "run",
                                "--progress", "epoch")
    assert status == 0, err
    assert out.index("evaluating on the training") < out.index("plotting ...") < out.index("test accuracy")


def _first_layer_after_training(tmp_path, capsys, *flags):
    status, out, err = run_main(capsys, "train", "--data", "xor", "--hidden", "16", "--epochs", "3", "--out",
                                tmp_path / "run", "--no-plots", "--progress", "none", *flags)
    assert status == 0, err
    model = tg.load(tmp_path / "run" / "model.tgate")
    return model[0].weight.data, out


def test_init_zeros_and_normal(tmp_path, capsys):
    tg.manual_seed(0)
    weights, _ = _first_layer_after_training(tmp_path / "n", capsys, "--init", "normal", "--lr", "1e-6")
    assert 0.7 < weights.std() < 1.3                           # N(0, 1), barely moved at lr 1e-6
    weights, _ = _first_layer_after_training(tmp_path / "z", capsys, "--init", "zeros")
    assert np.ptp(weights, axis=0).max() < 1e-6               # zeros: the units stay identical (symmetry)


def test_step_activation_passes_no_gradient(tmp_path, capsys):
    trained, out = _first_layer_after_training(tmp_path, capsys, "--activation", "step", "--init", "xavier")
    assert "note: --activation step has derivative 0" in out
    tg.manual_seed(0)                                          # the same draw as train's (seed 0)
    from tensorgate.cli import models

    settings = cli_config.resolve({"data": "xor", "hidden": [16], "activation": "step", "init": "xavier"})
    initial, _ = models.build(settings, (2,), 2)
    np.testing.assert_array_equal(trained, initial[0].weight.data)   # the hidden layer never learned
    assert isinstance(initial[1], tg.nn.Step)


def test_val_fraction_help_says_what_is_done(capsys):
    with pytest.raises(SystemExit):
        run_main(capsys, "train", "--help")
    text = " ".join(capsys.readouterr().out.split())
    assert "5000 of the 60000" in text and "default: 0.1" in text
    assert cli_config.DATA_DEFAULTS["fashion-mnist"]["val_fraction"] * 60000 == pytest.approx(5000)
    for word in ("--progress", "bar|epoch|none", "zeros", "normal", "step"):
        assert word in text, word


def test_config_reads_toml_as_python_3_10_does(tmp_path, monkeypatch):
    toml = tmp_path / "c.toml"
    toml.write_text('epochs = 3\nprogress = "epoch"\n[train]\nlr = 0.01\n')
    monkeypatch.setattr(sys, "version_info", (3, 10, 14, "final", 0))
    monkeypatch.setitem(sys.modules, "tomllib", None)          # 3.10 has no tomllib: importing it fails
    assert cli_config.toml_reader().__name__ == "tomli"
    assert cli_config.read_toml(toml) == {"lr": 0.01}           # the [train] table wins, as before
    toml.write_text('epochs = 3\nprogress = "epoch"\n')
    assert cli_config.read_toml(toml) == {"epochs": 3, "progress": "epoch"}


def test_threshold_data_must_be_a_file(cancer_run, capsys):
    assert_main_error(capsys, ["evaluate", cancer_run, "--threshold-data", "digits", "--no-plots"],
                      "--threshold-data: give a labelled CSV/NPZ file")


def test_threshold_data_labels_are_matched_by_name(cancer_run, tmp_path, capsys):
    """A file holding the labels as names: its own numbering (alphabetical) is not the model's."""
    X, y = read_validation_split(cancer_run)
    path = tmp_path / "named.csv"
    names = np.array(["malignant", "benign"])[y]           # load_table numbers them benign 0, malignant 1
    path.write_text("\n".join([",".join([f"f{i}" for i in range(30)] + ["label"])]
                              + [",".join([f"{v:.6g}" for v in row] + [n]) for row, n in zip(X, names)]) + "\n")
    status, out, err = run_main(capsys, "evaluate", cancer_run, "--no-plots", "--threshold-data", path,
                                "--pos-label", "malignant", "--out", tmp_path / "a")
    assert status == 0, err
    status, out, err = run_main(capsys, "evaluate", cancer_run, "--no-plots", "--pos-label", "malignant",
                                "--out", tmp_path / "b")
    by_file = json.loads((tmp_path / "a" / "evaluation.json").read_text())["thresholds"]["recall"]
    by_run = json.loads((tmp_path / "b" / "evaluation.json").read_text())["thresholds"]["recall"]
    assert by_file["threshold"] == pytest.approx(by_run["threshold"], rel=1e-4)   # the same rows, the same θ


def test_a_run_without_validation_leaves_no_earlier_split_behind(tmp_path):
    from tensorgate.cli.runs import write_validation_split

    path = write_validation_split(tmp_path, np.ones((3, 2), np.float32), np.array([0, 1, 0]))
    assert path.name == "validation.npz" and read_validation_split(tmp_path)[1].tolist() == [0, 1, 0]
    assert write_validation_split(tmp_path, np.ones((0, 2)), np.array([], np.int64)) is None
    assert read_validation_split(tmp_path) is None and not path.exists()
    assert [p.name for p in tmp_path.iterdir()] == []                  # no temporary left behind


def test_the_curves_are_those_of_the_positive_class(cancer_run, tmp_path, capsys, monkeypatch):
    import tensorgate.plot as plot

    seen = {}

    def capture(name):
        def draw(y_true, y_score, classes=None, threshold=None, path=None, title=None):
            seen[name] = (np.asarray(y_true), np.asarray(y_score), list(classes), threshold)
        return draw

    monkeypatch.setattr(plot, "plot_roc", capture("roc"))
    monkeypatch.setattr(plot, "plot_precision_recall", capture("pr"))
    status, out, err = run_main(capsys, "evaluate", cancer_run, "--pos-label", "malignant", "--out", tmp_path)
    assert status == 0, err
    result = json.loads((tmp_path / "evaluation.json").read_text())
    from tensorgate.cli import data as cli_data

    y_test = cli_data.load("breast-cancer", seed=0).y_test
    for name in ("roc", "pr"):
        y_true, scores, classes, threshold = seen[name]
        assert classes == ["benign", "malignant"]                       # label 1 of the curve: malignant
        np.testing.assert_array_equal(y_true, (y_test == 0).astype(int))
        assert threshold == pytest.approx(result["thresholds"]["youden"]["threshold"])   # θ from validation
    assert tm.roc_auc_score(seen["roc"][0], seen["roc"][1]) == pytest.approx(result["roc_auc"])
