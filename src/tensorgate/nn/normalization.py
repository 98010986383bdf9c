"""Batch normalisation as modules: BatchNorm1d (features) and BatchNorm2d (image channels).

Both call :func:`tensorgate.functional.batch_norm` (the gate and its derivative are in
``functional/batchnorm.py``) over every axis but axis 1.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .. import backend as B
from .. import functional as F
from ..autograd.factory import ones, zeros
from ..autograd.tensor import as_dtype
from .module import Module
from .parameter import Parameter

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

    from ..autograd.tensor import Tensor

xp = B.xp


class _BatchNorm(Module):
    """Shared by BatchNorm1d and BatchNorm2d: parameters, buffers, and the choice of batch or running statistics.

    Subclasses say which input ranks they accept (``_ndims``); the statistics are taken over every axis
    but axis 1 (the features / channels).
    """

    _keeps_features = True
    _ndims: tuple[int, ...] = (2, 3)
    # buffers (register_buffer), or None without track_running_stats
    running_mean: Tensor | None
    running_var: Tensor | None
    num_batches_tracked: Tensor | None
    # PyTorch loads a state dict without num_batches_tracked (older files, other tools) keeping the count
    _optional_state: tuple[str, ...] = ("num_batches_tracked",)

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, dtype: DTypeLike | None = None):
        super().__init__()
        if isinstance(num_features, bool) or not isinstance(num_features, int) or num_features <= 0:
            raise ValueError(f"{type(self).__name__}: num_features must be a positive integer, got {num_features!r}")
        dtype = as_dtype(dtype) if dtype is not None else B.DEFAULT_FLOAT
        self.num_features, self.eps, self.momentum = num_features, float(eps), momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        self.weight = Parameter(ones(num_features, dtype=dtype)) if affine else None
        self.bias = Parameter(zeros(num_features, dtype=dtype)) if affine else None
        if track_running_stats:
            self.register_buffer("running_mean", zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", xp.array(0, dtype=xp.int64))
        else:
            self.running_mean = self.running_var = self.num_batches_tracked = None

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batches seen."""
        if self.track_running_stats:
            self.running_mean.data[...] = 0.0  # type: ignore[union-attr]
            self.running_var.data[...] = 1.0  # type: ignore[union-attr]
            self.num_batches_tracked.data[...] = 0  # type: ignore[union-attr]

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim not in self._ndims or x.shape[1] != self.num_features:
            extra = {2: (), 3: ("L",), 4: ("H", "W"), 5: ("D", "H", "W")}
            expected = " or ".join("(" + ", ".join(("m", str(self.num_features)) + extra[k]) + ")"
                                   for k in self._ndims)
            raise ValueError(f"{type(self).__name__}({self.num_features}): expected input of shape {expected}, "
                             f"got {tuple(x.shape)}")
        # the batch count and the running statistics are updated inside the gate, so that a replay does it too
        use_batch = self.training or not self.track_running_stats
        counter = self.num_batches_tracked if self.training and self.track_running_stats else None
        return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias, use_batch,
                          self.momentum, self.eps, num_batches_tracked=counter)

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}" + \
            ("" if self.affine else ", affine=False")

    def _param_formula(self):
        return f"2·{self.num_features}" if self.affine else ""


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of features: y = γ (x − μ)/√(σ² + ε) + β per feature.

    In training μ, σ² are the batch's mean and biased variance, and the running statistics are updated
    with ``momentum`` (running ← (1 − momentum)·running + momentum·batch, using the unbiased variance,
    PyTorch's convention; ``momentum=None`` gives a cumulative average). In ``eval()`` mode the running
    statistics are used, so the output of one example does not depend on the rest of the batch.

    Shape: x: (m, C) or (m, C, L); output: same; weight γ, bias β, running_mean, running_var: (C,).

    Examples
    --------
    >>> import tensorgate as tg
    >>> bn = tg.nn.BatchNorm1d(3)
    >>> y = bn(tg.randn(16, 3))
    >>> [round(float(v), 4) + 0.0 for v in y.data.mean(axis=0)]
    [0.0, 0.0, 0.0]
    """


class BatchNorm2d(_BatchNorm):
    """Batch normalisation per channel of NCHW images: y = γ (x − μ_c)/√(σ_c² + ε) + β (``nn.BatchNorm2d``).

    μ_c and σ_c² are taken over the batch and all pixels of channel c (N·H·W values), so a channel is
    normalised the same way at every position, as a convolution treats every position the same. In
    training the batch statistics are used and the running statistics updated with ``momentum``
    (running ← (1 − momentum)·running + momentum·batch, the variance unbiased: σ²·n/(n − 1), PyTorch's
    convention); in ``eval()`` mode the running statistics are used. Keeping every layer's inputs centred
    and scaled is what lets deep networks (ResNet) train quickly with large learning rates.

    Parameters
    ----------
    num_features : int
        The number of channels C.
    eps : float
        Added to the variance.
    momentum : float or None
        Weight of the new batch in the running statistics (None: a cumulative average).
    affine : bool
        Learn γ, β (initialised to 1, 0).
    track_running_stats : bool
        Keep running statistics (otherwise the batch's own are used in eval mode too).

    Shape
    -----
    x: (N, C, H, W); output: same; weight γ, bias β, running_mean, running_var: (C,).

    Examples
    --------
    >>> import tensorgate as tg
    >>> bn = tg.nn.BatchNorm2d(3)
    >>> y = bn(tg.randn(4, 3, 5, 5))
    >>> [round(float(v), 4) + 0.0 for v in y.data.mean(axis=(0, 2, 3))]
    [0.0, 0.0, 0.0]
    """

    _ndims = (4,)


class LocalResponseNorm(Module):
    """Local response normalisation across channels (PyTorch's ``nn.LocalResponseNorm``; AlexNet, 2012).

    z_c = a_c / (k + (α/n) Σ_(c' = c − ⌊n/2⌋ … c + ⌊(n−1)/2⌋) a_c'²)^β, n = ``size``: a strong response
    damps its neighbours in the adjacent channels at the same pixel ("lateral inhibition"). AlexNet used
    n = 5, α = 10⁻⁴, β = 0.75, k = 2; BatchNorm has since replaced it. No parameters; the gate and its
    derivative are in ``functional/local_response_norm.py``.

    Shape: x: (N, C, *) with at least 3 axes; output: same.

    Example
    -------
    >>> import tensorgate as tg
    >>> tg.nn.LocalResponseNorm(5, k=2.0)(tg.zeros(2, 8, 4, 4)).shape
    (2, 8, 4, 4)
    """

    _keeps_features = True

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0):
        super().__init__()
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError(f"LocalResponseNorm: size must be a positive integer, got {size!r}")
        self.size, self.alpha, self.beta, self.k = size, float(alpha), float(beta), float(k)

    def forward(self, x: Tensor) -> Tensor:
        return F.local_response_norm(x, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
