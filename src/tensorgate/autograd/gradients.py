"""``tg.autograd.grad``: the gradients of outputs with respect to chosen inputs, returned rather than
accumulated into ``.grad`` (PyTorch's ``torch.autograd.grad``).

The walk is the engine's (engine.py): order the gates so that each comes after every gate that uses its
output, seed the outputs, and let each gate turn its upstream gradient into downstream ones, summing where a
tensor is used twice (the junction rule). The difference is where the gradients go: nowhere but the result.
No ``.grad`` is read or written, so ``grad`` can be called in the middle of a training step.

Higher-order derivatives (``create_graph=True``) are not supported: the gates compute their backward on
NumPy arrays, so a gradient is a number, not a graph that could be differentiated again.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import engine
from .tensor import Tensor

if TYPE_CHECKING:
    from typing import Sequence

    from .tensor import TensorLike


def _as_sequence(name, value):
    if isinstance(value, Tensor):
        return (value,), True
    if isinstance(value, (list, tuple)) and all(isinstance(v, Tensor) for v in value):
        return tuple(value), False
    raise TypeError(f"grad: {name} must be a Tensor or a sequence of Tensors, got {type(value).__name__}")


def _seed(i, out, g):
    if g is None:
        if out.data.size != 1:
            raise RuntimeError(
                f"grad: output {i} has shape {tuple(out.shape)}, not a scalar, so its gradient must be given: "
                "pass grad_outputs with ∂L/∂output of that shape (or reduce the output first)")
        return np.ones_like(out.data)
    array = np.array(g.data if isinstance(g, Tensor) else g, dtype=out.data.dtype)   # a private copy
    if array.shape != out.shape:
        raise ValueError(f"grad: grad_outputs[{i}] has shape {array.shape} but output {i} has shape "
                         f"{tuple(out.shape)}")
    return array


def grad(outputs: Tensor | Sequence[Tensor], inputs: Tensor | Sequence[Tensor],
         grad_outputs: TensorLike | Sequence[TensorLike | None] | None = None, retain_graph: bool | None = None,
         create_graph: bool = False, only_inputs: bool = True, allow_unused: bool | None = None,
         is_grads_batched: bool = False, materialize_grads: bool = False) -> tuple[Tensor | None, ...]:
    """The gradients Σ_k ∂outputs_k/∂inputs_i · grad_outputs_k, one per input, as PyTorch's ``autograd.grad``.

    Parameters
    ----------
    outputs : Tensor or sequence of Tensor
        What to differentiate (each must require grad).
    inputs : Tensor or sequence of Tensor
        With respect to what: leaves or intermediate tensors of the outputs' graph, each requiring grad.
    grad_outputs : Tensor, array or sequence of them (None entries allowed for scalar outputs)
        ∂L/∂output for each output (the vector of the vector-Jacobian product); ones for scalar outputs.
    retain_graph : bool, default ``create_graph``
        Keep the graph's saved values so that it can be differentiated again.
    create_graph : bool
        ``True`` (a differentiable gradient, for higher-order derivatives) raises NotImplementedError:
        tensorgate's gates compute their backward on arrays. For a Hessian, see
        :func:`tensorgate.autograd.functional.hessian`.
    allow_unused : bool, default False
        If an input is not reachable from the outputs, return None for it instead of raising.
    materialize_grads : bool
        Return zeros instead of None for unused inputs (implies ``allow_unused``).

    Returns
    -------
    tuple of Tensor
        One gradient per input (without graph), of that input's shape and dtype. ``.grad`` attributes are
        neither read nor changed. Hooks registered on the tensors (``register_hook``) run, as in PyTorch.

    Shape
    -----
    outputs: any; grad_outputs: the outputs' shapes; result i: the shape of inputs[i].

    Examples
    --------
    >>> import tensorgate as tg
    >>> x = tg.tensor([1.0, 2.0], requires_grad=True)
    >>> (g,) = tg.autograd.grad((x * x).sum(), x)      # ∂/∂x Σ x² = 2x
    >>> g.tolist(), x.grad is None
    ([2.0, 4.0], True)
    """
    if create_graph:
        raise NotImplementedError(
            "grad: create_graph=True is not supported: tensorgate's gates compute their backward on NumPy "
            "arrays, so a gradient cannot be differentiated again. For second derivatives use "
            "tg.autograd.functional.hessian (central differences of exact gradients)")
    if is_grads_batched:
        raise NotImplementedError("grad: is_grads_batched=True is not supported; call grad once per grad_outputs")
    if not only_inputs:
        raise ValueError("grad: only_inputs=False is not supported (PyTorch deprecated it too)")
    if materialize_grads and allow_unused is False:
        raise ValueError("grad: materialize_grads=True requires allow_unused to be True or None")
    allow_unused = bool(allow_unused) or bool(materialize_grads)
    retain_graph = create_graph if retain_graph is None else bool(retain_graph)
    outputs, _ = _as_sequence("outputs", outputs)
    inputs, _ = _as_sequence("inputs", inputs)
    if grad_outputs is None or isinstance(grad_outputs, (Tensor, np.ndarray)):
        grad_outputs = (grad_outputs,) * len(outputs) if grad_outputs is None else (grad_outputs,)
    if len(grad_outputs) != len(outputs):  # type: ignore[arg-type]
        raise ValueError(f"grad: {len(outputs)} outputs but {len(grad_outputs)} grad_outputs")  # type: ignore[arg-type]
    for i, out in enumerate(outputs):
        if not out.requires_grad:
            raise RuntimeError(f"grad: output {i} does not require grad and has no gate: it does not depend on "
                               "any tensor with requires_grad=True (or was computed under no_grad)")
    for i, x in enumerate(inputs):
        if not x.requires_grad:
            raise RuntimeError(f"grad: input {i} (shape {tuple(x.shape)}) does not require grad")

    grads = {}  # type: ignore[var-annotated]  # id(tensor) → ∂L/∂tensor accumulated so far
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):  # type: ignore[arg-type]
        seed = _seed(i, out, g)
        previous = grads.get(id(out))
        grads[id(out)] = seed if previous is None else previous + seed
    wanted = {id(x) for x in inputs}
    found = {}                                   # id(input) → its gradient
    for t in engine.topological_order(*outputs):
        g = grads.pop(id(t), None)
        if g is None:
            continue
        if t._hooks:
            g = engine._run_hooks(t, g)
        if id(t) in wanted:
            found[id(t)] = g
        gate = t._gate
        assert gate is not None                  # topological_order lists only tensors made by gates
        gate.last_use = not retain_graph
        for parent, dg in zip(gate.inputs, gate.downstream(g)):
            if dg is None:
                continue
            previous = grads.get(id(parent))
            # junction rule: a tensor used by several gates gets the sum of their gradients
            grads[id(parent)] = dg if previous is None else previous + dg
        if not retain_graph:
            gate.release()
    for x in inputs:                              # leaves: what reached them, after their hooks
        if x._gate is None and id(x) in grads:
            g = grads[id(x)]
            found[id(x)] = engine._run_hooks(x, g) if x._hooks else g

    result = []
    for i, x in enumerate(inputs):
        g = found.get(id(x))
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"grad: input {i} (shape {tuple(x.shape)}) was not used to compute the outputs. Pass "
                    "allow_unused=True to get None for it")
            result.append(Tensor._make(np.zeros_like(x.data), False, None) if materialize_grads else None)
            continue
        # a copy: the array may be the upstream gradient passed through, shared with another result
        result.append(Tensor._make(np.array(g, dtype=x.data.dtype), False, None))
    return tuple(result)
