"""Layers: MLP gradients against PyTorch for every activation and loss, BatchNorm1d against PyTorch,
batch_norm by finite differences, Dropout, Flatten, Residual, initialisation variances, and the vanishing
gradient of deep sigmoid networks."""
import math

import numpy as np
import pytest
import torch

import tensorgate as tg
import tensorgate.nn.functional as F
from tensorgate import nn

ACTIVATIONS = {
    "Sigmoid": (nn.Sigmoid, torch.nn.Sigmoid),
    "Tanh": (nn.Tanh, torch.nn.Tanh),
    "ReLU": (nn.ReLU, torch.nn.ReLU),
    "LeakyReLU": (lambda: nn.LeakyReLU(0.1), lambda: torch.nn.LeakyReLU(0.1)),
    "GELU": (nn.GELU, torch.nn.GELU),
    "Hardtanh": (lambda: nn.Hardtanh(-0.5, 0.5), lambda: torch.nn.Hardtanh(-0.5, 0.5)),
    "Identity": (nn.Identity, torch.nn.Identity),
}

M, N_IN, HIDDEN, K = 16, 5, 7, 4


def _targets(rng):
    labels = rng.integers(0, K, M)
    probs = rng.random((M, K))
    return {
        "CrossEntropyLoss": (lambda: nn.CrossEntropyLoss(label_smoothing=0.1),
                             lambda: torch.nn.CrossEntropyLoss(label_smoothing=0.1), labels, None),
        "CrossEntropyLoss(probs)": (nn.CrossEntropyLoss, torch.nn.CrossEntropyLoss,
                                    probs / probs.sum(1, keepdims=True), None),
        "NLLLoss": (nn.NLLLoss, torch.nn.NLLLoss, labels, (nn.LogSoftmax(1), torch.nn.LogSoftmax(1))),
        "BCELoss": (nn.BCELoss, torch.nn.BCELoss, (probs > 0.5).astype(float), (nn.Sigmoid(), torch.nn.Sigmoid())),
        "BCEWithLogitsLoss": (nn.BCEWithLogitsLoss, torch.nn.BCEWithLogitsLoss, probs, None),
        "MSELoss": (lambda: nn.MSELoss(reduction="sum"), lambda: torch.nn.MSELoss(reduction="sum"), probs, None),
    }


def copy_weights(ours, theirs):
    """Copy every parameter of our model into the torch model with the same structure (float64)."""
    with torch.no_grad():
        for (name, p), (tname, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
            assert name == tname and p.shape == tuple(tp.shape)
            tp.copy_(torch.from_numpy(p.data.copy()))


def mlp(lib, activation, head):
    layers = [lib.Linear(N_IN, HIDDEN), activation(), lib.Linear(HIDDEN, HIDDEN), activation(), lib.Linear(HIDDEN, K)]
    return lib.Sequential(*layers, *([head] if head is not None else []))


@pytest.mark.parametrize("loss_name", ["CrossEntropyLoss", "CrossEntropyLoss(probs)", "NLLLoss", "BCELoss",
                                       "BCEWithLogitsLoss", "MSELoss"])
@pytest.mark.parametrize("act", list(ACTIVATIONS))
def test_mlp_gradients_match_torch(act, loss_name):
    rng = np.random.default_rng(0)
    ours_act, torch_act = ACTIVATIONS[act]
    ours_loss, torch_loss, target, heads = _targets(rng)[loss_name]
    tg.manual_seed(1)
    model = mlp(nn, ours_act, heads[0] if heads else None).double()
    reference = mlp(torch.nn, torch_act, heads[1] if heads else None).double()
    copy_weights(model, reference)
    x = rng.standard_normal((M, N_IN))

    loss = ours_loss()(model(x), target)
    loss.backward()
    t_target = torch.tensor(target)
    t_loss = torch_loss()(reference(torch.tensor(x)), t_target)
    t_loss.backward()

    np.testing.assert_allclose(loss.item(), t_loss.item(), rtol=1e-6)
    for (name, p), (_, tp) in zip(model.named_parameters(), reference.named_parameters()):
        np.testing.assert_allclose(p.grad, tp.grad.numpy(), rtol=1e-6, atol=1e-12, err_msg=name)


def test_softmax_and_step_modules():
    x = tg.tensor([[1.0, 2.0, 3.0], [-1.0, 0.0, 1.0]], dtype="float64")
    np.testing.assert_allclose(nn.Softmax(dim=1)(x).data, torch.softmax(torch.tensor(x.data), 1).numpy())
    np.testing.assert_allclose(nn.Step()(x).data, [[1, 1, 1], [0, 1, 1]])


# ---------------------------------------------------------------- batch normalisation
def test_batchnorm1d_train_and_eval_match_torch_over_several_steps():
    rng = np.random.default_rng(0)
    ours = nn.BatchNorm1d(5, momentum=0.2).double()
    theirs = torch.nn.BatchNorm1d(5, momentum=0.2).double()
    with torch.no_grad():
        w, b = rng.standard_normal(5), rng.standard_normal(5)
        ours.weight.data[...] = w
        ours.bias.data[...] = b
        theirs.weight.copy_(torch.tensor(w))
        theirs.bias.copy_(torch.tensor(b))
    for step in range(4):
        x = rng.standard_normal((8, 5)) * 3 + 2
        y = ours(tg.tensor(x, dtype="float64", requires_grad=True))
        tx = torch.tensor(x, requires_grad=True)
        ty = theirs(tx)
        g = rng.standard_normal((8, 5))
        y.backward(g)
        ty.backward(torch.tensor(g))
        np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-6, atol=1e-10)
        np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=1e-6)
        np.testing.assert_allclose(ours.bias.grad, theirs.bias.grad.numpy(), rtol=1e-6)
        ours.zero_grad()
        theirs.zero_grad()
    for name, value in ours.state_dict().items():
        np.testing.assert_allclose(value, theirs.state_dict()[name].numpy(), rtol=1e-6, err_msg=name)
    assert ours.num_batches_tracked.item() == 4
    ours.eval()
    theirs.eval()
    x = rng.standard_normal((3, 5))
    np.testing.assert_allclose(ours(x.astype(np.float64)).data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-6)


def test_batchnorm1d_three_d_input_and_cumulative_momentum_match_torch():
    rng = np.random.default_rng(1)
    ours, theirs = nn.BatchNorm1d(3, momentum=None).double(), torch.nn.BatchNorm1d(3, momentum=None).double()
    for _ in range(3):
        x = rng.standard_normal((4, 3, 6))
        np.testing.assert_allclose(ours(x).data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(ours.running_var.data, theirs.running_var.numpy(), rtol=1e-6)


@pytest.mark.parametrize("shape, axes", [((6, 3), (0,)), ((3, 2, 4, 4), (0, 2, 3)), ((4, 3, 5), (0, 2))])
def test_batch_norm_gradcheck_over_any_axes(shape, axes):
    rng = np.random.default_rng(2)
    x = tg.tensor(rng.standard_normal(shape), dtype="float64", requires_grad=True)
    c = shape[1]
    w = tg.tensor(rng.standard_normal(c) + 1, dtype="float64", requires_grad=True)
    b = tg.tensor(rng.standard_normal(c), dtype="float64", requires_grad=True)
    assert tg.gradcheck(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True, axes=axes), x, w, b)
    rm, rv = rng.standard_normal(c), rng.random(c) + 0.5
    assert tg.gradcheck(lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training=False, axes=axes), x, w, b)


def test_batch_norm_nchw_matches_torch():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 3, 5, 5))
    rm, rv = np.zeros(3), np.ones(3)
    ours = F.batch_norm(tg.tensor(x, dtype="float64"), rm, rv, training=True, momentum=0.1, axes=(0, 2, 3))
    trm, trv = torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
    theirs = torch.nn.functional.batch_norm(torch.tensor(x), trm, trv, training=True, momentum=0.1)
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(rm, trm.numpy(), rtol=1e-6)
    np.testing.assert_allclose(rv, trv.numpy(), rtol=1e-6)


def test_batchnorm_errors():
    with pytest.raises(ValueError, match=r"BatchNorm1d\(4\): expected input of shape \(m, 4\).*got \(2, 3\)"):
        nn.BatchNorm1d(4)(tg.zeros(2, 3))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(tg.zeros(1, 3))
    assert nn.BatchNorm1d(3).eval()(tg.zeros(1, 3)).shape == (1, 3)


def test_batchnorm_float32_stays_float32():
    bn = nn.BatchNorm1d(3)
    y = bn(tg.randn(5, 3, requires_grad=True))
    y.sum().backward()
    assert y.dtype == np.float32 and bn.running_var.dtype == np.float32 and bn.weight.grad.dtype == np.float32


# ---------------------------------------------------------------- dropout, flatten, residual
def test_dropout_statistics_scale_and_eval_identity():
    tg.manual_seed(0)
    layer = nn.Dropout(0.3)
    x = tg.ones(200, 500, requires_grad=True)
    y = layer(x)
    kept = y.data != 0
    assert abs(kept.mean() - 0.7) < 0.01
    np.testing.assert_allclose(y.data[kept], 1 / 0.7, rtol=1e-6)
    assert abs(y.data.mean() - 1.0) < 0.02          # inverted dropout keeps the expectation
    y.sum().backward()
    np.testing.assert_array_equal(x.grad != 0, kept)   # the same units are dropped backward
    layer.eval()
    assert layer(x) is x
    tg.manual_seed(5)
    a = nn.Dropout(0.5)(tg.ones(10)).data
    tg.manual_seed(5)
    np.testing.assert_array_equal(a, nn.Dropout(0.5)(tg.ones(10)).data)
    assert F.dropout(tg.ones(4), p=1.0).data.sum() == 0
    with pytest.raises(ValueError, match="p must be a probability"):
        nn.Dropout(1.5)


def test_flatten_and_residual():
    x = tg.randn(2, 3, 4, 5, requires_grad=True)
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 1)(x).shape == (6, 4, 5)
    block = nn.Linear(4, 4)
    res = nn.Residual(block)
    z = tg.randn(3, 4, dtype="float64")
    res.double()
    np.testing.assert_allclose(res(z).data, z.data + block(z).data)
    with pytest.raises(ValueError, match="changed the shape"):
        nn.Residual(nn.Linear(4, 2))(tg.zeros(1, 4))


def test_linear_wrong_number_of_features_is_a_clear_error():
    with pytest.raises(ValueError, match=r"Linear\(4 → 2\): linear: input has 3 features .*expects 4"):
        nn.Linear(4, 2)(tg.zeros(5, 3))


def test_linear_without_bias_and_init_schemes():
    layer = nn.Linear(3, 2, bias=False)
    assert layer.bias is None and [n for n, _ in layer.named_parameters()] == ["weight"]
    assert layer(tg.zeros(1, 3)).shape == (1, 2)
    layer = nn.Linear(300, 200, init="xavier_uniform")
    assert np.all(layer.bias.data == 0)
    with pytest.raises(ValueError, match="unknown init"):
        nn.Linear(3, 2, init="nope")


# ---------------------------------------------------------------- initialisation
def test_init_variances():
    tg.manual_seed(0)
    n_in, n_out = 400, 300
    w = nn.Parameter(tg.zeros(n_out, n_in))
    for fn, var in [(nn.init.xavier_uniform_, 2 / (n_in + n_out)), (nn.init.xavier_normal_, 2 / (n_in + n_out)),
                    (nn.init.he_uniform_, 2 / n_in), (nn.init.he_normal_, 2 / n_in),
                    (nn.init.kaiming_normal_, 2 / n_in), (nn.init.lecun_uniform_, 1 / n_in),
                    (nn.init.lecun_normal_, 1 / n_in)]:
        fn(w)
        assert w.dtype == np.float32
        assert abs(w.data.var() / var - 1) < 0.02, fn.__name__
        assert abs(w.data.mean()) < 0.01 * math.sqrt(var) * 10
    nn.init.lecun_uniform_(w)                        # U(±√(3/n_in))
    assert w.data.max() <= math.sqrt(3 / n_in) and w.data.min() >= -math.sqrt(3 / n_in)
    nn.init.kaiming_uniform_(w, a=math.sqrt(5))     # PyTorch's Linear default: U(±1/√n_in)
    assert w.data.max() <= 1 / math.sqrt(n_in) and abs(w.data.var() * 3 * n_in - 1) < 0.02
    nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="tanh")
    assert abs(w.data.var() / ((5 / 3) ** 2 / n_out) - 1) < 0.02


def test_init_conv_fans_and_helpers():
    w = nn.Parameter(tg.zeros(16, 8, 3, 3, dtype="float64"))
    assert nn.init.calculate_fan_in_and_fan_out(w) == (72, 144)
    tg.manual_seed(1)
    nn.init.he_normal_(w)
    assert w.dtype == np.float64 and abs(w.data.var() / (2 / 72) - 1) < 0.1
    assert nn.init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert nn.init.calculate_gain("tanh") == pytest.approx(5 / 3)
    nn.init.constant_(w, 0.5)
    assert np.all(w.data == 0.5)
    nn.init.zeros_(w), nn.init.ones_(w)
    assert np.all(w.data == 1)
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        nn.init.xavier_uniform_(nn.Parameter(tg.zeros(3)))
    with pytest.raises(ValueError, match="unsupported nonlinearity"):
        nn.init.calculate_gain("swish")


def test_init_reproducible_with_manual_seed():
    tg.manual_seed(3)
    a = nn.Linear(5, 4).weight.data.copy()
    tg.manual_seed(3)
    np.testing.assert_array_equal(a, nn.Linear(5, 4).weight.data)


def test_linear_default_init_matches_pytorch_distribution():
    tg.manual_seed(0)
    layer = nn.Linear(500, 400)
    bound = 1 / math.sqrt(500)
    assert np.abs(layer.weight.data).max() <= bound and np.abs(layer.bias.data).max() <= bound
    assert abs(layer.weight.data.var() / (bound ** 2 / 3) - 1) < 0.02


# ---------------------------------------------------------------- vanishing gradients (issue 3 acceptance)
def _first_last_grad_norms(activation, init):
    tg.manual_seed(0)
    layers = []
    for _ in range(10):
        layers += [nn.Linear(64, 64, init=init), activation()]
    model = nn.Sequential(*layers, nn.Linear(64, 1, init=init)).double()
    x = np.random.default_rng(0).standard_normal((128, 64))
    y = np.random.default_rng(1).standard_normal((128, 1))
    F.mse_loss(model(x), y).backward()
    linears = [m for m in model if isinstance(m, nn.Linear)]
    return np.linalg.norm(linears[0].weight.grad), np.linalg.norm(linears[-1].weight.grad)


def test_sigmoid_network_gradients_vanish_but_relu_with_he_init_do_not():
    # 11 Linear layers of width 64; ratio ‖∂L/∂W_first‖ / ‖∂L/∂W_last‖ (measured: 1.3e-7 and 0.08)
    first, last = _first_last_grad_norms(nn.Sigmoid, "xavier_normal")
    assert first / last < 1e-5       # σ' ≤ 1/4 per layer: the gradient shrinks by orders of magnitude
    first, last = _first_last_grad_norms(nn.ReLU, "he_normal")
    assert 1e-2 < first / last < 10  # He init keeps the gradient's scale through depth


@pytest.mark.parametrize("act", list(ACTIVATIONS) + ["Softmax", "LogSoftmax"])
def test_float32_models_stay_float32(act):
    layer = getattr(nn, act)() if act in ("Softmax", "LogSoftmax") else ACTIVATIONS[act][0]()
    model = nn.Sequential(nn.Linear(5, 6), nn.BatchNorm1d(6), layer, nn.Dropout(0.2), nn.Residual(nn.Linear(6, 6)),
                          nn.Flatten(), nn.Linear(6, 3))
    out = model(np.random.default_rng(0).standard_normal((8, 5)))     # float64 data → float32 model
    assert out.dtype == np.float32
    nn.CrossEntropyLoss()(out, np.arange(8) % 3).backward()
    assert all(p.grad.dtype == np.float32 for p in model.parameters())
    assert all(b.dtype in (np.float32, np.int64) for b in model.buffers())
