"""Batch normalisation as one gate with the closed-form backward, and its functional form over any axes.

The functional :func:`batch_norm` takes the reduction axes, so the same gate serves (m, C) with axes (0,),
(m, C, L) with (0, 2) and NCHW images with (0, 2, 3) (the modules BatchNorm1d and BatchNorm2d, in
``nn/normalization.py``, call it).

On the CPU, channels-major images take the NumPy kernels of ``batchnorm_kernels.py`` (fewer passes over
memory); every other layout and every other device takes the textbook formulas, written with the array
API standard's functions.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd.gate import Gate
from ..autograd.tensor import Tensor
from ..backend import devices as D
from . import batchnorm_kernels as kernels

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from ..autograd.gate import Grads
    from ..autograd.tensor import TensorLike


class BatchNormGate(Gate):
    """Batch normalisation y = γ x̂ + β,  x̂ = (x − μ)/√(σ² + ε), per channel over the reduction axes.

    In training μ, σ² are the batch mean and (biased) variance over N values per channel, and
        ∂L/∂β = Σ g,   ∂L/∂γ = Σ g·x̂,
        ∂L/∂x = γ/√(σ² + ε) · (g − mean(g) − x̂ · mean(g·x̂))      (means over the N values),
    the closed form of backpropagating through μ and σ², which both depend on x.
    In evaluation μ, σ² are the running statistics (constants), so ∂L/∂x = γ/√(σ² + ε) · g; without a
    graph (``recording`` False) forward computes y = x·s + t, s = γ/√(σ² + ε), t = β − μ·s, as PyTorch does.
    In training, forward also updates the running statistics in place (as PyTorch does):
        running_mean ← (1 − momentum)·running_mean + momentum·μ,
        running_var  ← (1 − momentum)·running_var  + momentum·σ²·N/(N − 1)   (unbiased),
    and counts the batch in ``counter`` (the module's num_batches_tracked; momentum None then means the
    cumulative average, momentum = 1/count). All of it happens here, in the gate, so that a replayed
    training step (:class:`~tensorgate.training.CompiledStep`) does it too.
    Saves x̂ and 1/√(σ² + ε).

    Shape: x: (m, C, ...); γ, β, running statistics: (C,) (the sizes of the axes not reduced).
    """

    name = "batch_norm"

    def forward(self, x: NDArray[Any], weight: NDArray[Any] | None = None, bias: NDArray[Any] | None = None,
                axes: tuple[int, ...] = (0,), running_mean: NDArray[Any] | None = None,
                running_var: NDArray[Any] | None = None, training: bool = True, momentum: float | None = 0.1,
                eps: float = 1e-5, counter: NDArray[Any] | None = None) -> NDArray[Any]:
        if not training and not self.recording and x.__class__ is np.ndarray and axes == _IMAGE_AXES:
            return _evaluate_images(x, running_mean, running_var, weight, bias, eps)  # type: ignore[arg-type]
        shape = tuple(1 if i in axes else n for i, n in enumerate(x.shape))
        self.axes, self.shape, self.training = axes, shape, training
        xp = D.namespace(x)
        # channels-major images (a convolution's output): one (C, N·H·W) matrix, per-channel sums along rows
        rows = kernels.channel_rows(x) if tuple(axes) == (0, 2, 3) and xp is np else None
        if training:
            if counter is not None:
                counter += 1
                if momentum is None:   # cumulative moving average
                    momentum = 1.0 / float(counter)
            momentum = 0.0 if momentum is None else momentum
            n = x.size // max(1, _prod(shape))
            if rows is not None:   # the same statistics in fewer passes (batchnorm_kernels.py)
                mu, var, xc = kernels.batch_statistics(rows)
            else:
                mu = xp.mean(x, axis=axes, keepdims=True)
                xc = x - mu
                var = xp.mean(xc * xc, axis=axes, keepdims=True)
            if running_mean is not None:
                running_mean *= 1.0 - momentum
                running_mean += momentum * xp.reshape(mu, running_mean.shape)
            if running_var is not None:
                running_var *= 1.0 - momentum
                running_var += (momentum * n / (n - 1)) * xp.reshape(var, running_var.shape)
        elif not self.recording:   # evaluation, and no backward will ask for x̂
            return self._evaluate(x, xp, rows, running_mean, running_var, weight, bias, eps,  # type: ignore[arg-type]
                                  shape)
        elif rows is not None:
            xc, var = rows - running_mean[:, None], running_var  # type: ignore[index]
        else:
            xc = x - xp.reshape(running_mean, shape)
            var = xp.reshape(running_var, shape)
        if rows is not None:
            return self._normalise_rows(xc, var, eps, weight, bias, x.shape)  # type: ignore[arg-type]
        self.rows = False
        self.inv_std = 1.0 / xp.sqrt(var + eps)  # type: ignore[operator]
        self.xhat = xc * self.inv_std
        self.gamma = None if weight is None else xp.reshape(weight, shape)
        if weight is None:
            return self.xhat
        return self.xhat * self.gamma + xp.reshape(bias, shape)

    def _evaluate(self, x: NDArray[Any], xp: Any, rows: NDArray[Any] | None, mean: NDArray[Any],
                  var: NDArray[Any], weight: NDArray[Any] | None, bias: NDArray[Any] | None, eps: float,
                  shape: tuple[int, ...]) -> NDArray[Any]:
        """Evaluation without a graph, as PyTorch's kernel computes it: y = x·s + t per channel, with
        s = γ/√(σ² + ε) and t = β − μ·s from the running statistics; two passes over x, nothing saved."""
        s = xp.sqrt(var + eps)          # a few ufunc calls on (C,) arrays: they cost more than their
        s = (1.0 / s) if weight is None else (weight / s)   # arithmetic for a single image
        t = mean * s
        t = -t if bias is None else (bias - t)
        if rows is not None:   # channels-major images: per-row scale and shift, in the same layout
            y = np.multiply(rows, s[:, None])
            y += t[:, None]
            return kernels.as_images(y, x.shape)
        return x * xp.reshape(s, shape) + xp.reshape(t, shape)

    def _normalise_rows(self, centred: NDArray[Any], var: NDArray[Any], eps: float,
                        weight: NDArray[Any] | None, bias: NDArray[Any] | None,
                        x_shape: tuple[int, ...]) -> NDArray[Any]:
        """forward's last lines on the (C, N·H·W) matrix of channels-major images: x̂ in place of x − μ."""
        self.rows, self.inv_std = True, 1.0 / np.sqrt(var + eps)
        centred *= self.inv_std[:, None]
        self.xhat, self.gamma = centred, weight
        return kernels.as_images(kernels.scale_shift(centred, weight, bias), x_shape)

    def _backward_rows(self, g: NDArray[Any]) -> Grads:
        """backward's formulas on (C, N·H·W) matrices, in fewer passes (batchnorm_kernels.py)."""
        g2 = kernels.channel_rows(g)
        if g2 is None:   # g laid out otherwise: one copy into the channels' rows
            g2 = np.ascontiguousarray(g.transpose(1, 0, 2, 3)).reshape(g.shape[1], -1)
        scale = self.inv_std if self.gamma is None else self.gamma * self.inv_std
        params = len(self.needs) == 3 and (self.needs[1] or self.needs[2])
        dx, dw, db = kernels.backward(g2, self.xhat, scale, self.training, self.needs[0], params)
        dx = None if dx is None else kernels.as_images(dx, g.shape)
        if len(self.needs) == 1:
            return dx  # type: ignore[return-value]
        return dx, (dw if self.needs[1] else None), (db if self.needs[2] else None)

    def backward(self, g: NDArray[Any]) -> Grads:
        if self.rows:
            return self._backward_rows(g)
        axes, xhat = self.axes, self.xhat
        xp = D.namespace(g)
        dx = dw = db = None
        if self.needs[0]:
            scale = self.inv_std if self.gamma is None else self.gamma * self.inv_std
            if self.training:
                dx = scale * (g - xp.mean(g, axis=axes, keepdims=True)
                              - xhat * xp.mean(g * xhat, axis=axes, keepdims=True))
            else:
                dx = scale * g
        if len(self.needs) == 1:
            return dx  # type: ignore[return-value]
        if self.needs[1]:
            dw = xp.reshape(xp.sum(g * xhat, axis=axes), (-1,))
        if self.needs[2]:
            db = xp.reshape(xp.sum(g, axis=axes), (-1,))
        return dx, dw, db


_IMAGE_AXES = (0, 2, 3)


def evaluation_affine(mean: NDArray[Any], var: NDArray[Any], weight: NDArray[Any] | None,
                      bias: NDArray[Any] | None, eps: float) -> NDArray[Any]:
    """BatchNorm in evaluation as an affine map per channel, y = s·x + t: s = γ/√(σ² + ε), t = β − μ·s
    (γ = 1, β = 0 without them), computed in place in one buffer: each small-array call counts for a single
    image. ``nn/fusion.py`` folds the same s and t into a convolution.

    Shape: mean, var, weight, bias: (C,); result: (2, C), the rows s and t.
    """
    st = np.empty((2, var.shape[0]), dtype=var.dtype)
    s, t = st[0], st[1]
    np.add(var, eps, out=s)
    np.sqrt(s, out=s)
    if weight is None:
        np.reciprocal(s, out=s)
    else:
        np.divide(weight, s, out=s)
    np.multiply(mean, s, out=t)
    if bias is None:
        np.negative(t, out=t)
    else:
        np.subtract(bias, t, out=t)
    return st


def _evaluate_images(x: NDArray[Any], mean: NDArray[Any], var: NDArray[Any], weight: NDArray[Any] | None,
                     bias: NDArray[Any] | None, eps: float) -> NDArray[Any]:
    """BatchNormGate's forward in evaluation without a graph, for NumPy NCHW images: y = x·s + t per channel,
    s = γ/√(σ² + ε), t = β − μ·s, as PyTorch's kernel computes it. Written apart from the general case
    because one image through a CNN meets it at every BatchNorm2d: s and t in place in one (2, C) buffer,
    y in place, and no shape arithmetic (one image of SmallVGG: about 5 µs less per layer).

    Shape: x: (N, C, H, W); mean, var, weight, bias: (C,); result: (N, C, H, W), in x's memory layout.
    """
    st = evaluation_affine(mean, var, weight, bias, eps)
    s, t = st[0], st[1]
    rows = kernels.channel_rows(x)
    if rows is not None:   # channels-major images: per-row scale and shift, in the same layout
        y = np.multiply(rows, s[:, None])
        y += t[:, None]
        return kernels.as_images(y, x.shape)
    y = np.multiply(x, st[0, :, None, None])
    y += st[1, :, None, None]
    return y


def _prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _array(t):
    return t.data if isinstance(t, Tensor) else t


def _check_dtypes(x, running_mean, running_var):
    """The running statistics are the input's dtype, as PyTorch requires ("mixed dtype"): the gate computes
    with them, and float32 images with float64 statistics would come out float64, a silent promotion."""
    data = x.data if x.__class__ is Tensor else x
    for name, a in (("running_mean", running_mean), ("running_var", running_var)):
        # (arrays of another kind live on another device: _check_devices says so)
        if a is not None and a.__class__ is data.__class__ and a.dtype != data.dtype:
            raise TypeError(f"batch_norm: {name} is {D.numpy_dtype(a.dtype)} but the input is "
                            f"{D.numpy_dtype(data.dtype)}; tensorgate does not promote silently: convert the input "
                            "with .float() or .double(), or the module with .to(dtype)")


def _check_devices(x, named):
    """The running statistics are the gate's settings, not its inputs: check here that they live on the
    input's device (a RuntimeError naming both, as for inputs), since the gate would update them there."""
    data = x.data
    for name, a in named:
        if a is None or (a.__class__ is np.ndarray and data.__class__ is np.ndarray):
            continue
        here, there = D.device_of(a), D.device_of(data)
        if here != there:
            raise RuntimeError(f"batch_norm: expected all tensors on the same device, found {name} on "
                               f"{D.describe(here)} and the input on {D.describe(there)}; move the module with "
                               ".to(device)")


def batch_norm(input: TensorLike, running_mean: TensorLike | None, running_var: TensorLike | None,
               weight: TensorLike | None = None, bias: TensorLike | None = None, training: bool = False,
               momentum: float | None = 0.1, eps: float = 1e-5, axes: tuple[int, ...] | None = None,
               num_batches_tracked: TensorLike | None = None) -> Tensor:
    """Batch normalisation over ``axes`` (all but axis 1, the channels, by default); see :class:`BatchNormGate`.

    In training the batch statistics are used and ``running_mean``/``running_var`` (Tensors or arrays, or
    None) are updated in place with ``momentum``; otherwise the running statistics are used. In training,
    ``num_batches_tracked`` (a 0-d integer Tensor or array, or None) is increased by one, and
    ``momentum=None`` then means the cumulative average (momentum 1/count).
    ``weight`` and ``bias`` (γ, β) are given together or not at all.

    Shape: input: (m, C) with axes (0,), (m, C, L) with (0, 2), (m, C, H, W) with (0, 2, 3);
    running statistics, weight, bias: (C,); result: input's shape.

    Examples
    --------
    >>> import tensorgate as tg
    >>> x = tg.tensor([[1.0, 10.0], [3.0, 30.0]])     # per column: mean 2 and 20, variance 1 and 100
    >>> tg.nn.functional.batch_norm(x, None, None, training=True).data.round(4).tolist()
    [[-1.0, -1.0], [1.0, 1.0]]
    """
    rm, rv = _array(running_mean), _array(running_var)
    _check_dtypes(input, rm, rv)
    if (not training and axes is None and input.__class__ is Tensor and input.data.__class__ is np.ndarray
            and input.data.ndim == 4 and rm.__class__ is np.ndarray and rv.__class__ is np.ndarray
            and (weight is None) == (bias is None)):
        # NCHW images in evaluation on the CPU, every BatchNorm2d of inference: the checks below would pass
        params = dict(axes=_IMAGE_AXES, running_mean=rm, running_var=rv, training=False,
                      momentum=None if momentum is None else float(momentum), eps=float(eps))
        if weight is None:
            return BatchNormGate.apply(input, **params)
        return BatchNormGate.apply(input, weight, bias, **params)  # type: ignore[arg-type]
    if not isinstance(input, Tensor):
        input = Tensor(input)
        _check_dtypes(input, rm, rv)
    if axes is None:
        axes = (0,) + tuple(range(2, input.ndim))
    axes = tuple(sorted(a % input.ndim for a in axes))
    if (weight is None) != (bias is None):
        raise ValueError("batch_norm: give weight and bias together, or neither")
    if not training and (rm is None or rv is None):
        training = True  # no running statistics: normalise with the batch's own (PyTorch's behaviour)
    n = input.numel() // max(1, _prod(tuple(1 if i in axes else s for i, s in enumerate(input.shape))))
    if training and n <= 1:
        raise ValueError(f"batch_norm: expected more than 1 value per channel in training, got input shape "
                         f"{tuple(input.shape)}; use a batch of at least 2 or call model.eval()")
    _check_devices(input, (("running_mean", rm), ("running_var", rv), ("num_batches_tracked",
                                                                       _array(num_batches_tracked))))
    params = dict(axes=axes, running_mean=rm, running_var=rv, training=bool(training),
                  momentum=None if momentum is None else float(momentum), eps=float(eps))
    if training and num_batches_tracked is not None:
        params["counter"] = _array(num_batches_tracked)
    if weight is None:
        return BatchNormGate.apply(input, **params)
    return BatchNormGate.apply(input, weight, bias, **params)  # type: ignore[arg-type]
