"""nn/fusion.py: without a graph, a Conv2d followed by a BatchNorm2d in eval mode runs as one convolution
with folded weights, with PyTorch's result, and only where the two modules would compute exactly that."""
import numpy as np
import pytest
import torch

import tensorgate as tg
from tensorgate.functional.batchnorm import BatchNormGate
from tensorgate.models.zoo import MobileNetSmall, ResNetSmall, SmallVGG
from tensorgate.training.compiled import recorded_forward

nn = tg.nn


@pytest.fixture
def batchnorm_calls(monkeypatch):
    """How many times BatchNormGate's forward ran (a fold skips it)."""
    calls = []
    forward = BatchNormGate.forward

    def counted(self, *args, **kwargs):
        calls.append(1)
        return forward(self, *args, **kwargs)
    monkeypatch.setattr(BatchNormGate, "forward", counted)
    return calls


def _statistics(model, seed=0):
    """Running statistics, γ and β away from their initial 0, 1, 1, 0, so that a wrong fold shows."""
    rng = np.random.default_rng(seed)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            c = m.num_features
            m.running_mean.data[:] = rng.normal(0, 0.5, c)
            m.running_var.data[:] = rng.uniform(0.2, 2.0, c)
            if m.weight is not None:
                m.weight.data[:] = rng.uniform(0.5, 1.5, c)
                m.bias.data[:] = rng.normal(0, 0.5, c)
    return model.eval()


def _torch_copy(layers, dtype):
    """The same layers in PyTorch, with the same parameters and statistics."""
    out, torch_dtype = [], torch.float64 if dtype == np.float64 else torch.float32
    for m in layers:
        if isinstance(m, nn.Conv2d):
            t = torch.nn.Conv2d(m.in_channels, m.out_channels, m.kernel_size, m.stride, m.padding, m.dilation,
                                m.groups, bias=m.bias is not None, dtype=torch_dtype)
        else:
            t = torch.nn.BatchNorm2d(m.num_features, m.eps, affine=m.weight is not None, dtype=torch_dtype)
        t.load_state_dict({k: torch.from_numpy(np.array(v.data)) for k, v in m.state_dict().items()})
        out.append(t)
    return torch.nn.Sequential(*out).eval()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("conv, affine", [
    (dict(in_channels=3, out_channels=8, kernel_size=3, padding=1, bias=False), True),
    (dict(in_channels=3, out_channels=8, kernel_size=3, padding=1, bias=True), True),
    (dict(in_channels=3, out_channels=8, kernel_size=3, stride=2, padding=1, dilation=2), False),
    (dict(in_channels=8, out_channels=8, kernel_size=3, padding=1, groups=8, bias=False), True),   # depthwise
    (dict(in_channels=8, out_channels=4, kernel_size=1, groups=2), True),
])
def test_the_fold_gives_pytorchs_result(conv, affine, dtype, batchnorm_calls):
    layers = [nn.Conv2d(**conv, dtype=dtype), nn.BatchNorm2d(conv["out_channels"], affine=affine, dtype=dtype)]
    model = _statistics(nn.Sequential(*layers))
    x = np.random.default_rng(1).standard_normal((5, conv["in_channels"], 9, 9)).astype(dtype)
    with tg.no_grad():
        y = model(x).numpy()
    assert batchnorm_calls == []                        # folded: no BatchNorm pass ran
    with torch.no_grad():
        expected = _torch_copy(layers, dtype)(torch.from_numpy(x)).numpy()
    assert y.dtype == dtype
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(y, expected, rtol=tol, atol=tol)


@pytest.mark.parametrize("batch", [1, 3])     # one image: the convolutions' outputs are views of wide rows
@pytest.mark.parametrize("architecture", [SmallVGG, ResNetSmall, MobileNetSmall])
def test_zoo_models_fold_every_pair_and_agree_with_the_unfolded_forward(architecture, batch, batchnorm_calls):
    model = _statistics(architecture())
    x = np.random.default_rng(2).random((batch, 1, 28, 28), dtype=np.float32)
    unfolded = model(x).numpy()                         # with a graph: the two layers as written
    assert batchnorm_calls
    batchnorm_calls.clear()
    with tg.no_grad():
        folded = model(x).numpy()
    assert batchnorm_calls == []
    np.testing.assert_allclose(folded, unfolded, rtol=1e-5, atol=1e-5)


class OwnBatchNorm(nn.BatchNorm2d):
    def forward(self, x):
        return super().forward(x) * 2.0


@pytest.mark.parametrize("case", ["training", "hook on the norm", "hook on the conv", "subclass",
                                  "no running statistics", "with a graph", "mixed dtypes"])
def test_no_fold_where_the_two_layers_would_compute_something_else(case, batchnorm_calls):
    conv, bn = nn.Conv2d(2, 4, 3, padding=1), (OwnBatchNorm if case == "subclass" else nn.BatchNorm2d)(
        4, track_running_stats=case != "no running statistics")
    model = _statistics(nn.Sequential(conv, bn)) if case != "no running statistics" else nn.Sequential(conv, bn)
    model.eval()
    seen = []
    if case == "hook on the norm":
        bn.register_forward_hook(lambda m, args, out: seen.append(out.numpy().copy()))
    if case == "hook on the conv":
        conv.register_forward_hook(lambda m, args, out: seen.append(out.numpy().copy()))
    if case == "training":
        model.train()
    if case == "mixed dtypes":
        bn.running_mean.data = bn.running_mean.data.astype(np.float64)
        bn.running_var.data = bn.running_var.data.astype(np.float64)
    x = np.random.default_rng(3).standard_normal((4, 2, 6, 6)).astype(np.float32)
    before = bn.running_mean.numpy().copy() if bn.running_mean is not None else None
    if case == "mixed dtypes":    # the unfolded layers' error, not a silently promoted fold
        with tg.no_grad(), pytest.raises(TypeError, match="dtype"):
            model(x)
        return
    if case == "with a graph":
        out = model(x)
        out.sum().backward()
        assert bn.weight.grad is not None and np.abs(bn.weight.grad.numpy()).sum() > 0
    else:
        with tg.no_grad():
            out = model(x)
    assert len(batchnorm_calls) == 1                    # the BatchNorm ran as a layer of its own
    if case == "training":
        assert not np.allclose(bn.running_mean.numpy(), before)
    if case.startswith("hook"):
        assert len(seen) == 1 and seen[0].shape == (4, 4, 6, 6)
    if case == "subclass":
        with tg.no_grad():
            plain = nn.BatchNorm2d(4).eval()
            plain.load_state_dict(bn.state_dict())
            np.testing.assert_allclose(out.numpy(), 2.0 * plain(conv(x)).numpy(), rtol=1e-6)


def test_recorded_forward_still_replays_and_reads_new_parameters():
    """tg.predict records the gates; a fold there would hand a gate arrays it cannot trace to the parameters."""
    model = _statistics(SmallVGG())
    x = np.random.default_rng(4).random((2, 1, 28, 28), dtype=np.float32)
    forward = recorded_forward(model)
    first = forward(x)
    again = forward(x)
    assert forward.replays == 1
    np.testing.assert_array_equal(first, again)
    model.features[1].running_var.data *= 4.0           # in place, as an optimiser or a load would
    with tg.no_grad():
        expected = model(x).numpy()
    changed = forward(x)
    assert forward.replays == 2 and not np.allclose(changed, first)
    np.testing.assert_allclose(changed, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("hooked", [False, True])
def test_a_relu_after_the_pair_runs_in_place_unless_hooked(hooked, batchnorm_calls):
    layers = [nn.Conv2d(3, 6, 3, padding=1), nn.BatchNorm2d(6)]
    relu = nn.ReLU()
    model = _statistics(nn.Sequential(*layers, relu, nn.Flatten()))
    seen = []
    if hooked:
        relu.register_forward_hook(lambda m, args, out: seen.append((args[0].numpy().copy(), out.numpy().copy())))
    x = np.random.default_rng(5).standard_normal((2, 3, 7, 7)).astype(np.float32)
    with tg.no_grad():
        y = model(x).numpy()
    with torch.no_grad():
        expected = torch.relu(_torch_copy(layers, np.float32)(torch.from_numpy(x))).flatten(1).numpy()
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)
    assert (y == 0).any() and (y > 0).any()
    assert batchnorm_calls == []
    if hooked:    # the hook saw ReLU's own input, the folded pair's output, negative values and all
        (before, after), = seen
        assert (before < 0).any()
        np.testing.assert_array_equal(after, np.maximum(before, 0))


def test_relu_of_a_large_array_keeps_pytorchs_special_values():
    """ReLU compares large arrays with a view of a shared zero buffer (NumPy's maximum is 3× faster against
    an array than against the scalar 0): the same values as torch.relu, NaN kept, and the buffer stays 0."""
    from tensorgate.functional.activation import ZEROS_FROM
    x = np.random.default_rng(6).standard_normal(3 * ZEROS_FROM).astype(np.float32)
    x[:4] = [np.nan, -np.inf, np.inf, -0.0]
    for _ in range(2):
        y = tg.relu(tg.tensor(x)).numpy()
        np.testing.assert_array_equal(y, torch.relu(torch.from_numpy(x)).numpy())
    assert np.isnan(y[0]) and y[1] == 0 and y[2] == np.inf
    small = tg.relu(tg.tensor(x[:ZEROS_FROM].reshape(-1, 8) * -1.0)).numpy()
    assert (small[1:] >= 0).all() and np.isnan(small[0, 0])


@pytest.mark.parametrize("layout", ["C", "F", "channels-major", "channels-last", "reversed", "gaps"])
def test_relu_zeros_follow_the_inputs_memory_order(layout):
    from tensorgate.functional.activation import zeros_for_maximum
    rng = np.random.default_rng(7)
    c = rng.standard_normal((8, 6, 12, 20)).astype(np.float32)
    a = {"C": c, "F": np.asfortranarray(c), "channels-major": c.transpose(1, 0, 2, 3),
         "channels-last": c.transpose(0, 3, 1, 2), "reversed": c[:, ::-1], "gaps": c[:, :, :, :15]}[layout]
    z = zeros_for_maximum(a)
    assert z.shape == a.shape and not z.any() and not z.flags.writeable
    if layout not in ("reversed", "gaps"):
        assert z.strides == a.strides
    np.testing.assert_array_equal(tg.relu(tg.tensor(a)).numpy(), torch.relu(torch.from_numpy(a.copy())).numpy())
