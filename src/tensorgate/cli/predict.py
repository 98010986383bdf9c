"""``tensorgate predict MODEL INPUT [--output FILE]``: the class and class probabilities of every row.

INPUT is a CSV file with a header (or an NPZ file with an array ``X``) holding the raw features, with or
without a label column: a column named label/target/y/class is dropped, and so is a last extra column
when the file has one column more than the model takes. The model's standardisation is applied. The
result is CSV: ``class`` (the predicted class's name) and ``p_<class>`` per class, one row per input row.
"""
import csv
import io as _io
import sys
from pathlib import Path

import numpy as np

from .errors import UserError, one_line

LABEL_NAMES = ("label", "target", "y", "class")


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
    """The feature matrix of a CSV/NPZ file, label column dropped; user errors name the problem.

    Shape: result (m, n) float64, or (m, ...) from an NPZ file.
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise UserError(f"no such input file: {path}")
    if not path.is_file():
        raise UserError(f"input: not a file: {path}")
    with open(path, "rb") as f:
        is_zip = f.read(4) == b"PK\x03\x04"
    if path.suffix.lower() == ".npz" or is_zip:
        return _read_npz(path)
    return _read_csv(path, n_features)


def _read_npz(path):
    try:
        with np.load(path, allow_pickle=False) as archive:
            if "X" not in archive.files:
                raise UserError(f"{path}: an NPZ input needs an array named 'X', it has {sorted(archive.files)}")
            X = archive["X"]
    except UserError:
        raise
    except (OSError, ValueError) as err:
        raise UserError(f"{path}: not a readable NPZ file ({one_line(err)})") from None
    if X.ndim < 2 or X.dtype.kind not in "biuf":
        raise UserError(f"{path}: X must be a numeric array of shape (m, n), got {X.dtype} {X.shape}")
    return X.astype(np.float64)


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _read_csv(path, n_features):
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = [r for r in csv.reader(f, delimiter=delimiter) if r and any(c.strip() for c in r)]
    except UnicodeDecodeError:
        raise UserError(f"{path}: not a text (UTF-8) CSV file") from None
    if not rows:
        raise UserError(f"{path}: the file is empty")
    header = [h.strip() for h in rows[0]]
    if all(_is_number(h) for h in header):
        raise UserError(f"{path}: the first line looks like data; the CSV needs a header line naming its columns")
    body = rows[1:]
    if not body:
        raise UserError(f"{path}: a header but no data rows")
    for i, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise UserError(f"{path}, line {i}: {len(row)} fields, the header has {len(header)}")
    lowered = [h.lower() for h in header]
    keep = list(range(len(header)))
    named = next((lowered.index(n) for n in LABEL_NAMES if n in lowered), None)
    if named is not None:
        keep.remove(named)
    elif n_features is not None and len(header) == n_features + 1:
        keep.pop()  # one column too many: the last is the label, as in tensorgate.data.load_table
    X = np.empty((len(body), len(keep)), dtype=np.float64)
    for i, row in enumerate(body):
        for j, col in enumerate(keep):
            text = row[col].strip()
            try:
                X[i, j] = float(text)
            except ValueError:
                what = "an empty cell" if not text else repr(text)
                raise UserError(f"{path}, line {i + 2}, column {header[col]!r}: {what} is not a number") from None
    if not np.all(np.isfinite(X)):
        i, j = np.argwhere(~np.isfinite(X))[0]
        raise UserError(f"{path}, line {i + 2}, column {header[keep[j]]!r}: not a finite number")
    return X


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
        if out.is_dir():
            raise UserError(f"--output: {out} is a directory; give a file name")
        if not out.parent.exists():
            raise UserError(f"--output: the directory {out.parent} does not exist")
        write_text(out, text)
        print(f"wrote {len(predicted)} predictions to {out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
