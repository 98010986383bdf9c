"""Optimisers and losses given by name, as Keras's ``compile(optimizer="adam", loss="...")`` takes them.

``fit(model, "sparse_categorical_crossentropy", "adam", ...)`` builds the loss and the optimiser (on
``model.parameters()``) from their names. An unknown name is an error that lists the known ones.

Optimisers, with Keras's default settings (the names are Keras's habit, so they mean what Keras means):

=========== ==========================================================================================
``adam``    ``Adam(lr=0.001, betas=(0.9, 0.999), eps=1e-7)``
``adamw``   ``AdamW(lr=0.001, betas=(0.9, 0.999), eps=1e-7, weight_decay=0.004)``
``sgd``     ``SGD(lr=0.01)``
``rmsprop`` ``RMSprop(lr=0.001, alpha=0.9, eps=1e-7)`` (Keras's ``rho`` is PyTorch's ``alpha``)
=========== ==========================================================================================

tensorgate's updates are PyTorch's: where ε enters differs from Keras's in the last digits. For other
settings build the optimiser yourself (``tg.optim.Adam(model.parameters(), lr=3e-3)``).

Losses:

========================================================================= ============================
``cross_entropy``, ``sparse_categorical_crossentropy``,                   ``CrossEntropyLoss()``
``categorical_crossentropy``
``nll``                                                                   ``NLLLoss()``
``bce``, ``binary_crossentropy``                                          ``BCELoss()``
``bce_with_logits``                                                       ``BCEWithLogitsLoss()``
``mse``, ``mean_squared_error``                                           ``MSELoss()``
``mae``, ``mean_absolute_error``, ``l1``                                  ``L1Loss()``
``huber``                                                                 ``HuberLoss()``
``hinge``                                                                 ``HingeLoss()``
========================================================================= ============================

tensorgate's cross-entropy takes logits, as Keras's ``from_logits=True``; Keras's default
(``from_logits=False``) expects a softmax output instead. The two give the same loss for the same network
only if the softmax is not in the model, so a :class:`~tensorgate.nn.Sequential` that ends in ``Softmax``
is an error here (remove the Softmax). Likewise ``bce`` and ``binary_crossentropy`` take probabilities
(PyTorch's ``BCELoss`` and Keras's default), so a Sequential ending in ``Linear`` is an error (end it with
``Sigmoid``, or use ``bce_with_logits``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import nn, optim

if TYPE_CHECKING:
    from typing import Callable

    from ..nn.module import Module
    from ..optim.optimizer import Optimizer

__all__ = ["OPTIMIZERS", "LOSSES", "resolve_optimizer", "resolve_loss"]

#: name → (class, Keras's default settings in tensorgate's keywords)
OPTIMIZERS = {
    "adam": (optim.Adam, {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-7}),
    "adamw": (optim.AdamW, {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-7, "weight_decay": 0.004}),
    "sgd": (optim.SGD, {"lr": 1e-2}),
    "rmsprop": (optim.RMSprop, {"lr": 1e-3, "alpha": 0.9, "eps": 1e-7}),
}

_CROSS_ENTROPY = ("cross_entropy", "sparse_categorical_crossentropy", "categorical_crossentropy")
_PROBABILITY_BCE = ("bce", "binary_crossentropy")

#: name → loss class
LOSSES = {
    **{name: nn.CrossEntropyLoss for name in _CROSS_ENTROPY},
    "nll": nn.NLLLoss,
    **{name: nn.BCELoss for name in _PROBABILITY_BCE},
    "bce_with_logits": nn.BCEWithLogitsLoss,
    "mse": nn.MSELoss, "mean_squared_error": nn.MSELoss,
    "mae": nn.L1Loss, "mean_absolute_error": nn.L1Loss, "l1": nn.L1Loss, "huber": nn.HuberLoss,
    "hinge": nn.HingeLoss,
}


def _key(name):
    return name.strip().lower().replace("-", "_")


def resolve_optimizer(optimizer: str | Optimizer, model: Module) -> Optimizer:
    """``optimizer`` itself, or the optimiser its name stands for, built on ``model.parameters()``.

    Shape: not applicable.

    Examples
    --------
    >>> import tensorgate as tg
    >>> opt = resolve_optimizer("adam", tg.nn.Linear(2, 1))
    >>> type(opt).__name__, opt.param_groups[0]["lr"]
    ('Adam', 0.001)
    """
    if not isinstance(optimizer, str):
        return optimizer
    key = _key(optimizer)
    if key not in OPTIMIZERS:
        raise ValueError(f"fit: unknown optimizer {optimizer!r}; the names are {', '.join(OPTIMIZERS)} "
                         "(or pass an optimizer object, e.g. tg.optim.Adam(model.parameters(), lr=3e-3))")
    cls, settings = OPTIMIZERS[key]
    return cls(model.parameters(), **settings)  # type: ignore[arg-type]


def resolve_loss(loss: str | Callable[..., Any], model: Module) -> Any:
    """``loss`` itself, or the loss its name stands for (checked against how a Sequential ``model`` ends).

    Shape: not applicable.

    Examples
    --------
    >>> import tensorgate as tg
    >>> resolve_loss("sparse_categorical_crossentropy", tg.nn.Linear(4, 3))
    CrossEntropyLoss()
    """
    if not isinstance(loss, str):
        return loss
    key = _key(loss)
    if key not in LOSSES:
        raise ValueError(f"fit: unknown loss {loss!r}; the names are {', '.join(LOSSES)} "
                         "(or pass a loss object, e.g. tg.nn.CrossEntropyLoss(label_smoothing=0.1))")
    last = _last_layer(model)
    if key in _CROSS_ENTROPY and isinstance(last, (nn.Softmax, nn.LogSoftmax)):
        raise ValueError(f"fit: loss {loss!r} is tensorgate's cross-entropy, which takes logits (Keras's "
                         f"from_logits=True), but the model ends in {type(last).__name__}: remove it (the loss "
                         "applies the softmax itself, stably)")
    if key in _PROBABILITY_BCE and isinstance(last, nn.Linear):
        raise ValueError(f"fit: loss {loss!r} takes probabilities (PyTorch's BCELoss, Keras's default), but the "
                         "model ends in Linear (logits): end it with Sigmoid, or use 'bce_with_logits'")
    return LOSSES[key]()


def _last_layer(model):
    """The last module of a (nested) Sequential, else None."""
    while isinstance(model, nn.Sequential) and len(model) > 0:
        model = model[len(model) - 1]
    return model if not isinstance(model, nn.Sequential) else None
