"""A worker killed mid-run ends training with a clear error; the last checkpoint loads and resumes."""
import os
import signal

import numpy as np
import pytest
from sklearn.datasets import load_digits

import tensorgate as tg
from tensorgate import distributed, nn, optim
from tensorgate.training import Callback, ModelCheckpoint


class KillWorker(Callback):
    """Kills worker 1's process (SIGKILL, as the kernel's out-of-memory killer would) in epoch 2."""

    def on_batch_end(self, batch, logs=None):
        if self.trainer.epoch == 1 and batch == 3:
            os.kill(self.trainer.group.pids()[1], signal.SIGKILL)


def test_a_killed_worker_gives_a_clear_error_and_a_loadable_checkpoint(local_ray, tmp_path):
    X, y = load_digits(return_X_y=True)
    X, y = (X[:320] / 16).astype(np.float32), y[:320]
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 16), nn.ReLU(), nn.Linear(16, 10))
    opt = optim.Adam(model.parameters(), lr=0.01)
    path = tmp_path / "last.tgate"
    with pytest.raises(distributed.WorkerDied) as caught:
        distributed.fit(model, nn.CrossEntropyLoss(), opt, (X, y), epochs=4, batch_size=32, seed=0, verbose=False,
                        callbacks=[KillWorker(), ModelCheckpoint(path)], workers=2)
    message = str(caught.value)
    assert "worker 1 of 2 died during epoch 2" in message, message
    assert str(path) in message and "resume_from" in message
    assert caught.value.rank == 1 and caught.value.epoch == 1
    assert not [p for p in tmp_path.iterdir() if p.name != path.name]   # no temporary left behind

    checkpoint = tg.io.load_checkpoint(path)
    assert checkpoint["epoch"] == 1
    tg.manual_seed(0)
    again = nn.Sequential(nn.Linear(64, 16), nn.ReLU(), nn.Linear(16, 10))
    opt2 = optim.Adam(again.parameters(), lr=0.01)
    history = tg.fit(again, nn.CrossEntropyLoss(), opt2, (X, y), epochs=2, batch_size=32, seed=0, verbose=False,
                     resume_from=path)
    assert history.epoch == [0, 1] and np.isfinite(history.history["loss"]).all()
