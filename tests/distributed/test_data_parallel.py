"""Data-parallel training on 2 Ray workers equals single-process training with the same global batch."""
import numpy as np
import pytest
from sklearn.datasets import load_digits

import tensorgate as tg
from tensorgate import distributed, nn, optim
from tensorgate.training import LearningRateScheduler


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X / 16).astype(np.float32), y.astype(np.int64)


def _mlp(optimizer):
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 32), nn.Tanh(), nn.Linear(32, 10))
    if optimizer == "adam":
        opt = optim.Adam(model.parameters(), lr=0.01, weight_decay=1e-4)
    else:
        opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True)
    return model, opt


def _train(train_fn, model, opt, X, y, val, **kw):
    schedule = LearningRateScheduler(optim.CosineAnnealingLR(opt, T_max=20), per_batch=True)
    return train_fn(model, nn.CrossEntropyLoss(), opt, (X, y), epochs=2, batch_size=31, val_data=val, seed=7,
                    callbacks=[schedule], verbose=False, **kw)


def test_20_steps_equal_single_process_training(local_ray, digits, optimizer="adam"):
    X, y = digits[0][:310], digits[1][:310]          # 10 batches of 31 (slices of 15 and 16) per epoch
    val = (digits[0][1000:1100], digits[1][1000:1100])
    single, opt1 = _mlp(optimizer)
    h1 = _train(tg.fit, single, opt1, X, y, val)
    parallel, opt2 = _mlp(optimizer)
    h2 = _train(distributed.fit, parallel, opt2, X, y, val, workers=2)
    for (name, a), (_, b) in zip(single.state_dict().items(), parallel.state_dict().items()):
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-5, err_msg=name)
    assert np.abs(single.state_dict()["0.weight"] - _mlp(optimizer)[0].state_dict()["0.weight"]).max() > 1e-2
    for key in ("loss", "accuracy", "val_loss", "val_accuracy", "lr"):
        np.testing.assert_allclose(h2.history[key], h1.history[key], rtol=1e-5, atol=1e-6, err_msg=key)
    # the optimiser's state came back to the driver too (a checkpoint would hold it)
    s1, s2 = opt1.state_dict()["state"], opt2.state_dict()["state"]
    assert s1.keys() == s2.keys() and s2


def test_batchnorm_running_statistics_are_averaged_over_the_global_batch(local_ray, digits):
    X, y = digits[0][:310], digits[1][:310]

    def make():
        tg.manual_seed(0)
        model = nn.Sequential(nn.BatchNorm1d(64), nn.Linear(64, 10))
        return model, optim.SGD(model.parameters(), lr=0.05)

    # a DataLoader's batches travel to the workers as they are (arrays are sent once, batches as row numbers)
    loader = tg.data.DataLoader(tg.data.TensorDataset(tg.tensor(X), tg.tensor(y)), batch_size=31)
    single, opt1 = make()
    tg.fit(single, nn.CrossEntropyLoss(), opt1, loader, epochs=2, verbose=False)
    parallel, opt2 = make()
    distributed.fit(parallel, nn.CrossEntropyLoss(), opt2, loader, epochs=2, verbose=False, workers=2)
    # BatchNorm sees the raw inputs here, so its running mean (the mean of the slices' means, weighted by
    # their sizes) must be the global batches' exactly; each worker normalised with its slice's statistics
    a, b = single.state_dict(), parallel.state_dict()
    np.testing.assert_allclose(b["0.running_mean"], a["0.running_mean"], rtol=0, atol=1e-5)
    assert int(b["0.num_batches_tracked"]) == int(a["0.num_batches_tracked"]) == 20
    assert np.abs(b["0.running_mean"]).max() > 0.1


def test_workers_in_one_process_with_an_empty_slice_match_one_step_of_fit(digits):
    """Two GradientWorkers driven by hand (no Ray) (no Ray): a 1-row batch leaves worker 0 without rows."""
    import pickle

    from tensorgate.distributed.worker import GradientWorker

    X, y = digits[0][:1], digits[1][:1]
    single, opt1 = _mlp("adam")
    tg.fit(single, nn.CrossEntropyLoss(), opt1, (X, y), epochs=1, batch_size=1, shuffle=False, verbose=False)
    model, opt2 = _mlp("adam")
    replica = pickle.dumps((model, nn.CrossEntropyLoss(), opt2))
    workers = [GradientWorker(k, 2, replica, threads=None) for k in range(2)]
    (_, out0), c0 = workers[0].compute(X[:0], y[:0], 0.0)
    (loss1, out1), c1 = workers[1].compute(X, y, 1.0)
    assert out0 is None and out1.shape == (1, 10) and loss1 > 0
    c0, c1 = workers[0].pass_on(0, c1), workers[1].pass_on(0, c0)
    groups = [{k: v for k, v in g.items() if k != "params"} for g in opt2.param_groups]
    workers[0].finish(1, c1, groups)
    workers[1].finish(1, c0, groups)
    for w in workers:
        for (name, a), (_, b) in zip(single.state_dict().items(), w.model.state_dict().items()):
            np.testing.assert_allclose(b, a, rtol=0, atol=1e-6, err_msg=name)


def test_more_workers_than_cpus_is_a_clear_error(local_ray, digits):
    model, opt = _mlp("adam")
    with pytest.raises(ValueError, match=r"workers=3 needs 3 CPUs, but the Ray cluster has 2"):
        distributed.fit(model, nn.CrossEntropyLoss(), opt, digits, workers=3)
