"""The optimisers follow torch.optim's trajectories step for step, in float64.

Both libraries receive the same gradient each step (computed in NumPy from the current parameters of a
small least-squares problem with a tanh), so any difference comes from the update rule alone.
"""
import numpy as np
import pytest
import torch

import tensorgate as tg
from tensorgate import optim

STEPS = 20


def _problem(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(16, 3))
    y = rng.normal(size=(16, 2))
    W0 = rng.normal(size=(3, 2))
    b0 = rng.normal(size=(2,))
    return X, y, W0, b0


def _grads(X, y, W, b):
    """∂L/∂W, ∂L/∂b of L = mean((tanh(X W) + b − y)²)."""
    h = np.tanh(X @ W)
    r = 2 * (h + b - y) / y.size
    return X.T @ (r * (1 - h * h)), r.sum(axis=0)


def _trajectories(tg_cls, torch_cls, steps=STEPS, groups=False, **options):
    """Both optimisers run ``steps`` steps on the same gradients; returns the pairs (ours, PyTorch's) of
    parameter values after every step, and our parameters."""
    X, y, W0, b0 = _problem()
    W, b = tg.tensor(W0, dtype="float64", requires_grad=True), tg.tensor(b0, dtype="float64", requires_grad=True)
    tW, tb = torch.tensor(W0, requires_grad=True), torch.tensor(b0, requires_grad=True)
    if groups:  # two groups, the second with half the learning rate
        ours = tg_cls([{"params": [W]}, {"params": [b], "lr": options["lr"] / 2}], **options)
        theirs = torch_cls([{"params": [tW]}, {"params": [tb], "lr": options["lr"] / 2}], **options)
    else:
        ours, theirs = tg_cls([W, b], **options), torch_cls([tW, tb], **options)
    pairs = []
    for _ in range(steps):
        gW, gb = _grads(X, y, W.data, b.data)
        W.grad, b.grad = gW.copy(), gb.copy()
        tW.grad, tb.grad = torch.from_numpy(gW.copy()), torch.from_numpy(gb.copy())
        ours.step()
        theirs.step()
        pairs += [(W.data.copy(), tW.detach().numpy().copy()), (b.data.copy(), tb.detach().numpy().copy())]
    return pairs, (W, b)


CASES = [
    ("sgd plain", optim.SGD, torch.optim.SGD, dict(lr=0.1)),
    ("sgd momentum", optim.SGD, torch.optim.SGD, dict(lr=0.1, momentum=0.9)),
    ("sgd dampening", optim.SGD, torch.optim.SGD, dict(lr=0.1, momentum=0.9, dampening=0.5)),
    ("sgd nesterov", optim.SGD, torch.optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("sgd weight decay", optim.SGD, torch.optim.SGD, dict(lr=0.1, momentum=0.5, weight_decay=0.1)),
    ("sgd nesterov decay", optim.SGD, torch.optim.SGD, dict(lr=0.05, momentum=0.8, nesterov=True,
                                                            weight_decay=0.01)),
    ("adam", optim.Adam, torch.optim.Adam, dict(lr=0.05)),
    ("adam betas eps", optim.Adam, torch.optim.Adam, dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6)),
    ("adam weight decay", optim.Adam, torch.optim.Adam, dict(lr=0.05, weight_decay=0.1)),
    ("adam amsgrad", optim.Adam, torch.optim.Adam, dict(lr=0.05, amsgrad=True, weight_decay=0.01)),
    ("adamw", optim.AdamW, torch.optim.AdamW, dict(lr=0.05)),
    ("adamw decay", optim.AdamW, torch.optim.AdamW, dict(lr=0.05, weight_decay=0.3)),
    ("adamw amsgrad", optim.AdamW, torch.optim.AdamW, dict(lr=0.05, weight_decay=0.1, amsgrad=True)),
    ("rmsprop", optim.RMSprop, torch.optim.RMSprop, dict(lr=0.01)),
    ("rmsprop centered", optim.RMSprop, torch.optim.RMSprop, dict(lr=0.01, centered=True)),
    ("rmsprop momentum", optim.RMSprop, torch.optim.RMSprop, dict(lr=0.01, momentum=0.9)),
    ("rmsprop all", optim.RMSprop, torch.optim.RMSprop, dict(lr=0.01, alpha=0.9, momentum=0.5, centered=True,
                                                             weight_decay=0.05, eps=1e-6)),
]


@pytest.mark.parametrize("name, ours, theirs, options", CASES, ids=[c[0] for c in CASES])
def test_trajectory_matches_torch(name, ours, theirs, options):
    pairs, (W, _) = _trajectories(ours, theirs, **options)
    assert len(pairs) == 2 * STEPS and W.dtype == np.float64
    for a, b in pairs:
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("ours, theirs, options", [
    (optim.SGD, torch.optim.SGD, dict(lr=0.1, momentum=0.9)),
    (optim.Adam, torch.optim.Adam, dict(lr=0.05)),
    (optim.RMSprop, torch.optim.RMSprop, dict(lr=0.01, momentum=0.5, centered=True)),
])
def test_parameter_groups_match_torch(ours, theirs, options):
    pairs, (W, _) = _trajectories(ours, theirs, groups=True, **options)
    assert len(pairs) == 2 * STEPS and W.dtype == np.float64
    for a, b in pairs:
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_first_steps_by_hand():
    # SGD, momentum 0.9, lr 0.1 on L = w² from w = 1:
    #   step 1: g = 2, v = 2,               w = 1 − 0.1·2 = 0.8
    #   step 2: g = 1.6, v = 0.9·2 + 1.6 = 3.4, w = 0.8 − 0.34 = 0.46
    w = tg.tensor([1.0], dtype="float64", requires_grad=True)
    opt = optim.SGD([w], lr=0.1, momentum=0.9)
    for expected in (0.8, 0.46):
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()
        assert w.data[0] == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("cls, options", [
    (optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    (optim.Adam, dict(amsgrad=True, weight_decay=0.01)),
    (optim.AdamW, dict()),
    (optim.RMSprop, dict(momentum=0.9, centered=True, weight_decay=0.01)),
])
def test_float32_stays_float32_and_updates_in_place(cls, options):
    w = tg.randn(4, 3, requires_grad=True)
    data = w.data
    opt = cls([w], **options)
    for _ in range(3):
        w.grad = np.ones((4, 3), np.float32)
        grad = w.grad.clone()
        opt.step()
        np.testing.assert_array_equal(w.grad, grad)  # the gradient itself is never modified
    assert w.data is data and w.data.dtype == np.float32
    for value in opt.state[w].values():
        if isinstance(value, np.ndarray):
            assert value.dtype == np.float32


def test_params_without_grad_are_skipped():
    a = tg.tensor([1.0, 2.0], requires_grad=True)
    b = tg.tensor([3.0], requires_grad=True)
    opt = optim.Adam([a, b], lr=0.1)
    a.grad = np.array([1.0, 1.0], np.float32)
    opt.step()
    assert b.data[0] == 3.0 and b not in opt.state
    assert a in opt.state


def test_zero_grad():
    w = tg.tensor([1.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    w.grad = np.array([2.0], np.float32)
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(w.grad, [0.0])
    opt.zero_grad()
    assert w.grad is None


@pytest.mark.parametrize("cls, torch_cls, options", [
    (optim.SGD, torch.optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True)),
    (optim.Adam, torch.optim.Adam, dict(lr=0.05, amsgrad=True)),
    (optim.AdamW, torch.optim.AdamW, dict(lr=0.05)),
    (optim.RMSprop, torch.optim.RMSprop, dict(lr=0.01, momentum=0.9, centered=True)),
])
def test_state_dict_round_trip_continues_identically(cls, torch_cls, options):
    X, y, W0, b0 = _problem(1)

    def make(W_init, b_init):
        W = tg.tensor(W_init, dtype="float64", requires_grad=True)
        b = tg.tensor(b_init, dtype="float64", requires_grad=True)
        return W, b, cls([W, b], **options)

    def steps(W, b, opt, n):
        for _ in range(n):
            W.grad, b.grad = _grads(X, y, W.data, b.data)
            opt.step()

    W, b, opt = make(W0, b0)
    steps(W, b, opt, 10)
    saved = opt.state_dict()
    W_mid, b_mid = W.data.copy(), b.data.copy()
    steps(W, b, opt, 10)

    W2, b2, opt2 = make(W_mid, b_mid)
    opt2.load_state_dict(saved)
    steps(W2, b2, opt2, 10)
    np.testing.assert_array_equal(W2.data, W.data)
    np.testing.assert_array_equal(b2.data, b.data)

    # the layout is PyTorch's: same keys per parameter index and in the groups
    tW = torch.tensor(W0, requires_grad=True)
    tb = torch.tensor(b0, requires_grad=True)
    topt = torch_cls([tW, tb], **options)
    tW.grad, tb.grad = torch.ones_like(tW), torch.ones_like(tb)
    topt.step()
    theirs = topt.state_dict()
    assert set(saved["state"]) == set(theirs["state"]) == {0, 1}
    assert set(saved["state"][0]) == set(theirs["state"][0])
    assert saved["param_groups"][0]["params"] == theirs["param_groups"][0]["params"]
    assert set(saved["param_groups"][0]) <= set(theirs["param_groups"][0])


def test_state_dict_holds_copies():
    w = tg.tensor([1.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1, momentum=0.9)
    w.grad = np.array([1.0], np.float32)
    opt.step()
    saved = opt.state_dict()
    opt.step()
    assert saved["state"][0]["momentum_buffer"][0] == 1.0


def test_load_state_dict_mismatch_errors():
    a, b = tg.zeros(2, requires_grad=True), tg.zeros(3, requires_grad=True)
    opt = optim.SGD([a, b], lr=0.1, momentum=0.9)
    a.grad, b.grad = np.ones(2, np.float32), np.ones(3, np.float32)
    opt.step()
    other = optim.SGD([tg.zeros(2, requires_grad=True)], lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="group 0 has 1 parameters"):
        other.load_state_dict(opt.state_dict())
    swapped = optim.SGD([tg.zeros(3, requires_grad=True), tg.zeros(2, requires_grad=True)], lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="shape"):
        swapped.load_state_dict(opt.state_dict())


@pytest.mark.parametrize("make, match", [
    (lambda w: optim.SGD([w]), "lr is required"),
    (lambda w: optim.SGD([w], lr=-1), "lr must be in"),
    (lambda w: optim.SGD([w], lr=0.1, nesterov=True), "nesterov"),
    (lambda w: optim.Adam([w], betas=(0.9, 1.0)), r"betas\[1\]"),
    (lambda w: optim.Adam([w], lr="fast"), "lr must be a number"),
    (lambda w: optim.RMSprop([w], alpha=-0.1), "alpha"),
    (lambda w: optim.SGD([], lr=0.1), "empty parameter list"),
    (lambda w: optim.SGD(w, lr=0.1), "single Tensor"),
    (lambda w: optim.SGD([w, w], lr=0.1), "more than one group"),
    (lambda w: optim.SGD([w * 2], lr=0.1), "not a leaf"),
])
def test_bad_options_raise_clear_errors(make, match):
    w = tg.zeros(2, requires_grad=True)
    with pytest.raises((ValueError, TypeError), match=match):
        make(w)


def test_gradient_shape_mismatch_is_an_error():
    w = tg.zeros(2, requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    w.grad = np.ones(3, np.float32)
    with pytest.raises(ValueError, match=r"shape \(2,\) has a gradient of shape \(3,\)"):
        opt.step()


def test_trains_through_the_engine():
    # least squares through tg's own autograd: Adam drives the loss down
    tg.manual_seed(0)
    X = tg.randn(64, 3)
    w_true = tg.tensor([[1.0], [-2.0], [0.5]])
    y = X @ w_true
    w = tg.zeros(3, 1, requires_grad=True)
    opt = optim.Adam([w], lr=0.1)
    for _ in range(200):
        opt.zero_grad()
        loss = ((X @ w - y) ** 2).mean()
        loss.backward()
        opt.step()
    np.testing.assert_allclose(w.data, w_true.data, atol=1e-2)


def test_sgd_momentum_fast_loop_equals_the_general_path_and_gives_way_when_things_change():
    """The common case (momentum only) keeps the velocities in one flat array after the first step; it must
    give the same numbers as the general path (velocities bit for bit; parameters a rounding apart per step,
    since BLAS's axpy fuses p − η v), and hand over when a gradient is missing, an array is replaced or the
    state loaded."""
    rng = np.random.default_rng(0)
    shapes = [(4, 3), (4,), (2, 4), (40, 300)]   # the last one long enough for BLAS's vector kernel
    fast = [tg.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True) for s in shapes]
    slow = [tg.tensor(p.data.copy(), requires_grad=True) for p in fast]
    opt_fast = optim.SGD(fast, lr=0.1, momentum=0.9)
    opt_slow = optim.SGD(slow, lr=0.1, momentum=0.9, dampening=1e-300)   # not the common case: general path
    for step in range(10):
        grads = [rng.standard_normal(s).astype(np.float32) for s in shapes]
        if step == 6:                                                     # model.to(...) replaces arrays
            for p in (fast[2], slow[2]):
                p.data = p.data.copy()
        if step == 8:                                                     # a velocity reset by hand
            for o, p in ((opt_fast, fast[0]), (opt_slow, slow[0])):
                o.state[p]["momentum_buffer"] = np.zeros(p.data.shape, np.float32)
        for ps, opt in ((fast, opt_fast), (slow, opt_slow)):
            for p, g in zip(ps, grads):
                p.grad = None if step == 3 and p is ps[1] else g.copy()   # step 3: one parameter has no gradient
            opt.step()
        if step == 4:
            opt_fast.load_state_dict(opt_fast.state_dict())               # a replaced state: entries made again
        for a, b in zip(fast, slow):
            np.testing.assert_allclose(a.data, b.data, rtol=1e-6, atol=1e-6)
        velocities = [[s["momentum_buffer"] for s in o.state_dict()["state"].values()] for o in (opt_fast, opt_slow)]
        for a, b in zip(*velocities):
            np.testing.assert_array_equal(a, b)
    assert opt_fast._layouts and not opt_slow._layouts
    fast[0].grad = np.zeros((3, 4), np.float32)                           # a wrong shape is still reported
    with pytest.raises(ValueError, match=r"shape \(4, 3\) has a gradient of shape \(3, 4\)"):
        opt_fast.step()
