"""Idioms of real training scripts for issue 17's schedulers, data loading (DataLoader, samplers, workers,
tensorgate.utils.data), tg.save / tg.load and small end-to-end training loops, each run in PyTorch and in
tensorgate from the same arrays and the same weights (nn_compare.compare). Unsupported idioms are at the end,
each with the clear error it raises.
"""
import numpy as np
import pytest

import tensorgate as tg
from nn_compare import compare, module

RNG = np.random.default_rng(29)
X = RNG.standard_normal((6, 4)).astype(np.float32)
Y = np.array([0, 4, 1, 1, 2, 3, 4, 0])                         # labels of 8 examples, 5 classes
CW = np.array([1.0, 2.0, 0.5, 1.5, 3.0], np.float32)           # class weights
IDS = np.array([[1, 3, 0, 7], [2, 2, 9, 0]])                   # token ids

IDIOMS = {}


def idiom(name, fn, *arrays, grad=False, **tolerances):
    assert name not in IDIOMS, name
    IDIOMS[name] = (fn, arrays, grad, tolerances)


# ---------------------------------------------------------------- schedulers: the lr sequence step by step
def lrs(lib, make, steps, lr=0.1, momentum=0.9, adam=False, per_batch=False):
    p = lib.zeros(1, requires_grad=True)
    opt = lib.optim.Adam([p], lr=lr) if adam else lib.optim.SGD([p], lr=lr, momentum=momentum)
    sched = make(lib.optim.lr_scheduler, opt)
    seen = []
    for _ in range(steps):
        group = opt.param_groups[0]
        seen.append((group["lr"], group["betas"][0] if adam else group["momentum"]))
        opt.step()
        sched.step()
    return seen


SCHEDULES = {
    "OneCycleLR": (lambda S, o: S.OneCycleLR(o, max_lr=1.0, total_steps=20), 20),
    "OneCycleLR_epochs_steps": (lambda S, o: S.OneCycleLR(o, max_lr=0.5, epochs=3, steps_per_epoch=4), 12),
    "OneCycleLR_linear": (lambda S, o: S.OneCycleLR(o, max_lr=1.0, total_steps=10, anneal_strategy="linear"), 10),
    "OneCycleLR_three_phase": (lambda S, o: S.OneCycleLR(o, max_lr=1.0, total_steps=15, three_phase=True), 15),
    "OneCycleLR_no_momentum": (lambda S, o: S.OneCycleLR(o, max_lr=1.0, total_steps=8, cycle_momentum=False), 8),
    "LinearLR": (lambda S, o: S.LinearLR(o, start_factor=0.25, total_iters=4), 8),
    "LinearLR_decay": (lambda S, o: S.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=5), 8),
    "ExponentialLR": (lambda S, o: S.ExponentialLR(o, gamma=0.7), 8),
    "MultiStepLR": (lambda S, o: S.MultiStepLR(o, milestones=[2, 5], gamma=0.5), 8),
    "LambdaLR": (lambda S, o: S.LambdaLR(o, lambda e: 1 / (1 + e)), 8),
    "StepLR": (lambda S, o: S.StepLR(o, step_size=3, gamma=0.1), 8),
    "CosineAnnealingLR": (lambda S, o: S.CosineAnnealingLR(o, T_max=6, eta_min=0.001), 8),
    "CosineAnnealingWarmRestarts": (lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=3), 10),
    "CosineAnnealingWarmRestarts_T_mult": (lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=2,
                                                                                      eta_min=0.01), 16),
    "SequentialLR_warmup_cosine": (lambda S, o: S.SequentialLR(o, [S.LinearLR(o, 0.1, total_iters=3),
                                                                   S.CosineAnnealingLR(o, T_max=5)], milestones=[3]),
                                   10),
    "SequentialLR_warmup_exponential": (lambda S, o: S.SequentialLR(o, [S.LinearLR(o, 0.5, total_iters=2),
                                                                        S.ExponentialLR(o, 0.9)], milestones=[2]), 8),
    "SequentialLR_three": (lambda S, o: S.SequentialLR(o, [S.ExponentialLR(o, 0.5), S.StepLR(o, 2),
                                                           S.CosineAnnealingWarmRestarts(o, 2)], milestones=[2, 5]),
                           10),
}
for name, (make, steps) in SCHEDULES.items():
    idiom(f"scheduler_{name}", lambda lib, m=make, s=steps: lrs(lib, m, s), rtol=1e-10, atol=1e-12)
idiom("scheduler_OneCycleLR_adam_betas", lambda lib: lrs(lib, SCHEDULES["OneCycleLR"][0], 20, adam=True),
      rtol=1e-10, atol=1e-12)
idiom("scheduler_get_last_lr", lambda lib: (lambda o: lib.optim.lr_scheduler.OneCycleLR(o, 1.0, total_steps=5)
                                            .get_last_lr())(lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=0.1,
                                                                          momentum=0.9)), rtol=1e-12)


def _scheduler_resume(lib):
    p = lib.zeros(1, requires_grad=True)
    opt = lib.optim.SGD([p], lr=0.1, momentum=0.9)
    S = lib.optim.lr_scheduler
    sched = S.SequentialLR(opt, [S.LinearLR(opt, 0.1, total_iters=3), S.CosineAnnealingWarmRestarts(opt, 2)], [3])
    for _ in range(4):
        opt.step()
        sched.step()
    state = sched.state_dict()
    opt2 = lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    again = S.SequentialLR(opt2, [S.LinearLR(opt2, 0.1, total_iters=3), S.CosineAnnealingWarmRestarts(opt2, 2)], [3])
    again.load_state_dict(state)
    out = []
    for _ in range(5):
        opt2.step()
        again.step()
        out.append(again.get_last_lr()[0])
    return out


idiom("scheduler_state_dict_resume", _scheduler_resume, rtol=1e-10)


def _train_one_cycle(lib, x, y):
    """A small training script: MLP with SiLU and LayerNorm, SGD with OneCycleLR, weighted cross-entropy."""
    model = module(lib, lambda L: L.nn.Sequential(L.nn.Linear(4, 16), L.nn.LayerNorm(16), L.nn.SiLU(),
                                                  L.nn.Linear(16, 5)))
    opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.5, total_steps=6)
    loss_fn = lib.nn.CrossEntropyLoss(weight=lib.tensor(CW), label_smoothing=0.05)
    losses = []
    for _ in range(6):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        lib.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        losses.append(loss.item())
    return losses, dict(model.state_dict())


idiom("train_mlp_one_cycle_weighted_ce", _train_one_cycle, RNG.standard_normal((8, 4)).astype(np.float32), Y,
      rtol=1e-4, atol=1e-5)


def _train_embedding_bag(lib, ids):
    """A tiny bag-of-embeddings classifier trained with Adam, ELU and BCEWithLogitsLoss(pos_weight)."""
    model = module(lib, lambda L: L.nn.Sequential(L.nn.Embedding(10, 6, padding_idx=0), L.nn.Flatten(),
                                                  L.nn.Linear(24, 3), L.nn.ELU()))
    opt = lib.optim.Adam(model.parameters(), lr=0.05)
    sched = lib.optim.lr_scheduler.ExponentialLR(opt, 0.9)
    loss_fn = lib.nn.BCEWithLogitsLoss(pos_weight=lib.tensor([2.0, 1.0, 0.5]))
    target = lib.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    losses = []
    for _ in range(5):
        opt.zero_grad()
        loss = loss_fn(model(ids), target)
        loss.backward()
        opt.step()
        sched.step()
        losses.append(loss.item())
    return losses, model[0].weight


idiom("train_embedding_adam_bce_pos_weight", _train_embedding_bag, IDS, rtol=1e-4, atol=1e-5)


# ---------------------------------------------------------------- data loading
DX = np.arange(30, dtype=np.float32).reshape(10, 3)
DY = np.arange(10)


def _batches(lib, **kwargs):
    data = lib.utils.data
    ds = data.TensorDataset(lib.tensor(DX), lib.tensor(DY))
    return [list(batch) for batch in data.DataLoader(ds, **kwargs)]


idiom("DataLoader_batches", lambda lib: _batches(lib, batch_size=4))
idiom("DataLoader_drop_last", lambda lib: _batches(lib, batch_size=4, drop_last=True))
idiom("DataLoader_len", lambda lib: len(lib.utils.data.DataLoader(lib.utils.data.TensorDataset(lib.tensor(DX)),
                                                                  batch_size=3)))
idiom("DataLoader_sampler", lambda lib: _batches(lib, batch_size=3, sampler=[9, 0, 4, 4, 2]))
idiom("DataLoader_batch_sampler", lambda lib: _batches(lib, batch_sampler=[[1, 2], [9], [3, 0, 5]]))
idiom("DataLoader_SequentialSampler", lambda lib: _batches(
    lib, batch_size=4, sampler=lib.utils.data.SequentialSampler(range(10))))
idiom("DataLoader_BatchSampler", lambda lib: _batches(lib, batch_sampler=lib.utils.data.BatchSampler(
    lib.utils.data.SequentialSampler(range(10)), batch_size=3, drop_last=True)))
idiom("DataLoader_pin_memory_workers_args", lambda lib: _batches(lib, batch_size=5, pin_memory=True))
idiom("DataLoader_workers", lambda lib: _batches(lib, batch_size=4, num_workers=2, persistent_workers=False))
idiom("DataLoader_shuffle_covers_everything", lambda lib: sorted(
    int(v) for _, yb in lib.utils.data.DataLoader(lib.utils.data.TensorDataset(lib.tensor(DX), lib.tensor(DY)),
                                                   batch_size=3, shuffle=True) for v in yb))
idiom("DataLoader_shuffle_batch_shapes", lambda lib: [tuple(xb.shape) for xb, _ in lib.utils.data.DataLoader(
    lib.utils.data.TensorDataset(lib.tensor(DX), lib.tensor(DY)), batch_size=4, shuffle=True)])
idiom("random_split_lengths", lambda lib: [len(s) for s in lib.utils.data.random_split(
    lib.utils.data.TensorDataset(lib.tensor(DX)), [7, 3])])
idiom("Subset_indexing", lambda lib: list(lib.utils.data.Subset(
    lib.utils.data.TensorDataset(lib.tensor(DX), lib.tensor(DY)), [4, 1])[1]))
idiom("ConcatDataset", lambda lib: (len(lib.utils.data.ConcatDataset([lib.utils.data.TensorDataset(lib.tensor(DX)),
                                                                       lib.utils.data.TensorDataset(lib.tensor(DX))])),
                                    list(lib.utils.data.ConcatDataset([
                                        lib.utils.data.TensorDataset(lib.tensor(DX)),
                                        lib.utils.data.TensorDataset(lib.tensor(DX[:2]))])[11])))
idiom("default_collate_tuples", lambda lib: lib.utils.data.default_collate(
    [(np.array([1.5, 0.5], np.float32), 2), (np.array([2.5, 1.0], np.float32), 3)]))
def _stream(lib, **kwargs):
    class Stream(lib.utils.data.IterableDataset):
        def __iter__(self):
            return ((np.full(3, i, np.float32), i % 2) for i in range(5))

    return [list(b) for b in lib.utils.data.DataLoader(Stream(), **kwargs)]


idiom("IterableDataset_batches", lambda lib: _stream(lib, batch_size=2))
idiom("IterableDataset_drop_last", lambda lib: _stream(lib, batch_size=2, drop_last=True))
idiom("get_worker_info_main_process", lambda lib: lib.utils.data.get_worker_info())


class Squares:
    """A Python dataset as a tutorial writes one: numbers in, a (features, label) pair out."""

    def __len__(self):
        return 7

    def __getitem__(self, i):
        return np.array([i, i * i], np.float32), i % 2


idiom("DataLoader_python_dataset", lambda lib: [list(b) for b in lib.utils.data.DataLoader(Squares(), batch_size=3)])
idiom("DataLoader_python_dataset_workers", lambda lib: [list(b) for b in lib.utils.data.DataLoader(
    Squares(), batch_size=3, **({"num_workers": 2} if lib is tg else {}))])


class Records:
    def __len__(self):
        return 4

    def __getitem__(self, i):
        return {"pixels": np.full((2, 2), i, np.float32), "label": i}


idiom("DataLoader_dict_examples", lambda lib: list(lib.utils.data.DataLoader(Records(), batch_size=3)))
idiom("DataLoader_collate_fn", lambda lib: [b for b in lib.utils.data.DataLoader(
    Squares(), batch_size=4, collate_fn=lambda ex: len(ex))])


# ---------------------------------------------------------------- save and load
def _save_load(lib, x, tmp, **load_kwargs):
    model = module(lib, lambda L: L.nn.Sequential(L.nn.Linear(4, 3), L.nn.LayerNorm(3), L.nn.Mish()))
    path = str(tmp / f"model-{lib.__name__}.pt")
    lib.save(model.state_dict(), path)
    fresh = module(lib, lambda L: L.nn.Sequential(L.nn.Linear(4, 3), L.nn.LayerNorm(3), L.nn.Mish()))
    with lib.no_grad():
        for p in fresh.parameters():
            p.data[...] = 0 if lib is tg else p.data.zero_()
    fresh.load_state_dict(lib.load(path, **load_kwargs))
    return fresh(x)


@pytest.mark.parametrize("load_kwargs", [{}, {"weights_only": True}, {"map_location": "cpu"},
                                         {"map_location": "cpu", "weights_only": True}, {"weights_only": False}],
                         ids=["plain", "weights_only", "map_location", "both", "weights_only_false"])
def test_idiom_save_load_state_dict(load_kwargs, tmp_path):
    compare(lambda lib, x: _save_load(lib, x, tmp_path, **load_kwargs), X)


def test_idiom_checkpoint_dict_round_trip(tmp_path):
    def script(lib, x):
        model = module(lib, lambda L: L.nn.Sequential(L.nn.Embedding(10, 2), L.nn.Flatten(), L.nn.Linear(8, 2)))
        opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        sched = lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10)
        for _ in range(3):
            opt.zero_grad()
            model(x).sum().backward()
            opt.step()
            sched.step()
        path = str(tmp_path / f"ckpt-{lib.__name__}.pt")
        lib.save({"model": model.state_dict(), "scheduler": sched.state_dict(), "epoch": 3}, path)
        ckpt = lib.load(path, weights_only=False)
        model.load_state_dict(ckpt["model"])
        sched.load_state_dict(ckpt["scheduler"])
        sched.step()
        return ckpt["epoch"], sched.get_last_lr(), model(x)

    compare(script, IDS, rtol=1e-4, atol=1e-6)


# ---------------------------------------------------------------- the run
@pytest.mark.parametrize("name", sorted(IDIOMS))
def test_idiom(name):
    fn, arrays, grad, tolerances = IDIOMS[name]
    compare(fn, *arrays, grad=grad, **tolerances)



# ---------------------------------------------------------------- not supported: a clear error, never a silent difference
NOT_SUPPORTED = [
    ("DataLoader_batch_size_None", lambda: tg.utils.data.DataLoader(Squares(), batch_size=None), NotImplementedError,
     "batch_size=None"),
    ("IterableDataset_num_workers", lambda: _stream(tg, batch_size=2, num_workers=2), ValueError, "IterableDataset"),
]


@pytest.mark.parametrize("name,fn,error,match", NOT_SUPPORTED, ids=[n[0] for n in NOT_SUPPORTED])
def test_not_supported(name, fn, error, match):
    with pytest.raises(error, match=match):
        fn()
