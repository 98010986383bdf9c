"""Devices as PyTorch users know them: ``tg.device('cuda')``, ``tg.cuda.is_available()``.

``'cpu'`` computes with NumPy; ``'cuda'`` with CuPy on an NVIDIA GPU (``pip install tensorgate[cuda12]``);
``'array_api_strict'`` is the test suite's stand-in device, the array API standard's reference
implementation on the CPU (see ``backend/devices.py``). As in PyTorch, naming a device never fails for a
type tensorgate knows; putting a tensor there fails, with a clear error, when the GPU is missing.
"""

from __future__ import annotations

from ..backend import devices as D

#: device types PyTorch has and tensorgate has not
_OTHER_TYPES = ("mps", "xpu", "hip", "meta", "xla", "ipu", "vulkan", "mtia")


class device:
    """A device as PyTorch's ``torch.device``: ``'cpu'``, ``'cuda'``, ``'cuda:1'``, ``device('cuda', 1)``,
    or the test device ``'array_api_strict'``.

    Shape: not applicable.

    >>> import tensorgate as tg
    >>> tg.device('cpu')
    device(type='cpu')
    >>> tg.device('cuda', 1)
    device(type='cuda', index=1)
    """

    __slots__ = ("type", "index")
    type: str
    index: int | None

    def __init__(self, type: str | device, index: int | None = None):
        if isinstance(type, device):
            type, index = type.type, type.index
        if not isinstance(type, str):
            raise TypeError(f"device: expected a string such as 'cpu' or 'cuda', got {type!r}")
        name, colon, number = type.partition(":")
        if name not in D.TYPES:
            hint = (f"{name!r} is a PyTorch device tensorgate has no backend for" if name in _OTHER_TYPES
                    else f"unknown device type {type!r}")
            raise RuntimeError(f"device: {hint}; tensorgate has {', '.join(map(repr, D.TYPES))}")
        if colon:
            if not number.isdigit():
                raise RuntimeError(f"device: invalid device string {type!r}; expected e.g. 'cuda:0'")
            if index is not None:
                raise RuntimeError(f"device: {type!r} already has an index; do not pass index={index} too")
            index = int(number)
        if index is not None and (not isinstance(index, int) or index < 0):
            raise RuntimeError(f"device: index must be a non-negative integer, got {index!r}")
        self.type = name
        self.index = index

    @property
    def key(self) -> tuple[str, int | None]:
        """(type, index) as the backend's functions take it."""
        return self.type, self.index

    def __eq__(self, other: object) -> bool:
        # as torch.device: equal to another device of the same type and index, never to a string
        # (torch.device('cpu') == 'cpu' is False; compare x.device.type == 'cpu', or with tg.device('cpu'))
        if not isinstance(other, device):
            return NotImplemented
        return other.type == self.type and other.index == self.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __repr__(self) -> str:
        return f"device(type='{self.type}')" if self.index is None else \
            f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return D.describe(self.key)


CPU = device("cpu")


def of_array(array: object) -> device:
    """The device an array lives on."""
    kind, index = D.device_of(array)
    return CPU if kind == "cpu" else device(kind, index)


def as_device(value: str | device | int | None) -> device | None:
    """A ``device=`` argument as a device (an integer is a GPU index, as in PyTorch); None stays None."""
    if value is None or isinstance(value, device):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return device("cuda", value)
    return device(value)   # type: ignore[arg-type]


class cuda:
    """``tg.cuda``: what PyTorch scripts ask about the GPU, answered through CuPy."""

    @staticmethod
    def is_available() -> bool:
        """True when CuPy is installed and sees at least one NVIDIA GPU."""
        return D.cuda_device_count() > 0

    @staticmethod
    def device_count() -> int:
        """The number of GPUs CuPy sees (0 without CuPy or a GPU)."""
        return D.cuda_device_count()

    @staticmethod
    def current_device() -> int:
        """The index of the GPU new CUDA tensors go to."""
        D.require_cuda("tg.cuda.current_device()")
        import cupy
        return int(cupy.cuda.Device().id)

    @staticmethod
    def get_device_name(index: int | None = None) -> str:
        """The GPU's name, as the driver reports it."""
        D.require_cuda("tg.cuda.get_device_name()")
        import cupy
        props = cupy.cuda.runtime.getDeviceProperties(index or 0)
        name = props["name"]
        return name.decode() if isinstance(name, bytes) else str(name)

    @staticmethod
    def manual_seed(seed: int) -> None:
        """Accepted and ignored: tensorgate's random numbers on every device come from its one generator,
        which ``tg.manual_seed`` seeds."""

    manual_seed_all = manual_seed

    @staticmethod
    def synchronize(device: str | device | int | None = None) -> None:
        """Wait until the GPU has finished its queued work (nothing to wait for without one)."""
        where = as_device(device)
        D.synchronize(where.index if where is not None else None)
