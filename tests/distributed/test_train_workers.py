"""``tensorgate train --workers N``: the same run directory and the same model as training in one process."""
import json

import numpy as np

import tensorgate as tg
from tensorgate.cli.main import main

ARGS = ["train", "--epochs", "2", "--hidden", "16", "--progress", "none", "--no-plots"]


def test_train_with_2_workers_equals_train_in_one_process(local_ray, tmp_path, capsys):
    assert main(ARGS + ["--out", str(tmp_path / "one")]) == 0
    assert main(ARGS + ["--out", str(tmp_path / "two"), "--workers", "2"]) == 0
    capsys.readouterr()
    one, two = tg.load(tmp_path / "one" / "model.tgate"), tg.load(tmp_path / "two" / "model.tgate")
    for (name, a), (_, b) in zip(one.state_dict().items(), two.state_dict().items()):
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-5, err_msg=name)
    assert json.loads((tmp_path / "two" / "metrics.json").read_text())["training"]["workers"] == 2
    files_one = {p.name for p in (tmp_path / "one").iterdir()}
    assert {p.name for p in (tmp_path / "two").iterdir()} == files_one | {"checkpoint.tgate"}
    assert tg.io.load_checkpoint(tmp_path / "two" / "checkpoint.tgate")["epoch"] == 2


def test_flags_that_do_not_go_with_workers_are_user_errors(tmp_path, capsys):
    assert main(["train", "--address", "auto", "--out", str(tmp_path / "a")]) == 2
    assert "--address: give --workers N too" in capsys.readouterr().err
    assert not (tmp_path / "a").exists()
