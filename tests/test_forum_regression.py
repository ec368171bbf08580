"""The classic PyTorch forum regression (normalized squared features), run word for word under
PyTorch and under tinygrad_edu: the same losses and weights."""
import numpy as np
import pytest

import tinygrad_edu


def forum_regression(torch, x_raw, y_raw, w0, lr=0.1, steps=100):
    """The forum's program with ``torch`` a parameter (``w.grad.zero_()`` written ``w.grad = None``)."""
    x = torch.tensor(x_raw)
    x = torch.stack([x, x ** 2, x ** 3], dim=1).float()            # (n, 3) features
    x = (x - x.mean(dim=0, keepdim=True)) / x.std(dim=0, keepdim=True)
    x = torch.cat([x, torch.ones(len(x_raw), 1).float()], dim=1)     # a bias column
    y = torch.tensor(y_raw).float().unsqueeze(1)
    w = torch.tensor(w0, requires_grad=True)
    losses = []
    for _ in range(steps):
        loss = ((torch.matmul(x, w) - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            w.grad = None
        losses.append(loss.item())
    return losses, w.detach().numpy()


def _data():
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 3, 50)
    y = 1.5 - 2.0 * x + 0.7 * x ** 2 + 0.1 * x ** 3 + 0.3 * rng.standard_normal(50)
    return x, y, rng.standard_normal((4, 1)).astype(np.float32)


def test_forum_regression_same_numbers_as_pytorch():
    torch = pytest.importorskip("torch")
    x, y, w0 = _data()
    ours, w_ours = forum_regression(tinygrad_edu, x, y, w0)
    theirs, w_theirs = forum_regression(torch, x, y, w0)
    assert w_ours.dtype == np.float32 and len(ours) == 100
    assert ours[-1] < 0.2 * ours[0]                       # it learns
    np.testing.assert_allclose(ours, theirs, rtol=2e-5)   # float32 on both sides
    np.testing.assert_allclose(w_ours, w_theirs, rtol=2e-5, atol=1e-6)


def test_forum_regression_runs_without_torch():
    x, y, w0 = _data()
    losses, w = forum_regression(tinygrad_edu, x, y, w0, steps=300)
    # the exact least-squares fit of the same normalized features, in float64
    f = np.stack([x, x ** 2, x ** 3], axis=1)
    f = (f - f.mean(0)) / f.std(0, ddof=1)
    f = np.concatenate([f, np.ones((50, 1))], axis=1)
    best = np.linalg.lstsq(f, y, rcond=None)[0]
    assert losses[-1] < 1.05 * np.mean((f @ best - y) ** 2)
