"""The engine's speed paths give the same answers as the plain ones: the constant cache, sum's
gradient broadcast back by unbroadcast, unbroadcast of a bias row, an intermediate's gradient kept as the
walk made it and handed out read-only, shapes checked only when numpy refuses them."""
from __future__ import annotations

import numpy as np
import pytest

import importlib

from tinygrad_edu import Tensor
from tinygrad_edu.engine.autograd import unbroadcast

tensor_module = importlib.import_module("tinygrad_edu.engine.tensor")


# ------------------------------------------------------------------------------ the constant cache

def test_a_python_number_becomes_one_shared_read_only_constant():
    x = Tensor(np.ones(3), requires_grad=True)
    c1, c2 = (x * 1.5).op.parents[1], (2.0 + (x * 1.5)).op.parents[0]
    assert c1 is (x * 1.5).op.parents[1]                  # made once, shared by every op
    assert c1.data.dtype == np.float64 and not c1.data.flags.writeable and not c1.requires_grad
    assert c2.data == 2.0 and c2 is not c1
    with pytest.raises(ValueError):
        c1.data += 1.0                                     # nobody can change a shared constant


def test_constants_take_the_tensor_dtype_and_keep_their_value():
    x32 = Tensor(np.ones(2, dtype=np.float32), requires_grad=True)
    x64 = Tensor(np.ones(2), requires_grad=True)
    assert (x32 * 0.1).dtype == np.float32 and (x64 * 0.1).dtype == np.float64
    assert (x32 * 0.1).op.parents[1] is not (x64 * 0.1).op.parents[1]
    np.testing.assert_array_equal((x64 * 0.1).data, np.ones(2) * 0.1)
    np.testing.assert_array_equal((x32 * 0.1).data, np.ones(2, np.float32) * np.float32(0.1))
    assert (x64 + True).data[0] == 2.0 and (x64 * np.float32(0.5)).data[0] == 0.5
    big = 2 ** 53 + 1                                      # an int that no float64 holds exactly
    assert (x64 * big).data[0] == float(big) and (x64 * float(2 ** 53)).data[0] == 2.0 ** 53


def test_signed_zero_and_nan_are_not_shared():
    x = Tensor(np.ones(2), requires_grad=True)
    with np.errstate(divide="ignore"):
        assert np.all(1.0 / (x * -0.0).data == -np.inf) and np.all(1.0 / (x * 0.0).data == np.inf)
    assert np.all(np.isnan((x * float("nan")).data))
    assert all(k[0] != 0 and k[0] == k[0] for k in tensor_module._CONSTANTS)


def test_the_constant_cache_stays_bounded():
    x = Tensor(np.ones(2))
    for i in range(1, 3 * tensor_module._CONSTANTS_MAX):
        x * (i + 0.5)
    assert len(tensor_module._CONSTANTS) <= tensor_module._CONSTANTS_MAX
    np.testing.assert_array_equal((x * 7.5).data, [7.5, 7.5])


# ------------------------------------------------------------------------- sum's gradient




@pytest.mark.parametrize("shape, axis", [((3, 4), None), ((3, 4), 1), ((2, 3, 4), (0, 2)), ((0, 3), 0),
                                         ((3, 0), 1), ((0,), None)])
def test_sum_gradient_broadcasts_back(shape, axis):
    x = Tensor(np.random.default_rng(0).standard_normal(shape), requires_grad=True)
    y = x.sum(axis=axis, keepdims=True)
    w = np.arange(1.0, y.size + 1).reshape(y.shape)
    (y * w).sum().backward()
    np.testing.assert_array_equal(x.grad, np.broadcast_to(w, shape))


@pytest.mark.parametrize("shape, axis", [((3, 4), None), ((2, 3, 4), (0, 1, 2)), ((5,), 0)])
def test_sum_over_all_axes_takes_a_numpy_scalar_gradient(shape, axis):
    """After a sum over all axes ``dy`` is 0-d (often a numpy scalar): it broadcasts back as a
    read-only stride-0 view (unbroadcast), no copy."""
    from tinygrad_edu.engine.autograd import local_gradients
    x = Tensor(np.random.default_rng(2).standard_normal(shape), requires_grad=True)
    s = x.sum(axis=axis)
    for dy in (np.float64(2.5), np.array(2.5)):
        (g,) = local_gradients(s, dy)
        assert g.shape == shape and g.strides == (0,) * len(shape) and not g.flags.writeable
        np.testing.assert_array_equal(g, np.full(shape, 2.5))


# ------------------------------------------------------------------------------------ unbroadcast

@pytest.mark.parametrize("big, small", [((5, 3), (3,)), ((2, 5, 3), (3,)), ((2, 5, 3), (5, 3)),
                                        ((5, 3), (5, 1)), ((2, 5, 3), (1, 3)), ((5, 3), ()),
                                        ((4, 2, 3), (2, 1)), ((5, 3), (5, 3))])
def test_unbroadcast_sums_what_broadcasting_copied(big, small):
    g = np.random.default_rng(1).standard_normal(big)
    want = np.zeros(small)
    for idx in np.ndindex(*small):   # entry idx of x was copied wherever its one-hot broadcasts
        onehot = np.zeros(small)
        onehot[idx] = 1.0
        want[idx] = np.sum(g * np.broadcast_to(onehot, big))
    got = unbroadcast(g, small)
    assert np.shape(got) == small
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_a_bias_row_gets_the_column_sums():
    rng = np.random.default_rng(2)
    h, b = Tensor(rng.standard_normal((6, 4)), requires_grad=True), Tensor(rng.standard_normal(4), requires_grad=True)
    w = rng.standard_normal((6, 4))
    ((h + b) * w).sum().backward()
    np.testing.assert_allclose(b.grad, w.sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(h.grad, w, rtol=1e-12)


# ------------------------------------------------------------------- gradients of intermediates

def test_an_intermediate_grad_is_read_only_and_a_leaf_grad_is_its_own():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    h = x + 0.0                                            # add sends dy to x and to ... h's input
    y = h * 3.0
    y.sum().backward()
    g = h.grad
    assert g is h.grad and not g.flags.writeable         # the same read-only array on every read
    with pytest.raises(ValueError):
        g += 1.0
    x.grad += 100.0                                        # a leaf's own array: the user may write
    np.testing.assert_array_equal(h.grad, [3.0, 3.0])
    np.testing.assert_array_equal(x.grad, [103.0, 103.0])
    assert y.grad.shape == (2,) and not y.grad.flags.writeable


def test_an_intermediate_grad_accumulates_over_retained_backwards():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    h = x * 2.0
    loss = (h * h).sum()
    loss.backward(retain_graph=True)
    first = h.grad.copy()
    loss.backward()
    np.testing.assert_allclose(h.grad, 2 * first)
    np.testing.assert_allclose(first, 2 * h.data)


# --------------------------------------------------------- shapes checked when numpy refuses

def test_broadcast_and_matmul_errors_still_say_what_is_wrong():
    a = Tensor(np.ones((3, 4)), requires_grad=True)
    with pytest.raises(ValueError, match=r"mul: shapes \(3, 4\) and \(2, 4\) cannot be broadcast"):
        a * np.ones((2, 4))
    with pytest.raises(ValueError, match=r"sub: shapes \(2,\) and \(3, 4\)"):
        np.ones(2) - a
    with pytest.raises(ValueError, match=r"matmul: shapes \(3, 4\) and \(3, 2\) do not align"):
        a @ np.ones((3, 2))
    with pytest.raises(ValueError, match="batch dimensions"):
        Tensor(np.ones((2, 3, 4))) @ Tensor(np.ones((5, 4, 2)))
    assert (a @ np.ones(4)).shape == (3,) and (np.ones(3) @ a).shape == (4,)


# ------------------------------------------------------------------ totals that grow in place


def test_totals_grown_in_place_never_touch_an_array_someone_else_holds():
    """A tensor used many times gets its parts added in place into a total only the walk holds;
    every other tensor's gradient (intermediates share arrays: add sends dy to both) stays its own."""
    torch = pytest.importorskip("torch")
    x0 = np.random.default_rng(3).standard_normal((3, 4))
    ours, theirs = {}, {}
    for lib in ("ours", "torch"):
        x = Tensor(x0.copy(), requires_grad=True) if lib == "ours" else \
            torch.tensor(x0.copy(), requires_grad=True)
        h = x * 1.0
        a = h + h                 # dy reaches h twice through one add
        b = a + h + x             # and h a third time, x a fourth
        c = (b * b).sum() + (a * 2.0).sum() + h.sum()
        kept = {"h": h, "a": a, "b": b}
        if lib == "torch":
            for t in kept.values():
                t.retain_grad()
        c.backward()
        got = ours if lib == "ours" else theirs
        value = (lambda g: np.array(g)) if lib == "ours" else (lambda g: g.numpy().copy())
        got.update({k: value(t.grad) for k, t in kept.items()}, x=value(x.grad))
    for k in theirs:
        np.testing.assert_allclose(ours[k], theirs[k], rtol=1e-13, atol=1e-13)


def test_a_leaf_adopts_the_walks_total_only_when_nobody_else_holds_it():
    x = Tensor(np.ones(3), requires_grad=True)
    seed = np.ones(3)
    (x * 1.0).backward(seed)              # the seed is the user's array: x.grad must be a copy
    x.grad[0] = 7.0
    assert seed[0] == 1.0
    w = Tensor(np.ones(3), requires_grad=True)
    (w * 2.0 + w * 3.0).sum().backward()  # a total the walk made: adopted, then added into in place
    g = w.grad
    (w * 2.0 + w * 3.0).sum().backward()
    assert g is w.grad and np.array_equal(g, [10.0, 10.0, 10.0])


@pytest.mark.parametrize("a_shape,shape", [((3, 1), (3, 4)), ((1, 4), (3, 4)), ((4,), (2, 3, 4)),
                                           ((), (2, 2)), ((1,), (5,)), ((2, 1, 3), (2, 5, 3)),
                                           ((3, 4), (3, 4)), ((0, 1), (0, 3)), ((3, 1), (2, 3, 7))])
def test_the_direct_broadcast_view_is_numpys(a_shape, shape):
    from tinygrad_edu.engine.fast import broadcast
    a = np.random.default_rng(0).standard_normal(a_shape)
    view, numpys = broadcast(a, shape), np.broadcast_to(a, shape)
    assert view.shape == numpys.shape and view.strides == numpys.strides
    assert np.array_equal(view, numpys) and not view.flags.writeable
    strided = np.random.default_rng(1).standard_normal((4, 6))[:, ::2][:, :1]   # not contiguous
    assert np.array_equal(broadcast(strided, (4, 5)), np.broadcast_to(strided, (4, 5)))
    with pytest.raises(ValueError):
        broadcast(np.ones((2, 3)), (3, 3))
