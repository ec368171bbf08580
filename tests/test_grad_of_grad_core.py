"""Gradients of gradients: tinygrad_edu.grad(create_graph=True), against PyTorch's double backward
and against centered differences (gradgradcheck), for every op case of test_ops_core.

The checked quantity for a case f with inputs x_i: the first gradient g_i = J_i^T u for a random
output gradient u (a variable too), then s = sum_i <v_i, g_i> for random directions v_i, and the
gradient of s with respect to every x_i and to u: Hessian-vector products of u.f and the mixed terms.
"""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor
from tinygrad_edu.engine.autograd import Op, apply
from tinygrad_edu.gradcheck import gradgradcheck
from test_ops_core import CASES, IDS, _run


def _second(grad_fn, out, xs, u, vs, ones):
    """(first gradients, gradient of s = sum <v, g> w.r.t. xs and u); None read as zeros."""
    gs = grad_fn(out, xs, u, create_graph=True, allow_unused=True)
    s = sum((g * v).sum() for g, v in zip(gs, vs))
    second = grad_fn(s, list(xs) + [u], allow_unused=True)
    return gs, [ones(t) if d is None else d for t, d in zip(list(xs) + [u], second)]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_double_backward_matches_pytorch(case):
    torch = pytest.importorskip("torch")
    fn, arrays, weights = _run(case)
    tfn = case[2] or fn
    vs = [np.random.default_rng(7 + i).standard_normal(a.shape) for i, a in enumerate(arrays)]

    xs = [Tensor(a, requires_grad=True) for a in arrays]
    u = Tensor(weights, requires_grad=True)
    gs, second = _second(tg.grad, fn(*xs), xs, u, [Tensor(v) for v in vs],
                         lambda t: Tensor(np.zeros(t.shape)))

    txs = [torch.tensor(a, requires_grad=True) for a in arrays]
    tu = torch.tensor(weights, requires_grad=True)
    tgs, tsecond = _second(torch.autograd.grad, tfn(*txs), txs, tu, [torch.tensor(v) for v in vs],
                           lambda t: torch.zeros(t.shape, dtype=torch.float64))

    for g, tg_ in zip(gs, tgs):
        np.testing.assert_allclose(g.data, tg_.detach().numpy(), rtol=1e-10, atol=1e-12)
    for d, td in zip(second, tsecond):
        assert d.shape == tuple(td.shape)
        np.testing.assert_allclose(d.data, td.numpy(), rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_gradgradcheck_passes_on_every_op(case):
    fn, arrays, weights = _run(case)
    xs = [Tensor(a, requires_grad=True) for a in arrays]
    report = gradgradcheck(fn, *xs, grad_outputs=weights)
    assert report, str(report)
    assert [a.tolist() for a in arrays] == [x.data.tolist() for x in xs]   # values restored


# ---------------------------------------------------------------- a deliberately wrong op


class SquareTakingXAsConstant(Op):
    """y = x**2 with a first derivative that is right and a graph that treats x as a constant."""

    formula = "dx = 2 * x * dy"

    def forward(self, x):
        return x * x

    def backward(self, dy, y, x):
        value = x.data if hasattr(x, "_op") else x     # the mistake: x's value, off the graph
        return (dy * 2 * value,)


class SquareDone(Op):
    formula = "dx = 2 * x * dy"

    def forward(self, x):
        return x * x

    def backward(self, dy, y, x):
        return (dy * 2 * x,)


def test_gradgradcheck_catches_a_wrong_second_derivative():
    x = Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    bad = gradgradcheck(lambda x: (apply(SquareTakingXAsConstant(), x) * 3.0).sum(), x)
    assert bad.verdict == "wrong" and "WRONG" in str(bad) and "treats a value it depends on" in str(bad)
    # the first derivative is right, so a first-order check alone would not see it
    g, = tg.grad(apply(SquareTakingXAsConstant(), x).sum(), x)
    np.testing.assert_allclose(g.data, 2 * x.data)
    assert gradgradcheck(lambda x: (apply(SquareDone(), x) * 3.0).sum(), x)


def test_gradgradcheck_catches_a_wrong_first_derivative_in_graph_mode():
    class Twice(SquareDone):
        def backward(self, dy, y, x):
            return (dy * 2 * x * (1.0 if isinstance(x, np.ndarray) else 1.5),)
    x = Tensor(np.array([0.5, -1.0]), requires_grad=True)
    report = gradgradcheck(lambda x: apply(Twice(), x).sum(), x)
    assert not report.first_order_ok and not report


def test_a_numpy_function_in_a_formula_is_named_under_create_graph():
    class Undeclared(Op):
        def forward(self, x):
            return np.sin(x)

        def backward(self, dy, y, x):
            return (dy * np.cbrt(np.cos(x) ** 3),)     # numpy's cbrt has no Tensor counterpart
    x = Tensor(np.array([0.1, 0.2]), requires_grad=True)
    y = apply(Undeclared(), x).sum()
    np.testing.assert_allclose(tg.grad(y, x, retain_graph=True)[0].data, np.cos(x.data))
    with pytest.raises(TypeError, match="undeclared.*create_graph.*np.cbrt"):
        tg.grad(y, x, create_graph=True)


def test_numpy_ufuncs_with_a_tensor_counterpart_differentiate_twice():
    class WithNumpysCos(Op):
        def forward(self, x):
            return np.sin(x)

        def backward(self, dy, y, x):
            return (dy * np.cos(x),)      # numpy hands a Tensor to Tensor.cos (engine/interop.py)
    x = Tensor(np.array([0.1, 0.2]), requires_grad=True)
    g, = tg.grad(apply(WithNumpysCos(), x).sum(), x, create_graph=True)
    h, = tg.grad(g.sum(), x)
    np.testing.assert_allclose(h.data, -np.sin(x.data), rtol=1e-14)


def test_an_op_written_with_tensor_operations_differentiates_twice_as_it_is():
    class Double(Op):
        def forward(self, x):
            return 2 * x

        def backward(self, dy, y, x):
            return (2 * dy,)
    x = Tensor(np.array([0.1, 0.2]), requires_grad=True)
    g, = tg.grad((apply(Double(), x) * x).sum(), x, create_graph=True)
    np.testing.assert_allclose(tg.grad(g.sum(), x)[0].data, [4.0, 4.0])


def test_numpy_gradient_in_graph_mode_is_refused():
    class Leaky(Op):
        def forward(self, x):
            return x * x

        def backward(self, dy, y, x):
            return (np.asarray(dy.data if hasattr(dy, "_op") else dy) * 2 * x.data,)
    x = Tensor(np.array([0.1, 0.2]), requires_grad=True)
    with pytest.raises(TypeError, match="leaky.*create_graph"):
        tg.grad(apply(Leaky(), x).sum(), x, create_graph=True)


# ---------------------------------------------------------------- grad() itself


def test_grad_returns_tensors_and_leaves_dot_grad_alone():
    x = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    h = x * x
    gx, gh = tg.grad((h * x).sum(), [x, h])
    np.testing.assert_allclose(gx.data, 3 * x.data ** 2)
    np.testing.assert_allclose(gh.data, x.data)        # an intermediate's gradient
    assert x.grad is None and h.grad is None and not gx.requires_grad
    assert isinstance(gx, Tensor) and gx.dtype == np.float64


def test_grad_several_outputs_add_up_and_grad_outputs_scale():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    a, b = x * 3.0, x.exp()
    ga, = tg.grad([a, b], x, grad_outputs=[np.array([1.0, 2.0]), np.array([0.5, 0.5])])
    np.testing.assert_allclose(ga.data, 3 * np.array([1.0, 2.0]) + 0.5 * np.exp(x.data))


def test_grad_errors_say_what_is_wrong():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    z = Tensor(np.array([1.0]), requires_grad=True)
    with pytest.raises(RuntimeError, match="output 0 does not require grad"):
        tg.grad(Tensor(np.ones(2)).sum(), x)
    with pytest.raises(RuntimeError, match="input 0 .* does not require grad"):
        tg.grad((x * x).sum(), Tensor(np.ones(2)))
    with pytest.raises(RuntimeError, match="input 1 .*not used.*allow_unused"):
        tg.grad((x * x).sum(), [x, z])
    g, none = tg.grad((x * x).sum(), [x, z], allow_unused=True)
    assert none is None and np.allclose(g.data, 2 * x.data)
    with pytest.raises(RuntimeError, match="shape \\(2,\\).*grad_outputs"):
        tg.grad(x * x, x)
    with pytest.raises(ValueError, match="grad_outputs\\[0\\] has shape \\(3,\\)"):
        tg.grad(x * x, x, grad_outputs=np.ones(3))
    with pytest.raises(TypeError, match="inputs must be Tensors"):
        tg.grad((x * x).sum(), x.data)


def test_retain_graph_defaults_to_create_graph():
    x = Tensor(np.array([0.5, 1.5]), requires_grad=True)
    y = x.exp().sum()
    tg.grad(y, x)
    with pytest.raises(RuntimeError, match="second time"):
        tg.grad(y, x)
    y = x.exp().sum()
    tg.grad(y, x, create_graph=True)
    g, = tg.grad(y, x)                  # the graph was kept
    np.testing.assert_allclose(g.data, np.exp(x.data))


def test_backward_create_graph_keeps_graph_and_grad_stays_an_array():
    x = Tensor(np.array([0.5, 1.5]), requires_grad=True)
    y = (x ** 3).sum()
    y.backward(create_graph=True)
    assert isinstance(x.grad, np.ndarray)
    np.testing.assert_allclose(x.grad, 3 * x.data ** 2)
    g, = tg.grad(y, x, create_graph=True)        # the graph is still there
    h, = tg.grad(g.sum(), x)
    np.testing.assert_allclose(h.data, 6 * x.data)
    np.testing.assert_allclose(x.grad, 3 * x.data ** 2)   # grad() added nothing


def test_third_derivative():
    x = Tensor(np.array([0.3, -0.7]), requires_grad=True)
    g1, = tg.grad(x.tanh().sum(), x, create_graph=True)
    g2, = tg.grad(g1.sum(), x, create_graph=True)
    g3, = tg.grad(g2.sum(), x)
    t = np.tanh(x.data)
    np.testing.assert_allclose(g1.data, 1 - t ** 2)
    np.testing.assert_allclose(g2.data, -2 * t * (1 - t ** 2))
    np.testing.assert_allclose(g3.data, -2 * (1 - t ** 2) ** 2 + 4 * t ** 2 * (1 - t ** 2))


def test_needle_gradient_of_gradient():
    """CMU needle's hw1 case, with .grad taken as Tensors through grad()."""
    x2, x3 = Tensor([6.0], requires_grad=True), Tensor([0.0], requires_grad=True)
    y = x2 * x2 + x2 * x3
    grad_x2, grad_x3 = tg.grad(y, [x2, x3], create_graph=True)
    grad_x2_x2, grad_x2_x3 = tg.grad(grad_x2, [x2, x3])
    assert y.item() == 36.0
    assert grad_x2.item() == 2 * 6 + 0 and grad_x3.item() == 6
    assert grad_x2_x2.item() == 2 and grad_x2_x3.item() == 1


# ---------------------------------------------------------------- Hessian-vector products, penalties


def _two_layer(params, X, y, mod):
    h = (X @ params["W1"] + params["b1"]).tanh() if mod == "tg" else \
        (X @ params["W1"] + params["b1"]).tanh()
    scores = h @ params["W2"] + params["b2"]
    shifted = scores - scores.max(axis=1, keepdims=True) if mod == "tg" else \
        scores - scores.amax(dim=1, keepdim=True)
    logp = shifted - shifted.exp().sum(**({"axis": 1, "keepdims": True} if mod == "tg" else
                                          {"dim": 1, "keepdim": True})).log()
    return -logp[np.arange(len(y)), y].mean() + 0.1 * (params["W1"] * params["W1"]).sum()


def test_hessian_vector_product_of_a_two_layer_loss_matches_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((6, 4)), np.array([0, 2, 1, 2, 0, 1])
    arrays = {"W1": rng.standard_normal((4, 5)), "b1": rng.standard_normal(5),
              "W2": rng.standard_normal((5, 3)), "b2": rng.standard_normal(3)}
    vs = {k: rng.standard_normal(a.shape) for k, a in arrays.items()}
    names = list(arrays)

    ps = {k: Tensor(a, requires_grad=True) for k, a in arrays.items()}
    gs = tg.grad(_two_layer(ps, Tensor(X), y, "tg"), [ps[k] for k in names], create_graph=True)
    hv = tg.grad(sum((g * vs[k]).sum() for g, k in zip(gs, names)), [ps[k] for k in names])

    tps = {k: torch.tensor(a, requires_grad=True) for k, a in arrays.items()}
    tgs = torch.autograd.grad(_two_layer(tps, torch.tensor(X), torch.tensor(y), "torch"),
                              [tps[k] for k in names], create_graph=True)
    thv = torch.autograd.grad(sum((g * torch.tensor(vs[k])).sum() for g, k in zip(tgs, names)),
                              [tps[k] for k in names])
    for a, b in zip(hv, thv):
        np.testing.assert_allclose(a.data, b.numpy(), rtol=1e-9, atol=1e-12)


def test_gradient_penalty_matches_pytorch():
    """WGAN-GP style: loss = f(x) + (|df/dx| - 1)^2, trained through the gradient's graph."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    x0, w0 = rng.standard_normal((4, 3)), rng.standard_normal((3, 2))

    def run(grad_fn, x, w, norm):
        out = ((x @ w).sigmoid() * 2.0).sum()
        gx, = grad_fn(out, [x], create_graph=True)
        gnorm = norm((gx * gx).sum(1) + 1e-12)
        return out + ((gnorm - 1.0) ** 2).mean()

    x, w = Tensor(x0, requires_grad=True), Tensor(w0, requires_grad=True)
    run(tg.grad, x, w, lambda t: t ** 0.5).backward()
    tx, tw = torch.tensor(x0, requires_grad=True), torch.tensor(w0, requires_grad=True)
    run(torch.autograd.grad, tx, tw, torch.sqrt).backward()
    np.testing.assert_allclose(w.grad, tw.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-10)


def test_hessian_vector_product_against_differences_of_gradients():
    """H v = (grad(x + e v) - grad(x - e v)) / 2e, without PyTorch."""
    rng = np.random.default_rng(9)
    A, v = rng.standard_normal((5, 5)), rng.standard_normal(5)
    x = Tensor(rng.standard_normal(5), requires_grad=True)

    def f(t):
        return ((Tensor(A) @ t).tanh() ** 2).sum() + (t * t * t).sum()
    g, = tg.grad(f(x), x, create_graph=True)
    hv, = tg.grad((g * v).sum(), x)

    def plain(a):
        t = Tensor(a, requires_grad=True)
        return tg.grad(f(t), t)[0].data
    e = 1e-6
    np.testing.assert_allclose(hv.data, (plain(x.data + e * v) - plain(x.data - e * v)) / (2 * e),
                               rtol=1e-6, atol=1e-8)


def test_deep_chain_second_derivative_without_recursion():
    x = Tensor(np.array([0.3, -0.2]), requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.0001 + 0.0001
    g, = tg.grad((y * y).sum(), x, create_graph=True)
    h, = tg.grad(g.sum(), x)
    np.testing.assert_allclose(h.data, 2 * 1.0001 ** 6000, rtol=1e-9)


def test_float32_gradients_of_gradients_stay_float32():
    x = Tensor(np.array([0.5, 1.5], dtype=np.float32), requires_grad=True)
    g, = tg.grad((x ** 3).sum(), x, create_graph=True)
    h, = tg.grad(g.sum(), x)
    assert g.dtype == h.dtype == np.float32
    np.testing.assert_allclose(h.data, 6 * x.data, rtol=1e-6)


def test_grad_outputs_tensor_is_part_of_the_graph():
    x = Tensor(np.array([0.5, 1.5]), requires_grad=True)
    u = Tensor(np.array([2.0, -1.0]), requires_grad=True)
    g, = tg.grad(x.exp(), x, grad_outputs=u, create_graph=True)     # g = u * exp(x)
    dx, du = tg.grad(g.sum(), [x, u])
    np.testing.assert_allclose(dx.data, u.data * np.exp(x.data))
    np.testing.assert_allclose(du.data, np.exp(x.data))
