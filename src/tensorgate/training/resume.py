"""Checking a training checkpoint before resuming from it: checkpoints are data, not instructions.

A checkpoint's checksum only says that it is what its writer wrote. Before :meth:`Trainer.fit` restores
anything from ``resume_from``, :func:`check_checkpoint` checks every value against what this run holds:
the weights' names, shapes and finiteness; the optimiser's groups (the same options, each of the type
this optimiser uses, finite and in range: a learning rate of −1e9 is refused), its state (finite arrays
of the parameters' shapes, or finite numbers); the history (lists of numbers, one per epoch); each
callback's state (only the names that callback stores, of the types it stores); the generators' states;
the epoch counters. Anything else raises :class:`~tensorgate.io.ModelFileError` naming the file and the
value, and nothing is restored.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import math
import numbers

import numpy as np

from ..io import ModelFileError

if TYPE_CHECKING:
    import os
    from typing import Mapping

    from .loop import Trainer

__all__ = ["check_checkpoint"]

#: Optimiser options that must be finite and ≥ 0, and those that must lie in [0, 1] (each beta too).
_NONNEGATIVE = ("lr", "weight_decay", "eps", "initial_lr", "max_lr", "min_lr")
_UNIT = ("momentum", "dampening", "alpha", "betas", "beta1", "beta2")


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _finite_number(value):
    return _is_number(value) and math.isfinite(value)


def _finite_array(value):
    return isinstance(value, np.ndarray) and (value.dtype.kind != "f" or bool(np.isfinite(value).all()))


def _count(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


class _Checker:
    def __init__(self, path):
        self.path = path

    def fail(self, what):
        raise ModelFileError(f"resume_from: {self.path!s}: {what}; refusing to resume from it")

    def expect(self, condition, what) -> None:
        if not condition:
            self.fail(what)


def _same_kind(saved, current):
    """Whether a saved option may replace the current one: both numbers, both bools, both sequences..."""
    if current is None:
        return saved is None or _is_number(saved)
    if isinstance(current, bool):
        return isinstance(saved, bool)
    if _is_number(current):
        return _is_number(saved)
    if isinstance(current, (tuple, list)):
        return isinstance(saved, (tuple, list)) and len(saved) == len(current) and all(
            _same_kind(s, c) for s, c in zip(saved, current))
    return type(saved) is type(current)


def _check_optimizer(c, saved, optimizer, params):
    current = optimizer.state_dict()
    c.expect(isinstance(saved, dict) and isinstance(saved.get("param_groups"), list)
             and isinstance(saved.get("state"), dict), "the optimiser state is not {'state', 'param_groups'}")
    c.expect(len(saved["param_groups"]) == len(current["param_groups"]),
             f"the optimiser state has {len(saved['param_groups'])} parameter groups, this optimiser "
             f"{len(current['param_groups'])}")
    shapes = {}
    for i, (group, mine) in enumerate(zip(saved["param_groups"], current["param_groups"])):
        c.expect(isinstance(group, dict) and set(group) == set(mine),
                 f"optimiser group {i} has options {sorted(group) if isinstance(group, dict) else group!r:.80}, "
                 f"this optimiser {sorted(mine)}")
        for key, value in group.items():
            if key == "params":
                c.expect(isinstance(value, list) and len(value) == len(mine["params"]) and all(map(_count, value)),
                         f"optimiser group {i} lists its parameters as {value!r:.80}")
                continue
            c.expect(_same_kind(value, mine[key]), f"optimiser option {key!r} is {value!r:.60}, where this "
                                                  f"optimiser has a {type(mine[key]).__name__}")
            for v in (value if isinstance(value, (list, tuple)) else [value]):
                c.expect(v is None or isinstance(v, bool) or _finite_number(v),
                         f"optimiser option {key!r} is {value!r:.60}, not finite")
                if key in _NONNEGATIVE and _is_number(v):
                    c.expect(v >= 0, f"optimiser option {key!r} is {v!r}: it must be >= 0")
                if key in _UNIT and _is_number(v):
                    c.expect(0 <= v <= 1, f"optimiser option {key!r} is {v!r}: it must lie in [0, 1]")
    for index, p in zip((k for g in current["param_groups"] for k in g["params"]), params):
        shapes[index] = p.data.shape
    for index, entry in saved["state"].items():
        c.expect(_count(index) and index in shapes, f"the optimiser state names parameter {index!r:.40}")
        c.expect(isinstance(entry, dict), f"the optimiser state of parameter {index} is not a table")
        for key, value in entry.items():
            c.expect(isinstance(key, str), f"the optimiser state of parameter {index} has a key {key!r:.40}")
            if isinstance(value, np.ndarray):
                c.expect(_finite_array(value) and value.shape == shapes[index],
                         f"optimiser state {key!r} of parameter {index} is not a finite array of shape "
                         f"{shapes[index]}")
            else:
                c.expect(value is None or _finite_number(value),
                         f"optimiser state {key!r} of parameter {index} is {value!r:.60}")


def _check_history(c, history):
    c.expect(isinstance(history, dict) and isinstance(history.get("history", {}), dict)
             and isinstance(history.get("epoch", []), list) and isinstance(history.get("params", {}), dict),
             "the history is not {'history': {...}, 'epoch': [...], 'params': {...}}")
    epochs = history.get("epoch", [])
    c.expect(all(map(_count, epochs)), "the history's epochs are not counts")
    for key, values in history.get("history", {}).items():
        c.expect(isinstance(key, str) and isinstance(values, list) and len(values) == len(epochs),
                 f"the history's {key!r:.40} is not a list of one value per epoch")
        c.expect(all(v is None or _is_number(v) for v in values), f"the history's {key!r:.40} holds non-numbers")
    for key, value in history.get("params", {}).items():
        c.expect(value is None or _count(value), f"the history's parameter {key!r:.40} is {value!r:.40}")


def _check_state_like(c, what, saved, current):
    """A callback's or scheduler's saved state: only the names it stores, each of the kind it stores."""
    c.expect(isinstance(saved, dict), f"{what} is not a table")
    unknown = set(saved) - set(current)
    c.expect(not unknown, f"{what} names {sorted(map(str, unknown))[:5]}, which it does not store")
    for key, value in saved.items():
        mine = current[key]
        if isinstance(mine, dict):
            _check_state_like(c, f"{what}[{key!r}]", value, mine)
        elif isinstance(mine, np.ndarray) or (mine is None and isinstance(value, (dict, np.ndarray))):
            continue  # weights kept by a callback: checked as arrays below
        elif mine is None or _is_number(mine):
            c.expect(value is None or (_is_number(value) and not math.isnan(value)),
                     f"{what}[{key!r}] is {value!r:.60}, not a number")
        else:
            c.expect(_same_kind(value, mine), f"{what}[{key!r}] is {value!r:.60}, where it stores a "
                                              f"{type(mine).__name__}")


def _check_rng(c, what, state):
    if state is None:
        return
    generator = np.random.default_rng()
    try:
        generator.bit_generator.state = state
    except (TypeError, ValueError, KeyError) as err:
        c.fail(f"{what} is not a generator state ({err})")


def check_checkpoint(ckpt: Mapping[str, Any], trainer: Trainer, path: str | os.PathLike[str],
                     loader: Any = None) -> None:
    """Raise ModelFileError unless every value of ``ckpt`` fits ``trainer`` (see the module docstring).

    Shape: not applicable.
    """
    c = _Checker(path)
    c.expect(_count(ckpt.get("epoch")), f"the epoch is {ckpt.get('epoch')!r:.40}, not a count")
    state, mine = ckpt.get("model_state"), trainer.model.state_dict()
    c.expect(isinstance(state, dict) and set(state) == set(mine),
             "the weights' names do not match the model's")
    for name, value in state.items():  # type: ignore[union-attr]
        c.expect(isinstance(value, np.ndarray) and value.shape == mine[name].shape and _finite_array(value),
                 f"weight {name!r} is not a finite array of shape {mine[name].shape}")
    if ckpt.get("optimizer") is not None:
        _check_optimizer(c, ckpt["optimizer"], trainer.optimizer, list(_optimizer_params(trainer.optimizer)))
    if ckpt.get("history") is not None:
        _check_history(c, ckpt["history"])
    saved = ckpt.get("callbacks") or {}
    c.expect(isinstance(saved, dict), "the callbacks' states are not a table")
    for i, cb in enumerate(trainer.callbacks):
        key = trainer._callback_key(i, cb)
        if saved.get(key) is not None:
            _check_state_like(c, f"callback {key}", saved[key], cb.state_dict())
            weights = saved[key].get("best_weights")  # EarlyStopping's copy of the best weights
            if weights is not None:
                c.expect(isinstance(weights, dict) and set(weights) == set(mine) and all(
                    isinstance(v, np.ndarray) and v.shape == mine[n].shape and _finite_array(v)
                    for n, v in weights.items()), f"callback {key}'s best weights do not fit the model")
    _check_rng(c, "the random generator's state", ckpt.get("rng_state"))
    _check_rng(c, "the shuffling generator's state", ckpt.get("shuffle_rng_state"))
    c.expect(ckpt.get("loader_epoch") is None or _count(ckpt["loader_epoch"]),
             f"the loader's epoch is {ckpt.get('loader_epoch')!r:.40}")


def _optimizer_params(optimizer):
    for group in optimizer.param_groups:
        yield from group["params"]
