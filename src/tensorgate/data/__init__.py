"""tensorgate.data: datasets, the IDX reader, downloads, toy generators, batching and preprocessing.

* Real data, one return shape ``X_train, y_train, X_test, y_test, classes``: :func:`load_fashion_mnist`,
  :func:`load_mnist` (found locally or downloaded once into a cache), :func:`load_digits`,
  :func:`load_breast_cancer` (bundled with scikit-learn).
* Your own data: :func:`load_table` reads a CSV or NPZ file with a label column.
* Toy problems: :func:`make_moons`, :func:`make_circles`, :func:`make_xor`, :func:`make_spiral`,
  :func:`make_blobs`, and the regression :func:`make_sine`.
* Batches: :class:`ArrayDataset` and :class:`DataLoader` (batch size 1 = stochastic, the whole set =
  full-batch, between = mini-batch gradient descent); PyTorch's :class:`TensorDataset`, :class:`Dataset`,
  :class:`Subset` and :func:`random_split`.
* Preprocessing: :func:`one_hot`, :func:`train_test_split`, :class:`Standardizer`.
* Augmentation: :mod:`tensorgate.data.transforms` (torchvision's RandomCrop, RandomHorizontalFlip, Normalize,
  Compose, and a dataset that applies them).
* Files: :func:`read_idx`, :func:`write_idx`, :func:`download_file`.
"""
from .datasets import (
    FASHION_MNIST_CLASSES, DatasetUnavailableError, TrainTestData, cache_dir, load_breast_cancer, load_digits,
    load_fashion_mnist, load_mnist,
)
from .download import DownloadError, download_file, sha256sum
from .files import Table, label_column_index, load_table, read_features
from .idx import read_idx, write_idx
from .dataset import Dataset, Subset, random_split
from .loader import ArrayDataset, DataLoader, TensorDataset
from .dataset import ConcatDataset, IterableDataset  # noqa: E402  issue 17: PyTorch's samplers, collate and worker info
from .loader import default_collate
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
                      WeightedRandomSampler)
from .workers import get_worker_info
from .preprocessing import Standardizer, one_hot, train_test_split
from . import transforms
from .synthetic import make_blobs, make_circles, make_moons, make_sine, make_spiral, make_xor

__all__ = [
    "load_fashion_mnist", "load_mnist", "load_digits", "load_breast_cancer", "TrainTestData",
    "DatasetUnavailableError", "FASHION_MNIST_CLASSES", "cache_dir",
    "load_table", "read_features", "label_column_index", "Table",
    "make_moons", "make_circles", "make_xor", "make_spiral", "make_blobs", "make_sine",
    "ArrayDataset", "DataLoader", "TensorDataset", "Dataset", "Subset", "random_split",
    "one_hot", "train_test_split", "Standardizer",
    "read_idx", "write_idx", "download_file", "sha256sum", "DownloadError",
    "ConcatDataset", "IterableDataset", "default_collate", "get_worker_info", "Sampler", "SequentialSampler", "RandomSampler",
    "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler", "transforms",
]
