"""Gradient clipping and learning-rate schedules against torch."""
import math

import numpy as np
import pytest
import torch

import tensorgate as tg
from tensorgate import optim
from tensorgate.optim import lr_scheduler as sched


def _params(seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    shapes = [(4, 3), (3,), (2, 2, 2)]
    grads = [rng.normal(size=s) * scale for s in shapes]
    ours = [tg.zeros(*s, dtype="float64", requires_grad=True) for s in shapes]
    theirs = [torch.zeros(s, dtype=torch.float64, requires_grad=True) for s in shapes]
    for p, tp, g in zip(ours, theirs, grads):
        p.grad = g.copy()
        tp.grad = torch.from_numpy(g.copy())
    return ours, theirs


@pytest.mark.parametrize("max_norm, norm_type", [(1.0, 2.0), (100.0, 2.0), (0.5, 1.0), (0.3, math.inf),
                                                 (2.0, 3.0)])
def test_clip_grad_norm_matches_torch(max_norm, norm_type):
    ours, theirs = _params()
    total = optim.clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    total_torch = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert float(total) == pytest.approx(float(total_torch), rel=1e-12)
    for p, tp in zip(ours, theirs):
        np.testing.assert_allclose(p.grad, tp.grad.numpy(), rtol=1e-12)


def test_clip_grad_norm_skips_missing_grads_and_nonfinite():
    a, b = tg.zeros(2, requires_grad=True), tg.zeros(2, requires_grad=True)
    a.grad = np.array([3.0, 4.0], np.float32)
    assert optim.clip_grad_norm_([a, b], 1.0).item() == pytest.approx(5.0)
    assert a.grad.dtype == np.float32
    a.grad = np.array([np.inf, 1.0], np.float32)
    with pytest.raises(RuntimeError, match="total norm"):
        optim.clip_grad_norm_([a], 1.0, error_if_nonfinite=True)


def test_clip_grad_value_matches_torch():
    ours, theirs = _params(scale=3.0)
    optim.clip_grad_value_(ours, 1.5)
    torch.nn.utils.clip_grad_value_(theirs, 1.5)
    for p, tp in zip(ours, theirs):
        np.testing.assert_array_equal(p.grad, tp.grad.numpy())


def _lr_sequences(make_ours, make_theirs, epochs=25, lr=0.5, values=None):
    p = tg.zeros(1, requires_grad=True)
    tp = torch.zeros(1, requires_grad=True)
    opt = optim.SGD([p, ], lr=lr)
    topt = torch.optim.SGD([tp], lr=lr)
    ours, theirs = make_ours(opt), make_theirs(topt)
    got, expected = [], []
    for e in range(epochs):
        got.append(ours.get_last_lr()[0])
        expected.append(theirs.get_last_lr()[0])
        assert opt.param_groups[0]["lr"] == got[-1]
        topt.step()
        if values is None:
            ours.step()
            theirs.step()
        else:
            ours.step(values[e])
            theirs.step(values[e])
    return got, expected


@pytest.mark.parametrize("name, ours, theirs", [
    ("step", lambda o: sched.StepLR(o, 3, gamma=0.5), lambda o: torch.optim.lr_scheduler.StepLR(o, 3, gamma=0.5)),
    ("multistep", lambda o: sched.MultiStepLR(o, [2, 5, 11], gamma=0.3),
     lambda o: torch.optim.lr_scheduler.MultiStepLR(o, [2, 5, 11], gamma=0.3)),
    ("exponential", lambda o: sched.ExponentialLR(o, 0.9), lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.9)),
    ("cosine", lambda o: sched.CosineAnnealingLR(o, T_max=10, eta_min=0.01),
     lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=0.01)),
    ("linear", lambda o: sched.LinearLR(o, start_factor=0.1, total_iters=7),
     lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=0.1, total_iters=7)),
    ("linear decay", lambda o: sched.LinearLR(o, start_factor=1.0, end_factor=0.2, total_iters=10),
     lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=1.0, end_factor=0.2, total_iters=10)),
    ("warmup", lambda o: sched.LinearWarmup(o, warmup_steps=4),
     lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=1 / 5, total_iters=4)),
])
def test_schedules_match_torch(name, ours, theirs):
    got, expected = _lr_sequences(ours, theirs)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


def test_cosine_one_period_matches_torch():
    got, expected = _lr_sequences(lambda o: sched.CosineAnnealingLR(o, T_max=20),
                                  lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=20), epochs=21)
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("options", [
    dict(factor=0.5, patience=2),
    dict(factor=0.5, patience=1, cooldown=2, min_lr=0.05),
    dict(mode="max", factor=0.2, patience=0, threshold=0.1, threshold_mode="abs"),
])
def test_reduce_on_plateau_matches_torch(options):
    values = [1.0, 0.9, 0.95, 0.9, 0.91, 0.92, 0.5, 0.6, 0.6, 0.6, 0.6, 0.4, 0.45, 0.45, 0.45, 0.45, 0.45,
              0.45, 0.45, 0.45]
    got, expected = _lr_sequences(lambda o: sched.ReduceLROnPlateau(o, **options),
                                  lambda o: torch.optim.lr_scheduler.ReduceLROnPlateau(o, **options),
                                  epochs=len(values), values=values)
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert len(set(got)) > 1  # the schedule did cut the rate


def test_scheduler_state_dict_round_trip():
    p = tg.zeros(1, requires_grad=True)
    opt = optim.SGD([p], lr=1.0)
    s = sched.StepLR(opt, 2, gamma=0.5)
    for _ in range(3):
        s.step()
    saved = s.state_dict()
    opt2 = optim.SGD([tg.zeros(1, requires_grad=True)], lr=1.0)
    s2 = sched.StepLR(opt2, 5, gamma=0.9)
    s2.load_state_dict(saved)
    s.step()
    s2.step()
    assert s2.get_last_lr() == s.get_last_lr() == [0.25]
    assert opt2.param_groups[0]["lr"] == 0.25
