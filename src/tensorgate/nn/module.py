"""Module: the base class of layers and models (PyTorch's semantics).

A Module holds Parameters, buffers (non-learned state such as BatchNorm's running statistics) and other
Modules. Assigning one of them to an attribute registers it, in the order of assignment, so that
``parameters()``, ``state_dict()``, ``train()`` and ``repr`` can walk the whole model.

Registered attributes are also stored in the instance ``__dict__``, so ``self.weight`` in ``forward`` is a
plain attribute lookup (PyTorch goes through ``__getattr__``, which is slower).

Every subclass is registered by class name and records the arguments of its outermost constructor call,
so ``module.get_config()`` gives a JSON-serialisable description of the architecture and
:func:`module_from_config` rebuilds it without pickle, eval or importing arbitrary code (``nn/config.py``).
Hooks and their handles live in ``nn/hooks.py``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import weakref
from collections import OrderedDict, namedtuple

import numpy as np

from .. import backend as B
from ..autograd import grad_mode
from ..autograd.device import as_device, device as DeviceType
from ..autograd.tensor import Tensor, as_dtype, to_array
from ..backend import devices as D
from ..backend.threads import batch_threads
from .config import Configurable
from .hooks import RemovableHandle, _BackwardHookState
from .parameter import Parameter
from .shared_batch import holds_batch_threads
from .summary import summary as _summary

if TYPE_CHECKING:
    from typing import Callable, Iterable, Iterator, Mapping, Sequence

    from numpy.typing import DTypeLike, NDArray
    from typing_extensions import Self

    from ..autograd.device import device as Device
    from ..autograd.tensor import TensorLike

def _is_device(value: Any) -> bool:
    """Whether a positional argument of ``Module.to`` names a device (else it is a dtype)."""
    if isinstance(value, DeviceType) or (isinstance(value, int) and not isinstance(value, bool)):
        return True
    return isinstance(value, str) and value.partition(":")[0] in D.TYPES


def _own_dtype(value: Any) -> Any:
    """The dtype an array (on any device) or array-like has, as NumPy names it (buffers keep theirs)."""
    return D.numpy_dtype(value.dtype) if D.is_array(value) else np.asarray(value).dtype


def _moved(array: Any, where: DeviceType | None, dtype: np.dtype[Any] | None) -> Any:
    """``array`` on device ``where`` and, if floating, of ``dtype`` (each None: unchanged)."""
    if where is not None:
        array = D.to_device(array, *where.key)
    if dtype is not None and D.kind(array.dtype) == "f" and D.numpy_dtype(array.dtype) != dtype:
        xp = D.namespace(array)
        array = array.astype(dtype) if xp is np else xp.astype(array, D.dtype_in(xp, dtype))
    return array


IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])

class ChangeFlag:
    """``flag.changed`` turns True when a module it watches changes: an attribute set or deleted, a layer
    added, the training mode, a hook.

    A recorded training step (:class:`~tensorgate.training.CompiledStep`) keeps one, so that it looks at
    its model again only when something changed. Modules hold the flag weakly: a dropped step leaves
    nothing behind.
    """

    __slots__ = ("changed", "__weakref__")

    def __init__(self):
        self.changed = True

    def watch(self, modules: Iterable[Module]) -> None:
        """Watch ``modules`` (and no others), from now on: ``changed`` becomes False."""
        ref = weakref.ref(self)
        for m in modules:
            kept = tuple(w for w in m._watchers if w() is not None and w() is not self)
            m.__dict__["_watchers"] = kept + (ref,)
        self.changed = False


class StateDictError(ValueError, RuntimeError):
    """A state dict does not fit the model (missing or unexpected names, wrong shapes).

    A ValueError (the argument is wrong) and a RuntimeError (what PyTorch raises), so either catches it.
    """


class Module(Configurable):
    """Base class of every layer and model.

    Subclasses set their parameters and sub-modules in ``__init__`` (after or without calling
    ``super().__init__()``: the bookkeeping is set up before ``__init__`` runs) and define ``forward``.
    Calling the module runs ``forward`` (through the hooks, if any are registered). A NumPy array given
    as a positional input becomes a Tensor of the module's parameter dtype (float32 by default).

    Shape: that of ``forward``.

    Examples
    --------
    >>> import tensorgate as tg
    >>> class TwoLayer(tg.nn.Module):
    ...     def __init__(self, n_in, n_hidden, n_out):
    ...         super().__init__()
    ...         self.hidden = tg.nn.Linear(n_in, n_hidden)
    ...         self.out = tg.nn.Linear(n_hidden, n_out)
    ...     def forward(self, x):
    ...         return self.out(self.hidden(x).relu())
    >>> net = TwoLayer(4, 8, 3)
    >>> [name for name, _ in net.named_parameters()]
    ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
    >>> net.get_config()
    {'type': 'TwoLayer', 'args': [4, 8, 3], 'kwargs': {}}
    """

    #: convert NumPy array inputs of __call__ to tensors of the parameter dtype (loss modules say False)
    _convert_inputs = True
    #: the module's output has as many features as its input (activations, dropout, normalisation)
    _keeps_features = False
    #: state-dict entries of this module that load_state_dict lets a state dict omit (PyTorch's leniency)
    _optional_state: tuple[str, ...] = ()
    #: the module's kernels share a batch among threads inside ``batch_threads()`` (groups-1 Conv2d), so a
    #: model holding one runs a large batch without a graph that way (nn/shared_batch.py)
    _shares_batch = False
    # set in __new__, through __dict__ (so that __setattr__'s bookkeeping is not yet needed)
    _parameters: OrderedDict[str, Parameter | None]
    _buffers: OrderedDict[str, Tensor | None]
    _non_persistent: set[str]
    _modules: OrderedDict[str, Module | None]
    training: bool
    _has_hooks: bool
    _hooks: dict[str, dict[int, Callable[..., Any]]] | None
    _config: tuple[tuple[Any, ...], dict[str, Any]] | None
    _watchers: tuple[weakref.ref[ChangeFlag], ...]

    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        self = super().__new__(cls)
        d = self.__dict__
        d["_parameters"] = OrderedDict()
        d["_buffers"] = OrderedDict()
        d["_non_persistent"] = set()
        d["_modules"] = OrderedDict()
        d["training"] = True
        d["_has_hooks"] = False
        d["_hooks"] = None          # {kind: {id: fn}}, created by the first register_*_hook
        d["_config"] = None         # (args, kwargs) of the outermost constructor call
        d["_watchers"] = ()         # weak references to the ChangeFlags told about changes
        return self

    def __init__(self):
        pass  # everything is set up in __new__, so forgetting super().__init__() does no harm

    def __getstate__(self) -> dict[str, Any]:
        """For ``copy`` and ``pickle`` (scikit-learn clones and pickles estimators): everything but the weak
        references to recorded steps' ChangeFlags, which belong to this process's steps alone, and
        ``tg.predict``'s recorded forward (training/compiled.py), which belongs to this object alone."""
        state = self.__dict__.copy()
        state["_watchers"] = ()
        state.pop("_recorded_forward", None)
        return state

    if TYPE_CHECKING:   # layers and parameters are attributes set at run time (setattr, add_module)
        def __getattr__(self, name: str) -> Any: ...

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__}: a Module subclass must define forward()")

    # ---------------------------------------------------------------- calling
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._has_hooks:
            return self._call_with_hooks(args, kwargs)
        for a in args:
            if a.__class__ is np.ndarray:
                args = self._tensor_inputs(args)
                break
        if args and holds_batch_threads(self, args[0]):   # a large batch without a graph: nn/shared_batch.py
            with batch_threads():
                return self.forward(*args, **kwargs)
        return self.forward(*args, **kwargs)

    def _tensor_inputs(self, args):
        """NumPy arrays among the inputs → Tensors of the parameter dtype (no copy when it already matches),
        on the parameters' device; a module without parameters takes its first floating buffer's (a
        BatchNorm2d(affine=False) of float64 keeps float64 statistics)."""
        if not self._convert_inputs:
            return args
        first = next(iter(self.parameters()), None)
        if first is None:
            first = next((b for b in self.buffers() if D.kind(b.data.dtype) == "f"), None)
        if first is None or first.data.__class__ is np.ndarray:
            dtype = first.data.dtype if first is not None else np.dtype(B.DEFAULT_FLOAT)
            return tuple(Tensor._make(a.astype(dtype, copy=False), False, None) if a.__class__ is np.ndarray
                         else a for a in args)
        dtype, where = D.numpy_dtype(first.data.dtype), D.device_of(first.data)
        return tuple(Tensor._make(D.to_device(a.astype(dtype, copy=False), *where), False, None)
                     if a.__class__ is np.ndarray else a for a in args)

    def _dtype(self):
        for p in self.parameters():
            return D.numpy_dtype(p.data.dtype)
        return np.dtype(B.DEFAULT_FLOAT)

    def _device_key(self) -> tuple[str, int | None]:
        """Where the parameters live, as (type, index): the first parameter's device, else the first buffer's,
        else the CPU's."""
        for t in self.parameters():
            return D.device_of(t.data)
        for t in self.buffers():
            return D.device_of(t.data)
        return "cpu", None

    def _call_with_hooks(self, args, kwargs):
        hooks = self._hooks
        for hook in list(hooks["forward_pre"].values()):  # type: ignore[index]
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        for a in args:
            if a.__class__ is np.ndarray:
                args = self._tensor_inputs(args)
                break
        backward = (hooks["backward"] or hooks["backward_pre"]) and grad_mode.state.grad_enabled  # type: ignore[index]
        if backward:
            state = _BackwardHookState(self)
            args = state.wrap_inputs(args)
        if args and holds_batch_threads(self, args[0]):
            with batch_threads():
                output = self.forward(*args, **kwargs)
        else:
            output = self.forward(*args, **kwargs)
        for hook in list(hooks["forward"].values()):  # type: ignore[index]
            result = hook(self, args, output)
            if result is not None:
                output = result
        if backward:
            output = state.wrap_output(output)
        return output

    # ---------------------------------------------------------------- hooks
    def _add_hook(self, kind, fn):
        if not callable(fn):
            raise TypeError(f"register_{kind}_hook: expected a function, got {type(fn).__name__}")
        if self._hooks is None:
            self.__dict__["_hooks"] = {"forward_pre": {}, "forward": {}, "backward": {}, "backward_pre": {}}
        handle = RemovableHandle(self, kind)
        self._hooks[kind][handle.id] = fn  # type: ignore[index]
        self.__dict__["_has_hooks"] = True
        self._changed()
        return handle

    def _changed(self):
        """Tell the ChangeFlags watching this module (recorded training steps) that it changed."""
        for ref in self._watchers:
            flag = ref()
            if flag is not None:
                flag.changed = True

    def _update_has_hooks(self):
        self.__dict__["_has_hooks"] = any(self._hooks.values())  # type: ignore[union-attr]
        self._changed()

    def register_forward_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(module, inputs)`` before each forward; it may return new inputs (a tuple or one value).

        Returns a handle; ``handle.remove()`` unregisters the hook.
        """
        return self._add_hook("forward_pre", hook)

    def register_forward_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(module, inputs, output)`` after each forward; it may return a new output.

        Returns a handle; ``handle.remove()`` unregisters the hook. With no hook registered, calling a
        module costs nothing extra.
        """
        return self._add_hook("forward", hook)

    def register_full_backward_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)`` when the gradients w.r.t. this call's inputs are known.

        grad_input holds ∂L/∂input for each positional input (None for inputs that need no gradient),
        counting only the paths through this module; grad_output is (∂L/∂output,). Both hold NumPy arrays,
        which the hook must not modify in place. It may return a tuple of new input gradients (supported
        when one input needs a gradient). Returns a handle with ``remove()``.
        """
        return self._add_hook("backward", hook)

    register_backward_hook = register_full_backward_hook

    def register_full_backward_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(module, grad_output)`` when ∂L/∂output of this module is known, before it flows on.

        grad_output is a 1-tuple holding a NumPy array; the hook may return a tuple with a replacement.
        Returns a handle with ``remove()``.
        """
        return self._add_hook("backward_pre", hook)

    # ---------------------------------------------------------------- registration
    def __setattr__(self, name: str, value: Any) -> None:
        self._changed()
        d = self.__dict__
        params, modules, buffers = d["_parameters"], d["_modules"], d["_buffers"]
        if isinstance(value, Parameter):
            _forget(d, name, keep=params)
            params[name] = value
        elif isinstance(value, Module):
            _forget(d, name, keep=modules)
            modules[name] = value
        elif name in params:
            if value is not None:
                raise TypeError(f"{type(self).__name__}: cannot assign a {type(value).__name__} to parameter "
                                f"{name!r}; give a tg.nn.Parameter or None")
            params[name] = None
        elif name in modules:
            if value is not None:
                raise TypeError(f"{type(self).__name__}: cannot assign a {type(value).__name__} to sub-module "
                                f"{name!r}; give a tg.nn.Module or None")
            modules[name] = None
        elif name in buffers:
            if value is not None and not isinstance(value, Tensor):
                value = Tensor(to_array(value, _own_dtype(value)))
            buffers[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self._changed()
        _forget(self.__dict__, name, keep=None)
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register ``param`` (a Parameter, or None for an absent one such as bias=False) as ``name``."""
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter: {name!r} must be a tg.nn.Parameter or None, "
                            f"got {type(param).__name__}")
        _forget(self.__dict__, name, keep=self._parameters)
        self._parameters[name] = param
        self._changed()
        object.__setattr__(self, name, param)

    def register_buffer(self, name: str, tensor: TensorLike | None, persistent: bool = True) -> None:
        """Register non-learned state (a Tensor or array, or None) saved in ``state_dict`` unless not persistent.

        Arrays keep their dtype (running statistics in the model's dtype, counters as int64).
        """
        if tensor is not None and not isinstance(tensor, Tensor):
            tensor = Tensor(to_array(tensor, _own_dtype(tensor)))
        _forget(self.__dict__, name, keep=self._buffers)
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent.discard(name)
        else:
            self._non_persistent.add(name)
        self._changed()
        object.__setattr__(self, name, tensor)

    def add_module(self, name: str, module: Module | None) -> None:
        """Register ``module`` as the sub-module ``name`` (same as ``setattr``; names may be '0', '1', ...)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {name!r} must be a tg.nn.Module or None, got {type(module).__name__}")
        _forget(self.__dict__, name, keep=self._modules)
        self._modules[name] = module
        self._changed()
        object.__setattr__(self, name, module)

    register_module = add_module

    # ---------------------------------------------------------------- walking the tree
    def named_modules(self, prefix: str = "", memo: set[int] | None = None) -> Iterator[tuple[str, Module]]:
        """(dotted name, module) for this module and every sub-module, depth first, each once."""
        memo = set() if memo is None else memo
        return iter(self._walk(prefix, memo, []))

    def _walk(self, prefix, memo, out):
        """The list behind named_modules (a list, not nested generators: parameters() is on the hot path)."""
        if id(self) in memo:
            return out
        memo.add(id(self))
        out.append((prefix, self))
        for name, child in self._modules.items():
            if child is not None:
                child._walk(f"{prefix}.{name}" if prefix else name, memo, out)
        return out

    def modules(self) -> Iterator[Module]:
        """This module and every sub-module, depth first."""
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """(name, module) for the direct sub-modules."""
        for name, child in self._modules.items():
            if child is not None:
                yield name, child

    def children(self) -> Iterator[Module]:
        """The direct sub-modules."""
        for _, child in self.named_children():
            yield child

    def named_parameters(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, Parameter) for every parameter (e.g. '0.weight'), each once, in registration order."""
        seen = set()
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for mod_name, module in modules:
            for name, p in module._parameters.items():
                if p is not None and id(p) not in seen:
                    seen.add(id(p))
                    yield (f"{mod_name}.{name}" if mod_name else name), p

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every Parameter of this module and its sub-modules (what an optimiser updates), each once."""
        if not recurse:
            return iter([p for p in self._parameters.values() if p is not None])
        seen, out = set(), []
        for _, module in self._walk("", set(), []):
            for p in module._parameters.values():
                if p is not None and id(p) not in seen:
                    seen.add(id(p))
                    out.append(p)
        return iter(out)

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Tensor]]:
        """(dotted name, Tensor) for every buffer."""
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for mod_name, module in modules:
            for name, b in module._buffers.items():
                if b is not None:
                    yield (f"{mod_name}.{name}" if mod_name else name), b

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Every buffer of this module and its sub-modules."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def apply(self, fn: Callable[[Module], object]) -> Self:
        """Call ``fn(module)`` on every sub-module and then this one (e.g. for custom initialisation)."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # ---------------------------------------------------------------- modes, gradients, dtypes
    def train(self, mode: bool = True) -> Self:
        """Set training mode (dropout on, batch statistics) for this module and all sub-modules."""
        for m in self.modules():
            if m.__dict__["training"] is not bool(mode):   # no change, nothing to tell recorded steps
                m.__dict__["training"] = bool(mode)
                m._changed()
        return self

    def eval(self) -> Self:
        """Set evaluation mode (dropout off, running statistics): ``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Self:
        """Switch gradients of every parameter on or off (freezing layers)."""
        for p in self.parameters():
            p.requires_grad = requires_grad
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient (``.grad = None``; zeros in place with ``set_to_none=False``)."""
        for p in self.parameters():
            if set_to_none or p._grad is None:
                p._grad = None
            else:
                p._grad[...] = 0

    def to(self, *args: Any, device: str | Device | int | None = None, dtype: DTypeLike | None = None,
           non_blocking: bool = False) -> Self:
        """Move and/or convert parameters and buffers in place, as PyTorch: ``model.to('cuda')``,
        ``model.to(tg.float64)``, ``model.to('cuda', tg.float64)``, ``model.to(tensor)`` (its device and dtype).

        The Parameter and buffer objects stay the same: their arrays are replaced (so an optimiser made
        before the move keeps working), gradients move with them. A dtype converts floating tensors only
        (integer buffers such as BatchNorm's batch count keep theirs). Returns the module.
        """
        for a in args:
            if isinstance(a, Tensor):
                device, dtype = a.device, a.dtype
            elif _is_device(a):
                device = a
            else:
                dtype = a
        if dtype is not None:
            dtype = as_dtype(dtype)
            if dtype.kind != "f":  # type: ignore[union-attr]
                raise TypeError(f"to: modules convert to floating dtypes only, got {dtype}")
        where = as_device(device)
        if where is not None and where.type == "cuda":
            D.require_cuda(f"{type(self).__name__}.to({str(where)!r})")   # before anything moved
        for t in list(self.parameters()) + list(self.buffers()):
            t.data = _moved(t.data, where, dtype)
            if t._grad is not None:
                t._grad = _moved(t._grad, where, dtype)
        for m in self.modules():   # a recorded step holds the old arrays: it must look again
            m._changed()
        return self

    def cuda(self, device: str | Device | int | None = None) -> Self:
        """Parameters and buffers to the GPU (``device``: its index, default the current one), in place."""
        where = as_device(device)
        return self.to(DeviceType("cuda", where.index if where is not None else None))

    def cpu(self) -> Self:
        """Parameters and buffers to CPU memory (NumPy arrays), in place."""
        return self.to("cpu")

    def float(self) -> Self:
        """Parameters and buffers to float32, in place."""
        return self.to("float32")

    def double(self) -> Self:
        """Parameters and buffers to float64, in place."""
        return self.to("float64")

    # ---------------------------------------------------------------- state
    def _state_items(self, prefix=""):
        for name, p in self._parameters.items():
            if p is not None:
                yield prefix + name, p
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent:
                yield prefix + name, b
        for name, child in self._modules.items():
            if child is not None:
                yield from child._state_items(f"{prefix}{name}.")

    def state_dict(self) -> OrderedDict[str, NDArray[Any]]:
        """An ordered dict name → NumPy array copy of every parameter and persistent buffer (in CPU memory,
        whatever the module's device).

        Names are dotted paths ('0.weight', 'block.1.running_mean'); the order is registration order.
        """
        return OrderedDict((name, np.array(D.to_numpy(t.data), copy=True)) for name, t in self._state_items())

    def load_state_dict(self, state_dict: Mapping[str, TensorLike], strict: bool = True) -> tuple[list[str], list[str]]:
        """Copy the arrays of ``state_dict`` into this module's parameters and buffers, in place.

        With ``strict`` every name must match (missing and unexpected names are listed in the error), except
        entries a layer lets a state dict omit as PyTorch does (BatchNorm's ``num_batches_tracked``, which
        then keeps its value);
        shapes must always match (each mismatch names the entry, the expected and the received shape).
        Nothing is changed when there is an error. Values are cast to each parameter's dtype.
        Returns ``(missing_keys, unexpected_keys)``.
        """
        if not hasattr(state_dict, "items"):
            raise TypeError(f"load_state_dict: expected a dict of name → array, got {type(state_dict).__name__}")
        own = OrderedDict(self._state_items())
        # entries a module lets a state dict omit, as PyTorch does (BatchNorm's num_batches_tracked keeps its value)
        optional = {f"{prefix}.{n}" if prefix else n for prefix, m in self.named_modules()
                    for n in m._optional_state}
        missing = [k for k in own if k not in state_dict and k not in optional]
        unexpected = [k for k in state_dict if k not in own]
        errors = []
        if strict and missing:
            errors.append(f"missing keys: {missing}")
        if strict and unexpected:
            errors.append(f"unexpected keys: {unexpected}")
        values = {}
        for name, t in own.items():
            if name in state_dict:
                value = state_dict[name]
                value = value.data if isinstance(value, Tensor) else value
                value = D.to_numpy(value) if D.is_array(value) else np.asarray(value)
                if value.shape != t.data.shape:
                    errors.append(f"size mismatch for {name}: expected shape {t.data.shape}, "
                                  f"received shape {value.shape}")
                values[name] = value
        if errors:
            raise StateDictError(f"load_state_dict: the state dict does not fit {type(self).__name__}:\n  "
                                 + "\n  ".join(errors))
        for name, value in values.items():
            target = own[name].data
            if target.__class__ is np.ndarray:
                target[...] = value
            else:   # another device: the values go there first, in the target's dtype
                target[...] = D.to_device(value.astype(D.numpy_dtype(target.dtype), copy=False),
                                          *D.device_of(target))
        return IncompatibleKeys(missing, unexpected)

    # ---------------------------------------------------------------- printing
    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's repr (its constructor settings)."""
        return ""

    def _out_features(self, in_features):
        """The number of output features for ``in_features`` input features, or None if unknown."""
        return in_features if self._keeps_features else None

    def _param_formula(self):
        """How this module's own parameter count is computed, e.g. '256·784 + 256' (or '')."""
        return ""

    def _repr_rows(self, in_features, indent):
        """Rows (text, output size, parameter text) for ``repr``; returns (rows, out_features)."""
        head = f"{type(self).__name__}({self.extra_repr()}"
        own = sum(p.data.size for p in self._parameters.values() if p is not None)
        if not self._modules:
            out = self._out_features(in_features)
            return [(indent + head + ")", out, own, self._param_formula())], out
        rows = [(indent + f"{type(self).__name__}(", None, own, self._param_formula())]
        features = in_features
        for name, child in self._modules.items():
            if child is None:
                continue
            sub, out = child._repr_rows(features if self._chains_features() else None, indent + "  ")
            text = sub[0][0]
            sub[0] = (indent + f"  ({name}): " + text.lstrip(), *sub[0][1:])
            rows.extend(sub)
            if self._chains_features():
                features = out
        rows.append((indent + ")", None, 0, ""))
        return rows, self._out_features(in_features) if not self._chains_features() else features

    def _chains_features(self):
        """True for containers whose children run one after another on the features (Sequential)."""
        return False

    def summary(self, input_shape: Sequence[int], batch_size: int = 2, dtype: DTypeLike | None = None,
                print_fn: Callable[[str], object] | None = print) -> list[dict[str, Any]]:
        """Print a table of the layers, their output shapes and parameter counts (Keras's ``model.summary()``).

        A tensorgate model is not built for one input shape, so give the shape of one example; the rest is
        :func:`tensorgate.nn.summary` (a dummy batch in eval mode, no graph, the modes restored after).

        Shape: input_shape: one example, without the batch axis, e.g. (784,) or (1, 28, 28).

        Examples
        --------
        >>> import tensorgate as tg
        >>> rows = tg.nn.Sequential(tg.nn.Linear(4, 3), tg.nn.ReLU()).summary((4,), print_fn=None)
        >>> rows[-1]["params"]
        15
        """
        return _summary(self, input_shape, batch_size=batch_size, dtype=dtype, print_fn=print_fn)

    def num_parameters(self, trainable_only: bool = False) -> int:
        """The number of parameter elements (only those with requires_grad if ``trainable_only``)."""
        return sum(p.data.size for p in self.parameters() if p.requires_grad or not trainable_only)

    def __repr__(self) -> str:
        rows, _ = self._repr_rows(None, "")
        if len(rows) == 1:
            return rows[0][0]
        width = max(len(text) for text, *_ in rows) + 3
        lines = []
        for text, out, params, formula in rows:
            line = text.ljust(width)
            if out is not None:
                line += f"→ {out:<6}"
            elif params:
                line += " " * 8
            if params:
                line += f"{params:>10,} params" + (f" = {formula}" if formula else "")
            lines.append(line.rstrip())
        # Module's method, not the attribute: PReLU keeps PyTorch's int ``num_parameters`` (its slope count)
        total, trainable = Module.num_parameters(self), Module.num_parameters(self, trainable_only=True)
        lines.append(f"Total params: {total:,} (trainable: {trainable:,})")
        return "\n".join(lines)


def _forget(d, name, keep):
    """Remove ``name`` from the registries other than ``keep`` (an attribute changes kind)."""
    for registry in (d["_parameters"], d["_modules"], d["_buffers"]):
        if registry is not keep:
            registry.pop(name, None)
    if keep is not d["_buffers"]:
        d["_non_persistent"].discard(name)
