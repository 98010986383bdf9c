"""Callbacks: code that :func:`tensorgate.fit` runs at fixed points of training.

Hooks, in the order they run::

    on_train_begin(logs)
      for each epoch:  on_epoch_begin(epoch, logs)
                       for each batch: on_batch_end(batch, logs)     # logs: batch, size, loss
                       on_epoch_end(epoch, logs)                     # logs: loss, metrics, val_*, lr, time
    on_train_end(logs)

A callback reaches the run through ``self.trainer`` (``.model``, ``.optimizer``, ``.history``, ``.epoch``)
and stops it by setting ``self.trainer.stop_training = True``. Callbacks whose behaviour depends on the
past (early stopping's patience counter, a schedule) implement ``state_dict()``/``load_state_dict()`` so
that a checkpoint resumes them exactly. Callbacks run in the order given, except that those with a higher
``order`` run later: :class:`ModelCheckpoint` runs last, so it saves the state after every other
callback (a schedule's step, early stopping's counter) has run.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import csv
import math
import os

if TYPE_CHECKING:
    from typing import Callable

    from ..nn.module import Module
    from .loop import Trainer

__all__ = ["Callback", "EarlyStopping", "ModelCheckpoint", "LearningRateScheduler", "CSVLogger", "LambdaCallback"]


class Callback:
    """Base class: every hook does nothing; override the ones you need.

    Shape: not applicable.
    """

    #: callbacks with a larger order run after those with a smaller one (stable otherwise)
    order = 0
    trainer: Trainer | None = None

    def set_trainer(self, trainer: Trainer | None) -> None:
        self.trainer = trainer

    @property
    def model(self) -> Module | None:
        return self.trainer.model if self.trainer is not None else None

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        pass

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        pass

    def on_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        pass

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        pass

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        pass

    def state_dict(self) -> dict[str, Any]:
        """What a checkpoint must keep for this callback to resume exactly (JSON values and arrays)."""
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        pass


def _monitor_mode(monitor, mode, who):
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"{who}: mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode == "auto":
        mode = "max" if any(w in monitor for w in ("acc", "auc", "f1", "precision", "recall")) else "min"
    return mode


def _monitored(logs, monitor, who):
    if monitor not in logs:
        hint = " (did you pass val_data?)" if monitor.startswith("val_") else ""
        raise KeyError(f"{who}: the monitored value {monitor!r} is not in the epoch's logs{hint}; available: "
                       f"{sorted(logs)}")
    return float(logs[monitor])


class EarlyStopping(Callback):
    """Stop training when the monitored value has stopped improving (Keras's ``EarlyStopping``).

    An epoch improves when its value beats the best so far by more than ``min_delta`` (lower for "min",
    higher for "max"). After ``patience`` epochs in a row without improvement training stops. With
    ``restore_best_weights`` the model ends with the weights of its best epoch (a copy of the
    ``state_dict`` taken then), whether training stopped early or ran all its epochs.

    Parameters
    ----------
    monitor : str, default "val_loss"
        A key of the epoch logs ("val_loss", "val_accuracy", "loss", ...).
    patience : int, default 0
        Epochs without improvement to tolerate.
    min_delta : float, default 0
        The smallest change that counts as an improvement.
    mode : {"auto", "min", "max"}
        "auto" maximises names containing acc/auc/f1/precision/recall and minimises the rest.
    restore_best_weights : bool, default False
        As in Keras: False keeps the weights of the last epoch; True goes back to the best epoch's.
    baseline : float, optional
        A value the monitored quantity must beat at all.

    Attributes
    ----------
    stopped_epoch : int or None
        The epoch after which training stopped.
    best_epoch, best : the best epoch and its value.

    Shape
    -----
    not applicable.
    """

    def __init__(self, monitor: str = "val_loss", patience: int = 0, min_delta: float = 0.0, mode: str = "auto",
                 restore_best_weights: bool = False, baseline: float | None = None):
        self.monitor = monitor
        self.patience = int(patience)
        self.min_delta = abs(float(min_delta))
        self.mode = _monitor_mode(monitor, mode, "EarlyStopping")
        self.restore_best_weights = bool(restore_best_weights)
        self.baseline = baseline
        self._reset()

    def _reset(self):
        self.wait = 0
        self.stopped_epoch = None
        self.best_epoch = None
        self.best = self.baseline if self.baseline is not None else (math.inf if self.mode == "min" else -math.inf)
        self.best_weights = None

    def _improved(self, value):
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        value = _monitored(logs, self.monitor, "EarlyStopping")
        if self._improved(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                self.best_weights = self.model.state_dict()  # type: ignore[union-attr]
        else:
            self.wait += 1
            if self.wait > self.patience:
                self.stopped_epoch = epoch
                self.trainer.stop_training = True  # type: ignore[union-attr]

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self.restore_best_weights and self.best_weights is not None and self.best_epoch != self.trainer.epoch:  # type: ignore[union-attr]
            self.model.load_state_dict(self.best_weights)  # type: ignore[union-attr]

    def state_dict(self) -> dict[str, Any]:
        return {"wait": self.wait, "best": self.best, "best_epoch": self.best_epoch,
                "stopped_epoch": self.stopped_epoch, "best_weights": self.best_weights}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        # only the attributes state_dict() writes: a checkpoint must not set anything else on the callback
        for key in ("wait", "best", "best_epoch", "stopped_epoch", "best_weights"):
            if key in state:
                setattr(self, key, state[key])


class ModelCheckpoint(Callback):
    """Save a full training checkpoint at the end of every epoch (or only of the best ones).

    The file holds the model's weights (and architecture), the optimiser's state, the epoch, the history,
    the random-generator states and the other callbacks' states: ``tg.fit(..., resume_from=path)``
    continues from it exactly as if training had never stopped. Runs after the other callbacks.

    Parameters
    ----------
    path : str or os.PathLike
        Where to write; may contain ``{epoch}`` (1-based, e.g. ``"ckpt-{epoch:03d}.tgate"``) and log keys
        (``"{val_loss:.3f}"``). Writes are atomic.
    monitor : str, default "val_loss"
        Used with ``save_best_only``.
    save_best_only : bool, default False
        Save only when the monitored value improves on the best so far.
    mode : {"auto", "min", "max"}

    Shape
    -----
    not applicable.
    """

    order = 100

    def __init__(self, path: str | os.PathLike[str], monitor: str = "val_loss", save_best_only: bool = False,
                 mode: str = "auto"):
        self.path = os.fspath(path)
        self.monitor = monitor
        self.save_best_only = bool(save_best_only)
        self.mode = _monitor_mode(monitor, mode, "ModelCheckpoint")
        self.best = math.inf if self.mode == "min" else -math.inf
        self.last_saved = None

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.save_best_only:
            value = _monitored(logs, self.monitor, "ModelCheckpoint")
            if not (value < self.best if self.mode == "min" else value > self.best):
                return
            self.best = value
        path = self.path.format(epoch=epoch + 1, **logs)  # type: ignore[arg-type]
        self.last_saved = path  # type: ignore[assignment]
        self.trainer.save_checkpoint(path)  # type: ignore[union-attr]

    def state_dict(self) -> dict[str, Any]:
        return {"best": self.best}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best = state.get("best", self.best)


class LearningRateScheduler(Callback):
    """Step a learning-rate schedule from :mod:`tensorgate.optim.lr_scheduler` during training.

    By default once per epoch, after the epoch (PyTorch's convention): the epoch that just ended ran at
    the rate logged as ``"lr"``. ``ReduceLROnPlateau`` is given the monitored value. With
    ``per_batch=True`` the schedule steps after every batch instead (for warm-up counted in steps).

    Shape: not applicable.
    """

    def __init__(self, scheduler: Any, monitor: str = "val_loss", per_batch: bool = False):
        self.scheduler = scheduler
        self.monitor = monitor
        self.per_batch = bool(per_batch)
        self._plateau = type(scheduler).__name__ == "ReduceLROnPlateau"
        if self._plateau and self.per_batch:
            raise ValueError("LearningRateScheduler: ReduceLROnPlateau steps once per epoch (per_batch=False)")

    def on_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self.per_batch:
            self.scheduler.step()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self._plateau:
            self.scheduler.step(_monitored(logs, self.monitor, "LearningRateScheduler"))
        elif not self.per_batch:
            self.scheduler.step()

    def state_dict(self) -> dict[str, Any]:
        return {"scheduler": self.scheduler.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.scheduler.load_state_dict(state["scheduler"])


class CSVLogger(Callback):
    """Append one CSV row per epoch (epoch and every logged value) to ``path``.

    ``append=True`` continues an existing file (what you want when resuming).

    Shape: not applicable.
    """

    def __init__(self, path: str | os.PathLike[str], append: bool = False, separator: str = ","):
        self.path = os.fspath(path)
        self.append = bool(append)
        self.separator = separator
        self._keys = None

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        if not self.append and os.path.exists(self.path):
            os.remove(self.path)
        self._keys = None
        if self.append and os.path.exists(self.path):
            with open(self.path, newline="") as f:
                first = f.readline().strip()
            self._keys = first.split(self.separator)[1:] if first else None  # type: ignore[assignment]

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self._keys is None:
            self._keys = sorted(logs)  # type: ignore[arg-type, assignment]
            with open(self.path, "a", newline="") as f:
                csv.writer(f, delimiter=self.separator).writerow(["epoch"] + self._keys)  # type: ignore[operator]
        with open(self.path, "a", newline="") as f:
            csv.writer(f, delimiter=self.separator).writerow([epoch] + [logs.get(k, "") for k in self._keys])  # type: ignore[attr-defined, union-attr]


class LambdaCallback(Callback):
    """A callback from plain functions: ``LambdaCallback(on_epoch_end=lambda epoch, logs: print(logs))``.

    Shape: not applicable.
    """

    def __init__(self, on_train_begin: Callable[..., object] | None = None,
                 on_epoch_begin: Callable[..., object] | None = None, on_batch_end: Callable[..., object] | None = None,
                 on_epoch_end: Callable[..., object] | None = None, on_train_end: Callable[..., object] | None = None):
        for name, fn in (("on_train_begin", on_train_begin), ("on_epoch_begin", on_epoch_begin),
                         ("on_batch_end", on_batch_end), ("on_epoch_end", on_epoch_end),
                         ("on_train_end", on_train_end)):
            if fn is not None:
                setattr(self, name, fn)
