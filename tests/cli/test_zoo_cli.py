"""``tensorgate train --model alexnet|googlenet|efficientnet`` (issue 23): each new zoo network trains from the
command line on a tiny image file, writes a model file that tg.load reads back, and evaluates."""
import numpy as np
import pytest

import tensorgate as tg
from cli_helpers import run_main


def _stripes(path, n=24, seed=0):
    """n 28×28 images: class 0 has a bright left half, class 1 a bright right half (plus noise)."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    X = rng.uniform(0.0, 0.3, (n, 28, 28))
    for i, label in enumerate(y):
        X[i, :, 14 * label:14 * label + 14] += 0.7
    np.savez(path, X=X.reshape(n, 1, 28, 28).astype(np.float32), y=y, classes=np.array(["left", "right"]))
    return path


@pytest.mark.parametrize("model", ["alexnet", "googlenet", "efficientnet"])
def test_new_zoo_model_trains_saves_and_evaluates_from_the_cli(model, tmp_path, capsys):
    data = _stripes(tmp_path / "stripes.npz")
    status, out, err = run_main(capsys, "train", "--data", data, "--model", model, "--epochs", "1", "--batch-size",
                                "16", "--out", tmp_path / "run", "--no-plots", "--no-progress")
    assert status == 0, err
    assert f"tensorgate train: {model}" in out and "parameters" in out
    net = tg.load(tmp_path / "run" / "model.tgate")
    expected = {"alexnet": "AlexNet", "googlenet": "GoogLeNet", "efficientnet": "EfficientNet"}[model]
    assert type(net).__name__ == expected
    assert net.eval()(np.zeros((2, 1, 28, 28), np.float32)).shape == (2, 2)
    status, out, err = run_main(capsys, "evaluate", tmp_path / "run", "--data", data, "--no-plots")
    assert status == 0, err
