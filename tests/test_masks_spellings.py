"""Masks, comparisons, transpose, .grad assignment and truth values."""
import numpy as np
import pytest

from tinygrad_edu import Tensor, no_grad

X = np.array([1.0, -2.0, 3.0, 0.0])


def test_bool_data_stays_bool_and_cannot_require_grad():
    m = Tensor(np.array([True, False]))
    assert m.dtype == np.bool_ and not m.requires_grad
    assert Tensor([True, False]).dtype == np.bool_
    with pytest.raises(TypeError, match="Tensor: only float32/float64 tensors can require grad.*bool"):
        Tensor(np.array([True, False]), requires_grad=True)


@pytest.mark.parametrize("mask", [np.array([True, False, True, False]), [True, False, True, False],
                                  Tensor(np.array([True, False, True, False]))],
                         ids=["array", "list", "Tensor"])
def test_mask_selects_as_numpy_and_scatters_back(mask):
    x = Tensor(X, requires_grad=True)
    y = x[mask]
    np.testing.assert_array_equal(y.data, X[np.array([True, False, True, False])])
    (y * np.array([2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, 3.0, 0.0])


def test_mask_on_rows_of_a_matrix_matches_torch():
    torch = pytest.importorskip("torch")
    a = np.arange(12.0).reshape(4, 3)
    keep = a[:, 0] > 2
    x = Tensor(a, requires_grad=True)
    tx = torch.tensor(a, requires_grad=True)
    x[x[:, 0] > 2].sum().backward()
    tx[tx[:, 0] > 2].sum().backward()
    np.testing.assert_array_equal(x.grad, tx.grad.numpy())
    np.testing.assert_array_equal(x[keep].data, a[keep])


@pytest.mark.parametrize("sym, ufunc", [("<", np.less), ("<=", np.less_equal), (">", np.greater),
                                        (">=", np.greater_equal), ("==", np.equal), ("!=", np.not_equal)])
def test_comparisons_give_bool_tensors_without_gradient(sym, ufunc):
    x = Tensor(X, requires_grad=True)
    other = np.array([1.0, 0.0, 2.0, 0.0])
    for left, right, expect in [(x, 0.0, ufunc(X, 0.0)), (0.0, x, ufunc(0.0, X)),
                                (x, other, ufunc(X, other)), (other, x, ufunc(other, X)),
                                (x, Tensor(other), ufunc(X, other)), (x, 1, ufunc(X, 1))]:
        out = eval(f"left {sym} right")
        assert isinstance(out, Tensor) and out.dtype == np.bool_ and not out.requires_grad
        np.testing.assert_array_equal(out.data, expect)


def test_comparison_shapes_must_broadcast():
    with pytest.raises(ValueError, match=r"less: shapes \(4,\) and \(3,\) cannot be broadcast"):
        Tensor(X) < np.ones(3)


def test_tensors_still_hash_by_identity():
    a, b = Tensor([1.0]), Tensor([1.0])
    assert len({a, b}) == 2 and {a: 1}[a] == 1


def test_where_with_a_comparison_reads_as_in_pytorch():
    x = Tensor(X, requires_grad=True)
    y = (x * (x > 0)).sum()      # relu written with a mask
    y.backward()
    np.testing.assert_array_equal(x.grad, [1.0, 0.0, 1.0, 0.0])


@pytest.mark.parametrize("shape, i, j", [((2, 3), 0, 1), ((2, 3), 1, 0), ((2, 3), -1, 0),
                                         ((2, 3, 4), 0, 2), ((2, 3, 4, 5), 1, -1), ((3,), 0, 0)])
def test_transpose_two_ints_swaps_axes_as_torch(shape, i, j):
    torch = pytest.importorskip("torch")
    a = np.arange(float(np.prod(shape))).reshape(shape)
    x = Tensor(a, requires_grad=True)
    w = np.random.default_rng(0).standard_normal(torch.tensor(a).transpose(i, j).shape)
    y = x.transpose(i, j)
    (y * w).sum().backward()
    tx = torch.tensor(a, requires_grad=True)
    ty = tx.transpose(i, j)
    (ty * torch.tensor(w)).sum().backward()
    np.testing.assert_array_equal(y.data, ty.detach().numpy())
    np.testing.assert_array_equal(x.grad, tx.grad.numpy())


def test_transpose_full_permutation_as_numpy():
    a = np.zeros((2, 3, 4))
    assert Tensor(a).transpose(2, 0, 1).shape == (4, 2, 3)
    assert Tensor(a).transpose((1, 2, 0)).shape == (3, 4, 2)
    assert Tensor(np.zeros((2, 3))).transpose((0, 1)).shape == (2, 3)   # a tuple: numpy's meaning
    assert Tensor(a).transpose().shape == (4, 3, 2) and Tensor(a).T.shape == (4, 3, 2)


@pytest.mark.parametrize("bad, fragment", [
    (np.ones((3, 1)), r"shape \(3,\) and dtype float64; got float64 array of shape \(3, 1\)"),
    (np.ones(3, dtype=np.float32), "got float32 array"),
    ([1.0, 2.0, 3.0], "got list"),
    (np.ones(4), r"shape \(4,\)"),
])
def test_assigning_a_grad_of_another_shape_or_dtype_raises(bad, fragment):
    t = Tensor(np.zeros(3), requires_grad=True)
    with pytest.raises(ValueError, match=fragment):
        t.grad = bad
    assert t.grad is None
    t.grad = np.ones(3)
    t.grad = None


def test_truth_value_as_pytorch():
    assert not bool(Tensor([0.0])) and bool(Tensor(2.0)) and not Tensor(np.array([False]))
    with pytest.raises(RuntimeError, match="more than one value is ambiguous"):
        bool(Tensor([1.0, 2.0]))
    with pytest.raises(RuntimeError, match="no values is ambiguous"):
        bool(Tensor(np.zeros(0)))
    x = Tensor([3.0])
    assert (x > 2) and not (x > 4)


def test_mask_arithmetic_gives_floats():
    m = Tensor(np.array([True, False]))
    x = Tensor([2.0, 3.0], requires_grad=True)
    assert (m * x).dtype == np.float64 and (m * 2.5).dtype == np.float64
    with no_grad():
        assert (x * m).dtype == np.float64


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min"])
def test_reductions_accept_torch_names(name):
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(0).standard_normal((3, 4))
    ours = getattr(Tensor(a), name)(dim=1, keepdim=True)
    theirs = getattr(torch, name)(torch.tensor(a), dim=1, keepdim=True)
    if name in ("max", "min"):          # (values, indices), as torch.max(dim=) and torch.min(dim=)
        np.testing.assert_array_equal(ours[1].data, theirs[1].numpy())
        ours, theirs = ours[0], theirs[0]
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-15)
    with pytest.raises(TypeError, match="axis= or dim=, not both"):
        getattr(Tensor(a), name)(axis=0, dim=1)


def test_transpose_takes_torch_keywords():
    x = Tensor(np.arange(24.0).reshape(2, 3, 4))
    np.testing.assert_array_equal(x.transpose(dim0=0, dim1=2).data, x.data.swapaxes(0, 2))
    np.testing.assert_array_equal(x.transpose(0, 2).data, x.data.swapaxes(0, 2))
    with pytest.raises(TypeError, match="transpose: give both dim0= and dim1="):
        x.transpose(dim0=1)
