"""The fast convolution kernels (functional/conv_kernels.py) agree with the textbook gate.

Conv2dGate runs groups-1 convolutions through conv_kernels.py: the batch in chunks of a few images,
∂L/∂x of stride-1 layers as a convolution of G with the flipped kernel, col2im in chunks otherwise, the
output compacted from the wide layout. PlainConv2dGate keeps the whole-batch products written out in
conv.py. Both must give the same values and gradients, in float64 (to round-off) and float32, with one
chunk or many (the last one partial), whichever way ∂L/∂x is computed, on one thread or with the batch
shared among threads (``backend.threads.parallel_ranges``; three threads, so that shares are uneven).
"""
import functools

import numpy as np
import pytest

import tensorgate as tg
from tensorgate.backend import threads
from tensorgate.functional import conv_kernels
from tensorgate.functional.conv import Conv2dGate, PlainConv2dGate

# (N, C_in, H, W, C_out, kernel, stride, padding, dilation)
CASES = [
    (5, 3, 8, 7, 2, 3, 1, 1, 1),          # C_out < C_in: ∂L/∂x as a convolution of G
    (5, 2, 8, 8, 4, 3, 1, 1, 1),          # C_out > C_in: chunked col2im
    (3, 1, 9, 9, 3, 5, 1, 2, 1),          # LeNet's first layer (no ∂L/∂x needed there, checked anyway)
    (4, 3, 7, 6, 3, 3, 2, 1, 1),          # stride 2 (plain column layout): col2im
    (3, 2, 9, 8, 2, (2, 3), (1, 1), (1, 0), (2, 1)),   # rectangular kernel, dilation 2 along the height
    (4, 4, 5, 5, 4, 1, 2, 0, 1),          # 1×1 stride 2: ResNet's shortcut
    (2, 3, 6, 6, 3, 3, 1, 0, 1),          # no padding
    (2, 2, 5, 5, 2, 3, 1, 2, 1),          # padding = k − 1: the transposed convolution pads by 0
    (3, 2, 6, 6, 2, 1, 1, 1, 1),          # 1×1 with padding 1: beyond the kernel's span, no shared row padding
]


def _run(gate, x, w, b, g, params, dtype):
    X, W, B = (tg.tensor(a, requires_grad=True, dtype=dtype) for a in (x, w, b))
    z = gate.apply(X, W, B, **params)
    z.backward(g)
    return [z.data, X.grad, W.grad, B.grad]


@pytest.mark.parametrize("compact", [0, 1 << 30], ids=["compact", "wide-view"])
@pytest.mark.parametrize("chunk", [1, 1 << 18], ids=["one-image-chunks", "large-chunks"])
@pytest.mark.parametrize("transposed", [True, False], ids=["dx-as-convolution", "dx-by-col2im"])
@pytest.mark.parametrize("case", CASES, ids=[str(c) for c in CASES])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("workers", [1, 3], ids=["one-thread", "three-threads"])
def test_kernels_agree_with_the_textbook_gate(case, dtype, transposed, chunk, compact, workers, monkeypatch):
    monkeypatch.setattr(conv_kernels, "parallel_ranges", functools.partial(threads.parallel_ranges, threads=workers))
    monkeypatch.setattr(conv_kernels, "COMPACT_FROM", compact)
    monkeypatch.setattr(conv_kernels, "CHUNK_ELEMENTS", chunk)
    monkeypatch.setattr(conv_kernels, "COL2IM_CHUNK_ELEMENTS", chunk)
    monkeypatch.setattr(conv_kernels, "TRANSPOSED_INPUT_GRADIENT", transposed)
    n, c, h, w_, o, k, s, p, d = case
    k2 = k if isinstance(k, tuple) else (k, k)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((n, c, h, w_)).astype(dtype)
    w = rng.standard_normal((o, c) + k2).astype(dtype)
    b = rng.standard_normal(o).astype(dtype)
    params = dict(stride=s, padding=p, dilation=d)
    z = PlainConv2dGate.apply(tg.tensor(x, dtype=dtype), tg.tensor(w, dtype=dtype), **params)
    g = rng.standard_normal(z.shape).astype(dtype)
    fast, plain = _run(Conv2dGate, x, w, b, g, params, dtype), _run(PlainConv2dGate, x, w, b, g, params, dtype)
    tol = 1e-11 if dtype == "float64" else 2e-5
    for mine, ref in zip(fast, plain):
        assert mine.dtype == ref.dtype == np.dtype(dtype) and mine.shape == ref.shape
        np.testing.assert_allclose(mine, ref, rtol=tol, atol=tol)


def test_the_kernels_run_where_they_should():
    """groups 1 goes through the kernels (the flag is on), PlainConv2dGate never does."""
    assert Conv2dGate.chunked and not PlainConv2dGate.chunked
    x = tg.tensor(np.ones((64, 3, 12, 12), np.float32), requires_grad=True)
    w = tg.tensor(np.ones((4, 3, 3, 3), np.float32), requires_grad=True)
    z = Conv2dGate.apply(x, w, padding=1)
    z.backward(np.ones(z.shape, np.float32))
    assert z.data.transpose(1, 0, 2, 3).flags.c_contiguous   # compact, channels-major
    assert z.data[0, 0, 2, 2] == 27.0 and z.data[0, 0, 0, 0] == 12.0
    small = Conv2dGate.apply(x[:1], w, padding=1)            # one image: a view of the wide rows
    assert not small.data.transpose(1, 0, 2, 3).flags.c_contiguous
    np.testing.assert_array_equal(small.data, z.data[:1])


def test_input_gradient_choice_follows_the_channels():
    """∂L/∂x as a convolution of G only at stride 1 with no more output than input channels."""
    from tensorgate.functional.conv import _Geometry
    geo = _Geometry((2, 8, 6, 6), (3, 3), (1, 1), (1, 1), (1, 1), 1, 4, True)
    assert conv_kernels.input_gradient_applies(geo, 8) and not conv_kernels.input_gradient_applies(geo, 16)
    strided = _Geometry((2, 8, 6, 6), (3, 3), (2, 2), (1, 1), (1, 1), 1, 4, True)
    assert not conv_kernels.input_gradient_applies(strided, 8)
