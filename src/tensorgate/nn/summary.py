"""``tg.nn.summary(model, input_shape)`` (or ``model.summary(input_shape)``): a Keras-style table of layers, output shapes and parameter counts."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd import grad_mode
from ..autograd.tensor import Tensor
from ..backend import devices as D

if TYPE_CHECKING:
    from typing import Callable, Sequence

    from numpy.typing import DTypeLike

    from .module import Module


def summary(model: Module, input_shape: Sequence[int], batch_size: int = 2, dtype: DTypeLike | None = None,
            print_fn: Callable[[str], object] | None = print) -> list[dict[str, Any]]:
    """Run a dummy batch through ``model`` and print each layer's output shape and parameter count.

    The forward pass runs in eval mode under ``no_grad`` (running statistics and the random generator are
    left untouched; the training mode is restored afterwards). Forward hooks record every module that has
    parameters of its own or no sub-modules (the layers), in the order they run.

    Parameters
    ----------
    model : Module
    input_shape : tuple of int
        The shape of one example, without the batch axis, e.g. (784,) or (1, 28, 28).
    batch_size : int
        Examples in the dummy batch (shown as −1 in the table).
    dtype : str, optional
        Dtype of the dummy batch; by default that of the model's parameters.
    print_fn : callable or None
        Where the table goes (``print``); None prints nothing.

    Returns
    -------
    list of dict
        One row per layer call: ``name``, ``type``, ``output_shape`` (batch axis −1), ``params``,
        plus a final ``total``/``trainable`` count in ``rows[-1]`` under the key ``name='Total'``.

    Shape
    -----
    input: (batch_size, *input_shape).

    Examples
    --------
    >>> import tensorgate as tg
    >>> model = tg.nn.Sequential(tg.nn.Linear(784, 256), tg.nn.ReLU(), tg.nn.Linear(256, 10))
    >>> rows = tg.nn.summary(model, (784,), print_fn=None)
    >>> [(r["name"], r["output_shape"], r["params"]) for r in rows[:-1]]
    [('0', (-1, 256), 200960), ('1', (-1, 256), 0), ('2', (-1, 10), 2570)]
    """
    if isinstance(input_shape, int):
        input_shape = (input_shape,)
    dtype = dtype or model._dtype()
    x = Tensor(D.to_device(np.zeros((batch_size,) + tuple(input_shape), dtype=dtype), *model._device_key()),
               dtype=dtype)
    rows, handles = [], []
    modes = {id(m): m.training for m in model.modules()}

    def record(name):
        def hook(module, inputs, output):
            own = [p for p in module._parameters.values() if p is not None]
            shape = tuple(output.shape) if isinstance(output, Tensor) else None
            rows.append({"name": name or type(module).__name__, "type": type(module).__name__,
                         "output_shape": (-1,) + shape[1:] if shape else None,
                         "params": sum(p.data.size for p in own),
                         "trainable": sum(p.data.size for p in own if p.requires_grad)})
        return hook

    for name, module in model.named_modules():
        if module._parameters and any(p is not None for p in module._parameters.values()) or not module._modules:
            handles.append(module.register_forward_hook(record(name)))
    try:
        model.eval()
        with grad_mode.no_grad():
            model(x)
    finally:
        for h in handles:
            h.remove()
        for m in model.modules():
            m.training = modes[id(m)]   # as an attribute set, which recorded training steps notice
    total, trainable = model.num_parameters(), model.num_parameters(trainable_only=True)
    if print_fn is not None:
        print_fn(_table(rows, total, trainable))
    rows.append({"name": "Total", "type": "", "output_shape": None, "params": total, "trainable": trainable})
    return rows


def _table(rows, total, trainable):
    cells = [(f"{r['name']} ({r['type']})", str(r["output_shape"]), f"{r['params']:,}") for r in rows]
    head = ("Layer (type)", "Output shape", "Params")
    widths = [max(len(c[i]) for c in cells + [head]) + 2 for i in range(3)]
    rule = "=" * sum(widths)

    def line(c):
        return c[0].ljust(widths[0]) + c[1].ljust(widths[1]) + c[2].rjust(widths[2])

    out = [line(head), rule] + [line(c) for c in cells] + [rule]
    out += [f"Total params: {total:,}", f"Trainable params: {trainable:,}",
            f"Non-trainable params: {total - trainable:,}"]
    return "\n".join(out)
