"""Convolutions, pooling, padding and resizing on the array_api_strict stand-in device equal the CPU's.

On the CPU these gates run NumPy's fast paths (conv_kernels.py, stride tricks, ``out=``); on any other device
they run im2col/col2im in the array API standard (``backend/ops.py``). Every case compares the two, values
and gradients, on small shapes.
"""
import numpy as np
import pytest

import tensorgate.functional as F
from tensorgate.backend import ops
from tensorgate.functional.conv import output_size

from .parity import check

#: float32 convolutions sum K products in another order on each path
LOOSE = dict(rtol=1e-4, atol=1e-5)


def arrays(*shapes, dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(dtype) for s in shapes]


@pytest.mark.parametrize("stride, padding, dilation", [((1, 1), (0, 0), (1, 1)), ((2, 1), (1, 2), (2, 1))])
def test_im2col_is_the_same_on_every_device_and_col2im_is_its_adjoint(stride, padding, dilation):
    xp = pytest.importorskip("array_api_strict")
    x, = arrays((2, 3, 7, 6), dtype=np.float64)
    kernel = (3, 2)
    out_hw = tuple(output_size(n, k, s, p, d) for n, k, s, p, d in zip(x.shape[2:], kernel, stride, padding, dilation))
    cols = ops.im2col(np, x, kernel, stride, padding, dilation, out_hw)
    assert cols.shape == (3,) + kernel + (2,) + out_hw
    np.testing.assert_array_equal(np.asarray(ops.im2col(xp, xp.asarray(x), kernel, stride, padding, dilation,
                                                        out_hw)), cols)
    y, = arrays(cols.shape, dtype=np.float64, seed=1)
    back = ops.col2im(np, y, x.shape, stride, padding, dilation)
    np.testing.assert_allclose(np.sum(cols * y), np.sum(x * back))          # <im2col x, y> = <x, col2im y>
    np.testing.assert_allclose(np.asarray(ops.col2im(xp, xp.asarray(y), x.shape, stride, padding, dilation)), back)


# (x shape, weight shape, bias?, stride, padding, dilation, groups)
CONV2D = {
    "plain": ((2, 3, 7, 6), (4, 3, 3, 3), True, 1, 0, 1, 1),
    "no_bias": ((2, 3, 6, 6), (4, 3, 3, 3), False, 1, 1, 1, 1),
    "stride": ((2, 3, 9, 8), (5, 3, 3, 2), True, 2, 1, 1, 1),
    "stride_pair": ((1, 2, 9, 8), (3, 2, 3, 3), True, (2, 1), (1, 2), 1, 1),
    "dilation": ((2, 2, 9, 9), (3, 2, 3, 3), True, 1, 2, 2, 1),
    "groups": ((2, 4, 7, 7), (6, 2, 3, 3), True, 1, 1, 1, 2),
    "groups_no_bias": ((2, 6, 6, 5), (6, 2, 2, 2), False, 2, 0, 1, 3),
    "depthwise": ((2, 4, 7, 7), (4, 1, 3, 3), True, 1, 1, 1, 4),
    "depthwise_multiplier": ((2, 3, 8, 7), (6, 1, 3, 3), False, 2, 1, 1, 3),
    "depthwise_dilation": ((1, 3, 9, 9), (3, 1, 3, 2), True, (1, 2), 2, 2, 3),
    "one_by_one": ((3, 4, 5, 5), (2, 4, 1, 1), True, 1, 0, 1, 1),
}


@pytest.mark.parametrize("case", CONV2D, ids=list(CONV2D))
def test_conv2d(case):
    x_shape, w_shape, with_bias, stride, padding, dilation, groups = CONV2D[case]
    x, w, b = arrays(x_shape, w_shape, (w_shape[0],))
    params = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    if with_bias:
        check(lambda x, w, b: F.conv2d(x, w, b, **params), x, w, b, **LOOSE)
    else:
        check(lambda x, w: F.conv2d(x, w, **params), x, w, **LOOSE)


def test_conv2d_float64():
    x, w, b = arrays((2, 3, 6, 5), (4, 3, 3, 3), (4,), dtype=np.float64)
    check(lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1), x, w, b)


# (x shape, weight shape, bias?, stride, padding, output_padding, groups, dilation)
CONV_TRANSPOSE2D = {
    "plain": ((2, 3, 4, 5), (3, 2, 3, 3), True, 1, 0, 0, 1, 1),
    "no_bias": ((2, 3, 4, 4), (3, 4, 2, 2), False, 2, 0, 0, 1, 1),
    "stride_padding": ((2, 2, 4, 3), (2, 3, 3, 3), True, 2, 1, 1, 1, 1),
    "groups_dilation": ((1, 4, 3, 4), (4, 2, 3, 2), True, (1, 2), (1, 0), 0, 2, 2),
}


@pytest.mark.parametrize("case", CONV_TRANSPOSE2D, ids=list(CONV_TRANSPOSE2D))
def test_conv_transpose2d(case):
    x_shape, w_shape, with_bias, stride, padding, output_padding, groups, dilation = CONV_TRANSPOSE2D[case]
    x, w, b = arrays(x_shape, w_shape, (w_shape[1] * groups,))
    params = dict(stride=stride, padding=padding, output_padding=output_padding, groups=groups, dilation=dilation)
    if with_bias:
        check(lambda x, w, b: F.conv_transpose2d(x, w, b, **params), x, w, b, **LOOSE)
    else:
        check(lambda x, w: F.conv_transpose2d(x, w, **params), x, w, **LOOSE)


# name: (function of x, x shape)
POOLS = {
    "max_pool2d": (lambda x: F.max_pool2d(x, 2), (2, 3, 6, 6)),
    "max_pool2d_odd": (lambda x: F.max_pool2d(x, 2), (2, 2, 7, 5)),
    "max_pool2d_overlap_padding": (lambda x: F.max_pool2d(x, 3, stride=2, padding=1), (2, 3, 7, 6)),
    "max_pool2d_rectangular": (lambda x: F.max_pool2d(x, (3, 2), stride=(1, 2), padding=(1, 0)), (1, 2, 5, 6)),
    "avg_pool2d": (lambda x: F.avg_pool2d(x, 2), (2, 3, 6, 6)),
    "avg_pool2d_overlap_padding": (lambda x: F.avg_pool2d(x, 3, stride=2, padding=1), (2, 3, 7, 6)),
    "avg_pool2d_rectangular": (lambda x: F.avg_pool2d(x, (2, 3), stride=(2, 1)), (1, 2, 6, 5)),
    "adaptive_avg_pool2d_global": (lambda x: F.adaptive_avg_pool2d(x, 1), (2, 3, 5, 4)),
    "adaptive_avg_pool2d": (lambda x: F.adaptive_avg_pool2d(x, (3, 2)), (2, 3, 7, 5)),
    "adaptive_avg_pool2d_grow_none": (lambda x: F.adaptive_avg_pool2d(x, (None, 6)), (1, 2, 3, 4)),
    "adaptive_max_pool2d": (lambda x: F.adaptive_max_pool2d(x, (3, 2)), (2, 3, 7, 5)),
    "adaptive_max_pool2d_global": (lambda x: F.adaptive_max_pool2d(x, 1), (2, 3, 4, 4)),
    "adaptive_max_pool2d_grow": (lambda x: F.adaptive_max_pool2d(x, (5, None)), (1, 2, 3, 4)),
    "adaptive_max_pool2d_indices": (lambda x: F.adaptive_max_pool2d(x, (2, 3), return_indices=True)[1], (2, 2, 5, 7)),
    "pad": (lambda x: F.pad(x, (1, 2, 0, 1)), (2, 3, 4, 5)),
    "pad_value_crop": (lambda x: F.pad(x, (-1, 2, 1, -2), value=1.5), (2, 3, 4, 5)),
    "pad_three_axes": (lambda x: F.pad(x, (1, 1, 2, 0, 0, 1)), (2, 3, 4, 5)),
    "interpolate_scale_2": (lambda x: F.interpolate(x, scale_factor=2), (2, 3, 3, 4)),
    "interpolate_size": (lambda x: F.interpolate(x, size=(5, 3)), (2, 3, 3, 4)),
    "interpolate_fraction_1d": (lambda x: F.interpolate(x, scale_factor=1.5), (2, 3, 5)),
    "interpolate_3d": (lambda x: F.interpolate(x, size=(2, 3, 5)), (1, 2, 3, 2, 4)),
}


@pytest.mark.parametrize("case", POOLS, ids=list(POOLS))
def test_pooling_padding_resizing(case):
    fn, shape = POOLS[case]
    check(fn, *arrays(shape))


def test_max_pool_ties_route_to_the_first_maximum_on_every_device():
    x = np.ones((1, 1, 4, 4), dtype=np.float32)           # every window is a tie
    check(lambda x: F.max_pool2d(x, 2), x)
    check(lambda x: F.adaptive_max_pool2d(x, (3, 3)), x)


@pytest.mark.parametrize("case", ["max_pool2d_overlap_padding", "avg_pool2d_overlap_padding", "adaptive_avg_pool2d",
                                  "adaptive_max_pool2d", "pad_value_crop", "interpolate_size"])
def test_float64(case):
    fn, shape = POOLS[case]
    check(fn, *arrays(shape, dtype=np.float64))


# name: (function of x and w, weight shape)
EMPTY = {
    "conv2d": (lambda x, w: F.conv2d(x, w, padding=1), (4, 3, 3, 3)),
    "depthwise": (lambda x, w: F.conv2d(x, w, groups=3), (3, 1, 3, 3)),
    "conv_transpose2d": (lambda x, w: F.conv_transpose2d(x, w, stride=2), (3, 2, 3, 3)),
    "max_pool2d": (lambda x, w: F.max_pool2d(x, 2), None),
    "avg_pool2d": (lambda x, w: F.avg_pool2d(x, 2), None),
    "adaptive_max_pool2d": (lambda x, w: F.adaptive_max_pool2d(x, 2), None),
    "adaptive_avg_pool2d": (lambda x, w: F.adaptive_avg_pool2d(x, 2), None),
}


@pytest.mark.parametrize("case", EMPTY, ids=list(EMPTY))
def test_an_empty_batch(case):
    fn, w_shape = EMPTY[case]
    x, w = arrays((0, 3, 6, 6), w_shape or (1,))
    check(fn, x, w)
