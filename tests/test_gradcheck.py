"""gradcheck: numerical gradients, rel_error, the engine check and every diagnosis of check_gradient."""
import functools

import numpy as np
import pytest

from tinygrad_edu import Tensor, losses, reference as R
from tinygrad_edu.gradcheck import (check_gradient, directional_check, grad_check_sparse, gradcheck,
                                    numerical_gradient, numerical_gradient_array, rel_error)

N, D, C = 7, 5, 4


def data(seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(N, D)), rng.integers(0, C, size=N), rng.normal(size=(D, C)) * 0.1


# ---------------------------------------------------------------------------------- rel_error


def test_rel_error_formula():
    assert rel_error(1.0, 1.0) == 0.0
    assert rel_error(0.0, 0.0) == 0.0
    assert rel_error(1.0, -1.0) == 1.0
    assert rel_error(3.0, 1.0) == 0.5
    assert np.isclose(rel_error(1e-10, 0.0), 1e-2)        # the 1e-8 floor
    assert rel_error(np.array([1.0, 2.0]), np.array([1.0, 4.0])) == pytest.approx(2 / 6)
    assert rel_error(Tensor([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0
    with pytest.raises(ValueError, match=r"rel_error: shapes \(2, 3\) and \(3, 2\)"):
        rel_error(np.zeros((2, 3)), np.zeros((3, 2)))


# ---------------------------------------------------------------------------------- numerical gradients


def test_numerical_gradient_matches_reference_and_restores():
    X, y, W = data(1)
    before = W.copy()
    num = numerical_gradient(lambda w: R.softmax_loss_vectorized(w, X, y, 0.3)[0], W)
    assert rel_error(num, R.softmax_loss_vectorized(W, X, y, 0.3)[1]) < 1e-7
    assert np.array_equal(W, before)


def test_numerical_gradient_closure_idiom_sees_in_place_changes():
    params = {"W": np.array([[1.0, 2.0], [3.0, -1.0]])}
    f = lambda _: float(np.sum(params["W"] ** 3))  # ignores its argument, reads the dict
    num = numerical_gradient(f, params["W"])
    assert rel_error(num, 3 * params["W"] ** 2) < 1e-9


def test_numerical_gradient_restores_x_when_f_raises():
    x = np.array([1.0, 2.0, 3.0])
    calls = []

    def f(a):
        calls.append(a.copy())
        if len(calls) == 4:   # raise while entry 1 is moved by -h
            raise RuntimeError("boom")
        return float(np.sum(a))

    with pytest.raises(RuntimeError, match="boom"):
        numerical_gradient(f, x)
    assert np.array_equal(x, [1.0, 2.0, 3.0])
    assert calls[3][1] != 2.0                    # the failing call did see a perturbed x


def test_forward_is_first_order_centered_second_order():
    x = np.array([0.3, -0.7, 1.1])
    f = lambda a: float(np.sum(np.exp(a)))
    exact = np.exp(x)
    err = {m: [np.max(np.abs(numerical_gradient(f, x, h, method=m) - exact)) for h in (1e-2, 5e-3)]
           for m in ("forward", "centered")}
    assert 1.8 < err["forward"][0] / err["forward"][1] < 2.2        # halving h halves the error
    assert 3.6 < err["centered"][0] / err["centered"][1] < 4.4      # ... or quarters it
    assert err["centered"][0] < err["forward"][0] / 100


@pytest.mark.parametrize("bad, kind, words", [
    (np.array([1, 2, 3]), TypeError, "dtype int64"),
    ([1.0, 2.0], TypeError, "got list"),
    (Tensor([1.0, 2.0]), TypeError, "pass its .data"),
])
def test_numerical_gradient_needs_float_array(bad, kind, words):
    with pytest.raises(kind, match=words) as e:
        numerical_gradient(lambda a: 0.0, bad)
    assert "numerical_gradient" in str(e.value)


def test_numerical_gradient_errors():
    x = np.ones(3)
    with pytest.raises(ValueError, match="must return a scalar, got an array of shape \\(3,\\)"):
        numerical_gradient(lambda a: a * 2, x)
    with pytest.raises(ValueError, match="method must be"):
        numerical_gradient(lambda a: 0.0, x, method="backward")
    with pytest.raises(ValueError, match="too small"):
        numerical_gradient(lambda a: 0.0, np.array([1e20]), h=1e-5)
    assert np.array_equal(x, np.ones(3))


def test_numerical_gradient_float32_and_tensor_output():
    x = np.array([0.5, -1.5], dtype=np.float32)
    num = numerical_gradient(lambda a: Tensor(a).exp().sum(), x, h=1e-2)
    assert num.shape == (2,) and rel_error(num, np.exp(x.astype(np.float64))) < 1e-4


def test_numerical_gradient_array():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(3, 4))
    x = rng.normal(size=(4, 2))
    df = rng.normal(size=(3, 2))
    num = numerical_gradient_array(lambda a: A @ a, x, df)
    assert rel_error(num, A.T @ df) < 1e-8
    # an op of the engine: the relu's backward is the vector-Jacobian product
    z = rng.normal(size=(3, 3))
    dz = rng.normal(size=(3, 3))
    t = Tensor(z, requires_grad=True)
    t.relu().backward(dz)
    assert rel_error(numerical_gradient_array(lambda a: Tensor(a).relu(), z, dz), t.grad) < 1e-8
    with pytest.raises(ValueError, match="df must be shaped like f's output"):
        numerical_gradient_array(lambda a: A @ a, x, np.ones(3))


def test_grad_check_sparse(capsys):
    X, y, W = data(2)
    f = lambda w: R.svm_loss_vectorized(w, X, y, 0.1)[0]
    _, dW = R.svm_loss_vectorized(W, X, y, 0.1)
    before = W.copy()
    res = grad_check_sparse(f, W, dW, num_checks=6, seed=0)
    assert len(res.rows) == 6 and len({r[0] for r in res.rows}) == 6
    assert res.max_rel_error < 1e-7 and np.array_equal(W, before)
    assert "max relative error over 6 entries" in str(res)
    wrong = dW.copy()
    wrong[res.rows[0][0]] += 1.0
    assert grad_check_sparse(f, W, wrong, num_checks=6, seed=0).max_rel_error > 1e-2
    grad_check_sparse(f, W, dW, num_checks=2, seed=1, verbose=True)
    assert capsys.readouterr().out.count("relative error") == 2
    assert len(grad_check_sparse(f, W, dW, num_checks=100).rows) == W.size


def test_directional_check():
    X, y, W = data(3)
    f = lambda w: R.softmax_loss_vectorized(w, X, y, 0.2)[0]
    _, dW = R.softmax_loss_vectorized(W, X, y, 0.2)
    before = W.copy()
    res = directional_check(f, W, dW, num_directions=4, seed=0)
    assert len(res.rows) == 4 and res.max_rel_error < 1e-7 and np.array_equal(W, before)
    wrong = dW.copy()
    wrong[1, 2] += 0.5
    assert directional_check(f, W, wrong, num_directions=4, seed=0).max_rel_error > 1e-3
    assert "directions" in str(res)

    def boom(_):
        raise KeyError("nope")
    with pytest.raises(KeyError):
        directional_check(boom, W, dW)
    assert np.array_equal(W, before)


# ---------------------------------------------------------------------------------- gradcheck


def test_gradcheck_engine_agrees():
    X, y, W = data(4)
    Wt = Tensor(W.copy(), requires_grad=True, name="W")
    Wt.grad = np.full(W.shape, 7.0)             # an earlier gradient stays untouched
    Xt = Tensor(X)                              # not requiring grad: not checked
    rep = gradcheck(lambda w, x: losses.softmax_loss(w, x, y, 0.1), Wt, Xt)
    assert rep and rep.ok and len(rep.checks) == 1
    text = str(rep)
    for words in ("max rel err", "max abs err", "worst at", "engine", "numerical", "W", "(5, 4)", "ok"):
        assert words in text
    assert np.array_equal(Wt.data, W) and np.all(Wt.grad == 7.0)
    assert rep.checks[0].max_rel_error < 1e-7


def test_gradcheck_several_inputs_and_float32():
    rng = np.random.default_rng(5)
    a = Tensor(rng.normal(size=(3, 2)), requires_grad=True)
    b = Tensor(rng.normal(size=(2, 4)), requires_grad=True)
    rep = gradcheck(lambda p, q: ((p @ q).tanh() * (p @ q)).sum(), a, b)
    assert rep and len(rep.checks) == 2
    a32 = Tensor(rng.normal(size=(3,)).astype(np.float32), requires_grad=True)
    rep32 = gradcheck(lambda p: (p * p).sigmoid().sum(), a32)          # rechecked in float64
    assert rep32 and rep32.checks[0].dtype == "f32→f64" and "float64 copies" in str(rep32)
    assert a32.dtype == np.float32 and a32.grad is None               # the input as it was
    stays32 = gradcheck(lambda p: (p * p).sigmoid().sum().float(), a32)   # f insists on float32
    assert stays32.verdict == "inconclusive" and "cannot be rechecked in float64" in str(stays32)


def test_gradcheck_finds_a_gradient_the_engine_misses():
    # the cube goes around the graph (detach), so the engine sees only 2w: the check must fail
    w = Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    rep = gradcheck(lambda t: (t * t).sum() + (t.detach() ** 3).sum(), w)
    assert not rep and "WRONG" in str(rep)
    c = rep.checks[0]
    # at w = -1 the engine says 2w = -2 but the truth is 2w + 3w^2 = 1: opposite signs, rel error 1
    assert c.worst_index == (1,) and np.isclose(c.analytic_at_worst, -2.0)
    assert np.isclose(c.numerical_at_worst, 1.0, rtol=1e-6) and np.isclose(c.max_rel_error, 1.0)


def test_gradcheck_errors():
    with pytest.raises(ValueError, match="no input has requires_grad"):
        gradcheck(lambda t: t.sum(), Tensor([1.0]))
    with pytest.raises(TypeError, match="input 0 is a ndarray"):
        gradcheck(lambda t: t.sum(), np.ones(2))
    w = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(ValueError, match="one-element Tensor"):
        gradcheck(lambda t: t * 2, w)
    assert w.grad is None and np.array_equal(w.data, np.ones(3))


# ---------------------------------------------------------------------------------- check_gradient


def softmax_f(X, y, reg, wrong=lambda loss, dW, W: dW):
    """A learner-style f(W) -> (loss, dW), with ``wrong`` applied to the gradient."""
    def f(W):
        loss, dW = R.softmax_loss_vectorized(W, X, y, reg)
        return loss, wrong(loss, dW, W)
    return f


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("reg", [0.0, 0.4])
def test_check_gradient_right(seed, reg):
    X, y, W = data(seed)
    for fn in (R.softmax_loss_naive, R.svm_loss_naive):
        rep = check_gradient(lambda w: fn(w, X, y, reg), W, reg=reg)
        assert rep and rep.ok and rep.diagnoses == [] and rep.max_rel_error < 1e-6
        assert "verdict: ok" in str(rep)


def codes_for(wrong, reg=0.3, N_arg=None, seed=0):
    X, y, W = data(seed)
    before = W.copy()
    rep = check_gradient(softmax_f(X, y, reg, wrong), W, reg=reg, N=N_arg)
    assert not rep and not rep.ok
    assert np.array_equal(W, before)
    for d in rep.diagnoses:
        assert d.text and str(d).startswith(f"[{d.code}]") and d.text in str(rep)
    return rep.codes


def test_diagnose_sign_flip():
    assert codes_for(lambda l, g, W: -g) == ["sign_flip"]


def test_diagnose_constant_factor():
    assert codes_for(lambda l, g, W: 3 * g) == ["scale"]


def test_diagnose_batch_size_inferred_from_closure():
    codes = codes_for(lambda l, g, W: g * N)        # X (N, D) is in f's closure
    assert codes == ["batch_size"]


def test_diagnose_batch_size_given_and_divided_twice():
    X, y, W = data(0)
    f = functools.partial(lambda W, Xs, ys: (lambda l, g: (l, g / 9))(*R.softmax_loss_vectorized(W, Xs, ys, 0.0)),
                          Xs=X[:4].repeat(1, axis=0), ys=y[:4])
    rep = check_gradient(f, W, N=9)
    assert rep.codes == ["batch_size"] and "divided by N twice" in rep.diagnoses[0].text


def test_diagnose_regularization_mistakes():
    reg = 0.3
    assert codes_for(lambda l, g, W: g - 2 * reg * W, reg) == ["reg_missing"]
    assert codes_for(lambda l, g, W: g + 2 * reg * W, reg) == ["reg_doubled"]
    assert codes_for(lambda l, g, W: g - reg * W, reg) == ["reg_half"]
    assert codes_for(lambda l, g, W: g + reg * W, reg) == ["reg_excess"]


def test_diagnose_transposed():
    X, y, W = data(0)
    rep = check_gradient(softmax_f(X, y, 0.0, lambda l, g, W: g.T), W)
    assert rep.codes == ["transposed"] and "(4, 5)" in str(rep)
    Ws = np.random.default_rng(1).normal(size=(4, 4))          # square: only the values tell
    f = lambda w: (float(np.sum(np.sin(w) * np.arange(16.0).reshape(4, 4))),
                   (np.cos(w) * np.arange(16.0).reshape(4, 4)).T)
    assert check_gradient(f, Ws).codes == ["transposed"]


def test_diagnose_shape():
    X, y, W = data(0)
    assert check_gradient(softmax_f(X, y, 0.0, lambda l, g, W: g.ravel()), W).codes == ["shape"]


def test_diagnose_mask_relu():
    x = np.array([[1.5, -0.5, 0.7], [-2.0, 0.3, -0.1]])
    c = np.array([[2.0, -1.0, 0.5], [1.0, 3.0, -2.0]])
    f = lambda a: (float(np.sum(np.maximum(a, 0) * c)), c.copy())   # forgot the ReLU mask
    rep = check_gradient(f, x)
    assert rep.codes == ["mask"] and "right everywhere else" in rep.diagnoses[0].text
    g = lambda a: (float(np.sum(np.maximum(a, 0) * c)), c * (a > 1.0))  # a mask that blocks too much
    assert check_gradient(g, x).codes == ["mask"]


def test_diagnose_mask_hinge_margin():
    rng = np.random.default_rng(2)
    S = rng.normal(size=(N, C))
    y = rng.integers(0, C, size=N)

    def hinge_without_margin_mask(s):
        m = np.maximum(0, s - s[np.arange(N), y][:, None] + 1.0)
        m[np.arange(N), y] = 0
        grad = np.ones_like(s) / N                       # every margin counted, positive or not
        grad[np.arange(N), y] = -(C - 1) / N
        return float(m.sum() / N), grad
    assert "mask" in check_gradient(hinge_without_margin_mask, S).codes


def test_diagnose_loss_independent_of_x():
    X, y, W = data(0)
    frozen = W.copy()                  # f reads the model's own copy, not the x it is given
    f = lambda w: R.softmax_loss_vectorized(frozen, X, y, 0.0)
    assert check_gradient(f, W).codes == ["no_dependence"]
    reg = 0.5                          # data loss from the copy, regularization from x
    g = lambda w: (R.softmax_loss_vectorized(frozen, X, y, 0.0)[0] + reg * np.sum(w * w),
                   R.softmax_loss_vectorized(w, X, y, reg)[1])
    assert check_gradient(g, W, reg=reg).codes == ["only_reg"]


def test_diagnose_input_modified_by_f():
    X, y, W = data(0)
    before = W.copy()

    def f(w):
        w *= 1.0001                    # an in-place "update" inside the loss
        return R.softmax_loss_vectorized(w, X, y, 0.0)
    rep = check_gradient(f, W)
    assert "input_modified" in rep.codes and not rep
    assert np.array_equal(W, before)
    calls = []

    def late(w):                       # changes x only from the second call on
        calls.append(1)
        if len(calls) > 1:
            w[0, 0] += 1.0
        return R.softmax_loss_vectorized(w, X, y, 0.0)
    rep = check_gradient(late, W)
    assert "input_modified" in rep.codes and np.array_equal(W, before)


def test_diagnose_unrecognized_mismatch():
    noise = np.random.default_rng(9).normal(size=(D, C))
    assert codes_for(lambda l, g, W: g + noise) == ["mismatch"]


def test_check_gradient_needs_loss_and_grad():
    X, y, W = data(0)
    with pytest.raises(TypeError, match=r"f must return \(loss, grad\)"):
        check_gradient(lambda w: R.softmax_loss_vectorized(w, X, y, 0.0)[0], W)
    with pytest.raises(TypeError, match="float numpy array"):
        check_gradient(lambda w: (0.0, w), [1.0])
