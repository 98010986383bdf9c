"""Idioms for issue 23's layers (the CNN chapter), each run in PyTorch and in tensorgate from the same arrays and
weights, comparing values, shapes, dtypes and gradients in float32 and float64 (nn_compare.compare):
AdaptiveAvgPool2d / AdaptiveMaxPool2d, LocalResponseNorm, Dropout2d (eval), ZeroPad2d / F.pad, ConvTranspose2d,
Upsample / F.interpolate (nearest) and grouped / depthwise Conv2d. Unsupported options raise a clear error (end).
"""
import numpy as np
import pytest

import tensorgate as tg
from nn_compare import compare, grads, module

RNG = np.random.default_rng(23)
IMG = RNG.standard_normal((2, 3, 7, 9)).astype(np.float32)      # a batch of 2 images, 3 channels, 7×9
IMG64 = IMG.astype(np.float64)
WIDE = RNG.standard_normal((2, 8, 5, 6)).astype(np.float32)     # 8 channels (LRN windows, groups)
SMALL = RNG.standard_normal((2, 4, 3, 4)).astype(np.float32)    # what a transposed convolution upsamples
TIES = np.repeat(np.repeat(RNG.integers(0, 3, (2, 2, 3, 3)), 2, axis=2), 2, axis=3).astype(np.float32)

IDIOMS = {}


def idiom(name, fn, *arrays, grad=True, **tolerances):
    assert name not in IDIOMS, name
    IDIOMS[name] = (fn, arrays, grad, tolerances)


def both_dtypes(name, fn, array, **tolerances):
    """The idiom in float32 and in float64 (the same numbers)."""
    idiom(name, fn, array, **tolerances)
    idiom(f"{name}_float64", fn, array.astype(np.float64), **tolerances)


# ---------------------------------------------------------------- adaptive pooling: any size, PyTorch's windows
for size in (1, 2, 3, (4, 5), (7, 9), (10, 4), (None, 4), (3, None)):
    both_dtypes(f"AdaptiveAvgPool2d_{size}", lambda lib, x, s=size: lib.nn.AdaptiveAvgPool2d(s)(x), IMG)
    both_dtypes(f"AdaptiveMaxPool2d_{size}", lambda lib, x, s=size: lib.nn.AdaptiveMaxPool2d(s)(x), IMG)
idiom("F_adaptive_max_pool2d_indices", lambda lib, x: lib.nn.functional.adaptive_max_pool2d(x, (3, 4), True), IMG)
idiom("AdaptiveMaxPool2d_ties_first_max", lambda lib, x: lib.nn.AdaptiveMaxPool2d((4, 3))(x), TIES)
idiom("AdaptiveMaxPool2d_return_indices", lambda lib, x: lib.nn.AdaptiveMaxPool2d(2, return_indices=True)(x), TIES)
idiom("F_adaptive_avg_pool2d", lambda lib, x: lib.nn.functional.adaptive_avg_pool2d(x, (5, 2)), IMG)

# ---------------------------------------------------------------- local response normalisation
for size in (1, 2, 3, 5, 8, 11):
    both_dtypes(f"LocalResponseNorm_{size}", lambda lib, x, n=size: lib.nn.LocalResponseNorm(n)(x * 10), WIDE)
both_dtypes("LocalResponseNorm_alexnet", lambda lib, x: lib.nn.LocalResponseNorm(5, 1e-2, 0.75, 2.0)(x * 10), WIDE)
idiom("F_local_response_norm_3d", lambda lib, x: lib.nn.functional.local_response_norm(x, 4, 0.5, 0.6, 1.5),
      WIDE[:, :, :, 0])

# ---------------------------------------------------------------- Dropout2d in evaluation; padding
both_dtypes("Dropout2d_eval", lambda lib, x: lib.nn.Dropout2d(0.4).eval()(x), IMG)
idiom("F_dropout2d_not_training", lambda lib, x: lib.nn.functional.dropout2d(x, 0.5, training=False), IMG)
idiom("Dropout2d_p0_train", lambda lib, x: lib.nn.Dropout2d(0.0)(x), IMG)
for padding in (1, (1, 2, 0, 3), (2, -1, -2, 1)):
    both_dtypes(f"ZeroPad2d_{padding}", lambda lib, x, p=padding: lib.nn.ZeroPad2d(p)(x), IMG)
idiom("F_pad_last_axis_value", lambda lib, x: lib.nn.functional.pad(x, (2, 1), value=1.5), IMG)
idiom("F_pad_three_axes", lambda lib, x: lib.nn.functional.pad(x, (1, 0, 0, 2, 1, 1)), IMG)

# ---------------------------------------------------------------- nearest upsampling
for kwargs in (dict(scale_factor=2), dict(scale_factor=3), dict(scale_factor=(2, 1)), dict(size=(11, 13)),
               dict(size=(4, 5)), dict(scale_factor=1.5), dict(scale_factor=0.5), dict(scale_factor=1.7),
               dict(scale_factor=1.7, recompute_scale_factor=True), dict(size=7)):
    key = "_".join(f"{k}={v}" for k, v in kwargs.items())
    both_dtypes(f"Upsample_{key}", lambda lib, x, kw=kwargs: lib.nn.Upsample(**kw)(x), IMG)
idiom("F_interpolate_1d", lambda lib, x: lib.nn.functional.interpolate(x, scale_factor=2.5), IMG[:, :, 0])
idiom("F_interpolate_3d", lambda lib, x: lib.nn.functional.interpolate(x[:, :, None], size=(2, 3, 4)), IMG)


# ---------------------------------------------------------------- transposed and grouped convolutions
def _with_weights(build):
    """An idiom: ``build(lib)`` (PyTorch's weights in both) applied to x; its output, weight and input gradients."""
    def run(lib, x):
        layer = module(lib, build)
        out = layer(x)
        (out * out).sum().backward()
        return out, grads(lib, layer), x.grad
    return run


TRANSPOSED = {
    "plain": dict(),
    "stride2": dict(stride=2),
    "stride2_pad1_outpad1": dict(stride=2, padding=1, output_padding=1),
    "stride_3x2_pad_outpad": dict(stride=(3, 2), padding=(1, 0), output_padding=(2, 1)),
    "groups2": dict(groups=2, stride=2),
    "dilation2": dict(dilation=2, padding=1),
    "dilation_outpad": dict(dilation=3, stride=2, output_padding=2),
    "no_bias_depthwise": dict(groups=4, bias=False),
}
for key, kwargs in TRANSPOSED.items():
    build = lambda L, kw=kwargs: L.nn.ConvTranspose2d(4, 8, 3, **kw)                      # noqa: E731
    idiom(f"ConvTranspose2d_{key}", _with_weights(build), SMALL, grad="inputs", rtol=1e-4, atol=1e-5)
    build64 = lambda L, kw=kwargs: L.nn.ConvTranspose2d(4, 8, 3, dtype=L.float64, **kw)  # noqa: E731
    idiom(f"ConvTranspose2d_{key}_float64", _with_weights(build64), SMALL.astype(np.float64), grad="inputs",
          rtol=1e-10, atol=1e-12)
idiom("ConvTranspose2d_kernel_2x4", _with_weights(lambda L: L.nn.ConvTranspose2d(4, 2, (2, 4), stride=2)),
      SMALL, grad="inputs", rtol=1e-4, atol=1e-5)
idiom("ConvTranspose2d_output_size", lambda lib, x: module(lib, lambda L: L.nn.ConvTranspose2d(4, 2, 3, stride=2))(
    x, output_size=(8, 10)), SMALL, rtol=1e-4, atol=1e-5)
idiom("F_conv_transpose2d", lambda lib, x, w, b: lib.nn.functional.conv_transpose2d(x, w, b, stride=2, padding=1),
      SMALL, RNG.standard_normal((4, 3, 3, 3)).astype(np.float32), RNG.standard_normal(3).astype(np.float32),
      rtol=1e-4, atol=1e-5)

GROUPED = {
    "groups2": (8, 8, dict(groups=2, padding=1)),
    "groups4_stride2": (8, 12, dict(groups=4, stride=2)),
    "depthwise": (8, 8, dict(groups=8, padding=1)),
    "depthwise_multiplier2": (8, 16, dict(groups=8, stride=2, padding=1, bias=False)),
    "depthwise_dilated": (8, 8, dict(groups=8, dilation=2, padding=2)),
}
for key, (c_in, c_out, kwargs) in GROUPED.items():
    build = lambda L, a=c_in, b=c_out, kw=kwargs: L.nn.Conv2d(a, b, 3, **kw)                      # noqa: E731
    idiom(f"Conv2d_{key}", _with_weights(build), WIDE, grad="inputs", rtol=1e-4, atol=1e-5)
    build64 = lambda L, a=c_in, b=c_out, kw=kwargs: L.nn.Conv2d(a, b, 3, dtype=L.float64, **kw)  # noqa: E731
    idiom(f"Conv2d_{key}_float64", _with_weights(build64), WIDE.astype(np.float64), grad="inputs",
          rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", sorted(IDIOMS))
def test_idiom(name):
    fn, arrays, grad, tolerances = IDIOMS[name]
    compare(fn, *arrays, grad=grad, **tolerances)


# ---------------------------------------------------------------- not supported: a clear error, never a silent difference
NOT_SUPPORTED = [
    ("Upsample_bilinear", lambda: tg.nn.Upsample(scale_factor=2, mode="bilinear"), NotImplementedError, "bilinear"),
    ("F_interpolate_bicubic", lambda: tg.nn.functional.interpolate(tg.ones(1, 1, 2, 2), size=4, mode="bicubic"),
     NotImplementedError, "nearest"),
    ("F_interpolate_align_corners", lambda: tg.nn.functional.interpolate(tg.ones(1, 1, 2, 2), size=4,
                                                                          align_corners=True), ValueError,
     "align_corners"),
    ("F_pad_reflect", lambda: tg.nn.functional.pad(tg.ones(1, 1, 2, 2), (1, 1), mode="reflect"), NotImplementedError,
     "reflect"),
    ("Dropout2d_inplace", lambda: tg.nn.Dropout2d(inplace=True), NotImplementedError, "inplace"),
    ("F_dropout2d_3d_input", lambda: tg.nn.functional.dropout2d(tg.ones(2, 3, 4)), ValueError, r"\(N, C, H, W\)"),
    ("ConvTranspose2d_padding_mode", lambda: tg.nn.ConvTranspose2d(2, 2, 3, padding_mode="reflect"), ValueError,
     "padding_mode"),
    ("ConvTranspose2d_output_padding_too_big", lambda: tg.nn.ConvTranspose2d(2, 2, 3, stride=2, output_padding=2),
     ValueError, "output_padding"),
]


@pytest.mark.parametrize("name,fn,error,match", NOT_SUPPORTED, ids=[n[0] for n in NOT_SUPPORTED])
def test_not_supported(name, fn, error, match):
    with pytest.raises(error, match=match):
        fn()
