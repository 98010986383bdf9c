"""Loss gates: each loss is one gate whose backward is its derivative, written in its docstring.

Two losses are fused with the activation in front of them because the math fuses (STYLE.md, 4):

* cross-entropy after softmax:  ∂L/∂z = (softmax(z) − y) / m
* binary cross-entropy after a sigmoid:  ∂L/∂z = (σ(z) − y) / m

Computing them as one gate is both faster (no m×K Jacobian-vector products) and numerically stable (no
log of 0). The unfused forms, built from the elementary gates, are kept at the end of this file
(``*_unfused``) so that a test can show both paths agree.

Each public function checks its own arguments with the helpers below, then applies its gate; the checks
repeat across losses on purpose, so that every error names the loss and the argument at fault.

Every loss takes ``reduction='mean' | 'sum' | 'none'``: the mean over the batch (over all elements for the
elementwise losses), the sum, or the per-example losses. The upstream gradient g is scaled accordingly in
backward: g/m, g, or g_i per example.

Inputs are checked with clear errors (issue 3): batch sizes must agree, class labels must be integers in
[0, K), and a nan or inf loss is a :class:`NonFiniteLossError` (a ValueError) naming the input that holds nan or inf,
or saying that the loss overflowed. The check costs nothing in the usual case: it looks at the loss value, which
is finite unless something went wrong, and only then searches for the culprit.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
import math

import numpy as np

from ..autograd.gate import Gate
from ..autograd.tensor import Tensor, to_array
from ..backend import devices as D
from ..backend import ops

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from ..autograd.gate import Grads
    from ..autograd.tensor import TensorLike

_REDUCTIONS = ("mean", "sum", "none")

#: probabilities are clamped to [eps, 1 − eps] by :func:`binary_cross_entropy` (Keras' choice; 1 − 1e-7 is
#: still below 1 in float32, whose spacing just below 1 is 6e-8)
BCE_EPS = 1e-7


# ---------------------------------------------------------------- helpers: reduction and input checks
def _reduce(losses, reduction):
    """Per-example (or per-element) losses → the loss value, as an array of the losses' dtype."""
    if losses.__class__ is np.ndarray:
        if reduction == "mean":  # sum / n: ndarray.mean's Python wrapper costs more than the sum on small batches
            return np.asarray(np.add.reduce(losses, axis=None) / losses.size, dtype=losses.dtype)
        if reduction == "sum":
            return np.asarray(np.add.reduce(losses, axis=None), dtype=losses.dtype)
        return losses
    if reduction == "none":
        return losses
    total = D.namespace(losses).sum(losses)
    return total / losses.size if reduction == "mean" else total


def _upstream(g, reduction, count, ndim):
    """The factor that multiplies the per-element derivative: g/count, g, or g per example.

    For ``'none'`` the per-example g of shape (m,) is given trailing axes so that it broadcasts over
    (m, K) when ``ndim`` is 2.
    """
    if g.__class__ is not np.ndarray:   # on a device a 0-d g stays an array: float() would wait for it
        if reduction == "mean":
            return g * (1.0 / count)
        return g if reduction == "sum" else D.namespace(g).reshape(g, g.shape + (1,) * (ndim - g.ndim))
    if reduction == "mean":   # a 0-d g becomes a Python float: a "weak" scalar, the dtype stays
        return float(g) / count if g.ndim == 0 else g * (1.0 / count)
    if reduction == "sum":
        return float(g) if g.ndim == 0 else g
    return g.reshape(g.shape + (1,) * (ndim - g.ndim))


def _check_reduction(fn, reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{fn}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _float_input(fn, x, arg="input"):
    """The input as a floating Tensor (arrays become float32 as everywhere in tensorgate)."""
    if not isinstance(x, Tensor):
        x = Tensor(x)
    if x.dtype.kind != "f":
        raise TypeError(f"{fn}: {arg} must be floating point, got dtype {x.dtype}; convert it with .float()")
    return x


def _float_target(fn, y, x, arg="target"):
    """A floating target: a Tensor keeps its dtype and device (so a mismatch is reported by the gate); data
    takes the input's dtype and device (as a gate's constants do)."""
    if isinstance(y, Tensor):
        if y.dtype.kind != "f":
            return Tensor._make(_astype(y.data, x.dtype), False, None)
        return y
    array = _array_of(y)
    if D.kind(array.dtype) not in "fiub":
        raise TypeError(f"{fn}: {arg} must be numbers, got dtype {D.numpy_dtype(array.dtype)}")
    return Tensor._make(_astype(_on_input_device(fn, arg, y, array, x), x.dtype), False, None)


def _array_of(t):
    """The array of a Tensor, an array on any device as it is, anything else (a list, a number) through NumPy."""
    if isinstance(t, Tensor):
        return t.data
    if t.__class__ is np.ndarray or isinstance(t, (list, tuple, int, float, np.generic)):
        return np.asarray(t)
    return t if D.is_array(t) else np.asarray(t)


def _astype(a, dtype):
    """``a`` as NumPy dtype ``dtype``, on its own device (itself where it already has it)."""
    if a.__class__ is np.ndarray:
        return a.astype(dtype, copy=False)
    xp = D.namespace(a)
    return xp.astype(a, D.dtype_in(xp, dtype), copy=False)


def _on_input_device(fn, arg, given, array, x):
    """``array`` (the argument ``given``'s values) on the input tensor x's device.

    CPU data (a list, a NumPy array) follows the input, as a gate's constants do; a Tensor or an array on
    another device is an error naming both devices (PyTorch's rule).
    """
    data = x.data
    if array.__class__ is np.ndarray and data.__class__ is np.ndarray:
        return array
    here, there = D.device_of(array), D.device_of(data)
    if here == there:
        return array
    if isinstance(given, Tensor) or here[0] != "cpu":
        raise RuntimeError(f"{fn}: expected all tensors on the same device, found {arg} on {D.describe(here)} "
                           f"and the input on {D.describe(there)}; move one with .to(device)")
    return D.to_device(array, *there)


def _host(t):
    """A NumPy array of a Tensor's or an array's values, for the messages of the checks below."""
    return D.to_numpy(np.asarray(t) if isinstance(t, (list, tuple, int, float)) else
                      t.data if isinstance(t, Tensor) else t)


def _same_shape(fn, x, y, hint=""):
    if x.shape != y.shape:
        if x.ndim and y.ndim and x.shape[0] != y.shape[0]:
            raise ValueError(f"{fn}: input and target have different batch sizes: input shape {tuple(x.shape)}, "
                             f"target shape {tuple(y.shape)}")
        if not hint and math.prod(x.shape) == math.prod(y.shape):
            hint = f"; reshape one of them, e.g. target.reshape{tuple(x.shape)}"
        raise ValueError(f"{fn}: input shape {tuple(x.shape)} and target shape {tuple(y.shape)} must be equal"
                         f"{hint}")


def _labels(fn, target, z):
    """Integer class labels of shape (m,) in [0, K), as an int array on the input z's device; clear errors
    otherwise."""
    y = _array_of(target)
    m, K = z.shape
    kind = D.kind(y.dtype)
    if kind == "f":
        raise TypeError(
            f"{fn}: a 1-D target is read as class labels, which must be integers, but it has dtype "
            f"{D.numpy_dtype(y.dtype)}. Use integer labels (e.g. target.astype('int64')) or give class "
            f"probabilities of shape ({m}, {K})")
    if kind not in "iu":
        raise TypeError(f"{fn}: class labels must be integers, got dtype {D.numpy_dtype(y.dtype)}")
    if y.ndim != 1:
        raise ValueError(f"{fn}: class labels must have shape (m,), got {tuple(y.shape)}")
    if y.shape[0] != m:
        raise ValueError(f"{fn}: input and target have different batch sizes: input shape {tuple(z.shape)}, "
                         f"target shape {tuple(y.shape)}")
    return _on_input_device(fn, "target", target, y, z)


def _any(a):
    """True where a boolean array holds a True, on any device (one value read back from a GPU)."""
    return bool(a.any() if a.__class__ is np.ndarray else D.namespace(a).any(a))


def _check_label_range(fn, y, K):
    """Raise a ValueError naming the first label outside [0, K)."""
    y = _host(y)
    if y.size and (y.min() < 0 or y.max() >= K):
        i = int(np.argmax((y < 0) | (y >= K)))
        raise ValueError(f"{fn}: target label {int(y[i])} at index {i} is outside [0, {K}) "
                         f"(the input has {K} classes)")


def _label_positions(fn, labels, shape):
    """Where each row's label sits in the flattened (m, K) array: i·K + y_i, shape (m,), with a ValueError
    naming a label outside [0, K). The loss gates call it, so that a replayed step checks the labels as the
    eager one does.

    ``ravel_multi_index`` computes the positions and checks both ends in one NumPy call, for any integer
    dtype; taking and writing at flat positions is about twice as fast as a[rows, labels] on small batches
    (``ops.label_positions`` has each device's version).
    """
    try:
        return ops.label_positions(np if labels.__class__ is np.ndarray else D.namespace(labels), labels, shape)
    except ValueError:
        _check_label_range(fn, labels, shape[1])   # names the first bad label
        raise


def _first_bad(a, test):
    index = np.unravel_index(int(np.argmax(test(a))), a.shape)
    return tuple(int(i) for i in index) if a.ndim != 1 else int(index[0])


class NonFiniteLossError(ValueError):
    """A loss came out nan or inf. Raised in the loss gate's forward, before any backward or update, so
    that a training step that meets it leaves the weights as they were."""


def _check_value(fn, out, *named):
    """Raise a :class:`NonFiniteLossError` naming the argument if the loss is nan or inf: an input holds
    nan or inf, or every input is finite and the loss itself overflowed.

    The loss gates call it on their result, so that a replayed training step checks as the eager one does.
    On a GPU the check reads one value back (as ``loss.item()`` would); the search for the culprit, only
    when something went wrong, works on host copies.
    """
    if out.__class__ is np.ndarray:
        if math.isfinite(out) if out.ndim == 0 else np.isfinite(out).all():
            return out
    else:
        xp = D.namespace(out)
        if bool(xp.all(xp.isfinite(out))):
            return out
    for name, t in named:
        a = _host(t)
        if a.dtype.kind == "f" and np.isnan(a).any():
            raise NonFiniteLossError(f"{fn}: {name} contains nan (first at index {_first_bad(a, np.isnan)})")
    for name, t in named:
        a = _host(t)
        if a.dtype.kind == "f" and np.isinf(a).any():
            raise NonFiniteLossError(f"{fn}: {name} contains inf (first at index {_first_bad(a, np.isinf)}), "
                                     "which makes the loss non-finite")
    raise NonFiniteLossError(f"{fn}: the loss is {'nan' if np.isnan(_host(out)).any() else 'inf'} although every "
                             f"input is finite: it overflowed {D.numpy_dtype(out.dtype)} (inputs too large)")


def _check_2d(fn, z, arg="input"):
    if z.ndim != 2:
        raise ValueError(f"{fn}: {arg} must have shape (m, K) (examples as rows, one column per class), "
                         f"got shape {tuple(z.shape)}")
    if z.shape[0] == 0:
        raise ValueError(f"{fn}: the batch is empty (input shape {tuple(z.shape)})")


# ---------------------------------------------------------------- gates
class CrossEntropyGate(Gate):
    """Cross-entropy of softmax(z) against targets y, fused with the log-softmax.

    log p = z − logsumexp(z) (row-wise, max-shifted: stable for any z),
    l_i = −Σ_k y'_ik log p_ik,  with y' = (1 − ε) y + ε/K  (label smoothing ε; y one-hot for class labels).

    ∂l_i/∂z_i = softmax(z_i) Σ_k y'_ik − y'_i  = softmax(z_i) − y'_i  when the targets sum to 1,
    so with the mean over m examples ∂L/∂z = (softmax(z) − y') / m.
    For probability targets, ∂l_i/∂y_i = −(1 − ε) log p_i (knowledge distillation can train the targets).
    Saves softmax(z) and log p.

    Shape: z: (m, K); labels: (m,) int, or probabilities: (m, K); result: () or (m,) for reduction='none'.
    """

    name = "cross_entropy"
    exact_gradients = True

    def forward(self, z: NDArray[Any], y: NDArray[Any] | None = None, labels: NDArray[Any] | None = None,
                smoothing: float = 0.0, reduction: str = "mean") -> NDArray[Any]:
        m, K = z.shape
        if z.__class__ is np.ndarray:
            xp = np   # the ufuncs' reduce, not ndarray.max/sum: same result without their Python wrappers
            shifted = z - np.maximum.reduce(z, axis=1, keepdims=True)
            e = np.exp(shifted)
            total = np.add.reduce(e, axis=1, keepdims=True)
        else:
            xp = D.namespace(z)
            shifted = z - xp.max(z, axis=1, keepdims=True)
            e = xp.exp(shifted)
            total = xp.sum(e, axis=1, keepdims=True)
        log_total = xp.log(total)
        e /= total                                           # in place: e becomes softmax(z)
        self.s = e
        self.labels, self.smoothing, self.reduction, self.m = labels, smoothing, reduction, m
        if labels is not None:                               # l_i = −(1−ε) log p_{i,y_i} − (ε/K) Σ_k log p_ik
            self.positions = at = _label_positions(self.name, labels, (m, K))
            picked = shifted.reshape(-1).take(at) if xp is np else ops.take_labels(xp, shifted, at)
            losses = log_total[:, 0] - picked
            if smoothing:
                mean_log_p = xp.mean(shifted, axis=1) - log_total[:, 0]
                losses = (1.0 - smoothing) * losses - smoothing * mean_log_p
        else:
            self.log_p = shifted - log_total
            self.y = y if not smoothing else (1.0 - smoothing) * y + smoothing / K  # type: ignore[operator]
            losses = -xp.sum(self.y * self.log_p, axis=1)
            return _check_value(self.name, _reduce(losses, reduction), ("input", z), ("target", y))
        return _check_value(self.name, _reduce(losses, reduction), ("input", z))

    def backward(self, g: NDArray[Any]) -> Grads:
        s, scale = self.s, _upstream(g, self.reduction, self.m, 2)   # scale: g/m, g, or g_i per example
        if self.labels is not None:   # ∂L/∂z = (softmax(z) − y') · g/m, by the in-place kernel below
            return _softmax_minus_labels(s, self.positions, self.smoothing, scale, reuse=self.last_use)
        y = self.y
        total = D.namespace(y).sum(y, axis=1, keepdims=True)
        dz = (s * total - y) * scale if self.needs[0] else None
        dy = (-(1.0 - self.smoothing) * self.log_p) * scale if self.needs[1] else None
        return dz, dy


def _softmax_minus_labels_reference(s, labels, smoothing, scale):
    """(s − y')·scale for class labels, as written: y' = (1 − ε)·one_hot(labels) + ε/K.

    The textbook form of :class:`CrossEntropyGate`'s gradient; :func:`_softmax_minus_labels` computes the
    same in place, and ``tests/nn/test_losses.py`` checks that they agree.

    Shape: s: (m, K) softmax; labels: (m,) int; scale: a number or (m, 1); result: (m, K).
    """
    m, K = s.shape
    y = (1.0 - smoothing) * np.eye(K, dtype=s.dtype)[labels] + smoothing / K
    return (s - y) * scale


def _softmax_minus_labels(s, positions, smoothing, scale, reuse):
    """(s − y')·scale in place on one array: the fast kernel of :func:`_softmax_minus_labels_reference`.

    No one-hot matrix is made: the 1 − ε of each row is taken off at the row's label position (flat
    positions i·K + y_i, from ``_label_positions``), the ε/K off everything, then one multiplication.
    The saved softmax itself becomes the result when ``reuse`` (the gate's last backward: nothing needs
    it afterwards), so a step makes no (m, K) temporary at all. On devices other than NumPy's the label
    entries are written by ``ops.add_at_labels`` (a compare with the labels where the standard has no
    indexed write).
    """
    if s.__class__ is not np.ndarray:
        xp = D.namespace(s)
        dz = ops.add_at_labels(xp, s if reuse else xp.asarray(s, copy=True), positions, -(1.0 - smoothing))
        if smoothing:
            dz -= smoothing / s.shape[1]
        dz *= scale
        return dz
    dz = s if reuse else s.copy()
    if not dz.flags.c_contiguous:                    # logits in Fortran order (a transposed array)
        dz = np.ascontiguousarray(dz)
    dz.reshape(-1)[positions] -= 1.0 - smoothing     # a view: dz is C-contiguous
    if smoothing:
        dz -= smoothing / s.shape[1]
    dz *= scale
    return dz


class NLLLossGate(Gate):
    """Negative log-likelihood of log-probabilities: l_i = −log p_{i, y_i}.

    ∂l_i/∂(log p_ik) = −1 if k = y_i else 0, so ∂L/∂(log p) = −one_hot(y) / m for the mean.
    Saves the labels. With log_softmax in front this is cross_entropy (the unfused path).

    Shape: log_probs: (m, K); labels: (m,) int; result: () or (m,).
    """

    name = "nll_loss"

    def forward(self, log_p: NDArray[Any], labels: NDArray[Any] | None = None, reduction: str = "mean") -> NDArray[Any]:
        m = log_p.shape[0]
        self.positions = _label_positions(self.name, labels, log_p.shape)
        self.reduction, self.m, self.shape, self.dtype = reduction, m, log_p.shape, log_p.dtype
        picked = ops.take_labels(D.namespace(log_p), log_p, self.positions)
        return _check_value(self.name, _reduce(-picked, reduction), ("input", log_p))

    def backward(self, g: NDArray[Any]) -> Grads:
        scale = _upstream(g, self.reduction, self.m, 1)
        xp = D.namespace(g)
        d = xp.zeros(self.shape, dtype=self.dtype, device=g.device)
        return ops.add_at_labels(xp, d, self.positions, -scale)    # −g/m at each row's label, 0 elsewhere


class BinaryCrossEntropyGate(Gate):
    """Binary cross-entropy on probabilities p: l = −[y ln p + (1 − y) ln(1 − p)].

    p is first clamped to [eps, 1 − eps] so that p = 0 or 1 gives a large finite loss, not inf.
    ∂l/∂p = (p − y) / (p (1 − p))   (with the clamped p; the gradient passes the clamp unchanged, so a
    saturated output is still pushed back).   ∂l/∂y = ln((1 − p)/p).
    Saves the clamped p.

    Shape: p: any, y: same; result: () or p's shape for reduction='none'.
    """

    name = "binary_cross_entropy"

    def forward(self, p: NDArray[Any], y: NDArray[Any], eps: float = BCE_EPS, reduction: str = "mean") -> NDArray[Any]:
        xp = D.namespace(p)
        self.p = p = xp.clip(p, eps, 1.0 - eps)
        self.y, self.reduction, self.count = y, reduction, p.size
        log_p, log_q = xp.log(p), xp.log(1.0 - p)
        self.log_odds = log_p - log_q
        loss = _reduce(-(y * self.log_odds + log_q), reduction)      # y ln p + (1−y) ln(1−p)
        return _check_value(self.name, loss, ("input", p), ("target", y))

    def backward(self, g: NDArray[Any]) -> Grads:
        p, y = self.p, self.y
        scale = _upstream(g, self.reduction, self.count, p.ndim)
        dp = (p - y) / (p * (1.0 - p)) * scale if self.needs[0] else None
        dy = -self.log_odds * scale if self.needs[1] else None
        return dp, dy


class BinaryCrossEntropyWithLogitsGate(Gate):
    """Binary cross-entropy of σ(z), fused with the sigmoid: l = −[y ln σ(z) + (1 − y) ln(1 − σ(z))].

    Written as l = max(z, 0) − z·y + ln(1 + e^(−|z|)), which never overflows (|z| = 1000 is fine) and
    never takes the log of 0.   ∂l/∂z = σ(z) − y  (so (σ(z) − y)/m for the mean),   ∂l/∂y = −z.
    Saves σ(z), computed without overflow as in the sigmoid gate.

    Shape: z: any, y: same; result: () or z's shape for reduction='none'.
    """

    name = "binary_cross_entropy_with_logits"

    def forward(self, z: NDArray[Any], y: NDArray[Any], reduction: str = "mean") -> NDArray[Any]:
        xp = D.namespace(z)
        e = xp.exp(-xp.abs(z))                                  # in (0, 1]
        self.sigma = xp.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
        self.z, self.y, self.reduction, self.count = z, y, reduction, z.size
        loss = _reduce(xp.maximum(z, 0) - z * y + xp.log1p(e), reduction)
        return _check_value(self.name, loss, ("input", z), ("target", y))

    def backward(self, g: NDArray[Any]) -> Grads:
        scale = _upstream(g, self.reduction, self.count, self.z.ndim)
        dz = (self.sigma - self.y) * scale if self.needs[0] else None
        dy = -self.z * scale if self.needs[1] else None
        return dz, dy


class MSELossGate(Gate):
    """Squared error l = (x − y)².   ∂l/∂x = 2(x − y),  ∂l/∂y = −2(x − y).  Saves x − y.

    With reduction='mean' the mean is over all elements (PyTorch's convention), so ∂L/∂x = 2(x − y)/N.
    Shape: x: any, y: same; result: () or x's shape.
    """

    name = "mse_loss"

    def forward(self, x: NDArray[Any], y: NDArray[Any], reduction: str = "mean") -> NDArray[Any]:
        self.d, self.reduction = x - y, reduction
        return _check_value(self.name, _reduce(self.d * self.d, reduction), ("input", x), ("target", y))

    def backward(self, g: NDArray[Any]) -> Grads:
        d2 = (2.0 * self.d) * _upstream(g, self.reduction, self.d.size, self.d.ndim)
        return d2, (-d2 if self.needs[1] else None)


class HingeLossGate(Gate):
    """Hinge loss for labels y ∈ {−1, +1}: l = max(0, margin − y·z).

    ∂l/∂z = −y where margin − y·z > 0, else 0.  margin = 1 is the (linear) SVM's loss.
    Saves −y masked by the active margin.

    Shape: z: any, y: same; result: () or z's shape.
    """

    name = "hinge_loss"

    def forward(self, z: NDArray[Any], y: NDArray[Any] | None = None, margin: float = 1.0,
                reduction: str = "mean") -> NDArray[Any]:
        _check_label_values(self.name, y, (-1, 1))
        xp = D.namespace(z)
        slack = margin - y * z
        active = slack > 0
        self.dz, self.reduction = xp.astype(xp.where(active, -y, 0.0), z.dtype, copy=False), reduction  # type: ignore[operator]
        loss = _reduce(xp.astype(xp.where(active, slack, 0.0), z.dtype, copy=False), reduction)
        return _check_value(self.name, loss, ("input", z))

    def backward(self, g: NDArray[Any]) -> Grads:
        return self.dz * _upstream(g, self.reduction, self.dz.size, self.dz.ndim)


class PerceptronLossGate(Gate):
    """Rosenblatt's perceptron criterion for labels y ∈ {0, 1}: l = (step(z) − y)·z ≥ 0.

    It is z for a false positive (y = 0, z ≥ 0), −z for a false negative (y = 1, z < 0), 0 when right.
    ∂l/∂z = step(z) − y = ŷ − y, so gradient descent on it is the perceptron learning rule
    w ← w − η (ŷ − y) x.   Saves ŷ − y.

    Shape: z: any, y: same; result: () or z's shape.
    """

    name = "perceptron_loss"

    def forward(self, z: NDArray[Any], y: NDArray[Any] | None = None, reduction: str = "mean") -> NDArray[Any]:
        _check_label_values(self.name, y, (0, 1))
        self.err, self.reduction = D.namespace(z).astype(z >= 0, z.dtype) - y, reduction
        return _check_value(self.name, _reduce(self.err * z, reduction), ("input", z))

    def backward(self, g: NDArray[Any]) -> Grads:
        return self.err * _upstream(g, self.reduction, self.err.size, self.err.ndim)


# ---------------------------------------------------------------- the functions
def cross_entropy(input: TensorLike, target: TensorLike, weight: TensorLike | None = None,
                  size_average: bool | None = None, ignore_index: int = -100, reduce: bool | None = None,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Softmax cross-entropy of logits, fused: L = −(1/m) Σ_i Σ_k y_ik log softmax(z_i)_k (PyTorch's signature).

    Parameters
    ----------
    input : Tensor
        Logits z (unnormalised scores), one row per example.
    target : array_like or Tensor
        Integer class labels in [0, K) of shape (m,), or class probabilities / one-hot rows of shape (m, K).
        A 1-D float target is an error (use integer labels, or give (m, K) probabilities).
    weight : array_like or Tensor of shape (K,), optional
        Class weights: example i counts w_{y_i} times, and the mean divides by Σ_i w_{y_i} (PyTorch's
        weighted mean); with probability targets each class's term is multiplied by w_k and the mean is over m.
    ignore_index : int, default −100
        Examples with this label contribute nothing and are not counted in the mean (class labels only).
    label_smoothing : float
        ε in [0, 1]: the target becomes (1 − ε) y + ε/K.
    reduction : 'mean' | 'sum' | 'none'
    size_average, reduce
        PyTorch's deprecated spellings of ``reduction``: only None is accepted.

    Notes
    -----
    Without weights and ignored labels this is one fused gate; otherwise log_softmax followed by
    :class:`~tensorgate.functional.loss_weighted.WeightedNLLGate` (see loss_weighted.py).
    The gradient is ∂L/∂z = (softmax(z) − y)/m (see :class:`CrossEntropyGate`). In the lecture's column
    convention (Z of shape (K, m)) this is dZ = (A − Y)/m.

    Shape
    -----
    input: (m, K); target: (m,) int or (m, K) float; result: () or (m,) for reduction='none'.

    Examples
    --------
    >>> import tensorgate as tg
    >>> z = tg.tensor([[2.0, 0.0, 0.0]], requires_grad=True)
    >>> loss = tg.nn.functional.cross_entropy(z, [0])
    >>> round(loss.item(), 4)        # −log(e² / (e² + 2))
    0.2395
    """
    fn = "cross_entropy"
    _deprecated_reduction(fn, size_average, reduce)
    _check_reduction(fn, reduction)
    z = _float_input(fn, input)
    _check_2d(fn, z)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{fn}: label_smoothing must be in [0, 1], got {label_smoothing}")
    smoothing = float(label_smoothing)
    w = _weighted.class_weight(fn, weight, z.shape[1], z.dtype, z)
    t = _array_of(target)
    if t.ndim <= 1:
        labels = _labels(fn, target if isinstance(target, Tensor) else t, z)
        if w is None and ignore_index == _weighted.IGNORE_INDEX:
            try:         # the fused gate; it refuses a −100 label, which is then skipped through the weighted gate
                return CrossEntropyGate.apply(z, labels=labels, smoothing=smoothing, reduction=reduction)
            except ValueError:
                if not _any(labels == _weighted.IGNORE_INDEX):
                    raise
        from . import log_softmax   # functional/__init__ imports this module: a top-level import would cycle
        return _weighted.weighted_nll(log_softmax(z, axis=1), labels, w, ignore_index, smoothing, reduction)
    if t.shape != z.shape:
        _same_shape(fn, z, t, " (probability targets have one column per class)")
    y = _float_target(fn, target, z)
    if w is not None:
        from . import log_softmax
        return _weighted.soft_target_cross_entropy(log_softmax(z, axis=1), y, w, smoothing, reduction)
    return CrossEntropyGate.apply(z, y, smoothing=smoothing, reduction=reduction)


def nll_loss(input: TensorLike, target: TensorLike, weight: TensorLike | None = None, size_average: bool | None = None,
             ignore_index: int = -100, reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities: L = −(1/m) Σ_i log p_{i, y_i} (PyTorch's signature).

    ``nll_loss(log_softmax(z), y)`` equals ``cross_entropy(z, y)`` (the unfused path). With class
    ``weight`` (K,), l_i = −w_{y_i} log p_{i, y_i} and the mean divides by Σ_i w_{y_i}; labels equal to
    ``ignore_index`` (−100 by default) contribute nothing and are not counted.

    Shape: input: (m, K) log-probabilities; target: (m,) int labels in [0, K); result: () or (m,).

    Examples
    --------
    >>> import tensorgate as tg
    >>> import numpy as np
    >>> round(tg.nn.functional.nll_loss(tg.tensor(np.log([[0.5, 0.5]])), [1]).item(), 4)
    0.6931
    """
    fn = "nll_loss"
    _deprecated_reduction(fn, size_average, reduce)
    _check_reduction(fn, reduction)
    x = _float_input(fn, input)
    _check_2d(fn, x)
    labels = _labels(fn, target, x)
    w = _weighted.class_weight(fn, weight, x.shape[1], x.dtype, x)
    if w is None and ignore_index == _weighted.IGNORE_INDEX:
        try:             # as in cross_entropy: the plain gate unless a −100 label is to be skipped
            return NLLLossGate.apply(x, labels=labels, reduction=reduction)
        except ValueError:
            if not _any(labels == _weighted.IGNORE_INDEX):
                raise
    return _weighted.weighted_nll(x, labels, w, ignore_index, 0.0, reduction)


def binary_cross_entropy(input: TensorLike, target: TensorLike, weight: TensorLike | None = None,
                         size_average: bool | None = None, reduce: bool | None = None, reduction: str = "mean",
                         eps: float = BCE_EPS) -> Tensor:
    """Binary cross-entropy on probabilities: L = −mean[y ln p + (1 − y) ln(1 − p)].

    p is clamped to [eps, 1 − eps] (eps = 1e-7 by default) so p = 0 or 1 gives a finite loss. Prefer
    :func:`binary_cross_entropy_with_logits` on the logits: it is exact and stable without clamping.
    For multi-label classification use one sigmoid per output with this loss.

    Shape: input: any, probabilities in [0, 1]; target: same shape, in [0, 1]; result: () or input's shape.

    Examples
    --------
    >>> import tensorgate as tg
    >>> round(tg.nn.functional.binary_cross_entropy(tg.tensor([0.8]), [1.0]).item(), 4)   # −ln 0.8
    0.2231
    """
    fn = "binary_cross_entropy"
    _deprecated_reduction(fn, size_average, reduce)
    _check_reduction(fn, reduction)
    p = _float_input(fn, input)
    y = _float_target(fn, target, p)
    _same_shape(fn, p, y)
    if weight is None:
        return BinaryCrossEntropyGate.apply(p, y, eps=float(eps), reduction=reduction)
    losses = BinaryCrossEntropyGate.apply(p, y, eps=float(eps), reduction="none") * _elementwise_weight(fn, weight, p)
    return losses.mean() if reduction == "mean" else losses.sum() if reduction == "sum" else losses


def binary_cross_entropy_with_logits(input: TensorLike, target: TensorLike, weight: TensorLike | None = None,
                                     size_average: bool | None = None, reduce: bool | None = None,
                                     reduction: str = "mean", pos_weight: TensorLike | None = None) -> Tensor:
    """Binary cross-entropy of σ(z), fused with the sigmoid; stable for any z (|z| = 1000 included).

    L = mean[max(z, 0) − z·y + ln(1 + e^(−|z|))],  ∂L/∂z = (σ(z) − y)/N.
    ``weight`` (broadcastable to the input) multiplies each element's loss; ``pos_weight`` (one per class,
    broadcast along the last axis) multiplies the positive term: l = −[p·y ln σ(z) + (1 − y) ln(1 − σ(z))]
    (PyTorch's way to weigh the positives of imbalanced labels); the mean is over all N elements.

    Shape: input: any (logits); target: same shape, in [0, 1]; result: () or input's shape.

    Examples
    --------
    >>> import tensorgate as tg
    >>> tg.nn.functional.binary_cross_entropy_with_logits(tg.tensor([1000.0]), [0.0]).item()
    1000.0
    """
    fn = "binary_cross_entropy_with_logits"
    _deprecated_reduction(fn, size_average, reduce)
    _check_reduction(fn, reduction)
    z = _float_input(fn, input)
    y = _float_target(fn, target, z)
    _same_shape(fn, z, y)
    if weight is None and pos_weight is None:
        return BinaryCrossEntropyWithLogitsGate.apply(z, y, reduction=reduction)
    w = None if weight is None else _elementwise_weight(fn, weight, z)
    pw = None if pos_weight is None else _elementwise_weight(fn, pos_weight, z, "pos_weight")
    return _weighted.bce_with_logits_weighted(z, y, w, pw, reduction)


def _elementwise_weight(fn, weight, x, arg="weight"):
    """A constant weight tensor of x's dtype and device that broadcasts to x's shape (a clear error otherwise)."""
    w = _array_of(weight)
    if D.kind(w.dtype) not in "fiu":
        raise TypeError(f"{fn}: {arg} must be numbers, got dtype {D.numpy_dtype(w.dtype)}")
    try:
        shape = np.broadcast_shapes(tuple(w.shape), tuple(x.shape))
    except ValueError:
        shape = None
    if shape != tuple(x.shape):
        raise ValueError(f"{fn}: {arg} of shape {tuple(w.shape)} does not broadcast to the input's shape "
                         f"{tuple(x.shape)}")
    return Tensor._make(_astype(_on_input_device(fn, arg, weight, w, x), x.dtype), False, None)


def _deprecated_reduction(fn, size_average, reduce):
    if size_average is not None or reduce is not None:
        raise ValueError(f"{fn}: size_average and reduce are deprecated in PyTorch and not supported here; "
                         "use reduction='mean', 'sum' or 'none'")


def mse_loss(input: TensorLike, target: TensorLike, reduction: str = "mean") -> Tensor:
    """Mean squared error L = mean (x − y)² over all elements; ∂L/∂x = 2(x − y)/N.

    The shapes must be equal: PyTorch would broadcast (m, 1) against (m,) to (m, m) with only a warning;
    here it is an error.

    Shape: input: any; target: same; result: () or input's shape.

    Examples
    --------
    >>> import tensorgate as tg
    >>> tg.nn.functional.mse_loss(tg.tensor([1.0, 3.0]), [0.0, 0.0]).item()     # (1 + 9)/2
    5.0
    """
    fn = "mse_loss"
    _check_reduction(fn, reduction)
    x = _float_input(fn, input)
    y = _float_target(fn, target, x)
    _same_shape(fn, x, y)
    return MSELossGate.apply(x, y, reduction=reduction)


def _sign_labels(fn, target, z):
    """The target as an array of the input z's shape, dtype and device (its values are checked by the gate:
    _check_label_values)."""
    y, shape = to_array(target.data if isinstance(target, Tensor) else target), z.shape
    if y.shape != tuple(shape):
        if y.ndim and len(shape) and y.shape[0] != shape[0]:
            raise ValueError(f"{fn}: input and target have different batch sizes: input shape {tuple(shape)}, "
                             f"target shape {y.shape}")
        raise ValueError(f"{fn}: input shape {tuple(shape)} and target shape {y.shape} must be equal")
    return _astype(_on_input_device(fn, "target", target, y, z), z.dtype)


def _check_label_values(fn, y, allowed):
    """Raise a ValueError naming the first target that is not one of the two ``allowed`` values (gates call it)."""
    bad = (y != allowed[0]) & (y != allowed[1])
    if _any(bad):
        y, bad = _host(y), _host(bad)
        i = _first_bad(bad, lambda b: b)
        raise ValueError(f"{fn}: target must hold only {allowed[0]:g} and {allowed[1]:g}, got {y[i]:g} at index {i}"
                         + (" (map 0/1 labels with 2*y − 1)" if allowed[0] == -1 else ""))


def hinge_loss(input: TensorLike, target: TensorLike, margin: float = 1.0, reduction: str = "mean") -> Tensor:
    """Hinge loss L = mean max(0, margin − y·z) for labels y ∈ {−1, +1}; ∂l/∂z = −y inside the margin.

    Shape: input: any (scores z); target: same shape, −1 or +1; result: () or input's shape.

    Examples
    --------
    >>> import tensorgate as tg
    >>> tg.nn.functional.hinge_loss(tg.tensor([0.5, 2.0]), [1, 1]).item()       # (0.5 + 0)/2
    0.25
    """
    fn = "hinge_loss"
    _check_reduction(fn, reduction)
    z = _float_input(fn, input)
    y = _sign_labels(fn, target, z)
    return HingeLossGate.apply(z, y=y, margin=float(margin), reduction=reduction)


def perceptron_loss(input: TensorLike, target: TensorLike, reduction: str = "mean") -> Tensor:
    """Rosenblatt's perceptron criterion L = mean (step(z) − y)·z for labels y ∈ {0, 1}.

    Its gradient ŷ − y makes gradient descent the perceptron learning rule (see :class:`PerceptronLossGate`).

    Shape: input: any (pre-activations z); target: same shape, 0 or 1; result: () or input's shape.

    Examples
    --------
    >>> import tensorgate as tg
    >>> tg.nn.functional.perceptron_loss(tg.tensor([0.5, -2.0]), [0, 0]).item()  # false positive 0.5
    0.25
    """
    fn = "perceptron_loss"
    _check_reduction(fn, reduction)
    z = _float_input(fn, input)
    y = _sign_labels(fn, target, z)
    return PerceptronLossGate.apply(z, y=y, reduction=reduction)


# ---------------------------------------------------------------- unfused reference paths
def cross_entropy_unfused(input: TensorLike, target: TensorLike) -> Tensor:
    """Reference: −mean Σ_k y_k log_softmax(z)_k from the elementary gates (one-hot y for labels).

    Slower and with more gates than :func:`cross_entropy`; a test checks both give the same value and
    gradient. Shape: input: (m, K); target: (m,) int or (m, K); result: ().
    """
    from . import log_softmax

    fn = "cross_entropy_unfused"
    z = _float_input(fn, input)
    t = _array_of(target)
    if t.ndim == 1:
        labels = _labels(fn, target if isinstance(target, Tensor) else t, z)
        xp, K = D.namespace(labels), z.shape[1]
        one_hot = xp.reshape(labels, (-1, 1)) == xp.arange(K, dtype=labels.dtype, device=labels.device)
        y = Tensor._make(xp.astype(one_hot, D.dtype_in(xp, z.dtype)), False, None)
    else:
        y = _float_target(fn, target, z)
    return -(y * log_softmax(z, axis=1)).sum(axis=1).mean()


def binary_cross_entropy_with_logits_unfused(input: TensorLike, target: TensorLike) -> Tensor:
    """Reference: binary_cross_entropy(sigmoid(z), y) from the elementary gates, −mean[y ln σ + (1 − y) ln(1 − σ)].

    Agrees with the fused gate for moderate z; for |z| ≳ 17 (float32) or 37 (float64) σ rounds to 0 or 1 and
    the log gives inf — which is why the fused form exists. Shape: as the fused function.
    """
    from . import log, sigmoid

    z = _float_input("binary_cross_entropy_with_logits_unfused", input)
    y = _float_target("binary_cross_entropy_with_logits_unfused", target, z)
    p = sigmoid(z)
    return -(y * log(p) + (1.0 - y) * log(1.0 - p)).mean()


from . import loss_weighted as _weighted  # noqa: E402  (it imports _label_positions from here)
