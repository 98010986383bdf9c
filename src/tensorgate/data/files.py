"""A user's own data: a CSV file with a header, or an NPZ file with arrays ``X`` and ``y``.

NPZ files are read with ``np.load(..., allow_pickle=False)``: object arrays are refused, so an untrusted
file can never run code.
"""
import csv
from pathlib import Path
from typing import NamedTuple

import numpy as np

__all__ = ["Table", "load_table", "LABEL_COLUMN_NAMES"]

#: Column names taken as the label column when ``label_column`` is not given (case-insensitive, in order).
LABEL_COLUMN_NAMES = ("label", "target", "y", "class")


class Table(NamedTuple):
    """Features, integer labels and class names read from a file; unpacks as ``X, y, classes``.

    Shape
    -----
    X: (m, n) float32 (or (m, ...) from an NPZ file); y: (m,) int64 in [0, K); classes: K names,
    label k is ``classes[k]``.
    """

    X: np.ndarray
    y: np.ndarray
    classes: tuple

    def __repr__(self):
        return f"Table(X: {self.X.dtype} {self.X.shape}, y: {self.y.dtype} {self.y.shape}, classes={self.classes})"


def _encode_labels(values, where):
    """(y int64 in [0, K), class names) from raw label values: the sorted distinct values become 0..K-1."""
    values = np.asarray(values)
    if values.dtype.kind in "biuf":
        if values.dtype.kind == "f":
            if not np.all(np.isfinite(values)) or np.any(values != np.round(values)):
                raise ValueError(f"{where}: labels must be class labels (integers or names), "
                                 "found non-integer numbers; is this a regression target?")
            values = values.astype(np.int64)
        distinct, y = np.unique(values, return_inverse=True)
        return y.astype(np.int64).reshape(-1), tuple(str(int(v)) for v in distinct)
    if values.dtype.kind == "U":
        distinct, y = np.unique(values, return_inverse=True)
        return y.astype(np.int64).reshape(-1), tuple(str(v) for v in distinct)
    raise ValueError(f"{where}: labels must be integers or strings, got dtype {values.dtype}")


def _label_values(column):
    """A CSV label column as ints when every cell is an integer, else as strings."""
    try:
        numbers = np.array([float(v) for v in column])
    except ValueError:
        return np.array([v.strip() for v in column])
    if np.all(np.isfinite(numbers)) and np.all(numbers == np.round(numbers)):
        return numbers.astype(np.int64)
    return numbers  # _encode_labels explains why non-integers are refused


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _read_csv(path, label_column, delimiter):
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = [row for row in csv.reader(f, delimiter=delimiter) if row and any(c.strip() for c in row)]
    if not rows:
        raise ValueError(f"{path}: the CSV file is empty")
    header, body = [h.strip() for h in rows[0]], rows[1:]
    if all(_is_number(h) for h in header):
        raise ValueError(f"{path}: the first line looks like data, not a header; the CSV file needs a header "
                         f"line naming its columns (e.g. x1,x2,label)")
    if len(header) < 2:
        raise ValueError(f"{path}: need at least one feature column and a label column, the header has "
                         f"{len(header)} column(s): {header}")
    if not body:
        raise ValueError(f"{path}: the CSV file has a header but no data rows")
    for i, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise ValueError(f"{path}, line {i}: ragged row: {len(row)} fields, the header has {len(header)}")

    if label_column is None:
        lowered = [h.lower() for h in header]
        index = next((lowered.index(n) for n in LABEL_COLUMN_NAMES if n in lowered), len(header) - 1)
    elif isinstance(label_column, (int, np.integer)):
        if not -len(header) <= label_column < len(header):
            raise ValueError(f"{path}: label_column={label_column} is out of range for {len(header)} columns")
        index = label_column % len(header)
    else:
        if label_column not in header:
            raise ValueError(f"{path}: no column named {label_column!r}; the columns are {header}")
        index = header.index(label_column)

    cells = np.array(body, dtype=str)
    feature_index = [j for j in range(len(header)) if j != index]
    features = cells[:, feature_index]
    try:
        X = features.astype(np.float64)
    except ValueError:
        for i, row in enumerate(features, start=2):
            for j, text in zip(feature_index, row):
                if not _is_number(text):
                    what = "an empty cell" if not text.strip() else repr(str(text))
                    raise ValueError(f"{path}, line {i}, column {header[j]!r}: {what} is not a number; "
                                     "features must be numeric") from None
        raise
    bad = ~np.isfinite(X)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise ValueError(f"{path}, line {i + 2}, column {header[feature_index[j]]!r}: "
                         f"{str(features[i, j])!r} is not a finite number")
    y, classes = _encode_labels(_label_values(cells[:, index]), f"{path}, label column {header[index]!r}")
    return Table(X.astype(np.float32), y, classes)


def _read_npz(path):
    try:
        archive = np.load(path, allow_pickle=False)
    except ValueError as err:
        raise ValueError(f"{path}: not a readable NPZ file ({err})") from None
    with archive:
        names = set(archive.files)
        if not {"X", "y"} <= names:
            raise ValueError(f"{path}: an NPZ file needs arrays named 'X' and 'y', it has {sorted(names)}")
        try:
            X, y = archive["X"], archive["y"]
            classes = archive["classes"] if "classes" in names else None
        except ValueError as err:  # object arrays need pickle, which is refused
            raise ValueError(f"{path}: cannot read the arrays without pickle ({err}); save numeric X "
                             "and numeric or string y") from None
    if X.ndim < 2 or X.dtype.kind not in "biuf":
        raise ValueError(f"{path}: X must be a numeric array of shape (m, n), got {X.dtype} {X.shape}")
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise ValueError(f"{path}: y must have shape ({X.shape[0]},) to match X {X.shape}, got {y.shape}")
    X = X.astype(np.float32)
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{path}: X contains nan or inf")
    if classes is not None and y.dtype.kind in "iu":
        classes = tuple(str(c) for c in classes.reshape(-1))
        if y.size and (y.min() < 0 or y.max() >= len(classes)):
            raise ValueError(f"{path}: y must lie in [0, {len(classes)}) to index 'classes', "
                             f"found {int(y.min())}..{int(y.max())}")
        return Table(X, y.astype(np.int64), classes)
    y, names = _encode_labels(y, f"{path}, array 'y'")
    return Table(X, y, names)


def load_table(path, label_column=None, delimiter=None):
    """Read a labelled data set from a CSV or NPZ file: features, integer labels and class names.

    CSV: a header line naming the columns, then one example per line. The label column is
    ``label_column`` (a name or an index), else the first column called ``label``, ``target``, ``y`` or
    ``class`` (any case), else the last column. Every other column is a numeric feature.

    NPZ (``np.savez``): arrays ``X`` (numeric, (m, n) or (m, ...)) and ``y`` ((m,)), and optionally
    ``classes`` (the names, when y already holds indices 0..K-1). Read without pickle.

    Labels may be integers or strings; the sorted distinct values become 0..K-1 and their text the class
    names (so labels 0..K-1 stay as they are).

    Parameters
    ----------
    path : str or os.PathLike
        A ``.csv``/``.tsv``/``.txt`` or ``.npz`` file.
    label_column : str or int, optional
        CSV only: the label column's name or index.
    delimiter : str, optional
        CSV only: the field separator; a tab for ``.tsv`` files, a comma otherwise.

    Returns
    -------
    Table
        ``(X, y, classes)``: X float32, y int64 in [0, K), classes a tuple of K strings.

    Shape
    -----
    X: (m, n); y: (m,).

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        For a missing header, ragged rows, a non-numeric or non-finite feature (naming the line and the
        column), an unknown label column, non-integer numeric labels, or an NPZ without ``X`` and ``y``.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "pets.csv")
    >>> with open(path, "w") as f:
    ...     _ = f.write("weight,height,label\\n4.0,30,cat\\n30.5,60,dog\\n3.5,25,cat\\n")
    >>> X, y, classes = load_table(path)
    >>> X.shape, X.dtype, y.tolist(), classes
    ((3, 2), dtype('float32'), [0, 1, 0], ('cat', 'dog'))
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such data file: {path}")
    with open(path, "rb") as f:
        is_zip = f.read(4) == b"PK\x03\x04"
    if path.suffix.lower() == ".npz" or is_zip:
        if label_column is not None:
            raise ValueError(f"{path}: label_column applies to CSV files; an NPZ file holds its labels in 'y'")
        return _read_npz(path)
    if delimiter is None:
        delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        return _read_csv(path, label_column, delimiter)
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a text (UTF-8) CSV file") from None
