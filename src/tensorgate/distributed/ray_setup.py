"""Ray, the optional engine under ``tensorgate.distributed``: importing it with a clear message when it is
missing, and starting (or joining) a Ray cluster.

Ray is an optional dependency (``pip install 'tensorgate[ray]'``); nothing else in tensorgate needs it.
"""
import logging
import os
from pathlib import Path

__all__ = ["RayNotInstalled", "require_ray", "connect", "INSTALL_HINT"]

INSTALL_HINT = "pip install 'tensorgate[ray]'"


class RayNotInstalled(ImportError):
    """Ray (with Ray Tune) is not installed; the message says how to get it."""


def require_ray(what="this"):
    """The ``ray`` module, or :class:`RayNotInstalled` naming ``what`` needs it and how to install it."""
    try:
        import ray
        import ray.tune  # noqa: F401  (sweeps need Tune too: ray[tune])
    except ImportError as err:
        raise RayNotInstalled(f"{what} needs Ray, which is not installed ({err}); install it with: "
                              f"{INSTALL_HINT}") from None
    return ray


def _package_root():
    """The directory that holds the ``tensorgate`` package being run (src/ in a checkout)."""
    return str(Path(__file__).resolve().parents[2])


def connect(address=None, num_cpus=None):
    """Start a local Ray (``address=None``) or join the cluster at ``address``; returns the ``ray`` module.

    Does nothing when Ray is already initialised in this process (a test's, a notebook's ``ray.init``).
    A local Ray gets ``num_cpus`` CPUs (default: all of them); its worker processes import the same
    tensorgate as this process (its directory leads their PYTHONPATH), so a checkout or a virtual
    environment works without installing anything more. On a cluster tensorgate must be installed on
    every node. No dashboard is started.

    Shape: not applicable.
    """
    ray = require_ray("tensorgate's distributed training and sweeps")
    if ray.is_initialized():
        return ray
    kwargs = {"include_dashboard": False, "logging_level": logging.WARNING, "configure_logging": True}
    if address is None:
        path = os.pathsep.join(p for p in (_package_root(), os.environ.get("PYTHONPATH")) if p)
        kwargs.update(num_cpus=num_cpus, runtime_env={"env_vars": {"PYTHONPATH": path}})
    try:
        ray.init(address=address, **kwargs)
    except ConnectionError as err:
        raise ConnectionError(f"cannot join the Ray cluster at {address!r}: {err}") from None
    return ray


def cpus(ray):
    """The CPUs of the Ray cluster this process is connected to (0 if it says none)."""
    return int(ray.cluster_resources().get("CPU", 0))
