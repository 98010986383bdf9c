"""Moving a tensor between devices: ``x.to('cuda')``, ``x.cuda()``, ``x.cpu()``.

A move is a gate, as in PyTorch: the gradient of ``y = x.to(d)`` is ∂L/∂y moved back to x's device, so a
loss computed on the GPU trains parameters created on the CPU.
"""
from __future__ import annotations

from typing import Any

from ..autograd.device import CPU, as_device, device as _device
from ..autograd.gate import Gate
from ..autograd.tensor import Tensor
from ..backend import devices as D


class ToDeviceGate(Gate):
    """y = x on another device. ∂L/∂x = ∂L/∂y moved back to x's device.

    Shape: x: any; y: the same.
    """

    name = "to_device"
    needs_float = False

    def forward(self, x: Any, *, kind: str, index: int | None) -> Any:
        self.source = D.device_of(x)
        return D.to_device(x, kind, index)

    def backward(self, grad: Any) -> Any:
        return D.to_device(grad, *self.source)


def to_device(input: Tensor, device: str | _device | int) -> Tensor:
    """input on ``device`` (itself where it is already there), keeping the graph.

    Shape: unchanged.
    """
    where = as_device(device)
    assert where is not None
    if where.type == "cuda":
        D.require_cuda(f"to({str(where)!r})")
    here = D.device_of(input.data)
    if here[0] == where.type and (where.index is None or here[1] in (None, where.index)):
        return input
    return ToDeviceGate.apply(input, kind=where.type, index=where.index)


def cuda(input: Tensor, device: str | _device | int | None = None, non_blocking: bool = False) -> Tensor:
    """input on the GPU (``device``: its index, default the current one), as PyTorch's ``Tensor.cuda()``.

    Shape: unchanged.
    """
    where = as_device(device)
    return to_device(input, _device("cuda", where.index if where is not None else None))


def cpu(input: Tensor) -> Tensor:
    """input in CPU memory as a NumPy-backed tensor (itself where it is already there).

    Shape: unchanged.
    """
    return to_device(input, CPU)
