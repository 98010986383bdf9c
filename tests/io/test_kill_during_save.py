"""SIGKILL at random moments during tg.save: the target always loads (the old or the new file), and the
temporaries the killed writers leave behind are removed by the next save of the same target."""
import os
import random
import signal
import sys
import time

import numpy as np
import pytest

import tensorgate as tg

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or sys.platform == "darwin", reason="needs fork()")


def _temporaries(directory):
    return [name for name in os.listdir(directory) if name.startswith(".model.tgate.")]


def test_many_sigkills_during_save_never_leave_a_broken_file_or_lasting_temporaries(tmp_path):
    rng = np.random.default_rng(0)
    versions = [{"w": rng.normal(size=(512, 1024)).astype(np.float32), "version": v} for v in range(2)]
    target = tmp_path / "model.tgate"
    tg.save(versions[0], target)
    pick = random.Random(0)
    left_behind = 0
    started = time.perf_counter()
    for trial in range(40):
        pid = os.fork()
        if pid == 0:  # the writer: save the two versions in turn until killed
            try:
                i = 0
                while True:
                    tg.save(versions[i % 2], target)
                    i += 1
            finally:
                os._exit(0)
        time.sleep(pick.uniform(0.0, 0.03))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        loaded = tg.load(target)  # always a whole file: one version or the other
        np.testing.assert_array_equal(loaded["w"], versions[loaded["version"]]["w"])
        left_behind += len(_temporaries(tmp_path))
    assert left_behind > 0, "no kill landed during a write: the test did not test anything"
    tg.save(versions[1], target)  # the next save removes the dead writers' temporaries
    assert _temporaries(tmp_path) == []
    assert tg.load(target)["version"] == 1
    assert time.perf_counter() - started < 30


def test_a_live_writers_temporary_is_kept(tmp_path):
    target = tmp_path / "model.tgate"
    alive = tmp_path / f".model.tgate.{os.getppid()}.x1y2.tmp"  # our parent process: alive
    alive.write_bytes(b"in progress")
    foreign = tmp_path / ".model.tgate.notes.tmp"  # not a writer's name
    foreign.write_bytes(b"keep")
    tg.save({"a": 1}, target)
    assert alive.exists() and foreign.exists()
