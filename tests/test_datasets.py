"""load_digits: deterministic splits of scikit-learn's bundled 8x8 digits; extras reported clearly."""
import sys

import numpy as np
import pytest

pytest.importorskip("sklearn")
from tinygrad_edu.datasets import load_digits  # noqa: E402


def test_splits_shapes_labels_and_sizes():
    d = load_digits(seed=0)
    n = sum(len(y) for y in (d.y_train, d.y_val, d.y_test))
    assert n == 1797
    assert d.X_train.shape == (len(d.y_train), 64) and d.X_train.dtype == np.float64
    assert d.y_train.dtype == np.int64 and set(np.unique(d.y_train)) == set(range(10))
    assert len(d.y_test) == round(0.2 * 1797) and len(d.y_val) == round(0.15 * 1797)
    X_train, y_train, X_val, y_val, X_test, y_test = d  # unpacks like a tuple
    assert X_test is d.X_test


def test_same_seed_same_data_other_seed_other_split():
    a, b, c = load_digits(seed=0), load_digits(seed=0), load_digits(seed=1)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(a.y_test, c.y_test)


def test_standard_scaling_uses_training_statistics():
    d = load_digits(seed=0)
    np.testing.assert_allclose(d.X_train.mean(0), 0, atol=1e-12)
    std = d.X_train.std(0)
    assert np.all((np.abs(std - 1) < 1e-12) | (std == 0))
    u = load_digits(seed=0, scale="unit")
    assert u.X_train.min() == 0.0 and u.X_train.max() == 1.0


def test_small_subset_and_no_overlap():
    d = load_digits(seed=0, n=200, scale="unit")
    assert len(d.y_train) + len(d.y_val) + len(d.y_test) == 200
    rows = {r.tobytes() for r in np.vstack([d.X_train, d.X_val, d.X_test])}
    assert len(rows) >= 195  # a few digit images in the set are exact duplicates


def test_bad_arguments():
    with pytest.raises(ValueError, match="scale"):
        load_digits(scale="minmax")
    with pytest.raises(ValueError, match="n must be"):
        load_digits(n=5)
    with pytest.raises(ValueError, match="leave some images"):
        load_digits(val_fraction=0.5, test_fraction=0.5)


def test_missing_extra_names_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=r'pip install -e "\.\[examples\]"'):
        load_digits()
