"""The file format: bit-exact round trips, atomic writes, and a clean error for every damaged file."""
import hashlib
import json
import os
import pickle
import struct

import numpy as np
import pytest

import tensorgate as tg
from tensorgate.io import ModelFileError, load, save
from tensorgate.io.format import FORMAT_VERSION, MAGIC, read_file


def _arrays():
    rng = np.random.default_rng(0)
    return {
        "f32": rng.normal(size=(3, 5)).astype(np.float32),
        "f64": rng.normal(size=(7,)),
        "i64": rng.integers(-2**62, 2**62, size=(2, 2, 2)),
        "bool": rng.random(4) > 0.5,
        "empty": np.zeros((0, 3), np.float32),
        "scalar": np.array(np.pi),
        "special": np.array([np.nan, np.inf, -np.inf, -0.0, 5e-324, np.finfo(np.float32).max], np.float32),
        "big_endian": np.arange(4, dtype=">f8"),
        "fortran": np.asfortranarray(rng.normal(size=(3, 4))),
    }


def test_dict_round_trip_is_bit_exact(tmp_path):
    arrays = _arrays()
    obj = {"arrays": arrays, "n": 3, "lr": 0.1, "name": "run", "none": None, "pair": (1, 2.5), "list": [1, "a"],
           "int_keys": {0: {"step": 2}, 1: {}}, "nan": float("nan"), "inf": float("-inf"), "flag": True,
           "np_scalar": np.float32(1.5), "t": tg.tensor([1.0, 2.0], requires_grad=True)}
    path = tmp_path / "d.tgate"
    save(obj, path, metadata={"note": "hello", "epoch": 3})
    back = load(path)
    for key, a in arrays.items():
        b = back["arrays"][key]
        assert b.shape == a.shape and b.dtype == a.dtype.newbyteorder("=")
        assert np.ascontiguousarray(a.astype(b.dtype)).tobytes() == b.tobytes()  # bit for bit
        np.testing.assert_array_equal(a, b)
        assert b.flags.writeable
    assert back["arrays"]["special"].view(np.uint32).tolist() == arrays["special"].view(np.uint32).tolist()
    assert back["n"] == 3 and back["lr"] == 0.1 and back["name"] == "run" and back["none"] is None
    assert back["pair"] == (1, 2.5) and back["list"] == [1, "a"] and back["flag"] is True
    assert back["int_keys"] == {0: {"step": 2}, 1: {}}
    assert np.isnan(back["nan"]) and back["inf"] == float("-inf")
    assert back["np_scalar"] == 1.5
    assert isinstance(back["t"], tg.Tensor) and back["t"].requires_grad
    assert tg.io.read_metadata(path)["metadata"] == {"note": "hello", "epoch": 3}


def test_layout_matches_the_spec(tmp_path):
    path = tmp_path / "w.tgate"
    save({"w": np.arange(3, dtype=np.float32)}, path)
    blob = path.read_bytes()
    magic, version, header_length, data_length = struct.unpack_from("<8sIQQ", blob)
    assert magic == MAGIC == b"TGATE\x89\r\n" and version == FORMAT_VERSION == 1
    header = json.loads(blob[28:28 + header_length])
    assert header["kind"] == "dict" and header["format_version"] == 1
    (row,) = header["tensors"]
    assert row == {"name": "/w", "dtype": "<f4", "shape": [3], "offset": 0, "nbytes": 12}
    data_start = 28 + header_length + (-(28 + header_length)) % 64
    assert len(blob) == data_start + data_length + 32
    assert blob[data_start:data_start + 12] == np.arange(3, dtype="<f4").tobytes()
    assert blob[-32:] == hashlib.sha256(blob[:-32]).digest()
    assert header["payload"] == {"w": {"__tensor__": "/w"}}


def test_write_is_atomic_and_leaves_no_temporary_files(tmp_path, monkeypatch):
    path = tmp_path / "a.tgate"
    save({"x": np.ones(3)}, path)
    before = path.read_bytes()

    import tensorgate.io.format as fmt

    def broken_replace(src, dst):
        raise OSError("disk gone")

    monkeypatch.setattr(fmt.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk gone"):
        save({"x": np.zeros(3)}, path)
    assert path.read_bytes() == before  # the old file is untouched
    assert os.listdir(tmp_path) == ["a.tgate"]  # and the temporary file is gone


def test_unsupported_objects_are_type_errors(tmp_path):
    with pytest.raises(TypeError, match="cannot store an object of type set"):
        save({"s": {1, 2}}, tmp_path / "x.tgate")
    with pytest.raises(TypeError, match="dtype object"):
        save({"o": np.array([object()])}, tmp_path / "x.tgate")
    with pytest.raises(TypeError, match="expected a Module or a dict"):
        save([1, 2], tmp_path / "x.tgate")
    assert not os.listdir(tmp_path)


# ---------------------------------------------------------------- damaged files
@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "good.tgate"
    save({"w": np.arange(100, dtype=np.float32), "b": np.ones(3)}, path)
    return path


def _rewrite(path, blob, fix_checksum=False):
    if fix_checksum:
        blob = blob[:-32] + hashlib.sha256(blob[:-32]).digest()
    path.write_bytes(blob)


def test_missing_file(tmp_path):
    with pytest.raises(ModelFileError, match="no such file"):
        load(tmp_path / "nope.tgate")
    with pytest.raises(ModelFileError, match="directory"):
        load(tmp_path)


@pytest.mark.parametrize("keep", [0, 4, 20, 60, 200, -33, -1])
def test_truncated_file(good_file, keep):
    blob = good_file.read_bytes()
    good_file.write_bytes(blob[:keep] if keep >= 0 else blob[:len(blob) + keep])
    with pytest.raises(ModelFileError, match="truncated|not a tensorgate file"):
        load(good_file)


def test_trailing_bytes(good_file):
    good_file.write_bytes(good_file.read_bytes() + b"\0")
    with pytest.raises(ModelFileError, match="unexpected bytes after its end"):
        load(good_file)


@pytest.mark.parametrize("where", [30, 100, -40, -1])
def test_flipped_byte_fails_the_checksum(good_file, where):
    blob = bytearray(good_file.read_bytes())
    blob[where] ^= 0x01
    good_file.write_bytes(bytes(blob))
    with pytest.raises(ModelFileError, match="corrupted"):
        load(good_file)


@pytest.mark.parametrize("content, what", [
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "PNG"),
    (pickle.dumps({"a": 1}), "pickle"),
    (b"PK\x03\x04" + b"\0" * 100, "zip"),
    (b"\x93NUMPY" + b"\0" * 100, "npy"),
    (b"hello world, just some text" * 3, "not a tensorgate file"),
])
def test_foreign_files(tmp_path, content, what):
    path = tmp_path / "foreign.tgate"
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match=f"not a tensorgate file.*{what}|{what}"):
        load(path)


def test_pickle_file_is_never_unpickled(tmp_path):
    class Boom:
        def __reduce__(self):
            return (os.mkdir, (str(tmp_path / "pwned"),))

    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps(Boom()))
    with pytest.raises(ModelFileError, match="pickle"):
        load(path)
    assert not (tmp_path / "pwned").exists()


def test_future_version(good_file):
    blob = bytearray(good_file.read_bytes())
    struct.pack_into("<I", blob, 8, FORMAT_VERSION + 1)
    _rewrite(good_file, bytes(blob), fix_checksum=True)
    with pytest.raises(ModelFileError, match="newer tensorgate.*Upgrade"):
        load(good_file)
    struct.pack_into("<I", blob, 8, FORMAT_VERSION + 1)
    _rewrite(good_file, bytes(blob), fix_checksum=False)  # even with a bad checksum: say upgrade first
    with pytest.raises(ModelFileError, match="newer tensorgate"):
        load(good_file)


def _craft(path, header, data=b"", version=FORMAT_VERSION):
    """A file with a valid checksum around an arbitrary header: what an attacker could write."""
    header_bytes = json.dumps(header).encode()
    head = struct.pack("<8sIQQ", MAGIC, version, len(header_bytes), len(data)) + header_bytes
    head += b"\0" * ((-len(head)) % 64)
    body = head + data
    path.write_bytes(body + hashlib.sha256(body).digest())


def _header(tensors, payload=None, kind="dict"):
    return {"format_version": 1, "kind": kind, "tensors": tensors, "payload": payload or {}, "metadata": {}}


@pytest.mark.parametrize("row, match", [
    ({"name": "w", "dtype": "<f4", "shape": [10], "offset": 0, "nbytes": 40}, "does not fit the file"),
    ({"name": "w", "dtype": "<f4", "shape": [2], "offset": 8, "nbytes": 8}, "does not fit the file"),
    ({"name": "w", "dtype": "<f4", "shape": [3], "offset": 0, "nbytes": 8}, "needs 12"),
    ({"name": "w", "dtype": "|O", "shape": [1], "offset": 0, "nbytes": 8}, "dtype '|O'"),
    ({"name": "w", "dtype": "<f4", "shape": [-1], "offset": 0, "nbytes": 4}, "invalid shape"),
    ({"name": "w", "dtype": "<f4", "shape": [1], "offset": -4, "nbytes": 4}, "invalid offset"),
    ({"name": "w", "dtype": "<f4"}, "lacks"),
])
def test_header_whose_tensors_do_not_fit(tmp_path, row, match):
    path = tmp_path / "crafted.tgate"
    _craft(path, _header([row]), data=b"\0" * 12)
    with pytest.raises(ModelFileError, match=match):
        load(path)


def test_bad_json_header_and_dangling_reference(tmp_path):
    path = tmp_path / "crafted.tgate"
    body = struct.pack("<8sIQQ", MAGIC, 1, 5, 0) + b"{nope"
    body += b"\0" * ((-len(body)) % 64)
    path.write_bytes(body + hashlib.sha256(body).digest())
    with pytest.raises(ModelFileError, match="unreadable header"):
        load(path)
    _craft(path, _header([], payload={"w": {"__tensor__": "missing"}}))
    with pytest.raises(ModelFileError, match="not in the tensor table"):
        load(path)
    _craft(path, _header([], kind="spaceship"))
    with pytest.raises(ModelFileError, match="unknown kind"):
        load(path)


def test_read_file_returns_header_and_tensors(good_file):
    header, tensors = read_file(good_file)
    assert header["kind"] == "dict" and set(tensors) == {"/w", "/b"}


def test_saved_files_get_the_permissions_of_a_new_file(tmp_path):
    import os

    import tensorgate as tg

    mask = os.umask(0o022)
    try:
        path = tmp_path / "model.tgate"
        tg.save(tg.nn.Linear(2, 3), path)
        assert (path.stat().st_mode & 0o777) == 0o644   # not mkstemp's 0600
    finally:
        os.umask(mask)
