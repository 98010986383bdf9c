"""A model called by hand without a graph shares a large batch among BLAS's threads, as ``tg.predict`` does.

PyTorch's CPU convolutions split a batch among their threads. OpenBLAS instead splits each matrix product,
and for a convolution's skinny products that gains little, while the im2col copies between them run on
one thread. Inside ``backend.threads.batch_threads()`` BLAS is held at one thread, and the convolution
kernels give each thread its own images: copies and products (backend/threads.py).

``tg.predict``, ``tg.evaluate`` and ``fit``'s compiled step hold BLAS that way for a whole pass. A model
called by hand, ``with tg.no_grad(): model(x)``, now does too: its outermost call holds BLAS for the whole
forward, never a single layer. Held layer by layer, OpenBLAS's idle thread, woken by a product between two
convolutions, spins for about 0.1 s and takes the core from the convolution's second thread: measured
no faster than BLAS's own threads (SmallVGG at batch 256, 2 threads: 4.0k against 3.7k images/s; held for
the whole call 6.8k).

The hold applies only where it gains:
- without a graph (``tg.no_grad()``): a training step's backward runs outside the module call, and
  holding only its forward would wake and spin BLAS's threads between the two;
- on the CPU, with BLAS allowed more than one thread;
- for an input of at least :data:`SHARED_FROM` numbers: a single image's convolutions are too small to share;
- in a model with a groups-1 convolution, the layer whose kernels share (depthwise ones do not use BLAS).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import grad_mode
from ..autograd.tensor import Tensor
from ..backend import threads

#: numbers in the first input from which a call without a graph holds BLAS: about 42 images of 28×28.
#: Measured at 2 threads, held / not held (images per second, separate processes): at batch 64 LeNet-5
#: 1.06–1.5, SmallVGG 1.11–1.17, ResNetSmall 1.13–1.9; at batch 32 LeNet-5 0.89, SmallVGG 0.90–1.13,
#: ResNetSmall 1.11; at batch 16 LeNet-5 0.81–0.84, the others 0.94–1.02
SHARED_FROM = 1 << 15


def holds_batch_threads(module: Any, first: Any) -> bool:
    """Whether ``module(first, ...)`` should run inside ``batch_threads()`` (module docstring). Cheap where
    the answer is no for a small input or a call with a graph, which is every call of a training step and
    of single-example inference; the walk over the modules happens only for a large batch.

    Shape: first: the call's first argument, any shape.
    """
    if first.__class__ is not Tensor or grad_mode.state.grad_enabled:
        return False
    data = first.data
    if data.__class__ is not np.ndarray or data.size < SHARED_FROM or threads.holding():
        return False
    return threads.blas_threads() > 1 and any(m._shares_batch for m in module.modules())
