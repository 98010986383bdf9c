"""PyTorch's import paths: ``import tensorgate.utils.data`` (``from tensorgate.utils.data import DataLoader``)
is ``torch.utils.data``; the names live in :mod:`tensorgate.data`."""
from . import data  # noqa: F401
