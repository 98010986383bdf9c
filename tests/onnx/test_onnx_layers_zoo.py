"""tg.onnx.export of tg.nn layers and the CNN zoo, checked by onnx.checker and onnxruntime.

Acceptance (issue 19): for every exportable model, onnxruntime's outputs equal tensorgate's within 1e-5
(float32) on random inputs of two batch sizes, and onnx.checker.check_model passes.
"""
import io

import numpy as np
import pytest

onnx = pytest.importorskip("onnx", reason="the optional 'onnx' package is not installed (pip install tensorgate[onnx])")
ort = pytest.importorskip("onnxruntime", reason="the optional 'onnxruntime' package is not installed")

import tensorgate as tg  # noqa: E402
from tensorgate import nn  # noqa: E402
from tensorgate.models import zoo  # noqa: E402
from tensorgate.onnx import UnsupportedModelError  # noqa: E402


def exported(model, example, **kwargs):
    """(ModelProto, onnxruntime session) of ``model`` exported on ``example``; check_model passes."""
    buffer = io.BytesIO()
    proto = tg.onnx.export(model, example, buffer, **kwargs)
    onnx.checker.check_model(onnx.load_from_string(buffer.getvalue()), full_check=True)
    session = ort.InferenceSession(buffer.getvalue(), providers=["CPUExecutionProvider"])
    return proto, session


def assert_matches(model, shape, batches=(2, 5), seed=0, scale=1.0):
    """Export on a batch of ``batches[0]``; onnxruntime equals tensorgate (eval) within 1e-5 on each batch."""
    rng = np.random.default_rng(seed)
    make = lambda n: (scale * rng.standard_normal((n,) + tuple(shape))).astype(np.float32)  # noqa: E731
    _, session = exported(model, make(batches[0]))
    model.eval()
    for n in batches:
        x = make(n)
        expected = model(x).data
        (got,) = session.run(None, {"input": x})
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def _trained_batchnorm(bn, shape):
    """BatchNorm with non-trivial running statistics and affine parameters."""
    rng = np.random.default_rng(1)
    for _ in range(3):
        bn(tg.tensor((2.0 + 3.0 * rng.standard_normal((8,) + shape)).astype(np.float32)))
    if bn.affine:
        bn.weight.data[...] = rng.uniform(0.5, 2.0, bn.num_features)
        bn.bias.data[...] = rng.standard_normal(bn.num_features)
    return bn


LAYERS = {
    "linear": (lambda: nn.Linear(6, 4), (6,)),
    "linear_no_bias_3d": (lambda: nn.Linear(6, 4, bias=False), (3, 6)),
    "linear_3d": (lambda: nn.Linear(6, 4), (3, 6)),
    "conv": (lambda: nn.Conv2d(3, 4, 3), (3, 9, 9)),
    "conv_stride_pad_dilation": (lambda: nn.Conv2d(3, 6, (3, 2), stride=2, padding=(2, 1), dilation=(1, 2)),
                                 (3, 11, 10)),
    "conv_groups": (lambda: nn.Conv2d(4, 8, 3, padding=1, groups=2, bias=False), (4, 7, 7)),
    "conv_depthwise": (lambda: nn.Conv2d(4, 4, 3, stride=2, padding=1, groups=4), (4, 8, 8)),
    "batchnorm1d": (lambda: _trained_batchnorm(nn.BatchNorm1d(5), (5,)), (5,)),
    "batchnorm1d_3d": (lambda: _trained_batchnorm(nn.BatchNorm1d(5), (5, 4)), (5, 4)),
    "batchnorm2d": (lambda: _trained_batchnorm(nn.BatchNorm2d(3), (3, 4, 4)), (3, 4, 4)),
    "batchnorm2d_not_affine": (lambda: _trained_batchnorm(nn.BatchNorm2d(3, affine=False), (3, 4, 4)), (3, 4, 4)),
    "batchnorm2d_batch_statistics": (lambda: nn.BatchNorm2d(3, track_running_stats=False), (3, 4, 4)),
    "maxpool": (lambda: nn.MaxPool2d(2), (3, 8, 8)),
    "maxpool_stride_pad": (lambda: nn.MaxPool2d(3, stride=2, padding=1), (2, 9, 9)),
    "avgpool": (lambda: nn.AvgPool2d(2), (3, 8, 8)),
    "avgpool_stride_pad": (lambda: nn.AvgPool2d(3, stride=2, padding=1), (2, 9, 9)),
    "adaptive_global": (lambda: nn.AdaptiveAvgPool2d(1), (3, 7, 7)),
    "adaptive_divisible": (lambda: nn.AdaptiveAvgPool2d(2), (3, 8, 6)),
    "adaptive_uneven": (lambda: nn.AdaptiveAvgPool2d((3, 2)), (3, 7, 5)),
    "flatten": (lambda: nn.Flatten(), (3, 4, 5)),
    "flatten_middle": (lambda: nn.Flatten(2, 3), (3, 4, 5)),
    "relu": (lambda: nn.ReLU(), (7,)),
    "sigmoid": (lambda: nn.Sigmoid(), (7,)),
    "tanh": (lambda: nn.Tanh(), (7,)),
    "leaky_relu": (lambda: nn.LeakyReLU(0.2), (7,)),
    "gelu": (lambda: nn.GELU(), (7,)),
    "hardtanh": (lambda: nn.Hardtanh(-0.5, 2.0), (7,)),
    "relu6": (lambda: nn.ReLU6(), (7,)),
    "hardsigmoid": (lambda: nn.Hardsigmoid(), (7,)),
    "hardswish": (lambda: nn.Hardswish(), (7,)),
    "softsign": (lambda: nn.Softsign(), (7,)),
    "softmin": (lambda: nn.Softmin(dim=1), (3, 4)),
    "conv1d": (lambda: nn.Conv1d(3, 4, 5, stride=2, padding=2, dilation=1, groups=1), (3, 17)),
    "conv1d_same_groups": (lambda: nn.Conv1d(4, 6, 3, padding="same", dilation=2, groups=2, bias=False), (4, 12)),
    "maxpool1d": (lambda: nn.MaxPool1d(3, stride=2, padding=1), (3, 11)),
    "avgpool1d": (lambda: nn.AvgPool1d(2), (3, 10)),
    "adaptive_avg1d_global": (lambda: nn.AdaptiveAvgPool1d(1), (3, 9)),
    "adaptive_avg1d_uneven": (lambda: nn.AdaptiveAvgPool1d(4), (3, 9)),
    "adaptive_max1d": (lambda: nn.AdaptiveMaxPool1d(3), (3, 9)),
    "prelu": (lambda: nn.PReLU(), (7,)),
    "prelu_per_channel": (lambda: _slopes(nn.PReLU(3)), (3, 4, 4)),
    "threshold": (lambda: nn.Threshold(0.2, -1.5), (7,)),
    "hardshrink": (lambda: nn.Hardshrink(0.3), (7,)),
    "softshrink": (lambda: nn.Softshrink(0.3), (7,)),
    "tanhshrink": (lambda: nn.Tanhshrink(), (7,)),
    "celu": (lambda: nn.CELU(0.7), (7,)),
    "glu": (lambda: nn.GLU(1), (6, 3)),
    "constant_pad1d": (lambda: nn.ConstantPad1d((2, -1), 0.5), (3, 6)),
    "constant_pad2d": (lambda: nn.ConstantPad2d((1, 0, 2, 1), -1.0), (2, 4, 4)),
    "zero_pad1d": (lambda: nn.ZeroPad1d(1), (3, 6)),
    "groupnorm": (lambda: _affine(nn.GroupNorm(2, 4)), (4, 5, 3)),
    "groupnorm_sequence_no_affine": (lambda: nn.GroupNorm(3, 6, affine=False), (6, 7)),
    "identity": (lambda: nn.Identity(), (7,)),
    "step": (lambda: nn.Step(), (7,)),
    "softmax": (lambda: nn.Softmax(), (7,)),
    "softmax_dim1": (lambda: nn.Softmax(dim=1), (3, 4)),
    "log_softmax": (lambda: nn.LogSoftmax(), (7,)),
    "dropout": (lambda: nn.Dropout(0.5), (7,)),
    "residual": (lambda: nn.Residual(nn.Sequential(nn.Linear(5, 5), nn.Tanh())), (5,)),
    "mlp": (lambda: nn.Sequential(nn.Linear(6, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.3),
                                  nn.Linear(16, 8), nn.GELU(), nn.Linear(8, 3), nn.LogSoftmax()), (6,)),
    "cnn": (lambda: nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                                  nn.Conv2d(4, 8, 3), nn.AvgPool2d(2), nn.Flatten(), nn.Linear(8, 2)), (1, 8, 8)),
}


def _slopes(layer):
    """Different slopes per channel, so that a converter that broadcast them wrongly fails."""
    layer.weight.data[...] = np.array([0.1, -0.3, 0.6], dtype=layer.weight.data.dtype)
    return layer


def _affine(layer):
    """γ and β away from 1 and 0, so that a converter that forgot them fails."""
    rng = np.random.default_rng(3)
    layer.weight.data[...] = rng.uniform(0.5, 1.5, layer.weight.shape)
    layer.bias.data[...] = rng.standard_normal(layer.bias.shape)
    return layer


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_matches_onnxruntime(name):
    tg.manual_seed(0)
    build, shape = LAYERS[name]
    assert_matches(build(), shape, scale=3.0 if name in ("hardtanh", "step", "relu", "leaky_relu", "relu6", "hardsigmoid",
                                                         "hardswish", "prelu", "prelu_per_channel", "threshold",
                                                         "hardshrink", "softshrink") else 1.0)


@pytest.mark.parametrize("name,in_shape", [("lenet", (1, 28, 28)), ("lenet", (3, 32, 32)), ("vgg", (1, 28, 28)),
                                           ("resnet", (3, 32, 32)), ("mobilenet", (1, 28, 28))])
def test_zoo_model_matches_onnxruntime(name, in_shape):
    tg.manual_seed(0)
    model = zoo.get_model(name, in_shape, 10)
    for module in model.modules():   # running statistics and affine parameters away from 0 and 1
        if isinstance(module, nn.BatchNorm2d):
            rng = np.random.default_rng(len(list(module.parameters())) + module.num_features)
            module.running_mean.data[...] = 0.1 * rng.standard_normal(module.num_features)
            module.running_var.data[...] = rng.uniform(0.5, 1.5, module.num_features)
            module.weight.data[...] = rng.uniform(0.8, 1.2, module.num_features)
            module.bias.data[...] = 0.1 * rng.standard_normal(module.num_features)
    assert_matches(model, in_shape, batches=(2, 3))


def test_every_zoo_model_is_exportable():
    """Each class the zoo lists (MODELS and the blocks) has a converter: a new model needs one."""
    from tensorgate.onnx.graph import converter_for

    for name in zoo.MODELS:
        model = zoo.get_model(name, (1, 28, 28), 10)
        assert all(converter_for(m) is not None for m in model.modules()), name


@pytest.mark.parametrize("block", [lambda: zoo.BasicBlock(4, 4), lambda: zoo.BasicBlock(4, 8, stride=2),
                                   lambda: zoo.DepthwiseSeparable(4, 6, stride=2)])
def test_zoo_blocks(block):
    tg.manual_seed(0)
    assert_matches(block(), (4, 9, 9))


def test_checker_passes_and_names_follow_the_state_dict():
    tg.manual_seed(0)
    model = zoo.LeNet5()
    proto, _ = exported(model, np.zeros((2, 1, 28, 28), np.float32))
    initializers = {t.name for t in proto.graph.initializer}
    assert set(model.state_dict()) <= initializers | {k for k in model.state_dict() if "batches" in k}
    assert proto.opset_import[0].version == tg.onnx.DEFAULT_OPSET and proto.producer_name == "tensorgate"


def test_export_uses_eval_mode_and_restores_training_flags():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.Dropout(0.5), nn.Linear(6, 2))
    _trained_batchnorm(model[1], (6,))
    model.train()
    model[3].eval()                                 # a mixed state comes back as it was
    stats = model[1].running_mean.data.copy()
    _, session = exported(model, np.zeros((3, 4), np.float32))
    assert [m.training for m in model.modules()] == [True, True, True, True, False]
    np.testing.assert_array_equal(model[1].running_mean.data, stats)   # the example did not update them
    x = np.random.default_rng(0).standard_normal((4, 4)).astype(np.float32)
    model.eval()
    np.testing.assert_allclose(session.run(None, {"input": x})[0], model(x).data, rtol=1e-5, atol=1e-5)


def test_names_dynamic_axes_and_opset():
    model = nn.Sequential(nn.Linear(3, 2))
    x = np.zeros((4, 3), np.float32)
    proto, session = exported(model, x, input_names=["features"], output_names=["scores"],
                              dynamic_axes={"features": {0: "n"}, "scores": [0]}, opset_version=18)
    assert [i.name for i in session.get_inputs()] == ["features"]
    assert [o.name for o in session.get_outputs()] == ["scores"]
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "n"
    assert proto.opset_import[0].version == 18
    fixed, session = exported(model, x, dynamic_axes={})
    assert [d.dim_value for d in fixed.graph.input[0].type.tensor_type.shape.dim] == [4, 3]
    with pytest.raises(Exception):                  # a fixed batch of 4 refuses 5 rows
        session.run(None, {"input": np.zeros((5, 3), np.float32)})


def test_identity_model_and_file_paths(tmp_path):
    path = tmp_path / "m.onnx"
    tg.onnx.export(nn.Sequential(nn.Identity(), nn.Dropout()), tg.zeros(2, 3), path)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_array_equal(session.run(None, {"input": x})[0], x)
    assert [p.name for p in tmp_path.iterdir()] == ["m.onnx"]      # no temporary left behind


class _Custom(nn.Module):
    def forward(self, x):
        return x * 2


def test_unsupported_layer_is_named():
    model = nn.Sequential(nn.Linear(3, 3), nn.Sequential(nn.ReLU(), _Custom()))
    with pytest.raises(UnsupportedModelError, match=r"layer '1\.1' \(_Custom\)"):
        tg.onnx.export(model, tg.zeros(2, 3), io.BytesIO())


def test_a_subclass_is_not_exported_as_its_parent():
    class Doubled(nn.Sequential):
        def forward(self, x):
            return super().forward(x) * 2

    with pytest.raises(UnsupportedModelError, match="Doubled"):
        tg.onnx.export(Doubled(nn.ReLU()), tg.zeros(2, 3), io.BytesIO())


@pytest.mark.parametrize("kwargs,match", [
    (dict(opset_version=9), "opset_version"),
    (dict(training=True), "evaluation mode"),
    (dict(export_params=False), "export_params"),
    (dict(dynamic_axes={"nope": [0]}), "nope"),
    (dict(dynamic_axes={"input": [2]}), "axis 2"),
    (dict(input_names=["a", "b"]), "input_names"),
    (dict(dynamo=True), "dynamo"),
    (dict(output_names=["weight"]), "already used"),
    (dict(input_names=["x"], output_names=["x"]), "both an input and an output"),
])
def test_bad_arguments_are_named(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        tg.onnx.export(nn.Linear(3, 2), tg.zeros(2, 3), io.BytesIO(), **kwargs)


def test_float64_model_gives_a_float64_graph():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 2), nn.Softmax()).double()
    proto, session = exported(model, np.zeros((2, 4)))
    assert proto.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.DOUBLE
    x = np.random.default_rng(0).standard_normal((3, 4))
    np.testing.assert_allclose(session.run(None, {"input": x})[0], model(x).data, rtol=1e-12)


def test_docstring_examples():
    import doctest
    import importlib

    module = importlib.import_module("tensorgate.onnx.export")    # the module, not the function it exports
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
