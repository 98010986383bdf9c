"""Containers by name and parameter containers: ModuleDict, ParameterList, ParameterDict (PyTorch's API).

They register what they hold, so ``parameters()``, ``state_dict()`` and optimisers see it. Their configs
(for tg.save / tg.load) record the modules as nested configs and the parameters as their shapes and dtypes
(the values come back from the state dict).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
from collections import OrderedDict

import numpy as np

from ..autograd.tensor import Tensor
from .module import Module
from .parameter import Parameter

if TYPE_CHECKING:
    from typing import ItemsView, Iterable, Iterator, KeysView, Mapping, NoReturn, ValuesView

    from typing_extensions import Self

    from ..autograd.tensor import TensorLike


def _key(owner, key):
    if not isinstance(key, str):
        raise TypeError(f"{owner}: keys must be strings, got {type(key).__name__} {key!r}")
    if "." in key or not key:
        raise KeyError(f"{owner}: key {key!r} must be a non-empty string without '.'")
    return key


def _items(owner, values):
    if values is None:
        return []
    if isinstance(values, (dict, OrderedDict)):
        return list(values.items())
    if isinstance(values, ModuleDict) or isinstance(values, ParameterDict):
        return list(values.items())
    items = list(values)
    for i, item in enumerate(items):
        if not (isinstance(item, (tuple, list)) and len(item) == 2):
            raise TypeError(f"{owner}: expected a dict or an iterable of (key, value) pairs; element {i} is "
                            f"{type(item).__name__}")
    return items


class ModuleDict(Module):
    """Modules held by name, registered so that their parameters belong to the owner. It has no forward.

    Ordered by insertion, like a dict. Shape: not applicable.

    Examples
    --------
    >>> import tensorgate as tg
    >>> heads = tg.nn.ModuleDict({"a": tg.nn.Linear(4, 2), "b": tg.nn.Linear(4, 3)})
    >>> list(heads.keys()), heads["b"].out_features, len(list(heads.parameters()))
    (['a', 'b'], 3, 4)
    """

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None):
        super().__init__()
        self.update(modules)  # type: ignore[arg-type]

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]  # type: ignore[return-value]

    def __setitem__(self, key: str, module: Module) -> None:
        if not isinstance(module, Module):
            raise TypeError(f"ModuleDict: {key!r} must be a tg.nn.Module, got {type(module).__name__}")
        self.add_module(_key("ModuleDict", key), module)

    def __delitem__(self, key: str) -> None:
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def keys(self) -> KeysView[str]:
        return self._modules.keys()

    def items(self) -> ItemsView[str, Module]:
        return self._modules.items()  # type: ignore[return-value]

    def values(self) -> ValuesView[Module]:
        return self._modules.values()  # type: ignore[return-value]

    def clear(self) -> None:
        for key in list(self._modules):
            del self[key]

    def pop(self, key: str) -> Module:
        module = self._modules[key]
        del self[key]
        return module  # type: ignore[return-value]

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        for key, module in _items("ModuleDict", modules):
            self[key] = module

    def forward(self, *args: Any) -> NoReturn:
        raise NotImplementedError("ModuleDict has no forward: pick a module by key in your module's forward")

    def get_config(self) -> dict[str, Any]:
        """The current modules as a dict of nested configs."""
        if type(self) is not ModuleDict:
            return super().get_config()
        return {"type": "ModuleDict", "args": [{k: m.get_config() for k, m in self._modules.items()}], "kwargs": {}}  # type: ignore[union-attr]


def _as_parameter(owner, value):
    if isinstance(value, Parameter):
        return value
    if isinstance(value, Tensor):
        return Parameter(value)   # as PyTorch: a plain tensor becomes a Parameter that requires grad
    raise TypeError(f"{owner}: expected a tg.nn.Parameter or Tensor, got {type(value).__name__}")


def _placeholder(spec, owner):
    """A zero Parameter from a config entry [shape, dtype, requires_grad]; tg.load then fills in the values."""
    shape, dtype, requires_grad = spec
    return Parameter(Tensor(np.zeros(tuple(shape), dtype=np.dtype(dtype)), dtype=dtype), requires_grad=requires_grad)


def _spec(p):
    return [list(p.shape), p.dtype.name, bool(p.requires_grad)]


class ParameterList(Module):
    """A list of Parameters, registered (named '0', '1', ...) so that they belong to the owner.

    Plain tensors appended are made Parameters, as in PyTorch. Shape: not applicable.

    Examples
    --------
    >>> import tensorgate as tg
    >>> ps = tg.nn.ParameterList([tg.nn.Parameter(tg.zeros(2)), tg.ones(3)])
    >>> len(ps), ps[1].requires_grad, ps[-1].shape
    (2, True, (3,))
    """

    def __init__(self, values: Iterable[TensorLike] | None = None, *, _shapes: list[Any] | None = None):
        super().__init__()
        for spec in _shapes or ():
            self.append(_placeholder(spec, "ParameterList"))
        for value in values if values is not None else ():
            self.append(value)

    def _index(self, index):
        n = len(self._parameters)
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or not -n <= index < n:
            raise IndexError(f"ParameterList: index {index!r} is out of range for {n} parameters")
        return str(int(index) % n)

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return ParameterList(list(self._parameters.values())[index])  # type: ignore[arg-type]
        return self._parameters[self._index(index)]

    def __setitem__(self, index: int, value: TensorLike) -> None:
        self.register_parameter(self._index(index), _as_parameter("ParameterList", value))

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self._parameters.values())  # type: ignore[arg-type]

    def append(self, value: TensorLike) -> Self:
        """Add ``value`` at the end; returns self."""
        self.register_parameter(str(len(self._parameters)), _as_parameter("ParameterList", value))
        return self

    def extend(self, values: Iterable[TensorLike]) -> Self:
        for value in values:
            self.append(value)
        return self

    def forward(self, *args: Any) -> NoReturn:
        raise NotImplementedError("ParameterList has no forward: use its parameters in your module's forward")

    def extra_repr(self) -> str:
        return "\n".join(f"({i}): Parameter of shape {tuple(p.shape)} ({p.dtype})" for i, p in enumerate(self))

    def get_config(self) -> dict[str, Any]:
        """The parameters' shapes, dtypes and requires_grad (their values are in the state dict)."""
        return {"type": "ParameterList", "args": [], "kwargs": {"_shapes": [_spec(p) for p in self]}}


class ParameterDict(Module):
    """Parameters held by name, registered so that they belong to the owner; used like a dict.

    Plain tensors are made Parameters, as in PyTorch. Shape: not applicable.

    Examples
    --------
    >>> import tensorgate as tg
    >>> pd = tg.nn.ParameterDict({"scale": tg.nn.Parameter(tg.ones(1))})
    >>> pd["shift"] = tg.zeros(1)
    >>> list(pd.keys()), [name for name, p in pd.named_parameters()]
    (['scale', 'shift'], ['scale', 'shift'])
    """

    def __init__(self, parameters: Mapping[str, TensorLike] | Iterable[tuple[str, TensorLike]] | None = None, *,
                 _shapes: dict[str, Any] | None = None):
        super().__init__()
        for key, spec in (_shapes or {}).items():
            self[key] = _placeholder(spec, "ParameterDict")
        for key, value in _items("ParameterDict", parameters):
            self[key] = value

    def __getitem__(self, key: str) -> Parameter:
        return self._parameters[key]  # type: ignore[return-value]

    def __setitem__(self, key: str, value: TensorLike) -> None:
        self.register_parameter(_key("ParameterDict", key), _as_parameter("ParameterDict", value))

    def __delitem__(self, key: str) -> None:
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[str]:
        return iter(self._parameters)

    def __contains__(self, key: object) -> bool:
        return key in self._parameters

    def keys(self) -> KeysView[str]:
        return self._parameters.keys()

    def items(self) -> ItemsView[str, Parameter]:
        return self._parameters.items()  # type: ignore[return-value]

    def values(self) -> ValuesView[Parameter]:
        return self._parameters.values()  # type: ignore[return-value]

    def pop(self, key: str) -> Parameter:
        value = self._parameters[key]
        del self[key]
        return value  # type: ignore[return-value]

    def update(self, parameters: Mapping[str, TensorLike] | Iterable[tuple[str, TensorLike]]) -> None:
        for key, value in _items("ParameterDict", parameters):
            self[key] = value

    def forward(self, *args: Any) -> NoReturn:
        raise NotImplementedError("ParameterDict has no forward: use its parameters in your module's forward")

    def extra_repr(self) -> str:
        return "\n".join(f"({k}): Parameter of shape {tuple(p.shape)} ({p.dtype})" for k, p in self.items())

    def get_config(self) -> dict[str, Any]:
        """The parameters' shapes, dtypes and requires_grad by key (their values are in the state dict)."""
        return {"type": "ParameterDict", "args": [], "kwargs": {"_shapes": {k: _spec(p) for k, p in self.items()}}}
