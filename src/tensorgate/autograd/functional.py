"""``tg.autograd.functional``: Jacobians and Hessians of Python functions of tensors (PyTorch's names).

:func:`vjp` (vᵀJ, one backward pass) and :func:`jvp` (J v, from the exact Jacobian) are exact too; :func:`hvp`
and :func:`vhp` (H v) are one central difference of exact gradients along v, like :func:`hessian`.

:func:`jacobian` is exact: one backward pass per output element, each seeded with a one-hot gradient (the
rows of J are vector-Jacobian products eᵢᵀJ). :func:`hessian` is the Jacobian of the gradient; since
tensorgate's gradients are arrays, not graphs (no ``create_graph``), it is computed by **central differences
of exact gradients**, column by column: H[:, j] ≈ (∇f(x + h eⱼ) − ∇f(x − h eⱼ)) / 2h. That is exact for
quadratic functions (whose gradient is linear) up to rounding, and otherwise accurate to O(h²) with
h = ε^(1/3)·max(1, |xⱼ|): about 1e-10 relative in float64 and 1e-4 in float32 (use float64 where it matters).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from . import grad_mode
from .gradients import grad
from .tensor import Tensor

if TYPE_CHECKING:
    from typing import Callable

    from .tensor import TensorLike

__all__ = ["jacobian", "hessian", "vjp", "jvp", "hvp", "vhp"]


def _inputs(fn, inputs):
    single = isinstance(inputs, Tensor)
    items = (inputs,) if single else tuple(inputs) if isinstance(inputs, (list, tuple)) else None
    if items is None or not all(isinstance(x, Tensor) for x in items):
        raise TypeError(f"{fn}: inputs must be a Tensor or a tuple of Tensors, got {type(inputs).__name__}")
    for i, x in enumerate(items):
        if x.dtype.kind != "f":
            raise TypeError(f"{fn}: input {i} must be floating point to be differentiated, got dtype {x.dtype}")
    return items, single


def _check_options(fn, create_graph, strategy, vectorize):
    if create_graph:
        raise NotImplementedError(f"{fn}: create_graph=True is not supported (tensorgate's gradients are arrays, "
                                  "not graphs that could be differentiated again)")
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError(f"{fn}: strategy must be 'reverse-mode' or 'forward-mode', got {strategy!r}")
    if strategy == "forward-mode" and not vectorize:
        raise ValueError(f"{fn}: strategy='forward-mode' needs vectorize=True (as in PyTorch)")


def _leaves(items):
    """Fresh leaves sharing each input's values, so that the function's graph starts at them."""
    return tuple(Tensor._make(x.data, True, None) for x in items)


def jacobian(func: Callable[..., Any], inputs: Tensor | tuple[Tensor, ...], create_graph: bool = False,
             strict: bool = False, vectorize: bool = False, strategy: str = "reverse-mode") -> Any:
    """The Jacobian of ``func`` at ``inputs``: J[o][i] = ∂outputs[o] / ∂inputs[i], exactly.

    One backward pass per output element (seeded with a one-hot gradient); ``vectorize`` and
    ``strategy='forward-mode'`` are accepted and give the same result the same way (they are speed options
    in PyTorch). The inputs are not changed and their ``.grad`` is not touched.

    Parameters
    ----------
    func : callable
        Takes the input tensors and returns a Tensor or a tuple of Tensors.
    inputs : Tensor or tuple of Tensor
    strict : bool
        Raise if an output does not depend on an input (otherwise that block is zeros, as PyTorch).
    create_graph : bool
        ``True`` raises NotImplementedError (no higher-order derivatives).

    Returns
    -------
    Tensor, or a tuple (one per input, or one per output), or a tuple of tuples (outputs × inputs), nested as
    PyTorch nests them.

    Shape
    -----
    block [o][i]: outputs[o].shape + inputs[i].shape.

    Examples
    --------
    >>> import tensorgate as tg
    >>> x = tg.tensor([1.0, 2.0, 3.0])
    >>> tg.autograd.functional.jacobian(lambda x: x ** 2, x).tolist()    # diag(2x)
    [[2.0, 0.0, 0.0], [0.0, 4.0, 0.0], [0.0, 0.0, 6.0]]
    """
    fn = "jacobian"
    _check_options(fn, create_graph, strategy, vectorize)
    items, single_input = _inputs(fn, inputs)
    leaves = _leaves(items)
    with grad_mode.enable_grad():
        result = func(*leaves)
    single_output = isinstance(result, Tensor)
    outputs = (result,) if single_output else tuple(result) if isinstance(result, (list, tuple)) else None
    if outputs is None or not all(isinstance(o, Tensor) for o in outputs):
        raise TypeError(f"{fn}: func must return a Tensor or a tuple of Tensors, got {type(result).__name__}")
    blocks = []
    for o, out in enumerate(outputs):
        rows = [np.zeros((out.data.size,) + x.shape, dtype=x.dtype) for x in items]
        if out.requires_grad:
            seed = np.zeros(out.shape, dtype=out.dtype)
            flat = seed.reshape(-1)
            for k in range(out.data.size):
                flat[k] = 1
                grads = grad(out, leaves, grad_outputs=seed, retain_graph=True, allow_unused=True)
                flat[k] = 0
                for i, g in enumerate(grads):
                    if g is not None:
                        rows[i][k] = g.data
                    elif strict:
                        raise RuntimeError(f"{fn}: output {o} does not depend on input {i} (strict=True)")
        elif strict:
            raise RuntimeError(f"{fn}: output {o} does not depend on the inputs (strict=True)")
        blocks.append(tuple(Tensor._make(r.reshape(out.shape + x.shape), False, None)
                            for r, x in zip(rows, items)))
    return _nest(blocks, single_input, single_output)


def _nest(blocks, single_input, single_output):
    if single_input:
        blocks = [b[0] for b in blocks]
    else:
        blocks = [tuple(b) for b in blocks]
    return blocks[0] if single_output else tuple(blocks)


def hessian(func: Callable[..., Any], inputs: Tensor | tuple[Tensor, ...], create_graph: bool = False,
            strict: bool = False, vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """The Hessian of a scalar ``func`` at ``inputs``, H[i][j] = ∂²f / ∂inputs[i] ∂inputs[j].

    **Computed by central differences of exact gradients**, not symbolically (tensorgate's gradients cannot be
    differentiated again): column j is (∇f(x + h eⱼ) − ∇f(x − h eⱼ)) / 2h with h = ε^(1/3)·max(1, |xⱼ|), ε the
    dtype's machine epsilon. Exact up to rounding (about ε/h ≈ 1e-10 relative in float64) when f is quadratic (∇f linear, e.g.
    vᵀAv, whose Hessian is A + Aᵀ); otherwise the error is O(h²): about 1e-10 relative in float64 and 1e-4 in float32, so
    compute in float64 when you need many digits. PyTorch's result is exact; the difference is within those
    bounds. Two forward and backward passes per input element.

    Parameters
    ----------
    func : callable
        Takes the input tensors and returns a Tensor with a single element.
    inputs : Tensor or tuple of Tensor
    strict : bool
        Raise if f does not depend on an input.
    create_graph : bool
        ``True`` raises NotImplementedError.

    Returns
    -------
    Tensor (one input) or a tuple of tuples H[i][j] (several inputs).

    Shape
    -----
    H[i][j]: inputs[i].shape + inputs[j].shape.

    Examples
    --------
    >>> import tensorgate as tg
    >>> A = tg.tensor([[2.0, 1.0], [0.0, 3.0]], dtype="float64")
    >>> v = tg.tensor([1.0, -1.0], dtype="float64")
    >>> H = tg.autograd.functional.hessian(lambda v: v @ A @ v, v)      # A + Aᵀ, to about 1e-10
    >>> [[round(h, 8) for h in row] for row in H.tolist()]
    [[4.0, 1.0], [1.0, 6.0]]
    """
    fn = "hessian"
    _check_options(fn, create_graph, outer_jacobian_strategy, vectorize)
    items, single_input = _inputs(fn, inputs)

    def gradients(arrays):
        leaves = tuple(Tensor._make(a, True, None) for a in arrays)
        with grad_mode.enable_grad():
            out = func(*leaves)
        if not isinstance(out, Tensor) or out.data.size != 1:
            raise RuntimeError(f"{fn}: func must return a Tensor with a single element, got "
                               f"{getattr(out, 'shape', type(out).__name__)}")
        if not out.requires_grad:
            if strict:
                raise RuntimeError(f"{fn}: the output does not depend on the inputs (strict=True)")
            return [np.zeros_like(a) for a in arrays]
        grads = grad(out.reshape(()) if out.ndim else out, leaves, allow_unused=True)
        for i, g in enumerate(grads):
            if g is None and strict:
                raise RuntimeError(f"{fn}: the output does not depend on input {i} (strict=True)")
        return [np.zeros_like(a) if g is None else g.data for a, g in zip(arrays, grads)]

    base = [np.array(x.data) for x in items]
    blocks = [[np.zeros((y.data.size,) + x.shape, dtype=x.dtype) for y in items] for x in items]
    for j, xj in enumerate(base):
        flat = xj.reshape(-1)
        eps = float(np.finfo(xj.dtype).eps)
        for k in range(flat.size):
            original = flat[k]
            h = eps ** (1.0 / 3.0) * max(1.0, abs(float(original)))
            flat[k] = original + h
            step_up = float(flat[k]) - float(original)         # the step actually representable
            up = gradients([a.copy() for a in base])
            flat[k] = original - h
            step_down = float(original) - float(flat[k])
            down = gradients([a.copy() for a in base])
            flat[k] = original
            for i in range(len(base)):                          # column (j, k) of block H[i][j]
                column = (up[i] - down[i]) / (step_up + step_down)
                blocks[i][j][k] = column                              # ∂(∇_i f)/∂x_jk, shape of x_i
    # blocks[i][j][k] holds ∂(∇f)_i/∂(x_j)_k with x_i's shape: move k behind i's axes
    result = []
    for i, x in enumerate(items):
        row = []
        for j, y in enumerate(items):
            b = blocks[i][j].reshape((y.data.size,) + x.shape)
            b = np.moveaxis(b, 0, -1).reshape(x.shape + y.shape)
            row.append(Tensor._make(np.ascontiguousarray(b, dtype=x.dtype), False, None))
        result.append(tuple(row))
    return result[0][0] if single_input else tuple(result)


def _vectors(fn, v, like, what):
    """``v`` as arrays matching the tensors ``like`` (one Tensor or a tuple), or ones for single elements."""
    if v is None:
        if all(t.data.size == 1 for t in like):
            return [np.ones_like(t.data) for t in like]
        raise RuntimeError(f"{fn}: v must be given unless the {what} have a single element each")
    vs = (v,) if isinstance(v, Tensor) or not isinstance(v, (list, tuple)) else tuple(v)
    if len(vs) != len(like):
        raise ValueError(f"{fn}: v has {len(vs)} entries but there are {len(like)} {what}")
    arrays = []
    for i, (a, t) in enumerate(zip(vs, like)):
        a = np.asarray(a.data if isinstance(a, Tensor) else a, dtype=t.dtype)
        if a.shape != t.shape:
            raise ValueError(f"{fn}: v[{i}] has shape {a.shape} but the {what}[{i}] has shape {tuple(t.shape)}")
        arrays.append(a)
    return arrays


def _out(arrays, single):
    tensors = tuple(Tensor._make(np.ascontiguousarray(a), False, None) for a in arrays)
    return tensors[0] if single else tensors


def vjp(func: Callable[..., Any], inputs: Tensor | tuple[Tensor, ...],
        v: TensorLike | tuple[TensorLike, ...] | None = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """(func(inputs), vᵀ J): the vector-Jacobian product, exactly, in one backward pass (PyTorch's ``vjp``).

    Shape: v: the outputs' shapes (may be None for a single-element output); result[1]: the inputs' shapes.

    Examples
    --------
    >>> import tensorgate as tg
    >>> out, g = vjp(lambda x: x ** 2, tg.tensor([1.0, 2.0]), v=tg.tensor([1.0, 1.0]))
    >>> g.tolist()
    [2.0, 4.0]
    """
    fn = "vjp"
    _check_options(fn, create_graph, "reverse-mode", False)
    items, single_input = _inputs(fn, inputs)
    leaves = _leaves(items)
    with grad_mode.enable_grad():
        result = func(*leaves)
    single_output = isinstance(result, Tensor)
    outputs = (result,) if single_output else tuple(result)
    vs = _vectors(fn, v, outputs, "outputs")
    used = [o for o in outputs if o.requires_grad]
    grads = [None] * len(leaves)
    if used:
        grads = list(grad(used, leaves, grad_outputs=[Tensor._make(a, False, None) for a, o in zip(vs, outputs)
                                                      if o.requires_grad], allow_unused=True))
    for i, g in enumerate(grads):
        if g is None and strict:
            raise RuntimeError(f"{fn}: the outputs do not depend on input {i} (strict=True)")
    arrays = [np.zeros_like(x.data) if g is None else g.data for x, g in zip(items, grads)]
    detached = tuple(Tensor._make(o.data, False, None) for o in outputs)
    return (detached[0] if single_output else detached), _out(arrays, single_input)


def jvp(func: Callable[..., Any], inputs: Tensor | tuple[Tensor, ...],
        v: TensorLike | tuple[TensorLike, ...] | None = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """(func(inputs), J v): the Jacobian-vector product, exactly (from :func:`jacobian`: one backward pass per
    output element, where PyTorch uses its double-backward trick).

    Shape: v: the inputs' shapes (may be None for single-element inputs); result[1]: the outputs' shapes.

    Examples
    --------
    >>> import tensorgate as tg
    >>> out, jv = jvp(lambda x: x ** 2, tg.tensor([1.0, 2.0]), v=tg.tensor([1.0, 0.5]))
    >>> jv.tolist()
    [2.0, 2.0]
    """
    fn = "jvp"
    _check_options(fn, create_graph, "reverse-mode", False)
    items, single_input = _inputs(fn, inputs)
    vs = _vectors(fn, v, items, "inputs")
    with grad_mode.no_grad():
        result = func(*items)
    single_output = isinstance(result, Tensor)
    outputs = (result,) if single_output else tuple(result)
    J = jacobian(func, tuple(items), strict=strict)          # always nested outputs × inputs here
    J = (J,) if single_output else J
    products = []
    for out, row in zip(outputs, J):
        total = np.zeros(out.shape, dtype=out.dtype)
        for block, x, vec in zip(row, items, vs):
            total += np.tensordot(block.data, vec, axes=x.ndim) if x.ndim else block.data * vec
        products.append(total)
    detached = tuple(Tensor._make(o.data, False, None) for o in outputs)
    return (detached[0] if single_output else detached), _out(products, single_output)


def hvp(func: Callable[..., Any], inputs: Tensor | tuple[Tensor, ...],
        v: TensorLike | tuple[TensorLike, ...] | None = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """(func(inputs), H v) for a scalar func: **one central difference of exact gradients along v**,
    (∇f(x + h v) − ∇f(x − h v)) / 2h with h = ε^(1/3)·max(1, |x|)/max(|v|) (see :func:`hessian` for the accuracy).

    Shape: v: the inputs' shapes; result[1]: the inputs' shapes.

    Examples
    --------
    >>> import tensorgate as tg
    >>> out, hv = hvp(lambda x: (x ** 2).sum(), tg.tensor([1.0, 2.0], dtype="float64"), v=tg.tensor([1.0, 0.0], dtype="float64"))
    >>> [round(a, 6) for a in hv.tolist()]
    [2.0, 0.0]
    """
    fn = "hvp"
    _check_options(fn, create_graph, "reverse-mode", False)
    items, single_input = _inputs(fn, inputs)
    vs = _vectors(fn, v, items, "inputs")
    with grad_mode.no_grad():
        out = func(*items)
    if not isinstance(out, Tensor) or out.data.size != 1:
        raise RuntimeError(f"{fn}: func must return a Tensor with a single element")
    scale = max(max((float(np.abs(a).max()) if a.size else 0.0) for a in vs), 1e-300)
    size = max(max((float(np.abs(x.data).max()) if x.data.size else 0.0) for x in items), 1.0)
    h = float(np.finfo(items[0].dtype).eps) ** (1.0 / 3.0) * size / scale

    def gradients(sign):
        leaves = tuple(Tensor._make((x.data + sign * h * a).astype(x.dtype), True, None) for x, a in zip(items, vs))
        with grad_mode.enable_grad():
            y = func(*leaves)
        if not y.requires_grad:
            return [np.zeros_like(x.data) for x in items]
        gs = grad(y, leaves, allow_unused=True)
        for i, g in enumerate(gs):
            if g is None and strict:
                raise RuntimeError(f"{fn}: the output does not depend on input {i} (strict=True)")
        return [np.zeros_like(x.data) if g is None else g.data for x, g in zip(items, gs)]

    up, down = gradients(1.0), gradients(-1.0)
    products = [((u - d) / (2.0 * h)).astype(x.dtype) for u, d, x in zip(up, down, items)]
    return Tensor._make(out.data, False, None), _out(products, single_input)


def vhp(func: Callable[..., Any], inputs: Tensor | tuple[Tensor, ...],
        v: TensorLike | tuple[TensorLike, ...] | None = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """(func(inputs), vᵀ H) for a scalar func; the Hessian of a twice continuously differentiable f is
    symmetric, so this is :func:`hvp` (central differences of exact gradients).

    Shape: v: the inputs' shapes; result[1]: the inputs' shapes.

    Examples
    --------
    >>> import tensorgate as tg
    >>> out, vh = vhp(lambda x: (x ** 3).sum(), tg.tensor([1.0], dtype="float64"), v=tg.tensor([1.0], dtype="float64"))
    >>> round(vh.item(), 6)
    6.0
    """
    return hvp(func, inputs, v=v, create_graph=create_graph, strict=strict)
