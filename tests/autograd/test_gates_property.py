"""Property tests: every gate's backward against central finite differences (float64), on shapes drawn by
hypothesis, including 0-size and broadcasting shapes. Small shapes and few examples keep this fast.

Values are drawn away from the kinks of the piecewise functions (relu at 0, clip at its bounds, ties in
max), where a finite difference measures a one-sided slope.
"""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tensorgate as tg
import tensorgate.nn.functional as F

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # nan means of empty axes, as NumPy
SETTINGS = settings(max_examples=12, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])
SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3)
SEEDS = st.integers(0, 2 ** 16)


def _values(shape, seed, low=0.2, high=1.5, positive=False):
    """Distinct values with |v| in [low, high]: away from 0, and no ties (for max, abs, relu)."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    magnitude = low + (high - low) * (np.arange(n) + rng.random(n) * 0.5) / max(n, 1)
    rng.shuffle(magnitude)
    sign = 1.0 if positive else rng.choice([-1.0, 1.0], size=n)
    return (sign * magnitude).reshape(shape)


def _grad_array(t):
    g = t.grad
    return None if g is None else np.asarray(getattr(g, "data", g))


def check_gradients(fn, *arrays, eps=1e-6, atol=1e-6, rtol=1e-4):
    """Backpropagated gradients of ⟨fn(*arrays), r⟩ equal central differences, for every input."""
    tensors = [tg.tensor(np.array(a, dtype=np.float64), dtype="float64", requires_grad=True) for a in arrays]
    out = fn(*tensors)
    r = np.random.default_rng(1).normal(size=out.shape)
    (out * tg.tensor(r, dtype="float64")).sum().backward()

    def f(values):
        with tg.no_grad():
            return float(np.sum(fn(*[tg.tensor(v, dtype="float64") for v in values]).data * r))

    for i, (t, a) in enumerate(zip(tensors, arrays)):
        analytic = _grad_array(t)
        a = np.array(a, dtype=np.float64)
        if analytic is None:
            assert a.size == 0 or not np.any(r), f"input {i}: no gradient"
            continue
        assert analytic.shape == a.shape, (i, analytic.shape, a.shape)
        numeric = np.zeros_like(a)
        for index in np.ndindex(a.shape):
            values = [np.array(x, dtype=np.float64) for x in arrays]
            values[i][index] += eps
            up = f(values)
            values[i][index] -= 2 * eps
            numeric[index] = (up - f(values)) / (2 * eps)
        np.testing.assert_allclose(analytic, numeric, atol=atol, rtol=rtol, err_msg=f"input {i}")


UNARY = {
    "sigmoid": (F.sigmoid, {}), "tanh": (F.tanh, {}), "relu": (F.relu, {}), "leaky_relu": (F.leaky_relu, {}),
    "gelu": (F.gelu, {}), "exp": (F.exp, {}), "neg": (F.neg, {}), "abs": (F.abs, {}),
    "log": (F.log, {"positive": True}), "sqrt": (F.sqrt, {"positive": True}),
    "reciprocal": (F.reciprocal, {}), "pow3": (lambda a: F.pow(a, 3), {}),
    "hardtanh": (lambda a: F.hardtanh(a, -0.5, 1.6), {"low": 0.6, "high": 1.5}),
    "clip": (lambda a: F.clip(a, -1.6, 0.1), {"low": 0.2, "high": 1.5}),
    "step": (F.step, {}), "clone": (F.clone, {}), "cast": (lambda a: F.cast(a, np.float64), {}),
    "softmax": (lambda a: F.softmax(a, dim=-1), {}), "log_softmax": (lambda a: F.log_softmax(a, dim=-1), {}),
    "flatten": (F.flatten, {}), "squeeze": (F.squeeze, {}), "unsqueeze": (lambda a: F.unsqueeze(a, 0), {}),
    "transpose": (lambda a: F.permute(a, *reversed(range(a.ndim))), {}),
    "reshape": (lambda a: F.reshape(a, -1), {}),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@SETTINGS
@given(shape=SHAPES, seed=SEEDS)
def test_unary_gates(name, shape, seed):
    fn, value_options = UNARY[name]
    if name in ("softmax", "log_softmax") and len(shape) == 0:
        shape = (1,)
    check_gradients(fn, _values(shape, seed, **value_options))


BINARY = {
    "add": F.add, "sub": F.sub, "mul": F.mul, "div": F.div, "maximum": F.maximum, "minimum": F.minimum,
    "where": lambda a, b: F.where(a.data > 0, a, b),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@SETTINGS
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, min_side=0, max_side=3), seed=SEEDS)
def test_broadcasting_binary_gates(name, shapes, seed):
    a_shape, b_shape = shapes.input_shapes
    a = _values(a_shape, seed)
    b = _values(b_shape, seed + 1, low=1.6, high=2.5) * np.where(_values(b_shape, seed + 2) > 0, 1, -1)
    check_gradients(BINARY[name], a, b)  # |b| in [1.6, 2.5], |a| in [0.2, 1.5]: never equal, never 0


REDUCTIONS = {"sum": F.sum, "mean": F.mean, "max": F.max, "min": F.min, "var": F.var, "std": F.std}


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@SETTINGS
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=3), seed=SEEDS, data=st.data())
def test_reductions_over_an_axis(name, shape, seed, data):
    axis = data.draw(st.integers(0, len(shape) - 1))
    keepdims = data.draw(st.booleans())
    if name in ("max", "min"):
        shape = shape[:axis] + (max(shape[axis], 1),) + shape[axis + 1:]  # an empty reduced axis is an error
    if name in ("var", "std"):
        shape = shape[:axis] + (max(shape[axis], 2),) + shape[axis + 1:]  # one value has no spread
    reduce = REDUCTIONS[name]

    def fn(a):
        out = reduce(a, axis=axis, keepdims=keepdims)
        return getattr(out, "values", out)

    check_gradients(fn, _values(shape, seed))


@SETTINGS
@given(n=st.integers(0, 3), k=st.integers(0, 3), m=st.integers(0, 3), batch=st.sampled_from([(), (2,), (1,)]),
       seed=SEEDS)
def test_matmul_with_empty_and_broadcast_batches(n, k, m, batch, seed):
    check_gradients(F.matmul, _values(batch + (n, k), seed), _values((k, m), seed + 1))


@SETTINGS
@given(m=st.integers(0, 3), n=st.integers(0, 3), out=st.integers(0, 3), seed=SEEDS)
def test_linear(m, n, out, seed):
    check_gradients(F.linear, _values((m, n), seed), _values((out, n), seed + 1), _values((out,), seed + 2))


@SETTINGS
@given(shapes=st.lists(hnp.array_shapes(min_dims=2, max_dims=2, min_side=0, max_side=3), min_size=2, max_size=2),
       seed=SEEDS)
def test_concatenate_and_stack(shapes, seed):
    a = _values(shapes[0], seed)
    b = _values((shapes[1][0], shapes[0][1]), seed + 1)
    check_gradients(lambda x, y: F.concatenate([x, y], axis=0), a, b)
    check_gradients(lambda x, y: F.stack([x, y], axis=1), a, _values(a.shape, seed + 2))
    check_gradients(lambda x: F.getitem(x, (slice(None), slice(0, 2))), a)


@SETTINGS
@given(n=st.integers(0, 2), c=st.integers(1, 2), size=st.integers(3, 5), stride=st.integers(1, 2),
       padding=st.integers(0, 1), seed=SEEDS)
def test_conv2d_and_pooling(n, c, size, stride, padding, seed):
    x = _values((n, c, size, size), seed)
    w = _values((2, c, 2, 2), seed + 1)
    check_gradients(lambda x, w, b: F.conv2d(x, w, b, stride=stride, padding=padding), x, w, _values((2,), seed))
    check_gradients(lambda x: F.max_pool2d(x, 2, stride=stride), x)
    check_gradients(lambda x: F.avg_pool2d(x, 2, stride=stride, padding=padding), x)
    check_gradients(lambda x: F.adaptive_avg_pool2d(x, 2), x)


@SETTINGS
@given(m=st.integers(1, 4), k=st.integers(2, 4), seed=SEEDS, reduction=st.sampled_from(["mean", "sum", "none"]))
def test_losses(m, k, seed, reduction):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, k, m)
    logits = _values((m, k), seed)
    check_gradients(lambda z: F.cross_entropy(z, labels, reduction=reduction), logits)
    check_gradients(lambda z: F.nll_loss(F.log_softmax(z, dim=1), labels, reduction=reduction), logits)
    probabilities = 0.05 + 0.9 * rng.random((m, 1))
    targets = rng.integers(0, 2, (m, 1)).astype(np.float64)
    check_gradients(lambda p: F.binary_cross_entropy(p, targets, reduction=reduction), probabilities)
    check_gradients(lambda z, t: F.binary_cross_entropy_with_logits(z, t, reduction=reduction),
                    _values((m, 1), seed), targets)
    check_gradients(lambda a, b: F.mse_loss(a, b, reduction=reduction), _values((m, k), seed),
                    _values((m, k), seed + 1, low=1.6, high=2.0))
    signs = np.where(targets > 0, 1.0, -1.0)
    margins = _values((m, 1), seed + 3, low=0.2, high=0.8) * 3  # |z| away from the hinge's kink at 1
    check_gradients(lambda z: F.hinge_loss(z, signs, reduction=reduction), margins)
    check_gradients(lambda z: F.perceptron_loss(z, targets, reduction=reduction), _values((m, 1), seed + 4))
