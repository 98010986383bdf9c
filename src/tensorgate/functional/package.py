"""The package's own functions (``tensorgate.functional``), for the modules inside it that build layers out of
them (torch_math.py, the composed losses, conv1d.py, ...). Those modules are imported while the package is
still being made, so the package is looked up at call time, not at import."""
from __future__ import annotations

from types import ModuleType


def gates() -> ModuleType:
    """``tensorgate.functional`` itself: its gates and functions (F.add, F.where, F.conv2d, ...)."""
    from .. import functional

    return functional
