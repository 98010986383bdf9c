"""``save`` and ``load``: models, training checkpoints and dicts of arrays, in the format of ``format.py``.

No pickle anywhere: objects are turned into JSON plus a table of raw arrays, and back. A model is rebuilt
from its ``get_config()`` through :func:`tensorgate.nn.module_from_config` (a registry of known layer
classes), so a file can name only classes tensorgate already has; it cannot make Python run anything.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import contextlib
import math
import os

import numpy as np

from ..autograd import Tensor
from ..autograd.device import as_device
from ..backend import devices as D
from ..backend.budget import AllocationBudgetExceeded, allocation_budget
from .format import ModelFileError, read_file, write_file
from .safetensors_format import is_safetensors_path, load_safetensors, save_safetensors

if TYPE_CHECKING:
    from typing import Mapping, Protocol

    from ..autograd.tensor import TensorLike
    from ..nn.module import Module

    class _HasStateDict(Protocol):   # an optimiser (optim is beside io in the layer order, not below)
        def state_dict(self) -> dict[str, Any]: ...

__all__ = ["save", "load", "save_checkpoint", "load_checkpoint", "ModelFileError"]

#: Elements a rebuilt architecture may create beyond the weights in the file (non-persistent buffers).
_BUILD_ALLOWANCE = 1 << 16

_MARKERS = {"__tensor__", "__tuple__", "__items__", "__module__", "__float__", "__param__"}


def _is_module(obj):
    return hasattr(obj, "state_dict") and hasattr(obj, "load_state_dict") and hasattr(obj, "named_parameters")


class _Encoder:
    """Turn a nest of dicts/lists/arrays/numbers into JSON plus a dict name → array."""

    def __init__(self):
        self.tensors = {}

    def array(self, value: TensorLike, path: str) -> dict[str, Any]:
        name = path or "tensor"
        while name in self.tensors:
            name += "'"
        # arrays on another device (a GPU, the tests' stand-in) come to the CPU: files hold NumPy's bytes
        self.tensors[name] = value if value.__class__ is np.ndarray or not D.is_array(value) else D.to_numpy(value)
        return {"__tensor__": name}

    def encode(self, obj: Any, path: str = "") -> Any:
        if isinstance(obj, Tensor):
            ref = self.array(obj.data, path)
            ref["__param__"] = bool(obj.requires_grad)
            return ref
        if isinstance(obj, np.ndarray):
            return self.array(obj, path)
        if _is_module(obj):
            return {"__module__": module_payload(obj, self, path)}
        if isinstance(obj, (bool, np.bool_)):
            return bool(obj)
        if isinstance(obj, (int, np.integer)):
            return int(obj)
        if isinstance(obj, (float, np.floating)):
            obj = float(obj)
            return obj if math.isfinite(obj) else {"__float__": repr(obj)}
        if obj is None or isinstance(obj, str):
            return obj
        if isinstance(obj, tuple):
            return {"__tuple__": [self.encode(v, f"{path}/{i}") for i, v in enumerate(obj)]}
        if isinstance(obj, list):
            return [self.encode(v, f"{path}/{i}") for i, v in enumerate(obj)]
        if isinstance(obj, dict):
            if all(isinstance(k, str) for k in obj) and not _MARKERS & set(obj):
                return {k: self.encode(v, f"{path}/{k}") for k, v in obj.items()}
            return {"__items__": [[self.encode(k, f"{path}/key{i}"), self.encode(v, f"{path}/{k}")]
                                  for i, (k, v) in enumerate(obj.items())]}
        if D.is_array(obj):      # an array on another device (CuPy's): stored as its NumPy copy
            return self.array(obj, path)
        raise TypeError(f"save: cannot store an object of type {type(obj).__name__} at {path or 'the top'!r}; "
                        "the format stores dicts, lists, tuples, numbers, strings, None, NumPy arrays, Tensors "
                        "and Modules")


def module_payload(model: Module, encoder: _Encoder, path: str = "model") -> dict[str, Any]:
    """``{"config": model.get_config(), "state": {name: tensor ref}}`` for a Module."""
    try:
        config = model.get_config()
    except NotImplementedError as err:
        raise TypeError(f"save: {type(model).__name__} cannot describe its architecture ({err}); save its "
                        "weights with tg.save(model.state_dict(), path) instead") from None
    state = {name: encoder.array(np.asarray(value), f"{path}/{name}") for name, value in model.state_dict().items()}
    return {"config": config, "state": state}


def _decode(obj, tensors, rebuild=True):
    if isinstance(obj, list):
        return [_decode(v, tensors, rebuild) for v in obj]
    if not isinstance(obj, dict):
        return obj
    if "__tensor__" in obj:
        name = obj["__tensor__"]
        if name not in tensors:
            raise ModelFileError(f"load: the payload refers to tensor {name!r}, which is not in the tensor table")
        if "__param__" in obj:
            return Tensor(tensors[name], requires_grad=bool(obj["__param__"]), dtype=tensors[name].dtype)
        return tensors[name]
    if "__tuple__" in obj:
        return tuple(_decode(v, tensors, rebuild) for v in obj["__tuple__"])
    if "__items__" in obj:
        items = obj["__items__"]
        if not isinstance(items, list) or not all(isinstance(kv, list) and len(kv) == 2 for kv in items):
            raise ModelFileError("load: a '__items__' entry is not a list of [key, value] pairs")
        return {_hashable(_decode(k, tensors, rebuild)): _decode(v, tensors, rebuild) for k, v in items}
    if "__float__" in obj:
        text = obj["__float__"]
        if text not in ("nan", "inf", "-inf"):
            raise ModelFileError(f"load: invalid non-finite float {text!r}")
        return float(text)
    if "__module__" in obj:
        return _rebuild_module(obj["__module__"], tensors) if rebuild else obj["__module__"]
    return {k: _decode(v, tensors, rebuild) for k, v in obj.items()}


def _hashable(key):
    if isinstance(key, (list, dict, np.ndarray)):
        raise ModelFileError(f"load: a dict key of type {type(key).__name__} is not allowed")
    return key


def _state_from(payload, tensors):
    state = payload.get("state") if isinstance(payload, dict) else None
    if not isinstance(state, dict):
        raise ModelFileError("load: a model entry lacks its 'state' table")
    return {name: _decode(ref, tensors) for name, ref in state.items()}


def _rebuild_module(payload, tensors):
    """Make the Module described by ``config`` (through the nn registry only) and load its weights."""
    from .. import nn

    if not isinstance(payload, dict) or not isinstance(payload.get("config"), dict):
        raise ModelFileError("load: a model entry lacks its architecture 'config'")
    state = _state_from(payload, tensors)
    # The config may name any size of layer: build it only within the weights the file holds (plus an
    # allowance for small non-persistent buffers), so a tiny file cannot make us allocate gigabytes.
    budget = sum(int(v.size) for v in tensors.values()) + _BUILD_ALLOWANCE
    try:
        with allocation_budget(budget):
            model = nn.module_from_config(payload["config"])
    except AllocationBudgetExceeded as err:
        raise ModelFileError(f"load: the file's architecture needs more weights than the file holds "
                             f"({len(tensors)} tensors, {budget - _BUILD_ALLOWANCE:,} numbers): {err}") from None
    except Exception as err:  # an unknown type, a bad argument: never more than an error
        raise ModelFileError(f"load: cannot rebuild the model from the file's architecture: "
                             f"{type(err).__name__}: {err}") from None
    float_dtypes = {v.dtype for v in state.values() if isinstance(v, np.ndarray) and v.dtype.kind == "f"}
    if len(float_dtypes) == 1 and hasattr(model, "to"):  # the config makes float32 layers: match the weights
        (dtype,) = float_dtypes
        if any(p.data.dtype != dtype for p in model.parameters()):
            model = model.to(dtype)
    try:
        model.load_state_dict(state, strict=True)
    except Exception as err:
        raise ModelFileError(f"load: the file's weights do not fit its architecture: {err}") from None
    return model


def save(obj: Module | Mapping[str, Any], path: str | os.PathLike[str], metadata: dict[str, Any] | None = None) -> None:
    """Save a model, a checkpoint dict or a nest of arrays to ``path``, atomically, without pickle.

    Parameters
    ----------
    obj : Module, or dict
        A Module is stored as its architecture (``get_config()``) plus its weights (``state_dict()``)
        and comes back from :func:`load` as an equal Module. Anything else must be a nest of dicts, lists,
        tuples, numbers, strings, None, NumPy arrays, Tensors and Modules; it comes back as the same nest.
    path : str or os.PathLike
        The file to write (``.tgate`` is the customary extension). Written through a temporary file in
        the same directory, fsync-ed, then renamed: readers see the old file or the new one, never half.
    metadata : dict, optional
        Extra JSON stored in the header (a description, the training data's name, ...).

    Notes
    -----
    A path ending in ``.safetensors`` writes the safetensors format instead (``obj`` a flat dict name →
    array such as ``model.state_dict()``, metadata strings only; see :mod:`tensorgate.io.safetensors_format`).

    Shape
    -----
    arrays are stored with their shapes and dtypes, bit for bit.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "weights.tgate")
    >>> save({"W": np.eye(2, dtype=np.float32), "step": 3}, path)
    >>> d = load(path)
    >>> d["step"], d["W"].dtype
    (3, dtype('float32'))
    """
    if is_safetensors_path(path):   # a flat dict of arrays in the safetensors format (safetensors_format.py)
        return save_safetensors(obj, path, metadata)  # type: ignore[arg-type]
    if metadata is not None and not isinstance(metadata, dict):
        raise TypeError(f"save: metadata must be a dict, got {type(metadata).__name__}")
    encoder = _Encoder()
    if _is_module(obj):
        kind, payload = "module", module_payload(obj, encoder)  # type: ignore[arg-type]
    elif isinstance(obj, dict):
        kind, payload = "dict", encoder.encode(obj)
    else:
        raise TypeError(f"save: expected a Module or a dict, got {type(obj).__name__}")
    write_file(path, kind, payload, encoder.tensors, metadata=_plain_json(metadata))


def _plain_json(metadata):
    if metadata is None:
        return None
    encoder = _Encoder()
    encoded = encoder.encode(metadata)
    if encoder.tensors:
        raise TypeError("save: metadata must be plain JSON (no arrays); put arrays in the object itself")
    return encoded


def load(path: str | os.PathLike[str], map_location: object | None = None, pickle_module: object | None = None, *,
         weights_only: bool | None = None, mmap: bool | None = None) -> Any:
    """Load what :func:`save` (or a checkpoint callback) wrote.

    Returns a Module for a model file, a dict for a checkpoint (with ``"model"`` rebuilt as a Module when
    the architecture was stored) and the same nest for a dict file. Never runs code from the file; a
    damaged, foreign, hostile or too-new file raises :class:`ModelFileError` naming the file and saying
    what is wrong. Only regular files are read; the memory a file can make ``load`` use is bounded by its
    size (an architecture is rebuilt only within the number of weights the file itself holds). A
    ``.safetensors`` file comes back as an ordered dict name → array (load it into a model with
    ``model.load_state_dict``).

    PyTorch's arguments are accepted so that ``torch.load`` calls port unchanged:

    * ``weights_only``: True, False or None all load the same way. **Every tensorgate load is weights-only**
      (PyTorch's safe mode): the format holds JSON and raw arrays, never pickle, so no code from the file can
      run; ``weights_only=False`` does not enable pickle (there is none to enable).
    * ``map_location``: None or ``'cpu'`` keep everything in CPU memory (files always hold CPU arrays);
      ``'cuda'``, ``'cuda:1'``, ``'array_api_strict'`` or a device put the tensors there: a model (also a
      checkpoint's) is moved with ``model.to(device)``, Tensors in a dict are moved. Plain NumPy arrays stay
      NumPy arrays (``model.load_state_dict`` and ``optimizer.load_state_dict`` place them on their
      parameters' device). A dict or a function as ``map_location`` is not supported (a ValueError).
    * ``pickle_module`` and ``mmap=True`` are not supported (a clear error).

    Shape: arrays as saved.
    """
    where = _check_torch_load_arguments(map_location, pickle_module, weights_only, mmap)
    if where is not None and where.type == "cuda":
        D.require_cuda(f"load(map_location={map_location!r})")   # before reading anything
    loaded = _load(path)
    return loaded if where is None or where.type == "cpu" else _place(loaded, where)


def _place(obj, where):
    """Modules and Tensors in a loaded object moved to device ``where`` (NumPy arrays stay as they are)."""
    if isinstance(obj, Tensor):
        moved = Tensor(D.to_device(obj.data, *where.key), dtype=obj.dtype)
        moved.requires_grad = obj.requires_grad
        return moved
    if _is_module(obj) and hasattr(obj, "to"):
        return obj.to(where)
    if isinstance(obj, dict):
        return obj.__class__((k, _place(v, where)) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return obj.__class__(_place(v, where) for v in obj)
    return obj


def _load(path):
    if is_safetensors_path(path):
        return load_safetensors(path)
    header, tensors = read_file(path)
    with _naming(path):
        kind, payload = header["kind"], header.get("payload")
        if kind == "module":
            return _rebuild_module(payload, tensors)
        if kind == "checkpoint":
            checkpoint = _decode_checkpoint(payload, tensors)
            if checkpoint.get("model_config") is not None:
                checkpoint["model"] = _rebuild_module({"config": checkpoint["model_config"],
                                                       "state": payload["model_state"]}, tensors)  # type: ignore[index]
            checkpoint["metadata"] = _decode(header.get("metadata", {}), {})
            return checkpoint
        if kind == "dict":
            return _decode(payload, tensors)
        raise ModelFileError(f"holds an unknown kind of object {kind!r:.60}")


@contextlib.contextmanager
def _naming(path):
    """Every error while decoding a verified file's payload becomes a ModelFileError naming the file.

    A checksum only says the file is what its writer wrote; a hostile writer can still write a payload of
    the wrong types (a tuple marker around a number, a list where a name belongs), which the decoder meets
    as TypeError, KeyError and the like.
    """
    where = f"load: {os.fspath(path)!r}"
    try:
        yield
    except ModelFileError as err:
        message = str(err)
        if repr(os.fspath(path)) in message:  # already names the file
            raise
        body = message[len("load: "):] if message.startswith("load: ") else message
        raise ModelFileError(f"{where}: {body}") from None
    except (TypeError, ValueError, KeyError, AttributeError, IndexError, RecursionError, MemoryError) as err:
        raise ModelFileError(f"{where}: malformed payload ({type(err).__name__}: {str(err)[:200]})") from None


def _check_torch_load_arguments(map_location, pickle_module, weights_only, mmap):
    if weights_only not in (None, True, False):
        raise TypeError(f"load: weights_only must be True, False or None, got {weights_only!r}")
    if pickle_module is not None:
        raise ValueError("load: pickle_module is not supported: tensorgate files never use pickle")
    if mmap:
        raise NotImplementedError("load: mmap=True is not supported; the arrays are read into memory")
    if map_location is None:
        return None
    kind = getattr(map_location, "type", map_location)   # a device object (tg.device / torch.device) or a str
    index = getattr(map_location, "index", None)
    if isinstance(kind, str) and not isinstance(map_location, str):
        map_location = f"{kind}:{index}" if index is not None else kind   # torch.device('cuda', 0) → 'cuda:0'
    if not isinstance(map_location, (str, int)) or isinstance(map_location, bool) \
            or (isinstance(map_location, str) and map_location.partition(":")[0] not in D.TYPES):
        raise ValueError(f"load: map_location={map_location!r} is not supported: give None, a device name "
                         f"({', '.join(map(repr, D.TYPES))}, e.g. 'cuda:0') or a device")
    return as_device(map_location)


def read_metadata(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The header's free-form metadata (and kind and version) without rebuilding anything.

    Shape: not applicable.
    """
    header, _ = read_file(path)
    with _naming(path):
        metadata = _decode(header.get("metadata"), {})
        if metadata is not None and not isinstance(metadata, dict):
            raise ModelFileError(f"has metadata that is not an object: {type(metadata).__name__}")
    return {"kind": header["kind"], "format_version": header["format_version"],
            "tensorgate_version": header.get("tensorgate_version"), "metadata": metadata}


# ---------------------------------------------------------------- training checkpoints
def save_checkpoint(path: str | os.PathLike[str], model: Module, optimizer: _HasStateDict | None = None, epoch: int = 0,
                    history: Mapping[str, Any] | None = None, rng_state: Mapping[str, Any] | None = None,
                    shuffle_rng_state: Mapping[str, Any] | None = None, callbacks: dict[str, Any] | None = None,
                    loader_epoch: int | None = None, extra: dict[str, Any] | None = None,
                    metadata: dict[str, Any] | None = None) -> None:
    """Write a full training checkpoint: everything :func:`tensorgate.fit` needs to resume bit for bit.

    Parameters
    ----------
    path : str or os.PathLike
    model : Module
        Its weights (``state_dict()``), and its architecture when ``get_config()`` can give it.
    optimizer : Optimizer or dict, optional
        The optimiser or its ``state_dict()``.
    epoch : int
        Epochs completed.
    history : dict, optional
        ``History.to_dict()``.
    rng_state, shuffle_rng_state : dict, optional
        ``tensorgate.backend.random.get_rng_state()`` and the shuffling generator's ``bit_generator.state``.
    callbacks : dict, optional
        Per callback, its ``state_dict()`` (learning-rate schedules, early stopping).
    loader_epoch : int, optional
        A DataLoader's epoch counter (its shuffling order depends on it).
    extra : dict, optional
        Anything else to keep (JSON and arrays).
    metadata : dict, optional
        Free-form JSON for the header.

    Shape
    -----
    not applicable.
    """
    encoder = _Encoder()
    try:
        config = model.get_config()
    except (NotImplementedError, AttributeError, TypeError):  # a custom model without a config: weights only
        config = None
    optimizer_state = optimizer.state_dict() if hasattr(optimizer, "state_dict") else optimizer  # type: ignore[union-attr]
    payload = {
        "model_config": encoder.encode(config),
        "model_state": {name: encoder.array(np.asarray(v), f"model/{name}") for name, v in model.state_dict().items()},
        "optimizer": encoder.encode(optimizer_state, "optimizer"),
        "epoch": int(epoch),
        "history": encoder.encode(history, "history"),
        "rng_state": encoder.encode(rng_state, "rng"),
        "shuffle_rng_state": encoder.encode(shuffle_rng_state, "shuffle_rng"),
        "callbacks": encoder.encode(callbacks, "callbacks"),
        "loader_epoch": loader_epoch,
        "extra": encoder.encode(extra, "extra"),
    }
    write_file(path, "checkpoint", payload, encoder.tensors, metadata=_plain_json(metadata))


def _decode_checkpoint(payload, tensors):
    if not isinstance(payload, dict) or "model_state" not in payload:
        raise ModelFileError("load: a checkpoint without 'model_state'")
    out = {key: _decode(value, tensors) for key, value in payload.items() if key != "model_state"}
    out["model_state"] = _state_from({"state": payload["model_state"]}, tensors)
    return out


def load_checkpoint(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a checkpoint written by :func:`save_checkpoint` without rebuilding the model.

    Returns a dict with ``model_state`` (name → array), ``model_config``, ``optimizer`` (a state_dict),
    ``epoch``, ``history``, ``rng_state``, ``shuffle_rng_state``, ``callbacks``, ``loader_epoch``, ``extra``.

    Shape: not applicable.
    """
    header, tensors = read_file(path)
    if header["kind"] != "checkpoint":
        raise ModelFileError(f"load_checkpoint: {os.fspath(path)!r} holds a {header['kind']!r}, not a training "
                             "checkpoint")
    with _naming(path):
        return _decode_checkpoint(header.get("payload"), tensors)
