"""The last gates on the stand-in device: the textbook convolution and the identity gate of module hooks."""
import numpy as np

import tensorgate as tg
from tensorgate import nn
from tensorgate.backend import devices as D
from tensorgate.functional.conv import PlainConv2dGate

from .parity import check


def test_the_textbook_convolution_matches_the_cpu(device):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    check(lambda a, b: PlainConv2dGate.apply(a, b, stride=(1, 1), padding=(1, 1), dilation=(1, 1), groups=1),
          x, w, device=device)


def _host(value):
    return D.to_numpy(value.data if isinstance(value, tg.Tensor) else value)


def test_module_hooks_see_the_devices_gradients(device):
    """A full backward hook wraps a module's inputs and outputs in identity gates (nn/hooks.py)."""
    seen = {}
    for where in ("cpu", device):
        tg.manual_seed(0)
        layer = nn.Linear(3, 2).to(where)
        layer.register_full_backward_hook(
            lambda module, grad_input, grad_output, where=where: seen.__setitem__(
                where, (_host(grad_input[0]), _host(grad_output[0]))))
        x = tg.tensor(np.arange(6, dtype=np.float32).reshape(2, 3), requires_grad=True, device=where)
        layer(x).backward(tg.ones(2, 2, device=where))
        assert x.grad.device == tg.device(where)
    for s, c in zip(seen[device], seen["cpu"]):
        np.testing.assert_allclose(s, c, rtol=1e-6)


def test_layers_take_device_as_pytorch_and_keep_it_out_of_their_config(device):
    tg.manual_seed(4)
    on_cpu = nn.Conv2d(2, 3, 3)
    tg.manual_seed(4)
    there = nn.Conv2d(2, 3, 3, device=device)
    bn = nn.BatchNorm2d(3, device=device)
    assert there.weight.device == tg.device(device) and bn.running_mean.device == tg.device(device)
    np.testing.assert_array_equal(there.weight.numpy(force=True), on_cpu.weight.numpy())   # same seed, same weights
    assert there.get_config() == on_cpu.get_config()      # a saved architecture loads on any device
    assert nn.Linear(3, 2, device="cpu", dtype=tg.float64).weight.dtype == tg.float64
