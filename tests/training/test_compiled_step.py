"""The recorded-and-replayed training step against the plain eager step it must equal, number for number."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tensorgate as tg
from tensorgate import nn, optim
from tensorgate.autograd.tape import NotReplayable, Tape, recording
from tensorgate.training import CompiledStep


def eager_step(model, loss_fn, opt, x, y):
    opt.zero_grad()
    out = model(tg.tensor(x, dtype=x.dtype))
    loss = loss_fn(out, tg.tensor(y, dtype=y.dtype))
    loss.backward()
    opt.step()
    return float(loss.data), out.data


def twins(build, make_opt, seed=0):
    _ = tg.manual_seed(seed)
    a = build()
    _ = tg.manual_seed(seed)
    b = build()
    return (a, make_opt(a)), (b, make_opt(b))


def batches(n, m, n_in, k, seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((m, n_in)).astype(dtype), rng.integers(0, k, m)) for _ in range(n)]


@pytest.mark.parametrize("make_opt", [
    lambda m: optim.SGD(m.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
    lambda m: optim.Adam(m.parameters(), lr=1e-2),
    lambda m: optim.RMSprop(m.parameters(), lr=1e-3),
])
def test_replay_equals_eager_for_an_mlp(make_opt):
    def build():
        return nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 12), nn.GELU(), nn.Linear(12, 8),
                             nn.Tanh(), nn.Linear(8, 4))

    (m1, o1), (m2, o2) = twins(build, make_opt)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)
    step = CompiledStep(m2, loss_fn, o2)
    for x, y in batches(12, 9, 6, 4):
        l1, out1 = eager_step(m1, loss_fn, o1, x, y)
        l2, out2 = step(x, y)
        assert l1 == l2
        np.testing.assert_array_equal(out1, out2)
    for p1, p2 in zip(m1.parameters(), m2.parameters()):
        np.testing.assert_array_equal(p1.data, p2.data)
        np.testing.assert_array_equal(p1.grad, p2.grad)
    assert step.replays == 11 and step.eager_steps == 1


def test_float64_regression_and_a_new_batch_shape_records_again():
    def build():
        return nn.Sequential(nn.Linear(3, 8, dtype="float64"), nn.Sigmoid(), nn.Linear(8, 1, dtype="float64"))

    (m1, o1), (m2, o2) = twins(build, lambda m: optim.SGD(m.parameters(), lr=0.1))
    rng = np.random.default_rng(1)
    step = CompiledStep(m2, nn.MSELoss(), o2)
    for m in (8, 8, 5, 8, 5):  # the last batch of an epoch is often smaller
        x, y = rng.standard_normal((m, 3)), rng.standard_normal((m, 1))
        assert eager_step(m1, nn.MSELoss(), o1, x, y)[0] == step(x, y)[0]
    assert step.eager_steps == 2 and step.replays == 3
    for p1, p2 in zip(m1.parameters(), m2.parameters()):
        assert p2.data.dtype == np.float64
        np.testing.assert_array_equal(p1.data, p2.data)


def test_a_layer_used_twice_gets_the_sum_of_both_gradients():
    shared = nn.Linear(4, 4)

    class Twice(nn.Module):
        def __init__(self):
            super().__init__()
            self.shared, self.head = shared, nn.Linear(4, 3)

        def forward(self, x):
            return self.head(self.shared(tg.relu(self.shared(x))))

    (m1, o1), (m2, o2) = twins(Twice, lambda m: optim.SGD(m.parameters(), lr=0.1))
    step = CompiledStep(m2, nn.CrossEntropyLoss(), o2)  # trusts the custom module (the default)
    for x, y in batches(4, 5, 4, 3):
        eager_step(m1, nn.CrossEntropyLoss(), o1, x, y)
        step(x, y)
    assert step.replays == 3
    np.testing.assert_array_equal(m1.shared.weight.grad, m2.shared.weight.grad)


def test_convolutions_and_pooling_replay_like_eager():
    def build():
        return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 6, 3),
                             nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(6, 3))

    (m1, o1), (m2, o2) = twins(build, lambda m: optim.Adam(m.parameters(), lr=1e-2))
    rng = np.random.default_rng(2)
    step = CompiledStep(m2, nn.CrossEntropyLoss(), o2)
    for _ in range(4):
        x, y = rng.standard_normal((5, 1, 8, 8)).astype(np.float32), rng.integers(0, 3, 5)
        assert eager_step(m1, nn.CrossEntropyLoss(), o1, x, y)[0] == step(x, y)[0]
    assert step.replays == 3
    for p1, p2 in zip(m1.parameters(), m2.parameters()):
        np.testing.assert_array_equal(p1.data, p2.data)


@pytest.mark.parametrize("layer", [lambda: nn.Dropout(0.5), lambda: nn.BatchNorm1d(8),
                                   lambda: nn.BatchNorm1d(8, momentum=None)])
def test_dropout_and_batchnorm_in_training_are_replayed_and_equal(layer):
    # the mask is drawn, and the batch counted, inside the gates: a replay draws and counts as eager does
    def build():
        return nn.Sequential(nn.Linear(5, 8), layer(), nn.ReLU(), nn.Linear(8, 2))

    (m1, o1), (m2, o2) = twins(build, lambda m: optim.SGD(m.parameters(), lr=0.1))
    step = CompiledStep(m2, nn.CrossEntropyLoss(), o2)
    data = batches(5, 6, 5, 2)
    _ = tg.manual_seed(7)
    eager = [eager_step(m1, nn.CrossEntropyLoss(), o1, x, y)[0] for x, y in data]
    _ = tg.manual_seed(7)
    compiled = [step(x, y)[0] for x, y in data]
    assert eager == compiled and len(set(compiled)) == 5
    assert step.replays == 4 and step.eager_steps == 1
    for b1, b2 in zip(m1.buffers(), m2.buffers()):
        np.testing.assert_array_equal(b1.data, b2.data)   # BatchNorm's running statistics and batch count
    for p1, p2 in zip(m1.parameters(), m2.parameters()):
        np.testing.assert_array_equal(p1.data, p2.data)
    if isinstance(m2[1], nn.BatchNorm1d):
        assert int(m2[1].num_batches_tracked.data) == 5
    else:
        assert "DropoutGate()" in step.code


def test_hooks_registered_later_are_called_then_the_replay_resumes():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    step = CompiledStep(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1))
    x, y = np.ones((2, 3), np.float32), np.array([0, 1])
    step(x, y)
    step(x, y)
    seen = []
    handle = model[1].register_forward_hook(lambda mod, inp, out: seen.append(out.shape))
    grad_handle = model[0].weight.register_hook(lambda g: seen.append("grad"))
    step(x, y)
    assert seen == [(2, 4), "grad"] and step.replays == 1
    handle.remove()
    grad_handle.remove()
    step(x, y)
    assert step.replays == 2 and len(seen) == 2


def test_an_array_made_outside_the_gates_keeps_the_step_eager():
    class Noisy(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(3, 2)

        def forward(self, x):
            return self.lin(x + tg.randn(*x.shape))   # fresh noise every call: a replay would freeze it

    model = Noisy()
    step = CompiledStep(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1))
    x, y = np.zeros((4, 3), np.float32), np.array([0, 1, 0, 1])
    losses = [step(x, y)[0] for _ in range(3)]
    assert step.replays == 0 and len(set(losses)) == 3
    assert "made outside the recorded gates" in next(iter(step._tapes.values()))


def test_tape_names_what_it_cannot_follow():
    w = tg.tensor(np.ones(3, np.float32), requires_grad=True)
    x = tg.tensor(np.ones(3, np.float32))
    noise = tg.tensor(np.arange(3, dtype=np.float32))
    with recording() as gates:
        loss = ((w * x + noise) ** 2).sum()
    with pytest.raises(NotReplayable, match=r"add gate \(number 2\).*shape \(3,\)"):
        Tape(gates, args=[x], leaves=[w], outputs=[loss])
    tape = Tape(gates, args=[x, noise], leaves=[w], outputs=[loss])   # the 2 of ** 2 is a kept constant
    with pytest.raises(ValueError, match="argument 0 has shape"):
        tape.replay([np.ones(4, np.float32), np.zeros(3, np.float32)])


def test_fit_replays_library_models_and_runs_user_modules_eagerly():
    X, y = np.random.default_rng(0).standard_normal((40, 4)).astype(np.float32), np.arange(40) % 2

    def run(run_eagerly, model):
        opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        from tensorgate.training import Trainer

        trainer = Trainer(model, nn.CrossEntropyLoss(), opt, verbose=False, run_eagerly=run_eagerly)
        history = trainer.fit((X, y), epochs=3, batch_size=16, seed=0)
        return trainer, history

    def build():
        return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))

    (m1, _), (m2, _) = twins(build, lambda m: None)
    eager, h1 = run(True, m1)
    auto, h2 = run(None, m2)
    assert eager._compiled is None and auto._compiled.replays == 3 * 3 - 2   # shapes 16 and 8 recorded once
    assert h1.history["loss"] == h2.history["loss"]
    assert h1.history["accuracy"] == h2.history["accuracy"]

    class Mine(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = build()

        def forward(self, x):
            return self.net(x)

    mine, _ = run(None, Mine())
    assert mine._compiled.replays == 0
    trusted, _ = run(False, Mine())
    assert trusted._compiled.replays == 7


def test_malloc_tuning_is_off_at_import_on_when_asked_and_can_be_turned_off():
    if not sys.platform.startswith("linux"):
        pytest.skip("glibc's mallopt is Linux-only")
    src = str(Path(__file__).resolve().parents[2] / "src")
    code = "import tensorgate.backend.memory as m; t = m.tuned; print(t, m.tune_malloc(), m.tuned)"
    on = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                        env={"PYTHONPATH": src})
    off = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": src, "TENSORGATE_MALLOC_TUNING": "0"})
    assert (on.stdout.strip(), off.stdout.strip()) == ("False True True", "False False False")


def test_tape_docstring_example():
    import doctest

    import tensorgate.autograd.tape as tape_module

    assert doctest.testmod(tape_module).failed == 0


def test_the_tape_is_written_out_as_code_one_line_per_gate_call():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    step = CompiledStep(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1))
    step(np.ones((2, 3), np.float32), np.array([0, 1]))
    code = next(iter(step._tapes.values())).code
    forward = [line.strip() for line in code.splitlines() if ".forward(" in line]
    assert forward == ["v1 = g1.forward(a0, p0.data, p1.data)", "v2 = g2.forward(v1)",
                       "v3 = g3.forward(v2, p2.data, p3.data)",
                       "v4 = g4.forward(v3, labels=a1, smoothing=0.0, reduction='mean')"]
    backward = [line.split("#")[1].strip() for line in code.splitlines() if ".backward(" in line]
    assert backward == ["cross_entropy", "linear", "relu", "linear"]   # reverse order
    leaves = [line.strip() for line in code.splitlines() if line.strip().startswith("accumulate(")]
    assert [line.split("(")[1].split(",")[0] for line in leaves] == ["p2", "p3", "p0", "p1"]
    assert "d0" not in code and "= ds[0]" not in code.split("# linear")[-1]   # x needs no gradient: none is made


def test_changes_to_the_model_are_noticed_between_steps():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    step = CompiledStep(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1))
    x, y = np.ones((2, 3), np.float32), np.array([0, 1])
    step(x, y), step(x, y)
    assert (step.eager_steps, step.replays) == (1, 1)
    model.append(nn.Linear(2, 2))   # a new layer: a new walk of the model, a new recording
    step.optimizer = optim.SGD(model.parameters(), lr=0.1)
    step(x, y), step(x, y)
    assert (step.eager_steps, step.replays) == (2, 2) and model[3].weight.grad is not None
    model.double()                  # new parameter arrays of another dtype: recorded again, in float64
    step.optimizer = optim.SGD(model.parameters(), lr=0.1)
    loss, out = step(x, y)
    assert out.dtype == np.float64 and step.eager_steps == 3
    step(x, y)
    assert step.replays == 3


def test_a_replay_checks_the_labels_as_the_eager_step_does():
    model = nn.Sequential(nn.Linear(3, 2))
    step = CompiledStep(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1))
    x = np.ones((2, 3), np.float32)
    step(x, np.array([0, 1])), step(x, np.array([1, 0]))
    for bad in ([0, -1], [0, 2]):
        with pytest.raises(ValueError, match=f"target label {bad[1]} at index 1 is outside"):
            step(x, np.array(bad))
    assert step.replays == 1


def test_a_gate_that_passes_no_gradient_back_stops_the_replay_as_it_stops_the_engine():
    from tensorgate.autograd.gate import Gate

    class Blocked(Gate):   # passes its input on, and no gradient back
        def forward(self, a):
            return a * 1.0

        def backward(self, g):
            return (None,)

    lin = nn.Linear(3, 2)
    x = tg.tensor(np.ones((4, 3), np.float32))
    with recording() as gates:
        loss = Blocked.apply(lin(x)).sum()
    tape = Tape(gates, args=[x], leaves=list(lin.parameters()), outputs=[loss])
    assert "call_backward(g1, d1)" in tape.code   # the exact Linear gets no gradient it could rely on
    loss.backward()
    assert lin.weight.grad is None and lin.bias.grad is None
    (value,) = tape.replay([np.full((4, 3), 2.0, np.float32)])
    assert lin.weight.grad is None and lin.bias.grad is None
    np.testing.assert_allclose(value, (2.0 * lin.weight.data.sum(axis=1) + lin.bias.data).sum() * 4, rtol=1e-6)


def test_the_step_shows_its_code_or_says_why_it_runs_eagerly():
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    step = CompiledStep(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1))
    assert step.code == "# no step recorded yet"
    x, y = np.ones((2, 3), np.float32), np.array([0, 1])
    hook = model[1].register_forward_hook(lambda module, inputs, output: None)
    step(x, y)
    assert step.code.startswith("# this step runs eagerly: hooks, a module")
    hook.remove()
    step(x, y)
    assert step.code.startswith("def replay(a0, a1, backward=True):") and "g2 = TanhGate()" in step.code
    assert step.code == step._tapes[next(k for k, v in step._tapes.items() if isinstance(v, Tape))].code


def test_settings_that_are_not_plain_python_values_are_kept_as_constants_in_the_code():
    from tensorgate.autograd.tape import _literal

    assert _literal(0.5) == "0.5" and _literal((1, 2)) == "(1, 2)" and _literal("mean") == "'mean'"
    assert _literal(np.float64(0.5)) is None and _literal(float("nan")) is None and _literal([1]) is None
    w = tg.tensor(np.ones(3, np.float32), requires_grad=True)
    x = tg.tensor(np.full(3, 2.0, np.float32))
    with recording() as gates:
        loss = tg.nn.functional.leaky_relu(w * x, np.float64(0.5)).sum()
    tape = Tape(gates, args=[x], leaves=[w], outputs=[loss])
    (value,) = tape.replay([np.full(3, -2.0, np.float32)])
    assert value == -3.0 and "k0" in tape.code


def test_a_changed_setting_or_a_swapped_layer_is_recorded_anew():
    def build():
        return nn.Sequential(nn.Linear(3, 4), nn.LeakyReLU(0.1), nn.Linear(4, 2))

    (m1, o1), (m2, o2) = twins(build, lambda m: optim.SGD(m.parameters(), lr=0.1))
    loss1, loss2 = nn.CrossEntropyLoss(), nn.CrossEntropyLoss()
    step = CompiledStep(m2, loss2, o2)
    data = batches(8, 5, 3, 2)
    for i, (x, y) in enumerate(data):
        if i == 2:   # a new slope: baked into the recording, so a new one must be made
            m1[1].negative_slope = m2[1].negative_slope = np.float64(0.3)
        if i == 3:   # NumPy numbers too
            m1[1].negative_slope = m2[1].negative_slope = np.float32(0.5)
        if i == 4:   # a new layer in place of the old
            m1[1] = nn.Tanh()
            m2[1] = nn.Tanh()
        if i == 6:   # the loss's setting too
            loss1.label_smoothing = loss2.label_smoothing = 0.2
        assert eager_step(m1, loss1, o1, x, y)[0] == step(x, y)[0]
    assert step.eager_steps == 5 and step.replays == 3
    assert "TanhGate()" in step.code and "smoothing=0.2" in step.code


def test_a_step_watches_only_its_own_modules_and_a_dropped_step_leaves_nothing_behind():
    import gc

    model = nn.Sequential(nn.Linear(3, 4), nn.LeakyReLU(0.1), nn.Linear(4, 2))
    step = CompiledStep(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1))
    x, y = np.ones((2, 3), np.float32), np.array([0, 1])
    step(x, y)
    assert not step._changes.changed
    other = nn.Sequential(nn.Linear(3, 4))   # another model's changes are none of this step's business
    other.train(False)
    other[0].in_features = 5
    assert not step._changes.changed
    step(x, y)
    assert (step.eager_steps, step.replays) == (1, 1)
    model[1].negative_slope = 0.2            # a setting deep inside the model: the step looks again
    assert step._changes.changed
    step(x, y)
    assert step.eager_steps == 2 and "alpha=0.2" in step.code
    del step
    gc.collect()
    assert all(ref() is None for m in model.modules() for ref in m._watchers)


def test_recording_observes_the_gates_from_outside():
    from tensorgate.autograd import tape as tape_module
    from tensorgate.autograd.gate import Gate

    plain = Gate.__dict__["apply"]
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    with tape_module.recording() as gates:
        assert Gate.__dict__["apply"] is not plain
        (w * 3.0).sum()
    assert Gate.__dict__["apply"] is plain          # outside a recording, gates run as gate.py wrote them
    assert [cls.name for cls, *_ in gates] == ["mul", "sum"]
    (w * 3.0).sum()
    assert len(gates) == 2


def test_a_dropped_step_takes_its_tapes_source_out_of_linecache():
    import gc
    import linecache

    def tape_entries():
        return {name for name in linecache.cache if name.startswith("<tensorgate tape ")}

    gc.collect()
    before = tape_entries()
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    step = CompiledStep(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1))
    step(np.ones((2, 3), np.float32), np.array([0, 1]))
    step(np.ones((3, 3), np.float32), np.array([0, 1, 1]))   # a second batch shape: a second tape
    made = tape_entries() - before
    assert len(made) == 2 and any("LinearGate()" in "".join(linecache.cache[name][2]) for name in made)
    del step
    gc.collect()
    assert tape_entries() == before


def test_large_convolutions_share_the_batch_among_threads_and_replay_like_eager(monkeypatch, spy_ranges):
    """A replayed step whose convolutions are large enough (Conv2dGate.shares_batch) runs inside
    backend.threads.batch_threads: the kernels give each thread whole chunks of the batch. Three threads
    here (whatever the machine has), chunks of one image: the numbers must be the eager step's, to float64
    round-off (each thread sums its own images' share of ∂L/∂W, so the order of the sum differs)."""
    import functools

    from tensorgate.backend import threads
    from tensorgate.functional import conv_kernels
    from tensorgate.functional.conv import Conv2dGate
    from tensorgate.training import compiled

    monkeypatch.setattr(Conv2dGate, "SHARED_FROM", 1000)
    monkeypatch.setattr(conv_kernels, "CHUNK_ELEMENTS", 1)
    monkeypatch.setattr(compiled, "batch_threads", functools.partial(threads.batch_threads, 3))
    used = spy_ranges(conv_kernels)   # per call: (stop, step, the thread of each range)

    def build():
        return nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 3, 3, padding=1), nn.ReLU(),
                             nn.Conv2d(3, 5, 3, stride=2), nn.Flatten(), nn.Linear(5 * 3 * 3, 3)).double()

    (m1, o1), (m2, o2) = twins(build, lambda m: optim.SGD(m.parameters(), lr=0.05, momentum=0.9))
    rng = np.random.default_rng(4)
    step = CompiledStep(m2, nn.CrossEntropyLoss(), o2)
    before = threads.blas_threads()
    for _ in range(4):
        x, y = rng.standard_normal((7, 2, 8, 8)), rng.integers(0, 3, 7)
        np.testing.assert_allclose(eager_step(m1, nn.CrossEntropyLoss(), o1, x, y)[0], step(x, y)[0], rtol=1e-12)
    assert step.replays == 3 and step._last.threads_over_batch
    assert max(len(ran) for *_, ran in used) == 3   # the replays' kernels split the batch in three ranges
    # col2im (∂L/∂x of the stride-2 layer) takes large chunks, but at least one per thread: ⌈7/3⌉ = 3 images
    assert any(chunk == 3 and len(ran) == 3 for _, chunk, ran in used)
    assert len({t for *_, ran in used for t in ran}) >= 2   # and ran beyond the caller's thread
    assert threads.blas_threads() == before       # and BLAS got its threads back
    for p1, p2 in zip(m1.parameters(), m2.parameters()):
        np.testing.assert_allclose(p1.data, p2.data, rtol=1e-11, atol=1e-13)


def test_small_convolutions_and_mlps_keep_blas_threads():
    """LeNet-5's layers are below Conv2dGate.SHARED_FROM, an MLP has no convolution: their tapes leave
    BLAS's own threads alone."""
    from tensorgate.models.zoo import LeNet5, SmallVGG

    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((64, 1, 28, 28)).astype(np.float32), rng.integers(0, 10, 64)
    flags = {}
    for name, model in (("lenet", LeNet5()), ("vgg", SmallVGG()),
                        ("mlp", nn.Sequential(nn.Flatten(), nn.Linear(784, 10)))):
        step = CompiledStep(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.01))
        step(x, y)
        flags[name] = step._last.threads_over_batch
    assert flags == {"lenet": False, "vgg": True, "mlp": False}


def test_predict_and_evaluate_share_a_convolution_batch_among_threads(monkeypatch, spy_ranges):
    """tg.predict and tg.evaluate run a CPU model with a groups-1 Conv2d inside backend.threads.batch_threads
    (training/inference.py): the convolutions give each thread whole chunks of images. The outputs are the same
    numbers as a plain forward pass (the same chunks, the same products), and three threads did the work."""
    import functools

    from tensorgate.backend import threads
    from tensorgate.functional import conv_kernels
    from tensorgate.training import inference

    monkeypatch.setattr(conv_kernels, "CHUNK_ELEMENTS", 1)
    monkeypatch.setattr(inference, "batch_threads", functools.partial(threads.batch_threads, 3))
    used = spy_ranges(conv_kernels)   # per call: (stop, step, the thread of each range)
    _ = tg.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 6, 3),
                          nn.Flatten(), nn.Linear(6 * 6 * 6, 3))
    # 40 images of 16×16: the first layer's output is large enough to be compacted and shared (conv_kernels)
    x = np.random.default_rng(0).standard_normal((40, 1, 16, 16)).astype(np.float32)
    before = threads.blas_threads()
    model.eval()
    with tg.no_grad():
        plain = model(x).data
    assert used and max(len(ran) for *_, ran in used) == 1   # outside a holder: one range, the caller's
    used.clear()
    np.testing.assert_array_equal(tg.predict(model, x, batch_size=30), plain)
    assert max(len(ran) for *_, ran in used) == 3 and len({t for *_, ran in used for t in ran}) >= 2
    y = plain.argmax(axis=1)
    assert tg.evaluate(model, "cross_entropy", (x, y))["accuracy"] == 1.0
    assert threads.blas_threads() == before and threads._hold["owner"] is None
