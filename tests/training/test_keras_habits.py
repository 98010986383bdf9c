"""Keras habits in fit: validation_split, optimisers and losses by name, progress that fits a terminal."""
import os
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import tensorgate as tg
from tensorgate import nn, optim
from tensorgate.training import fit
from tensorgate.training.names import LOSSES, OPTIMIZERS, resolve_loss, resolve_optimizer


def blobs(m=60, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(m) % 2
    X = (rng.normal(size=(m, 2)) + 2.0 * y[:, None]).astype(np.float32)
    return X, y


def test_validation_split_holds_out_the_last_rows_before_shuffling():
    X, y = blobs(50)
    tg.manual_seed(0)
    model = nn.Linear(2, 2)
    trainer = tg.training.Trainer(model, "cross_entropy", "sgd", verbose=False)
    trainer.fit((X, y), epochs=1, batch_size=8, validation_split=0.2, seed=0)
    # Keras: split_at = floor(50 · 0.8) = 40; rows 40..49 validate, 0..39 train
    assert trainer.history.params["samples"] == 40
    expected = tg.training.evaluate(model, nn.CrossEntropyLoss(), (X[40:], y[40:]))
    assert trainer.history.history["val_loss"][-1] == pytest.approx(expected["loss"])
    assert trainer.history.history["val_accuracy"][-1] == pytest.approx(expected["accuracy"])


def test_validation_split_keras_rounding_and_errors():
    X, y = blobs(7)
    model = nn.Linear(2, 2)
    trainer = tg.training.Trainer(model, "cross_entropy", "sgd", verbose=False)
    trainer.fit((X, y), epochs=1, validation_split=0.3)
    assert trainer.history.params["samples"] == 4            # floor(7 · 0.7) = 4, as Keras
    with pytest.raises(ValueError, match="validation_split must be a fraction"):
        trainer.fit((X, y), validation_split=1.0)
    with pytest.raises(ValueError, match="not enough"):
        trainer.fit((X[:1], y[:1]), validation_split=0.5)
    loader = tg.data.DataLoader(tg.data.ArrayDataset(X, y), batch_size=2)
    with pytest.raises(ValueError, match="only supported for .X, y. arrays"):
        trainer.fit(loader, validation_split=0.2)


@pytest.mark.parametrize("name, cls", [
    ("cross_entropy", nn.CrossEntropyLoss), ("sparse_categorical_crossentropy", nn.CrossEntropyLoss),
    ("categorical_crossentropy", nn.CrossEntropyLoss), ("bce", nn.BCELoss), ("binary_crossentropy", nn.BCELoss),
    ("bce_with_logits", nn.BCEWithLogitsLoss), ("mse", nn.MSELoss), ("mean_squared_error", nn.MSELoss),
    ("nll", nn.NLLLoss), ("hinge", nn.HingeLoss), ("Sparse-Categorical-Crossentropy", nn.CrossEntropyLoss),
])
def test_loss_names_resolve_to_the_right_classes(name, cls):
    model = nn.Sequential(nn.Linear(2, 1), nn.Sigmoid()) if cls is nn.BCELoss else nn.Linear(2, 3)
    assert type(resolve_loss(name, model)) is cls


@pytest.mark.parametrize("name, cls, settings", [
    ("adam", optim.Adam, {"lr": 1e-3, "eps": 1e-7, "betas": (0.9, 0.999)}),
    ("adamw", optim.AdamW, {"lr": 1e-3, "eps": 1e-7, "weight_decay": 0.004}),
    ("sgd", optim.SGD, {"lr": 0.01, "momentum": 0.0}),
    ("rmsprop", optim.RMSprop, {"lr": 1e-3, "alpha": 0.9, "eps": 1e-7}),
])
def test_optimizer_names_resolve_with_keras_defaults(name, cls, settings):
    model = nn.Linear(2, 3)
    opt = resolve_optimizer(name.upper(), model)
    assert type(opt) is cls
    group = opt.param_groups[0]
    for key, value in settings.items():
        assert group[key] == value, key
    assert [id(p) for p in group["params"]] == [id(p) for p in model.parameters()]


def test_unknown_names_list_the_known_ones():
    with pytest.raises(ValueError, match="unknown optimizer 'adamax'; the names are adam, adamw, sgd, rmsprop"):
        fit(nn.Linear(2, 2), "cross_entropy", "adamax", blobs(), verbose=False)
    with pytest.raises(ValueError, match="unknown loss 'kld'.*sparse_categorical_crossentropy"):
        fit(nn.Linear(2, 2), "kld", "adam", blobs(), verbose=False)
    assert set(OPTIMIZERS) == {"adam", "adamw", "sgd", "rmsprop"} and "bce" in LOSSES


def test_names_refuse_a_model_that_ends_the_other_way():
    with pytest.raises(ValueError, match="takes logits.*ends in Softmax"):
        resolve_loss("categorical_crossentropy", nn.Sequential(nn.Linear(2, 3), nn.Softmax()))
    with pytest.raises(ValueError, match="takes probabilities.*bce_with_logits"):
        resolve_loss("bce", nn.Sequential(nn.Linear(2, 1)))


def test_fit_by_names_learns_like_fit_by_objects():
    X, y = blobs(80)
    tg.manual_seed(0)
    a = nn.Linear(2, 2)
    h_names = fit(a, "sparse_categorical_crossentropy", "adam", (X, y), epochs=3, verbose=False, seed=1)
    tg.manual_seed(0)
    b = nn.Linear(2, 2)
    h_objects = fit(b, nn.CrossEntropyLoss(), optim.Adam(b.parameters(), lr=1e-3, eps=1e-7), (X, y), epochs=3,
                    verbose=False, seed=1)
    assert h_names.history["loss"] == h_objects.history["loss"]


SCRIPT = textwrap.dedent("""
    import numpy as np, tensorgate as tg
    X = np.random.default_rng(0).normal(size=(200, 2)).astype(np.float32); y = (X[:, 0] > 0).astype(int)
    tg.manual_seed(0)
    model = tg.nn.Sequential(tg.nn.Linear(2, 8), tg.nn.ReLU(), tg.nn.Linear(8, 2))
    tg.fit(model, "cross_entropy", "adam", (X, y), epochs=2, batch_size=4, validation_split=0.25,
           verbose={verbose})
""")


def _run(verbose, stdout):
    env = dict(os.environ, COLUMNS="80", LINES="24")
    return subprocess.run([sys.executable, "-c", SCRIPT.format(verbose=verbose)], stdout=stdout,
                          stderr=subprocess.PIPE, env=env, timeout=120)


def test_not_a_terminal_gives_one_line_per_epoch():
    result = _run(True, subprocess.PIPE)
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr.decode()
    lines = out.strip().splitlines()
    assert len(lines) == 2 and "\r" not in out
    assert lines[0].startswith("Epoch 1/2 - ") and "val_accuracy: " in lines[1]
    assert result.stderr.decode() == ""


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_an_80_column_terminal_shows_the_validation_metrics():
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    try:
        process = subprocess.Popen([sys.executable, "-c", SCRIPT.format(verbose=True)], stdout=slave,
                                   stderr=subprocess.PIPE, env=dict(os.environ, COLUMNS="80", LINES="24"))
        os.close(slave)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait(timeout=120)
    finally:
        os.close(master)
    text = b"".join(chunks).decode().replace("\r\n", "\n")      # the terminal turns \n into \r\n
    assert process.returncode == 0
    assert "Epoch 1/2: " in text and "/38 [" in text                       # a live bar was drawn
    # what stays on the screen: the part after the last carriage return of each line
    screen = [re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", line).split("\r")[-1] for line in text.split("\n")]
    final = [line for line in screen if line.startswith("Epoch ")]
    assert len(final) == 2
    for line in final:
        assert re.search(r"val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4}", line), line
    bars = [line for line in text.replace("\n", "\r").split("\r") if "batch" in line]
    assert bars and max(len(re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", b)) for b in bars) <= 80
