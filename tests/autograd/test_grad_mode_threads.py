"""Gradient mode is per thread, as in PyTorch; anomaly detection is for the whole process, as in PyTorch."""
import threading
import time

import torch

import tensorgate as tg


def _in_a_thread(fn):
    out = []
    t = threading.Thread(target=lambda: out.append(fn()))
    t.start()
    t.join()
    return out[0]


def test_a_new_thread_records_the_graph_whatever_the_starting_thread_does():
    with tg.no_grad(), torch.no_grad():
        assert _in_a_thread(tg.is_grad_enabled) is True
        assert _in_a_thread(torch.is_grad_enabled) is True      # PyTorch's answer, the same
        assert not tg.is_grad_enabled()
    assert tg.is_grad_enabled()


def test_no_grad_blocks_entered_and_left_by_many_threads_at_once_leave_gradients_on():
    barrier = threading.Barrier(8)
    seen = []

    def work():
        barrier.wait()
        for _ in range(200):
            with tg.no_grad():
                time.sleep(0)                       # another thread runs here: enters and leaves its own block
                seen.append(tg.is_grad_enabled())
        return tg.is_grad_enabled()

    results = []
    threads = [threading.Thread(target=lambda: results.append(work())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [True] * 8 and not any(seen)
    assert tg.is_grad_enabled()
    x = tg.tensor([2.0], requires_grad=True)
    (x * x).sum().backward()
    assert float(x.grad[0]) == 4.0


def test_anomaly_detection_is_for_the_whole_process():
    from tensorgate.autograd import grad_mode
    with tg.autograd.detect_anomaly():
        assert _in_a_thread(lambda: grad_mode.state.anomaly) is True
    assert _in_a_thread(lambda: grad_mode.state.anomaly) is False
