"""Switches that change how gates record the graph: gradient mode and anomaly detection."""
import functools


class _State:
    grad_enabled = True
    anomaly = False


state = _State()


def is_grad_enabled():
    """True when gates record the graph for backpropagation."""
    return state.grad_enabled


class _GradSwitch:
    """Context manager and decorator that sets gradient mode and restores it afterwards."""

    enabled = None

    def __enter__(self):
        self._previous = state.grad_enabled
        state.grad_enabled = self.enabled

    def __exit__(self, *exc):
        state.grad_enabled = self._previous
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradSwitch):
    """Gates compute values but record no graph (evaluation, optimiser updates).

    Use as ``with tg.no_grad(): ...`` or as a decorator ``@tg.no_grad()``.
    """

    enabled = False


class enable_grad(_GradSwitch):
    """Turn graph recording back on inside a ``no_grad`` block."""

    enabled = True


class detect_anomaly:
    """Raise at the first gate whose forward or backward produces nan or inf.

    The error names the gate and the line of user code that created it. Recording where every gate was
    created is slow, so this is a debugging mode: ``with tg.detect_anomaly(): loss.backward()``.
    """

    def __enter__(self):
        self._previous = state.anomaly
        state.anomaly = True
        return self

    def __exit__(self, *exc):
        state.anomaly = self._previous
        return False


class AnomalyError(FloatingPointError):
    """A gate produced nan or inf while anomaly detection was on."""
