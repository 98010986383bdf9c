"""Attach the gates to :class:`Tensor` as operators and methods.

Kept in one table so that it is easy to see which Python syntax runs which gate.
"""
from ..autograd.tensor import Tensor
from .. import functional as F


def _reflected(fn):
    return lambda self, other: fn(other, self)


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
    "reshape": F.reshape, "view": F.reshape, "flatten": F.flatten,
    "transpose": F.transpose, "permute": F.permute,
    "sigmoid": F.sigmoid, "tanh": F.tanh, "relu": F.relu, "leaky_relu": F.leaky_relu,
    "gelu": F.gelu, "hardtanh": F.hardtanh, "softmax": F.softmax, "log_softmax": F.log_softmax,
    "float": _cast_method("float32"), "double": _cast_method("float64"),
    # PyTorch's integer and boolean casts: the results carry no gradient
    "long": _cast_method("int64"), "int": _cast_method("int32"), "bool": _cast_method("bool"),
    # PyTorch's spellings, built from the gates above
    "unsqueeze": F.unsqueeze, "squeeze": F.squeeze, "clone": F.clone, "t": F.t, "neg": F.neg,
    "matmul": F.matmul, "mm": F.mm, "var": F.var, "std": F.std,
    "astype": F.cast, "to": F.cast,
}

for _name, _fn in _METHODS.items():
    setattr(Tensor, _name, _fn)

Tensor.T = property(lambda self: F.transpose(self))
Tensor.__hash__ = object.__hash__  # tensors are dict keys by identity (parameters, optimiser state)

# The elementwise gates of elementwise.py, as PyTorch's Tensor methods (x.sin(), x.round(decimals=1), ...)
for _name in ("sin", "cos", "tan", "sign", "floor", "ceil", "round", "log1p", "expm1", "rsqrt"):
    setattr(Tensor, _name, getattr(F, _name))
