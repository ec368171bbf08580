"""tinygrad_edu.utils.data as torch.utils.data: datasets, samplers, collation and the DataLoader."""
import numpy as np
import pytest

from tinygrad_edu import Tensor
from tinygrad_edu.utils.data import (BatchSampler, ConcatDataset, DataLoader, Dataset, RandomSampler,
                                     SequentialSampler, Subset, SubsetRandomSampler, TensorDataset,
                                     default_collate, random_split)

X = np.arange(20.0).reshape(10, 2)
Y = np.arange(10)


def test_tensor_dataset_rows():
    ds = TensorDataset(Tensor(X), Y)
    assert len(ds) == 10
    x3, y3 = ds[3]
    assert isinstance(x3, Tensor) and x3.shape == (2,) and y3.item() == 3
    with pytest.raises(ValueError, match="size mismatch.*\\[10, 9\\]"):
        TensorDataset(Tensor(X), Y[:9])


@pytest.mark.parametrize("batch_size, drop_last, sizes", [
    (4, False, [4, 4, 2]), (4, True, [4, 4]), (10, False, [10]), (1, False, [1] * 10),
])
def test_batches_in_order(batch_size, drop_last, sizes):
    loader = DataLoader(TensorDataset(Tensor(X), Y), batch_size=batch_size, drop_last=drop_last)
    batches = list(loader)
    assert len(loader) == len(batches) and [len(b[1].data) for b in batches] == sizes
    assert isinstance(batches[0], list) and batches[0][0].shape == (batch_size, 2)
    got = np.concatenate([b[1].data for b in batches])
    np.testing.assert_array_equal(got, Y[:len(got)])


def test_shuffle_covers_every_index_once_and_changes_each_epoch():
    loader = DataLoader(TensorDataset(Tensor(X), Y), batch_size=3, shuffle=True)
    np.random.seed(0)
    epochs = [np.concatenate([yb.data for _, yb in loader]) for _ in range(3)]
    for order in epochs:
        assert sorted(order) == list(range(10))
    assert not np.array_equal(epochs[0], epochs[1])
    np.random.seed(0)
    again = np.concatenate([yb.data for _, yb in loader])
    np.testing.assert_array_equal(again, epochs[0])               # np.random.seed reproduces it
    gen = DataLoader(TensorDataset(Tensor(X), Y), batch_size=3, shuffle=True,
                     generator=np.random.default_rng(5))
    assert sorted(np.concatenate([yb.data for _, yb in gen])) == list(range(10))


def test_rows_of_the_batch_are_the_samples():
    ds = TensorDataset(Tensor(X), Y)
    for xb, yb in DataLoader(ds, batch_size=4, shuffle=True):
        np.testing.assert_array_equal(xb.data, X[yb.data.astype(int)])


class Squares(Dataset):
    """A map-style dataset of (array, dict) samples."""

    def __len__(self):
        return 5

    def __getitem__(self, i):
        return np.array([i, i * i], dtype=float), {"label": i % 2, "name": f"n{i}"}


def test_default_collation_of_a_custom_dataset():
    xb, meta = next(iter(DataLoader(Squares(), batch_size=3)))
    np.testing.assert_array_equal(xb.data, [[0, 0], [1, 1], [2, 4]])
    np.testing.assert_array_equal(meta["label"].data, [0, 1, 0])
    assert meta["name"] == ["n0", "n1", "n2"]
    assert [len(b[0].data) for b in DataLoader(Squares(), batch_size=2)] == [2, 2, 1]
    samples = list(DataLoader(Squares(), batch_size=None))
    assert isinstance(samples[0][0], Tensor) and samples[0][1]["name"] == "n0"
    assert default_collate([1.5, 2.5]).shape == (2,)
    stacked = default_collate([(Tensor([1.0]), 2), (Tensor([3.0]), 4)])
    assert stacked[0].shape == (2, 1) and list(stacked[1].data) == [2, 4]


def test_collate_fn_samplers_and_batch_sampler():
    ds = TensorDataset(Tensor(X), Y)
    loader = DataLoader(ds, batch_size=5, collate_fn=lambda batch: len(batch))
    assert list(loader) == [5, 5]
    assert list(SequentialSampler(ds)) == list(range(10))
    np.random.seed(1)
    assert sorted(RandomSampler(ds)) == list(range(10))
    assert len(list(RandomSampler(ds, replacement=True, num_samples=25))) == 25
    assert sorted(SubsetRandomSampler([2, 4, 6])) == [2, 4, 6]
    assert list(BatchSampler(range(7), 3, drop_last=False)) == [[0, 1, 2], [3, 4, 5], [6]]
    loader = DataLoader(ds, batch_sampler=BatchSampler(range(10), 4, True))
    assert [len(b[1].data) for b in loader] == [4, 4] and len(loader) == 2


def test_subsets_and_splits():
    ds = TensorDataset(Tensor(X), Y)
    np.random.seed(0)
    a, b = random_split(ds, [7, 3])
    assert (len(a), len(b)) == (7, 3)
    ids = sorted([int(a[i][1].item()) for i in range(7)] + [int(b[i][1].item()) for i in range(3)])
    assert ids == list(range(10))
    c, d, e = random_split(ds, [0.5, 0.3, 0.2])
    assert (len(c), len(d), len(e)) == (5, 3, 2)
    assert len(ConcatDataset([a, b])) == 10 and len(a + b) == 10
    assert Subset(ds, [9, 0])[0][1].item() == 9
    with pytest.raises(ValueError, match="adding up"):
        random_split(ds, [5, 4])


def test_bad_arguments_are_named():
    ds = TensorDataset(Tensor(X), Y)
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(ds, batch_size=0)
    with pytest.raises(ValueError, match="mutually exclusive"):
        DataLoader(ds, sampler=SequentialSampler(ds), shuffle=True)
    with pytest.raises(TypeError, match="__getitem__ and __len__"):
        DataLoader(42)
    with pytest.raises(TypeError, match="collate_fn"):
        next(iter(DataLoader([object(), object()], batch_size=2)))


def test_same_batches_as_torchs_loader():
    torch = pytest.importorskip("torch")
    ours = DataLoader(TensorDataset(Tensor(X), Y), batch_size=4)
    theirs = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.tensor(X),
                                                                        torch.tensor(Y)),
                                         batch_size=4)
    assert len(ours) == len(theirs)
    for (xb, yb), (txb, tyb) in zip(ours, theirs):
        np.testing.assert_array_equal(xb.data, txb.numpy())
        np.testing.assert_array_equal(yb.data, tyb.numpy())
    assert type(next(iter(ours))) is type(next(iter(theirs))) is list
    sizes = lambda n, f: [len(s) for s in f(range(n), [0.5, 0.3, 0.2])]   # noqa: E731
    assert sizes(11, random_split) == sizes(11, torch.utils.data.random_split)
