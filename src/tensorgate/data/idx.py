"""Read and write IDX files, the format MNIST and Fashion-MNIST are shipped in.

An IDX file is a tiny header followed by the raw array, big-endian, in C order::

    bytes 0-1   0x00 0x00               magic: always zero
    byte  2     dtype code              0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
                                        0x0D float32, 0x0E float64
    byte  3     ndim                    number of dimensions
    then        ndim × uint32 (big-endian), the size of each dimension
    then        prod(dims) × itemsize bytes of data

The files are usually gzip-compressed (``*.gz``). :func:`read_idx` tells the two apart by the first two bytes
(gzip starts with ``1f 8b``), not by the file name, and checks every part of the header and the payload size,
so a corrupt, truncated or foreign file is a ``ValueError`` that names the file and says what is wrong.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import gzip
import math
import struct
import zlib
from pathlib import Path

import numpy as np

from ..backend.files import NotRegularFileError, atomic_path, open_regular

if TYPE_CHECKING:
    import os

    from numpy.typing import ArrayLike, NDArray

__all__ = ["read_idx", "write_idx", "IDX_DTYPES"]

#: IDX dtype code -> NumPy dtype (big-endian, as stored in the file).
IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODES = {dt.newbyteorder("="): code for code, dt in IDX_DTYPES.items()}  # type: ignore[attr-defined]

_GZIP_MAGIC = b"\x1f\x8b"
_HEADER = 4  # two zero bytes, the dtype code, ndim


class _Reader:
    """Bytes of an IDX file, inflated on demand when it is gzip-compressed, never beyond what is asked.

    A 1 MB gzip stream can inflate to gigabytes; reading the header first and then exactly the number of
    bytes it declares keeps the memory bounded by the array the header promises.
    """

    def __init__(self, path):
        try:
            raw, self.size = open_regular(path)
        except FileNotFoundError:
            raise FileNotFoundError(f"{path}: no such IDX file") from None
        except NotRegularFileError:
            raise ValueError(f"{path}: not a regular file (a device, FIFO or socket)") from None
        self.path, self.raw = path, raw
        self.compressed = raw.read(2) == _GZIP_MAGIC
        raw.seek(0)
        self.stream = gzip.GzipFile(fileobj=raw, mode="rb") if self.compressed else raw

    def read(self, n):
        chunks, left = [], n
        try:
            while left > 0:
                chunk = self.stream.read(min(left, 1 << 24))
                if not chunk:
                    break
                chunks.append(chunk)
                left -= len(chunk)
        except EOFError:
            raise ValueError(f"{self.path}: truncated gzip stream (the download or copy stopped early)") from None
        except (OSError, zlib.error) as err:  # gzip.BadGzipFile is an OSError
            raise ValueError(f"{self.path}: corrupt gzip data ({err})") from None
        return b"".join(chunks)

    def close(self) -> None:
        self.stream.close()
        self.raw.close()


def read_idx(path: str | os.PathLike[str]) -> NDArray[Any]:
    """Read an IDX file (gzip-compressed or raw) into a NumPy array.

    Compression is detected from the first bytes, not from the file name. The magic number, the dtype
    code, the dimensions and the payload size are all checked.

    Parameters
    ----------
    path : str or os.PathLike
        The file, e.g. ``train-images-idx3-ubyte.gz``.

    Returns
    -------
    numpy.ndarray
        A writable array in native byte order with the dtype and shape the header declares
        (uint8 for (Fashion-)MNIST).

    Shape
    -----
    The dimensions stored in the header: (60000, 28, 28) for MNIST's training images, (60000,) for its
    labels.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        If the file is not IDX (bad magic number, unknown dtype code, no dimensions), is truncated or too
        long for its header, or its gzip stream is corrupt. The message names the file.

    Examples
    --------
    >>> import os, tempfile, numpy as np
    >>> path = os.path.join(tempfile.mkdtemp(), "labels-idx1-ubyte.gz")
    >>> write_idx(path, np.array([3, 1, 4], dtype=np.uint8))
    >>> read_idx(path)
    array([3, 1, 4], dtype=uint8)
    """
    reader = _Reader(path)
    try:
        return _read_array(path, reader)
    finally:
        reader.close()


def _read_array(path, reader):
    head = reader.read(_HEADER)
    if len(head) < _HEADER:
        raise ValueError(f"{path}: not an IDX file: only {len(head)} bytes, shorter than the 4-byte header")
    zero, code, ndim = struct.unpack(">HBB", head)
    if zero != 0:
        raise ValueError(
            f"{path}: not an IDX file: magic number 0x{head.hex()} "
            "(an IDX file starts with two zero bytes, a dtype code and the number of dimensions)"
        )
    if code not in IDX_DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in IDX_DTYPES)
        raise ValueError(f"{path}: unknown IDX dtype code 0x{code:02X} (known: {known})")
    if ndim == 0:
        raise ValueError(f"{path}: IDX header declares 0 dimensions")
    dims = reader.read(4 * ndim)
    if len(dims) < 4 * ndim:
        raise ValueError(
            f"{path}: truncated IDX header: {ndim} dimensions need {_HEADER + 4 * ndim} bytes, the file has "
            f"{_HEADER + len(dims)}"
        )
    shape = struct.unpack(f">{ndim}I", dims)
    dtype = IDX_DTYPES[code]
    expected = math.prod(shape) * dtype.itemsize  # type: ignore[attr-defined]  # Python ints: no int64 overflow
    if expected >= 2 ** 62:
        raise ValueError(f"{path}: header declares shape {shape}, {expected} bytes: larger than any array")
    data = reader.read(expected)
    extra = reader.read(1)  # one byte past the declared end tells "too long" without inflating the rest
    if len(data) != expected or extra:
        what = "truncated" if len(data) < expected else "too long"
        if len(data) < expected:
            got = len(data)
        elif not reader.compressed:  # a raw file's length is known without reading it
            got = reader.size - _HEADER - 4 * ndim
        else:  # a gzip stream's only by inflating it: count at most 1 MiB more
            rest = len(reader.read(1 << 20))
            got = f"{expected + 1 + rest}" if rest < 1 << 20 else f"more than {expected + 1 + rest}"
        raise ValueError(
            f"{path}: {what}: header declares shape {shape} of {dtype.newbyteorder('=').name} "  # type: ignore[attr-defined]
            f"= {expected} bytes of data, the file has {got}"
        )
    array = np.frombuffer(data, dtype=dtype).reshape(shape)  # type: ignore[call-overload]
    return array.astype(dtype.newbyteorder("="))  # type: ignore[attr-defined]  # a native-order, writable copy


def write_idx(path: str | os.PathLike[str], array: ArrayLike, compress: bool | None = None) -> None:
    """Write an array as an IDX file, atomically (temporary file, then ``os.replace``).

    Parameters
    ----------
    path : str or os.PathLike
        Destination.
    array : array_like
        Data of dtype uint8, int8, int16, int32, float32 or float64, with at least one dimension.
    compress : bool, optional
        gzip-compress the file. By default, compress when ``path`` ends in ``.gz``.

    Shape
    -----
    array: any shape with 1 to 255 dimensions, each below 2**32; it is stored in C order.

    Raises
    ------
    ValueError
        If the dtype has no IDX code, or the array is 0-dimensional.

    Examples
    --------
    >>> import os, tempfile, numpy as np
    >>> path = os.path.join(tempfile.mkdtemp(), "images-idx3-ubyte")
    >>> write_idx(path, np.zeros((2, 28, 28), dtype=np.uint8))
    >>> read_idx(path).shape
    (2, 28, 28)
    """
    array = np.asarray(array)
    native = array.dtype.newbyteorder("=")
    if native not in _CODES:
        names = ", ".join(dt.newbyteorder("=").name for dt in IDX_DTYPES.values())  # type: ignore[attr-defined]
        raise ValueError(f"write_idx: array dtype {array.dtype} has no IDX code (supported: {names})")
    if not 1 <= array.ndim <= 255:
        raise ValueError(f"write_idx: array must have 1 to 255 dimensions, got shape {array.shape}")
    header = struct.pack(">HBB", 0, _CODES[native], array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    payload = header + np.ascontiguousarray(array, dtype=native.newbyteorder(">")).tobytes()
    path = Path(path)
    if compress is None:
        compress = path.suffix == ".gz"
    if compress:
        payload = gzip.compress(payload, mtime=0)
    with atomic_path(path, suffix=".part") as tmp, open(tmp, "wb") as f:
        f.write(payload)
