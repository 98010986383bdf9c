"""NumPy functions applied to a Tensor either keep the graph or say which tensorgate function to use.

``np.exp(t)`` runs tensorgate's exp gate (the ufunc is looked up in :data:`UFUNC_GATES`, which
``tensorgate.functional`` fills in). A ufunc or array function without a gate would compute on the raw
arrays and lose the gradient silently: where an input requires grad and the result is floating, that is a
TypeError naming the tensorgate function. Bool and integer results (``np.isclose``, ``np.argmax``) carry
no gradient, so they are computed. Without gradients, a ufunc gives a Tensor (as ``np.exp(torch_tensor)``
does) and an array function NumPy's own result (as for a PyTorch tensor).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from typing import Callable

    from .tensor import Tensor

#: ufunc → function(*inputs) that runs the gate; filled in by tensorgate.functional (extend it there)
UFUNC_GATES: dict[np.ufunc, Callable[..., Tensor]] = {}

#: names of the functions tensorgate.functional has (filled in there): an error names one only if it exists
AVAILABLE: set[str] = set()

#: NumPy name → the tensorgate spelling named in the error, where the names differ
TG_NAMES = {"true_divide": "tg.div or /", "divide": "tg.div or /", "absolute": "tg.abs", "power": "tg.pow or **",
            "multiply": "tg.mul or *", "subtract": "tg.sub or -", "negative": "-t", "concatenate": "tg.cat",
            "amax": "tg.amax", "average": "tg.mean", "clip": "tg.clamp", "dot": "tg.matmul",
            # the gates of issue 17's other half (tg.sin, ...): once they exist, tensor_methods.py maps the
            # ufuncs to them and these messages are no longer reached
            "sin": "tg.sin", "cos": "tg.cos", "tan": "tg.tan", "sign": "tg.sign", "floor": "tg.floor",
            "ceil": "tg.ceil", "rint": "tg.round", "log1p": "tg.log1p", "expm1": "tg.expm1"}


def _requires_grad(x):
    if hasattr(x, "_requires_grad"):
        return x._requires_grad
    if isinstance(x, (list, tuple)):
        return any(_requires_grad(v) for v in x)
    return False


def _unwrap(x):
    if hasattr(x, "_requires_grad"):
        return x.data
    if isinstance(x, (list, tuple)):
        return type(x)(_unwrap(v) for v in x)
    return x


def _floating(result):
    if isinstance(result, (tuple, list)):
        return any(_floating(r) for r in result)
    return np.asarray(result).dtype.kind in "fc"


def _refuse(name):
    if name in TG_NAMES:
        advice = f"use {TG_NAMES[name]}"
    elif name in AVAILABLE:
        advice = f"use tg.{name}"
    else:
        advice = f"tensorgate has no {name} gate yet: compose it from tensorgate functions"
    return TypeError(f"np.{name} on a tensor that requires grad would drop its gradient; {advice} "
                     "(or .detach() first if no gradient is wanted)")


def array_ufunc(ufunc: np.ufunc, method: str, inputs: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Tensor.__array_ufunc__: see the module docstring."""
    from .grad_mode import state
    from .tensor import Tensor

    gate = UFUNC_GATES.get(ufunc)
    if gate is not None and method == "__call__" and not kwargs:
        return gate(*inputs)
    grad = state.grad_enabled and _requires_grad(inputs)
    if "out" in kwargs:
        kwargs = dict(kwargs, out=tuple(_unwrap(o) for o in kwargs["out"]))
        if any(_requires_grad(o) for o in kwargs.get("out", ())):
            raise _refuse(ufunc.__name__)
    result = getattr(ufunc, method)(*_unwrap(inputs), **kwargs)
    if grad and _floating(result):
        raise _refuse(ufunc.__name__)
    if isinstance(result, tuple):
        return tuple(Tensor._make(np.asarray(r), False, None) for r in result)
    return None if result is None else Tensor._make(np.asarray(result), False, None)


def array_function(func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Tensor.__array_function__: see the module docstring."""
    from .grad_mode import state

    result = func(*_unwrap(args), **{k: _unwrap(v) for k, v in kwargs.items()})
    if state.grad_enabled and (_requires_grad(args) or _requires_grad(list(kwargs.values()))) \
            and _floating(result):
        raise _refuse(func.__name__)
    return result
