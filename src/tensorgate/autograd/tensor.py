"""The Tensor: an n-d array (NumPy underneath) that remembers which gate made it.

A tensor made by a gate holds that gate in ``_gate``; the gate holds its input tensors. Following these
links backwards from a result visits the whole computational graph, which is what ``backward`` does.

The arithmetic operators and the math methods (``x + y``, ``x.sigmoid()``, ...) are gates: they are attached
to this class by :mod:`tensorgate.functional`, which is where every gate and its derivative are written.
Likewise ``backward`` is attached by the engine (``engine.py``) and ``new_zeros`` by the constructors
(``factory.py``), which both build on this module: so tensor.py imports neither.
"""
import numpy as np

from .. import backend as B
from . import grad_mode

_DTYPE_NAMES = {
    "float32": B.float32, "float": B.float32, "float64": B.float64, "double": B.float64,
    "int64": B.int64, "long": B.int64, "int32": np.int32, "bool": B.bool_,
}


def as_dtype(dtype):
    """Turn a dtype given as a NumPy dtype, type or name ("float32", "float64", "int64") into a NumPy dtype."""
    if dtype is None:
        return None
    if isinstance(dtype, str):
        if dtype not in _DTYPE_NAMES:
            raise TypeError(f"dtype: unknown dtype name {dtype!r}; use one of {sorted(_DTYPE_NAMES)}")
        return np.dtype(_DTYPE_NAMES[dtype])
    return np.dtype(dtype)


def to_array(data, dtype=None):
    """Convert ``data`` (a Tensor, NumPy array, list or number) to a NumPy array.

    Floating data becomes float32 unless ``dtype`` asks for another: float32 is the default everywhere.
    Integer and boolean data keep their kind (int64, bool), for labels and indices.
    """
    if isinstance(data, Tensor):
        data = data.data
    dtype = as_dtype(dtype)
    array = np.asarray(data, dtype=dtype)
    if dtype is None:
        if array.dtype.kind == "f" and array.dtype != B.DEFAULT_FLOAT:
            array = array.astype(B.DEFAULT_FLOAT)
        elif array.dtype.kind in "iu" and array.dtype != B.int64:
            array = array.astype(B.int64)
        elif array.dtype.kind == "O":
            raise TypeError("tensor: data of dtype object cannot be a tensor; give numbers")
    return array


class Tensor:
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

    Shape:
        any; ``.grad`` has the same shape as the tensor.

    Example
    -------
    >>> import tensorgate as tg
    >>> x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    array([2., 4., 6.], dtype=float32)
    """

    __slots__ = ("data", "grad", "_requires_grad", "_gate", "_retain", "_hooks", "name", "__weakref__")
    __array_priority__ = 1000  # make ``ndarray + Tensor`` call Tensor.__radd__

    def __init__(self, data, requires_grad=False, dtype=None):
        self.data = to_array(data, dtype)
        self.grad = None
        self._gate = None
        self._retain = False
        self._hooks = None
        self.name = None
        self._requires_grad = False
        self.requires_grad = requires_grad

    @classmethod
    def _make(cls, data, requires_grad, gate):
        """Fast constructor for gate outputs: no conversion, no checks."""
        t = object.__new__(cls)
        t.data = data
        t.grad = None
        t._requires_grad = requires_grad
        t._gate = gate
        t._retain = False
        t._hooks = None
        t.name = None
        return t

    # ---------------------------------------------------------------- gradient bookkeeping
    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        value = bool(value)
        if value and not B.is_floating(self.data.dtype):
            raise TypeError(
                f"requires_grad: only floating tensors can require gradients, this one is {self.data.dtype}; "
                "convert with .float() first")
        if not value and self._gate is not None:
            raise RuntimeError("requires_grad: cannot switch off gradients of a gate's output; use .detach()")
        self._requires_grad = value

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` in place and return self (PyTorch's spelling)."""
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self):
        """True for tensors made by the user rather than by a gate."""
        return self._gate is None

    @property
    def grad_fn(self):
        """The gate that produced this tensor (None for a leaf)."""
        return self._gate

    def retain_grad(self):
        """Keep ``.grad`` for this intermediate tensor after backward (leaves always keep theirs)."""
        if not self._requires_grad:
            raise RuntimeError("retain_grad: this tensor does not require grad")
        self._retain = True
        return self

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient has been computed.

        The hook may return a new gradient to use instead. Returns a handle whose ``remove()`` detaches it.
        Shape: grad has the tensor's shape.
        """
        if not self._requires_grad:
            raise RuntimeError("register_hook: cannot register a hook on a tensor that does not require grad")
        if self._hooks is None:
            self._hooks = {}
        return _HookHandle(self._hooks, hook)

    def detach(self):
        """A tensor sharing this one's data, cut off from the graph (no gradient flows through it)."""
        return Tensor._make(self.data, False, None)

    def zero_grad(self):
        """Forget the accumulated gradient (sets ``.grad`` to None)."""
        self.grad = None

    # ---------------------------------------------------------------- array views
    @property
    def shape(self):
        return self.data.shape

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def size(self):
        return self.data.size

    def numel(self):
        return self.data.size

    def dim(self):
        return self.data.ndim

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def numpy(self):
        """The underlying NumPy array (shared, not copied; detach first if you mean to keep it)."""
        return self.data

    def tolist(self):
        return self.data.tolist()

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(f"item: only a one-element tensor converts to a number, this one has shape {self.shape}")
        return self.data.item()

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __bool__(self):
        if self.data.size != 1:
            raise ValueError(f"the truth value of a tensor of shape {self.shape} is ambiguous; use .any() or .all()")
        return bool(self.data.item())

    # ---------------------------------------------------------------- comparisons (no gradient)
    def _compare(self, other, op):
        other = other.data if isinstance(other, Tensor) else other
        return Tensor._make(op(self.data, other), False, None)

    def __lt__(self, other):
        return self._compare(other, np.less)

    def __le__(self, other):
        return self._compare(other, np.less_equal)

    def __gt__(self, other):
        return self._compare(other, np.greater)

    def __ge__(self, other):
        return self._compare(other, np.greater_equal)

    def eq(self, other):
        """Elementwise equality as a bool tensor (``==`` keeps Python's identity meaning, so tensors stay hashable)."""
        return self._compare(other, np.equal)

    def ne(self, other):
        """Elementwise self ≠ other as a bool tensor (no gradient). Shape: broadcast of self and other."""
        return self._compare(other, np.not_equal)

    def lt(self, other):
        """self < other as a bool tensor (PyTorch's method spelling). Shape: broadcast of self and other."""
        return self._compare(other, np.less)

    def le(self, other):
        """self ≤ other as a bool tensor. Shape: broadcast of self and other."""
        return self._compare(other, np.less_equal)

    def gt(self, other):
        """self > other as a bool tensor. Shape: broadcast of self and other."""
        return self._compare(other, np.greater)

    def ge(self, other):
        """self ≥ other as a bool tensor. Shape: broadcast of self and other."""
        return self._compare(other, np.greater_equal)

    def argmax(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        """Indices of the maxima along ``axis`` (or PyTorch's ``dim``), without gradient. Shape: as a reduction."""
        return Tensor._make(np.argmax(self.data, axis=axis if dim is None else dim,
                                      keepdims=keepdims if keepdim is None else keepdim), False, None)

    def argmin(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        """Indices of the minima along ``axis`` (or ``dim``), without gradient. Shape: as a reduction."""
        return Tensor._make(np.argmin(self.data, axis=axis if dim is None else dim,
                                      keepdims=keepdims if keepdim is None else keepdim), False, None)

    def any(self):
        return bool(self.data.any())

    def all(self):
        return bool(self.data.all())

    # ---------------------------------------------------------------- in place, and PyTorch no-ops
    def fill_(self, value):
        """Set every element to ``value`` in place and return self (no graph is recorded).

        As in PyTorch, a leaf that requires grad may only be filled under ``tg.no_grad()``. A gate's output
        may not be filled at all: its gates may have saved this very array for backward.
        Shape: self's, unchanged.
        """
        if isinstance(value, Tensor):
            if value.data.size != 1:
                raise ValueError(f"fill_: value must be a number or a one-element tensor, got shape {value.shape}")
            value = value.data.item()
        if self._gate is not None:
            raise RuntimeError(f"fill_: cannot modify the output of the {self._gate.name} gate in place (backward "
                               "may need its values); use .detach() or .clone() first")
        if self._requires_grad and grad_mode.state.grad_enabled:
            raise RuntimeError("fill_: a leaf tensor that requires grad can only be modified in place inside "
                               "`with tg.no_grad():`")
        self.data[...] = value
        return self

    def zero_(self):
        """Set every element to 0 in place and return self; same rules as :meth:`fill_`. Shape: unchanged."""
        return self.fill_(0)

    def contiguous(self):
        """Self (PyTorch's memory-layout call; layouts do not matter to tensorgate). Shape: unchanged."""
        return self

    def cpu(self):
        """Self (tensorgate tensors always live in CPU memory). Shape: unchanged."""
        return self

    # ---------------------------------------------------------------- printing
    def __repr__(self):
        body = np.array2string(self.data, precision=4, separator=", ", prefix="tensor(")
        extras = []
        if self.data.dtype != B.DEFAULT_FLOAT:
            extras.append(f"dtype={self.data.dtype}")
        if self._gate is not None:
            extras.append(f"grad_fn={self._gate.name}")
        elif self._requires_grad:
            extras.append("requires_grad=True")
        return f"tensor({body}{''.join(', ' + e for e in extras)})"


class _HookHandle:
    """Returned by ``register_hook``: ``handle.remove()`` unregisters the hook."""

    _next_id = 0

    def __init__(self, hooks, hook):
        _HookHandle._next_id += 1
        self.id = _HookHandle._next_id
        self._hooks = hooks
        hooks[self.id] = hook

    def remove(self):
        self._hooks.pop(self.id, None)


def tensor(data, requires_grad=False, dtype=None):
    """Make a tensor from data (see :class:`Tensor`). Floats become float32 unless ``dtype`` says otherwise.

    Shape: that of ``data``.
    """
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)

