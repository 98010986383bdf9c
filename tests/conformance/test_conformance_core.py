"""Tensor idioms of real training and evaluation scripts, run in PyTorch and in tensorgate (conformance_helpers)."""
import numpy as np
import pytest

from conformance_helpers import check_not_supported, compare

RNG = np.random.default_rng(17)
X = RNG.standard_normal((4, 3)).astype(np.float32)

IDIOMS = {
    "sum": (lambda lib, x: x.sum(), [X], True),
    "mean_dim": (lambda lib, x: x.mean(dim=1), [X], True),
}


@pytest.mark.parametrize("name", list(IDIOMS))
def test_idiom(name):
    fn, arrays, grad = IDIOMS[name]
    compare(fn, *arrays, grad=grad)


NOT_SUPPORTED = [
]


@pytest.mark.parametrize("name, fn, arrays, error, match", NOT_SUPPORTED, ids=[n[0] for n in NOT_SUPPORTED])
def test_not_supported(name, fn, arrays, error, match):
    check_not_supported(fn, arrays, error, match)
