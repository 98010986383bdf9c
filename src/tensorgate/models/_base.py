"""Plumbing shared by the estimators: input validation, label encoding, random generators.

Every estimator validates its input with scikit-learn's own utilities (``validate_data``,
``check_is_fitted``, ``check_classification_targets``), so bad input gets scikit-learn's usual messages:
nan or inf in X, 1-D X, X and y of different lengths, predicting before fitting, the wrong number of
features. Class labels may be anything ``numpy.unique`` can sort (strings included): they are stored in
``classes_`` and the networks see their indices 0..K−1.
"""
import numpy as np
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, check_random_state, validate_data

__all__ = ["validate_fit", "validate_predict", "encode_labels", "make_rng", "check_one_of", "check_positive"]


def validate_fit(estimator, X, y, dtype=np.float32, multi_output=False, y_numeric=False, reset=True,
                 accept_sparse=False):
    """Validate training data and record ``n_features_in_`` (and ``feature_names_in_`` for DataFrames).

    ``dtype`` may be a list (scikit-learn's: X keeps its dtype if listed, else becomes the first);
    ``reset=False`` (warm_start, partial_fit) checks X against the features recorded before.

    Shape: X: (m, n) → (m, n) array of ``dtype``; y: (m,) (or (m, K) with ``multi_output``).
    """
    return validate_data(estimator, X, y, dtype=dtype, multi_output=multi_output, y_numeric=y_numeric,
                         reset=reset, accept_sparse=accept_sparse)


def validate_predict(estimator, X, dtype=np.float32, accept_sparse=False):
    """Check that ``estimator`` is fitted and that X is finite, 2-D and has the features it was fitted on.

    Shape: X: (m, n_features_in_) → (m, n_features_in_) array of ``dtype``.
    """
    check_is_fitted(estimator)
    return validate_data(estimator, X, dtype=dtype, reset=False, accept_sparse=accept_sparse)


def encode_labels(y, minimum_classes=2):
    """Class labels → (classes, indices): ``classes[indices] == y``.

    Raises scikit-learn's error for continuous targets and a ValueError naming the class when y holds
    fewer than ``minimum_classes`` classes.

    Shape: y: (m,) → classes: (K,), indices: (m,) int64.
    """
    check_classification_targets(y)
    classes, indices = np.unique(y, return_inverse=True)
    if len(classes) < minimum_classes:
        raise ValueError(
            f"y contains only one class ({classes[0]!r}); a classifier needs samples of at least "
            f"{minimum_classes} classes in the data")
    return classes, indices.reshape(-1).astype(np.int64)


def is_multilabel(y):
    """True when y is a 2-D 0/1 indicator matrix (one column per label)."""
    return np.ndim(y) == 2 and np.shape(y)[1] > 1 and type_of_target(y) == "multilabel-indicator"


def make_rng(random_state):
    """A ``numpy.random.Generator`` from ``random_state`` (None, an int, a RandomState or a Generator).

    The estimators draw all their randomness (initial weights, shuffling, validation splits) from it, so
    the same ``random_state`` repeats a fit exactly and tensorgate's global generator is left alone.
    """
    if isinstance(random_state, np.random.Generator):
        return random_state
    seed = check_random_state(random_state).randint(np.iinfo(np.int32).max)
    return np.random.default_rng(seed)


def check_one_of(estimator, name, value, allowed):
    """Raise a ValueError naming the parameter if ``value`` is not one of ``allowed``."""
    if value not in allowed:
        raise ValueError(f"{type(estimator).__name__}: {name} must be one of {list(allowed)}, got {value!r}")
    return value


def check_positive(estimator, name, value, integer=False, allow_zero=False):
    """Raise a ValueError naming the parameter if ``value`` is not a positive (or non-negative) number."""
    kinds = (int, np.integer) if integer else (int, float, np.integer, np.floating)
    if isinstance(value, bool) or not isinstance(value, kinds) or not np.isfinite(value) \
            or value < 0 or (value == 0 and not allow_zero):
        what = ("a non-negative " if allow_zero else "a positive ") + ("integer" if integer else "number")
        raise ValueError(f"{type(estimator).__name__}: {name} must be {what}, got {value!r}")
    return value
