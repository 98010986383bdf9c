"""Fixtures for tensorgate.data: an isolated environment, small IDX datasets, a local HTTP server.

Every test here runs with the cache in a temporary directory, no $TENSORGATE_DATA, a system directory that
does not exist and download mirrors that point at a closed local port, so no test can read the user's
files or reach the real network, even by mistake.
"""
import functools
import hashlib
import http.server
import socket
import threading
from pathlib import Path

import numpy as np
import pytest

from tensorgate.data import datasets
from tensorgate.data.idx import write_idx

IDX_NAMES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def closed_port_url():
    """An http URL on 127.0.0.1 where nothing listens: connecting is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("TENSORGATE_CACHE", str(cache))
    monkeypatch.delenv("TENSORGATE_DATA", raising=False)
    monkeypatch.setattr(datasets, "SYSTEM_DIRS", {"fashion-mnist": str(tmp_path / "no-system" / "fashion"),
                                                  "mnist": str(tmp_path / "no-system" / "mnist")})
    dead = closed_port_url()
    monkeypatch.setattr(datasets, "FASHION_MNIST_URL", dead)
    monkeypatch.setattr(datasets, "MNIST_URL", dead)
    return cache


def write_small_idx_set(directory, seed=0, n_train=20, n_test=10, gz=True):
    """Four small IDX files shaped like (Fashion-)MNIST's; returns {file name: sha256}."""
    rng = np.random.default_rng(seed)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, size=(n_train, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": (np.arange(n_train) % 10).astype(np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, size=(n_test, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": (np.arange(n_test) % 10).astype(np.uint8),
    }
    arrays["train-images-idx3-ubyte"][0, 0, :2] = [0, 255]  # both ends of the pixel range
    hashes = {}
    for stem, array in arrays.items():
        name = f"{stem}.gz" if gz else stem
        write_idx(directory / name, array, compress=gz)
        hashes[f"{stem}.gz"] = hashlib.sha256((directory / name).read_bytes()).hexdigest()
    return hashes


@pytest.fixture
def make_idx_set():
    """The function that writes four small IDX files: make_idx_set(directory, seed=0, ..., gz=True)."""
    return write_small_idx_set


@pytest.fixture
def small_idx(tmp_path):
    """A directory with four small gzip IDX files, and their SHA-256s."""
    directory = tmp_path / "served"
    return directory, write_small_idx_set(directory)


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output quiet
        pass

    def do_GET(self):
        self.server.requests.append(self.path)
        super().do_GET()


@pytest.fixture
def http_server(small_idx):
    """Serve the small IDX directory on 127.0.0.1 from a thread; yields (base_url, requests, directory, hashes).

    The server stops at teardown, and a watchdog stops it after 60 s in any case.
    """
    directory, hashes = small_idx
    handler = functools.partial(_Handler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    watchdog = threading.Timer(60, server.shutdown)
    watchdog.daemon = True
    thread.start()
    watchdog.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", server.requests, directory, hashes
    finally:
        watchdog.cancel()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
