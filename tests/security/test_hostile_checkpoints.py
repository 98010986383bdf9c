"""Checkpoints are data, not instructions: every restored value is checked before anything is restored."""
import copy

import numpy as np
import pytest

import tensorgate as tg
from tensorgate import nn, optim
from tensorgate.io import ModelFileError, load_checkpoint, save_checkpoint
from tensorgate.optim import lr_scheduler as sched
from tensorgate.training import EarlyStopping, LearningRateScheduler, ModelCheckpoint


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(40, 3)).astype(np.float32), rng.integers(0, 2, 40)


def _setup(path):
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    callbacks = [ModelCheckpoint(path), EarlyStopping(monitor="loss", patience=5),
                 LearningRateScheduler(sched.StepLR(opt, step_size=2, gamma=0.5))]
    return model, opt, callbacks


def _fit(path, resume=False, epochs=2):
    model, opt, callbacks = _setup(path)
    tg.fit(model, nn.CrossEntropyLoss(), opt, _data(), epochs=epochs, batch_size=8, verbose=False, seed=0,
           callbacks=callbacks, resume_from=path if resume else None)
    return model, opt


@pytest.fixture
def good(tmp_path):
    path = tmp_path / "ckpt.tgate"
    _fit(path)
    return path


def _rewrite(path, change):
    """Load the checkpoint, let ``change`` alter it, and save it again (valid checksum, hostile values)."""
    ckpt = load_checkpoint(path)
    change(ckpt)
    save_checkpoint(path, _StateOnly(ckpt["model_state"]), ckpt["optimizer"], epoch=ckpt["epoch"],
                    history=ckpt["history"], rng_state=ckpt["rng_state"], shuffle_rng_state=ckpt["shuffle_rng_state"],
                    callbacks=ckpt["callbacks"], loader_epoch=ckpt["loader_epoch"])


class _StateOnly:
    """Stands in for a model when writing a crafted checkpoint: its state is whatever the test says."""

    def __init__(self, state):
        self.state = state

    def get_config(self):
        raise NotImplementedError

    def state_dict(self):
        return self.state


def _group(ckpt):
    return ckpt["optimizer"]["param_groups"][0]


def _callback(ckpt, name):
    return next(v for k, v in ckpt["callbacks"].items() if k.endswith(name))


def test_a_good_checkpoint_resumes(good):
    model, opt = _fit(good, resume=True, epochs=3)
    assert opt.param_groups[0]["lr"] == pytest.approx(0.05)


@pytest.mark.parametrize("change, fragment", [
    (lambda c: _group(c).update(lr=-1e9), "'lr' is -1000000000.0: it must be >= 0"),
    (lambda c: _group(c).update(lr=float("nan")), "'lr' is nan, not finite"),
    (lambda c: _group(c).update(lr=float("inf")), "not finite"),
    (lambda c: _group(c).update(lr="0.1"), "'lr' is '0.1'"),
    (lambda c: _group(c).update(momentum=5.0), "'momentum' is 5.0: it must lie in [0, 1]"),
    (lambda c: _group(c).update(evil=1), "has options"),
    (lambda c: c["optimizer"].update(param_groups=[]), "0 parameter groups"),
    (lambda c: c["optimizer"]["state"].update({0: {"momentum_buffer": np.full((4, 3), np.nan, np.float32)}}),
     "not a finite array"),
    (lambda c: c["optimizer"]["state"].update({0: {"momentum_buffer": np.zeros((9, 9), np.float32)}}),
     "not a finite array of shape"),
    (lambda c: c["optimizer"]["state"].update({99: {}}), "names parameter 99"),
    (lambda c: c.update(history={"history": "garbage"}), "the history is not"),
    (lambda c: c.update(history=[1, 2, 3]), "the history is not"),
    (lambda c: c["history"]["history"].update(loss=["a", "b"]), "holds non-numbers"),
    (lambda c: c["history"]["history"].update(loss=[1.0]), "one value per epoch"),
    (lambda c: _callback(c, "EarlyStopping").update(trainer=None), "which it does not store"),
    (lambda c: _callback(c, "EarlyStopping").update(__class__="os"), "which it does not store"),
    (lambda c: _callback(c, "EarlyStopping").update(wait="forever"), "'wait'"),
    (lambda c: _callback(c, "EarlyStopping").update(best_weights={"0.weight": np.zeros(2)}), "best weights"),
    (lambda c: _callback(c, "LearningRateScheduler")["scheduler"].update(optimizer=1), "does not store"),
    (lambda c: _callback(c, "LearningRateScheduler")["scheduler"].update(gamma="x"), "'gamma'"),
    (lambda c: c.update(epoch=-3), "the epoch is -3"),
    (lambda c: c.update(rng_state={"bit_generator": "Mersenne"}), "generator state"),
    (lambda c: c.update(loader_epoch="x"), "loader's epoch"),
    (lambda c: c["model_state"].update({"0.weight": np.full((4, 3), np.inf, np.float32)}), "finite array"),
])
def test_hostile_checkpoint_values_are_refused_before_anything_is_restored(good, change, fragment):
    _rewrite(good, change)
    model, opt, callbacks = _setup(good)
    before = copy.deepcopy(model.state_dict())
    with pytest.raises(ModelFileError, match="ckpt.tgate") as err:
        tg.fit(model, nn.CrossEntropyLoss(), opt, _data(), epochs=3, batch_size=8, verbose=False, seed=0,
               callbacks=callbacks, resume_from=good)
    assert fragment in str(err.value)
    for name, array in model.state_dict().items():
        np.testing.assert_array_equal(array, before[name])
    assert opt.param_groups[0]["lr"] == 0.1


def test_early_stopping_restores_only_what_it_stores():
    cb = EarlyStopping()
    cb.load_state_dict({"wait": 2, "set_trainer": "pwned", "on_epoch_end": None})
    assert cb.wait == 2 and callable(cb.set_trainer) and callable(cb.on_epoch_end)
