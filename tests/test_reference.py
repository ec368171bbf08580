"""reference: naive, vectorized, graph and numerical gradients agree; known values."""
import numpy as np
import pytest

from tinygrad_edu import Tensor, losses, reference as R
from conftest import loss_data, numgrad, rel


def data(seed, n=8, d=6, c=5, h=7):
    return loss_data(seed, n, d, c, h, w_scale=0.3)


LINEAR = [("softmax", R.softmax_loss_naive, R.softmax_loss_vectorized, losses.softmax_loss),
          ("svm", R.svm_loss_naive, R.svm_loss_vectorized, losses.svm_loss)]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("reg", [0.0, 0.5])
@pytest.mark.parametrize("name, naive, vectorized, graph", LINEAR)
def test_linear_three_ways(seed, reg, name, naive, vectorized, graph):
    X, y, W, _ = data(seed)
    loss_n, dW_n = naive(W, X, y, reg)
    loss_v, dW_v = vectorized(W, X, y, reg)
    Wt = Tensor(W, requires_grad=True)
    loss_g = graph(Wt, X, y, reg)
    loss_g.backward()
    assert abs(loss_n - loss_v) <= 1e-12 * abs(loss_v) and abs(loss_g.item() - loss_v) <= 1e-12 * abs(loss_v)
    assert rel(dW_n, dW_v) < 1e-9
    assert rel(Wt.grad, dW_v) < 1e-9
    num = numgrad(lambda: vectorized(W, X, y, reg)[0], W)
    assert rel(dW_v, num) < 1e-6
    assert isinstance(loss_n, float) and dW_n.shape == W.shape


@pytest.mark.parametrize("delta", [0.5, 2.0])
def test_svm_delta(delta):
    X, y, W, _ = data(5)
    loss_n, dW_n = R.svm_loss_naive(W, X, y, 0.1, delta)
    loss_v, dW_v = R.svm_loss_vectorized(W, X, y, 0.1, delta)
    Wt = Tensor(W, requires_grad=True)
    loss_g = losses.svm_loss(Wt, X, y, 0.1, delta)
    loss_g.backward()
    assert np.isclose(loss_n, loss_v, rtol=1e-12) and np.isclose(loss_g.item(), loss_v, rtol=1e-12)
    assert rel(dW_n, dW_v) < 1e-9 and rel(Wt.grad, dW_v) < 1e-9


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("reg", [0.0, 0.3])
def test_two_layer_three_ways(seed, reg):
    X, y, _, params = data(seed)
    loss_r, grads = R.two_layer_loss(params, X, y, reg)
    tensors = {k: Tensor(v, requires_grad=True) for k, v in params.items()}
    loss_g = losses.two_layer_loss(tensors, X, y, reg)
    loss_g.backward()
    assert abs(loss_g.item() - loss_r) <= 1e-12 * abs(loss_r)
    for k, v in params.items():
        assert grads[k].shape == v.shape
        assert rel(tensors[k].grad, grads[k]) < 1e-9, k
        num = numgrad(lambda: R.two_layer_loss(params, X, y, reg)[0], v)
        assert rel(grads[k], num) < 1e-6, k


def test_known_values():
    X, y, W, params = data(0, c=6)
    W0 = np.zeros_like(W)
    for fn in (R.softmax_loss_naive, R.softmax_loss_vectorized):
        assert np.isclose(fn(W0, X, y, 0.0)[0], np.log(6), rtol=1e-14)
    for fn in (R.svm_loss_naive, R.svm_loss_vectorized):
        assert np.isclose(fn(W0, X, y, 0.0)[0], 5.0)
    zeros = {k: np.zeros_like(v) for k, v in params.items()}
    assert np.isclose(R.two_layer_loss(zeros, X, y, 0.3)[0], np.log(6), rtol=1e-14)


def test_stable_with_large_scores():
    X, y, W, _ = data(1)
    W = W * 1e4
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        ln, dn = R.softmax_loss_naive(W, X, y, 0.0)
        lv, dv = R.softmax_loss_vectorized(W, X, y, 0.0)
    assert np.isfinite(ln) and np.isclose(ln, lv, rtol=1e-12) and rel(dn, dv) < 1e-9


def test_no_tensor_inside():
    import inspect
    assert "Tensor" not in inspect.getsource(R).replace("no Tensor", "")


def test_bad_input():
    X, y, W, _ = data(0)
    with pytest.raises(ValueError, match=r"svm_loss_naive: X has shape \(8, 6\) \(N, D\), so W must have shape \(6, C\)"):
        R.svm_loss_naive(W.T, X, y, 0.0)
    with pytest.raises(ValueError, match=r"softmax_loss_vectorized: .*labels y must be 8 class indices in \[0, 5\)"):
        R.softmax_loss_vectorized(W, X, y + 5, 0.0)
