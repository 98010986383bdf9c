"""Issue 23's layers as modules: central differences in float64, Dropout2d's statistics, configs, repr, init,
errors and the docstring examples. Values and gradients against PyTorch are in
tests/conformance/test_conformance_cnn.py."""
import doctest
import importlib
import json

import numpy as np
import pytest
import torch

import tensorgate as tg
import tensorgate.nn as nn

RNG = np.random.default_rng(5)


def _x(*shape):
    return tg.tensor(RNG.standard_normal(shape), dtype="float64", requires_grad=True)


@pytest.mark.parametrize("name,fn,shape", [
    ("adaptive_avg_uneven", lambda x: tg.nn.functional.adaptive_avg_pool2d(x, (3, 4)), (2, 2, 5, 7)),
    ("adaptive_avg_larger", lambda x: tg.nn.functional.adaptive_avg_pool2d(x, (6, None)), (1, 2, 4, 3)),
    ("adaptive_max_uneven", lambda x: tg.nn.functional.adaptive_max_pool2d(x, (3, 4)), (2, 2, 5, 7)),
    ("adaptive_max_larger", lambda x: tg.nn.functional.adaptive_max_pool2d(x, (7, 2)), (1, 2, 4, 5)),
    ("lrn_odd", lambda x: tg.nn.functional.local_response_norm(x * 3, 3, 0.5, 0.75, 1.0), (2, 5, 2, 3)),
    ("lrn_even", lambda x: tg.nn.functional.local_response_norm(x * 3, 4, 0.5, 0.6, 2.0), (2, 6, 3)),
    ("pad_crop", lambda x: tg.nn.functional.pad(x, (2, -1, 1, 0)), (2, 2, 3, 4)),
    ("upsample_up", lambda x: tg.nn.functional.interpolate(x, scale_factor=(2, 3)), (1, 2, 3, 2)),
    ("upsample_down", lambda x: tg.nn.functional.interpolate(x, size=(2, 3)), (1, 2, 5, 7)),
])
def test_gradients_match_central_differences(name, fn, shape):
    assert tg.gradcheck(fn, _x(*shape))


@pytest.mark.parametrize("kwargs", [dict(stride=2, padding=1, output_padding=1), dict(groups=2, dilation=2)])
def test_conv_transpose_gradients_match_central_differences(kwargs):
    groups = kwargs.get("groups", 1)
    x, w, b = _x(2, 4, 3, 3), _x(4, 3, 3, 3), _x(3 * groups)     # weight (C_in, C_out/groups, kh, kw)
    assert tg.gradcheck(lambda x, w, b: tg.nn.functional.conv_transpose2d(x, w, b, **kwargs), x, w, b)


def test_dropout2d_drops_whole_channels_at_rate_p_and_scales_the_rest():
    tg.manual_seed(0)
    layer, p = nn.Dropout2d(0.3), 0.3
    x = tg.tensor(np.ones((64, 32, 3, 4), np.float32), requires_grad=True)
    z = layer(x)
    maps = z.data.reshape(64, 32, 12)
    assert (maps == maps[:, :, :1]).all()                          # one draw per (example, channel)
    assert set(np.unique(maps)) == {0.0, np.float32(1 / (1 - p))}  # kept maps are scaled by 1/(1 − p)
    dropped = (maps[:, :, 0] == 0).mean()
    assert abs(dropped - p) < 4 * np.sqrt(p * (1 - p) / (64 * 32))   # 2048 Bernoulli draws: within 4σ
    assert abs(z.data.mean() - 1.0) < 0.05                         # E[z] = x (inverted dropout)
    z.sum().backward()
    np.testing.assert_array_equal(x.grad, z.data)                   # ∂z/∂x = the mask
    assert z.dtype == np.float32
    tg.manual_seed(0)
    np.testing.assert_array_equal(nn.Dropout2d(0.3)(x).data, z.data)   # tg.manual_seed repeats the masks
    assert nn.Dropout2d(0.3)(x).data.tolist() != z.data.tolist()      # and each call draws anew
    layer.eval()
    assert layer(x) is x                                               # the identity in evaluation
    assert (nn.Dropout2d(1.0)(x).data == 0).all()
    x64 = tg.tensor(np.ones((2, 3, 2, 2)), dtype="float64")
    assert nn.Dropout2d(0.5)(x64).dtype == np.float64


def test_conv_transpose_init_is_torchs_and_shapes():
    tg.manual_seed(0)
    layer = nn.ConvTranspose2d(6, 8, 3, groups=2)
    assert layer.weight.shape == tuple(torch.nn.ConvTranspose2d(6, 8, 3, groups=2).weight.shape) == (6, 4, 3, 3)
    bound = 1.0 / np.sqrt(4 * 9)   # fan_in from the weight's second axis, as PyTorch
    assert np.abs(layer.weight.data).max() <= bound and np.abs(layer.bias.data).max() <= bound
    assert layer.weight.data.std() == pytest.approx(bound / np.sqrt(3), rel=0.15)
    assert layer.num_parameters() == sum(p.numel() for p in torch.nn.ConvTranspose2d(6, 8, 3, groups=2).parameters())
    assert layer(tg.zeros(2, 6, 5, 5)).shape == (2, 8, 7, 7)
    with pytest.raises(ValueError, match=r"ConvTranspose2d\(6, 8\): expected input of shape \(N, 6, H, W\)"):
        layer(tg.zeros(2, 3, 5, 5))
    with pytest.raises(ValueError, match=r"output_size \(20, 20\) is not reachable"):
        nn.ConvTranspose2d(2, 2, 3, stride=2)(tg.zeros(1, 2, 4, 4), output_size=(20, 20))


def test_configs_roundtrip_and_repr():
    model = nn.Sequential(nn.ZeroPad2d((1, 0, 2, 1)), nn.Conv2d(3, 8, 3, groups=1), nn.LocalResponseNorm(3, k=2.0),
                          nn.Dropout2d(0.2), nn.AdaptiveMaxPool2d((4, None)), nn.Upsample(scale_factor=2),
                          nn.ConvTranspose2d(8, 4, 3, stride=2, output_padding=1, bias=False),
                          nn.AdaptiveAvgPool2d((None, 3)))
    config = model.get_config()
    rebuilt = nn.module_from_config(json.loads(json.dumps(config)))
    assert rebuilt.get_config() == config
    rebuilt.load_state_dict(model.state_dict())
    x = RNG.standard_normal((2, 3, 6, 6)).astype(np.float32)
    model.eval()
    rebuilt.eval()
    np.testing.assert_array_equal(model(x).data, rebuilt(x).data)
    text = repr(model)
    for part in ("ZeroPad2d((1, 0, 2, 1))", "LocalResponseNorm(3, alpha=0.0001, beta=0.75, k=2.0)", "Dropout2d(p=0.2)",
                 "AdaptiveMaxPool2d((4, None))", "Upsample(scale_factor=2.0, mode='nearest')",
                 "ConvTranspose2d(8 → 4, kernel 3×3, stride=2, output_padding=1, bias=False)", "8·4·3·3"):
        assert part in text, part


@pytest.mark.parametrize("build,match", [
    (lambda: nn.AdaptiveMaxPool2d(0), "output_size must hold positive ints or None"),
    (lambda: nn.AdaptiveAvgPool2d((1, 2, 3)), "an int or a pair"),
    (lambda: tg.nn.functional.adaptive_max_pool2d(tg.zeros(2, 3), 1), r"\(N, C, H, W\), got shape \(2, 3\)"),
    (lambda: nn.LocalResponseNorm(0), "size must be a positive integer"),
    (lambda: nn.LocalResponseNorm(2)(tg.zeros(2, 3)), "at least 3 dimensions"),
    (lambda: nn.ZeroPad2d((1, 2)), r"4 ints \(left, right, top, bottom\)"),
    (lambda: tg.nn.functional.pad(tg.zeros(1, 2), (-3, 0)), "negative size"),
    (lambda: nn.Upsample(), "exactly one of size and scale_factor"),
    (lambda: nn.Upsample(size=0)(tg.zeros(1, 1, 2, 2)), "size must be a positive int"),
    (lambda: nn.Dropout2d(1.5), r"p must be a probability in \[0, 1\]"),
    (lambda: tg.nn.functional.conv_transpose2d(tg.zeros(1, 3, 2, 2), tg.zeros(2, 1, 3, 3)), "input has 3 channels"),
    (lambda: nn.ConvTranspose2d(3, 4, 3, groups=2), "groups=2 must divide in_channels=3"),
])
def test_errors_name_the_argument(build, match):
    with pytest.raises((ValueError, NotImplementedError), match=match):
        build()


@pytest.mark.parametrize("name", ["tensorgate.functional.adaptive_pool", "tensorgate.functional.local_response_norm",
                                  "tensorgate.functional.padding", "tensorgate.functional.upsample",
                                  "tensorgate.functional.conv_transpose", "tensorgate.functional.regularization",
                                  "tensorgate.nn.padding", "tensorgate.nn.upsampling", "tensorgate.nn.conv_transpose",
                                  "tensorgate.nn.dropout", "tensorgate.nn.normalization", "tensorgate.nn.pooling"])
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("build,shape", [
    (lambda: nn.Sequential(nn.ZeroPad2d((1, 0, 1, 0)), nn.Conv2d(2, 8, 3, groups=2), nn.LocalResponseNorm(3),
                           nn.Dropout2d(0.3), nn.AdaptiveMaxPool2d((3, None)), nn.Upsample(scale_factor=2),
                           nn.ConvTranspose2d(8, 4, 3, stride=2, output_padding=1), nn.AdaptiveAvgPool2d((2, 3)),
                           nn.Flatten(), nn.Linear(24, 3)), (2, 7, 7)),
    (lambda: __import__("tensorgate.models.zoo", fromlist=["zoo"]).EfficientNet(1, 3, 0.25, 0.3), (1, 12, 12)),
    (lambda: __import__("tensorgate.models.zoo", fromlist=["zoo"]).GoogLeNet(1, 3), (1, 12, 12)),
], ids=["new_layers", "efficientnet", "googlenet"])
def test_a_replayed_training_step_equals_the_eager_one(build, shape):
    """The new gates draw (Dropout2d) and compute everything inside forward, so CompiledStep replays them."""
    from tensorgate import optim
    from tensorgate.training import CompiledStep

    models = []
    for _ in range(2):
        tg.manual_seed(0)
        models.append(build())
    eager, replayed = models
    opt1, opt2 = optim.Adam(eager.parameters(), lr=1e-2), optim.Adam(replayed.parameters(), lr=1e-2)
    loss_fn, step = nn.CrossEntropyLoss(), CompiledStep(replayed, nn.CrossEntropyLoss(), opt2)
    rng = np.random.default_rng(3)
    data = [(rng.standard_normal((4,) + shape).astype(np.float32), rng.integers(0, 3, 4)) for _ in range(3)]
    tg.manual_seed(9)
    losses = []
    for x, y in data:
        opt1.zero_grad()
        loss = loss_fn(eager(x), y)
        loss.backward()
        opt1.step()
        losses.append(float(loss.data))
    tg.manual_seed(9)
    assert [step(x, y)[0] for x, y in data] == losses
    assert step.replays == 2
    for p1, p2 in zip(eager.parameters(), replayed.parameters()):
        np.testing.assert_array_equal(p1.data, p2.data)


@pytest.mark.parametrize("c,m,k,kwargs", [(6, 1, 3, dict(padding=1)), (4, 2, 3, dict(stride=2, padding=1)),
                                          (5, 1, (3, 5), dict(stride=(2, 1), padding=(0, 2), dilation=(2, 1))),
                                          (3, 3, 1, dict())])
@pytest.mark.parametrize("bias", [True, False])
def test_the_direct_depthwise_kernel_equals_the_grouped_reference(c, m, k, kwargs, bias):
    """F.conv2d sends groups = C_in to DepthwiseConv2dGate; Conv2dGate with groups is the reference."""
    from tensorgate.functional.conv import Conv2dGate
    from tensorgate.functional.depthwise import DepthwiseConv2dGate

    kh, kw = (k, k) if isinstance(k, int) else k
    arrays = [RNG.standard_normal((2, c, 9, 8)), RNG.standard_normal((c * m, 1, kh, kw)), RNG.standard_normal(c * m)]
    g = None
    results = []
    for gate, extra in ((DepthwiseConv2dGate, {}), (Conv2dGate, dict(groups=c))):
        x, w, b = (tg.tensor(a, dtype="float64", requires_grad=True) for a in arrays)
        z = gate.apply(x, w, b, **kwargs, **extra) if bias else gate.apply(x, w, **kwargs, **extra)
        g = RNG.standard_normal(z.shape) if g is None else g
        z.backward(g)
        results.append([z.data, x.grad, w.grad] + ([b.grad] if bias else []))
    for direct, reference in zip(*results):
        np.testing.assert_allclose(direct, reference, rtol=1e-12, atol=1e-12)
    x = tg.tensor(arrays[0][:1, :, :5, :5], dtype="float64", requires_grad=True)
    w = tg.tensor(arrays[1], dtype="float64", requires_grad=True)
    assert tg.gradcheck(lambda x, w: tg.nn.functional.conv2d(x, w, None, groups=c, **kwargs), x, w)
    assert type(tg.nn.functional.conv2d(x, w, groups=c, **kwargs)._gate) is DepthwiseConv2dGate


@pytest.mark.parametrize("c,m,k,kwargs", [(6, 1, 3, dict(padding=1)), (4, 2, 3, dict(stride=2, padding=1)),
                                          (5, 1, (3, 5), dict(stride=(2, 1), padding=(0, 2), dilation=(2, 1)))])
def test_the_depthwise_forward_shared_by_rows_among_threads_equals_one_thread(c, m, k, kwargs, monkeypatch):
    """Inside batch_threads() the direct kernel gives each thread its own output rows (tg.predict, a model
    called by hand on a large batch): the same numbers as one thread computing every row."""
    from tensorgate.backend import threads
    from tensorgate.functional import depthwise

    monkeypatch.setattr(depthwise, "ROWS_SHARED_FROM", 1)   # a row a piece, so that small images split too
    kh, kw = (k, k) if isinstance(k, int) else k
    x = tg.tensor(RNG.standard_normal((3, c, 11, 8)), dtype="float32")
    w = tg.tensor(RNG.standard_normal((c * m, 1, kh, kw)), dtype="float32")
    b = tg.tensor(RNG.standard_normal(c * m), dtype="float32")
    alone = depthwise.DepthwiseConv2dGate.apply(x, w, b, **kwargs).numpy()
    ranges = []
    real = threads.parallel_ranges
    monkeypatch.setattr(depthwise, "parallel_ranges",
                        lambda work, stop, step: real(lambda a, b: ranges.append((a, b)) or work(a, b), stop, step))
    with threads.batch_threads(2):
        shared = depthwise.DepthwiseConv2dGate.apply(x, w, b, **kwargs).numpy()
    ranges.sort()   # (the pool's thread may start first)
    assert len(ranges) == 2 and ranges[0][0] == 0 and ranges[0][1] == ranges[1][0]
    np.testing.assert_array_equal(shared, alone)
