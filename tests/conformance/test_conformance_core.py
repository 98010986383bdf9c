"""Tensor idioms of real training and evaluation scripts, each run in PyTorch and in tensorgate from the same
arrays (conformance_helpers.compare): values, shapes, dtypes, index results, Python types and gradients.

Every idiom is written once, ``fn(lib, *tensors)``, with ``lib`` torch or tensorgate, as a script that only
changed its import would run it. Idioms tensorgate does not support are in NOT_SUPPORTED at the end, each
with the clear error it must raise.
"""
import numpy as np
import pytest

from conformance_helpers import check_not_supported, compare

# np.exp(torch_tensor) warns from inside PyTorch (its __array_wrap__ predates NumPy 2); not ours to fix
pytestmark = pytest.mark.filterwarnings("ignore:__array_wrap__ must accept:DeprecationWarning")

RNG = np.random.default_rng(17)
X = RNG.standard_normal((4, 3)).astype(np.float32)          # a batch: 4 examples, 3 features
X64 = RNG.standard_normal((4, 3))                            # the same in float64
W = RNG.standard_normal((5, 3)).astype(np.float32)           # a Linear layer's weight (out, in)
B = RNG.standard_normal(5).astype(np.float32)                # its bias
OUT = RNG.standard_normal((6, 4)).astype(np.float32)         # logits: 6 examples, 4 classes
Y = np.array([0, 3, 1, 1, 2, 3])                             # their labels (int64)
Y4 = np.array([1, 0, 1, 2])                                  # labels of the batch X
C = RNG.standard_normal((2, 3, 4)).astype(np.float32)        # a 3-d batch
D = RNG.standard_normal((2, 4, 5)).astype(np.float32)        # its right-hand factor for bmm
P = RNG.uniform(0.5, 2.0, (4, 3)).astype(np.float32)         # positive numbers
V = RNG.standard_normal(5).astype(np.float32)                # a vector
I = np.array([[3, -1, 4], [1, -5, 9], [2, 6, -5]])          # integers
MASK = X > 0                                                 # a bool mask
NAN = np.array([1.0, np.nan, np.inf, -np.inf, 0.0], np.float32)

IDIOMS = {}


def idiom(name, fn, *arrays, grad=False, **tolerances):
    assert name not in IDIOMS, name
    IDIOMS[name] = (fn, arrays, grad, tolerances)


# ---------------------------------------------------------------- comparisons and masks
idiom("eq_scalar", lambda lib, x: x == 1, I)
idiom("ne_scalar", lambda lib, x: x != 1, I)
idiom("lt_scalar", lambda lib, x: x < 0, X)
idiom("le_scalar", lambda lib, x: x <= 0, X)
idiom("gt_scalar", lambda lib, x: x > 0, X)
idiom("ge_scalar", lambda lib, x: x >= 0, X)
idiom("eq_tensor", lambda lib, a, b: a == b, Y, np.array([0, 3, 2, 1, 2, 0]))
idiom("ne_tensor", lambda lib, a, b: a != b, Y, np.array([0, 3, 2, 1, 2, 0]))
idiom("lt_tensor", lambda lib, a, b: a < b, X, P)
idiom("gt_broadcast", lambda lib, a, b: a > b, X, X[0])
idiom("eq_method", lambda lib, a, b: a.eq(b), Y, np.array([0, 3, 2, 1, 2, 0]))
idiom("ne_method", lambda lib, a: a.ne(3), Y)
idiom("lt_method", lambda lib, a: a.lt(0.5), X)
idiom("le_method", lambda lib, a: a.le(0.5), X)
idiom("gt_method", lambda lib, a: a.gt(0.5), X)
idiom("ge_method", lambda lib, a: a.ge(0.5), X)
idiom("eq_function", lambda lib, a, b: lib.eq(a, b), Y, np.array([0, 3, 2, 1, 2, 0]))
idiom("gt_function", lambda lib, a: lib.gt(a, 0), X)
idiom("correct_count", lambda lib, out, y: (out.argmax(1) == y).sum(), OUT, Y)
idiom("correct_count_item", lambda lib, out, y: (out.argmax(1) == y).sum().item(), OUT, Y)
idiom("accuracy_float_mean", lambda lib, out, y: (out.argmax(dim=1) == y).float().mean(), OUT, Y)
idiom("accuracy_item", lambda lib, out, y: (out.argmax(dim=1) == y).float().mean().item(), OUT, Y)
idiom("select_rows_of_class", lambda lib, x, y: x[y == 1], X, Y4)
idiom("select_rows_shape", lambda lib, x, y: x[y == 1].shape, X, Y4)
idiom("mask_select", lambda lib, x: x[x > 0], X, grad=True)
idiom("mask_select_sum", lambda lib, x: x[x > 0].sum(), X, grad=True)
idiom("mask_and", lambda lib, x: (x > -0.5) & (x < 0.5), X)
idiom("mask_or", lambda lib, x: (x < -0.5) | (x > 0.5), X)
idiom("mask_xor", lambda lib, x: (x > 0) ^ (x > 0.5), X)
idiom("mask_not", lambda lib, x: ~(x > 0), X)
idiom("mask_sum", lambda lib, m: m.sum(), MASK)
idiom("mask_float", lambda lib, m: m.float(), MASK)
idiom("mask_long", lambda lib, m: m.long(), MASK)
idiom("mask_all", lambda lib, m: m.all(), MASK)
idiom("mask_any", lambda lib, m: m.any(), MASK)
idiom("mask_all_dim", lambda lib, m: m.all(dim=1), MASK)
idiom("mask_any_dim", lambda lib, m: m.any(1), MASK)
idiom("all_function", lambda lib, m: lib.all(m), MASK)
idiom("any_function", lambda lib, m: lib.any(m), MASK)
idiom("if_any", lambda lib, x: "yes" if (x > 2).any() else "no", X)
idiom("bool_of_all", lambda lib, x: bool((x > -10).all()), X)
idiom("where_tensors", lambda lib, x, p: lib.where(x > 0, x, p), X, P, grad=True)
idiom("where_scalar", lambda lib, x: lib.where(x > 0, x, 0.0), X, grad=True)
idiom("where_two_scalars", lambda lib, x: lib.where(x > 0, 1.0, -1.0), X)
idiom("where_one_argument", lambda lib, x: lib.where(x > 0), X)
idiom("masked_fill", lambda lib, x: x.masked_fill(x < 0, 0.0), X, grad=True)
idiom("masked_fill_function", lambda lib, x, m: lib.masked_fill(x, m, -1.0), X, MASK, grad=True)
idiom("masked_fill_neg_inf", lambda lib, x: x.masked_fill(x < 0, float("-inf")).softmax(dim=1), X, grad=True)
idiom("isnan", lambda lib, x: lib.isnan(x), NAN)
idiom("isinf", lambda lib, x: lib.isinf(x), NAN)
idiom("isfinite", lambda lib, x: lib.isfinite(x), NAN)
idiom("isnan_method", lambda lib, x: x.isnan().any(), NAN)
idiom("isfinite_all_item", lambda lib, x: x.isfinite().all().item(), NAN)
idiom("logical_and", lambda lib, x: lib.logical_and(x > 0, x < 1), X)
idiom("logical_or", lambda lib, x: lib.logical_or(x > 1, x < -1), X)
idiom("logical_not", lambda lib, x: lib.logical_not(x > 0), X)
idiom("logical_xor", lambda lib, x: lib.logical_xor(x > 0, x > 1), X)
idiom("nonzero", lambda lib, x: (x > 0).nonzero(), X)
idiom("nonzero_function", lambda lib, x: lib.nonzero(x > 0), X)
idiom("nonzero_as_tuple", lambda lib, x: lib.nonzero(x > 0, as_tuple=True), X)
idiom("count_nonzero", lambda lib, x: lib.count_nonzero(x > 0), X)
idiom("equal", lambda lib, a: lib.equal(a, a.clone()), X)
idiom("allclose", lambda lib, a: lib.allclose(a, a + 1e-9), X)
idiom("isclose", lambda lib, a, b: lib.isclose(a, b), X, X + np.float32(1e-3) * MASK)

# ---------------------------------------------------------------- reductions
idiom("max_all", lambda lib, x: x.max(), X, grad=True)
idiom("min_all", lambda lib, x: x.min(), X, grad=True)
idiom("max_dim_positional", lambda lib, out: out.max(1), OUT, grad=True)
idiom("max_dim_keyword", lambda lib, out: out.max(dim=1), OUT, grad=True)
idiom("max_dim_keepdim", lambda lib, out: out.max(1, keepdim=True), OUT, grad=True)
idiom("max_dim0", lambda lib, out: out.max(0), OUT, grad=True)
idiom("max_indices_by_position", lambda lib, out: out.max(1)[1], OUT)
idiom("max_values_attribute", lambda lib, out: out.max(1).values, OUT, grad=True)
idiom("max_indices_attribute", lambda lib, out: out.max(1).indices, OUT)
idiom("max_unpack_pred", lambda lib, out: [pred for _, pred in [out.max(1)]][0], OUT)
idiom("max_function_dim", lambda lib, out: lib.max(out, 1), OUT, grad=True)
idiom("max_function_all", lambda lib, out: lib.max(out), OUT, grad=True)
idiom("max_function_two_tensors", lambda lib, a, b: lib.max(a, b), X, P, grad=True)
idiom("min_dim", lambda lib, out: out.min(1), OUT, grad=True)
idiom("min_dim_keyword_keepdim", lambda lib, out: out.min(dim=0, keepdim=True), OUT, grad=True)
idiom("min_function_dim", lambda lib, out: lib.min(out, dim=1), OUT, grad=True)
idiom("max_int", lambda lib, i: i.max(1), I)
idiom("argmax_all", lambda lib, x: x.argmax(), X)
idiom("argmax_dim", lambda lib, x: x.argmax(1), X)
idiom("argmax_dim_keyword", lambda lib, x: x.argmax(dim=1), X)
idiom("argmax_keepdim", lambda lib, x: x.argmax(dim=1, keepdim=True), X)
idiom("argmin_dim", lambda lib, x: x.argmin(0), X)
idiom("argmax_function", lambda lib, x: lib.argmax(x, dim=1), X)
idiom("argmin_function", lambda lib, x: lib.argmin(x), X)
idiom("argmax_item", lambda lib, v: v.argmax().item(), V)
idiom("amax_dim", lambda lib, x: x.amax(1), X, grad=True)
idiom("amin_dim_keepdim", lambda lib, x: x.amin(0, keepdim=True), X, grad=True)
idiom("amax_two_dims", lambda lib, c: lib.amax(c, dim=(0, 2)), C, grad=True)
idiom("amax_ties_share", lambda lib, x: x.amax(1), np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 1.0]], np.float32), grad=True)
idiom("max_all_ties_share", lambda lib, x: x.max(), np.array([[1.0, 3.0, 3.0]], np.float32), grad=True)
idiom("sort", lambda lib, x: x.sort(), X, grad=True)
idiom("sort_descending", lambda lib, x: x.sort(descending=True), X, grad=True)
idiom("sort_dim0", lambda lib, x: x.sort(dim=0), X, grad=True)
idiom("sort_function", lambda lib, v: lib.sort(v), V, grad=True)
idiom("argsort", lambda lib, x: x.argsort(dim=1), X)
idiom("argsort_descending", lambda lib, x: lib.argsort(x, dim=0, descending=True), X)
idiom("topk", lambda lib, out: out.topk(2), OUT, grad=True)
idiom("topk_dim0", lambda lib, out: out.topk(3, dim=0), OUT, grad=True)
idiom("topk_smallest", lambda lib, out: out.topk(2, largest=False), OUT, grad=True)
idiom("topk_function", lambda lib, v: lib.topk(v, 3), V, grad=True)
idiom("top2_accuracy", lambda lib, out, y: (out.topk(2, 1)[1] == y.view(-1, 1)).any(1).float().mean(), OUT, Y)
idiom("median_all", lambda lib, x: x.median(), X, grad=True)
idiom("median_even_count_is_lower", lambda lib, v: v.median(), V[:4], grad=True)
idiom("median_dim", lambda lib, x: x.median(1), X, grad=True)
idiom("median_dim_keepdim", lambda lib, x: lib.median(x, dim=0, keepdim=True), X, grad=True)
idiom("std_all_unbiased", lambda lib, x: x.std(), X, grad=True)
idiom("std_dim", lambda lib, x: x.std(0), X, grad=True)
idiom("std_dim_keepdim", lambda lib, x: x.std(dim=1, keepdim=True), X, grad=True)
idiom("std_biased", lambda lib, x: x.std(unbiased=False), X, grad=True)
idiom("std_correction0", lambda lib, x: x.std(dim=0, correction=0), X, grad=True)
idiom("var_all", lambda lib, x: x.var(), X, grad=True)
idiom("var_dim", lambda lib, x: x.var(1), X, grad=True)
idiom("var_function", lambda lib, x: lib.var(x, dim=0), X, grad=True)
idiom("std_function", lambda lib, x: lib.std(x), X, grad=True)
idiom("std_float64", lambda lib, x: x.std(0), X64, grad=True)
idiom("prod_all", lambda lib, p: p.prod(), P, grad=True)
idiom("prod_dim", lambda lib, x: x.prod(1), X, grad=True)
idiom("prod_keepdim", lambda lib, x: x.prod(dim=0, keepdim=True), X, grad=True)
idiom("prod_with_zero", lambda lib, x: x.prod(1), np.array([[0.0, 2.0, 3.0], [0.0, 0.0, 1.0]], np.float32), grad=True)
idiom("prod_function", lambda lib, p: lib.prod(p, 0), P, grad=True)
idiom("prod_int", lambda lib, i: i.prod(), I)
idiom("cumsum_dim0", lambda lib, x: x.cumsum(0), X, grad=True)
idiom("cumsum_dim1", lambda lib, x: x.cumsum(dim=1), X, grad=True)
idiom("cumsum_function", lambda lib, v: lib.cumsum(v, 0), V, grad=True)
idiom("cumsum_int", lambda lib, i: i.cumsum(1), I)
idiom("cumsum_bool", lambda lib, m: m.cumsum(0), MASK)
idiom("logsumexp", lambda lib, out: out.logsumexp(1), OUT, grad=True)
idiom("logsumexp_keepdim", lambda lib, out: lib.logsumexp(out, dim=0, keepdim=True), OUT, grad=True)
idiom("logsumexp_large", lambda lib, out: (out * 1000).logsumexp(1), OUT, grad=True, rtol=1e-4)
idiom("norm", lambda lib, x: x.norm(), X, grad=True)
idiom("norm_dim", lambda lib, x: x.norm(dim=1), X, grad=True)
idiom("norm_p1", lambda lib, x: x.norm(p=1, dim=0, keepdim=True), X, grad=True)
idiom("norm_inf", lambda lib, x: lib.norm(x, p=float("inf")), X, grad=True)
idiom("norm_of_zero_row", lambda lib, x: (x * lib.tensor([[0.0], [1.0], [1.0], [1.0]])).norm(dim=1), X, grad=True)
idiom("grad_norm", lambda lib, x, w: (lambda w: ((x @ w.t()).sum().backward(), w.grad.norm())[1])(w.clone().requires_grad_()),
      X, W)
idiom("sum_all", lambda lib, x: x.sum(), X, grad=True)
idiom("sum_dim", lambda lib, x: x.sum(1), X, grad=True)
idiom("sum_dim_keyword_keepdim", lambda lib, x: x.sum(dim=0, keepdim=True), X, grad=True)
idiom("sum_two_dims", lambda lib, c: c.sum(dim=(0, 2)), C, grad=True)
idiom("sum_function", lambda lib, x: lib.sum(x), X, grad=True)
idiom("sum_function_dim", lambda lib, x: lib.sum(x, 1), X, grad=True)
idiom("sum_int_dtype", lambda lib, i: i.sum(), I)
idiom("sum_item", lambda lib, x: x.sum().item(), X)
idiom("mean_all", lambda lib, x: x.mean(), X, grad=True)
idiom("mean_dim", lambda lib, x: x.mean(0), X, grad=True)
idiom("mean_two_dims_keepdim", lambda lib, c: c.mean(dim=(1, 2), keepdim=True), C, grad=True)
idiom("mean_function", lambda lib, x: lib.mean(x, dim=1), X, grad=True)
idiom("axis_alias", lambda lib, x: x.sum(axis=0), X, grad=True)
idiom("max_axis_alias", lambda lib, out: lib.max(out, axis=1), OUT)
idiom("normalise_features", lambda lib, x: (x - x.mean(0)) / x.std(0), X, grad=True)
idiom("normalise_keepdim", lambda lib, x: (x - x.mean(1, keepdim=True)) / (x.std(1, keepdim=True) + 1e-5), X,
      grad=True)

# ---------------------------------------------------------------- selections and products
idiom("index_int", lambda lib, x: x[0], X, grad=True)
idiom("index_column", lambda lib, x: x[:, 1], X, grad=True)
idiom("index_slice", lambda lib, x: x[1:3], X, grad=True)
idiom("index_ellipsis", lambda lib, c: c[..., 0], C, grad=True)
idiom("index_none", lambda lib, x: x[None].shape, X)
idiom("index_list", lambda lib, x: x[[0, 2]], X, grad=True)
idiom("index_tensor", lambda lib, x, i: x[i], X, np.array([3, 0, 0]), grad=True)
idiom("index_negative", lambda lib, x: x[-1, -2], X, grad=True)
idiom("index_rows_and_labels", lambda lib, out, y: out[lib.arange(6), y], OUT, Y, grad=True)
idiom("index_range_and_labels", lambda lib, out, y: out[range(6), y], OUT, Y, grad=True)
idiom("gather_labels", lambda lib, out, y: out.gather(1, y.unsqueeze(1)), OUT, Y, grad=True)
idiom("gather_squeeze_nll", lambda lib, out, y: -out.log_softmax(1).gather(1, y.view(-1, 1)).squeeze(1).mean(),
      OUT, Y, grad=True)
idiom("gather_dim0", lambda lib, x, i: lib.gather(x, 0, i), X, np.array([[3, 0, 1], [2, 2, 0]]), grad=True)
idiom("index_select_rows", lambda lib, x, i: x.index_select(0, i), X, np.array([2, 0, 2]), grad=True)
idiom("index_select_cols", lambda lib, x, i: lib.index_select(x, 1, i), X, np.array([1]), grad=True)
idiom("scatter_one_hot", lambda lib, y: lib.zeros(6, 4).scatter(1, y.unsqueeze(1), 1.0), Y)
idiom("scatter_src", lambda lib, x, s: x.scatter(0, lib.tensor([[1, 0, 3]]), s), X, X[:1] * 2, grad=True)
idiom("scatter_add", lambda lib, x, s: x.scatter_add(1, lib.tensor([[0, 0, 2]] * 4), s), X, P, grad=True)
idiom("scatter_add_counts", lambda lib, y: lib.zeros(4, dtype=lib.long).scatter_add(0, y, lib.ones_like(y)), Y)
idiom("mm", lambda lib, x, w: lib.mm(x, w.t()), X, W, grad=True)
idiom("mm_method", lambda lib, x, w: x.mm(w.T), X, W, grad=True)
idiom("matmul_operator", lambda lib, x, w, b: x @ w.T + b, X, W, B, grad=True)
idiom("matmul_vector", lambda lib, w, v: w.T @ v, W, V, grad=True)
idiom("bmm", lambda lib, c, d: lib.bmm(c, d), C, D, grad=True)
idiom("bmm_method", lambda lib, c, d: c.bmm(d), C, D, grad=True)
idiom("einsum_matmul", lambda lib, x, w: lib.einsum("ij,kj->ik", x, w), X, W, grad=True)
idiom("einsum_batch", lambda lib, c, d: lib.einsum("bij,bjk->bik", c, d), C, D, grad=True)
idiom("einsum_trace_free_sum", lambda lib, x: lib.einsum("ij->j", x), X, grad=True)
idiom("einsum_outer", lambda lib, v, b: lib.einsum("i,j->ij", v, b), V, B, grad=True)
idiom("einsum_implicit", lambda lib, x, w: lib.einsum("ij,kj", x, w), X, W, grad=True)
idiom("einsum_dot", lambda lib, v, b: lib.einsum("i,i->", v, b), V, B, grad=True)
idiom("dot", lambda lib, v, b: v.dot(b), V, B, grad=True)

# ---------------------------------------------------------------- arithmetic and dtypes
idiom("int_true_divide", lambda lib, i: i / 2, I)
idiom("int_divide_int_tensor", lambda lib, i: i / lib.tensor([2, 4, 8]), I)
idiom("int_rdivide", lambda lib, i: 12 / (i * i + 1), I)
idiom("int_floor_divide", lambda lib, i: i // 2, I)
idiom("int_floor_divide_negative", lambda lib, i: i // -3, I)
idiom("float_floor_divide", lambda lib, x: x // 0.5, X)
idiom("int_remainder", lambda lib, i: i % 3, I)
idiom("div_rounding_floor", lambda lib, i: lib.div(i, 4, rounding_mode="floor"), I)
idiom("div_rounding_trunc", lambda lib, i: lib.div(i, 4, rounding_mode="trunc"), I)
idiom("int_times_float", lambda lib, i, x: i[:, :3].float() * x[:3], I, X, grad=True)
# an integer tensor meeting a float takes the float's dtype (PyTorch's promotion; NumPy's would be float64)
idiom("int_times_python_float", lambda lib, i: i * 2.5, I)
idiom("int_plus_python_float", lambda lib, i: i + 0.5, I)
idiom("python_float_minus_int", lambda lib, i: 0.5 - i, I)
idiom("int_times_float_tensor", lambda lib, i, x: i[:, :3] * x[:3], I, X, grad=True)
idiom("float_tensor_plus_int", lambda lib, i, x: x[:3] + i, I, X, grad=True)
idiom("bool_mask_times_float", lambda lib, x: (x > 0) * x, X, grad=True)
idiom("int_times_float64_tensor", lambda lib, i, x: i * x[:3], I, X64, grad=True)
idiom("where_int_or_float", lambda lib, i, x: lib.where(i > 0, i, x[:3]), I, X, grad=True)
idiom("cat_int_and_float", lambda lib, i, x: lib.cat([i, x[:3]]), I, X, grad=True)
idiom("stack_int_and_float", lambda lib, i, x: lib.stack([x[:3], i]), I, X, grad=True)
idiom("mean_of_bool_as_float", lambda lib, m: m.float().mean(), MASK)
idiom("neg", lambda lib, x: -x, X, grad=True)
idiom("pow_square", lambda lib, x: x ** 2, X, grad=True)
idiom("rpow", lambda lib, x: 2 ** x, X, grad=True)
idiom("add_alpha", lambda lib, x, p: x.add(p, alpha=2), X, P, grad=True)
idiom("sub_alpha", lambda lib, x, p: x.sub(p, alpha=0.5), X, P, grad=True)
idiom("mul_method", lambda lib, x, p: x.mul(p), X, P, grad=True)
idiom("div_method", lambda lib, x, p: x.div(p), X, P, grad=True)
idiom("square", lambda lib, x: x.square(), X, grad=True)
idiom("dtype_int_list", lambda lib: str(lib.tensor([1, 2, 3]).dtype).replace("torch.", ""))
idiom("dtype_float_list", lambda lib: lib.tensor([1.0, 2.0]), )
idiom("dtype_bool_list", lambda lib: lib.tensor([True, False]))
idiom("dtype_long", lambda lib: lib.tensor([1, 2], dtype=lib.long))
idiom("dtype_float64", lambda lib: lib.tensor([1, 2], dtype=lib.float64))
# a NumPy array's float dtype is kept (float64 stays float64), Python floats take the default (float32)
idiom("dtype_from_float64_array", lambda lib: lib.tensor(np.array([0.1, 0.2])))
idiom("dtype_from_float32_array", lambda lib: lib.tensor(np.array([0.1, 0.2], np.float32)))
idiom("dtype_from_float64_scalar", lambda lib: lib.tensor(np.float64(0.1)))
idiom("dtype_from_float64_array_asked_float32", lambda lib: lib.tensor(np.array([0.1]), dtype=lib.float32))
idiom("dtype_from_int32_array", lambda lib: lib.tensor(np.array([1, 2], np.int32)))
# as_tensor shares a NumPy array's memory where the dtype allows (a write to the array shows), else copies
idiom("as_tensor_shares_memory", lambda lib: (lambda a: (lib.as_tensor(a), a.__setitem__(0, 5.0))[0])(np.zeros(3)))
idiom("as_tensor_converts", lambda lib: (lambda a: (lib.as_tensor(a, dtype=lib.float32), a.__setitem__(0, 5.0))[0])(
    np.zeros(3)))
idiom("as_tensor_of_list", lambda lib: lib.as_tensor([[1.0, 2.0], [3.0, 4.0]]))
idiom("as_tensor_of_tensor_keeps_graph", lambda lib, x: lib.as_tensor(x) * 2, X, grad=True)
idiom("as_tensor_of_tensor_to_float64", lambda lib, x: lib.as_tensor(x, dtype=lib.float64) * 2, X, grad=True)
idiom("is_tensor", lambda lib, x: (lib.is_tensor(x), lib.is_tensor(np.zeros(2)), lib.is_tensor([1.0])), X)
idiom("numel_function", lambda lib, x: lib.numel(x), X)
idiom("concat_alias", lambda lib, x: lib.concat([x, x], dim=0), X, grad=True)
# PyTorch's remaining everyday functions (functional/torch_math.py), values and gradients
SQ = RNG.standard_normal((4, 5)).astype(np.float32)          # a non-square matrix
NANS = np.array([[np.nan, 1.5, np.inf], [-np.inf, -2.0, 0.5]], np.float32)
idiom("square_function", lambda lib, x: lib.square(x), X, grad=True)
idiom("dot_function", lambda lib, x: lib.dot(x[0], x[1]), X, grad=True)
idiom("erf", lambda lib, x: lib.erf(x), X, grad=True)
idiom("erf_method_float64", lambda lib, x: x.erf(), X64, grad=True)
idiom("outer", lambda lib, x: lib.outer(x[0], x[1, :2]), X, grad=True)
idiom("tril", lambda lib, s: lib.tril(s), SQ, grad=True)
idiom("tril_diagonal", lambda lib, s: s.tril(-1), SQ, grad=True)
idiom("triu_diagonal", lambda lib, s: lib.triu(s, 2), SQ, grad=True)
idiom("triu_batch", lambda lib, s: lib.triu(s.reshape(2, 2, 5)), SQ, grad=True)
idiom("causal_mask", lambda lib, s: s[:, :4].masked_fill(lib.triu(lib.ones(4, 4), 1).bool(), float("-inf")).softmax(-1),
      SQ, grad=True)
idiom("flip", lambda lib, s: lib.flip(s, dims=(1,)), SQ, grad=True)
idiom("flip_both", lambda lib, s: s.flip(0, 1), SQ, grad=True)
idiom("roll", lambda lib, s: lib.roll(s, 2, 1), SQ, grad=True)
idiom("roll_two_dims", lambda lib, s: s.roll((1, -3), (0, 1)), SQ, grad=True)
idiom("roll_flat", lambda lib, s: lib.roll(s, 7), SQ, grad=True)
idiom("tile", lambda lib, x: lib.tile(x, (2, 1)), X, grad=True)
idiom("tile_more_reps", lambda lib, x: x.tile((2, 1, 3)), X, grad=True)
idiom("tile_fewer_reps", lambda lib, x: x.tile((2,)), X, grad=True)
idiom("broadcast_to", lambda lib, x: lib.broadcast_to(x[0], (2, 3)), X, grad=True)
idiom("lerp_scalar", lambda lib, x: lib.lerp(x[0], x[1], 0.25), X, grad=True)
idiom("lerp_tensor_weight", lambda lib, x: x[0].lerp(x[1], x[2].sigmoid()), X, grad=True)
idiom("nan_to_num", lambda lib, n: lib.nan_to_num(n), NANS)
idiom("nan_to_num_values", lambda lib, n: n.nan_to_num(nan=0.0, posinf=9.0, neginf=-9.0), NANS)
idiom("nan_to_num_gradient", lambda lib, x: lib.nan_to_num(x.log()), X, grad=True)
idiom("diag_of_vector", lambda lib, x: lib.diag(x[0]), X, grad=True)
idiom("diag_of_vector_offset", lambda lib, x: lib.diag(x[0], -2), X, grad=True)
idiom("diag_of_matrix", lambda lib, s: lib.diag(s), SQ, grad=True)
idiom("diag_of_matrix_offset", lambda lib, s: s.diag(2), SQ, grad=True)
idiom("meshgrid_ij", lambda lib, x: lib.meshgrid(x[0], x[1, :2], indexing="ij"), X, grad=True)
idiom("meshgrid_xy", lambda lib, x: lib.meshgrid(x[0], x[1, :2], indexing="xy"), X, grad=True)
idiom("logspace", lambda lib: lib.logspace(-3, 0, 4))
idiom("logspace_base2", lambda lib: lib.logspace(0, 4, 5, base=2.0))
idiom("unique", lambda lib: lib.unique(lib.tensor([3, 1, 2, 3, 1])))
idiom("unique_inverse_counts", lambda lib: lib.unique(lib.tensor([[3, 1], [2, 3]]), return_inverse=True,
                                                      return_counts=True))
idiom("unique_of_floats", lambda lib, y: y.unique(), np.array([0.5, -1.0, 0.5, 2.0], np.float32))
idiom("dtype_from_uint8_image", lambda lib: lib.tensor(np.array([[0, 128, 255]], np.uint8)).float() / 255)
idiom("dtype_int32", lambda lib: lib.zeros(2, dtype=lib.int32))
idiom("dtype_bool_ones", lambda lib: lib.ones(3, dtype=lib.bool))
idiom("dtype_double_name", lambda lib: lib.zeros(2, dtype=lib.double))
idiom("dtype_float_name", lambda lib: lib.zeros(2, dtype=lib.float))
idiom("dtype_compare", lambda lib, x: x.dtype == lib.float32, X)
idiom("dtype_compare_long", lambda lib, y: y.dtype == lib.int64 and y.dtype == lib.long, Y)
idiom("is_floating_point", lambda lib, x, y: (x.is_floating_point(), y.is_floating_point()), X, Y)
idiom("long_cast", lambda lib, x: (x * 10).long(), X)
idiom("int_cast", lambda lib, x: (x * 10).int(), X)
idiom("bool_cast", lambda lib, x: x.bool(), np.array([0.0, 1.5, -2.0], np.float32))
idiom("double_cast", lambda lib, x: x.double(), X, grad=True)
idiom("float_cast", lambda lib, x: x.float(), X64, grad=True)
idiom("to_dtype", lambda lib, x: x.to(lib.float64), X, grad=True)
idiom("to_other_dtype", lambda lib, x, y: y.to(x.dtype), X, X64)
idiom("type_as", lambda lib, y, x: y.type_as(x), Y, X)
idiom("full_int_is_long", lambda lib: lib.full((2, 3), 7))
idiom("full_float", lambda lib: lib.full((2,), 1.5))
idiom("full_bool", lambda lib: lib.full((2,), True))
idiom("zeros_long", lambda lib: lib.zeros(2, 3, dtype=lib.long))
idiom("arange_int", lambda lib: lib.arange(5))
idiom("arange_float", lambda lib: lib.arange(0.0, 1.0, 0.25))
idiom("arange_start_stop", lambda lib: lib.arange(2, 9, 3))
idiom("linspace", lambda lib: lib.linspace(0, 1, 5))
idiom("eye", lambda lib: lib.eye(3))
idiom("tensor_scalar", lambda lib: lib.tensor(3.5))
idiom("tensor_scalar_item", lambda lib: lib.tensor(3).item())
idiom("randint_shape_dtype", lambda lib: (lib.randint(0, 10, (3, 4)).shape, str(lib.randint(5, (2,)).dtype)[-5:]))
idiom("randperm_is_permutation", lambda lib: lib.randperm(7).sort().values)
idiom("rand_shape_dtype", lambda lib: (lib.rand(2, 3).shape, lib.randn(4).dtype == lib.float32))

# ---------------------------------------------------------------- shapes and views
idiom("size_method", lambda lib, x: x.size(), X)
idiom("size_dim", lambda lib, x: x.size(0), X)
idiom("size_negative_dim", lambda lib, x: x.size(-1), X)
idiom("size_equals_tuple", lambda lib, x: x.size() == (4, 3), X)
idiom("shape_equals_tuple", lambda lib, x: x.shape == (4, 3), X)
idiom("shape_index", lambda lib, x: x.shape[0], X)
idiom("size_unpack", lambda lib, c: tuple(c.size()), C)
idiom("numel", lambda lib, c: c.numel(), C)
idiom("dim", lambda lib, c: c.dim(), C)
idiom("ndim", lambda lib, c: c.ndim, C)
idiom("len", lambda lib, c: len(c), C)
idiom("batch_size_loop", lambda lib, x: sum(x.size(0) for _ in range(3)), X)
idiom("view_flat", lambda lib, x: x.view(-1), X, grad=True)
idiom("view_batch", lambda lib, c: c.view(c.size(0), -1), C, grad=True)
idiom("view_as", lambda lib, x, w: x.view_as(w[:4]), X, W, grad=True)
idiom("reshape_as", lambda lib, x, w: x.reshape_as(w[:4]), X, W, grad=True)
idiom("reshape_args", lambda lib, c: c.reshape(4, 6), C, grad=True)
idiom("flatten_all", lambda lib, c: c.flatten(), C, grad=True)
idiom("flatten_from_1", lambda lib, c: c.flatten(1), C, grad=True)
idiom("flatten_range", lambda lib, c: c.flatten(0, 1), C, grad=True)
idiom("flatten_function", lambda lib, c: lib.flatten(c, 1), C, grad=True)
idiom("flatten_function_range", lambda lib, c: lib.flatten(c, start_dim=1, end_dim=-1), C, grad=True)
idiom("unflatten", lambda lib, c: c.flatten(1).unflatten(1, (3, 4)), C, grad=True)
idiom("unsqueeze", lambda lib, v: v.unsqueeze(0), V, grad=True)
idiom("unsqueeze_last", lambda lib, v: v.unsqueeze(-1), V, grad=True)
idiom("unsqueeze_function", lambda lib, v: lib.unsqueeze(v, 1), V, grad=True)
idiom("squeeze", lambda lib, x: x[:, :1].squeeze(), X, grad=True)
idiom("squeeze_dim", lambda lib, x: x[:1].squeeze(0), X, grad=True)
idiom("squeeze_function", lambda lib, x: lib.squeeze(x[:, 1:2], 1), X, grad=True)
idiom("expand", lambda lib, v: v.unsqueeze(0).expand(3, -1), V, grad=True)
idiom("expand_new_dims", lambda lib, v: v.expand(2, 3, 5), V, grad=True)
idiom("expand_as", lambda lib, b, x: b[:3].unsqueeze(0).expand_as(x), B, X, grad=True)
idiom("repeat", lambda lib, x: x.repeat(2, 1), X, grad=True)
idiom("repeat_more_dims", lambda lib, x: x.repeat(2, 1, 3), X, grad=True)
idiom("repeat_vector", lambda lib, v: v.repeat(3), V, grad=True)
idiom("split_size", lambda lib, out: out.split(4), OUT, grad=True)
idiom("split_sections", lambda lib, out: out.split([1, 3], dim=1), OUT, grad=True)
idiom("split_function", lambda lib, out: lib.split(out, 2, dim=1), OUT, grad=True)
idiom("chunk", lambda lib, out: out.chunk(3), OUT, grad=True)
idiom("chunk_uneven", lambda lib, out: out.chunk(3, dim=1), OUT, grad=True)
idiom("chunk_function", lambda lib, out: lib.chunk(out, 4), OUT, grad=True)
idiom("unbind", lambda lib, x: x.unbind(), X, grad=True)
idiom("unbind_dim1", lambda lib, x: lib.unbind(x, dim=1), X, grad=True)
idiom("t", lambda lib, x: x.t(), X, grad=True)
idiom("T", lambda lib, x: x.T, X, grad=True)
idiom("transpose", lambda lib, c: c.transpose(1, 2), C, grad=True)
idiom("permute", lambda lib, c: c.permute(2, 0, 1), C, grad=True)
idiom("cat", lambda lib, x, p: lib.cat([x, p], dim=1), X, P, grad=True)
idiom("cat_dim0", lambda lib, x, p: lib.cat((x, p)), X, P, grad=True)
idiom("stack", lambda lib, x, p: lib.stack([x, p]), X, P, grad=True)
idiom("stack_dim1", lambda lib, x, p: lib.stack([x, p], dim=1), X, P, grad=True)
idiom("contiguous_view", lambda lib, c: c.transpose(0, 1).contiguous().view(3, -1), C, grad=True)
idiom("zeros_like", lambda lib, x: lib.zeros_like(x), X)
idiom("zeros_like_int", lambda lib, y: lib.zeros_like(y), Y)
idiom("ones_like", lambda lib, x: lib.ones_like(x), X)
idiom("ones_like_dtype", lambda lib, x: lib.ones_like(x, dtype=lib.float64), X)
idiom("full_like", lambda lib, x: lib.full_like(x, 0.5), X)
idiom("empty_like_shape", lambda lib, x: (lib.empty_like(x).shape, lib.empty_like(x).dtype == x.dtype), X)
idiom("rand_like_shape", lambda lib, x: (lib.rand_like(x).shape, bool(((lib.rand_like(x) >= 0) & (lib.rand_like(x) < 1)).all())), X)
idiom("randn_like_shape_dtype", lambda lib, x: (lib.randn_like(x).size(), lib.randn_like(x).dtype == x.dtype), X64)
idiom("new_zeros", lambda lib, x: x.new_zeros(2, 2), X64)
idiom("empty_shape", lambda lib: lib.empty(2, 3).shape)
idiom("new_ones", lambda lib, y: y.new_ones(3), Y)
idiom("new_full", lambda lib, x: x.new_full((2, 2), 0.5), X64)
idiom("new_tensor", lambda lib, x: x.new_tensor([1, 2]), X)
idiom("masked_select", lambda lib, x: x.masked_select(x > 0), X, grad=True)
idiom("Size_numel", lambda lib, c: c.size().numel(), C)


# ---------------------------------------------------------------- in-place operations
def _inplace(op):
    def run(lib, x, *rest):
        y = x.clone()
        result = op(y, *rest)
        return y, result is y
    return run


idiom("iadd", _inplace(lambda y: y.__iadd__(1)), X)
idiom("iadd_statement", lambda lib, x: (lambda y: [y.__iadd__(x), y][1])(x.clone()), X)
idiom("isub", _inplace(lambda y: y.__isub__(0.5)), X)
idiom("imul", _inplace(lambda y: y.__imul__(3)), X)
idiom("itruediv", _inplace(lambda y: y.__itruediv__(4)), X)
idiom("iadd_tensor_broadcast", _inplace(lambda y, b: y.__iadd__(b)), X, X[0])
idiom("add_", _inplace(lambda y: y.add_(2)), X)
idiom("add_alpha_", _inplace(lambda y, p: y.add_(p, alpha=-0.1)), X, P)
idiom("sub_", _inplace(lambda y, p: y.sub_(p)), X, P)
idiom("mul_", _inplace(lambda y: y.mul_(0.9)), X)
idiom("div_", _inplace(lambda y, p: y.div_(p)), X, P)
idiom("zero_", _inplace(lambda y: y.zero_()), X)
idiom("fill_", _inplace(lambda y: y.fill_(0.25)), X)
idiom("copy_", _inplace(lambda y, p: y.copy_(p)), X, P)
idiom("copy_broadcast", _inplace(lambda y, b: y.copy_(b)), X, X[1])
idiom("clamp_", _inplace(lambda y: y.clamp_(-0.5, 0.5)), X)
idiom("clamp_min_only", _inplace(lambda y: y.clamp_(min=0)), X)
idiom("masked_fill_", _inplace(lambda y: y.masked_fill_(y < 0, 0.0)), X)
idiom("scatter_one_hot_", lambda lib, y: lib.zeros(6, 4).scatter_(1, y.unsqueeze(1), 1), Y)
idiom("scatter_add_", _inplace(lambda y: y.scatter_add_(0, y.new_zeros(1, 3).long(), y[:1] * 0 + 1)), X)
idiom("uniform_", lambda lib, x: (lambda y: (y.shape, bool(((y >= -2) & (y < 2)).all())))(x.clone().uniform_(-2, 2)), X)
idiom("normal_", lambda lib, x: (lambda y: (y.shape, y.dtype == x.dtype))(x.clone().normal_(0, 0.01)), X)


def _setitem(index, value):
    def run(lib, x, *rest):
        y = x.clone()
        y[index(lib, y, *rest)] = value(lib, *rest) if callable(value) else value
        return y
    return run


idiom("setitem_mask", _setitem(lambda lib, y: y < 0, 0.0), X)
idiom("setitem_column", _setitem(lambda lib, y: (slice(None), 0), 7.0), X)
idiom("setitem_column_tensor", _setitem(lambda lib, y, v: (slice(None), 0), lambda lib, v: v[:4]), X, V)
idiom("setitem_row", _setitem(lambda lib, y: 1, 1.5), X)
idiom("setitem_index_tensor", _setitem(lambda lib, y, i: i, -1.0), X, np.array([0, 3]))
idiom("setitem_nan_to_zero", _setitem(lambda lib, y: y != y, 0.0), NAN)
idiom("setitem_int", _setitem(lambda lib, y: y < 0, 0), I)
idiom("setitem_labels", _setitem(lambda lib, y, t: (lib.arange(4), t), 0.0), X, Y4)


def manual_sgd(lib, x, y, w):
    """The lecture's gradient-descent loop: with no_grad(): p -= lr * p.grad; p.grad.zero_()."""
    w = w.clone().requires_grad_()
    for _ in range(3):
        loss = ((x @ w.t() - y) ** 2).mean()
        loss.backward()
        with lib.no_grad():
            w -= 0.1 * w.grad
        w.grad.zero_()
    return w.detach(), loss.detach(), w.grad


def manual_sgd_data(lib, x, y, w):
    """The older spelling: p.data -= lr * p.grad.data."""
    w = w.clone().requires_grad_()
    for _ in range(2):
        loss = ((x @ w.t() - y) ** 2).mean()
        w.grad = None
        loss.backward()
        w.data -= 0.1 * w.grad.data
    return w.detach()


def grad_as_tensor(lib, x, w):
    w = w.clone().requires_grad_()
    (x @ w.t()).tanh().sum().backward()
    g = w.grad
    return g.std(), g.abs().max(), g.mean(1), g.shape, g.sum().item() == g.sum().item(), g.requires_grad


def grad_accumulates(lib, x, w):
    w = w.clone().requires_grad_()
    (x @ w.t()).sum().backward()
    (x @ w.t()).sum().backward()
    return w.grad


def grad_zero_then_step(lib, x, w):
    w = w.clone().requires_grad_()
    (x @ w.t()).pow(2).sum().backward()
    g = w.grad.clone()
    w.grad.zero_()
    return g, w.grad


def leaf_inplace_refused(lib, w):
    w = w.clone().requires_grad_()
    try:
        w += 1
    except RuntimeError:
        return "refused"
    return "allowed"


def tensor_copies(lib, x):
    a = x.numpy().copy()
    t = lib.tensor(a)
    a[0, 0] = 99.0
    return t


def from_numpy_shares(lib, x):
    a = x.numpy().copy()
    t = lib.from_numpy(a)
    a[0, 0] = 99.0
    return t


def set_grad_and_read(lib, w):
    w = w.clone().requires_grad_()
    w.grad = lib.ones_like(w)
    return w.grad


def modified_after_use(lib, x, w):
    w, x = w.clone().requires_grad_(), x.clone()
    y = (w * x).sum()
    x += 1
    try:
        y.backward()
    except RuntimeError:
        return "refused"
    return "allowed"


def updated_between_backwards(lib, w):
    w = w.clone().requires_grad_()
    loss = (w * w).sum()
    loss.backward(retain_graph=True)
    with lib.no_grad():
        w -= 0.1 * w.grad
    try:
        loss.backward()
    except RuntimeError:
        return "refused"
    return "allowed"


def update_after_backward_is_fine(lib, x, w):
    w = w.clone().requires_grad_()
    for _ in range(2):
        (w * x).sum().backward()
        with lib.no_grad():
            w -= 0.1 * w.grad
    return w.detach(), w.grad


idiom("saved_input_modified_in_place", modified_after_use, X[0], W[0])
idiom("parameter_updated_between_backwards", updated_between_backwards, W)
idiom("update_after_backward", update_after_backward_is_fine, X[0], W[0])
idiom("manual_sgd_no_grad", manual_sgd, X, X[:, :1] * 2 - 1, W[:1])
idiom("manual_sgd_data", manual_sgd_data, X, X[:, :1] * 2 - 1, W[:1])
idiom("grad_is_tensor", grad_as_tensor, X, W)
idiom("grad_accumulates", grad_accumulates, X, W)
idiom("grad_zero_", grad_zero_then_step, X, W)
idiom("leaf_inplace_refused", leaf_inplace_refused, W)
idiom("tensor_copies", tensor_copies, X)
idiom("from_numpy_shares", from_numpy_shares, X)
idiom("set_grad", set_grad_and_read, W)
idiom("detach_numpy", lambda lib, x: (x * 2).detach().numpy(), X, grad=False)
idiom("detach_cpu_numpy", lambda lib, x: x.detach().cpu().numpy(), X)
idiom("numpy_asarray", lambda lib, x: np.asarray(x), X)
idiom("tolist", lambda lib, x: x.tolist(), I)
idiom("item_float", lambda lib, x: x[0, 0].item(), X)
idiom("float_of_tensor", lambda lib, x: float(x.sum()), X)
idiom("int_of_tensor", lambda lib, i: int(i[0, 0]), I)
idiom("format_loss", lambda lib, x: f"loss {x.mean():.4f} max {x.max():.2e}", X)
idiom("format_plain", lambda lib, x: f"{x.sum()}"[:7], X)
idiom("tensor_as_list_index", lambda lib, y: ["a", "b", "c", "d"][y[2]], Y)
idiom("contains", lambda lib, y: (3 in y, 7 in y), Y)
idiom("hash_identity", lambda lib, x, w: len({x: 1, w: 2, x.clone(): 3}), X, W)
idiom("tensor_in_list", lambda lib, x, w: len([t for t in [x, w] if t is w]), X, W)
idiom("np_exp_of_tensor", lambda lib, x: np.exp(x), X)


# ---------------------------------------------------------------- devices, modes, threads
def device_idiom(lib, x):
    device = lib.device("cuda" if lib.cuda.is_available() else "cpu")
    y = x.to(device)
    return y, str(device), str(y.device), lib.cuda.is_available()


def inference_context(lib, x):
    x = x.clone().requires_grad_()
    with lib.inference_mode():
        y = x * 2
    return y.requires_grad, lib.is_grad_enabled()


def inference_decorator(lib, x):
    @lib.inference_mode()
    def predict(v):
        return (v * 2).requires_grad
    return predict(x.clone().requires_grad_())


def no_grad_decorator(lib, x):
    @lib.no_grad()
    def predict(v):
        return (v * 2).requires_grad
    return predict(x.clone().requires_grad_())


def set_grad_enabled_idiom(lib, x):
    x = x.clone().requires_grad_()
    with lib.set_grad_enabled(False):
        a = (x * 2).requires_grad
    with lib.set_grad_enabled(True):
        b = (x * 2).requires_grad
    return a, b


def threads(lib):
    n = lib.get_num_threads()
    lib.set_num_threads(1)
    one = lib.get_num_threads()
    lib.set_num_threads(n)
    return one, isinstance(n, int)


idiom("device_select", device_idiom, X)
idiom("to_cpu", lambda lib, x: x.to("cpu"), X, grad=True)
idiom("cpu", lambda lib, x: x.cpu(), X, grad=True)
idiom("to_device_and_dtype", lambda lib, x: x.to("cpu", lib.float64), X, grad=True)
idiom("to_keyword_device", lambda lib, x: x.to(device="cpu"), X)
idiom("zeros_on_device", lambda lib: lib.zeros(2, device="cpu"))
idiom("tensor_on_device", lambda lib: lib.tensor([1.0, 2.0], device=lib.device("cpu")))
idiom("device_equality", lambda lib, x: x.device == lib.device("cpu"), X)
idiom("device_never_equals_a_string", lambda lib, x: (x.device == "cpu", x.device != "cpu"), X)
idiom("is_cuda", lambda lib, x: x.is_cuda, X)
idiom("cuda_device_count", lambda lib: lib.cuda.device_count())
idiom("inference_mode_context", inference_context, X)
idiom("inference_mode_decorator", inference_decorator, X)
idiom("no_grad_decorator", no_grad_decorator, X)
idiom("set_grad_enabled", set_grad_enabled_idiom, X)
idiom("set_num_threads", threads)


# the new gates in float64 as well
W64 = W.astype(np.float64)
idiom("prod_float64", lambda lib, x: x.prod(1), X64, grad=True)
idiom("cumsum_float64", lambda lib, x: x.cumsum(0), X64, grad=True)
idiom("logsumexp_float64", lambda lib, x: x.logsumexp(1), X64, grad=True)
idiom("norm_float64", lambda lib, x: x.norm(dim=0), X64, grad=True)
idiom("einsum_float64", lambda lib, x, w: lib.einsum("ij,kj->ik", x, w), X64, W64, grad=True)
idiom("gather_float64", lambda lib, x, i: x.gather(1, i), X64, np.array([[2], [0], [1], [1]]), grad=True)
idiom("scatter_add_float64", lambda lib, x: x.scatter_add(0, lib.tensor([[3, 3, 0]]), x[:1]), X64, grad=True)
idiom("expand_float64", lambda lib, x: x[:1].expand(4, 3), X64, grad=True)
idiom("sort_float64", lambda lib, x: x.sort(0), X64, grad=True)
idiom("max_dim_float64", lambda lib, x: x.max(1), X64, grad=True)


@pytest.mark.parametrize("name", list(IDIOMS))
def test_idiom(name):
    fn, arrays, grad, tolerances = IDIOMS[name]
    compare(fn, *arrays, grad=grad, **tolerances)


def _grow_graph_output(lib, x):
    h = x * 2
    h += 1
    return h


def _write_grad_into_constant(lib, x):
    y = lib.zeros(4, 3)
    y += x
    return y


NOT_SUPPORTED = [
    ("inplace_on_gate_output", lambda lib, x: _grow_graph_output(lib, x.requires_grad_()), [X], RuntimeError,
     "cannot modify the output of the mul gate in place"),
    ("inplace_grad_into_constant", lambda lib, x: _write_grad_into_constant(lib, x.requires_grad_()), [X],
     RuntimeError, "writing a tensor that requires grad into one that does not"),
    ("to_cuda", lambda lib, x: x.to("cuda"), [X], RuntimeError, "cuda"),
    ("tensor_cuda", lambda lib, x: x.cuda(), [X], RuntimeError, "cuda"),
    ("zeros_on_cuda", lambda lib, x: lib.zeros(2, device="cuda:0"), [X], RuntimeError, "cuda"),
    ("floor_divide_backward", lambda lib, x: (x.requires_grad_() // 2).sum().backward(), [X], RuntimeError,
     "no derivative"),
    ("einsum_ellipsis", lambda lib, c, d: lib.einsum("...ij,...jk->...ik", c, d), [C, D], ValueError, "ellipsis"),
    ("einsum_diagonal", lambda lib, x: lib.einsum("ii->i", x), [X[:3]], ValueError, "diagonal"),
    ("scatter_reduce_multiply", lambda lib, x: x.scatter_(0, lib.zeros(1, 3, dtype=lib.long), 2.0, reduce="multiply"),
     [X], NotImplementedError, "reduce= is not supported"),
    ("np_function_on_grad_tensor", lambda lib, x: np.arctan2(x.requires_grad_(), x), [X], TypeError,
     "would drop its gradient"),
    ("np_mean_on_grad_tensor", lambda lib, x: np.mean(x.requires_grad_()), [X], TypeError, "use tg.mean"),
    ("legacy_Tensor_sizes", lambda lib, x: lib.Tensor(3, 4), [X], TypeError, "legacy Tensor\\(sizes...\\)"),
    ("data_is_an_array", lambda lib, x: x.data.zero_(), [X], AttributeError, "zero_"),
]


@pytest.mark.parametrize("name, fn, arrays, error, match", NOT_SUPPORTED, ids=[n[0] for n in NOT_SUPPORTED])
def test_not_supported(name, fn, arrays, error, match):
    check_not_supported(fn, arrays, error, match)


def test_pytorch_names_tensorgate_lacks_say_they_are_not_supported():
    """A name of PyTorch's (torch, torch.nn, torch.nn.functional) that tensorgate does not have raises an
    AttributeError that says so (hasattr stays False); each listed name is PyTorch's and none tensorgate's, and
    every public name of torch.nn and torch.nn.functional is either tensorgate's or listed."""
    import torch
    import torch.nn.functional as TF

    import tensorgate as tg
    import tensorgate.nn.functional as F
    from tensorgate.nn import unsupported

    for ours, theirs, path, names in ((tg, torch, "torch", unsupported.TOP_LEVEL),
                                      (tg.nn, torch.nn, "torch.nn", unsupported.NN),
                                      (F, TF, "torch.nn.functional", unsupported.NN_FUNCTIONAL)):
        for name in sorted(names):
            assert hasattr(theirs, name), name
            assert not hasattr(ours, name), name
            with pytest.raises(AttributeError, match=rf"{path}\.{name} is not supported by tensorgate"):
                getattr(ours, name)
        with pytest.raises(AttributeError, match="no attribute 'no_such_name'$"):
            getattr(ours, "no_such_name")
    internal = {"boolean_dispatch", "handle_torch_function", "has_torch_function", "has_torch_function_unary",
                "has_torch_function_variadic", "assert_int_or_pair"}
    for name in dir(torch.nn):
        if not name.startswith("_") and name[0].isupper():
            assert hasattr(tg.nn, name) or name in unsupported.NN, name
    for name in dir(TF):
        if not name.startswith("_") and name[0].islower() and callable(getattr(TF, name)) and name not in internal:
            assert hasattr(F, name) or name in unsupported.NN_FUNCTIONAL, name
