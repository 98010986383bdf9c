"""``.safetensors`` files: weights exchanged with PyTorch, Hugging Face and others (``pip install tensorgate[safetensors]``).

A safetensors file is an 8-byte little-endian header length N, N bytes of JSON (each tensor's ``dtype``,
``shape`` and ``data_offsets`` [begin, end) into the data section, and an optional ``__metadata__`` of string
pairs), then the data section: raw little-endian bytes, the tensors packed without gaps. It holds a flat
dict name → tensor and nothing else (no code, no pickle), so ``tg.save(model.state_dict(), 'w.safetensors')``
and ``tg.load('w.safetensors')`` move the weights, not the architecture.

Reading is bounded before the ``safetensors`` package decodes anything: the path must be a regular file;
the header length must fit the file and stay under :data:`MAX_HEADER_BYTES`; the header must be a JSON
object whose every entry has an allowed dtype, a shape of non-negative integers and offsets whose length is
the shape's; the entries must tile the data section exactly (no gap, no overlap, no trailing byte). Every
failure is a :class:`~tensorgate.io.ModelFileError` saying what is wrong.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import json
import math
import os
from collections import OrderedDict

import numpy as np

from ..autograd import Tensor
from ..backend import devices as D
from ..backend.files import NotRegularFileError, atomic_path, open_regular
from .format import MAGIC, ModelFileError

if TYPE_CHECKING:
    from typing import Mapping

    from numpy.typing import NDArray

    from ..autograd.tensor import TensorLike

__all__ = ["is_safetensors_path", "save_safetensors", "load_safetensors", "MAX_HEADER_BYTES"]

#: the safetensors package's own limit on the JSON header
MAX_HEADER_BYTES = 100_000_000

#: safetensors dtype → item size in bytes (those NumPy can hold; BF16 and the float8 types cannot)
_ITEMSIZE = {"BOOL": 1, "U8": 1, "I8": 1, "I16": 2, "U16": 2, "F16": 2, "I32": 4, "U32": 4, "F32": 4, "I64": 8,
             "U64": 8, "F64": 8}
_NOT_NUMPY = {"BF16", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64"}


def is_safetensors_path(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` names a ``.safetensors`` file (by its extension, case-insensitive)."""
    try:
        return os.fspath(path).lower().endswith(".safetensors")
    except TypeError:
        return False


def _safetensors_numpy():
    try:
        import safetensors.numpy
    except ImportError:  # pragma: no cover - the test environment has it
        raise ImportError("reading and writing .safetensors files needs the 'safetensors' package: "
                          "pip install tensorgate[safetensors]") from None
    return safetensors.numpy


def save_safetensors(obj: Mapping[str, TensorLike], path: str | os.PathLike[str],
                     metadata: Mapping[str, str] | None = None) -> None:
    """Write a flat dict name → array (a ``state_dict()``) as a safetensors file, atomically.

    Parameters
    ----------
    obj : dict of str → ndarray or Tensor
        Arrays of bool, (u)int8–64 or float16/32/64, any shape (0-d included).
    path : str or os.PathLike
    metadata : dict of str → str, optional
        Stored in the header's ``__metadata__`` (safetensors allows only strings there).

    Shape
    -----
    arrays any shapes; stored C-contiguous, little-endian.
    """
    if hasattr(obj, "state_dict") and hasattr(obj, "load_state_dict"):
        raise TypeError("save: a .safetensors file holds tensors only, not a model's architecture; save the "
                        "weights with tg.save(model.state_dict(), path), or use a .tgate file for the whole model")
    if not isinstance(obj, dict):
        raise TypeError(f"save: a .safetensors file holds a dict name → array, got {type(obj).__name__}")
    tensors = {}
    for name, value in obj.items():
        if not isinstance(name, str) or not name:
            raise TypeError(f"save: safetensors names must be non-empty strings, got {name!r}")
        if isinstance(value, Tensor):
            value = value.data
        if not isinstance(value, np.ndarray) and D.is_array(value):
            value = D.to_numpy(value)       # a GPU's (or the stand-in device's) array: its CPU copy is written
        if not isinstance(value, np.ndarray):
            raise TypeError(f"save: a .safetensors file holds arrays only; {name!r} is a {type(value).__name__}")
        if value.dtype.kind not in "biuf" or value.dtype.itemsize > 8 or (value.dtype.kind == "f"
                                                                         and value.dtype.itemsize < 2):
            raise TypeError(f"save: {name!r} has dtype {value.dtype}, which safetensors cannot store from NumPy "
                            "(bool, (u)int8-64 and float16/32/64 are allowed)")
        # (np.ascontiguousarray would make a 0-d array such as num_batches_tracked 1-d)
        tensors[name] = np.asarray(value, dtype=value.dtype.newbyteorder("<"), order="C")
    if metadata is not None:
        if not isinstance(metadata, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                     for k, v in metadata.items()):
            raise TypeError("save: the metadata of a .safetensors file must be a dict of strings to strings")
    data = _safetensors_numpy().save(tensors, metadata=metadata)
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _read_bounded(path):
    """The bytes of ``path`` after checking that it is a regular file; ModelFileError otherwise."""
    try:
        f, size = open_regular(path)   # checked on the open descriptor: nothing swapped in between
    except FileNotFoundError:
        raise ModelFileError(f"load: no such file: {path!r}") from None
    except IsADirectoryError:
        raise ModelFileError(f"load: {path!r} is a directory, not a safetensors file") from None
    except NotRegularFileError:
        raise ModelFileError(f"load: {path!r} is not a regular file, not a safetensors file") from None
    except OSError as err:
        raise ModelFileError(f"load: cannot read {path!r}: {err.strerror or err}") from None
    with f:
        blob = f.read(size + 1)     # one byte more tells that the file grew while it was read
    if len(blob) != size:
        raise ModelFileError(f"load: {path!r} changed size while it was read")
    return blob


def _check_header(path, blob):
    """Validate the header against the file; returns the entries in data order as (name, dtype, shape)."""
    def bad(why):
        return ModelFileError(f"load: {path!r} is not a valid safetensors file: {why}")

    for prefix, what in ((MAGIC, "a tensorgate (.tgate) file: rename it to .tgate"),
                         (b"PK\x03\x04", "a zip archive (a PyTorch .pt file? tensorgate never unpickles it)"),
                         (b"\x80", "a Python pickle (tensorgate never loads pickles)")):
        if blob.startswith(prefix):
            raise bad(f"it is {what}")
    if len(blob) < 8:
        raise bad(f"it has {len(blob)} bytes, fewer than the 8-byte header length")
    n = int.from_bytes(blob[:8], "little")
    if n > MAX_HEADER_BYTES:
        raise bad(f"its header length {n} exceeds the limit of {MAX_HEADER_BYTES} bytes")
    if 8 + n > len(blob):
        raise bad(f"its header length {n} runs past the end of the {len(blob)}-byte file (truncated?)")
    try:
        header = json.loads(blob[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise bad(f"its header is not JSON ({err})") from None
    if not isinstance(header, dict):
        raise bad("its header is not a JSON object")
    meta = header.get("__metadata__", {})
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        raise bad("its __metadata__ is not an object of strings")
    entries = []
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
            raise bad(f"tensor {name!r} needs exactly dtype, shape and data_offsets")
        dtype, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
        if dtype in _NOT_NUMPY:
            raise bad(f"tensor {name!r} has dtype {dtype}, which NumPy cannot hold; convert it to float32 first "
                      "(in PyTorch: tensor.float())")
        if dtype not in _ITEMSIZE:
            raise bad(f"tensor {name!r} has an unknown dtype {dtype!r}")
        if not isinstance(shape, list) or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0
                                                  for s in shape):
            raise bad(f"tensor {name!r} has an invalid shape {shape!r}")
        if (not isinstance(offsets, list) or len(offsets) != 2
                or not all(isinstance(o, int) and not isinstance(o, bool) and o >= 0 for o in offsets)
                or offsets[0] > offsets[1]):
            raise bad(f"tensor {name!r} has invalid data_offsets {offsets!r}")
        if offsets[1] - offsets[0] != math.prod(shape) * _ITEMSIZE[dtype]:
            raise bad(f"tensor {name!r} of shape {tuple(shape)} and dtype {dtype} needs "
                      f"{math.prod(shape) * _ITEMSIZE[dtype]} bytes, its offsets span {offsets[1] - offsets[0]}")
        entries.append((offsets[0], offsets[1], name))
    entries.sort()
    position = 0
    for begin, end, name in entries:
        if begin != position:
            raise bad(f"tensor {name!r} starts at byte {begin} of the data, expected {position} "
                      "(tensors overlap or leave a gap)")
        position = end
    data_length = len(blob) - 8 - n
    if position != data_length:
        raise bad(f"its tensors cover {position} bytes, but the data section has {data_length}"
                  + (" (truncated)" if position > data_length else " (trailing bytes)"))
    return [name for _, _, name in entries]


def load_safetensors(path: str | os.PathLike[str]) -> OrderedDict[str, NDArray[Any]]:
    """Read a safetensors file into an ordered dict name → NumPy array (in the file's data order).

    The file is checked first (see the module docstring); then the ``safetensors`` package decodes it.
    Arrays come back in the native byte order, each its own copy.

    Shape: arrays as stored.
    """
    path = os.fspath(path)
    blob = _read_bounded(path)
    names = _check_header(path, blob)
    try:
        tensors = _safetensors_numpy().load(blob)
    except Exception as err:    # the package's own checks (SafetensorError): never more than an error
        raise ModelFileError(f"load: {path!r} is not a valid safetensors file: {err}") from None
    return OrderedDict((name, np.array(tensors[name], copy=True)) for name in names)


def read_safetensors_metadata(path: str | os.PathLike[str]) -> dict[str, str]:
    """The ``__metadata__`` strings of a safetensors file (an empty dict when it has none)."""
    path = os.fspath(path)
    blob = _read_bounded(path)
    _check_header(path, blob)
    n = int.from_bytes(blob[:8], "little")
    return dict(json.loads(blob[8:8 + n].decode("utf-8")).get("__metadata__", {}))
