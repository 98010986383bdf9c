"""The sweep file and the sweep directory, checked before Ray starts: the trials, and the refusals."""
import json

import pytest

from tensorgate.cli.errors import UserError
from tensorgate.cli.main import main
from tensorgate.cli.sweep_spec import read_sweep


def _write(tmp_path, text):
    path = tmp_path / "s.toml"
    path.write_text(text)
    return path


def test_grid_times_samples_in_a_fixed_order_with_seeded_draws(tmp_path):
    path = _write(tmp_path, '[sweep]\nsamples = 3\nseed = 5\n[train]\nepochs = 4\n[search]\n'
                            'hidden = ["8", "16,8"]\nlr = { loguniform = [1e-4, 1e-1] }\n'
                            'batch_size = { choice = [16, 32] }\nepochs = { randint = [1, 3] }\n')
    sweep = read_sweep(path)
    trials = sweep["trials"]
    assert len(trials) == 6
    assert [t["varied"]["hidden"] for t in trials] == [[8]] * 3 + [[16, 8]] * 3
    for t in trials:
        v = t["varied"]
        assert 1e-4 <= v["lr"] <= 1e-1 and v["batch_size"] in (16, 32) and v["epochs"] in (1, 2)
        assert t["settings"]["lr"] == v["lr"] and t["settings"]["progress"] == "none"
    assert trials == read_sweep(path)["trials"]   # the same trials on every read: what resuming needs
    assert trials[0]["name"].startswith("000-hidden=8_lr=")
    assert sweep["options"] == {"metric": "val_accuracy", "mode": "max", "samples": 3, "seed": 5,
                                "scheduler": None, "grace_period": 1, "reduction_factor": 3}


@pytest.mark.parametrize("text, fragment", [
    ("[search]\n", "[search] is empty"),
    ("[search]\nlearning_rate = [0.1]\n", "unknown setting 'learning_rate' in [search]"),
    ("[search]\nlr = [-1]\n", "--lr: expected a positive number"),
    ("[search]\nout = ['a', 'b']\n", "'out' cannot be set in a sweep"),
    ("[search]\nlr = { normal = [0, 1] }\n", "must be a list of values or a table with one of"),
    ("[search]\nlr = { loguniform = [0, 1] }\n", "loguniform takes [low, high] with 0 < low < high"),
    ("[sweep]\nmetric = 'f1'\n[search]\nlr = [0.1]\n", "metric 'f1' is not one of"),
    ("[sweep]\nscheduler = 'hyperband'\n[search]\nlr = [0.1]\n", "scheduler must be none or asha"),
    ("[sweeps]\n", "unknown table 'sweeps'"),
])
def test_bad_sweep_files_are_user_errors(tmp_path, text, fragment):
    with pytest.raises(UserError) as caught:
        read_sweep(_write(tmp_path, text))
    assert fragment in str(caught.value)


def test_a_directory_that_is_not_this_sweeps_is_never_touched(tmp_path, capsys):
    path = _write(tmp_path, "[search]\nlr = [0.01, 0.1]\n")
    other = tmp_path / "busy"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    assert main(["sweep", str(path), "--out", str(other)]) == 2
    assert "holds no sweep" in capsys.readouterr().err
    assert sorted(p.name for p in other.iterdir()) == ["notes.txt"]

    earlier = tmp_path / "earlier"
    earlier.mkdir()
    (earlier / "sweep.json").write_text(json.dumps({"options": {}, "trials": []}))
    assert main(["sweep", str(path), "--out", str(earlier)]) == 2
    assert "holds a different sweep" in capsys.readouterr().err
    assert sorted(p.name for p in earlier.iterdir()) == ["sweep.json"]
