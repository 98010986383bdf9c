"""Gradient clipping, re-exported from :mod:`tensorgate.nn.utils.clip_grad` (where PyTorch keeps it too)."""
from ..nn.utils.clip_grad import clip_grad_norm_, clip_grad_value_

__all__ = ["clip_grad_norm_", "clip_grad_value_"]
