"""An allocation budget: how many array elements the tensor constructors may create inside a block.

Loading a model file rebuilds the architecture its config names before the weights are copied in. A file
of a few hundred bytes can name ``Linear(20000, 20000)``; building it would allocate and initialise 400
million weights before anyone noticed that the file holds none. :func:`tensorgate.io.load` therefore
builds under ``allocation_budget(n)``, with ``n`` the number of elements the file's own tensor table
holds (bounded by the file's size) plus a small allowance: the first constructor call that would go
beyond it raises :class:`AllocationBudgetExceeded` *before* its array exists.

The tensor constructors (``tensorgate.zeros``, ``ones``, ``full``, ``randn``, ``rand``, ``eye``) call
:func:`charge` with the shape they are about to make; outside a budget block it does nothing.
"""
from __future__ import annotations

from typing import TYPE_CHECKING
import contextlib
import contextvars
import math

if TYPE_CHECKING:
    from typing import Iterator

__all__ = ["allocation_budget", "charge", "AllocationBudgetExceeded"]

_remaining: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("tensorgate_allocation_budget",
                                                                             default=None)


class AllocationBudgetExceeded(MemoryError):
    """A constructor inside :func:`allocation_budget` asked for more elements than were left."""


@contextlib.contextmanager
def allocation_budget(elements: int) -> Iterator[None]:
    """Within the block, the tensor constructors may create at most ``elements`` elements in all.

    Shape: not applicable.
    """
    token = _remaining.set([int(elements)])  # a one-item list: charge() updates it in place
    try:
        yield
    finally:
        _remaining.reset(token)


def charge(shape: tuple[int, ...]) -> None:
    """Count an array of ``shape`` against the current budget, or raise before it is allocated.

    Shape: ``shape`` a tuple of non-negative ints.
    """
    remaining = _remaining.get()
    if remaining is None:
        return
    size = math.prod(shape)
    if size > remaining[0]:
        raise AllocationBudgetExceeded(f"an array of shape {tuple(shape)} ({size:,} elements) exceeds the "
                                       f"{remaining[0]:,} elements left in the allocation budget")
    remaining[0] -= size
