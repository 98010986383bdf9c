"""ONNX converters for the layers added after layers.py: the 1-D convolution and pools, the piecewise-linear
activations of MobileNetV3, Softsign, Softmin, PReLU, Threshold, the shrinks, CELU, GLU, constant padding
and GroupNorm. Each emits operators of opset 13 (the oldest
tensorgate exports) that compute the module's function in evaluation mode.
"""
import numpy as np

from .. import nn
from .graph import register_converter

__all__ = []


# ---------------------------------------------------------------- 1-D convolution and pooling
@register_converter(nn.Conv1d)
def conv1d(ctx, layer, x):
    """Conv1d: ONNX Conv over one spatial axis, with the same kernel, stride, pads, dilation and groups."""
    inputs = [x, ctx.param(layer, "weight")]
    if layer.bias is not None:
        inputs.append(ctx.param(layer, "bias"))
    (p,) = layer.padding
    return ctx.op("Conv", inputs, shape=None, kernel_shape=list(layer.kernel_size), strides=list(layer.stride),
                  pads=[p, p], dilations=list(layer.dilation), group=layer.groups)


def _pool1d_attrs(layer):
    return dict(kernel_shape=[layer.kernel_size], strides=[layer.stride], pads=[layer.padding, layer.padding])


@register_converter(nn.MaxPool1d)
def max_pool1d(ctx, layer, x):
    """MaxPool1d: ONNX MaxPool over one axis."""
    return ctx.op("MaxPool", [x], shape=None, **_pool1d_attrs(layer))


@register_converter(nn.AvgPool1d)
def avg_pool1d(ctx, layer, x):
    """AvgPool1d: ONNX AveragePool with count_include_pad = 1 (tensorgate counts padded zeros)."""
    return ctx.op("AveragePool", [x], shape=None, count_include_pad=1, **_pool1d_attrs(layer))


def _adaptive_pool1d(ctx, layer, x, op):
    """``Global{op}Pool`` for one output, ``{op}Pool`` windows when the length divides evenly; None otherwise.
    Returns (node or None, (N, C, output_size), length)."""
    if x.shape is None or len(x.shape) != 3:
        raise ctx.unsupported(layer, f"expected an (N, C, L) input, got shape {x.shape}")
    n, c, length = x.shape
    out = layer.output_size
    if out == 1:
        return ctx.op(f"Global{op}Pool", [x], shape=(n, c, 1)), (n, c, 1), length
    if length % out == 0:
        k = [length // out]
        return ctx.op(f"{op}Pool", [x], shape=(n, c, out), kernel_shape=k, strides=k), (n, c, out), length
    return None, (n, c, out), length


@register_converter(nn.AdaptiveAvgPool1d)
def adaptive_avg_pool1d(ctx, layer, x):
    """AdaptiveAvgPool1d: GlobalAveragePool for one output, AveragePool when the length divides evenly,
    otherwise x times the averaging matrix Pᵀ (windows of different sizes, as PyTorch's)."""
    node, shape, length = _adaptive_pool1d(ctx, layer, x, "Average")
    if node is not None:
        return node
    from .layers import _adaptive_matrix

    return ctx.op("MatMul", [x, ctx.const(_adaptive_matrix(length, shape[2]).T, "P_T")], shape=shape)


@register_converter(nn.AdaptiveMaxPool1d)
def adaptive_max_pool1d(ctx, layer, x):
    """AdaptiveMaxPool1d: GlobalMaxPool for one output, MaxPool when the length divides evenly."""
    if layer.return_indices:
        raise ctx.unsupported(layer, "return_indices=True (the indices are not part of the exported graph)")
    node, shape, length = _adaptive_pool1d(ctx, layer, x, "Max")
    if node is None:
        raise ctx.unsupported(layer, f"a length ({length}) that {shape[2]} windows do not divide evenly")
    return node


# ---------------------------------------------------------------- activations
@register_converter(nn.ReLU6)
def relu6(ctx, layer, x):
    """ReLU6: Clip(x, 0, 6)."""
    return ctx.op("Clip", [x, ctx.scalar(0.0), ctx.scalar(6.0)])


@register_converter(nn.Hardsigmoid)
def hardsigmoid(ctx, layer, x):
    """Hardsigmoid: ONNX HardSigmoid max(0, min(1, x/6 + ½)) = relu6(x + 3)/6."""
    return ctx.op("HardSigmoid", [x], alpha=1.0 / 6.0, beta=0.5)


@register_converter(nn.Hardswish)
def hardswish(ctx, layer, x):
    """Hardswish: x · HardSigmoid(x) (ONNX's HardSwish operator needs opset 14)."""
    return ctx.op("Mul", [x, ctx.op("HardSigmoid", [x], alpha=1.0 / 6.0, beta=0.5)])


@register_converter(nn.Softsign)
def softsign(ctx, layer, x):
    """Softsign: x/(1 + |x|), ONNX's Softsign."""
    return ctx.op("Softsign", [x])


@register_converter(nn.Softmin)
def softmin(ctx, layer, x):
    """Softmin: Softmax of −x along dim."""
    if layer.dim is None:
        raise ctx.unsupported(layer, "dim=None (give the dimension)")
    return ctx.op("Softmax", [ctx.op("Neg", [x])], axis=int(layer.dim))


@register_converter(nn.PReLU)
def prelu(ctx, layer, x):
    """PReLU: ONNX PRelu, the slopes shaped (C, 1, …) to broadcast along the channel axis."""
    slope = layer.weight.data
    if slope.shape[0] != 1:
        if x.shape is None:
            raise ctx.unsupported(layer, "the input's rank is unknown")
        slope = slope.reshape((-1,) + (1,) * (len(x.shape) - 2))
    return ctx.op("PRelu", [x, ctx.param(layer, "weight", slope)])


@register_converter(nn.Threshold)
def threshold(ctx, layer, x):
    """Threshold: Where(x > threshold, x, value)."""
    above = ctx.op("Greater", [x, ctx.scalar(layer.threshold)], dtype=np.bool_)
    return ctx.op("Where", [above, x, ctx.scalar(layer.value)])


@register_converter(nn.Hardshrink)
def hardshrink(ctx, layer, x):
    """Hardshrink: ONNX Shrink with bias 0."""
    return ctx.op("Shrink", [x], lambd=layer.lambd, bias=0.0)


@register_converter(nn.Softshrink)
def softshrink(ctx, layer, x):
    """Softshrink: ONNX Shrink with bias λ."""
    return ctx.op("Shrink", [x], lambd=layer.lambd, bias=layer.lambd)


@register_converter(nn.Tanhshrink)
def tanhshrink(ctx, layer, x):
    """Tanhshrink: x − tanh x."""
    return ctx.op("Sub", [x, ctx.op("Tanh", [x])])


@register_converter(nn.CELU)
def celu(ctx, layer, x):
    """CELU: ONNX Celu (computed in float32 by onnxruntime)."""
    return ctx.op("Celu", [x], alpha=layer.alpha)


@register_converter(nn.GLU)
def glu(ctx, layer, x):
    """GLU: the halves u, v along dim (Split), then u · σ(v)."""
    if x.shape is None:
        raise ctx.unsupported(layer, "the input's shape is unknown")
    axis = layer.dim % len(x.shape)
    half = list(x.shape)
    half[axis] //= 2
    u, v = ctx.op("Split", [x], shape=tuple(half), outputs=2, axis=axis)
    return ctx.op("Mul", [u, ctx.op("Sigmoid", [v])])


@register_converter(nn.ConstantPad1d, nn.ConstantPad2d, nn.ConstantPad3d, nn.ZeroPad1d, nn.ZeroPad3d)
def constant_pad(ctx, layer, x):
    """ConstantPad1d/2d/3d (and ZeroPad1d/3d): ONNX Pad in constant mode; PyTorch's (before, after) pairs,
    last axis first, become ONNX's begins then ends, first axis first (negative widths crop in both)."""
    if x.shape is None:
        raise ctx.unsupported(layer, "the input's rank is unknown")
    rank, pairs = len(x.shape), len(layer.padding) // 2
    begins, ends = [0] * rank, [0] * rank
    for i in range(pairs):
        begins[rank - 1 - i], ends[rank - 1 - i] = layer.padding[2 * i], layer.padding[2 * i + 1]
    pads = ctx.const(np.array(begins + ends, dtype=np.int64), "pads")
    return ctx.op("Pad", [x, pads, ctx.scalar(layer.value)], shape=None, mode="constant")


# ---------------------------------------------------------------- normalisation
@register_converter(nn.GroupNorm)
def group_norm(ctx, layer, x):
    """GroupNorm: the input reshaped to (N, G, rest), standardised along the last axis (mean and biased
    variance, as the gate), reshaped back, then γ and β per channel. (ONNX's GroupNormalization is opset 18,
    and changed its meaning in 21.)"""
    if x.shape is None:
        raise ctx.unsupported(layer, "the input's rank is unknown")
    rank = len(x.shape)
    grouped = ctx.op("Reshape", [x, ctx.const(np.array([0, layer.num_groups, -1], dtype=np.int64), "shape")],
                     shape=None)
    mean = ctx.reduce_mean(grouped, [-1], shape=None)
    centred = ctx.op("Sub", [grouped, mean], shape=None)
    var = ctx.reduce_mean(ctx.op("Mul", [centred, centred], shape=None), [-1], shape=None)
    std = ctx.op("Sqrt", [ctx.op("Add", [var, ctx.scalar(layer.eps)], shape=None)], shape=None)
    y = ctx.op("Div", [centred, std], shape=None)
    back = ctx.const(np.array([0] + list(x.shape[1:]), dtype=np.int64), "shape")   # 0: the batch's own size
    y = ctx.op("Reshape", [y, back], shape=x.shape)
    if layer.weight is None:
        return y
    per_channel = np.array([1, layer.num_channels] + [1] * (rank - 2), dtype=np.int64)
    shape = ctx.const(per_channel, "channel_shape")
    gamma = ctx.op("Reshape", [ctx.param(layer, "weight"), shape], shape=None)
    beta = ctx.op("Reshape", [ctx.param(layer, "bias"), shape], shape=None)
    return ctx.op("Add", [ctx.op("Mul", [y, gamma]), beta])

