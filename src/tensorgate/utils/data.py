"""``tensorgate.utils.data``: PyTorch's ``torch.utils.data`` names, re-exported from :mod:`tensorgate.data`.

``from tensorgate.utils.data import DataLoader, TensorDataset`` works as in PyTorch. Not here:
``DistributedSampler``, ``ChainDataset``; an ``IterableDataset`` is read in the main process only.
"""
from ..data import (  # noqa: F401
    BatchSampler, ConcatDataset, DataLoader, Dataset, IterableDataset, RandomSampler, Sampler, SequentialSampler, Subset,
    SubsetRandomSampler, TensorDataset, WeightedRandomSampler, default_collate, get_worker_info, random_split,
)

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "DataLoader", "Subset", "random_split", "ConcatDataset", "default_collate",
           "get_worker_info", "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler"]
