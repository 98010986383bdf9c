"""tg.from_numpy, tg.linspace, tg.eye and tg.set_grad_enabled behave as their torch namesakes."""
import numpy as np
import pytest
import torch

import tensorgate as tg


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int32, np.int64, np.bool_])
def test_from_numpy_keeps_the_dtype_and_shares_memory_as_torch(dtype):
    array = np.arange(6).reshape(2, 3).astype(dtype)
    ours, theirs = tg.from_numpy(array), torch.from_numpy(array)
    assert ours.dtype == theirs.numpy().dtype == dtype   # float64 stays float64: no silent demotion
    assert ours.data is array
    array[0, 0] = 1
    assert ours.data[0, 0] == theirs[0, 0].item() == 1   # a write to the array shows in both tensors
    ours.data[1, 2] = 0
    assert array[1, 2] == 0


def test_from_numpy_rejects_what_torch_rejects():
    with pytest.raises(TypeError, match="from_numpy: expected a numpy.ndarray, got list"):
        tg.from_numpy([1.0, 2.0])
    with pytest.raises(TypeError):
        torch.from_numpy([1.0, 2.0])
    with pytest.raises(TypeError, match="from_numpy: array has dtype object"):
        tg.from_numpy(np.array([None]))


@pytest.mark.parametrize("start, end, steps", [(0, 1, 5), (-2.5, 3.0, 11), (1, 1, 3), (0, 10, 1), (0, 1, 0),
                                               (3, -1, 7)])
def test_linspace_matches_torch(start, end, steps):
    ours, theirs = tg.linspace(start, end, steps), torch.linspace(start, end, steps)
    assert ours.dtype == np.float32 and ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-6, atol=1e-6)
    exact = tg.linspace(start, end, steps, dtype="float64").data
    np.testing.assert_allclose(exact, torch.linspace(start, end, steps, dtype=torch.float64).numpy(), rtol=1e-15)
    assert exact.dtype == np.float64


def test_linspace_names_a_bad_steps():
    with pytest.raises(ValueError, match="linspace: steps must be a non-negative integer, got -1"):
        tg.linspace(0, 1, -1)
    with pytest.raises(ValueError, match="linspace: steps must be a non-negative integer, got 2.5"):
        tg.linspace(0, 1, 2.5)


@pytest.mark.parametrize("args", [(3,), (2, 4), (4, 2), (0,)])
def test_eye_matches_torch(args):
    ours, theirs = tg.eye(*args), torch.eye(*args)
    assert ours.dtype == np.float32
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    assert tg.eye(*args, dtype="float64").dtype == np.float64
    w = tg.eye(*args, requires_grad=True)
    assert w.requires_grad and w.is_leaf
    with pytest.raises(ValueError, match="shape: sizes must be non-negative integers"):
        tg.eye(-1)


def test_set_grad_enabled_as_a_context_manager():
    x = tg.ones(2, requires_grad=True)
    for mode in (False, True):
        with tg.set_grad_enabled(mode):
            assert tg.is_grad_enabled() is mode
            assert (x * 2).requires_grad is mode
        assert tg.is_grad_enabled()
    with tg.no_grad():
        with tg.set_grad_enabled(True):
            assert (x * 2).requires_grad
        assert not tg.is_grad_enabled()


def test_set_grad_enabled_as_a_function_and_a_decorator_as_torch():
    x, y = tg.ones(2, requires_grad=True), torch.ones(2, requires_grad=True)
    try:
        tg.set_grad_enabled(False), torch.set_grad_enabled(False)
        assert not (x * 2).requires_grad and not (y * 2).requires_grad
        tg.set_grad_enabled(True), torch.set_grad_enabled(True)
        assert (x * 2).requires_grad and (y * 2).requires_grad

        @tg.set_grad_enabled(False)
        def ours():
            return x * 2

        @torch.set_grad_enabled(False)
        def theirs():
            return y * 2

        assert tg.is_grad_enabled() and torch.is_grad_enabled()   # decorating changes nothing yet
        assert not ours().requires_grad and not theirs().requires_grad
        assert tg.is_grad_enabled() and torch.is_grad_enabled()
    finally:
        tg.set_grad_enabled(True), torch.set_grad_enabled(True)
