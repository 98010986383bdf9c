"""tg.predict and tg.evaluate replay a recording of the model's gates (training/compiled.py: CompiledForward):
the outputs must be the eager model's, and every change to the model must be seen."""
import copy
import pickle
import threading

import numpy as np
import pytest

import tensorgate as tg
from tensorgate import nn
from tensorgate.models.zoo import MODELS, get_model
from tensorgate.training import CompiledForward


def eager(model, x):
    was = model.training
    model.eval()
    with tg.no_grad():
        out = model(tg.tensor(x, dtype=x.dtype)).data
    model.train(was)
    return out


def images(n, seed=0, channels=1, size=28):
    return np.random.default_rng(seed).standard_normal((n, channels, size, size)).astype(np.float32)


def mlp():
    _ = tg.manual_seed(0)
    return nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 4))


@pytest.mark.parametrize("name", sorted(MODELS))
def test_predict_replays_every_zoo_model_with_the_eager_outputs(name):
    _ = tg.manual_seed(0)
    model = get_model(name)
    model.train()
    with tg.no_grad():
        model(images(8, seed=1))                     # running statistics that are not the initial ones
    x = images(5, seed=2)
    expected = eager(model, x)
    for _ in range(3):
        np.testing.assert_allclose(tg.predict(model, x), expected, rtol=1e-5, atol=1e-6)
    forward = model._recorded_forward
    assert forward.replays == 2 and forward.eager_steps == 1, forward._last
    assert model.training                             # the mode it had, given back


def test_remainder_batches_are_a_second_recording():
    model = mlp()
    x = np.random.default_rng(0).standard_normal((10, 6)).astype(np.float32)
    expected = eager(model, x)
    for _ in range(2):
        np.testing.assert_allclose(tg.predict(model, x, batch_size=4), expected, rtol=1e-6, atol=1e-7)
    forward = model._recorded_forward
    assert (forward.eager_steps, forward.replays) == (2, 4)    # shapes (4, 6) and (2, 6): one recording each


def test_changes_to_the_model_between_calls_are_seen():
    model = mlp().eval()
    x = np.random.default_rng(1).standard_normal((3, 6)).astype(np.float32)
    tg.predict(model, x)
    tg.predict(model, x)
    # new weights, in place (as an optimiser writes them) and as new arrays (load_state_dict)
    model[0].weight.data *= 2.0
    np.testing.assert_allclose(tg.predict(model, x), eager(model, x), rtol=1e-6)
    state = {k: v * 0.5 for k, v in model.state_dict().items()}
    model.load_state_dict(state)
    np.testing.assert_allclose(tg.predict(model, x), eager(model, x), rtol=1e-6)
    # a layer replaced, a setting changed, a layer's dtype changed
    model[1] = nn.LeakyReLU(0.3)
    np.testing.assert_allclose(tg.predict(model, x), eager(model, x), rtol=1e-6)
    model[1].negative_slope = 0.05
    np.testing.assert_allclose(tg.predict(model, x), eager(model, x), rtol=1e-6)
    model.double()
    out = tg.predict(model, x)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, eager(model, x.astype(np.float64)), rtol=1e-12)


def test_running_statistics_updated_in_training_reach_the_next_prediction():
    _ = tg.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 3, 3), nn.BatchNorm2d(3), nn.ReLU(), nn.Flatten(), nn.Linear(3 * 6 * 6, 2))
    x = images(4, size=8)
    first = tg.predict(model, x)
    tg.predict(model, x)
    model.train()
    with tg.no_grad():
        model(images(16, seed=3, size=8) * 3 + 1)     # the running mean and variance move, in place
    second = tg.predict(model, x)
    assert not np.allclose(first, second)
    np.testing.assert_allclose(second, eager(model, x), rtol=1e-5, atol=1e-6)


def test_hooks_and_user_modules_run_eagerly_every_call():
    model = mlp().eval()
    x = np.ones((2, 6), np.float32)
    calls = []
    handle = model[0].register_forward_hook(lambda m, i, o: calls.append(1))
    for _ in range(3):
        tg.predict(model, x)
    assert len(calls) == 3                             # a replay would not call the hook
    handle.remove()
    tg.predict(model, x)
    tg.predict(model, x)
    assert len(calls) == 3 and model._recorded_forward.replays >= 1

    class Counting(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear, self.calls = nn.Linear(6, 2), 0

        def forward(self, x):
            self.calls += 1
            return self.linear(x)

    counting = Counting()
    for _ in range(3):
        tg.predict(counting, x)
    assert counting.calls == 3 and counting._recorded_forward.replays == 0
    assert "user code" in counting._recorded_forward._last


def test_evaluate_replays_and_agrees_with_the_eager_metrics():
    model = get_model("lenet")
    x, y = images(40, seed=4), np.arange(40) % 10
    logits = eager(model, x)
    loss = float(nn.CrossEntropyLoss()(tg.tensor(logits), tg.tensor(y)).data)
    for _ in range(2):
        logs = tg.evaluate(model, "cross_entropy", (x, y), batch_size=20)
        assert logs["accuracy"] == pytest.approx(float(np.mean(logits.argmax(1) == y)))
        assert logs["loss"] == pytest.approx(loss, rel=1e-5)
    assert model._recorded_forward.replays == 3


def test_copies_and_pickles_of_a_model_leave_its_recordings_behind():
    model = mlp().eval()
    x = np.random.default_rng(2).standard_normal((3, 6)).astype(np.float32)
    tg.predict(model, x)
    for other in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        assert "_recorded_forward" not in other.__dict__
        other[0].weight.data[...] = 0.0               # a copy of its own: the original's recording must not serve it
        np.testing.assert_allclose(tg.predict(other, x), eager(other, x), rtol=1e-6)
    np.testing.assert_allclose(tg.predict(model, x), eager(model, x), rtol=1e-6)


def test_threads_that_predict_at_once_each_get_their_own_outputs():
    """The first calls record; recordings take turns, and each notes only its own thread's gates."""
    models = [get_model(name) for name in ("lenet", "vgg", "resnet", "lenet")]
    inputs = [images(3, seed=s) for s in range(4)]
    expected = [eager(m, x) for m, x in zip(models, inputs)]
    results, errors = {}, []

    def work(i):
        try:
            results[i] = [tg.predict(models[i], inputs[i]) for _ in range(3)]
        except Exception as e:   # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for i in range(4):
        for out in results[i]:
            np.testing.assert_allclose(out, expected[i], rtol=1e-5, atol=1e-6)


def test_compiled_forward_docstring_example():
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU()).eval()
    forward = CompiledForward(model)
    x = np.ones((2, 4), np.float32)
    outs = [forward(x) for _ in range(3)]
    assert forward.replays == 2
    np.testing.assert_array_equal(outs[2], eager(model, x))


def test_switching_to_the_mode_a_module_has_tells_no_recorded_step():
    model = mlp()
    forward = CompiledForward(model)
    forward.look()
    model.train()                                      # already training: nothing changed
    assert not forward._changes.changed
    model.eval()
    assert forward._changes.changed


def _three_threads(monkeypatch, spy_ranges):
    """tg.predict and tg.evaluate hold batch_threads with a team of three (whatever the machine has), and a
    log of every parallel_ranges call CompiledForward.shared makes: (rows, step, thread of each range)."""
    import functools

    from tensorgate.backend import threads
    from tensorgate.training import compiled, inference

    monkeypatch.setattr(inference, "batch_threads", functools.partial(threads.batch_threads, 3))
    return spy_ranges(compiled.threads)


def test_a_large_batch_is_shared_among_threads_one_part_each(monkeypatch, spy_ranges):
    log = _three_threads(monkeypatch, spy_ranges)
    model = get_model("vgg")
    x = images(110, seed=5)
    expected = eager(model, x)
    first = tg.predict(model, x, batch_size=60)       # parts of 20 rows recorded here, one after the other
    assert log == []
    second = tg.predict(model, x, batch_size=60)      # then replayed on three threads: 20+20+20, then 17+17+16
    np.testing.assert_allclose(first, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(second, expected, rtol=1e-5, atol=1e-6)
    assert [(rows, step, len(ran)) for rows, step, ran in log] == [(60, 20, 3), (50, 17, 3)]
    assert len({t for *_, ran in log for t in ran}) >= 2
    y = expected.argmax(axis=1)
    assert tg.evaluate(model, "cross_entropy", (x, y), batch_size=60)["accuracy"] == 1.0
    assert len(log) == 4


def test_small_batches_and_models_that_are_not_replayed_stay_on_one_thread(monkeypatch, spy_ranges):
    log = _three_threads(monkeypatch, spy_ranges)
    model = get_model("lenet")
    x = images(47, seed=6)                           # fewer than 16 rows per thread
    for _ in range(2):
        tg.predict(model, x)
    assert log == [] and model._recorded_forward.replays == 1
    calls = []
    model.register_forward_hook(lambda m, i, o: calls.append(threading.get_ident()))
    x = images(96, seed=7)
    np.testing.assert_allclose(tg.predict(model, x), eager(model, x), rtol=1e-5, atol=1e-6)
    tg.predict(model, x)
    assert log == [] and len(set(calls)) == 1          # the hook ran on the caller's thread alone


def test_inputs_of_ever_new_sizes_keep_a_bounded_number_of_recordings(monkeypatch):
    monkeypatch.setattr(CompiledForward, "MAX_RECORDINGS", 5)
    model = mlp().eval()
    rng = np.random.default_rng(3)
    for rows in range(1, 13):
        x = rng.standard_normal((rows, 6)).astype(np.float32)
        np.testing.assert_allclose(tg.predict(model, x), eager(model, x), rtol=1e-6)
        assert len(model._recorded_forward._tapes) <= 5


def test_a_batch_that_cannot_be_shared_after_all_is_run_whole(monkeypatch):
    """parallel_ranges runs everything on the caller's thread when another thread holds BLAS's setting: the
    parts' recordings do not fit the whole batch, so the whole batch is run (and recorded) as it is."""
    import contextlib

    from tensorgate.backend import threads

    model = get_model("lenet")
    forward = CompiledForward(model.eval())
    x = images(64, seed=8)
    expected = eager(model, x)
    with threads.batch_threads(2):
        np.testing.assert_allclose(forward.shared(x), expected, rtol=1e-5, atol=1e-6)   # parts recorded
        np.testing.assert_allclose(forward.shared(x), expected, rtol=1e-5, atol=1e-6)   # parts replayed
        monkeypatch.setattr(threads, "batch_threads", lambda n=None: contextlib.nullcontext(False))
        np.testing.assert_allclose(forward.shared(x), expected, rtol=1e-5, atol=1e-6)
    assert ((64, 1, 28, 28), np.dtype(np.float32), forward._state) in forward._tapes
