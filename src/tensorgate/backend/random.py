"""The one random-number generator that everything random in tensorgate draws from.

``tg.manual_seed(n)`` replaces it with a freshly seeded one, so that initialisation, dropout, shuffling
and the random constructors all repeat exactly for the same seed.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Seed tensorgate's global generator; returns it.

    Parameters
    ----------
    seed : int
        A non-negative integer.
    """
    global _generator
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"manual_seed: seed must be a non-negative integer, got {seed!r}")
    _generator = np.random.default_rng(int(seed))
    return _generator


def generator() -> np.random.Generator:
    """The current global ``numpy.random.Generator``."""
    return _generator


def get_rng_state() -> Mapping[str, Any]:
    """The generator's state as a JSON-friendly dict (for checkpoints)."""
    return _generator.bit_generator.state


def set_rng_state(state: Mapping[str, Any]) -> None:
    """Restore a state returned by :func:`get_rng_state`."""
    _generator.bit_generator.state = state


def swap_generator(new: np.random.Generator) -> np.random.Generator:
    """Make ``new`` (a ``numpy.random.Generator``) the global generator and return the previous one.

    The DataLoader uses it to give each batch of a Python dataset its own seeded generator and then put the
    global one back, so that worker processes and the main process draw the same augmentations.
    """
    global _generator
    previous, _generator = _generator, new
    return previous
