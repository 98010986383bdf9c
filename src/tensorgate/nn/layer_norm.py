"""Layer normalisation: one gate with its closed-form backward, the functional ``layer_norm``, ``LayerNorm``."""
from ..autograd.factory import ones, zeros
from ..autograd.gate import Gate
from ..autograd.tensor import Tensor, as_dtype
from .. import backend as B
from .module import Module
from .parameter import Parameter

xp = B.xp


class LayerNormGate(Gate):
    """Layer normalisation y = γ x̂ + β,  x̂ = (x − μ)/√(σ² + ε), with μ, σ² the mean and biased variance of
    each example over its last k axes (``normalized_shape``), N values each.

        ∂L/∂β = Σ_examples g,   ∂L/∂γ = Σ_examples g·x̂,
        ∂L/∂x = 1/√(σ² + ε) · (ĝ − mean(ĝ) − x̂ · mean(ĝ·x̂)),  ĝ = g·γ  (means over the N values),

    the closed form of backpropagating through μ and σ², which both depend on x (as in batch norm, with
    the roles of the axes swapped). Saves x̂, 1/√(σ² + ε) and γ.

    Shape: x: (..., *normalized_shape); γ, β: normalized_shape; y: as x.
    """

    name = "layer_norm"

    def forward(self, x, weight=None, bias=None, k=1, eps=1e-5):
        axes = tuple(range(x.ndim - k, x.ndim))
        self.axes, self.batch_axes = axes, tuple(range(x.ndim - k))
        mu = x.mean(axis=axes, keepdims=True)
        xc = x - mu
        var = (xc * xc).mean(axis=axes, keepdims=True)
        self.inv_std = 1.0 / xp.sqrt(var + B.weak(eps))
        self.xhat = xc * self.inv_std
        self.gamma = weight
        out = self.xhat if weight is None else self.xhat * weight
        return out if bias is None else out + bias

    def backward(self, g):
        axes, xhat, needs = self.axes, self.xhat, self.needs      # inputs: (x), (x, γ) or (x, γ, β)
        dx = dw = db = None
        if needs[0]:
            gh = g if self.gamma is None else g * self.gamma
            dx = self.inv_std * (gh - gh.mean(axis=axes, keepdims=True)
                                 - xhat * (gh * xhat).mean(axis=axes, keepdims=True))
        if len(needs) > 1 and needs[1]:
            dw = (g * xhat).sum(axis=self.batch_axes)
        if len(needs) > 2 and needs[2]:
            db = g.sum(axis=self.batch_axes)
        return (dx, dw, db)[:len(needs)]


def _normalized_shape(fn, normalized_shape):
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if not shape or any(isinstance(n, bool) or not isinstance(n, int) or n <= 0 for n in shape):
        raise ValueError(f"{fn}: normalized_shape must be a positive int or a tuple of them, got {normalized_shape!r}")
    return shape


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise each example over its last axes ``normalized_shape``, then scale by γ and shift by β.

    Shape: input: (..., *normalized_shape); weight, bias: normalized_shape or None; result: as input.

    Example
    -------
    >>> import tensorgate as tg
    >>> y = layer_norm(tg.tensor([[1.0, 2.0, 3.0]]), (3,))
    >>> [round(v, 4) for v in y.tolist()[0]]
    [-1.2247, 0.0, 1.2247]
    """
    fn = "layer_norm"
    shape = _normalized_shape(fn, normalized_shape)
    x = input if isinstance(input, Tensor) else Tensor(input)
    if tuple(x.shape[x.ndim - len(shape):]) != shape or x.ndim < len(shape):
        raise ValueError(f"{fn}: input of shape {tuple(x.shape)} does not end in normalized_shape {shape}")
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and tuple(p.shape) != shape:
            raise ValueError(f"{fn}: {name} has shape {tuple(p.shape)}, expected normalized_shape {shape}")
    params = [p for p in (weight, bias) if p is not None]
    if bias is not None and weight is None:
        # the gate reads its second input as γ: give an all-ones γ so that β stays β
        params = [Tensor(xp.ones(shape, dtype=x.dtype), dtype=x.dtype), bias]
    return LayerNormGate.apply(x, *params, k=len(shape), eps=float(eps))


class LayerNorm(Module):
    """Layer normalisation (Ba et al. 2016): y = γ (x − μ)/√(σ² + ε) + β, μ and σ² (biased) taken over each
    example's last axes ``normalized_shape``; the same in training and evaluation (no running statistics).

    Parameters
    ----------
    normalized_shape : int or tuple of int
        The trailing shape to normalise over, e.g. the feature count.
    eps : float, default 1e-5
    elementwise_affine : bool, default True
        Learn γ (ones) and β (zeros) of shape ``normalized_shape``.
    bias : bool, default True
        Learn β (with ``elementwise_affine``).
    dtype : str, optional

    Shape: x: (..., *normalized_shape); output: same; weight γ, bias β: normalized_shape.

    Example
    -------
    >>> import tensorgate as tg
    >>> ln = tg.nn.LayerNorm(4)
    >>> ln(tg.randn(2, 4)).shape, ln.weight.shape
    ((2, 4), (4,))
    """

    _keeps_features = True

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, dtype=None):
        super().__init__()
        self.normalized_shape = _normalized_shape("LayerNorm", normalized_shape)
        self.eps, self.elementwise_affine = float(eps), bool(elementwise_affine)
        dtype = as_dtype(dtype) if dtype is not None else B.DEFAULT_FLOAT
        self.weight = Parameter(ones(*self.normalized_shape, dtype=dtype)) if elementwise_affine else None
        self.bias = Parameter(zeros(*self.normalized_shape, dtype=dtype)) if elementwise_affine and bias else None

    def reset_parameters(self):
        """γ ← 1, β ← 0."""
        if self.weight is not None:
            self.weight.data[...] = 1.0
        if self.bias is not None:
            self.bias.data[...] = 0.0

    def forward(self, x):
        return layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        shape = self.normalized_shape
        return (f"{shape}, eps={self.eps}" + ("" if self.elementwise_affine else ", elementwise_affine=False")
                + ("" if self.bias is not None or not self.elementwise_affine else ", bias=False"))

    def _param_formula(self):
        n = 1
        for d in self.normalized_shape:
            n *= d
        count = (self.weight is not None) + (self.bias is not None)
        return f"{count}·{n}" if count else ""
