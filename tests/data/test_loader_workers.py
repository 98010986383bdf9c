"""DataLoader with worker processes, samplers, collate_fn and PyTorch's arguments; tensorgate.utils.data."""
import os
import random
import time

import numpy as np
import pytest
import torch
import torch.utils.data as tud

import tensorgate as tg
from tensorgate.utils.data import (BatchSampler, DataLoader, Dataset, SequentialSampler, SubsetRandomSampler,
                                   TensorDataset, WeightedRandomSampler, get_worker_info)


class Augmented(Dataset):
    """A Python dataset whose examples are randomly augmented with all three random sources."""

    def __init__(self, n=23):
        self.X = np.arange(n * 3, dtype=np.float32).reshape(n, 3)

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        noise = np.random.normal(size=3).astype(np.float32) + tg.randn(3).numpy() + random.random()
        if i % 5 == 0:
            time.sleep(0.002)   # uneven work: results arrive out of order
        info = get_worker_info()
        return self.X[i] + noise, i, -1 if info is None else info.id


def _epochs(loader, n=2):
    return [[tuple(np.asarray(t.numpy()) for t in batch) for batch in loader] for _ in range(n)]


def _same(a, b):
    assert len(a) == len(b)
    for ea, eb in zip(a, b):
        assert len(ea) == len(eb)
        for ba, bb in zip(ea, eb):
            np.testing.assert_array_equal(ba[0], bb[0])   # augmented inputs
            np.testing.assert_array_equal(ba[1], bb[1])   # indices: the order


@pytest.mark.parametrize("persistent", [False, True])
def test_workers_give_the_batches_of_num_workers_0_augmentations_included(persistent):
    kwargs = dict(batch_size=4, shuffle=True, seed=7)
    serial = _epochs(DataLoader(Augmented(), **kwargs))
    parallel_loader = DataLoader(Augmented(), num_workers=3, persistent_workers=persistent, **kwargs)
    parallel = _epochs(parallel_loader)
    _same(serial, parallel)
    workers = {int(w) for epoch in parallel for batch in epoch for w in batch[2]}
    assert workers == {0, 1, 2}, "the batches must come from the worker processes"
    assert serial[0][0][1].tolist() != serial[1][0][1].tolist(), "a new order each epoch"


def test_workers_without_a_seed_follow_the_global_generator():
    tg.manual_seed(3)
    serial = _epochs(DataLoader(Augmented(), batch_size=5, shuffle=True), 1)
    tg.manual_seed(3)
    parallel = _epochs(DataLoader(Augmented(), batch_size=5, shuffle=True, num_workers=2), 1)
    _same(serial, parallel)


def test_the_main_process_random_streams_are_left_alone():
    np.random.seed(0)
    expected = np.random.random()
    np.random.seed(0)
    list(DataLoader(Augmented(), batch_size=4))
    assert np.random.random() == expected


def test_worker_init_fn_runs_in_each_worker_process(tmp_path):
    def init(worker_id):
        (tmp_path / f"w{worker_id}-{os.getpid()}").write_text("")

    list(DataLoader(Augmented(), batch_size=4, num_workers=2, worker_init_fn=init))
    names = sorted(p.name for p in tmp_path.iterdir())
    assert [n.split("-")[0] for n in names] == ["w0", "w1"]
    assert all(int(n.split("-")[1]) != os.getpid() for n in names)


class Broken(Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 5:
            raise KeyError(f"example {i} is missing")
        return np.zeros(2, np.float32)


def test_an_error_in_a_worker_is_raised_with_its_type_and_traceback():
    with pytest.raises(KeyError, match="worker process .*example 5 is missing"):
        list(DataLoader(Broken(), batch_size=2, num_workers=2))


def test_samplers_batch_sampler_and_collate_match_torch():
    X = np.arange(20, dtype=np.float32).reshape(10, 2)
    y = np.arange(10)
    ours_ds, theirs_ds = TensorDataset(tg.tensor(X), tg.tensor(y)), tud.TensorDataset(torch.tensor(X), torch.tensor(y))
    batches = [[3, 1], [0, 9, 8], [4]]
    cases = [
        (dict(batch_sampler=batches), dict(batch_sampler=batches)),
        (dict(batch_size=3, sampler=[9, 7, 5, 3, 1]), dict(batch_size=3, sampler=[9, 7, 5, 3, 1])),
        (dict(batch_size=4, drop_last=True, sampler=SequentialSampler(range(10))),
         dict(batch_size=4, drop_last=True, sampler=tud.SequentialSampler(range(10)))),
        (dict(batch_sampler=BatchSampler(SequentialSampler(range(10)), 4, False)),
         dict(batch_sampler=tud.BatchSampler(tud.SequentialSampler(range(10)), 4, False))),
    ]
    for ours_kw, theirs_kw in cases:
        for workers in (0, 2):
            ours = [[t.numpy() for t in b] for b in DataLoader(ours_ds, num_workers=workers, **ours_kw)]
            theirs = [[t.numpy() for t in b] for b in tud.DataLoader(theirs_ds, **theirs_kw)]
            assert len(ours) == len(theirs) == len(DataLoader(ours_ds, **ours_kw))
            for a, b in zip(ours, theirs):
                for u, v in zip(a, b):
                    np.testing.assert_array_equal(u, v)

    def collate(examples):    # runs in the workers; returns whatever it likes
        return {"x": tg.stack([x for x, _ in examples]), "n": len(examples)}

    got = list(DataLoader(ours_ds, batch_size=4, collate_fn=collate, num_workers=2))
    assert [b["n"] for b in got] == [4, 4, 2] and got[2]["x"].tolist() == X[8:].tolist()


def test_dict_examples_are_collated_to_dicts_as_torch():
    class Dicts(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return {"image": np.full(2, i, np.float32), "label": i}

    ours = list(DataLoader(Dicts(), batch_size=2))
    theirs = list(tud.DataLoader(Dicts(), batch_size=2))
    assert [sorted(b) for b in ours] == [sorted(b) for b in theirs]
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a["image"].numpy(), b["image"].numpy())
        assert a["label"].tolist() == b["label"].tolist()


def test_random_samplers_draw_what_they_should():
    tg.manual_seed(0)
    assert sorted(SubsetRandomSampler([4, 8, 6])) == [4, 6, 8]
    draws = list(WeightedRandomSampler([0.0, 1.0, 3.0], 400))
    assert set(draws) == {1, 2} and 0.65 < draws.count(2) / 400 < 0.85


def test_arguments_as_torch():
    ds = Augmented()
    DataLoader(ds, pin_memory=True, timeout=5)     # accepted (pin_memory is a no-op on the CPU)
    errors = [dict(sampler=[0], shuffle=True), dict(batch_sampler=[[0]], batch_size=2),
              dict(num_workers=-1), dict(prefetch_factor=2), dict(persistent_workers=True), dict(timeout=-1)]
    for kwargs in errors:
        with pytest.raises(ValueError):
            DataLoader(ds, **kwargs)
        with pytest.raises(ValueError):
            tud.DataLoader(ds, **kwargs)
    with pytest.raises(NotImplementedError, match="batch_size=None"):
        DataLoader(ds, batch_size=None)


def test_utils_data_is_the_pytorch_import_path():
    import tensorgate.utils.data as data

    assert data.DataLoader is tg.data.DataLoader and data.random_split is tg.data.random_split
    assert tg.utils.data.TensorDataset is tg.data.TensorDataset


def test_iterable_datasets_are_batched_in_order_as_torch():
    from tensorgate.utils.data import IterableDataset

    def make(base):
        class Stream(base):
            def __iter__(self):
                return ((np.full(2, i, np.float32), i) for i in range(7))
        return Stream()

    ours = [list(b) for b in DataLoader(make(IterableDataset), batch_size=3)]
    theirs = [list(b) for b in tud.DataLoader(make(tud.IterableDataset), batch_size=3)]
    assert len(ours) == len(theirs) == 3
    for a, b in zip(ours, theirs):
        for u, v in zip(a, b):
            np.testing.assert_array_equal(u.numpy(), v.numpy())
    assert len(list(DataLoader(make(IterableDataset), batch_size=3, drop_last=True))) == 2
    for kwargs in (dict(shuffle=True), dict(num_workers=2), dict(sampler=[0])):
        with pytest.raises(ValueError, match="IterableDataset"):
            DataLoader(make(IterableDataset), **kwargs)
    with pytest.raises(TypeError, match="no __len__"):
        len(DataLoader(make(IterableDataset)))
