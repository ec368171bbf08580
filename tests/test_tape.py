"""The tape and the reverse walk: order, printing, accumulation, retain_graph, depth and memory."""
from __future__ import annotations

import gc
import tracemalloc
import weakref

import numpy as np
import pytest

from tinygrad_edu import Tensor, detect_anomaly


def test_tape_lists_ops_in_recording_order_and_prints():
    x = Tensor(np.ones((2, 3)), requires_grad=True, name="x")
    w = Tensor(np.ones((3, 4)), requires_grad=True, name="W")
    loss = (x @ w).relu().sum()
    tape = loss.tape()
    assert [t.op.name for t in tape] == ["matmul", "relu", "sum"]
    assert [t.shape for t in tape] == [(2, 4), (2, 4), ()]
    assert [t.op.seq for t in tape] == sorted(t.op.seq for t in tape)
    text = str(tape)
    for piece in ("matmul", "relu", "sum", "(2, 3), (3, 4) -> (2, 4)", "da = dy @ b.T"):
        assert piece in text
    assert tape.rows()[0][:4] == (1, "matmul", ((2, 3), (3, 4)), (2, 4))


def test_tape_leaves_out_constants_and_unrelated_ops():
    w = Tensor([1.0, 2.0], requires_grad=True)
    c = Tensor([3.0, 4.0]) * 2          # constant arithmetic: not recorded
    _ = (w * 5).sum()                   # another graph on the same leaf
    loss = (w * c).sum()
    assert [t.op.name for t in loss.tape()] == ["mul", "sum"]


def test_every_tensor_requiring_grad_gets_its_grad_intermediates_too():
    x = Tensor([1.0, -2.0, 3.0], requires_grad=True)
    h = x * 2
    r = h.relu()
    loss = r.sum()
    for t in (h, r, loss):
        assert t.retain_grad() is t and t.retains_grad
    loss.backward()
    np.testing.assert_array_equal(loss.grad, 1.0)
    np.testing.assert_array_equal(r.grad, [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(h.grad, [1.0, 0.0, 1.0])
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, 2.0])


def test_grads_are_separate_arrays():
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0], requires_grad=True)
    s = a + b
    s.sum().backward()
    assert a.grad is not b.grad and a.grad is not s.grad
    a.grad += 100
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])


def test_leaf_grads_are_writable_and_intermediate_grads_read_only():
    w = Tensor([1.0, 2.0], requires_grad=True)
    h = w + 0.0                 # add passes dy through unchanged: h.grad and w's total share it
    loss = (h * h).sum() + (h * 3).sum()
    loss.backward()
    np.testing.assert_array_equal(w.grad, [5.0, 7.0])
    w.grad *= 0                 # a leaf's grad is its own array
    np.testing.assert_array_equal(h.grad, [5.0, 7.0])
    with pytest.raises(ValueError, match="read-only"):
        h.grad += 1


def test_results_are_arrays_even_where_numpy_gives_scalars():
    a = Tensor([1.0, 2.0], requires_grad=True)
    for out in (a @ a, a.sum(), a.max(), (a * a).sum() * a.sum()):
        assert type(out.data) is np.ndarray and out.data.shape == ()
        out.backward()
        assert isinstance(a.grad, np.ndarray) and a.grad.shape == (2,)
        a.grad = None


def test_gradients_accumulate_until_reset():
    w = Tensor([1.0, 2.0], requires_grad=True)
    (w * 3).sum().backward()
    (w * 3).sum().backward()
    np.testing.assert_array_equal(w.grad, [6.0, 6.0])
    w.grad = None
    (w * w).sum().backward()
    np.testing.assert_array_equal(w.grad, [2.0, 4.0])


def test_second_backward_through_a_freed_graph_raises():
    w = Tensor([1.0, 2.0], requires_grad=True)
    loss = (w.exp() * w).sum()
    loss.backward()
    first = w.grad.copy()
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        loss.backward()
    np.testing.assert_array_equal(w.grad, first)     # nothing was accumulated by the failed call


def test_retain_graph_allows_a_second_backward_that_accumulates():
    w = Tensor([1.0, 2.0], requires_grad=True)
    loss = (w.exp() * w).sum()
    loss.backward(retain_graph=True)
    first = w.grad.copy()
    loss.backward()
    np.testing.assert_allclose(w.grad, 2 * first)
    with pytest.raises(RuntimeError, match="second time"):
        loss.backward()


def test_backward_spends_the_graph_but_keeps_structure_and_values():
    w = Tensor(np.ones(3), requires_grad=True)
    e = w.exp()
    loss = e.sum()
    loss.backward()
    assert e.op.spent and loss.op.spent
    assert e.op.parents[0] is w and [t.op.name for t in loss.tape()] == ["exp", "sum"]
    np.testing.assert_array_equal(e.data, np.exp(np.ones(3)))    # every tensor keeps its value


def test_backward_on_a_non_scalar_needs_grad():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match=r"scalar output.*\(2, 3\)"):
        y.backward()
    with pytest.raises(ValueError, match=r"\(3,\).*\(2, 3\)"):
        y.backward(np.ones(3))
    y.backward(np.full((2, 3), 0.5))
    np.testing.assert_array_equal(x.grad, np.ones((2, 3)))


def test_backward_on_a_tensor_without_graph_explains():
    with pytest.raises(RuntimeError, match="requires_grad=True"):
        Tensor([1.0]).sum().backward()


def test_backward_on_a_leaf():
    w = Tensor(3.0, requires_grad=True)
    w.backward()
    assert w.grad == 1.0


def test_a_chain_of_100000_ops_backpropagates_without_recursion():
    x = Tensor(np.ones(2), requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0])
    del y                      # deallocating a deep graph must not overflow the stack either


def test_graph_is_freed_as_soon_as_unreachable():
    w = Tensor(np.ones(3), requires_grad=True)
    h = w * 2
    loss = h.exp().sum()
    ref = weakref.ref(h)
    loss.backward()
    del h, loss                 # no cycles and no global list: reference counting frees it at once
    assert ref() is None


def test_memory_of_a_training_loop_stays_flat():
    rng = np.random.default_rng(0)
    X = Tensor(rng.standard_normal((32, 10)))
    W = Tensor(rng.standard_normal((10, 5)) * 0.1, requires_grad=True)

    def step():
        loss = ((X @ W).tanh() ** 2).mean()
        loss.backward()
        W.data -= 0.1 * W.grad
        W.grad = None

    gc.collect()
    tracemalloc.start()
    for _ in range(1000):      # warm-up: numpy's and Python's allocation caches fill
        step()
    # a full collection also empties CPython's free lists (of tuples, ...), whose blocks tracemalloc
    # counts as allocated: their length depends on the allocation pattern, not on what is alive
    gc.collect()
    warm = tracemalloc.get_traced_memory()[0]
    for _ in range(2000):
        step()
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    # a leak of even one small array per step would add over 200 kB here
    assert after - warm < 10_000, (warm, after)


def test_detect_anomaly_names_the_forward_op():
    x = Tensor([1.0, -1.0], requires_grad=True)
    with detect_anomaly():
        with pytest.raises(FloatingPointError, match=r"log \(forward\) produced nan.*\(2,\)"):
            with np.errstate(invalid="ignore"):
                x.log()


def test_detect_anomaly_names_the_backward_op():
    x = Tensor([0.0, 4.0], requires_grad=True)
    with detect_anomaly():
        y = (x ** 0.5).sum()         # forward is finite: sqrt(0) = 0
        with pytest.raises(FloatingPointError, match=r"pow \(backward\) produced inf"):
            with np.errstate(divide="ignore"):
                y.backward()


def test_without_anomaly_mode_nan_passes_through():
    x = Tensor([-1.0], requires_grad=True)
    with np.errstate(invalid="ignore"):
        y = x.log()
    assert np.isnan(y.data).all()


def test_ops_describe_their_settings_for_diagrams_and_traces():
    x = Tensor(np.ones((3, 4)), requires_grad=True)
    cases = [(x[:, 1:3], "index[:, 1:3]"), (x[np.arange(3), np.array([0, 1, 2])],
                                             "index[(3,) ints, (3,) ints]"),
             (x[::2], "index[::2]"), (x.sum(axis=1), "sum(axis=1)"),
             (x.max(axis=(0, 1), keepdims=True), "max(axis=None, keepdims=True)"),
             (x ** 3, "pow(p=3)"), (x.reshape(2, 6), "reshape(2, 6)"), (x.T, "transpose(1, 0)")]
    for t, text in cases:
        assert t.op.describe() == text


def test_retain_grad_is_accepted_and_every_grad_is_kept():
    """PyTorch code calls retain_grad(); here every tensor that requires grad keeps .grad anyway."""
    x = Tensor([1.0, -2.0, 3.0], requires_grad=True)
    h = x * 2
    loss = h.relu().sum()
    assert h.retain_grad() is h and h.retains_grad and loss.retains_grad and x.retains_grad
    loss.backward()
    np.testing.assert_array_equal(h.grad, [1.0, 0.0, 1.0])
    np.testing.assert_array_equal(loss.grad, 1.0)
    with pytest.raises(RuntimeError, match="retain_grad.*does not require grad"):
        Tensor([1.0]).retain_grad()
