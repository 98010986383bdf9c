"""The convolution and pooling gates: central differences (float64) and PyTorch (float32), every option.

conv2d over stride, padding, dilation and groups (depthwise included), in both column layouts (wide and
plain); max/avg pooling with overlapping and padded windows; adaptive average pooling with sizes that do
and do not divide; bad input gives errors that name the shapes.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import tensorgate as tg
from tensorgate.functional import adaptive_avg_pool2d, avg_pool2d, conv2d, max_pool2d
from tensorgate.functional.conv import Conv2dGate, PlainConv2dGate

RTOL = ATOL = 1e-4

# (N, C_in, H, W, C_out, kernel, stride, padding, dilation, groups)
CONV_CASES = [
    (2, 3, 6, 5, 4, 3, 1, 0, 1, 1),              # plain
    (2, 2, 7, 7, 3, 3, 2, 1, 1, 1),              # stride 2 (plain column layout), padding
    (1, 2, 8, 7, 2, 3, 1, 2, 2, 1),              # dilation 2, padding 2
    (2, 4, 5, 6, 6, 3, 1, 1, 1, 2),              # groups 2
    (2, 3, 6, 6, 3, 3, 1, 1, 1, 3),              # depthwise: groups = C_in = C_out
    (1, 2, 6, 6, 4, 3, 2, 1, 1, 2),              # depthwise with multiplier 2, stride 2
    (2, 3, 7, 6, 2, (2, 3), (2, 1), (1, 0), (1, 2), 1),  # rectangular everything, stride 1 along W (wide)
    (2, 3, 4, 4, 5, 1, 1, 0, 1, 1),              # 1×1 (pointwise)
    (1, 2, 5, 5, 2, 5, 1, 0, 1, 1),              # kernel = image: a 1×1 output
    # rows of the padded buffer share their padding where the kernel spans it (conv._Geometry)
    (2, 3, 6, 7, 2, 5, 1, 2, 1, 1),              # 5×5, padding 2 (LeNet-5's first layer): shared
    (2, 2, 7, 6, 3, 3, 2, 2, 1, 1),              # padding 2 = the kernel's span, stride 2: shared
    (2, 2, 6, 6, 2, 3, 1, (0, 1), 1, 1),         # padding along the width only
    (2, 2, 5, 6, 3, 1, 1, 1, 1, 1),              # 1×1 with padding 1: beyond the span, rows keep their own
    (2, 2, 5, 6, 3, (1, 2), (1, 2), (2, 2), 1, 1),  # padding 2 beyond a width-2 kernel's span, stride 2
]


def _conv_case(case, rng, dtype):
    n, c, h, w, o, k, s, p, d, g = case
    k2 = k if isinstance(k, tuple) else (k, k)
    x = rng.standard_normal((n, c, h, w)).astype(dtype)
    bound = 1.0 / np.sqrt(c // g * k2[0] * k2[1])
    weight = rng.uniform(-bound, bound, (o, c // g) + k2).astype(dtype)
    bias = rng.uniform(-bound, bound, o).astype(dtype)
    return x, weight, bias, dict(stride=s, padding=p, dilation=d, groups=g)


@pytest.mark.parametrize("case", CONV_CASES, ids=[str(c) for c in CONV_CASES])
def test_conv2d_gradcheck(case):
    rng = np.random.default_rng(0)
    x, w, b, params = _conv_case(case, rng, np.float64)
    tensors = [tg.tensor(a, requires_grad=True, dtype="float64") for a in (x, w, b)]
    assert tg.gradcheck(lambda x, w, b: conv2d(x, w, b, **params), *tensors)
    assert tg.gradcheck(lambda x, w: conv2d(x, w, **params), *tensors[:2])  # no bias


@pytest.mark.parametrize("case", CONV_CASES, ids=[str(c) for c in CONV_CASES])
@pytest.mark.parametrize("wide", [True, False], ids=["wide", "plain"])
def test_conv2d_matches_torch(case, wide):
    rng = np.random.default_rng(1)
    x, w, b, params = _conv_case(case, rng, np.float32)
    X, W, B = (tg.tensor(a, requires_grad=True) for a in (x, w, b))
    z = (Conv2dGate if wide else PlainConv2dGate).apply(X, W, B, **params)
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    tz = TF.conv2d(tx, tw, tb, **params)
    assert z.shape == tuple(tz.shape) and z.dtype == np.float32
    np.testing.assert_allclose(z.data, tz.detach().numpy(), rtol=RTOL, atol=ATOL)
    g = rng.standard_normal(z.shape).astype(np.float32)
    z.backward(g)
    tz.backward(torch.tensor(g))
    for mine, theirs in ((X, tx), (W, tw), (B, tb)):
        assert mine.grad.dtype == np.float32
        np.testing.assert_allclose(mine.grad, theirs.grad.numpy(), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("case", CONV_CASES, ids=[str(c) for c in CONV_CASES])
def test_conv2d_wide_layout_agrees_with_the_plain_one(case):
    rng = np.random.default_rng(2)
    x, w, b, params = _conv_case(case, rng, np.float64)
    results = []
    for gate in (Conv2dGate, PlainConv2dGate):
        X, W, B = (tg.tensor(a, requires_grad=True, dtype="float64") for a in (x, w, b))
        z = gate.apply(X, W, B, **params)
        z.backward(np.cos(np.arange(z.data.size)).reshape(z.shape))
        results.append([z.data, X.grad, W.grad, B.grad])
    for fast, plain in zip(*results):
        np.testing.assert_allclose(fast, plain, rtol=1e-12, atol=1e-12)


def test_conv2d_chain_of_channels_major_outputs_matches_torch():
    """A conv's output (channels-major in memory) fed straight into more gates and convolutions."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 2, 10, 10)).astype(np.float32)
    w1 = (rng.standard_normal((4, 2, 3, 3)) * 0.3).astype(np.float32)
    w2 = (rng.standard_normal((5, 4, 3, 3)) * 0.3).astype(np.float32)
    w3 = (rng.standard_normal((5, 1, 3, 3)) * 0.3).astype(np.float32)

    def net(F, conv, pool, x, w1, w2, w3):
        h = pool(F.relu(conv(x, w1, padding=1)), 2)
        h = conv(conv(h, w2, stride=2, padding=1), w3, groups=5, padding=1)
        return (h * h).sum()

    mine = [tg.tensor(a, requires_grad=True) for a in (x, w1, w2, w3)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w1, w2, w3)]
    net(tg, conv2d, max_pool2d, *mine).backward()
    net(torch, TF.conv2d, TF.max_pool2d, *theirs).backward()
    for a, b in zip(mine, theirs):
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=1e-4, atol=1e-4)


def test_conv2d_float64_stays_float64_and_upstream_gradient_untouched():
    rng = np.random.default_rng(3)
    x = tg.tensor(rng.standard_normal((2, 2, 5, 5)), requires_grad=True, dtype="float64")
    w = tg.tensor(rng.standard_normal((3, 2, 3, 3)), requires_grad=True, dtype="float64")
    z = conv2d(x, w, padding=1)
    assert z.dtype == np.float64
    g = rng.standard_normal(z.shape)
    g_copy = g.copy()
    z.backward(g)
    assert x.grad.dtype == w.grad.dtype == np.float64
    np.testing.assert_array_equal(g, g_copy)


# ---------------------------------------------------------------- pooling
POOL_CASES = [  # kernel, stride, padding
    (2, None, 0),          # the usual non-overlapping 2×2
    (3, 2, 1),             # overlapping, padded
    (3, 1, 1),             # stride 1
    ((2, 3), (1, 2), (1, 0)),
    (3, 3, 0),             # 7×8 input: windows do not tile, the remainder is dropped
]


@pytest.mark.parametrize("pool, torch_pool", [(max_pool2d, TF.max_pool2d), (avg_pool2d, TF.avg_pool2d)],
                         ids=["max", "avg"])
@pytest.mark.parametrize("case", POOL_CASES, ids=[str(c) for c in POOL_CASES])
def test_pooling_matches_torch_and_gradcheck(pool, torch_pool, case):
    k, s, p = case
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 3, 7, 8)).astype(np.float32)
    X, tx = tg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    z, tz = pool(X, k, s, p), torch_pool(tx, k, s, p)
    np.testing.assert_allclose(z.data, tz.detach().numpy(), rtol=RTOL, atol=ATOL)
    g = rng.standard_normal(z.shape).astype(np.float32)
    z.backward(g)
    tz.backward(torch.tensor(g))
    np.testing.assert_allclose(X.grad, tx.grad.numpy(), rtol=RTOL, atol=ATOL)
    small = tg.tensor(rng.standard_normal((1, 2, 5, 6)), requires_grad=True, dtype="float64")
    assert tg.gradcheck(lambda a: pool(a, k, s, p), small)


def test_max_pool_ties_go_to_the_first_maximum_as_in_torch():
    # after a ReLU whole windows are 0: the gradient must reach one element per window, not all of them
    x = np.array([[[[0, 0, 1, 1], [0, 0, 1, 1], [2, 0, 3, 3], [0, 2, 3, 3]]]], np.float32)
    X, tx = tg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    max_pool2d(X, 2).sum().backward()
    TF.max_pool2d(tx, 2).sum().backward()
    np.testing.assert_array_equal(X.grad, tx.grad.numpy())
    assert X.grad.sum() == 4  # one unit of gradient per window


@pytest.mark.parametrize("out", [1, 2, (2, 3), (3, 5), (4, 4), (7, 8)])
def test_adaptive_avg_pool_matches_torch_and_gradcheck(out):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3, 7, 8)).astype(np.float32)
    X, tx = tg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    z, tz = adaptive_avg_pool2d(X, out), TF.adaptive_avg_pool2d(tx, out)
    np.testing.assert_allclose(z.data, tz.detach().numpy(), rtol=RTOL, atol=ATOL)
    g = rng.standard_normal(z.shape).astype(np.float32)
    z.backward(g)
    tz.backward(torch.tensor(g))
    np.testing.assert_allclose(X.grad, tx.grad.numpy(), rtol=RTOL, atol=ATOL)
    small = tg.tensor(rng.standard_normal((1, 2, 7, 8)), requires_grad=True, dtype="float64")
    assert tg.gradcheck(lambda a: adaptive_avg_pool2d(a, out), small)


def test_pooling_hand_worked():
    x = tg.arange(16.0).reshape(1, 1, 4, 4)
    # windows [[0,1],[4,5]] [[2,3],[6,7]] / [[8,9],[12,13]] [[10,11],[14,15]]
    assert max_pool2d(x, 2).tolist() == [[[[5.0, 7.0], [13.0, 15.0]]]]
    assert avg_pool2d(x, 2).tolist() == [[[[2.5, 4.5], [10.5, 12.5]]]]
    assert adaptive_avg_pool2d(x, 1).tolist() == [[[[7.5]]]]  # (0 + ... + 15)/16


def test_conv2d_hand_worked():
    # a 2×2 kernel of ones sums each 2×2 patch: 0+1+3+4 = 8, 1+2+4+5 = 12, 3+4+6+7 = 20, 4+5+7+8 = 24
    x = tg.arange(9.0).reshape(1, 1, 3, 3)
    w = tg.ones((1, 1, 2, 2))
    assert conv2d(x, w).tolist() == [[[[8.0, 12.0], [20.0, 24.0]]]]
    # with bias 1 and padding 1 the corner sees only x[0, 0] = 0: 0 + 1
    assert conv2d(x, w, tg.ones((1,)), padding=1).tolist()[0][0][0][0] == 1.0


# ---------------------------------------------------------------- errors
def test_conv2d_errors_name_the_shapes():
    x = tg.zeros((2, 3, 8, 8))
    with pytest.raises(ValueError, match=r"3 channels \(shape \(2, 3, 8, 8\)\).*\(4, 2, 3, 3\)"):
        conv2d(x, tg.zeros((4, 2, 3, 3)))
    with pytest.raises(ValueError, match=r"larger than the padded input.*\(2, 3, 8, 8\)"):
        conv2d(x, tg.zeros((4, 3, 9, 9)))
    with pytest.raises(ValueError, match=r"larger than the padded input"):
        conv2d(x, tg.zeros((4, 3, 3, 3)), dilation=4)
    with pytest.raises(ValueError, match=r"groups=2 must divide.*\(2, 3, 8, 8\)"):
        conv2d(x, tg.zeros((4, 1, 3, 3)), groups=2)
    with pytest.raises(ValueError, match=r"\(N, C, H, W\), got shape \(3, 8, 8\)"):
        conv2d(tg.zeros((3, 8, 8)), tg.zeros((4, 3, 3, 3)))
    with pytest.raises(ValueError, match=r"bias must have shape \(4,\)"):
        conv2d(x, tg.zeros((4, 3, 3, 3)), tg.zeros((5,)))
    with pytest.raises(ValueError, match="stride must be >= 1"):
        conv2d(x, tg.zeros((4, 3, 3, 3)), stride=0)
    with pytest.raises(TypeError, match="padding must be an int or a pair"):
        conv2d(x, tg.zeros((4, 3, 3, 3)), padding=(1, 1, 1))
    with pytest.raises(ValueError, match="padding must be an int, a pair of ints, 'valid' or 'same', got 'full'"):
        conv2d(x, tg.zeros((4, 3, 3, 3)), padding="full")
    assert conv2d(x, tg.zeros((4, 3, 3, 3)), padding="same").shape == (2, 4, 8, 8)   # PyTorch's names work
    assert conv2d(x, tg.zeros((4, 3, 3, 3)), padding="valid").shape == (2, 4, 6, 6)
    with pytest.raises(TypeError, match="different dtypes"):
        conv2d(x, tg.zeros((4, 3, 3, 3), dtype="float64"))


def test_pooling_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r"larger than the padded input.*\(1, 1, 3, 3\)"):
        max_pool2d(tg.zeros((1, 1, 3, 3)), 4)
    with pytest.raises(ValueError, match="at most half the kernel"):
        avg_pool2d(tg.zeros((1, 1, 8, 8)), 2, padding=2)
    with pytest.raises(ValueError, match=r"\(N, C, H, W\), got shape \(8, 8\)"):
        max_pool2d(tg.zeros((8, 8)), 2)
    with pytest.raises(ValueError, match=r"\(N, C, H, W\), got shape \(8, 8\)"):
        adaptive_avg_pool2d(tg.zeros((8, 8)), 2)
    # an output larger than the input repeats input cells, as in PyTorch (issue 23), rather than an error
    assert adaptive_avg_pool2d(tg.zeros((1, 1, 8, 8)), 9).shape == (1, 1, 9, 9)


@pytest.mark.parametrize("pool, torch_pool", [(max_pool2d, TF.max_pool2d), (avg_pool2d, TF.avg_pool2d)],
                         ids=["max", "avg"])
def test_pooling_of_a_conv_output_then_flatten_matches_torch(pool, torch_pool):
    """Channels-major pooled input, row-major gradient from the flatten: the layouts differ and must not matter."""
    rng = np.random.default_rng(6)
    x = rng.standard_normal((3, 2, 8, 8)).astype(np.float32)
    w = (rng.standard_normal((4, 2, 3, 3)) * 0.3).astype(np.float32)
    r = rng.standard_normal((3, 4 * 3 * 3)).astype(np.float32)
    X, W = tg.tensor(x, requires_grad=True), tg.tensor(w, requires_grad=True)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    (pool(tg.relu(conv2d(X, W)), 2).reshape(3, -1) * r).sum().backward()
    (torch_pool(torch.relu(TF.conv2d(tx, tw)), 2).reshape(3, -1) * torch.tensor(r)).sum().backward()
    np.testing.assert_allclose(X.grad, tx.grad.numpy(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(W.grad, tw.grad.numpy(), rtol=RTOL, atol=ATOL)


def test_checks_are_made_once_per_signature_and_still_refuse_what_they_refused():
    """A call's layout (_Geometry) is checked once per signature and then looked up; a call that was refused
    is refused again, and a bool groups (equal to 1 as a dictionary key) is refused after groups=1 was seen."""
    from tensorgate.functional import conv as conv_module

    x, w = tg.zeros((2, 3, 6, 6)), tg.zeros((4, 3, 3, 3))
    conv_module._geometries.clear()
    first = conv2d(x, w, padding=1)
    assert len(conv_module._geometries) == 1
    np.testing.assert_array_equal(conv2d(x, w, padding=1).numpy(), first.numpy())
    assert len(conv_module._geometries) == 1   # the same signature: looked up, not made again
    for _ in range(2):
        with pytest.raises(ValueError, match="larger than the padded input"):
            conv2d(tg.zeros((2, 3, 2, 2)), w)
    with pytest.raises(ValueError, match="groups must be a positive int"):
        conv2d(x, w, padding=1, groups=True)
    with pytest.raises(ValueError, match=r"bias must have shape \(4,\)"):
        conv2d(x, w, tg.zeros(3), padding=1)
    assert conv2d(x, w, padding=1, groups=np.int64(1)).shape == (2, 4, 6, 6)
