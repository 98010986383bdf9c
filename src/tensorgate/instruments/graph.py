"""The computational graph of a forward pass, as Graphviz DOT text or a rendered SVG/PNG.

One node per gate, labelled with the gate's name and output shape; one node per leaf (an input, a
parameter, a constant), labelled with its name when it has one (``tensor.name``, or a parameter's module
path such as ``0.weight`` when the model is given) and its shape. Edges run input → gate, so the picture
reads top to bottom the way the forward pass runs, and backpropagation is the same arrows walked upwards.

    >>> import tensorgate as tg
    >>> x = tg.tensor([[1.0, 2.0]]); x.name = "x"
    >>> w = tg.tensor([[0.5, -1.0]], requires_grad=True); w.name = "w"
    >>> print(to_dot(tg.sigmoid(x @ w.T)))          # doctest: +ELLIPSIS
    digraph forward {
    ...
"""
import os
import shutil
import subprocess

from ..autograd.tensor import Tensor
from ..backend.files import atomic_path

_LEAF_STYLE = {
    "parameter": 'shape=box, style="rounded,filled", fillcolor="#cfe2f3"',
    "input": 'shape=box, style="rounded,filled", fillcolor="#eeeeee"',
    "constant": 'shape=box, style="rounded,dashed"',
}
_GATE_STYLE = 'shape=ellipse, style=filled, fillcolor="#fff2cc"'


def _shape_text(shape):
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def _quote(text):
    return '"' + str(text).replace('"', '\\"') + '"'


def _collect(output, max_nodes):
    """Every tensor of the graph ending at ``output`` in forward order; raises beyond ``max_nodes`` nodes."""
    seen = {id(output): output}
    order, stack = [], [(output, False)]
    while stack:
        t, done = stack.pop()
        if done:
            order.append(t)
            continue
        stack.append((t, True))
        if t._gate is None:
            continue
        for parent in reversed(t._gate.inputs):
            if id(parent) not in seen:
                seen[id(parent)] = parent
                if len(seen) > max_nodes:
                    raise ValueError(
                        f"to_dot: the graph has more than max_nodes={max_nodes} nodes (gates and leaves); a "
                        "picture that big is unreadable. Export a smaller network or a smaller piece of it (e.g. "
                        "the output of one layer), or raise max_nodes if you really want it.")
                stack.append((parent, False))
    return order


def _parameter_names(model):
    if model is None:
        return {}
    if isinstance(model, dict):
        return {id(t): name for name, t in model.items()}
    return {id(p): name for name, p in model.named_parameters()}


def to_dot(output, max_nodes=200, model=None, title=None):
    """The graph that computed ``output``, as Graphviz DOT text.

    Parameters
    ----------
    output : Tensor
        The result of a forward pass computed with gradients enabled (the graph is only recorded then).
    max_nodes : int
        Refuse graphs with more nodes (gates plus leaves) than this: a picture that big is unreadable.
    model : Module or dict, optional
        Names parameters by their module path (``model.named_parameters()``), or a dict name → tensor.
    title : str, optional
        A caption drawn under the graph.

    Returns
    -------
    str
        DOT text: ``digraph forward { ... }``; gates are ellipses "name\\nshape", leaves boxes
        (parameters filled blue, inputs grey, constants dashed), edges input → gate.

    Shape
    -----
    output any; each node shows the shape of the tensor it stands for.
    """
    if not isinstance(output, Tensor):
        raise TypeError(f"to_dot: output must be a Tensor, got {type(output).__name__}")
    if not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"to_dot: max_nodes must be a positive integer, got {max_nodes!r}")
    tensors = _collect(output, max_nodes)
    names = _parameter_names(model)
    ids = {id(t): f"n{i}" for i, t in enumerate(tensors)}
    lines = ["digraph forward {", "  rankdir=TB;", '  graph [fontname="Helvetica", fontsize=11];',
             '  node [fontname="Helvetica", fontsize=11];',
             '  edge [color="#555555", arrowsize=0.7];']
    if title:
        lines.append(f"  label={_quote(title)}; labelloc=b;")
    for t in tensors:
        shape = _shape_text(t.shape)
        if t._gate is None:
            name = names.get(id(t)) or t.name
            if t.requires_grad:
                kind = "parameter"
                name = name or "parameter"
            elif name:
                kind = "input"
            else:
                kind = "constant"
                name = f"{t.data.item():.4g}" if t.data.size == 1 else "constant"
            label = f"{name}\\n{shape}"
            style = _LEAF_STYLE[kind]
        else:
            label = f"{t._gate.name}\\n{shape}"
            if t.name:
                label = f"{t.name} = {label}"
            style = _GATE_STYLE
            if t is output:
                style += ", penwidth=2"
        lines.append(f"  {ids[id(t)]} [label={_quote(label)}, {style}];")
    for t in tensors:
        if t._gate is not None:
            for parent in t._gate.inputs:
                lines.append(f"  {ids[id(parent)]} -> {ids[id(t)]};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_graph(output, path, max_nodes=200, model=None, title=None, format=None):
    """Render the graph of ``output`` to an image with Graphviz's ``dot`` program; returns the path.

    Parameters
    ----------
    output : Tensor
        As for :func:`to_dot`.
    path : str or PathLike
        Where to write; the format comes from the suffix (``.svg``, ``.png``, ``.pdf``) unless ``format``
        is given. A ``.dot``/``.gv`` path gets the DOT text itself (no Graphviz needed).
    max_nodes, model, title
        As for :func:`to_dot`.

    Raises
    ------
    RuntimeError
        When Graphviz's ``dot`` is not installed, or fails.

    Shape
    -----
    output any.
    """
    path = os.fspath(path)
    fmt = (format or os.path.splitext(path)[1].lstrip(".")).lower()
    if fmt not in ("svg", "png", "pdf", "dot", "gv"):
        raise ValueError(f"render_graph: cannot tell the image format from the path {path!r}; use a .svg, .png, "
                         ".pdf or .dot suffix, or give format='svg'|'png'|'pdf'")
    text = to_dot(output, max_nodes=max_nodes, model=model, title=title)
    if fmt in ("dot", "gv"):
        _atomic_write(path, text.encode())
        return path
    dot = shutil.which("dot")
    if dot is None:
        raise RuntimeError(
            "render_graph: Graphviz's 'dot' program was not found on PATH, so the graph cannot be drawn as "
            f"{fmt.upper()}. Install Graphviz (e.g. 'apt install graphviz' or 'brew install graphviz'), or "
            "write the DOT text with to_dot(output) / a .dot path and render it elsewhere.")
    with atomic_path(path, suffix="." + fmt) as tmp:
        result = subprocess.run([dot, f"-T{fmt}", "-o", tmp], input=text.encode(), capture_output=True,
                                timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"render_graph: dot failed ({result.returncode}): "
                               f"{result.stderr.decode(errors='replace').strip()}")
    return path


def _atomic_write(path, data):
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        f.write(data)
