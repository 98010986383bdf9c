"""The gate trace: backpropagation printed gate by gate, for people learning or debugging it.

    >>> import tensorgate as tg
    >>> f = lambda x, y: (x + tg.sigmoid(y)) / (tg.sigmoid(x) + (x + y) ** 2)
    >>> rows = tg.trace(f, x=2.0, y=1.0)          # doctest: +SKIP

prints one row per gate in forward order (what it computes and its value), then, in the order
backpropagation visits them, the upstream gradient ∂f/∂out each gate received and the downstream gradients
∂f/∂in it passed on, and finally ∂f/∂input for every input.
"""
from __future__ import annotations

from typing import TYPE_CHECKING
from dataclasses import dataclass, field

import numpy as np

from . import grad_mode
from .engine import backward, topological_order
from .tensor import Tensor

if TYPE_CHECKING:
    from typing import Callable, Iterator

    from numpy.typing import DTypeLike

    from .tensor import TensorLike

_INFIX = {"add": "+", "sub": "-", "mul": "*", "matmul": "@"}


@dataclass
class TraceRow:
    """One gate of the trace: its label, expression, forward value and gradients."""

    label: str
    gate: str
    expression: str
    value: np.ndarray
    upstream: np.ndarray | None = None
    downstream: dict = field(default_factory=dict)


@dataclass
class Trace:
    """What :func:`trace` returns: the rows in forward order, the output and ∂f/∂input per input."""

    rows: list
    output: float
    gradients: dict

    def __iter__(self) -> Iterator[TraceRow]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> TraceRow:
        return self.rows[i]

    def row(self, label: str) -> TraceRow:
        """The row whose label (or expression) is ``label``."""
        for r in self.rows:
            if label in (r.label, r.expression):
                return r
        raise KeyError(f"trace: no gate labelled {label!r}; labels are {[r.label for r in self.rows]}")

    def __str__(self) -> str:
        return format_trace(self)


def _fmt(value):
    value = np.asarray(value)
    if value.size == 1:
        return f"{value.item():.3f}"
    return np.array2string(value, precision=3, separator=", ", max_line_width=60)


def trace(fn: Callable[..., Tensor], print_table: bool = True, dtype: DTypeLike = "float64",
          **inputs: TensorLike) -> Trace:
    """Run ``fn(**inputs)``, backpropagate, and print a table with a row per gate.

    Parameters
    ----------
    fn : callable
        Takes the inputs as keyword arguments and returns a scalar Tensor. Intermediate tensors may be
        named (``nu.name = "nu"``) to appear under that name; unnamed ones are v1, v2, ...
    print_table : bool
        Print the table (the returned :class:`Trace` prints the same with ``print(trace)``).
    **inputs : numbers or arrays
        The inputs by name; each becomes a tensor that requires grad.

    Returns
    -------
    Trace
        ``.rows`` (forward order), ``.output``, ``.gradients`` (∂f/∂input by name).

    Shape
    -----
    inputs any; fn's result a scalar.
    """
    tensors = {}
    for name, value in inputs.items():
        t = Tensor(value, requires_grad=True, dtype=dtype)
        t.name = name
        tensors[name] = t
    with grad_mode.enable_grad():
        out = fn(**tensors)
    if not isinstance(out, Tensor) or out.data.size != 1:
        raise ValueError("trace: fn must return a scalar Tensor")
    if out._gate is None:
        raise ValueError("trace: fn's result is not computed by any gate from the inputs")

    forward_order = list(reversed(topological_order(out)))
    labels = {id(t): name for name, t in tensors.items()}
    rows, by_tensor = [], {}
    for i, t in enumerate(forward_order, start=1):
        label = t.name or f"v{i}"
        labels[id(t)] = label
        row = TraceRow(label, t._gate.name, _expression(t._gate, labels), t.data.copy())  # type: ignore[arg-type, union-attr]
        rows.append(row)
        by_tensor[id(t)] = row

    def observe(t, upstream, downstream):
        row = by_tensor[id(t)]
        row.upstream = np.array(upstream)
        for parent, g in zip(t._gate.inputs, downstream):
            if g is not None:
                row.downstream[labels.get(id(parent), "const")] = np.array(g)

    backward(out, observer=observe)
    result = Trace(rows, float(out.item()), {name: t._grad for name, t in tensors.items()})
    if print_table:
        print(format_trace(result))
    return result


def _expression(gate, labels):
    names = [labels.get(id(t)) or _fmt(t.data) for t in gate.inputs]
    if gate.name in _INFIX and len(names) == 2:
        return f"{names[0]} {_INFIX[gate.name]} {names[1]}"
    if gate.name == "pow":
        return f"{names[0]} ** {names[1]}"
    if gate.name == "reciprocal":
        return f"1 / {names[0]}"
    if gate.name == "neg":
        return f"-{names[0]}"
    return f"{gate.name}({', '.join(names)})"


def format_trace(tr: Trace) -> str:
    """The trace as a text table: forward pass, backward pass, input gradients."""
    lines = ["forward pass (gate by gate)",
             f"  {'gate':<12} {'computes':<28} {'value':>10}"]
    for r in tr.rows:
        lines.append(f"  {r.gate:<12} {r.label + ' = ' + r.expression:<28} {_fmt(r.value):>10}")
    lines += ["", "backward pass (chain rule, output to inputs)",
              f"  {'gate':<12} {'upstream ∂f/∂' + '(out)':<22} downstream"]
    for r in reversed(tr.rows):
        down = ",  ".join(f"∂f/∂{k} = {_fmt(v)}" for k, v in r.downstream.items())
        lines.append(f"  {r.label:<12} {'∂f/∂' + r.label + ' = ' + _fmt(r.upstream):<22} {down}")
    lines += ["", f"f = {tr.output:.3f}"]
    lines += [f"∂f/∂{name} = {_fmt(g)}" for name, g in tr.gradients.items()]
    return "\n".join(lines)
