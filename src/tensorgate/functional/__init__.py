"""tensorgate.functional: every gate as a function, and as a Tensor method.

Each function here wraps one gate class; the gate's docstring holds its derivative. The wrappers look alike
on purpose: one public name per operation, each with its own docstring and shapes (PyTorch's spelling). Importing this module
also attaches the operators (``+ - * / ** @``, indexing) and methods (``x.sigmoid()``, ``x.sum()``) to
:class:`~tensorgate.autograd.Tensor` — see ``tensor_methods.py``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import builtins

import numpy as np

from ..autograd.tensor import Tensor
from ..backend import devices as _D
from . import activation as _act
from . import arithmetic as _ar
from . import reduction as _red
from . import shape as _sh
from .linear import LinearGate

if TYPE_CHECKING:
    from typing import Sequence

    from numpy.typing import DTypeLike

    from ..autograd.tensor import TensorLike


# ---------------------------------------------------------------- arithmetic
def add(a: TensorLike, b: TensorLike) -> Tensor:
    """a + b (broadcasting). Shape: broadcast of a and b."""
    return _ar.AddGate.apply(a, b)


def sub(a: TensorLike, b: TensorLike) -> Tensor:
    """a − b (broadcasting). Shape: broadcast of a and b."""
    return _ar.SubGate.apply(a, b)


def mul(a: TensorLike, b: TensorLike) -> Tensor:
    """a · b elementwise (broadcasting). Shape: broadcast of a and b."""
    return _ar.MulGate.apply(a, b)


def reciprocal(a: TensorLike) -> Tensor:
    """1 / a. Shape: that of a."""
    return _ar.ReciprocalGate.apply(a)


def div(a: TensorLike, b: TensorLike, *, rounding_mode: str | None = None) -> Tensor:
    """a / b, computed as a · (1/b): two gates, as in the lecture's diagrams. Integer operands divide as
    floats (float32), as PyTorch's true division; ``rounding_mode='floor'`` is ``a // b`` and ``'trunc'``
    rounds toward zero (neither has a gradient). Shape: broadcast of a and b.
    """
    if rounding_mode is not None:
        return _rounded_div(a, b, rounding_mode)
    floating = [x.dtype for x in (a, b) if isinstance(x, Tensor) and x.dtype.kind == "f"]
    dtype = floating[0] if floating else np.dtype(np.float32)
    a = cast(a, dtype) if isinstance(a, Tensor) and a.dtype.kind != "f" else a
    b = cast(b, dtype) if isinstance(b, Tensor) and b.dtype.kind != "f" else b
    return mul(a, reciprocal(b if isinstance(b, Tensor) else _float_like(b, a)))


def _rounded_div(a, b, rounding_mode):
    from ..autograd.tensor_logic import _no_grad_op

    if rounding_mode not in ("floor", "trunc"):
        raise ValueError(f"div: rounding_mode must be None, 'floor' or 'trunc', got {rounding_mode!r}")
    if rounding_mode == "floor":
        return _no_grad_op("div(rounding_mode='floor')", "floor_divide", a, b)

    def trunc(xp, x, y):
        if xp is np:
            q = np.trunc(np.true_divide(x, y))
            return q.astype(np.result_type(x, y)) if np.result_type(x, y).kind in "iu" else q
        if _D.kind(x.dtype if hasattr(x, "dtype") else y.dtype) == "f":
            return xp.trunc(x / y)
        # integers, exactly: floor division, one step back toward zero where the signs differ and a remainder is left
        q = xp.floor_divide(x, y)
        return xp.where((q < 0) & (q * y != x), q + 1, q)

    return _no_grad_op("div(rounding_mode='trunc')", trunc, a, b)


def _float_like(b, a):
    """A non-tensor divisor as a constant tensor of a's floating dtype (so 1/2 is 0.5, not 0), on a's device."""
    dtype = a.dtype if isinstance(a, Tensor) and a.dtype.kind == "f" else None
    t = Tensor(b, dtype=dtype)
    if isinstance(a, Tensor) and a.data.__class__ is not np.ndarray and not isinstance(a.data, np.generic):
        t.data = _D.to_device(t.data, *_D.device_of(a.data))
    return t


def neg(a: TensorLike) -> Tensor:
    """−a. Shape: that of a."""
    return _ar.NegGate.apply(a)


def pow(a: TensorLike, p: TensorLike) -> Tensor:
    """a ** p (p a number or a tensor). Shape: broadcast of a and p."""
    return _ar.PowGate.apply(a, p)


def matmul(a: TensorLike, b: TensorLike) -> Tensor:
    """a @ b, with NumPy's rules for 1-D operands.

    Shape: (..., m, n) @ (..., n, p) → (..., m, p); a 1-D a is a row (its axis dropped from the result),
    a 1-D b a column (likewise).
    """
    a = a if isinstance(a, Tensor) else Tensor(a, dtype=getattr(b, "dtype", None))
    b = b if isinstance(b, Tensor) else Tensor(b, dtype=a.dtype)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul: operands must not be scalars, got shapes {a.shape} and {b.shape}")
    row, col = a.ndim == 1, b.ndim == 1
    if row:
        a = reshape(a, (1, a.shape[0]))
    if col:
        b = reshape(b, (b.shape[0], 1))
    z = _ar.MatMulGate.apply(a, b)
    if row or col:
        z = reshape(z, z.shape[:-2] + z.shape[-2:-1] * (not row) + z.shape[-1:] * (not col))
    return z


def mm(a: TensorLike, b: TensorLike) -> Tensor:
    """The matrix product of two matrices (PyTorch's ``mm``: no broadcasting, no 1-D operands).

    Shape: (m, n) @ (n, p) → (m, p).
    """
    if getattr(a, "ndim", None) != 2 or getattr(b, "ndim", None) != 2:
        raise ValueError(f"mm: expects two 2-D tensors, got shapes {getattr(a, 'shape', a)} and "
                         f"{getattr(b, 'shape', b)}; use matmul for other shapes")
    return matmul(a, b)


def clone(a: Tensor) -> Tensor:
    """A copy of a with its own memory that stays in the graph (the gradient passes through unchanged).

    Shape: that of a.
    """
    if a.dtype.kind != "f":   # integers and booleans carry no gradient
        data = a.data.copy() if a.data.__class__ is np.ndarray else _D.namespace(a.data).asarray(a.data, copy=True)
        return Tensor(data, dtype=a.dtype)
    return _ar.CastGate.apply(a, dtype=a.dtype)  # astype copies: the identity gate, with a fresh array


def exp(a: TensorLike) -> Tensor:
    """eᵃ elementwise. Shape: that of a."""
    return _ar.ExpGate.apply(a)


def log(a: TensorLike) -> Tensor:
    """ln a elementwise. Shape: that of a."""
    return _ar.LogGate.apply(a)


def sqrt(a: TensorLike) -> Tensor:
    """√a elementwise. Shape: that of a."""
    return _ar.SqrtGate.apply(a)


def abs(a: TensorLike) -> Tensor:
    """|a| elementwise. Shape: that of a."""
    return _ar.AbsGate.apply(a)


def maximum(a: TensorLike, b: TensorLike) -> Tensor:
    """Elementwise max of a and b. Shape: broadcast of a and b."""
    return _ar.MaximumGate.apply(a, b)


def minimum(a: TensorLike, b: TensorLike) -> Tensor:
    """Elementwise min of a and b. Shape: broadcast of a and b."""
    return _ar.MinimumGate.apply(a, b)


def clip(a: TensorLike, min: TensorLike | None = None, max: TensorLike | None = None) -> Tensor:
    """a clipped to [min, max] (PyTorch's ``clamp``). Shape: that of a."""
    return _ar.ClipGate.apply(a, lo=min, hi=max)


clamp = clip


def where(condition: TensorLike, a: TensorLike | None = None,
          b: TensorLike | None = None) -> Tensor | tuple[Tensor, ...]:
    """a where ``condition`` is true, else b. Shape: broadcast of condition, a and b.

    ``where(condition)`` alone is ``nonzero(condition, as_tuple=True)``, as in PyTorch.
    """
    if a is None and b is None:
        return nonzero(condition, as_tuple=True)
    cond: Any = condition.data if isinstance(condition, Tensor) else condition
    if cond.__class__ is np.ndarray:
        cond = cond.astype(bool)
    elif isinstance(cond, (list, np.generic)):
        cond = np.asarray(cond, dtype=bool)
    elif not hasattr(cond, "shape"):
        cond = bool(cond)
    elif _D.kind(cond.dtype) != "b":
        xp = _D.namespace(cond)
        cond = xp.astype(cond, xp.bool)
    # the condition lives where the tensors do (a NumPy mask moves to their device)
    device = next((x.data for x in (a, b) if isinstance(x, Tensor) and x.data.__class__ is not np.ndarray
                   and not isinstance(x.data, np.generic)), None)
    if device is not None and hasattr(cond, "shape"):
        cond = _D.to_device(cond, *_D.device_of(device))
    return _ar.WhereGate.apply(a, b, cond=cond)  # type: ignore[arg-type]


def cast(a: Tensor, dtype: DTypeLike) -> Tensor:
    """a as another floating dtype, keeping the graph. Shape: that of a."""
    from ..autograd.tensor import as_dtype

    dtype = as_dtype(dtype)
    if a.dtype == dtype:
        return a
    if not isinstance(a, Tensor) or a.dtype.kind != "f" or dtype.kind != "f":  # type: ignore[union-attr]
        if isinstance(a, Tensor) and a.data.__class__ is np.ndarray:
            return Tensor(a.data.astype(dtype), dtype=dtype)
        return Tensor(a.data if isinstance(a, Tensor) else a, dtype=dtype)   # Tensor() casts on the device
    return _ar.CastGate.apply(a, dtype=dtype)


# ---------------------------------------------------------------- reductions
# PyTorch spells NumPy's ``axis`` and ``keepdims`` as ``dim`` and ``keepdim``; both spellings work.
def _axis(fn, axis, dim, default=None):
    if dim is None:
        return axis
    if axis is not default:
        raise TypeError(f"{fn}: give the axis once, as axis= (NumPy) or dim= (PyTorch), not both")
    return dim


def sum(a: TensorLike, axis: int | tuple[int, ...] | None = None, keepdims: bool = False, *,
        dim: int | tuple[int, ...] | None = None, keepdim: bool | None = None) -> Tensor:
    """Σ over ``axis`` (all axes by default). Shape: a's shape without ``axis`` (size 1 with keepdims)."""
    return _red.SumGate.apply(a, axis=_axis("sum", axis, dim), keepdims=keepdims if keepdim is None else keepdim)


def mean(a: TensorLike, axis: int | tuple[int, ...] | None = None, keepdims: bool = False, *,
         dim: int | tuple[int, ...] | None = None, keepdim: bool | None = None) -> Tensor:
    """Mean over ``axis`` (all axes by default). Shape: as :func:`sum`."""
    return _red.MeanGate.apply(a, axis=_axis("mean", axis, dim), keepdims=keepdims if keepdim is None else keepdim)


def var(a: Tensor, axis: int | tuple[int, ...] | None = None, *, dim: int | tuple[int, ...] | None = None,
        keepdim: bool | None = None, keepdims: bool = False, correction: int = 1,
        unbiased: bool | None = None) -> Tensor:
    """Variance Σ(a − ā)² / (N − correction) over ``axis`` (all axes by default), built from mean and sum gates.

    PyTorch's default is the unbiased estimate (``correction=1``; ``unbiased=False`` means 0), not NumPy's
    ``ddof=0``. Shape: as :func:`sum`.
    """
    if unbiased is not None:
        correction = 1 if unbiased else 0
    keep = keepdims if keepdim is None else keepdim
    axis = _axis("var", axis, dim)
    count = 1
    for ax in _red._normalize_axis(axis, a.ndim):
        count *= a.shape[ax]
    d = a - mean(a, axis=axis, keepdims=True)
    denominator = count - correction
    # N − correction ≤ 0 gives nan, as in PyTorch (0/0), rather than an error or a division warning
    return sum(d * d, axis=axis, keepdims=keep) * (1.0 / denominator if denominator > 0 else float("nan"))


def std(a: TensorLike, axis: int | tuple[int, ...] | None = None, *, dim: int | tuple[int, ...] | None = None,
        keepdim: bool | None = None, keepdims: bool = False, correction: int = 1,
        unbiased: bool | None = None) -> Tensor:
    """Standard deviation √var (unbiased by default, as PyTorch); arguments as :func:`var`. Shape: as :func:`sum`."""
    return sqrt(var(a, axis, dim=dim, keepdim=keepdim, keepdims=keepdims, correction=correction, unbiased=unbiased))  # type: ignore[arg-type]


# ---------------------------------------------------------------- shapes
def reshape(a: TensorLike, *shape: int | Sequence[int]) -> Tensor:
    """a with a new shape (one entry may be −1). Shape: ``shape``."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return _sh.ReshapeGate.apply(a, shape=tuple(int(n) for n in shape))  # type: ignore[arg-type]


def unsqueeze(a: Tensor, dim: int) -> Tensor:
    """a with a new axis of size 1 at ``dim`` (−ndim−1 ≤ dim ≤ ndim), via reshape. Shape: (..., 1, ...)."""
    if not -a.ndim - 1 <= dim <= a.ndim:
        raise ValueError(f"unsqueeze: dim must be in [{-a.ndim - 1}, {a.ndim}] for shape {a.shape}, got {dim}")
    dim = dim % (a.ndim + 1)
    return reshape(a, a.shape[:dim] + (1,) + a.shape[dim:])


def squeeze(a: Tensor, dim: int | tuple[int, ...] | None = None) -> Tensor:
    """a without its axes of size 1 (all of them, or only ``dim``, an int or tuple), via reshape.

    As PyTorch, a ``dim`` whose size is not 1 is left alone. Shape: a's shape without those 1s.
    """
    dims = range(a.ndim) if dim is None else (dim,) if isinstance(dim, int) else dim
    drop = set()
    for d in dims:
        if not -a.ndim <= d < builtins.max(a.ndim, 1):
            raise ValueError(f"squeeze: dim {d} is out of range for shape {a.shape}")
        if a.ndim and a.shape[d] == 1:
            drop.add(d % a.ndim)
    return reshape(a, tuple(n for i, n in enumerate(a.shape) if i not in drop))


def t(a: Tensor) -> Tensor:
    """The transpose of a matrix; 0-D and 1-D tensors come back as they are (PyTorch's ``t``).

    Shape: (m, n) → (n, m); (n,) → (n,).
    """
    if a.ndim > 2:
        raise ValueError(f"t: expects a tensor with at most 2 dimensions, got shape {a.shape}; use transpose(a, i, j)")
    return transpose(a) if a.ndim == 2 else a


def permute(a: TensorLike, *axes: int | Sequence[int]) -> Tensor:
    """a with its axes reordered. Shape: (d_axes[0], ..., d_axes[k])."""
    if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
        axes = axes[0]
    return _sh.PermuteGate.apply(a, axes=tuple(axes))


def transpose(a: Tensor, *axes: int | Sequence[int]) -> Tensor:
    """Transpose: no axes reverses them; two axes swap those two (PyTorch); a tuple permutes (NumPy)."""
    if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
        return permute(a, axes[0])
    if len(axes) == 2:
        order = list(range(a.ndim))
        i, j = (ax % a.ndim for ax in axes)  # type: ignore[operator]
        order[i], order[j] = order[j], order[i]
        return permute(a, order)
    if axes:
        return permute(a, axes)  # type: ignore[arg-type]
    return _sh.PermuteGate.apply(a, axes=None)


def getitem(a: TensorLike, index: Any) -> Tensor:
    """a[index]: slices, integers, masks, integer arrays (repeated indices accumulate). Shape: NumPy's."""
    if isinstance(index, Tensor):
        index = index.data
    elif isinstance(index, tuple):
        index = tuple(i.data if isinstance(i, Tensor) else i for i in index)
    return _sh.GetItemGate.apply(a, index=index)


def concatenate(tensors: Sequence[TensorLike], axis: int = 0, *, dim: int | tuple[int, ...] | None = None) -> Tensor:
    """The tensors joined along ``axis`` (or ``dim``). Shape: equal except along ``axis``, where sizes add."""
    return _sh.ConcatenateGate.apply(*tensors, axis=_axis("concatenate", axis, dim, 0))


cat = concat = concatenate   # PyTorch's two names (torch.concat is torch.cat's alias)


def stack(tensors: Sequence[TensorLike], axis: int = 0, *, dim: int | tuple[int, ...] | None = None) -> Tensor:
    """The tensors stacked along a new ``axis`` (or ``dim``). Shape: k tensors of shape S → S with k at ``axis``."""
    return _sh.StackGate.apply(*tensors, axis=_axis("stack", axis, dim, 0))


# ---------------------------------------------------------------- activations
def sigmoid(a: TensorLike) -> Tensor:
    """σ(a) = 1/(1 + e⁻ᵃ); σ' = σ(1 − σ). Shape: that of a."""
    return _act.SigmoidGate.apply(a)


def tanh(a: TensorLike) -> Tensor:
    """tanh(a); tanh' = 1 − tanh². Shape: that of a."""
    return _act.TanhGate.apply(a)


def relu(a: TensorLike) -> Tensor:
    """max(0, a); derivative 1 for a > 0 else 0. Shape: that of a."""
    return _act.ReLUGate.apply(a)


def leaky_relu(a: TensorLike, alpha: float = 0.01) -> Tensor:
    """a if a > 0 else α·a. Shape: that of a."""
    return _act.LeakyReLUGate.apply(a, alpha=alpha)


def gelu(a: TensorLike) -> Tensor:
    """a·Φ(a), the exact (erf) GELU. Shape: that of a."""
    return _act.GELUGate.apply(a)


def hardtanh(a: TensorLike, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """clip(a, min_val, max_val); derivative 1 strictly inside. Shape: that of a."""
    return _act.HardtanhGate.apply(a, lo=min_val, hi=max_val)


def step(a: TensorLike) -> Tensor:
    """Heaviside step, 1 if a ≥ 0 else 0 (no gradient). Shape: that of a."""
    return _act.StepGate.apply(a)


def identity(a: Tensor) -> Tensor:
    """a itself (the identity activation). Shape: that of a."""
    return a


def softmax(a: TensorLike, axis: int = -1, *, dim: int | tuple[int, ...] | None = None) -> Tensor:
    """Softmax along ``axis`` (or ``dim``) with the max-subtraction trick. Shape: that of a."""
    return _act.SoftmaxGate.apply(a, axis=_axis("softmax", axis, dim, -1))


def log_softmax(a: TensorLike, axis: int = -1, *, dim: int | tuple[int, ...] | None = None) -> Tensor:
    """log(softmax(a)) along ``axis`` (or ``dim``) via log-sum-exp. Shape: that of a."""
    return _act.LogSoftmaxGate.apply(a, axis=_axis("log_softmax", axis, dim, -1))


# ---------------------------------------------------------------- layers
def linear(x: TensorLike, weight: TensorLike, bias: TensorLike | None = None) -> Tensor:
    """z = x Wᵀ + b as one fused gate (the lecture's Z = W A + b with examples as columns).

    Shape: x: (..., n_x), weight: (n_z, n_x), bias: (n_z,); z: (..., n_z).
    """
    if bias is None:
        return LinearGate.apply(x, weight)
    return LinearGate.apply(x, weight, bias)


# PyTorch's reductions, selections and shapes (tensor_methods below attaches them as methods too)
from .torch_indexing import (  # noqa: E402,F401
    allclose, argwhere, bmm, count_nonzero, einsum, eq, equal, gather, ge, gt, index_select, isclose, isfinite,
    isinf, isnan, le, logical_and, logical_not, logical_or, logical_xor, lt, masked_fill, ne, nonzero, scatter,
    scatter_add,
)
from .torch_reductions import (  # noqa: E402,F401
    all, amax, amin, any, argmax, argmin, argsort, cumsum, logsumexp, max, median, min, norm, prod, sort, topk,
)
from .torch_views import chunk, expand, expand_as, flatten, repeat, split, to, unbind, unflatten, view_as  # noqa: E402,F401,E501
from .elementwise import ceil, cos, erf, expm1, floor, log1p, round, rsqrt, sign, sin, tan  # noqa: E402,F401
from .torch_math import (  # noqa: E402,F401
    broadcast_to, cosine_similarity, diag, flip, lerp, logspace, meshgrid, nan_to_num, normalize, outer,
    pairwise_distance, pixel_shuffle, pixel_unshuffle, roll, tile, tril, triu, unique,
)


def square(input: TensorLike) -> Tensor:
    """input², elementwise, as ``torch.square``: the product x·x, so ∂L/∂x = 2x·G. Shape: input's."""
    return mul(input, input)


def dot(input: TensorLike, tensor: TensorLike) -> Tensor:
    """Σ aᵢbᵢ of two 1-D tensors, as ``torch.dot``. Shape: (n,), (n,) → () ."""
    a = input if isinstance(input, Tensor) else Tensor(input)
    b = tensor if isinstance(tensor, Tensor) else Tensor(tensor)
    if a.ndim != 1 or b.ndim != 1:
        raise ValueError(f"dot: expects two 1-D tensors, got shapes {a.shape} and {b.shape}")
    return matmul(a, b)


from .activation_extra import (  # noqa: E402,F401
    celu, elu, glu, hardshrink, hardsigmoid, hardswish, logsigmoid, mish, prelu, relu6, selu, silu, softmin,
    softplus, softshrink, softsign, tanhshrink, threshold,
)
from . import tensor_methods as _tensor_methods  # noqa: E402,F401  (attaches the methods above to Tensor)
from .loss import (  # noqa: E402,F401  (the loss gates; see loss.py)
    binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, hinge_loss, mse_loss, nll_loss,
    perceptron_loss,
)
from .loss_composed import huber_loss, kl_div, l1_loss, smooth_l1_loss  # noqa: E402,F401
from .loss_margin import (  # noqa: E402,F401
    cosine_embedding_loss, hinge_embedding_loss, margin_ranking_loss, multi_margin_loss, multilabel_soft_margin_loss,
    soft_margin_loss, triplet_margin_loss,
)
from .conv import conv2d; from .pooling import adaptive_avg_pool2d, avg_pool2d, max_pool2d  # noqa: E402,F401,E702
from .conv1d import (  # noqa: E402,F401
    adaptive_avg_pool1d, adaptive_max_pool1d, avg_pool1d, conv1d, max_pool1d,
)
from .batchnorm import batch_norm  # noqa: E402,F401
from .regularization import dropout  # noqa: E402,F401
# issue 23 (the CNN chapter): adaptive max pooling, LRN, channel dropout, padding, transposed convolution, resizing
from .adaptive_pool import adaptive_max_pool2d  # noqa: E402,F401
from .local_response_norm import local_response_norm  # noqa: E402,F401
from .regularization import dropout1d, dropout2d  # noqa: E402,F401
from .padding import pad  # noqa: E402,F401
from .conv_transpose import conv_transpose2d  # noqa: E402,F401
from .upsample import interpolate  # noqa: E402,F401
