"""Record which gates ran on the stand-in device, so that test_zz_every_gate.py can check that all did."""
import numpy as np
import pytest

import tensorgate as tg
from tensorgate.autograd.gate import Gate
from tensorgate.autograd.tensor import Tensor

_NO_GPU = "no NVIDIA GPU here (tg.cuda.is_available() is False: CuPy missing, or it sees no GPU)"

#: the devices each parity test runs on besides the CPU: the stand-in always, the GPU where there is one
DEVICES = ["array_api_strict",
           pytest.param("cuda", marks=[pytest.mark.gpu, pytest.mark.skipif(not tg.cuda.is_available(), reason=_NO_GPU)])]


@pytest.fixture(params=DEVICES)
def device(request):
    """The device under test: 'array_api_strict', and 'cuda' where a GPU is present (marked gpu)."""
    return request.param

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
