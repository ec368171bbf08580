"""Gradients of gradients of the further ops: every row of test_ops_families's table, the
conv / pool / norm rows of test_conv and the losses of functional, against PyTorch's double backward
in float64, and gradgradcheck (centered differences) on a sample of them. test_grad_of_grad_core does the same
for the core ops (test_ops_core's cases).

As in test_grad_of_grad_core: for a row f with inputs x_i, the first gradient g_i = J_i^T u for a random output
gradient u (a variable too), then s = sum_i <v_i, g_i> for random directions v_i, and the gradient
of s with respect to every x_i and to u.
"""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor, functional as F
from tinygrad_edu.engine import ops
from tinygrad_edu.engine.autograd import apply


def unfold(x, kernel, stride, dilation):
    return apply(ops.Unfold(kernel=kernel, stride=stride, dilation=dilation), x)


def fold(x, hw, kernel, stride, dilation):
    return apply(ops.Fold(hw=hw, kernel=kernel, stride=stride, dilation=dilation), x)
from tinygrad_edu.gradcheck import gradgradcheck
import test_conv
import test_ops_families
from test_grad_of_grad_core import _second
from test_diagnoses import Cube   # a learner's Function with a numpy backward

# (id, ours(*xs), theirs(torch, *xs), makers): both tables in one spelling
ROWS = [(r[0], lambda *xs, f=r[1]: f(tg, *xs),
         lambda torch, *xs, f=r[2] or r[1]: f(torch, *xs), r[3]) for r in test_ops_families.ROWS]
ROWS += [(f"conv:{r[0]}", lambda *xs, f=r[1]: f(F, *xs),
          lambda torch, *xs, f=r[2] or r[1]: f(torch.nn.functional, *xs), r[3])
         for r in test_conv.ROWS]
# and the older functional composites (losses, softmax, eval-mode batch norm), in the same form
LABELS, C = np.array([2, 0, 1, 2]), np.linspace(0.5, 1.5, 5)
RUNNING = (np.array([0.1, -0.2, 0.3]), np.array([0.5, 1.5, 2.0]))
ROWS += [
    ("softmax", lambda x: F.softmax(x, axis=1), lambda torch, x: torch.softmax(x, dim=1),
     [test_conv.normal(4, 5)]),
    ("log_softmax", lambda x: F.log_softmax(x, axis=0),
     lambda torch, x: torch.log_softmax(x, dim=0), [test_conv.normal(4, 5)]),
    ("logsumexp", lambda x: F.logsumexp(x, axis=(0, 2)),
     lambda torch, x: torch.logsumexp(x, dim=(0, 2)), [test_conv.normal(2, 3, 4)]),
    ("cross_entropy", lambda s: F.cross_entropy(s, LABELS),
     lambda torch, s: torch.nn.functional.cross_entropy(s, torch.tensor(LABELS)),
     [test_conv.normal(4, 3)]),
    ("multiclass_hinge", lambda s: F.multiclass_hinge(s, LABELS) * s.exp().sum(),   # curved
     lambda torch, s: _torch_hinge(torch, s) * s.exp().sum(), [test_conv.normal(4, 3)]),
    ("mse", lambda p: F.mse(p.tanh(), C), lambda torch, p: torch.nn.functional.mse_loss(
        p.tanh(), torch.tensor(C)), [test_conv.normal(5)]),
    ("batch_norm-eval", lambda x, g, b: F.batch_norm(x, *RUNNING, g, b) ** 2,
     lambda torch, x, g, b: torch.nn.functional.batch_norm(
         x, *map(torch.tensor, RUNNING), g, b) ** 2,
     [test_conv.normal(4, 3, 2), test_conv.normal(3), test_conv.normal(3)]),
]
IDS = [r[0] for r in ROWS]


def _torch_hinge(torch, s):
    """cs231n's hinge in torch (multi_margin_loss divides by C and has no double backward)."""
    n = len(LABELS)
    margins = (s - s[torch.arange(n), torch.tensor(LABELS)][:, None] + 1.0).relu()
    return (margins * torch.tensor(np.arange(3) != LABELS[:, None])).sum(1).mean()


# Rows whose inputs sit exactly at a kink (clamp's ends, ties of maximum and of max pooling) run
# against PyTorch too: both take the local mask as constant there, so the conventions agree. Centered
# differences cannot judge them, nor a trip through float32 (h is below its resolution).
NO_NUMERIC = {"clip-at-ends", "maximum-ties", "conv:max_pool2d-ties", "float-double", "astype"}


def _data(row, seed=0):
    rng = np.random.default_rng(seed)
    arrays = [m(rng) for m in row[3]]
    out = row[1](*[Tensor(a) for a in arrays])
    return arrays, np.random.default_rng(seed + 1).standard_normal(out.shape)


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_double_backward_matches_pytorch(row):
    torch = pytest.importorskip("torch")
    arrays, weights = _data(row)
    vs = [np.random.default_rng(7 + i).standard_normal(a.shape) for i, a in enumerate(arrays)]

    xs = [Tensor(a, requires_grad=True) for a in arrays]
    u = Tensor(weights, requires_grad=True)
    gs, second = _second(tg.grad, row[1](*xs), xs, u, [Tensor(v) for v in vs],
                         lambda t: Tensor(np.zeros(t.shape)))

    txs = [torch.tensor(a, requires_grad=True) for a in arrays]
    tu = torch.tensor(weights, requires_grad=True)
    tgs, tsecond = _second(torch.autograd.grad, row[2](torch, *txs), txs, tu,
                           [torch.tensor(v) for v in vs],
                           lambda t: torch.zeros(t.shape, dtype=torch.float64))

    for g, tg_ in zip(gs, tgs):
        np.testing.assert_allclose(g.data, tg_.detach().numpy(), rtol=1e-9, atol=1e-11)
    for d, td in zip(second, tsecond):
        assert d.shape == tuple(td.shape)
        # (PyTorch gives a "zero tensor" for a gradient it knows is 0, e.g. abs's second derivative)
        np.testing.assert_allclose(d.data, td.numpy(force=True), rtol=1e-8, atol=1e-10)


# one row per op family and per new primitive (Prod, Cumsum, Einsum, Fold / Unfold, ...)
SAMPLE = ["abs-method", "tan-function", "log10-method", "softplus", "leaky_relu",
          "pow-tensor(3, 1)(1, 4)", "mod(3, 4)(4,)", "minimum(2, 3, 4)(3, 1)", "where(3, 4)(4,)",
          "prod[(0, 2),True]", "prod[None,False]", "prod-with-zeros", "var[1,False]",
          "std[None,True]", "amax[-1,True]", "cumsum-dim-neg", "sort-values", "trace-rect",
          "cat-dim-neg", "stack-dim-last", "pad-value", "roll-two", "diag-make-offset", "repeat",
          "einsum-diag", "einsum-three", "einsum-sum-alone", "tensordot-lists",
          "conv:conv2d-groups", "conv:conv2d-dilation", "conv:conv1d", "conv:unfold",
          "conv:max_pool2d-stride-pad", "conv:avg_pool2d-pad-excluded",
          "conv:batch_norm-train-2d", "conv:layer_norm", "cross_entropy", "multiclass_hinge"]


@pytest.mark.parametrize("row", [r for r in ROWS if r[0] in SAMPLE], ids=SAMPLE)
def test_gradgradcheck_on_a_sample(row):
    arrays, weights = _data(row)
    xs = [Tensor(a, requires_grad=True) for a in arrays]
    report = gradgradcheck(row[1], *xs, grad_outputs=weights)
    assert report, str(report)


def test_sample_names_rows_that_exist_and_can_be_judged_numerically():
    assert set(SAMPLE) <= set(IDS) and not set(SAMPLE) & NO_NUMERIC


# ---------------------------------------------------------------- Fold, the gradient of Unfold


def test_fold_is_the_adjoint_of_unfold():
    """<unfold(x), c> = <x, fold(c)> for every x and c: fold is unfold's transpose (its gradient)."""
    rng = np.random.default_rng(2)
    setting = ((2, 3), (2, 1), (1, 2))                    # kernel, stride, dilation
    x = rng.standard_normal((2, 3, 7, 8))
    cols = unfold(x, *setting)
    c = rng.standard_normal(cols.shape)
    assert fold(c, (7, 8), *setting).shape == x.shape
    np.testing.assert_allclose(np.sum(cols * c), np.sum(x * fold(c, (7, 8), *setting)), rtol=1e-12)
    # and as recorded ops, each other's gradient
    t, ct = Tensor(x, requires_grad=True), Tensor(c, requires_grad=True)
    gx, = tg.grad(unfold(t, *setting), t, grad_outputs=c)
    gc, = tg.grad(fold(ct, (7, 8), *setting), ct, grad_outputs=x)
    np.testing.assert_array_equal(gx.data, fold(c, (7, 8), *setting))
    np.testing.assert_array_equal(gc.data, cols)
    assert ops.Fold(hw=(7, 8), kernel=setting[0], stride=setting[1], dilation=setting[2]).describe().startswith("fold(size=(7, 8)")


def test_third_derivative_through_conv2d_matches_pytorch():
    """Unfold -> Fold -> Unfold: a conv net's gradient can be differentiated twice over."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    x0, w0 = rng.standard_normal((1, 2, 5, 5)), rng.standard_normal((3, 2, 3, 3))

    def third(grad_fn, conv, x, w):
        y = (conv(x, w, padding=1) ** 3).sum()
        gx, = grad_fn(y, [x], create_graph=True)
        gw, = grad_fn((gx * gx).sum(), [w], create_graph=True)
        return grad_fn((gw * gw).sum(), [x, w])
    ours = third(tg.grad, F.conv2d, Tensor(x0, requires_grad=True), Tensor(w0, requires_grad=True))
    theirs = third(torch.autograd.grad, torch.nn.functional.conv2d,
                   torch.tensor(x0, requires_grad=True), torch.tensor(w0, requires_grad=True))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.data, b.numpy(), rtol=1e-9, atol=1e-9)


def test_prod_gradient_of_gradient_is_exact_with_zeros():
    """d2(x0 x1 x2)/dx0 dx1 = x2, also where x0 = x1 = 0 (dividing y by x would give nan)."""
    x = Tensor(np.array([0.0, 0.0, 3.0]), requires_grad=True)
    g, = tg.grad(x.prod(), x, create_graph=True)
    np.testing.assert_array_equal(g.data, [0.0, 0.0, 0.0])
    h = [tg.grad(g[i], x, retain_graph=True)[0].data for i in range(3)]
    np.testing.assert_array_equal(np.array(h), [[0, 3, 0], [3, 0, 0], [0, 0, 0]])


# ---------------------------------------------------------------- a learner's Function


def test_function_refuses_create_graph_and_says_why():
    x = Tensor(np.array([0.5, -1.0]), requires_grad=True)
    y = Cube.apply(x).sum()
    with pytest.raises(NotImplementedError, match="Cube: a Function with a numpy backward cannot "
                                                  "be differentiated twice"):
        tg.grad(y, x, create_graph=True)
    g, = tg.grad(Cube.apply(x).sum(), x)            # first order works as ever
    np.testing.assert_allclose(g.data, 3 * x.data ** 2)
    Cube.apply(x).sum().backward(create_graph=True)  # values into .grad, as PyTorch code expects
    np.testing.assert_allclose(x.grad, 3 * x.data ** 2)


def test_prod_on_a_graph_past_the_grid_limit_divides_or_refuses(monkeypatch):
    """Past GRID_LIMIT the n x n grid gives way to y / x: the same numbers without zeros; with zeros
    a clear refusal instead of nan."""
    from tinygrad_edu.engine.ops import reductions
    x0 = np.random.default_rng(3).uniform(0.5, 1.5, (3, 5))

    def hessian_rows(x0):
        x = Tensor(x0, requires_grad=True)
        g, = tg.grad(x.prod(axis=1).sum(), x, create_graph=True)
        return g.data, tg.grad((g * x0).sum(), x)[0].data
    grid = hessian_rows(x0)
    monkeypatch.setattr(reductions, "GRID_LIMIT", 10)
    divided = hessian_rows(x0)
    for a, b in zip(grid, divided):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    x0[1, 2] = 0.0
    with pytest.raises(NotImplementedError, match="prod: .*zeros.*GRID_LIMIT"):
        hessian_rows(x0)
