"""Comparisons and logic on a Tensor: ``==``, ``<``, ``eq``, ``&``, ``|``, ``^``, ``~``, ``//``, ``%``, ``any``,
``all``. Their results carry no gradient (bool and integer tensors, or floor division's steps).

``==`` is elementwise, as in PyTorch; :class:`~tensorgate.autograd.tensor.Tensor` keeps ``__hash__`` by
identity, so tensors stay usable as dict keys (parameters, optimiser state).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import numbers

import numpy as np

from ..backend import devices as D
from . import grad_mode

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from .gate import Gate
    from .tensor import Tensor, TensorLike

_COMPARABLE = (np.ndarray, np.generic, numbers.Number, list, tuple)


class LogicMixin:
    """The comparison and logic half of :class:`~tensorgate.autograd.tensor.Tensor`."""

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

    # ---------------------------------------------------------------- comparisons and logic (no gradient)
    def _compare(self, other, op):
        if isinstance(other, LogicMixin):
            other = other.data
            if other.__class__ is not self.data.__class__:
                D.namespace(self.data, other)      # two devices: the error names both
        elif not isinstance(other, _COMPARABLE):
            return NotImplemented   # ``t == None`` is False; pytest.approx and others compare themselves
        return self._make(elementwise(op, self.data, other), False, None)

    def __eq__(self, other: object) -> Tensor:  # type: ignore[override]
        return self._compare(other, "equal")

    def __ne__(self, other: object) -> Tensor:  # type: ignore[override]
        return self._compare(other, "not_equal")

    def __lt__(self, other: TensorLike) -> Tensor:
        return self._compare(other, "less")

    def __le__(self, other: TensorLike) -> Tensor:
        return self._compare(other, "less_equal")

    def __gt__(self, other: TensorLike) -> Tensor:
        return self._compare(other, "greater")

    def __ge__(self, other: TensorLike) -> Tensor:
        return self._compare(other, "greater_equal")

    def eq(self, other: TensorLike) -> Tensor:
        """Elementwise self = other as a bool tensor (no gradient). Shape: broadcast of self and other."""
        return self._compare(other, "equal")

    def ne(self, other: TensorLike) -> Tensor:
        """Elementwise self ≠ other as a bool tensor (no gradient). Shape: broadcast of self and other."""
        return self._compare(other, "not_equal")

    def lt(self, other: TensorLike) -> Tensor:
        """self < other as a bool tensor (PyTorch's method spelling). Shape: broadcast of self and other."""
        return self._compare(other, "less")

    def le(self, other: TensorLike) -> Tensor:
        """self ≤ other as a bool tensor. Shape: broadcast of self and other."""
        return self._compare(other, "less_equal")

    def gt(self, other: TensorLike) -> Tensor:
        """self > other as a bool tensor. Shape: broadcast of self and other."""
        return self._compare(other, "greater")

    def ge(self, other: TensorLike) -> Tensor:
        """self ≥ other as a bool tensor. Shape: broadcast of self and other."""
        return self._compare(other, "greater_equal")

    def _logic(self, other, op, name):
        a = self.data
        b = other.data if isinstance(other, LogicMixin) else other
        if isinstance(other, LogicMixin) and b.__class__ is not a.__class__:
            D.namespace(a, b)      # two devices: the error names both
        b_kind = D.kind(b.dtype) if hasattr(b, "dtype") else np.asarray(b).dtype.kind
        if D.kind(a.dtype) not in "biu" or b_kind not in "biu":
            raise TypeError(f"{name}: only bool and integer tensors, got dtypes {self.dtype} and "
                            f"{D.numpy_dtype(b.dtype) if hasattr(b, 'dtype') else np.asarray(b).dtype}")
        return self._make(elementwise(op, a, b), False, None)

    def __and__(self, other: TensorLike) -> Tensor:
        return self._logic(other, "bitwise_and", "&")

    def __or__(self, other: TensorLike) -> Tensor:
        return self._logic(other, "bitwise_or", "|")

    def __xor__(self, other: TensorLike) -> Tensor:
        return self._logic(other, "bitwise_xor", "^")

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__

    def __invert__(self) -> Tensor:
        if D.kind(self.data.dtype) not in "biu":
            raise TypeError(f"~: only bool and integer tensors, got dtype {self.dtype}; use logical_not")
        if self.data.__class__ is np.ndarray:
            return self._make(np.invert(self.data), False, None)
        return self._make(D.namespace(self.data).bitwise_invert(self.data), False, None)

    def __floordiv__(self, other: TensorLike) -> Tensor:
        return _floor_divide(self, other)

    def __rfloordiv__(self, other: TensorLike) -> Tensor:
        return _floor_divide(other, self)

    def __mod__(self, other: TensorLike) -> Tensor:
        return _no_grad_op("%", "remainder", self, other)

    def __rmod__(self, other: TensorLike) -> Tensor:
        return _no_grad_op("%", "remainder", other, self)

    def __contains__(self, element: object) -> bool:
        """``element in t``: whether some element equals it (PyTorch's meaning)."""
        found = elementwise("equal", self.data, element.data if isinstance(element, LogicMixin) else element)
        return bool(np.any(found) if found.__class__ is np.ndarray else D.namespace(found).any(found))

    def any(self, dim: int | tuple[int, ...] | None = None, keepdim: bool = False) -> Tensor:
        """True where some element (along ``dim``) is nonzero, as a bool tensor. Shape: as a reduction."""
        if self.data.__class__ is np.ndarray:
            return self._make(np.asarray(self.data.any(axis=dim, keepdims=keepdim)), False, None)
        return self._make(D.namespace(self.data).any(self.data, axis=dim, keepdims=keepdim), False, None)

    def all(self, dim: int | tuple[int, ...] | None = None, keepdim: bool = False) -> Tensor:
        """True where every element (along ``dim``) is nonzero, as a bool tensor. Shape: as a reduction."""
        if self.data.__class__ is np.ndarray:
            return self._make(np.asarray(self.data.all(axis=dim, keepdims=keepdim)), False, None)
        return self._make(D.namespace(self.data).all(self.data, axis=dim, keepdims=keepdim), False, None)


def _floor_divide(a, b):
    """a // b: floor division, as PyTorch's ``floor_divide`` (no derivative: refused on a tensor needing one)."""
    return _no_grad_op("//", "floor_divide", a, b)


def _no_grad_op(name, op, a, b):
    """An elementwise operation without a derivative (``op``: a function of the namespaces, by name, or a
    function of (xp, a, b)), on the arrays underneath; refused where a gradient would be expected (PyTorch
    fails at backward; tensorgate at once, with the same message)."""
    for x in (a, b):
        if isinstance(x, LogicMixin) and x._requires_grad and grad_mode.state.grad_enabled:
            raise RuntimeError(f"{name}: this operation has no derivative, and the tensor requires grad; "
                               "use .detach() first")
    a_data = a.data if isinstance(a, LogicMixin) else a
    b_data = b.data if isinstance(b, LogicMixin) else b
    if isinstance(a, LogicMixin) and isinstance(b, LogicMixin) and a_data.__class__ is not b_data.__class__:
        D.namespace(a_data, b_data)      # two devices: the error names both
    maker = a if isinstance(a, LogicMixin) else b
    return maker._make(elementwise(op, a_data, b_data), False, None)


def elementwise(op: Any, a: Any, b: Any) -> Any:
    """``op`` on a and b (arrays on one device, or an array and lists or numbers), with NumPy's promotion.

    ``op`` names a function of the array namespaces ("less", "floor_divide", ...) or is a function of
    (xp, a, b). On NumPy it runs as it always did. Elsewhere the operand that is not a device array moves to
    the other's device, and both are cast to the dtype NumPy would compute in: the standard does not
    promote across kinds (int with float, bool with int), NumPy does.
    Shape: broadcast of a and b.
    """
    if not _on_device(a) and not _on_device(b):
        fn = getattr(np, op) if isinstance(op, str) else (lambda x, y: op(np, x, y))
        return np.asarray(fn(a, b))
    like = a if _on_device(a) else b
    xp = D.namespace(a if _on_device(a) else None, b if _on_device(b) else None)
    common = np.result_type(*[D.numpy_dtype(x.dtype) if _on_device(x) else x if isinstance(x, (bool, int, float))
                              else np.asarray(x).dtype for x in (a, b)])
    a, b = (_as(xp, x, common, like) for x in (a, b))
    return getattr(xp, op)(a, b) if isinstance(op, str) else op(xp, a, b)


def _on_device(x: Any) -> bool:
    return hasattr(x, "shape") and hasattr(x, "device") and not isinstance(x, (np.ndarray, np.generic))


def _as(xp: Any, x: Any, dtype: np.dtype[Any], like: Any) -> Any:
    """x as an array of ``dtype`` on like's device (a Python number stays one, of the right kind)."""
    if isinstance(x, (bool, int, float)) and not isinstance(x, np.generic):
        return {"b": bool, "i": int, "u": int}.get(dtype.kind, float)(x)
    if not _on_device(x):
        x = D.to_device(np.asarray(x), *D.device_of(like))
    return x if D.numpy_dtype(x.dtype) == dtype else xp.astype(x, D.dtype_in(xp, dtype))


def is_grad_enabled() -> bool:
    return grad_mode.state.grad_enabled
