"""tensorgate.onnx: export models and estimators to ONNX (``pip install tensorgate[onnx]``).

:func:`export` has ``torch.onnx.export``'s signature. The graph is built from the model's modules and their
parameters by one converter per class, registered with :func:`register_converter`:

* ``graph.py`` — the graph builder, named values, the registry, :class:`UnsupportedModelError`;
* ``layers.py`` — the ``tg.nn`` layers and containers;
* ``zoo.py`` — the CNN zoo (LeNet5, AlexNet, SmallVGG, GoogLeNet, ResNetSmall, MobileNetSmall, EfficientNet
  and their blocks);
* ``estimators.py`` — LogisticRegression, SoftmaxRegression, MLPClassifier/Regressor, Perceptron,
  PolynomialFeatures, StandardScaler and Pipelines of them;
* ``export.py`` — :func:`export` itself.

The ``onnx`` package is imported when a model is exported, so ``import tensorgate.onnx`` works without it.
"""
from . import estimators, layers, layers_more, zoo  # noqa: F401  (registers the converters)
from .export import DEFAULT_OPSET, MIN_OPSET, export
from .graph import GraphBuilder, UnsupportedModelError, Value, register_converter

__all__ = ["export", "register_converter", "UnsupportedModelError", "GraphBuilder", "Value", "DEFAULT_OPSET",
           "MIN_OPSET"]
