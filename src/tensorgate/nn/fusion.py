"""A convolution followed by BatchNorm2d, in evaluation without a graph, run as one convolution.

In evaluation a BatchNorm2d is an affine map per channel whose constants come from its running statistics,

    y = s·z + t,    s = γ/√(σ² + ε),    t = β − μ·s,

and the convolution before it, z = W ⋆ x + b, is linear in W and b. So the two layers are one convolution
whose filters are scaled per output channel:

    y = (s·W) ⋆ x + (s·b + t).

Inference engines (ONNX Runtime, PyTorch's ``fuse_conv_bn_eval``) fold once, when a model is exported.
Here the fold happens at every call, because an optimiser writes the parameters in place and a stored fold
would go stale. It costs a few small-array operations per layer, about 4 µs for SmallVGG's, and saves
BatchNorm's pass over the convolution's output and its call. A ReLU right after the two is applied in
place on the convolution's new output, which saves its array and its call too. One image through
SmallVGG, called by hand under ``tg.no_grad()``, runs 1.11× faster (ResNetSmall 1.12×). The result
differs from the two layers' by float32 round-off only: s·(W ⋆ x) against (s·W) ⋆ x.

The fold applies only where the two modules' own forward would compute exactly this:
- no graph (``tg.no_grad()``), so no gradient is owed to γ, β or W;
- BatchNorm2d in ``eval()`` mode with running statistics;
- a plain Conv2d and a plain BatchNorm2d: a subclass may have its own forward;
- no hooks on either (a hook expects to see each layer's output);
- NumPy arrays of one dtype, and an input of the convolution's channels;
- no gate recording open: a recording (``tg.predict``'s) would refuse the folded arrays, which it cannot
  trace back to the parameters.
Anywhere else the two modules run one after the other, as written.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import functional as F
from ..autograd import grad_mode
from ..autograd.tape import recording_active
from ..autograd.tensor import Tensor
from ..functional.activation import zeros_for_maximum
from ..functional.batchnorm import evaluation_affine
from .activation import ReLU
from .conv import Conv2d
from .normalization import BatchNorm2d

if TYPE_CHECKING:
    from typing import Iterable

    from .module import Module


def conv_bn(conv: Conv2d, bn: BatchNorm2d, x: Tensor, relu: bool = False) -> Tensor:
    """``bn(conv(x))``, then ``.relu()`` if asked, as one convolution with folded weights where the module
    docstring allows it (the ReLU then in place, on the convolution's new output).

    Shape: x: (N, C_in, H, W); result: (N, C_out, H_out, W_out), as the convolution's output.
    """
    y = folded(conv, bn, x) if not grad_mode.state.grad_enabled else None
    if y is None:
        y = bn(conv(x))
        return y.relu() if relu else y
    if relu:
        _rectify(y)
    return y


def run_in_order(modules: Iterable[Module], x: Any) -> Any:
    """The layers of a Sequential applied in order, a Conv2d followed by a BatchNorm2d run as one
    convolution where the module docstring allows it, and a plain ReLU after them (no hooks) applied in
    place on its output. Called without a graph only.

    Shape: x: the first layer's input; result: the last layer's output.
    """
    conv = None      # a Conv2d waiting to see whether a BatchNorm2d follows it
    fresh = False    # x is a folded pair's new output, which a ReLU may rectify in place
    for layer in modules:
        kind = layer.__class__
        if conv is not None:
            waiting, conv = conv, None
            y = folded(waiting, layer, x) if kind is BatchNorm2d else None  # type: ignore[arg-type]
            if y is not None:
                x, fresh = y, True
                continue
            x = waiting(x)
        elif fresh:
            fresh = False
            if kind is ReLU and not layer._has_hooks:
                _rectify(x)
                continue
        if kind is Conv2d:
            conv = layer
        else:
            x = layer(x)
    return x if conv is None else conv(x)


def _rectify(y: Tensor) -> None:
    """max(y, 0) in place: y is a convolution's new output, which nothing else holds yet.

    A single image's output is a view of the convolution's wide rows (gap columns included, see
    functional/conv.py): the whole buffer in one contiguous pass is 2× faster than the view, and the gap
    columns are the gate's own scratch values, read by no one.

    Shape: y: any."""
    data = y.data
    base = data.base
    if base is not None and base.flags.c_contiguous and base.size < 2 * data.size:
        data = base
    np.maximum(data, zeros_for_maximum(data), out=data)


def folded(conv: Conv2d, bn: BatchNorm2d, x: Any) -> Tensor | None:
    """``bn(conv(x))`` computed as (s·W) ⋆ x + (s·b + t), or None where the fold does not apply (module
    docstring). The caller has checked that no graph is recorded.

    Shape: x: (N, C_in, H, W); W: (C_out, C_in/groups, kh, kw); s, t, b: (C_out,);
    result: (N, C_out, H_out, W_out).
    """
    if (conv.__class__ is not Conv2d or bn.__class__ is not BatchNorm2d or conv._has_hooks or bn._has_hooks
            or bn.training or bn.running_mean is None or bn.running_var is None or x.__class__ is not Tensor):
        return None
    w, mean, var, data = conv.weight.data, bn.running_mean.data, bn.running_var.data, x.data
    gamma, beta = (None, None) if bn.weight is None else (bn.weight.data, bn.bias.data)  # type: ignore[union-attr]
    if (w.__class__ is not np.ndarray or mean.__class__ is not np.ndarray or data.__class__ is not np.ndarray
            or not w.dtype == mean.dtype == var.dtype == data.dtype or data.ndim != 4
            or (gamma is not None and not gamma.dtype == beta.dtype == w.dtype)  # type: ignore[union-attr]
            or (conv.bias is not None and conv.bias.data.dtype != w.dtype)
            or data.shape[1] != conv.in_channels or conv.out_channels != bn.num_features or recording_active()):
        return None
    s, t = evaluation_affine(mean, var, gamma, beta, bn.eps)   # BatchNorm's y = s·z + t
    if conv.bias is not None:
        t += conv.bias.data * s                              # s·(W ⋆ x + b) + t = (s·W) ⋆ x + (s·b + t)
    scaled = np.multiply(w, s[:, None, None, None])
    return F.conv2d(x, Tensor._make(scaled, False, None), Tensor._make(t, False, None), conv.stride,
                    conv.padding, conv.dilation, conv.groups)
