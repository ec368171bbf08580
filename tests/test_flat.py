"""flatten / unflatten round trips, the objective's gradient, and scipy.optimize training a net."""
import numpy as np
import pytest

from tinygrad_edu import Tensor
from tinygrad_edu.flat import flatten, minimize, objective, unflatten
from tinygrad_edu.losses import two_layer_loss


def params(seed=0):
    rng = np.random.RandomState(seed)
    return {"W1": rng.randn(4, 5), "b1": rng.randn(5), "W2": rng.randn(5, 3), "b2": rng.randn(3)}


def test_round_trip():
    p = params()
    flat = flatten(p)
    assert flat.shape == (4 * 5 + 5 + 5 * 3 + 3,) and flat.dtype == np.float64
    back = unflatten(flat, p)
    assert list(back) == list(p)
    for k in p:
        assert back[k].shape == p[k].shape and np.array_equal(back[k], p[k])
    np.testing.assert_array_equal(flatten(back), flat)
    # Tensors work as well as arrays, and the result does not share memory with the input
    tp = {k: Tensor(v) for k, v in p.items()}
    np.testing.assert_array_equal(flatten(tp), flat)
    back["W1"][0, 0] = 123.0
    assert flat[0] != 123.0


def test_unflatten_rejects_wrong_length():
    with pytest.raises(ValueError, match="expected a 1-D vector of 43 entries"):
        unflatten(np.zeros(42), params())


def test_objective_gradient_matches_centered_differences():
    rng = np.random.RandomState(1)
    X, y = rng.randn(6, 4), np.array([0, 1, 2, 2, 1, 0])
    f = objective(lambda p: two_layer_loss(p, X, y, reg=0.1), params())
    x0 = flatten(params())
    loss, grad = f(x0)
    h = 1e-6
    num = np.array([(f(x0 + h * e)[0] - f(x0 - h * e)[0]) / (2 * h) for e in np.eye(x0.size)])
    assert np.max(np.abs(grad - num) / np.maximum(1e-8, np.abs(grad) + np.abs(num))) < 1e-6
    assert f.calls == 1 + 2 * x0.size


def test_unused_parameter_gets_zero_gradient():
    f = objective(lambda p: (p["a"] * p["a"]).sum(), {"a": np.ones(2), "b": np.ones(3)})
    loss, grad = f(np.array([1.0, 2.0, 7.0, 7.0, 7.0]))
    assert loss == 5.0
    np.testing.assert_array_equal(grad, [2.0, 4.0, 0.0, 0.0, 0.0])


@pytest.mark.parametrize("method", ["CG", "L-BFGS-B"])
def test_scipy_trains_a_two_layer_net_on_small_digits(method):
    pytest.importorskip("scipy")
    pytest.importorskip("sklearn")
    from tinygrad_edu.datasets import load_digits
    d = load_digits(seed=0, n=400)
    rng = np.random.RandomState(0)
    p0 = {"W1": 0.1 * rng.randn(64, 20), "b1": np.zeros(20),
          "W2": 0.1 * rng.randn(20, 10), "b2": np.zeros(10)}
    best, res = minimize(lambda p: two_layer_loss(p, d.X_train, d.y_train, reg=1e-3), p0,
                         method=method, maxiter=60)
    assert res.fun < 0.3
    assert len(res.loss_history) == res.nit and res.loss_history[-1] == pytest.approx(res.fun)
    assert res.loss_history[0] > res.loss_history[-1] and res.calls >= res.nit
    scores = np.maximum(0, d.X_test @ best["W1"] + best["b1"]) @ best["W2"] + best["b2"]
    assert np.mean(scores.argmax(1) == d.y_test) >= 0.85
