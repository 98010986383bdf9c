"""Run a computation on the CPU and on the array_api_strict stand-in device, and compare.

array_api_strict is the array API standard's reference implementation: it has only the standard's
functions and array methods, so a NumPy-only call in a gate (``np.add.at``, ``x.reshape``, ``x.sum()``)
fails there. The CPU's results are checked against PyTorch and finite differences elsewhere in the suite;
equality with them on the stand-in device is what carries those checks over to every device.
"""
from __future__ import annotations

import numpy as np
import pytest

import tensorgate as tg

pytest.importorskip("array_api_strict")

STRICT = "array_api_strict"


def on(device, arrays, grad):
    """Tensors on ``device`` holding ``arrays``; floating ones require grad where ``grad``."""
    return [tg.tensor(a, dtype=a.dtype, requires_grad=grad and a.dtype.kind == "f", device=device)
            if isinstance(a, np.ndarray) else a for a in arrays]


def check(fn, *arrays, grad=True, rtol=None, atol=None, seed=0, device=STRICT):
    """fn(*tensors) on the CPU and on ``device`` (the stand-in unless given; tests take it from the ``device``
    fixture, which adds 'cuda' where a GPU is present): same values, same gradients, right devices.

    ``arrays`` are NumPy arrays (become tensors) or other arguments (passed as they are); ``fn`` returns a
    tensor or a tuple of tensors. The upstream gradient is a fixed random array of the output's shape.
    Returns the CPU's output, for further checks.
    """
    outs = {}
    for where in ("cpu", device):
        inputs = on(where, arrays, grad)
        out = fn(*inputs)
        first = out[0] if isinstance(out, tuple) else out
        assert first.device == tg.device(where), f"output on {first.device}, expected {where}"
        grads = []
        if grad and first.requires_grad:
            upstream = np.random.default_rng(seed).standard_normal(first.shape).astype(first.dtype)
            first.backward(tg.tensor(upstream, dtype=upstream.dtype, device=where))
            for t in inputs:
                if isinstance(t, tg.Tensor) and t.requires_grad:
                    assert t.grad is None or t.grad.device == tg.device(where)
                    grads.append(None if t.grad is None else t.grad.numpy(force=True))
        outs[where] = (first.numpy(force=True), first.dtype, grads)
    (cpu, cpu_dtype, cpu_grads), (strict, strict_dtype, strict_grads) = outs["cpu"], outs[device]
    assert cpu_dtype == strict_dtype
    tol = dict(rtol=rtol or (1e-5 if cpu.dtype == np.float32 else 1e-12),
               atol=atol or (1e-6 if cpu.dtype == np.float32 else 1e-12))
    if cpu.dtype.kind == "f":
        np.testing.assert_allclose(strict, cpu, **tol)
    else:
        np.testing.assert_array_equal(strict, cpu)
    assert len(cpu_grads) == len(strict_grads)
    for c, s in zip(cpu_grads, strict_grads):
        assert (c is None) == (s is None)
        if c is not None:
            np.testing.assert_allclose(s, c, **tol)
    return cpu
