"""Hostile data files: decompression bombs inflate only as far as their headers declare, IDX headers that
overflow or labels that are no class are refused, naming the file."""
import struct
import zlib

import numpy as np
import pytest

from tensorgate.data import load_mnist, read_idx, write_idx

from hostile import run_capped


def _gzip_bomb(path, header, inflated_bytes):
    """A gzip file whose stream is ``header`` followed by ``inflated_bytes`` zeros (compressed ~1000:1)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: gzip framing
    chunks = [compressor.compress(header)]
    block = b"\0" * (1 << 20)
    for _ in range(inflated_bytes >> 20):
        chunks.append(compressor.compress(block))
    chunks.append(compressor.flush())
    path.write_bytes(b"".join(chunks))
    return path


def test_an_idx_gzip_bomb_inflates_only_the_declared_size(tmp_path):
    # the header declares 16 bytes of uint8; the stream holds 1 GiB of zeros after them
    path = _gzip_bomb(tmp_path / "bomb-idx1-ubyte.gz", struct.pack(">HBBI", 0, 0x08, 1, 16), 1 << 30)
    assert path.stat().st_size < 3 << 20
    result = run_capped(f"""
        import time
        from tensorgate.data import read_idx
        start = time.perf_counter()
        try:
            read_idx({str(path)!r})
        except ValueError as err:
            print("refused", round(time.perf_counter() - start, 2), err)
    """, memory_mb=500, seconds=60)
    assert "refused" in result.stdout and "too long" in result.stdout, result.stderr[-2000:]
    assert "bomb-idx1-ubyte.gz" in result.stdout
    assert float(result.stdout.split()[1]) < 5


def test_idx_dimensions_that_overflow_int64_are_refused(tmp_path):
    path = tmp_path / "overflow-idx3-ubyte"
    # 2**32 - 1 cubed is about 2**96; NumPy's int64 product wrapped it to a size the data could match
    path.write_bytes(struct.pack(">HBB3I", 0, 0x08, 3, 2 ** 32 - 1, 2 ** 32 - 1, 2 ** 32 - 1))
    with pytest.raises(ValueError, match="overflow-idx3-ubyte.*larger than any array"):
        read_idx(path)
    path.write_bytes(struct.pack(">HBB4I", 0, 0x08, 4, 2 ** 16, 2 ** 16, 2 ** 16, 2 ** 16))  # exactly 2**64
    with pytest.raises(ValueError, match="larger than any array"):
        read_idx(path)


def test_a_fifo_is_not_read_as_idx(tmp_path):
    import os

    os.mkfifo(tmp_path / "pipe-idx1-ubyte")
    with pytest.raises(ValueError, match="not a regular file"):
        read_idx(tmp_path / "pipe-idx1-ubyte")


def _mnist_dir(tmp_path, train_labels):
    images = np.zeros((len(train_labels), 28, 28), np.uint8)
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", images)
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", train_labels)
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", images[:2])
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.array([1, 2], np.uint8))
    return tmp_path


@pytest.mark.parametrize("labels, match", [
    (np.array([1, -1, 2], np.int8), r"must lie in \[0, 10\), found \[-1\]"),
    (np.array([1.0, 2.5, 3.0], np.float32), "must be integers, got float32"),
    (np.array([1.0, 2.0, 3.0], np.float64), "must be integers"),
    (np.array([1, 10, 2], np.int16), r"found \[10\]"),
])
def test_labels_that_are_no_class_are_refused(tmp_path, labels, match):
    _mnist_dir(tmp_path, labels)
    with pytest.raises(ValueError, match="train-labels-idx1-ubyte.gz.*" + match):
        load_mnist(path=tmp_path, download=False, progress=False)


def test_good_labels_still_load(tmp_path):
    _mnist_dir(tmp_path, np.array([0, 9, 3], np.uint8))
    d = load_mnist(path=tmp_path, download=False, progress=False)
    assert d.y_train.tolist() == [0, 9, 3] and d.y_train.dtype == np.int64


# ---------------------------------------------------------------- NPZ: one reader for train, evaluate, predict
def _npy_header(shape, dtype="<f8"):
    import io

    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": dtype, "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def test_an_npz_whose_npy_header_lies_is_refused_before_allocating(tmp_path):
    import zipfile

    path = tmp_path / "liar.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        # declares 2**27 x 3 float64 (3 GiB); holds 48 bytes
        z.writestr("X.npy", _npy_header((2 ** 27, 3)) + b"\0" * 48)
        z.writestr("y.npy", _npy_header((2,), "<i8") + b"\0" * 16)
    result = run_capped(f"""
        from tensorgate.data import load_table, read_features
        for reader in (load_table, read_features):
            try:
                reader({str(path)!r})
            except ValueError as err:
                print("refused:", err)
    """, memory_mb=500, seconds=60)
    assert result.stdout.count("refused:") == 2, result.stderr[-2000:]
    assert "member table declares" in result.stdout


def test_an_npz_bomb_is_refused_by_its_compression_ratio(tmp_path):
    import zipfile

    path = tmp_path / "bomb.npz"
    n = 80 * 2 ** 20 // 8
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("X.npy", "w", force_zip64=True) as f:
            f.write(_npy_header((n // 4, 4)))
            block = b"\0" * (1 << 20)
            for _ in range(80):
                f.write(block)
        z.writestr("y.npy", _npy_header((n // 4,), "<i8"))
    assert path.stat().st_size < 1 << 20
    from tensorgate.data import read_features

    with pytest.raises(ValueError, match="bomb.npz.*decompression bomb"):
        read_features(path)


@pytest.mark.parametrize("arrays, match", [
    ({"X": np.zeros((0, 3))}, r"X has no rows \(shape \(0, 3\)\)"),
    ({"X": np.zeros((20, 0))}, r"X has no features \(shape \(20, 0\)\)"),
    ({"X": np.array([[1.0, 2.0], [np.nan, 0.0]])}, "nan or inf \\(first in row 1\\)"),
    ({"X": np.array([[1.0, np.inf]])}, "nan or inf"),
    ({"X": np.array([["a", "b"]])}, "numeric array"),
    ({"Z": np.zeros((2, 2))}, "needs an array named 'X'"),
])
def test_npz_features_that_cannot_be_predicted(tmp_path, arrays, match):
    from tensorgate.data import read_features

    path = tmp_path / "in.npz"
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="in.npz.*" + match):
        read_features(path)


def test_an_npz_member_that_is_not_an_array(tmp_path):
    import zipfile

    from tensorgate.data import load_table, read_features

    path = tmp_path / "odd.npz"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("X.npy", b"just some bytes")
        z.writestr("y.npy", b"more")
    for reader in (load_table, read_features):
        with pytest.raises(ValueError, match="odd.npz.*'X.npy' is not a NumPy array"):
            reader(path)


def test_the_label_column_rule_is_shared(tmp_path):
    from tensorgate.data import label_column_index, load_table, read_features

    assert label_column_index(["a", "Target", "b"]) == 1
    assert label_column_index(["a", "b", "c"]) == 2
    assert label_column_index(["a", "b", "c"], n_features=2) == 2
    assert label_column_index(["a", "b", "c"], n_features=3) is None
    assert label_column_index(["a", "b", "c"], n_features=5) is None
    path = tmp_path / "d.csv"
    path.write_text("a,b,c\n1,2,0\n3,4,1\n")
    X, y, _ = load_table(path)
    np.testing.assert_array_equal(read_features(path, n_features=2), X)
    path.write_text("label,a,b\n0,1,2\n1,3,4\n")
    np.testing.assert_array_equal(read_features(path, n_features=2), load_table(path).X)
