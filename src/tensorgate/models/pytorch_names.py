"""The zoo's parameter names as the usual PyTorch implementations spell them, both ways.

A tensorgate model and a PyTorch model written with the same attributes have the same state-dict names
(``features.0.weight``, ``bn1.running_mean``, ``bn1.num_batches_tracked``, Sequential indices '0', '1', ...)
and the same layouts (Linear (out, in), Conv2d (C_out, C_in/groups, kh, kw)), so weights move as they are.
Where the well-known PyTorch code names the same layers differently, the zoo model maps the names:

=============  =================================================  ============================================
model          tensorgate                                         PyTorch
=============  =================================================  ============================================
LeNet5         features.0, features.3, classifier.0/.2/.4         conv1, conv2, fc1, fc2, fc3 (PyTorch's
                                                                  "Training a classifier" tutorial)
ResNetSmall    stem.0, stem.1, stages.k (k-th block),             conv1, bn1, layer{s}.{b} (block b of stage s),
               stages.k.shortcut.0/.1, fc                         layer{s}.{b}.downsample.0/.1, fc
                                                                  (torchvision.models.resnet)
SmallVGG       features.i, classifier.i                           the same (torchvision.models.vgg's layout)
=============  =================================================  ============================================

``model.load_state_dict`` of such a model accepts either spelling (:class:`PyTorchNames`), and
:func:`pytorch_state_dict` gives a model's weights under PyTorch's names, to save for a PyTorch model.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
from collections import OrderedDict

if TYPE_CHECKING:
    from typing import Mapping

    from numpy.typing import NDArray

    from ..autograd.tensor import TensorLike
    from ..nn.module import Module

__all__ = ["PyTorchNames", "pytorch_state_dict", "pytorch_name_map"]


def pytorch_name_map(model: Module) -> dict[str, str]:
    """{tensorgate name: PyTorch name} for every entry of ``model.state_dict()`` (identical where the names
    agree, as for any model without :meth:`PyTorchNames._pytorch_prefixes`)."""
    prefixes = model._pytorch_prefixes() if hasattr(model, "_pytorch_prefixes") else []
    # the longest prefix wins (stages.1.shortcut.0 before stages.1)
    prefixes = sorted(prefixes, key=lambda pair: -len(pair[0]))
    out = OrderedDict()
    for name in model.state_dict():
        for ours, theirs in prefixes:
            if name.startswith(ours + "."):
                out[name] = theirs + name[len(ours):]
                break
        else:
            out[name] = name
    return out


def pytorch_state_dict(model: Module) -> OrderedDict[str, NDArray[Any]]:
    """``model.state_dict()`` under the names of the equivalent PyTorch model (see the module docstring).

    Shape: the same arrays as ``state_dict()``.
    """
    names = pytorch_name_map(model)
    return OrderedDict((names[k], v) for k, v in model.state_dict().items())


class PyTorchNames:
    """Mixin for zoo models: ``load_state_dict`` also takes the state dict of the equivalent PyTorch model.

    A name the model does not have but that is the PyTorch spelling of one it has is renamed; everything
    else is passed on unchanged, so a wrong state dict still gets load_state_dict's error listing the keys.
    The subclass says its names with ``_pytorch_prefixes()``: a list of (tensorgate prefix, PyTorch prefix).
    """

    def _pytorch_prefixes(self):
        return []

    def load_state_dict(self, state_dict: Mapping[str, TensorLike], strict: bool = True) -> tuple[list[str], list[str]]:
        if hasattr(state_dict, "items"):
            ours = {theirs: name for name, theirs in pytorch_name_map(self).items()}  # type: ignore[arg-type]
            own = set(self.state_dict())  # type: ignore[attr-defined]
            state_dict = OrderedDict((ours.get(k, k) if k not in own else k, v) for k, v in state_dict.items())
        return super().load_state_dict(state_dict, strict)  # type: ignore[misc]
