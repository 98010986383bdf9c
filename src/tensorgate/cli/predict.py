"""``tensorgate predict MODEL INPUT [--output FILE]``: the class and class probabilities of every row.

INPUT is a CSV file with a header (or an NPZ file with an array ``X``) holding the raw features, with or
without a label column: a column named label/target/y/class is dropped, and so is a last extra column
when the file has one column more than the model takes. The model's standardisation is applied. The
result is CSV: ``class`` (the predicted class's name) and ``p_<class>`` per class, one row per input row.
"""
import csv
import io as _io
import os
import sys
from pathlib import Path

from .errors import UserError, one_line


def add_parser(subparsers):
    p = subparsers.add_parser(
        "predict", help="predict the class and class probabilities of each row of a CSV/NPZ file",
        description="Predict the class and the class probabilities of every row of INPUT (a CSV with a "
                    "header, or an NPZ with an array X), with or without a label column. Writes CSV to "
                    "stdout or --output.",
        epilog="example: tensorgate predict runs/20250101-120000-moons-mlp new_points.csv --output pred.csv")
    p.add_argument("model", metavar="MODEL", help="a model file (.tgate) or a run directory")
    p.add_argument("input", metavar="INPUT", help="a CSV or NPZ file of features")
    p.add_argument("--output", "-o", default=None, metavar="FILE", help="write the CSV here (default: stdout)")
    p.set_defaults(run=run)
    return p


def read_features(path, n_features):
    """The feature matrix of a CSV/NPZ file, label column dropped (:func:`tensorgate.data.read_features`);
    user errors name the problem.

    Shape: result (m, n) float64, or (m, ...) from an NPZ file.
    """
    from ..data import read_features as read

    path = Path(path).expanduser()
    try:
        return read(path, n_features)
    except FileNotFoundError:
        raise UserError(f"no such input file: {path}") from None
    except (ValueError, OSError) as err:
        raise UserError(f"input: {one_line(err)}") from None


def run(args, extra):
    from .runs import Predictor

    predictor = Predictor.load(args.model)
    X = read_features(args.input, predictor.n_features)
    proba = predictor.predict_proba(X, where=f"input {args.input}")
    names = predictor.class_names(proba.shape[1])
    predicted = proba.argmax(axis=1)

    buffer = _io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["class"] + [f"p_{n}" for n in names])
    for k, p in zip(predicted, proba):
        writer.writerow([names[k]] + [f"{v:.6f}" for v in p])
    text = buffer.getvalue()
    if args.output:
        from .runs import write_text

        out = Path(args.output).expanduser()
        for role, other in (("the model file", predictor.path), ("the input file", Path(args.input).expanduser())):
            if _same_file(out, other):
                raise UserError(f"--output: {out} is {role}; writing the predictions there would destroy it. "
                                "Give another file name")
        if out.is_dir():
            raise UserError(f"--output: {out} is a directory; give a file name")
        if not out.parent.exists():
            raise UserError(f"--output: the directory {out.parent} does not exist")
        write_text(out, text)
        print(f"wrote {len(predicted)} predictions to {out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _same_file(a, b):
    """Whether paths ``a`` and ``b`` name one file (through links, ``..`` and case-folding file systems)."""
    if b is None:
        return False
    try:
        return Path(a).exists() and Path(b).exists() and os.path.samefile(a, b)
    except OSError:
        return Path(a).resolve() == Path(b).resolve()
