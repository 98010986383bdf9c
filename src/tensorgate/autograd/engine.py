"""Backpropagation: walk the graph from the output back to the leaves.

1. Order the gates so that every gate comes after all gates that use its output (reverse topological
   order), with an explicit stack rather than recursion, so a chain of 10,000 gates is no problem.
2. Seed ∂L/∂L = 1 at the output and visit the gates in that order. Each gate turns the upstream gradient
   ∂L/∂out into a downstream gradient per input (chain rule).
3. A tensor used by several gates receives the sum of their gradients (junction rule): gradients are
   added into a dict for intermediate tensors, and into ``.grad`` for leaves. The rule, and the copy a
   leaf keeps of an array seen elsewhere, live in ``plumbing.py``, which the replayed tape calls too.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..backend import devices as D
from . import plumbing
from .tensor import Tensor

if TYPE_CHECKING:
    from typing import Callable

    from numpy.typing import NDArray

    from .tensor import TensorLike


def topological_order(*roots: Tensor) -> list[Tensor]:
    """Tensors of the graphs that end at ``roots``, roots first, each before the tensors it was made from.

    A depth-first walk from every root with one visited set; its reversed post-order is a topological order
    of the union of the graphs. Only tensors made by gates are listed (leaves have nothing to pass on).
    """
    order, visited = [], set()
    stack = [(r, False) for r in reversed(roots) if r._gate is not None]
    while stack:
        t, children_done = stack.pop()
        if children_done:
            order.append(t)
            continue
        if id(t) in visited:
            continue
        visited.add(id(t))
        stack.append((t, True))
        for parent in reversed(t._gate.inputs):  # type: ignore[union-attr]  # first input explored first: forward order reads naturally
            if parent._gate is not None and id(parent) not in visited:
                stack.append((parent, False))
    order.reverse()
    return order


def backward(root: Tensor, grad: TensorLike | None = None, retain_graph: bool = False,
             observer: Callable[[Tensor, NDArray[Any], list[NDArray[Any] | None]], None] | None = None) -> None:
    """Backpropagate from ``root``; see :meth:`Tensor.backward`.

    ``observer(tensor, upstream, downstream)``, if given, is called for every gate visited, with the
    gate's output tensor, the gradient it received and the list of gradients it passed on (used by
    :func:`tensorgate.trace`).
    """
    if not isinstance(root, Tensor):
        raise TypeError(f"backward: expected a Tensor, got {type(root).__name__}")
    if not root._requires_grad:
        raise RuntimeError(
            "backward: this tensor does not require grad, so there is nothing to backpropagate. Create the "
            "inputs with requires_grad=True (and not inside tg.no_grad()).")
    seed = _seed(root, grad)
    if root._gate is None:  # backward on a leaf: its gradient is the seed itself
        _accumulate_leaf(root, seed, shared=False)
        return

    grads = {id(root): seed}
    for t in topological_order(root):
        g = grads.pop(id(t), None)
        if g is None:
            continue  # no path from root's gradient reaches this tensor
        if t._hooks:
            g = _run_hooks(t, g)
        if t._retain:
            plumbing.accumulate(t, g, shared=True)
        gate = t._gate
        gate.last_use = not retain_graph  # type: ignore[union-attr]
        downstream = gate.downstream(g)  # type: ignore[union-attr]
        if observer is not None:
            observer(t, g, downstream)
        for parent, dg in zip(gate.inputs, downstream):  # type: ignore[union-attr]
            if dg is None:
                continue
            if parent._gate is None:
                _accumulate_leaf(parent, dg, plumbing.is_shared(dg, g, downstream))
            else:
                grads[id(parent)] = plumbing.add(grads.get(id(parent)), dg)   # the junction rule
        if not retain_graph:
            gate.release()  # type: ignore[union-attr]


def _tensor_backward(self: Tensor, grad: TensorLike | None = None, retain_graph: bool = False) -> None:
    """Backpropagate from this tensor: fill ``.grad`` of every leaf that requires grad.

    A scalar seeds the gradient 1; a non-scalar needs ``grad`` of its own shape (the upstream gradient
    ∂L/∂self). Gradients accumulate into ``.grad`` across calls until they are zeroed. The graph's saved
    buffers are freed afterwards unless ``retain_graph=True``.

    Shape: grad: that of self, or absent for a scalar.
    """
    backward(self, grad, retain_graph=retain_graph)


_tensor_backward.__name__, _tensor_backward.__qualname__ = "backward", "Tensor.backward"
Tensor.backward = _tensor_backward  # type: ignore[method-assign]  # tensor.py cannot import this module, which builds on it


def _seed(root, grad):
    if grad is None:
        if root.data.size != 1:
            raise RuntimeError(
                f"backward: the output has shape {root.shape}, not a scalar, so its gradient must be given: "
                "call backward(grad) with ∂L/∂output of that shape, or reduce it first (e.g. .sum() or .mean())")
        return D.namespace(root.data).ones_like(root.data)
    grad = _like(grad.data if isinstance(grad, Tensor) else grad, root.data, copy=True)  # a private copy
    if grad.shape != root.shape:
        raise ValueError(f"backward: grad has shape {grad.shape} but the output has shape {root.shape}")
    return grad


def _run_hooks(t, g):
    for hook in list(t._hooks.values()):
        result = hook(g)
        if result is not None:
            g = _like(result.data if isinstance(result, Tensor) else result, t.data, copy=False)
    return g


def _like(value, like, copy):
    """value as an array of ``like``'s dtype on ``like``'s device (a copy where ``copy``)."""
    if like.__class__ is np.ndarray:
        return np.array(value, dtype=like.dtype, copy=True if copy else None)
    xp = D.namespace(like)
    if isinstance(value, (np.ndarray, list, tuple, int, float)):
        value = D.to_device(np.asarray(value), *D.device_of(like))
    elif D.device_of(value) != D.device_of(like):
        raise RuntimeError(f"backward: the gradient lives on {D.describe(D.device_of(value))} but the tensor on "
                           f"{D.describe(D.device_of(like))}")
    return xp.asarray(value, dtype=like.dtype, copy=True if copy else None)


def _accumulate_leaf(leaf, g, shared):
    if leaf._hooks:
        g = _run_hooks(leaf, g)
    plumbing.accumulate(leaf, g, shared)
