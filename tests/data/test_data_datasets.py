"""Finding, downloading and loading the IDX datasets; the scikit-learn datasets.

The download tests run against a local HTTP server on 127.0.0.1 (see conftest.py); the real network is
never touched.
"""
import os
from pathlib import Path

import numpy as np
import pytest

from tensorgate.data import (DatasetUnavailableError, TrainTestData, load_breast_cancer, load_digits,
                             load_fashion_mnist, load_mnist)
from tensorgate.data import datasets

FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")


def _check_small(data, n_train=20, n_test=10):
    X_train, y_train, X_test, y_test, classes = data  # unpacks like a tuple
    assert isinstance(data, TrainTestData)
    assert X_train.shape == (n_train, 784) and X_test.shape == (n_test, 784)
    assert X_train.dtype == np.float32 and y_train.dtype == np.int64
    assert X_train.min() == 0.0 and X_train.max() == 1.0
    np.testing.assert_array_equal(y_train, np.arange(n_train) % 10)
    assert len(classes) == 10


# ------------------------------------------------------------------ download
@pytest.mark.parametrize("loader", [load_fashion_mnist, load_mnist])
def test_download_verifies_caches_and_is_not_repeated(http_server, isolated, loader):
    url, requests, _, hashes = http_server
    data = loader(base_url=url, sha256=hashes, progress=False)
    _check_small(data)
    assert sorted(requests) == sorted(f"/{n}" for n in hashes)
    name = "fashion-mnist" if loader is load_fashion_mnist else "mnist"
    assert sorted(p.name for p in (isolated / name).iterdir()) == sorted(hashes)  # no temporary files
    requests.clear()
    again = loader(base_url=url, sha256=hashes, progress=False)
    assert requests == []  # served from the cache
    np.testing.assert_array_equal(again.X_train, data.X_train)


def test_module_constants_are_the_defaults(http_server, monkeypatch):
    url, requests, _, hashes = http_server
    monkeypatch.setattr(datasets, "FASHION_MNIST_URL", url)
    monkeypatch.setattr(datasets, "FASHION_MNIST_SHA256", hashes)
    _check_small(load_fashion_mnist(progress=False))
    assert len(requests) == 4


def test_only_missing_files_are_downloaded(http_server, isolated, make_idx_set):
    url, requests, served, hashes = http_server
    cache = isolated / "fashion-mnist"
    cache.mkdir(parents=True)
    (cache / "t10k-labels-idx1-ubyte.gz").write_bytes((served / "t10k-labels-idx1-ubyte.gz").read_bytes())
    load_fashion_mnist(base_url=url, sha256=hashes, progress=False)
    assert sorted(requests) == ["/t10k-images-idx3-ubyte.gz", "/train-images-idx3-ubyte.gz",
                                "/train-labels-idx1-ubyte.gz"]


def test_progress_bar_is_shown(http_server, capsys):
    url, _, _, hashes = http_server
    load_fashion_mnist(base_url=url, sha256=hashes, progress=True)
    assert "train-images-idx3-ubyte.gz" in capsys.readouterr().err


def test_hash_mismatch_is_an_error_and_leaves_nothing_in_the_cache(http_server, isolated):
    url, _, served, hashes = http_server
    damaged = served / "train-images-idx3-ubyte.gz"
    data = bytearray(damaged.read_bytes())
    data[-20] ^= 0xFF
    damaged.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="SHA-256 mismatch .*train-images-idx3-ubyte.gz.*discarded") as err:
        load_fashion_mnist(base_url=url, sha256=hashes, progress=False)
    assert hashes["train-images-idx3-ubyte.gz"] in str(err.value)
    cache = isolated / "fashion-mnist"
    assert "train-images-idx3-ubyte.gz" not in os.listdir(cache)
    assert not [n for n in os.listdir(cache) if n.endswith(".part")]


def test_unreachable_server_lists_the_options(monkeypatch, tmp_path):
    monkeypatch.setenv("TENSORGATE_DATA", str(tmp_path / "mydata"))
    with pytest.raises(DatasetUnavailableError) as err:
        load_fashion_mnist(progress=False)  # the conftest points the mirror at a closed local port
    message = str(err.value)
    assert "Fashion-MNIST is not available" in message
    assert "offline" in message
    assert "path=" in message
    assert str(tmp_path / "mydata" / "fashion-mnist") in message
    assert datasets.SYSTEM_DIRS["fashion-mnist"] in message
    assert "apt-get install dataset-fashion-mnist" in message
    assert str(tmp_path / "cache" / "fashion-mnist") in message
    assert "TENSORGATE_CACHE" in message
    assert isinstance(err.value, OSError)
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]


def test_unreachable_message_says_when_data_dir_is_unset():
    with pytest.raises(DatasetUnavailableError, match="TENSORGATE_DATA is not set"):
        load_mnist(progress=False)


def test_http_error_is_reported(http_server):
    url, _, served, hashes = http_server
    (served / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DatasetUnavailableError, match="HTTP 404"):
        load_mnist(base_url=url, sha256=hashes, progress=False)


def test_download_false_does_not_download(http_server):
    url, requests, _, hashes = http_server
    with pytest.raises(DatasetUnavailableError, match="download=False"):
        load_fashion_mnist(base_url=url, sha256=hashes, download=False)
    assert requests == []


# ------------------------------------------------------------------ where the files are looked for
@pytest.fixture
def four_places(tmp_path, monkeypatch, make_idx_set, isolated):
    """The same dataset shape in each place, told apart by the number of training examples."""
    make_idx_set(tmp_path / "explicit", n_train=11)
    make_idx_set(tmp_path / "env" / "fashion-mnist", n_train=12)
    make_idx_set(tmp_path / "system", n_train=13)
    make_idx_set(isolated / "fashion-mnist", n_train=14)
    monkeypatch.setenv("TENSORGATE_DATA", str(tmp_path / "env"))
    monkeypatch.setitem(datasets.SYSTEM_DIRS, "fashion-mnist", str(tmp_path / "system"))
    return tmp_path


def _n_train(**kwargs):
    return load_fashion_mnist(progress=False, **kwargs).X_train.shape[0]


def test_search_order(four_places, monkeypatch, isolated):
    assert _n_train(path=four_places / "explicit") == 11
    assert _n_train() == 12
    monkeypatch.delenv("TENSORGATE_DATA")
    assert _n_train() == 13
    monkeypatch.setitem(datasets.SYSTEM_DIRS, "fashion-mnist", str(four_places / "nowhere"))
    assert _n_train() == 14


def test_incomplete_directory_is_skipped(four_places):
    (four_places / "env" / "fashion-mnist" / "t10k-labels-idx1-ubyte.gz").unlink()
    assert _n_train() == 13


def test_explicit_path_is_the_only_place_searched(four_places):
    (four_places / "explicit" / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match="lacks train-labels-idx1-ubyte"):
        _n_train(path=four_places / "explicit")


def test_raw_files_are_found_too(tmp_path, make_idx_set):
    make_idx_set(tmp_path / "raw", gz=False)
    _check_small(load_mnist(path=tmp_path / "raw"))


def test_cache_root_follows_tensorgate_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("TENSORGATE_CACHE", str(tmp_path / "elsewhere"))
    assert datasets.cache_dir("mnist") == tmp_path / "elsewhere" / "mnist"
    monkeypatch.delenv("TENSORGATE_CACHE")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert datasets.cache_dir("mnist") == Path.home() / ".cache" / "tensorgate" / "mnist"


# ------------------------------------------------------------------ loading options and bad files
def test_as_images_and_float64(small_idx):
    directory, _ = small_idx
    data = load_fashion_mnist(path=directory, as_images=True, dtype=np.float64)
    assert data.X_train.shape == (20, 1, 28, 28) and data.X_test.shape == (10, 1, 28, 28)
    assert data.X_train.dtype == np.float64
    flat = load_fashion_mnist(path=directory)
    np.testing.assert_allclose(data.X_train.reshape(20, -1), flat.X_train, rtol=1e-7)


def test_corrupt_local_file_names_the_file(small_idx):
    directory, _ = small_idx
    bad = directory / "t10k-images-idx3-ubyte.gz"
    bad.write_bytes(bad.read_bytes()[:-30])
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte.gz"):
        load_fashion_mnist(path=directory)


def test_mismatched_label_count_is_an_error(tmp_path, make_idx_set):
    make_idx_set(tmp_path / "a", n_train=20)
    make_idx_set(tmp_path / "b", n_train=21)
    (tmp_path / "a" / "train-labels-idx1-ubyte.gz").write_bytes(
        (tmp_path / "b" / "train-labels-idx1-ubyte.gz").read_bytes())
    with pytest.raises(ValueError, match="expected 20 labels"):
        load_mnist(path=tmp_path / "a")


def test_repr_shows_shapes_not_values(small_idx):
    text = repr(load_mnist(path=small_idx[0]))
    assert "float32 (20, 784)" in text and "classes: 10" in text


# ------------------------------------------------------------------ the real Fashion-MNIST
@pytest.mark.skipif(not (FASHION_DIR / "train-images-idx3-ubyte.gz").exists(),
                    reason="Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)")
def test_real_fashion_mnist_from_the_debian_package():
    X_train, y_train, X_test, y_test, classes = load_fashion_mnist(path=FASHION_DIR)
    assert X_train.shape == (60000, 784) and X_test.shape == (10000, 784)
    assert X_train.dtype == np.float32 and X_test.dtype == np.float32
    assert y_train.dtype == np.int64 and y_test.dtype == np.int64
    assert X_train.min() == 0.0 and X_train.max() == 1.0
    assert 0.25 < X_train.mean() < 0.32  # Fashion-MNIST's mean pixel is about 0.286
    np.testing.assert_array_equal(np.bincount(y_train), [6000] * 10)
    np.testing.assert_array_equal(np.bincount(y_test), [1000] * 10)
    assert classes[0] == "T-shirt/top" and classes[9] == "Ankle boot"
    # label 9 (ankle boot): the image's lower half holds more ink than its upper half
    boots = X_train[y_train == 9].reshape(-1, 28, 28)
    assert boots[:, 14:].mean() > boots[:, :14].mean()


@pytest.mark.skipif(not (FASHION_DIR / "train-images-idx3-ubyte.gz").exists(),
                    reason="Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)")
def test_real_fashion_mnist_is_found_in_the_system_directory(monkeypatch):
    monkeypatch.setitem(datasets.SYSTEM_DIRS, "fashion-mnist", str(FASHION_DIR))
    data = load_fashion_mnist(as_images=True, download=False)
    assert data.X_train.shape == (60000, 1, 28, 28)


# ------------------------------------------------------------------ scikit-learn's datasets
def test_digits():
    X_train, y_train, X_test, y_test, classes = load_digits()
    assert X_train.shape == (1347, 64) and X_test.shape == (450, 64)
    assert X_train.dtype == np.float32 and y_train.dtype == np.int64
    assert X_train.min() == 0.0 and X_train.max() == 1.0
    assert classes == tuple("0123456789")
    # stratified: each class's share of the test set is within one example of its share overall
    counts = np.bincount(np.concatenate([y_train, y_test]))
    assert np.all(np.abs(np.bincount(y_test) - counts * 450 / 1797) <= 1)
    images = load_digits(as_images=True)
    assert images.X_train.shape == (1347, 1, 8, 8)
    np.testing.assert_array_equal(images.X_train.reshape(1347, 64), X_train)


def test_digits_split_is_seeded():
    a, b, c = load_digits(random_state=1), load_digits(random_state=1), load_digits(random_state=2)
    np.testing.assert_array_equal(a.y_train, b.y_train)
    assert not np.array_equal(a.y_train, c.y_train)


def test_breast_cancer():
    data = load_breast_cancer(test_size=0.2)
    assert data.X_train.shape == (455, 30) and data.X_test.shape == (114, 30)
    assert data.X_train.dtype == np.float32 and data.y_test.dtype == np.int64
    assert data.classes == ("malignant", "benign")
    assert abs(data.y_train.mean() - data.y_test.mean()) < 0.02


def test_a_download_without_a_known_hash_is_refused(http_server):
    url, requests, _, hashes = http_server
    del hashes["train-labels-idx1-ubyte.gz"]
    with pytest.raises(ValueError, match="no SHA-256 digest known for train-labels-idx1-ubyte.gz"):
        load_mnist(base_url=url, sha256=hashes, progress=False)
    assert "/train-labels-idx1-ubyte.gz" not in requests


def test_download_false_message_suggests_download_true():
    with pytest.raises(DatasetUnavailableError, match=r"load_mnist\(download=True\)"):
        load_mnist(download=False)
