"""The dense layer's affine map as one fused gate."""
from .. import backend as B
from ..autograd.gate import Gate

xp = B.xp


class Linear(Gate):
    """z = x Wᵀ + b, the affine map of a dense layer, as one gate (one matrix product each way).

    With examples as rows (x: (m, n_x)) this is the lecture's Z = W A + b with examples as columns, transposed.

    ∂L/∂x = g W,   ∂L/∂W = gᵀ x,   ∂L/∂b = Σ_rows g.

    Shape: x: (..., n_x), W: (n_z, n_x), b: (n_z,) or absent; z: (..., n_z).
    """

    def forward(self, x, weight, bias=None):
        if x.shape[-1] != weight.shape[1]:
            raise ValueError(
                f"linear: input has {x.shape[-1]} features (shape {x.shape}) but the weight expects "
                f"{weight.shape[1]} (weight shape {weight.shape})")
        self.x, self.weight = x, weight
        z = x @ weight.T
        if bias is not None:
            z += bias
        return z

    def backward(self, g):
        x, w = self.x, self.weight
        gx = g @ w if self.needs[0] else None
        g2 = g.reshape(-1, g.shape[-1])
        gw = g2.T @ x.reshape(-1, x.shape[-1]) if self.needs[1] else None
        if len(self.needs) == 3:
            gb = g2.sum(axis=0) if self.needs[2] else None
            return gx, gw, gb
        return gx, gw
