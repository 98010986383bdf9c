"""ArrayDataset and DataLoader: every example once per epoch, batch sizes, drop_last, seeded shuffling."""
import numpy as np
import pytest

from tensorgate.autograd import Tensor
from tensorgate.backend.random import manual_seed
from tensorgate.data import ArrayDataset, DataLoader


def _data(m=10, n=3):
    X = np.arange(m * n, dtype=np.float32).reshape(m, n)
    y = np.arange(m)  # y[i] == i identifies the example
    return X, y


def _epoch(loader):
    return [(xb, yb) for xb, yb in loader]


def test_array_dataset_indexing():
    X, y = _data()
    ds = ArrayDataset(X, y)
    assert len(ds) == 10
    x3, y3 = ds[3]
    np.testing.assert_array_equal(x3, X[3])
    assert int(y3) == 3
    xb, yb = ds[np.array([1, 5])]
    assert xb.shape == (2, 3) and yb.tolist() == [1, 5]
    assert "float32 (10, 3)" in repr(ds)


def test_array_dataset_checks_first_dimensions():
    with pytest.raises(ValueError, match=r"same first dimension .*\(10, 3\), \(9,\)"):
        ArrayDataset(np.zeros((10, 3)), np.zeros(9))
    with pytest.raises(ValueError, match="at least one array"):
        ArrayDataset()
    with pytest.raises(ValueError, match="scalar"):
        ArrayDataset(np.float32(1.0))


def test_array_dataset_keeps_dtypes_and_converts_lists():
    ds = ArrayDataset(np.zeros((2, 2), np.float64), [[1.0, 2.0], [3.0, 4.0]], [0, 1],
                      Tensor(np.zeros(2, np.float32)))
    assert [a.dtype for a in ds.arrays] == [np.float64, np.float32, np.int64, np.float32]


@pytest.mark.parametrize("batch_size, drop_last, sizes", [
    (1, False, [1] * 10),            # stochastic gradient descent
    (10, False, [10]),               # full batch
    (4, False, [4, 4, 2]),           # mini-batch, last one smaller
    (4, True, [4, 4]),
    (5, True, [5, 5]),
    (32, False, [10]),
    (32, True, []),
])
@pytest.mark.parametrize("shuffle", [False, True])
def test_every_example_exactly_once_per_epoch(batch_size, drop_last, sizes, shuffle):
    X, y = _data()
    loader = DataLoader(ArrayDataset(X, y), batch_size=batch_size, shuffle=shuffle, drop_last=drop_last,
                        seed=0)
    assert len(loader) == len(sizes)
    for _ in range(2):
        batches = _epoch(loader)
        assert [len(yb) for _, yb in batches] == sizes
        seen = np.concatenate([yb.data for _, yb in batches]) if batches else np.array([], int)
        if not drop_last:
            assert sorted(seen.tolist()) == list(range(10))
        else:
            assert len(set(seen.tolist())) == len(seen) == sum(sizes)
        for xb, yb in batches:  # rows stay with their labels
            np.testing.assert_array_equal(xb.data, X[yb.data])


def test_batches_are_tensors_with_the_right_dtypes():
    X, y = _data()
    for shuffle in (False, True):
        xb, yb = next(iter(DataLoader(ArrayDataset(X, y.astype(np.uint8)), batch_size=4, shuffle=shuffle)))
        assert isinstance(xb, Tensor) and isinstance(yb, Tensor)
        assert xb.dtype == np.float32 and yb.dtype == np.int64
        assert not xb.requires_grad
    xb, _ = next(iter(DataLoader(ArrayDataset(X.astype(np.float64), y), batch_size=4)))
    assert xb.dtype == np.float64  # float64 on request stays float64


def test_unshuffled_order_is_the_dataset_order():
    X, y = _data()
    order = [yb.data.tolist() for _, yb in DataLoader(ArrayDataset(X, y), batch_size=3)]
    assert order == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]


def _orders(loader, epochs=3):
    return [np.concatenate([yb.data for _, yb in loader]).tolist() for _ in range(epochs)]


def test_seed_gives_the_same_orders_each_run_and_new_orders_each_epoch():
    X, y = _data(50)
    first = _orders(DataLoader(ArrayDataset(X, y), batch_size=8, shuffle=True, seed=42))
    second = _orders(DataLoader(ArrayDataset(X, y), batch_size=8, shuffle=True, seed=42))
    other = _orders(DataLoader(ArrayDataset(X, y), batch_size=8, shuffle=True, seed=43))
    assert first == second
    assert first[0] != first[1] != first[2]
    assert first != other
    assert first[0] != list(range(50))


def test_set_epoch_resumes_the_same_order():
    X, y = _data(50)
    loader = DataLoader(ArrayDataset(X, y), batch_size=8, shuffle=True, seed=1)
    orders = _orders(loader)
    resumed = DataLoader(ArrayDataset(X, y), batch_size=8, shuffle=True, seed=1)
    resumed.set_epoch(2)
    assert _orders(resumed, 1)[0] == orders[2]


def test_no_seed_follows_the_global_generator():
    X, y = _data(50)
    manual_seed(3)
    a = _orders(DataLoader(ArrayDataset(X, y), batch_size=8, shuffle=True), 2)
    manual_seed(3)
    b = _orders(DataLoader(ArrayDataset(X, y), batch_size=8, shuffle=True), 2)
    assert a == b and a[0] != a[1]


def test_generic_dataset_and_tuple_of_arrays():
    X, y = _data()

    class Squares:
        def __len__(self):
            return 10

        def __getitem__(self, i):
            return X[i], y[i]

    a = [(xb.data.tolist(), yb.data.tolist()) for xb, yb in DataLoader(Squares(), batch_size=4, shuffle=True, seed=5)]
    b = [(xb.data.tolist(), yb.data.tolist()) for xb, yb in DataLoader(ArrayDataset(X, y), batch_size=4, shuffle=True, seed=5)]
    assert a == b
    assert len(DataLoader((X, y), batch_size=3)) == 4


@pytest.mark.parametrize("kwargs, message", [
    ({"batch_size": 0}, "batch_size must be a positive integer, got 0"),
    ({"batch_size": 2.5}, "batch_size must be a positive integer"),
    ({"seed": -1}, "seed must be a non-negative integer"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DataLoader(ArrayDataset(*_data()), **kwargs)
    with pytest.raises(TypeError, match="__len__ and __getitem__"):
        DataLoader(42)


def test_len_and_repr():
    loader = DataLoader(ArrayDataset(*_data(1000)), batch_size=64)
    assert len(loader) == 16
    assert "16 batches" in repr(loader)
    assert len(DataLoader(ArrayDataset(*_data(1000)), batch_size=64, drop_last=True)) == 15
