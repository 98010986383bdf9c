"""ONNX converters for the layers of :mod:`tensorgate.nn`, one function per layer class.

Each reads the module's settings and parameters (never its gates) and emits the ONNX operators that compute
the same function in evaluation mode: Dropout is the identity, BatchNorm uses its running statistics.
Containers convert their children in order (Sequential) or add the skip (Residual).
"""
import math

import numpy as np

from .. import nn
from ..functional.adaptive_pool import adaptive_windows, resolve_adaptive_size
from ..functional.upsample import nearest_source
from .graph import register_converter

__all__ = []


# ---------------------------------------------------------------- containers
@register_converter(nn.Sequential)
def sequential(ctx, seq, x):
    """Sequential: each child applied to the previous one's output."""
    for name, child in seq.named_children():
        x = ctx.convert(child, x, name)
    return x


@register_converter(nn.Residual)
def residual(ctx, res, x):
    """Residual: x + block(x)."""
    return ctx.op("Add", [x, ctx.convert(res.block, x, "block")])


# ---------------------------------------------------------------- dense, convolution, shape
@register_converter(nn.Linear)
def linear(ctx, layer, x):
    """Linear: z = x Wᵀ + b, a Gemm (transB = 1) for 2-D input, MatMul with Wᵀ then Add otherwise."""
    out_shape = None if x.shape is None else x.shape[:-1] + (layer.out_features,)
    if x.shape is not None and len(x.shape) == 2:
        inputs = [x, ctx.param(layer, "weight")]
        if layer.bias is not None:
            inputs.append(ctx.param(layer, "bias"))
        return ctx.op("Gemm", inputs, shape=out_shape, transB=1)
    z = ctx.op("MatMul", [x, ctx.param(layer, "weight_T", layer.weight.data.T)], shape=out_shape)
    if layer.bias is not None:
        z = ctx.op("Add", [z, ctx.param(layer, "bias")])
    return z


@register_converter(nn.Conv2d)
def conv2d(ctx, layer, x):
    """Conv2d: ONNX Conv with the same kernel, strides, pads, dilations and groups."""
    (ph, pw) = layer.padding
    inputs = [x, ctx.param(layer, "weight")]
    if layer.bias is not None:
        inputs.append(ctx.param(layer, "bias"))
    return ctx.op("Conv", inputs, shape=None, kernel_shape=list(layer.kernel_size), strides=list(layer.stride),
                  pads=[ph, pw, ph, pw], dilations=list(layer.dilation), group=layer.groups)


@register_converter(nn.Flatten)
def flatten(ctx, layer, x):
    """Flatten: ONNX Flatten for the usual (start_dim=1, end_dim=−1); a Reshape for other ranges."""
    if x.shape is None:
        raise ctx.unsupported(layer, "the input's rank is unknown")
    rank = len(x.shape)
    start, end = layer.start_dim % rank, layer.end_dim % rank
    merged = int(np.prod(x.shape[start:end + 1], dtype=np.int64))
    out_shape = x.shape[:start] + (merged,) + x.shape[end + 1:]
    if end == rank - 1 and start == 1:
        return ctx.op("Flatten", [x], shape=out_shape, axis=1)
    # 0 copies the input's size (so the batch axis stays free), −1 takes what remains
    target = [0] * start + [-1] + list(x.shape[end + 1:])
    return ctx.op("Reshape", [x, ctx.const(np.array(target, dtype=np.int64), "shape")], shape=out_shape)


# ---------------------------------------------------------------- activations
def _simple(op_type):
    def convert(ctx, layer, x):
        return ctx.op(op_type, [x])
    convert.__doc__ = f"{op_type}, elementwise."
    return convert


register_converter(nn.ReLU)(_simple("Relu"))
register_converter(nn.Sigmoid)(_simple("Sigmoid"))
register_converter(nn.Tanh)(_simple("Tanh"))


@register_converter(nn.Identity, nn.Dropout, nn.Dropout2d)
def identity(ctx, layer, x):
    """Identity, and Dropout and Dropout2d (the identity in evaluation mode): no node at all."""
    return x


@register_converter(nn.SiLU)
def silu(ctx, layer, x):
    """SiLU: x · σ(x)."""
    return ctx.op("Mul", [x, ctx.op("Sigmoid", [x])])


@register_converter(nn.LeakyReLU)
def leaky_relu(ctx, layer, x):
    return ctx.op("LeakyRelu", [x], alpha=float(layer.negative_slope))


@register_converter(nn.GELU)
def gelu(ctx, layer, x):
    """GELU, the exact form x·Φ(x) = x · ½(1 + erf(x/√2)) (ONNX's Gelu operator needs opset 20)."""
    e = ctx.op("Erf", [ctx.op("Mul", [x, ctx.scalar(1.0 / math.sqrt(2.0))])])
    half = ctx.op("Mul", [ctx.op("Add", [e, ctx.scalar(1.0)]), ctx.scalar(0.5)])
    return ctx.op("Mul", [x, half])


@register_converter(nn.Hardtanh)
def hardtanh(ctx, layer, x):
    return ctx.op("Clip", [x, ctx.scalar(layer.min_val), ctx.scalar(layer.max_val)])


@register_converter(nn.Step)
def step(ctx, layer, x):
    """Heaviside step, 1 where x ≥ 0: Cast(x ≥ 0) to the float dtype."""
    from_onnx = ctx.onnx.helper.np_dtype_to_tensor_dtype(ctx.dtype)
    ge = ctx.op("GreaterOrEqual", [x, ctx.scalar(0.0)], dtype=np.bool_)
    return ctx.op("Cast", [ge], dtype=ctx.dtype, to=from_onnx)


@register_converter(nn.Softmax)
def softmax(ctx, layer, x):
    return ctx.op("Softmax", [x], axis=int(layer.dim))


@register_converter(nn.LogSoftmax)
def log_softmax(ctx, layer, x):
    return ctx.op("LogSoftmax", [x], axis=int(layer.dim))


# ---------------------------------------------------------------- normalisation
@register_converter(nn.BatchNorm1d, nn.BatchNorm2d)
def batch_norm(ctx, layer, x):
    """BatchNorm in evaluation mode: y = γ (x − running_mean)/√(running_var + ε) + β per channel (axis 1).

    Without running statistics (``track_running_stats=False``) tensorgate normalises with the batch's own
    statistics even in evaluation; the graph then computes them (ReduceMean over every axis but 1).
    """
    C = layer.num_features
    gamma = ctx.param(layer, "weight") if layer.affine else ctx.const(np.ones(C), "gamma")
    beta = ctx.param(layer, "bias") if layer.affine else ctx.const(np.zeros(C), "beta")
    if layer.track_running_stats:
        return ctx.op("BatchNormalization", [x, gamma, beta, ctx.param(layer, "running_mean"),
                                             ctx.param(layer, "running_var")], epsilon=float(layer.eps))
    if x.shape is None:
        raise ctx.unsupported(layer, "the input's rank is unknown")
    axes = [0] + list(range(2, len(x.shape)))
    channel_shape = np.array([1, C] + [1] * (len(x.shape) - 2), dtype=np.int64)
    xc = ctx.op("Sub", [x, ctx.reduce_mean(x, axes, shape=None)])
    var = ctx.reduce_mean(ctx.op("Mul", [xc, xc]), axes, shape=None)
    xhat = ctx.op("Div", [xc, ctx.op("Sqrt", [ctx.op("Add", [var, ctx.scalar(layer.eps)])])])
    shape = ctx.const(channel_shape, "channel_shape")
    y = ctx.op("Mul", [xhat, ctx.op("Reshape", [gamma, shape], shape=None)])
    return ctx.op("Add", [y, ctx.op("Reshape", [beta, shape], shape=None)])


# ---------------------------------------------------------------- pooling
def _pool_attrs(layer):
    (ph, pw) = layer.padding
    return dict(kernel_shape=list(layer.kernel_size), strides=list(layer.stride), pads=[ph, pw, ph, pw])


@register_converter(nn.MaxPool2d)
def max_pool2d(ctx, layer, x):
    """MaxPool2d: ONNX MaxPool (padding never wins a max, as tensorgate's −∞ padding)."""
    return ctx.op("MaxPool", [x], shape=None, **_pool_attrs(layer))


@register_converter(nn.AvgPool2d)
def avg_pool2d(ctx, layer, x):
    """AvgPool2d: ONNX AveragePool with count_include_pad = 1 (tensorgate counts padded zeros)."""
    return ctx.op("AveragePool", [x], shape=None, count_include_pad=1, **_pool_attrs(layer))


def _adaptive_matrix(size, out):
    """P (out, size): row i averages x[start_i:end_i], start_i = ⌊i·size/out⌋, end_i = ⌈(i+1)·size/out⌉."""
    p = np.zeros((out, size))
    for i in range(out):
        start, end = (i * size) // out, -((-(i + 1) * size) // out)
        p[i, start:end] = 1.0 / (end - start)
    return p


@register_converter(nn.AdaptiveAvgPool2d)
def adaptive_avg_pool2d(ctx, layer, x):
    """AdaptiveAvgPool2d: GlobalAveragePool for output 1×1, AveragePool when the sizes divide evenly,
    otherwise the two averaging matrices P_h x P_wᵀ (the windows of different sizes PyTorch uses)."""
    if x.shape is None or len(x.shape) != 4:
        raise ctx.unsupported(layer, f"expected an (N, C, H, W) input, got shape {x.shape}")
    n, c, h, w = x.shape
    oh, ow = resolve_adaptive_size(x.shape, layer.output_size, "AdaptiveAvgPool2d")
    out_shape = (n, c, oh, ow)
    if (oh, ow) == (1, 1):
        return ctx.op("GlobalAveragePool", [x], shape=out_shape)
    if h % oh == 0 and w % ow == 0:
        k = [h // oh, w // ow]
        return ctx.op("AveragePool", [x], shape=out_shape, kernel_shape=k, strides=k)
    rows = ctx.op("MatMul", [ctx.const(_adaptive_matrix(h, oh), "P_h"), x], shape=(n, c, oh, w))
    return ctx.op("MatMul", [rows, ctx.const(_adaptive_matrix(w, ow).T, "P_w_T")], shape=out_shape)


def _reduce_max(ctx, x, axis, shape):
    """ReduceMax over one axis, kept (axes an attribute before opset 18, an input from 18 on)."""
    if ctx.opset >= 18:
        return ctx.op("ReduceMax", [x, ctx.const(np.array([axis], dtype=np.int64), "axes")], shape=shape, keepdims=1)
    return ctx.op("ReduceMax", [x], shape=shape, axes=[axis], keepdims=1)


def _slice(ctx, x, axis, start, end, shape):
    """x[..., start:end, ...] along ``axis``."""
    ints = lambda v: ctx.const(np.array([v], dtype=np.int64), "slice")  # noqa: E731
    return ctx.op("Slice", [x, ints(start), ints(end), ints(axis)], shape=shape)


@register_converter(nn.AdaptiveMaxPool2d)
def adaptive_max_pool2d(ctx, layer, x):
    """AdaptiveMaxPool2d: GlobalMaxPool for 1×1, MaxPool when the sizes divide evenly; otherwise, as the gate,
    the maxima of the width windows (one Slice + ReduceMax each, concatenated) then of the height windows."""
    if layer.return_indices:
        raise ctx.unsupported(layer, "return_indices=True (the indices are not part of the exported graph)")
    if x.shape is None or len(x.shape) != 4:
        raise ctx.unsupported(layer, f"expected an (N, C, H, W) input, got shape {x.shape}")
    n, c, h, w = x.shape
    oh, ow = resolve_adaptive_size(x.shape, layer.output_size, "AdaptiveMaxPool2d")
    if (oh, ow) == (1, 1):
        return ctx.op("GlobalMaxPool", [x], shape=(n, c, 1, 1))
    if h % oh == 0 and w % ow == 0:
        k = [h // oh, w // ow]
        return ctx.op("MaxPool", [x], shape=(n, c, oh, ow), kernel_shape=k, strides=k)
    for axis, size, out in ((3, w, ow), (2, h, oh)):
        shape = list(x.shape)
        shape[axis] = 1
        parts = [_reduce_max(ctx, _slice(ctx, x, axis, s, e, None), axis, tuple(shape))
                 for s, e in adaptive_windows(size, out)]
        shape[axis] = out
        x = ctx.op("Concat", parts, shape=tuple(shape), axis=axis)
    return x


# ---------------------------------------------------------------- the layers of issue 23 (CNN chapter)
@register_converter(nn.LocalResponseNorm)
def local_response_norm(ctx, layer, x):
    """LocalResponseNorm: ONNX LRN for an odd size. For an even size the windows differ (ONNX centres them
    one channel later than PyTorch), so the graph spells it out: the window sums of x² are a 1×1 convolution
    with a banded 0/1 matrix, then x / (k + α/n · sums)^β."""
    if layer.size % 2:
        return ctx.op("LRN", [x], alpha=layer.alpha, beta=layer.beta, bias=layer.k, size=layer.size)
    if x.shape is None or len(x.shape) != 4:
        raise ctx.unsupported(layer, f"an even size needs an (N, C, H, W) input, got shape {x.shape}")
    channels, n = x.shape[1], layer.size
    band = np.zeros((channels, channels, 1, 1))
    for c in range(channels):
        band[c, max(0, c - n // 2):c + (n - 1) // 2 + 1] = 1.0
    sums = ctx.op("Conv", [ctx.op("Mul", [x, x]), ctx.const(band, "window")], kernel_shape=[1, 1])
    s = ctx.op("Add", [ctx.op("Mul", [sums, ctx.scalar(layer.alpha / n)]), ctx.scalar(layer.k)])
    return ctx.op("Div", [x, ctx.op("Pow", [s, ctx.scalar(layer.beta)])])


@register_converter(nn.ZeroPad2d)
def zero_pad2d(ctx, layer, x):
    """ZeroPad2d: ONNX Pad (constant 0) with (begin of every axis, end of every axis); negative widths crop."""
    if x.shape is None:
        raise ctx.unsupported(layer, "the input's rank is unknown")
    left, right, top, bottom = layer.padding
    lead = [0] * (len(x.shape) - 2)
    pads = np.array(lead + [top, left] + lead + [bottom, right], dtype=np.int64)
    shape = x.shape[:-2] + (x.shape[-2] + top + bottom, x.shape[-1] + left + right)
    return ctx.op("Pad", [x, ctx.const(pads, "pads")], shape=shape, mode="constant")


@register_converter(nn.ConvTranspose2d)
def conv_transpose2d(ctx, layer, x):
    """ConvTranspose2d: ONNX ConvTranspose, the same weight layout (C_in, C_out/groups, kh, kw) and settings."""
    (ph, pw) = layer.padding
    inputs = [x, ctx.param(layer, "weight")]
    if layer.bias is not None:
        inputs.append(ctx.param(layer, "bias"))
    return ctx.op("ConvTranspose", inputs, shape=None, kernel_shape=list(layer.kernel_size),
                  strides=list(layer.stride), pads=[ph, pw, ph, pw], output_padding=list(layer.output_padding),
                  dilations=list(layer.dilation), group=layer.groups)


@register_converter(nn.Upsample)
def upsample(ctx, layer, x):
    """Upsample (nearest): ONNX Resize ('asymmetric', 'floor': src = ⌊j/s⌋) for integer scale factors;
    otherwise a Gather of PyTorch's source rows and columns along each axis (its float32 index rule,
    which Resize does not spell the same way)."""
    if x.shape is None:
        raise ctx.unsupported(layer, "the input's rank is unknown")
    spatial = x.shape[2:]
    factors = layer.scale_factor if isinstance(layer.scale_factor, tuple) else (layer.scale_factor,) * len(spatial)
    if layer.size is None and not layer.recompute_scale_factor and all(float(f).is_integer() for f in factors):
        scales = np.array([1.0, 1.0] + [float(f) for f in factors], dtype=np.float32)
        shape = x.shape[:2] + tuple(int(n * f) for n, f in zip(spatial, factors))
        return ctx.op("Resize", [x, None, ctx.const(scales, "scales", dtype=np.float32)], shape=shape,
                      mode="nearest", coordinate_transformation_mode="asymmetric", nearest_mode="floor")
    sizes = layer.size if isinstance(layer.size, (tuple, list)) else (layer.size,) * len(spatial)
    if layer.size is None:
        sizes = tuple(int(np.floor(n * f)) for n, f in zip(spatial, factors))
    for k, (n, out) in enumerate(zip(spatial, sizes)):
        factor = None if layer.size is not None or layer.recompute_scale_factor else factors[k]
        source = nearest_source(n, out, factor).astype(np.int64)
        shape = list(x.shape)
        shape[2 + k] = out
        x = ctx.op("Gather", [x, ctx.const(source, "nearest_source")], shape=tuple(shape), axis=2 + k)
    return x
