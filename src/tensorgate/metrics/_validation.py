"""Input checks shared by every metric: convert, check shapes, lengths and finiteness, name what is wrong.

Every error names the argument and, where there is one, the first bad index, so that
``roc_curve(y, s)`` with a nan in ``s`` says ``y_score[17] is nan`` rather than failing deep inside a sort.
"""
import numpy as np

from ..autograd import Tensor


class UndefinedMetricWarning(UserWarning):
    """A metric is undefined for this input (for example an AUC with one class) and was set to nan or 0.

    The counterpart of ``sklearn.exceptions.UndefinedMetricWarning``.
    """


def _as_array(x, name):
    """Turn ``x`` (a Tensor, a NumPy array, a list, a tuple) into a NumPy array; never copies a Tensor."""
    if isinstance(x, Tensor):
        return x.detach().numpy()
    if x is None:
        raise ValueError(f"{name}: expected an array, got None")
    return np.asarray(x)


def _check_nonempty(a, name):
    if a.size == 0 or (a.ndim > 0 and a.shape[0] == 0):
        raise ValueError(f"{name} is empty (shape {a.shape}); at least one sample is needed")


def _check_1d(a, name):
    """Accept (m,) or (m, 1) and return (m,)."""
    if a.ndim == 2 and a.shape[1] == 1:
        a = a[:, 0]
    if a.ndim != 1:
        raise ValueError(f"{name} must have shape (m,), got shape {a.shape}")
    return a


def _check_same_length(a, name_a, b, name_b):
    if a.shape[0] != b.shape[0]:
        first = min(a.shape[0], b.shape[0])
        raise ValueError(
            f"{name_a} and {name_b} have different lengths: {name_a} has {a.shape[0]} samples, "
            f"{name_b} has {b.shape[0]}; index {first} is in one but not the other"
        )


def _check_finite(a, name):
    """Raise if a numeric array holds nan or inf, naming the first bad index (row, column for 2-d)."""
    if a.dtype.kind not in "fc":
        return
    finite = np.isfinite(a)
    if finite.all():
        return
    flat = int(np.flatnonzero(~finite.ravel())[0])
    index = np.unravel_index(flat, a.shape)
    where = ", ".join(str(int(i)) for i in index)
    value = a[index]
    n_bad = int(a.size - np.count_nonzero(finite))
    raise ValueError(
        f"{name}[{where}] is {value}: {name} must be finite "
        f"({n_bad} non-finite value{'s' if n_bad > 1 else ''} in all)"
    )


def _check_numeric(a, name):
    """Scores must be numbers; turn an object array of numbers into float64."""
    if a.dtype.kind in "biuf":
        return a
    try:
        return a.astype(np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must hold numbers, got dtype {a.dtype}") from None


def _check_labels(y, name):
    """Class labels: 1-d, non-empty, no nan, no mixing of strings and numbers."""
    y = _check_1d(y, name)
    _check_nonempty(y, name)
    _check_finite(y, name)
    if y.dtype.kind == "O":
        kinds = {isinstance(v, str) for v in y.tolist()}
        if len(kinds) > 1:
            raise ValueError(f"{name} mixes strings and numbers; use one kind of label")
    return y


def _check_sample_weight(sample_weight, n, against="y_true"):
    """Sample weights: None, or non-negative finite numbers of shape (n,), not all zero.

    Shape: sample_weight (n,) -> (n,) int64 for integer (or boolean) weights, float64 otherwise; None stays
    None. ``against`` names the argument whose length n is. scikit-learn also rejects all-zero weights; it
    accepts negative ones, which have no meaning as weights of samples and are refused here.
    """
    if sample_weight is None:
        return None
    w = _check_numeric(_as_array(sample_weight, "sample_weight"), "sample_weight")
    if w.dtype.kind == "c":
        raise ValueError(f"sample_weight must hold real numbers, got dtype {w.dtype}")
    if w.ndim != 1:
        raise ValueError(f"sample_weight must have shape (n,) = ({n},), one weight per sample of {against}, "
                         f"got shape {w.shape}")
    if w.shape[0] != n:
        raise ValueError(f"sample_weight has {w.shape[0]} weights but {against} has {n} samples: "
                         f"sample_weight must have shape ({n},), got shape {w.shape}")
    _check_finite(w, "sample_weight")
    w = w.astype(np.int64 if w.dtype.kind in "biu" else np.float64, copy=False)
    negative = w < 0
    if negative.any():
        first = int(np.flatnonzero(negative)[0])
        n_bad = int(np.count_nonzero(negative))
        raise ValueError(f"sample_weight[{first}] is {w[first]}: sample weights must be >= 0 "
                         f"({n_bad} negative value{'s' if n_bad > 1 else ''} in all)")
    if not w.any():
        raise ValueError(f"sample_weight is all zeros (shape {w.shape}): at least one sample needs a "
                         "positive weight")
    return w


def _label_kind(y):
    return "str" if y.dtype.kind in "USO" and y.size and isinstance(y.flat[0], str) else "num"


def _unique(y):
    """Sorted distinct values of a 1-d array; for small-range integers by bincount (no sort)."""
    if y.dtype.kind in "biu" and y.size:
        lo, hi = int(y.min()), int(y.max())
        if hi - lo < 1 << 20:
            present = np.flatnonzero(np.bincount((y - lo).astype(np.intp, copy=False)))
            return (present + lo).astype(y.dtype)
    return np.unique(y)


def _contains(values, x):
    """``x in values`` without NumPy's elementwise comparison of strings with numbers."""
    return any(v == x for v in np.asarray(values).tolist())


def _encode(y, labels):
    """Index of each element of ``y`` in ``labels`` (an array of distinct labels), -1 where absent.

    Shape: y (m,), labels (K,) -> (m,) int64, O(m log K).
    """
    labels = np.asarray(labels)
    if labels.size == 0:
        return np.full(y.shape, -1, dtype=np.int64)
    if _label_kind(y) != _label_kind(labels):
        return np.full(y.shape, -1, dtype=np.int64)
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    pos = np.searchsorted(sorted_labels, y)
    pos = np.minimum(pos, labels.size - 1)
    found = sorted_labels[pos] == y
    return np.where(found, order[pos], -1).astype(np.int64)
