"""The dense (fully connected) layer."""
from __future__ import annotations

from typing import TYPE_CHECKING
import math

from ..autograd.tensor import as_dtype
from ..backend import DEFAULT_FLOAT
from .. import functional as F
from . import init as _init
from .module import Module
from .parameter import Parameter
from ..autograd.factory import zeros

if TYPE_CHECKING:
    from typing import Callable

    from numpy.typing import DTypeLike

    from ..autograd.tensor import Tensor


class Linear(Module):
    """A dense layer: z = x Wᵀ + b, one fused gate (one matrix product forward, two backward).

    With examples as rows (x: (m, n_x)) this is the lecture's Z = W A + b with examples as columns
    (A: (n_x, m), Z: (n_z, m)), transposed. W has PyTorch's shape (out, in) = (n_z, n_x), so it is the
    lecture's W unchanged. The layer has n_z·n_x + n_z parameters.

    Parameters
    ----------
    in_features, out_features : int
        n_x and n_z.
    bias : bool
        Whether to add b.
    init : str or callable
        How W (and b) start. ``'default'`` is PyTorch's: W, b ~ U(−1/√n_x, 1/√n_x) (kaiming_uniform with
        a = √5), chosen so that a model built here and in PyTorch starts alike and the results compare;
        it keeps Var(z) ≈ Var(x)/3 for any activation. For deep ReLU networks ``'he_normal'``
        (Var(w) = 2/n_x) keeps the signal alive; for tanh/sigmoid ``'xavier_uniform'``
        (Var(w) = 2/(n_x + n_z)). With a named scheme b starts at 0. A callable is called on W
        (then b = 0), but a model with one cannot be described by ``get_config()``.
    dtype : str, optional
        'float32' (default) or 'float64'.

    Shape
    -----
    x: (..., n_x); z: (..., n_z); weight: (n_z, n_x); bias: (n_z,).

    Examples
    --------
    >>> import tensorgate as tg
    >>> layer = tg.nn.Linear(784, 256)
    >>> layer.weight.shape, layer.bias.shape, layer.num_parameters()
    ((256, 784), (256,), 200960)
    >>> layer(tg.zeros(32, 784)).shape
    (32, 256)
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 init: str | Callable[[Tensor], object] = "default", dtype: DTypeLike | None = None):
        super().__init__()
        for name, n in (("in_features", in_features), ("out_features", out_features)):
            if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
                raise ValueError(f"Linear: {name} must be a positive integer, got {n!r}")
        self.in_features, self.out_features = in_features, out_features
        dtype = as_dtype(dtype) if dtype is not None else DEFAULT_FLOAT
        self.weight = Parameter(zeros(out_features, in_features, dtype=dtype))
        self.bias = Parameter(zeros(out_features, dtype=dtype)) if bias else None
        self.init = init
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw W and b afresh with the layer's ``init`` scheme."""
        init = self.init
        if init == "default":
            bound = 1.0 / math.sqrt(self.in_features)
            _init.kaiming_uniform_(self.weight, a=math.sqrt(5.0))   # = U(−1/√n_x, 1/√n_x)
            if self.bias is not None:
                _init.uniform_(self.bias, -bound, bound)
            return
        if callable(init):
            init(self.weight)
        elif init in _init.SCHEMES:
            _init.SCHEMES[init](self.weight)  # type: ignore[operator]
        else:
            raise ValueError(f"Linear: unknown init {init!r}; use 'default' or one of {sorted(_init.SCHEMES)}, "
                             "or a function of the weight")
        if self.bias is not None:
            _init.zeros_(self.bias)

    def forward(self, x: Tensor) -> Tensor:
        try:
            return F.linear(x, self.weight, self.bias)
        except ValueError as error:   # the gate's message, prefixed with this layer (free when no error)
            raise ValueError(f"{self!r}: {error}") from None

    def extra_repr(self) -> str:
        return f"{self.in_features} → {self.out_features}" + ("" if self.bias is not None else ", bias=False")

    def _out_features(self, in_features):
        return self.out_features

    def _param_formula(self):
        n_z, n_x = self.out_features, self.in_features
        return f"{n_z}·{n_x} + {n_z}" if self.bias is not None else f"{n_z}·{n_x}"
