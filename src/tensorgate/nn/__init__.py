"""tensorgate.nn: Module, layers, losses as modules, initialisation, summary.

``import tensorgate.nn.functional as F`` gives the functional forms (gates, losses, batch_norm, dropout).
"""
from . import functional, init
from .activation import GELU, Hardtanh, Identity, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Step, Tanh
from .container import ModuleList, Residual, Sequential
from .dropout import Dropout
from .linear import Linear
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HingeLoss, HuberLoss, KLDivLoss, L1Loss, MSELoss,
                   NLLLoss, SmoothL1Loss,
                   PerceptronLoss)
from .config import module_from_config, registered_modules
from .hooks import RemovableHandle
from .module import IncompatibleKeys, Module, StateDictError
from .normalization import BatchNorm1d
from .parameter import Parameter
from .shape import Flatten, Unflatten
from .summary import summary

from .conv import Conv1d, Conv2d  # noqa: E402,F401
from .pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d  # noqa: E402,F401
from .normalization import BatchNorm2d  # noqa: E402,F401
# issue 17 (PyTorch's names): normalisation, lookup tables, containers by name, smooth activations, nn.utils
from .layer_norm import GroupNorm, LayerNorm  # noqa: E402,F401
from .distance import CosineSimilarity, PairwiseDistance  # noqa: E402,F401
from .recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell  # noqa: E402,F401
from .layer_norm import InstanceNorm1d, InstanceNorm2d  # noqa: E402,F401
from .dropout import Dropout1d  # noqa: E402,F401
from .upsampling import PixelShuffle, PixelUnshuffle, UpsamplingNearest2d  # noqa: E402,F401
from .activation_extra import Softmax2d  # noqa: E402,F401
from .loss_margin import (  # noqa: E402,F401
    CosineEmbeddingLoss, HingeEmbeddingLoss, MarginRankingLoss, MultiLabelSoftMarginLoss, MultiMarginLoss,
    SoftMarginLoss, TripletMarginLoss,
)
from .embedding import Embedding  # noqa: E402,F401
from .dict_containers import ModuleDict, ParameterDict, ParameterList  # noqa: E402,F401
from .activation_extra import (  # noqa: E402,F401
    CELU, ELU, GLU, SELU, Hardshrink, Hardsigmoid, Hardswish, LogSigmoid, Mish, PReLU, ReLU6, SiLU, Softmin,
    Softplus, Softshrink, Softsign, Tanhshrink, Threshold,
)
from . import utils  # noqa: E402,F401
# issue 23 (the CNN chapter): the layers of AlexNet, GoogLeNet and EfficientNet, and the upsampling ones
from .pooling import AdaptiveMaxPool2d  # noqa: E402,F401
from .pooling import AdaptiveAvgPool1d, AdaptiveMaxPool1d, AvgPool1d, MaxPool1d  # noqa: E402,F401
from .normalization import LocalResponseNorm  # noqa: E402,F401
from .dropout import Dropout2d  # noqa: E402,F401
from .padding import ConstantPad1d, ConstantPad2d, ConstantPad3d, ZeroPad1d, ZeroPad2d, ZeroPad3d  # noqa: E402,F401,E501
from .conv_transpose import ConvTranspose2d  # noqa: E402,F401
from .upsampling import Upsample  # noqa: E402,F401


from . import unsupported as _unsupported  # noqa: E402


def __getattr__(name: str) -> object:   # PyTorch's torch.nn names that tensorgate lacks say so
    raise _unsupported.no_attribute(__name__, name, "torch.nn", _unsupported.NN)
