"""The Tensor: an n-d array (NumPy underneath) that remembers which gate made it.

A tensor made by a gate holds that gate in ``_gate``; the gate holds its input tensors. Following these
links backwards from a result visits the whole computational graph, which is what ``backward`` does.

The arithmetic operators and the math methods (``x + y``, ``x.sigmoid()``, ...) are gates: they are attached
to this class by :mod:`tensorgate.functional`, which is where every gate and its derivative are written.
Likewise ``backward`` is attached by the engine (``engine.py``) and ``new_zeros``, ``new_ones``, ``new_full``
by the constructors (``factory.py``), which both build on this module: so tensor.py imports neither.
"""

from __future__ import annotations
from typing import TYPE_CHECKING, Any, Callable, Collection, Sequence, Union, overload

import numpy as np

from .. import backend as B
from ..backend import devices as D
from . import numpy_interop
from .tensor_inplace import InPlaceMixin
from .tensor_logic import LogicMixin

if TYPE_CHECKING:
    from typing import TypeAlias

    from numpy.typing import ArrayLike, DTypeLike, NDArray

    from .device import device as Device
    from .gate import Gate

    #: "a Tensor, a NumPy array, a (nested) list or a number": what functions that convert their input accept
    TensorLike: TypeAlias = Union["Tensor", ArrayLike]
    #: the dimensions a reduction runs over: one, several, or all (None)
    Axes: TypeAlias = Union[int, tuple[int, ...], None]

_DTYPE_NAMES = {
    "float32": B.float32, "float": B.float32, "float64": B.float64, "double": B.float64,
    "int64": B.int64, "long": B.int64, "int32": np.int32, "bool": B.bool_,
}


def as_dtype(dtype: DTypeLike | None) -> np.dtype[Any] | None:
    """Turn a dtype given as a NumPy dtype, type or name ("float32", "float64", "int64") into a NumPy dtype."""
    if dtype is None:
        return None
    if isinstance(dtype, str):
        if dtype not in _DTYPE_NAMES:
            raise TypeError(f"dtype: unknown dtype name {dtype!r}; use one of {sorted(_DTYPE_NAMES)}")
        return np.dtype(_DTYPE_NAMES[dtype])
    return np.dtype(dtype)


def to_array(data: TensorLike, dtype: DTypeLike | None = None) -> NDArray[Any]:
    """Convert ``data`` (a Tensor, NumPy array, list or number) to a NumPy array.

    Floating data becomes float32 unless ``dtype`` asks for another: float32 is the default everywhere.
    Integer and boolean data keep their kind (int64, bool), for labels and indices.
    """
    if isinstance(data, Tensor):
        data = data.data
    dtype = as_dtype(dtype)
    if not isinstance(data, (np.ndarray, np.generic, list, tuple, int, float, bool)) and D.is_array(data):
        return _on_device(data, dtype)
    array = np.asarray(data, dtype=dtype)
    if dtype is None:
        if array.dtype.kind == "f" and array.dtype != B.DEFAULT_FLOAT:
            array = array.astype(B.DEFAULT_FLOAT)
        elif array.dtype.kind in "iu" and array.dtype != B.int64:
            array = array.astype(B.int64)
        elif array.dtype.kind == "O":
            raise TypeError("tensor: data of dtype object cannot be a tensor; give numbers")
    return array


def _on_device(array: Any, dtype: np.dtype[Any] | None) -> Any:
    """An array that lives on a device other than NumPy's CPU, kept there, under the same dtype rules."""
    xp = D.namespace(array)
    kind = D.kind(array.dtype)
    if dtype is None:
        if kind == "f" and D.numpy_dtype(array.dtype) != B.DEFAULT_FLOAT:
            dtype = np.dtype(B.DEFAULT_FLOAT)
        elif kind in "iu" and D.numpy_dtype(array.dtype) != B.int64:
            dtype = np.dtype(B.int64)
    return array if dtype is None else xp.astype(array, D.dtype_in(xp, dtype), copy=False)


class Size(tuple):
    """A tensor's shape as PyTorch's ``torch.Size``: a tuple (equal to the plain tuple of the same sizes).

    Shape: not applicable.

    >>> import tensorgate as tg
    >>> tg.zeros(2, 3).size() == (2, 3)
    True
    """

    __slots__ = ()

    def numel(self) -> int:
        """The number of elements of a tensor of this shape."""
        n = 1
        for d in self:
            n *= d
        return n

    def __repr__(self) -> str:
        return f"tg.Size({list(self)})"


class Tensor(LogicMixin, InPlaceMixin):
    """An n-d array with an optional gradient.

    Parameters
    ----------
    data : array_like
        Numbers, nested lists, a NumPy array or another Tensor. Floating data is stored as float32
        unless ``dtype`` says otherwise; integer data as int64; booleans as bool.
    requires_grad : bool
        Whether backpropagation should compute ``.grad`` for this tensor (floating dtypes only).
    dtype : str or numpy dtype, optional
        "float32" (default for floats), "float64", "int64", "bool".

    Shape
    -----
    any; ``.grad`` has the same shape as the tensor.

    Examples
    --------
    >>> import tensorgate as tg
    >>> x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    tensor([2., 4., 6.])

    ``x.grad`` is a Tensor without a graph that shares the gradient array (the engine and the optimisers
    work on that array, ``x._grad``, directly). Comparisons (``x == y``) are elementwise and return bool
    tensors; tensors hash by identity, so they stay usable as dict keys (as in PyTorch).
    """

    __slots__ = ("data", "_grad", "_grad_view", "_version", "_requires_grad", "_gate", "_retain", "_hooks",
                 "name", "__weakref__")
    __array_priority__ = 1000  # make ``ndarray + Tensor`` call Tensor.__radd__
    __hash__ = object.__hash__  # identity, as PyTorch: ``==`` is elementwise, parameters are dict keys
    data: NDArray[Any]
    _grad: NDArray[Any] | None
    _grad_view: Tensor | None
    _version: int
    _requires_grad: bool
    _gate: Gate | None
    _retain: bool
    _hooks: dict[int, Callable[[Tensor], Tensor | None]] | None
    name: str | None

    def __init__(self, data: TensorLike, requires_grad: bool = False, dtype: DTypeLike | None = None):
        if requires_grad.__class__ is int and requires_grad not in (0, 1):
            raise TypeError(f"Tensor({data!r}, {requires_grad!r}): PyTorch's legacy Tensor(sizes...) constructor is not "
                            "supported; use tg.zeros(...) or tg.empty(...) for a shape, tg.tensor(data) for data")
        self.data = to_array(data, dtype)
        self._grad = None
        self._grad_view = None
        self._version = 0
        self._gate = None
        self._retain = False
        self._hooks = None
        self.name = None
        self._requires_grad = False
        self.requires_grad = requires_grad

    @classmethod
    def _make(cls, data: NDArray[Any], requires_grad: bool, gate: Gate | None) -> Tensor:
        """Fast constructor for gate outputs: no conversion, no checks."""
        t = object.__new__(cls)
        t.data = data
        t._grad = None
        t._grad_view = None
        t._version = 0
        t._requires_grad = requires_grad
        t._gate = gate
        t._retain = False
        t._hooks = None
        t.name = None
        return t

    # ---------------------------------------------------------------- gradient bookkeeping
    @property
    def grad(self) -> Tensor | None:
        """∂L/∂self after backward, as a Tensor without a graph sharing the gradient array (None before).

        The view is made once per array, so ``p.grad is p.grad``; writing into it (``p.grad.zero_()``)
        writes the gradient itself. Shape: self's.
        """
        g = self._grad
        if g is None:
            return None
        if isinstance(g, np.generic):   # a NumPy scalar (a gate's 0-d result): give it an array
            g = self._grad = np.asarray(g)
        view = self._grad_view
        if view is None or view.data is not g:
            view = self._grad_view = Tensor._make(g, False, None)
        return view

    @grad.setter
    def grad(self, value: TensorLike | None) -> None:
        if value is None or value.__class__ is np.ndarray:
            self._grad = value
            return
        if isinstance(value, Tensor):
            if value._gate is not None:
                value = value.detach()
            self._grad_view = value
            value = value.data
        array: Any = value if D.is_array(value) else np.asarray(value)
        if D.device_of(array) != D.device_of(self.data):
            raise RuntimeError(f"grad: assigned grad lives on {D.describe(D.device_of(array))}, but the tensor on "
                               f"{D.describe(D.device_of(self.data))}")
        if array.shape != self.data.shape or array.dtype != self.data.dtype:
            raise RuntimeError(f"grad: assigned grad has shape {array.shape} and dtype {array.dtype}, but the "
                               f"tensor has shape {self.data.shape} and dtype {self.data.dtype}")
        self._grad = array

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        value = bool(value)
        if value and D.kind(self.data.dtype) != "f":
            raise TypeError(
                f"requires_grad: only floating tensors can require gradients, this one is {self.data.dtype}; "
                "convert with .float() first")
        if not value and self._gate is not None:
            raise RuntimeError("requires_grad: cannot switch off gradients of a gate's output; use .detach()")
        self._requires_grad = value

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place and return self (PyTorch's spelling)."""
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user rather than by a gate."""
        return self._gate is None

    @property
    def grad_fn(self) -> Gate | None:
        """The gate that produced this tensor (None for a leaf)."""
        return self._gate

    def retain_grad(self) -> Tensor:
        """Keep ``.grad`` for this intermediate tensor after backward (leaves always keep theirs)."""
        if not self._requires_grad:
            raise RuntimeError("retain_grad: this tensor does not require grad")
        self._retain = True
        return self

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> _HookHandle:
        """Call ``hook(grad)`` when this tensor's gradient has been computed.

        The hook may return a new gradient to use instead. Returns a handle whose ``remove()`` detaches it.
        Shape: grad has the tensor's shape.
        """
        if not self._requires_grad:
            raise RuntimeError("register_hook: cannot register a hook on a tensor that does not require grad")
        if self._hooks is None:
            self._hooks = {}
        return _HookHandle(self._hooks, hook)

    def detach(self) -> Tensor:
        """A tensor sharing this one's data, cut off from the graph (no gradient flows through it)."""
        return Tensor._make(self.data, False, None)

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (sets ``.grad`` to None)."""
        self._grad = None

    # ---------------------------------------------------------------- array views
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype[Any]:
        """The element type as a NumPy dtype, on every device (``tg.float32 == x.dtype``)."""
        dtype = self.data.dtype
        return dtype if isinstance(dtype, np.dtype) else D.numpy_dtype(dtype)

    if TYPE_CHECKING:   # size() is the shape, size(dim) one length
        @overload
        def size(self, dim: None = None) -> Size: ...
        @overload
        def size(self, dim: int) -> int: ...

    def size(self, dim: int | None = None) -> Size | int:
        """The shape as a :class:`Size` (PyTorch's method), or the length along ``dim``.

        Unlike NumPy's ``a.size`` (the element count, which is :meth:`numel` here). Shape: not applicable.
        """
        if dim is None:
            return Size(self.data.shape)
        if not -self.data.ndim <= dim < self.data.ndim:
            raise IndexError(f"size: dim {dim} is out of range for a tensor of shape {self.data.shape}")
        return self.data.shape[dim]

    def numel(self) -> int:
        """The number of elements (NumPy's ``a.size``)."""
        return self.data.size

    def nelement(self) -> int:
        """The number of elements (PyTorch's older name for :meth:`numel`)."""
        return self.data.size

    def dim(self) -> int:
        """The number of dimensions."""
        return self.data.ndim

    def ndimension(self) -> int:
        """The number of dimensions (PyTorch's older name for :meth:`dim`)."""
        return self.data.ndim

    def element_size(self) -> int:
        """Bytes per element."""
        return self.data.itemsize

    def is_floating_point(self) -> bool:
        """True for float32 and float64 tensors."""
        return D.kind(self.data.dtype) == "f"

    @property
    def device(self) -> Device:
        """Where the tensor lives: ``device(type='cpu')`` for NumPy arrays, ``device(type='cuda', index=0)``
        on a GPU."""
        from .device import CPU, of_array

        return CPU if self.data.__class__ is np.ndarray else of_array(self.data)

    @property
    def is_cuda(self) -> bool:
        """True when the tensor lives on a GPU."""
        return self.data.__class__ is not np.ndarray and D.device_of(self.data)[0] == "cuda"

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def tolist(self) -> Any:
        return D.to_numpy(self.data).tolist()

    def item(self) -> float:
        """The value of a one-element tensor as a Python number (waits for the GPU where it lives there)."""
        if self.numel() != 1:
            raise ValueError(f"item: only a one-element tensor converts to a number, this one has shape {self.shape}")
        return D.to_numpy(self.data).item()

    def __array__(self, dtype: DTypeLike | None = None, copy: bool | None = None) -> NDArray[Any]:
        if self.data.__class__ is not np.ndarray and self.is_cuda:
            raise TypeError("can't convert a cuda tensor to a NumPy array; use .cpu() first (as in PyTorch)")
        data = self.data if self.data.__class__ is np.ndarray else np.asarray(self.data)
        if copy:
            return data.astype(dtype or data.dtype)
        return data if dtype is None else data.astype(dtype)

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        return numpy_interop.array_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func: Callable[..., Any], types: Collection[type], args: tuple[Any, ...],
                           kwargs: dict[str, Any]) -> Any:
        return numpy_interop.array_function(func, args, kwargs)

    def __format__(self, spec: str) -> str:
        """``f"{loss:.4f}"`` formats a one-element tensor as its number (as PyTorch); others only with no spec."""
        if self.data.ndim == 0 or (spec and self.data.size == 1):
            return format(self.data.item(), spec)
        if spec:
            raise TypeError(f"unsupported format string passed to Tensor.__format__ for a tensor of shape {self.shape}")
        return repr(self)

    def __index__(self) -> int:
        """A one-element integer tensor used as an index (``items[t]``), as PyTorch."""
        if self.data.dtype.kind not in "iub" or self.data.size != 1:
            raise TypeError(f"only a one-element integer tensor can be used as an index, got dtype {self.dtype} "
                            f"and shape {self.shape}")
        return int(self.data.item())

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise ValueError(f"the truth value of a tensor of shape {self.shape} is ambiguous; use .any() or .all()")
        return bool(self.data.item())

    # ---------------------------------------------------------------- in place, and PyTorch no-ops
    def contiguous(self) -> Tensor:
        """Self (PyTorch's memory-layout call; layouts do not matter to tensorgate). Shape: unchanged."""
        return self

    def numpy(self, force: bool = False) -> NDArray[Any]:
        """The underlying NumPy array (shared, not copied). Unlike PyTorch, allowed while the tensor requires
        grad (an explicit conversion: the array carries no graph). A GPU tensor is refused, as in PyTorch,
        unless ``force=True`` (which copies it to the CPU). Shape: self's."""
        if self.data.__class__ is not np.ndarray:
            if self.is_cuda and not force:
                raise TypeError("numpy: can't convert a cuda tensor to a NumPy array; use .cpu() first, or "
                                "numpy(force=True)")
            return D.to_numpy(self.data)
        return self.data.copy() if force else self.data

    def new_tensor(self, data: TensorLike, dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
        """A copy of ``data`` as a tensor of self's dtype (unless ``dtype``). Shape: that of data."""
        return tensor(data, dtype=self.data.dtype if dtype is None else dtype, requires_grad=requires_grad)

    # ---------------------------------------------------------------- printing
    def __repr__(self) -> str:
        body = np.array2string(D.to_numpy(self.data), precision=4, separator=", ", prefix="tensor(")
        extras = []
        if self.data.__class__ is not np.ndarray:
            extras.append(f"device='{self.device}'")
        if self.dtype != B.DEFAULT_FLOAT:
            extras.append(f"dtype={self.dtype}")
        if self._gate is not None:
            extras.append(f"grad_fn={self._gate.name}")
        elif self._requires_grad:
            extras.append("requires_grad=True")
        return f"tensor({body}{''.join(', ' + e for e in extras)})"

    if TYPE_CHECKING:   # attached by functional/tensor_methods.py (the gates), engine.py and factory.py
        T: Tensor

        def backward(self, grad: TensorLike | None = None, retain_graph: bool = False) -> None: ...
        def new_zeros(self, *size: int | Sequence[int], dtype: DTypeLike | None = None,
                      requires_grad: bool = False) -> Tensor: ...
        def new_ones(self, *size: int | Sequence[int], dtype: DTypeLike | None = None,
                     requires_grad: bool = False) -> Tensor: ...
        def new_full(self, size: int | Sequence[int], fill_value: float, dtype: DTypeLike | None = None,
                     requires_grad: bool = False) -> Tensor: ...
        def __add__(self, other: TensorLike) -> Tensor: ...
        def __radd__(self, other: TensorLike) -> Tensor: ...
        def __sub__(self, other: TensorLike) -> Tensor: ...
        def __rsub__(self, other: TensorLike) -> Tensor: ...
        def __mul__(self, other: TensorLike) -> Tensor: ...
        def __rmul__(self, other: TensorLike) -> Tensor: ...
        def __truediv__(self, other: TensorLike) -> Tensor: ...
        def __rtruediv__(self, other: TensorLike) -> Tensor: ...
        def __pow__(self, other: TensorLike) -> Tensor: ...
        def __rpow__(self, other: TensorLike) -> Tensor: ...
        def __matmul__(self, other: TensorLike) -> Tensor: ...
        def __rmatmul__(self, other: TensorLike) -> Tensor: ...
        def __neg__(self) -> Tensor: ...
        def __abs__(self) -> Tensor: ...
        def __getitem__(self, index: Any) -> Tensor: ...
        def add(self, other: TensorLike, *, alpha: float = 1) -> Tensor: ...
        def sub(self, other: TensorLike, *, alpha: float = 1) -> Tensor: ...
        def subtract(self, other: TensorLike, *, alpha: float = 1) -> Tensor: ...
        def mul(self, other: TensorLike) -> Tensor: ...
        def multiply(self, other: TensorLike) -> Tensor: ...
        def div(self, other: TensorLike, *, rounding_mode: str | None = None) -> Tensor: ...
        def divide(self, other: TensorLike, *, rounding_mode: str | None = None) -> Tensor: ...
        def true_divide(self, other: TensorLike) -> Tensor: ...
        def floor_divide(self, other: TensorLike) -> Tensor: ...
        def pow(self, p: TensorLike) -> Tensor: ...
        def matmul(self, other: TensorLike) -> Tensor: ...
        def mm(self, other: TensorLike) -> Tensor: ...
        def bmm(self, mat2: Tensor) -> Tensor: ...
        def dot(self, other: Tensor) -> Tensor: ...
        def maximum(self, other: TensorLike) -> Tensor: ...
        def minimum(self, other: TensorLike) -> Tensor: ...
        def clip(self, min: float | None = None, max: float | None = None) -> Tensor: ...
        def clamp(self, min: float | None = None, max: float | None = None) -> Tensor: ...
        def exp(self) -> Tensor: ...
        def log(self) -> Tensor: ...
        def sqrt(self) -> Tensor: ...
        def abs(self) -> Tensor: ...
        def neg(self) -> Tensor: ...
        def square(self) -> Tensor: ...
        def reciprocal(self) -> Tensor: ...
        def sin(self) -> Tensor: ...
        def cos(self) -> Tensor: ...
        def tan(self) -> Tensor: ...
        def sign(self) -> Tensor: ...
        def floor(self) -> Tensor: ...
        def ceil(self) -> Tensor: ...
        def round(self, decimals: int = 0) -> Tensor: ...
        def log1p(self) -> Tensor: ...
        def expm1(self) -> Tensor: ...
        def rsqrt(self) -> Tensor: ...
        def erf(self) -> Tensor: ...
        def outer(self, vec2: TensorLike) -> Tensor: ...
        def tril(self, diagonal: int = 0) -> Tensor: ...
        def triu(self, diagonal: int = 0) -> Tensor: ...
        def flip(self, *dims: int | Sequence[int]) -> Tensor: ...
        def roll(self, shifts: int | Sequence[int], dims: int | Sequence[int] | None = None) -> Tensor: ...
        def tile(self, dims: Sequence[int]) -> Tensor: ...
        def broadcast_to(self, size: Sequence[int]) -> Tensor: ...
        def lerp(self, end: TensorLike, weight: TensorLike | float) -> Tensor: ...
        def nan_to_num(self, nan: float = 0.0, posinf: float | None = None,
                       neginf: float | None = None) -> Tensor: ...
        def diag(self, diagonal: int = 0) -> Tensor: ...
        def unique(self, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,
                   dim: int | None = None) -> Tensor | tuple[Tensor, ...]: ...
        def sigmoid(self) -> Tensor: ...
        def tanh(self) -> Tensor: ...
        def relu(self) -> Tensor: ...
        def leaky_relu(self, alpha: float = 0.01) -> Tensor: ...
        def gelu(self) -> Tensor: ...
        def hardtanh(self, min_val: float = -1.0, max_val: float = 1.0) -> Tensor: ...
        def softmax(self, axis: int = -1, *, dim: int | None = None) -> Tensor: ...
        def log_softmax(self, axis: int = -1, *, dim: int | None = None) -> Tensor: ...
        def sum(self, axis: Axes = None, keepdims: bool = False, *, dim: Axes = None,
                keepdim: bool | None = None) -> Tensor: ...
        def mean(self, axis: Axes = None, keepdims: bool = False, *, dim: Axes = None,
                 keepdim: bool | None = None) -> Tensor: ...
        def var(self, axis: Axes = None, *, dim: Axes = None, keepdim: bool | None = None,
                keepdims: bool = False, correction: float = 1, unbiased: bool | None = None) -> Tensor: ...
        def std(self, axis: Axes = None, *, dim: Axes = None, keepdim: bool | None = None,
                keepdims: bool = False, correction: float = 1, unbiased: bool | None = None) -> Tensor: ...
        # max(dim) and min(dim) are (values, indices) named tuples, as PyTorch's; without dim a tensor
        def max(self, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None,
                keepdims: bool | None = None) -> Any: ...
        def min(self, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None,
                keepdims: bool | None = None) -> Any: ...
        def argmax(self, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None,
                   keepdims: bool | None = None) -> Tensor: ...
        def argmin(self, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None,
                   keepdims: bool | None = None) -> Tensor: ...
        def amax(self, dim: Axes = (), keepdim: bool = False, *, axis: Axes = None,
                 keepdims: bool | None = None) -> Tensor: ...
        def amin(self, dim: Axes = (), keepdim: bool = False, *, axis: Axes = None,
                 keepdims: bool | None = None) -> Tensor: ...
        def sort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Any: ...
        def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor: ...
        def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any: ...
        def median(self, dim: int | None = None, keepdim: bool = False) -> Any: ...
        def prod(self, dim: int | None = None, keepdim: bool = False, *, dtype: DTypeLike | None = None,
                 axis: int | None = None, keepdims: bool | None = None) -> Tensor: ...
        def cumsum(self, dim: int, *, dtype: DTypeLike | None = None) -> Tensor: ...
        def logsumexp(self, dim: Axes, keepdim: bool = False) -> Tensor: ...
        def norm(self, p: float | str = "fro", dim: Axes = None, keepdim: bool = False) -> Tensor: ...
        def reshape(self, *shape: int | Sequence[int]) -> Tensor: ...
        def view(self, *shape: int | Sequence[int]) -> Tensor: ...
        def transpose(self, *axes: int) -> Tensor: ...
        def permute(self, *axes: int | Sequence[int]) -> Tensor: ...
        def t(self) -> Tensor: ...
        def unsqueeze(self, dim: int) -> Tensor: ...
        def squeeze(self, dim: int | None = None) -> Tensor: ...
        def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor: ...
        def unflatten(self, dim: int, sizes: Sequence[int]) -> Tensor: ...
        def view_as(self, other: Tensor) -> Tensor: ...
        def reshape_as(self, other: Tensor) -> Tensor: ...
        def expand(self, *sizes: int | Sequence[int]) -> Tensor: ...
        def expand_as(self, other: Tensor) -> Tensor: ...
        def repeat(self, *sizes: int | Sequence[int]) -> Tensor: ...
        def split(self, split_size_or_sections: int | Sequence[int], dim: int = 0) -> tuple[Tensor, ...]: ...
        def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]: ...
        def unbind(self, dim: int = 0) -> tuple[Tensor, ...]: ...
        def clone(self) -> Tensor: ...
        def astype(self, dtype: DTypeLike) -> Tensor: ...
        def type_as(self, other: Tensor) -> Tensor: ...
        def cuda(self, device: str | Device | int | None = None, non_blocking: bool = False) -> Tensor: ...
        def cpu(self) -> Tensor: ...
        def to(self, *args: Any, dtype: DTypeLike | None = None, device: Any = None, non_blocking: bool = False,
               copy: bool = False) -> Tensor: ...
        def gather(self, dim: int, index: TensorLike) -> Tensor: ...
        def scatter(self, dim: int, index: TensorLike, src: TensorLike | None = None, *,
                    value: float | None = None) -> Tensor: ...
        def scatter_add(self, dim: int, index: TensorLike, src: TensorLike) -> Tensor: ...
        def index_select(self, dim: int, index: TensorLike) -> Tensor: ...
        def masked_fill(self, mask: TensorLike, value: float) -> Tensor: ...
        def masked_select(self, mask: TensorLike) -> Tensor: ...
        def nonzero(self, *, as_tuple: bool = False) -> Any: ...
        def isnan(self) -> Tensor: ...
        def isinf(self) -> Tensor: ...
        def isfinite(self) -> Tensor: ...
        def logical_and(self, other: TensorLike) -> Tensor: ...
        def logical_or(self, other: TensorLike) -> Tensor: ...
        def logical_xor(self, other: TensorLike) -> Tensor: ...
        def logical_not(self) -> Tensor: ...
        def equal(self, other: TensorLike) -> bool: ...
        def allclose(self, other: TensorLike, rtol: float = 1e-05, atol: float = 1e-08,
                     equal_nan: bool = False) -> bool: ...
        def isclose(self, other: TensorLike, rtol: float = 1e-05, atol: float = 1e-08,
                    equal_nan: bool = False) -> Tensor: ...
        def count_nonzero(self, dim: Axes = None) -> Tensor: ...
        def float(self) -> Tensor: ...
        def double(self) -> Tensor: ...
        def long(self) -> Tensor: ...
        def int(self) -> Tensor: ...
        def bool(self) -> Tensor: ...


class _HookHandle:
    """Returned by ``register_hook``: ``handle.remove()`` unregisters the hook."""

    _next_id = 0

    def __init__(self, hooks: dict[int, Callable[[Tensor], Tensor | None]], hook: Callable[[Tensor], Tensor | None]):
        _HookHandle._next_id += 1
        self.id = _HookHandle._next_id
        self._hooks = hooks
        hooks[self.id] = hook

    def remove(self) -> None:
        self._hooks.pop(self.id, None)


def tensor(data: TensorLike, *, dtype: DTypeLike | None = None, device: str | Device | None = None,
           requires_grad: bool = False) -> Tensor:
    """Make a tensor from data (see :class:`Tensor`), always copying it, as ``torch.tensor`` (``from_numpy``
    is the sharing one).

    The dtype, as in PyTorch: ``dtype`` if given; a NumPy array's or scalar's own dtype (float64, float32,
    int32, uint8, ...: the data asks for it), but float16 becomes float32 (tensorgate has no half
    precision); float32 for Python floats and lists of them (the default dtype); int64 for Python ints.
    Shape: that of ``data``.
    """
    from .device import as_device

    where = as_device(device)
    if isinstance(data, Tensor):
        data = data.data
    if dtype is None and isinstance(data, (np.ndarray, np.generic)) and (data.dtype == np.float64
                                                                         or data.dtype.kind in "iu"):
        dtype = data.dtype   # torch.tensor keeps a NumPy array's dtype: no silent loss of precision
    if D.is_array(data) and data.__class__ is not np.ndarray:
        xp = D.namespace(data)
        array = xp.asarray(data, copy=True)
    else:
        array = np.array(data, dtype=as_dtype(dtype), copy=True)
    result = Tensor(array, requires_grad=False, dtype=dtype)
    if where is not None:
        result.data = D.to_device(result.data, *where.key)
    result.requires_grad = requires_grad
    return result
