"""functional: values and gradients against numpy, numerical differences and PyTorch; stability."""
import warnings

import numpy as np
import pytest

import tinygrad_edu.functional as F
from tinygrad_edu import Tensor


def numgrad(f, x, h=1e-6):
    """Centered differences of a scalar f(x) (kept local so these tests do not rely on gradcheck)."""
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        x[i] = old
        g[i] = (fp - fm) / (2 * h)
    return g


def grad_of(fn, x):
    t = Tensor(x.copy(), requires_grad=True)
    out = fn(t)
    out.backward()
    return out.item(), t.grad


def rel(a, b):
    return np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_logsumexp_softmax_values(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(4, 5)) * 3
    ref = np.log(np.exp(x).sum(axis=1))
    assert rel(F.logsumexp(Tensor(x), axis=1).data, ref) < 1e-13
    assert F.logsumexp(Tensor(x), axis=1, keepdims=True).shape == (4, 1)
    assert rel(F.logsumexp(Tensor(x), axis=0).data, np.log(np.exp(x).sum(axis=0))) < 1e-13
    assert rel(F.logsumexp(Tensor(x), axis=(0, 1)).data, np.log(np.exp(x).sum())) < 1e-13
    p = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    assert rel(F.softmax(Tensor(x)).data, p) < 1e-13
    assert rel(F.log_softmax(Tensor(x)).data, np.log(p)) < 1e-12


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gradients_match_numerical(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(5, 4))
    y = rng.integers(0, 4, size=5)
    w = rng.normal(size=(5, 4))  # a fixed weighting makes softmax/log_softmax scalar-valued
    cases = {
        "logsumexp": lambda t: (F.logsumexp(t, axis=1) * w[:, 0]).sum(),
        "softmax": lambda t: (F.softmax(t) * w).sum(),
        "log_softmax": lambda t: (F.log_softmax(t, axis=0) * w).sum(),
        "cross_entropy": lambda t: F.cross_entropy(t, y),
        "hinge": lambda t: F.multiclass_hinge(t, y, delta=0.5),
        "mse": lambda t: F.mse(t, w),
    }
    for name, fn in cases.items():
        _, g = grad_of(fn, x)
        num = numgrad(lambda a: fn(Tensor(a)).item(), x.copy())
        assert rel(g, num) < 1e-6, name


def test_known_values():
    n, c = 6, 7
    zeros = Tensor(np.zeros((n, c)))
    y = np.arange(n) % c
    assert np.isclose(F.cross_entropy(zeros, y).item(), np.log(c), rtol=1e-14)
    assert np.isclose(F.multiclass_hinge(zeros, y).item(), (c - 1) * 1.0)
    assert np.isclose(F.multiclass_hinge(zeros, y, delta=2.5).item(), (c - 1) * 2.5)
    assert np.isclose(F.mse(Tensor([1.0, 2.0]), [0.0, 0.0]).item(), 2.5)


def test_hinge_by_hand():
    s = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
    y = [0, 1, 2]
    # cs231n's worked example: 2.9, 0, 12.9
    assert np.isclose(F.multiclass_hinge(s, y).item(), (2.9 + 0.0 + 12.9) / 3)


def test_labels_in_every_form():
    rng = np.random.default_rng(0)
    s = rng.normal(size=(3, 4))
    expected = F.cross_entropy(s, np.array([1, 0, 3])).item()
    for y in ([1, 0, 3], np.array([1, 0, 3], dtype=np.int32), Tensor([1, 0, 3]), np.array([1.0, 0.0, 3.0])):
        assert F.cross_entropy(s, y).item() == expected


@pytest.mark.parametrize("fn", [F.cross_entropy, F.multiclass_hinge])
@pytest.mark.parametrize("y, words", [
    ([0, 1, 4], "[4] outside"),
    ([0, -1, 2], "[-1] outside"),
    ([0, 1], "shape (3,)"),
    ([[0, 1, 2]], "shape (3,)"),
    ([0, 1.5, 2], "whole numbers"),
    (np.array([True, False, True]), "integers"),
    (["a", "b", "c"], "integers"),
])
def test_bad_labels(fn, y, words):
    with pytest.raises(ValueError) as e:
        fn(Tensor(np.zeros((3, 4))), y)
    assert fn.__name__ in str(e.value) and words in str(e.value) and "(3, 4)" in str(e.value)


def test_bad_shapes():
    with pytest.raises(ValueError, match="cross_entropy: scores must be 2-D"):
        F.cross_entropy(Tensor(np.zeros(3)), [0, 1, 2])
    with pytest.raises(ValueError, match=r"mse: pred has shape \(2,\) but target has shape \(3,\)"):
        F.mse(Tensor(np.zeros(2)), np.zeros(3))


def test_stable_at_1e4():
    """Logits of +-1e4: finite values and gradients, no numpy overflow/invalid/divide, no warnings.

    (Underflow of exp(-2e4) to 0.0 is the correctly rounded result and numpy ignores it by default.)
    """
    s = np.array([[1e4, -1e4, 0.0, 1e4], [-1e4, -1e4, -1e4, -1e4], [5e3, -1e4, 1e4, 2.0]])
    y = np.array([0, 2, 1])
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        for fn in (lambda t: F.cross_entropy(t, y), lambda t: F.multiclass_hinge(t, y),
                   lambda t: F.logsumexp(t).sum(), lambda t: (F.softmax(t) * s).sum(),
                   lambda t: F.log_softmax(t).sum()):
            val, g = grad_of(fn, s)
            assert np.isfinite(val) and np.all(np.isfinite(g))
    assert np.isclose(F.logsumexp(Tensor(s)).data[0], 1e4 + np.log(2))
    # row 0 ties two maxima: softmax puts 1/2 on each; the gradient of lse is that softmax
    _, g = grad_of(lambda t: F.logsumexp(t).sum(), s)
    assert np.allclose(g[0], [0.5, 0, 0, 0.5]) and np.allclose(g[1], 0.25)
    # row 2 of cross entropy: the label has score -1e4 against 1e4, loss ~ 2e4
    assert np.isclose(F.cross_entropy(s[2:], y[2:]).item(), 2e4)


def test_float32_kept():
    x = Tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True)
    loss = F.cross_entropy(x, [0, 1])
    loss.backward()
    assert loss.dtype == np.float32 and x.grad.dtype == np.float32


def test_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    n, c = 5, 4
    x = rng.normal(size=(n, c)) * 2
    y = rng.integers(0, c, size=n)
    tx = torch.tensor(x, requires_grad=True)
    ty = torch.tensor(y)
    pairs = [
        (lambda t: F.logsumexp(t, axis=1).sum(), lambda t: torch.logsumexp(t, dim=1).sum()),
        (lambda t: (F.log_softmax(t) * x).sum(), lambda t: (torch.log_softmax(t, dim=-1) * torch.tensor(x)).sum()),
        (lambda t: (F.softmax(t, axis=0) * x).sum(), lambda t: (torch.softmax(t, dim=0) * torch.tensor(x)).sum()),
        (lambda t: F.cross_entropy(t, y), lambda t: torch.nn.functional.cross_entropy(t, ty)),
        # torch's multi_margin_loss averages over the C classes too: it equals hinge / C
        (lambda t: F.multiclass_hinge(t, y, delta=0.7) * (1.0 / c),
         lambda t: torch.nn.functional.multi_margin_loss(t, ty, p=1, margin=0.7)),
        (lambda t: F.mse(t, x[::-1].copy()), lambda t: torch.nn.functional.mse_loss(t, torch.tensor(x[::-1].copy()))),
    ]
    for ours, theirs in pairs:
        val, g = grad_of(ours, x)
        tx.grad = None
        out = theirs(tx)
        out.backward()
        assert np.isclose(val, out.item(), rtol=1e-12, atol=1e-14)
        assert rel(g, tx.grad.numpy()) < 1e-10
