"""PyTorch's dataset names: TensorDataset, Dataset, Subset and random_split behave as torch.utils.data's
and work with tensorgate's DataLoader."""
import numpy as np
import pytest
import torch
import torch.utils.data as tud

import tensorgate as tg
from tensorgate.data import ArrayDataset, DataLoader, Dataset, Subset, TensorDataset, random_split


def _data(m=10):
    rng = np.random.default_rng(0)
    return rng.standard_normal((m, 3)).astype(np.float32), rng.integers(0, 4, m)


def test_tensor_dataset_indexes_like_torch():
    X, y = _data()
    ours, theirs = TensorDataset(tg.tensor(X), tg.tensor(y)), tud.TensorDataset(torch.tensor(X), torch.tensor(y))
    assert len(ours) == len(theirs) == 10
    for i in (0, 7, -1):
        (xo, yo), (xt, yt) = ours[i], theirs[i]
        assert isinstance(xo, tg.Tensor) and isinstance(yo, tg.Tensor)
        assert xo.dtype == np.float32 and yo.dtype == np.int64
        np.testing.assert_array_equal(xo.data, xt.numpy())
        assert yo.item() == yt.item()
    xs, ys = ours[[1, 4]]
    xt, yt = theirs[[1, 4]]
    np.testing.assert_array_equal(xs.data, xt.numpy())
    np.testing.assert_array_equal(ys.data, yt.numpy())
    assert [tuple(t.shape) for t in ours.tensors] == [tuple(t.shape) for t in theirs.tensors]


def test_tensor_dataset_shares_memory_and_keeps_dtypes():
    X = np.zeros((4, 2))   # float64 stays float64: no silent demotion
    t = tg.from_numpy(X)
    ds = TensorDataset(t, np.arange(4, dtype=np.int64))
    X[2, 1] = 5.0
    assert ds[2][0].data[1] == 5.0 and ds[2][0].dtype == np.float64
    assert ds.tensors[0].data is X
    assert isinstance(ds, Dataset) and isinstance(ds, ArrayDataset)


def test_tensor_dataset_errors_name_it_and_the_shapes():
    with pytest.raises(ValueError, match=r"TensorDataset: all arrays need the same first dimension.*\(3, 2\), \(4,\)"):
        TensorDataset(tg.zeros(3, 2), tg.zeros(4))
    with pytest.raises(ValueError, match="TensorDataset: give at least one array"):
        TensorDataset()
    with pytest.raises(AssertionError):   # torch refuses the mismatch too
        tud.TensorDataset(torch.zeros(3, 2), torch.zeros(4))


@pytest.mark.parametrize("shuffle", [False, True])
def test_data_loader_batches_a_tensor_dataset_as_an_array_dataset(shuffle):
    X, y = _data(11)
    ours = [(xb.data, yb.data) for xb, yb in DataLoader(TensorDataset(tg.tensor(X), tg.tensor(y)), batch_size=4,
                                                        shuffle=shuffle, seed=3)]
    reference = [(xb.data, yb.data) for xb, yb in DataLoader(ArrayDataset(X, y), batch_size=4, shuffle=shuffle,
                                                             seed=3)]
    assert len(ours) == 3 and [b[0].shape for b in ours] == [(4, 3), (4, 3), (3, 3)]
    for (xa, ya), (xb, yb) in zip(ours, reference):
        np.testing.assert_array_equal(xa, xb)
        np.testing.assert_array_equal(ya, yb)
    if not shuffle:   # unshuffled batches are torch's too
        theirs = tud.DataLoader(tud.TensorDataset(torch.tensor(X), torch.tensor(y)), batch_size=4)
        for (xa, ya), (xt, yt) in zip(ours, theirs):
            np.testing.assert_array_equal(xa, xt.numpy())
            np.testing.assert_array_equal(ya, yt.numpy())


class Squares(Dataset):
    def __len__(self):
        return 5

    def __getitem__(self, i):
        return tg.tensor([i, 2.0 * i]), i, 0.5 * i


def test_a_dataset_subclass_feeds_the_data_loader_like_torchs():
    batches = list(DataLoader(Squares(), batch_size=2))
    assert [tuple(b[0].shape) for b in batches] == [(2, 2), (2, 2), (1, 2)]
    x, labels, targets = batches[1]
    np.testing.assert_array_equal(x.data, [[2.0, 4.0], [3.0, 6.0]])
    np.testing.assert_array_equal(labels.data, [2, 3])
    np.testing.assert_array_equal(targets.data, [1.0, 1.5])
    assert x.dtype == np.float32 and labels.dtype == np.int64
    assert targets.dtype == np.float32   # Python floats follow tg.tensor's rule (torch's collate: float64)


def test_an_incomplete_dataset_says_what_is_missing():
    class NoLength(Dataset):
        def __getitem__(self, i):
            return i

    with pytest.raises(NotImplementedError, match="NoLength: a Dataset subclass must define __len__"):
        len(DataLoader(NoLength()))
    with pytest.raises(NotImplementedError, match="must define __getitem__"):
        Dataset()[0]


def test_subset_indexes_like_torch():
    data = list(range(100, 110))
    ours, theirs = Subset(data, [4, 0, 9]), tud.Subset(data, [4, 0, 9])
    assert len(ours) == len(theirs) == 3
    assert [ours[i] for i in range(3)] == [theirs[i] for i in range(3)] == [104, 100, 109]
    X, y = _data()
    xs, ys = Subset(TensorDataset(X, y), [4, 0, 9])[[2, 0]]   # a list of positions: one batched lookup
    xt, yt = tud.Subset(tud.TensorDataset(torch.tensor(X), torch.tensor(y)), [4, 0, 9])[[2, 0]]
    np.testing.assert_array_equal(xs.data, xt.numpy())
    np.testing.assert_array_equal(ys.data, yt.numpy())
    xb, yb = next(iter(DataLoader(Subset(TensorDataset(X, y), [3, 5]), batch_size=2)))
    np.testing.assert_array_equal(xb.data, X[[3, 5]])
    np.testing.assert_array_equal(yb.data, y[[3, 5]])


@pytest.mark.filterwarnings("ignore:Length of split at index:UserWarning")   # torch's, for the empty split
@pytest.mark.parametrize("m, lengths", [(10, [0.8, 0.2]), (11, [0.3, 0.3, 0.4]), (7, [0.5, 0.5]),
                                        (10, [3, 7]), (5, [0, 1]), (13, [0.1, 0.2, 0.3, 0.4])])
def test_random_split_lengths_match_torch(m, lengths):
    ours = random_split(list(range(m)), lengths, seed=0)
    theirs = tud.random_split(list(range(m)), lengths, generator=torch.Generator().manual_seed(0))
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    assert all(isinstance(s, Subset) for s in ours)
    assert sorted(i for s in ours for i in s.indices) == list(range(m))   # disjoint, and every example once


def test_random_split_is_reproducible_and_random():
    a = random_split(range(50), [25, 25], seed=1)
    b = random_split(range(50), [25, 25], generator=np.random.default_rng(1))
    c = random_split(range(50), [25, 25], seed=2)
    assert a[0].indices == b[0].indices != c[0].indices
    assert a[0].indices != list(range(25))
    tg.manual_seed(3)
    d = random_split(range(50), [25, 25])
    tg.manual_seed(3)
    assert random_split(range(50), [25, 25])[1].indices == d[1].indices


@pytest.mark.parametrize("lengths, message", [
    ([3, 4], r"random_split: lengths \[3, 4\] sum to 7, but the dataset has 10 examples"),
    ([0.5, 0.6], r"random_split: lengths must be non-negative integers or fractions summing to 1, got \[0.5,"),
    ([1.5, -0.5], r"random_split: fractions must lie in \[0, 1\], got \[1.5, -0.5\]"),
    ([5.5, 4.5], r"random_split: lengths must be non-negative integers or fractions summing to 1"),
])
def test_random_split_bad_lengths(lengths, message):
    with pytest.raises(ValueError, match=message):
        random_split(range(10), lengths, seed=0)
    with pytest.raises((ValueError, TypeError)):   # torch too refuses them (with a TypeError for some)
        tud.random_split(range(10), lengths)
