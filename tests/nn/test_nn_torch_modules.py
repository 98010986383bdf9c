"""LayerNorm, Embedding, ModuleDict, ParameterList/Dict, Unflatten, the smooth activation modules and
nn.utils against PyTorch (values and gradients in float32 and float64), and through tg.save / tg.load."""
import numpy as np
import pytest
import torch

import tensorgate as tg
from tensorgate import nn

rng = np.random.default_rng(0)


def _tol(dtype):
    return dict(rtol=2e-5, atol=2e-6) if dtype == "float32" else dict(rtol=1e-11, atol=1e-12)


def assert_close_to_torch(ours, theirs, dtype):
    """Assert that a tensorgate value equals PyTorch's to the dtype's tolerance."""
    ours = ours.data if isinstance(ours, tg.Tensor) else np.asarray(ours)
    assert ours.dtype == np.dtype(dtype)
    np.testing.assert_allclose(ours, theirs.detach().numpy(), **_tol(dtype))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape,normalized,affine,bias", [((5, 4), 4, True, True), ((3, 2, 6), (2, 6), True, True),
                                                          ((4, 3), (3,), False, False), ((4, 3), 3, True, False)])
def test_layer_norm_matches_torch(shape, normalized, affine, bias, dtype):
    x = rng.standard_normal(shape).astype(dtype) * 2 + 1
    ours = nn.LayerNorm(normalized, elementwise_affine=affine, bias=bias, dtype=dtype)
    theirs = torch.nn.LayerNorm(normalized, elementwise_affine=affine, bias=bias, dtype=getattr(torch, dtype))
    if affine:   # non-trivial γ, β, the same in both
        w = rng.standard_normal(ours.weight.shape).astype(dtype)
        ours.weight.data[...] = w
        theirs.weight.data[...] = torch.tensor(w)
        if bias:
            b = rng.standard_normal(ours.bias.shape).astype(dtype)
            ours.bias.data[...] = b
            theirs.bias.data[...] = torch.tensor(b)
    tx, ox = torch.tensor(x, requires_grad=True), tg.tensor(x, requires_grad=True, dtype=dtype)
    y, ty = ours(ox), theirs(tx)
    assert_close_to_torch(y, ty, dtype)
    g = rng.standard_normal(shape).astype(dtype)
    y.backward(g)
    ty.backward(torch.tensor(g))
    assert_close_to_torch(ox.grad, tx.grad, dtype)
    for name, p in ours.named_parameters():
        assert_close_to_torch(p.grad, dict(theirs.named_parameters())[name].grad, dtype)
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())


def test_layer_norm_gradient_matches_finite_differences():
    ln = nn.LayerNorm(3, dtype="float64")
    ln.weight.data[...] = [0.5, -1.0, 2.0]
    assert tg.gradcheck(lambda x, w, b: tg.nn.functional.layer_norm(x, (3,), w, b),
                        tg.tensor(rng.standard_normal((4, 3)), requires_grad=True, dtype="float64"),
                        ln.weight, ln.bias)


def test_layer_norm_bad_shape_is_a_clear_error():
    with pytest.raises(ValueError, match="normalized_shape"):
        nn.LayerNorm(4)(tg.zeros(2, 3))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("padding_idx,scale", [(None, False), (0, False), (2, True), (-1, False)])
def test_embedding_matches_torch(padding_idx, scale, dtype):
    ids = np.array([[1, 2, 2, 0], [4, 2, 1, 3]])
    ours = nn.Embedding(5, 3, padding_idx=padding_idx, scale_grad_by_freq=scale, dtype=dtype)
    theirs = torch.nn.Embedding(5, 3, padding_idx=padding_idx, scale_grad_by_freq=scale, dtype=getattr(torch, dtype))
    if padding_idx is not None:
        assert not ours.weight.data[padding_idx].any()
    theirs.weight.data[...] = torch.tensor(ours.weight.data)
    y, ty = ours(tg.tensor(ids)), theirs(torch.tensor(ids))
    assert_close_to_torch(y, ty, dtype)
    g = rng.standard_normal(y.shape).astype(dtype)
    y.backward(g)
    ty.backward(torch.tensor(g))
    assert_close_to_torch(ours.weight.grad, theirs.weight.grad, dtype)


def test_embedding_errors_and_from_pretrained():
    emb = nn.Embedding(4, 2)
    with pytest.raises(IndexError, match="out of range"):
        emb(tg.tensor([4]))
    with pytest.raises(TypeError, match="integers"):
        emb(tg.tensor([1.0]))
    with pytest.raises(NotImplementedError, match="max_norm"):
        nn.Embedding(4, 2, max_norm=1.0)
    table = np.arange(6, dtype=np.float32).reshape(3, 2)
    frozen = nn.Embedding.from_pretrained(tg.tensor(table))
    assert not frozen.weight.requires_grad and frozen(np.array([2])).tolist() == [[4.0, 5.0]]
    assert nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad


ACTIVATIONS = [
    (nn.SiLU(), torch.nn.SiLU()), (nn.ELU(), torch.nn.ELU()), (nn.ELU(alpha=0.3), torch.nn.ELU(alpha=0.3)),
    (nn.SELU(), torch.nn.SELU()), (nn.Mish(), torch.nn.Mish()), (nn.Softplus(), torch.nn.Softplus()),
    (nn.Softplus(beta=3.0, threshold=2.0), torch.nn.Softplus(beta=3.0, threshold=2.0)),
    (nn.LogSigmoid(), torch.nn.LogSigmoid()),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("ours,theirs", ACTIVATIONS, ids=[repr(a[1]) for a in ACTIVATIONS])
def test_activation_modules_match_torch(ours, theirs, dtype):
    x = (rng.standard_normal((6, 4)) * 3).astype(dtype)
    ox, tx = tg.tensor(x, requires_grad=True, dtype=dtype), torch.tensor(x, requires_grad=True)
    y, ty = ours(ox), theirs(tx)
    assert_close_to_torch(y, ty, dtype)
    y.sum().backward()
    ty.sum().backward()
    assert_close_to_torch(ox.grad, tx.grad, dtype)


def test_module_dict_and_parameter_containers_name_their_state_as_torch():
    class Ours(nn.Module):
        def __init__(self):
            super().__init__()
            self.heads = nn.ModuleDict({"a": nn.Linear(3, 2), "b": nn.Linear(3, 1)})
            self.scales = nn.ParameterList([nn.Parameter(tg.ones(2)), tg.zeros(1)])
            self.extra = nn.ParameterDict({"shift": nn.Parameter(tg.zeros(3))})

    class Theirs(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.heads = torch.nn.ModuleDict({"a": torch.nn.Linear(3, 2), "b": torch.nn.Linear(3, 1)})
            self.scales = torch.nn.ParameterList([torch.nn.Parameter(torch.ones(2)), torch.zeros(1)])
            self.extra = torch.nn.ParameterDict({"shift": torch.nn.Parameter(torch.zeros(3))})

    ours, theirs = Ours(), Theirs()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert "a" in ours.heads and list(ours.heads) == ["a", "b"] and len(ours.scales) == 2
    assert ours.scales[1].requires_grad
    del ours.heads["a"]
    assert list(ours.heads.keys()) == ["b"] and "heads.a.weight" not in ours.state_dict()


def test_containers_save_and_load(tmp_path):
    model = nn.Sequential(nn.Embedding(10, 4, padding_idx=0), nn.LayerNorm(4), nn.SiLU(), nn.Flatten(),
                          nn.Unflatten(1, (3, 4)), nn.Flatten(), nn.Linear(12, 2), nn.ELU(alpha=0.5),
                          nn.Softplus(beta=2.0))
    heads = nn.ModuleDict({"x": nn.Linear(2, 2), "y": nn.Mish()})
    params = nn.ParameterList([tg.randn(2, 3), tg.randn(4, dtype="float64")])
    pdict = nn.ParameterDict({"w": tg.randn(5)})
    ids = tg.tensor([[1, 2, 0], [3, 0, 9]])
    for m in (model, heads, params, pdict):
        tg.save(m, tmp_path / "m.tgate")
        back = tg.load(tmp_path / "m.tgate")
        assert type(back) is type(m)
        for (k, v), (k2, v2) in zip(m.state_dict().items(), back.state_dict().items()):
            assert k == k2 and np.array_equal(np.asarray(v), np.asarray(v2)) and np.asarray(v).dtype == np.asarray(v2).dtype
    back = tg.load(tmp_path / "m.tgate")   # the ParameterDict, saved last
    assert [p.requires_grad for p in back.parameters()] == [True]
    tg.save(model, tmp_path / "seq.tgate")
    again = tg.load(tmp_path / "seq.tgate")
    np.testing.assert_array_equal(again(ids).numpy(), model(ids).numpy())


def test_unflatten_matches_torch():
    x = np.arange(24, dtype=np.float32).reshape(2, 12)
    for dim, sizes in [(1, (3, 4)), (-1, (2, -1)), (0, (1, 2))]:
        assert nn.Unflatten(dim, sizes)(tg.tensor(x)).shape == tuple(torch.nn.Unflatten(dim, sizes)(torch.tensor(x)).shape)
    with pytest.raises(ValueError, match="cannot split"):
        nn.Unflatten(1, (5, 2))(tg.tensor(x))


def test_parameters_to_vector_and_back_match_torch():
    ours, theirs = nn.Linear(3, 2), torch.nn.Linear(3, 2)
    theirs.load_state_dict({k: torch.tensor(np.asarray(v)) for k, v in ours.state_dict().items()})
    v, tv = nn.utils.parameters_to_vector(ours.parameters()), torch.nn.utils.parameters_to_vector(theirs.parameters())
    np.testing.assert_array_equal(v.numpy(), tv.detach().numpy())
    new = np.arange(8, dtype=np.float32)
    nn.utils.vector_to_parameters(tg.tensor(new), ours.parameters())
    torch.nn.utils.vector_to_parameters(torch.tensor(new), theirs.parameters())
    for (k, a), (_, b) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        np.testing.assert_array_equal(np.asarray(a), b.numpy())
    with pytest.raises(ValueError, match="elements"):
        nn.utils.vector_to_parameters(tg.zeros(3), ours.parameters())


def test_nn_utils_clip_is_the_optim_function_and_returns_a_tensor():
    assert nn.utils.clip_grad_norm_ is tg.optim.clip_grad_norm_
    w = tg.tensor([0.0, 0.0], requires_grad=True)
    (w * tg.tensor([3.0, 4.0])).sum().backward()
    total = nn.utils.clip_grad_norm_([w], 1.0)
    assert isinstance(total, tg.Tensor) and total.dtype == np.float32 and total.item() == pytest.approx(5.0)


CONFIGURABLE = [
    lambda: nn.LayerNorm((2, 3), eps=1e-3, elementwise_affine=True, bias=False),
    lambda: nn.Embedding(7, 2, padding_idx=1, scale_grad_by_freq=True),
    lambda: nn.Embedding.from_pretrained(np.ones((4, 2), np.float32), freeze=False),
    lambda: nn.ModuleDict({"a": nn.Linear(2, 2), "b": nn.SiLU()}),
    lambda: nn.ParameterList([tg.zeros(2), tg.ones(3, dtype="float64")]),
    lambda: nn.ParameterDict({"w": tg.zeros(2, 2)}),
    lambda: nn.Unflatten(1, (2, 3)),
    lambda: nn.ELU(alpha=0.5), lambda: nn.SELU(), lambda: nn.Mish(), lambda: nn.SiLU(), lambda: nn.LogSigmoid(),
    lambda: nn.Softplus(beta=2.0, threshold=10.0),
    lambda: nn.CrossEntropyLoss(weight=[1.0, 2.0], ignore_index=1, label_smoothing=0.1),
    lambda: nn.NLLLoss(weight=np.array([0.5, 1.0]), reduction="sum"),
    lambda: nn.BCEWithLogitsLoss(pos_weight=[2.0, 3.0]), lambda: nn.BCELoss(weight=[1.0, 0.5]),
]


@pytest.mark.parametrize("make", CONFIGURABLE, ids=lambda make: "")
def test_new_modules_build_from_their_config(make):
    original = make()
    rebuilt = nn.module_from_config(original.get_config())
    assert type(rebuilt) is type(original) and rebuilt.get_config() == original.get_config()
    assert repr(rebuilt) == repr(original)
    for (k, v), (k2, v2) in zip(original.state_dict().items(), rebuilt.state_dict().items()):
        assert k == k2 and np.asarray(v).shape == np.asarray(v2).shape and np.asarray(v).dtype == np.asarray(v2).dtype
    assert [p.requires_grad for p in original.parameters()] == [p.requires_grad for p in rebuilt.parameters()]


def test_numpy_float64_settings_do_not_promote_float32():
    x = tg.tensor(rng.standard_normal(5).astype(np.float32), requires_grad=True)
    for y in (nn.ELU(alpha=np.float64(0.5))(x), nn.Softplus(beta=np.float64(2.0), threshold=np.float64(3.0))(x),
              tg.nn.functional.elu(x, alpha=np.float64(0.3)), tg.nn.functional.softplus(x, beta=np.float64(2.0))):
        assert y.dtype == np.float32
        y.sum().backward()
        assert np.asarray(x.grad).dtype == np.float32


def test_a_float64_loss_weight_survives_save_and_load(tmp_path):
    loss = nn.CrossEntropyLoss(weight=tg.tensor([0.5, 1 / 3], dtype="float64"))
    tg.save(loss, tmp_path / "loss.tgate")
    back = tg.load(tmp_path / "loss.tgate")
    assert back.weight.dtype == np.float64 and back.weight.tolist() == [0.5, 1 / 3]
