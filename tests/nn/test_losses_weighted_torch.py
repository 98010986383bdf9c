"""Class weights, ignore_index, label smoothing and pos_weight against PyTorch (values and gradients, float32
and float64, every reduction), the modules' save/load, and the gate against finite differences."""
import numpy as np
import pytest
import torch

import tensorgate as tg
from tensorgate import nn
import tensorgate.nn.functional as F

rng = np.random.default_rng(0)
M, K = 7, 4
Z = rng.standard_normal((M, K)) * 2
LABELS = np.array([0, 3, -100, 1, 3, 2, 1])
W = np.array([0.5, 2.0, 1.0, 3.0])


def _tol(dtype):
    return dict(rtol=3e-5, atol=3e-6) if dtype == "float32" else dict(rtol=1e-11, atol=1e-12)


def assert_matches_torch(ours_fn, torch_fn, dtype, x=Z, target_grad=None):
    """Assert that our loss and its gradient equal PyTorch's, in dtype."""
    x = x.astype(dtype)
    ox, tx = tg.tensor(x, requires_grad=True, dtype=dtype), torch.tensor(x, requires_grad=True)
    y, ty = ours_fn(ox), torch_fn(tx)
    assert y.dtype == np.dtype(dtype)
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), **_tol(dtype))
    g = rng.standard_normal(y.shape).astype(dtype)
    y.backward(g)
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(np.asarray(ox.grad), tx.grad.numpy(), **_tol(dtype))


def _labels_for(ignore_index):
    """The labels, with −100 (an error in PyTorch too unless it is the ignore_index) replaced by 2 otherwise."""
    return LABELS if ignore_index == -100 else np.where(LABELS == -100, 2, LABELS)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weight,ignore_index,smoothing", [(W, -100, 0.0), (None, -100, 0.0), (None, 3, 0.0),
                                                           (W, 1, 0.0), (W, -100, 0.2), (None, 3, 0.1)])
def test_cross_entropy_weight_ignore_index_smoothing(weight, ignore_index, smoothing, reduction, dtype):
    w = None if weight is None else weight.astype(dtype)
    labels = _labels_for(ignore_index)
    assert_matches_torch(
        lambda z: F.cross_entropy(z, labels, weight=w, ignore_index=ignore_index, reduction=reduction,
                                  label_smoothing=smoothing),
        lambda z: torch.nn.functional.cross_entropy(z, torch.tensor(labels), None if w is None else torch.tensor(w),
                                                    ignore_index=ignore_index, reduction=reduction,
                                                    label_smoothing=smoothing), dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_weight_with_probability_targets(reduction, dtype):
    p = rng.random((M, K))
    p = (p / p.sum(axis=1, keepdims=True)).astype(dtype)
    w = W.astype(dtype)
    assert_matches_torch(
        lambda z: F.cross_entropy(z, p, weight=w, reduction=reduction, label_smoothing=0.1),
        lambda z: torch.nn.functional.cross_entropy(z, torch.tensor(p), torch.tensor(w), reduction=reduction,
                                                    label_smoothing=0.1), dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weight,ignore_index", [(W, -100), (None, 0), (W, 2)])
def test_nll_loss_weight_and_ignore_index(weight, ignore_index, reduction, dtype):
    w = None if weight is None else weight.astype(dtype)
    labels = _labels_for(ignore_index)
    logp = np.log(np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True))
    assert_matches_torch(
        lambda q: F.nll_loss(q, labels, weight=w, ignore_index=ignore_index, reduction=reduction),
        lambda q: torch.nn.functional.nll_loss(q, torch.tensor(labels), None if w is None else torch.tensor(w),
                                               ignore_index=ignore_index, reduction=reduction), dtype, x=logp)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weight,pos_weight", [(None, [1.0, 3.0, 0.5, 2.0]), (np.array([[1.0], [2.0], [0.5], [1.0],
                                                [1.5], [0.0], [1.0]]), None), (0.7, [2.0, 2.0, 1.0, 4.0])])
def test_bce_with_logits_weight_and_pos_weight(weight, pos_weight, reduction, dtype):
    y = (rng.random((M, K)) > 0.5).astype(dtype)
    z = Z * 10        # large logits too: the stable form must hold
    w = None if weight is None else np.asarray(weight, dtype=dtype)
    pw = None if pos_weight is None else np.asarray(pos_weight, dtype=dtype)
    assert_matches_torch(
        lambda x: F.binary_cross_entropy_with_logits(x, y, weight=w, reduction=reduction, pos_weight=pw),
        lambda x: torch.nn.functional.binary_cross_entropy_with_logits(
            x, torch.tensor(y), None if w is None else torch.tensor(w), reduction=reduction,
            pos_weight=None if pw is None else torch.tensor(pw)), dtype, x=z)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_bce_weight(dtype):
    p = (1 / (1 + np.exp(-Z))).astype(dtype)
    y = (rng.random((M, K)) > 0.5).astype(dtype)
    w = rng.random(K).astype(dtype)
    assert_matches_torch(
        lambda x: F.binary_cross_entropy(x, y, weight=w),
        lambda x: torch.nn.functional.binary_cross_entropy(x, torch.tensor(y), torch.tensor(w)), dtype, x=p)


def test_weighted_nll_gate_matches_finite_differences():
    q = tg.tensor(Z, requires_grad=True, dtype="float64")
    assert tg.gradcheck(lambda q: F.cross_entropy(q, _labels_for(1), weight=W, ignore_index=1, label_smoothing=0.3), q)


def test_modules_match_torch_and_save_and_load(tmp_path):
    pairs = [
        (nn.CrossEntropyLoss(weight=tg.tensor(W), ignore_index=2, label_smoothing=0.1),
         torch.nn.CrossEntropyLoss(weight=torch.tensor(W, dtype=torch.float32), ignore_index=2, label_smoothing=0.1),
         _labels_for(2)),
        (nn.NLLLoss(weight=W.tolist(), reduction="sum"),
         torch.nn.NLLLoss(weight=torch.tensor(W, dtype=torch.float32), reduction="sum"), LABELS),
        (nn.BCEWithLogitsLoss(pos_weight=tg.tensor([1.0, 2.0, 3.0, 4.0])),
         torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor([1.0, 2.0, 3.0, 4.0])),
         (rng.random((M, K)) > 0.5).astype(np.float32)),
    ]
    z = Z.astype(np.float32)
    for ours, theirs, target in pairs:
        expected = theirs(torch.tensor(z), torch.tensor(target)).item()
        assert ours(tg.tensor(z), target).item() == pytest.approx(expected, rel=1e-5)
        assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
        tg.save(ours, tmp_path / "loss.tgate")
        back = tg.load(tmp_path / "loss.tgate")
        assert type(back) is type(ours) and back.get_config() == ours.get_config()
        assert back(tg.tensor(z), target).item() == pytest.approx(expected, rel=1e-5)


def test_errors_are_clear():
    with pytest.raises(ValueError, match=r"weight must have one entry per class, shape \(4,\)"):
        F.cross_entropy(tg.tensor(Z), LABELS, weight=[1.0, 2.0])
    with pytest.raises(ValueError, match="outside"):
        F.cross_entropy(tg.tensor(Z), np.array([0, 1, 2, 3, 4, -100, 0]), weight=W)
    with pytest.raises(ValueError, match="deprecated"):
        nn.CrossEntropyLoss(size_average=True)
    with pytest.raises(ValueError, match="broadcast"):
        F.binary_cross_entropy_with_logits(tg.tensor(Z), np.zeros((M, K)), pos_weight=[1.0, 2.0])


def test_a_compiled_step_replays_the_new_modules_and_the_weighted_loss():
    X = rng.random((16, 4)).astype(np.float32)
    y = np.arange(16) % 3
    y[5] = -100

    def run(compiled):
        tg.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 8), nn.LayerNorm(8), nn.SiLU(), nn.Linear(8, 3), nn.Mish())
        loss_fn = nn.CrossEntropyLoss(weight=tg.tensor([1.0, 2.0, 0.5]), label_smoothing=0.1)
        opt = tg.optim.SGD(model.parameters(), lr=0.1)
        if compiled:
            step = tg.training.compile_step(model, loss_fn, opt)
            return [float(step(X, y)[0]) for _ in range(4)]
        losses = []
        for _ in range(4):
            opt.zero_grad()
            loss = loss_fn(model(tg.tensor(X)), y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return losses

    eager = run(False)
    assert run(True) == eager and eager[-1] < eager[0]


def test_nan_input_is_named_on_the_weighted_path_too():
    z = Z.copy()
    z[2, 1] = np.nan
    with pytest.raises(ValueError, match="input contains nan"):
        F.cross_entropy(tg.tensor(z), LABELS, weight=W)
