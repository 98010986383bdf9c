"""Run directories and model files: writing what ``train`` produced, reading it back for evaluate/predict.

The model file is ``tensorgate.io.save(model, path, metadata=...)``; the metadata (plain JSON) carries
what is needed to use the model on raw features:

``{"tensorgate_cli": 1, "model": "mlp", "data": "digits", "seed": 0, "classes": [...], "example_shape": [64],
"image_shape": [1, 8, 8] or null, "standardize": {"mean": [...], "scale": [...]} or null}``

so :class:`Predictor` applies the training set's standardisation, (x − mean) / scale, before the network.
"""
import json
import math
from datetime import datetime
from pathlib import Path

import numpy as np

from ..backend.files import atomic_path, remove_stale_temporaries
from ..backend.jsonable import json_ready
from .errors import UserError, one_line
from .models import predicted_classes, probabilities

MODEL_FILE = "model.tgate"
#: the checkpoint of the last epoch, written by data-parallel runs (--workers), which can lose a worker
CHECKPOINT_FILE = "checkpoint.tgate"
#: the validation split of a run, raw features and labels, where evaluate chooses its thresholds
VALIDATION_FILE = "validation.npz"


#: Every file ``tensorgate train`` (with --monitor and the plots) and ``evaluate`` write into a run directory:
#: what ``--overwrite`` replaces. Other files in the directory are never touched.
RUN_FILES = (MODEL_FILE, "config.json", "config.toml", "history.json", "metrics.json", "diagnosis.json",
             "evaluation.json", "history.png", "confusion_matrix.png", "roc.png", "precision_recall.png",
             "decision_boundary.png", "first_layer_weights.png", "gradient_norms.png", "update_ratios.png",
             "activation_histograms.png", "diagnosis.txt", VALIDATION_FILE, CHECKPOINT_FILE)


def new_run_dir(settings, root="runs", overwrite=False):
    """``runs/<YYYYmmdd-HHMMSS>-<data>-<model>/`` (a numbered suffix if it exists), or ``--out``.

    An existing, non-empty ``--out`` is refused unless ``overwrite``; then the previous run's files
    (:data:`RUN_FILES`) are removed, so no stale plot or report from it survives, and nothing else is.
    """
    if settings.get("out"):
        path = Path(settings["out"]).expanduser()
        if path.exists() and not path.is_dir():
            raise UserError(f"--out: {path} exists and is not a directory")
        if path.is_dir():
            _clear_previous_run(path, overwrite)
    else:
        data = Path(settings["data"]).stem if settings["data"] not in _builtin() else settings["data"]
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        base = Path(root) / f"{stamp}-{data}-{settings['model']}"
        path, i = base, 1
        while path.exists():
            i += 1
            path = base.with_name(f"{base.name}-{i}")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UserError(f"--out: cannot create the run directory {path}: {err.strerror or err}") from None
    return path


def _clear_previous_run(path, overwrite):
    try:
        entries = sorted(p.name for p in path.iterdir())
    except OSError as err:
        raise UserError(f"--out: cannot read the directory {path}: {err.strerror or err}") from None
    for name in RUN_FILES:  # temporaries left by a killed run are never anyone's work
        remove_stale_temporaries(path / name)
        remove_stale_temporaries(path / name, ".png")
    entries = [e for e in entries if (path / e).exists()]
    if not entries:
        return
    previous = [name for name in RUN_FILES if name in entries]
    if not overwrite:
        what = "a previous run" if previous else "other files"
        shown = ", ".join((previous or entries)[:4]) + (", ..." if len(previous or entries) > 4 else "")
        raise UserError(f"--out: {path} already holds {what} ({shown}); give --overwrite to replace it, or "
                        "choose another --out")
    for name in previous:
        try:
            (path / name).unlink()
        except OSError as err:
            raise UserError(f"--out: cannot remove the previous {path / name}: {err.strerror or err}") from None


def _builtin():
    from .config import DATA_NAMES

    return DATA_NAMES


def write_text(path, text):
    """Write ``text`` to ``path`` atomically."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as f:
        f.write(text)


def write_json(path, obj):
    write_text(path, json.dumps(json_ready(obj), indent=2, allow_nan=False) + "\n")


def write_validation_split(run_dir, X_val, y_val):
    """Keep the run's validation split (raw features X, labels y) as ``validation.npz``: evaluate chooses its
    operating thresholds there, not on the test data it reports. Nothing is written for an empty split (and
    a previous run's file in the directory goes)."""
    path = Path(run_dir) / VALIDATION_FILE
    if len(y_val) == 0:  # no split: a previous run's in the same directory must not stand in for one
        if path.is_file():
            path.unlink()
        return None
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        np.savez_compressed(f, X=np.asarray(X_val), y=np.asarray(y_val, dtype=np.int64))
    return path


def read_validation_split(run_dir):
    """(X, y) of a run's ``validation.npz``, or None when the run has none (runs of earlier versions)."""
    path = Path(run_dir) / VALIDATION_FILE
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as saved:
            X, y = saved["X"], saved["y"]
    except (OSError, ValueError, KeyError) as err:
        raise UserError(f"{path}: cannot read the run's validation split: {one_line(err)}") from None
    if X.ndim < 1 or y.ndim != 1 or len(X) != len(y) or y.dtype.kind not in "iu":
        raise UserError(f"{path}: not a validation split (X {X.shape}, y {y.shape} {y.dtype})")
    return X, y


def read_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as err:
        raise UserError(f"{path}: cannot read it as JSON ({one_line(err)})") from None


class Predictor:
    """A trained network with what it needs for raw inputs: standardisation, example shape, class names.

    Shape: X (m, n) or (m, *example_shape) raw features; logits (m, K) or (m, 1); proba (m, K).
    """

    def __init__(self, model, info, path=None):
        self.model = model
        self.path = path
        self.info = info = _checked_info(info, path)
        self.model_name = info.get("model") or "model"
        self.example_shape = tuple(info.get("example_shape") or ())
        standardize = info.get("standardize")
        self.mean = self.scale = None
        if standardize:
            shape = self.example_shape or (-1,)
            self.mean = np.asarray(standardize["mean"], dtype=np.float64).reshape(shape)
            self.scale = np.asarray(standardize["scale"], dtype=np.float64).reshape(shape)
        self.classes = tuple(info["classes"]) if info.get("classes") else None

    @classmethod
    def load(cls, path):
        """Read a model file, or a run directory's ``model.tgate``; user errors for anything wrong."""
        from .. import io

        path = Path(path).expanduser()
        if path.is_dir():
            if not (path / MODEL_FILE).is_file():
                raise UserError(f"{path}: not a run directory (no {MODEL_FILE} inside)")
            path = path / MODEL_FILE
        elif not path.exists():
            raise UserError(f"no such model file or run directory: {path}")
        try:
            header = io.read_metadata(path)
            if header["kind"] != "module":
                raise UserError(f"{path}: holds a {header['kind']}, not a model; give the model file "
                                f"({MODEL_FILE}) or its run directory")
            model = io.load(path)
        except io.ModelFileError as err:
            raise UserError(f"{path}: not a usable model file: {one_line(err)}") from None
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise UserError(f"{path}: cannot load the model: {one_line(err)}") from None
        info = dict(header.get("metadata") or {})
        if not info.get("example_shape"):
            info["example_shape"] = _guess_example_shape(model)
        return cls(model, info, path)

    def output_size(self):
        """The number of classes the network outputs (2 for one logit), or None if it cannot tell."""
        for module in reversed(list(self.model.modules())):
            if hasattr(module, "out_features"):
                return max(int(module.out_features), 2)
        return None

    @property
    def n_features(self):
        return int(np.prod(self.example_shape)) if self.example_shape else None

    def prepare(self, X, where="input"):
        """Raw features → the network's input: reshaped to the example shape, standardised, float32."""
        X = np.asarray(X, dtype=np.float64)
        n = self.n_features
        if n is not None:
            got = int(np.prod(X.shape[1:])) if X.ndim > 1 else None
            if got != n:
                raise UserError(f"{where}: the model takes {n} features per example, the data has "
                                f"{got if got is not None else 'a single column of'} "
                                f"(shape {X.shape})")
            X = X.reshape((X.shape[0],) + self.example_shape)
        if self.mean is not None:
            X = (X - self.mean) / self.scale
        return X.astype(np.float32)

    def logits(self, X, where="input"):
        from ..training import predict

        return predict(self.model, self.prepare(X, where))

    def predict_proba(self, X, where="input"):
        return probabilities(self.logits(X, where))

    def predict(self, X, where="input"):
        return predicted_classes(self.model_name, self.logits(X, where))

    def class_names(self, k):
        if self.classes is not None and len(self.classes) == k:
            return list(self.classes)
        return [str(i) for i in range(k)]


def _checked_info(info, path):
    """The model file's CLI metadata, every field checked: it comes from a file, so it is untrusted."""
    where = f"{path or 'the model file'}: its metadata"

    def bad(why):
        return UserError(f"{where} {why}; the file is damaged or was not written by tensorgate train")

    info = dict(info or {})
    if info.get("model") is not None and not isinstance(info["model"], str):
        raise bad("names no model")
    classes = info.get("classes")
    if classes is not None and (not isinstance(classes, list) or not all(isinstance(c, str) for c in classes)
                                or len(set(classes)) != len(classes)):
        raise bad("'classes' is not a list of distinct names")
    shape = info.get("example_shape")
    if shape is not None and (not isinstance(shape, list) or not 1 <= len(shape) <= 4 or not all(
            isinstance(n, int) and not isinstance(n, bool) and 0 < n < 2**31 for n in shape)):
        raise bad(f"'example_shape' {shape!r:.60} is not a list of 1 to 4 positive sizes")
    standardize = info.get("standardize")
    if standardize is not None:
        n = math.prod(shape) if shape else None
        if not isinstance(standardize, dict):
            raise bad("'standardize' is not a table of 'mean' and 'scale'")
        for key in ("mean", "scale"):
            values = standardize.get(key)
            if not isinstance(values, list) or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                       and math.isfinite(v) for v in values):
                raise bad(f"'standardize.{key}' is not a list of finite numbers")
            if n is not None and len(values) != n:
                raise bad(f"'standardize.{key}' has {len(values)} values for {n} features")
        if len(standardize["mean"]) != len(standardize["scale"]) or any(v == 0 for v in standardize["scale"]):
            raise bad("'standardize' has means and scales of different lengths, or a zero scale")
    return info


def _guess_example_shape(model):
    """The input size of a plain saved model: the in_features of its first Linear layer, if any."""
    for module in model.modules():
        if hasattr(module, "in_features"):
            return [int(module.in_features)]
    return None


def model_metadata(settings, dataset, example_shape, standardizer):
    return {
        "tensorgate_cli": 1,
        "model": settings["model"],
        "data": settings["data"],
        "seed": settings["seed"],
        "classes": list(dataset.classes),
        "example_shape": [int(s) for s in example_shape],
        "image_shape": list(dataset.image_shape) if dataset.image_shape else None,
        "standardize": None if standardizer is None else {
            "mean": standardizer.mean_.reshape(-1).tolist(),
            "scale": standardizer.scale_.reshape(-1).tolist(),
        },
    }
