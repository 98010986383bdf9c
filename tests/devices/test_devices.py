"""Devices as PyTorch users expect: naming them, moving tensors, mixing them, creating on them."""
import numpy as np
import pytest

import tensorgate as tg

from .parity import STRICT, check


def test_device_names_parse_as_in_pytorch():
    assert tg.device("cuda").type == "cuda" and tg.device("cuda:1") == tg.device("cuda", 1)
    assert repr(tg.device("cuda", 1)) == "device(type='cuda', index=1)" and str(tg.device("cuda:1")) == "cuda:1"
    assert tg.device(tg.device("cpu")) == tg.device("cpu") and tg.device("cpu") != tg.device("cuda")
    assert tg.device("cpu") != "cpu"      # as torch.device: never equal to a string
    with pytest.raises(RuntimeError, match="'mps' is a PyTorch device"):
        tg.device("mps")
    with pytest.raises(RuntimeError, match="unknown device type 'gpu'"):
        tg.device("gpu")
    with pytest.raises(RuntimeError, match="invalid device string"):
        tg.device("cuda:x")


def test_without_a_gpu_cuda_is_unavailable_and_refused_clearly():
    if tg.cuda.is_available():
        pytest.skip("a GPU is present")
    assert tg.cuda.device_count() == 0
    tg.cuda.synchronize()      # nothing to wait for
    for call in (lambda: tg.zeros(2, device="cuda"), lambda: tg.zeros(2).cuda(), lambda: tg.zeros(2).to("cuda:0"),
                 lambda: tg.tensor([1.0], device="cuda")):
        with pytest.raises(RuntimeError, match="cuda"):
            call()


def test_moving_to_the_stand_in_device_and_back_keeps_values_and_the_graph():
    x = tg.tensor([[1.0, -2.0], [3.0, 4.0]], requires_grad=True)
    y = x.to(STRICT)
    assert y.device == tg.device(STRICT) and y.grad_fn is not None and not y.is_cuda
    z = (y * y).cpu()
    assert z.device == tg.device("cpu") and isinstance(z.data, np.ndarray)
    z.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), 2 * x.numpy())     # the gradient came back to the CPU
    assert x.to("cpu") is x and y.to(STRICT) is y


def test_to_another_tensor_takes_its_dtype_and_device():
    other = tg.zeros(1, dtype=tg.float64, device=STRICT)
    moved = tg.ones(2).to(other)
    assert moved.device == tg.device(STRICT) and moved.dtype == tg.float64


def test_mixing_devices_in_one_gate_names_both():
    with pytest.raises(RuntimeError, match="cpu and array_api_strict"):
        tg.ones(2) + tg.ones(2, device=STRICT)
    with pytest.raises(RuntimeError, match="array_api_strict and cpu"):
        tg.matmul(tg.ones(2, 2, device=STRICT), tg.ones(2, 2))


def test_creation_functions_take_device_and_like_functions_keep_it():
    for make in (lambda d: tg.zeros(2, 3, device=d), lambda d: tg.ones(2, device=d), lambda d: tg.randn(2, device=d),
                 lambda d: tg.rand(2, device=d), lambda d: tg.full((2,), 3.0, device=d),
                 lambda d: tg.arange(3, device=d), lambda d: tg.eye(2, device=d), lambda d: tg.linspace(0, 1, 3, device=d),
                 lambda d: tg.randint(0, 5, (3,), device=d), lambda d: tg.randperm(4, device=d),
                 lambda d: tg.tensor([1, 2], device=d)):
        t = make(STRICT)
        assert t.device == tg.device(STRICT), make
    t = tg.ones(2, 2, device=STRICT)
    for like in (tg.zeros_like, tg.ones_like, tg.rand_like, tg.randn_like, tg.empty_like):
        assert like(t).device == tg.device(STRICT)
    assert tg.full_like(t, 2.0).device == t.new_zeros(3).device == t.new_full((1,), 2.0).device == tg.device(STRICT)
    assert tg.zeros_like(t, device="cpu").device == tg.device("cpu")


def test_the_same_seed_gives_the_same_numbers_on_every_device():
    tg.manual_seed(3)
    a = tg.randn(5)
    tg.manual_seed(3)
    b = tg.randn(5, device=STRICT)
    np.testing.assert_array_equal(a.numpy(), b.numpy(force=True))


def test_elementwise_arithmetic_matches_on_every_device(device):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3, 4)).astype(np.float32), rng.standard_normal((1, 4)).astype(np.float32)
    check(lambda x, y: x * y + x / (y * y + 1) - 2.0 * x, a, b, device=device)

