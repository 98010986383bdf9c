"""The Gate: one node of the computational graph.

A gate does two things. ``forward`` computes its output from its inputs' arrays and saves whatever makes
its derivative shortest. ``backward`` receives the upstream gradient ∂L/∂out and returns the downstream
gradients ∂L/∂input_i = ∂L/∂out · ∂out/∂input_i, one per input (the chain rule).

Everything that is the same for every gate lives in the base class, so that each gate is only its math:
:meth:`Gate.apply` turns numbers and arrays into tensors, checks dtypes and decides whether to link the
graph; :meth:`Gate.downstream` brings each gradient to its input's shape and dtype (``plumbing.py``, which
the replayed tape calls too) and runs the anomaly checks.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence, Union
import traceback

import numpy as np

from ..backend import devices as D
from . import grad_mode, plumbing, tensor_inplace
from .tensor import Tensor, to_array

if TYPE_CHECKING:
    from typing import TypeAlias

    from numpy.typing import NDArray

    from .tensor import TensorLike

    #: what a gate's backward returns: ∂L/∂input alone (one input), or one entry per input (None: not needed)
    Grads: TypeAlias = Union[NDArray[Any], tuple[Union[NDArray[Any], None], ...]]

_FREED = object()


class Gate:
    """Base class of all gates.

    Subclasses define ``forward(self, *arrays, **params) -> array`` and ``backward(self, grad)``, which
    returns ∂L/∂input: the array itself for a gate with one input, a tuple with one entry per input
    otherwise (:func:`plumbing.per_input` treats both alike). In ``backward``, ``self.needs[i]`` says whether
    input i wants a gradient, so work for inputs that need none can be skipped (None in that place).
    ``backward`` must never modify ``grad`` in place.
    """

    #: printed name of the gate ("add", "sigmoid", ...); defaults to the class name without its ``Gate``
    #: suffix, in lower case
    name: str | None = None
    #: set False for gates that also make sense on integer data (add, getitem, reshape, ...)
    needs_float = True
    #: set False for gates whose output never carries a gradient (comparisons)
    differentiable = True
    #: integer and boolean inputs meeting a float one are cast to its dtype before forward, as PyTorch
    #: promotes (int64 + float32 is float32; NumPy would give float64): the elementwise arithmetic, where,
    #: cat and stack say True
    promotes_integers = False

    # The graph links live in slots; what forward saves for backward lives in __dict__, so that
    # release() can free exactly that.
    __slots__ = ("inputs", "needs", "out_shape", "created_at", "__dict__")
    inputs: Sequence[Tensor]
    needs: tuple[bool, ...]
    out_shape: tuple[int, ...]
    created_at: str
    freed = False
    #: True while ``backward`` runs for the last time (the engine frees the saved values right after, as
    #: does a replayed tape): backward may then reuse a saved array for its result instead of copying it
    last_use = False
    #: A promise that lets a replayed tape (autograd/tape.py) skip its checks: ``backward`` returns, for each
    #: input that needs one, a new array (no view, not the upstream gradient, not another input's) of that
    #: input's shape and dtype, and None for the others; the array alone for a gate with one input.
    exact_gradients = False
    #: the in-place clock when forward ran (autograd/tensor_inplace.py); replayed tapes never check it
    clock = 0
    #: False while forward runs for an output that no graph will hold (under ``tg.no_grad()``, or no input
    #: requiring a gradient): backward will never run, so forward may skip what only backward needs (max
    #: pooling's argmax, batch normalisation's x̂). Replayed tapes and direct calls keep the default, True.
    recording = True

    @classmethod
    def shares_batch(cls, inputs: list[Any], params: dict[str, Any], out: Any) -> bool:
        """True where this call's CPU kernels would share its batch among threads inside
        ``backend.threads.batch_threads()`` and gain by it (Conv2dGate, on large layers): a replayed
        training step that records such a call runs inside one, BLAS at one thread (training/compiled.py).
        ``inputs`` are the call's input tensors, ``params`` its keyword arguments, ``out`` its output tensor.
        """
        return False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("name") is None:
            cls.name = cls.__name__.removesuffix("Gate").lower()

    def forward(self, *arrays: Any, **params: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, grad: NDArray[Any]) -> Grads:  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs: TensorLike, **params: Any) -> Tensor:
        """Run the gate on ``inputs`` (Tensors, arrays or numbers) and return its output Tensor."""
        tensors: Sequence[Any] = inputs
        first = None
        for x in inputs:  # fast path: all inputs are NumPy tensors of one dtype (the usual case)
            if not isinstance(x, Tensor) or x.data.__class__ is not np.ndarray:
                tensors = input_tensors(cls, inputs)
                break
            dtype = x.data.dtype
            if first is None:
                first = dtype
                if cls.needs_float and dtype.kind != "f":
                    tensors = input_tensors(cls, inputs)  # raises the TypeError
                    break
            elif dtype != first:
                tensors = input_tensors(cls, inputs)  # int with float, or an error for mixed floats
                break
        gate = cls()
        recording = False
        if grad_mode.state.grad_enabled and cls.differentiable:
            for t in tensors:
                if t._requires_grad:
                    recording = True
                    break
        if not recording:
            gate.recording = False
        out = gate.forward(*[t.data for t in tensors], **params)
        if grad_mode.state.anomaly:
            gate.created_at = _user_frame()
            _check_finite(gate, "forward", out)
        if not recording:
            return Tensor._make(out, False, None)
        gate.inputs = tensors
        gate.needs = tuple([t._requires_grad for t in tensors])
        gate.out_shape = out.shape
        gate.clock = tensor_inplace.clock.value   # in-place writes after this are caught in backward
        return Tensor._make(out, True, gate)

    def downstream(self, grad: NDArray[Any]) -> list[NDArray[Any] | None]:
        """Call ``backward`` and bring each gradient to its input's shape and dtype (broadcasting undone)."""
        if self.freed:
            raise RuntimeError(
                f"backward: trying to backpropagate through the {self.name} gate a second time, but its saved "
                "values were freed after the first backward. Call backward(retain_graph=True) the first time "
                "if you need to go through the graph twice, or recompute the forward pass.")
        if self.clock != tensor_inplace.clock.value:   # something was written in place since forward
            tensor_inplace.check_unmodified(self)
        grads = plumbing.per_input(self.backward(grad))
        out = [plumbing.fit(g, t.data.shape, t.data.dtype) if need else None
               for t, g, need in zip(self.inputs, grads, self.needs)]
        if grad_mode.state.anomaly:
            for g in out:
                if g is not None:
                    _check_finite(self, "backward", g)
        return out

    def release(self) -> None:
        """Free what forward saved (everything in ``__dict__``); a later backward through it raises a clear error."""
        self.__dict__.clear()
        self.freed = True

    def __repr__(self) -> str:
        shapes = ", ".join(str(tuple(t.shape)) for t in getattr(self, "inputs", ()))
        out = getattr(self, "out_shape", None)
        return f"<{self.name} gate: ({shapes}) -> {out}>"


def input_tensors(cls: type[Gate], inputs: Sequence[TensorLike]) -> list[Tensor]:
    """Turn numbers and arrays among a gate's inputs into constant tensors of the tensors' dtype, on the
    tensors' device.

    Two tensors of different floating dtypes are an error: tensorgate never promotes silently. So are two
    tensors on different devices.
    """
    dtype = kind = None
    where = None   # the first tensor's array: its device is the gate's
    for x in inputs:
        if isinstance(x, Tensor):
            x_kind = D.kind(x.data.dtype)
            if where is None:
                where = x.data
            elif (x.data.__class__ is not np.ndarray or where.__class__ is not np.ndarray) and \
                    D.device_of(x.data) != D.device_of(where):
                raise RuntimeError(
                    f"{cls.name}: expected all tensors on the same device, found {D.describe(D.device_of(where))} "
                    f"and {D.describe(D.device_of(x.data))}; move one with .to(device)")
            if dtype is None or (x_kind == "f" and kind != "f"):
                dtype, kind = x.data.dtype, x_kind
            elif x_kind == "f" and kind == "f" and x.data.dtype != dtype:
                raise TypeError(
                    f"{cls.name}: inputs have different dtypes, {D.numpy_dtype(dtype)} and "
                    f"{D.numpy_dtype(x.data.dtype)}; tensorgate does not promote silently, convert one with "
                    ".float() or .double()")
    tensors = []
    for x in inputs:
        if not isinstance(x, Tensor):
            array = np.asarray(x)
            if array.dtype.kind == "O":
                raise TypeError(f"{cls.name}: cannot use an object of type {type(x).__name__} as an input")
            if dtype is not None and kind == "f":
                array = array.astype(D.numpy_dtype(dtype), copy=False)  # a constant takes the tensors' float dtype
            elif dtype is not None and array.dtype.kind in "iu":
                array = array.astype(D.numpy_dtype(dtype), copy=False)  # integer constant with integer tensors
            else:
                array = to_array(array)
            if where is not None and where.__class__ is not np.ndarray and D.device_of(where)[0] != "cpu":
                array = D.to_device(array, *D.device_of(where))
            x = Tensor._make(array, False, None)
        elif cls.needs_float and D.kind(x.data.dtype) != "f":
            raise TypeError(
                f"{cls.name}: expects floating-point input, got a tensor of dtype {D.numpy_dtype(x.data.dtype)}; "
                "convert it with .float()")
        tensors.append(x)
    if cls.promotes_integers:   # an integer or boolean operand takes the float's dtype, as PyTorch promotes
        floats = [t.data.dtype for t in tensors if D.kind(t.data.dtype) == "f"]
        if floats:
            tensors = [t if D.kind(t.data.dtype) == "f" else Tensor._make(_astype(t.data, floats[0]), False, None)
                       for t in tensors]
    return tensors


def _astype(array: Any, dtype: Any) -> Any:
    return array.astype(dtype) if array.__class__ is np.ndarray else D.namespace(array).astype(array, dtype)


def _user_frame():
    """The innermost stack frame outside tensorgate: where the user created the gate."""
    for frame in reversed(traceback.extract_stack()[:-2]):
        if "tensorgate" not in frame.filename.replace("\\", "/").split("/")[-3:-1]:
            return f"{frame.filename}:{frame.lineno} in {frame.name}: {frame.line}"
    return "unknown"


def _check_finite(gate, phase, array):
    if D.kind(array.dtype) == "f" and not _all_finite(array):
        xp = D.namespace(array)
        bad = "nan" if bool(xp.any(xp.isnan(array))) else "inf"
        where = getattr(gate, "created_at", "unknown")
        raise grad_mode.AnomalyError(
            f"detect_anomaly: the {phase} of the {gate.name} gate produced {bad}; the gate was created at {where}")


def _all_finite(array):
    xp = D.namespace(array)
    return bool(xp.all(xp.isfinite(array)))
