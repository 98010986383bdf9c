"""Module hooks: the handle that removes one, and the machinery of backward hooks.

A backward hook sees the gradients of one call of a module. The call's tensor inputs and its output pass
through identity gates (``_HookIdentityGate``) whose tensor hooks collect ∂L/∂input and ∂L/∂output as
backpropagation reaches them; once all have arrived, the module's hooks fire (``_BackwardHookState``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Literal
import functools

from ..autograd.gate import Gate
from ..autograd.tensor import Tensor

if TYPE_CHECKING:
    from .module import Module


class RemovableHandle:
    """Returned by ``register_*_hook``: ``handle.remove()`` unregisters the hook (twice is harmless)."""

    _next_id = 0

    def __init__(self, module: Module, kind: str):
        RemovableHandle._next_id += 1
        self.id = RemovableHandle._next_id
        self.module, self.kind = module, kind

    def remove(self) -> None:
        hooks = self.module._hooks
        if hooks is not None:
            hooks[self.kind].pop(self.id, None)
            self.module._update_has_hooks()

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        self.remove()
        return False


class _HookIdentityGate(Gate):
    """z = a, ∂z/∂a = 1: a tensor for a module's input or output whose gradient hooks can observe.

    Shape: a: any; z: same (the same array, not a copy).
    """

    name = "module_hook"
    needs_float = False

    def forward(self, a):
        return a

    def backward(self, g):
        return g


class _BackwardHookState:
    """The gradients of one call of a module with backward hooks, gathered as backpropagation reaches them."""

    def __init__(self, module):
        self.module = module
        self.grad_output = None
        self.grad_input = []
        self.pending = set()
        self.done = False

    def wrap_inputs(self, args):
        wrapped = []
        for i, a in enumerate(args):
            if isinstance(a, Tensor) and a._requires_grad:
                a = _HookIdentityGate.apply(a)
                a.register_hook(functools.partial(self._input_grad, i))
                self.pending.add(i)
            wrapped.append(a)
        self.grad_input = [None] * len(args)
        return tuple(wrapped)

    def wrap_output(self, output):
        if not isinstance(output, Tensor):
            raise TypeError(f"{type(self.module).__name__}: backward hooks need forward to return one Tensor, "
                            f"got {type(output).__name__}")
        if not output._requires_grad:
            return output
        output = _HookIdentityGate.apply(output)
        output.register_hook(self._output_grad)
        return output

    def _output_grad(self, g):
        for hook in list(self.module._hooks["backward_pre"].values()):
            result = hook(self.module, (g,))
            if result is not None:
                g = result[0]
        self.grad_output = (g,)
        if not self.pending:
            self._fire(None)
        return g

    def _input_grad(self, i, g):
        self.grad_input[i] = g
        self.pending.discard(i)
        if not self.pending and not self.done:
            return self._fire(i)
        return None

    def _fire(self, last):
        self.done = True
        grad_input = tuple(self.grad_input)
        for hook in list(self.module._hooks["backward"].values()):
            result = hook(self.module, grad_input, self.grad_output)
            if result is not None:
                result = tuple(result)
                changed = [j for j, (old, new) in enumerate(zip(grad_input, result)) if new is not old]
                if any(j != last for j in changed):
                    raise RuntimeError(
                        f"{type(self.module).__name__}: a full backward hook can replace the gradient of the "
                        "last input only; this call had several inputs needing gradients")
                grad_input = result
        return None if last is None else grad_input[last]
