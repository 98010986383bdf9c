"""OneCycleLR, SequentialLR, CosineAnnealingWarmRestarts (and the older schedules' state_dict round trips)
step by step against torch: learning rates, cycled momenta, and resuming from a state_dict."""
import json

import numpy as np
import pytest
import torch

import tensorgate as tg
from tensorgate import optim
from tensorgate.optim import lr_scheduler as sched

TS = torch.optim.lr_scheduler


def _pair(kind="sgd", lr=0.5, groups=1):
    ours_p = [tg.zeros(1, requires_grad=True) for _ in range(groups)]
    theirs_p = [torch.zeros(1, requires_grad=True) for _ in range(groups)]
    if kind == "sgd":
        opt = optim.SGD([{"params": [p], "lr": lr * (i + 1)} for i, p in enumerate(ours_p)], lr=lr, momentum=0.9)
        topt = torch.optim.SGD([{"params": [p], "lr": lr * (i + 1)} for i, p in enumerate(theirs_p)], lr=lr,
                               momentum=0.9)
    else:
        opt = optim.Adam([{"params": [p], "lr": lr * (i + 1)} for i, p in enumerate(ours_p)], lr=lr)
        topt = torch.optim.Adam([{"params": [p], "lr": lr * (i + 1)} for i, p in enumerate(theirs_p)], lr=lr)
    return opt, topt


def _momentum(group):
    return group["betas"][0] if "betas" in group else group["momentum"]


def assert_schedules_match(ours, theirs, opt, topt, steps, check_momentum=False):
    """Assert, step by step, that our schedule's rates (and momenta) equal PyTorch's."""
    for _ in range(steps):
        np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-12, atol=1e-15)
        for g, tg_ in zip(opt.param_groups, topt.param_groups):
            assert g["lr"] == pytest.approx(tg_["lr"], rel=1e-12, abs=1e-15)
            if check_momentum:
                assert _momentum(g) == pytest.approx(_momentum(tg_), rel=1e-12)
        topt.step()
        ours.step()
        theirs.step()


CASES = [
    ("onecycle cos", lambda o: sched.OneCycleLR(o, max_lr=1.0, total_steps=30),
     lambda o: TS.OneCycleLR(o, max_lr=1.0, total_steps=30), 30, True),
    ("onecycle linear 3-phase", lambda o: sched.OneCycleLR(o, max_lr=[0.3, 0.6], epochs=4, steps_per_epoch=5,
                                                           anneal_strategy="linear", three_phase=True,
                                                           pct_start=0.25, div_factor=10, final_div_factor=100),
     lambda o: TS.OneCycleLR(o, max_lr=[0.3, 0.6], epochs=4, steps_per_epoch=5, anneal_strategy="linear",
                             three_phase=True, pct_start=0.25, div_factor=10, final_div_factor=100), 20, True),
    ("onecycle no momentum", lambda o: sched.OneCycleLR(o, max_lr=0.1, total_steps=12, cycle_momentum=False),
     lambda o: TS.OneCycleLR(o, max_lr=0.1, total_steps=12, cycle_momentum=False), 12, True),
    ("warm restarts", lambda o: sched.CosineAnnealingWarmRestarts(o, T_0=3, eta_min=0.01),
     lambda o: TS.CosineAnnealingWarmRestarts(o, T_0=3, eta_min=0.01), 20, False),
    ("warm restarts T_mult", lambda o: sched.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=2),
     lambda o: TS.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=2), 30, False),
    ("multistep", lambda o: sched.MultiStepLR(o, [3, 7], gamma=0.5), lambda o: TS.MultiStepLR(o, [3, 7], gamma=0.5),
     12, False),
    ("exponential", lambda o: sched.ExponentialLR(o, 0.8), lambda o: TS.ExponentialLR(o, 0.8), 12, False),
    ("linear", lambda o: sched.LinearLR(o, 0.2, 1.0, 4), lambda o: TS.LinearLR(o, 0.2, 1.0, 4), 8, False),
]


@pytest.mark.parametrize("kind", ["sgd", "adam"])
@pytest.mark.parametrize("name,make,tmake,steps,momentum", CASES, ids=[c[0] for c in CASES])
def test_schedule_matches_torch_step_by_step(name, make, tmake, steps, momentum, kind):
    opt, topt = _pair(kind, groups=2)
    assert_schedules_match(make(opt), tmake(topt), opt, topt, steps, check_momentum=momentum)


def _sequential(o, lib):
    warm = lib.LinearLR(o, start_factor=0.1, total_iters=3)
    cosine = lib.CosineAnnealingLR(o, T_max=5, eta_min=0.05)
    restarts = lib.CosineAnnealingWarmRestarts(o, T_0=2)
    return lib.SequentialLR(o, [warm, cosine, restarts], milestones=[3, 8])


def test_sequential_matches_torch():
    opt, topt = _pair(groups=2)
    assert_schedules_match(_sequential(opt, sched), _sequential(topt, TS), opt, topt, 16)


def test_sequential_warmup_then_exponential_matches_torch():
    opt, topt = _pair()
    ours = sched.SequentialLR(opt, [sched.LinearLR(opt, 0.5, total_iters=2), sched.ExponentialLR(opt, 0.5)], [2])
    theirs = TS.SequentialLR(topt, [TS.LinearLR(topt, 0.5, total_iters=2), TS.ExponentialLR(topt, 0.5)], [2])
    assert_schedules_match(ours, theirs, opt, topt, 6)


def test_one_cycle_stepping_past_the_end_is_an_error_as_torch():
    opt, _ = _pair()
    s = sched.OneCycleLR(opt, max_lr=1.0, total_steps=3)
    for _ in range(3):
        s.step()
    with pytest.raises(ValueError, match="total_steps=3"):
        s.step()


@pytest.mark.parametrize("make", [
    lambda o: sched.OneCycleLR(o, max_lr=1.0, total_steps=20),
    lambda o: sched.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2),
    lambda o: _sequential(o, sched),
    lambda o: sched.MultiStepLR(o, [2, 4]),
    lambda o: sched.ExponentialLR(o, 0.9),
    lambda o: sched.LinearLR(o, 0.1, total_iters=5),
], ids=["onecycle", "restarts", "sequential", "multistep", "exponential", "linear"])
def test_state_dict_round_trip_resumes_the_same_sequence(make):
    opt, _ = _pair()
    s = make(opt)
    for _ in range(6):
        s.step()
    saved = json.loads(json.dumps(s.state_dict()))   # JSON-friendly, as a checkpoint stores it
    expected = []
    for _ in range(6):
        s.step()
        expected.append(s.get_last_lr()[0])
    opt2, _ = _pair()
    s2 = make(opt2)
    s2.load_state_dict(saved)
    got = []
    for _ in range(6):
        s2.step()
        got.append(s2.get_last_lr()[0])
    assert got == expected


def test_errors_are_clear():
    opt, _ = _pair()
    with pytest.raises(ValueError, match="total_steps"):
        sched.OneCycleLR(opt, max_lr=1.0)
    with pytest.raises(ValueError, match="milestones"):
        sched.SequentialLR(opt, [sched.ExponentialLR(opt, 0.9)], milestones=[2])
    with pytest.raises(ValueError, match="T_0"):
        sched.CosineAnnealingWarmRestarts(opt, T_0=0)
    bare = optim.SGD([tg.zeros(1, requires_grad=True)], lr=1.0)
    bare.param_groups[0].pop("momentum")
    with pytest.raises(ValueError, match="cycle_momentum=False"):
        sched.OneCycleLR(bare, max_lr=1.0, total_steps=5)
