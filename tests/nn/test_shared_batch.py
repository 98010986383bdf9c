"""nn/shared_batch.py: a model called by hand without a graph holds BLAS at one thread for a large batch and
shares each convolution's images among the threads BLAS had, as tg.predict does; nowhere else."""
import numpy as np
import pytest

import tensorgate as tg
from tensorgate.backend import threads
from tensorgate.nn.shared_batch import SHARED_FROM


@pytest.fixture
def two_blas_threads():
    before = threads.blas_threads()
    tg.set_num_threads(2)
    yield
    tg.set_num_threads(before)


class Spy(tg.nn.Module):
    """Records, at each call, whether BLAS is held and how many threads a convolution would share among."""

    def __init__(self, log):
        super().__init__()
        self.log = log

    def forward(self, x):
        self.log.append((threads.holding(), threads.team(), threads.blas_threads()))
        return x


def _model(log, conv=True, groups=1):
    layers = [tg.nn.Conv2d(4, 4, 3, padding=1, groups=groups)] if conv else [tg.nn.Identity()]
    return tg.nn.Sequential(*layers, Spy(log), tg.nn.ReLU(), tg.nn.Flatten(), tg.nn.Linear(4 * 8 * 8, 3)).eval()


def _batch(numbers):
    n = -(-numbers // (4 * 8 * 8))
    return np.random.default_rng(0).standard_normal((n, 4, 8, 8)).astype(np.float32)


def test_a_large_batch_without_a_graph_is_shared_and_blas_gets_its_threads_back(two_blas_threads):
    log = []
    model = _model(log)
    x = _batch(SHARED_FROM)
    with tg.no_grad():
        held = model(x).numpy()
    assert log == [(True, 2, 1)]                      # inside the call: BLAS at one thread, a team of two
    assert threads.blas_threads() == 2 and not threads.holding()
    with tg.no_grad(), threads.batch_threads(1):      # the same numbers as one thread computing alone
        alone = model(x).numpy()
    np.testing.assert_allclose(held, alone, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("case", ["with a graph", "small batch", "no convolution", "depthwise only"])
def test_no_hold_where_it_does_not_gain(two_blas_threads, case):
    log = []
    model = _model(log, conv=case != "no convolution", groups=4 if case == "depthwise only" else 1)
    x = tg.Tensor(_batch(SHARED_FROM // 2 if case == "small batch" else SHARED_FROM))
    if case == "with a graph":
        model(x)
    else:
        with tg.no_grad():
            model(x)
    assert log == [(False, 1, 2)]


def test_one_blas_thread_holds_nothing():
    before = threads.blas_threads()
    tg.set_num_threads(1)
    try:
        log = []
        with tg.no_grad():
            _model(log)(_batch(SHARED_FROM))
        assert log == [(False, 1, 1)]
    finally:
        tg.set_num_threads(before)


def test_an_error_inside_the_call_gives_blas_its_threads_back(two_blas_threads):
    model = _model([])
    with tg.no_grad(), pytest.raises(ValueError, match="expected input of shape"):
        model(np.zeros((SHARED_FROM, 3, 1, 1), dtype=np.float32))   # 3 channels where the conv wants 4
    assert threads.blas_threads() == 2 and not threads.holding()


def test_forward_hooks_run_after_the_held_forward(two_blas_threads):
    log = []
    model = _model([])
    model.register_forward_hook(lambda module, args, out: log.append(threads.holding()))
    with tg.no_grad():
        model(_batch(SHARED_FROM))
    assert log == [False]                              # hooks run after the forward, outside the hold
