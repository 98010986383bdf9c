"""The training loop: ``fit`` and the ``Trainer`` behind it (``evaluate`` and ``predict`` live in inference.py,
the data sources in sources.py).

One epoch of :func:`fit` is the loop everyone writes by hand::

    for x, y in batches:                  # shuffled each epoch
        out = model(x)                    # forward
        loss = loss_fn(out, y)
        optimizer.zero_grad()
        loss.backward()                   # ∂loss/∂p for every parameter
        optimizer.step()                  # update in place

plus the bookkeeping: mean loss and metrics per epoch, validation, callbacks, a progress bar and
checkpoints from which a run resumes bit for bit.

The batch size picks the flavour of gradient descent: 1 is stochastic, ``len(X)`` (or None) full-batch,
anything between mini-batch.

Reproducibility: the shuffling order comes from a generator of its own, made from ``seed`` (or, without
a seed, from one draw of tensorgate's global generator); dropout and everything else random draws from
the global generator (``tg.manual_seed``). A checkpoint stores both generators' states, so a resumed run
sees exactly the batches and dropout masks the uninterrupted run would have seen.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import math
import sys
import time

import numpy as np

from ..autograd import Tensor
from ..backend import random as _random
from ..backend.memory import tune_malloc
from ..functional.loss import NonFiniteLossError
from ..io import load_checkpoint, save_checkpoint
from .callbacks import Callback
from .compiled import CompiledStep
from .divergence import LossAlarm, diverged
from .history import History
from .inference import _run_eval, evaluate, predict
from .metrics import metric_logs, resolve_metrics
from .names import resolve_loss, resolve_optimizer
from .placement import CPU, batch_tensor, host, model_device
from .resume import check_checkpoint
from .sources import _Arrays, _loss_follows, _model_dtype, _set_mode, _source, _split_last

if TYPE_CHECKING:
    import os
    from typing import Sequence

    from numpy.typing import NDArray

    from ..autograd.device import device as Device
    from ..autograd.tensor import TensorLike
    from ..nn.module import Module
    from ..optim.optimizer import Optimizer
    from .sources import Data, LossFn

__all__ = ["fit", "evaluate", "predict", "Trainer"]


# ---------------------------------------------------------------- the trainer
class Trainer:
    """A model, a loss, an optimiser and their training state; :func:`fit` is ``Trainer(...).fit(...)``.

    Keeping the Trainer lets you call ``fit`` again to train further, ``evaluate``/``predict``, and
    ``save_checkpoint(path)`` at any point.

    Parameters
    ----------
    model : Module
    loss_fn : callable or str
        ``loss_fn(output, target) -> scalar Tensor`` (e.g. ``tg.nn.CrossEntropyLoss()``), or a name
        (:mod:`tensorgate.training.names`).
    optimizer : Optimizer or str
        Or a name: ``"adam"``, ``"adamw"``, ``"sgd"``, ``"rmsprop"`` (Keras's default settings).
    metrics : sequence of str or metric objects, default ("accuracy",)
    callbacks : sequence of Callback
    verbose : bool or int, default True
        True (or 2): a tqdm progress bar per epoch with the loss and samples/s when standard output is a
        terminal, replaced at the end of the epoch by one line with every metric (validation included);
        when standard output is not a terminal (a log file, a pipe, a notebook's captured output), just
        that line per epoch. 1: one printed line per epoch; False (or 0): silent.

    Attributes
    ----------
    history : History
    epoch : int
        The epoch being run (0-based); after training, the last one run.
    stop_training : bool
        Set by a callback to end training after the current epoch (``self.model.stop_training = True``,
        Keras's spelling, works too).

    Shape
    -----
    see :func:`fit`.
    """

    def __init__(self, model: Module, loss_fn: str | LossFn, optimizer: str | Optimizer,
                 metrics: Sequence[str | Any] = ("accuracy",), callbacks: Sequence[Callback] = (),
                 verbose: bool | int = True, run_eagerly: bool | None = None,
                 device: str | Device | int | None = None):
        if device is not None:
            model.to(device)    # in place, before the optimiser is made (its state is made on the device)
        self.model = model
        loss_fn = resolve_loss(loss_fn, model)              # "sparse_categorical_crossentropy", "adam", ...
        optimizer = resolve_optimizer(optimizer, model)
        # Keras's switch. None: tensorgate's own layers and losses are recorded once per batch shape and
        # replayed (CompiledStep stays eager by itself for hooks; Dropout and BatchNorm are replayed), user
        # Module subclasses run eagerly; False: replay user code too; True: always eager.
        self.run_eagerly = run_eagerly
        self._compiled = (None if run_eagerly else
                          CompiledStep(model, loss_fn, optimizer, trust_custom_code=run_eagerly is False))
        self.loss_fn = loss_fn
        self.optimizer = optimizer
        self.metrics = resolve_metrics(metrics, loss_fn)
        callbacks = list(callbacks or ())
        for cb in callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(f"fit: callbacks must be Callback instances, got {type(cb).__name__}")
        self.callbacks = sorted(callbacks, key=lambda cb: cb.order)  # stable: given order within an order
        for cb in self.callbacks:
            cb.set_trainer(self)
        self.verbose = verbose
        self.history = History()
        self.epoch = 0
        self.completed_epochs = 0
        self.stop_training = False
        self.shuffle_rng = None
        self._train = None

    # ------------------------------------------------------------ checkpoints
    def _callback_key(self, i, cb):
        return f"{i}:{type(cb).__name__}"

    def save_checkpoint(self, path: str | os.PathLike[str], extra: dict[str, Any] | None = None,
                        metadata: dict[str, Any] | None = None) -> None:
        """Write a full checkpoint of the run as it stands (after ``completed_epochs`` epochs).

        Shape: not applicable.
        """
        loader = getattr(self._train, "data", None)
        save_checkpoint(
            path, self.model, self.optimizer, epoch=self.completed_epochs, history=self.history.to_dict(),
            rng_state=_random.get_rng_state(),
            shuffle_rng_state=self.shuffle_rng.bit_generator.state if self.shuffle_rng is not None else None,
            callbacks={self._callback_key(i, cb): cb.state_dict() for i, cb in enumerate(self.callbacks)},
            loader_epoch=getattr(loader, "epoch", None), extra=extra, metadata=metadata)

    def _resume(self, path, loader):
        ckpt = load_checkpoint(path)
        check_checkpoint(ckpt, self, path, loader)  # every value, before anything is restored
        self.model.load_state_dict(ckpt["model_state"])
        if ckpt.get("optimizer") is not None:
            self.optimizer.load_state_dict(ckpt["optimizer"])
        if ckpt.get("history") is not None:
            self.history = History.from_dict(ckpt["history"])
        saved = ckpt.get("callbacks") or {}
        for i, cb in enumerate(self.callbacks):
            state = saved.get(self._callback_key(i, cb))
            if state is not None:
                cb.load_state_dict(state)
        if ckpt.get("rng_state") is not None:
            _random.set_rng_state(ckpt["rng_state"])
        if ckpt.get("shuffle_rng_state") is not None and self.shuffle_rng is not None:
            self.shuffle_rng.bit_generator.state = ckpt["shuffle_rng_state"]
        if ckpt.get("loader_epoch") is not None and hasattr(loader, "set_epoch"):
            loader.set_epoch(ckpt["loader_epoch"])
        return int(ckpt["epoch"])

    # ------------------------------------------------------------ fit
    def fit(self, train_data: Data, epochs: int = 1, batch_size: int | None = 32, val_data: Data | None = None,
            shuffle: bool = True, seed: int | None = None, initial_epoch: int = 0,
            resume_from: str | os.PathLike[str] | None = None, validation_split: float = 0.0) -> History:
        """Train for epochs ``initial_epoch .. epochs − 1``; see :func:`fit`. Returns the History."""
        tune_malloc()   # the loop is ours: keep freed memory for the next step (backend/memory.py)
        dtype = _model_dtype(self.model)
        _loss_follows(self.loss_fn, model_device(self.model))
        if validation_split:
            train_data, held_out = _split_last(train_data, validation_split)
            val_data = held_out if val_data is None else val_data   # Keras: val_data overrides the split
        train = self._train = _source(train_data, batch_size, dtype, "train")
        val = None
        if val_data is not None:
            val = _source(val_data, max(batch_size or 0, 256) if isinstance(train, _Arrays) else batch_size,
                          dtype, "val")
        if seed is not None:
            if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
                raise ValueError(f"fit: seed must be a non-negative integer or None, got {seed!r}")
            self.shuffle_rng = np.random.default_rng(int(seed))  # type: ignore[assignment]
        elif self.shuffle_rng is None:
            self.shuffle_rng = np.random.default_rng(int(_random.generator().integers(2 ** 63)))  # type: ignore[assignment]
        if resume_from is not None:
            initial_epoch = self._resume(resume_from, train_data)
        if isinstance(initial_epoch, bool) or not isinstance(initial_epoch, (int, np.integer)) or initial_epoch < 0:
            raise ValueError(f"fit: initial_epoch must be a non-negative integer, got {initial_epoch!r}")
        if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
            raise ValueError(f"fit: epochs must be a non-negative integer, got {epochs!r}")
        self.history.params = {"epochs": int(epochs), "batch_size": getattr(train, "batch_size", None),
                               "steps": _safe_len(train), "samples": getattr(train, "n", None)}
        self.stop_training = False
        self.completed_epochs = int(initial_epoch)
        self._loss_alarm = LossAlarm()  # the first batch's loss sets it

        for cb in self.callbacks:
            cb.on_train_begin({})
        for epoch in range(int(initial_epoch), int(epochs)):
            self.epoch = epoch
            for cb in self.callbacks:
                cb.on_epoch_begin(epoch, {})
            logs = self._train_epoch(train, epoch, epochs, self.shuffle_rng if shuffle else None, val)
            self.completed_epochs = epoch + 1
            self.history.record(epoch, logs)
            for cb in self.callbacks:
                cb.on_epoch_end(epoch, logs)
            if getattr(self.model, "stop_training", False):  # Keras's spelling works too
                self.model.stop_training = False
                self.stop_training = True
            if self.stop_training:
                break
        for cb in self.callbacks:
            cb.on_train_end({})
        return self.history

    def _train_epoch(self, train, epoch, epochs, rng, val):
        model, loss_fn, optimizer, metrics = self.model, self.loss_fn, self.optimizer, self.metrics
        batch_callbacks = [cb for cb in self.callbacks  # only those that do something per batch
                           if getattr(cb.on_batch_end, "__func__", None) is not Callback.on_batch_end]
        bar = self._progress_bar(train, epoch, epochs)
        _set_mode(model, True)
        for m in metrics:
            m.reset()
        total, seen = 0.0, 0
        lr = optimizer.param_groups[0]["lr"]  # the rate the epoch starts with (per-batch schedules move it)
        start = last_shown = time.perf_counter()
        # the state to put back if the weights become non-finite (an update can overflow while its loss is
        # finite; the next loss is then nan): one copy per epoch, not per batch
        start_state = (model.state_dict(), optimizer.state_dict())
        where = model_device(model)   # batches go there (the compiled step moves them by itself)
        for i, (xb, yb) in enumerate(train.batches(rng)):
            try:
                if self._compiled is not None:
                    value, out_data = self._compiled(xb, yb)
                else:
                    if where is CPU:
                        out = model(Tensor(xb, dtype=xb.dtype))
                        loss = loss_fn(out, Tensor(yb, dtype=yb.dtype))  # a nan/inf loss raises here, before backward
                    else:
                        out = model(batch_tensor(xb, where))
                        loss = loss_fn(out, batch_tensor(yb, where))
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                    value, out_data = float(loss.data), out.data
                if where is not CPU:
                    out_data = host(out_data)   # metrics count on the CPU
            except NonFiniteLossError as err:
                raise diverged(self, err, epoch, i, xb, yb, start_state, bar) from None
            if not value < self._loss_alarm.threshold:  # also catches nan and inf from a loss without the check
                if not math.isfinite(value):
                    raise diverged(self, f"the loss is {value}", epoch, i, xb, yb, start_state, bar)
                self._loss_alarm.ring(value, epoch, i, optimizer)

            b = xb.shape[0]
            total += value * b
            seen += b
            for m in metrics:
                m.update(out_data, yb)
            for cb in batch_callbacks:
                cb.on_batch_end(i, {"batch": i, "size": b, "loss": value})
            if bar is not None:
                bar.update(1)
                now = time.perf_counter()
                if now - last_shown > 0.2:
                    last_shown = now
                    bar.set_postfix_str(f"loss={total / seen:.4f}, {seen / (now - start):.0f} samples/s",
                                        refresh=False)
        train_time = time.perf_counter() - start
        if seen == 0:
            raise ValueError("fit: the training data yielded no batches")

        logs = {"loss": total / seen}
        logs.update(metric_logs(metrics))
        if val is not None:
            for key, value in _run_eval(model, loss_fn, val, metrics).items():
                logs["val_" + key] = value
        logs["lr"] = lr
        logs["time"] = time.perf_counter() - start
        logs["samples_per_sec"] = seen / train_time if train_time > 0 else float("inf")
        if bar is not None:
            bar.close()  # the bar leaves no line: the epoch's line below says everything, on as many rows as
            #              it takes (a bar's postfix is cut at the terminal's width, validation metrics first)
        if self.verbose:
            print(f"Epoch {epoch + 1}/{epochs} - {_summary(logs)}", flush=True)
        return logs

    def _progress_bar(self, train, epoch, epochs):
        if not (self.verbose is True or self.verbose == 2) or not _is_terminal(sys.stdout):
            return None  # not a terminal: bars would fill a log with carriage returns, so one line per epoch
        from tqdm.auto import tqdm

        return tqdm(total=_safe_len(train), desc=f"Epoch {epoch + 1}/{epochs}", unit="batch", leave=False,
                    dynamic_ncols=True, file=sys.stdout)

    def evaluate(self, data: Data, batch_size: int = 256) -> dict[str, float]:
        """Loss and metrics on ``data`` (see :func:`evaluate`)."""
        return _run_eval(self.model, self.loss_fn, _source(data, batch_size, _model_dtype(self.model), "evaluate"),
                         self.metrics)

    def predict(self, X: TensorLike, batch_size: int = 256) -> NDArray[Any]:
        """The model's outputs for ``X`` (see :func:`predict`)."""
        return predict(self.model, X, batch_size)


def _is_terminal(stream):
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def _safe_len(source):
    try:
        return len(source)
    except TypeError:
        return None


def _summary(logs):
    parts = [f"{logs['time']:.1f}s"]
    for key, value in logs.items():
        if key in ("time", "samples_per_sec"):
            continue
        if isinstance(value, float):
            parts.append(f"{key}: {value:.4g}" if key == "lr" else f"{key}: {value:.4f}")
    parts.append(f"{logs['samples_per_sec']:.0f} samples/s")
    return " - ".join(parts)


def fit(model: Module, loss_fn: str | LossFn, optimizer: str | Optimizer, train_data: Data, epochs: int = 1,
        batch_size: int | None = 32, val_data: Data | None = None, metrics: Sequence[str | Any] = ("accuracy",),
        callbacks: Sequence[Callback] = (), verbose: bool | int = True, shuffle: bool = True, seed: int | None = None,
        initial_epoch: int = 0, resume_from: str | os.PathLike[str] | None = None, run_eagerly: bool | None = None,
        validation_split: float = 0.0, device: str | Device | int | None = None) -> History:
    """Train ``model`` by mini-batch gradient descent and return the per-epoch :class:`History`.

    Parameters
    ----------
    model : Module
    loss_fn : callable or str
        ``loss_fn(output, target)`` returning the mean loss of the batch as a scalar Tensor, or a name as
        Keras takes it: ``"sparse_categorical_crossentropy"``, ``"bce"``, ``"mse"``, ...
        (:mod:`tensorgate.training.names`; an unknown name is an error listing them).
    optimizer : Optimizer or str
        Built on ``model.parameters()``, or a name (``"adam"``, ``"adamw"``, ``"sgd"``, ``"rmsprop"``) for
        that optimiser with Keras's default settings.
    train_data : (X, y) or iterable of (x, y) batches
        Arrays or Tensors (floating X is converted once to the model's dtype; integer labels to int64),
        or a :class:`tensorgate.data.DataLoader` (which then decides batch size and shuffling).
    epochs : int, default 1
        The index to stop before: epochs ``initial_epoch .. epochs − 1`` are run.
    batch_size : int or None, default 32
        1 = stochastic, ``len(X)`` or None = full-batch, between = mini-batch gradient descent.
    val_data : (X, y) or iterable, optional
        Evaluated after every epoch (eval mode, no graph): logged as ``val_loss``, ``val_<metric>``.
    validation_split : float in [0, 1), default 0
        As in Keras: hold out the last ``validation_split`` of the rows of (X, y) (taken before shuffling;
        the first ⌊n(1 − split)⌋ rows train) and use them as ``val_data``. ``val_data``, if given, wins.
        Arrays only.
    metrics : sequence, default ("accuracy",)
        ``"accuracy"`` and/or streaming metric objects (``name``, ``reset()``, ``update(preds, target)``,
        ``compute()``), e.g. from :mod:`tensorgate.metrics`; they receive the raw outputs and targets.
        ``"accuracy"`` follows the loss's declared kind (:mod:`tensorgate.training.metrics`): argmax for
        cross-entropy, ``score ≥ 0`` for one logit; with several sigmoid outputs (multi-label targets) it
        logs ``binary_accuracy`` (per label, as Keras) and ``subset_accuracy`` (every label right, as
        scikit-learn's ``accuracy_score``).
    callbacks : sequence of Callback
        :class:`EarlyStopping`, :class:`ModelCheckpoint`, :class:`LearningRateScheduler`, ...
    verbose : bool or int, default True
        True/2: a tqdm bar per epoch (loss, samples/s) on a terminal, then one line with every metric;
        one line per epoch when standard output is not a terminal; 1: one line per epoch; False/0: silent.
    shuffle : bool, default True
        Visit the examples of (X, y) in a new random order every epoch.
    seed : int, optional
        Seeds the shuffling order; same seed (and same ``tg.manual_seed`` for initialisation and
        dropout) → the same history and weights.
    initial_epoch : int, default 0
        Start counting epochs here (to continue an earlier run).
    resume_from : str or os.PathLike, optional
        A checkpoint written by :class:`ModelCheckpoint`: restores the model's weights, the optimiser,
        the history, the callbacks' states and both random generators, then continues from the epoch
        after the saved one. The result is bit-for-bit that of a run that was never interrupted.
    run_eagerly : bool or None, default None
        As in Keras. None: a model of tensorgate's own layers, with a tensorgate loss, has each batch
        shape's step recorded once and replayed (:class:`~tensorgate.training.CompiledStep`: the same
        numbers, less Python per batch; it stays eager by itself for hooks, and replays Dropout and
        BatchNorm in training too); a model with a Module subclass of your own runs eagerly, so its forward runs every
        batch. False: replay your modules too (their Python runs once per batch shape). True: always eager.
    device : str or device, optional
        Move the model there first (``model.to(device)``, in place): ``'cuda'``, ``'cuda:1'``, ``'cpu'``.
        Without it the model stays where it is. Either way the data stays in CPU memory and each batch is
        moved to the model's device, and so are a loss module's buffers (class weights); metrics are
        computed on host copies of the outputs.

    Returns
    -------
    History
        ``history.history["loss"]``, ``["accuracy"]``, ``["val_loss"]``, ``["val_accuracy"]``, ``["lr"]``,
        ``["time"]``, ``["samples_per_sec"]``, one entry per epoch; ``history.epoch``.

    Shape
    -----
    X: (m, n_x) (or (m, ...) as the model expects), y: (m,) class indices or (m, K)/(m, 1) targets; each
    batch: (b, ...) with b = batch_size (the last may be smaller).

    Examples
    --------
    >>> import numpy as np, tensorgate as tg
    >>> from tensorgate import nn, optim
    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32); y = np.array([0, 1, 1, 0])   # XOR
    >>> _ = tg.manual_seed(0)
    >>> model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
    >>> opt = optim.Adam(model.parameters(), lr=0.05)
    >>> h = fit(model, nn.CrossEntropyLoss(), opt, (X, y), epochs=300, batch_size=4, verbose=False, seed=0)
    >>> h.history["accuracy"][-1]
    1.0
    """
    trainer = Trainer(model, loss_fn, optimizer, metrics=metrics, callbacks=callbacks, verbose=verbose,
                      run_eagerly=run_eagerly, device=device)
    return trainer.fit(train_data, epochs=epochs, batch_size=batch_size, val_data=val_data, shuffle=shuffle,
                       seed=seed, initial_epoch=initial_epoch, resume_from=resume_from,
                       validation_split=validation_split)
