"""When training diverges: stop at the first non-finite loss, keep or restore finite weights, say where.

A loss gate raises :class:`~tensorgate.functional.loss.NonFiniteLossError` in its forward, before any
backward or update, so the weights are still those that produced the bad loss. They may already be
non-finite if an earlier step's gradient overflowed while its loss was finite; then :class:`Trainer`
puts back the state it kept at the start of the epoch. :func:`locate_non_finite` reruns the batch eagerly
and names the first layer (in execution order) whose output holds nan or inf, so the error points at the
network, not at an index into a shuffled batch.

A loss that explodes without becoming inf (1e20) gets one :class:`LossGrowthWarning` per ``fit``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import math
import warnings

import numpy as np

from ..autograd import Tensor, no_grad
from ..backend import devices as D
from ..backend import random as _random
from .placement import CPU, batch_tensor, host, model_device

if TYPE_CHECKING:
    from typing import Callable

    from ..autograd.tensor import TensorLike
    from ..nn.module import Module
    from ..optim.optimizer import Optimizer
    from .history import History
    from .loop import Trainer

__all__ = ["TrainingDiverged", "LossGrowthWarning", "LossAlarm", "diverged", "locate_non_finite", "GROWTH_FACTOR"]

#: Warn when a batch's loss exceeds the first batch's by this factor (orders of magnitude, not noise).
GROWTH_FACTOR = 1e3


class TrainingDiverged(ValueError):
    """Training met a nan or inf loss and stopped.

    Attributes: ``epoch`` and ``batch`` (0-based) where it happened, ``where`` (the first layer whose
    output was non-finite, or what else was), ``history`` (the epochs completed before), ``restored``
    (True when the weights were put back to the start of the epoch because they had become non-finite).

    Shape: not applicable.
    """

    def __init__(self, message: str, epoch: int, batch: int, where: str, history: History, restored: bool):
        super().__init__(message)
        self.epoch, self.batch, self.where, self.history, self.restored = epoch, batch, where, history, restored

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready diagnosis. Shape: not applicable."""
        return {"error": str(self), "epoch": self.epoch + 1, "batch": self.batch, "where": self.where,
                "weights_restored_to_epoch_start": self.restored}


class LossGrowthWarning(RuntimeWarning):
    """The training loss grew by orders of magnitude: the learning rate is probably too high.

    Shape: not applicable.
    """


def _finite(array):
    array = array.data if isinstance(array, Tensor) else array
    array = array if array.__class__ is np.ndarray else host(array) if D.is_array(array) else np.asarray(array)
    return array.dtype.kind != "f" or bool(np.isfinite(array).all())


def non_finite_parameters(model: Module) -> list[str]:
    """Names of the parameters holding nan or inf. Shape: not applicable."""
    return [name for name, p in model.named_parameters() if not _finite(p.data)]


def locate_non_finite(model: Module, loss_fn: Callable[[Tensor, Tensor], Tensor], x: TensorLike, y: TensorLike) -> str:
    """Where the first non-finite value appears when ``model`` and ``loss_fn`` run on the batch (x, y).

    Returns a phrase: a parameter, the input batch, the first layer (in execution order) whose output
    holds nan or inf, or the loss itself. The model's state and the random generators are left as they
    were (the batch is rerun eagerly, without a graph).

    Shape: x (m, ...), y as the loss takes it.
    """
    bad = non_finite_parameters(model)
    if bad:
        return f"parameter {bad[0]!r} (already nan or inf before this batch)"
    if not _finite(x):
        return "the input batch (it holds nan or inf)"
    first = []  # type: ignore[var-annotated]

    def watch(name):
        def hook(module, inputs, output):
            if not first and isinstance(output, (Tensor, np.ndarray)) and not _finite(output):
                first.append(f"the output of layer {name!r} ({type(module).__name__})")
        return hook

    handles = [m.register_forward_hook(watch(name)) for name, m in model.named_modules() if name]
    state, rng = model.state_dict(), _random.get_rng_state()  # BatchNorm counts, Dropout draws: undo both
    where = model_device(model)
    try:
        with no_grad():
            out = model(Tensor(x, dtype=x.dtype) if where is CPU else batch_tensor(x, where))  # type: ignore[union-attr]
            if not first and not _finite(out):
                first.append(f"the output of the model ({type(model).__name__})")
            if not first:
                try:
                    loss_fn(out, Tensor(y, dtype=y.dtype) if where is CPU else batch_tensor(y, where))  # type: ignore[union-attr]
                except ValueError:
                    pass
                first.append(f"the loss ({type(loss_fn).__name__}): every layer's output is finite, the loss "
                             "overflowed")
    finally:
        for handle in handles:
            handle.remove()
        model.load_state_dict(state)
        _random.set_rng_state(rng)
    return first[0]


class LossAlarm:
    """Warns once when a batch's loss exceeds the first batch's by :data:`GROWTH_FACTOR`.

    The training loop compares each loss with ``threshold`` (one float comparison per batch) and calls
    :meth:`ring` when it is not below: the first batch sets the threshold, a later one warns and disarms.
    """

    def __init__(self):
        self.first = None
        self.threshold = -math.inf

    def ring(self, value: float, epoch: int, batch: int, optimizer: Optimizer) -> None:
        if self.first is None:
            self.first = value
            self.threshold = GROWTH_FACTOR * max(value, 1e-3)
            return
        warnings.warn(f"fit: the loss grew from {self.first:.3g} (first batch) to {value:.3g} at epoch "
                      f"{epoch + 1}, batch {batch}, more than {GROWTH_FACTOR:.0e} times: the learning rate "
                      f"(lr={optimizer.param_groups[0]['lr']:.3g}) is probably too high",
                      LossGrowthWarning, stacklevel=5)  # the caller of tg.fit
        self.threshold = math.inf


def diverged(trainer: Trainer, cause: BaseException | str, epoch: int, batch: int, xb: TensorLike, yb: TensorLike,
             start_state: Any, bar: Any = None) -> TrainingDiverged:
    """The :class:`TrainingDiverged` error for a nan/inf loss at (epoch, batch) of ``trainer``'s run.

    Finds where the first non-finite value appeared, and puts back ``start_state`` (the model's and the
    optimiser's state at the start of the epoch) if the weights are no longer finite.

    Shape: xb, yb the batch.
    """
    if bar is not None:
        bar.close()
    model, optimizer = trainer.model, trainer.optimizer
    where = locate_non_finite(model, trainer.loss_fn, xb, yb)
    restored = bool(non_finite_parameters(model))
    if restored:
        model.load_state_dict(start_state[0])
        optimizer.load_state_dict(start_state[1])
    kept = ("the weights became non-finite and were restored to the start of the epoch" if restored
            else "the weights are those before this batch")
    return TrainingDiverged(f"fit: training diverged at epoch {epoch + 1}, batch {batch}: {cause}; the first "
                            f"nan or inf appeared in {where}; {kept}. Try a lower learning rate "
                            f"(lr={optimizer.param_groups[0]['lr']:.3g}) or gradient clipping",
                            epoch, batch, where, trainer.history, restored)
