"""Devices, honestly: tensorgate computes on the CPU with NumPy, and says so.

``tg.device('cpu')`` and ``.to('cpu')`` work as in PyTorch; ``'cuda'`` (or ``'mps'``) raises a clear error,
because there is no GPU backend; ``tg.cuda.is_available()`` is False, so the usual
``device = 'cuda' if torch.cuda.is_available() else 'cpu'`` picks the CPU.
"""

from __future__ import annotations


def no_gpu(what: str) -> RuntimeError:
    """The error for asking for a GPU."""
    return RuntimeError(f"{what}: tensorgate has no GPU backend (it computes on the CPU with NumPy); use "
                        "device='cpu' (tg.cuda.is_available() is False)")


class device:
    """A device as PyTorch's ``torch.device``: only ``'cpu'`` (or ``'cpu:0'``) exists.

    Shape: not applicable.

    >>> import tensorgate as tg
    >>> tg.device('cpu')
    device(type='cpu')
    """

    __slots__ = ("type", "index")
    type: str
    index: int | None

    def __init__(self, type: str | device, index: int | None = None):
        if isinstance(type, device):
            type, index = type.type, type.index
        if not isinstance(type, str):
            raise TypeError(f"device: expected a string such as 'cpu', got {type!r}")
        name, _, number = type.partition(":")
        if name != "cpu":
            raise no_gpu(f"device({type!r})") if name in ("cuda", "mps", "xpu", "hip") else \
                RuntimeError(f"device: unknown device type {type!r}; tensorgate only has 'cpu'")
        self.type = "cpu"
        self.index = int(number) if number else index  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            try:
                other = device(other)
            except RuntimeError:
                return False
        return isinstance(other, device) and other.type == self.type and other.index == self.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __repr__(self) -> str:
        return "device(type='cpu')" if self.index is None else f"device(type='cpu', index={self.index})"

    def __str__(self) -> str:
        return "cpu" if self.index is None else f"cpu:{self.index}"


CPU = device("cpu")


class cuda:
    """``tg.cuda``: what PyTorch scripts ask about the GPU. There is none: ``is_available()`` is False."""

    @staticmethod
    def is_available() -> bool:
        """False: tensorgate has no GPU backend."""
        return False

    @staticmethod
    def device_count() -> int:
        """0: tensorgate has no GPU backend."""
        return 0

    @staticmethod
    def manual_seed(seed: int) -> None:
        """Accepted and ignored, as PyTorch does when no GPU is present."""

    manual_seed_all = manual_seed

    @staticmethod
    def synchronize(device: object | None = None) -> None:
        """Nothing to wait for on the CPU."""
