"""The page's choices as one checked dict: defaults, allowed values and limits.

Everything a client sends passes through :func:`normalise_config`; a bad value is a :class:`ConfigError`
naming the key and what is allowed, which the server sends back as an error message.
"""
import numbers

from .data import DATASETS, LIMITS
from .model import ACTIVATIONS, FEATURES, INITS

__all__ = ["DEFAULTS", "CHOICES", "ConfigError", "normalise_config"]

DEFAULTS = {
    "dataset": "circles", "points": 500, "noise": 0.1, "train_ratio": 0.7, "seed": 0,
    "features": ["x1", "x2"], "degree": 1, "layers": [4, 4], "activation": "tanh", "init": "xavier",
    "loss": "bce", "optimizer": "sgd", "lr": 0.03, "batch_size": 10, "regularization": "none",
    "reg_rate": 0.001, "dropout": 0.0, "batchnorm": False,
}

CHOICES = {
    "dataset": DATASETS, "activation": tuple(ACTIVATIONS), "init": tuple(INITS),
    "loss": ("bce", "mse", "hinge"), "optimizer": ("sgd", "momentum", "adam", "rmsprop"),
    "regularization": ("none", "l1", "l2"),
}

# key → (low, high, integer?)
RANGES = {
    "points": (10, LIMITS["generated_points"], True), "noise": (0.0, 0.5, False),
    "train_ratio": (0.1, 0.9, False), "seed": (0, 2 ** 31 - 1, True), "degree": (1, LIMITS["degree"], True),
    "lr": (1e-5, 10.0, False), "batch_size": (1, LIMITS["points"], True), "reg_rate": (0.0, 1.0, False),
    "dropout": (0.0, 0.9, False),
}


class ConfigError(ValueError):
    """A choice the playground does not offer; the message names the key."""


def _number(key, value):
    low, high, integer = RANGES[key]
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or value != value:
        raise ConfigError(f"{key} must be a number in [{low}, {high}], got {value!r}")
    if integer and value != int(value):
        raise ConfigError(f"{key} must be an integer in [{low}, {high}], got {value!r}")
    if not low <= value <= high:
        raise ConfigError(f"{key} must be in [{low}, {high}], got {value!r}")
    return int(value) if integer else float(value)


def normalise_config(config):
    """A complete, checked copy of ``config`` (missing keys take their defaults; unknown keys are errors).

    Shape: not applicable (a dict).
    """
    if not isinstance(config, dict):
        raise ConfigError(f"config must be an object, got {type(config).__name__}")
    unknown = sorted(set(config) - set(DEFAULTS))
    if unknown:
        raise ConfigError(f"unknown setting(s) {unknown[:5]}; known: {', '.join(DEFAULTS)}")
    out = dict(DEFAULTS)
    out.update(config)
    for key, allowed in CHOICES.items():
        if out[key] not in allowed:
            raise ConfigError(f"{key} must be one of {', '.join(allowed)}, got {out[key]!r}"[:200])
    for key in RANGES:
        out[key] = _number(key, out[key])
    if not isinstance(out["batchnorm"], bool):
        raise ConfigError(f"batchnorm must be true or false, got {out['batchnorm']!r}"[:200])
    features = out["features"]
    if not isinstance(features, list) or any(not isinstance(f, str) or f not in FEATURES for f in features):
        raise ConfigError(f"features must be a list of {', '.join(FEATURES)}; got {features!r}"[:200])
    out["features"] = [f for f in FEATURES if f in features]  # the page's order, no repeats
    if not out["features"] and out["degree"] < 2:
        raise ConfigError("features: choose at least one feature (or a polynomial degree of 2 or more)")
    layers = out["layers"]
    if not isinstance(layers, list) or len(layers) > LIMITS["layers"] or any(
            isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= LIMITS["neurons"] for n in layers):
        raise ConfigError(f"layers must be a list of at most {LIMITS['layers']} hidden layer widths, each 1 to "
                          f"{LIMITS['neurons']} neurons; got {layers!r}"[:200])
    out["layers"] = list(layers)
    if out["batchnorm"] and out["batch_size"] < 2:
        raise ConfigError("batch_size must be at least 2 with BatchNorm (it estimates a variance per batch)")
    return out
