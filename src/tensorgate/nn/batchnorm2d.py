"""BatchNorm2d: batch normalisation of image channels, on the shared batch-norm gate over axes (0, 2, 3)."""
from .normalization import _BatchNorm


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

    Shape: x: (N, C, H, W); output: same; weight γ, bias β, running_mean, running_var: (C,).

    Example
    -------
    >>> import tensorgate as tg
    >>> bn = tg.nn.BatchNorm2d(3)
    >>> y = bn(tg.randn(4, 3, 5, 5))
    >>> [round(float(v), 4) + 0.0 for v in y.data.mean(axis=(0, 2, 3))]
    [0.0, 0.0, 0.0]
    """

    _ndims = (4,)
