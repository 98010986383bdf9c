"""tensorgate.optim: optimisers that update parameters in place, gradient clipping, learning-rate schedules.

Each optimiser's docstring is its update equation; the momentum convention is PyTorch's
(v ← μv + g, p ← p − ηv). Names and defaults follow ``torch.optim``.
"""
from . import lr_scheduler
from .adam import Adam, AdamW
from .clip import clip_grad_norm_, clip_grad_value_
from .lr_scheduler import (
    CosineAnnealingLR, ExponentialLR, LambdaLR, LinearLR, LinearWarmup, LRScheduler, MultiStepLR,
    ReduceLROnPlateau, StepLR,
)
from .lr_scheduler import CosineAnnealingWarmRestarts, OneCycleLR, SequentialLR
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = [
    "Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "clip_grad_norm_", "clip_grad_value_", "lr_scheduler",
    "LRScheduler", "StepLR", "LambdaLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR",
    "LinearWarmup", "ReduceLROnPlateau", "OneCycleLR", "SequentialLR", "CosineAnnealingWarmRestarts",
]
