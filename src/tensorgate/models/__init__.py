"""tensorgate.models: scikit-learn estimators built on tensorgate's engine.

Each is a scikit-learn estimator (fit / predict / predict_proba / decision_function / score, get_params,
clone, Pipeline, GridSearchCV) whose computation runs through tensorgate's gates, nn and optim:

* :class:`Perceptron` — Linear + Step, Rosenblatt's rule;
* :class:`LogisticRegression`, :class:`SoftmaxRegression` — one neuron, sigmoid or softmax, solvers
  'lbfgs' (SciPy on the engine's gradients), 'gd', 'sgd', 'adam';
* :class:`OneVsRestClassifier` — K binary classifiers make a K-class one;
* :class:`PolynomialFeatures` — basis functions φ(x) for linear models;
* :class:`MLPClassifier`, :class:`MLPRegressor` — networks that learn their own basis functions.

The convolutional model zoo lives in :mod:`tensorgate.models.zoo` (LeNet5, SmallVGG, ResNetSmall, ...).
"""
from .logistic import LogisticRegression, SoftmaxRegression
from .mlp import MLPClassifier, MLPRegressor
from .multiclass import OneVsRestClassifier
from .perceptron import Perceptron
from .polynomial import PolynomialFeatures
from .pytorch_names import pytorch_state_dict
from . import zoo
from .zoo import (BasicBlock, DepthwiseSeparable, LeNet5, MobileNetSmall, MODELS, ResNetSmall, SmallVGG,
                  get_model, resnet8)

__all__ = [
    "Perceptron", "LogisticRegression", "SoftmaxRegression", "OneVsRestClassifier", "PolynomialFeatures",
    "MLPClassifier", "MLPRegressor",
    "zoo", "LeNet5", "SmallVGG", "BasicBlock", "ResNetSmall", "resnet8", "DepthwiseSeparable", "MobileNetSmall",
    "get_model", "MODELS", "pytorch_state_dict",
]
