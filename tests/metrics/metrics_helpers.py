"""Hypothesis strategies and comparison helpers shared by the metrics tests (scikit-learn is the oracle)."""
import warnings
from contextlib import contextmanager

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

NAMES = np.array(["ant", "bee", "cat", "dog", "eel", "fox"])
TIED_SCORES = [-2.0, -0.5, 0.0, 0.1, 0.25, 0.5, 0.7, 0.9, 3.0]


def assert_close(actual, expected):
    """Equal to 1e-12 (absolute), same shape, nan where the oracle has nan."""
    actual, expected = np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-12, equal_nan=True)


@contextmanager
def quiet():
    """Silence the undefined-metric warnings of both libraries (tests that check warnings do so explicitly)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@st.composite
def label_pairs(draw, min_classes=1, max_classes=5, max_size=40, strings=None):
    """(y_true, y_pred) of integer or string labels; some classes may be missing from either."""
    n = draw(st.integers(1, max_size))
    k = draw(st.integers(min_classes, max_classes))
    y_true = draw(arrays(np.int64, n, elements=st.integers(0, k - 1)))
    y_pred = draw(arrays(np.int64, n, elements=st.integers(0, k - 1)))
    if strings is None:
        strings = draw(st.booleans())
    if strings:
        return NAMES[y_true], NAMES[y_pred]
    return y_true, y_pred


@st.composite
def scores(draw, n, tied=None):
    """Scores (n,): from a small set (many ties) or arbitrary finite floats of either sign."""
    if tied is None:
        tied = draw(st.booleans())
    if tied:
        return draw(arrays(np.float64, n, elements=st.sampled_from(TIED_SCORES)))
    return draw(arrays(np.float64, n, elements=st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)))


@st.composite
def binary_problems(draw, min_size=2, max_size=60, both_classes=True):
    """(y_true in {0, 1}, y_score) with both classes present unless asked otherwise."""
    n = draw(st.integers(min_size, max_size))
    y = draw(arrays(np.int64, n, elements=st.integers(0, 1)))
    if both_classes:
        i, j = draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True))
        y[i], y[j] = 0, 1
    return y, draw(scores(n))


@st.composite
def multiclass_problems(draw, max_size=60, max_classes=5):
    """(y_true in 0..K-1 with every class present, probabilities (n, K) with ties, K)."""
    k = draw(st.integers(3, max_classes))
    n = draw(st.integers(k, max_size))
    y = draw(arrays(np.int64, n, elements=st.integers(0, k - 1)))
    y[:k] = draw(st.permutations(range(k)))
    raw = draw(arrays(np.float64, (n, k), elements=st.sampled_from([0.0, 1.0, 2.0, 3.0, 5.0])))
    raw[:, 0] += 0.5                                      # no all-zero row
    return y, raw / raw.sum(axis=1, keepdims=True), k
