"""Metrics of predicted probabilities: the log loss (cross-entropy) of scikit-learn.

The hard-prediction metrics (``classification.py``) count right and wrong labels; the log loss scores the
probabilities themselves, −log p of the true class, so a confident mistake costs more than a hesitant one.
It is the mean of the loss that ``tg.nn.CrossEntropyLoss`` minimises, on probabilities instead of logits.
"""
from __future__ import annotations

from typing import TYPE_CHECKING
import math
import warnings

import numpy as np
from scipy.special import xlogy

from ._validation import (_as_array, _check_finite, _check_labels, _check_nonempty, _check_numeric,
                          _check_same_length, _check_sample_weight, _encode, _unique)
from .classification import _check_label_list

if TYPE_CHECKING:
    from numpy.typing import ArrayLike


def log_loss(y_true: ArrayLike, y_proba: ArrayLike, *, normalize: bool = True, sample_weight: ArrayLike | None = None,
             labels: ArrayLike | None = None) -> float:
    """Cross-entropy loss -1/m sum_i sum_k y_ik log p_ik of predicted probabilities.

    With sample weights w: -sum_i w_i sum_k y_ik log p_ik / sum_i w_i.

    Probabilities are clipped to [eps, 1 - eps] (eps of their dtype), as scikit-learn does.

    Parameters
    ----------
    y_true : array_like or Tensor, shape (m,)
        True labels.
    y_proba : array_like or Tensor, shape (m, K), or (m,) for P(larger label) in the binary case
        Predicted probabilities; column k is the class ``labels[k]`` (labels sorted).
    normalize : bool
        Mean over samples (True) or sum (False); weighted mean or weighted sum with ``sample_weight``.
    sample_weight : array_like or Tensor, shape (m,), optional
        Non-negative weight of each sample.
    labels : array_like, shape (K,), optional
        All class labels, needed when y_true lacks some of them.

    Returns
    -------
    float

    Examples
    --------
    >>> round(log_loss([0, 1], [[0.9, 0.1], [0.2, 0.8]]), 6)   # -(log 0.9 + log 0.8) / 2
    0.164252
    """
    y_true = _check_labels(_as_array(y_true, "y_true"), "y_true")
    y_proba = _check_numeric(_as_array(y_proba, "y_proba"), "y_proba")
    _check_nonempty(y_proba, "y_proba")
    if y_proba.dtype.kind != "f":
        y_proba = y_proba.astype(np.float64)
    _check_finite(y_proba, "y_proba")
    if y_proba.ndim not in (1, 2):
        raise ValueError(f"y_proba must have shape (m,) or (m, K), got shape {y_proba.shape}")
    if y_proba.max() > 1:
        raise ValueError(f"y_proba contains values greater than 1: {y_proba.max()}")
    if y_proba.min() < 0:
        raise ValueError(f"y_proba contains values lower than 0: {y_proba.min()}")
    _check_same_length(y_true, "y_true", y_proba, "y_proba")
    w = _check_sample_weight(sample_weight, y_true.shape[0])

    if labels is not None:
        labels = _check_label_list(labels)
        classes = _unique(labels)
        if not np.array_equal(classes, labels):
            warnings.warn(f"Labels passed were {labels}. But this function assumes labels are ordered "
                          f"lexicographically. Pass the ordered labels={classes.tolist()} and ensure that "
                          "the columns of y_proba correspond to this ordering.", UserWarning, stacklevel=2)
        index = _encode(y_true, classes)
        if (index < 0).any():
            bad = int(np.flatnonzero(index < 0)[0])
            raise ValueError(f"y_true[{bad}] = {y_true[bad]!r} is not one of labels {classes.tolist()}")
        if len(classes) == 1:
            raise ValueError(f"The labels array needs to contain at least two labels, got {classes}.")
    else:
        classes = _unique(y_true)
        if len(classes) == 1:
            raise ValueError(f"y_true contains only one label ({classes[0]}). Please provide the list of all "
                             "expected class labels explicitly through the labels argument.")
        index = _encode(y_true, classes)

    if y_proba.ndim == 1:
        y_proba = y_proba[:, None]
    if y_proba.shape[1] == 1:
        y_proba = np.concatenate([1 - y_proba, y_proba], axis=1)
    eps = np.finfo(y_proba.dtype).eps
    if not np.all(np.isclose(y_proba.sum(axis=1), 1, rtol=math.sqrt(eps))):
        warnings.warn("The y_proba values do not sum to one. Make sure to pass probabilities.",
                      UserWarning, stacklevel=2)
    if len(classes) != y_proba.shape[1]:
        raise ValueError(f"y_true and y_proba contain different number of classes: {len(classes)} vs "
                         f"{y_proba.shape[1]}. Classes found: {classes.tolist()}; pass labels if y_true "
                         "lacks some classes.")

    onehot = np.zeros(y_proba.shape, dtype=y_proba.dtype)
    onehot[np.arange(len(index)), index] = 1
    y_proba = np.clip(y_proba, eps, 1 - eps)
    loss = -np.sum(xlogy(onehot, y_proba), axis=1)
    if w is None:
        return float(np.mean(loss)) if normalize else float(np.sum(loss))
    return float(np.average(loss, weights=w)) if normalize else float(np.dot(loss, w))
