"""Where arrays live, and the array module (namespace) that computes on them.

A gate never imports NumPy to compute: it asks its input arrays for their namespace (``xp = namespace(x)``)
and writes its math with the functions of the Python array API standard (``xp.exp``, ``xp.sum``,
``xp.matmul``, ``xp.reshape``, ...), as scikit-learn and SciPy do. The same gate then runs on

- ``'cpu'``: NumPy arrays; the namespace is NumPy itself (NumPy 2 speaks the standard), so the CPU path costs
  one ``type()`` check per call and nothing else;
- ``'cuda'``: CuPy arrays on an NVIDIA GPU (the optional ``tensorgate[cuda12]`` / ``[cuda13]`` extra),
  through ``array_api_compat``'s CuPy namespace;
- ``'array_api_strict'``: the reference implementation of the standard, on the CPU. Nobody trains on it; the
  tests do, so that a NumPy-only call hiding in a gate fails on a machine without a GPU.

The few operations outside the standard (scatter-add, erf, im2col) live in ``backend/ops.py``, one
function each, per device.

Shape: not applicable.
"""
from __future__ import annotations

import functools
from typing import Any

import numpy as np

#: the device types tensorgate knows, in the order a user meets them
TYPES = ("cpu", "cuda", "array_api_strict")


class DeviceError(RuntimeError):
    """A device that does not exist here, or arrays on two devices in one operation."""


def namespace(*arrays: Any) -> Any:
    """The array module of ``arrays`` (NumPy for NumPy arrays); Python numbers and None are skipped.

    Raises :class:`DeviceError` naming both devices when the arrays live on different ones.

    Shape: arrays: any.
    """
    found = first = None
    for a in arrays:
        if a is None or a.__class__ in _SCALARS:
            continue
        xp = _BY_CLASS.get(a.__class__) or _learn(a.__class__, a)
        if found is None:
            found, first = xp, a
        elif xp is not found or (xp is not np and device_of(a) != device_of(first)):
            raise DeviceError(f"expected all arrays on one device, found {describe(device_of(first))} and "
                              f"{describe(device_of(a))}; move them with .to(device)")
    return np if found is None else found


_SCALARS = (int, float, bool, complex)

#: array class -> its namespace, learnt on first sight (a dict lookup is all a gate pays after that)
_BY_CLASS: dict[type, Any] = {np.ndarray: np}


def _learn(cls: type, array: Any) -> Any:
    if isinstance(array, (np.ndarray, np.generic)):
        xp: Any = np
    else:
        kind = _device_type(array)
        xp = _strict() if kind == "array_api_strict" else cupy_namespace()
    _BY_CLASS[cls] = xp
    return xp


def _device_type(array: Any) -> str:
    if array.__class__ is np.ndarray or isinstance(array, np.generic):
        return "cpu"
    module = type(array).__module__.partition(".")[0]
    if module == "array_api_strict":
        return "array_api_strict"
    if module == "cupy":
        return "cuda"
    if isinstance(array, np.ndarray):      # a subclass (np.memmap)
        return "cpu"
    raise TypeError(f"not an array tensorgate can compute on: {type(array).__name__}")


def is_array(value: Any) -> bool:
    """Whether ``value`` is an array tensorgate computes on, on any device (NumPy's, its scalars, CuPy's,
    array_api_strict's); False for lists, numbers and everything else.

    Shape: value: any.
    """
    if value.__class__ is np.ndarray:
        return True
    try:
        _device_type(value)
    except TypeError:
        return False
    return True


def device_of(array: Any) -> tuple[str, int | None]:
    """The device an array lives on, as (type, index): ('cpu', None), ('cuda', 0), ('array_api_strict', None).

    Shape: array: any.
    """
    kind = _device_type(array)
    if kind == "cuda":
        return "cuda", int(array.device.id)
    return kind, None


def describe(device: tuple[str, int | None]) -> str:
    """'cpu', 'cuda:0', ... as PyTorch prints a device."""
    kind, index = device
    return kind if index is None else f"{kind}:{index}"


def namespace_for(kind: str) -> Any:
    """The array module that creates arrays on a device type ('cpu', 'cuda', 'array_api_strict')."""
    if kind == "cpu":
        return np
    if kind == "array_api_strict":
        return _strict()
    if kind == "cuda":
        require_cuda("cuda")
        return cupy_namespace()
    raise DeviceError(f"unknown device type {kind!r}; tensorgate has {', '.join(TYPES)}")


def to_device(array: Any, kind: str, index: int | None = None) -> Any:
    """``array`` moved to a device (the same array where it is already there).

    CPU ↔ GPU is a copy through CuPy; CPU ↔ array_api_strict wraps or unwraps the NumPy array.

    Shape: array: any; result: the same.
    """
    here = device_of(array)
    if here[0] == kind and (index is None or here[1] in (None, index)):
        return array
    host = _to_host(array)
    if kind == "cpu":
        return host
    if kind == "array_api_strict":
        return _strict().asarray(host)
    if kind == "cuda":
        require_cuda(describe((kind, index)))
        import cupy
        with cupy.cuda.Device(index or 0):
            return cupy.asarray(host)
    raise DeviceError(f"unknown device type {kind!r}; tensorgate has {', '.join(TYPES)}")


def _to_host(array: Any) -> np.ndarray:
    kind = _device_type(array)
    if kind == "cuda":
        return array.get()
    return np.asarray(array)


def to_numpy(array: Any) -> np.ndarray:
    """A NumPy array with ``array``'s values: itself on the CPU, a copy from elsewhere.

    Shape: array: any; result: the same.
    """
    return array if array.__class__ is np.ndarray else _to_host(array)


@functools.lru_cache(maxsize=None)
def _strict() -> Any:
    try:
        import array_api_strict
    except ImportError:
        raise DeviceError("device 'array_api_strict' needs the array-api-strict package (pip install "
                          "array-api-strict); it is the test suite's stand-in device") from None
    return array_api_strict


# ---- CUDA (CuPy) ---------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _cupy() -> Any:
    try:
        import cupy
    except ImportError:
        return None
    return cupy


@functools.lru_cache(maxsize=None)
def cupy_namespace() -> Any:
    """CuPy as an array-API namespace (``array_api_compat.cupy``)."""
    import array_api_compat.cupy
    return array_api_compat.cupy


def cuda_device_count() -> int:
    """How many GPUs CuPy sees (0 without CuPy, a driver or a GPU)."""
    cupy = _cupy()
    if cupy is None:
        return 0
    try:
        return int(cupy.cuda.runtime.getDeviceCount())
    except Exception:      # CuPy installed, but no driver or no GPU: CUDARuntimeError and kin
        return 0


def require_cuda(what: str) -> None:
    """Raise a clear :class:`DeviceError` unless a GPU is usable through CuPy."""
    if _cupy() is None:
        raise DeviceError(f"{what}: the 'cuda' device needs CuPy (pip install tensorgate[cuda12] or "
                          "tensorgate[cuda13], matching your CUDA driver); tg.cuda.is_available() is False")
    if cuda_device_count() == 0:
        raise DeviceError(f"{what}: CuPy is installed but sees no NVIDIA GPU; tg.cuda.is_available() is False")


def synchronize(index: int | None = None) -> None:
    """Wait until the GPU has finished all queued work (a no-op without one)."""
    if cuda_device_count() == 0:
        return
    cupy = _cupy()
    with cupy.cuda.Device(index or 0):
        cupy.cuda.runtime.deviceSynchronize()


# ---- dtypes on any device ------------------------------------------------------------------------------

def numpy_dtype(dtype: Any) -> np.dtype[Any]:
    """The NumPy dtype of an array's dtype on any device (CuPy's are NumPy's; array_api_strict's are wrappers).

    Shape: not applicable.
    """
    if isinstance(dtype, np.dtype):
        return dtype
    if isinstance(dtype, type) and issubclass(dtype, np.generic):
        return np.dtype(dtype)
    return _by_name(str(dtype))


@functools.lru_cache(maxsize=None)
def _by_name(name: str) -> np.dtype[Any]:
    return np.dtype(name.rpartition(".")[2])       # 'array_api_strict.float32' -> 'float32'



def kind(dtype: Any) -> str:
    """NumPy's one-letter kind of any device's dtype: 'f' floating, 'i'/'u' integer, 'b' bool."""
    try:
        return dtype.kind
    except AttributeError:
        return numpy_dtype(dtype).kind


def dtype_in(xp: Any, dtype: Any) -> Any:
    """``dtype`` (NumPy's, or a name) as namespace ``xp`` spells it.

    Shape: not applicable.
    """
    name = np.dtype(dtype).name if isinstance(dtype, (str, type)) else numpy_dtype(dtype).name
    return np.dtype(name) if xp is np else getattr(xp, name)
