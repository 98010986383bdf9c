"""tg.onnx.export of issue 23's layers and zoo networks (AlexNet, GoogLeNet, EfficientNet), checked by onnx.checker
and against onnxruntime within 1e-5 at two batch sizes, as tests/onnx/test_onnx_layers_zoo.py does for the others."""
import io

import numpy as np
import pytest

onnx = pytest.importorskip("onnx", reason="the optional 'onnx' package is not installed (pip install tensorgate[onnx])")
pytest.importorskip("onnxruntime", reason="the optional 'onnxruntime' package is not installed")

import tensorgate as tg  # noqa: E402
from tensorgate import nn  # noqa: E402
from tensorgate.models import zoo  # noqa: E402
from tensorgate.onnx import UnsupportedModelError  # noqa: E402
from test_onnx_layers_zoo import assert_matches, exported  # noqa: E402

LAYERS = {
    "adaptive_avg_none": (lambda: nn.AdaptiveAvgPool2d((None, 3)), (3, 7, 5)),
    "adaptive_avg_larger": (lambda: nn.AdaptiveAvgPool2d((9, 4)), (2, 7, 3)),
    "adaptive_max_global": (lambda: nn.AdaptiveMaxPool2d(1), (3, 7, 7)),
    "adaptive_max_divisible": (lambda: nn.AdaptiveMaxPool2d(2), (3, 8, 6)),
    "adaptive_max_uneven": (lambda: nn.AdaptiveMaxPool2d((3, 4)), (3, 7, 5)),
    "adaptive_max_larger_none": (lambda: nn.AdaptiveMaxPool2d((None, 7)), (2, 5, 4)),
    "lrn_odd": (lambda: nn.LocalResponseNorm(5, 1e-2, 0.75, 2.0), (8, 4, 4)),
    "lrn_even": (lambda: nn.LocalResponseNorm(4, 0.5, 0.6, 1.5), (6, 3, 3)),
    "lrn_one": (lambda: nn.LocalResponseNorm(1, 0.3), (3, 2, 2)),
    "dropout2d": (lambda: nn.Dropout2d(0.5), (3, 4, 4)),
    "zeropad": (lambda: nn.ZeroPad2d((1, 2, 3, 0)), (3, 4, 5)),
    "zeropad_crop": (lambda: nn.ZeroPad2d((2, -1, -1, 1)), (3, 4, 5)),
    "conv_transpose": (lambda: nn.ConvTranspose2d(3, 4, 3), (3, 5, 5)),
    "conv_transpose_strided": (lambda: nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2),
                               (4, 5, 6)),
    "conv_transpose_dilated": (lambda: nn.ConvTranspose2d(2, 3, (2, 3), stride=(1, 2), dilation=2, bias=False),
                               (2, 4, 4)),
    "upsample_2": (lambda: nn.Upsample(scale_factor=2), (3, 4, 5)),
    "upsample_3_1": (lambda: nn.Upsample(scale_factor=(3, 1)), (3, 4, 5)),
    "upsample_size": (lambda: nn.Upsample(size=(11, 7)), (3, 4, 5)),
    "upsample_fraction": (lambda: nn.Upsample(scale_factor=1.7), (3, 5, 6)),
    "silu": (lambda: nn.SiLU(), (7,)),
    "decoder": (lambda: nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.SiLU(), nn.Dropout2d(), nn.MaxPool2d(2),
                                      nn.ConvTranspose2d(4, 2, 2, stride=2), nn.ZeroPad2d(1), nn.Upsample(size=6),
                                      nn.LocalResponseNorm(2), nn.AdaptiveMaxPool2d((3, 2))), (1, 8, 8)),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_matches_onnxruntime(name):
    tg.manual_seed(0)
    build, shape = LAYERS[name]
    assert_matches(build(), shape, scale=3.0 if name.startswith("lrn") else 1.0)


def _with_statistics(model):
    """Running statistics and affine parameters away from 0 and 1 (as the zoo test of the older models)."""
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            rng = np.random.default_rng(module.num_features)
            module.running_mean.data[...] = 0.1 * rng.standard_normal(module.num_features)
            module.running_var.data[...] = rng.uniform(0.5, 1.5, module.num_features)
            module.weight.data[...] = rng.uniform(0.8, 1.2, module.num_features)
            module.bias.data[...] = 0.1 * rng.standard_normal(module.num_features)
    return model


@pytest.mark.parametrize("build,in_shape", [
    (lambda: zoo.AlexNet(local_response_norm=True), (1, 28, 28)),
    (lambda: zoo.AlexNet(3, 10, 32), (3, 32, 32)),
    (lambda: zoo.GoogLeNet(aux_logits=True), (1, 28, 28)),
    (lambda: zoo.GoogLeNet(3, 10), (3, 32, 32)),
    (lambda: zoo.EfficientNet(), (1, 28, 28)),
    (lambda: zoo.EfficientNet(3, 10), (3, 32, 32)),
], ids=["alexnet_lrn", "alexnet_rgb32", "googlenet_aux", "googlenet_rgb32", "efficientnet", "efficientnet_rgb32"])
def test_new_zoo_model_matches_onnxruntime(build, in_shape):
    tg.manual_seed(0)
    assert_matches(_with_statistics(build()), in_shape, batches=(2, 3))


@pytest.mark.parametrize("block", [lambda: zoo.Inception(4, 2, 3, 4, 2, 3, 2), lambda: zoo.MBConv(4, 4, 6, 3, 1),
                                   lambda: zoo.MBConv(4, 8, 1, 5, 2), lambda: zoo.SqueezeExcitation(4, 2),
                                   lambda: zoo.InceptionAux(4, 3)])
def test_zoo_blocks(block):
    tg.manual_seed(0)
    assert_matches(_with_statistics(block()), (4, 9, 9))


def test_return_indices_is_refused_with_the_layers_name():
    with pytest.raises(UnsupportedModelError, match=r"AdaptiveMaxPool2d.*return_indices"):
        exported(nn.Sequential(nn.AdaptiveMaxPool2d(2, return_indices=True)), np.zeros((1, 1, 4, 4), np.float32))


def test_upsample_by_an_integer_factor_is_a_resize():
    proto, _ = exported(nn.Sequential(nn.Upsample(scale_factor=2)), np.zeros((1, 1, 3, 3), np.float32))
    assert [node.op_type for node in proto.graph.node] == ["Resize"]
    proto, _ = exported(nn.Sequential(nn.LocalResponseNorm(3)), np.zeros((1, 4, 3, 3), np.float32))
    assert [node.op_type for node in proto.graph.node] == ["LRN"]
    buffer = io.BytesIO()
    tg.onnx.export(nn.Sequential(nn.AdaptiveAvgPool2d(1)), tg.zeros(1, 2, 3, 3), buffer)
    assert [node.op_type for node in onnx.load_from_string(buffer.getvalue()).graph.node] == ["GlobalAveragePool"]
