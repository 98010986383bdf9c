"""One data-parallel worker: a copy of the model, loss and optimiser that computes gradients on its slice of
each global batch with the ordinary (eager) engine, takes part in the ring all-reduce, and steps its
optimiser with the averaged gradients. :mod:`.group` runs one per Ray actor.

What travels in the all-reduce, as one flat vector per worker (weight w = b_k / B, the worker's share of
the global batch of B examples, so the weighted sum is the gradient of the global batch's mean loss):

    [ w·∂L_k/∂p for every parameter p | one flag per parameter (1 if it got a gradient) | w·buffer ]

where the buffers are the floating ones (BatchNorm's running mean and variance): after the forward each
worker's running mean is (1 − m)·r + m·μ_k, so their weighted mean is (1 − m)·r + m·μ with μ the mean
over the global batch, as single-process training has it.
"""
import pickle

import numpy as np

from ..autograd import Tensor
from ..backend.random import manual_seed
from .ring import Ring

__all__ = ["GradientWorker"]


class GradientWorker:
    """Worker ``rank`` of ``world``: ``replica`` is the pickled (model, loss_fn, optimizer) triple it trains.

    Shape: x (b_k, ...), y (b_k, ...) its slice of the global batch; outputs (b_k, ...).
    """

    def __init__(self, rank, world, replica, threads=1, seed=None):
        if threads:
            from threadpoolctl import threadpool_limits

            threadpool_limits(limits=int(threads))   # one BLAS pool per worker, no oversubscription
        self.rank, self.world = int(rank), int(world)
        # unpickled here, not by Ray: Ray's zero-copy arrays are read-only, and the optimiser writes in place
        self.model, self.loss_fn, self.optimizer = pickle.loads(replica)
        self.params = list(self.model.parameters())
        self.buffers = [b for _, b in self.model.named_buffers() if b.data.dtype.kind == "f"]
        arrays = [p.data for p in self.params] + [b.data for b in self.buffers]
        self.dtype = np.result_type(*arrays) if arrays else np.dtype(np.float32)
        # one flat vector, allocated once, with a view per parameter, flag and buffer: what the ring sums
        sizes = [p.data.size for p in self.params] + [len(self.params)] + [b.data.size for b in self.buffers]
        self.flat = np.zeros(sum(sizes), self.dtype)
        ends = np.cumsum(sizes)
        pieces = [self.flat[end - size:end] for size, end in zip(sizes, ends)]
        self.grad_views = pieces[:len(self.params)]
        self.flags = pieces[len(self.params)]
        self.buffer_views = pieces[len(self.params) + 1:]
        self.ring = None
        if seed is not None:
            manual_seed(int(seed) + self.rank)   # dropout masks differ between workers (as in PyTorch's DDP)

    def pid(self):
        import os

        return os.getpid()

    # ------------------------------------------------------------ state, pushed and pulled by the driver
    def load(self, state):
        model_state, optimizer_state = state
        self.model.load_state_dict(model_state)
        self.optimizer.load_state_dict(optimizer_state)

    def state(self):
        return self.model.state_dict(), self.optimizer.state_dict()

    def hold(self, X, y):
        """Keep the training arrays (read-only, shared through Ray's object store): batches come as row numbers."""
        self.X, self.y = X, y

    # ------------------------------------------------------------ one step: compute, ring, finish
    def compute(self, x, y, weight, rows=None):
        """Forward and backward on this worker's slice; returns ((weighted loss, outputs), first chunk).

        The slice is (x, y), or ``rows`` of the held arrays. An empty slice (a last batch smaller than the
        number of workers) contributes nothing.
        """
        if rows is not None:
            x, y = self.X[rows], self.y[rows]
        if not self.model.training:
            self.model.train()
        self.optimizer.zero_grad()
        loss_value, out = 0.0, None
        if len(x):
            output = self.model(Tensor(x, dtype=x.dtype))
            loss = self.loss_fn(output, Tensor(y, dtype=y.dtype))  # a nan/inf loss raises here, as in fit
            loss.backward()
            loss_value, out = float(loss.data) * weight, output.data
        for i, (p, view) in enumerate(zip(self.params, self.grad_views)):
            has = p._grad is not None
            self.flags[i] = has
            if has:
                np.multiply(p._grad.reshape(-1), weight, out=view)
            else:
                view.fill(0)
        for b, view in zip(self.buffers, self.buffer_views):
            np.multiply(b.data.reshape(-1), weight, out=view)
        self.ring = Ring(self.rank, self.world, self.flat)
        return (loss_value, out), self.ring.outgoing(0)

    def pass_on(self, t, incoming):
        """Ring step t: take the chunk from the previous worker; return the chunk for step t + 1."""
        self.ring.receive(t, incoming)
        return self.ring.outgoing(t + 1)

    def finish(self, t, incoming, groups):
        """The last ring step (if any), then the optimiser's step with the summed gradients.

        ``groups`` are the driver's parameter-group options (lr, momentum, ...): a learning-rate schedule
        that runs on the driver reaches every worker before its step.
        """
        if incoming is not None:
            self.ring.receive(t, incoming)
        for p, view, flag in zip(self.params, self.grad_views, self.flags):
            # a parameter no worker reached is skipped, as in fit. The gradient is a view of the flat vector:
            # the next compute sets every grad to None before it writes there
            p._grad = view.reshape(p.data.shape).astype(p.data.dtype, copy=False) if flag > 0 else None
        for b, view in zip(self.buffers, self.buffer_views):
            b.data[...] = view.reshape(b.data.shape)
        for group, options in zip(self.optimizer.param_groups, groups):
            group.update(options)
        self.optimizer.step()
        self.ring = None
        return True
