"""All parameters as one flat vector and back (PyTorch's ``parameters_to_vector`` / ``vector_to_parameters``)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...autograd.tensor import Tensor
from ...backend import devices as D
from ...functional import cat, reshape

if TYPE_CHECKING:
    from typing import Iterable


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """The parameters flattened and joined in order into one vector, in the graph (a gradient flows back).

    Shape: parameters of shapes S₁, ..., S_k → (Σ |S_i|,).

    Examples
    --------
    >>> import tensorgate as tg
    >>> tg.nn.utils.parameters_to_vector(tg.nn.Linear(3, 2).parameters()).shape
    (8,)
    """
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    if not params:
        raise ValueError("parameters_to_vector: no parameters given")
    dtypes = {p.dtype for p in params}
    if len(dtypes) > 1:
        raise TypeError(f"parameters_to_vector: the parameters have different dtypes {sorted(map(str, dtypes))}")
    return cat([reshape(p, (-1,)) for p in params])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of ``vec`` into the parameters' values, in order (no gradient is recorded).

    Shape: vec: (Σ |S_i|,); parameters of shapes S₁, ..., S_k (changed in place).
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected a Tensor, got {type(vec).__name__}")
    if vec.ndim != 1:
        raise ValueError(f"vector_to_parameters: vec must be 1-D, got shape {tuple(vec.shape)}")
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    total = sum(int(np.prod(p.shape)) for p in params)
    if total != vec.shape[0]:
        raise ValueError(f"vector_to_parameters: vec has {vec.shape[0]} elements but the parameters have {total}")
    start = 0
    for p in params:
        n = int(np.prod(p.shape))
        piece = vec.data[start:start + n]
        p.data[...] = D.namespace(piece).reshape(piece, tuple(p.shape))
        start += n
