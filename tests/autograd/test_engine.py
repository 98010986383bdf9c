"""The engine's behaviour: the lecture's worked example, junction rule, long chains, modes, dtypes, errors."""
import numpy as np
import pytest

import tensorgate as tg


def lecture_f(x, y):
    """f(x, y) = (x + σ(y)) / (σ(x) + (x + y)²), the lecture's staged-computation example."""
    return (x + tg.sigmoid(y)) / (tg.sigmoid(x) + (x + y) ** 2)


def test_trace_shows_the_lecture_worked_example(capsys):
    tr = tg.trace(lecture_f, x=2.0, y=1.0)
    printed = capsys.readouterr().out
    values = {r.expression: float(r.value) for r in tr.rows}
    # forward: σ(y) = 1/(1+e^-1) = 0.731; nu = x + σ(y) = 2.731; σ(x) = 0.881; (x+y)² = 3² = 9;
    # denom = 0.881 + 9 = 9.881; invdenom = 1/9.881 = 0.101; f = 2.731 · 0.101 = 0.276
    assert values["sigmoid(y)"] == pytest.approx(0.731, abs=5e-4)
    nu = tr.rows[1]
    assert nu.expression == "x + v1" and float(nu.value) == pytest.approx(2.731, abs=5e-4)
    assert values["sigmoid(x)"] == pytest.approx(0.881, abs=5e-4)
    assert values["v4 ** 2.000"] == pytest.approx(9.0)
    denom, invdenom, f = tr.rows[5], tr.rows[6], tr.rows[7]
    assert float(denom.value) == pytest.approx(9.881, abs=5e-4)
    assert float(invdenom.value) == pytest.approx(0.101, abs=5e-4)
    assert tr.output == pytest.approx(0.276, abs=5e-4)
    # backward: f = nu · invdenom, so ∂f/∂nu = invdenom = 0.101 and ∂f/∂invdenom = nu = 2.731;
    # invdenom = 1/denom, so ∂f/∂denom = 2.731 · (−1/9.881²) = −0.028
    assert float(f.downstream["v2"]) == pytest.approx(0.101, abs=5e-4)
    assert float(f.downstream["v7"]) == pytest.approx(2.731, abs=5e-4)
    assert float(invdenom.downstream["v6"]) == pytest.approx(-0.028, abs=5e-4)
    for text in ["0.731", "2.731", "0.881", "9.000", "9.881", "0.101", "0.276", "-0.028"]:
        assert text in printed


def test_trace_gradients_equal_backprop_and_named_intermediates():
    def f(x, y):
        nu = x + tg.sigmoid(y)
        nu.name = "nu"
        return nu / (tg.sigmoid(x) + (x + y) ** 2)

    tr = tg.trace(f, print_table=False, x=2.0, y=1.0)
    assert tr.row("nu").gate == "add"
    x = tg.tensor(2.0, requires_grad=True, dtype="float64")
    y = tg.tensor(1.0, requires_grad=True, dtype="float64")
    lecture_f(x, y).backward()
    assert tr.gradients["x"] == pytest.approx(x.grad)
    assert tr.gradients["y"] == pytest.approx(y.grad)
    assert "∂f/∂nu" in str(tr)


def test_junction_rule_sums_gradients_of_a_value_used_twice():
    x = tg.tensor(3.0, requires_grad=True)
    a = x * 2          # x feeds two gates:
    b = x * x          # f = 2x + x², ∂f/∂x = 2 + 2x = 8
    (a + b).backward()
    assert x.grad == pytest.approx(8.0)
    h = tg.sigmoid(x)  # an intermediate used twice: f = h·h, ∂f/∂h = 2h
    h.retain_grad()
    (h * h).backward()
    assert h.grad == pytest.approx(2 * h.item())


def test_gradients_accumulate_across_backward_calls_until_zeroed():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad, [6.0, 6.0])
    x.zero_grad()
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad, [3.0, 3.0])


def test_leaves_sharing_a_passed_through_gradient_do_not_alias():
    a = tg.tensor([1.0, 2.0], requires_grad=True)
    b = tg.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()   # add passes one array to both inputs
    a.grad += 10               # must not change b.grad
    np.testing.assert_allclose(b.grad, [1.0, 1.0])


def test_a_chain_of_ten_thousand_gates_backpropagates():
    x = tg.tensor(1.0, requires_grad=True, dtype="float64")
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.backward()
    assert x.grad == pytest.approx(1.0001 ** 10_000)


def test_no_grad_records_nothing_and_works_as_decorator():
    x = tg.tensor([1.0], requires_grad=True)
    with tg.no_grad():
        y = x * 2
    assert not y.requires_grad and y.grad_fn is None

    @tg.no_grad()
    def double(t):
        return t * 2

    assert not double(x).requires_grad
    assert (x * 2).requires_grad  # switched back on


def test_dtypes_are_preserved_and_never_promoted():
    assert tg.tensor([1.0, 2.0]).dtype == np.float32
    assert tg.tensor(np.array([1.0]), dtype="float64").dtype == np.float64
    assert tg.tensor([1, 2]).dtype == np.int64
    x32 = tg.tensor([1.0, 2.0], requires_grad=True)
    assert (x32 * 2.5 + np.array([1.0, 2.0])).dtype == np.float32  # constants take the tensor's dtype
    assert tg.gelu(x32).dtype == np.float32 and tg.sigmoid(x32).dtype == np.float32
    x64 = tg.tensor([1.0, 2.0], dtype="float64")
    with pytest.raises(TypeError, match="different dtypes, float32 and float64"):
        x32 + x64
    assert (x32.double() + x64).dtype == np.float64


def test_matmul_shape_error_names_the_gate_and_both_shapes():
    with pytest.raises(ValueError, match=r"matmul: \(32, 784\) @ \(100, 10\): inner dimensions 784 and 100 differ"):
        tg.zeros(32, 784) @ tg.zeros(100, 10)


def test_backward_errors_say_what_to_do():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="not a scalar"):
        (x * 2).backward()
    with pytest.raises(RuntimeError, match="does not require grad"):
        tg.tensor([1.0]).sum().backward()
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()
    z = (x * x).sum()
    z.backward(retain_graph=True)
    z.backward()  # allowed: buffers were kept
    np.testing.assert_allclose(x.grad, 2 * (2 * x.numpy()) + 2 * x.numpy())


def test_float_gates_reject_integer_and_boolean_data():
    with pytest.raises(TypeError, match="sigmoid: expects floating-point input.*int64"):
        tg.sigmoid(tg.tensor([1, 2]))
    with pytest.raises(TypeError, match="exp: expects floating-point input.*bool"):
        tg.exp(tg.tensor([True]))
    with pytest.raises(TypeError, match="only floating tensors can require gradients"):
        tg.tensor([1, 2], requires_grad=True)
    labels = tg.tensor([0, 2, 1])
    assert (labels + 1).dtype == np.int64  # integer tensors still work for labels and indices
    with pytest.raises(TypeError, match="object"):
        tg.tensor([object()])


def test_detect_anomaly_names_the_gate_and_where_it_was_created():
    x = tg.tensor([0.0, 1.0], requires_grad=True)
    with tg.detect_anomaly():
        with pytest.raises(tg.AnomalyError, match=r"forward of the log gate produced inf.*test_engine.py"):
            tg.log(x)
        y = tg.sqrt(x).sum()  # forward finite, backward 1/(2·√0) = inf
        with pytest.raises(tg.AnomalyError, match="backward of the sqrt gate produced inf"):
            y.backward()


def test_manual_seed_makes_random_tensors_repeat():
    tg.manual_seed(7)
    a = tg.randn(3, 2).numpy().copy()
    b = tg.rand(2).numpy().copy()
    tg.manual_seed(7)
    np.testing.assert_array_equal(a, tg.randn(3, 2).numpy())
    np.testing.assert_array_equal(b, tg.rand(2).numpy())
    assert tg.randn(2, dtype="float64").dtype == np.float64


def test_gradcheck_catches_a_wrong_derivative():
    from tensorgate.autograd.gate import Gate

    class WrongSquare(Gate):
        """z = a², but backward claims ∂z/∂a = a (missing the factor 2)."""

        def forward(self, a):
            self.a = a
            return a * a

        def backward(self, g):
            return g * self.a

    with pytest.raises(tg.GradcheckError, match="input 0.*wrong at index"):
        tg.gradcheck(lambda a: WrongSquare.apply(a), tg.randn(3, dtype="float64"))


def test_tensor_hooks_see_and_replace_gradients():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    handle = x.register_hook(lambda g: seen.append(g.copy()) or g * 2)
    (x * 3).sum().backward()
    np.testing.assert_allclose(seen[0], [3.0, 3.0])
    np.testing.assert_allclose(x.grad, [6.0, 6.0])
    handle.remove()
    x.zero_grad()
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad, [3.0, 3.0])


def test_tensor_basics():
    x = tg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    assert x.shape == (2, 2) and x.ndim == 2 and x.T.shape == (2, 2)
    assert x.sum().item() == 10.0
    d = x.detach()
    assert not d.requires_grad and d.numpy() is x.numpy()
    assert tg.full((2, 3), 7.0).numpy().sum() == 42
    assert tg.arange(5).dtype == np.int64 and tg.ones(2, 3).shape == (2, 3)
    assert "grad_fn=mul" in repr(x * 2)
    assert np.asarray(x).shape == (2, 2)


def test_a_gate_reuses_its_saved_arrays_only_on_its_last_backward():
    """Cross-entropy's backward turns its saved softmax into the gradient when the engine says it is the
    last use; with retain_graph=True the second backward must still see the softmax."""
    z = tg.tensor(np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32), requires_grad=True)
    loss = tg.nn.functional.cross_entropy(z, [0, 1, 2, 1])
    loss.backward(retain_graph=True)
    first = z.grad.clone()
    loss.backward()
    np.testing.assert_array_equal(z.grad, 2 * first)
