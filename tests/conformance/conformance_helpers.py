"""The conformance suite's one helper: run an idiom in PyTorch and in tensorgate and compare everything.

An idiom is a function ``fn(lib, *tensors)`` written once with the names both libraries share (``lib`` is
``torch`` or ``tensorgate``), e.g. ``lambda lib, out: lib.max(out, 1)``. :func:`compare` builds the tensors from
the same NumPy arrays in both libraries, runs the idiom, and compares the results: values, shapes, dtypes,
index results, Python types (a number stays a number, a tuple a tuple) and, with ``grad=True``, the
gradients of every floating input after backpropagating a fixed random weighting of the first output.

An idiom tensorgate does not support goes in a ``NOT_SUPPORTED`` list as ``(name, fn, arrays, error, match)``
and :func:`check_not_supported` asserts that it raises that error with a message matching ``match`` (a clear
error, never a silent difference).

Test functions whose name contains ``not_supported`` are counted as "not supported" idioms by conftest.py;
every other test under tests/conformance counts as a conforming idiom.
"""
import numbers

import numpy as np
import pytest
import torch

import tensorgate as tg


def _torch_input(a, grad):
    t = torch.tensor(np.array(a))
    return t.requires_grad_() if grad and t.is_floating_point() else t


def _tg_input(a, grad):
    a = np.array(a)
    return tg.tensor(a, dtype=a.dtype, requires_grad=grad and a.dtype.kind == "f")


def _dtype_name(dtype):
    return str(dtype).replace("torch.", "")


def assert_same(expected, actual, rtol=1e-5, atol=1e-6, path="result"):
    """Assert that ``actual`` (tensorgate) matches ``expected`` (PyTorch) in kind, shape, dtype and value."""
    if isinstance(expected, torch.Tensor):
        assert isinstance(actual, tg.Tensor), f"{path}: PyTorch gives a tensor, tensorgate a {type(actual).__name__}"
        assert tuple(actual.shape) == tuple(expected.shape), f"{path}: shape {tuple(actual.shape)} != {tuple(expected.shape)}"
        assert _dtype_name(actual.dtype) == _dtype_name(expected.dtype), \
            f"{path}: dtype {actual.dtype} != {expected.dtype}"
        want = expected.detach().numpy()
        got = np.asarray(actual.detach().numpy())
        if want.dtype.kind == "f":
            np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=path)
        else:
            np.testing.assert_array_equal(got, want, err_msg=path)
    elif isinstance(expected, torch.Size):
        assert tuple(actual) == tuple(expected) and actual == expected, f"{path}: size {actual} != {expected}"
    elif isinstance(expected, (tuple, list)):
        assert isinstance(actual, (tuple, list)), f"{path}: PyTorch gives a sequence, tensorgate {type(actual).__name__}"
        assert len(actual) == len(expected), f"{path}: {len(actual)} items != {len(expected)}"
        if type(expected).__module__ == "torch.return_types":  # (values, indices) named tuples
            for field in ("values", "indices"):
                if hasattr(expected, field):
                    assert_same(getattr(expected, field), getattr(actual, field), rtol, atol, f"{path}.{field}")
        for i, (e, a) in enumerate(zip(expected, actual)):
            assert_same(e, a, rtol, atol, f"{path}[{i}]")
    elif isinstance(expected, np.ndarray):
        assert isinstance(actual, np.ndarray), f"{path}: PyTorch gives an ndarray, tensorgate {type(actual).__name__}"
        assert actual.dtype == expected.dtype and actual.shape == expected.shape, \
            f"{path}: {actual.dtype}{actual.shape} != {expected.dtype}{expected.shape}"
        np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=path)
    elif isinstance(expected, str):
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"
    elif isinstance(expected, bool):
        assert isinstance(actual, bool) and actual == expected, f"{path}: {actual!r} != {expected!r}"
    elif isinstance(expected, numbers.Number):
        assert isinstance(actual, numbers.Number) and not isinstance(actual, bool), \
            f"{path}: PyTorch gives a number, tensorgate {type(actual).__name__}"
        assert type(actual) is type(expected), f"{path}: {type(actual).__name__} != {type(expected).__name__}"
        np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=path)
    elif expected is None:
        assert actual is None, f"{path}: {actual!r} is not None"
    else:
        raise TypeError(f"{path}: cannot compare a result of type {type(expected).__name__}")


def _first_tensor(result):
    if isinstance(result, (tuple, list)):
        for r in result:
            t = _first_tensor(r)
            if t is not None:
                return t
        return None
    return result if hasattr(result, "backward") and result.dtype in (torch.float32, torch.float64,
                                                                        np.float32, np.float64) else None


def compare(fn, *arrays, tg_fn=None, grad=False, rtol=1e-5, atol=1e-6):
    """Run ``fn(torch, *tensors)`` and ``(tg_fn or fn)(tensorgate, *tensors)`` on tensors made from ``arrays``
    (each keeps its NumPy dtype) and assert the results agree; return both results.

    With ``grad=True`` every floating input requires grad, the first floating output is weighted by fixed
    random numbers and summed, backpropagated in both libraries, and the inputs' gradients are compared.
    """
    arrays = [np.array(a) for a in arrays]
    t_in = [_torch_input(a, grad) for a in arrays]
    g_in = [_tg_input(a, grad) for a in arrays]
    expected = fn(torch, *t_in)
    actual = (tg_fn or fn)(tg, *g_in)
    assert_same(expected, actual, rtol, atol)
    if grad:
        t_out, g_out = _first_tensor(expected), _first_tensor(actual)
        assert t_out is not None and t_out.requires_grad, "grad=True but PyTorch's result has no gradient"
        weights = np.random.default_rng(0).standard_normal(tuple(t_out.shape)).astype(_dtype_name(t_out.dtype))
        (t_out * torch.tensor(weights)).sum().backward()
        (g_out * tg.tensor(weights, dtype=weights.dtype)).sum().backward()
        for i, (t, g) in enumerate(zip(t_in, g_in)):
            if t.requires_grad:
                assert (t.grad is None) == (g.grad is None), f"input {i}: gradient present in one library only"
                if t.grad is not None:
                    assert_same(t.grad, g.grad, rtol, atol, f"grad of input {i}")
    return expected, actual


def check_not_supported(fn, arrays, error, match):
    """Assert that the idiom ``fn(tensorgate, *tensors)`` raises ``error`` with a message matching ``match``."""
    g_in = [_tg_input(np.array(a), False) for a in arrays]
    with pytest.raises(error, match=match):
        fn(tg, *g_in)
