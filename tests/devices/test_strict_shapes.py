"""Group B on the stand-in device: shapes, views, indexing, selections, logic, in-place writes, embedding,
gradcheck. Every public function of those files runs on the CPU and on array_api_strict (``parity.check``:
same values, same gradients, results on the device), and the index forms the standard forbids raise a
clear error there.
"""
import numpy as np
import pytest

import tensorgate as tg
import tensorgate.functional as F
from tensorgate.autograd import GradcheckError
from tensorgate.autograd.gate import Gate
from tensorgate.functional.embedding import embedding

from .parity import STRICT, check

rng = np.random.default_rng(0)
A = rng.standard_normal((3, 4)).astype(np.float32)
B3 = rng.standard_normal((2, 3, 4)).astype(np.float32)
C = rng.standard_normal((3, 4)).astype(np.float32)
A64 = rng.standard_normal((3, 4))
IDX = np.array([[0, 2, 1, 2], [1, 0, 0, 2]])          # gather/scatter along dim 0 of a (3, 4)
IDX1 = np.array([[3, 0], [1, 1], [2, 3]])             # along dim 1
ROWS = np.array([2, 0, 2])
MASK = A > 0
TABLE = rng.standard_normal((5, 3)).astype(np.float32)
IDS = np.array([[1, 4, 1], [0, 2, 1]])


# ---------------------------------------------------------------- every gate and public function, with gradients
GRADIENTS = {
    # shape.py's gates, through their functions and Tensor's methods
    "reshape": (lambda x: F.reshape(x, (4, 3)), A),
    "reshape_minus_one": (lambda x: x.reshape(2, -1), A),
    "view": (lambda x: x.view(12), A),
    "view_as": (lambda x, y: x.view_as(y), A, np.zeros((2, 6), np.float32)),
    "reshape_as": (lambda x: x.reshape_as(tg.zeros(6, 2)), A),
    "unsqueeze": (lambda x: F.unsqueeze(x, 1), A),
    "squeeze": (lambda x: F.squeeze(x.reshape(3, 1, 4)), A),
    "squeeze_dim": (lambda x: x.reshape(1, 3, 4).squeeze(0), A),
    "T": (lambda x: x.T, A),
    "t": (lambda x: F.t(x), A),
    "transpose_two_axes": (lambda x: F.transpose(x, 0, 2), B3),
    "transpose_reversed": (lambda x: x.transpose(), B3),
    "transpose_tuple": (lambda x: x.transpose((1, 2, 0)), B3),
    "permute": (lambda x: F.permute(x, 2, 0, 1), B3),
    "permute_negative": (lambda x: x.permute(-1, 0, 1), B3),
    "cat": (lambda x, y: F.cat([x, y, x], dim=1), A, C),
    "cat_negative_axis": (lambda x, y: F.concatenate([x, y], axis=-2), A, C),
    "stack": (lambda x, y: F.stack([x, y], dim=1), A, C),
    "stack_last": (lambda x, y: F.stack([x, y], axis=-1), A, C),
    "expand": (lambda x: x[:, :1].expand(3, 5), A),
    "expand_new_axis": (lambda x: F.expand(x, 2, 3, 4), A),
    "expand_as": (lambda x, y: F.expand_as(x[:1], y), A, C),
    "repeat": (lambda x: F.repeat(x, 2, 1, 2), A),
    "split_size": (lambda x: F.split(x, 3, dim=1)[1], A),
    "split_sections": (lambda x: x.split([1, 3], 1)[1] * 2, A),
    "chunk": (lambda x: F.chunk(x, 2, dim=0)[0], A),
    "unbind": (lambda x: F.unbind(x, 1)[2], A),
    "flatten": (lambda x: F.flatten(x, 1), B3),
    "flatten_all": (lambda x: x.flatten(), B3),
    "unflatten": (lambda x: F.unflatten(x, 1, (2, 2)), A),
    "to_float64": (lambda x: F.to(x, tg.float64), A),
    "cast": (lambda x: F.cast(x, "float64"), A),
    "double": (lambda x: x.double(), A),
    "float": (lambda x: x.float(), A64),
    "type_as": (lambda x, y: x.type_as(y), A, A64),
    "clone": (lambda x: F.clone(x) * 1.0, A),
    "float64_reshape": (lambda x: x.reshape(4, 3).T, A64),
    # indexing: ints, slices, negatives, ..., None, integer arrays and masks (backward scatters back)
    "getitem_int": (lambda x: x[1], A),
    "getitem_negative_int": (lambda x: x[-1], A),
    "getitem_pair": (lambda x: x[1, 2], A),
    "getitem_slice": (lambda x: x[1:], A),
    "getitem_step_slice": (lambda x: x[::-2, 1::2], A),
    "getitem_column": (lambda x: x[:, 1], A),
    "getitem_ellipsis": (lambda x: x[..., 2], B3),
    "getitem_none": (lambda x: x[None, 1:, None], A),
    "getitem_integer_arrays": (lambda x, i, j: x[i, j], A, ROWS, np.array([3, 3, 0])),
    "getitem_integer_arrays_broadcast": (lambda x, i, j: x[i, j], A, ROWS.reshape(3, 1), np.array([[0, 1, 3]])),
    "getitem_int_and_array": (lambda x, j: x[1, j], A, np.array([0, 0, -1])),
    "getitem_rows": (lambda x, i: x[i], A, ROWS),                      # repeats accumulate in backward
    "getitem_rows_2d_index": (lambda x, i: x[i], A, IDS % 3),
    "getitem_columns": (lambda x, j: x[:, j], A, np.array([3, 1, 3])),
    "getitem_array_among_slices": (lambda x, j: x[:1, j, 1:], B3, np.array([2, -1])),
    "getitem_array_then_ellipsis": (lambda x, i: x[i, ...], B3, np.array([1, 1])),
    "getitem_list": (lambda x: x[[0, 2, 2]], A),
    "getitem_numpy_index": (lambda x: x[np.array([2, 1])], A),
    "getitem_mask": (lambda x, m: x[m], A, MASK),
    "getitem_row_mask": (lambda x, m: x[m], A, np.array([True, False, True])),
    "getitem_mask_among_slices": (lambda x, m: x[:, m], A, np.array([True, False, True, True])),
    "masked_select": (lambda x, m: x.masked_select(m), A, MASK),
    "getitem_int_tensor": (lambda x: x[tg.tensor(1, device=x.device)], A),
    # torch_indexing.py: selections
    "gather_dim0": (lambda x, i: F.gather(x, 0, i), A, IDX),
    "gather_dim1": (lambda x, i: x.gather(1, i), A, IDX1),
    "scatter_dim0": (lambda x, i, s: F.scatter(x, 0, i, s), A, np.array([[0, 2, 1, 2]]), C),
    "scatter_value": (lambda x, i: x.scatter(1, i, value=-1.0), A, IDX1),
    "scatter_add_repeats": (lambda x, i, s: F.scatter_add(x, 0, i, s), A, IDX, C),
    "scatter_add_dim1": (lambda x, i, s: x.scatter_add(1, i, s), A, IDX1, C),
    "index_select": (lambda x, i: F.index_select(x, 1, i), A, np.array([3, 0, 3])),
    "index_select_dim0": (lambda x, i: x.index_select(0, i), B3, np.array([1])),
    "masked_fill": (lambda x, m: F.masked_fill(x, m, 0.5), A, MASK),
    "masked_fill_row_mask": (lambda x, m: x.masked_fill(m, -2.0), A, MASK[:1]),
    "where": (lambda x, y, m: F.where(m, x, y), A, C, MASK),
    "bmm": (lambda x, y: F.bmm(x, y.transpose(0, 2, 1)), B3, B3),
    "einsum": (lambda x, y: F.einsum("ij,kj->ik", x, y), A, C),
    "dot": (lambda x, y: x[0].dot(y[1]), A, C),
    "mm": (lambda x, y: F.mm(x, y.T), A, C),
    "matmul_vector": (lambda x, y: F.matmul(x, y[0]), A, C),
    # embedding.py
    "embedding": (lambda w, i: embedding(i, w), TABLE, IDS),
    "embedding_padding": (lambda w, i: embedding(i, w, padding_idx=1), TABLE, IDS),
    "embedding_scaled": (lambda w, i: embedding(i, w, scale_grad_by_freq=True), TABLE, IDS),
    "embedding_float64": (lambda w, i: embedding(i, w), TABLE.astype(np.float64), IDS),
    "embedding_module": (lambda w, i: embedding(i[0], w, padding_idx=-1), TABLE, IDS),
}


@pytest.mark.parametrize("name", list(GRADIENTS))
def test_values_and_gradients_match_the_cpu(name):
    check(*GRADIENTS[name])


# ---------------------------------------------------------------- comparisons and logic (bool, no gradient)
I1 = np.array([[3, -2, 0, 7], [1, 1, -5, 2]])
I2 = np.array([[2, -2, 4, 7], [0, 3, -5, 1]])
NANS = np.array([1.0, np.nan, np.inf, -np.inf, 0.0], np.float32)

NO_GRADIENTS = {
    "eq": (lambda x, y: x == y, I1, I2), "ne": (lambda x, y: x != y, I1, I2),
    "lt": (lambda x, y: x < y, A, C), "le": (lambda x, y: x <= y, I1, I2),
    "gt": (lambda x, y: x > y, A, C), "ge": (lambda x, y: x >= y, I1, I2),
    "eq_method": (lambda x, y: x.eq(y), I1, I2), "ne_method": (lambda x, y: x.ne(y), A, C),
    "lt_method": (lambda x, y: x.lt(y), A, C), "le_method": (lambda x, y: x.le(y), A, C),
    "gt_method": (lambda x, y: x.gt(y), A, C), "ge_method": (lambda x, y: x.ge(y), A, C),
    "eq_function": (lambda x, y: F.eq(x, y), I1, I2), "ne_function": (lambda x, y: F.ne(x, y), I1, I2),
    "lt_function": (lambda x, y: F.lt(x, y), A, C), "le_function": (lambda x, y: F.le(x, y), A, C),
    "gt_function": (lambda x, y: F.gt(x, y), A, C), "ge_function": (lambda x, y: F.ge(x, y), A, C),
    "compare_number": (lambda x: x > 0.25, A), "compare_int_with_float": (lambda x: x < 0.5, I1),
    "compare_bool_with_int": (lambda x: (x > 0) == 1, I1), "compare_list": (lambda x: x == [3, 1, 0, 2], I1),
    "compare_numpy_array": (lambda x: x >= np.float32(0.1), A),
    "and": (lambda x, y: (x > 0) & (y > 0), I1, I2), "or": (lambda x, y: x | y, I1, I2),
    "xor": (lambda x, y: (x > 0) ^ (y > 0), I1, I2), "and_number": (lambda x: x & 3, I1),
    "invert_bool": (lambda x: ~(x > 0), I1), "invert_int": (lambda x: ~x, I1),
    "floor_divide": (lambda x, y: x // y, I1, np.where(I2 == 0, 3, I2)),
    "floor_divide_float": (lambda x: x.detach() // 0.5, A), "floor_divide_method": (lambda x: x.floor_divide(3), I1),
    "rfloordiv": (lambda x: 7 // (x * 0 + 3), I1),
    "mod": (lambda x: x % 3, I1), "rmod": (lambda x: 10 % (x * 0 + 4), I1), "mod_float": (lambda x: x.detach() % 0.7, A),
    "div_floor": (lambda x, y: F.div(x, y, rounding_mode="floor"), I1, np.where(I2 == 0, 3, I2)),
    "div_trunc_int": (lambda x, y: F.div(x, y, rounding_mode="trunc"), I1, np.where(I2 == 0, 3, I2)),
    "div_trunc_float": (lambda x, y: F.div(x.detach(), y.detach(), rounding_mode="trunc"), A, C),
    "any": (lambda x: (x > 0).any(), A), "any_dim": (lambda x: x.any(1, keepdim=True), I1),
    "all": (lambda x: (x > -3).all(), A), "all_dim": (lambda x: x.all(dim=0), I1),
    "isnan": (lambda x: F.isnan(x), NANS), "isinf": (lambda x: x.isinf(), NANS),
    "isfinite": (lambda x: F.isfinite(x), NANS), "isclose": (lambda x, y: F.isclose(x, y, atol=0.5), A, C),
    "isclose_nan": (lambda x: F.isclose(x, x, equal_nan=True), NANS),
    "isclose_int": (lambda x, y: x.isclose(y), I1, I2),
    "logical_and": (lambda x, y: F.logical_and(x, y), I1, I2), "logical_or": (lambda x, y: x.logical_or(y), I1, I2),
    "logical_xor": (lambda x, y: F.logical_xor(x, y), I1, I2), "logical_not": (lambda x: x.logical_not(), I1),
    "logical_and_bool": (lambda x, y: F.logical_and(x > 0, y > 0), A, C),
    "count_nonzero": (lambda x: F.count_nonzero(x), I1), "count_nonzero_dim": (lambda x: x.count_nonzero(1), I1),
    "nonzero": (lambda x: F.nonzero(x), I1), "argwhere": (lambda x: F.argwhere(x > 0), A),
    "nonzero_tuple": (lambda x: F.nonzero(x, as_tuple=True)[1], I1),
    "where_one_argument": (lambda x: F.where(x > 0)[0], A),
    "long": (lambda x: x.long(), A), "int": (lambda x: x.int(), A), "bool": (lambda x: x.bool(), I1),
    "astype": (lambda x: x.astype("int64"), A), "clone_int": (lambda x: F.clone(x), I1),
    "integer_getitem": (lambda x, i: x[i, 1:], I1, np.array([1, 0])),
    "integer_reshape_cat": (lambda x, y: F.cat([x.T, y.T]), I1, I2),
    "mask_getitem_bool": (lambda x: (x > 0)[x != 0], I1),
}


@pytest.mark.parametrize("name", list(NO_GRADIENTS))
def test_comparisons_and_logic_match_the_cpu(name):
    check(*NO_GRADIENTS[name], grad=False)


@pytest.mark.parametrize("fn", [F.equal, F.allclose, lambda x, y: F.allclose(x, y, atol=3.0),
                                lambda x, y: F.equal(x, x), lambda x, y: x.allclose(x + 1e-9),
                                lambda x, y: 0.0 in x, lambda x, y: float(x[0, 0]) in x],
                         ids=["equal", "allclose", "allclose_atol", "equal_self", "allclose_method",
                              "contains_not", "contains"])
def test_python_bool_answers_match_the_cpu(fn):
    answers = [fn(tg.tensor(A, device=d), tg.tensor(C, device=d)) for d in ("cpu", STRICT)]
    assert answers[0] == answers[1] and isinstance(answers[1], bool)


# ---------------------------------------------------------------- in-place writes (no graph; no gradient)
INPLACE = {
    "add_": (lambda x, y: x.add_(y), A, C), "add_alpha": (lambda x, y: x.add_(y, alpha=0.5), A, C),
    "add_number": (lambda x: x.add_(2), A), "add_broadcast": (lambda x, y: x.add_(y[0]), A, C),
    "sub_": (lambda x, y: x.sub_(y, alpha=2), A, C), "mul_": (lambda x, y: x.mul_(y), A, C),
    "div_": (lambda x: x.div_(4.0), A), "iadd": (lambda x, y: x.__iadd__(y), A, C),
    "isub": (lambda x: x.__isub__(1.5), A), "imul": (lambda x: x.__imul__(3), A),
    "itruediv": (lambda x, y: x.__itruediv__(y), A, C), "int_add_": (lambda x, y: x.add_(y), I1, I2),
    "add_numpy": (lambda x: x.add_(C), A), "add_float64_into_float32": (lambda x, y: x.add_(y), A, A64),
    "clamp_": (lambda x: x.clamp_(-0.5, 0.5), A), "clamp_min": (lambda x: x.clip_(min=0.0), A),
    "clamp_tensor": (lambda x, y: x.clamp_(max=y), A, C),
    "fill_": (lambda x: x.fill_(2.5), A), "fill_tensor": (lambda x: x.fill_(tg.tensor(3.0, device=x.device)), A),
    "fill_int": (lambda x: x.fill_(7), I1), "zero_": (lambda x: x.zero_(), A),
    "copy_": (lambda x, y: x.copy_(y), A, C), "copy_broadcast_cast": (lambda x, y: x.copy_(y[1]), A, I1),
    "copy_from_cpu": (lambda x: x.copy_(tg.tensor(C)), A),
    "masked_fill_": (lambda x, m: x.masked_fill_(m, 9.0), A, MASK),
    "masked_fill_row": (lambda x, m: x.masked_fill_(m, 1), I1, np.array([True, False, True, True])),
    "scatter_": (lambda x, i, s: x.scatter_(0, i, s), A, np.array([[0, 2, 1, 2]]), C[:1]),
    "scatter_value_one_hot": (lambda x, i: x.scatter_(1, i, 1.0), np.zeros((3, 5), np.float32),
                              np.array([[4], [0], [2]])),
    "scatter_repeats": (lambda x, i: x.scatter_(0, i, value=5.0), A, IDX),
    "scatter_add_": (lambda x, i, s: x.scatter_add_(0, i, s), A, IDX, C),
    "setitem_mask": (lambda x, m: x.__setitem__(m, 0.0) or x, A, MASK),
    "setitem_mask_values": (lambda x, m: x.__setitem__(m, tg.arange(int(MASK.sum()), device=x.device).float()) or x,
                            A, MASK),
    "setitem_slice": (lambda x, y: x.__setitem__((slice(None), slice(1, 3)), y[:, :2]) or x, A, C),
    "setitem_row_broadcast": (lambda x, y: x.__setitem__(1, y[0]) or x, A, C),
    "setitem_none": (lambda x, y: x.__setitem__((None, 0), y[:1]) or x, A, C),
    "setitem_int_arrays": (lambda x, i, j: x.__setitem__((i, j), -1.0) or x, A, ROWS, np.array([0, 1, 2])),
    "setitem_rows_last_wins": (lambda x, i, y: x.__setitem__(i, y) or x, A, ROWS, C),
    "setitem_columns": (lambda x, j: x.__setitem__((slice(None), j), 4) or x, A, np.array([3, 0])),
    "setitem_list": (lambda x: x.__setitem__([0, 2], 1.5) or x, A),
    "setitem_int": (lambda x: x.__setitem__((0, 1), 8) or x, I1),
}


@pytest.mark.parametrize("name", list(INPLACE))
def test_in_place_writes_match_the_cpu(name):
    fn, *arrays = INPLACE[name]

    def written(x, *rest):
        data = x.data
        out = fn(x, *rest)
        assert out is x and x._version == 1
        assert x.data is data, "written in place: views of the array (a parameter's .grad) see it"
        return x
    check(written, *arrays, grad=False)


def test_random_fills_give_the_same_numbers_on_every_device():
    filled = []
    for device in ("cpu", STRICT):
        tg.manual_seed(7)
        filled.append(tg.zeros(3, 4, device=device).uniform_(-2, 2).numpy(force=True))
        filled.append(tg.empty(5, dtype=tg.float64, device=device).normal_(1.0, 0.5).numpy(force=True))
    np.testing.assert_array_equal(filled[0], filled[2])
    np.testing.assert_array_equal(filled[1], filled[3])
    assert (np.abs(filled[0]) <= 2).all()


def test_a_gradient_zeroed_in_place_on_the_device_is_zeroed():
    w = tg.tensor(A, requires_grad=True, device=STRICT)
    w.reshape(12).backward(tg.ones(12, device=STRICT))
    assert w.grad.numpy(force=True).all()
    w.grad.zero_()
    assert not w.grad.numpy(force=True).any()


def test_in_place_refusals_are_the_same_on_the_device():
    x = tg.ones(2, 2, device=STRICT)
    with pytest.raises(TypeError, match="same_kind"):
        tg.ones(2, dtype=tg.int64, device=STRICT).add_(0.5)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        tg.ones(2, requires_grad=True, device=STRICT).add_(1)
    with pytest.raises(RuntimeError, match="cpu and array_api_strict|array_api_strict and cpu"):
        x.add_(tg.ones(2, 2))
    with pytest.raises(TypeError, match="bool"):
        x.masked_fill_(tg.ones(2, 2, device=STRICT), 0.0)
    with pytest.raises(ValueError, match="one-element"):
        x.fill_(tg.ones(2))


def test_mixing_devices_in_comparisons_names_both():
    with pytest.raises(RuntimeError, match="cpu and array_api_strict"):
        tg.ones(2) == tg.ones(2, device=STRICT)
    with pytest.raises(RuntimeError, match="array_api_strict and cpu"):
        tg.ones(2, dtype=tg.int64, device=STRICT) & tg.ones(2, dtype=tg.int64)


# ---------------------------------------------------------------- what the standard cannot index
FORBIDDEN = {
    # NumPy moves the array axes to the front when arrays are split by a slice: no single standard call
    "int_slice_array": lambda x: x[0, :, tg.tensor([1, 2], device=STRICT)],
    # two arrays among slices: NumPy's outer placement rules again
    "two_arrays_and_a_slice": lambda x: x[tg.tensor([0, 1], device=STRICT), :, tg.tensor([1, 2], device=STRICT)],
    # integer arrays on fewer axes than the tensor has (the standard wants one per axis, or one array alone)
    "arrays_on_some_axes": lambda x: x[tg.tensor([0, 1], device=STRICT), tg.tensor([1, 2], device=STRICT)],
    # a mask beside other indices (only a sole mask, or a 1-D mask among slices)
    "mask_and_int": lambda x: x[tg.tensor([True, False], device=STRICT), 1],
    "2d_mask_among_slices": lambda x: x[:, tg.tensor([[True] * 4] * 3, device=STRICT)],
}


@pytest.mark.parametrize("name", list(FORBIDDEN))
def test_index_forms_the_standard_forbids_raise_a_clear_error_on_the_device(name):
    x = tg.tensor(B3, device=STRICT)
    with pytest.raises(IndexError, match="array API standard"):
        FORBIDDEN[name](x)
    FORBIDDEN[name](tg.tensor(B3).to(STRICT).cpu())   # NumPy indexes them all on the CPU (the indices come back too)


def test_forbidden_forms_work_in_two_steps():
    i, j = tg.tensor([1, 2], device=STRICT), tg.tensor([0, 1], device=STRICT)
    x = tg.tensor(B3, requires_grad=True, device=STRICT)
    y = x[0][:, i]
    y.backward(tg.ones(*y.shape, device=STRICT))
    expected = np.zeros_like(B3)
    np.add.at(expected, (0, slice(None), [1, 2]), 1.0)
    np.testing.assert_array_equal(x.grad.numpy(force=True), expected)
    np.testing.assert_array_equal(F.index_select(x.detach()[j], 2, i).numpy(force=True), B3[[0, 1]][:, :, [1, 2]])


# ---------------------------------------------------------------- gradcheck on the device
def test_gradcheck_runs_on_the_stand_in_device():
    x = tg.tensor(A64, requires_grad=True, device=STRICT)
    i = tg.tensor(ROWS, device=STRICT)
    assert tg.gradcheck(lambda t, idx: F.cat([t[idx], t.T[:2].T], dim=1).reshape(-1)[::2], x, i)
    with pytest.raises(GradcheckError, match="input 0"):
        tg.gradcheck(lambda t: _WrongGate.apply(t), x)


class _WrongGate(Gate):
    """z = 2a with a backward that forgets the 2: gradcheck must notice on the device too."""

    def forward(self, a):
        return a * 2.0

    def backward(self, g):
        return g
