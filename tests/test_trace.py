"""The narrated backward pass: steps against the tape, numbers against backward() and PyTorch."""
import numpy as np
import pytest

from tinygrad_edu import Tensor
from tinygrad_edu.losses import softmax_loss, svm_loss, two_layer_loss
from tinygrad_edu.viz import trace


def mlp_case(seed=0):
    rng = np.random.default_rng(seed)
    params = {"W1": Tensor(rng.normal(size=(4, 5)), requires_grad=True, name="W1"),
              "b1": Tensor(rng.normal(size=5), requires_grad=True, name="b1"),
              "W2": Tensor(rng.normal(size=(5, 3)), requires_grad=True, name="W2"),
              "b2": Tensor(rng.normal(size=3), requires_grad=True, name="b2")}
    X = rng.normal(size=(6, 4))
    y = rng.integers(0, 3, size=6)
    return params, X, y


def cases():
    rng = np.random.default_rng(1)
    W = Tensor(rng.normal(size=(4, 3)), requires_grad=True, name="W")
    X, y = rng.normal(size=(5, 4)), rng.integers(0, 3, size=5)
    yield "softmax", lambda: softmax_loss(W, X, y, reg=0.1), [W]
    yield "svm", lambda: svm_loss(W, X, y, reg=0.1), [W]
    params, X2, y2 = mlp_case()
    yield "two_layer", lambda: two_layer_loss(params, X2, y2, reg=0.05), list(params.values())
    x = Tensor(rng.normal(size=(3, 1)), requires_grad=True, name="x")
    yield "broadcast_reuse", lambda: ((x * x + x.T).tanh() / (x.exp() + 1.0)).max(axis=0).sum(), [x]


@pytest.mark.parametrize("name, make, leaves", list(cases()), ids=[c[0] for c in cases()])
def test_trace_steps_follow_the_tape_and_agree_with_backward(name, make, leaves):
    loss = make()
    tape = loss.tape()
    tr = trace(loss)
    assert len(tr) == len(tape)
    for step, t in zip(tr, reversed(tape)):           # newest first
        assert step.op is t.op and step.output is t
        assert step.inputs == tuple(t.op.parents)
        assert step.grad_out.shape == t.shape
        for p, g in zip(step.inputs, step.grads_in):
            assert (g is None) == (not p.requires_grad)
            assert g is None or g.shape == p.shape
    for t in tape:                                     # trace stores no .grad and frees nothing
        assert t.grad is None and not t.op.spent
    for leaf in leaves:
        leaf.grad = None
    loss.backward()
    for t in list(tape) + leaves:                      # bit-for-bit what backward() stored
        np.testing.assert_array_equal(tr.grad(t), t.grad)
        assert tr.grad(t).dtype == t.grad.dtype
    # the gradient arriving at each step is the engine's .grad of that op's output
    for step in tr:
        np.testing.assert_array_equal(step.grad_out, step.output.grad)


def test_trace_against_torch():
    torch = pytest.importorskip("torch")
    params, X, y = mlp_case(3)
    tr = trace(two_layer_loss(params, X, y, reg=0.1))
    tp = {k: torch.tensor(v.data, requires_grad=True) for k, v in params.items()}
    h = torch.relu(torch.tensor(X) @ tp["W1"] + tp["b1"])
    scores = h @ tp["W2"] + tp["b2"]
    loss = torch.nn.functional.cross_entropy(scores, torch.tensor(y)) + 0.1 * (
        (tp["W1"] ** 2).sum() + (tp["W2"] ** 2).sum())
    loss.backward()
    for k, v in params.items():
        np.testing.assert_allclose(tr.grad(v), tp[k].grad.numpy(), rtol=1e-10, atol=1e-12)


def test_trace_against_numerical_gradient():
    rng = np.random.default_rng(4)
    a0 = rng.normal(size=(2, 3))

    def f(a):
        A = Tensor(a, requires_grad=True, name="A")
        return A, ((A * A).sum(axis=1) + A.sigmoid().mean()).log().sum()

    A, loss = f(a0.copy())
    g = trace(loss).grad(A)
    h, num = 1e-6, np.zeros_like(a0)
    for i in np.ndindex(a0.shape):
        ap, am = a0.copy(), a0.copy()
        ap[i] += h
        am[i] -= h
        num[i] = (f(ap)[1].item() - f(am)[1].item()) / (2 * h)
    np.testing.assert_allclose(g, num, rtol=1e-6, atol=1e-8)


def test_trace_reads_like_a_worked_example():
    W = Tensor(np.array([[1.0, -2.0]]), requires_grad=True)
    c = Tensor(np.array([[3.0], [4.0]]))
    s = W @ c
    loss = s.sum()
    text = str(trace(loss))
    assert text.startswith("Backward pass from loss: 2 tape entries")
    assert "Step 1 of 2: op 2, loss = s.sum()" in text
    assert "Step 2 of 2: op 1, s = W @ c" in text
    assert "local gradient: dW = dy @ c.T" in text
    assert "sends to W (1, 2): [[3  4]]" in text
    assert "sends nothing to c (a constant)" in text
    assert "dL/dW (1, 2) = [[3  4]]" in text
    x = Tensor(np.array([2.0]), requires_grad=True, name="x")
    add, mul = trace((x * x + x).sum(), names={x: "u"})[1:]
    assert "add2 = mul1 + u" in str(add) and "running total" not in str(add)
    assert "mul1 = u * u" in str(mul)
    assert "running total for u: [3]" in str(mul) and "running total for u: [5]" in str(mul)
    assert np.array_equal(trace((x * x + x).sum()).grad(x), [5.0])
    broadcast = str(trace((Tensor(np.ones((2, 2))) + x).sum()))
    assert "summed over broadcast axes from (2, 2)" in broadcast
    assert "dx = sum(dy, axis=0).reshape(1,)" in broadcast or "dx = sum(dy).reshape(1,)" in broadcast


def test_trace_observes_the_engines_walk(monkeypatch):
    """trace() runs the one walk in engine/autograd.py (through its hook), not a copy of it."""
    from tinygrad_edu.engine import autograd
    calls = []
    real = autograd.backward

    def spy(*args, **kwargs):
        calls.append(kwargs.get("hook"))
        return real(*args, **kwargs)

    monkeypatch.setattr(autograd, "backward", spy)
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    tr = trace((x * x).sum())
    assert len(calls) == 1 and calls[0] is not None and len(tr) == 2


def test_trace_seed_and_errors():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = x * 3.0
    tr = trace(y, grad=np.array([1.0, -1.0]))
    np.testing.assert_array_equal(tr.grad(x), [3.0, -3.0])
    with pytest.raises(RuntimeError, match="scalar"):
        trace(y)
    with pytest.raises(ValueError, match=r"grad has shape \(3,\)"):
        trace(y, grad=np.ones(3))
    with pytest.raises(RuntimeError, match="does not require grad"):
        trace(Tensor(1.0))


def test_trace_before_and_after_backward_leaves_grads_alone():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    loss = (x * x).sum()
    before = trace(loss)
    assert x.grad is None                          # trace stores nothing
    loss.backward()                                # frees the graph
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])
    after = trace(loss)                            # walks it again: every tensor kept its value
    assert after.recomputed and "walks it again" in str(after)
    np.testing.assert_array_equal(after.grad(x), before.grad(x))
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])   # untouched
    with pytest.raises(RuntimeError, match="second time"):
        loss.backward()                            # still walked, as the user left it


def test_one_numbering_in_tape_trace_and_diagram():
    from tinygrad_edu import viz
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    loss = ((x * 2.0).exp() + x).sum()
    tape, tr, g = loss.tape(), trace(loss), viz.draw(loss)
    assert [row[0] for row in tape.rows()] == [1, 2, 3, 4]
    assert [s.node.number for s in tr] == [4, 3, 2, 1]            # newest first
    assert [op.number for op in tr.graph.ops] == list(g.op_ids) == [1, 2, 3, 4]
    assert str(tape).splitlines()[1].split()[0] == "1"
