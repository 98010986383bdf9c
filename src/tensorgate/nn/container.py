"""Containers: Sequential (a chain of layers), ModuleList (a list of layers), Residual (x + block(x))."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
from collections import OrderedDict

from ..autograd import grad_mode
from .fusion import run_in_order
from .module import Module

if TYPE_CHECKING:
    from typing import Iterable, Iterator, NoReturn

    from typing_extensions import Self

    from ..autograd.tensor import Tensor


class _LayerList(Module):
    """What Sequential and ModuleList share: layers named '0', '1', ... in order, used like a list."""

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())  # type: ignore[arg-type]

    def __setitem__(self, index: int, module: Module) -> None:
        self.add_module(list(self._modules)[_index(index, len(self))], _check(module, index))

    def append(self, module: Module) -> Self:
        """Add ``module`` at the end (named by its position); returns self."""
        self.add_module(str(len(self)), _check(module, len(self)))
        return self

    def extend(self, modules: Iterable[Module]) -> Self:
        for module in modules:
            self.append(module)
        return self

    def _insert(self, index, module):
        """Put ``module`` before position ``index``; the layers are renamed '0', '1', ... again."""
        modules = list(self._modules.values())
        modules.insert(index, _check(module, index))
        for name in list(self._modules):
            delattr(self, name)
        for m in modules:
            self.append(m)  # type: ignore[arg-type]


class Sequential(_LayerList):
    """Layers applied one after another: ``Sequential(l1, l2, l3)(x) = l3(l2(l1(x)))``.

    Build it from modules (named '0', '1', ...) or from one dict name → module. Indexable (an int gives a
    layer, a slice a new Sequential sharing the layers), iterable, with ``len`` and ``append``.
    Without a graph (``tg.no_grad()``), a Conv2d followed by a BatchNorm2d in ``eval()`` mode runs as one
    convolution with the normalisation folded into its weights (``nn/fusion.py``): the same output to
    float32 round-off, one pass less over memory.

    Shape: that of the first layer's input; output that of the last layer.

    Examples
    --------
    >>> import tensorgate as tg
    >>> model = tg.nn.Sequential(tg.nn.Linear(784, 256), tg.nn.ReLU(), tg.nn.Linear(256, 10))
    >>> len(model), type(model[1]).__name__, model(tg.zeros(2, 784)).shape
    (3, 'ReLU', (2, 10))
    """

    def __init__(self, *modules: Module | OrderedDict[str, Module]):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], dict):
            for name, module in modules[0].items():
                self.add_module(str(name), _check(module, name))
        else:
            for i, module in enumerate(modules):
                self.add_module(str(i), _check(module, i))

    def forward(self, x: Tensor) -> Tensor:
        if not grad_mode.state.grad_enabled:   # a Conv2d and the BatchNorm2d after it may run as one (fusion.py)
            return run_in_order(self._modules.values(), x)  # type: ignore[arg-type]
        for module in self._modules.values():
            x = module(x)  # type: ignore[misc]
        return x

    def __getitem__(self, index: int | slice) -> Module:
        if isinstance(index, slice):
            return Sequential(OrderedDict(list(self._modules.items())[index]))  # type: ignore[arg-type]
        return list(self._modules.values())[_index(index, len(self))]

    def __delitem__(self, index: int | slice) -> None:
        names = list(self._modules)
        for name in (names[index] if isinstance(index, slice) else [names[_index(index, len(self))]]):
            delattr(self, name)

    def insert(self, index: int, module: Module) -> Sequential:
        """Put ``module`` before position ``index`` (the layers after it are renumbered); returns self."""
        self._insert(index, module)
        return self

    def _chains_features(self):
        return True

    def _out_features(self, in_features):
        for module in self._modules.values():
            in_features = module._out_features(in_features)  # type: ignore[union-attr]
        return in_features

    def get_config(self) -> dict[str, Any]:
        """The current layers as nested configs (layers appended after construction included)."""
        names = list(self._modules)
        if names == [str(i) for i in range(len(names))]:
            args = [m.get_config() for m in self._modules.values()]  # type: ignore[union-attr]
        else:
            args = [{name: m.get_config() for name, m in self._modules.items()}]  # type: ignore[union-attr]
        return {"type": "Sequential", "args": args, "kwargs": {}} if type(self) is Sequential \
            else super().get_config()


class ModuleList(_LayerList):
    """A list of modules, registered so that their parameters belong to the owner. It has no forward.

    Shape: not applicable.

    Examples
    --------
    >>> import tensorgate as tg
    >>> layers = tg.nn.ModuleList([tg.nn.Linear(4, 4) for _ in range(3)])
    >>> len(layers), len(list(layers.parameters()))
    (3, 6)
    """

    def __init__(self, modules: Iterable[Module] = ()):
        super().__init__()
        for module in modules:
            self.append(module)

    def __getitem__(self, index: int | slice) -> Module:
        if isinstance(index, slice):
            return ModuleList(list(self._modules.values())[index])  # type: ignore[arg-type]
        return list(self._modules.values())[_index(index, len(self))]

    def insert(self, index: int, module: Module) -> None:
        """Put ``module`` before position ``index`` (the modules after it are renumbered)."""
        self._insert(index, module)

    def forward(self, *args: Any) -> NoReturn:
        raise NotImplementedError("ModuleList has no forward: loop over it in your module's forward")

    def get_config(self) -> dict[str, Any]:
        """The current modules as a list of nested configs."""
        if type(self) is not ModuleList:
            return super().get_config()
        return {"type": "ModuleList", "args": [[m.get_config() for m in self._modules.values()]], "kwargs": {}}  # type: ignore[union-attr]


class Residual(Module):
    """A skip connection: x + block(x) (the block must keep the shape).

    ∂L/∂x = g + ∂L/∂x through the block: the identity path carries the gradient past the block
    unchanged, which is why deep residual networks do not suffer vanishing gradients.

    Shape: x: any; block(x): same as x; output: same.

    Examples
    --------
    >>> import tensorgate as tg
    >>> block = tg.nn.Residual(tg.nn.Sequential(tg.nn.Linear(8, 8), tg.nn.ReLU()))
    >>> block(tg.zeros(2, 8)).shape
    (2, 8)
    """

    _keeps_features = True

    def __init__(self, block: Module):
        super().__init__()
        self.block = _check(block, "block")

    def forward(self, x: Tensor) -> Tensor:
        y = self.block(x)
        if y.shape != x.shape:
            raise ValueError(f"Residual: the block changed the shape from {tuple(x.shape)} to {tuple(y.shape)}; "
                             "x + block(x) needs the same shape")
        return x + y

    def _chains_features(self):
        return True


def _check(module, where):
    if not isinstance(module, Module):
        raise TypeError(f"expected a tg.nn.Module at {where!r}, got {type(module).__name__}")
    return module


def _index(index, n):
    if not -n <= index < n:
        raise IndexError(f"index {index} is out of range for a container of {n} modules")
    return index % n
