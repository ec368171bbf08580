"""Numerics in both tails: sigmoid, log(sigmoid), softmax family, x ** 0,
division as its own primitive, float32 kept float32."""
import numpy as np
import pytest

from tinygrad_edu import Tensor
from tinygrad_edu.functional import cross_entropy, log_softmax, softmax

EPS = np.finfo(np.float64).eps
XS = np.concatenate([-np.logspace(-8, np.log10(700), 200), [0.0], np.logspace(-8, np.log10(700), 200)])


def ulps(got, exact):
    got, exact = np.asarray(got, dtype=np.float64), np.asarray(exact, dtype=np.float64)
    return np.abs(got - exact) / np.maximum(np.abs(exact), np.finfo(np.float64).tiny) / EPS


def test_sigmoid_is_a_few_ulp_from_the_exact_value_in_both_tails():
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 50
    exact = np.array([float(1 / (1 + mpmath.exp(-mpmath.mpf(float(x))))) for x in XS])
    got = Tensor(XS).sigmoid().data
    assert ulps(got, exact).max() <= 4
    assert got[0] > 0 and Tensor(-38.0).sigmoid().item() > 0 and Tensor(-700.0).sigmoid().item() > 0


def test_sigmoid_and_its_gradient_match_torch_float64():
    torch = pytest.importorskip("torch")
    x = Tensor(XS, requires_grad=True)
    y = x.sigmoid()
    y.sum().backward()
    tx = torch.tensor(XS, requires_grad=True)
    ty = torch.sigmoid(tx)
    ty.sum().backward()
    assert ulps(y.data, ty.detach().numpy()).max() <= 4
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-14, atol=0)


@pytest.mark.parametrize("x", [-50.0, -38.0, -37.0, -700.0, 30.0])
def test_log_sigmoid_is_finite_with_the_right_gradient(x):
    t = Tensor(x, requires_grad=True)
    y = t.sigmoid().log()
    y.backward()
    # log sigmoid(x) = -log(1 + e^-x); its derivative 1 - sigmoid(x)
    exact_y = -np.log1p(np.exp(-x)) if x > -30 else x - np.log1p(np.exp(x))
    assert np.isfinite(y.item()) and y.item() == pytest.approx(exact_y, rel=1e-14)
    assert t.grad == pytest.approx(1 / (1 + np.exp(x)), rel=1e-14)


def test_sigmoid_in_float32_stays_float32_and_nonzero():
    y = Tensor(np.array([-90.0, -50.0, 0.0, 50.0], dtype=np.float32)).sigmoid()
    assert y.dtype == np.float32 and y.data[1] > 0 and y.data[3] == 1.0


@pytest.mark.parametrize("fn", ["softmax", "log_softmax", "cross_entropy"])
def test_softmax_family_matches_torch_float64_in_both_tails(fn):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(0)
    for scale in (1e-3, 1.0, 30.0, 300.0, 1e4):
        s = rng.standard_normal((8, 5)) * scale
        y = np.arange(8) % 5
        x = Tensor(s, requires_grad=True)
        tx = torch.tensor(s, requires_grad=True)
        if fn == "softmax":
            out, tout = softmax(x, axis=1), F.softmax(tx, dim=1)
        elif fn == "log_softmax":
            out, tout = log_softmax(x, axis=1), F.log_softmax(tx, dim=1)
        else:
            out, tout = cross_entropy(x, y), F.cross_entropy(tx, torch.tensor(y))
        w = rng.standard_normal(out.shape)
        (out * w).sum().backward()
        (tout * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-13, atol=1e-300)
        np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-12, atol=1e-15 * scale)


@pytest.mark.parametrize("x", [0.0, 2.0, -3.0])
def test_pow_zero_has_gradient_zero(x):
    t = Tensor(x, requires_grad=True)
    y = t ** 0
    y.backward()
    assert y.item() == 1.0 and t.grad == 0.0


def test_division_is_its_own_correctly_rounded_primitive():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal(10000), rng.standard_normal(10000)
    ta, tb = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    q = ta / tb
    assert q.op.name == "div" and q.op.formula == "da = dy / b, db = -dy * a / b**2"
    np.testing.assert_array_equal(q.data, a / b)
    np.testing.assert_array_equal((ta / ta).data, np.ones(10000))
    np.testing.assert_array_equal((ta / 3.0).data, a / 3.0)
    np.testing.assert_array_equal((3.0 / tb).data, 3.0 / b)
    assert (3.0 / tb).op.name == "div" and (ta / 3.0).op.name == "div"
    q.sum().backward()
    np.testing.assert_allclose(ta.grad, 1 / b, rtol=1e-15)
    np.testing.assert_allclose(tb.grad, -a / b**2, rtol=1e-14)


def test_division_gradient_does_not_overflow_for_huge_denominators():
    a, b = Tensor(1e200, requires_grad=True), Tensor(1e180, requires_grad=True)
    (a / b).backward()
    assert b.grad == pytest.approx(-1e200 / 1e180 / 1e180, rel=1e-14)


@pytest.mark.parametrize("build", [
    lambda x: x ** np.float64(2), lambda x: x + True, lambda x: x * 2.0, lambda x: x / np.float64(3),
    lambda x: 2 / x, lambda x: x - np.int64(1), lambda x: x * np.array(2.0), lambda x: np.float64(2) * x,
    lambda x: x ** 2, lambda x: (x * 3).sigmoid(), lambda x: x.mean(),
], ids=["pow-np64", "add-True", "mul-2.0", "div-np64", "rdiv", "sub-npint", "mul-0d", "rmul-np64",
        "pow-int", "sigmoid", "mean"])
def test_float32_stays_float32_under_scalars_and_accumulation(build):
    x = Tensor(np.array([1.0, 2.0, 3.0], dtype=np.float32), requires_grad=True)
    y = build(x)
    assert y.dtype == np.float32
    y.sum().backward()
    y2 = build(x)
    y2.sum().backward(grad=np.ones((), dtype=np.float64)) if y2.ndim == 0 else y2.sum().backward()
    assert x.grad.dtype == np.float32


def test_float32_grad_stays_float32_with_a_float64_seed():
    x = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    y = x * 2.0
    y.backward(grad=np.ones(3))
    y = x * 2.0
    y.backward(grad=np.ones(3))
    assert x.grad.dtype == np.float32 and y.grad.dtype == np.float32
