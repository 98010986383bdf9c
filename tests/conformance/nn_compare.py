"""The nn part's compare helper for the conformance idioms: run an idiom in PyTorch and in tensorgate and compare.

It mirrors tests/conformance/conformance_helpers.py of the tensor part of issue 17 (values, shapes, dtypes,
Python types, gradients), so that the nn idioms run on their own; the two are meant to be unified. An idiom
is ``fn(lib, *tensors)`` with ``lib`` torch or tensorgate; :func:`module` gives tensorgate's copy of a module
PyTorch's initial weights.
"""
import numbers

import numpy as np
import torch

import tensorgate as tg

def _np(x):
    if isinstance(x, torch.Tensor):
        return x.detach().numpy()
    if isinstance(x, tg.Tensor):
        return np.asarray(x.data)
    return np.asarray(x)


def _same(expected, actual, rtol, atol, path="result"):
    if isinstance(expected, torch.Tensor):
        assert isinstance(actual, (tg.Tensor, np.ndarray)), f"{path}: a tensor in PyTorch, {type(actual).__name__} here"
        want, got = _np(expected), _np(actual)
        assert got.shape == want.shape, f"{path}: shape {got.shape} != {want.shape}"
        assert got.dtype == want.dtype, f"{path}: dtype {got.dtype} != {want.dtype}"
        if want.dtype.kind == "f":
            np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=path)
        else:
            np.testing.assert_array_equal(got, want, err_msg=path)
    elif isinstance(expected, (tuple, list)):
        assert isinstance(actual, (tuple, list)) and len(actual) == len(expected), f"{path}: {actual!r}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            _same(e, a, rtol, atol, f"{path}[{i}]")
    elif isinstance(expected, dict):
        assert isinstance(actual, dict) and sorted(actual) == sorted(expected), f"{path}: keys {sorted(actual)}"
        for k in expected:
            _same(expected[k], actual[k], rtol, atol, f"{path}[{k!r}]")
    elif isinstance(expected, bool) or expected is None or isinstance(expected, str):
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"
    elif isinstance(expected, numbers.Number):
        assert isinstance(actual, numbers.Number) and type(actual) is type(expected), \
            f"{path}: {type(actual).__name__} != {type(expected).__name__}"
        np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=path)
    else:
        raise TypeError(f"{path}: cannot compare {type(expected).__name__}")


def _inputs(lib, arrays, grad):
    out = []
    for a in arrays:
        a = np.array(a)
        wants = grad and a.dtype.kind == "f"
        if lib is torch:
            t = torch.tensor(a)
            out.append(t.requires_grad_() if wants else t)
        else:
            out.append(tg.tensor(a, dtype=a.dtype, requires_grad=wants))
    return out


def _first_float_tensor(result):
    if isinstance(result, (tuple, list)):
        for r in result:
            t = _first_float_tensor(r)
            if t is not None:
                return t
        return None
    if isinstance(result, (torch.Tensor, tg.Tensor)) and str(result.dtype).replace("torch.", "") in ("float32",
                                                                                                       "float64"):
        return result
    return None


def compare(fn, *arrays, grad=False, rtol=1e-5, atol=1e-6):
    """Run ``fn(torch, *tensors)`` then ``fn(tensorgate, *tensors)`` and compare results (and input gradients).

    ``grad=True``: floating inputs require grad, and a fixed random weighting of the first floating output is
    backpropagated in both libraries and the gradients compared; ``grad="inputs"``: the inputs require grad
    (for idioms that differentiate themselves, such as autograd.grad), nothing more.
    """
    t_in, g_in = _inputs(torch, arrays, bool(grad)), _inputs(tg, arrays, bool(grad))
    expected = fn(torch, *t_in)
    actual = fn(tg, *g_in)
    _same(expected, actual, rtol, atol)
    if grad is True:
        t_out, g_out = _first_float_tensor(expected), _first_float_tensor(actual)
        weights = np.random.default_rng(0).standard_normal(tuple(t_out.shape)).astype(_np(t_out).dtype)
        (t_out * torch.tensor(weights)).sum().backward()
        (g_out * tg.tensor(weights, dtype=weights.dtype)).sum().backward()
        for i, (t, g) in enumerate(zip(t_in, g_in)):
            if t.requires_grad:
                _same(t.grad, g.grad, rtol, atol, f"grad of input {i}")


def module(lib, build):
    """``build(lib)`` in both libraries with the same weights: PyTorch's, drawn after torch.manual_seed(0)."""
    torch.manual_seed(0)
    reference = build(torch)
    if lib is torch:
        return reference
    ours = build(tg)
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in reference.state_dict().items()})
    return ours


def grads(lib, model):
    """The parameters' gradients by name (PyTorch's names), as tensors or arrays."""
    return {name: p.grad for name, p in model.named_parameters()}


F = "nn.functional"


def fn_of(lib, dotted):
    obj = lib
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj
