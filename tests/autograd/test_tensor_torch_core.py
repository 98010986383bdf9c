"""The Tensor's PyTorch behaviour beyond the conformance suite: the new gates against finite differences in
float64, the in-place rules and version errors, .grad as a view over the gradient array, hashing, NumPy
interop, devices and threads."""
import numpy as np
import pytest

import tensorgate as tg
from tensorgate.functional import reduction, shape

RNG = np.random.default_rng(3)


def t64(*shape, positive=False):
    a = RNG.uniform(0.5, 2.0, shape) if positive else RNG.standard_normal(shape)
    return tg.tensor(a, dtype="float64", requires_grad=True)


@pytest.mark.parametrize("fn", [
    lambda x: x.prod(), lambda x: x.prod(1), lambda x: x.prod(dim=0, keepdim=True),
    lambda x: x.cumsum(0), lambda x: x.cumsum(1), lambda x: x.logsumexp(1), lambda x: x.expand(2, 3, 4),
    lambda x: x.repeat(2, 3), lambda x: x.sort(1).values, lambda x: x.topk(2, dim=0).values,
    lambda x: x.median(1).values, lambda x: x.max(1).values, lambda x: x.gather(1, tg.tensor([[0, 0], [3, 1], [2, 2]])),
    lambda x: x.scatter(1, tg.tensor([[1], [0], [3]]), x[:, :1] * 3),
    lambda x: x.scatter_add(0, tg.tensor([[0, 1, 0, 2], [0, 0, 0, 0]]), x[:2]),
    lambda x: tg.einsum("ij,kj->ik", x, x), lambda x: tg.einsum("ij->j", x), lambda x: x.index_select(1, tg.tensor([3, 0, 3])),
    lambda x: x.masked_fill(x > 0, 0.0), lambda x: tg.where(x > 0, x, x * 2), lambda x: x.unflatten(1, (2, 2)),
    lambda x: x.norm(dim=1), lambda x: x.norm(),
], ids=lambda f: "")
def test_new_gradients_pass_gradcheck(fn):
    assert tg.gradcheck(fn, t64(3, 4))


def test_prod_gradient_with_zeros_is_the_product_of_the_others():
    x = tg.tensor([[0.0, 2.0, 3.0], [0.0, 0.0, 5.0]], dtype="float64", requires_grad=True)
    x.prod(1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[6, 0, 0], [0, 0, 0]])   # ∂(abc)/∂a = bc


def test_gates_are_named_and_integer_cumsum_needs_no_float():
    assert reduction.ProdGate.name == "prod" and shape.ScatterGate.name == "scatter"
    assert tg.tensor([1, 2, 3]).cumsum(0).tolist() == [1, 3, 6]


def test_grad_is_a_tensor_view_of_the_gradient_array():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    g = w.grad
    assert isinstance(g, tg.Tensor) and g is w.grad and not g.requires_grad
    assert g.data is w._grad                   # shared, not copied: the optimisers read the array
    g.zero_()
    assert w._grad.tolist() == [0.0, 0.0]
    w.grad = None
    assert w.grad is None
    w.grad = tg.ones(2)
    assert w._grad.tolist() == [1.0, 1.0]
    with pytest.raises(RuntimeError, match="shape"):
        w.grad = tg.ones(3)


def test_manual_update_under_no_grad_changes_the_parameter_itself():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    data = w.data
    (w * w).sum().backward()
    with tg.no_grad():
        w -= 0.5 * w.grad
    assert w.data is data and w.data.tolist() == [0.0, 0.0] and w._version == 1


def test_inplace_refusals():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        w += 1
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        w[0] = 3.0
    h = w * 2
    with pytest.raises(RuntimeError, match="output of the mul gate"):
        h.add_(1)
    x = tg.tensor([3.0, 4.0])
    y = (w * x).sum()
    x.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation: input 1 of the mul gate"):
        y.backward()


def test_inplace_writes_reach_shared_memory():
    a = np.zeros((2, 3), np.float32)
    t = tg.from_numpy(a)
    t[:, 0] = tg.tensor([1.0, 2.0])
    t[t > 1.5] = -1.0
    assert a[:, 0].tolist() == [1.0, -1.0]
    c = tg.tensor(a)
    a[0, 0] = 9.0
    assert c[0, 0].item() == 1.0               # tg.tensor copies, as torch.tensor


def test_tensors_hash_by_identity_and_optimiser_state_works():
    a, b = tg.ones(2, requires_grad=True), tg.ones(2, requires_grad=True)
    assert len({a: 1, b: 2}) == 2 and (a == b).all().item()
    opt = tg.optim.Adam([a, b], lr=0.1)
    (a * b).sum().backward()
    opt.step()
    assert set(map(id, opt.state)) == {id(a), id(b)}


def test_numpy_ufuncs_keep_the_graph_or_refuse():
    x = tg.tensor([0.5, 1.0], dtype="float64", requires_grad=True)
    y = np.exp(x) * np.float64(2.0)
    assert isinstance(y, tg.Tensor) and y.requires_grad
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp([0.5, 1.0]))
    x.grad = None
    np.sin(x).sum().backward()                       # the sin gate: ∂ sin x/∂x = cos x
    np.testing.assert_allclose(x.grad.numpy(), np.cos([0.5, 1.0]))
    with pytest.raises(TypeError, match="np.arcsinh .*no arcsinh gate"):   # no gate: an error saying so
        np.arcsinh(x)
    with pytest.raises(TypeError, match="use tg.mean"):
        np.mean(x)
    plain = tg.tensor([1.0, 2.0])
    assert np.asarray(plain) is plain.data and np.mean(plain) == 1.5
    assert isinstance(np.sqrt(plain), tg.Tensor)


def test_size_is_a_method_and_Size_a_tuple():
    x = tg.zeros(2, 3)
    assert x.size() == (2, 3) and x.size(1) == 3 and x.numel() == 6 and repr(x.size()) == "tg.Size([2, 3])"
    with pytest.raises(IndexError, match="dim 2 is out of range"):
        x.size(2)


def test_devices_are_honest():
    assert tg.zeros(1).device == tg.device("cpu") and str(tg.zeros(1).device) == "cpu"
    # as torch.device: never equal to a string (torch.device("cpu") == "cpu" is False)
    assert tg.device("cpu") != "cpu" and not tg.device("cuda") == "cuda" and tg.zeros(1).device.type == "cpu"
    if tg.cuda.is_available():
        return
    for call in (lambda: tg.zeros(1).to("cuda:0"), lambda: tg.zeros(1).cuda(), lambda: tg.tensor([1.0], device="cuda")):
        with pytest.raises(RuntimeError, match="the 'cuda' device needs CuPy|sees no NVIDIA GPU"):
            call()


def test_set_num_threads_limits_blas():
    before = tg.get_num_threads()
    try:
        tg.set_num_threads(1)
        assert tg.get_num_threads() == 1
    finally:
        tg.set_num_threads(before)
    with pytest.raises(ValueError, match="positive integer"):
        tg.set_num_threads(0)


def test_inference_mode_as_context_and_decorator():
    x = tg.ones(2, requires_grad=True)
    with tg.inference_mode():
        assert not (x * 2).requires_grad
    assert tg.inference_mode()(lambda: (x * 2).requires_grad)() is False
    with tg.inference_mode(False):
        assert (x * 2).requires_grad
