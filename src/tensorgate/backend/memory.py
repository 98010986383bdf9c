"""Keep freed array memory in the process instead of handing it back to the system on every step.

A training step allocates the same large temporaries (activations, gradients) every time and frees them
at the end. glibc's malloc serves blocks above its mmap threshold with fresh ``mmap`` pages and returns
them with ``munmap`` when freed, so the next step pays a page fault (and the kernel's zeroing) for every
4 KiB it touches again: measured at 15–40% of an MLP step at batch 128–1024. Raising the mmap threshold
and the trim threshold makes malloc reuse those blocks, as PyTorch's caching allocator does for its
tensors.

This changes a process-wide setting, so a library must not do it behind its user's back: importing
tensorgate leaves malloc alone. It is done where tensorgate runs the loop or owns the process:
:func:`tensorgate.fit` (and ``Trainer.fit``), the ``tensorgate`` command and the benchmarks; anyone else
calls ``tg.backend.tune_malloc()`` once. Only on glibc, and never with the environment variable
``TENSORGATE_MALLOC_TUNING=0``. The cost: up to ``TRIM_THRESHOLD`` bytes of freed memory stay with the
process instead of going back to the system.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

#: Blocks up to this size come from the reusable heap rather than fresh mmap pages.
MMAP_THRESHOLD = 64 * 2**20
#: Freed memory at the top of the heap is kept until it exceeds this.
TRIM_THRESHOLD = 256 * 2**20

_M_TRIM_THRESHOLD = -1  # from glibc's malloc.h
_M_MMAP_THRESHOLD = -3

tuned = False  #: whether :func:`tune_malloc` changed the allocator in this process


def tune_malloc() -> bool:
    """Set glibc malloc's mmap and trim thresholds for this process (see the module docstring); True if it
    was done. Calling it again does nothing more.

    Does nothing (returns False) off Linux/glibc or when ``TENSORGATE_MALLOC_TUNING=0``.

    Examples
    --------
    >>> import tensorgate as tg
    >>> tg.backend.tune_malloc() in (True, False)
    True
    """
    global tuned
    if tuned:
        return True
    if os.environ.get("TENSORGATE_MALLOC_TUNING", "1") == "0" or not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl and other C libraries have no mallopt
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    tuned = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    return tuned
