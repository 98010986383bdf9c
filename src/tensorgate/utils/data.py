"""``tensorgate.utils.data``: PyTorch's ``torch.utils.data`` names, re-exported from :mod:`tensorgate.data`.

``from tensorgate.utils.data import DataLoader, TensorDataset`` works as in PyTorch. Not supported:
``IterableDataset`` (map-style datasets only), ``DistributedSampler``, ``ChainDataset``.
"""
from ..data import (  # noqa: F401
    BatchSampler, ConcatDataset, DataLoader, Dataset, RandomSampler, Sampler, SequentialSampler, Subset,
    SubsetRandomSampler, TensorDataset, WeightedRandomSampler, default_collate, get_worker_info, random_split,
)

__all__ = ["Dataset", "TensorDataset", "DataLoader", "Subset", "random_split", "ConcatDataset", "default_collate",
           "get_worker_info", "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler"]
