"""The graph under construction: named values, nodes, initializers, and the registry of converters.

A *converter* turns one kind of object (a tensorgate Module, an estimator) into ONNX nodes. It is a function
``convert(ctx, obj, x) -> Value``: ``ctx`` is the :class:`GraphBuilder`, ``obj`` the module or estimator and
``x`` the :class:`Value` that feeds it; it returns the Value it produces. Converters are looked up by the
object's exact class (a subclass with its own ``forward`` is not silently exported as its parent), so adding
a layer or a zoo model to the exporter is one decorated function::

    @register_converter(MyBlock)
    def _my_block(ctx, block, x):
        y = ctx.convert(block.conv, x, "conv")          # a sub-module: its own converter
        return ctx.op("Relu", [ctx.op("Add", [x, y])])   # plain ONNX operators

Values carry the shape they have on the example input (``None`` where unknown), which the few converters that
need sizes (Flatten of a middle range of axes, adaptive pooling) read. ``ctx.convert`` fills in the shapes
that the export's one forward pass recorded, so converters only need to say the shape of what they build
where it differs from their first input's.

Everything here uses the ``onnx`` package's helpers (``onnx.helper.make_node``, ``numpy_helper.from_array``);
the package is optional (``pip install tensorgate[onnx]``) and imported on first use.
"""
import numpy as np

__all__ = ["Value", "GraphBuilder", "register_converter", "converter_for", "UnsupportedModelError",
           "require_onnx"]

_CONVERTERS: dict = {}   # module or estimator class → its converter function


class UnsupportedModelError(TypeError):
    """A layer, model or estimator that the ONNX exporter cannot express; the message names it."""


def require_onnx():
    """The ``onnx`` module, or an ImportError saying how to install it."""
    try:
        import onnx
    except ImportError:  # pragma: no cover - the test environment has it
        raise ImportError("tensorgate.onnx needs the 'onnx' package: pip install tensorgate[onnx]") from None
    return onnx


def register_converter(*classes):
    """Decorator: register ``fn(ctx, obj, x) -> Value`` as the ONNX converter of each class in ``classes``.

    Looked up by exact class. A later registration for the same class replaces the earlier one.
    """
    def decorate(fn):
        for cls in classes:
            _CONVERTERS[cls] = fn
        return fn
    return decorate


def converter_for(obj):
    """The converter registered for ``type(obj)``, or None."""
    return _CONVERTERS.get(type(obj))


class Value:
    """A named tensor of the graph: its name, element dtype (NumPy) and shape on the example input.

    Shape: ``shape`` is a tuple of ints (the example's sizes) or None when unknown.
    """

    __slots__ = ("name", "dtype", "shape")

    def __init__(self, name, dtype, shape):
        self.name, self.dtype = name, np.dtype(dtype)
        self.shape = None if shape is None else tuple(int(n) for n in shape)

    def __repr__(self):
        return f"Value({self.name!r}, {self.dtype}, {self.shape})"


class GraphBuilder:
    """Collects nodes and initializers; converters call :meth:`op`, :meth:`const` and :meth:`convert`.

    Parameters
    ----------
    opset : int
        The ONNX opset of the default domain; :meth:`op` spells operators whose signature changed
        (ReduceMean's axes became an input in opset 18) accordingly.
    dtype : numpy dtype
        The floating dtype of the graph (float32 or float64).
    names : dict, optional
        id(module) → its dotted name in the model, for node names and error messages.
    shapes : dict, optional
        (id(module), input shape) → output shape, recorded by a forward pass on the example input.

    Shape
    -----
    not applicable.
    """

    def __init__(self, opset, dtype, names=None, shapes=None):
        self.onnx = require_onnx()
        self.opset = int(opset)
        self.dtype = np.dtype(dtype)
        self.nodes, self.initializers = [], []
        self._used = set()
        self._scope = []
        self._names = names or {}
        self._shapes = shapes or {}

    # ---------------------------------------------------------------- names
    def fresh(self, base):
        """A value name not used yet, built from ``base`` (``base``, ``base_1``, ...)."""
        name, i = base, 0
        while name in self._used:
            i += 1
            name = f"{base}_{i}"
        self._used.add(name)
        return name

    def scoped(self, base):
        """``base`` prefixed with the dotted name of the module being converted (``features.0/Conv``)."""
        prefix = self._scope[-1] if self._scope else ""
        return f"{prefix}/{base}" if prefix else base

    def where(self, obj):
        """How error messages name ``obj``: its dotted path in the model and its class."""
        name = self._names.get(id(obj))
        kind = type(obj).__name__
        return f"layer {name!r} ({kind})" if name else kind

    # ---------------------------------------------------------------- building
    def input(self, name, dtype, shape):
        """A graph input value (its name kept exactly)."""
        self._used.add(name)
        return Value(name, dtype, shape)

    def const(self, array, name="const", dtype=None):
        """An initializer holding ``array`` (cast to ``dtype``, the graph's float dtype for floats)."""
        return self._initializer(array, self.scoped(name), dtype)

    def param(self, obj, attr, array=None):
        """An initializer for ``obj.attr`` (a parameter or buffer, or ``array`` if given), named as in the
        state dict (``features.0.weight``), in the graph's float dtype."""
        if array is None:
            array = getattr(obj, attr).data
        prefix = self._names.get(id(obj), "")
        return self._initializer(array, f"{prefix}.{attr}" if prefix else attr, None)

    def _initializer(self, array, name, dtype):
        array = np.asarray(array)
        if dtype is not None:
            array = array.astype(dtype)
        elif array.dtype.kind == "f":
            array = array.astype(self.dtype)
        value = Value(self.fresh(name), array.dtype, array.shape)
        self.initializers.append(self.onnx.numpy_helper.from_array(np.ascontiguousarray(array), value.name))
        return value

    def scalar(self, number):
        """A 0-d constant of the graph's float dtype (broadcasts against any value)."""
        return self.const(np.array(number, dtype=self.dtype), "scalar")

    def op(self, op_type, inputs, shape="same", dtype=None, outputs=1, **attrs):
        """Add one node ``op_type(inputs, **attrs)``; returns its output Value (a list when ``outputs`` > 1).

        ``shape`` is the output's shape on the example (by default the first input's); ``dtype`` its
        element dtype (by default the first input's). An input given as None is an omitted optional input.
        """
        first = next(v for v in inputs if v is not None)
        if isinstance(shape, str) and shape == "same":
            shape = first.shape
        dtype = first.dtype if dtype is None else dtype
        outs = [Value(self.fresh(self.scoped(op_type if outputs == 1 else f"{op_type}_{i}")), dtype, shape)
                for i in range(outputs)]
        node_name = self.fresh(self.scoped(op_type) + ":node")
        self.nodes.append(self.onnx.helper.make_node(
            op_type, ["" if v is None else v.name for v in inputs], [v.name for v in outs], name=node_name,
            **attrs))
        return outs[0] if outputs == 1 else outs

    def reduce_mean(self, x, axes, shape="same"):
        """ReduceMean over ``axes`` keeping them (axes an attribute before opset 18, an input from 18 on)."""
        if self.opset >= 18:
            return self.op("ReduceMean", [x, self.const(np.array(axes, dtype=np.int64), "axes")], shape=shape,
                           keepdims=1)
        return self.op("ReduceMean", [x], shape=shape, axes=list(axes), keepdims=1)

    def convert(self, obj, x, name=None):
        """Convert ``obj`` (a sub-module or estimator, found under ``name`` in its parent) applied to ``x``.

        Raises :class:`UnsupportedModelError` naming the layer when no converter is registered for it.
        """
        fn = converter_for(obj)
        if fn is None:
            raise UnsupportedModelError(
                f"tg.onnx.export: cannot export {self.where(obj)}: no ONNX converter is registered for "
                f"{type(obj).__module__}.{type(obj).__qualname__}. Write one and register it with "
                "@tensorgate.onnx.register_converter(ThatClass) (see tensorgate/onnx/graph.py)")
        self._scope.append(self._names.get(id(obj), name or ""))
        try:
            out = fn(self, obj, x)
        finally:
            self._scope.pop()
        recorded = self._shapes.get((id(obj), x.shape))
        if recorded is not None and isinstance(out, Value):
            out.shape = recorded
        return out

    def unsupported(self, obj, why):
        """An :class:`UnsupportedModelError` naming ``obj`` and saying ``why`` (for converters to raise)."""
        return UnsupportedModelError(f"tg.onnx.export: cannot export {self.where(obj)}: {why}")
