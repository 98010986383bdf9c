"""tensorgate.nn: Module, layers, losses as modules, initialisation, summary.

``import tensorgate.nn.functional as F`` gives the functional forms (gates, losses, batch_norm, dropout).
"""
from . import functional, init
from .activation import GELU, Hardtanh, Identity, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Step, Tanh
from .container import ModuleList, Residual, Sequential
from .dropout import Dropout
from .linear import Linear
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HingeLoss, MSELoss, NLLLoss,
                   PerceptronLoss)
from .config import module_from_config, registered_modules
from .hooks import RemovableHandle
from .module import IncompatibleKeys, Module, StateDictError
from .normalization import BatchNorm1d
from .parameter import Parameter
from .shape import Flatten
from .summary import summary

from .conv import Conv2d  # noqa: E402,F401
from .pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d  # noqa: E402,F401
from .normalization import BatchNorm2d  # noqa: E402,F401
