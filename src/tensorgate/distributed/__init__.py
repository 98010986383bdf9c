"""tensorgate.distributed: data-parallel training and hyperparameter sweeps on Ray (an optional extra,
``pip install 'tensorgate[ray]'``).

* :func:`fit`: :func:`tensorgate.fit` with each batch split across N Ray actors and the gradients summed by
  a ring all-reduce between them (:mod:`.ring`, :mod:`.group`);
* :func:`run_trials`: many trainings under Ray Tune (grid or random search, ASHA), as ``tensorgate sweep``
  runs them;
* :func:`connect`: start a local Ray or join a cluster.

Importing this package does not import Ray; using it without Ray raises :class:`RayNotInstalled` saying how
to install it.
"""
from .group import WorkerDied, WorkerGroup
from .ray_setup import INSTALL_HINT, RayNotInstalled, connect, require_ray
from .ring import Ring, all_reduce_locally
from .trainer import DataParallelTrainer, fit

__all__ = ["fit", "DataParallelTrainer", "WorkerGroup", "WorkerDied", "Ring", "all_reduce_locally", "connect",
           "require_ray", "RayNotInstalled", "INSTALL_HINT"]
