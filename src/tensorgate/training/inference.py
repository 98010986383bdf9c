"""``evaluate`` and ``predict``: the model in evaluation mode, without a graph, batch by batch.

Both run the model's recorded forward (``CompiledForward`` in compiled.py), as Keras compiles its predict
function: the modules' Python runs once per batch shape and later batches replay the gates. On the CPU a
model with a convolution holds BLAS at one thread and gives each thread its own part of every batch.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence
import contextlib

import numpy as np

from ..autograd import Tensor, no_grad
from ..backend.threads import batch_threads
from ..nn.module import Module
from .compiled import recorded_forward
from .metrics import metric_logs, resolve_metrics
from .names import resolve_loss
from .placement import CPU, batch_tensor, host, model_device
from .sources import _column, _loss_follows, _model_dtype, _set_mode, _source

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from ..autograd.tensor import TensorLike
    from .sources import Data, LossFn

__all__ = ["evaluate", "predict"]


def _inference_threads(modules, where):
    """The context evaluate and predict run their batches in: for a model on the CPU with a groups-1
    convolution, ``batch_threads()`` — BLAS held at one thread, each convolution's batch shared among the
    threads BLAS had (backend/threads.py); otherwise nothing. Measured at batch 256 on 2 threads against
    BLAS's own threads: LeNet-5 1.29×, SmallVGG 1.25×, ResNetSmall 1.41× (median of 12 pairs, in-process)."""
    if where is CPU and any(m._shares_batch for m in modules):
        return batch_threads()
    return contextlib.nullcontext()


def _inference_setup(model):
    """What evaluate and predict need to know of the model: (forward, modules, dtype, where).

    ``forward`` is the model's recorded forward (training/compiled.py: the modules' Python runs once per
    batch shape, later batches replay the gates, as Keras compiles its predict function), None for a
    model that is not a Module. The modules, the parameters' dtype and their device come from it, walked
    only where the model changed since the last call: single-example prediction pays a few identity
    checks, not a walk over the layers.
    """
    if not isinstance(model, Module):
        return None, list(model.modules()), _model_dtype(model), model_device(model)
    forward = recorded_forward(model)
    modules = forward.look()
    where = CPU if forward.device is None else forward.device
    return forward, modules, forward.dtype, where


@contextlib.contextmanager
def _evaluation_mode(model, modules):
    """Evaluation mode inside the block, the model's mode restored after; nothing to do (and no walk over
    the layers) when every module is in evaluation mode already."""
    if not any(m.training for m in modules):
        yield
        return
    was_training = getattr(model, "training", True)
    _set_mode(model, False)
    try:
        yield
    finally:
        _set_mode(model, was_training)


def _run_eval(model, loss_fn, source, metrics):
    for m in metrics:
        m.reset()
    total, seen = 0.0, 0
    forward, modules, _, where = _inference_setup(model)
    with _evaluation_mode(model, modules), no_grad(), _inference_threads(modules, where):
        for xb, yb in source.batches(None):
            if forward is not None:   # replayed from a recording of the model's gates
                out = Tensor._make(forward.shared(xb), False, None)
                target = Tensor(yb, dtype=yb.dtype) if where is CPU else batch_tensor(yb, where)
            elif where is CPU:
                out = model(Tensor(xb, dtype=xb.dtype))
                target = Tensor(yb, dtype=yb.dtype)
            else:   # the batch goes to the model's device; the metrics read the output's host copy
                out, target = model(batch_tensor(xb, where)), batch_tensor(yb, where)
            b = xb.shape[0]
            if loss_fn is not None:
                total += float(loss_fn(out, target).item()) * b
            seen += b
            out_data = out.data if where is CPU else host(out.data)
            for m in metrics:
                m.update(out_data, yb)
    logs = {}
    if loss_fn is not None:
        logs["loss"] = total / seen if seen else float("nan")
    logs.update(metric_logs(metrics))
    return logs


def evaluate(model: Module, loss_fn: str | LossFn, data: Data, metrics: Sequence[str | Any] = ("accuracy",),
             batch_size: int = 256) -> dict[str, float]:
    """Mean loss and metrics of ``model`` on ``data``, in eval mode and without recording the graph.

    The loss is averaged over examples (each batch's mean weighted by its size), so it assumes the
    loss function's ``reduction="mean"``. ``loss_fn=None`` computes the metrics alone.

    Parameters
    ----------
    model : Module
    loss_fn : callable, str or None
        A loss, or its name (as :func:`fit` takes it).
    data : (X, y) or iterable of (x, y) batches
    metrics : sequence of str or metric objects, default ("accuracy",)
    batch_size : int, default 256

    Returns
    -------
    dict
        ``{"loss": ..., "accuracy": ..., ...}``.

    Shape
    -----
    X: (m, ...) as the model expects; y: (m,) class indices or (m, K) targets.
    """
    loss_fn = resolve_loss(loss_fn, model)
    metrics = resolve_metrics(metrics, loss_fn)
    if loss_fn is not None:
        _loss_follows(loss_fn, model_device(model))
    return _run_eval(model, loss_fn, _source(data, batch_size, _model_dtype(model), "evaluate"), metrics)


def predict(model: Module, X: TensorLike, batch_size: int = 256) -> NDArray[Any]:
    """The model's outputs for ``X`` as one NumPy array (in CPU memory, whatever the model's device), computed
    in eval mode batch by batch, no graph.

    Shape: X: (m, ...); result: (m, ...) (the model's output shape per example).
    """
    forward, modules, dtype, where = _inference_setup(model)
    X = _column(X, dtype, "predict X")
    outputs = []
    with _evaluation_mode(model, modules), no_grad(), _inference_threads(modules, where):
        for start in range(0, X.shape[0], int(batch_size)):
            xb = X[start:start + batch_size]
            out = forward.shared(xb) if forward is not None else model(batch_tensor(xb, where)).data
            outputs.append(host(out))
        if not outputs:  # no rows: one row of zeros (in eval mode: no state changes) gives the shape
            probe = host(model(batch_tensor(np.zeros((1,) + X.shape[1:], dtype=X.dtype), where)).data)
            outputs.append(probe[:0])
    return np.concatenate(outputs)
