"""Every gate runs on the stand-in device somewhere in tests/devices (this file runs last: zz).

A gate that never met an array_api_strict array could hide a NumPy-only call that only a GPU would find.
"""
import pytest

import tensorgate  # noqa: F401  (imports every gate)
from tensorgate.autograd.gate import Gate

from .conftest import RAN_ON_DEVICE

#: gates that need no device test, and why
EXEMPT = {
    "_PiecewiseConstant": "a base class: floor, ceil, round and sign are its gates",
}


def _all_gates(cls=Gate):
    for sub in cls.__subclasses__():
        if sub.__module__.startswith("tensorgate.") and ".tape" not in sub.__module__:
            yield sub
        yield from _all_gates(sub)


def test_every_gate_ran_on_the_stand_in_device(request):
    files = {item.path.name for item in request.session.items}
    if not any(name.startswith("test_strict_") for name in files) or len(files) < 3:
        pytest.skip("run the whole tests/devices folder: this test reads what the others ran")
    missing = sorted(f"{g.__module__}.{g.__name__}" for g in set(_all_gates())
                     if g not in RAN_ON_DEVICE and g.__name__ not in EXEMPT)
    assert not missing, f"{len(missing)} gates never ran on array_api_strict: {missing}"
