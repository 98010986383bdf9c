"""Ring all-reduce: N workers sum a vector so that every one ends with the same total, each sending and
receiving 2(N − 1) chunks of 1/N of the vector (Patarasuk and Yuan, 2009; Baidu's and Horovod's scheme).

The vector is cut into N chunks. Worker k sends to worker k + 1 (mod N) and receives from worker k − 1:

* reduce-scatter, steps s = 0 .. N − 2: worker k sends chunk (k − s) and adds the chunk it receives,
  (k − 1 − s), to its own. After N − 1 steps worker k holds the complete sum of chunk (k + 1).
* all-gather, steps s = 0 .. N − 2: worker k sends chunk (k + 1 − s) and replaces its chunk (k − s) with
  the one it receives.

Each chunk's sum is computed once, on one worker, and then copied: every worker ends with bit-identical
totals, so their optimisers take identical steps. Steps are numbered t = 0 .. 2N − 3 across both phases.
This module is the arithmetic alone (NumPy); :mod:`.group` moves the chunks between Ray actors.
"""
import numpy as np

__all__ = ["Ring"]


class Ring:
    """Worker ``rank``'s side of a ring all-reduce over ``world`` workers of the flat vector ``values``.

    Shape: values (n,), any n ≥ 0; chunks (about n / world,).
    """

    def __init__(self, rank, world, values):
        self.rank, self.world = int(rank), int(world)
        self.values = values
        self.bounds = np.linspace(0, len(values), self.world + 1).round().astype(np.int64)
        self.steps = 2 * (self.world - 1)

    def chunk(self, i):
        i %= self.world
        return self.values[self.bounds[i]:self.bounds[i + 1]]

    def outgoing(self, t):
        """The chunk this worker sends at step t (a copy: the receiver may be this process), None after the last."""
        if t >= self.steps:
            return None
        n1 = self.world - 1
        index = self.rank - t if t < n1 else self.rank + 1 - (t - n1)
        return self.chunk(index).copy()

    def receive(self, t, incoming):
        """Take the chunk sent at step t by worker rank − 1: add it (reduce-scatter) or keep it (all-gather)."""
        n1 = self.world - 1
        if t < n1:
            mine = self.chunk(self.rank - 1 - t)
            mine += incoming
        else:
            mine = self.chunk(self.rank - (t - n1))
            mine[...] = incoming


def all_reduce_locally(vectors):
    """Every worker's result of a ring all-reduce of ``vectors`` (one per worker), run in one process.

    What the Ray actors compute, without Ray: for tests and for reading. Shape: each (n,); result the same.
    """
    world = len(vectors)
    rings = [Ring(k, world, np.array(v, copy=True)) for k, v in enumerate(vectors)]
    for t in range(2 * (world - 1)):
        sent = [r.outgoing(t) for r in rings]
        for k, r in enumerate(rings):
            r.receive(t, sent[(k - 1) % world])
    return [r.values for r in rings]
