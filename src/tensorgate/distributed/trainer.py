"""``tg.distributed.fit``: :func:`tensorgate.training.fit` with each batch split across N Ray workers.

The driver keeps everything :class:`~tensorgate.training.Trainer` does (the shuffling, the history, the
callbacks, validation, checkpoints, divergence checks) and hands each batch to a :class:`WorkerGroup`
instead of a local step. The driver's model is brought in sync with the workers at the end of every epoch
(before validation and the epoch's callbacks) and sent back to them at the start of the next, so a
callback or a ``ModelCheckpoint`` sees exactly what the workers train.
"""
import numpy as np

from ..functional.loss import NonFiniteLossError
from ..training import Trainer
from .group import WorkerDied, WorkerGroup

__all__ = ["DataParallelTrainer", "fit"]


class _RecordingRng:
    """The epoch's shuffling generator, passed through, keeping the permutation the batches are cut from."""

    def __init__(self, rng):
        self.rng, self.order = rng, None

    def permutation(self, n):
        self.order = self.rng.permutation(n)
        return self.order

    def __getattr__(self, name):
        return getattr(self.rng, name)


class _InSync:
    """A batch source whose epochs start by pushing the driver's state to the workers and end by pulling it.

    Arrays (X, y) are sent to the workers once (Ray's object store; one shared copy per machine); each batch
    then travels as its row numbers, found from the epoch's permutation and checked against the batch's
    labels (anything else, a DataLoader's batches, travels as the batch itself).
    """

    def __init__(self, source, trainer, epoch):
        self.source, self.trainer, self.epoch = source, trainer, epoch

    def __len__(self):
        return len(self.source)

    def __getattr__(self, name):   # batch_size, n, data: what the Trainer reads from a source
        return getattr(self.source, name)

    def batches(self, rng=None):
        group, model = self.trainer.group, self.trainer.model
        group.push(model)
        shared = group.share(self.source)
        recorder = _RecordingRng(rng) if shared and rng is not None else rng
        start = 0
        for i, (xb, yb) in enumerate(self.source.batches(recorder)):
            rows = None
            if shared:
                order = recorder.order if rng is not None else None
                rows = order[start:start + len(yb)] if order is not None else np.arange(start, start + len(yb))
                start += len(yb)
                if len(rows) != len(yb) or not np.array_equal(self.source.y[rows], yb):
                    rows = None   # not the rows this batch holds: send the batch itself
            group.where, group.rows = (self.epoch, i), rows
            yield xb, yb
        group.rows = None
        group.pull(model)   # before validation and the callbacks of the epoch


class DataParallelTrainer(Trainer):
    """A :class:`~tensorgate.training.Trainer` whose steps run on ``workers`` Ray actors (see :func:`fit`).

    ``trainer.group.workers`` are the actors; :meth:`shutdown` ends them. Shape: see :func:`fit`.
    """

    def __init__(self, model, loss_fn, optimizer, workers=2, metrics=("accuracy",), callbacks=(), verbose=True,
                 threads_per_worker=1, seed=None):
        super().__init__(model, loss_fn, optimizer, metrics=metrics, callbacks=callbacks, verbose=verbose,
                         run_eagerly=True)
        self.group = WorkerGroup(self.model, self.loss_fn, self.optimizer, workers, threads_per_worker, seed)
        self._compiled = self._step   # the Trainer's loop calls it for every batch

    def _step(self, xb, yb):
        try:
            return self.group(xb, yb)
        except NonFiniteLossError:
            self.group.pull(self.model)   # the weights before this batch, for the divergence report
            raise
        except WorkerDied as err:
            raise WorkerDied(f"{err}{self._checkpoint_note()}", err.rank, err.epoch, err.batch) from None

    def _checkpoint_note(self):
        saved = [cb.last_saved for cb in self.callbacks if getattr(cb, "last_saved", None)]
        if not saved:
            return "; no checkpoint was written (give a ModelCheckpoint callback to keep one per epoch)"
        return (f"; the last checkpoint, {saved[-1]}, is complete: fit(..., resume_from={saved[-1]!r}) "
                "continues from it")

    def _train_epoch(self, train, epoch, epochs, rng, val):
        return super()._train_epoch(_InSync(train, self, epoch), epoch, epochs, rng, val)

    def shutdown(self):
        self.group.shutdown()


def fit(model, loss_fn, optimizer, train_data, epochs=1, batch_size=32, val_data=None, metrics=("accuracy",),
        callbacks=(), verbose=True, shuffle=True, seed=None, initial_epoch=0, resume_from=None, run_eagerly=None,
        validation_split=0.0, workers=2, threads_per_worker=1):
    """:func:`tensorgate.fit` data-parallel: every batch split across ``workers`` Ray actors.

    Each worker holds a copy of the model, loss and optimiser and computes the gradient of its contiguous
    slice of the global batch (about ``batch_size / workers`` rows) with the ordinary engine; a ring
    all-reduce between the workers sums the slices' gradients, each weighted by its share of the batch, so
    every worker holds the gradient of the global batch's mean loss; each steps its optimiser identically.
    BatchNorm's running statistics are averaged the same way after every step.

    The result equals :func:`tensorgate.fit` with the same arguments up to float round-off (the sums are
    grouped differently), with two documented differences, as in PyTorch's DistributedDataParallel:
    BatchNorm normalises each slice with the slice's own batch statistics (its running statistics are the
    global ones), and each worker draws its own dropout masks.

    Ray is started locally (all CPUs) unless it was initialised already (``ray.init(address=...)`` to use
    a cluster; :func:`tensorgate.distributed.connect`). The actors are ended when ``fit`` returns.

    Parameters
    ----------
    model, loss_fn, optimizer, train_data, epochs, batch_size, val_data, metrics, callbacks, verbose, shuffle,
    seed, initial_epoch, resume_from, validation_split
        As in :func:`tensorgate.fit`; callbacks, validation and checkpoints run on the driver.
    run_eagerly : ignored
        Accepted for the same signature: the workers always run the eager engine (their step is split in
        two around the all-reduce, which a recorded step cannot be); the numbers are the same.
    workers : int, default 2
        The number of Ray actors, each taking one CPU of the cluster.
    threads_per_worker : int or None, default 1
        BLAS threads in each worker (None: leave BLAS's own choice).

    Returns
    -------
    History

    Raises
    ------
    WorkerDied
        A worker's process died: the message says which, where, and names the last checkpoint (written
        atomically by a ``ModelCheckpoint`` callback, so it is complete and loadable).
    RayNotInstalled
        Ray is missing: ``pip install 'tensorgate[ray]'``.

    Shape
    -----
    As :func:`tensorgate.fit`: X (m, ...), y (m,) or (m, K); each batch (b, ...) is split into ``workers``
    slices of ⌊b / workers⌋ or ⌈b / workers⌉ rows (a slice may be empty when b < workers).
    """
    from .ray_setup import connect

    connect()
    trainer = DataParallelTrainer(model, loss_fn, optimizer, workers=workers, metrics=metrics, callbacks=callbacks,
                                  verbose=verbose, threads_per_worker=threads_per_worker, seed=seed)
    try:
        return trainer.fit(train_data, epochs=epochs, batch_size=batch_size, val_data=val_data, shuffle=shuffle,
                           seed=seed, initial_epoch=initial_epoch, resume_from=resume_from,
                           validation_split=validation_split)
    finally:
        trainer.shutdown()
