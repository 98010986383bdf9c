"""Record the gates of one computation and replay them: the graph without its bookkeeping.

Eager autograd rebuilds the graph on every call: a Tensor for every value, a Gate object linked to its
inputs, a topological sort before backward. When the graph is the same every time (the same layers on
inputs of the same shape, as in a training loop) that bookkeeping is pure overhead: at batch 16 it is about
a third of an MLP's training step. A :class:`Tape` records the gates once, in the order they ran, with
where each of their inputs came from, and writes the replay out as a straight-line Python function
(:attr:`Tape.code`) that calls the same ``forward`` and ``backward`` methods in the same order (forward
order, then reverse), directly on arrays.

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
    tensor([1., 1.])
    >>> print(tape.code)
    def replay(a0, backward=True):
        g1 = MulGate(); g1.needs = (True, False); g1.last_use = True
        v1 = g1.forward(p0.data, a0)
        g2 = SumGate(); g2.needs = (True,); g2.last_use = True
        v2 = g2.forward(v1, axis=None, keepdims=False)
        del v1
        if not backward:
            return v2,
        d2 = one0
        ds = call_backward(g2, d2)   # sum
        d1 = fit(ds[0], (2,), float32)
        del g2, d2
        ds = call_backward(g1, d1)   # mul
        to_leaf(p0, ds[0], d1, ds)
        del g1, d1
        return v2,
    <BLANKLINE>
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import contextlib
import linecache
import math
import threading
import weakref

import numpy as np

from ..backend import devices as D
from . import plumbing
from .gate import Gate, input_tensors

if TYPE_CHECKING:
    from typing import Iterator, Sequence

    from numpy.typing import NDArray

    from .tensor import Tensor

# Gate.apply as gate.py defines it: a recording wraps it, and outside one, gates run as they are
_unrecorded = Gate.__dict__["apply"]
_apply = _unrecorded.__func__

# where a gate's input comes from
_ARG, _OUTPUT, _LEAF, _CONSTANT = range(4)


class NotReplayable(Exception):
    """A recorded computation depends on something a replay would not reproduce; the message says what."""


_one_recording = threading.RLock()   # one thread records at a time (see recording)


@contextlib.contextmanager
def recording() -> Iterator[list[tuple[type[Gate], list[Tensor], dict[str, Any], Tensor]]]:
    """Collect every gate applied inside the block: yields the list of ``(cls, tensors, params, output)``.

    The recording observes the gates from outside: inside the block ``Gate.apply`` is a version that also
    notes what it did, so gates never ask whether they are being recorded. Recordings do not nest: the
    innermost block gets the gates. Only the recording thread's gates are noted, and one thread records
    at a time (another waits for the block to end): ``tg.predict`` may record in a server's threads.
    """
    with _one_recording:
        gates, previous, owner = [], Gate.__dict__["apply"], threading.get_ident()

        def apply(cls, *inputs, **params):
            if threading.get_ident() != owner:   # another thread's computation, not this recording's
                return _apply(cls, *inputs, **params)
            tensors = input_tensors(cls, inputs)
            result = _apply(cls, *tensors, **params)
            gates.append((cls, tensors, params, result))
            return result

        Gate.apply = classmethod(apply)  # type: ignore[assignment, method-assign]
        try:
            yield gates
        finally:
            Gate.apply = previous  # type: ignore[method-assign]


def recording_active() -> bool:
    """Whether a :func:`recording` is open (in any thread): code that would feed a gate an array computed
    outside the gates (``nn/fusion.py``'s folded weights) asks, because a recording would refuse it."""
    return Gate.__dict__["apply"] is not _unrecorded


class Tape:
    """Gates recorded by :func:`recording`, replayable on new argument arrays of the same shapes.

    ``args``: the tensors that :meth:`replay` will be given new arrays for (the inputs and targets);
    ``leaves``: tensors whose ``.data`` is read anew at each replay and whose ``.grad`` receives gradients
    (parameters), plus any buffer tensors the gates read; ``outputs``: the tensors whose values replay
    returns; the first is the loss that is backpropagated (a scalar), unless ``backward=False``.

    Raises :class:`NotReplayable` if a gate input is none of these, not an earlier gate's output and not a
    0-d constant; or an output was not made by a recorded gate.
    """

    def __init__(self, gates: list[tuple[type[Gate], list[Tensor], dict[str, Any], Tensor]], args: Sequence[Tensor],
                 leaves: Sequence[Tensor], outputs: Sequence[Tensor]):
        arrays = {id(t.data): (_ARG, i) for i, t in enumerate(args)}
        tensors = {id(t): (_ARG, i) for i, t in enumerate(args)}
        for t in leaves:
            tensors.setdefault(id(t), (_LEAF, t))  # type: ignore[arg-type]
            arrays.setdefault(id(t.data), (_LEAF, t))  # type: ignore[arg-type]
        self._steps, self._value_shapes, self._devices = [], [], []   # (the last two per gate output)
        produced: dict[int, Any] = {}
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
                sources.append(source)
            fixed = {}
            for name, value in params.items():
                if _is_array(value):
                    if id(value) not in arrays:
                        raise NotReplayable(
                            f"the {cls.name} gate (number {index + 1}) received an array for {name!r} made "
                            "outside the recorded gates (a random mask?); a replay would reuse it unchanged")
                    fixed[name] = arrays[id(value)]
                elif isinstance(value, (list, tuple, dict)) and _holds_array(value):
                    raise NotReplayable(f"the {cls.name} gate (number {index + 1}) received arrays "
                                        f"inside {name!r}, which a replay cannot follow")
            plain = {k: v for k, v in params.items() if k not in fixed}
            needs = tuple(t._requires_grad for t in inputs) if out._gate is not None else None
            self._steps.append((cls, sources, plain, fixed, needs))
            produced[id(out)] = (_OUTPUT, index)
            self._value_shapes.append((out.data.shape, out.data.dtype))
            self._devices.append(D.device_of(out.data))
        self._outputs = []
        for t in outputs:
            source = produced.get(id(t))
            if source is None:
                raise NotReplayable("an output of the recorded computation was not made by a recorded gate")
            self._outputs.append(source[1])
        self._arg_shapes = [(t.data.shape, t.data.dtype) for t in args]
        #: a gate call shares its batch among threads (:meth:`Gate.shares_batch`): replay inside
        #: ``backend.threads.batch_threads()``
        self.threads_over_batch = any(cls.shares_batch(inputs, params, out) for cls, inputs, params, out in gates)
        self._generate()

    def __len__(self) -> int:
        return len(self._steps)

    @property
    def code(self) -> str:
        """The replay as Python source: one line per gate call, forward then backward (read it to see
        what a training step does, gate by gate)."""
        return self._source

    def replay(self, args: Sequence[NDArray[Any]], backward: bool = True) -> list[NDArray[Any]]:
        """Run the gates forward on ``args`` (arrays in the recorded order, shapes and dtypes as recorded),
        then, if ``backward``, backpropagate from the first output into the leaves' ``.grad``.

        Returns the output arrays. Shapes: as recorded.
        """
        for i, (a, (shape, dtype)) in enumerate(zip(args, self._arg_shapes)):
            if a.shape != shape or a.dtype != dtype:
                raise ValueError(f"Tape.replay: argument {i} has shape {a.shape} and dtype {a.dtype}, but the "
                                 f"tape was recorded with shape {shape} and dtype {dtype}")
        return self.run(*args, backward)

    # ---------------------------------------------------------------- code generation
    def _generate(self):
        """Write the replay as one straight-line Python function and compile it.

        A loop over the recorded steps would decide, for every gate of every batch, where each input comes
        from and where each gradient goes. Those answers are the same every time, so they are written out
        once as code: ``v3 = g3.forward(v2, p2.data, p3.data)`` forward, ``ds = g3.backward(d3)`` backward.
        Names: a = arguments, p = leaves (their ``.data`` is read at each replay), c = kept constants,
        g = gates, v = gate outputs, d = gradients of gate outputs, ds = the gradients a backward returned.
        ``del`` lines drop each value, gate and gradient right after its last use, as eager code does
        (temporaries freed early are reused by the allocator while still in the CPU cache). A gate that
        promises exact gradients (:attr:`Gate.exact_gradients`) has its results assigned as they are;
        the others' go through ``fit`` (shape and dtype) and ``to_leaf`` (the engine's copy rules), the
        plumbing eager backward uses (``plumbing.py``).
        """
        names = _Names({"fit": plumbing.fit, "add": plumbing.add, "accumulate": plumbing.accumulate,
                        "to_leaf": _to_leaf, "call_backward": _call_backward})
        reached = self._reached()
        args = ", ".join(f"a{i}" for i in range(len(self._arg_shapes)))
        lines = [f"def replay({args}, backward=True):"]
        lines += self._forward_code(names, reached)
        lines += self._backward_code(names, reached)
        self._source = "\n".join(lines) + "\n"
        #: the generated function itself: ``run(*args, backward=True)`` is :meth:`replay` without checking the
        #: arguments' shapes and dtypes, for callers that keep one tape per signature (CompiledStep)
        self.run = self._compile(names.namespace)

    def _reached(self):
        """The gate outputs that receive a gradient (so the backward visits their gates): the loss, and
        every output that a reached gate passes a gradient to."""
        first = self._outputs[0]
        reached = {first}
        for index in range(first, -1, -1):
            _, sources, _, _, needs = self._steps[index]
            if index in reached and needs is not None:
                reached.update(ref for (kind, ref), need in zip(sources, needs) if need and kind == _OUTPUT)
        return reached

    def _last_reads(self):
        """Gate output → the last gate whose forward reads it (after which the value can be dropped)."""
        last_read = {}
        for index, (_, sources, _, fixed, _) in enumerate(self._steps):
            for kind, ref in sources + list(fixed.values()):
                if kind == _OUTPUT:
                    last_read[ref] = index
        return last_read

    def _returned(self):
        return ", ".join(f"v{i + 1}" for i in self._outputs) + ("," if len(self._outputs) == 1 else "")

    def _forward_code(self, names, reached):
        """Each gate made and its forward called, in recorded order; values freed after their last read."""
        outputs, last_read, lines = set(self._outputs), self._last_reads(), []
        for index, (cls, sources, plain, fixed, needs) in enumerate(self._steps):
            n = index + 1
            inputs = [names.source(source) for source in sources]
            inputs += [f"{k}={names.source(source)}" for k, source in fixed.items()]
            inputs += [f"{k}={_literal(v) if _literal(v) else names.of(v, 'k')}" for k, v in plain.items()]
            if needs is None:   # no gradient flows through this gate: its forward may skip what backward needs
                lines.append(f"    g{n} = {names.of(cls, '')}(); g{n}.needs = None; g{n}.recording = False")
            else:
                lines.append(f"    g{n} = {names.of(cls, '')}(); g{n}.needs = {needs!r}; g{n}.last_use = True")
            lines.append(f"    v{n} = g{n}.forward({', '.join(inputs)})")
            # free what no later line needs, as soon as it is not needed (the gates keep what they saved)
            done = [f"v{ref + 1}" for ref, last in last_read.items() if last == index and ref not in outputs]
            if index not in reached or needs is None:
                done.append(f"g{n}")
            if done:
                lines.append(f"    del {', '.join(done)}")
        lines.append(f"    if not backward:\n        return {self._returned()}")
        return lines

    def _backward_code(self, names, reached):
        """The seed ∂L/∂L = 1, then each reached gate's backward in reverse order, its gradients passed on."""
        first = self._outputs[0]
        # ∂L/∂L = 1, made once: gates never write into the gradient they receive, and the array is read-only
        # (made on the CPU and moved to the loss's device, where arrays have no read-only flag)
        shape, dtype = self._value_shapes[first]
        seed = np.ones(shape, D.numpy_dtype(dtype))
        seed.flags.writeable = False
        if self._devices[first][0] != "cpu":
            seed = D.to_device(seed, *self._devices[first])
        lines = [f"    d{first + 1} = {names.of(seed, 'one')}"]
        assigned = {first}
        certain = {first}    # gradients that cannot be None: some exact gate (or the seed) contributed to them
        for index in range(first, -1, -1):
            if index in reached and self._steps[index][4] is not None:
                lines += self._gate_backward(index, names, assigned, certain)
        lines.append(f"    return {self._returned()}")
        return lines

    def _gate_backward(self, index, names, assigned, certain):
        """One gate's backward call and where its gradients go (a gradient, the junction rule, a leaf)."""
        cls, sources, _, _, needs = self._steps[index]
        n = index + 1
        # a gate that promises exact gradients (Gate.exact_gradients) needs no checks: plain assignments
        # (with one input its backward returns the gradient itself, without a tuple around it)
        exact = cls.exact_gradients and index in certain
        if exact and len(sources) == 1 and sources[0][0] == _OUTPUT and sources[0][1] not in assigned:
            ref = sources[0][1]
            assigned.add(ref)
            certain.add(ref)
            return [f"    d{ref + 1} = g{n}.backward(d{n})   # {cls.name}", f"    del g{n}, d{n}"]
        lines = [f"    ds = g{n}.backward(d{n})   # {cls.name}" if exact
                 else f"    ds = call_backward(g{n}, d{n})   # {cls.name}"]
        for i, ((kind, ref), need) in enumerate(zip(sources, needs)):
            if not need:
                continue
            grad = "ds" if exact and len(sources) == 1 else f"ds[{i}]"
            if kind == _OUTPUT:
                grad = grad if cls.exact_gradients else f"fit({grad}, {names.like(*self._value_shapes[ref])})"
                lines.append(f"    d{ref + 1} = {grad}" if ref not in assigned
                             else f"    d{ref + 1} = add(d{ref + 1}, {grad})")   # the junction rule
                assigned.add(ref)
                if exact:
                    certain.add(ref)
            elif kind == _LEAF:
                leaf = names.of(ref, "p")
                lines.append(f"    accumulate({leaf}, {grad})" if exact else f"    to_leaf({leaf}, {grad}, d{n}, ds)")
        lines.append(f"    del g{n}, d{n}")
        return lines

    def _compile(self, namespace):
        """Compile the source and return the replay function. Its source goes into ``linecache``, so that
        a traceback through a replay shows the generated line; the entry goes when the tape does."""
        filename = f"<tensorgate tape {id(self):x}>"
        linecache.cache[filename] = (len(self._source), None, self._source.splitlines(True), filename)
        weakref.finalize(self, linecache.cache.pop, filename, None)
        exec(compile(self._source, filename, "exec"), namespace)
        return namespace["replay"]


class _Names:
    """The names the generated code gives to what it refers to (leaves, gate classes, constants), and the
    namespace it runs in, which maps each name to its object."""

    def __init__(self, namespace):
        self.namespace = namespace
        self._names, self._counts = {}, {}   # id of a leaf tensor, gate class or constant → its name

    def of(self, obj, prefix):
        """The name of ``obj``: a class's own name (prefix ''), else the prefix and a number (p0, c1)."""
        key = id(obj)
        if key not in self._names:
            count = self._counts[prefix] = self._counts.get(prefix, -1) + 1
            base = obj.__name__ if prefix == "" else f"{prefix}{count}"
            while base in self.namespace:
                base += "_"
            self._names[key] = base
            self.namespace[base] = obj
        return self._names[key]

    def source(self, source):
        """Where a gate input comes from, as code: an argument, an earlier output, a leaf's array, a constant."""
        kind, ref = source
        if kind == _ARG:
            return f"a{ref}"
        if kind == _OUTPUT:
            return f"v{ref + 1}"
        if kind == _LEAF:
            return f"{self.of(ref, 'p')}.data"
        return self.of(ref, "c")

    def like(self, shape, dtype):
        """The shape and dtype arguments of ``fit`` for a value of ``shape`` and ``dtype``."""
        if not isinstance(dtype, np.dtype):     # another device's dtype object (array_api_strict's)
            name = D.numpy_dtype(dtype).name
            known = self.namespace.setdefault(name, dtype)
            if type(known) is type(dtype) and known == dtype:
                return f"{shape!r}, {name}"
            return f"{shape!r}, {self.of(dtype, 'dtype')}"
        if self.namespace.setdefault(dtype.name, dtype) is not dtype:
            return f"{shape!r}, {self.of(dtype, 'dtype')}"
        return f"{shape!r}, {dtype.name}"


# ---------------------------------------------------------------- what the generated code calls
def _call_backward(gate, grad):
    """The gate's downstream gradients as a tuple (one per input); all None if no gradient arrived."""
    if grad is None:
        return (None,) * len(gate.needs)
    return plumbing.per_input(gate.backward(grad))


def _to_leaf(leaf, grad, upstream, downstream):
    """Accumulate into ``leaf.grad`` as the engine does (a copy if the array is also handed elsewhere)."""
    if grad is None:
        return
    grad = plumbing.fit(grad, leaf.data.shape, leaf.data.dtype)
    plumbing.accumulate(leaf, grad, plumbing.is_shared(grad, upstream, downstream))  # type: ignore[arg-type]


def _literal(value):
    """``repr(value)`` if it is Python source that gives the value back (numbers, strings, ...), else None."""
    kind = type(value)   # exactly these types: a subclass (np.float64, a namedtuple) has another repr
    if value is None or kind in (bool, int, str) or (kind is float and math.isfinite(value)):
        return repr(value)
    if kind is tuple and all(_literal(v) for v in value):
        return repr(value)
    return None


def _holds_array(value):
    items = value.values() if isinstance(value, dict) else value
    return any(_is_array(v) or (isinstance(v, (list, tuple, dict)) and _holds_array(v)) for v in items)


def _is_array(value):
    """Whether a gate's parameter is an array, on any device (which a replay must read anew, not bake in)."""
    if value.__class__ is np.ndarray:
        return True
    if value is None or value.__class__ in (bool, int, float, str, tuple, list, dict) or isinstance(value, np.generic):
        return False
    return D.is_array(value)
