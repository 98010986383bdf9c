"""``tg.onnx.export``: PyTorch's ``torch.onnx.export`` signature, for tensorgate modules and estimators."""
import os

import numpy as np

from ..backend.version import __version__
from ..autograd import Tensor, no_grad
from ..backend.files import atomic_path
from ..nn import Module
from .estimators import output_kind
from .graph import GraphBuilder, UnsupportedModelError, require_onnx

__all__ = ["export", "DEFAULT_OPSET", "MIN_OPSET"]

#: the opset written when ``opset_version`` is not given (torch.onnx's default in PyTorch 2.x was 17)
DEFAULT_OPSET = 17
#: the oldest opset the converters can write (Softmax over one axis and Unsqueeze/Squeeze axes as inputs: 13)
MIN_OPSET = 13

# keyword arguments of torch.onnx.export that tensorgate accepts with PyTorch's meaning, or refuses
_ACCEPTED = {"do_constant_folding", "keep_initializers_as_inputs"}


def export(model, args, f, export_params=True, verbose=False, training=None, input_names=None,
           output_names=None, opset_version=None, dynamic_axes=None, **kwargs):
    """Export a tensorgate model (or estimator) to ONNX, with ``torch.onnx.export``'s signature.

    The model runs once on ``args`` in evaluation mode (its training flags are restored afterwards): the
    outputs give the graph's output shapes, and each layer's converter (``tensorgate/onnx/layers.py``,
    ``zoo.py``, ``estimators.py``) writes the same function in ONNX operators — Dropout vanishes, BatchNorm
    uses its running statistics. The model is built with the ``onnx`` package's helpers and validated with
    ``onnx.checker.check_model`` before it is written.

    Parameters
    ----------
    model : tensorgate.nn.Module, or a fitted estimator
        Any composition of ``tg.nn`` layers (Sequential, Residual, Linear, Conv2d, BatchNorm1d/2d,
        pooling, Flatten, activations, Dropout, ...), a zoo model (LeNet5, SmallVGG, ResNetSmall,
        MobileNetSmall and their blocks), or a fitted ``LogisticRegression``, ``SoftmaxRegression``,
        ``MLPClassifier``, ``MLPRegressor``, ``Perceptron`` or a scikit-learn ``Pipeline`` of
        ``PolynomialFeatures``/``StandardScaler`` followed by one of them. An estimator's graph outputs
        what ``predict_proba`` gives (LogisticRegression, SoftmaxRegression, MLPClassifier),
        ``decision_function`` (Perceptron) or ``predict`` (MLPRegressor); see
        :mod:`tensorgate.onnx.estimators`.
    args : Tensor, ndarray, or tuple of one
        An example input (a one-element tuple as PyTorch accepts). Its shape fixes the graph's input shape
        but for the dynamic axes; a module's input is cast to its parameters' dtype, an estimator's to
        float32. A float64 model gives a float64 graph: valid ONNX, but onnxruntime's CPU kernels cover
        double only for dense layers and elementwise operators, not Conv or pooling (``model.float()``
        first for those).
    f : str, os.PathLike or binary file object
        Where to write the model. A path is written atomically (a temporary file, then renamed).
    export_params : bool
        Must be True: the weights are always stored in the graph.
    verbose : bool
        Print the graph in ONNX's readable form.
    training : None, False or 'eval'
        Only evaluation mode (PyTorch's default, ``TrainingMode.EVAL``) is exported.
    input_names, output_names : list of str, optional
        Names of the graph's inputs and outputs (default ``'input'`` and ``'output'``, numbered when there
        are several; an estimator's output is named after its method, e.g. ``'predict_proba'``).
    opset_version : int, optional
        The ONNX opset (default :data:`DEFAULT_OPSET`, at least :data:`MIN_OPSET`).
    dynamic_axes : dict, optional
        ``{name: [axis, ...]}`` or ``{name: {axis: 'dim_name'}}``, as in PyTorch: these axes may take any
        size when the model runs. **Unlike torch.onnx.export, whose default fixes every size, the default
        (None) makes axis 0 — the batch — of every input and output dynamic**; pass ``{}`` to fix all sizes.
    do_constant_folding, keep_initializers_as_inputs : bool
        Accepted as PyTorch's; the graph has nothing to fold and keeps initializers out of its inputs.

    Returns
    -------
    onnx.ModelProto
        The model written to ``f``.

    Raises
    ------
    UnsupportedModelError (a TypeError)
        For a layer or estimator that ONNX cannot express or that has no converter; the message names it.
    ImportError
        When the ``onnx`` package is missing (``pip install tensorgate[onnx]``).

    Shape
    -----
    args: (N, ...) as the model takes; the graph's input: the same with N free; outputs: the model's.

    Examples
    --------
    >>> import io, tensorgate as tg
    >>> model = tg.nn.Sequential(tg.nn.Linear(4, 8), tg.nn.ReLU(), tg.nn.Linear(8, 3))
    >>> proto = tg.onnx.export(model, tg.zeros(2, 4), io.BytesIO())
    >>> [n.op_type for n in proto.graph.node]
    ['Gemm', 'Relu', 'Gemm']
    >>> proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param
    'batch'
    """
    onnx = require_onnx()
    for key in kwargs:
        if key not in _ACCEPTED:
            raise TypeError(f"tg.onnx.export: torch.onnx.export's argument {key!r} is not supported by tensorgate")
    if kwargs.get("keep_initializers_as_inputs"):
        raise ValueError("tg.onnx.export: keep_initializers_as_inputs=True is not supported; the weights are "
                         "initializers only")
    if not export_params:
        raise ValueError("tg.onnx.export: export_params=False is not supported; the weights are always stored")
    if not (training is None or training is False or str(training).split(".")[-1].upper() == "EVAL"):
        raise ValueError(f"tg.onnx.export: only evaluation mode can be exported, got training={training!r}")
    opset = DEFAULT_OPSET if opset_version is None else opset_version
    newest = onnx.defs.onnx_opset_version()
    if isinstance(opset, bool) or not isinstance(opset, (int, np.integer)) or not MIN_OPSET <= opset <= newest:
        raise ValueError(f"tg.onnx.export: opset_version must be an integer from {MIN_OPSET} to {newest}, "
                         f"got {opset_version!r}")
    x = _example_input(args)

    if isinstance(model, Module):
        builder, inputs, outputs, references = _build_module(model, x, int(opset))
        default_outputs = ["output"] if len(outputs) == 1 else [f"output_{i}" for i in range(len(outputs))]
    else:
        builder, inputs, outputs, references = _build_estimator(model, x, int(opset))
        default_outputs = [output_kind(model)]
    input_names = _names("input_names", input_names, ["input"], len(inputs))
    output_names = _names("output_names", output_names, default_outputs, len(outputs))
    if set(input_names) & set(output_names):
        raise ValueError(f"tg.onnx.export: a name cannot be both an input and an output: "
                         f"{sorted(set(input_names) & set(output_names))}")
    internal = ({t.name for t in builder.initializers} | {o for node in builder.nodes for o in node.output}) \
        - {v.name for v in inputs + outputs}
    clashes = sorted(internal & set(input_names + output_names))
    if clashes:
        raise ValueError(f"tg.onnx.export: the names {clashes} are already used inside the graph (weights are named "
                         "as in the state dict); choose other input_names/output_names")
    dims = _dynamic_dims(dynamic_axes, input_names + output_names,
                         [v.shape for v in inputs] + [r.shape for r in references])
    _rename(builder, inputs, input_names, outputs, output_names)

    helper = onnx.helper
    elem = helper.np_dtype_to_tensor_dtype
    graph = helper.make_graph(
        builder.nodes, type(model).__name__,
        [helper.make_tensor_value_info(n, elem(v.dtype), _dims(n, v.shape, dims)) for n, v in zip(input_names, inputs)],
        [helper.make_tensor_value_info(n, elem(r.dtype), _dims(n, r.shape, dims))
         for n, r in zip(output_names, references)],
        initializer=builder.initializers)
    opsets = [helper.make_opsetid("", int(opset))]
    proto = helper.make_model(graph, opset_imports=opsets, producer_name="tensorgate",
                              producer_version=__version__, ir_version=helper.find_min_ir_version_for(opsets))
    onnx.checker.check_model(proto, full_check=True)
    if verbose:
        print(helper.printable_graph(proto.graph))
    _write(proto.SerializeToString(), f)
    return proto


def _example_input(args):
    if isinstance(args, tuple):
        if len(args) != 1 or isinstance(args[0], (dict, tuple, list)):
            raise ValueError(f"tg.onnx.export: args must be one example input (or a tuple holding one); models with "
                             f"several inputs or keyword inputs are not supported, got a tuple of {len(args)}")
        args = args[0]
    if isinstance(args, Tensor):
        return args.data
    if isinstance(args, np.ndarray) or hasattr(args, "__array__") or isinstance(args, list):
        array = np.asarray(args)
        if array.dtype.kind not in "fiub":
            raise TypeError(f"tg.onnx.export: args must be numeric, got an array of dtype {array.dtype}")
        return array
    raise TypeError(f"tg.onnx.export: args must be a Tensor or an array (the example input), "
                    f"got {type(args).__name__}")


def _build_module(model, x, opset):
    """Run ``model`` on ``x`` in eval mode, recording each module's output shape, then convert it."""
    dtype = model._dtype()
    if dtype.kind != "f":
        raise UnsupportedModelError(f"tg.onnx.export: the model's parameters have dtype {dtype}; only floating "
                                    "models can be exported")
    names = {id(m): name for name, m in model.named_modules()}
    shapes, handles = {}, []

    def record(module, inputs, output):
        if inputs and isinstance(output, Tensor) and isinstance(inputs[0], Tensor):
            shapes[(id(module), tuple(inputs[0].shape))] = tuple(output.shape)

    modes = [(m, m.training) for m in model.modules()]
    try:
        model.eval()
        handles = [m.register_forward_hook(record) for m in model.modules()]
        with no_grad():
            result = model(Tensor(x, dtype=dtype))
    finally:
        for h in handles:
            h.remove()
        for m, mode in modes:   # parents before children, so each module ends with its own mode
            m.train(mode)
    results = result if isinstance(result, tuple) else (result,)
    if not all(isinstance(r, Tensor) for r in results):
        raise UnsupportedModelError(f"tg.onnx.export: {type(model).__name__}'s forward returned "
                                    f"{type(result).__name__}; only a Tensor or a tuple of Tensors can be exported")
    builder = GraphBuilder(opset, dtype, names=names, shapes=shapes)
    x_value = builder.input("input", dtype, x.shape)
    out = builder.convert(model, x_value)
    outputs = list(out) if isinstance(out, (tuple, list)) else [out]
    if len(outputs) != len(results):
        raise UnsupportedModelError(f"tg.onnx.export: the converter of {type(model).__name__} gave {len(outputs)} "
                                    f"outputs, its forward {len(results)}")
    return builder, [x_value], outputs, [r.data for r in results]


def _build_estimator(est, x, opset):
    """Convert a fitted estimator; float32 graph, input (batch, n_features_in_)."""
    n = getattr(est, "n_features_in_", None)
    if n is None:
        raise UnsupportedModelError(f"tg.onnx.export: cannot export {type(est).__name__}: it is not fitted, or it "
                                    "is neither a tensorgate Module nor a supported estimator")
    if x.ndim != 2 or x.shape[1] != n:
        raise ValueError(f"tg.onnx.export: {type(est).__name__} takes X of shape (m, {n}); the example args have "
                         f"shape {x.shape}")
    builder = GraphBuilder(opset, np.float32)
    x_value = builder.input("input", np.float32, x.shape)
    out = builder.convert(est, x_value)
    reference = np.asarray(getattr(est, output_kind(est))(x), dtype=np.float32)
    return builder, [x_value], [out], [reference]


def _names(what, given, default, count):
    if given is None:
        return default
    given = list(given)
    if len(given) != count or not all(isinstance(n, str) and n for n in given) or len(set(given)) != count:
        raise ValueError(f"tg.onnx.export: {what} must be {count} distinct non-empty strings, got {given!r}")
    return given


def _dynamic_dims(dynamic_axes, names, shapes):
    """{name: {axis: dim_param}} from PyTorch's dynamic_axes (None: axis 0 of everything is 'batch')."""
    if dynamic_axes is None:
        return {n: {0: "batch"} for n, s in zip(names, shapes) if len(s) > 0}
    if not isinstance(dynamic_axes, dict):
        raise TypeError(f"tg.onnx.export: dynamic_axes must be a dict name → axes, got {type(dynamic_axes).__name__}")
    rank = dict(zip(names, (len(s) for s in shapes)))
    out = {}
    for name, axes in dynamic_axes.items():
        if name not in rank:
            raise ValueError(f"tg.onnx.export: dynamic_axes names {name!r}, which is not an input or output "
                             f"name ({names})")
        if isinstance(axes, dict):
            items = list(axes.items())
        elif isinstance(axes, (list, tuple)):
            items = [(a, f"{name}_dynamic_axes_{i + 1}") for i, a in enumerate(axes)]
        else:
            raise TypeError(f"tg.onnx.export: dynamic_axes[{name!r}] must be a list of axes or a dict axis → name, "
                            f"got {axes!r}")
        for axis, dim in items:
            if isinstance(axis, bool) or not isinstance(axis, int) or not 0 <= axis < rank[name]:
                raise ValueError(f"tg.onnx.export: dynamic_axes[{name!r}] has axis {axis!r}; {name} has "
                                 f"{rank[name]} axes")
            out.setdefault(name, {})[axis] = str(dim)
    return out


def _dims(name, shape, dims):
    dynamic = dims.get(name, {})
    return [dynamic.get(i, int(n)) for i, n in enumerate(shape)]


def _rename(builder, inputs, input_names, outputs, output_names):
    """Give the graph's inputs and outputs their public names (rewriting the nodes that use them)."""
    rename = {v.name: n for v, n in zip(inputs, input_names)}
    for node in builder.nodes:
        node.input[:] = [rename.get(i, i) for i in node.input]
    producers = {o: node for node in builder.nodes for o in node.output}
    for value, name in zip(outputs, output_names):
        source = rename.get(value.name, value.name)
        node = producers.get(value.name)
        taken = source in input_names or node is None or sum(v.name == value.name for v in outputs) > 1
        if taken:   # an input, an initializer or an output given twice: copy it under the output's name
            builder.nodes.append(builder.onnx.helper.make_node("Identity", [source], [name],
                                                               name=builder.fresh(f"{name}:identity")))
            continue
        node.output[:] = [name if o == value.name else o for o in node.output]
        for other in builder.nodes:
            other.input[:] = [name if i == value.name else i for i in other.input]


def _write(data, f):
    if hasattr(f, "write"):
        f.write(data)
        return
    try:
        path = os.fspath(f)
    except TypeError:
        raise TypeError(f"tg.onnx.export: f must be a path or a binary file object, got {type(f).__name__}") from None
    with atomic_path(path) as tmp, open(tmp, "wb") as out:
        out.write(data)
