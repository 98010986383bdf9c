"""Where a model's parameters live, and batches moved there: the training loop keeps its data in CPU memory
(NumPy arrays, shuffled and cut into batches there) and moves each batch to the model's device, as a PyTorch
loop does with ``xb.to(device)``. Metrics and checks read host copies (``host``).

Shape: not applicable.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.tensor import Tensor
from ..backend import devices as D

CPU: tuple[str, int | None] = ("cpu", None)


def model_device(model: Any) -> tuple[str, int | None]:
    """(type, index) of the device ``model``'s parameters live on: ('cpu', None) for NumPy arrays."""
    for p in getattr(model, "parameters", lambda: ())():
        return CPU if p.data.__class__ is np.ndarray else D.device_of(p.data)
    return CPU


def batch_tensor(array: Any, where: tuple[str, int | None]) -> Tensor:
    """A batch array as a Tensor (no gradient) on device ``where``, keeping its dtype.

    Shape: array any; the tensor the same.
    """
    if where is not CPU and where != CPU:
        array = D.to_device(array, *where)
    return Tensor._make(array, False, None)


def host(array: Any) -> Any:
    """A NumPy array with the values of an array on any device (itself on the CPU); Tensors' data likewise.

    Shape: unchanged.
    """
    if isinstance(array, Tensor):
        array = array.data
    return array if array.__class__ is np.ndarray else D.to_numpy(array)
