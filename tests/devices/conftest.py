"""Record which gates ran on the stand-in device, so that test_zz_every_gate.py can check that all did."""
import numpy as np
import pytest

from tensorgate.autograd.gate import Gate
from tensorgate.autograd.tensor import Tensor

#: gate classes whose forward ran with arrays of another device than NumPy's CPU, in this session
RAN_ON_DEVICE: set[type] = set()


@pytest.fixture(autouse=True)
def record_gates_on_devices(monkeypatch):
    original = Gate.apply.__func__

    def apply(cls, *inputs, **params):
        for x in inputs:
            if isinstance(x, Tensor) and x.data.__class__ is not np.ndarray:
                RAN_ON_DEVICE.add(cls)
                break
        return original(cls, *inputs, **params)

    monkeypatch.setattr(Gate, "apply", classmethod(apply))
    yield
