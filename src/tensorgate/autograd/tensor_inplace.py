"""In-place operations on a Tensor: ``+=``, ``add_``, ``zero_``, ``copy_``, ``x[mask] = 0``, ...

They write into the tensor's own array, so every view of it (``from_numpy``, ``.grad`` of a parameter, a
slice of a batch) sees the change, as in PyTorch. No graph is recorded for them, so two cases are refused
with PyTorch's error rather than risk a wrong gradient:

* a leaf that requires grad, while gradients are recorded (``with tg.no_grad():`` makes it legal, which is
  how a manual update ``p -= lr * p.grad`` is written);
* the output of a gate while gradients are recorded: backward may still need its values. PyTorch rebases
  the graph onto the in-place op; tensorgate does not (write ``h = h + b`` instead).

Every in-place change increments ``_version`` (PyTorch's ``t._version``) and stamps the tensor with a global
clock; a gate remembers the clock when it ran, and its backward refuses, as PyTorch's version counter does,
if one of its inputs was written in place since (it may have saved the old values). Unlike PyTorch, this
also refuses for gates that saved nothing (add, reshape), and it does not see writes through a view.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import weakref

import numpy as np

from ..backend import devices as D
from ..backend import ops
from ..backend import random as _random
from . import grad_mode

if TYPE_CHECKING:
    from numpy.typing import NDArray
    from typing_extensions import Self

    from .gate import Gate
    from .tensor import Tensor, TensorLike


def _array(value):
    """The array (or number) underneath ``value``, which may be a Tensor."""
    return value.data if hasattr(value, "_requires_grad") else value


def _shape(value):
    value = _array(value)
    return tuple(value.shape) if hasattr(value, "shape") else np.shape(value)


# ---- the same writes on another device -----------------------------------------------------------------
# NumPy writes with ufuncs' out= and casting rules; the standard has neither, but its arrays take in-place
# operators (a += b) and writes through an index (a[...] = b), which is what the device versions use.

_SAME_KIND = {"b": "b", "u": "bu", "i": "bui", "f": "buif"}     # what NumPy's casting="same_kind" lets in


def _device_operand(a, value, op, cast="same_kind"):
    """value (a tensor's array, an array, a list or a number) on a's device, in a's dtype; with
    ``cast="same_kind"`` only where NumPy's rule for the in-place ufunc would allow it."""
    v = _array(value)
    if cast == "same_kind" and v is not value and v.__class__ is not a.__class__:
        D.namespace(a, v)      # a tensor on another device: the error names both (copy_ moves it instead)
    v = D.to_device(np.asarray(v) if not hasattr(v, "shape") or isinstance(v, np.generic) else v,
                    *D.device_of(a))
    if cast == "same_kind" and D.kind(v.dtype) not in _SAME_KIND[D.kind(a.dtype)]:
        raise TypeError(f"Cannot cast {op} output from {D.numpy_dtype(v.dtype)} to {D.numpy_dtype(a.dtype)} with "
                        "casting rule 'same_kind'")
    xp = D.namespace(a)
    return v if v.dtype == a.dtype else xp.astype(v, a.dtype)


def _scalar_like(a, value):
    """A Python number of a's kind (the standard writes only a matching kind of number into an array)."""
    value = D.to_numpy(value).item() if hasattr(value, "shape") else value
    return {"b": bool, "u": int, "i": int}.get(D.kind(a.dtype), float)(value)


class _Clock:
    value = 0


#: counts in-place writes; ``Gate.apply`` stores its value in each gate it records
clock = _Clock()
#: id(tensor) → (weak reference, clock value of its last in-place write), for tensors written in place only
#: (keyed by id: a WeakKeyDictionary would compare tensors with ==, which is elementwise)
_stamps: dict[int, tuple[weakref.ref[Any], int]] = {}


def _stamp(t):
    key = id(t)
    entry = _stamps.get(key)
    if entry is None or entry[0]() is not t:
        ref = weakref.ref(t, lambda _, key=key: _stamps.pop(key, None))  # type: ignore[misc]
    else:
        ref = entry[0]
    _stamps[key] = (ref, clock.value)


def _stamp_of(t):
    entry = _stamps.get(id(t))
    return entry[1] if entry is not None and entry[0]() is t else 0


def check_unmodified(gate: Gate) -> None:
    """Raise PyTorch's version-counter error if an input of ``gate`` was written in place after its forward."""
    for i, t in enumerate(gate.inputs):
        if _stamp_of(t) > gate.clock:
            raise RuntimeError(
                f"one of the variables needed for gradient computation has been modified by an inplace "
                f"operation: input {i} of the {gate.name} gate, of shape {t.shape}, was written in place after "
                f"the gate used it (now at version {t._version}). Write the change out of place (y = x + 1), "
                "or modify it only after backward")


class InPlaceMixin:
    """The in-place half of :class:`~tensorgate.autograd.tensor.Tensor` (see the module docstring)."""

    __slots__ = ()

    if TYPE_CHECKING:   # what Tensor, the class this one is mixed into, provides
        data: NDArray[Any]
        _requires_grad: bool
        _gate: Gate | None
        _version: int

        @property
        def shape(self) -> tuple[int, ...]: ...
        @property
        def dtype(self) -> np.dtype[Any]: ...
        @classmethod
        def _make(cls, data: NDArray[Any], requires_grad: bool, gate: Gate | None) -> Tensor: ...

    def _check_inplace(self, op, operands=()):
        """Raise where writing into this tensor would corrupt a graph, as PyTorch does."""
        if not grad_mode.state.grad_enabled:
            return
        if self._gate is not None:
            raise RuntimeError(
                f"{op}: cannot modify the output of the {self._gate.name} gate in place while gradients are "
                "recorded (backward may need its old values); write h = h + x instead of h += x, or use "
                ".detach() / .clone() first")
        if self._requires_grad:
            raise RuntimeError(
                f"{op}: a leaf Variable that requires grad is being used in an in-place operation; "
                "wrap the update in `with tg.no_grad():` (e.g. p -= lr * p.grad)")
        for x in operands:
            if getattr(x, "_requires_grad", False):
                raise RuntimeError(
                    f"{op}: writing a tensor that requires grad into one that does not is not supported in "
                    "place (PyTorch would record it in the graph); write y = y + x instead")

    def _write(self, op, fn, *operands):
        """Run ``fn(array)``, which modifies this tensor's array in place, after the checks; return self."""
        self._check_inplace(op, operands)
        if isinstance(self.data, np.generic):   # a gate's 0-d result may be a NumPy scalar
            self.data = np.asarray(self.data)
        try:
            fn(self.data)
        except (TypeError, ValueError) as e:   # NumPy's casting and broadcasting errors, named for the user
            shapes = ", ".join(str(_shape(x)) for x in operands)
            raise type(e)(f"{op}: cannot write into a tensor of shape {self.shape} and dtype {self.dtype} "
                          f"from operands of shape {shapes}: {e}") from None
        self._version += 1  # type: ignore[misc]  # Tensor's slot
        clock.value += 1
        _stamp(self)
        return self

    # ---------------------------------------------------------------- arithmetic
    def add_(self, other: TensorLike, *, alpha: float = 1) -> Self:
        """self ← self + alpha·other in place; returns self. Shape: other broadcasts to self's shape."""
        o = _array(other)
        if self.data.__class__ is not np.ndarray and not isinstance(self.data, np.generic):
            return self._write("add_", lambda a: a.__iadd__(_scaled(a, other, alpha, "add")), other)
        return self._write("add_", lambda a: np.add(a, o if alpha == 1 else alpha * np.asarray(o), out=a,
                                                   casting="same_kind"), other)

    def sub_(self, other: TensorLike, *, alpha: float = 1) -> Self:
        """self ← self − alpha·other in place; returns self. Shape: other broadcasts to self's shape."""
        o = _array(other)
        if self.data.__class__ is not np.ndarray and not isinstance(self.data, np.generic):
            return self._write("sub_", lambda a: a.__isub__(_scaled(a, other, alpha, "subtract")), other)
        return self._write("sub_", lambda a: np.subtract(a, o if alpha == 1 else alpha * np.asarray(o), out=a,
                                                        casting="same_kind"), other)

    def mul_(self, other: TensorLike) -> Self:
        """self ← self · other in place; returns self. Shape: other broadcasts to self's shape."""
        o = _array(other)
        if self.data.__class__ is not np.ndarray and not isinstance(self.data, np.generic):
            return self._write("mul_", lambda a: a.__imul__(_device_operand(a, other, "multiply")), other)
        return self._write("mul_", lambda a: np.multiply(a, o, out=a, casting="same_kind"), other)

    def div_(self, other: TensorLike) -> Self:
        """self ← self / other in place (floating tensors only, as PyTorch); returns self. Shape: self's."""
        o = _array(other)
        if self.data.__class__ is not np.ndarray and not isinstance(self.data, np.generic):
            return self._write("div_", lambda a: a.__itruediv__(_device_operand(a, other, "divide")), other)
        return self._write("div_", lambda a: np.divide(a, o, out=a, casting="same_kind"), other)

    def __iadd__(self, other: TensorLike) -> Self:
        return self.add_(other)

    def __isub__(self, other: TensorLike) -> Self:
        return self.sub_(other)

    def __imul__(self, other: TensorLike) -> Self:
        return self.mul_(other)

    def __itruediv__(self, other: TensorLike) -> Self:
        return self.div_(other)

    def clamp_(self, min: TensorLike | None = None, max: TensorLike | None = None) -> Self:
        """self clipped to [min, max] in place; returns self. Shape: self's."""
        if min is None and max is None:
            raise ValueError("clamp_: give at least one of min and max")
        lo, hi = _array(min), _array(max)
        if self.data.__class__ is not np.ndarray and not isinstance(self.data, np.generic):
            def clamp(a):
                xp = D.namespace(a)
                low, high = (None if v is None else _device_operand(a, v, "clip", cast="unsafe") for v in (lo, hi))
                a[...] = xp.clip(a, low, high)
            return self._write("clamp_", clamp)
        return self._write("clamp_", lambda a: np.clip(a, lo, hi, out=a))

    clip_ = clamp_

    # ---------------------------------------------------------------- filling
    def fill_(self, value: TensorLike) -> Self:
        """Set every element to ``value`` (a number or one-element tensor) in place; returns self.

        As in PyTorch, a leaf that requires grad may only be filled under ``tg.no_grad()``, and a gate's
        output not at all while gradients are recorded. Shape: self's, unchanged.
        """
        value = _array(value)
        if _shape(value) and int(np.prod(_shape(value))) != 1:
            raise ValueError(f"fill_: value must be a number or a one-element tensor, got shape {_shape(value)}")
        if self.data.__class__ is not np.ndarray and not isinstance(self.data, np.generic):
            return self._write("fill_", lambda a: a.__setitem__(Ellipsis, _scalar_like(a, value)))
        return self._write("fill_", lambda a: a.fill(np.asarray(value).item()))

    def zero_(self) -> Self:
        """Set every element to 0 in place and return self; same rules as :meth:`fill_`. Shape: unchanged."""
        return self.fill_(0)

    def copy_(self, src: TensorLike) -> Self:
        """Copy ``src``'s values into self (cast to self's dtype, broadcast to its shape); returns self.

        Shape: src broadcasts to self's shape.
        """
        s = _array(src)
        if self.data.__class__ is not np.ndarray and not isinstance(self.data, np.generic):
            return self._write("copy_", lambda a: _assign(a, s), src)   # from any device, as PyTorch's copy_
        return self._write("copy_", lambda a: np.copyto(a, D.to_numpy(s) if _is_device(s) else s, casting="unsafe"),
                           src)

    def uniform_(self, a: float = 0.0, b: float = 1.0) -> Self:
        """Fill self with samples of U(a, b) from tensorgate's generator (``tg.manual_seed``); returns self.

        The numbers are drawn on the CPU, so one seed gives the same ones on every device."""
        if self.data.__class__ is not np.ndarray and not isinstance(self.data, np.generic):
            return self._write("uniform_", lambda x: _assign(x, _random.generator().uniform(a, b, tuple(x.shape))))
        return self._write("uniform_", lambda x: np.copyto(x, _random.generator().uniform(a, b, x.shape),
                                                           casting="unsafe"))

    def normal_(self, mean: float = 0.0, std: float = 1.0) -> Self:
        """Fill self with samples of N(mean, std²) from tensorgate's generator (drawn on the CPU); returns self."""
        if self.data.__class__ is not np.ndarray and not isinstance(self.data, np.generic):
            return self._write("normal_", lambda x: _assign(x, _random.generator().normal(mean, std, tuple(x.shape))))
        return self._write("normal_", lambda x: np.copyto(x, _random.generator().normal(mean, std, x.shape),
                                                          casting="unsafe"))

    def masked_fill_(self, mask: TensorLike, value: TensorLike) -> Self:
        """Set the elements where ``mask`` is true to ``value`` in place; returns self.

        Shape: mask broadcasts to self's shape.
        """
        m, v = _array(mask), _array(value)
        if self.data.__class__ is not np.ndarray and not isinstance(self.data, np.generic):
            m = D.to_device(m if hasattr(m, "shape") else np.asarray(m), *D.device_of(self.data))
            if D.kind(m.dtype) != "b":
                raise TypeError(f"masked_fill_: mask must be a bool tensor, got dtype {D.numpy_dtype(m.dtype)}")

            def fill(a):
                xp = D.namespace(a)
                new = _scalar_like(a, v) if not _shape(v) else _device_operand(a, v, "masked_fill_", cast="unsafe")
                a[...] = xp.where(xp.broadcast_to(m, tuple(a.shape)), new, a)
            return self._write("masked_fill_", fill)
        m = np.asarray(m)
        if m.dtype != np.bool_:
            raise TypeError(f"masked_fill_: mask must be a bool tensor, got dtype {m.dtype}")
        return self._write("masked_fill_", lambda a: np.putmask(a, np.broadcast_to(m, a.shape), v))

    def scatter_(self, dim: int, index: TensorLike, src: TensorLike | None = None, *, value: float | None = None,
                 reduce: str | None = None) -> Self:
        """self[..., index[i][j], ...] = src[i][j] along ``dim`` in place (PyTorch's scatter_); returns self.

        ``src`` may be a tensor or a number (``value=`` too). Used for one-hot: zeros(n, k).scatter_(1, y[:, None], 1).
        Shape: index has self's number of dimensions; src broadcasts to index's shape.
        """
        if reduce is not None:
            raise NotImplementedError("scatter_: reduce= is not supported; use scatter_add_ for reduce='add'")
        src = value if src is None else src
        idx = _scatter_index(self.data, dim, _array(index))
        if self.data.__class__ is not np.ndarray and not isinstance(self.data, np.generic):
            def scatter(a):
                xp = D.namespace(a)
                s = xp.broadcast_to(_device_operand(a, src, "scatter_", cast="unsafe"), tuple(idx[0].shape))
                _write_back(a, ops.put(xp, a, idx, s))
            return self._write("scatter_", scatter, src)
        s = np.broadcast_to(np.asarray(_array(src)), idx[0].shape)
        return self._write("scatter_", lambda a: a.__setitem__(idx, s), src)

    def scatter_add_(self, dim: int, index: TensorLike, src: TensorLike) -> Self:
        """self[..., index[i][j], ...] += src[i][j] along ``dim`` in place (repeats accumulate); returns self.

        Shape: index has self's number of dimensions; src at least index's shape.
        """
        idx = _scatter_index(self.data, dim, _array(index))
        used = tuple(slice(0, n) for n in idx[0].shape)
        if self.data.__class__ is not np.ndarray and not isinstance(self.data, np.generic):
            def scatter_add(a):
                xp = D.namespace(a)
                s = ops.getitem(xp, _device_operand(a, src, "scatter_add_"), used)
                _write_back(a, ops.add_at(xp, a, idx, s))
            return self._write("scatter_add_", scatter_add, src)
        s = np.asarray(_array(src))[used]
        return self._write("scatter_add_", lambda a: np.add.at(a, idx, s), src)

    def __setitem__(self, index: Any, value: TensorLike) -> None:
        """``x[index] = value`` in place (masks, slices, integer arrays), with the rules of :meth:`fill_`.

        Shape: value broadcasts to the shape of ``x[index]``.
        """
        if hasattr(index, "_requires_grad"):
            index = index.data
        elif isinstance(index, tuple):
            index = tuple(_array(i) for i in index)
        v = _array(value)
        if self.data.__class__ is not np.ndarray and not isinstance(self.data, np.generic):
            def put(a):
                new = _scalar_like(a, v) if not hasattr(v, "shape") and not isinstance(v, (list, tuple)) else \
                    _device_operand(a, v, "__setitem__", cast="unsafe")
                _write_back(a, ops.put(D.namespace(a), a, index, new))
            self._write("__setitem__", put, value)
            return
        self._write("__setitem__", lambda a: a.__setitem__(index, v), value)


def _scaled(a, other, alpha, op):
    o = _device_operand(a, other, op)
    return o if alpha == 1 else o * alpha


def _assign(a, values):
    """a[...] = values, cast (unsafe, as NumPy's copyto) and broadcast to a, from any device."""
    xp = D.namespace(a)
    a[...] = xp.broadcast_to(_device_operand(a, values, "copy_", cast="unsafe"), tuple(a.shape))


def _write_back(a, result):
    """Where a device could not write in place (ops.put, ops.add_at return a new array), copy the result in."""
    if result is not a:
        a[...] = result


def _is_device(x):
    return hasattr(x, "device") and not isinstance(x, (np.ndarray, np.generic))


def _scatter_index(data, dim, index):
    """The index tuple (NumPy's form, one integer array per axis, on data's device) that addresses ``data``
    at ``index`` along ``dim`` and at i, j, ... elsewhere."""
    if data.__class__ is np.ndarray or isinstance(data, np.generic):
        index = np.asarray(index)
        if index.dtype.kind not in "iu":
            raise TypeError(f"index must be an integer tensor, got dtype {index.dtype}")
        if index.ndim != data.ndim:
            raise ValueError(f"index must have as many dimensions as the tensor ({data.ndim}), got shape {index.shape}")
        dim = dim % data.ndim
        grids = np.indices(index.shape, sparse=True)
        return tuple(np.broadcast_arrays(*[index if ax == dim else grids[ax] for ax in range(data.ndim)]))
    xp = D.namespace(data)
    if _is_device(index):
        D.namespace(data, index)      # two devices: the error names both
    else:
        index = D.to_device(np.asarray(index), *D.device_of(data))
    if D.kind(index.dtype) not in "iu":
        raise TypeError(f"index must be an integer tensor, got dtype {D.numpy_dtype(index.dtype)}")
    if index.ndim != data.ndim:
        raise ValueError(f"index must have as many dimensions as the tensor ({data.ndim}), got shape {index.shape}")
    dim = dim % data.ndim
    grids = [xp.reshape(xp.arange(n, device=index.device), tuple(n if q == ax else 1 for q in range(index.ndim)))
             for ax, n in enumerate(index.shape)]
    index = xp.astype(index, xp.int64)
    return tuple(xp.broadcast_arrays(*[index if ax == dim else grids[ax] for ax in range(data.ndim)]))
