"""Losses: value and gradient against PyTorch, reductions, label smoothing, probability targets, the fused
path against the unfused one, stability, finite differences, dtypes and the bad-input errors of issue 3."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import tensorgate as tg
import tensorgate.nn.functional as F
from tensorgate.functional import loss as L

RTOL = 1e-6


def rng(seed=0):
    return np.random.default_rng(seed)


def both(x):
    """The same float64 data as a tensorgate tensor and a torch tensor, both requiring grad."""
    return tg.tensor(x, dtype="float64", requires_grad=True), torch.tensor(x, requires_grad=True)


def value_and_gradients(ours, theirs, inputs):
    """Pairs (ours, PyTorch's) to compare: the loss values, then each input's gradient after backward
    with the same random upstream gradient (when the loss is not a scalar)."""
    pairs = [(ours.data, theirs.detach().numpy())]
    g = rng(9).standard_normal(ours.shape)
    ours.backward(g)
    theirs.backward(torch.tensor(g))
    return pairs + [(a.grad, b.grad.numpy()) for a, b in inputs]


REDUCTIONS = ["mean", "sum", "none"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_labels_matches_torch(reduction, smoothing):
    z, tz = both(rng().standard_normal((7, 5)) * 3)
    y = rng(1).integers(0, 5, 7)
    ours = F.cross_entropy(z, y, label_smoothing=smoothing, reduction=reduction)
    theirs = TF.cross_entropy(tz, torch.tensor(y), label_smoothing=smoothing, reduction=reduction)
    for a, b in value_and_gradients(ours, theirs, [(z, tz)]):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_cross_entropy_probabilities_matches_torch_including_target_gradient(reduction, smoothing):
    z, tz = both(rng().standard_normal((6, 4)))
    p = rng(2).random((6, 4))
    y, ty = both(p / p.sum(1, keepdims=True))
    ours = F.cross_entropy(z, y, label_smoothing=smoothing, reduction=reduction)
    theirs = TF.cross_entropy(tz, ty, label_smoothing=smoothing, reduction=reduction)
    for a, b in value_and_gradients(ours, theirs, [(z, tz), (y, ty)]):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=1e-12)


def test_cross_entropy_one_hot_equals_labels():
    z = tg.tensor(rng().standard_normal((5, 3)), dtype="float64")
    y = np.array([0, 2, 1, 1, 0])
    one_hot = F.one_hot(y, 3)
    assert one_hot.dtype == np.int64
    np.testing.assert_allclose(F.cross_entropy(z, one_hot).item(), F.cross_entropy(z, y).item(), rtol=1e-12)


def test_cross_entropy_fused_and_unfused_agree():
    x = rng().standard_normal((8, 6))
    y = rng(3).integers(0, 6, 8)
    a = tg.tensor(x, dtype="float64", requires_grad=True)
    b = tg.tensor(x, dtype="float64", requires_grad=True)
    fused, unfused = F.cross_entropy(a, y), L.cross_entropy_unfused(b, y)
    fused.backward()
    unfused.backward()
    np.testing.assert_allclose(fused.item(), unfused.item(), rtol=1e-12)
    np.testing.assert_allclose(a.grad, b.grad, rtol=1e-10, atol=1e-15)
    # and the backward is (softmax(z) − one_hot(y)) / m, as the docstring says
    s = np.exp(x) / np.exp(x).sum(1, keepdims=True)
    np.testing.assert_allclose(a.grad, (s - np.eye(6)[y]) / 8, rtol=1e-12)
    # the unfused path has many gates, the fused one
    assert fused.grad_fn.name == "cross_entropy"


def test_cross_entropy_hand_worked():
    # z = (2, 0, 0), label 0: softmax = e²/(e² + 2) = 0.78699..., loss = −ln 0.78699 = 0.23954
    z = tg.tensor([[2.0, 0.0, 0.0]], dtype="float64", requires_grad=True)
    loss = F.cross_entropy(z, [0])
    loss.backward()
    assert abs(loss.item() - 0.2395447) < 1e-6
    p0 = np.exp(2) / (np.exp(2) + 2)
    np.testing.assert_allclose(z.grad, [[p0 - 1, (1 - p0) / 2, (1 - p0) / 2]])


def test_cross_entropy_stable_for_huge_logits():
    z = tg.tensor([[1000.0, -1000.0, 0.0]], requires_grad=True)
    loss = F.cross_entropy(z, [1])
    loss.backward()
    assert np.isclose(loss.item(), 2000.0) and np.isfinite(z.grad).all()


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_matches_torch_and_unfused_path(reduction):
    z, tz = both(rng().standard_normal((5, 4)))
    y = rng(4).integers(0, 4, 5)
    ours = F.nll_loss(F.log_softmax(z, axis=1), y, reduction=reduction)
    theirs = TF.nll_loss(TF.log_softmax(tz, 1), torch.tensor(y), reduction=reduction)
    for a, b in value_and_gradients(ours, theirs, [(z, tz)]):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=1e-12)
    z2 = tg.tensor(z.data, dtype="float64")
    np.testing.assert_allclose(F.nll_loss(F.log_softmax(z2, axis=1), y, reduction=reduction).data,
                               F.cross_entropy(z2, y, reduction=reduction).data, rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_matches_torch(reduction):
    p, tp = both(rng().uniform(0.05, 0.95, (6, 3)))
    y, ty = both(rng(5).random((6, 3)))
    ours = F.binary_cross_entropy(p, y, reduction=reduction)
    theirs = TF.binary_cross_entropy(tp, ty, reduction=reduction)
    for a, b in value_and_gradients(ours, theirs, [(p, tp), (y, ty)]):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=1e-12)


def test_binary_cross_entropy_clamps_away_from_0_and_1():
    p = tg.tensor([0.0, 1.0, 1.0, 0.0], requires_grad=True)
    loss = F.binary_cross_entropy(p, [1.0, 0.0, 1.0, 0.0], reduction="none")
    loss.sum().backward()
    assert np.isfinite(loss.data).all() and np.isfinite(p.grad).all()
    # −ln eps ≈ 16.1; 1 − eps rounds to 1 − 1.19e-7 in float32, hence −ln(1.19e-7) ≈ 15.9 for p = 1
    np.testing.assert_allclose(loss.data[:2], -np.log(1e-7), rtol=2e-2)
    assert loss.data[2] < 1e-6 and loss.data[3] < 1e-6
    assert p.grad[0] < 0 < p.grad[1]   # the saturated wrong answers are still pushed back


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_matches_torch(reduction):
    z, tz = both(rng().standard_normal((5, 4)) * 4)
    y, ty = both(rng(6).random((5, 4)))
    ours = F.binary_cross_entropy_with_logits(z, y, reduction=reduction)
    theirs = TF.binary_cross_entropy_with_logits(tz, ty, reduction=reduction)
    for a, b in value_and_gradients(ours, theirs, [(z, tz), (y, ty)]):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=1e-12)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_bce_with_logits_at_1000_is_finite_and_correct(dtype):
    z = tg.tensor([1000.0, -1000.0, 1000.0, -1000.0], dtype=dtype, requires_grad=True)
    y = [0.0, 1.0, 1.0, 0.0]
    loss = F.binary_cross_entropy_with_logits(z, y, reduction="none")
    loss.sum().backward()
    np.testing.assert_allclose(loss.data, [1000.0, 1000.0, 0.0, 0.0])
    np.testing.assert_allclose(z.grad, [1.0, -1.0, 0.0, 0.0])   # σ(z) − y
    tz = torch.tensor([1000.0, -1000.0, 1000.0, -1000.0])
    np.testing.assert_allclose(loss.data, TF.binary_cross_entropy_with_logits(
        tz, torch.tensor(y), reduction="none").numpy())


def test_bce_with_logits_fused_and_unfused_agree_and_gradient_is_sigma_minus_y():
    x, t = rng().standard_normal((10, 3)), (rng(7).random((10, 3)) > 0.5).astype(float)
    a = tg.tensor(x, dtype="float64", requires_grad=True)
    b = tg.tensor(x, dtype="float64", requires_grad=True)
    fused = F.binary_cross_entropy_with_logits(a, t)
    unfused = L.binary_cross_entropy_with_logits_unfused(b, t)
    fused.backward()
    unfused.backward()
    np.testing.assert_allclose(fused.item(), unfused.item(), rtol=1e-12)
    np.testing.assert_allclose(a.grad, b.grad, rtol=1e-9)
    np.testing.assert_allclose(a.grad, (1 / (1 + np.exp(-x)) - t) / 30, rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_matches_torch(reduction):
    x, tx = both(rng().standard_normal((4, 3)))
    y, ty = both(rng(8).standard_normal((4, 3)))
    ours, theirs = F.mse_loss(x, y, reduction=reduction), TF.mse_loss(tx, ty, reduction=reduction)
    for a, b in value_and_gradients(ours, theirs, [(x, tx), (y, ty)]):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_hinge_loss_matches_torch_multi_margin_form(reduction):
    z, tz = both(rng().standard_normal(9))
    y = np.where(rng(3).random(9) > 0.5, 1.0, -1.0)
    theirs = torch.clamp(1.0 - torch.tensor(y) * tz, min=0)
    theirs = {"mean": theirs.mean(), "sum": theirs.sum(), "none": theirs}[reduction]
    for a, b in value_and_gradients(F.hinge_loss(z, y, reduction=reduction), theirs, [(z, tz)]):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=1e-12)


def test_perceptron_loss_gradient_is_the_perceptron_rule():
    z = tg.tensor([0.5, -2.0, 1.0, -0.3], requires_grad=True)
    y = [0, 1, 1, 0]                   # a false positive, a false negative, two right answers
    loss = F.perceptron_loss(z, y, reduction="sum")
    loss.backward()
    assert loss.item() == pytest.approx(0.5 + 2.0)
    np.testing.assert_allclose(z.grad, [1.0, -1.0, 0.0, 0.0])    # ŷ − y


LOSSES = {
    "cross_entropy": lambda z: F.cross_entropy(z, [0, 2, 1], label_smoothing=0.1),
    "cross_entropy_probs": lambda z: F.cross_entropy(z, np.full((3, 3), 1 / 3)),
    "nll": lambda z: F.nll_loss(F.log_softmax(z, axis=1), [0, 2, 1], reduction="sum"),
    "bce": lambda z: F.binary_cross_entropy(F.sigmoid(z), np.eye(3)),
    "bce_logits": lambda z: F.binary_cross_entropy_with_logits(z, np.eye(3), reduction="none"),
    "mse": lambda z: F.mse_loss(z, np.ones((3, 3))),
    "hinge": lambda z: F.hinge_loss(z, 2 * np.eye(3) - 1, margin=5.0),
}


@pytest.mark.parametrize("name", list(LOSSES))
def test_gradcheck_every_loss(name):
    z = tg.tensor(rng().standard_normal((3, 3)), dtype="float64", requires_grad=True)
    assert tg.gradcheck(LOSSES[name], z)


@pytest.mark.parametrize("name", list(LOSSES))
def test_float32_stays_float32(name):
    z = tg.tensor(rng().standard_normal((3, 3)), dtype="float32", requires_grad=True)
    loss = LOSSES[name](z)
    assert loss.dtype == np.float32
    loss.sum().backward() if loss.ndim else loss.backward()
    assert z.grad.dtype == np.float32


# ---------------------------------------------------------------- bad input (issue 3 acceptance)
def test_label_out_of_range_names_first_bad_label_and_index():
    z = tg.randn(4, 3)
    with pytest.raises(ValueError, match=r"label 3 at index 1 is outside \[0, 3\)"):
        F.cross_entropy(z, [0, 3, 5, 1])
    with pytest.raises(ValueError, match=r"label -1 at index 2"):
        F.nll_loss(z, [0, 1, -1, 1])
    with pytest.raises(ValueError, match=r"label -1 at index 0"):
        tg.nn.CrossEntropyLoss()(z, np.array([-1, 0, 0, 0]))


@pytest.mark.parametrize("dtype", ["int8", "uint8", "int32", "uint32", "int64", "uint64", ">i8"])
def test_labels_of_every_integer_dtype_give_the_same_loss_and_gradient(dtype):
    # the gates check labels by reading them as unsigned integers (a negative label is then larger than K)
    z0 = rng().standard_normal((6, 4))
    y = np.array([0, 3, 1, 2, 3, 0])
    results = []
    for labels in (y, y.astype(dtype)):
        for fn in (F.cross_entropy, lambda z, t: F.nll_loss(F.log_softmax(z, dim=1), t)):
            z = tg.tensor(z0, dtype="float64", requires_grad=True)
            loss = fn(z, labels)
            loss.backward()
            results.append((float(loss.data), z.grad))
    for (a, ga), (b, gb) in zip(results[:2], results[2:]):
        assert a == b
        np.testing.assert_array_equal(ga, gb)
    if np.dtype(dtype).kind == "i":
        with pytest.raises(ValueError, match=r"label -2 at index 1"):
            F.cross_entropy(tg.tensor(z0), np.array([0, -2, 1, 1, 1, 1], dtype=dtype))
    with pytest.raises(ValueError, match=r"label 4 at index 5"):
        F.nll_loss(tg.tensor(z0), np.array([0, 1, 1, 1, 1, 4], dtype=dtype))


def test_cross_entropy_of_logits_in_fortran_order():
    # a transposed array: the softmax is not C-contiguous, and the gradient is written at flat positions
    z0 = rng().standard_normal((4, 5))
    y = np.array([4, 0, 2, 1])
    grads = []
    for data in (z0, np.asfortranarray(z0)):
        z = tg.tensor(data, dtype="float64", requires_grad=True)
        F.cross_entropy(z, y).backward()
        grads.append(z.grad)
    tz = torch.tensor(z0, requires_grad=True)
    TF.cross_entropy(tz, torch.tensor(y)).backward()
    np.testing.assert_allclose(grads[1], tz.grad.numpy(), rtol=RTOL)
    np.testing.assert_array_equal(grads[0], grads[1])


def test_float_labels_to_cross_entropy_is_a_type_error():
    with pytest.raises(TypeError, match=r"integer labels.*\(4, 3\)"):
        F.cross_entropy(tg.randn(4, 3), np.array([0.0, 1.0, 2.0, 1.0]))


def test_batch_sizes_differ():
    with pytest.raises(ValueError, match=r"batch sizes.*\(4, 3\).*\(5,\)"):
        F.cross_entropy(tg.randn(4, 3), [0, 1, 2, 1, 0])
    with pytest.raises(ValueError, match=r"batch sizes.*\(4, 3\).*\(5, 3\)"):
        F.cross_entropy(tg.randn(4, 3), np.full((5, 3), 1 / 3))
    with pytest.raises(ValueError, match=r"batch sizes.*\(4, 1\).*\(3, 1\)"):
        F.binary_cross_entropy_with_logits(tg.randn(4, 1), np.zeros((3, 1)))
    with pytest.raises(ValueError, match=r"\(4, 1\).*\(4,\).*reshape"):
        F.mse_loss(tg.randn(4, 1), np.zeros(4))


def test_nan_in_input_is_a_value_error():
    z = tg.randn(3, 4)
    z.data[1, 2] = np.nan
    with pytest.raises(ValueError, match=r"input contains nan \(first at index \(1, 2\)\)"):
        F.cross_entropy(z, [0, 1, 2])
    with pytest.raises(ValueError, match="input contains nan"):
        F.mse_loss(z, np.zeros((3, 4)))
    with pytest.raises(ValueError, match="input contains nan"):
        F.binary_cross_entropy_with_logits(z, np.zeros((3, 4)))
    with pytest.raises(ValueError, match="target contains nan"):
        F.mse_loss(tg.zeros(2), [0.0, np.nan])


def test_other_argument_errors():
    with pytest.raises(ValueError, match="reduction"):
        F.mse_loss(tg.zeros(2), [0.0, 0.0], reduction="average")
    with pytest.raises(ValueError, match=r"shape \(m, K\)"):
        F.cross_entropy(tg.zeros(3), [0, 1, 2])
    with pytest.raises(ValueError, match="2\\*y − 1"):
        F.hinge_loss(tg.zeros(2), [0, 1])
    with pytest.raises(TypeError, match="different dtypes"):
        F.mse_loss(tg.zeros(2), tg.zeros(2, dtype="float64"))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("per_example", [False, True])
@pytest.mark.parametrize("reuse", [False, True])
def test_cross_entropy_kernel_agrees_with_the_textbook_gradient(dtype, smoothing, per_example, reuse):
    rng = np.random.default_rng(5)
    z = rng.standard_normal((6, 4)).astype(dtype)
    s = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    labels = np.array([0, 3, 1, 1, 2, 3])
    scale = rng.random((6, 1)).astype(dtype) if per_example else 1.0 / 6
    expected = L._softmax_minus_labels_reference(s, labels, smoothing, scale)
    saved = s.copy()
    got = L._softmax_minus_labels(s, L._label_positions("test", labels, s.shape), smoothing, scale, reuse)
    assert got.dtype == dtype and got.shape == (6, 4) and (got is s) == reuse
    np.testing.assert_allclose(got, expected, rtol=1e-6 if dtype == np.float32 else 1e-13, atol=1e-7)
    if not reuse:
        np.testing.assert_array_equal(s, saved)   # the saved softmax is left as it was
