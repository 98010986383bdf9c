"""Training settings: built-in defaults, per-data-set defaults, a TOML file, then the flags.

Later sources win: ``DEFAULTS`` < ``DATA_DEFAULTS[data]`` < ``MODEL_DEFAULTS[model]`` < ``--config FILE``
< command-line flags. The keys are the flags' names with underscores (``batch_size``); a TOML file may
also spell them with dashes (``batch-size``).
"""
import math
import sys
from pathlib import Path

from . import augment
from .errors import UserError

DATA_NAMES = ("digits", "breast-cancer", "fashion-mnist", "mnist", "moons", "circles", "xor", "spiral")
MLP_MODELS = ("logreg", "softmax", "perceptron", "mlp")
ZOO_MODELS = ("lenet", "vgg", "resnet", "mobilenet", "alexnet", "googlenet", "efficientnet")
MODEL_NAMES = MLP_MODELS + ZOO_MODELS
ACTIVATIONS = ("relu", "leaky_relu", "tanh", "sigmoid", "gelu", "step")
#: zeros and normal (N(0, 1)) are the lecture's experiments: symmetry, and activations that explode
INITS = ("he", "he_uniform", "xavier", "xavier_normal", "lecun", "lecun_uniform", "default", "zeros", "normal")
PROGRESS = ("bar", "epoch", "none")
OPTIMIZERS = ("adam", "adamw", "sgd", "momentum", "rmsprop")
SCHEDULES = ("cosine", "onecycle", "constant")

#: Measured on 2 cores: digits reaches ~97-98 % test accuracy in a few seconds with these.
DEFAULTS = {
    "data": "digits",
    "model": "mlp",
    "hidden": [128],
    "activation": "relu",
    "init": "he",
    "optimizer": "adam",
    "lr": 1e-3,
    "weight_decay": 0.0,
    "schedule": "cosine",
    "augment": [],
    "label_smoothing": 0.0,
    "batch_size": 32,
    "epochs": 30,
    "seed": 0,
    "val_fraction": 0.1,
    "standardize": True,
    "out": None,
    "monitor": False,
    "progress": "bar",
}

#: Settings that suit a data set better than the general defaults.
DATA_DEFAULTS = {
    "fashion-mnist": {"hidden": [256, 128], "epochs": 10, "batch_size": 64, "val_fraction": 1 / 12},
    "mnist": {"hidden": [256, 128], "epochs": 10, "batch_size": 64, "val_fraction": 1 / 12},
    "breast-cancer": {"hidden": [32], "epochs": 20},  # validation loss is lowest near epoch 14
    "moons": {"hidden": [32, 32], "epochs": 100},
    "circles": {"hidden": [32, 32], "epochs": 100},
    "xor": {"hidden": [32, 32], "epochs": 100},
    "spiral": {"hidden": [64, 64], "epochs": 200, "lr": 3e-3},
}

#: Settings that suit a model better (applied after the data set's).
MODEL_DEFAULTS = {
    "logreg": {"lr": 0.01},  # one convex layer: a larger step is safe and converges in fewer epochs
    "softmax": {"lr": 0.01},
    "perceptron": {"optimizer": "sgd", "lr": 0.01},
    "lenet": {"epochs": 10},
    "vgg": {"epochs": 5},
    "resnet": {"epochs": 5},
    "mobilenet": {"epochs": 5},
    "alexnet": {"epochs": 5},
    "googlenet": {"epochs": 5},
    "efficientnet": {"epochs": 5},
}

KEYS = tuple(DEFAULTS)


# ---------------------------------------------------------------- value parsers (also argparse types)
def parse_hidden(value):
    """``"256,128"`` (or a list of ints) → [256, 128]; ``""`` or ``"none"`` → [] (no hidden layer)."""
    if isinstance(value, (list, tuple)):
        items = list(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        items = [value]
    elif isinstance(value, str):
        text = value.strip().lower()
        items = [] if text in ("", "none", "0") else [t.strip() for t in text.split(",")]
    else:
        raise UserError(f"--hidden: expected sizes like 256,128, got {value!r}")
    sizes = []
    for item in items:
        try:
            size = int(item)
        except (TypeError, ValueError):
            raise UserError(f"--hidden: expected comma-separated positive integers like 256,128, "
                            f"got {value!r}") from None
        if size < 1 or isinstance(item, bool):
            raise UserError(f"--hidden: layer sizes must be positive integers, got {value!r}")
        sizes.append(size)
    return sizes


def positive_int(name):
    def parse(value):
        try:
            number = int(value)
            if isinstance(value, bool) or number < 1 or (isinstance(value, float) and value != number):
                raise ValueError
        except (TypeError, ValueError):
            raise UserError(f"--{name}: expected a positive integer, got {value!r}") from None
        return number
    return parse


def nonnegative_int(name, below=None):
    def parse(value):
        try:
            number = int(value)
            if isinstance(value, bool) or number < 0 or (below is not None and number >= below):
                raise ValueError
        except (TypeError, ValueError):
            upper = f" and below {below} (2**{below.bit_length() - 1})" if below is not None else ""
            raise UserError(f"--{name}: expected an integer >= 0{upper}, got {value!r}") from None
        return number
    return parse


def positive_float(name):
    def parse(value):
        try:
            number = float(value)
            if isinstance(value, bool) or not math.isfinite(number) or number <= 0:
                raise ValueError
        except (TypeError, ValueError):
            raise UserError(f"--{name}: expected a positive number, got {value!r}") from None
        return number
    return parse


def nonnegative_float(name):
    def parse(value):
        try:
            number = float(value)
            if isinstance(value, bool) or not math.isfinite(number) or number < 0:
                raise ValueError
        except (TypeError, ValueError):
            raise UserError(f"--{name}: expected a number >= 0, got {value!r}") from None
        return number
    return parse


def fraction(name):
    def parse(value):
        try:
            number = float(value)
            if isinstance(value, bool) or not 0 <= number < 1:
                raise ValueError
        except (TypeError, ValueError):
            raise UserError(f"--{name}: expected a fraction in [0, 1), got {value!r}") from None
        return number
    return parse


def choice(name, choices):
    def parse(value):
        text = str(value).strip().lower().replace("-", "_") if name != "data" else str(value).strip()
        allowed = [c.replace("-", "_") for c in choices] if name != "data" else list(choices)
        if text not in allowed:
            raise UserError(f"--{name}: unknown {name} {value!r}; choose from {', '.join(choices)}")
        return choices[allowed.index(text)]
    return parse


def data_source(value):
    """A data set's name, or the path of a CSV/NPZ file (which must exist)."""
    text = str(value).strip()
    if text.lower() in DATA_NAMES:
        return text.lower()
    if text.lower().replace("_", "-") in ("fashion", "fashionmnist"):
        return "fashion-mnist"
    path = Path(text).expanduser()
    looks_like_file = path.suffix.lower() in (".csv", ".tsv", ".txt", ".npz") or "/" in text or path.exists()
    if not looks_like_file:
        raise UserError(f"--data: unknown data set {value!r}; choose from {', '.join(DATA_NAMES)}, "
                        "or give the path of a CSV/NPZ file")
    if not path.exists():
        raise UserError(f"--data: no such file: {text}")
    if not path.is_file():
        raise UserError(f"--data: not a file: {text}")
    return str(path)


def boolean(name):
    def parse(value):
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off"):
            return False
        raise UserError(f"{name}: expected true or false, got {value!r}")
    return parse


def progress(value):
    """--progress: bar, epoch or none; true/false (the settings files of earlier versions) mean bar/none."""
    if isinstance(value, bool):
        return "bar" if value else "none"
    text = str(value).strip().lower()
    if text in ("true", "false"):
        return "bar" if text == "true" else "none"
    return choice("progress", PROGRESS)(text)


def optional_path(value):
    return None if value in (None, "") else str(value)


PARSERS = {
    "data": data_source,
    "model": choice("model", MODEL_NAMES),
    "hidden": parse_hidden,
    "activation": choice("activation", ACTIVATIONS),
    "init": choice("init", INITS),
    "optimizer": choice("optimizer", OPTIMIZERS),
    "lr": positive_float("lr"),
    "weight_decay": nonnegative_float("weight-decay"),
    "schedule": choice("schedule", SCHEDULES),
    "augment": augment.parse,
    "label_smoothing": fraction("label-smoothing"),
    "batch_size": positive_int("batch-size"),
    "epochs": positive_int("epochs"),
    "seed": nonnegative_int("seed", below=2**32),  # NumPy's and scikit-learn's seeds are 32-bit
    "val_fraction": fraction("val-fraction"),
    "standardize": boolean("standardize"),
    "out": optional_path,
    "monitor": boolean("monitor"),
    "progress": progress,
}


# ---------------------------------------------------------------- TOML
def toml_reader():
    """The TOML reader: the standard library's ``tomllib`` from Python 3.11, the ``tomli`` package (the same
    code, a declared dependency on 3.10) before."""
    if sys.version_info >= (3, 11):
        import tomllib  # novermin (only from 3.11, by the check above)

        return tomllib
    import tomli

    return tomli


def read_toml(path):
    """The settings of a TOML file as {key: parsed value}; unknown keys and bad values are user errors.

    Settings may sit at the top level or in a ``[train]`` table.
    """
    tomllib = toml_reader()
    path = Path(path).expanduser()
    if not path.is_file():
        raise UserError(f"--config: no such file: {path}")
    try:
        with open(path, "rb") as f:
            document = tomllib.load(f)
    except tomllib.TOMLDecodeError as err:
        raise UserError(f"--config: {path} is not valid TOML: {err}") from None
    except UnicodeDecodeError:
        raise UserError(f"--config: {path} is not a UTF-8 text file") from None
    table = document.get("train", document) if isinstance(document.get("train"), dict) else document
    settings = {}
    for raw_key, value in table.items():
        key = raw_key.replace("-", "_")
        if key == "train" and isinstance(value, dict):
            continue
        if key not in PARSERS:
            raise UserError(f"--config: {path}: unknown setting {raw_key!r}; known: {', '.join(KEYS)}")
        try:
            settings[key] = PARSERS[key](value)
        except UserError as err:
            raise UserError(f"--config: {path}: {err}") from None
    return settings


def _toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def to_toml(settings):
    """The settings as TOML text that ``--config`` reads back (None values are left out)."""
    lines = ["# tensorgate train settings; rerun with: tensorgate train --config config.toml"]
    for key in KEYS:
        if settings.get(key) is not None:
            lines.append(f"{key} = {_toml_value(settings[key])}")
    return "\n".join(lines) + "\n"


def resolve(flags, config_path=None):
    """The final settings from the defaults, the data/model defaults, a TOML file and the given flags.

    ``flags`` holds only the flags the user gave ({key: parsed value}).
    """
    from_file = read_toml(config_path) if config_path else {}
    given = {**from_file, **flags}
    data = given.get("data", DEFAULTS["data"])
    model = given.get("model", DEFAULTS["model"])
    data_key = data if data in DATA_NAMES else "file"
    settings = {**DEFAULTS, **DATA_DEFAULTS.get(data_key, {}), **MODEL_DEFAULTS.get(model, {}), **given}
    return settings
