"""Module: registration, traversal, modes, dtypes, state_dict, architecture configs, hooks, repr, summary."""
import json
from collections import OrderedDict

import numpy as np
import pytest

import tensorgate as tg
from tensorgate import nn


def mlp():
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


class Net(nn.Module):
    def __init__(self, n_in, n_hidden, n_out=3, dropout=0.1):
        super().__init__()
        self.hidden = nn.Linear(n_in, n_hidden)
        self.drop = nn.Dropout(dropout)
        self.scale = nn.Parameter(tg.ones(1))
        self.register_buffer("seen", np.zeros((), dtype=np.int64))
        self.out = nn.Linear(n_hidden, n_out)

    def forward(self, x):
        return self.out(self.drop(self.hidden(x).relu())) * self.scale


# ---------------------------------------------------------------- registration and traversal
def test_registration_order_and_dotted_names():
    net = Net(4, 5)
    assert [n for n, _ in net.named_parameters()] == ["scale", "hidden.weight", "hidden.bias", "out.weight",
                                                       "out.bias"]
    assert [n for n, _ in net.named_children()] == ["hidden", "drop", "out"]
    assert [n for n, _ in net.named_buffers()] == ["seen"]
    assert len(list(net.modules())) == 4 and list(net.children())[0] is net.hidden
    model = mlp()
    assert [n for n, _ in model.named_parameters()][:3] == ["0.weight", "0.bias", "2.weight"]
    assert isinstance(model[0].weight, nn.Parameter) and "Parameter" in repr(nn.Parameter(tg.zeros(2)))


def test_setattr_reassignment_and_errors():
    net = Net(4, 5)
    net.out = None
    assert "out.weight" not in dict(net.named_parameters())
    with pytest.raises(TypeError, match="cannot assign a Tensor to parameter 'scale'"):
        net.scale = tg.ones(1)
    net.seen = np.ones((), dtype=np.int64)
    assert net.state_dict()["seen"] == 1
    del net.hidden
    assert "hidden.weight" not in dict(net.named_parameters())


def test_shared_parameters_counted_once():
    layer = nn.Linear(3, 3)
    model = nn.Sequential(layer, nn.ReLU(), layer)
    assert len(list(model.parameters())) == 2


def test_train_eval_zero_grad_requires_grad():
    net = Net(4, 5)
    assert net.training and net.drop.training
    net.eval()
    assert not net.training and not net.drop.training
    net.train()
    assert net.drop.training
    net(tg.randn(2, 4)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_numpy_input_becomes_a_tensor_of_the_parameter_dtype():
    model = mlp()
    out = model(np.random.randn(3, 784))              # float64 data, float32 model
    assert isinstance(out, tg.Tensor) and out.dtype == np.float32
    model.double()
    assert model(np.random.randn(3, 784).astype(np.float32)).dtype == np.float64
    assert all(p.dtype == np.float64 for p in model.parameters())
    params = list(model.parameters())
    model.float()
    assert [id(p) for p in model.parameters()] == [id(p) for p in params]   # converted in place
    assert model.to("float64") is model and model[0].weight.dtype == np.float64


# ---------------------------------------------------------------- state dict
def test_state_dict_round_trip_copies_and_loads_in_place():
    tg.manual_seed(0)
    a = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 2))
    a(tg.randn(6, 4))                        # moves the running statistics
    state = a.state_dict()
    assert list(state) == ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                           "1.num_batches_tracked", "3.weight", "3.bias"]
    state["0.weight"][0, 0] = 123.0           # a copy: the model does not change
    assert a[0].weight.data[0, 0] != 123.0
    b = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 2))
    weight = b[0].weight
    result = b.load_state_dict(a.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert b[0].weight is weight             # same Parameter object: optimisers keep working
    for (name, x), y in zip(a.state_dict().items(), b.state_dict().values()):
        np.testing.assert_array_equal(x, y, err_msg=name)
    a.eval(), b.eval()
    x = tg.randn(3, 4)
    np.testing.assert_array_equal(a(x).data, b(x).data)


def test_strict_load_lists_missing_and_unexpected_keys_and_shapes():
    model = mlp()
    state = model.state_dict()
    del state["2.bias"]
    state["9.weight"] = np.zeros(3)
    before = model[0].weight.data.copy()
    state["0.weight"] = np.ones((256, 784))
    with pytest.raises(nn.StateDictError) as info:
        model.load_state_dict(state)
    message = str(info.value)
    assert "missing keys: ['2.bias']" in message and "unexpected keys: ['9.weight']" in message
    np.testing.assert_array_equal(model[0].weight.data, before)   # nothing loaded on error
    state = model.state_dict()
    state["4.weight"] = np.zeros((10, 127))
    with pytest.raises(ValueError, match=r"size mismatch for 4.weight: expected shape \(10, 128\), "
                                         r"received shape \(10, 127\)"):
        model.load_state_dict(state, strict=False)
    state = model.state_dict()
    del state["4.bias"]
    state["extra"] = np.zeros(1)
    assert model.load_state_dict(state, strict=False) == (["4.bias"], ["extra"])


# ---------------------------------------------------------------- architecture configs
def nested():
    return nn.Sequential(
        nn.Linear(6, 16, init="he_normal"), nn.ReLU(), nn.Dropout(p=0.25), nn.BatchNorm1d(16, momentum=0.05),
        nn.Residual(nn.Sequential(nn.Linear(16, 16), nn.Tanh())), nn.LeakyReLU(0.2), nn.Linear(16, 3))


def test_config_round_trip_for_nested_models():
    model = nested()
    config = json.loads(json.dumps(model.get_config()))    # plain JSON
    assert config["type"] == "Sequential"
    assert config["args"][0] == {"type": "Linear", "args": [6, 16], "kwargs": {"init": "he_normal"}}
    assert config["args"][4]["args"][0]["type"] == "Sequential"
    copy = nn.module_from_config(config)
    assert copy.get_config() == config
    assert [type(m).__name__ for m in copy.modules()] == [type(m).__name__ for m in model.modules()]
    copy.load_state_dict(model.state_dict())
    model.eval(), copy.eval()
    x = tg.randn(4, 6)
    np.testing.assert_array_equal(model(x).data, copy(x).data)
    assert copy[3].momentum == 0.05 and copy[2].p == 0.25


def test_config_records_outermost_call_user_classes_and_appended_layers():
    net = Net(4, 5, dropout=0.3)
    assert net.get_config() == {"type": "Net", "args": [4, 5], "kwargs": {"dropout": 0.3}}
    assert nn.module_from_config(net.get_config()).drop.p == 0.3

    class Wide(nn.Linear):   # a subclass whose __init__ calls the parent's with other arguments
        def __init__(self, n):
            super().__init__(n, 2 * n)

    assert Wide(3).get_config() == {"type": "Wide", "args": [3], "kwargs": {}}
    assert nn.module_from_config(Wide(3).get_config()).out_features == 6
    seq = nn.Sequential(nn.Linear(2, 2))
    seq.append(nn.ReLU())
    assert [c["type"] for c in seq.get_config()["args"]] == ["Linear", "ReLU"]
    named = nn.Sequential(OrderedDict(fc=nn.Linear(2, 3), act=nn.Tanh()))
    rebuilt = nn.module_from_config(json.loads(json.dumps(named.get_config())))
    assert [n for n, _ in rebuilt.named_parameters()] == ["fc.weight", "fc.bias"]
    stack = nn.ModuleList([nn.Linear(2, 2), nn.ReLU()])
    assert len(nn.module_from_config(stack.get_config())) == 2


def test_config_errors():
    with pytest.raises(TypeError, match=r"Linear's constructor argument 'init' is a function"):
        nn.Linear(3, 2, init=lambda w: w).get_config()
    with pytest.raises(ValueError, match=r"unknown module type 'NotDefinedHere'.*Import or define the class"):
        nn.module_from_config({"type": "NotDefinedHere", "args": [], "kwargs": {}})
    with pytest.raises(ValueError, match="exactly the keys"):
        nn.module_from_config({"type": "Linear"})
    assert "Linear" in nn.registered_modules() and "BatchNorm1d" in nn.registered_modules()


# ---------------------------------------------------------------- hooks
def test_forward_hooks_fire_modify_and_remove():
    model = mlp()
    calls = []
    handle = model[0].register_forward_hook(lambda m, inputs, out: calls.append((type(m).__name__, out.shape)))
    pre = model[2].register_forward_pre_hook(lambda m, inputs: (inputs[0] * 0.0,))
    out = model(tg.randn(2, 784))
    assert calls == [("Linear", (2, 256))]
    np.testing.assert_allclose(out.data, np.broadcast_to(model[4](model[3](model[2].bias * 1.0)).data, (2, 10)),
                               rtol=1e-6)
    handle.remove()
    pre.remove()
    handle.remove()            # twice is harmless
    model(tg.randn(2, 784))
    assert len(calls) == 1 and not model[0]._has_hooks and not model[2]._has_hooks
    with model[1].register_forward_hook(lambda m, i, o: o * 2.0):
        assert model[1](tg.ones(1)).item() == 2.0
    assert model[1](tg.ones(1)).item() == 1.0


def test_backward_hooks_see_input_and_output_gradients():
    tg.manual_seed(0)
    layer = nn.Linear(3, 2).double()
    seen = {}
    layer.register_full_backward_hook(lambda m, gi, go: seen.update(gi=gi, go=go))
    layer.register_full_backward_pre_hook(lambda m, go: seen.update(pre=go))
    x = tg.randn(4, 3, dtype="float64", requires_grad=True)
    g = np.random.default_rng(0).standard_normal((4, 2))
    layer(x).backward(g)
    np.testing.assert_allclose(seen["go"][0], g)
    np.testing.assert_allclose(seen["pre"][0], g)
    np.testing.assert_allclose(seen["gi"][0], g @ layer.weight.data)
    np.testing.assert_allclose(x.grad, g @ layer.weight.data)
    # a hook can replace the input gradient; inputs needing no gradient give None
    layer2 = nn.Linear(3, 2)
    layer2.register_full_backward_hook(lambda m, gi, go: (gi[0] * 0.0,))
    x = tg.randn(4, 3, requires_grad=True)
    layer2(x).sum().backward()
    assert np.all(x.grad == 0) and layer2.weight.grad is not None
    got = []
    layer3 = nn.Linear(2, 2)
    layer3.register_full_backward_hook(lambda m, gi, go: got.append((gi, go[0].shape)))
    layer3(tg.randn(5, 2)).sum().backward()        # the data needs no gradient: grad_input is (None,)
    assert got == [((None,), (5, 2))]


def test_call_without_hooks_is_just_forward():
    model = mlp()
    assert model._has_hooks is False
    handle = model.register_forward_hook(lambda *a: None)
    assert model._has_hooks is True
    handle.remove()
    assert model._has_hooks is False


# ---------------------------------------------------------------- repr and summary
def test_repr_lists_output_sizes_and_parameter_counts():
    text = repr(mlp())
    assert "Linear(784 → 256)" in text and "→ 256" in text
    assert "200,960 params = 256·784 + 256" in text                  # n_z·n_x + n_z
    assert "32,896 params = 128·256 + 128" in text and "1,290 params = 10·128 + 10" in text
    assert f"Total params: {784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10:,}" in text
    assert repr(nn.Linear(3, 4)) == "Linear(3 → 4)" and repr(nn.ReLU()) == "ReLU()"
    assert "(4): Residual(" in repr(nested())


def test_summary_table_and_rows(capsys):
    model = nn.Sequential(nn.Flatten(), mlp(), nn.Dropout(0.5), nn.BatchNorm1d(10))
    model.train()
    state = tg.backend.random.get_rng_state()
    running = model[3].running_mean.data.copy()
    rows = nn.summary(model, (1, 28, 28))
    printed = capsys.readouterr().out
    assert rows[0]["name"] == "0" and rows[0]["output_shape"] == (-1, 784)
    assert rows[1] == {"name": "1.0", "type": "Linear", "output_shape": (-1, 256), "params": 784 * 256 + 256,
                       "trainable": 200960}
    assert rows[-1]["name"] == "Total" and rows[-1]["params"] == 235146 + 20
    assert "200,960" in printed and "Total params: 235,166" in printed and "Non-trainable params: 0" in printed
    assert model.training and model[2].training                          # mode restored
    assert tg.backend.random.get_rng_state() == state                      # no randomness drawn
    np.testing.assert_array_equal(model[3].running_mean.data, running)   # statistics untouched
    assert not any(m._has_hooks for m in model.modules())


def test_summary_as_a_module_method_equals_nn_summary(capsys):
    model = nn.Sequential(nn.Flatten(), mlp())
    rows = model.summary((1, 28, 28))
    printed = capsys.readouterr().out
    assert rows == nn.summary(model, (1, 28, 28), print_fn=None)
    assert "Total params: 235,146" in printed and "Layer (type)" in printed
    model.eval()
    flag = tg.nn.module.ChangeFlag()
    flag.watch(model.modules())
    model.summary((1, 28, 28), print_fn=None)
    assert not model.training and flag.changed   # modes restored, as attribute sets a recorded step notices
