"""Switches that change how gates record the graph: gradient mode and anomaly detection."""
from __future__ import annotations

from typing import Any, Callable, Literal, TypeVar

_F = TypeVar("_F", bound=Callable[..., Any])  # a decorated function keeps its signature
import functools
import threading


class _State(threading.local):
    """Whether gates record the graph, per thread as in PyTorch: a ``no_grad`` block in one thread (a
    ``tg.predict`` in a server's worker) leaves the others recording, and blocks entered and left by
    several threads at once cannot leave gradients switched off. Anomaly detection is for the whole
    process, as PyTorch's is."""

    grad_enabled = True   # a class attribute: each thread starts with it

    @property
    def anomaly(self) -> bool:
        return _anomaly[0]

    @anomaly.setter
    def anomaly(self, value: bool) -> None:
        _anomaly[0] = value


_anomaly = [False]
state = _State()


def is_grad_enabled() -> bool:
    """True when gates record the graph for backpropagation."""
    return state.grad_enabled


class _GradSwitch:
    """Context manager and decorator that sets gradient mode and restores it afterwards."""

    enabled: bool | None = None

    def __enter__(self) -> None:
        self._previous = state.grad_enabled
        state.grad_enabled = self.enabled  # type: ignore[assignment]

    def __exit__(self, *exc: object) -> Literal[False]:
        state.grad_enabled = self._previous
        return False

    def __call__(self, fn: _F) -> _F:
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class no_grad(_GradSwitch):
    """Gates compute values but record no graph (evaluation, optimiser updates).

    Use as ``with tg.no_grad(): ...`` or as a decorator ``@tg.no_grad()``.
    """

    enabled = False


class enable_grad(_GradSwitch):
    """Turn graph recording back on inside a ``no_grad`` block."""

    enabled = True


class set_grad_enabled(_GradSwitch):
    """Switch graph recording on or off: ``set_grad_enabled(False)`` as a call (the mode stays set), as
    ``with tg.set_grad_enabled(is_train): ...`` (restored on exit) or as a decorator, as in PyTorch.

    Shape: not applicable.
    """

    def __init__(self, mode: bool):
        self.enabled = bool(mode)
        self._previous = state.grad_enabled
        state.grad_enabled = self.enabled  # set at once, so that the plain call works

    def __enter__(self) -> None:
        state.grad_enabled = self.enabled  # type: ignore[assignment]

    def __call__(self, fn: _F) -> _F:
        state.grad_enabled = self._previous  # decorating a function must not change the mode now

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(self.enabled):  # type: ignore[arg-type]
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class inference_mode(_GradSwitch):
    """PyTorch's ``inference_mode``: as :class:`no_grad` here (gates record no graph), as a context manager
    ``with tg.inference_mode():`` or a decorator (``@tg.inference_mode()``); ``inference_mode(False)``
    leaves gradient mode as it is. Tensors made inside are ordinary tensors (PyTorch's are marked as
    inference tensors, which tensorgate has no need for). Shape: not applicable.
    """

    def __init__(self, mode: bool = True):
        self.mode = bool(mode)

    def __enter__(self) -> None:
        self._previous = state.grad_enabled
        if self.mode:
            state.grad_enabled = False

    def __call__(self, fn: _F) -> _F:
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with inference_mode(mode):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


def is_inference_mode_enabled() -> bool:
    """True inside ``inference_mode`` (and ``no_grad``: tensorgate does not tell them apart)."""
    return not state.grad_enabled


class detect_anomaly:
    """Raise at the first gate whose forward or backward produces nan or inf.

    The error names the gate and the line of user code that created it. Recording where every gate was
    created is slow, so this is a debugging mode: ``with tg.detect_anomaly(): loss.backward()``.
    """

    def __enter__(self) -> detect_anomaly:
        self._previous = state.anomaly
        state.anomaly = True
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        state.anomaly = self._previous
        return False


class AnomalyError(FloatingPointError):
    """A gate produced nan or inf while anomaly detection was on."""
