"""Real data with no download: the 8x8 handwritten digits that scikit-learn ships inside its package.

1,797 grey images of the digits 0 to 9, 8x8 pixels with values 0..16, flattened to 64 features.
``load_digits`` shuffles them with a fixed seed, cuts train / validation / test splits and scales the
features, so every run of an example sees the same numbers::

    from tinygrad_edu.datasets import load_digits
    d = load_digits(seed=0)
    d.X_train.shape, d.y_train.dtype      # ((1168, 64), dtype('int64'))
    X_train, y_train, X_val, y_val, X_test, y_test = d   # it unpacks like a tuple

scikit-learn is an optional extra: without it, ``load_digits`` raises an ImportError that says
``pip install -e ".[examples]"``.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import validate
from .progress import require

__all__ = ["Digits", "load_digits", "IMAGE_SHAPE", "NUM_CLASSES", "NUM_IMAGES"]

IMAGE_SHAPE = (8, 8)
NUM_CLASSES = 10
NUM_IMAGES = 1797


def _split_sizes(seed, val_fraction, test_fraction, n, scale):
    """Check ``load_digits``' arguments; return the test and validation sizes and the shuffle."""
    where = "load_digits"
    seed = validate.seed(seed, where)
    val_fraction = validate.number(val_fraction, "val_fraction", where, low=0, high=1, high_open=True)
    test_fraction = validate.number(test_fraction, "test_fraction", where, low=0, high=1,
                                  low_open=True, high_open=True)
    if val_fraction + test_fraction >= 1:
        raise ValueError(f"{where}: val_fraction={val_fraction} and test_fraction={test_fraction} "
                         f"add up to 1 or more: they must leave some images for training")
    if scale not in ("standard", "unit"):
        raise ValueError(f"{where}: scale must be 'standard' or 'unit', got {scale!r}")
    total = NUM_IMAGES if n is None else validate.integer(n, "n", where, low=10, high=NUM_IMAGES)
    n_test, n_val = int(round(test_fraction * total)), int(round(val_fraction * total))
    more = "raise it or n"
    splits = ((n_test, "test", test_fraction, more), (n_val, "validation", val_fraction, more),
              (total - n_test - n_val, "training", 1 - val_fraction - test_fraction,
               "lower val_fraction or test_fraction, or raise n"))
    for count, name, fraction, advice in splits:
        if count == 0 and fraction > 0:
            raise ValueError(f"{where}: a {name} fraction of {fraction:.3g} of {total} images gives 0 "
                             f"{name} images; {advice}")
    return n_test, n_val, np.random.RandomState(seed).permutation(NUM_IMAGES)[:total]


class Digits(NamedTuple):
    """The splits: ``X_*`` float64 arrays (N, 64), ``y_*`` int64 arrays (N,) with labels 0..9."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray

    def __repr__(self):
        return (f"Digits(train={self.X_train.shape}, val={self.X_val.shape}, "
                f"test={self.X_test.shape})")


def load_digits(seed: int = 0, val_fraction: float = 0.15, test_fraction: float = 0.2,
                n: int | None = None, scale: str = "standard") -> Digits:
    """Deterministic train / validation / test splits of scikit-learn's 8x8 digits.

    Args:
        seed: the shuffle; the same seed gives the same splits, bit for bit.
        val_fraction, test_fraction: shares of the (possibly subsampled) images for validation and
            test; the rest is for training.
        n: use only the first ``n`` images of the shuffle (a small set for fast tests), or all 1,797.
        scale: ``"standard"`` (default): pixels divided by 16, then each feature centred and scaled
            with the training split's mean and standard deviation (features constant on the training
            split are only centred); ``"unit"``: pixels divided by 16, in [0, 1], nothing else.

    Bad arguments raise an error naming ``load_digits``, among them fractions that leave a split
    with 0 images (``n=10, test_fraction=0.01``); ``val_fraction=0`` gives an empty validation split
    on purpose.

    Returns:
        ``Digits(X_train, y_train, X_val, y_val, X_test, y_test)``, X float64 (N, 64), y int64 (N,).
    """
    n_test, n_val, order = _split_sizes(seed, val_fraction, test_fraction, n, scale)
    raw = require("sklearn.datasets", "the digits data set").load_digits()
    X = raw.data.astype(np.float64)[order] / 16.0
    y = raw.target.astype(np.int64)[order]
    X_test, y_test = X[:n_test], y[:n_test]
    X_val, y_val = X[n_test:n_test + n_val], y[n_test:n_test + n_val]
    X_train, y_train = X[n_test + n_val:], y[n_test + n_val:]
    if scale == "standard":
        mean = X_train.mean(axis=0)
        std = X_train.std(axis=0)
        std[std == 0] = 1.0
        X_train, X_val, X_test = ((A - mean) / std for A in (X_train, X_val, X_test))
    return Digits(X_train, y_train, X_val, y_val, X_test, y_test)
