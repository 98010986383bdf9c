"""The IDX reader and writer: round trips, and each kind of damage as a clear ValueError naming the file."""
import gzip
import struct

import numpy as np
import pytest

from tensorgate.data import read_idx, write_idx


@pytest.mark.parametrize("dtype", ["uint8", "int8", ">i2", "<i2", "int32", "float32", "float64"])
@pytest.mark.parametrize("gz", [True, False])
def test_round_trip_every_dtype(tmp_path, dtype, gz):
    rng = np.random.default_rng(0)
    array = (rng.standard_normal((3, 4, 5)) * 50).astype(dtype)
    path = tmp_path / ("a.idx.gz" if gz else "a.idx")
    write_idx(path, array)
    back = read_idx(path)
    assert back.dtype == np.dtype(dtype).newbyteorder("=")
    assert back.shape == (3, 4, 5)
    np.testing.assert_array_equal(back, array)
    assert back.flags.writeable
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == gz


@pytest.mark.parametrize("shape", [(7,), (2, 3), (1, 1, 1, 4), (0, 28, 28)])
def test_round_trip_shapes(tmp_path, shape):
    array = np.arange(int(np.prod(shape)), dtype=np.uint8).reshape(shape)
    write_idx(tmp_path / "x", array)
    np.testing.assert_array_equal(read_idx(tmp_path / "x"), array)


def test_header_is_the_documented_layout(tmp_path):
    write_idx(tmp_path / "x", np.zeros((2, 3), np.uint8))
    raw = (tmp_path / "x").read_bytes()
    # two zero bytes, dtype 0x08 (uint8), 2 dimensions, then 2 and 3 as big-endian uint32, then 6 bytes
    assert raw == bytes([0, 0, 0x08, 2]) + struct.pack(">II", 2, 3) + bytes(6)


def test_compression_is_detected_from_the_bytes_not_the_name(tmp_path):
    array = np.arange(6, dtype=np.uint8)
    write_idx(tmp_path / "compressed-but-no-suffix", array, compress=True)
    write_idx(tmp_path / "raw-but-named.gz", array, compress=False)
    np.testing.assert_array_equal(read_idx(tmp_path / "compressed-but-no-suffix"), array)
    np.testing.assert_array_equal(read_idx(tmp_path / "raw-but-named.gz"), array)


def test_write_is_atomic_and_leaves_no_temporary_files(tmp_path):
    write_idx(tmp_path / "x.gz", np.ones((4, 4), np.float32))
    assert [p.name for p in tmp_path.iterdir()] == ["x.gz"]


def test_writer_refuses_unsupported_arrays(tmp_path):
    with pytest.raises(ValueError, match="dtype int64 has no IDX code"):
        write_idx(tmp_path / "x", np.arange(3))
    with pytest.raises(ValueError, match="1 to 255 dimensions"):
        write_idx(tmp_path / "x", np.uint8(3))
    assert not list(tmp_path.iterdir())


def _good(tmp_path):
    path = tmp_path / "images-idx3-ubyte"
    write_idx(path, np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4))
    return path, path.read_bytes()


@pytest.mark.parametrize("damage, message", [
    (lambda b: b"\x08\x03" + b[2:], "not an IDX file: magic number 0x0803"),   # first two bytes not zero
    (lambda b: b"PK\x03\x04" + b[4:], "not an IDX file"),                       # a zip, not IDX
    (lambda b: b[:2] + b"\x07" + b[3:], "unknown IDX dtype code 0x07"),
    (lambda b: b[:3] + b"\x00" + b[4:], "0 dimensions"),
    (lambda b: b[:3], "only 3 bytes"),
    (lambda b: b[:10], "truncated IDX header: 3 dimensions need 16 bytes"),
    (lambda b: b[:-1], r"truncated: header declares shape \(2, 3, 4\) of uint8 = 24 bytes of data, the file has 23"),
    (lambda b: b + b"\x00", "too long: .* the file has 25"),
    (lambda b: b[:3] + b"\x02" + b[4:], "too long"),                            # ndim 2: wrong size
])
@pytest.mark.parametrize("gz", [False, True])
def test_corrupt_files_are_clear_errors_naming_the_file(tmp_path, damage, message, gz):
    path, raw = _good(tmp_path)
    data = damage(raw)
    path.write_bytes(gzip.compress(data) if gz else data)
    with pytest.raises(ValueError, match=message) as err:
        read_idx(path)
    assert str(path) in str(err.value)


def test_truncated_gzip(tmp_path):
    path, raw = _good(tmp_path)
    big = np.random.default_rng(0).integers(0, 256, size=(50, 28, 28), dtype=np.uint8)
    write_idx(path, big, compress=True)
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(ValueError, match="truncated gzip stream") as err:
        read_idx(path)
    assert str(path) in str(err.value)


@pytest.mark.parametrize("damage", [
    lambda z: z[:3] + b"\xff" + z[4:],                          # bad gzip flags byte
    lambda z: z[:10] + bytes(b ^ 0x5A for b in z[10:20]) + z[20:],  # garbled deflate data
    lambda z: z[:-8] + bytes(8),                                # wrong CRC and length
])
def test_bad_gzip(tmp_path, damage):
    path, raw = _good(tmp_path)
    path.write_bytes(damage(gzip.compress(raw)))
    with pytest.raises(ValueError, match="gzip") as err:
        read_idx(path)
    assert str(path) in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no-such-file"):
        read_idx(tmp_path / "no-such-file")
