"""Datasets and batches, as ``torch.utils.data``::

    from tinygrad_edu.utils.data import DataLoader, TensorDataset
    loader = DataLoader(TensorDataset(X, y), batch_size=64, shuffle=True)
    for xb, yb in loader:          # xb (64, D) and yb (64,) Tensors; the last batch may be smaller
        ...

As PyTorch's: a ``Dataset`` has ``__getitem__`` and ``__len__``; a ``DataLoader`` draws indices (in
order, or shuffled afresh at every pass), groups them into batches of ``batch_size``
(``drop_last`` drops a short last one) and collates each batch: Tensors and arrays are stacked
along a new first axis, numbers become a Tensor, and tuples, lists and dicts are collated field by
field (a tuple of fields comes out as a list, as PyTorch's). ``len(loader)`` is the number of
batches.

Where it differs: the shuffles come from numpy's global generator (``tinygrad_edu.manual_seed`` or
``np.random.seed`` makes them reproducible) or from ``generator=`` (a numpy ``Generator`` or
``RandomState``), so they are not PyTorch's orders; ``num_workers`` is accepted and the batches are made in the calling process
(``pin_memory`` likewise: there is no GPU). Integer labels collate to a float64 Tensor holding whole
numbers, which the losses take as class indices.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from .. import validate
from ..engine import Tensor, randomness
from ..engine.op_functions import stack

__all__ = ["Dataset", "TensorDataset", "Subset", "ConcatDataset", "random_split", "Sampler",
           "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "BatchSampler", "DataLoader",
           "default_collate"]


def _random(generator):
    """The generator of a shuffle: ``generator`` (a numpy Generator or RandomState), else the engine's
    global one, which ``tinygrad_edu.manual_seed`` seeds (``engine/randomness.py``)."""
    return randomness.source(None, generator, "shuffle")


def _permutation(n: int, generator=None) -> np.ndarray:
    return _random(generator).permutation(n)


# ---------------------------------------------------------------------------------- datasets


class Dataset:
    """A map from indices 0..len-1 to samples: define ``__getitem__`` and ``__len__``."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__}: define __getitem__(self, index)")

    def __add__(self, other: "Dataset") -> "ConcatDataset":
        return ConcatDataset([self, other])


class TensorDataset(Dataset):
    """Sample i is ``(t[i] for t in tensors)``: Tensors (or numpy arrays) sharing their first
    dimension, e.g. ``TensorDataset(X, y)``."""

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset: give at least one Tensor, e.g. TensorDataset(X, y)")
        fixed = []
        for i, t in enumerate(tensors):
            t = t if isinstance(t, Tensor) else np.asarray(t)
            if t.ndim == 0:
                raise ValueError(f"TensorDataset: tensor {i} is 0-d; each needs a first dimension "
                                 f"indexing the samples")
            fixed.append(t)
        sizes = [len(t) for t in fixed]
        if len(set(sizes)) > 1:
            raise ValueError(f"TensorDataset: size mismatch between tensors: first dimensions "
                             f"{sizes}; every tensor needs one row per sample")
        self.tensors = tuple(fixed)

    def __getitem__(self, index):
        return tuple(_row(t, index) for t in self.tensors)

    def __len__(self):
        return len(self.tensors[0])


def _row(t, index):
    """Entry ``index`` of a Tensor, or of a numeric numpy array as a Tensor."""
    if isinstance(t, Tensor):
        return t[index]
    v = np.asarray(t[index])
    return Tensor(v) if v.dtype.kind in "biuf" else v


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset, indices):
        self.dataset, self.indices = dataset, [int(i) for i in indices]

    def __getitem__(self, index):
        if isinstance(index, (list, np.ndarray)):
            return [self.dataset[self.indices[int(i)]] for i in index]
        return self.dataset[self.indices[index]]

    def __len__(self):
        return len(self.indices)


class ConcatDataset(Dataset):
    """Datasets one after another."""

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        self.cumulative_sizes = list(np.cumsum([len(d) for d in self.datasets]))

    def __len__(self):
        return int(self.cumulative_sizes[-1]) if self.cumulative_sizes else 0

    def __getitem__(self, index):
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"ConcatDataset: index {index} out of range for {len(self)} samples")
        k = int(np.searchsorted(self.cumulative_sizes, index, side="right"))
        start = 0 if k == 0 else int(self.cumulative_sizes[k - 1])
        return self.datasets[k][index - start]


def random_split(dataset, lengths, generator=None) -> list:
    """``dataset`` split at random into ``Subset``s of the given lengths (whole numbers adding up
    to ``len(dataset)``, or fractions adding up to 1, the remainder going one by one to the first
    splits, as PyTorch's)."""
    n = len(dataset)
    lengths = list(lengths)
    if lengths and all(isinstance(f, float) and 0 <= f <= 1 for f in lengths) \
            and math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        sizes = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
        lengths = sizes
    if sum(lengths) != n or any(not isinstance(k, numbers.Integral) or k < 0 for k in lengths):
        raise ValueError(f"random_split: lengths {lengths} must be whole numbers adding up to the "
                         f"dataset's {n} samples, or fractions adding up to 1")
    order = _permutation(n, generator)
    bounds = np.cumsum([0] + lengths)
    return [Subset(dataset, order[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]


# ---------------------------------------------------------------------------------- samplers


class Sampler:
    """An iterable of dataset indices."""

    def __init__(self, data_source=None):
        self.data_source = data_source

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__}: define __iter__")


class SequentialSampler(Sampler):
    """0, 1, ..., len - 1."""

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """A new permutation at every pass (``replacement=True``: ``num_samples`` draws with repeats)."""

    def __init__(self, data_source, replacement: bool = False, num_samples=None, generator=None):
        self.data_source, self.replacement, self.generator = data_source, replacement, generator
        self._num = num_samples

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num is None else int(self._num)

    def __iter__(self):
        n = len(self.data_source)
        rng = _random(self.generator)
        if self.replacement:
            return iter(int(i) for i in randomness.integers(rng, 0, n, self.num_samples))
        out = np.concatenate([_permutation(n, self.generator)
                              for _ in range(-(-self.num_samples // max(n, 1)))] or [[]])
        return iter(int(i) for i in out[:self.num_samples])

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices, in a new random order at every pass."""

    def __init__(self, indices, generator=None):
        self.indices, self.generator = list(indices), generator

    def __iter__(self):
        return iter(self.indices[int(i)] for i in _permutation(len(self.indices), self.generator))

    def __len__(self):
        return len(self.indices)


class BatchSampler(Sampler):
    """Lists of ``batch_size`` indices from ``sampler``; a short last one unless ``drop_last``."""

    def __init__(self, sampler, batch_size: int, drop_last: bool):
        self.sampler, self.drop_last = sampler, drop_last
        self.batch_size = validate.integer(batch_size, "batch_size", "BatchSampler", low=1)

    def __iter__(self):
        batch = []
        for i in self.sampler:
            batch.append(i)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


# ---------------------------------------------------------------------------------- loading


def default_collate(batch):
    """One batch from a list of samples: Tensors and arrays stacked on a new first axis, numbers as
    a Tensor, sequences and dicts field by field (a sequence as a list), strings as a list."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return stack(list(batch))
    if isinstance(elem, np.ndarray) and elem.dtype.kind in "biuf":
        return Tensor(np.stack(batch))
    if isinstance(elem, (numbers.Number, np.number, np.bool_)):
        return Tensor(np.array(batch))
    if isinstance(elem, (str, bytes)):
        return list(batch)
    if isinstance(elem, dict):
        return {k: default_collate([d[k] for d in batch]) for k in elem}
    if isinstance(elem, (tuple, list)):
        if len({len(s) for s in batch}) != 1:
            raise RuntimeError("default_collate: each element in the batch should be of equal size")
        fields = [default_collate(list(f)) for f in zip(*batch)]
        return type(elem)(*fields) if hasattr(elem, "_fields") else fields
    raise TypeError(f"default_collate: cannot batch samples of type {type(elem).__name__}; give "
                    f"DataLoader a collate_fn")


def _default_convert(sample):
    """A sample with ``batch_size=None``: arrays as Tensors, the rest as it is."""
    if isinstance(sample, np.ndarray) and sample.dtype.kind in "biuf":
        return Tensor(sample)
    if isinstance(sample, tuple) and not hasattr(sample, "_fields"):
        return tuple(_default_convert(s) for s in sample)
    if isinstance(sample, list):
        return [_default_convert(s) for s in sample]
    return sample


class DataLoader:
    """Batches of a dataset, as ``torch.utils.data.DataLoader`` (see the module's docstring)."""

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers: int = 0, collate_fn=None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *, prefetch_factor=None,
                 persistent_workers: bool = False, pin_memory_device: str = "", in_order: bool = True):
        if not hasattr(dataset, "__getitem__") or not hasattr(dataset, "__len__"):
            raise TypeError(f"DataLoader: the dataset needs __getitem__ and __len__, got "
                            f"{type(dataset).__name__}")
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None and (batch_size != 1 or shuffle or sampler is not None
                                          or drop_last):
            raise ValueError("DataLoader: batch_sampler option is mutually exclusive with "
                             "batch_size, shuffle, sampler, and drop_last")
        if batch_size is not None and batch_sampler is None:
            batch_size = validate.integer(batch_size, "batch_size", "DataLoader", low=1)
        validate.integer(num_workers, "num_workers", "DataLoader", low=0)
        self.dataset, self.batch_size, self.drop_last = dataset, batch_size, drop_last
        self.generator = generator
        self.sampler = sampler if sampler is not None else (
            RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset))
        if batch_sampler is None and batch_size is not None:
            batch_sampler = BatchSampler(self.sampler, batch_size, drop_last)
        self.batch_sampler = batch_sampler
        self.collate_fn = collate_fn
        self.num_workers, self.pin_memory = num_workers, pin_memory

    def __iter__(self):
        if self.batch_sampler is None:
            convert = self.collate_fn or _default_convert
            return (convert(self.dataset[i]) for i in self.sampler)
        return (self._batch(list(indices)) for indices in self.batch_sampler)

    def _batch(self, indices: list):
        if self.collate_fn is None and type(self.dataset) is TensorDataset:
            idx = np.asarray(indices, dtype=np.int64)     # the same as stacking the rows, at once
            return [_row(t, idx) for t in self.dataset.tensors]
        samples = [self.dataset[i] for i in indices]
        return (self.collate_fn or default_collate)(samples)

    def __len__(self):
        return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)
