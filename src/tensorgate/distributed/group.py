"""N Ray actors that train one model data-parallel: the driver hands each its slice of every global batch
and schedules the ring all-reduce; the gradients move between the actors, never through the driver's
arithmetic.

Per step the driver submits, for every worker k (Ray runs one caller's calls on an actor in order, so
nothing waits on the driver):

    compute(x_k, y_k, w_k)  → (loss, outputs), chunk₀        forward and backward on the slice
    pass_on(t, chunk_t from worker k − 1) → chunk_{t+1}       t = 0 .. 2N − 4
    finish(2N − 3, last chunk from worker k − 1, options)     the optimiser's step

Each chunk is an ObjectRef handed from one actor's call to the next actor's: Ray moves the data from the
producing worker to the consuming one (through its object store for chunks over 100 KiB; smaller ones,
as every small task result in Ray, are returned inline to the driver's process and forwarded from there).
A parameter server would instead gather every gradient on the driver and send the parameters back: twice
the model per worker through one process. The driver only waits for the losses and outputs (for the
metrics) and for every finish.

Why not ``ray.util.collective``: its CPU backend, gloo, runs through ``torch.distributed`` in current Ray
(through the ``pygloo`` package in older ones), so it would make PyTorch a dependency of a NumPy library;
its other backend, NCCL, needs GPUs. Object references between
actors need nothing beyond Ray, run unchanged on a laptop and a cluster, and a ring sends each worker
2(N − 1)/N of the gradient whatever N is (the bandwidth-optimal amount).
"""
import pickle

import numpy as np

from ..functional.loss import NonFiniteLossError
from .ray_setup import cpus, require_ray
from .worker import GradientWorker

__all__ = ["WorkerGroup", "WorkerDied"]

#: how long the workers may take to start (a busy machine starts a Python process in seconds, a cluster
#: that must add a node in minutes) before fit says why they do not
STARTUP_SECONDS = 300


class WorkerDied(RuntimeError):
    """A data-parallel worker died (its process was killed, its node was lost): training stopped.

    Attributes: ``rank`` (the worker, or None if it could not be told), ``epoch`` and ``batch`` (0-based).
    """

    def __init__(self, message, rank=None, epoch=None, batch=None):
        super().__init__(message)
        self.rank, self.epoch, self.batch = rank, epoch, batch


class WorkerGroup:
    """The actors of one data-parallel run; ``group(xb, yb)`` is one training step → (mean loss, outputs).

    Shape: xb (B, ...), yb (B, ...) the global batch; outputs (B, ...), in the batch's order.
    """

    def __init__(self, model, loss_fn, optimizer, workers, threads=1, seed=None):
        ray = self.ray = require_ray("tensorgate.distributed.fit")
        if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1:
            raise ValueError(f"distributed.fit: workers must be a positive integer, got {workers!r}")
        available = cpus(ray)
        if workers > available:
            raise ValueError(f"distributed.fit: workers={workers} needs {workers} CPUs, but the Ray cluster has "
                             f"{available}; use fewer workers or a larger cluster")
        self.optimizer = optimizer
        self.world = int(workers)
        self.where = (0, 0)
        self.rows, self._shared = None, None   # the rows of the shared arrays that make the current batch
        seed = int(np.random.SeedSequence().entropy % 2**31) if seed is None else int(seed)
        Actor = ray.remote(num_cpus=1, max_restarts=0)(GradientWorker)
        replica = ray.put(pickle.dumps((model, loss_fn, optimizer)))  # tensorgate's modules pickle
        self.workers = [Actor.remote(k, self.world, replica, threads, seed) for k in range(self.world)]
        self._started(ray, available)

    def _started(self, ray, total, timeout=STARTUP_SECONDS):
        """Wait until every actor runs (not in epoch 1's time); a cluster whose CPUs are all taken (another
        run's workers, a sweep's trials) would keep them waiting forever: say so instead."""
        ready, _ = ray.wait([w.pid.remote() for w in self.workers], num_returns=self.world, timeout=timeout)
        if len(ready) < self.world:
            free = int(ray.available_resources().get("CPU", 0))
            self.shutdown()
            raise RuntimeError(f"distributed.fit: only {len(ready)} of {self.world} workers started within "
                               f"{timeout:.0f} s; the Ray cluster has {total} CPUs, {free} of them free (other "
                               "actors or tasks hold the rest)")
        self._get(ready)

    # ------------------------------------------------------------ the driver's copy
    def push(self, model):
        """Every worker takes the driver's weights, buffers and optimiser state (at the start of an epoch)."""
        state = self.ray.put((model.state_dict(), self.optimizer.state_dict()))
        self._get([w.load.remote(state) for w in self.workers])

    def pull(self, model):
        """The driver takes worker 0's state (all are identical): for validation, callbacks, checkpoints."""
        model_state, optimizer_state = self._get(self.workers[0].state.remote())
        model.load_state_dict(model_state)
        # the group options stay the driver's: a schedule may have moved the rate after the last step
        for saved, current in zip(optimizer_state["param_groups"], self.optimizer.param_groups):
            saved.update({k: v for k, v in current.items() if k != "params"})
        self.optimizer.load_state_dict(optimizer_state)

    def share(self, source):
        """Send the arrays of ``source`` (a Trainer's (X, y) source) to every worker once; False for others."""
        X, y = getattr(source, "X", None), getattr(source, "y", None)
        if not (isinstance(X, np.ndarray) and isinstance(y, np.ndarray)):
            return False
        if self._shared is not X:
            refs = self.ray.put(X), self.ray.put(y)
            self._get([w.hold.remote(*refs) for w in self.workers])
            self._shared = X
        return True

    # ------------------------------------------------------------ a step
    def __call__(self, xb, yb):
        B = len(xb)
        bounds = np.linspace(0, B, self.world + 1).round().astype(np.int64)
        groups = [{k: v for k, v in g.items() if k != "params"} for g in self.optimizer.param_groups]
        rows = self.rows
        infos, chunks = [], []
        for k, w in enumerate(self.workers):
            lo, hi = bounds[k], bounds[k + 1]
            data = (None, None, rows[lo:hi]) if rows is not None else (xb[lo:hi], yb[lo:hi], None)
            info, chunk = w.compute.options(num_returns=2).remote(data[0], data[1], (hi - lo) / B, data[2])
            infos.append(info)
            chunks.append(chunk)
        last = 2 * self.world - 3
        for t in range(last):
            chunks = [w.pass_on.remote(t, chunks[k - 1]) for k, w in enumerate(self.workers)]
        done = [w.finish.remote(last, chunks[k - 1] if self.world > 1 else None, groups)
                for k, w in enumerate(self.workers)]
        results = self._get(infos + done)[:self.world]
        value = float(sum(loss for loss, _ in results))
        out = np.concatenate([o for _, o in results if o is not None])
        return value, out

    def _get(self, refs):
        ray = self.ray
        try:
            return ray.get(refs)
        except ray.exceptions.RayTaskError as err:
            cause = getattr(err, "cause", None)
            if isinstance(cause, NonFiniteLossError):
                raise cause from None
            if not isinstance(err, ray.exceptions.RayActorError):
                raise
            raise self._died(err) from None
        except ray.exceptions.RayError as err:   # an actor died, its object was lost, its node went away
            raise self._died(err) from None

    def _died(self, err):
        rank = self.dead_worker()
        who = f"worker {rank} of {self.world}" if rank is not None else f"a worker of {self.world}"
        epoch, batch = self.where
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        return WorkerDied(f"distributed.fit: {who} died during epoch {epoch + 1}, batch {batch} "
                          f"({type(err).__name__}: {first}); training stopped", rank, epoch, batch)

    def dead_worker(self):
        """The rank of the first worker that no longer answers, or None."""
        ray = self.ray
        for k, w in enumerate(self.workers):
            try:
                ray.get(w.pid.remote(), timeout=10)
            except Exception:   # noqa: BLE001 - any failure to answer means it is gone
                return k
        return None

    def pids(self):
        return self.ray.get([w.pid.remote() for w in self.workers])

    def shutdown(self):
        """End every actor (the run is over, or one died)."""
        for w in self.workers:
            try:
                self.ray.kill(w)
            except Exception:   # noqa: BLE001 - already gone
                pass
        self.workers = []
