"""Tensor construction, dtypes, conversions, constants on either side, no_grad and in-place updates."""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor, no_grad


@pytest.mark.parametrize("data, dtype", [
    (np.ones(3, dtype=np.float32), np.float32),
    (np.ones(3), np.float64),
    (np.arange(3), np.float64),
    (np.array([True, False]), np.bool_),   # a mask stays bool
    (3, np.float64),
    (2.5, np.float64),
    ([[1, 2], [3, 4]], np.float64),
])
def test_dtype_rules(data, dtype):
    t = Tensor(data)
    assert t.dtype == dtype and isinstance(t.data, np.ndarray)
    np.testing.assert_array_equal(t.data, np.asarray(data, dtype=dtype))


def test_tensor_from_tensor_and_properties():
    a = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True, name="a")
    b = Tensor(a)
    assert b.shape == (2, 3) and b.ndim == 2 and b.size == 6 and not b.requires_grad
    assert a.requires_grad and a.is_leaf and a.grad is None and a.name == "a"
    assert Tensor(4.0).item() == 4.0 and float(Tensor([[2.0]])) == 2.0
    assert a.numpy() is a.data
    d = a.detach()
    assert not d.requires_grad and d.data is a.data
    assert "requires_grad=True" in repr(a) and "name='a'" in repr(a)
    assert "op=mul" in repr(a * 2)
    assert tg.tensor([1, 2]).dtype == np.float64


@pytest.mark.parametrize("bad, exc, words", [
    ("abc", TypeError, "str"),
    (["a", "b"], TypeError, "list"),
    ({"a": 1}, TypeError, "dict"),
    (None, TypeError, "NoneType"),
    (np.array([1 + 2j]), TypeError, "complex"),
    ([[1, 2], [3]], ValueError, "rectangular"),
    (np.ones(2, dtype=np.float16), TypeError, "float16"),     # never widened silently
    (np.ma.masked_array([1.0, 2.0], mask=[0, 1]), TypeError, "masked"),
    ([1, [2, 3]], ValueError, "rectangular"),
])
def test_non_numeric_data_is_rejected_with_what_was_given(bad, exc, words):
    with pytest.raises(exc, match=words):
        Tensor(bad)


def test_item_of_many_entries_says_the_shape():
    with pytest.raises(ValueError, match=r"\(2,\)"):
        Tensor([1.0, 2.0]).item()


def test_float32_stays_float32_through_values_and_gradients():
    x = Tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True)
    w = Tensor(np.ones((3, 4), dtype=np.float32), requires_grad=True)
    out = ((x * 2.0 + 1) @ w).relu().exp().log().tanh().sigmoid()
    y = (out.sum(axis=1) / 3.0).mean() ** 2
    assert out.dtype == np.float32 and y.dtype == np.float32
    y.backward()
    assert x.grad.dtype == np.float32 and w.grad.dtype == np.float32
    # an integer numpy array as a constant takes the tensor's dtype
    assert (x * np.arange(3)).dtype == np.float32


def test_numpy_arrays_and_numbers_on_the_left_reach_the_tensor():
    t = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    for out in (np.ones(3) + t, np.ones(3) - t, np.full(3, 2.0) * t, np.ones(3) / t,
                1 + t, 1 - t, 2 * t, 6 / t, np.ones((2, 3)) @ t):
        assert isinstance(out, Tensor) and out.requires_grad
    (np.full(3, 2.0) * t).sum().backward()
    np.testing.assert_array_equal(t.grad, [2.0, 2.0, 2.0])


def test_constant_operands_get_no_gradient_and_ops_skip_them():
    a = Tensor([1.0, 2.0])
    b = Tensor([3.0, 4.0], requires_grad=True)
    (a * b).sum().backward()
    assert a.grad is None
    np.testing.assert_array_equal(b.grad, [1.0, 2.0])


def test_no_grad_records_nothing_and_nests():
    w = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        y = w * 2
        assert not y.requires_grad and y.op is None
        assert not tg.is_grad_enabled()
        with tg.enable_grad():
            assert (w * 2).requires_grad
    assert tg.is_grad_enabled()

    @no_grad()
    def f(t):
        return t * 3

    assert not f(w).requires_grad


def test_in_place_update_under_no_grad_keeps_the_leaf():
    w = Tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    with no_grad():
        w -= 0.5 * w.grad
    assert w.requires_grad and w.is_leaf
    np.testing.assert_allclose(w.data, [0.0, 0.0])
    with pytest.raises(RuntimeError, match="in-place"):
        w += 1
    w.data -= 1.0            # .data may always be updated, as optimizers do
    np.testing.assert_allclose(w.data, [-1.0, -1.0])


def test_in_place_update_of_a_saved_value_is_caught():
    x = Tensor([2.0, 3.0])
    w = Tensor([1.0, 1.0], requires_grad=True)
    y = (w * x).sum()
    x += 10.0                # x is a constant here: updated in its own array, as PyTorch
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation: mul"):
        y.backward()


def test_pow_with_a_tensor_exponent_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    a0, b0 = rng.uniform(0.5, 2.0, (3, 4)), rng.standard_normal(4)
    a, b = Tensor(a0, requires_grad=True), Tensor(b0, requires_grad=True)
    y = a ** b                                         # the same op as a.pow(b)
    assert y.op.name == "powt"
    (y * np.arange(12.0).reshape(3, 4)).sum().backward()
    ta, tb = (torch.tensor(v, requires_grad=True) for v in (a0, b0))
    ty = ta ** tb
    (ty * torch.arange(12.0, dtype=torch.float64).reshape(3, 4)).sum().backward()
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(a.grad, ta.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(b.grad, tb.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose((a ** b0).data, a0 ** b0)   # an array exponent too


def test_pow_needs_a_number_or_tensor_exponent():
    with pytest.raises(TypeError, match="exponent"):
        Tensor([1.0]) ** "2"
    with pytest.raises(TypeError, match="base"):
        "2" ** Tensor([1.0])
    x = Tensor([0.0, 1.0, 2.0], requires_grad=True)      # 0 ** x and (-2) ** x answer, as PyTorch
    with np.errstate(invalid="ignore"):      # numpy warns of log(-2)
        ((-2.0) ** x + 0.0 ** x).sum().backward()
    np.testing.assert_array_equal(((-2.0) ** x).data, [1.0, -2.0, 4.0])
    assert np.isnan(x.grad).all()       # log(-2) is not real: nan, as PyTorch
