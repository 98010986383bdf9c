"""A user's own data: a CSV file with a header, or an NPZ file with arrays ``X`` and ``y``.

The one reader of feature files: :func:`load_table` (labelled data, for training and evaluation) and
:func:`read_features` (features with or without a label column, for prediction) share the parsing, the
checks and one rule for the label column (:func:`label_column_index`).

NPZ files are read member by member with :mod:`zipfile`, never with pickle (object arrays are refused),
and never beyond what the archive's member table declares: each ``.npy`` header's shape must match the
member's declared size, and a member that would inflate to more than ``MAX_INFLATION`` times its
compressed size (and to more than 64 MiB) is refused as a decompression bomb. Only regular files are read.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple
import csv
import math
import zipfile
from pathlib import Path

import numpy as np

from ..backend.files import NotRegularFileError, open_regular

if TYPE_CHECKING:
    import os
    from typing import Sequence

    from numpy.typing import NDArray

__all__ = ["Table", "load_table", "read_features", "label_column_index", "LABEL_COLUMN_NAMES"]

#: An NPZ member may inflate to at most this many times its compressed size (beyond 64 MiB): real arrays
#: compress 2-20×, a zip bomb of zeros about 1000×.
MAX_INFLATION = 200
_SMALL_MEMBER = 64 * 2**20

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

    def __repr__(self) -> str:
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


def label_column_index(header: Sequence[str], label_column: int | str | None = None,
                       n_features: int | None = None) -> int | None:
    """Which column of a CSV header holds the labels (None when the file has none): the one rule.

    1. ``label_column``, a name or an index, when given;
    2. else the first column named ``label``, ``target``, ``y`` or ``class`` (any case);
    3. else, when the caller knows the model's ``n_features``: the last column if the file has exactly
       one column more than that, otherwise none (every column is a feature, and a wrong count is then
       reported as a wrong number of features);
    4. else the last column.

    Shape: header a list of column names; returns an int in [0, len(header)) or None.

    Examples
    --------
    >>> label_column_index(["x1", "Target", "x2"]), label_column_index(["x1", "x2", "kind"])
    (1, 2)
    >>> label_column_index(["x1", "x2", "kind"], n_features=3) is None   # an unlabelled file
    True
    """
    if label_column is not None:
        if isinstance(label_column, (int, np.integer)) and not isinstance(label_column, bool):
            if not -len(header) <= label_column < len(header):
                raise ValueError(f"label_column={label_column} is out of range for {len(header)} columns")
            return int(label_column) % len(header)
        if label_column not in header:
            raise ValueError(f"no column named {label_column!r}; the columns are {header}")
        return header.index(label_column)
    lowered = [h.lower() for h in header]
    named = next((lowered.index(n) for n in LABEL_COLUMN_NAMES if n in lowered), None)
    if named is not None:
        return named
    if n_features is not None:
        return len(header) - 1 if len(header) == n_features + 1 else None
    return len(header) - 1


def _csv_rows(path, delimiter):
    """(header, body) of a CSV file with a header line, every row as long as the header."""
    if delimiter is None:
        delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    f, _ = open_regular(path)
    try:
        with open(f.fileno(), newline="", encoding="utf-8-sig", closefd=False) as text:
            rows = [row for row in csv.reader(text, delimiter=delimiter) if row and any(c.strip() for c in row)]
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a text (UTF-8) CSV file") from None
    except csv.Error as err:
        raise ValueError(f"{path}: not a readable CSV file ({err})") from None
    finally:
        f.close()
    if not rows:
        raise ValueError(f"{path}: the CSV file is empty")
    header, body = [h.strip() for h in rows[0]], rows[1:]
    if all(_is_number(h) for h in header):
        raise ValueError(f"{path}: the first line looks like data, not a header; the CSV file needs a header "
                         f"line naming its columns (e.g. x1,x2,label)")
    if not body:
        raise ValueError(f"{path}: the CSV file has a header but no data rows")
    for i, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise ValueError(f"{path}, line {i}: ragged row: {len(row)} fields, the header has {len(header)}")
    return header, body


def _csv_features(path, header, cells, feature_index):
    """The float64 feature matrix of the columns ``feature_index``; errors name the line and column."""
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
    return X


def _read_csv(path, label_column, delimiter, n_features=None, labelled=True):
    header, body = _csv_rows(path, delimiter)
    try:
        index = label_column_index(header, label_column, None if labelled else n_features)
    except ValueError as err:
        raise ValueError(f"{path}: {err}") from None
    if labelled and len(header) < 2:
        raise ValueError(f"{path}: need at least one feature column and a label column, the header has "
                         f"{len(header)} column(s): {header}")
    feature_index = [j for j in range(len(header)) if j != index]
    if not feature_index:
        raise ValueError(f"{path}: no feature columns; the only column {header[0]!r} is taken as the label")
    cells = np.array(body, dtype=str)
    X = _csv_features(path, header, cells, feature_index)
    if not labelled:
        return X
    y, classes = _encode_labels(_label_values(cells[:, index]), f"{path}, label column {header[index]!r}")
    return Table(X.astype(np.float32), y, classes)


def _npz_array(path, archive, name):
    """Member ``name`` of an open NPZ archive as an array (None if absent), read without pickle and no
    further than the member table declares."""
    member = next((m for m in (name + ".npy", name) if m in archive.NameToInfo), None)
    if member is None:
        return None
    info = archive.getinfo(member)
    if info.file_size > _SMALL_MEMBER and info.file_size > MAX_INFLATION * max(info.compress_size, 1):
        raise ValueError(f"{path}: member {member!r} would inflate from {info.compress_size} to {info.file_size} "
                         f"bytes (more than {MAX_INFLATION}×): refused as a decompression bomb")
    fmt = np.lib.format
    try:
        with archive.open(info) as f:
            version = fmt.read_magic(f)
            header_reader = {(1, 0): fmt.read_array_header_1_0, (2, 0): fmt.read_array_header_2_0}.get(version)
            if header_reader is None:
                raise ValueError(f"unsupported .npy version {version}")
            shape, fortran, dtype = header_reader(f)
            if dtype.hasobject:
                raise ValueError(f"{path}: cannot read the arrays without pickle (member {member!r} holds "
                                 "Python objects); save numeric X and numeric or string y")
            nbytes = math.prod(shape) * dtype.itemsize
            if nbytes != info.file_size - f.tell():
                raise ValueError(f"{path}: member {member!r} declares shape {shape} of {dtype}, {nbytes} bytes, "
                                 f"but the archive's member table declares {info.file_size - f.tell()}")
            data = f.read(nbytes)  # ZipExtFile stops at the declared size and checks the CRC
    except ValueError as err:
        if str(err).startswith(str(path)):
            raise
        raise ValueError(f"{path}: member {member!r} is not a NumPy array ({err})") from None
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as err:
        raise ValueError(f"{path}: member {member!r} is damaged ({err})") from None
    if len(data) != nbytes:
        raise ValueError(f"{path}: member {member!r} is truncated")
    array = np.frombuffer(data, dtype=dtype, count=math.prod(shape))
    return array.reshape(shape, order="F" if fortran else "C").copy()


def _npz_arrays(path, names):
    """({name: array or None}, the set of member names) for the arrays ``names`` of an NPZ file."""
    f, _ = open_regular(path)
    with f:
        try:
            archive = zipfile.ZipFile(f)
        except (zipfile.BadZipFile, OSError, ValueError) as err:
            raise ValueError(f"{path}: not a readable NPZ file ({err})") from None
        with archive:
            members = {m[:-4] if m.endswith(".npy") else m for m in archive.namelist()}
            return {name: _npz_array(path, archive, name) for name in names}, members


def _npz_features(path, X):
    """X of an NPZ file as float64: numeric, (m, n) or (m, ...), at least one row and feature, finite."""
    if X.dtype.kind not in "biuf" or X.ndim < 2:
        raise ValueError(f"{path}: X must be a numeric array of shape (m, n), got {X.dtype} {X.shape}")
    if X.shape[0] == 0:
        raise ValueError(f"{path}: X has no rows (shape {X.shape})")
    if 0 in X.shape[1:]:
        raise ValueError(f"{path}: X has no features (shape {X.shape})")
    X = X.astype(np.float64)
    bad = ~np.isfinite(X.reshape(len(X), -1))
    if bad.any():
        raise ValueError(f"{path}: X contains nan or inf (first in row {int(np.argwhere(bad)[0][0])})")
    return X


def _read_npz(path):
    arrays, names = _npz_arrays(path, ("X", "y", "classes"))
    if not {"X", "y"} <= names:
        raise ValueError(f"{path}: an NPZ file needs arrays named 'X' and 'y', it has {sorted(names)}")
    X, y, classes = _npz_features(path, arrays["X"]).astype(np.float32), arrays["y"], arrays["classes"]
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise ValueError(f"{path}: y must have shape ({X.shape[0]},) to match X {X.shape}, got {y.shape}")
    if classes is not None and y.dtype.kind in "iu":
        classes = tuple(str(c) for c in classes.reshape(-1))
        if y.size and (y.min() < 0 or y.max() >= len(classes)):
            raise ValueError(f"{path}: y must lie in [0, {len(classes)}) to index 'classes', "
                             f"found {int(y.min())}..{int(y.max())}")
        return Table(X, y.astype(np.int64), classes)
    y, names = _encode_labels(y, f"{path}, array 'y'")
    return Table(X, y, names)


def _is_npz(path):
    f, _ = open_regular(path)
    with f:
        is_zip = f.read(4) == b"PK\x03\x04"
    return path.suffix.lower() == ".npz" or is_zip


def _checked_path(path):
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such data file: {path}")
    if path.is_dir():
        raise ValueError(f"{path}: is a directory, not a data file")
    return path


def read_features(path: str | os.PathLike[str], n_features: int | None = None,
                  delimiter: str | None = None) -> NDArray[Any]:
    """The feature matrix of a CSV or NPZ file, with or without a label column (for prediction).

    CSV: the label column, if any, is the one :func:`label_column_index` finds given the model's
    ``n_features``, and is dropped. NPZ: the array ``X`` (a ``y`` is ignored). Non-numeric, non-finite
    and empty inputs are refused, naming the file (and the line and column).

    Parameters
    ----------
    path : str or os.PathLike
    n_features : int, optional
        The number of features the model takes (tells an unlabelled file from a labelled one).
    delimiter : str, optional
        CSV only; a tab for ``.tsv`` files, a comma otherwise.

    Returns
    -------
    numpy.ndarray
        float64.

    Shape
    -----
    result: (m, n) from a CSV file, (m, ...) from an NPZ file; m ≥ 1.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        For anything wrong with its contents, or a path that is not a regular file.
    OSError
        If it cannot be read (permission denied).

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "new.csv")
    >>> with open(path, "w") as f:
    ...     _ = f.write("weight,height\\n4.0,30\\n30.5,60\\n")
    >>> read_features(path, n_features=2)
    array([[ 4. , 30. ],
           [30.5, 60. ]])
    """
    path = _checked_path(path)
    try:
        if _is_npz(path):
            arrays, names = _npz_arrays(path, ("X",))
            if arrays["X"] is None:
                raise ValueError(f"{path}: an NPZ input needs an array named 'X', it has {sorted(names)}")
            return _npz_features(path, arrays["X"])
        return _read_csv(path, None, delimiter, n_features=n_features, labelled=False)
    except NotRegularFileError:
        raise ValueError(f"{path}: not a regular file (a device, FIFO or socket)") from None


def load_table(path: str | os.PathLike[str], label_column: int | str | None = None,
               delimiter: str | None = None) -> Table:
    """Read a labelled data set from a CSV or NPZ file: features, integer labels and class names.

    CSV: a header line naming the columns, then one example per line. The label column is
    ``label_column`` (a name or an index), else the first column called ``label``, ``target``, ``y`` or
    ``class`` (any case), else the last column (:func:`label_column_index`). Every other column is a
    numeric feature.

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
    path = _checked_path(path)
    try:
        if _is_npz(path):
            if label_column is not None:
                raise ValueError(f"{path}: label_column applies to CSV files; an NPZ file holds its labels in 'y'")
            return _read_npz(path)
        return _read_csv(path, label_column, delimiter)
    except NotRegularFileError:
        raise ValueError(f"{path}: not a regular file (a device, FIFO or socket)") from None
