"""Activation gates, each a single gate with its closed-form derivative.

Where the derivative is shortest in terms of the output (σ' = σ(1 − σ), tanh' = 1 − tanh²), the gate
saves its output z rather than its input. Each gate takes its array module from its input (``D.namespace``),
so it runs on any device; ReLU and log-softmax, hot in every training step, keep their NumPy code as it was
beside the array API standard's version.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import math

import numpy as np

from .. import backend as B
from ..backend import devices as D
from ..autograd.gate import Gate

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from ..autograd.gate import Grads


#: NumPy's maximum runs its SIMD loop only where both operands are arrays; against the scalar 0 it takes a
#: loop about 3× slower (NumPy 2.4: 12,544 floats 4.3 µs against 1.5 µs, 802,816 floats 234 µs against
#: 77 µs). So ReLU compares with a view of one zeroed buffer; below this many numbers the scalar is as fast.
ZEROS_FROM = 1 << 12

_zeros: dict[Any, NDArray[Any]] = {}


def zeros_for_maximum(a: NDArray[Any]) -> Any:
    """0 to compare ``a`` with in ``np.maximum(a, 0)``: from :data:`ZEROS_FROM` numbers, a read-only view of
    one shared zeroed buffer (grown as needed) of a's shape, dtype and, where a has one, memory order;
    below, the scalar 0.

    Shape: a: any NumPy array; result: a's shape, or a scalar.
    """
    if a.size < ZEROS_FROM:
        return 0
    buf = _zeros.get(a.dtype)
    if buf is None or buf.size < a.size:
        buf = np.zeros(a.size, dtype=a.dtype)
        buf.flags.writeable = False
        _zeros[a.dtype] = buf       # one assignment: a thread still holding the old buffer reads valid zeros
    zeros = buf[:a.size]
    if a.flags.c_contiguous:
        return zeros.reshape(a.shape)
    # in a's memory order, or maximum walks the two arrays in different orders: a convolution's
    # channels-major output against C-ordered zeros ran as slowly as against the scalar
    if a.flags.f_contiguous:
        return zeros.reshape(a.shape[::-1]).T
    base = a.base
    if base is not None and base.size == a.size and base.flags.c_contiguous and min(a.strides) > 0:
        # a's axes permuted over the whole of a contiguous array (a convolution's channels-major or
        # depthwise channels-last output): the zeros with a's own strides
        return np.ndarray(a.shape, a.dtype, buffer=zeros, strides=a.strides)
    return zeros.reshape(a.shape)   # a view with gaps (a small convolution's wide rows): still 2× the scalar


class SigmoidGate(Gate):
    """σ(a) = 1 / (1 + e⁻ᵃ).   σ'(a) = σ(a)(1 − σ(a)).  Saves z = σ(a).

    Computed as e^a/(1 + e^a) for negative a so that no exponential overflows (a = −1000 gives 0).
    Shape: a: any; z: same.
    """

    def forward(self, a: NDArray[Any]) -> NDArray[Any]:
        xp = D.namespace(a)
        e = xp.exp(-xp.abs(a))          # in (0, 1]: never overflows
        self.z = xp.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
        return self.z

    exact_gradients = True

    def backward(self, g: NDArray[Any]) -> Grads:
        z = self.z
        return g * z * (1.0 - z)


class TanhGate(Gate):
    """tanh(a).   tanh'(a) = 1 − tanh²(a).  Saves z = tanh(a).

    Shape: a: any; z: same.
    """

    def forward(self, a: NDArray[Any]) -> NDArray[Any]:
        self.z = D.namespace(a).tanh(a)
        return self.z

    exact_gradients = True

    def backward(self, g: NDArray[Any]) -> Grads:
        return g * (1.0 - self.z * self.z)


class ReLUGate(Gate):
    """relu(a) = max(0, a).   relu'(a) = 1 if a > 0 else 0.  Saves z (z > 0 exactly where a > 0).

    At the kink a = 0 the derivative is taken as 0, as the lecture and PyTorch do.

    Shape: a: any; z: same.
    """

    def forward(self, a: NDArray[Any]) -> NDArray[Any]:
        if a.__class__ is np.ndarray:
            self.z = np.maximum(a, zeros_for_maximum(a) if a.size >= ZEROS_FROM else 0)
        else:
            self.z = D.namespace(a).maximum(a, 0)
        return self.z

    exact_gradients = True

    def backward(self, g: NDArray[Any]) -> Grads:
        # g · mask is 3× faster than where(mask, g, 0); it differs only for a nan/inf g at a dead unit
        if g.__class__ is np.ndarray:
            return g * (self.z > 0)
        return g * D.namespace(g).astype(self.z > 0, g.dtype)      # the standard: no float·bool


class LeakyReLUGate(Gate):
    """leaky_relu(a) = a if a > 0 else α·a.   derivative: 1 if a > 0 else α.

    Shape: a: any; z: same.
    """

    name = "leaky_relu"

    def forward(self, a: NDArray[Any], alpha: float = 0.01) -> NDArray[Any]:
        self.positive = a > 0
        self.alpha = alpha = B.weak(alpha)   # an np.float64 slope must not make a float32 result float64
        return D.namespace(a).where(self.positive, a, a * alpha)

    def backward(self, g: NDArray[Any]) -> Grads:
        return D.namespace(g).where(self.positive, g, g * self.alpha)


class GELUGate(Gate):
    """gelu(a) = a·Φ(a), Φ(a) = ½(1 + erf(a/√2)) the standard normal CDF (the exact form).

    gelu'(a) = Φ(a) + a·φ(a), with φ(a) = e^(−a²/2)/√(2π) the normal density.
    Shape: a: any; z: same.
    """

    def forward(self, a: NDArray[Any]) -> NDArray[Any]:
        self.a = a
        self.cdf = 0.5 * (1.0 + B.erf(a * (1.0 / math.sqrt(2.0))))
        return a * self.cdf

    def backward(self, g: NDArray[Any]) -> Grads:
        a = self.a
        pdf = D.namespace(a).exp(-0.5 * a * a) * (1.0 / math.sqrt(2.0 * math.pi))
        return g * (self.cdf + a * pdf)


class HardtanhGate(Gate):
    """hardtanh(a) = clip(a, lo, hi) (−1 and 1 by default).   derivative: 1 for lo < a < hi, else 0.

    Shape: a: any; z: same.
    """

    def forward(self, a: NDArray[Any], lo: float = -1.0, hi: float = 1.0) -> NDArray[Any]:
        lo, hi = B.weak(lo), B.weak(hi)
        xp = D.namespace(a)
        self.inside = xp.astype((a > lo) & (a < hi), a.dtype)     # the standard: no float·bool
        return xp.clip(a, lo, hi)

    def backward(self, g: NDArray[Any]) -> Grads:
        return g * self.inside


class StepGate(Gate):
    """Heaviside step: step(a) = 1 if a ≥ 0 else 0, the perceptron's activation.

    Its derivative is 0 wherever it exists, so no gradient flows through it: the perceptron learns by
    Rosenblatt's rule instead of by backpropagation.
    Shape: a: any; z: same.
    """

    def forward(self, a: NDArray[Any]) -> NDArray[Any]:
        return D.namespace(a).astype(a >= 0, a.dtype)

    def backward(self, g: NDArray[Any]) -> Grads:
        return D.namespace(g).zeros_like(g)


def _max(xp: Any, a: NDArray[Any], axis: int) -> Any:
    """The maximum along ``axis``, kept as a size-1 axis; 0.0 for an empty axis (nothing to shift), where the
    standard's max, unlike NumPy's with ``initial``, raises."""
    if xp is np:
        return a.max(axis=axis, keepdims=True, initial=-np.inf)
    return xp.max(a, axis=axis, keepdims=True) if a.shape[axis] else 0.0


class SoftmaxGate(Gate):
    """softmax(a)_i = e^(a_i − max a) / Σ_j e^(a_j − max a) along ``axis``.  Saves s = softmax(a).

    Subtracting the maximum changes nothing mathematically and keeps e^· ≤ 1, so logits of 1000 give no
    inf or nan. Jacobian ∂s_i/∂a_j = s_i(δ_ij − s_j), so ∂L/∂a = s ⊙ (g − Σ_j g_j s_j).
    Shape: a: any, e.g. (m, K) with ``axis=-1``; z: same.
    """

    def forward(self, a: NDArray[Any], axis: int = -1) -> NDArray[Any]:
        self.axis = axis
        xp = D.namespace(a)
        e = xp.exp(a - _max(xp, a, axis))
        self.s = e / xp.sum(e, axis=axis, keepdims=True)
        return self.s

    def backward(self, g: NDArray[Any]) -> Grads:
        s = self.s
        return s * (g - D.namespace(g).sum(g * s, axis=self.axis, keepdims=True))


class LogSoftmaxGate(Gate):
    """log_softmax(a) = a − logsumexp(a) along ``axis``, with logsumexp(a) = max a + ln Σ e^(a − max a).

    ∂L/∂a = g − softmax(a) · Σ_j g_j.  Saves softmax(a).
    Shape: a: any, e.g. (m, K) with ``axis=-1``; z: same.
    """

    name = "log_softmax"

    def forward(self, a: NDArray[Any], axis: int = -1) -> NDArray[Any]:
        self.axis = axis
        if a.__class__ is not np.ndarray:
            xp = D.namespace(a)
            shifted = a - _max(xp, a, axis)
            e = xp.exp(shifted)
            total = xp.sum(e, axis=axis, keepdims=True)
            self.s = e / total
            return shifted - xp.log(total)
        shifted = a - a.max(axis=axis, keepdims=True, initial=-np.inf)  # initial: an empty axis is no error
        e = np.exp(shifted)
        total = e.sum(axis=axis, keepdims=True)
        self.s = e / total
        return shifted - np.log(total)

    def backward(self, g: NDArray[Any]) -> Grads:
        if g.__class__ is not np.ndarray:
            return g - self.s * D.namespace(g).sum(g, axis=self.axis, keepdims=True)
        return g - self.s * g.sum(axis=self.axis, keepdims=True)
