"""The README's accuracy recipes, run as a user runs them: the command line on the full Fashion-MNIST.

Marked slow (minutes): ``pytest --run-slow tests/training/test_recipes.py`` runs them. Their measured
accuracy and time are in the README ("Recipes"); the time is not asserted (speed lives in benchmarks/).
"""
import json
import os
import subprocess
import sys

import pytest

DATA_DIR = "/usr/share/datasets/fashion-mnist"
MLP_RECIPE = ["--data", "fashion-mnist", "--model", "mlp", "--hidden", "512,256", "--epochs", "20"]
CNN_RECIPE = ["--data", "fashion-mnist", "--model", "vgg", "--augment", "crop,flip", "--label-smoothing", "0.1",
              "--schedule", "onecycle", "--optimizer", "adamw", "--lr", "0.003", "--weight-decay", "0.0005",
              "--epochs", "15"]


def _train(tmp_path, flags):
    if not os.path.isdir(DATA_DIR):
        pytest.skip(f"Fashion-MNIST not found in {DATA_DIR}")
    out = tmp_path / "run"
    result = subprocess.run([sys.executable, "-m", "tensorgate", "train", *flags, "--progress", "none",
                             "--no-plots", "--out", str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads((out / "metrics.json").read_text()), result.stdout


@pytest.mark.slow
def test_the_mlp_recipe_reaches_90_percent_on_fashion_mnist(tmp_path):
    metrics, stdout = _train(tmp_path, MLP_RECIPE)
    print(stdout[-600:])
    assert metrics["test"]["accuracy"] >= 0.90, metrics["test"]


@pytest.mark.slow
def test_the_cnn_recipe_reaches_93_percent_on_fashion_mnist(tmp_path):
    metrics, stdout = _train(tmp_path, CNN_RECIPE)
    print(stdout[-600:])
    assert metrics["test"]["accuracy"] >= 0.93, metrics["test"]
