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
        g1 = Mul(); g1.needs = (True, False); g1.last_use = True
        v1 = g1.forward(p0.data, a0)
        g2 = Sum(); g2.needs = (True,); g2.last_use = True
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
import contextlib
import linecache
import math
import operator

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
        self._steps, self._value_shapes = [], []
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
                sources.append(source)
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
            needs = tuple(t._requires_grad for t in inputs) if out._gate is not None else None
            self._steps.append((cls, sources, plain, fixed, needs))
            produced[id(out)] = (_OUTPUT, index)
            self._value_shapes.append((out.data.shape, out.data.dtype))
        self._outputs = []
        for t in outputs:
            source = produced.get(id(t))
            if source is None:
                raise NotReplayable("an output of the recorded computation was not made by a recorded gate")
            self._outputs.append(source[1])
        self._arg_shapes = [(t.data.shape, t.data.dtype) for t in args]
        self._generate()

    def __len__(self):
        return len(self._steps)

    @property
    def code(self):
        """The replay as Python source: one line per gate call, forward then backward (read it to see
        what a training step does, gate by gate)."""
        return self._source

    def replay(self, args, backward=True):
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
        the others' go through ``fit`` (shape and dtype) and ``to_leaf`` (the engine's copy rules).
        """
        namespace = {"fit": _fit, "add": _add, "to_leaf": _to_leaf, "call_backward": _call_backward,
                     "iadd": operator.iadd}
        names, counts = {}, {}   # id of a leaf tensor, gate class or constant → its name in the code

        def name_of(obj, prefix):
            key = id(obj)
            if key not in names:
                count = counts[prefix] = counts.get(prefix, -1) + 1
                base = obj.__name__ if prefix == "" else f"{prefix}{count}"
                while base in namespace:
                    base += "_"
                names[key] = base
                namespace[base] = obj
            return names[key]

        def source_code(source):
            kind, ref = source
            if kind == _ARG:
                return f"a{ref}"
            if kind == _OUTPUT:
                return f"v{ref + 1}"
            if kind == _LEAF:
                return f"{name_of(ref, 'p')}.data"
            return name_of(ref, "c")

        def like(index):   # the shape and dtype a gradient of gate output ``index`` must have
            shape, dtype = self._value_shapes[index]
            if namespace.setdefault(dtype.name, dtype) is not dtype:
                return f"{shape!r}, {name_of(dtype, 'dtype')}"
            return f"{shape!r}, {dtype.name}"

        steps, outputs = self._steps, set(self._outputs)
        first = self._outputs[0]
        reached = {first}    # gate outputs that receive a gradient: the backward visits their gates
        for index in range(first, -1, -1):
            if index in reached and steps[index][4] is not None:
                reached.update(ref for (kind, ref), need in zip(steps[index][1], steps[index][4])
                               if need and kind == _OUTPUT)
        last_read = {}       # gate output → the last gate (forward) that reads it
        for index, (_, sources, _, fixed, _) in enumerate(steps):
            for kind, ref in sources + list(fixed.values()):
                if kind == _OUTPUT:
                    last_read[ref] = index

        args = ", ".join(f"a{i}" for i in range(len(self._arg_shapes)))
        lines = [f"def replay({args}, backward=True):"]
        for index, (cls, sources, plain, fixed, needs) in enumerate(steps):
            n = index + 1
            inputs = [source_code(source) for source in sources]
            inputs += [f"{k}={source_code(source)}" for k, source in fixed.items()]
            inputs += [f"{k}={_literal(v) if _literal(v) else name_of(v, 'k')}" for k, v in plain.items()]
            lines.append(f"    g{n} = {name_of(cls, '')}(); g{n}.needs = {needs!r}; g{n}.last_use = True")
            lines.append(f"    v{n} = g{n}.forward({', '.join(inputs)})")
            # free what no later line needs, as soon as it is not needed (the gates keep what they saved)
            done = [f"v{ref + 1}" for ref, last in last_read.items() if last == index and ref not in outputs]
            if index not in reached or needs is None:
                done.append(f"g{n}")
            if done:
                lines.append(f"    del {', '.join(done)}")
        returned = ", ".join(f"v{i + 1}" for i in self._outputs) + ("," if len(self._outputs) == 1 else "")
        lines.append(f"    if not backward:\n        return {returned}")
        # ∂L/∂L = 1, made once: gates never write into the gradient they receive, and the array is read-only
        seed = np.ones(*self._value_shapes[first])
        seed.flags.writeable = False
        lines.append(f"    d{first + 1} = {name_of(seed, 'one')}")
        assigned = {first}
        certain = {first}    # gradients that cannot be None: some exact gate (or the seed) contributed to them
        for index in range(first, -1, -1):
            cls, sources, _, _, needs = steps[index]
            if index not in reached or needs is None:
                continue
            # a gate that promises exact gradients (Gate.exact_gradients) needs no checks: plain assignments
            exact = cls.exact_gradients
            call = "g{0}.backward(d{0})" if exact and index in certain else "call_backward(g{0}, d{0})"
            lines.append(f"    ds = {call.format(index + 1)}   # {cls.name}")
            for i, ((kind, ref), need) in enumerate(zip(sources, needs)):
                if not need:
                    continue
                if kind == _OUTPUT:
                    grad = f"ds[{i}]" if exact else f"fit(ds[{i}], {like(ref)})"
                    lines.append(f"    d{ref + 1} = {grad}" if ref not in assigned
                                 else f"    d{ref + 1} = add(d{ref + 1}, {grad})")   # the junction rule
                    assigned.add(ref)
                    if exact and index in certain:
                        certain.add(ref)
                elif kind == _LEAF:
                    leaf = name_of(ref, "p")
                    lines.append(f"    {leaf}._grad = ds[{i}] if {leaf}._grad is None else iadd({leaf}._grad, ds[{i}])"
                                 if exact and index in certain else f"    to_leaf({leaf}, ds[{i}], d{index + 1}, ds)")
            lines.append(f"    del g{index + 1}, d{index + 1}")
        lines.append(f"    return {returned}")
        self._source = "\n".join(lines) + "\n"
        filename = f"<tensorgate tape {id(self):x}>"
        linecache.cache[filename] = (len(self._source), None, self._source.splitlines(True), filename)
        exec(compile(self._source, filename, "exec"), namespace)
        #: the generated function itself: ``run(*args, backward=True)`` is :meth:`replay` without checking the
        #: arguments' shapes and dtypes, for callers that keep one tape per signature (CompiledStep)
        self.run = namespace["replay"]


# ---------------------------------------------------------------- what the generated code calls
def _call_backward(gate, grad):
    """The gate's downstream gradients as a tuple (one per input); all None if no gradient arrived."""
    if grad is None:
        return (None,) * len(gate.needs)
    downstream = gate.backward(grad)
    return downstream if downstream.__class__ is tuple else (downstream,)


def _fit(grad, shape, dtype):
    """A gradient brought to a value's shape (broadcasting undone) and dtype; None stays None."""
    if grad is None:
        return None
    if grad.shape != shape:
        grad = B.unbroadcast(grad, shape)
    if grad.dtype is not dtype and grad.dtype != dtype:  # identity first: NumPy's dtypes are shared
        grad = grad.astype(dtype)
    return grad


def _add(total, grad):
    """The junction rule, where either side may be None."""
    if total is None:
        return grad
    return total if grad is None else total + grad


def _to_leaf(leaf, grad, upstream, downstream):
    """Accumulate into ``leaf.grad`` as the engine does (a copy if the array is also handed elsewhere)."""
    if grad is None:
        return
    grad = _fit(grad, leaf.data.shape, leaf.data.dtype)
    _accumulate_grad(leaf, grad, grad is upstream or _appears_twice(grad, downstream))


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
    return any(isinstance(v, np.ndarray) or (isinstance(v, (list, tuple, dict)) and _holds_array(v))
               for v in items)
