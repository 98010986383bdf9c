"""A sweep's TOML file: the fixed ``train`` settings, the ``search`` space, and how to search.

::

    [sweep]
    metric = "val_accuracy"    # val_accuracy (default), val_loss, accuracy or loss: the last epoch's
    mode = "max"               # max or min (default: max for accuracies, min for losses)
    samples = 1                # random draws per grid point (default 1)
    seed = 0                   # seeds the random draws (default 0)
    scheduler = "asha"         # none (default) or asha: stop the weakest trials early
    grace_period = 1           # asha: epochs every trial runs before it can be stopped
    reduction_factor = 3       # asha: keep the best 1/3 at each rung

    [train]                    # every trial's settings, as `tensorgate train --config` reads them
    data = "digits"
    epochs = 10

    [search]                   # a list is a grid axis; a table is a distribution (Ray Tune's names)
    lr = [0.001, 0.01]
    hidden = ["64", "128,64"]
    weight_decay = { uniform = [0, 0.001] }
    batch_size = { choice = [16, 32, 64] }
    # also { loguniform = [1e-4, 1e-1] } and { randint = [5, 20] } (upper bound excluded, as in Tune)

Trials are every combination of the grid's values, each with ``samples`` draws of the distributions, in a
fixed order: trial i is the same on every run of the same file, which is what lets a sweep resume.
"""
import itertools
import math
from pathlib import Path

import numpy as np

from .config import DEFAULTS, KEYS, PARSERS, resolve, toml_reader
from .errors import UserError

METRICS = {"val_accuracy": "max", "val_loss": "min", "accuracy": "max", "loss": "min"}
DISTRIBUTIONS = ("choice", "uniform", "loguniform", "randint")
#: settings the sweep decides itself: each trial's run directory, and quiet trials
NOT_SWEPT = ("out", "progress", "monitor")
SWEEP_KEYS = ("metric", "mode", "samples", "seed", "scheduler", "grace_period", "reduction_factor")


def read_sweep(path):
    """The sweep of a TOML file: {"path", "options", "fixed", "space", "trials"}; user errors name the key."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise UserError(f"sweep: no such file: {path}")
    tomllib = toml_reader()
    try:
        with open(path, "rb") as f:
            document = tomllib.load(f)
    except tomllib.TOMLDecodeError as err:
        raise UserError(f"sweep: {path} is not valid TOML: {err}") from None
    except UnicodeDecodeError:
        raise UserError(f"sweep: {path} is not a UTF-8 text file") from None
    unknown = sorted(set(document) - {"sweep", "train", "search"})
    if unknown:
        raise UserError(f"sweep: {path}: unknown table {unknown[0]!r}; a sweep has [sweep], [train] and [search]")
    options = _options(document.get("sweep", {}), path)
    fixed = _fixed(document.get("train", {}), path)
    space = _space(document.get("search", {}), path)
    trials = expand(fixed, space, options["samples"], options["seed"])
    return {"path": str(path), "options": options, "fixed": fixed, "space": space, "trials": trials}


def _table(value, name, path):
    if not isinstance(value, dict):
        raise UserError(f"sweep: {path}: [{name}] must be a table")
    return value


def _options(table, path):
    table = _table(table, "sweep", path)
    for key in table:
        if key.replace("-", "_") not in SWEEP_KEYS:
            raise UserError(f"sweep: {path}: unknown [sweep] setting {key!r}; known: {', '.join(SWEEP_KEYS)}")
    table = {k.replace("-", "_"): v for k, v in table.items()}
    metric = table.get("metric", "val_accuracy")
    if metric not in METRICS:
        raise UserError(f"sweep: {path}: metric {metric!r} is not one of {', '.join(METRICS)}")
    mode = table.get("mode", METRICS[metric])
    if mode not in ("max", "min"):
        raise UserError(f"sweep: {path}: mode must be max or min, got {mode!r}")
    scheduler = str(table.get("scheduler", "none")).lower()
    if scheduler not in ("none", "asha"):
        raise UserError(f"sweep: {path}: scheduler must be none or asha, got {table['scheduler']!r}")

    def count(key, default, low):
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise UserError(f"sweep: {path}: {key} must be an integer >= {low}, got {value!r}")
        return value

    return {"metric": metric, "mode": mode, "samples": count("samples", 1, 1), "seed": count("seed", 0, 0),
            "scheduler": None if scheduler == "none" else scheduler,
            "grace_period": count("grace_period", 1, 1), "reduction_factor": count("reduction_factor", 3, 2)}


def _key(raw, path, where):
    key = raw.replace("-", "_")
    if key not in PARSERS:
        raise UserError(f"sweep: {path}: unknown setting {raw!r} in [{where}]; known: {', '.join(KEYS)}")
    if key in NOT_SWEPT:
        raise UserError(f"sweep: {path}: {raw!r} cannot be set in a sweep (each trial writes its own run "
                        "directory under --out, quietly)")
    return key


def _parse(key, value, path, where):
    try:
        parsed = PARSERS[key](value)
    except UserError as err:
        raise UserError(f"sweep: {path}: [{where}] {err}") from None
    if key == "data" and parsed not in DEFAULTS and Path(parsed).exists():
        parsed = str(Path(parsed).resolve())   # trials run in other directories, maybe on other machines
    return parsed


def _fixed(table, path):
    table = _table(table, "train", path)
    return {_key(raw, path, "train"): _parse(_key(raw, path, "train"), v, path, "train") for raw, v in table.items()}


def _space(table, path):
    table = _table(table, "search", path)
    if not table:
        raise UserError(f"sweep: {path}: [search] is empty; give at least one setting to vary, e.g. "
                        "lr = [0.001, 0.01]")
    space = {}
    for raw, value in table.items():
        key = _key(raw, path, "search")
        if isinstance(value, list):
            if not value:
                raise UserError(f"sweep: {path}: [search] {raw} is an empty list")
            space[key] = ("grid", [_parse(key, v, path, "search") for v in value])
        elif isinstance(value, dict) and len(value) == 1 and next(iter(value)) in DISTRIBUTIONS:
            space[key] = _distribution(key, raw, *next(iter(value.items())), path)
        else:
            raise UserError(f"sweep: {path}: [search] {raw} must be a list of values or a table with one of "
                            f"{', '.join(DISTRIBUTIONS)}, e.g. {{ loguniform = [1e-4, 1e-1] }}")
    return space


def _distribution(key, raw, kind, args, path):
    if kind == "choice":
        if not isinstance(args, list) or not args:
            raise UserError(f"sweep: {path}: [search] {raw}: choice takes a non-empty list of values")
        return ("choice", [_parse(key, v, path, "search") for v in args])
    if (not isinstance(args, list) or len(args) != 2
            or not all(isinstance(a, (int, float)) and not isinstance(a, bool) and math.isfinite(a) for a in args)
            or not args[0] < args[1] or (kind == "loguniform" and args[0] <= 0)):
        need = "0 < low < high" if kind == "loguniform" else "low < high"
        raise UserError(f"sweep: {path}: [search] {raw}: {kind} takes [low, high] with {need}, got {args!r}")
    if kind == "randint" and not all(isinstance(a, int) for a in args):
        raise UserError(f"sweep: {path}: [search] {raw}: randint takes integer bounds, got {args!r}")
    return (kind, list(args))


def _draw(rng, kind, args):
    if kind == "choice":
        return args[int(rng.integers(len(args)))]
    if kind == "uniform":
        return float(rng.uniform(*args))
    if kind == "loguniform":
        return float(math.exp(rng.uniform(math.log(args[0]), math.log(args[1]))))
    return int(rng.integers(args[0], args[1]))   # randint: the upper bound excluded, as in Ray Tune and NumPy


def expand(fixed, space, samples, seed):
    """The trials: [{"name", "varied": {key: value}, "settings": full train settings}], in a fixed order."""
    grid = [(k, values) for k, (kind, values) in space.items() if kind == "grid"]
    drawn = [(k, kind, args) for k, (kind, args) in space.items() if kind != "grid"]
    rng = np.random.default_rng(seed)
    trials = []
    for combination in itertools.product(*[values for _, values in grid]):
        for _ in range(samples):
            varied = dict(zip([k for k, _ in grid], combination))
            for key, kind, args in drawn:
                varied[key] = PARSERS[key](_draw(rng, kind, args))
            varied = {k: varied[k] for k in space}   # the file's order
            settings = resolve({**fixed, **varied})
            settings.update(progress="none", monitor=False, out=None)
            trials.append({"name": f"{len(trials):03d}-{_slug(varied)}", "varied": varied, "settings": settings})
    return trials


def _slug(varied):
    def show(v):
        if isinstance(v, float):   # 1302.4 → 1.3e3, 0.00129 → 0.00129, 1e-05 → 1e-5 (no "+" to mangle)
            return f"{v:.3g}".replace("e+0", "e").replace("e+", "e").replace("e-0", "e-")
        if isinstance(v, (list, tuple)):
            return "x".join(str(x) for x in v) or "none"
        return Path(str(v)).stem if "/" in str(v) else str(v)

    text = "_".join(f"{k}={show(v)}" for k, v in varied.items())
    text = "".join(c if c.isalnum() or c in "=._-" else "-" for c in text)
    return text[:80]


__all__ = ["read_sweep", "expand", "METRICS"]
