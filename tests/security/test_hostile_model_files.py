"""Hostile model files: every damaged or crafted file (with a valid checksum) is a ModelFileError that
names the file, quickly and within bounded memory; non-regular files are refused before they are read."""
import os
import struct
import threading

import numpy as np
import pytest

import tensorgate as tg
from tensorgate import nn
from tensorgate.io import ModelFileError, load, load_checkpoint, read_metadata
from tensorgate.io.format import MAGIC

from hostile import craft, header, run_capped


def _linear_config(n_in, n_out):
    return {"type": "Linear", "args": [n_in, n_out], "kwargs": {}}


def test_a_tiny_file_naming_a_huge_layer_is_refused_before_building_it(tmp_path):
    # 488 bytes naming Linear(20000, 20000) without tensors cost 4.77 GB and 15-28 s before "missing keys".
    path = craft(tmp_path / "huge.tgate", header(kind="module", payload={"config": _linear_config(20000, 20000),
                                                                         "state": {}}))
    assert path.stat().st_size < 1000
    result = run_capped(f"""
        import time, tensorgate as tg
        start = time.perf_counter()
        try:
            tg.load({str(path)!r})
        except tg.io.ModelFileError as err:
            print("refused", round(time.perf_counter() - start, 3), err)
    """, memory_mb=700, seconds=60)
    assert "refused" in result.stdout, result.stderr[-2000:]
    assert "needs more weights than the file holds" in result.stdout
    assert float(result.stdout.split()[1]) < 2.0


def test_a_file_whose_weights_do_not_fit_the_config_names_the_file(tmp_path):
    weight = np.zeros((3, 2), np.float32)
    rows = [{"name": "w", "dtype": "<f4", "shape": [3, 2], "offset": 0, "nbytes": 24}]
    path = craft(tmp_path / "m.tgate", header(rows, kind="module", payload={
        "config": _linear_config(2, 3), "state": {"weight": {"__tensor__": "w"}}}), data=weight.tobytes())
    with pytest.raises(ModelFileError, match="m.tgate.*do not fit its architecture"):
        load(path)


def test_a_real_model_still_loads(tmp_path):
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))
    tg.save(model, tmp_path / "m.tgate")
    back = load(tmp_path / "m.tgate")
    for a, b in zip(model.state_dict().values(), back.state_dict().values()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("row, match", [
    ({"name": "w", "dtype": ["<f4"], "shape": [1], "offset": 0, "nbytes": 4}, "dtype"),
    ({"name": "w", "dtype": {"a": 1}, "shape": [1], "offset": 0, "nbytes": 4}, "dtype"),
    ({"name": "w", "dtype": "<f4", "shape": [0, 2 ** 63], "offset": 0, "nbytes": 0}, "too large"),
    ({"name": "w", "dtype": "<f4", "shape": [2 ** 40, 2 ** 40, 0], "offset": 0, "nbytes": 0}, "too large"),
    ({"name": "w", "dtype": "<f4", "shape": [1] * 65, "offset": 0, "nbytes": 4}, "65 dimensions"),
    ({"name": "w", "dtype": "<f4", "shape": "[1]", "offset": 0, "nbytes": 4}, "invalid shape"),
    ({"name": "w", "dtype": "<f4", "shape": [1.0], "offset": 0, "nbytes": 4}, "invalid shape"),
    ({"name": "w", "dtype": "<f4", "shape": [True], "offset": 0, "nbytes": 4}, "invalid shape"),
    ({"name": ["w"], "dtype": "<f4", "shape": [1], "offset": 0, "nbytes": 4}, "name that is not a string"),
    ({"name": "w", "dtype": "<f4", "shape": [1], "offset": 1.5, "nbytes": 4}, "invalid offset"),
    ({"name": "w", "dtype": "<f4", "shape": [1], "offset": 2 ** 70, "nbytes": 4}, "does not fit"),
    ("w", "lacks"),
])
def test_malformed_tensor_tables(tmp_path, row, match):
    path = craft(tmp_path / "bad.tgate", header([row]), data=b"\0" * 64)
    with pytest.raises(ModelFileError, match=match) as err:
        load(path)
    assert "bad.tgate" in str(err.value)


def test_overlapping_tensors_cannot_multiply_the_memory(tmp_path):
    rows = [{"name": f"w{i}", "dtype": "<f8", "shape": [8], "offset": 0, "nbytes": 64} for i in range(1000)]
    path = craft(tmp_path / "overlap.tgate", header(rows), data=b"\0" * 64)
    with pytest.raises(ModelFileError, match="overlap"):
        load(path)


@pytest.mark.parametrize("make, match", [
    (lambda: b'{"format_version": 1, "kind": "dict", "tensors": [], "payload": NaN, "metadata": {}}', "NaN"),
    (lambda: b'{"format_version": 1, "kind": "dict", "tensors": [], "payload": -Infinity, "metadata": {}}',
     "Infinity"),
    (lambda: b'{"format_version": 1, "kind": "dict", "tensors": [], "payload": ' + b"[" * 990 + b"]" * 990
     + b', "metadata": {}}', "nested"),
    (lambda: b'{"format_version": 1, "kind": "dict", "tensors": [], "payload": ' + b"[" * 150 + b"]" * 150
     + b', "metadata": {}}', "nested more than"),
    (lambda: b'{"format_version": 1, "kind": ["dict"], "tensors": [], "payload": {}}', "'kind'"),
    (lambda: b'[1, 2]', "without 'kind'"),
    (lambda: b'\xff\xfe', "unreadable header"),
])
def test_malformed_json_headers(tmp_path, make, match):
    path = craft(tmp_path / "bad.tgate", None, raw_header=make())
    with pytest.raises(ModelFileError, match=match) as err:
        load(path)
    assert "bad.tgate" in str(err.value)


@pytest.mark.parametrize("payload, kind", [
    ({"__tuple__": 5}, "dict"),
    ({"__tensor__": ["w"]}, "dict"),
    ({"__items__": [[[1], 2]]}, "dict"),
    ({"__float__": 3}, "dict"),
    ({"__module__": {"config": {"type": "Linear", "args": "ab", "kwargs": {}}, "state": {}}}, "dict"),
    ({"config": {"type": "Linear", "args": [2, 3], "kwargs": {"bias": "yes", "init": ["he"]}}, "state": {}},
     "module"),
    ({"config": {"type": "os.system", "args": ["echo pwned"], "kwargs": {}}, "state": {}}, "module"),
    ({"config": 5, "state": {}}, "module"),
    ({"model_state": 5}, "checkpoint"),
    ({"model_state": {}, "model_config": {"type": "Linear", "args": [1, 1], "kwargs": {}}}, "checkpoint"),
    ([1, 2], "checkpoint"),
    (None, "module"),
])
def test_malformed_payloads_are_model_file_errors(tmp_path, payload, kind):
    path = craft(tmp_path / "bad.tgate", header(kind=kind, payload=payload))
    with pytest.raises(ModelFileError) as err:
        load(path)
    assert "bad.tgate" in str(err.value)


def test_malformed_metadata_and_checkpoints(tmp_path):
    path = craft(tmp_path / "bad.tgate", header(metadata=[1, 2]))
    with pytest.raises(ModelFileError, match="bad.tgate.*metadata"):
        read_metadata(path)
    path = craft(tmp_path / "bad.tgate", header(kind="checkpoint", payload={"model_state": {"w": {"__tensor__": 1}}}))
    with pytest.raises(ModelFileError, match="bad.tgate"):
        load_checkpoint(path)


def test_a_symlink_to_dev_zero_is_refused_without_reading(tmp_path):
    link = tmp_path / "zero.tgate"
    os.symlink("/dev/zero", link)
    result = run_capped(f"""
        import tensorgate as tg
        try:
            tg.load({str(link)!r})
        except tg.io.ModelFileError as err:
            print("refused:", err)
    """, memory_mb=600, seconds=30)
    assert "refused:" in result.stdout and "not a regular file" in result.stdout, result.stderr[-2000:]


def test_a_fifo_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "pipe.tgate"
    os.mkfifo(fifo)
    outcome = {}

    def attempt():
        try:
            load(fifo)
        except ModelFileError as err:
            outcome["error"] = str(err)

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(10)
    if thread.is_alive():  # unblock the reader so the test process can exit, then fail
        with open(fifo, "wb"):
            pass
        pytest.fail("loading a FIFO hung")
    assert "not a regular file" in outcome["error"]


def test_permission_denied_is_a_model_file_error(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    path = tmp_path / "m.tgate"
    tg.save({"a": 1}, path)
    path.chmod(0)
    with pytest.raises(ModelFileError, match="cannot open"):
        load(path)


def test_a_header_claiming_more_than_the_file_holds_is_never_read(tmp_path):
    path = tmp_path / "liar.tgate"
    path.write_bytes(struct.pack("<8sIQQ", MAGIC, 1, 100, 2 ** 40) + b"\0" * 64)
    with pytest.raises(ModelFileError, match="truncated"):
        load(path)
