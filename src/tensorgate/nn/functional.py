"""``import tensorgate.nn.functional as F``: every gate of :mod:`tensorgate.functional` plus the losses,
``batch_norm``, ``dropout`` and ``one_hot`` (PyTorch's layout)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as _np

from ..autograd.tensor import Tensor as _Tensor
from ..functional import *  # noqa: F401,F403
from ..functional.loss import (  # noqa: F401
    binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, hinge_loss, mse_loss, nll_loss,
    perceptron_loss,
)
from ..functional.loss_composed import huber_loss, kl_div, l1_loss, smooth_l1_loss  # noqa: F401
from ..functional.loss_margin import (  # noqa: F401
    cosine_embedding_loss, hinge_embedding_loss, margin_ranking_loss, multi_margin_loss, multilabel_soft_margin_loss,
    soft_margin_loss, triplet_margin_loss,
)
from ..functional import batch_norm, dropout  # noqa: F401
from . import unsupported as _unsupported
from ..functional.layer_norm import group_norm, instance_norm, layer_norm  # noqa: F401
from ..functional.embedding import embedding  # noqa: F401

if TYPE_CHECKING:
    from ..autograd.tensor import Tensor as _TensorType, TensorLike as _TensorLike


def one_hot(labels: _TensorLike, num_classes: int = -1) -> _TensorType:
    """One-hot rows for integer labels: row i has a 1 in column labels[i] (int64, as PyTorch).

    ``num_classes=-1`` takes max(labels) + 1. Labels outside [0, num_classes) are a ValueError.

    Shape: labels: (m,) (or any shape S); result: (m, K) (or S + (K,)).

    Examples
    --------
    >>> import tensorgate as tg
    >>> tg.nn.functional.one_hot([0, 2], 3).tolist()
    [[1, 0, 0], [0, 0, 1]]
    """
    y = _np.asarray(labels.data if isinstance(labels, _Tensor) else labels)
    if y.dtype.kind not in "iu":
        raise TypeError(f"one_hot: labels must be integers, got dtype {y.dtype}")
    K = int(y.max()) + 1 if num_classes == -1 and y.size else int(num_classes)
    bad = (y < 0) | (y >= K)
    if bad.any():
        i = int(_np.argmax(bad.reshape(-1)))
        raise ValueError(f"one_hot: label {int(y.reshape(-1)[i])} at index {i} is outside [0, {K})")
    return _Tensor(_np.eye(K, dtype=_np.int64)[y])


def __getattr__(name: str) -> object:   # PyTorch's torch.nn.functional names that tensorgate lacks say so
    raise _unsupported.no_attribute(__name__, name, "torch.nn.functional", _unsupported.NN_FUNCTIONAL)
