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


@pytest.mark.parametrize("layout", ["nchw", "channels-major", "a convolution's view"])
@pytest.mark.parametrize("affine", [True, False], ids=["affine", "plain"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_evaluation_without_a_graph_is_torchs(layout, affine, dtype):
    """Inference's path (batchnorm._evaluate_images: y = x·s + t, s and t from the running statistics)
    gives PyTorch's eval-mode BatchNorm2d, whatever the memory layout of the images it gets."""
    import torch

    rng = np.random.default_rng(7)
    x = (rng.standard_normal((2, 3, 5, 4)) * 2 + 1).astype(dtype)
    if layout == "channels-major":
        data = np.ascontiguousarray(x.transpose(1, 0, 2, 3)).transpose(1, 0, 2, 3)
    elif layout == "a convolution's view":   # rows 6 wide in memory, 4 of them seen (conv.py's wide layout)
        wide = np.zeros((3, 2, 5, 6), dtype=dtype)
        wide[..., :4] = x.transpose(1, 0, 2, 3)
        data = wide[..., :4].transpose(1, 0, 2, 3)
    else:
        data = x
    ours = tg.nn.BatchNorm2d(3, affine=affine, dtype=dtype)
    theirs = torch.nn.BatchNorm2d(3, affine=affine, dtype=getattr(torch, dtype))
    state = {"running_mean": rng.standard_normal(3), "running_var": rng.uniform(0.5, 2.0, 3)}
    if affine:
        state.update(weight=rng.uniform(0.5, 1.5, 3), bias=rng.standard_normal(3))
    for name, value in state.items():
        getattr(ours, name).data[...] = value
        getattr(theirs, name).data[...] = torch.from_numpy(value)
    ours.eval(), theirs.eval()
    with tg.no_grad(), torch.no_grad():
        y = ours(data)   # an array: the module takes it as it is, layout and all
        expected = theirs(torch.from_numpy(x)).numpy()
    assert y.dtype == dtype and y.shape == x.shape
    tol = 1e-12 if dtype == "float64" else 1e-6
    np.testing.assert_allclose(y.numpy(), expected, rtol=tol, atol=tol)


def test_statistics_of_another_dtype_are_refused_as_in_pytorch():
    """PyTorch raises "mixed dtype" for float32 images with float64 statistics; computing on would give a
    float64 result, a silent promotion."""
    x = tg.randn(2, 3, 4, 4)
    stats = np.zeros(3), np.ones(3)
    for training in (False, True):
        with pytest.raises(TypeError, match="running_mean is float64 but the input is float32"):
            batch_norm(x, *stats, training=training)
    bn = tg.nn.BatchNorm2d(3, affine=False, dtype="float64").eval()
    with pytest.raises(TypeError, match="does not promote silently"):
        bn(x)
    assert bn(np.ones((2, 3, 4, 4), np.float32)).dtype == "float64"   # an array takes the module's dtype
