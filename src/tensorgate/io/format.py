"""The tensorgate file format (``.tgate``): a JSON header, raw tensor bytes and a checksum. No pickle.

Loading a file never executes code from it: the header is parsed as JSON, tensors are read with
``numpy.frombuffer`` from an allow-list of plain numeric dtypes, and a model's architecture is rebuilt
only through :func:`tensorgate.nn.module_from_config`, which knows a fixed registry of layer classes.

Layout (format version 1; all integers little-endian)
-----------------------------------------------------

========  ===========  ==========================================================================
offset    size         content
========  ===========  ==========================================================================
0         8            magic ``b"TGATE\\x89\\r\\n"`` (the non-ASCII byte and the CR LF catch files
                       mangled by text-mode transfers, as PNG's signature does)
8         4            uint32  format version (1)
12        8            uint64  H, the length of the JSON header in bytes
20        8            uint64  D, the length of the data section in bytes
28        H            the header: UTF-8 JSON (below)
28+H      P            zero padding up to the next multiple of 64 (``data_start``)
data_start D           the data section: each tensor's raw bytes, C order, little-endian, every
                       tensor starting at a multiple of 64 bytes from ``data_start``
end − 32  32           SHA-256 of every byte before it
========  ===========  ==========================================================================

So a file is exactly ``data_start + D + 32`` bytes long; a shorter one is truncated.

The JSON header is an object:

``format_version`` (int)
    Repeats the version of the fixed preamble.
``kind`` (str)
    ``"module"`` (a model: architecture and weights), ``"checkpoint"`` (a training checkpoint: model
    weights, optimiser state, epoch, history, random-generator states) or ``"dict"`` (any nest of dicts,
    lists and arrays).
``tensorgate_version`` (str)
    The version that wrote the file (informative).
``tensors`` (list)
    The tensor table, one object per tensor: ``name`` (str, unique), ``dtype`` (a NumPy type string,
    little-endian: ``"<f4"``, ``"<f8"``, ``"<i8"``, ``"|b1"``, ...), ``shape`` (list of ints),
    ``offset`` (bytes from ``data_start``) and ``nbytes`` (= product of shape × item size).
``payload``
    The object itself as JSON, where every array is replaced by ``{"__tensor__": name}`` naming a
    row of the tensor table. Other markers: ``{"__tuple__": [...]}`` for a tuple,
    ``{"__items__": [[key, value], ...]}`` for a dict whose keys are not all strings (an optimiser's
    per-parameter state is keyed by integers), ``{"__module__": {"config": ..., "state": {...}}}`` for a
    Module inside a dict, ``{"__float__": "nan"|"inf"|"-inf"}`` for non-finite floats (so the header is
    strict JSON).
``metadata`` (object)
    Free-form JSON given by the caller (``tg.save(obj, path, metadata={...})``).

For ``kind == "module"`` the payload is ``{"config": model.get_config(), "state": {name: tensor ref}}``;
for ``"checkpoint"`` it is an object with ``model_config`` (or null), ``model_state``, ``optimizer``,
``epoch``, ``history``, ``rng_state``, ``shuffle_rng_state``, ``callbacks``, ``loader_epoch`` and ``extra``.

Reading checks, in order: the file exists and is a regular file (a FIFO or a device is refused before it
is read); the magic (a PNG, a zip/NumPy archive, a pickle or any other file is named as foreign); the
version (a newer one asks to upgrade tensorgate); the lengths against the file size (truncated or
trailing bytes), after which exactly the declared bytes are read; the SHA-256 (corrupted); the JSON
(strict: no bare NaN, at most ``MAX_DEPTH`` levels deep); every tensor-table row (a name, a dtype from
the allow-list, a shape of at most ``MAX_DIMS`` sizes that NumPy can represent, offset and length inside
the data section, no two rows sharing bytes). Each failure raises :class:`ModelFileError`, a
``ValueError``, naming the file. :func:`tensorgate.io.load` then builds a model's architecture within an
allocation budget of the weights the file holds (:mod:`tensorgate.backend.budget`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import hashlib
import json
import math
import os
import struct

import numpy as np

from ..backend.files import NotRegularFileError, atomic_path, open_regular
from ..backend.version import __version__

if TYPE_CHECKING:
    from typing import Mapping

    from numpy.typing import NDArray

__all__ = ["ModelFileError", "MAGIC", "FORMAT_VERSION", "write_file", "read_file"]

MAGIC = b"TGATE\x89\r\n"
FORMAT_VERSION = 1
_PREAMBLE = struct.Struct("<8sIQQ")  # magic, version, header length, data length
_ALIGN = 64
_DIGEST = 32
_ALLOWED_DTYPES = {"<f2", "<f4", "<f8", "|i1", "<i2", "<i4", "<i8", "|u1", "<u2", "<u4", "<u8", "|b1"}
_MAX_HEADER = 1 << 30
#: Limits on what a header may describe: NumPy's own limit on dimensions, and JSON nesting far beyond any
#: real model's config (a deeper header is hostile; Python's parser would hit its recursion limit near 1000).
MAX_DIMS = 64
MAX_DEPTH = 100

_FOREIGN = [
    (b"\x89PNG", "a PNG image"),
    (b"PK\x03\x04", "a zip archive (a NumPy .npz or a PyTorch file?)"),
    (b"\x93NUMPY", "a NumPy .npy file"),
    (b"\x80", "a Python pickle (tensorgate never loads pickles)"),
    (b"\x89HDF", "an HDF5 file (Keras?)"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"{", "a JSON text file"),
]


class ModelFileError(ValueError):
    """A file that tensorgate cannot read as a model or checkpoint: the message says why."""


def _pad(n):
    return (-n) % _ALIGN


def write_file(path: str | os.PathLike[str], kind: str, payload: Any, tensors: Mapping[str, NDArray[Any]],
               metadata: dict[str, Any] | None = None) -> None:
    """Write a tensorgate file atomically.

    ``payload`` is JSON-ready (arrays already replaced by references) and ``tensors`` an ordered dict
    name → ndarray. The bytes go to a temporary file in the same directory, which is flushed, fsync-ed
    and then renamed over ``path`` with ``os.replace``, so a crash never leaves a half-written file.

    Shape: tensors any shapes; written in C order, little-endian.
    """
    table, arrays, offset = [], [], 0
    for name, array in tensors.items():
        array = np.asarray(array)
        dtype = array.dtype.newbyteorder("<") if array.dtype.byteorder == ">" else array.dtype
        array = np.asarray(array, dtype=dtype, order="C")  # (ascontiguousarray would make 0-d arrays 1-d)
        if array.dtype.str not in _ALLOWED_DTYPES:
            raise TypeError(f"save: tensor {name!r} has dtype {array.dtype}, which the format does not store; "
                            f"allowed: float16/32/64, (u)int8-64, bool")
        offset += _pad(offset)
        table.append({"name": name, "dtype": array.dtype.str, "shape": list(array.shape), "offset": offset,
                      "nbytes": array.nbytes})
        arrays.append((offset, array))
        offset += array.nbytes
    data_length = offset
    header = {"format_version": FORMAT_VERSION, "kind": kind, "tensorgate_version": __version__,
              "tensors": table, "payload": payload, "metadata": metadata if metadata is not None else {}}
    try:
        header_bytes = json.dumps(header, allow_nan=False, separators=(",", ":")).encode("utf-8")
    except (TypeError, ValueError) as err:
        raise TypeError(f"save: the object contains something that is not JSON-serialisable: {err}") from None

    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            digest = hashlib.sha256()

            def put(chunk):
                digest.update(chunk)
                f.write(chunk)

            put(_PREAMBLE.pack(MAGIC, FORMAT_VERSION, len(header_bytes), data_length))
            put(header_bytes)
            put(b"\0" * _pad(_PREAMBLE.size + len(header_bytes)))
            position = 0
            for start, array in arrays:
                put(b"\0" * (start - position))
                put(array.reshape(-1).view(np.uint8))
                position = start + array.nbytes
            f.write(digest.digest())
            f.flush()
            os.fsync(f.fileno())
    try:  # make the rename itself durable
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def _open_regular(path):
    """``open_regular`` with its errors as ModelFileError."""
    try:
        return open_regular(path)
    except FileNotFoundError:
        raise ModelFileError(f"load: no such file: {path!r}") from None
    except IsADirectoryError:
        raise ModelFileError(f"load: {path!r} is a directory, not a tensorgate file") from None
    except NotRegularFileError:
        raise ModelFileError(f"load: {path!r} is not a regular file (a device, FIFO or socket); tensorgate "
                             "reads model files only from regular files") from None
    except OSError as err:
        raise ModelFileError(f"load: cannot open {path!r}: {err.strerror or err}") from None


def _read_exactly(f, n):
    """``n`` bytes from ``f`` (fewer only if the file ends first); never reads beyond them."""
    chunks, left = [], n
    while left > 0:
        chunk = f.read(min(left, 1 << 24))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_file(path: str | os.PathLike[str]) -> tuple[dict[str, Any], dict[str, NDArray[Any]]]:
    """Read and verify a tensorgate file; returns ``(header, tensors)`` with tensors a dict name → ndarray.

    Raises :class:`ModelFileError` for every way the file can be wrong (see the module docstring). Only
    regular files are read, and never more bytes than the preamble declares (and the file holds), so the
    memory a file can make tensorgate use is bounded by its size.

    Shape: tensors as written.
    """
    path = os.fspath(path)
    f, size = _open_regular(path)
    with f:
        head = _read_exactly(f, _PREAMBLE.size)
        if not head.startswith(MAGIC):
            if len(head) < len(MAGIC) and MAGIC.startswith(head):
                raise ModelFileError(f"load: {path!r} is truncated: only {len(head)} bytes")
            what = next((name for prefix, name in _FOREIGN if head.startswith(prefix)), "not a tensorgate file")
            raise ModelFileError(f"load: {path!r} is not a tensorgate file (it looks like {what}); its first bytes "
                                 f"are {head[:8]!r}, a tensorgate file starts with {MAGIC!r}")
        if len(head) < _PREAMBLE.size or size < _PREAMBLE.size + _DIGEST:
            raise ModelFileError(f"load: {path!r} is truncated: only {size} bytes")
        _, version, header_length, data_length = _PREAMBLE.unpack_from(head)
        if version > FORMAT_VERSION:
            raise ModelFileError(f"load: {path!r} uses format version {version}, written by a newer tensorgate; "
                                 f"this one reads versions up to {FORMAT_VERSION}. Upgrade tensorgate to load it.")
        if version < 1:
            raise ModelFileError(f"load: {path!r} has an invalid format version {version}")
        if header_length > _MAX_HEADER:
            raise ModelFileError(f"load: {path!r} declares a header of {header_length} bytes: corrupted")
        data_start = _PREAMBLE.size + header_length
        data_start += _pad(data_start)
        expected = data_start + data_length + _DIGEST
        if size < expected:
            raise ModelFileError(f"load: {path!r} is truncated: it has {size} bytes, its header promises "
                                 f"{expected}")
        if size > expected:
            raise ModelFileError(f"load: {path!r} has {size - expected} unexpected bytes after its end: "
                                 "corrupted or two files joined")
        blob = head + _read_exactly(f, expected - len(head))
    if len(blob) != expected:  # the file shrank while it was read
        raise ModelFileError(f"load: {path!r} is truncated: it has {len(blob)} bytes, its header promises "
                             f"{expected}")
    body = memoryview(blob)[:-_DIGEST]
    if hashlib.sha256(body).digest() != blob[-_DIGEST:]:
        raise ModelFileError(f"load: {path!r} is corrupted: its SHA-256 checksum does not match its contents")

    header = _parse_header(path, bytes(body[_PREAMBLE.size:_PREAMBLE.size + header_length]))
    if header.get("format_version") != version:
        raise ModelFileError(f"load: {path!r} header says format version {header.get('format_version')!r}, the "
                             f"preamble {version}: corrupted")
    data = body[data_start:data_start + data_length]
    tensors, total = {}, 0
    for i, row in enumerate(header["tensors"]):
        _check_row(path, i, row, data_length)
        total += row["nbytes"]
        if total > data_length:  # rows that overlap could make one byte count many times
            raise ModelFileError(f"load: {path!r}: the tensor table claims {total} bytes or more, the data "
                                 f"section has {data_length}: tensors overlap")
        if row["name"] in tensors:
            raise ModelFileError(f"load: {path!r} names tensor {row['name']!r} twice")
        tensors[row["name"]] = _read_tensor(row, data)
    return header, tensors


def _refuse_constant(name):
    raise ValueError(f"bare {name} is not JSON (tensorgate writes non-finite floats as {{'__float__': ...}})")


def _depth(obj):
    """The nesting depth of a parsed JSON value, counted without recursion."""
    deepest, stack = 0, [(obj, 1)]
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return deepest


def _parse_header(path, raw):
    """The JSON header as a dict with a string ``kind`` and a list ``tensors``, or a ModelFileError."""
    try:
        header = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except RecursionError:
        raise ModelFileError(f"load: {path!r} has a header nested too deeply to be a tensorgate file") from None
    except (UnicodeDecodeError, ValueError) as err:
        raise ModelFileError(f"load: {path!r} has an unreadable header ({err})") from None
    if _depth(header) > MAX_DEPTH:
        raise ModelFileError(f"load: {path!r} has a header nested more than {MAX_DEPTH} levels deep")
    if not isinstance(header, dict) or not isinstance(header.get("tensors"), list) or "kind" not in header:
        raise ModelFileError(f"load: {path!r} has a header without 'kind' and 'tensors'")
    if not isinstance(header["kind"], str):
        raise ModelFileError(f"load: {path!r} has a 'kind' that is not a string: {header['kind']!r:.60}")
    return header


def _check_row(path, i, row, data_length):
    """Check one tensor-table row's types and sizes before anything is allocated for it."""
    def bad(why):
        name = row.get("name") if isinstance(row, dict) else row
        return ModelFileError(f"load: {path!r}: tensor table entry {i} ({name!r:.60}) {why}")

    if not isinstance(row, dict) or not {"name", "dtype", "shape", "offset", "nbytes"} <= set(row):
        raise bad("lacks name, dtype, shape, offset or nbytes")
    name, dtype, shape, offset, nbytes = (row[k] for k in ("name", "dtype", "shape", "offset", "nbytes"))
    if not isinstance(name, str):
        raise bad("has a name that is not a string")
    if not isinstance(dtype, str) or dtype not in _ALLOWED_DTYPES:
        raise bad(f"has dtype {dtype!r:.60}, not one of the plain numeric dtypes the format allows")
    if (not isinstance(shape, list) or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0
                                                  for n in shape)):
        raise bad(f"has an invalid shape {shape!r:.80}")
    if len(shape) > MAX_DIMS:
        raise bad(f"has {len(shape)} dimensions; at most {MAX_DIMS} are allowed")
    if math.prod(max(n, 1) for n in shape) >= 2 ** 62:  # NumPy cannot even describe such an array
        raise bad(f"has a shape {shape!r:.80} too large for any array")
    for value in (offset, nbytes):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise bad(f"has an invalid offset or length {value!r:.60}")
    itemsize = np.dtype(dtype).itemsize
    if math.prod(shape) * itemsize != nbytes:
        raise bad(f"says {nbytes} bytes, but shape {tuple(shape)} of {dtype} needs {math.prod(shape) * itemsize}")
    if offset + nbytes > data_length:
        raise bad(f"does not fit the file: bytes {offset}..{offset + nbytes} of a {data_length}-byte data section")


def _read_tensor(row, data):
    dtype, offset, nbytes = np.dtype(row["dtype"]), row["offset"], row["nbytes"]
    array = np.frombuffer(data[offset:offset + nbytes], dtype=dtype).reshape(tuple(row["shape"]))
    return array.astype(dtype.newbyteorder("="), copy=True)
