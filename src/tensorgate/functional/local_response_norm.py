"""Local response normalisation (AlexNet, 2012): each activation divided by the energy of its neighbours
across channels, a "lateral inhibition" between feature maps at the same pixel."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import backend as B
from ..autograd.gate import Gate
from ..backend import devices as D

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from ..autograd.gate import Grads
    from ..autograd.tensor import Tensor


def _channel_window_sum(v, before, after):
    """Σ_(c' = c − before … c + after) v[:, c'] for every channel c (channels outside [0, C) count as 0).

    One shifted slice per offset: ``before + after + 1`` whole-array additions, exact (no running sums).
    """
    out = D.namespace(v).zeros_like(v)
    channels = v.shape[1]
    for o in range(-before, after + 1):
        lo, hi = max(0, -o), min(channels, channels - o)
        if lo < hi:
            out[:, lo:hi, ...] += v[:, lo + o:hi + o, ...]
    return out


class LocalResponseNormGate(Gate):
    """z_c = a_c · s_c^(−β),   s_c = k + (α/n) Σ_(c' ∈ window(c)) a_c'²,   window(c) = c − ⌊n/2⌋ … c + ⌊(n−1)/2⌋.

    (PyTorch's window: zero-padded across channels; the sum is divided by n, the window size, always.)
    Differentiating, ∂z_c/∂a_j = [j = c] s_c^(−β) − β a_c s_c^(−β−1) (2α/n) a_j [j ∈ window(c)], so

        ∂L/∂a_j = G_j s_j^(−β) − (2αβ/n) a_j Σ_(c : j ∈ window(c)) G_c a_c s_c^(−β−1),

    where j ∈ window(c) ⇔ c ∈ j − ⌊(n−1)/2⌋ … j + ⌊n/2⌋ (the window reflected). Saves a, s and s^(−β).

    Shape: a: (N, C, *) (at least 3 axes); z: same.
    """

    name = "local_response_norm"

    def forward(self, a: NDArray[Any], size: int = 5, alpha: float = 1e-4, beta: float = 0.75,
                k: float = 1.0) -> NDArray[Any]:
        alpha, beta, k = B.weak(alpha), B.weak(beta), B.weak(k)
        self.size, self.alpha, self.beta = size, alpha, beta
        s = _channel_window_sum(a * a, size // 2, (size - 1) // 2)
        s *= alpha / size
        s += k
        self.a, self.s, self.s_beta = a, s, s ** -beta
        return a * self.s_beta

    def backward(self, g: NDArray[Any]) -> Grads:
        n, alpha, beta = self.size, self.alpha, self.beta
        t = g * self.a * self.s_beta / self.s                            # G_c a_c s_c^(−β−1)
        spread = _channel_window_sum(t, (n - 1) // 2, n // 2)           # Σ over the c whose window holds j
        return g * self.s_beta - (2.0 * alpha * beta / n) * self.a * spread


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """Local response normalisation across channels (PyTorch's ``F.local_response_norm``).

    z_c = a_c / (k + (α/n) Σ_(c' = c − ⌊n/2⌋ … c + ⌊(n−1)/2⌋) a_c'²)^β with n = ``size``, channels outside
    the input counting as zeros. AlexNet used n = 5, α = 10⁻⁴, β = 0.75, k = 2.

    Shape: input: (N, C, *) with at least 3 axes; result: same.

    Example
    -------
    >>> import tensorgate as tg
    >>> local_response_norm(tg.ones((1, 3, 2, 2)), size=2, alpha=1.0, beta=1.0, k=1.0).numpy()[0, :, 0, 0]
    array([0.6666667, 0.5      , 0.5      ], dtype=float32)
    """
    if input.ndim < 3:
        raise ValueError(f"local_response_norm: input must have at least 3 dimensions (N, C, ...), got shape "
                         f"{tuple(input.shape)}")
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
        raise ValueError(f"local_response_norm: size must be a positive int, got {size!r}")
    return LocalResponseNormGate.apply(input, size=int(size), alpha=alpha, beta=beta, k=k)
