"""Record the gates of one computation and replay them: the graph without its bookkeeping.

Eager autograd rebuilds the graph on every call: a Tensor for every value, a Gate object linked to its
inputs, a topological sort before backward. When the graph is the same every time (the same layers on
inputs of the same shape, as in a training loop) that bookkeeping is pure overhead: at batch 16 it is about
a third of an MLP's training step. A :class:`Tape` records the gates once, in the order they ran, with
where each of their inputs came from; :meth:`Tape.replay` then calls the same ``forward`` and ``backward``
methods in the same order (forward order, then reverse), directly on arrays.

What a tape sees is gates, nothing else. Python code around them (drawing a dropout mask, counting
batches, printing) ran once, while recording, and is not repeated. So recording refuses
(:class:`NotReplayable`) when a gate received an array it cannot trace back to an argument, a parameter
or buffer (read again at every replay, so in-place updates are seen) or an earlier gate; 0-d constants
(the 2 of ``x ** 2``) are kept as recorded.

    >>> import numpy as np, tensorgate as tg
    >>> w = tg.tensor([1.0, -2.0], requires_grad=True)
    >>> x = tg.tensor([3.0, 4.0])
    >>> with recording() as gates:
    ...     loss = (w * x).sum()
    >>> tape = Tape(gates, args=[x], leaves=[w], outputs=[loss])
    >>> [float(v) for v in tape.replay([np.array([1.0, 1.0], np.float32)])]   # forward and backward, new x
    [-1.0]
    >>> w.grad                                              # ∂/∂w Σ w·x = x
    array([1., 1.], dtype=float32)
"""
import contextlib

import numpy as np

from .. import backend as B
from .engine import _accumulate_grad, _appears_twice

#: The list that :meth:`Gate.apply` appends ``(gate class, input tensors, params, output)`` to, or None.
active = None

# where a gate's input comes from
_ARG, _OUTPUT, _LEAF, _CONSTANT = range(4)


class NotReplayable(Exception):
    """A recorded computation depends on something a replay would not reproduce; the message says what."""


@contextlib.contextmanager
def recording():
    """Collect every gate applied inside the block: yields the list of ``(cls, tensors, params, output)``."""
    global active
    gates, previous = [], active
    active = gates
    try:
        yield gates
    finally:
        active = previous


class Tape:
    """Gates recorded by :func:`recording`, replayable on new argument arrays of the same shapes.

    ``args``: the tensors that :meth:`replay` will be given new arrays for (the inputs and targets);
    ``leaves``: tensors whose ``.data`` is read anew at each replay and whose ``.grad`` receives gradients
    (parameters), plus any buffer tensors the gates read; ``outputs``: the tensors whose values replay
    returns; the first is the loss that is backpropagated (a scalar), unless ``backward=False``.

    Raises :class:`NotReplayable` if a gate input is none of these, not an earlier gate's output and not a
    0-d constant; or an output was not made by a recorded gate.
    """

    def __init__(self, gates, args, leaves, outputs):
        arrays = {id(t.data): (_ARG, i) for i, t in enumerate(args)}
        tensors = {id(t): (_ARG, i) for i, t in enumerate(args)}
        for t in leaves:
            tensors.setdefault(id(t), (_LEAF, t))
            arrays.setdefault(id(t.data), (_LEAF, t))
        self._steps = []
        produced = {}
        for index, (cls, inputs, params, out) in enumerate(gates):
            sources = []
            for t in inputs:
                source = tensors.get(id(t)) or produced.get(id(t)) or arrays.get(id(t.data))
                if source is None:
                    if t.data.ndim != 0 or t._requires_grad:
                        raise NotReplayable(
                            f"the {cls.name} gate (number {index + 1}) received an array of shape "
                            f"{t.shape} made outside the recorded gates; a replay would reuse it unchanged")
                    source = (_CONSTANT, t.data)
                sources.append((source, t._requires_grad, t.data.shape, t.data.dtype))
            fixed = {}
            for name, value in params.items():
                if isinstance(value, np.ndarray):
                    if id(value) not in arrays:
                        raise NotReplayable(
                            f"the {cls.name} gate (number {index + 1}) received an array for {name!r} made "
                            "outside the recorded gates (a random mask?); a replay would reuse it unchanged")
                    fixed[name] = arrays[id(value)]
                elif isinstance(value, (list, tuple, dict)) and _holds_array(value):
                    raise NotReplayable(f"the {cls.name} gate (number {index + 1}) received arrays "
                                        f"inside {name!r}, which a replay cannot follow")
            plain = {k: v for k, v in params.items() if k not in fixed}
            needs = tuple(s[1] for s in sources) if out._gate is not None else None
            self._steps.append((cls, sources, plain, fixed, needs))
            produced[id(out)] = (_OUTPUT, index)
        self._outputs = []
        for t in outputs:
            source = produced.get(id(t))
            if source is None:
                raise NotReplayable("an output of the recorded computation was not made by a recorded gate")
            self._outputs.append(source[1])
        self._arg_shapes = [(t.data.shape, t.data.dtype) for t in args]

    def __len__(self):
        return len(self._steps)

    def replay(self, args, backward=True):
        """Run the gates forward on ``args`` (arrays in the recorded order, shapes and dtypes as recorded),
        then, if ``backward``, backpropagate from the first output into the leaves' ``.grad``.

        Returns the output arrays. Shapes: as recorded.
        """
        for i, (a, (shape, dtype)) in enumerate(zip(args, self._arg_shapes)):
            if a.shape != shape or a.dtype != dtype:
                raise ValueError(f"Tape.replay: argument {i} has shape {a.shape} and dtype {a.dtype}, but the "
                                 f"tape was recorded with shape {shape} and dtype {dtype}")
        values, gates = [], []
        for cls, sources, plain, fixed, needs in self._steps:
            arrays = [values[ref] if kind == _OUTPUT else _value((kind, ref), args, values)
                      for (kind, ref), _, _, _ in sources]
            params = plain
            if fixed:
                params = dict(plain)
                for name, source in fixed.items():
                    params[name] = _value(source, args, values)
            gate = cls()
            gate.needs = needs
            values.append(gate.forward(*arrays, **params))
            gates.append(gate)
        outputs = [values[i] for i in self._outputs]
        if backward:
            self._backward(gates, values)
        return outputs

    def _backward(self, gates, values):
        """The engine's loop (engine.backward) over the recorded order: chain rule and junction rule."""
        grads = [None] * len(values)
        first = self._outputs[0]
        grads[first] = np.ones_like(values[first])
        for index in range(first, -1, -1):
            g = grads[index]
            needs = self._steps[index][4]
            if g is None or needs is None:
                continue
            grads[index] = None
            downstream = gates[index].backward(g)
            if downstream.__class__ is not tuple:
                downstream = (downstream,)
            for (source, need, shape, dtype), dg in zip(self._steps[index][1], downstream):
                if dg is None or not need:
                    continue
                if dg.shape != shape:
                    dg = B.unbroadcast(dg, shape)
                if dg.dtype is not dtype and dg.dtype != dtype:  # identity first: NumPy's dtypes are shared
                    dg = dg.astype(dtype)
                kind, ref = source
                if kind == _OUTPUT:
                    grads[ref] = dg if grads[ref] is None else grads[ref] + dg
                elif kind == _LEAF:
                    shared = dg is g or _appears_twice(dg, downstream)
                    _accumulate_grad(ref, dg, shared)


def _value(source, args, values):
    kind, ref = source
    if kind == _OUTPUT:
        return values[ref]
    if kind == _LEAF:
        return ref.data
    if kind == _ARG:
        return args[ref]
    return ref


def _holds_array(value):
    items = value.values() if isinstance(value, dict) else value
    return any(isinstance(v, np.ndarray) or (isinstance(v, (list, tuple, dict)) and _holds_array(v))
               for v in items)
