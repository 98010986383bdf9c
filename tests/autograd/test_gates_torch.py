"""Every gate against PyTorch's autograd: same values, same gradients, float32 and float64.

And every gate against central finite differences (gradcheck) on random shapes with broadcasting.
"""
import numpy as np
import pytest
import torch
from hypothesis import given, strategies as st

import tensorgate as tg

# (name, tensorgate function, torch function, number of inputs, input transform for a valid domain)
POSITIVE = lambda a: np.abs(a) + 0.5  # noqa: E731
UNARY = [
    ("neg", lambda a: -a, lambda a: -a, None),
    ("exp", tg.exp, torch.exp, None),
    ("log", tg.log, torch.log, POSITIVE),
    ("sqrt", tg.sqrt, torch.sqrt, POSITIVE),
    ("abs", tg.abs, torch.abs, None),
    ("reciprocal", lambda a: 1 / a, lambda a: 1 / a, POSITIVE),
    ("pow3", lambda a: a ** 3, lambda a: a ** 3, None),
    ("pow_half", lambda a: a ** 0.5, lambda a: a ** 0.5, POSITIVE),
    ("sigmoid", tg.sigmoid, torch.sigmoid, None),
    ("tanh", tg.tanh, torch.tanh, None),
    ("relu", tg.relu, torch.relu, None),
    ("leaky_relu", lambda a: tg.leaky_relu(a, 0.1), lambda a: torch.nn.functional.leaky_relu(a, 0.1), None),
    ("gelu", tg.gelu, torch.nn.functional.gelu, None),
    ("hardtanh", tg.hardtanh, torch.nn.functional.hardtanh, None),
    ("softmax", lambda a: tg.softmax(a, axis=-1), lambda a: torch.softmax(a, -1), None),
    ("softmax0", lambda a: tg.softmax(a, axis=0), lambda a: torch.softmax(a, 0), None),
    ("log_softmax", lambda a: tg.log_softmax(a, axis=-1), lambda a: torch.log_softmax(a, -1), None),
    ("sum", lambda a: a.sum(), lambda a: a.sum(), None),
    ("sum0", lambda a: a.sum(axis=0), lambda a: a.sum(0), None),
    ("sum1k", lambda a: a.sum(axis=1, keepdims=True), lambda a: a.sum(1, keepdim=True), None),
    ("mean", lambda a: a.mean(), lambda a: a.mean(), None),
    ("mean1", lambda a: a.mean(axis=1), lambda a: a.mean(1), None),
    ("max1", lambda a: a.amax(axis=1), lambda a: a.amax(1), None),
    ("min0k", lambda a: a.amin(axis=0, keepdims=True), lambda a: a.amin(0, keepdim=True), None),
    ("reshape", lambda a: a.reshape(-1), lambda a: a.reshape(-1), None),
    ("T", lambda a: a.T, lambda a: a.T, None),
    ("getitem_slice", lambda a: a[1:, ::2], lambda a: a[1:, ::2], None),
    ("getitem_repeat", lambda a: a[[0, 0, 2]], lambda a: a[[0, 0, 2]], None),
    ("clip", lambda a: tg.clip(a, -0.5, 0.5), lambda a: torch.clamp(a, -0.5, 0.5), None),
]
BINARY = [
    ("add", lambda a, b: a + b, lambda a, b: a + b),
    ("sub", lambda a, b: a - b, lambda a, b: a - b),
    ("mul", lambda a, b: a * b, lambda a, b: a * b),
    ("div", lambda a, b: a / (b * b + 1), lambda a, b: a / (b * b + 1)),
    ("maximum", tg.maximum, torch.maximum),
    ("minimum", tg.minimum, torch.minimum),
]


def _pair(shape, dtype, transform=None, seed=0):
    a = np.random.default_rng(seed).standard_normal(shape)
    if transform is not None:
        a = transform(a)
    a = a.astype(dtype)
    return (tg.tensor(a, requires_grad=True, dtype=dtype),
            torch.tensor(a, requires_grad=True))


def _tol(dtype):
    return dict(rtol=1e-4, atol=1e-5) if dtype == "float32" else dict(rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,fn,tfn,transform", UNARY, ids=[u[0] for u in UNARY])
def test_unary_gate_matches_torch(name, fn, tfn, transform, dtype):
    x, tx = _pair((4, 5), dtype, transform)
    y, ty = fn(x), tfn(tx)
    assert y.dtype == np.dtype(dtype), "gates must keep the input's dtype"
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), **_tol(dtype))
    upstream = np.random.default_rng(1).standard_normal(y.shape).astype(dtype)
    y.backward(upstream)
    ty.backward(torch.tensor(upstream))
    assert x.grad.dtype == np.dtype(dtype)
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), **_tol(dtype))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shapes", [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((3, 1), ())])
@pytest.mark.parametrize("name,fn,tfn", BINARY, ids=[b[0] for b in BINARY])
def test_binary_gate_matches_torch_with_broadcasting(name, fn, tfn, shapes, dtype):
    a, ta = _pair(shapes[0], dtype, seed=2)
    b, tb = _pair(shapes[1], dtype, seed=3)
    y, ty = fn(a, b), tfn(ta, tb)
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), **_tol(dtype))
    upstream = np.random.default_rng(4).standard_normal(y.shape).astype(dtype)
    y.backward(upstream)
    ty.backward(torch.tensor(upstream))
    assert a.grad.shape == a.shape and b.grad.shape == b.shape
    np.testing.assert_allclose(a.grad, ta.grad.numpy(), **_tol(dtype))
    np.testing.assert_allclose(b.grad, tb.grad.numpy(), **_tol(dtype))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shapes", [((3, 4), (4, 5)), ((2, 3, 4), (4, 5)), ((4,), (4, 5)), ((3, 4), (4,)),
                                    ((2, 3, 4), (2, 4, 2))])
def test_matmul_matches_torch(shapes, dtype):
    a, ta = _pair(shapes[0], dtype, seed=5)
    b, tb = _pair(shapes[1], dtype, seed=6)
    y, ty = a @ b, ta @ tb
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), **_tol(dtype))
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_allclose(a.grad, ta.grad.numpy(), **_tol(dtype))
    np.testing.assert_allclose(b.grad, tb.grad.numpy(), **_tol(dtype))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_linear_concat_stack_where_permute_match_torch(dtype):
    x, tx = _pair((5, 3), dtype, seed=7)
    w, tw = _pair((4, 3), dtype, seed=8)
    b, tb = _pair((4,), dtype, seed=9)
    z = tg.linear(x, w, b)
    tz = torch.nn.functional.linear(tx, tw, tb)
    y = tg.concatenate([z, tg.stack([z[:, 0], z[:, 1]], axis=1)], axis=1)
    ty = torch.cat([tz, torch.stack([tz[:, 0], tz[:, 1]], 1)], 1)
    y = tg.where(y.numpy() > 0, y, y * 3).reshape(5, 2, 3).permute(2, 0, 1)
    ty = torch.where(ty > 0, ty, ty * 3).reshape(5, 2, 3).permute(2, 0, 1)
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), **_tol(dtype))
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    for mine, theirs in [(x, tx), (w, tw), (b, tb)]:
        np.testing.assert_allclose(mine.grad, theirs.grad.numpy(), **_tol(dtype))


def _shapes_with_broadcast():
    """A shape and a second shape that broadcasts against it."""
    base = st.lists(st.integers(1, 4), min_size=1, max_size=3)
    return base.flatmap(lambda s: st.tuples(
        st.just(tuple(s)),
        st.lists(st.booleans(), min_size=len(s), max_size=len(s)).map(
            lambda keep: tuple(n if k else 1 for n, k in zip(s, keep)))))


@given(shapes=_shapes_with_broadcast(), which=st.sampled_from([b[0] for b in BINARY]),
       seed=st.integers(0, 2 ** 16))
def test_binary_gates_pass_gradcheck_on_random_broadcast_shapes(shapes, which, seed):
    fn = dict((b[0], b[1]) for b in BINARY)[which]
    rng = np.random.default_rng(seed)
    a = tg.tensor(rng.standard_normal(shapes[0]), dtype="float64", requires_grad=True)
    b = tg.tensor(rng.standard_normal(shapes[1]) + 0.1, dtype="float64", requires_grad=True)
    if which in ("maximum", "minimum"):  # keep away from ties, where max is not differentiable
        b = tg.tensor(b.numpy() + 0.5 * np.sign(b.numpy() - 0.0), dtype="float64", requires_grad=True)
    assert tg.gradcheck(fn, a, b)


@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple),
       which=st.sampled_from([u[0] for u in UNARY if u[0] not in ("abs", "relu", "clip", "hardtanh",
                                                                   "leaky_relu", "max1", "min0k")]),
       seed=st.integers(0, 2 ** 16))
def test_unary_gates_pass_gradcheck_on_random_shapes(shape, which, seed):
    name, fn, _, transform = next(u for u in UNARY if u[0] == which)
    a = np.random.default_rng(seed).standard_normal(shape)
    a = transform(a) if transform else a
    if name in ("sum0", "mean1", "sum1k", "T", "getitem_slice", "getitem_repeat") and len(shape) < 2:
        a = a.reshape(-1, 1).repeat(3, axis=1)
    if name == "getitem_repeat":
        a = np.concatenate([a, a, a])  # at least three rows
    assert tg.gradcheck(fn, tg.tensor(a, dtype="float64", requires_grad=True))


@pytest.mark.parametrize("fn", [tg.relu, tg.abs, tg.hardtanh, lambda a: tg.leaky_relu(a, 0.2),
                                lambda a: a.amax(axis=0), lambda a: tg.clip(a, -0.3, 0.4)])
def test_kinked_gates_pass_gradcheck_away_from_kinks(fn):
    a = np.random.default_rng(0).uniform(0.05, 1.5, (3, 4)) * np.random.default_rng(1).choice([-1, 1], (3, 4))
    a[np.abs(np.abs(a) - 1) < 0.05] = 0.5  # away from hardtanh's corners
    a[np.abs(a + 0.3) < 0.05] = 0.7
    a[np.abs(a - 0.4) < 0.05] = 0.7
    assert tg.gradcheck(fn, tg.tensor(a, dtype="float64"))


def test_softmax_and_log_softmax_are_stable_for_huge_logits():
    z = tg.tensor([[1000.0, 0.0, -1000.0], [1000.0, 1000.0, 1000.0]], requires_grad=True)
    s, ls = tg.softmax(z), tg.log_softmax(z)
    assert np.isfinite(s.numpy()).all() and np.isfinite(ls.numpy()).all()
    np.testing.assert_allclose(s.numpy()[0], [1, 0, 0], atol=1e-7)
    np.testing.assert_allclose(ls.numpy()[1], [-np.log(3)] * 3, rtol=1e-6)
    (s[:, 0] + ls[:, 1]).sum().backward()
    assert np.isfinite(z.grad).all()
    assert np.isfinite(tg.sigmoid(tg.tensor([-1000.0, 1000.0])).numpy()).all()
