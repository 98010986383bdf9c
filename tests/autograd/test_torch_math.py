"""PyTorch's everyday functions of functional/torch_math.py: bad input gets a clear error naming the shape or
the value (their values and gradients are checked against PyTorch in tests/conformance/)."""
import numpy as np
import pytest
import torch

import tensorgate as tg


@pytest.mark.parametrize("call, message", [
    (lambda: tg.tril(tg.zeros(3)), r"tril: expects a tensor of at least 2 dimensions .*got shape \(3,\)"),
    (lambda: tg.triu(tg.zeros((2, 2)), 0.5), r"triu: diagonal must be an int, got 0.5"),
    (lambda: tg.flip(tg.zeros((2, 3)), 2), r"flip: dimension 2 is out of range .*\(2, 3\)"),
    (lambda: tg.flip(tg.zeros((2, 3)), (1, -1)), r"flip: dims \(1, -1\) name a dimension twice"),
    (lambda: tg.roll(tg.zeros((2, 3)), (1, 2), 0), r"roll: 2 shifts for 1 dims"),
    (lambda: tg.roll(tg.zeros((2, 3)), (1, 2)), r"roll: without dims, shifts must be one int"),
    (lambda: tg.outer(tg.zeros((2, 2)), tg.zeros(2)), r"outer: expects two 1-D tensors, got shapes \(2, 2\) and \(2,\)"),
    (lambda: tg.dot(tg.zeros(2), tg.zeros((2, 1))), r"dot: expects two 1-D tensors"),
    (lambda: tg.diag(tg.zeros((2, 2, 2))), r"diag: expects a 1-D or 2-D tensor, got shape \(2, 2, 2\)"),
    (lambda: tg.meshgrid(tg.zeros(2), indexing="yx"), r"meshgrid: indexing must be 'ij' or 'xy', got 'yx'"),
    (lambda: tg.meshgrid(tg.zeros((2, 2))), r"meshgrid: expects 0-D or 1-D tensors"),
    (lambda: tg.logspace(0, 1, -1), r"logspace: steps must be a non-negative integer, got -1"),
])
def test_bad_input_is_named(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


def test_unique_along_a_dimension_says_it_is_not_supported():
    with pytest.raises(NotImplementedError, match="unique: dim= .* is not supported by tensorgate"):
        tg.unique(tg.zeros((2, 2)), dim=0)


def test_tril_zeroes_what_lies_outside_even_nan_and_gives_it_no_gradient():
    """As torch.tril: outside the triangle the result is 0, NaN included, and so is the gradient."""
    a = np.array([[1.0, np.nan], [np.inf, 2.0]], np.float32)
    x, t = tg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    tg.tril(x).sum().backward()
    torch.tril(t).sum().backward()
    np.testing.assert_array_equal(tg.tril(x).numpy(), torch.tril(t).detach().numpy())
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())


def test_erf_gradient_matches_central_differences():
    x = tg.tensor(np.linspace(-3, 3, 13), dtype=tg.float64, requires_grad=True)
    assert tg.gradcheck(tg.erf, x)


def test_diag_of_a_long_vector_costs_a_matrix_not_a_cube():
    """diag of n values makes one (n, n) gather, not an (n, n, n) product: 2,000 values in a blink."""
    v = tg.arange(2000, dtype=tg.float32)
    d = tg.diag(v)
    assert d.shape == (2000, 2000) and float(d.sum()) == float(v.sum()) and float(d[1999, 1999]) == 1999.0
