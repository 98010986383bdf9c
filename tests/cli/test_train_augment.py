"""``tensorgate train --augment``, ``--label-smoothing`` and ``--schedule onecycle``: what the run trains on,
what it saves, and the errors a user can make."""
import json

import numpy as np
import pytest

import tensorgate as tg
from tensorgate.cli import augment, config as cli_config, training
from cli_helpers import assert_user_error, run_cli, run_main


def test_augmented_run_learns_digits_and_saves_its_settings(tmp_path, capsys):
    out = tmp_path / "run"
    status, stdout, _ = run_main(capsys, "train", "--data", "digits", "--augment", "crop,flip", "--label-smoothing",
                                 "0.1", "--schedule", "onecycle", "--lr", "0.003", "--no-plots", "--progress",
                                 "none", "--out", out)
    assert status == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["test"]["accuracy"] > 0.8, stdout        # measured 0.88 (an MLP on 8×8 digits, shifted by 1 pixel)
    settings = cli_config.read_toml(out / "config.toml")
    assert settings["augment"] == ["crop", "flip"] and settings["label_smoothing"] == 0.1
    assert settings["schedule"] == "onecycle"
    # one mean and scale per channel (digits: one channel), laid out per pixel, and predict applies it
    standardize = tg.io.read_metadata(out / "model.tgate")["metadata"]["standardize"]
    assert len(standardize["mean"]) == 64 and len(set(np.round(standardize["mean"], 9))) == 1
    assert len(set(np.round(standardize["scale"], 9))) == 1


def test_the_standardizer_of_an_augmented_run_is_per_channel():
    X = np.random.default_rng(0).random((50, 3, 4, 4)).astype(np.float32)
    s = augment.per_channel_standardizer(X, (3, 4, 4))
    assert s.mean_.shape == (3, 4, 4)
    np.testing.assert_allclose(s.mean_[:, 0, 0], X.mean(axis=(0, 2, 3)), rtol=1e-6)
    np.testing.assert_allclose(s.scale_[:, 2, 1], X.std(axis=(0, 2, 3)), rtol=1e-5)
    flat = augment.per_channel_standardizer(X.reshape(50, -1), (3, 4, 4))
    np.testing.assert_allclose(flat.mean_, s.mean_.reshape(-1))
    np.testing.assert_allclose(s.transform(X).mean(axis=(0, 2, 3)), 0, atol=1e-5)


def test_augmented_batches_are_shifted_training_images(tmp_path):
    settings = cli_config.resolve({"data": "digits", "augment": ["crop"]})
    training._seed(settings)
    data = training._load(settings)
    loader = augment.train_source(settings, data)
    xb, yb = next(iter(loader))
    assert np.asarray(xb).shape == (settings["batch_size"], 64) and np.asarray(xb).dtype == np.float32
    X_raw, y_raw = data.train_raw
    for x, label in zip(np.asarray(xb)[:8], np.asarray(yb)[:8]):
        # undo the standardisation, then find the training image this is a 1-pixel shift of
        raw = data.standardizer.inverse_transform(x[None])[0].reshape(8, 8)
        found = False
        for k in np.flatnonzero(y_raw == label):
            padded = np.pad(X_raw[k].reshape(8, 8), 1)
            if any(np.allclose(padded[i:i + 8, j:j + 8], raw, atol=1e-4) for i in range(3) for j in range(3)):
                found = True
                break
        assert found
    assert augment.train_source(cli_config.resolve({"data": "digits"}), data) is data.train_xy


def test_onecycle_peaks_at_lr_and_keeps_plain_sgd_without_momentum():
    for optimizer, momentum_key in (("sgd", "momentum"), ("momentum", "momentum"), ("adam", "betas")):
        settings = cli_config.resolve({"data": "digits", "schedule": "onecycle", "optimizer": optimizer, "lr": 0.1,
                                       "epochs": 2})
        data = training._load(settings)
        net = training._build(settings, data)
        group = net.optimizer.param_groups[0]
        scheduler = net.callbacks[-1].scheduler
        assert type(scheduler).__name__ == "OneCycleLR" and group["max_lr"] == 0.1
        assert group["lr"] == pytest.approx(0.1 / 25)
        if optimizer == "sgd":
            assert group["momentum"] == 0 and not scheduler.cycle_momentum
        else:
            assert scheduler.cycle_momentum
        steps = scheduler.total_steps
        assert steps == 2 * -(-len(data.train_xy[1]) // settings["batch_size"])
        lrs = []
        for _ in range(steps):
            lrs.append(group["lr"])
            scheduler.step()
        assert max(lrs) == pytest.approx(0.1, rel=1e-3) and int(np.argmax(lrs)) == pytest.approx(0.3 * steps, abs=2)


def test_label_smoothing_reaches_the_loss():
    settings = cli_config.resolve({"data": "digits", "label_smoothing": 0.2})
    data = training._load(settings)
    assert training._build(settings, data).loss_fn.label_smoothing == 0.2


@pytest.mark.parametrize("args,fragment", [
    (("--data", "breast-cancer", "--augment", "crop"), "needs image data"),
    (("--augment", "blur"), "unknown augmentation 'blur'"),
    (("--model", "logreg", "--data", "breast-cancer", "--label-smoothing", "0.1"), "--label-smoothing"),
    (("--label-smoothing", "1.5"), "--label-smoothing"),
    (("--schedule", "triangle"), "onecycle"),
])
def test_augmentation_errors_are_one_line_and_leave_no_run(tmp_path, args, fragment):
    out = tmp_path / "run"
    result = run_cli("train", *args, "--out", str(out), "--no-plots")
    assert_user_error(result, fragment)
    assert not out.exists()
