"""Architectures as data, without pickle: the registry of Module classes, JSON configs, and rebuilding.

Every Module subclass registers itself here by class name when it is defined (``Module.__init_subclass__``)
and records the arguments of its outermost constructor call, so ``module.get_config()`` can describe the
architecture as JSON and :func:`module_from_config` can rebuild it. A model file names classes; only the
registered ones can be built, and nothing the file says is evaluated or imported.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import functools
import importlib
import inspect

import numpy as np

if TYPE_CHECKING:
    from typing import Iterable

    from .module import Module

#: class name → Module subclass (and "module.QualName" → subclass for every class, to tell apart two
#: classes of the same name); filled by Module.__init_subclass__
_REGISTRY: dict[str, type] = {}
# Module classes that tensorgate defines in packages above nn (the CNN zoo): name → the tensorgate module to
# import when a file names one (set by tensorgate/__init__.py; the names come from tensorgate, never a file).
_DEFINED_IN: dict[str, str] = {}


class Configurable:
    """What makes a Module describable as data: ``Module`` derives from it.

    Every subclass is registered here by name when it is defined, and its ``__init__`` is wrapped so that
    the outermost constructor call records its arguments; ``get_config()`` writes them as JSON.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _register(cls)
        init = cls.__dict__.get("__init__")
        if init is not None and not getattr(init, "_records_config", False):
            cls.__init__ = _recording_init(init)  # type: ignore[method-assign]

    def get_config(self) -> dict[str, Any]:
        """The architecture as JSON-serialisable data: ``{"type": ..., "args": [...], "kwargs": {...}}``.

        ``args``/``kwargs`` are the arguments of the constructor call that made this module; Module-valued
        arguments become nested configs and tuples become lists. :func:`module_from_config` rebuilds the
        module (with fresh parameters; load the weights with ``load_state_dict``). Attributes added after
        construction are not part of the config. An argument that cannot be written as JSON (a function,
        an array) is a TypeError naming it.

        Shape: not applicable (a dict).
        """
        recorded = self.__dict__.get("_config")
        args, kwargs = recorded if recorded is not None else ((), {})
        names = _argument_names(type(self), len(args))
        return {
            "type": _type_name(type(self)),
            "args": [_to_json(a, self, names[i]) for i, a in enumerate(args)],
            "kwargs": {k: _to_json(v, self, k) for k, v in kwargs.items()},
        }


def _register(cls):
    short, full = cls.__name__, _full_name(cls)
    existing = _REGISTRY.get(short)
    if existing is None or _full_name(existing) == full:
        _REGISTRY[short] = cls      # the first class of a name keeps the short name (redefinitions replace it)
    _REGISTRY[full] = cls


def _full_name(cls):
    return f"{cls.__module__}.{cls.__qualname__}"


def _type_name(cls):
    return cls.__name__ if _REGISTRY.get(cls.__name__) is cls else _full_name(cls)  # type: ignore[union-attr]


def _recording_init(init):
    """Wrap a subclass ``__init__`` so that the outermost constructor call records its arguments."""

    # PyTorch's layers take device= beside dtype= (their "factory kwargs"). A layer here that takes dtype= but
    # not device= gets device= from this wrapper: the layer is built on the CPU (the same random numbers on every
    # device) and moved, and the device stays out of the config, so a saved architecture loads anywhere.
    takes_device = _takes(init, "dtype") and not _takes(init, "device")

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        d = self.__dict__
        device = None
        if d.get("_config") is None:
            if takes_device:
                device = kwargs.pop("device", None)
            d["_config"] = (tuple(args), dict(kwargs))
        init(self, *args, **kwargs)
        if device is not None:
            self.to(device)

    __init__._records_config = True  # type: ignore[attr-defined]
    return __init__


def _takes(init, name):
    try:
        return name in inspect.signature(init).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins
        return False


def _argument_names(cls, n):
    """Names of the first ``n`` positional constructor parameters (for error messages)."""
    try:
        params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    except (TypeError, ValueError):  # pragma: no cover - builtins
        params = []
    names = []
    for i in range(n):
        if i < len(params) and params[i].kind in (params[i].POSITIONAL_ONLY, params[i].POSITIONAL_OR_KEYWORD):
            names.append(params[i].name)
        elif i < len(params) and params[i].kind == params[i].VAR_POSITIONAL:
            names.append(f"{params[i].name}[{i - params.index(params[i])}]")
            params.insert(i + 1, params[i])  # later positions belong to the same *args
        else:
            names.append(f"args[{i}]")
    return names


def _to_json(value, module, name):
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return value.item()
    if isinstance(value, Configurable):   # a module given to a module's constructor: a nested config
        return value.get_config()
    if isinstance(value, (list, tuple)):
        return [_to_json(v, module, f"{name}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: _to_json(v, module, f"{name}[{k!r}]") for k, v in value.items()}
    if isinstance(value, np.dtype) or (isinstance(value, type) and issubclass(value, np.generic)):
        return np.dtype(value).name
    raise TypeError(
        f"get_config: {type(module).__name__}'s constructor argument {name!r} is a {type(value).__name__} "
        f"({_short(value)}), which cannot be written as JSON. Give it as a number, string, list or dict "
        f"(e.g. an init scheme by name), or override get_config() in {type(module).__name__}")


def _short(value):
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "..."


def _is_config(value):
    return isinstance(value, dict) and set(value) == {"type", "args", "kwargs"}


def _from_json(value):
    if _is_config(value):
        return module_from_config(value)
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _from_json(v) for k, v in value.items()}
    return value


def register_module_source(names: Iterable[str], module: str) -> None:
    """Let :func:`module_from_config` find the Module classes ``names`` by importing ``module`` (a
    tensorgate module name, like ``"tensorgate.models.zoo"``) the first time a config names one.

    Shape: not applicable.
    """
    for name in names:
        _DEFINED_IN[name] = module
        _DEFINED_IN[f"{module}.{name}"] = module


def module_from_config(config: dict[str, Any]) -> Module:
    """Rebuild a module from :meth:`Module.get_config`'s output (fresh parameters; then load the weights).

    The type is looked up among the registered Module subclasses by name: tensorgate's layers always, a
    user-defined class once the code that defines it has been imported. Nothing the file says is evaluated
    or imported (tensorgate's own zoo classes are imported from their fixed module, see
    :func:`register_module_source`).

    Shape: not applicable (builds a module).

    Examples
    --------
    >>> import tensorgate as tg
    >>> model = tg.nn.Sequential(tg.nn.Linear(4, 3), tg.nn.ReLU())
    >>> copy = tg.nn.module_from_config(model.get_config())
    >>> [type(m).__name__ for m in copy]
    ['Linear', 'ReLU']
    """
    if not _is_config(config):
        raise ValueError("module_from_config: expected a dict with exactly the keys 'type', 'args' and 'kwargs', "
                         f"got {_short(config)}")
    cls = _REGISTRY.get(config["type"])
    if cls is None and config["type"] in _DEFINED_IN:
        importlib.import_module(_DEFINED_IN[config["type"]])  # registers the class
        cls = _REGISTRY.get(config["type"])
    if cls is None:
        raise ValueError(f"module_from_config: unknown module type {config['type']!r}. Import or define the "
                         "class (a subclass of tensorgate.nn.Module) before loading the model")
    if not isinstance(config["args"], list) or not isinstance(config["kwargs"], dict):
        raise ValueError(f"module_from_config: 'args' must be a list and 'kwargs' a dict in {_short(config)}")
    args = [_from_json(a) for a in config["args"]]
    kwargs = {k: _from_json(v) for k, v in config["kwargs"].items()}
    return cls(*args, **kwargs)


def registered_modules() -> list[str]:
    """Names of the Module subclasses that :func:`module_from_config` can build (short names only).

    Shape: not applicable (a sorted list of str).
    """
    return sorted(k for k in _REGISTRY if "." not in k)
