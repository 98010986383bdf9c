"""Diverging training stops at the first nan or inf loss with finite weights, names the layer where the
first non-finite value appeared, and warns when the loss grows by orders of magnitude."""
import warnings

import numpy as np
import pytest

import tensorgate as tg
from tensorgate import nn, optim
from tensorgate.functional.loss import NonFiniteLossError
from tensorgate.training import Callback, LossGrowthWarning, TrainingDiverged


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(256, 20)).astype(np.float32), rng.integers(0, 3, 256)


def _model():
    tg.manual_seed(0)
    return nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 3))


def _all_finite(model):
    return all(np.isfinite(p.data).all() for p in model.parameters())


@pytest.mark.parametrize("run_eagerly", [None, True])
def test_an_exploding_run_stops_with_finite_weights_and_names_the_layer(run_eagerly):
    X, y = _data()
    model = _model()
    with warnings.catch_warnings(), pytest.warns(LossGrowthWarning, match="grew from"):
        warnings.filterwarnings("ignore", "overflow|invalid value")  # NumPy's, on the way up
        with pytest.raises(TrainingDiverged) as err:
            tg.fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=100.0), (X, y), epochs=20,
                   batch_size=32, verbose=False, seed=0, run_eagerly=run_eagerly)
    e = err.value
    assert "output of layer '2' (Linear)" in str(e) and e.where.startswith("the output of layer '2'")
    assert (e.epoch, e.batch) == (1, 6) and len(e.history.history["loss"]) == 1
    assert _all_finite(model) and not e.restored


@pytest.mark.filterwarnings("ignore:overflow")
def test_an_inf_loss_with_finite_inputs_raises_before_the_update():
    loss_fn = nn.MSELoss()
    big = tg.tensor(np.full((2, 1), 3e38, np.float32), requires_grad=True)
    with pytest.raises(NonFiniteLossError, match="inf although every input is finite"):
        loss_fn(big, tg.tensor(np.zeros((2, 1), np.float32)))


class _Poison(Callback):
    """Makes a weight inf after batch 2 of epoch 2: the next loss is nan."""

    def on_batch_end(self, batch, logs=None):
        if self.trainer.epoch == 1 and batch == 2:
            self.trainer.model[0].weight.data[0, 0] = np.inf


@pytest.mark.parametrize("run_eagerly", [None, True])
def test_non_finite_weights_are_restored_to_the_start_of_the_epoch(run_eagerly):
    X, y = _data()
    model = _model()
    snapshots = []

    class Keep(Callback):
        def on_epoch_end(self, epoch, logs=None):
            snapshots.append(model.state_dict())

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(TrainingDiverged, match="parameter '0.weight'") as err:
            tg.fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=1e-3), (X, y), epochs=3,
                   batch_size=32, verbose=False, seed=0, callbacks=[Keep(), _Poison()], run_eagerly=run_eagerly)
    assert err.value.restored and (err.value.epoch, err.value.batch) == (1, 3)
    for name, array in model.state_dict().items():
        np.testing.assert_array_equal(array, snapshots[0][name])


def test_a_healthy_run_neither_warns_nor_stops():
    X, y = _data()
    model = _model()
    with warnings.catch_warnings():
        warnings.simplefilter("error", LossGrowthWarning)
        history = tg.fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=3,
                         batch_size=32, verbose=False, seed=0)
    assert np.isfinite(history.history["loss"]).all()
