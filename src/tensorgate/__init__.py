"""tensorgate: a neural-network library written from first principles on NumPy.

Every computation is a graph of gates; backpropagation walks it in reverse, each gate applying the chain
rule. ``import tensorgate as tg`` gives the tensor API at the top level (``tg.tensor``, ``tg.no_grad``,
``tg.sigmoid``, ...) and the subpackages ``tg.nn``, ``tg.optim``, ``tg.data``, ``tg.metrics``, ...
"""
import numpy as _np

from .autograd import (
    AnomalyError, Gate, GradcheckError, Tensor, Trace, arange, as_tensor, detect_anomaly, enable_grad, eye, from_numpy,
    full, gradcheck, is_grad_enabled, linspace, no_grad, ones, ones_like, rand, randn, set_grad_enabled, tensor,
    trace, zeros, zeros_like,
)
from .backend.random import manual_seed
from . import functional
from .functional import (
    abs, cat, clamp, clip, concat, concatenate, exp, gelu, hardtanh, leaky_relu, linear, log, log_softmax, matmul,
    maximum, mean, minimum, permute, relu, reshape, sigmoid, softmax, sqrt, stack, step, tanh, transpose,
    where,
)
from .functional import (  # noqa: E402  the elementwise gates of issue 17 (torch.sin, torch.selu, ...)
    ceil, cos, expm1, floor, log1p, pow, round, rsqrt, selu, sign, sin, tan,
)

# PyTorch's tensor API at the top level: dtypes, devices, threads, and the functions of tensor methods
from .autograd import (  # noqa: E402
    Size, cuda, device, empty, empty_like, full_like, inference_mode, is_inference_mode_enabled, is_tensor, numel,
    rand_like, randint, randn_like, randperm,
)
from .backend.threads import get_num_threads, set_num_threads  # noqa: E402
from .functional import (  # noqa: E402
    all, allclose, amax, amin, any, argmax, argmin, argsort, argwhere, bmm, chunk, clone, count_nonzero, cumsum,
    div, einsum, eq, equal, expand, flatten, gather, ge, gt, index_select, isclose, isfinite, isinf, isnan, le,
    logical_and, logical_not, logical_or, logical_xor, logsumexp, lt, masked_fill, max, median, min, mm, mul, ne,
    neg, nonzero, norm, pow, prod, repeat, scatter, scatter_add, sort, split, squeeze, std, sub, sum, t, topk, unbind,
    unflatten, unsqueeze, var, add, reciprocal,
)
from .functional import (  # noqa: E402  PyTorch's remaining everyday functions (functional/torch_math.py)
    broadcast_to, diag, dot, erf, flip, lerp, logspace, meshgrid, nan_to_num, outer, roll, square, tile, tril, triu,
    unique,
)
from .autograd.numpy_interop import UFUNC_GATES as _UFUNC_GATES  # noqa: E402,F401

# dtypes as NumPy dtypes under PyTorch's names (``x.dtype == tg.float32`` and ``dtype=tg.long`` work)
float32 = float = _np.dtype("float32")
float64 = double = _np.dtype("float64")
float16 = half = _np.dtype("float16")
int64 = long = _np.dtype("int64")
int32 = int = _np.dtype("int32")
int16 = short = _np.dtype("int16")
int8 = _np.dtype("int8")
uint8 = _np.dtype("uint8")
bool = _np.dtype("bool")  # noqa: A001  (tg.bool, as torch.bool)

from .backend.version import __version__  # noqa: E402

# The layers above the engine, each a subpackage (``tg.nn``, ``tg.optim``, ...). ``tg.models`` (scikit-learn),
# ``tg.plot`` (matplotlib), ``tg.cli`` and ``tg.instruments`` are imported on first use, so ``import tensorgate`` stays quick.
from . import nn, optim, training, io, data, metrics  # noqa: E402
from .io import load, save  # noqa: E402
from .nn import unsupported as _unsupported  # noqa: E402
from .training import evaluate, fit, predict  # noqa: E402
from . import utils  # noqa: E402  tensorgate.utils.data, PyTorch's path to the data names

# tg.load of a LeNet5 (or another zoo network) finds its class without the user importing the zoo first.
nn.config.register_module_source(("LeNet5", "SmallVGG", "BasicBlock", "ResNetSmall", "DepthwiseSeparable",
                                  "MobileNetSmall", "AlexNet", "Inception", "InceptionAux", "GoogLeNet",
                                  "SqueezeExcitation", "MBConv", "EfficientNet"), "tensorgate.models.zoo")
# ... also by their full names (a file names a zoo class in full when a user's class took its short name first)
for _family, _names in (("classic", ("LeNet5", "SmallVGG", "BasicBlock", "ResNetSmall", "DepthwiseSeparable",
                                     "MobileNetSmall")), ("alexnet", ("AlexNet",)),
                        ("googlenet", ("Inception", "InceptionAux", "GoogLeNet")),
                        ("efficientnet", ("SqueezeExcitation", "MBConv", "EfficientNet"))):
    nn.config.register_module_source(_names, f"tensorgate.models.zoo.{_family}")
# ... and the playground's input layer, so that a model downloaded from the page loads anywhere.
nn.config.register_module_source(("PlaygroundFeatures",), "tensorgate.playground.model")


def __getattr__(name):
    if name in ("models", "plot", "instruments", "cli", "onnx", "distributed"):   # distributed: Ray on use
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise _unsupported.no_attribute(__name__, name, "torch", _unsupported.TOP_LEVEL)   # PyTorch's names: say so
