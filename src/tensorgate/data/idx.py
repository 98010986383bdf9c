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
import gzip
import struct
import zlib
from pathlib import Path

import numpy as np

from ..backend.files import atomic_path

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
_CODES = {dt.newbyteorder("="): code for code, dt in IDX_DTYPES.items()}

_GZIP_MAGIC = b"\x1f\x8b"
_HEADER = 4  # two zero bytes, the dtype code, ndim


def _read_bytes(path):
    """The file's bytes, decompressed when it starts with the gzip magic number."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no such IDX file") from None
    if raw[:2] != _GZIP_MAGIC:
        return raw
    try:
        return gzip.decompress(raw)
    except EOFError:
        raise ValueError(f"{path}: truncated gzip stream (the download or copy stopped early)") from None
    except (OSError, zlib.error) as err:  # gzip.BadGzipFile is an OSError
        raise ValueError(f"{path}: corrupt gzip data ({err})") from None


def read_idx(path):
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
    data = _read_bytes(path)
    if len(data) < _HEADER:
        raise ValueError(f"{path}: not an IDX file: only {len(data)} bytes, shorter than the 4-byte header")
    zero, code, ndim = struct.unpack(">HBB", data[:_HEADER])
    if zero != 0:
        raise ValueError(
            f"{path}: not an IDX file: magic number 0x{data[:4].hex()} "
            "(an IDX file starts with two zero bytes, a dtype code and the number of dimensions)"
        )
    if code not in IDX_DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in IDX_DTYPES)
        raise ValueError(f"{path}: unknown IDX dtype code 0x{code:02X} (known: {known})")
    if ndim == 0:
        raise ValueError(f"{path}: IDX header declares 0 dimensions")
    dims_end = _HEADER + 4 * ndim
    if len(data) < dims_end:
        raise ValueError(
            f"{path}: truncated IDX header: {ndim} dimensions need {dims_end} bytes, the file has {len(data)}"
        )
    shape = struct.unpack(f">{ndim}I", data[_HEADER:dims_end])
    dtype = IDX_DTYPES[code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    got = len(data) - dims_end
    if got != expected:
        what = "truncated" if got < expected else "too long"
        raise ValueError(
            f"{path}: {what}: header declares shape {shape} of {dtype.newbyteorder('=').name} "
            f"= {expected} bytes of data, the file has {got}"
        )
    array = np.frombuffer(data, dtype=dtype, offset=dims_end).reshape(shape)
    return array.astype(dtype.newbyteorder("="))  # a native-order, writable copy


def write_idx(path, array, compress=None):
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
        names = ", ".join(dt.newbyteorder("=").name for dt in IDX_DTYPES.values())
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
