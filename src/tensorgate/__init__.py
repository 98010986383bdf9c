"""tensorgate: a neural-network library written from first principles on NumPy.

Every computation is a graph of gates; backpropagation walks it in reverse, each gate applying the chain
rule. ``import tensorgate as tg`` gives the tensor API at the top level (``tg.tensor``, ``tg.no_grad``,
``tg.sigmoid``, ...) and the subpackages ``tg.nn``, ``tg.optim``, ``tg.data``, ``tg.metrics``, ...
"""
from .autograd import (
    AnomalyError, Gate, GradcheckError, Tensor, Trace, arange, detect_anomaly, enable_grad, eye, from_numpy,
    full, gradcheck, is_grad_enabled, linspace, no_grad, ones, ones_like, rand, randn, set_grad_enabled, tensor,
    trace, zeros, zeros_like,
)
from .backend.random import manual_seed
from . import functional
from .functional import (
    abs, cat, clamp, clip, concatenate, exp, gelu, hardtanh, leaky_relu, linear, log, log_softmax, matmul,
    maximum, mean, minimum, permute, relu, reshape, sigmoid, softmax, sqrt, stack, step, tanh, transpose,
    where,
)
from .functional import (  # noqa: E402  the elementwise gates of issue 17 (torch.sin, torch.selu, ...)
    ceil, cos, expm1, floor, log1p, pow, round, rsqrt, selu, sign, sin, tan,
)

float32 = "float32"
float64 = "float64"
int64 = "int64"

__version__ = "0.1.0"

# The layers above the engine, each a subpackage (``tg.nn``, ``tg.optim``, ...). ``tg.models`` (scikit-learn),
# ``tg.plot`` (matplotlib), ``tg.cli`` and ``tg.instruments`` are imported on first use, so ``import tensorgate`` stays quick.
from . import nn, optim, training, io, data, metrics  # noqa: E402
from .io import load, save  # noqa: E402
from .training import evaluate, fit, predict  # noqa: E402
from . import utils  # noqa: E402  tensorgate.utils.data, PyTorch's path to the data names

# tg.load of a LeNet5 (or another zoo network) finds its class without the user importing the zoo first.
nn.config.register_module_source(("LeNet5", "SmallVGG", "BasicBlock", "ResNetSmall", "DepthwiseSeparable",
                                  "MobileNetSmall"), "tensorgate.models.zoo")


def __getattr__(name):
    if name in ("models", "plot", "instruments", "cli"):
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'tensorgate' has no attribute {name!r}")
