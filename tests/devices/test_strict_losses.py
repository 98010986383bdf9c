"""The losses, the dense layer, layer/batch/local-response normalisation and dropout on the stand-in device.

Every gate of functional/loss.py, loss_weighted.py, linear.py, layer_norm.py, batchnorm.py,
regularization.py and local_response_norm.py runs on the CPU and on array_api_strict (``parity.check``):
same values, same gradients, results on the device. A few paths also go through gates of other files
(log_softmax, sum, mean, softplus); where those are not yet ported to the array API, their cases skip
and say which gate they wait for.
"""
import numpy as np
import pytest

import tensorgate as tg
import tensorgate.nn.functional as F
from tensorgate.backend import devices as D
from tensorgate.functional import loss_weighted as W
from tensorgate.functional.loss import cross_entropy_unfused, binary_cross_entropy_with_logits_unfused

from .parity import STRICT, check

rng = np.random.default_rng(21)


def _f(*shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


def _probs(m, k, dtype=np.float32):
    p = rng.random((m, k)) + 0.1
    return (p / p.sum(axis=1, keepdims=True)).astype(dtype)


def _unit(*shape, dtype=np.float32):
    return rng.uniform(0.05, 0.95, shape).astype(dtype)


def _labels(m, k, dtype=np.int64):
    return rng.integers(0, k, m).astype(dtype)


def _works(probe):
    """True when ``probe`` (a small forward and backward on the stand-in device) runs."""
    try:
        probe()
    except Exception:
        return False
    return True


def _strict(a):
    return tg.tensor(a, dtype=a.dtype, requires_grad=True, device=STRICT)


def _backward(t):
    t.backward(tg.ones(*t.shape, dtype=t.dtype, device=STRICT))


_PORTED = {
    "log_softmax": lambda: _backward(F.log_softmax(_strict(_f(2, 3)), dim=1)),
    "sum": lambda: _backward(_strict(_f(2, 3)).sum(axis=1)),
    "mean": lambda: _backward(_strict(_f(2, 3)).mean()),
    "softplus": lambda: _backward(F.softplus(_strict(_f(2, 3)))),
    "sigmoid, log": lambda: _backward(tg.log(tg.sigmoid(_strict(_f(2, 3))))),
    "permute": lambda: _backward(_strict(_f(2, 3, 1, 1)).permute(1, 0, 2, 3)),
}


def _needs(*gates):
    """Skip a case until the other gates it goes through run on the stand-in device."""
    missing = [g for g in gates if not _works(_PORTED[g])]
    return pytest.mark.skipif(bool(missing), reason=f"goes through {', '.join(missing)}, not yet ported to the "
                                                    "array API (another file's port)")


# ---------------------------------------------------------------- the losses
# (id, fn, arrays): fn gets tensors (floats require grad) on each device
LOSSES = [
    ("cross_entropy", lambda z, y: F.cross_entropy(z, y), (_f(6, 4), _labels(6, 4))),
    ("cross_entropy-int32-labels", lambda z, y: F.cross_entropy(z, y), (_f(6, 4), _labels(6, 4, np.int32))),
    ("cross_entropy-uint8-labels", lambda z, y: F.cross_entropy(z, y), (_f(6, 4), _labels(6, 4, np.uint8))),
    ("cross_entropy-sum", lambda z, y: F.cross_entropy(z, y, reduction="sum"), (_f(6, 4), _labels(6, 4))),
    ("cross_entropy-none", lambda z, y: F.cross_entropy(z, y, reduction="none"), (_f(6, 4), _labels(6, 4))),
    ("cross_entropy-smoothing", lambda z, y: F.cross_entropy(z, y, label_smoothing=0.2),
     (_f(6, 4), _labels(6, 4))),
    ("cross_entropy-smoothing-none", lambda z, y: F.cross_entropy(z, y, label_smoothing=0.1, reduction="none"),
     (_f(6, 4), _labels(6, 4))),
    ("cross_entropy-probabilities", lambda z, y: F.cross_entropy(z, y), (_f(5, 3), _probs(5, 3))),
    ("cross_entropy-probabilities-smoothing-none",
     lambda z, y: F.cross_entropy(z, y, label_smoothing=0.3, reduction="none"), (_f(5, 3), _probs(5, 3))),
    ("nll_loss", lambda q, y: F.nll_loss(q, y), (_f(6, 4), _labels(6, 4))),
    ("nll_loss-sum", lambda q, y: F.nll_loss(q, y, reduction="sum"), (_f(6, 4), _labels(6, 4))),
    ("nll_loss-none", lambda q, y: F.nll_loss(q, y, reduction="none"), (_f(6, 4), _labels(6, 4))),
    ("nll_loss-weight", lambda q, y, w: F.nll_loss(q, y, weight=w),
     (_f(6, 4), _labels(6, 4), _unit(4))),
    ("nll_loss-weight-none", lambda q, y, w: F.nll_loss(q, y, weight=w, reduction="none"),
     (_f(6, 4), _labels(6, 4), _unit(4))),
    ("nll_loss-ignore_index", lambda q, y: F.nll_loss(q, y),
     (_f(6, 4), np.array([0, -100, 3, 1, -100, 2]))),
    ("nll_loss-ignore_index-2", lambda q, y: F.nll_loss(q, y, ignore_index=2, reduction="sum"),
     (_f(6, 4), np.array([0, 2, 3, 1, 2, 2]))),
    ("binary_cross_entropy", lambda p, y: F.binary_cross_entropy(p, y), (_unit(4, 3), _unit(4, 3))),
    ("binary_cross_entropy-none", lambda p, y: F.binary_cross_entropy(p, y, reduction="none"),
     (_unit(4, 3), _unit(4, 3))),
    ("binary_cross_entropy-weight-none", lambda p, y, w: F.binary_cross_entropy(p, y, weight=w, reduction="none"),
     (_unit(4, 3), _unit(4, 3), _unit(3))),
    ("binary_cross_entropy_with_logits", lambda z, y: F.binary_cross_entropy_with_logits(z, y),
     (_f(4, 3) * 5, _unit(4, 3))),
    ("binary_cross_entropy_with_logits-sum",
     lambda z, y: F.binary_cross_entropy_with_logits(z, y, reduction="sum"), (_f(4, 3), _unit(4, 3))),
    ("mse_loss", lambda x, y: F.mse_loss(x, y), (_f(4, 3), _f(4, 3))),
    ("mse_loss-none", lambda x, y: F.mse_loss(x, y, reduction="none"), (_f(4, 3), _f(4, 3))),
    ("mse_loss-sum", lambda x, y: F.mse_loss(x, y, reduction="sum"), (_f(7), _f(7))),
    ("hinge_loss", lambda z, y: F.hinge_loss(z, y), (_f(8), rng.choice([-1.0, 1.0], 8).astype(np.float32))),
    ("hinge_loss-margin-none", lambda z, y: F.hinge_loss(z, y, margin=0.5, reduction="none"),
     (_f(8), rng.choice([-1, 1], 8))),
    ("perceptron_loss", lambda z, y: F.perceptron_loss(z, y), (_f(8), rng.integers(0, 2, 8))),
    ("perceptron_loss-sum", lambda z, y: F.perceptron_loss(z, y, reduction="sum"),
     (_f(8), rng.integers(0, 2, 8).astype(np.float32))),
    ("weighted_nll-smoothing", lambda q, y: W.weighted_nll(q, y.data, None, -100, 0.2, "mean"),
     (_f(6, 4), np.array([0, -100, 3, 1, 2, 2]))),
    ("weighted_nll-weight-smoothing-none",
     lambda q, y: W.weighted_nll(q, y.data, W.class_weight("t", np.arange(1.0, 5.0), 4, q.dtype, q), -100, 0.1,
                                 "none"), (_f(6, 4), _labels(6, 4))),
]

NEEDING = [   # cases that go through another file's gates too
    ("cross_entropy-weight", ("log_softmax",), lambda z, y, w: F.cross_entropy(z, y, weight=w),
     (_f(6, 4), _labels(6, 4), _unit(4))),
    ("cross_entropy-ignore_index-smoothing", ("log_softmax",),
     lambda z, y: F.cross_entropy(z, y, label_smoothing=0.1),
     (_f(6, 4), np.array([0, -100, 3, 1, -100, 2]))),
    ("cross_entropy-probabilities-weight", ("log_softmax", "sum", "mean"),
     lambda z, y, w: F.cross_entropy(z, y, weight=w), (_f(5, 3), _probs(5, 3), _unit(3))),
    ("binary_cross_entropy-weight", ("mean",), lambda p, y, w: F.binary_cross_entropy(p, y, weight=w),
     (_unit(4, 3), _unit(4, 3), _unit(3))),
    ("binary_cross_entropy_with_logits-pos_weight", ("softplus", "mean"),
     lambda z, y, w: F.binary_cross_entropy_with_logits(z, y, pos_weight=w), (_f(4, 3), _unit(4, 3), _unit(3))),
    ("binary_cross_entropy_with_logits-weight-sum", ("softplus", "sum"),
     lambda z, y, w: F.binary_cross_entropy_with_logits(z, y, weight=w, reduction="sum"),
     (_f(4, 3), _unit(4, 3), _unit(4, 1))),
    ("soft_target_cross_entropy", ("log_softmax", "sum", "mean"),
     lambda z, y: W.soft_target_cross_entropy(F.log_softmax(z, dim=1), y, W.class_weight("t", [1.0, 2.0, 0.5],
                                                                                         3, z.dtype, z), 0.1,
                                              "mean"), (_f(5, 3), _probs(5, 3))),
    ("bce_with_logits_weighted", ("softplus",),
     lambda z, y: W.bce_with_logits_weighted(z, y, None, None, "none"), (_f(4, 3), _unit(4, 3))),
    ("cross_entropy_unfused", ("log_softmax", "sum", "mean"), lambda z, y: cross_entropy_unfused(z, y),
     (_f(6, 4), _labels(6, 4))),
    ("binary_cross_entropy_with_logits_unfused", ("sigmoid, log", "mean"),
     lambda z, y: binary_cross_entropy_with_logits_unfused(z, y), (_f(4, 3), _unit(4, 3))),
]


@pytest.mark.parametrize("fn, arrays", [pytest.param(fn, arrays, id=name) for name, fn, arrays in LOSSES])
def test_every_loss_matches_on_the_stand_in_device(fn, arrays):
    check(fn, *arrays)


@pytest.mark.parametrize("fn, arrays", [pytest.param(fn, arrays, id=name, marks=_needs(*gates))
                                        for name, gates, fn, arrays in NEEDING])
def test_losses_through_other_gates_match_on_the_stand_in_device(fn, arrays):
    check(fn, *arrays)


@pytest.mark.parametrize("name", ["cross_entropy", "cross_entropy-smoothing", "cross_entropy-probabilities",
                                  "nll_loss-weight", "binary_cross_entropy", "binary_cross_entropy_with_logits",
                                  "mse_loss", "hinge_loss", "perceptron_loss"])
def test_losses_in_float64_match_on_the_stand_in_device(name):
    fn, arrays = {n: (f, a) for n, f, a in LOSSES}[name]
    check(fn, *[a.astype(np.float64) if a.dtype == np.float32 else a for a in arrays])


def test_cross_entropy_gradient_reuses_nothing_it_should_not():
    """Backward twice (retain_graph) gives the same gradient: the saved softmax is not overwritten early."""
    z = tg.tensor(_f(4, 3), requires_grad=True, device=STRICT)
    loss = F.cross_entropy(z, tg.tensor([0, 2, 1, 1], device=STRICT))
    loss.backward(retain_graph=True)
    first = z.grad.numpy(force=True).copy()
    z.grad = None
    loss.backward()
    np.testing.assert_allclose(z.grad.numpy(force=True), first, rtol=1e-6)


def test_label_and_target_data_follow_the_input_to_its_device():
    z = _f(4, 3)
    for target in ([0, 2, 1, 1], np.array([0, 2, 1, 1])):
        cpu = F.cross_entropy(tg.tensor(z), target).item()
        strict = F.cross_entropy(tg.tensor(z, device=STRICT), target)
        assert strict.device == tg.device(STRICT)
        assert strict.item() == pytest.approx(cpu, rel=1e-6)
    p = F.mse_loss(tg.tensor(z, device=STRICT), np.zeros((4, 3)))
    assert p.device == tg.device(STRICT) and p.item() == pytest.approx(float((z * z).mean()), rel=1e-6)
    h = F.hinge_loss(tg.tensor(z[:, 0], device=STRICT), [1, -1, 1, 1])
    assert h.device == tg.device(STRICT)


def test_a_label_tensor_on_another_device_is_an_error_naming_both():
    with pytest.raises(RuntimeError, match="target on cpu and the input on array_api_strict"):
        F.cross_entropy(tg.tensor(_f(4, 3), device=STRICT), tg.tensor([0, 1, 2, 0]))
    with pytest.raises(RuntimeError, match="array_api_strict"):
        F.mse_loss(tg.tensor(_f(3), device=STRICT), tg.tensor(_f(3)))


@pytest.mark.parametrize("fn, message", [
    (lambda z: F.cross_entropy(z, tg.tensor([0, 3, 1], device=STRICT)), r"target label 3 at index 1 is outside \[0, 3\)"),
    (lambda z: F.cross_entropy(z, tg.tensor([0, -1, 1], device=STRICT)), r"target label -1 at index 1"),
    (lambda z: F.nll_loss(z, tg.tensor([0, 1, 5], device=STRICT)), r"target label 5 at index 2"),
    (lambda z: F.nll_loss(z, tg.tensor([0, 1, 7], device=STRICT), weight=[1.0, 2.0, 3.0]), r"target label 7"),
    (lambda z: F.cross_entropy(z, tg.tensor([0.0, 1.0, 1.0], device=STRICT)), "must be integers"),
    (lambda z: F.hinge_loss(z[:, 0], [1, 0, -1]), r"got 0 at index 1"),
    (lambda z: F.perceptron_loss(z[:, 0], [1, 0, 2]), r"got 2 at index 2"),
])
def test_label_checks_name_the_bad_label_on_the_stand_in_device(fn, message):
    with pytest.raises((ValueError, TypeError), match=message):
        fn(tg.tensor(_f(3, 3), device=STRICT))


def test_a_non_finite_loss_names_the_input_on_the_stand_in_device():
    z = _f(3, 3)
    z[1, 2] = np.nan
    with pytest.raises(tg.nn.functional.NonFiniteLossError if hasattr(F, "NonFiniteLossError") else ValueError,
                       match=r"input contains nan \(first at index \(1, 2\)\)"):
        F.cross_entropy(tg.tensor(z, device=STRICT), [0, 1, 2])
    with pytest.raises(ValueError, match=r"target contains inf"):
        F.mse_loss(tg.tensor(_f(3), device=STRICT), np.array([0.0, np.inf, 1.0]))


def test_class_weight_comes_on_the_inputs_device_in_its_dtype():
    z = tg.tensor(_f(2, 3), dtype=tg.float64, device=STRICT)
    w = W.class_weight("f", [1, 2, 3], 3, z.dtype, z)
    assert D.device_of(w) == (STRICT, None) and D.numpy_dtype(w.dtype) == np.float64
    assert W.class_weight("f", None, 3, z.dtype, z) is None


# ---------------------------------------------------------------- linear, layer norm, batch norm, LRN
LAYERS = [
    ("linear", lambda x, w, b: F.linear(x, w, b), (_f(5, 4), _f(3, 4), _f(3))),
    ("linear-no-bias", lambda x, w: F.linear(x, w), (_f(5, 4), _f(3, 4))),
    ("linear-3d", lambda x, w, b: F.linear(x, w, b), (_f(2, 5, 4), _f(3, 4), _f(3))),
    ("layer_norm", lambda x: F.layer_norm(x, (4,)), (_f(3, 4),)),
    ("layer_norm-affine", lambda x, w, b: F.layer_norm(x, (3, 4), w, b), (_f(2, 3, 4), _f(3, 4), _f(3, 4))),
    ("layer_norm-bias-only", lambda x, b: F.layer_norm(x, 4, bias=b), (_f(3, 4), _f(4))),
    ("batch_norm-rows", lambda x: F.batch_norm(x, None, None, training=True), (_f(6, 3),)),
    ("batch_norm-affine", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
     (_f(6, 3), _f(3), _f(3))),
    ("batch_norm-sequences", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
     (_f(4, 3, 5), _f(3), _f(3))),
    ("batch_norm-images", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
     (_f(2, 3, 4, 4), _f(3), _f(3))),
    ("batch_norm-eval", lambda x, w, b, m, v: F.batch_norm(x, m.detach(), v.detach(), w, b, training=False),
     (_f(2, 3, 4, 4), _f(3), _f(3), _f(3), _unit(3))),
    ("local_response_norm", lambda a: F.local_response_norm(a, size=3), (_f(2, 5, 3, 3),)),
    ("local_response_norm-alexnet", lambda a: F.local_response_norm(a, size=5, alpha=1e-2, beta=0.75, k=2.0),
     (_f(2, 7, 4),)),
    ("local_response_norm-even", lambda a: F.local_response_norm(a, size=2, alpha=1.0, beta=1.0, k=1.0),
     (_f(1, 4, 2, 2),)),
]


@pytest.mark.parametrize("fn, arrays", [pytest.param(fn, arrays, id=name) for name, fn, arrays in LAYERS])
def test_every_layer_gate_matches_on_the_stand_in_device(fn, arrays):
    check(fn, *arrays)


@pytest.mark.parametrize("fn, arrays", [pytest.param(
    lambda x, w, b: F.batch_norm(x.permute(1, 0, 2, 3), None, None, w, b, training=True),
    (_f(3, 2, 4, 4), _f(3), _f(3)), id="batch_norm-images-channels-major", marks=_needs("permute"))])
def test_layer_gates_through_other_gates_match_on_the_stand_in_device(fn, arrays):
    """Channels-major images take NumPy's kernels on the CPU, the textbook formulas on the stand-in device."""
    check(fn, *arrays)


@pytest.mark.parametrize("name", ["linear", "layer_norm-affine", "batch_norm-images", "local_response_norm"])
def test_layer_gates_in_float64_match_on_the_stand_in_device(name):
    fn, arrays = {n: (f, a) for n, f, a in LAYERS}[name]
    check(fn, *[a.astype(np.float64) for a in arrays])


@pytest.mark.parametrize("momentum", [0.1, None])
def test_batch_norm_updates_the_running_statistics_alike_on_both_devices(momentum):
    x = _f(4, 3, 2, 2)
    stats = {}
    for device in ("cpu", STRICT):
        rm, rv = tg.zeros(3, device=device), tg.ones(3, device=device)
        count = tg.tensor(2, device=device)
        for _ in range(2):
            F.batch_norm(tg.tensor(x, device=device), rm, rv, training=True, momentum=momentum,
                         num_batches_tracked=count)
        stats[device] = (rm.numpy(force=True), rv.numpy(force=True), int(count.item()))
        assert rm.device == tg.device(device)
    np.testing.assert_allclose(stats[STRICT][0], stats["cpu"][0], rtol=1e-6)
    np.testing.assert_allclose(stats[STRICT][1], stats["cpu"][1], rtol=1e-6)
    assert stats[STRICT][2] == stats["cpu"][2] == 4


def test_batch_norm_refuses_running_statistics_on_another_device():
    with pytest.raises(RuntimeError, match="running_mean on cpu and the input on array_api_strict"):
        F.batch_norm(tg.tensor(_f(4, 3), device=STRICT), tg.zeros(3), tg.ones(3), training=True)


# ---------------------------------------------------------------- dropout
def _seeded(fn):
    def run(*tensors):
        tg.manual_seed(7)
        return fn(*tensors)
    return run


@pytest.mark.parametrize("fn, arrays", [
    pytest.param(lambda a: F.dropout(a, p=0.3), (_f(6, 5),), id="dropout"),
    pytest.param(lambda a: F.dropout(a, p=1.0), (_f(6, 5),), id="dropout-p1"),
    pytest.param(lambda a: F.dropout2d(a, p=0.5), (_f(3, 4, 2, 2),), id="dropout2d"),
    pytest.param(lambda a: F.dropout2d(a, p=1.0), (_f(3, 4, 2, 2),), id="dropout2d-p1"),
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dropout_draws_the_same_mask_on_every_device(fn, arrays, dtype):
    out = check(_seeded(fn), *[a.astype(dtype) for a in arrays])
    assert out.dtype == dtype


def test_dropout_off_is_the_identity_on_the_stand_in_device():
    x = tg.tensor(_f(3, 2), device=STRICT)
    assert F.dropout(x, p=0.5, training=False) is x and F.dropout2d(tg.ones(1, 2, 2, 2, device=STRICT), p=0.0).device \
        == tg.device(STRICT)
