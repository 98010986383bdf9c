"""tensorgate.autograd: the Tensor, the Gate base class and backpropagation."""
from .engine import backward, topological_order
from .device import cuda, device
from .factory import (
    arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like, is_tensor, linspace, numel, ones,
    ones_like, rand, rand_like, randint, randn, randn_like, randperm, zeros, zeros_like,
)
from .gate import Gate
from .grad_mode import (
    AnomalyError, detect_anomaly, enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad,
    set_grad_enabled,
)
from .gradcheck import GradcheckError, gradcheck
from .gradients import grad
from . import functional  # noqa: E402  tg.autograd.functional.jacobian / hessian
from .tensor import Size, Tensor, as_dtype, tensor
from .trace import Trace, trace

__all__ = [
    "Tensor", "tensor", "Gate", "backward", "topological_order", "no_grad", "enable_grad",
    "is_grad_enabled", "set_grad_enabled", "detect_anomaly", "AnomalyError", "gradcheck", "GradcheckError",
    "trace", "Trace",
    "zeros", "ones", "full", "arange", "randn", "rand", "zeros_like", "ones_like", "as_dtype",
    "linspace", "eye", "from_numpy", "Size", "device", "cuda", "inference_mode", "is_inference_mode_enabled",
    "empty", "empty_like", "full_like", "rand_like", "randn_like", "randint", "randperm",
    "as_tensor", "is_tensor", "numel",
    "grad", "functional",
]
