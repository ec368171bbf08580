"""Bad input gets a clear error naming the op and the shapes, raised before numpy's own."""
from __future__ import annotations

import numpy as np
import pytest

from tinygrad_edu import Tensor

A = Tensor(np.ones((3, 4)), requires_grad=True)


@pytest.mark.parametrize("fn, pattern", [
    (lambda: A + np.ones(3), r"add: shapes \(3, 4\) and \(3,\) cannot be broadcast"),
    (lambda: np.ones(3) + A, r"add: shapes \(3,\) and \(3, 4\) cannot be broadcast"),
    (lambda: A - np.ones((2, 4)), r"sub: shapes \(3, 4\) and \(2, 4\)"),
    (lambda: A * Tensor(np.ones(5)), r"mul: shapes \(3, 4\) and \(5,\)"),
    (lambda: A / Tensor(np.ones(5)), r"shapes \(3, 4\) and \(5,\)"),
    (lambda: A @ np.ones((5, 2)), r"matmul: shapes \(3, 4\) and \(5, 2\) do not align"),
    (lambda: A @ np.ones(3), r"matmul: shapes \(3, 4\) and \(3,\) do not align"),
    (lambda: A @ 2.0, r"matmul: both operands need at least one dimension"),
    (lambda: Tensor(np.ones((2, 3, 4))) @ Tensor(np.ones((5, 4, 2))), r"matmul \(batch dimensions\)"),
    (lambda: A.sum(axis=2), r"sum: axis 2 is out of range"),
    (lambda: A.max(axis=(0, 0)), r"max: axis \(0, 0\) repeats"),
    (lambda: A.mean(axis=-3), r"mean: axis -3 is out of range"),
    (lambda: A.reshape(5, 2), r"reshape: cannot reshape a tensor of shape \(3, 4\)"),
    (lambda: A.transpose(0, 2), r"transpose: axis 2 is out of range"),
    (lambda: Tensor(np.ones((2, 3, 4))).transpose(0, 1, 1), r"transpose: axes"),
    (lambda: Tensor(np.ones(0)).max(), r"max: cannot reduce an empty tensor"),
])
def test_shape_errors_name_the_op_and_shapes(fn, pattern):
    with pytest.raises(ValueError, match=pattern):
        fn()


def test_axis_of_the_wrong_type():
    with pytest.raises(TypeError, match="axis must be None, an int or a tuple"):
        A.sum(axis=1.5)


@pytest.mark.parametrize("index, exc", [
    (np.array([0, 5]), IndexError),
    (np.array([0.5]), IndexError),
    ("a", IndexError),
    ((0, 0, 0), IndexError),
])
def test_bad_indices_raise_index_error_naming_the_op(index, exc):
    with pytest.raises(exc, match="index"):
        A[index]


def test_errors_leave_nothing_recorded():
    with pytest.raises(ValueError):
        A + np.ones(3)
    assert A.grad is None
