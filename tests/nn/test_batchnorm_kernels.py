"""BatchNorm over channels-major images (functional/batchnorm_kernels.py) agrees with the textbook gate.

A convolution's output is a (C, N, H, W) array seen through NCHW axes; BatchNormGate then computes its
statistics along the rows of a (C, N·H·W) matrix in fewer passes. The same numbers laid out NCHW take the
textbook expressions: both must agree — outputs, the three gradients, running statistics and the batch
count — in training and evaluation, with and without γ and β, in float64 and float32.
"""
import numpy as np
import pytest

import tensorgate as tg
from tensorgate.functional import batchnorm_kernels
from tensorgate.functional.batchnorm import batch_norm


def _run(x, layout, training, affine, dtype, g):
    c = x.shape[1]
    if layout == "channels-major":   # the same values, memory (C, N, H, W)
        data = np.ascontiguousarray(x.transpose(1, 0, 2, 3)).transpose(1, 0, 2, 3)
        assert batchnorm_kernels.channel_rows(data) is not None
    else:
        data = np.ascontiguousarray(x)
        assert batchnorm_kernels.channel_rows(data) is None
    X = tg.tensor(data, requires_grad=True, dtype=dtype)
    gamma = tg.tensor(np.linspace(0.5, 1.5, c), requires_grad=True, dtype=dtype) if affine else None
    beta = tg.tensor(np.linspace(-1, 1, c), requires_grad=True, dtype=dtype) if affine else None
    rm, rv = np.linspace(-0.3, 0.3, c).astype(dtype), np.linspace(0.5, 2.0, c).astype(dtype)
    count = np.array(3)
    y = batch_norm(X, rm, rv, gamma, beta, training=training, momentum=0.1, num_batches_tracked=count)
    y.backward(g)
    out = [y.data, X.grad, rm, rv, count]
    if affine:
        out += [gamma.grad, beta.grad]
    return out


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("affine", [True, False], ids=["affine", "plain"])
@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("g_layout", ["same", "nchw"])
def test_rows_agree_with_the_textbook_gate(dtype, affine, training, g_layout):
    rng = np.random.default_rng(4)
    x = (rng.standard_normal((6, 3, 5, 4)) * 2 + 3).astype(dtype)
    g = rng.standard_normal(x.shape).astype(dtype)
    if g_layout == "same":   # the upstream gradient channels-major too, as a ReLU after BatchNorm gives it
        g = np.ascontiguousarray(g.transpose(1, 0, 2, 3)).transpose(1, 0, 2, 3)
    fast = _run(x, "channels-major", training, affine, dtype, g)
    plain = _run(x, "nchw", training, affine, dtype, g)
    tol = 1e-12 if dtype == "float64" else 1e-5
    for mine, ref in zip(fast, plain):
        assert np.asarray(mine).dtype == np.asarray(ref).dtype
        np.testing.assert_allclose(mine, ref, rtol=tol, atol=tol)


def test_batchnorm2d_after_a_convolution_takes_the_rows():
    """A Conv2d's output (compact from a batch of this size on) reaches BatchNorm2d channels-major: the kernels run."""
    conv, bn = tg.nn.Conv2d(2, 3, 3, padding=1), tg.nn.BatchNorm2d(3)
    z = conv(tg.tensor(np.ones((64, 2, 16, 16), np.float32)))
    assert batchnorm_kernels.channel_rows(z.data) is not None
    y = bn(z)
    assert y.data.transpose(1, 0, 2, 3).flags.c_contiguous
