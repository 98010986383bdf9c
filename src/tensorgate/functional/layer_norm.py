"""Layer norm: the gate, with its closed-form backward, and the functional ``layer_norm``
(the module is in nn/layer_norm.py)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..autograd.gate import Gate
from ..autograd.tensor import Tensor
from .. import backend as B
from ..backend import devices as D

if TYPE_CHECKING:
    from typing import Sequence

    from numpy.typing import NDArray

    from ..autograd.gate import Grads
    from ..autograd.tensor import TensorLike


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

    def forward(self, x: NDArray[Any], weight: NDArray[Any] | None = None, bias: NDArray[Any] | None = None, k: int = 1,
                eps: float = 1e-5) -> NDArray[Any]:
        xp = D.namespace(x)
        axes = tuple(range(x.ndim - k, x.ndim))
        self.axes, self.batch_axes = axes, tuple(range(x.ndim - k))
        mu = xp.mean(x, axis=axes, keepdims=True)
        xc = x - mu
        var = xp.mean(xc * xc, axis=axes, keepdims=True)
        self.inv_std = 1.0 / xp.sqrt(var + B.weak(eps))
        self.xhat = xc * self.inv_std
        self.gamma = weight
        out = self.xhat if weight is None else self.xhat * weight
        return out if bias is None else out + bias

    def backward(self, g: NDArray[Any]) -> Grads:
        axes, xhat, needs = self.axes, self.xhat, self.needs      # inputs: (x), (x, γ) or (x, γ, β)
        xp = D.namespace(g)
        dx = dw = db = None
        if needs[0]:
            gh = g if self.gamma is None else g * self.gamma
            dx = self.inv_std * (gh - xp.mean(gh, axis=axes, keepdims=True)
                                 - xhat * xp.mean(gh * xhat, axis=axes, keepdims=True))
        if len(needs) > 1 and needs[1]:
            dw = xp.sum(g * xhat, axis=self.batch_axes)
        if len(needs) > 2 and needs[2]:
            db = xp.sum(g, axis=self.batch_axes)
        return (dx, dw, db)[:len(needs)]


def _normalized_shape(fn, normalized_shape):
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if not shape or any(isinstance(n, bool) or not isinstance(n, int) or n <= 0 for n in shape):
        raise ValueError(f"{fn}: normalized_shape must be a positive int or a tuple of them, got {normalized_shape!r}")
    return shape


def layer_norm(input: TensorLike, normalized_shape: int | Sequence[int], weight: TensorLike | None = None,
               bias: TensorLike | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise each example over its last axes ``normalized_shape``, then scale by γ and shift by β.

    Shape: input: (..., *normalized_shape); weight, bias: normalized_shape or None; result: as input.

    Examples
    --------
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
        if p is not None and tuple(p.shape) != shape:  # type: ignore[union-attr]
            raise ValueError(f"{fn}: {name} has shape {tuple(p.shape)}, expected normalized_shape {shape}")  # type: ignore[union-attr]
    params = [p for p in (weight, bias) if p is not None]
    if bias is not None and weight is None:
        # the gate reads its second input as γ: give an all-ones γ so that β stays β
        xp = D.namespace(x.data)
        params = [Tensor._make(xp.ones(shape, dtype=x.data.dtype, device=x.data.device), False, None), bias]
    return LayerNormGate.apply(x, *params, k=len(shape), eps=float(eps))


def group_norm(input: TensorLike, num_groups: int, weight: TensorLike | None = None, bias: TensorLike | None = None,
               eps: float = 1e-5) -> Tensor:
    """Group normalisation (Wu & He 2018), as ``F.group_norm``: the C channels of each example cut into
    ``num_groups`` groups, each group normalised over its channels and positions (a layer norm of the group),
    then scaled by γ and shifted by β per channel. One group is a layer norm over (C, H, W); C groups, an
    instance norm. It does not depend on the batch, so it behaves the same in training and evaluation.

    Shape: input (N, C, *) with C divisible by num_groups; weight, bias (C,) or None; result: as input.
    """
    fn = "group_norm"
    x = input if isinstance(input, Tensor) else Tensor(input)
    if x.ndim < 2:
        raise ValueError(f"{fn}: input must have a batch and a channel axis (N, C, *), got shape {tuple(x.shape)}")
    n, c = x.shape[:2]
    if isinstance(num_groups, bool) or not isinstance(num_groups, int) or num_groups < 1 or c % num_groups:
        raise ValueError(f"{fn}: num_groups ({num_groups!r}) must be a positive int dividing the {c} channels "
                         f"of the input (shape {tuple(x.shape)})")
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and tuple(p.shape) != (c,):  # type: ignore[union-attr]
            raise ValueError(f"{fn}: {name} has shape {tuple(p.shape)}, expected ({c},)")  # type: ignore[union-attr]
    from . import add, mul, reshape   # the package's gates (this module is one of its parts)

    grouped = reshape(x, (n, num_groups, -1))
    y = reshape(layer_norm(grouped, (grouped.shape[-1],), eps=eps), x.shape)
    per_channel = (1, c) + (1,) * (x.ndim - 2)
    if weight is not None:
        y = mul(y, reshape(weight, per_channel))
    if bias is not None:
        y = add(y, reshape(bias, per_channel))
    return y


def instance_norm(input: TensorLike, running_mean: Any = None, running_var: Any = None,
                  weight: TensorLike | None = None, bias: TensorLike | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Instance normalisation (Ulyanov et al. 2016), as ``F.instance_norm`` without running statistics: each
    channel of each example normalised over its own positions, then γ and β per channel — a group norm with
    one group per channel. Running statistics are not supported.

    Shape: input (N, C, *); weight, bias (C,) or None; result: as input.
    """
    if running_mean is not None or running_var is not None or not use_input_stats:
        raise NotImplementedError("instance_norm: running statistics (track_running_stats) are not supported by "
                                  "tensorgate; each example is normalised with its own statistics")
    x = input if isinstance(input, Tensor) else Tensor(input)
    if x.ndim < 3:
        raise ValueError(f"instance_norm: input must be (N, C, *) with at least one position axis, got shape "
                         f"{tuple(x.shape)}")
    return group_norm(x, x.shape[1], weight, bias, eps)
