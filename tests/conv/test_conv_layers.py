"""Conv2d, the pooling layers and BatchNorm2d as modules (PyTorch parity, init, config, repr); the zoo."""
import doctest
import importlib
import json

import numpy as np
import pytest
import torch

import tensorgate as tg
import tensorgate.nn as nn
from tensorgate.models import zoo


def _copy_into_torch(mine, theirs):
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(mine.weight.data))
        if mine.bias is not None:
            theirs.bias.copy_(torch.tensor(mine.bias.data))


@pytest.mark.parametrize("kwargs", [dict(), dict(stride=2, padding=1), dict(dilation=2, padding=2, groups=2),
                                    dict(groups=4, bias=False)])
def test_conv2d_module_matches_torch(kwargs):
    tg.manual_seed(0)
    mine = nn.Conv2d(4, 8, 3, **kwargs)
    theirs = torch.nn.Conv2d(4, 8, 3, **kwargs)
    _copy_into_torch(mine, theirs)
    x = np.random.default_rng(0).standard_normal((2, 4, 9, 9)).astype(np.float32)
    out, tout = mine(x), theirs(torch.tensor(x))
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-4, atol=1e-4)
    out.sum().backward()
    tout.sum().backward()
    np.testing.assert_allclose(mine.weight.grad, theirs.weight.grad.numpy(), rtol=1e-4, atol=1e-4)


def test_conv2d_default_init_is_torchs():
    tg.manual_seed(1)
    conv = nn.Conv2d(6, 16, 5)
    bound = 1.0 / np.sqrt(6 * 5 * 5)  # kaiming_uniform(a=√5) gives U(−1/√fan_in, 1/√fan_in)
    for p in (conv.weight, conv.bias):
        assert p.dtype == np.float32
        assert np.abs(p.data).max() <= bound
    assert conv.weight.data.std() == pytest.approx(bound / np.sqrt(3), rel=0.1)  # std of U(−a, a) is a/√3
    assert conv.weight.shape == (16, 6, 5, 5) and conv.num_parameters() == 16 * 6 * 25 + 16


def test_modules_config_roundtrip_and_repr():
    model = nn.Sequential(nn.Conv2d(3, 8, (3, 5), stride=(1, 2), padding=1, groups=1, bias=False),
                          nn.BatchNorm2d(8, eps=1e-3, momentum=0.2), nn.ReLU(), nn.MaxPool2d(2, stride=1, padding=1),
                          nn.AvgPool2d(2), nn.AdaptiveAvgPool2d((2, 2)))
    config = model.get_config()
    rebuilt = nn.module_from_config(json.loads(json.dumps(config)))
    assert rebuilt.get_config() == config
    text = repr(model)
    assert "Conv2d(3 → 8, kernel 3×5, stride=(1, 2), padding=1, bias=False)" in text
    assert "8·3·3·5" in text and "MaxPool2d(2, stride=1, padding=1)" in text and "AdaptiveAvgPool2d(2)" in text
    x = np.random.default_rng(0).standard_normal((2, 3, 8, 8)).astype(np.float32)
    rebuilt.load_state_dict(model.state_dict())
    model.eval()
    rebuilt.eval()
    np.testing.assert_array_equal(model(x).data, rebuilt(x).data)


def test_conv2d_module_rejects_wrong_channels_with_shapes():
    with pytest.raises(ValueError, match=r"Conv2d\(3, 8\): expected input of shape \(N, 3, H, W\), got \(2, 1, 8, 8\)"):
        nn.Conv2d(3, 8, 3)(tg.zeros((2, 1, 8, 8)))
    with pytest.raises(ValueError, match="groups=2 must divide in_channels=3"):
        nn.Conv2d(3, 8, 3, groups=2)


@pytest.mark.parametrize("momentum", [0.1, None])
def test_batchnorm2d_train_eval_and_running_stats_match_torch(momentum):
    rng = np.random.default_rng(2)
    mine, theirs = nn.BatchNorm2d(3, momentum=momentum), torch.nn.BatchNorm2d(3, momentum=momentum)
    with torch.no_grad():
        w, b = rng.uniform(0.5, 1.5, 3).astype(np.float32), rng.standard_normal(3).astype(np.float32)
        mine.weight.data[...], mine.bias.data[...] = w, b
        theirs.weight.copy_(torch.tensor(w))
        theirs.bias.copy_(torch.tensor(b))
    for step in range(3):  # a few training batches: batch statistics, running statistics updated
        x = (rng.standard_normal((4, 3, 5, 6)) * 2 + 1).astype(np.float32)
        # a conv output (channels-major in memory) as input, as in a real network
        x_cm = np.ascontiguousarray(x.transpose(1, 0, 2, 3)).transpose(1, 0, 2, 3)
        X, tx = tg.tensor(x_cm, requires_grad=True), torch.tensor(x, requires_grad=True)
        y, ty = mine(X), theirs(tx)
        np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-4, atol=1e-4)
        g = rng.standard_normal(y.shape).astype(np.float32)
        y.backward(g)
        ty.backward(torch.tensor(g))
        np.testing.assert_allclose(X.grad, tx.grad.numpy(), rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(mine.weight.grad, theirs.weight.grad.numpy(), rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(mine.bias.grad, theirs.bias.grad.numpy(), rtol=1e-4, atol=1e-4)
        mine.zero_grad()
        theirs.zero_grad()
    np.testing.assert_allclose(mine.running_mean.data, theirs.running_mean.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(mine.running_var.data, theirs.running_var.numpy(), rtol=1e-5, atol=1e-6)
    mine.eval()
    theirs.eval()
    x = rng.standard_normal((2, 3, 5, 6)).astype(np.float32)
    X, tx = tg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ty = mine(X), theirs(tx)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-4, atol=1e-4)
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_allclose(X.grad, tx.grad.numpy(), rtol=1e-4, atol=1e-4)


def test_batchnorm2d_gradcheck_and_shape_error():
    bn = nn.BatchNorm2d(2, dtype="float64")
    x = tg.tensor(np.random.default_rng(3).standard_normal((3, 2, 2, 3)), requires_grad=True, dtype="float64")
    assert tg.gradcheck(lambda a: bn(a), x)
    with pytest.raises(ValueError, match=r"BatchNorm2d\(2\).*got \(3, 2\)"):
        bn(tg.zeros((3, 2), dtype="float64"))


# ---------------------------------------------------------------- the zoo
@pytest.mark.parametrize("name", sorted(zoo.MODELS))
@pytest.mark.parametrize("in_shape", [(1, 28, 28), (3, 32, 32)])
def test_zoo_models_shapes_backward_and_config(name, in_shape):
    tg.manual_seed(0)
    model = zoo.get_model(name, in_shape, 10)
    x = np.random.default_rng(0).random((2,) + in_shape, dtype=np.float32)
    out = model(x)
    assert out.shape == (2, 10) and out.dtype == np.float32
    tg.nn.functional.cross_entropy(out, np.array([1, 7])).backward()
    for pname, p in model.named_parameters():
        assert p.grad is not None and p.grad.shape == p.shape and np.isfinite(p.grad).all(), pname
    rebuilt = nn.module_from_config(json.loads(json.dumps(model.get_config())))
    assert rebuilt.num_parameters() == model.num_parameters()
    assert "Total params" in repr(model)


def test_zoo_names_sizes_and_errors():
    assert zoo.LeNet5().num_parameters() == 61706  # LeNet-5's 16·5·5 → 120 → 84 → 10 head
    assert zoo.LeNet5(3, 10, 32).num_parameters() == 62006
    assert zoo.get_model("LeNet5", (1, 28, 28), 10).get_config() == zoo.LeNet5(1, 10, 28).get_config()
    dw = zoo.MobileNetSmall().blocks[0].depthwise
    assert dw.groups == dw.in_channels == 16  # depthwise: one 3×3 filter per channel
    with pytest.raises(ValueError, match="unknown model 'transformer'"):
        zoo.get_model("transformer", (1, 28, 28), 10)
    assert type(zoo.get_model("alexnet", (1, 28, 28), 10)) is zoo.AlexNet      # issue 23: the chapter is complete
    assert type(zoo.get_model("Inception", (3, 32, 32), 10)) is zoo.GoogLeNet
    assert type(zoo.get_model("efficientnet-b0", (1, 28, 28), 10)) is zoo.EfficientNet
    with pytest.raises(ValueError, match=r"in_shape must be \(channels, height, width\)"):
        zoo.get_model("lenet", (28, 28), 10)
    with pytest.raises(ValueError, match="input_size must be at least 12"):
        zoo.LeNet5(input_size=8)


MODULES = ["tensorgate.functional.conv", "tensorgate.functional.pooling", "tensorgate.nn.conv",
           "tensorgate.nn.pooling", "tensorgate.models.zoo", "tensorgate.models.zoo.classic",
           "tensorgate.models.zoo.alexnet", "tensorgate.models.zoo.googlenet", "tensorgate.models.zoo.efficientnet"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
