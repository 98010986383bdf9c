"""Comparisons and logic on a Tensor: ``==``, ``<``, ``eq``, ``&``, ``|``, ``^``, ``~``, ``//``, ``%``, ``any``,
``all``. Their results carry no gradient (bool and integer tensors, or floor division's steps).

``==`` is elementwise, as in PyTorch; :class:`~tensorgate.autograd.tensor.Tensor` keeps ``__hash__`` by
identity, so tensors stay usable as dict keys (parameters, optimiser state).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import numbers

import numpy as np

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
        elif not isinstance(other, _COMPARABLE):
            return NotImplemented   # ``t == None`` is False; pytest.approx and others compare themselves
        return self._make(np.asarray(op(self.data, other)), False, None)

    def __eq__(self, other: object) -> Tensor:  # type: ignore[override]
        return self._compare(other, np.equal)

    def __ne__(self, other: object) -> Tensor:  # type: ignore[override]
        return self._compare(other, np.not_equal)

    def __lt__(self, other: TensorLike) -> Tensor:
        return self._compare(other, np.less)

    def __le__(self, other: TensorLike) -> Tensor:
        return self._compare(other, np.less_equal)

    def __gt__(self, other: TensorLike) -> Tensor:
        return self._compare(other, np.greater)

    def __ge__(self, other: TensorLike) -> Tensor:
        return self._compare(other, np.greater_equal)

    def eq(self, other: TensorLike) -> Tensor:
        """Elementwise self = other as a bool tensor (no gradient). Shape: broadcast of self and other."""
        return self._compare(other, np.equal)

    def ne(self, other: TensorLike) -> Tensor:
        """Elementwise self ≠ other as a bool tensor (no gradient). Shape: broadcast of self and other."""
        return self._compare(other, np.not_equal)

    def lt(self, other: TensorLike) -> Tensor:
        """self < other as a bool tensor (PyTorch's method spelling). Shape: broadcast of self and other."""
        return self._compare(other, np.less)

    def le(self, other: TensorLike) -> Tensor:
        """self ≤ other as a bool tensor. Shape: broadcast of self and other."""
        return self._compare(other, np.less_equal)

    def gt(self, other: TensorLike) -> Tensor:
        """self > other as a bool tensor. Shape: broadcast of self and other."""
        return self._compare(other, np.greater)

    def ge(self, other: TensorLike) -> Tensor:
        """self ≥ other as a bool tensor. Shape: broadcast of self and other."""
        return self._compare(other, np.greater_equal)

    def _logic(self, other, op, name):
        a = self.data
        b = other.data if isinstance(other, LogicMixin) else np.asarray(other)
        if a.dtype.kind not in "biu" or b.dtype.kind not in "biu":
            raise TypeError(f"{name}: only bool and integer tensors, got dtypes {a.dtype} and {b.dtype}")
        return self._make(np.asarray(op(a, b)), False, None)

    def __and__(self, other: TensorLike) -> Tensor:
        return self._logic(other, np.bitwise_and, "&")

    def __or__(self, other: TensorLike) -> Tensor:
        return self._logic(other, np.bitwise_or, "|")

    def __xor__(self, other: TensorLike) -> Tensor:
        return self._logic(other, np.bitwise_xor, "^")

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__

    def __invert__(self) -> Tensor:
        if self.data.dtype.kind not in "biu":
            raise TypeError(f"~: only bool and integer tensors, got dtype {self.data.dtype}; use logical_not")
        return self._make(np.invert(self.data), False, None)

    def __floordiv__(self, other: TensorLike) -> Tensor:
        return _floor_divide(self, other)

    def __rfloordiv__(self, other: TensorLike) -> Tensor:
        return _floor_divide(other, self)

    def __mod__(self, other: TensorLike) -> Tensor:
        return _no_grad_op("%", np.remainder, self, other)

    def __rmod__(self, other: TensorLike) -> Tensor:
        return _no_grad_op("%", np.remainder, other, self)

    def __contains__(self, element: object) -> bool:
        """``element in t``: whether some element equals it (PyTorch's meaning)."""
        return bool(np.any(self.data == (element.data if isinstance(element, LogicMixin) else element)))

    def any(self, dim: int | tuple[int, ...] | None = None, keepdim: bool = False) -> Tensor:
        """True where some element (along ``dim``) is nonzero, as a bool tensor. Shape: as a reduction."""
        return self._make(np.asarray(self.data.any(axis=dim, keepdims=keepdim)), False, None)

    def all(self, dim: int | tuple[int, ...] | None = None, keepdim: bool = False) -> Tensor:
        """True where every element (along ``dim``) is nonzero, as a bool tensor. Shape: as a reduction."""
        return self._make(np.asarray(self.data.all(axis=dim, keepdims=keepdim)), False, None)


def _floor_divide(a, b):
    """a // b: floor division, as PyTorch's ``floor_divide`` (no derivative: refused on a tensor needing one)."""
    return _no_grad_op("//", np.floor_divide, a, b)


def _no_grad_op(name, op, a, b):
    """An elementwise operation without a derivative, on the arrays underneath; refused where a gradient
    would be expected (PyTorch fails at backward; tensorgate at once, with the same message)."""
    for x in (a, b):
        if isinstance(x, LogicMixin) and x._requires_grad and grad_mode.state.grad_enabled:
            raise RuntimeError(f"{name}: this operation has no derivative, and the tensor requires grad; "
                               "use .detach() first")
    a_data = a.data if isinstance(a, LogicMixin) else a
    b_data = b.data if isinstance(b, LogicMixin) else b
    maker = a if isinstance(a, LogicMixin) else b
    return maker._make(np.asarray(op(a_data, b_data)), False, None)


def is_grad_enabled() -> bool:
    return grad_mode.state.grad_enabled
