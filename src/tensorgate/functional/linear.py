"""The dense layer's affine map as one fused gate."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd.gate import Gate
from ..backend import devices as D

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from ..autograd.gate import Grads


class LinearGate(Gate):
    """z = x Wᵀ + b, the affine map of a dense layer, as one gate (one matrix product each way).

    With examples as rows (x: (m, n_x)) this is the lecture's Z = W A + b with examples as columns, transposed.

    ∂L/∂x = g W,   ∂L/∂W = gᵀ x,   ∂L/∂b = Σ_rows g.

    Shape: x: (..., n_x), W: (n_z, n_x), b: (n_z,) or absent; z: (..., n_z).
    """

    def forward(self, x: NDArray[Any], weight: NDArray[Any], bias: NDArray[Any] | None = None) -> NDArray[Any]:
        if x.shape[-1] != weight.shape[1]:
            raise ValueError(
                f"linear: input has {x.shape[-1]} features (shape {x.shape}) but the weight expects "
                f"{weight.shape[1]} (weight shape {weight.shape})")
        self.x, self.weight = x, weight
        z = x @ weight.T           # the standard's operators only: the same lines on every device
        if bias is not None:
            z += bias
        return z

    exact_gradients = True

    def backward(self, g: NDArray[Any]) -> Grads:
        x, w, needs = self.x, self.weight, self.needs
        gx = g @ w if needs[0] else None
        if g.ndim != 2:   # (..., n_z): every leading index is an example
            xp = D.namespace(g)
            g, x = xp.reshape(g, (-1, g.shape[-1])), xp.reshape(x, (-1, x.shape[-1]))
        gw = g.T @ x if needs[1] else None
        if len(needs) == 3:
            if needs[2]:
                gb = _sum_rows(g, axis=0) if g.__class__ is np.ndarray else D.namespace(g).sum(g, axis=0)
            else:
                gb = None
            return gx, gw, gb
        return gx, gw


# ndarray.sum goes through a Python wrapper (numpy/_core/_methods.py); the ufunc's reduce is the same sum
# without it, which counts on small batches where a step is a few hundred microseconds.
_sum_rows = np.add.reduce
