"""The elementwise and smooth-activation gates of issue 17 against PyTorch (values, gradients, dtypes) in
float32 and float64, and against central finite differences (gradcheck) in float64."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import tensorgate as tg
import tensorgate.nn.functional as F

POSITIVE = lambda a: np.abs(a) + 0.5  # noqa: E731
ABOVE_MINUS_ONE = lambda a: np.abs(a) - 0.5  # noqa: E731
SMALL = lambda a: a * 0.6  # noqa: E731  (tan away from its poles)
# Rounding functions: keep values away from the jumps, where finite differences are meaningless
OFF_JUMPS = lambda a: np.floor(a * 4) / 4 + 0.1  # noqa: E731

# (name, tensorgate function, torch function, domain transform, smooth: finite differences apply)
CASES = [
    ("sin", tg.sin, torch.sin, None, True),
    ("cos", tg.cos, torch.cos, None, True),
    ("tan", tg.tan, torch.tan, SMALL, True),
    ("sign", tg.sign, torch.sign, None, False),
    ("floor", tg.floor, torch.floor, OFF_JUMPS, True),
    ("ceil", tg.ceil, torch.ceil, OFF_JUMPS, True),
    ("round", tg.round, torch.round, OFF_JUMPS, True),
    ("round2", lambda a: tg.round(a, decimals=2), lambda a: torch.round(a, decimals=2), None, False),
    ("log1p", tg.log1p, torch.log1p, ABOVE_MINUS_ONE, True),
    ("expm1", tg.expm1, torch.expm1, None, True),
    ("rsqrt", tg.rsqrt, torch.rsqrt, POSITIVE, True),
    ("softplus", F.softplus, TF.softplus, None, True),
    ("softplus_beta", lambda a: F.softplus(a, beta=2.0, threshold=1.0),
     lambda a: TF.softplus(a, beta=2.0, threshold=1.0), None, False),   # the threshold jump breaks FD
    ("silu", F.silu, TF.silu, None, True),
    ("elu", F.elu, TF.elu, None, True),
    ("elu_alpha", lambda a: F.elu(a, alpha=0.5), lambda a: TF.elu(a, alpha=0.5), None, True),
    ("selu", tg.selu, torch.selu, None, True),
    ("mish", F.mish, TF.mish, None, True),
    ("logsigmoid", F.logsigmoid, TF.logsigmoid, None, True),
    ("pow_tensor_exponent", lambda a: tg.pow(a.abs() + 0.5, a), lambda a: torch.pow(a.abs() + 0.5, a), None, True),
    ("rpow", lambda a: 2.0 ** a, lambda a: 2.0 ** a, None, True),
]
IDS = [c[0] for c in CASES]


def _inputs(dtype, transform, shape=(4, 5), seed=0):
    a = np.random.default_rng(seed).standard_normal(shape) * 3
    if transform is not None:
        a = transform(a)
    a = a.astype(dtype)
    return tg.tensor(a, requires_grad=True, dtype=dtype), torch.tensor(a, requires_grad=True)


def _tol(dtype):
    return dict(rtol=2e-5, atol=2e-6) if dtype == "float32" else dict(rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,fn,tfn,transform,smooth", CASES, ids=IDS)
def test_gate_matches_torch(name, fn, tfn, transform, smooth, dtype):
    x, tx = _inputs(dtype, transform)
    y, ty = fn(x), tfn(tx)
    assert y.dtype == np.dtype(dtype), f"{name}: a {dtype} input must give a {dtype} output"
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), **_tol(dtype))
    upstream = np.random.default_rng(1).standard_normal(y.shape).astype(dtype)
    y.backward(upstream)
    ty.backward(torch.tensor(upstream))
    grad = np.asarray(x.grad)
    assert grad.dtype == np.dtype(dtype)
    np.testing.assert_allclose(grad, tx.grad.numpy(), **_tol(dtype))


@pytest.mark.parametrize("name,fn,tfn,transform,smooth", [c for c in CASES if c[4]], ids=[c[0] for c in CASES if c[4]])
def test_gate_matches_finite_differences(name, fn, tfn, transform, smooth):
    x, _ = _inputs("float64", transform, shape=(3, 4), seed=2)
    assert tg.gradcheck(fn, x)


def test_large_inputs_do_not_overflow():
    big = tg.tensor([-1000.0, -50.0, 0.0, 50.0, 1000.0], requires_grad=True)
    tbig = torch.tensor([-1000.0, -50.0, 0.0, 50.0, 1000.0], requires_grad=True)
    for fn, tfn in [(F.softplus, TF.softplus), (F.silu, TF.silu), (F.elu, TF.elu), (tg.selu, torch.selu),
                    (F.mish, TF.mish), (F.logsigmoid, TF.logsigmoid)]:
        big.grad = None
        tbig.grad = None
        y, ty = fn(big), tfn(tbig)
        y.sum().backward()
        ty.sum().backward()
        np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=1e-6)
        np.testing.assert_allclose(np.asarray(big.grad), tbig.grad.numpy(), rtol=1e-6, atol=1e-30)


def test_rounding_keeps_integer_dtype():
    x = tg.tensor([-2, 0, 3])
    assert tg.sign(x).tolist() == [-1, 0, 1] and tg.sign(x).dtype == np.int64
    assert tg.floor(x).tolist() == [-2, 0, 3]


def test_round_half_to_even_as_torch():
    values = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5]
    assert tg.round(tg.tensor(values)).tolist() == torch.round(torch.tensor(values)).tolist()


def test_tensor_methods_and_top_level_names():
    x = tg.tensor([0.3, 1.2], requires_grad=True)
    for name in ("sin", "cos", "tan", "sign", "floor", "ceil", "round", "log1p", "expm1", "rsqrt"):
        np.testing.assert_allclose(getattr(x, name)().numpy(), getattr(torch.tensor([0.3, 1.2]), name)().numpy(),
                                   rtol=1e-6)
        assert getattr(tg, name) is getattr(tg.functional, name)


def test_chain_rule_exercise_through_sin_keeps_the_graph():
    """The issue's chain-rule exercise: d/dx sin(x²) at x = 1.1 is 2x·cos(x²)."""
    x = tg.tensor(1.1, requires_grad=True, dtype="float64")
    tg.sin(x * x).backward()
    assert abs(float(x.grad) - 2 * 1.1 * np.cos(1.21)) < 1e-12


def test_inplace_activation_is_a_clear_error():
    with pytest.raises(NotImplementedError, match="inplace"):
        F.silu(tg.zeros(2), inplace=True)


def test_pow_with_zero_bases_and_exponents_has_torch_gradients():
    a, b = np.array([0.0, 0.0, 2.0, 0.0, 3.0]), np.array([0.0, 2.0, 0.5, 1.0, 0.0])
    x, y = tg.tensor(a, requires_grad=True, dtype="float64"), tg.tensor(b, requires_grad=True, dtype="float64")
    tx, ty = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    (x ** y).sum().backward()
    (tx ** ty).sum().backward()
    np.testing.assert_array_equal(np.asarray(x.grad), tx.grad.numpy())
    np.testing.assert_array_equal(np.asarray(y.grad), ty.grad.numpy())
