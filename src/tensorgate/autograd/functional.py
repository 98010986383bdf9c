"""``tg.autograd.functional``: Jacobians and Hessians of Python functions of tensors (PyTorch's names).

:func:`jacobian` is exact: one backward pass per output element, each seeded with a one-hot gradient (the
rows of J are vector-Jacobian products eᵢᵀJ). :func:`hessian` is the Jacobian of the gradient; since
tensorgate's gradients are arrays, not graphs (no ``create_graph``), it is computed by **central differences
of exact gradients**, column by column: H[:, j] ≈ (∇f(x + h eⱼ) − ∇f(x − h eⱼ)) / 2h. That is exact for
quadratic functions (whose gradient is linear) up to rounding, and otherwise accurate to O(h²) with
h = ε^(1/3)·max(1, |xⱼ|): about 1e-10 relative in float64 and 1e-4 in float32 (use float64 where it matters).
"""
import numpy as np

from . import grad_mode
from .gradients import grad
from .tensor import Tensor

__all__ = ["jacobian", "hessian"]


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


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
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


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
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
