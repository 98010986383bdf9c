"""``tensorgate sweep``: 4 trials write 4 ordinary run directories and a summary; a resumed sweep reruns only
the unfinished trials; a failed trial is reported and the others go on."""
import csv
import json

import pytest

from tensorgate.cli.main import main

SWEEP = """
[train]
data = "digits"
epochs = 2
hidden = "16"

[search]
lr = [0.003, 0.03]
batch_size = [32, 64]
"""


@pytest.fixture(scope="module")
def swept(local_ray, tmp_path_factory):
    root = tmp_path_factory.mktemp("sweep")
    (root / "lr.toml").write_text(SWEEP)
    status = main(["sweep", str(root / "lr.toml"), "--out", str(root / "out"), "--workers", "2"])
    return root, status


def _trials(out):
    return sorted(p for p in (out / "trials").iterdir())


def test_a_sweep_of_4_trials_writes_4_run_directories_and_a_summary(swept, tmp_path, capsys):
    root, status = swept
    out = root / "out"
    assert status == 0
    trials = _trials(out)
    assert [t.name[:3] for t in trials] == ["000", "001", "002", "003"]
    # each an ordinary run directory: the files `tensorgate train` writes with the same settings
    assert main(["train", "--data", "digits", "--epochs", "2", "--hidden", "16", "--lr", "0.003",
                 "--progress", "none", "--out", str(tmp_path / "train")]) == 0
    capsys.readouterr()
    expected = sorted(p.name for p in (tmp_path / "train").iterdir())
    for trial in trials:
        assert sorted(p.name for p in trial.iterdir()) == expected, trial
        config = json.loads((trial / "config.json").read_text())["settings"]
        assert config["epochs"] == 2 and config["hidden"] == [16] and config["out"] == str(trial)
    first = json.loads((trials[0] / "config.json").read_text())["settings"]
    assert (first["lr"], first["batch_size"]) == (0.003, 32)
    with open(out / "summary.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 4 and {r["status"] for r in rows} == {"done"}
    accuracies = [float(r["val_accuracy"]) for r in rows]
    assert accuracies == sorted(accuracies, reverse=True)          # best first
    for row in rows:
        history = json.loads((out / "trials" / row["trial"] / "history.json").read_text())["history"]
        assert float(row["val_accuracy"]) == pytest.approx(history["val_accuracy"][-1], abs=1e-4)
    assert (out / "summary.md").read_text().count("| done |") == 4
    assert (out / "sweep.png").stat().st_size > 10_000


def test_a_resumed_sweep_reruns_only_unfinished_trials(swept, capsys):
    root, _ = swept
    out = root / "out"
    trials = _trials(out)
    kept = {t.name: (t / "model.tgate").stat().st_mtime_ns for t in (trials[0], trials[3])}
    (trials[1] / "metrics.json").unlink()             # stopped while writing its run directory
    for p in trials[2].iterdir():                      # stopped during training
        if p.name != "history.json":
            p.unlink()
    capsys.readouterr()
    assert main(["sweep", str(root / "lr.toml"), "--out", str(out), "--workers", "2", "--no-plots"]) == 0
    printed = capsys.readouterr().out
    assert "2 already finished, 2 to run" in printed
    for name, mtime in kept.items():
        assert (out / "trials" / name / "model.tgate").stat().st_mtime_ns == mtime   # not rerun
    for t in trials:
        assert (t / "metrics.json").is_file() and (t / "model.tgate").is_file()
    assert main(["sweep", str(root / "lr.toml"), "--out", str(out)]) == 0   # all done: nothing runs
    assert "4 already finished, 0 to run" in capsys.readouterr().out


def test_a_failed_trial_is_reported_and_the_others_go_on(local_ray, tmp_path, capsys):
    (tmp_path / "s.toml").write_text('[train]\ndata = "digits"\nepochs = 1\noptimizer = "sgd"\n\n'
                                     '[search]\nlr = [0.05, 1e5]\n')
    assert main(["sweep", str(tmp_path / "s.toml"), "--out", str(tmp_path / "out"), "--no-plots"]) == 0
    printed = capsys.readouterr().out
    ok, bad = _trials(tmp_path / "out")
    assert (ok / "metrics.json").is_file()
    assert (bad / "diagnosis.json").is_file() and not (bad / "metrics.json").exists()
    assert f"- {bad.name} failed: fit: training diverged" in printed
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert "| failed |" in summary and "| done |" in summary


def test_asha_stops_a_hopeless_trial_and_a_resumed_sweep_keeps_it_stopped(local_ray, tmp_path, capsys):
    # one trial at a time (--workers 1), so ASHA has the good trial's first epoch when it judges the other's
    (tmp_path / "s.toml").write_text('[sweep]\nscheduler = "asha"\nreduction_factor = 2\n\n[train]\n'
                                     'data = "digits"\nepochs = 4\nhidden = "16"\n\n[search]\nlr = [0.03, 1e-6]\n')
    argv = ["sweep", str(tmp_path / "s.toml"), "--out", str(tmp_path / "out"), "--workers", "1", "--no-plots"]
    assert main(argv) == 0
    good, hopeless = _trials(tmp_path / "out")
    assert (good / "metrics.json").is_file()
    stopped = json.loads((hopeless / "stopped.json").read_text())
    assert stopped["stopped_by"] == "asha" and 1 <= stopped["epochs"] < 4
    assert not (hopeless / "model.tgate").exists()
    assert "| stopped |" in (tmp_path / "out" / "summary.md").read_text()
    capsys.readouterr()
    assert main(argv) == 0
    assert "2 already finished, 0 to run" in capsys.readouterr().out
