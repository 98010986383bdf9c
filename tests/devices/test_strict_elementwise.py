"""Arithmetic, elementwise, activation, reduction and einsum gates on the stand-in device equal the CPU's.

One test id per gate or public function of functional/arithmetic.py, elementwise.py, activation.py,
activation_extra.py, reduction.py, torch_reductions.py and einsum.py: values and gradients on array_api_strict
equal those on the CPU (which the rest of the suite checks against PyTorch).
"""
import numpy as np
import pytest

import tensorgate as tg
import tensorgate.nn.functional as F

from .parity import STRICT, check

# pow at a zero base computes 0⁻¹ and ln 0 before PyTorch's conventions replace them, on every device
pytestmark = pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning",
                                        "ignore:invalid value:RuntimeWarning")

RNG = np.random.default_rng(21)


def _runs(fn):
    try:
        fn()
    except Exception:
        return False
    return True


# A few functions here also apply gates of other files (reshape, gather, Tensor.all); until those run on the
# stand-in device, their cases are skipped, naming the gate that is missing
_RESHAPE = _runs(lambda: tg.ones(2, 2, device=STRICT).reshape(4))
_GATHER = _runs(lambda: tg.gather(tg.ones(2, 2, device=STRICT), 1, tg.zeros(2, 1, dtype=tg.int64, device=STRICT)))
_LOGIC = _runs(lambda: tg.ones(2, device=STRICT).bool().all())


def _needs(ok, what):
    return pytest.mark.skipif(not ok, reason=f"{what} does not run on array_api_strict yet")


_NEEDS_RESHAPE = _needs(_RESHAPE, "shape.py's ReshapeGate")
_NEEDS_GATHER = _needs(_GATHER and _RESHAPE, "torch_indexing.gather (shape.py's GetItemGate) or ReshapeGate")
_NEEDS_LOGIC = _needs(_LOGIC, "tensor_logic's Tensor.all/any")
NEEDS = {"matmul_vector": _NEEDS_RESHAPE, "logsumexp": _NEEDS_RESHAPE, "logsumexp_minus_inf": _NEEDS_RESHAPE,
         "all": _NEEDS_LOGIC, "any": _NEEDS_LOGIC}


def names(cases, needs=NEEDS):
    """The cases' names as test ids, each skipped while a gate it needs from another file is not ported."""
    return [pytest.param(name, marks=needs[name]) if name in needs else name for name in cases]


def normal(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def positive(*shape, dtype=np.float32):
    return RNG.uniform(0.5, 2.0, shape).astype(dtype)


def distinct(*shape, dtype=np.float32):
    """Values without ties (the gradient of max, sort, median goes to one element)."""
    return (RNG.permutation(int(np.prod(shape))).reshape(shape) * 0.25 - 1.0).astype(dtype)


A, B, ROW = normal(3, 4), normal(3, 4), normal(1, 4)
P = positive(3, 4)

#: name -> (function, its arguments); arrays become tensors on each device
ELEMENTWISE = {
    # arithmetic.py (AddGate, SubGate, MulGate, ReciprocalGate via div, NegGate, PowGate, MatMulGate, ...)
    "add": (tg.add, A, ROW),
    "add_number": (lambda a: a + 2.0, A),
    "sub": (tg.sub, A, ROW),
    "mul": (tg.mul, A, ROW),
    "mul_number": (lambda a: 3.0 * a, A),
    "reciprocal": (tg.reciprocal, P),
    "div": (tg.div, A, P),
    "div_number": (lambda a: 1.0 / a, P),
    "div_by_number": (lambda a: a / 4.0 + tg.div(a, 3), A),
    "neg": (tg.neg, A),
    "pow_number": (lambda a: a ** 3.0, A),
    "pow_tensor": (tg.pow, P, A),
    "pow_zero_exponent": (tg.pow, A, np.array([0.0, 1.0, 2.0, 0.0], np.float32)),
    "pow_zero_base": (tg.pow, np.array([0.0, 1.5, 0.0, 2.0], np.float32), np.array([2.0, 1.0, 0.0, 3.0], np.float32)),
    "matmul": (tg.matmul, normal(3, 5), normal(5, 2)),
    "matmul_batched": (tg.matmul, normal(2, 3, 5), normal(5, 4)),
    "matmul_vector": (tg.matmul, normal(5), normal(5, 3)),
    "mm": (tg.mm, normal(3, 5), normal(5, 2)),
    "exp": (tg.exp, A),
    "log": (tg.log, P),
    "sqrt": (tg.sqrt, P),
    "abs": (tg.abs, A),
    "maximum": (tg.maximum, A, ROW),
    "maximum_ties": (tg.maximum, np.array([1.0, 2.0, 3.0], np.float32), np.array([1.0, 0.0, 3.0], np.float32)),
    "minimum": (tg.minimum, A, ROW),
    "minimum_ties": (tg.minimum, np.array([1.0, 2.0, 3.0], np.float32), np.array([1.0, 0.0, 3.0], np.float32)),
    "clip": (lambda a: tg.clip(a, -0.5, 0.5), A),
    "clip_below": (lambda a: tg.clamp(a, min=0.0), A),
    "clip_numpy_bound": (lambda a: tg.clip(a, max=np.float64(0.3)), A),
    "where": (lambda a, b: tg.where(a > 0, a, b), A, B),
    "where_number": (lambda a: tg.where(a > 0, a, 0.0), A),
    "where_numpy_mask": (lambda a, b: tg.where(A > 0, a, b), A, B),
    "where_bool": (lambda a, b: tg.where(True, a, b) + tg.where(a > 0, 1.0, b), A, B),
    "cast": (lambda a: tg.functional.cast(a, tg.float64) * 2.0, A),
    "clone": (lambda a: tg.clone(a) * 2.0, A),
    "float64": (lambda a, b: a * b + a / (b * b + 1.0), normal(3, 4, dtype=np.float64), normal(4, dtype=np.float64)),
    # elementwise.py
    "sin": (tg.sin, A),
    "cos": (tg.cos, A),
    "tan": (tg.tan, A),
    "sign": (tg.sign, A),
    "floor": (tg.floor, A * 3),
    "ceil": (tg.ceil, A * 3),
    "round": (tg.round, np.array([0.5, 1.5, 2.5, -0.5, 1.26, -2.7], np.float32)),
    "round_decimals": (lambda a: tg.round(a, decimals=1), A * 10),
    "round_negative_decimals": (lambda a: tg.round(a, decimals=-1), A * 100),
    "log1p": (tg.log1p, P),
    "expm1": (tg.expm1, A),
    "rsqrt": (tg.rsqrt, P),
    # torch_math.py: erf is a gate; tril, flip, roll and the others are built from gates checked above
    "erf": (tg.erf, A),
    "tril": (lambda a: tg.tril(a, 1), A),
    "flip_roll": (lambda a: tg.roll(tg.flip(a, 0), 1, 0), A),
    "nan_to_num": (lambda a: tg.nan_to_num(tg.log(a)), A),
    "diag": (lambda a: tg.diag(a.reshape(-1)[:3]) * 2.0, A),
    # activation.py
    "sigmoid": (tg.sigmoid, A * 5),
    "tanh": (tg.tanh, A),
    "relu": (tg.relu, A),
    "leaky_relu": (lambda a: F.leaky_relu(a, 0.2), A),
    "gelu": (F.gelu, A),
    "hardtanh": (lambda a: F.hardtanh(a, -0.5, 0.5), A),
    "step": (lambda a: tg.functional.step(a) * a, A),
    "softmax": (lambda a: tg.softmax(a, dim=1), A),
    "softmax_axis0": (lambda a: tg.softmax(a, axis=0), A),
    "log_softmax": (lambda a: tg.log_softmax(a, dim=-1), A),
    "log_softmax_float64": (lambda a: tg.log_softmax(a, dim=0), normal(4, 3, dtype=np.float64)),
    # activation_extra.py
    "softplus": (lambda a: F.softplus(a, beta=2.0, threshold=3.0), A * 3),
    "silu": (F.silu, A),
    "elu": (lambda a: F.elu(a, alpha=0.5), A),
    "selu": (F.selu, A),
    "mish": (F.mish, A),
    "logsigmoid": (F.logsigmoid, A * 5),
    "softplus_float64": (F.softplus, normal(3, 4, dtype=np.float64) * 10),
}

REDUCTIONS = {
    # reduction.py (SumGate, MeanGate, MaxGate, MinGate, ProdGate, CumsumGate, NormGate)
    "sum": (tg.sum, A),
    "sum_axis": (lambda a: tg.sum(a, dim=0), A),
    "sum_keepdims": (lambda a: tg.sum(a, axis=(0, 2), keepdims=True), normal(2, 3, 4)),
    "sum_scalar": (tg.sum, np.array(3.0, np.float32)),
    "mean": (tg.mean, A),
    "mean_axis": (lambda a: tg.mean(a, dim=1, keepdim=True), A),
    "var": (lambda a: tg.var(a, dim=1), A),
    "std": (lambda a: tg.std(a), A),
    "max_all": (lambda a: tg.max(a), A),
    "max_ties": (lambda a: tg.max(a), np.array([[1.0, 3.0], [3.0, 2.0]], np.float32)),
    "min_all": (lambda a: tg.min(a), A),
    "amax": (lambda a: tg.amax(a, dim=1), A),
    "amax_keepdim": (lambda a: tg.amax(a, dim=(0, 1), keepdim=True), A),
    "amin": (lambda a: tg.amin(a, dim=0), A),
    "prod": (lambda a: tg.prod(a), P),
    "prod_dim": (lambda a: tg.prod(a, 1), np.array([[1.0, 0.0, 2.0], [3.0, 4.0, 0.5]], np.float32)),
    "prod_dim_keepdim": (lambda a: tg.prod(a, 0, keepdim=True), normal(3, 2, 2)),
    "cumsum": (lambda a: tg.cumsum(a, 1), A),
    "cumsum_dim0": (lambda a: tg.cumsum(a, 0), normal(3, 2, 2, dtype=np.float64)),
    "norm": (lambda a: tg.norm(a), A),
    "norm_dim": (lambda a: tg.norm(a, dim=1), np.array([[0.0, 0.0], [3.0, 4.0]], np.float32)),
    "norm_1": (lambda a: tg.norm(a, 1, dim=0), A),
    "norm_inf": (lambda a: tg.norm(a, float("inf")), A),
    "logsumexp": (lambda a: tg.logsumexp(a, 1), A),
    "logsumexp_keepdim": (lambda a: tg.logsumexp(a, (0, 1), keepdim=True), A * 50),
    "logsumexp_minus_inf": (lambda a: tg.logsumexp(a, 1), np.array([[-np.inf, -np.inf], [0.0, 1.0]], np.float32)),
}

#: torch_reductions.py's functions that select (values gathered, indices returned)
SELECTIONS = {
    "max_dim": (lambda a: tg.max(a, 1), distinct(3, 4)),
    "max_dim_keepdim": (lambda a: tg.max(a, dim=0, keepdim=True), distinct(3, 4)),
    "min_dim": (lambda a: tg.min(a, axis=1), distinct(3, 4)),
    "max_tensor": (lambda a, b: tg.max(a, b), A, B),
    "min_tensor": (lambda a, b: tg.min(a, b), A, B),
    "sort": (lambda a: tg.sort(a, 1), distinct(3, 4)),
    "sort_descending": (lambda a: tg.sort(a, 0, descending=True), distinct(3, 4)),
    "topk": (lambda a: tg.topk(a, 2), distinct(3, 5)),
    "topk_smallest": (lambda a: tg.topk(a, 2, dim=0, largest=False), distinct(3, 5)),
    "median": (lambda a: tg.median(a), distinct(3, 5)),
    "median_dim": (lambda a: tg.median(a, 1), distinct(3, 4)),
    "max_scalar": (lambda a: tg.max(a, 0), np.array(2.0, np.float32)),
}


def _run(cases, name):
    fn, *arrays = cases[name]
    check(fn, *arrays)


@pytest.mark.parametrize("name", names(ELEMENTWISE))
def test_elementwise_gate_matches_on_the_stand_in_device(name):
    _run(ELEMENTWISE, name)


@pytest.mark.parametrize("name", names(REDUCTIONS))
def test_reduction_matches_on_the_stand_in_device(name):
    _run(REDUCTIONS, name)


@pytest.mark.parametrize("name", names(SELECTIONS, {n: _NEEDS_GATHER for n in SELECTIONS if "tensor" not in n}))
def test_selection_values_and_indices_match_on_the_stand_in_device(name):
    fn, *arrays = SELECTIONS[name]
    check(fn, *arrays)                                      # the values and their gradients
    for index in (1, -1):                                   # the indices too (where the result has them)
        def pick(*ts, index=index):
            out = fn(*ts)
            return out[index] if isinstance(out, tuple) else out.detach()
        check(pick, *arrays, grad=False)


INDICES = {
    "argmax": (lambda a: tg.argmax(a), distinct(3, 4)),
    "argmax_dim": (lambda a: tg.argmax(a, dim=1, keepdim=True), distinct(3, 4)),
    "argmin": (lambda a: tg.argmin(a, keepdim=True), distinct(3, 4)),
    "argmin_dim": (lambda a: tg.argmin(a, 0), distinct(3, 4)),
    "argsort": (lambda a: tg.argsort(a, 1), np.array([[2.0, 1.0, 2.0, 0.0], [1.0, 1.0, 1.0, 3.0]], np.float32)),
    "argsort_descending": (lambda a: tg.argsort(a, 1, descending=True),
                           np.array([[2.0, 1.0, 2.0, 0.0], [1.0, 1.0, 1.0, 3.0]], np.float32)),
    "argsort_scalar": (lambda a: tg.argsort(a), np.array(1.0, np.float32)),
    "prod_int": (lambda a: tg.prod(a, 1), np.array([[1, 2, 3], [4, 5, -6]], np.int32)),
    "prod_bool": (lambda a: tg.prod(a), np.array([True, False])),
    "cumsum_int": (lambda a: tg.cumsum(a, 0), np.array([[1, 2], [3, 4]], np.int32)),
    "cumsum_bool": (lambda a: tg.cumsum(a, 0), np.array([True, False, True])),
    "sum_int": (lambda a: tg.sum(a, 0), np.array([[1, 2], [3, 4]], np.int64)),
    "sum_bool": (lambda a: tg.sum(a), np.array([True, False, True])),
    "floor_int": (tg.floor, np.array([1, -2, 3], np.int64)),
    "round_int": (lambda a: tg.round(a, decimals=-1), np.array([14, 15, 25, -16], np.int64)),
    "sign_int": (tg.sign, np.array([1, -2, 0], np.int64)),
    "cast_to_int": (lambda a: tg.functional.cast(a, tg.int64), A * 3),
    "clone_int": (tg.clone, np.array([1, 2], np.int64)),
    "all": (lambda a: tg.all(a, 1), np.array([[True, False], [True, True]])),
    "any": (lambda a: tg.any(a), np.array([[False, False], [True, False]])),
}


@pytest.mark.parametrize("name", names(INDICES))
def test_indices_and_integer_results_match_on_the_stand_in_device(name):
    fn, *arrays = INDICES[name]
    check(fn, *arrays, grad=False)


EINSUM = {
    "matmul": ("ij,jk->ik", normal(3, 4), normal(4, 2)),
    "batched": ("bij,bjk->bik", normal(2, 3, 4), normal(2, 4, 5)),
    "implicit_output": ("ij,jk", normal(3, 4), normal(4, 2)),
    "summed_axis": ("ijk->j", normal(2, 3, 4)),
    "outer": ("i,j->ij", normal(3), normal(4)),
    "three_operands": ("ij,jk,kl->li", normal(2, 3), normal(3, 4), normal(4, 2)),
    "axis_only_in_one": ("ij,k->ik", normal(2, 3), normal(4)),
    "scalar": ("ij,ij->", normal(2, 3), normal(2, 3)),
    "float64": ("ij,kj->ki", normal(3, 4, dtype=np.float64), normal(2, 4, dtype=np.float64)),
}


@pytest.mark.parametrize("name", EINSUM)
def test_einsum_matches_on_the_stand_in_device(name):
    equation, *arrays = EINSUM[name]
    check(lambda *ts: tg.einsum(equation, *ts), *arrays)


def test_parse_equation_needs_no_device():
    from tensorgate.functional.einsum import parse_equation

    assert parse_equation("ij,jk", 2) == (["ij", "jk"], "ik")


def test_zero_size_softmax_and_reductions_keep_the_device():
    x = tg.zeros(0, 3, device=STRICT, requires_grad=True)
    for out in (tg.softmax(x, dim=0), tg.log_softmax(x, dim=0), tg.sum(x, 0), tg.prod(x, 0)):
        assert out.device == tg.device(STRICT)
        out.sum().backward()
        assert x.grad.device == tg.device(STRICT) and x.grad.shape == (0, 3)
