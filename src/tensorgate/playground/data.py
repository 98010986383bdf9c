"""The playground's data: the 2-D sets scaled to the page's square, clicked points and CSV uploads, bounded.

Every set is binary (labels 0 and 1) and lives in about [-5, 5]² (noise may spread it to the edges) so that the course's basis functions
(x², sin x) bend visibly over the drawn square [-6, 6]². An uploaded CSV keeps its own coordinates; the
drawn square then follows its points.
"""
import csv
import io

import numpy as np

from ..data import synthetic

__all__ = ["DATASETS", "DOMAIN", "LIMITS", "DataError", "make_dataset", "parse_csv", "split", "to_csv", "bounds_of"]

#: the drawn square for the generated sets: x₁, x₂ ∈ [-6, 6]
DOMAIN = (-6.0, 6.0, -6.0, 6.0)

#: what one tab may ask for (the server adds its own: sessions, message size)
LIMITS = {"points": 2000, "generated_points": 1000, "csv_bytes": 256 * 1024, "layers": 6, "neurons": 8,
          "degree": 6}

DATASETS = ("circles", "xor", "blobs", "spiral", "moons")


class DataError(ValueError):
    """Data the page cannot use (a bad CSV, too many points); the message is shown to the learner."""


def make_dataset(name, n_points, noise, seed):
    """``(X, y)``: ``n_points`` points of the set ``name`` with noise level ``noise`` (0 to 0.5, a fraction
    of the set's size), drawn from ``seed``.

    Shape: X: (n_points, 2) float32 in [-6, 6]²; y: (n_points,) int64 in {0, 1}.
    """
    if name not in DATASETS:
        raise DataError(f"dataset must be one of {', '.join(DATASETS)}, got {name!r}")
    if name == "circles":
        X, y = synthetic.make_circles(n_points, noise=noise * 0.2 or None, random_state=seed, factor=0.5)
        X = X * 4.5
    elif name == "xor":
        X, y = synthetic.make_xor(n_points, noise=noise * 0.3, random_state=seed)
        X = X * 4.0
    elif name == "blobs":
        centers = np.array([[-2.0, -2.0], [2.0, 2.0]])
        X, y = synthetic.make_blobs(n_points, centers=centers, cluster_std=0.6 + 1.4 * noise, random_state=seed)
    elif name == "spiral":
        X, y = synthetic.make_spiral(n_points, n_classes=2, noise=noise * 0.3, random_state=seed)
        X = X * 4.5
    else:  # moons: [-1, 2] × [-0.5, 1] centred and stretched
        X, y = synthetic.make_moons(n_points, noise=noise * 0.5 or None, random_state=seed)
        X = (X - np.array([0.5, 0.25])) * 2.8
    # the rare point that noise throws out of the drawn square is kept on its edge, where the page shows it
    X = np.clip(X, DOMAIN[0], DOMAIN[1])
    return np.asarray(X, dtype=np.float32), np.asarray(y, dtype=np.int64)


def split(n, train_ratio, seed):
    """Indices ``(train, test)`` of a seeded random split with ``round(train_ratio·n)`` training points (at
    least one of each when n ≥ 2)."""
    order = np.random.default_rng(seed).permutation(n)
    k = int(round(train_ratio * n))
    k = min(max(k, 1), n - 1) if n >= 2 else n
    return np.sort(order[:k]), np.sort(order[k:])


def parse_csv(text, max_points=LIMITS["points"], max_bytes=LIMITS["csv_bytes"]):
    """``(X, y)`` from CSV text with two feature columns and a label column (0/1, or two distinct values, the
    larger is class 1 — read as numbers when all are numbers, else sorted as text). A header row is
    recognised when its first two fields are not numbers. Every problem is a :class:`DataError` naming the row.

    Shape: X: (m, 2) float32; y: (m,) int64.
    """
    if not isinstance(text, str):
        raise DataError("CSV upload: expected the file's text")
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise DataError(f"CSV upload: the file has {size} bytes; the limit is {max_bytes} bytes")
    rows = [r for r in csv.reader(io.StringIO(text)) if any(field.strip() for field in r)]
    if rows and not (_is_number(rows[0][0]) and len(rows[0]) > 1 and _is_number(rows[0][1])):
        rows = rows[1:]  # a header
    if not rows:
        raise DataError("CSV upload: no data rows (expected x1,x2,label per line)")
    if len(rows) > max_points:
        raise DataError(f"CSV upload: {len(rows)} rows; the limit is {max_points} points")
    X = np.empty((len(rows), 2), dtype=np.float64)
    labels = []
    for i, row in enumerate(rows, start=1):
        if len(row) != 3:
            raise DataError(f"CSV upload: data row {i} has {len(row)} fields; expected 3 (x1,x2,label)")
        for j in (0, 1):
            if not _is_number(row[j]):
                raise DataError(f"CSV upload: data row {i}, column {j + 1}: {row[j].strip()[:30]!r} is not a number")
            X[i - 1, j] = float(row[j])
        labels.append(row[2].strip())
    if not np.isfinite(X).all():
        raise DataError("CSV upload: the features must be finite numbers (no inf or nan)")
    if np.abs(X).max() > 1e6:
        raise DataError("CSV upload: features larger than 1e6 in size; scale the data first")
    classes = sorted(set(labels), key=lambda s: (float(s), s) if _is_number(s) else (0.0, s)) \
        if all(_is_number(s) for s in labels) else sorted(set(labels))
    if len(classes) != 2:
        raise DataError(f"CSV upload: the label column must hold exactly 2 classes, found {len(classes)}: "
                        f"{', '.join(classes[:5])}{' ...' if len(classes) > 5 else ''}")
    y = np.array([classes.index(s) for s in labels], dtype=np.int64)
    return X.astype(np.float32), y


def _is_number(text):
    try:
        float(text)
    except (TypeError, ValueError):
        return False
    return True


def bounds_of(X):
    """A drawn rectangle around the points: each axis' range padded by 10% (at least ±1)."""
    lo, hi = X.min(axis=0).astype(float), X.max(axis=0).astype(float)
    pad = np.maximum((hi - lo) * 0.1, 1.0)
    return (lo[0] - pad[0], hi[0] + pad[0], lo[1] - pad[1], hi[1] + pad[1])


def to_csv(X, y, is_train):
    """The points as CSV text: ``x1,x2,label,split`` with split ``train`` or ``test``."""
    out = io.StringIO()
    out.write("x1,x2,label,split\n")
    for (a, b), label, train in zip(X.tolist(), y.tolist(), is_train.tolist()):
        out.write(f"{a:.6g},{b:.6g},{label},{'train' if train else 'test'}\n")
    return out.getvalue()
