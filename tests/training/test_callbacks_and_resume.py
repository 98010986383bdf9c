"""Callbacks (early stopping, checkpoints, schedules, CSV) and bit-exact kill-and-resume."""
import csv

import numpy as np
import pytest

import tensorgate as tg
from tensorgate import nn, optim
from tensorgate.io import load, load_checkpoint
from tensorgate.optim import lr_scheduler as sched
from tensorgate.training import (
    Callback, CSVLogger, EarlyStopping, LambdaCallback, LearningRateScheduler, ModelCheckpoint, fit,
)


def _data(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4)).astype(np.float32)
    y = (X[:, 0] * X[:, 1] + 0.3 * rng.normal(size=n) > 0).astype(np.int64)
    return X, y


class StopAfter(Callback):
    """Simulates a killed run: stops training after ``epochs`` epochs."""

    def __init__(self, epochs):
        self.epochs = epochs

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 >= self.epochs:
            self.trainer.stop_training = True


def _model():
    # dropout makes the run depend on the global generator too
    return nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 2))


def _weights(model):
    return {k: v.copy() for k, v in model.state_dict().items()}


def _assert_same_weights(a, b):
    assert list(a) == list(b)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


def test_early_stopping_restores_the_best_weights():
    X, y = _data()
    Xv, yv = _data(40, seed=1)
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 64), nn.ReLU(), nn.Linear(64, 2))
    snapshots = []
    record = LambdaCallback(on_epoch_end=lambda epoch, logs: snapshots.append(_weights(model)))
    stop = EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
    # a large learning rate: the validation loss bottoms out early, then overfitting sets in
    h = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.05), (X, y), epochs=200,
            batch_size=10, val_data=(Xv, yv), callbacks=[record, stop], verbose=False, seed=0)
    val = h.history["val_loss"]
    best = int(np.argmin(val))
    assert stop.stopped_epoch is not None and len(val) == best + 1 + 4  # patience 3: stops on the 4th bad epoch
    assert stop.best_epoch == best and stop.best == val[best]
    _assert_same_weights(model.state_dict(), snapshots[best])
    assert val[-1] > val[best]


def test_early_stopping_without_restoring_and_missing_key():
    X, y = _data()
    model = _model()
    stop = EarlyStopping(monitor="loss", patience=0, min_delta=10.0, restore_best_weights=False)
    h = fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=10,
            callbacks=[stop], verbose=False)
    assert len(h.epoch) == 2  # no epoch improves by 10: stops after the second
    with pytest.raises(KeyError, match="'val_loss' is not in the epoch's logs.*val_data"):
        fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=1,
            callbacks=[EarlyStopping()], verbose=False)


def test_checkpoint_file_holds_everything(tmp_path):
    X, y = _data()
    tg.manual_seed(0)
    model = _model()
    opt = optim.Adam(model.parameters(), lr=0.01)
    path = tmp_path / "ckpt-{epoch:02d}.tgate"
    fit(model, nn.CrossEntropyLoss(), opt, (X, y), epochs=3, callbacks=[ModelCheckpoint(path)], verbose=False,
        seed=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt-01.tgate", "ckpt-02.tgate", "ckpt-03.tgate"]
    ckpt = load_checkpoint(tmp_path / "ckpt-03.tgate")
    assert ckpt["epoch"] == 3 and ckpt["history"]["epoch"] == [0, 1, 2]
    _assert_same_weights(ckpt["model_state"], model.state_dict())
    assert ckpt["optimizer"]["state"][0]["step"] == 3 * 2  # 60 examples / batch 32 = 2 steps per epoch
    assert ckpt["rng_state"] == tg.backend.random.get_rng_state()
    # tg.load rebuilds the model from its architecture
    full = load(tmp_path / "ckpt-03.tgate")
    assert isinstance(full["model"], nn.Sequential)
    _assert_same_weights(full["model"].state_dict(), model.state_dict())


def test_checkpoint_save_best_only(tmp_path):
    X, y = _data()
    Xv, yv = _data(30, seed=2)
    model = _model()
    cb = ModelCheckpoint(tmp_path / "best.tgate", monitor="val_accuracy", save_best_only=True)
    h = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.01), (X, y), epochs=6,
            val_data=(Xv, yv), callbacks=[cb], verbose=False)
    ckpt = load_checkpoint(tmp_path / "best.tgate")
    acc = h.history["val_accuracy"]
    assert ckpt["epoch"] == acc.index(max(acc)) + 1


def _run(tmp_path, epochs, stop_after=None, resume=False, schedule=True, shuffle_seed=3):
    """Build a fresh model and optimiser (different initial weights each time) and train."""
    X, y = _data()
    Xv, yv = _data(30, seed=5)
    tg.manual_seed(123 if not resume else 999)
    model = _model()
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True)
    callbacks = [ModelCheckpoint(tmp_path / "last.tgate")]  # listed first, still runs last
    if schedule:
        callbacks.append(LearningRateScheduler(sched.ReduceLROnPlateau(opt, factor=0.5, patience=0)))
        callbacks.append(LearningRateScheduler(sched.StepLR(opt, step_size=2, gamma=0.7)))
    callbacks.append(EarlyStopping(monitor="val_loss", patience=100))
    if stop_after is not None:
        callbacks.append(StopAfter(stop_after))
    h = fit(model, nn.CrossEntropyLoss(), opt, (X, y), epochs=epochs, batch_size=8, val_data=(Xv, yv),
            callbacks=callbacks, verbose=False, seed=shuffle_seed,
            resume_from=tmp_path / "last.tgate" if resume else None)
    return model, opt, h


def test_kill_and_resume_equals_uninterrupted(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    model_full, opt_full, h_full = _run(tmp_path / "a", epochs=6)

    _, _, h_killed = _run(tmp_path / "b", epochs=6, stop_after=3)  # "killed" after 3 epochs
    assert len(h_killed.epoch) == 3
    model_resumed, opt_resumed, h_resumed = _run(tmp_path / "b", epochs=6, resume=True)

    _assert_same_weights(model_resumed.state_dict(), model_full.state_dict())
    assert h_resumed.epoch == list(range(6))
    for key in ("loss", "accuracy", "val_loss", "val_accuracy", "lr"):
        assert h_resumed.history[key] == h_full.history[key], key
    assert opt_resumed.param_groups[0]["lr"] == opt_full.param_groups[0]["lr"]
    sa, sb = opt_resumed.state_dict()["state"], opt_full.state_dict()["state"]
    for i in sa:
        np.testing.assert_array_equal(sa[i]["momentum_buffer"], sb[i]["momentum_buffer"])


def test_resume_with_a_dataloader(tmp_path):
    X, y = _data()

    def run(stop_after=None, resume=False):
        tg.manual_seed(7 if not resume else 8)
        model = _model()
        opt = optim.Adam(model.parameters(), lr=0.01)
        loader = tg.data.DataLoader(tg.data.ArrayDataset(X, y), batch_size=16, shuffle=True)  # global generator
        cbs = [ModelCheckpoint(tmp_path / "ck.tgate")] + ([StopAfter(stop_after)] if stop_after else [])
        fit(model, nn.CrossEntropyLoss(), opt, loader, epochs=4, callbacks=cbs, verbose=False,
            resume_from=tmp_path / "ck.tgate" if resume else None)
        return model

    full = run()
    run(stop_after=2)
    _assert_same_weights(run(resume=True).state_dict(), full.state_dict())


def test_model_stop_training_flag():
    X, y = _data()
    model = _model()

    def stop(epoch, logs):
        model.stop_training = True

    h = fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=5,
            callbacks=[LambdaCallback(on_epoch_end=stop)], verbose=False)
    assert h.epoch == [0] and not model.stop_training


def test_initial_epoch_continues_counting():
    X, y = _data()
    model = _model()
    h = fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=5, initial_epoch=3,
            verbose=False)
    assert h.epoch == [3, 4]


def test_learning_rate_scheduler_steps_per_epoch_and_per_batch():
    X, y = _data(32)
    model = _model()
    opt = optim.SGD(model.parameters(), lr=1.0)
    h = fit(model, nn.CrossEntropyLoss(), opt, (X, y), epochs=4, batch_size=8,
            callbacks=[LearningRateScheduler(sched.StepLR(opt, step_size=1, gamma=0.5))], verbose=False)
    assert h.history["lr"] == [1.0, 0.5, 0.25, 0.125]
    opt = optim.SGD(model.parameters(), lr=1.0)
    warm = sched.LinearWarmup(opt, warmup_steps=8)
    h = fit(model, nn.CrossEntropyLoss(), opt, (X, y), epochs=3, batch_size=8,
            callbacks=[LearningRateScheduler(warm, per_batch=True)], verbose=False)
    assert h.history["lr"] == pytest.approx([1 / 9, 5 / 9, 1.0])
    with pytest.raises(ValueError, match="per_batch"):
        LearningRateScheduler(sched.ReduceLROnPlateau(opt), per_batch=True)


def test_csv_logger(tmp_path):
    X, y = _data()
    model = _model()
    path = tmp_path / "log.csv"
    fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=2,
        callbacks=[CSVLogger(path)], verbose=False)
    fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=3, initial_epoch=2,
        callbacks=[CSVLogger(path, append=True)], verbose=False)
    rows = list(csv.DictReader(open(path)))
    assert [r["epoch"] for r in rows] == ["0", "1", "2"] and "loss" in rows[0] and float(rows[2]["lr"]) == 0.1


def test_early_stopping_keeps_the_last_weights_by_default_as_keras():
    X, y = _data()
    Xv, yv = _data(40, seed=1)
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 64), nn.ReLU(), nn.Linear(64, 2))
    snapshots = []
    record = LambdaCallback(on_epoch_end=lambda epoch, logs: snapshots.append(_weights(model)))
    stop = EarlyStopping(monitor="val_loss", patience=3)
    fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.05), (X, y), epochs=200,
        batch_size=10, val_data=(Xv, yv), callbacks=[record, stop], verbose=False, seed=0)
    assert stop.restore_best_weights is False and stop.stopped_epoch is not None
    assert stop.best_epoch != len(snapshots) - 1
    _assert_same_weights(model.state_dict(), snapshots[-1])
