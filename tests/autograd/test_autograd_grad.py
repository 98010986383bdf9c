"""tg.autograd.grad and tg.autograd.functional.jacobian / hessian against PyTorch."""
import numpy as np
import pytest
import torch

import tensorgate as tg
from tensorgate.autograd.functional import hessian, jacobian

rng = np.random.default_rng(0)
A = rng.standard_normal((3, 3))
X = rng.standard_normal((4, 3))


def both(a, requires_grad=True, dtype="float64"):
    a = np.asarray(a, dtype=dtype)
    return tg.tensor(a, requires_grad=requires_grad, dtype=dtype), torch.tensor(a, requires_grad=requires_grad)


def close(ours, theirs, **tol):
    np.testing.assert_allclose(np.asarray(ours.data if isinstance(ours, tg.Tensor) else ours),
                               theirs.detach().numpy(), **(tol or dict(rtol=1e-10, atol=1e-12)))


def test_grad_of_two_inputs_matches_torch_and_leaves_dot_grad_alone():
    (w, tw), (b, tb) = both(A), both(A[0])
    x, tx = both(X, requires_grad=False)
    loss = tg.tanh(x @ w + b).sum()
    tloss = torch.tanh(tx @ tw + tb).sum()
    gw, gb = tg.autograd.grad(loss, [w, b])
    tgw, tgb = torch.autograd.grad(tloss, [tw, tb])
    close(gw, tgw)
    close(gb, tgb)
    assert w.grad is None and b.grad is None and not gw.requires_grad


def test_grad_with_respect_to_an_intermediate_tensor_and_grad_outputs():
    (x, tx) = both(X)
    h, th = x * 2.0, tx * 2.0
    y, ty = tg.sin(h) * h, torch.sin(th) * th
    upstream = rng.standard_normal(X.shape)
    (gh, gx) = tg.autograd.grad(y, (h, x), grad_outputs=tg.tensor(upstream, dtype="float64"))
    (tgh, tgx) = torch.autograd.grad(ty, (th, tx), grad_outputs=torch.tensor(upstream))
    close(gh, tgh)
    close(gx, tgx)


def test_several_outputs_sum_their_gradients():
    x, tx = both([0.5, -1.0, 2.0])
    outs = [(x * x).sum(), tg.exp(x).sum()]
    touts = [(tx * tx).sum(), torch.exp(tx).sum()]
    close(tg.autograd.grad(outs, x)[0], torch.autograd.grad(touts, tx)[0])


def test_retain_graph_allows_a_second_call_and_the_default_frees():
    x, _ = both([1.0, 2.0])
    y = (x * x * x).sum()
    first = tg.autograd.grad(y, x, retain_graph=True)[0]
    second = tg.autograd.grad(y, x)[0]
    np.testing.assert_array_equal(first.numpy(), second.numpy())
    with pytest.raises(RuntimeError, match="second time"):
        tg.autograd.grad(y, x)


def test_unused_inputs():
    x, _ = both([1.0])
    z, _ = both([2.0])
    y = (x * 3.0).sum()
    with pytest.raises(RuntimeError, match="allow_unused"):
        tg.autograd.grad(y, [x, z], retain_graph=True)
    gx, gz = tg.autograd.grad(y, [x, z], allow_unused=True, retain_graph=True)
    assert gz is None and gx.tolist() == [3.0]
    assert tg.autograd.grad(y, [x, z], materialize_grads=True)[1].tolist() == [0.0]


def test_errors_are_clear():
    x, _ = both([1.0, 2.0])
    with pytest.raises(NotImplementedError, match="create_graph"):
        tg.autograd.grad((x * x).sum(), x, create_graph=True)
    with pytest.raises(RuntimeError, match="not a scalar"):
        tg.autograd.grad(x * x, x)
    with pytest.raises(RuntimeError, match="does not require grad"):
        tg.autograd.grad((x * x).sum(), tg.tensor([1.0]))


def test_float32_stays_float32():
    x, tx = both([0.3, 0.7], dtype="float32")
    (g,) = tg.autograd.grad(tg.log1p(x).sum(), x)
    assert g.dtype == np.float32
    close(g, torch.autograd.grad(torch.log1p(tx).sum(), tx)[0], rtol=1e-6)


def test_jacobian_of_x_squared_is_diag_2x():
    """The slides' example: J(x²) = diag(2x)."""
    x, tx = both([1.0, -2.0, 0.5], requires_grad=False)
    close(jacobian(lambda v: v ** 2, x), torch.autograd.functional.jacobian(lambda v: v ** 2, tx))


def test_jacobian_of_a_layer_with_tuple_inputs_and_outputs_matches_torch():
    (w, tw), (x, tx) = both(A[:2]), both(X[:2])

    def f(w, x):
        return tg.tanh(x @ w.T), (x * x).sum(axis=1)

    def tf(w, x):
        return torch.tanh(x @ w.T), (x * x).sum(1)

    ours, theirs = jacobian(f, (w, x)), torch.autograd.functional.jacobian(tf, (tw, tx))
    for o in range(2):
        for i in range(2):
            assert tuple(ours[o][i].shape) == tuple(theirs[o][i].shape)
            close(ours[o][i], theirs[o][i])
    assert w.grad is None


def test_jacobian_of_a_constant_output_is_zero_unless_strict():
    x, _ = both([1.0, 2.0])
    assert jacobian(lambda v: tg.ones(3, dtype="float64"), x).tolist() == [[0.0, 0.0]] * 3
    with pytest.raises(RuntimeError, match="strict"):
        jacobian(lambda v: tg.ones(3, dtype="float64"), x, strict=True)


def test_gradient_and_hessian_of_vT_A_v():
    """The slides' example: ∇(vᵀAv) = (A + Aᵀ)v, and the Hessian is A + Aᵀ (exact: the gradient is linear)."""
    v, tv = both([1.0, -0.5, 2.0])
    a, ta = both(A, requires_grad=False)
    (g,) = tg.autograd.grad(v @ a @ v, v)
    close(g, (ta + ta.T) @ tv)
    H = hessian(lambda v: v @ a @ v, v)
    close(H, torch.autograd.functional.hessian(lambda v: v @ ta @ v, tv), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("dtype,tol", [("float64", 1e-7), ("float32", 2e-3)])
def test_hessian_of_a_nonlinear_function_of_two_inputs_matches_torch(dtype, tol):
    (x, tx), (y, ty) = both([0.3, -0.8, 1.1], dtype=dtype), both([[0.5, 0.2], [-0.4, 0.9]], dtype=dtype)

    def f(x, y):
        return (tg.sin(x) * x).sum() * tg.tanh(y).sum() + (x[:2] @ y).sum() ** 2

    def tf(x, y):
        return (torch.sin(x) * x).sum() * torch.tanh(y).sum() + (x[:2] @ y).sum() ** 2

    ours, theirs = hessian(f, (x, y)), torch.autograd.functional.hessian(tf, (tx, ty))
    for i in range(2):
        for j in range(2):
            assert ours[i][j].dtype == np.dtype(dtype)
            assert tuple(ours[i][j].shape) == tuple(theirs[i][j].shape)
            close(ours[i][j], theirs[i][j], rtol=tol, atol=tol)


def test_vjp_jvp_hvp_vhp_match_torch():
    from tensorgate.autograd import functional as AF
    TF = torch.autograd.functional
    (x, tx), (y, ty) = both([0.3, -0.8, 1.1]), both([[0.5, 0.2], [-0.4, 0.9], [0.1, 0.3]])

    def f(x, y):
        return tg.tanh(x @ y), (x * x).sum()

    def tf(x, y):
        return torch.tanh(x @ y), (x * x).sum()

    v_out = (np.array([1.0, -2.0]), np.array(0.5))
    ours = AF.vjp(f, (x, y), tuple(tg.tensor(a, dtype="float64") for a in v_out))
    theirs = TF.vjp(tf, (tx, ty), tuple(torch.tensor(a) for a in v_out))
    for o, t in zip(ours[1], theirs[1]):
        close(o, t)
    v_in = (np.array([1.0, 0.0, -1.0]), np.ones((3, 2)))
    ours = AF.jvp(f, (x, y), tuple(tg.tensor(a, dtype="float64") for a in v_in))
    theirs = TF.jvp(tf, (tx, ty), tuple(torch.tensor(a) for a in v_in))
    for o, t in zip(ours[0] + ours[1], theirs[0] + theirs[1]):
        close(o, t)

    def g(x, y):
        return (tg.sin(x) @ y).sum() ** 2

    def tg_(x, y):
        return (torch.sin(x) @ y).sum() ** 2

    for ours_fn, theirs_fn in ((AF.hvp, TF.hvp), (AF.vhp, TF.vhp)):
        ours = ours_fn(g, (x, y), tuple(tg.tensor(a, dtype="float64") for a in v_in))
        theirs = theirs_fn(tg_, (tx, ty), tuple(torch.tensor(a) for a in v_in))
        close(ours[0], theirs[0])
        for o, t in zip(ours[1], theirs[1]):
            close(o, t, rtol=1e-7, atol=1e-8)
