"""Forward passes that no graph will hold (``Gate.recording`` False) may skip what only backward needs:
max pooling keeps no argmax, evaluation-mode batch normalisation keeps no x̂. Their outputs must be the
ones a recorded forward gives, and PyTorch's.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import tensorgate as tg
from tensorgate.autograd.gate import Gate
from tensorgate.autograd.tape import Tape, recording
from tensorgate.functional import max_pool2d
from tensorgate.functional.batchnorm import batch_norm

POOL_CASES = [(2, None, 0), (3, 2, 1), (3, 1, 1), ((2, 3), (1, 2), (1, 0)), (3, 3, 0), (1, 1, 0)]


def _channels_major(x):
    """The same values, laid out in memory as (C, N, H, W): as a convolution returns them."""
    return np.ascontiguousarray(x.transpose(1, 0, 2, 3)).transpose(1, 0, 2, 3)


class _Spy(Gate):
    """Notes the ``recording`` its forward saw."""
    seen: list = []

    def forward(self, a):
        _Spy.seen.append(self.recording)
        return a * 2

    def backward(self, g):
        return g * 2


def test_recording_is_false_exactly_when_no_graph_will_hold_the_output():
    _Spy.seen = []
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    _Spy.apply(x)                                   # recorded
    with tg.no_grad():
        _Spy.apply(x)                               # no graph under no_grad
    _Spy.apply(tg.tensor([1.0, 2.0]))               # no input requires a gradient
    with recording() as gates:                      # a tape records a step that will be replayed
        y = _Spy.apply(x).sum()
    Tape(gates, [x], [], [y]).replay([np.array([3.0, 4.0], np.float32)], backward=False)
    assert _Spy.seen == [True, False, False, True, True]


# windows that tile the input exactly take _tiled_maximum (rows, then columns); the others the strided taps
TILED_CASES = [((3, 4, 8, 8), (2, None, 0)), ((3, 3, 9, 6), ((3, 2), None, 0)), ((3, 3, 6, 6), (3, 3, 0))]


@pytest.mark.parametrize("layout", ["nchw", "channels-major"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape, case", [((3, 4, 7, 8), c) for c in POOL_CASES] + TILED_CASES,
                         ids=[str(c) for c in POOL_CASES] + [f"tiled {s} {c}" for s, c in TILED_CASES])
def test_max_pool_without_a_graph_gives_the_recorded_maxima(shape, case, dtype, layout):
    k, s, p = case
    rng = np.random.default_rng(5)
    x = rng.standard_normal(shape).astype(dtype)
    x[0, 0, :2, :2] = 0.0                  # ties
    x[1, 2, 3, 3] = np.nan                 # NaN propagates, as in PyTorch
    x[2, 1, 4, 5] = -np.inf
    if layout == "channels-major":
        x = _channels_major(x)
    recorded = max_pool2d(tg.tensor(x, requires_grad=True, dtype=x.dtype), k, s, p)
    assert recorded.grad_fn is not None
    with tg.no_grad():
        plain = max_pool2d(tg.tensor(x, dtype=x.dtype), k, s, p)
    assert plain.data.dtype == recorded.data.dtype == x.dtype
    np.testing.assert_array_equal(plain.data, recorded.data)
    np.testing.assert_array_equal(plain.data, TF.max_pool2d(torch.from_numpy(np.ascontiguousarray(x)), k, s, p).numpy())
    # the output keeps the input's memory layout, as the recorded forward does, so the next gate streams
    assert plain.data.transpose(1, 0, 2, 3).flags.c_contiguous == recorded.data.transpose(1, 0, 2, 3).flags.c_contiguous


@pytest.mark.parametrize("shape, layout", [((5, 3), "row-major"), ((4, 3, 6), "row-major"), ((3, 3, 5, 4), "row-major"),
                                           ((3, 3, 5, 4), "channels-major")],
                         ids=["BN1d", "BN1d-sequence", "BN2d", "BN2d-conv-output"])
@pytest.mark.parametrize("affine", [True, False], ids=["affine", "plain"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_batch_norm_evaluation_without_a_graph_matches_the_recorded_one_and_torch(shape, layout, affine, dtype):
    rng = np.random.default_rng(6)
    x = (rng.standard_normal(shape) * 3 + 2).astype(dtype)
    if layout == "channels-major":
        x = _channels_major(x)
    c = shape[1]
    mean, var = np.linspace(-0.5, 1.5, c).astype(dtype), np.linspace(0.3, 4.0, c).astype(dtype)
    gamma = np.linspace(0.5, 2.0, c).astype(dtype) if affine else None
    beta = np.linspace(-1.0, 1.0, c).astype(dtype) if affine else None

    def run(grad):
        X = tg.tensor(x, requires_grad=grad, dtype=dtype)
        args = (tg.tensor(gamma, dtype=dtype), tg.tensor(beta, dtype=dtype)) if affine else (None, None)
        return batch_norm(X, mean.copy(), var.copy(), *args, training=False, eps=1e-5)

    recorded = run(True)
    assert recorded.grad_fn is not None
    with tg.no_grad():
        plain = run(True)
    assert plain.grad_fn is None and plain.dtype == recorded.dtype
    tol = 1e-12 if dtype == "float64" else 2e-6
    np.testing.assert_allclose(plain.data, recorded.data, rtol=tol, atol=tol)
    expected = TF.batch_norm(torch.from_numpy(np.ascontiguousarray(x)), torch.from_numpy(mean), torch.from_numpy(var),
                             None if gamma is None else torch.from_numpy(gamma),
                             None if beta is None else torch.from_numpy(beta), training=False, eps=1e-5)
    np.testing.assert_allclose(plain.data, expected.numpy(), rtol=tol, atol=tol)


def test_a_zoo_network_in_evaluation_gives_the_same_outputs_with_and_without_a_graph():
    from tensorgate.models.zoo import SmallVGG
    _ = tg.manual_seed(0)
    model = SmallVGG()
    x = np.random.default_rng(7).standard_normal((4, 1, 28, 28)).astype(np.float32)
    model.train()
    with tg.no_grad():
        model(x)                                    # running statistics that are not the initial ones
    model.eval()
    recorded = model(x)
    assert recorded.grad_fn is not None
    with tg.no_grad():
        plain = model(x)
    np.testing.assert_allclose(plain.data, recorded.data, rtol=1e-5, atol=1e-5)
