"""LambdaLR gives torch.optim.lr_scheduler.LambdaLR's learning rates, with one function or one per group."""
import json

import pytest
import torch

import tensorgate as tg
from tensorgate.optim.lr_scheduler import LambdaLR

WARMUP = lambda e: min(1.0, (e + 1) / 4)   # noqa: E731  (the usual linear warm-up)
DECAY = lambda e: 0.9 ** e                 # noqa: E731


def _two_groups(lrs=(0.1, 0.02)):
    ours = tg.optim.SGD([{"params": [tg.zeros(2, requires_grad=True)], "lr": lrs[0]},
                         {"params": [tg.zeros(3, requires_grad=True)], "lr": lrs[1]}], lr=lrs[0], momentum=0.9)
    theirs = torch.optim.SGD([{"params": [torch.zeros(2, requires_grad=True)], "lr": lrs[0]},
                              {"params": [torch.zeros(3, requires_grad=True)], "lr": lrs[1]}],
                             lr=lrs[0], momentum=0.9)
    return ours, theirs


def _sequences(lr_lambda, steps=10):
    opt, topt = _two_groups()
    ours, theirs = LambdaLR(opt, lr_lambda), torch.optim.lr_scheduler.LambdaLR(topt, lr_lambda)
    got, expected = [], []
    for _ in range(steps):
        got.append(ours.get_last_lr())
        expected.append(theirs.get_last_lr())
        assert [g["lr"] for g in opt.param_groups] == got[-1]
        topt.step()
        ours.step()
        theirs.step()
    return got, expected


@pytest.mark.parametrize("lr_lambda", [WARMUP, DECAY, [WARMUP, DECAY], (DECAY, lambda e: 1.0 / (e + 1))])
def test_lambda_lr_matches_torch_over_ten_steps_with_two_groups(lr_lambda):
    got, expected = _sequences(lr_lambda)
    assert got == expected                   # the same products, bit for bit
    assert len({tuple(lrs) for lrs in got}) > 1   # the rates did change


def test_lambda_lr_starts_from_initial_lr_when_resuming():
    opt, _ = _two_groups()
    LambdaLR(opt, DECAY)
    resumed = LambdaLR(opt, DECAY, last_epoch=4)   # continues at epoch 5 from each group's initial_lr
    assert resumed.get_last_lr() == [0.1 * 0.9 ** 5, 0.02 * 0.9 ** 5]


def test_lambda_lr_state_dict_leaves_out_the_functions():
    opt, _ = _two_groups()
    s = LambdaLR(opt, [WARMUP, DECAY])
    for _ in range(3):
        s.step()
    state = json.loads(json.dumps(s.state_dict()))
    assert "lr_lambdas" not in state and state["last_epoch"] == 3
    fresh = LambdaLR(_two_groups()[0], [WARMUP, DECAY])
    fresh.load_state_dict(state)
    fresh.step()
    s.step()
    assert fresh.get_last_lr() == s.get_last_lr()


def test_lambda_lr_bad_arguments():
    opt, topt = _two_groups()
    with pytest.raises(ValueError, match=r"LambdaLR: lr_lambda needs one function per parameter group \(2\), got 3"):
        LambdaLR(opt, [DECAY] * 3)
    with pytest.raises(ValueError):
        torch.optim.lr_scheduler.LambdaLR(topt, [DECAY] * 3)
    with pytest.raises(TypeError, match="LambdaLR: lr_lambda must be a function of the epoch, got float"):
        LambdaLR(opt, 0.5)
