"""Attach the gates to :class:`Tensor` as operators and methods.

Kept in one table so that it is easy to see which Python syntax runs which gate.
"""
import numpy as np

from ..autograd.numpy_interop import AVAILABLE, UFUNC_GATES
from ..autograd.tensor import Tensor
from .. import functional as F
from . import device_moves as _moves


def _reflected(fn):
    return lambda self, other: fn(other, self)


def _add(self, other, *, alpha=1):
    return F.add(self, other if alpha == 1 else F.mul(other, alpha))


def _sub(self, other, *, alpha=1):
    return F.sub(self, other if alpha == 1 else F.mul(other, alpha))


def _cast_method(dtype):
    return lambda self: F.cast(self, dtype)


_METHODS = {
    "__add__": F.add, "__radd__": _reflected(F.add),
    "__sub__": F.sub, "__rsub__": _reflected(F.sub),
    "__mul__": F.mul, "__rmul__": _reflected(F.mul),
    "__truediv__": F.div, "__rtruediv__": _reflected(F.div),
    "__pow__": F.pow, "__rpow__": _reflected(F.pow),
    "__matmul__": F.matmul, "__rmatmul__": _reflected(F.matmul),
    "__neg__": F.neg,
    "__getitem__": F.getitem,
    "exp": F.exp, "log": F.log, "sqrt": F.sqrt, "abs": F.abs, "__abs__": F.abs,
    "pow": F.pow, "reciprocal": F.reciprocal, "maximum": F.maximum, "minimum": F.minimum,
    "clip": F.clip, "clamp": F.clip,
    "sum": F.sum, "mean": F.mean, "max": F.max, "min": F.min,
    "reshape": F.reshape, "view": F.reshape,
    "transpose": F.transpose, "permute": F.permute,
    "sigmoid": F.sigmoid, "tanh": F.tanh, "relu": F.relu, "leaky_relu": F.leaky_relu,
    "gelu": F.gelu, "hardtanh": F.hardtanh, "softmax": F.softmax, "log_softmax": F.log_softmax,
    "float": _cast_method("float32"), "double": _cast_method("float64"),
    # PyTorch's integer and boolean casts: the results carry no gradient
    "long": _cast_method("int64"), "int": _cast_method("int32"), "bool": _cast_method("bool"),
    # PyTorch's spellings, built from the gates above
    "unsqueeze": F.unsqueeze, "squeeze": F.squeeze, "clone": F.clone, "t": F.t, "neg": F.neg,
    "matmul": F.matmul, "mm": F.mm, "var": F.var, "std": F.std,
    "astype": F.cast, "to": F.to, "cuda": _moves.cuda, "cpu": _moves.cpu, "type_as": lambda self, other: F.cast(self, other.dtype),
    # PyTorch's reductions (functional/torch_reductions.py): max(1) is (values, indices)
    "argmax": F.argmax, "argmin": F.argmin, "amax": F.amax, "amin": F.amin, "sort": F.sort,
    "argsort": F.argsort, "topk": F.topk, "median": F.median, "prod": F.prod, "cumsum": F.cumsum,
    "logsumexp": F.logsumexp, "norm": F.norm,
    # selections, masks and products (functional/torch_indexing.py)
    "gather": F.gather, "scatter": F.scatter, "scatter_add": F.scatter_add, "index_select": F.index_select,
    "masked_fill": F.masked_fill, "nonzero": F.nonzero, "isnan": F.isnan, "isinf": F.isinf,
    "isfinite": F.isfinite, "logical_and": F.logical_and, "logical_or": F.logical_or,
    "logical_xor": F.logical_xor, "logical_not": F.logical_not, "bmm": F.bmm, "equal": F.equal,
    "allclose": F.allclose, "isclose": F.isclose, "count_nonzero": F.count_nonzero,
    "div": F.div, "divide": F.div, "mul": F.mul, "multiply": F.mul, "add": _add, "sub": _sub,
    "subtract": _sub, "true_divide": F.div, "floor_divide": lambda self, other: self // other,
    "square": F.square, "dot": F.dot,
    # PyTorch's remaining everyday functions (functional/torch_math.py)
    "erf": F.erf, "outer": F.outer, "tril": F.tril, "triu": F.triu, "flip": lambda self, *dims: F.flip(self, dims[0] if len(dims) == 1 else dims), "roll": F.roll,
    "tile": F.tile, "broadcast_to": F.broadcast_to, "lerp": F.lerp, "nan_to_num": F.nan_to_num, "diag": F.diag,
    "unique": F.unique,
    # shapes (functional/torch_views.py)
    "flatten": F.flatten, "unflatten": F.unflatten, "view_as": F.view_as, "expand": F.expand,
    "expand_as": F.expand_as, "repeat": F.repeat, "split": F.split, "chunk": F.chunk, "unbind": F.unbind,
    "reshape_as": F.view_as, "masked_select": lambda self, mask: F.getitem(self, mask),
}

for _name, _fn in _METHODS.items():
    setattr(Tensor, _name, _fn)

Tensor.T = property(lambda self: F.transpose(self))  # type: ignore[assignment]
Tensor.__hash__ = object.__hash__  # type: ignore[assignment, method-assign]  # tensors are dict keys by identity (parameters, optimiser state)

# The elementwise gates of elementwise.py, as PyTorch's Tensor methods (x.sin(), x.round(decimals=1), ...)
for _name in ("sin", "cos", "tan", "sign", "floor", "ceil", "round", "log1p", "expm1", "rsqrt"):
    setattr(Tensor, _name, getattr(F, _name))

# NumPy ufuncs that run a gate when given a tensor (autograd/numpy_interop.py): np.exp(t) keeps the graph.
# A ufunc missing here raises a TypeError naming tg.<name> when a tensor requires grad; add a line per gate.
UFUNC_GATES.update({
    np.add: F.add, np.subtract: F.sub, np.multiply: F.mul, np.true_divide: F.div, np.negative: F.neg,
    np.power: F.pow, np.matmul: F.matmul, np.exp: F.exp, np.log: F.log, np.sqrt: F.sqrt, np.absolute: F.abs,
    np.maximum: F.maximum, np.minimum: F.minimum, np.tanh: F.tanh, np.reciprocal: F.reciprocal,
})
for _ufunc, _name in ((getattr(np, n, None), n) for n in ("sin", "cos", "tan", "log1p", "expm1", "sign",
                                                            "floor", "ceil", "square")):
    if _ufunc is not None and hasattr(F, _name):   # the elementwise gates (elementwise.py), by their NumPy names
        UFUNC_GATES.setdefault(_ufunc, getattr(F, _name))

AVAILABLE.update(name for name in dir(F) if not name.startswith("_"))
