"""PyTorch's spellings of the axis (``dim``, ``keepdim``) give PyTorch's results, gradients included."""
import numpy as np
import pytest
import torch

import tensorgate as tg
import tensorgate.nn.functional as F


def pair(seed=0):
    x = np.random.default_rng(seed).standard_normal((3, 4))
    return tg.tensor(x, dtype="float64", requires_grad=True), torch.tensor(x, requires_grad=True)


@pytest.mark.parametrize("name, call", [
    ("sum", lambda m, t: m.sum(t, dim=1, keepdim=True)),
    ("mean", lambda m, t: m.mean(t, dim=0)),
    ("softmax", lambda m, t: m.softmax(t, dim=0)),
    ("log_softmax", lambda m, t: m.log_softmax(t, dim=1)),
    ("cat", lambda m, t: m.cat([t, 2 * t], dim=1)),
    ("stack", lambda m, t: m.stack([t, t * t], dim=1)),
    ("max values", lambda m, t: m.max(t, dim=1).values),
    ("min values", lambda m, t: m.min(t, dim=0, keepdim=True).values),
])
def test_dim_spelling_matches_torch(name, call):
    ours, theirs = pair()
    a, b = call(F, ours), call(torch, theirs)
    g = np.random.default_rng(1).standard_normal(b.shape)
    a.backward(g)
    b.backward(torch.tensor(g))
    np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-12)


def test_max_with_dim_returns_values_and_indices_as_torch():
    ours, theirs = pair(2)
    values, indices = ours.max(dim=1)
    expected = theirs.max(dim=1)
    np.testing.assert_allclose(values.data, expected.values.detach().numpy())
    np.testing.assert_array_equal(indices.data, expected.indices.numpy())
    np.testing.assert_array_equal(ours.argmin(dim=0, keepdim=True).data, theirs.argmin(dim=0, keepdim=True).numpy())
    np.testing.assert_allclose(ours.max(axis=1).values.data, expected.values.detach().numpy())   # axis= is an alias of dim=, as in PyTorch


def test_axis_and_dim_together_is_an_error():
    ours, _ = pair()
    with pytest.raises(TypeError, match="sum: give the axis once"):
        ours.sum(axis=0, dim=1)
    with pytest.raises(TypeError, match="softmax: give the axis once"):
        F.softmax(ours, axis=0, dim=1)

