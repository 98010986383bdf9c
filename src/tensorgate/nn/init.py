"""Weight initialisation, in place, PyTorch's names: ``tg.nn.init.he_normal_(layer.weight)``.

Each function overwrites the tensor's array in place (the Parameter object, its dtype and its device stay the
same), draws from tensorgate's global generator on the CPU (so ``tg.manual_seed`` repeats it, with the same
numbers on every device) and returns the tensor.

Fans: for a Linear weight (out, in), fan_in = in and fan_out = out; for a convolution weight
(out, in, kh, kw), each is multiplied by the receptive field kh·kw.

* Xavier/Glorot (tanh, sigmoid):  Var(w) = gain² · 2/(fan_in + fan_out)
* He/Kaiming (ReLU):              Var(w) = gain² / fan, gain = √2 for ReLU, so Var(w) = 2/fan_in
* LeCun (tanh, SELU):             Var(w) = 1/fan_in

Both keep the variance of the activations (Xavier: and of the gradients) roughly constant from layer to
layer, which is what lets deep networks train.
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd.tensor import Tensor
from ..backend import devices as D
from ..backend.random import generator


def _array(tensor, fn):
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{fn}: expected a Tensor or Parameter, got {type(tensor).__name__}")
    return tensor.data


def _fill(tensor, values):
    data = tensor.data
    if data.__class__ is not np.ndarray and values.__class__ is np.ndarray:
        # drawn on the CPU (the same numbers on every device for one seed), then moved to the tensor's device
        values = D.to_device(values.astype(D.numpy_dtype(data.dtype), copy=False), *D.device_of(data))
    data[...] = values
    return tensor


def _host_dtype(x):
    """The dtype to draw samples in for x (on any device): x's own for float32/float64, else float64."""
    dtype = D.numpy_dtype(x.dtype)
    return dtype if dtype.kind == "f" and dtype.itemsize >= 4 else None


def calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight: (in·k, out·k) for shape (out, in, *kernel) with k = Π kernel.

    Shape: tensor: (out, in) or (out, in, k1, ..., kd); at least 2-D.
    """
    shape = tensor.shape
    if len(shape) < 2:
        raise ValueError(f"fan in and fan out need a weight of at least 2 dimensions (out, in, ...), got shape {shape}")
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


_calculate_fan_in_and_fan_out = calculate_fan_in_and_fan_out


def _fan(tensor, mode):
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    if mode == "fan_in":
        return fan_in
    if mode == "fan_out":
        return fan_out
    raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended scale of the weights for a nonlinearity (PyTorch's table).

    linear, conv*, sigmoid: 1;  tanh: 5/3;  relu: √2;  leaky_relu with slope a: √(2/(1 + a²))
    (a = 0.01 by default);  selu: 3/4.

    Shape: not applicable (returns a float).

    Examples
    --------
    >>> import tensorgate as tg
    >>> round(tg.nn.init.calculate_gain("relu"), 4)
    1.4142
    """
    linear = ("linear", "identity", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
              "conv_transpose3d", "sigmoid")
    if nonlinearity in linear:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = float(param)
        else:
            raise ValueError(f"calculate_gain: negative slope {param!r} is not a number")
        return math.sqrt(2.0 / (1.0 + slope * slope))
    if nonlinearity == "selu":
        return 3.0 / 4.0
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; use one of "
                     "linear, sigmoid, tanh, relu, leaky_relu, selu, conv1d/2d/3d")


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """Fill with samples of U(a, b). Shape: any."""
    x = _array(tensor, "uniform_")
    dtype = _host_dtype(x)
    u = generator().random(x.shape, dtype=dtype) if dtype is not None else generator().random(x.shape)
    return _fill(tensor, u * (b - a) + a)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """Fill with samples of N(mean, std²). Shape: any."""
    x = _array(tensor, "normal_")
    dtype = _host_dtype(x)
    z = generator().standard_normal(x.shape, dtype=dtype) if dtype is not None \
        else generator().standard_normal(x.shape)
    return _fill(tensor, z * std + mean)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with ``val``. Shape: any."""
    _array(tensor, "constant_")
    return _fill(tensor, val)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0. Shape: any."""
    return constant_(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with 1. Shape: any."""
    return constant_(tensor, 1.0)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot/Xavier uniform: U(−a, a) with a = gain·√(6/(fan_in + fan_out)), so Var = gain²·2/(fan_in + fan_out).

    Shape: (out, in, ...).
    """
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound)


def xavier_normal_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot/Xavier normal: N(0, σ²) with σ² = gain²·2/(fan_in + fan_out).

    Shape: (out, in, ...).
    """
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def kaiming_uniform_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu") -> Tensor:
    """He/Kaiming uniform: U(−b, b), b = √3·gain/√fan, so Var = gain²/fan (= 2/fan_in for ReLU).

    ``a`` is the leaky-ReLU slope used by ``calculate_gain``; a = 0 with 'leaky_relu' is ReLU's √2.
    PyTorch's default Linear init is this with a = √5, which gives U(−1/√fan_in, 1/√fan_in).

    Shape: (out, in, ...).
    """
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu") -> Tensor:
    """He/Kaiming normal: N(0, σ²), σ² = gain²/fan (= 2/fan_in for ReLU).

    Shape: (out, in, ...).
    """
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    return normal_(tensor, 0.0, std)


def he_uniform_(tensor: Tensor, mode: str = "fan_in") -> Tensor:
    """He uniform for ReLU networks: Var(w) = 2/fan_in (U(−√(6/fan_in), √(6/fan_in))). Shape: (out, in, ...)."""
    return kaiming_uniform_(tensor, 0.0, mode, "relu")


def he_normal_(tensor: Tensor, mode: str = "fan_in") -> Tensor:
    """He normal for ReLU networks: w ~ N(0, 2/fan_in).

    Shape: (out, in, ...).

    Examples
    --------
    >>> import tensorgate as tg
    >>> w = tg.nn.init.he_normal_(tg.nn.Parameter(tg.zeros(256, 784)))
    >>> abs(float(w.data.var()) - 2 / 784) < 2e-4
    True
    """
    return kaiming_normal_(tensor, 0.0, mode, "relu")


def lecun_uniform_(tensor: Tensor) -> Tensor:
    """LeCun uniform: U(−√(3/fan_in), √(3/fan_in)), so Var(w) = 1/fan_in.

    The variance argument: z = Σᵢ wᵢ xᵢ over fan_in inputs of unit variance has Var(z) = fan_in·Var(w),
    which is 1 when Var(w) = 1/fan_in (LeCun et al., "Efficient BackProp", 1998; Keras's ``lecun_uniform``).

    Shape: (out, in, ...).
    """
    bound = math.sqrt(3.0 / _fan(tensor, "fan_in"))
    return uniform_(tensor, -bound, bound)


def lecun_normal_(tensor: Tensor) -> Tensor:
    """LeCun normal: w ~ N(0, 1/fan_in), the variance that keeps Var(z) = Var(x) from layer to layer.

    Keras's ``lecun_normal`` truncates the normal at 2σ; this one does not (as ``he_normal_`` here).

    Shape: (out, in, ...).

    Examples
    --------
    >>> import tensorgate as tg
    >>> w = tg.nn.init.lecun_normal_(tg.nn.Parameter(tg.zeros(256, 784)))
    >>> abs(float(w.data.var()) - 1 / 784) < 1e-4
    True
    """
    return normal_(tensor, 0.0, 1.0 / math.sqrt(_fan(tensor, "fan_in")))


#: initialisation schemes by name, for ``Linear(init=...)`` (names keep model configs JSON-serialisable)
SCHEMES = {
    "xavier_uniform": xavier_uniform_, "xavier_normal": xavier_normal_,
    "glorot_uniform": xavier_uniform_, "glorot_normal": xavier_normal_,
    "he_uniform": he_uniform_, "he_normal": he_normal_,
    "kaiming_uniform": he_uniform_, "kaiming_normal": he_normal_,
    "lecun_uniform": lecun_uniform_, "lecun_normal": lecun_normal_,
    "zeros": zeros_,
    "normal": normal_,  # N(0, 1): the lecture's example of weights far too large for a wide layer
}
