"""Zero-size shapes give NumPy's and PyTorch's results: empty outputs, nan means, no crashes in backward."""
import numpy as np
import pytest
import torch

import tensorgate as tg
import tensorgate.nn.functional as F


def _t(shape, requires_grad=False):
    return tg.tensor(np.zeros(shape, np.float32), requires_grad=requires_grad)


@pytest.mark.parametrize("shape, dim", [((0,), 0), ((0, 3), 1), ((3, 0), 1), ((0, 3), 0)])
@pytest.mark.filterwarnings("ignore:divide by zero")
def test_softmax_and_log_softmax_of_empty_tensors(shape, dim):
    for ours, theirs in ((F.softmax, torch.softmax), (F.log_softmax, torch.log_softmax)):
        x = _t(shape, requires_grad=True)
        z = ours(x, dim=dim)
        expected = theirs(torch.zeros(shape), dim=dim)
        assert z.shape == tuple(expected.shape) and z.dtype == np.float32
        z.sum().backward()
        assert x.grad.shape == shape


def test_max_over_an_axis_of_a_tensor_with_another_empty_axis():
    x = _t((0, 1), requires_grad=True)
    values = x.max(dim=1).values
    expected = torch.zeros(0, 1).max(dim=1).values
    assert values.shape == tuple(expected.shape) == (0,)
    values.sum().backward()
    assert x.grad.shape == (0, 1)
    with pytest.raises(IndexError, match="size 0"):  # as PyTorch: "Expected reduction dim 0 to have non-zero size"
        x.max(dim=0)
    with pytest.raises(IndexError):
        torch.zeros(0, 1).max(dim=0)


@pytest.mark.filterwarnings("ignore:Mean of empty slice", "ignore:invalid value")
@pytest.mark.parametrize("shape, dim", [((0, 3), 0), ((0, 3), 1), ((2, 0), 1), ((0,), None)])
def test_mean_and_its_backward_over_empty_axes(shape, dim):
    x = _t(shape, requires_grad=True)
    tx = torch.zeros(shape, requires_grad=True)
    z = x.mean() if dim is None else x.mean(dim=dim)
    tz = tx.mean() if dim is None else tx.mean(dim=dim)
    np.testing.assert_array_equal(z.data, tz.detach().numpy())  # nan where torch has nan
    z.sum().backward()
    tz.sum().backward()
    assert x.grad.shape == tuple(tx.grad.shape)
    np.testing.assert_array_equal(x.grad.data if hasattr(x.grad, "data") else x.grad, tx.grad.numpy())


def test_conv2d_backward_on_an_empty_batch():
    tg.manual_seed(0)
    conv = tg.nn.Conv2d(2, 3, 3, padding=1)
    x = _t((0, 2, 5, 5), requires_grad=True)
    out = conv(x)
    tconv = torch.nn.Conv2d(2, 3, 3, padding=1)
    tx = torch.zeros(0, 2, 5, 5, requires_grad=True)
    tout = tconv(tx)
    assert out.shape == tuple(tout.shape)
    out.sum().backward()
    tout.sum().backward()
    assert x.grad.shape == tuple(tx.grad.shape)
    np.testing.assert_array_equal(conv.weight.grad.data if hasattr(conv.weight.grad, "data") else conv.weight.grad,
                                  tconv.weight.grad.numpy())
    np.testing.assert_array_equal(conv.bias.grad.data if hasattr(conv.bias.grad, "data") else conv.bias.grad,
                                  np.zeros(3, np.float32))


@pytest.mark.parametrize("model", [
    lambda: tg.nn.Sequential(tg.nn.Linear(3, 4)),
    lambda: tg.nn.Sequential(tg.nn.Linear(3, 5), tg.nn.BatchNorm1d(5), tg.nn.Dropout(0.5), tg.nn.Linear(5, 2)),
])
def test_predict_on_empty_x_returns_zero_rows_of_k_columns(model):
    m = model()
    m.train()
    state = m.state_dict()
    out = tg.training.predict(m, np.zeros((0, 3), np.float32))
    assert out.shape == (0, m[-1].out_features) and out.dtype == np.float32
    assert m.training  # mode restored, and no running statistic moved
    for name, array in m.state_dict().items():
        np.testing.assert_array_equal(array, state[name])
