"""Importing tensorgate leaves glibc's malloc settings alone; fit (which owns the loop) tunes them."""
import subprocess
import sys
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[2] / "src")

SPY = """
import ctypes
calls = []


class Spy(ctypes.CDLL):   # records every lookup of mallopt, the call that changes malloc's settings
    def __getattr__(self, name):
        if name == "mallopt":
            calls.append(name)
        return super().__getattr__(name)


ctypes.CDLL = Spy
import numpy as np
import tensorgate as tg
import tensorgate.backend.memory as memory
from tensorgate import nn, optim
print("import", calls, memory.tuned)
model = nn.Sequential(nn.Linear(2, 2))
tg.fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1),
       (np.ones((4, 2), np.float32), np.array([0, 1, 0, 1])), epochs=1, verbose=False)
print("fit", calls, memory.tuned)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="malloc tuning is glibc's")
def test_import_leaves_malloc_alone_and_fit_tunes_it():
    out = subprocess.run([sys.executable, "-c", SPY], capture_output=True, text=True, check=True, timeout=120,
                         env={"PYTHONPATH": SRC, "TENSORGATE_MALLOC_TUNING": "1"}).stdout.splitlines()
    assert out[0] == "import [] False"           # importing tensorgate never looked mallopt up
    assert out[1] == "fit ['mallopt'] True"      # fit, which owns the training loop, did
