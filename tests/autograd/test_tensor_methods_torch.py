"""PyTorch's tensor methods (unsqueeze, squeeze, clone, t, mm, var, std, casts, comparisons, fill_, ...)
give PyTorch's results: values, dtypes and, for the differentiable ones, gradients."""
import numpy as np
import pytest
import torch

import tensorgate as tg


def pair(shape=(3, 4), seed=0):
    x = np.random.default_rng(seed).standard_normal(shape)
    return tg.tensor(x, dtype="float64", requires_grad=True), torch.tensor(x, requires_grad=True)


def check_against_torch(call, shape=(3, 4)):
    """Run ``call`` on both tensors, backpropagate the same random upstream gradient, compare both results."""
    ours, theirs = pair(shape)
    a, b = call(ours), call(theirs)
    assert a.shape == tuple(b.shape)
    g = np.random.default_rng(1).standard_normal(tuple(b.shape))
    a.backward(g)
    b.backward(torch.tensor(g))
    np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name, call, shape", [
    ("unsqueeze 0", lambda t: t.unsqueeze(0), (3, 4)),
    ("unsqueeze 1", lambda t: t.unsqueeze(1), (3, 4)),
    ("unsqueeze -1", lambda t: t.unsqueeze(-1), (3, 4)),
    ("unsqueeze -3", lambda t: t.unsqueeze(-3), (3, 4)),
    ("squeeze all", lambda t: t.squeeze(), (3, 1, 4, 1)),
    ("squeeze dim", lambda t: t.squeeze(1), (3, 1, 4, 1)),
    ("squeeze -1", lambda t: t.squeeze(-1), (3, 1, 4, 1)),
    ("squeeze dim not 1", lambda t: t.squeeze(0), (3, 1, 4, 1)),
    ("squeeze tuple", lambda t: t.squeeze((1, 3)), (3, 1, 4, 1)),
    ("clone", lambda t: t.clone() * 2, (3, 4)),
    ("t 2-D", lambda t: t.t(), (3, 4)),
    ("t 1-D", lambda t: t.t(), (4,)),
    ("matmul", lambda t: t.matmul(t.t()), (3, 4)),
    ("mm", lambda t: t.mm(t.t() * 3), (3, 4)),
    ("neg", lambda t: t.neg(), (3, 4)),
    ("var all", lambda t: t.var(), (3, 4)),
    ("var dim", lambda t: t.var(dim=1), (3, 4)),
    ("var dim keepdim", lambda t: t.var(dim=0, keepdim=True), (3, 4)),
    ("var dims", lambda t: t.var(dim=(0, 2)), (3, 4, 2)),
    ("var biased", lambda t: t.var(dim=1, unbiased=False), (3, 4)),
    ("var correction", lambda t: t.var(0, correction=2), (3, 4)),
    ("std all", lambda t: t.std(), (3, 4)),
    ("std dim", lambda t: t.std(dim=1, keepdim=True), (3, 4)),
    ("std biased", lambda t: t.std(0, correction=0), (3, 4)),
])
def test_differentiable_methods_match_torch(name, call, shape):
    check_against_torch(call, shape)


def test_var_and_std_accept_numpy_spellings_and_keep_float32():
    x = np.random.default_rng(2).standard_normal((5, 3)).astype(np.float32)
    ours, theirs = tg.tensor(x), torch.tensor(x)
    np.testing.assert_allclose(ours.var(axis=0, keepdims=True).data, theirs.var(dim=0, keepdim=True).numpy(),
                               rtol=1e-5)
    np.testing.assert_allclose(ours.std(axis=1).data, theirs.std(dim=1).numpy(), rtol=1e-5)
    assert ours.var().dtype == np.float32 and ours.std(dim=0).dtype == np.float32
    assert tg.tensor(x, dtype="float64").std().dtype == np.float64
    with pytest.raises(TypeError, match="var: give the axis once"):
        ours.var(axis=0, dim=1)


def test_var_of_one_element_is_nan_as_torch():
    with pytest.warns(UserWarning, match="degrees of freedom"):
        expected = torch.tensor([3.0]).var()
    assert expected.isnan() and np.isnan(tg.tensor([3.0]).var().item())


def test_clone_owns_its_memory_and_keeps_integers():
    x = tg.tensor([1.0, 2.0])
    y = x.clone()
    with tg.no_grad():
        y.fill_(7.0)
    np.testing.assert_array_equal(x.data, [1.0, 2.0])
    labels = tg.tensor([1, 2, 3])
    copy = labels.clone()
    assert copy.dtype == np.int64 and not np.shares_memory(copy.data, labels.data)


def test_shape_errors_name_the_argument_and_shape():
    x = tg.zeros(3, 4)
    with pytest.raises(ValueError, match=r"unsqueeze: dim must be in \[-3, 2\] for shape \(3, 4\), got 3"):
        x.unsqueeze(3)
    with pytest.raises(ValueError, match=r"squeeze: dim 2 is out of range for shape \(3, 4\)"):
        x.squeeze(2)
    with pytest.raises(ValueError, match=r"t: expects a tensor with at most 2 dimensions, got shape \(2, 3, 4\)"):
        tg.zeros(2, 3, 4).t()
    with pytest.raises(ValueError, match=r"mm: expects two 2-D tensors, got shapes \(3, 4\) and \(4,\)"):
        x.mm(tg.zeros(4))


@pytest.mark.parametrize("method, dtype", [("long", np.int64), ("int", np.int32), ("bool", np.bool_),
                                           ("float", np.float32), ("double", np.float64)])
def test_casts_match_torch(method, dtype):
    x = np.array([[-1.7, 0.0, 0.4], [2.5, -0.2, 3.0]])
    ours, theirs = getattr(tg.tensor(x, dtype="float64"), method)(), getattr(torch.tensor(x), method)()
    assert ours.dtype == dtype
    assert str(theirs.dtype) == "torch." + {"long": "int64", "int": "int32", "bool": "bool",
                                            "float": "float32", "double": "float64"}[method]
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_integer_and_boolean_casts_carry_no_gradient():
    x = tg.tensor([1.5, -2.0], requires_grad=True)
    for cast in (x.long(), x.int(), x.bool()):
        assert not cast.requires_grad and cast.grad_fn is None


@pytest.mark.parametrize("name", ["lt", "le", "gt", "ge", "ne", "eq"])
def test_comparison_methods_match_torch(name):
    a = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
    b = np.array([2.0, 2.0, 2.0])
    for other_ours, other_theirs in [(tg.tensor(b), torch.tensor(b)), (2.0, 2.0)]:
        ours = getattr(tg.tensor(a), name)(other_ours)
        theirs = getattr(torch.tensor(a), name)(other_theirs)
        assert ours.dtype == np.bool_ and not ours.requires_grad
        np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_fill_and_zero_modify_in_place_and_return_self_as_torch():
    ours, theirs = tg.ones(2, 3), torch.ones(2, 3)
    data = ours.data
    assert ours.fill_(2.5) is ours and ours.data is data
    theirs.fill_(2.5)
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    assert ours.zero_() is ours
    np.testing.assert_array_equal(data, np.zeros((2, 3)))
    assert ours.fill_(tg.tensor(4.0)) is ours and (ours.data == 4.0).all()
    labels = tg.tensor([1, 2])
    labels.fill_(1.9)  # an integer tensor truncates, as torch does
    np.testing.assert_array_equal(labels.data, torch.tensor([1, 2]).fill_(1.9).numpy())


def test_fill_follows_torchs_rules_for_tensors_that_require_grad():
    w = tg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="fill_: a leaf Variable that requires grad"):
        w.fill_(0.0)
    with pytest.raises(RuntimeError):
        torch.ones(3, requires_grad=True).fill_(0.0)
    with tg.no_grad():
        assert w.zero_() is w
    assert w.requires_grad and (w.data == 0).all()
    with pytest.raises(RuntimeError, match="fill_: cannot modify the output of the mul gate in place"):
        (w * 2).fill_(1.0)
    with pytest.raises(ValueError, match=r"fill_: value must be a number or a one-element tensor, got shape \(2,\)"):
        tg.zeros(2).fill_(tg.zeros(2))


def test_contiguous_cpu_and_new_zeros():
    x = tg.randn(2, 3, dtype="float64")
    assert x.contiguous() is x and x.cpu() is x
    z = x.new_zeros(4, 5)
    expected = torch.zeros(2, 3, dtype=torch.float64).new_zeros(4, 5)
    assert z.shape == tuple(expected.shape) and z.dtype == np.float64 and not z.data.any()
    assert x.new_zeros((2,)).shape == (2,)
    assert x.new_zeros(3, dtype="int64").dtype == np.int64
    assert tg.tensor([1, 2]).new_zeros(2).dtype == np.int64
