"""check_gradient in the setting students use: reg on (both conventions), batch sizes 1 to 500,
weights of several scales, float32, kinks, sparse checks; gradcheck naming a wrong custom op; the
command line on a student's own file. Each test can fail: it asserts the exact codes."""
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from tinygrad_edu import Function, Tensor, reference as R
from tinygrad_edu.gradcheck import (check_gradient, grad_check_sparse, gradcheck,
                                    numerical_gradient, numerical_gradient_array)

ROOT = Path(__file__).resolve().parents[1]


def setting(N, scale, D=12, C=5, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, D)).astype(dtype)
    return X, rng.integers(0, C, size=N), (rng.normal(size=(D, C)) * scale).astype(dtype)


# each mistake: (the gradient it returns from the data gradient d, W, N, c = 2 or 1, reg), and the
# codes expected (a function of N and reg, since e.g. a missing /N cannot show when N = 1)
MISTAKES = {
    "right": (lambda d, W, N, c, reg: d + c * reg * W, lambda N, reg: []),
    "no_mean": (lambda d, W, N, c, reg: N * d + c * reg * W, lambda N, reg: ["batch_size"] * (N > 1)),
    "mean_twice": (lambda d, W, N, c, reg: d / N + c * reg * W, lambda N, reg: ["batch_size"] * (N > 1)),
    "sign": (lambda d, W, N, c, reg: -d + c * reg * W, lambda N, reg: ["sign_flip"]),
    "reg_missing": (lambda d, W, N, c, reg: d, lambda N, reg: ["reg_missing"] * (reg > 0)),
    "reg_doubled": (lambda d, W, N, c, reg: d + 2 * c * reg * W, lambda N, reg: ["reg_doubled"] * (reg > 0)),
    "reg_half": (lambda d, W, N, c, reg: d + 0.5 * c * reg * W, lambda N, reg: ["reg_half"] * (reg > 0)),
    "transposed": (lambda d, W, N, c, reg: (d + c * reg * W).T, lambda N, reg: ["transposed"]),
    "no_mean_no_reg": (lambda d, W, N, c, reg: N * d,
                       lambda N, reg: ["batch_size"] * (N > 1) + ["reg_missing"] * (reg > 0)),
}


def learner(X, y, reg, mistake, convention=1.0, loss="softmax"):
    """A student's f(W) -> (loss, dW): the loss right, the gradient with ``mistake``."""
    fn = R.softmax_loss_vectorized if loss == "softmax" else R.svm_loss_vectorized
    wrong = MISTAKES[mistake][0]

    def f(W):
        data_loss, d = fn(W, X, y, 0.0)
        return data_loss + convention * reg * np.sum(W * W), wrong(d, W, len(y), 2 * convention, reg)
    return f


@pytest.mark.parametrize("mistake", list(MISTAKES))
@pytest.mark.parametrize("reg", [0.0, 1e-3, 0.1, 50.0])
@pytest.mark.parametrize("N", [1, 50])
@pytest.mark.parametrize("scale", [1e-4, 0.05, 3.0])
def test_each_mistake_named_at_any_reg_and_batch(mistake, reg, N, scale):
    X, y, W = setting(N, scale=scale)
    before = W.copy()
    rep = check_gradient(learner(X, y, reg, mistake), W, reg=reg)
    expected = MISTAKES[mistake][1](N, reg)
    assert rep.codes == expected, str(rep)
    assert rep.ok == (expected == [])
    assert np.array_equal(W, before)


@pytest.mark.parametrize("mistake", list(MISTAKES))
@pytest.mark.parametrize("scale", [1e-2, 1.0])
@pytest.mark.parametrize("reg", [0.0, 0.1, 50.0])
@pytest.mark.parametrize("loss", ["softmax", "svm"])
def test_each_mistake_named_at_the_dev_batch_size_sparse(mistake, scale, reg, loss):
    X, y, W = setting(500, scale=scale, D=60, C=10, seed=1)
    rep = check_gradient(learner(X, y, reg, mistake, loss=loss), W, reg=reg, num_checks=20, seed=0)
    assert rep.codes == MISTAKES[mistake][1](500, reg), str(rep)
    assert len(rep.checked) == 20 and rep.evaluations <= 1 + 4 * 4 * 8 + 2 * 20 + 2 * 2 * 20
    assert "20 random entries of 600" in str(rep)


@pytest.mark.parametrize("mistake", ["no_mean", "sign", "reg_missing", "reg_doubled", "reg_half",
                                     "no_mean_no_reg"])
def test_half_convention(mistake):
    """Loss 0.5*reg*sum(W*W), gradient reg*W: told the convention, every mistake is named."""
    X, y, W = setting(50, scale=0.1, seed=2)
    rep = check_gradient(learner(X, y, 0.1, mistake, convention=0.5), W, reg=0.1, reg_convention=0.5)
    assert rep.codes == MISTAKES[mistake][1](50, 0.1), str(rep)


def test_half_convention_unannounced_gives_both_readings():
    X, y, W = setting(50, scale=0.1, seed=2)
    rep = check_gradient(learner(X, y, 0.1, "reg_missing", convention=0.5), W, reg=0.1)
    assert rep.codes == ["reg_half"]                 # read as the losses' own convention ...
    assert "lacks the regularization's gradient instead" in str(rep)   # ... and the other reading
    for mistake in ("right", "no_mean", "sign", "no_mean_no_reg"):     # these are unambiguous
        rep = check_gradient(learner(X, y, 0.1, mistake, convention=0.5), W, reg=0.1)
        assert rep.codes == MISTAKES[mistake][1](50, 0.1), (mistake, str(rep))


def test_reg_unknown_is_estimated_and_never_claimed_ruled_out():
    X, y, W = setting(50, scale=0.1)
    rep = check_gradient(learner(X, y, 0.1, "reg_missing"), W)         # reg not given
    assert rep.codes == ["reg_missing"] and "Pass reg=" in str(rep)
    rep = check_gradient(learner(X, y, 0.1, "no_mean"), W)
    assert rep.codes == ["batch_size"]
    assert "not a constant factor, sign, regularization" not in str(rep)


def test_loss_that_reads_a_copy():
    X, y, W = setting(50, scale=0.1)
    frozen = W.copy()
    f = lambda w: learner(X, y, 0.1, "right")(frozen)                  # noqa: E731
    assert check_gradient(f, W, reg=0.1).codes == ["no_dependence"]
    g = lambda w: (R.softmax_loss_vectorized(frozen, X, y, 0)[0] + 0.1 * np.sum(w * w),  # noqa: E731
                   learner(X, y, 0.1, "right")(w)[1])
    assert check_gradient(g, W, reg=0.1).codes == ["only_reg"]


def two_layer(X, y, reg, mask=True):
    N = len(y)
    rng = np.random.default_rng(3)
    p = {"W1": rng.normal(size=(X.shape[1], 16)) / 3, "b1": rng.normal(size=16) * 0.1,
         "W2": rng.normal(size=(16, 4)) / 4}

    def f(W1):
        Z = X @ W1 + p["b1"]
        S = np.maximum(Z, 0) @ p["W2"]
        P = np.exp(S - S.max(1, keepdims=True))
        P /= P.sum(1, keepdims=True)
        loss = -np.log(P[np.arange(N), y]).mean() + reg * (np.sum(W1 * W1) + np.sum(p["W2"] ** 2))
        P[np.arange(N), y] -= 1
        dA = P / N @ p["W2"].T
        return loss, X.T @ (dA * (Z > 0) if mask else dA) + 2 * reg * W1
    return f, p["W1"]


def test_missing_relu_mask_in_a_two_layer_net_is_listed_not_denied():
    X, y, _ = setting(50, 1.0, D=10, C=4)
    f, W1 = two_layer(X, y, 0.05, mask=False)
    rep = check_gradient(f, W1, reg=0.05)
    assert rep.codes == ["mismatch"]
    text = str(rep)
    assert "mask missing" in text and "not ... mask" not in text and "(not a constant" not in text
    f, W1 = two_layer(X, y, 0.05, mask=True)
    assert check_gradient(f, W1, reg=0.05)


def test_mask_named_where_the_loss_is_flat():
    rng = np.random.default_rng(4)
    Z, G = rng.normal(size=(5, 6)), rng.normal(size=(5, 6))
    rep = check_gradient(lambda z: (float(np.sum(np.maximum(z, 0) * G)), G.copy()), Z)
    assert rep.codes == ["mask"]


# ---------------------------------------------------------------------------------- precision, kinks


@pytest.mark.parametrize("loss", ["softmax", "svm"])
def test_float32_is_rechecked_in_float64(loss):
    """X and W float32, the learner's numpy promotes to float64 when W is: the check reruns there."""
    X, y, W = setting(50, scale=0.05, dtype=np.float32, seed=5)
    rep = check_gradient(learner(X, y, 0.1, "right", loss=loss), W, reg=0.1)
    assert rep.verdict == "ok" and rep.codes == [], str(rep)
    assert "float64 copy" in str(rep) and W.dtype == np.float32
    rep = check_gradient(learner(X, y, 0.1, "sign", loss=loss), W, reg=0.1)
    assert rep.codes == ["sign_flip"], str(rep)


def float32_only(f):
    """f computed in float32 whatever it is given (as code that casts its input does)."""
    return lambda W: (lambda l, g: (np.float32(l), g.astype(np.float32)))(*f(W.astype(np.float32)))


@pytest.mark.parametrize("loss", ["softmax", "svm"])
def test_float32_never_reassures(loss):
    """float32 that cannot be rechecked in float64: a right gradient is inconclusive (never ok),
    a wrong one still wrong, and the reg gradient float32 cannot resolve is not claimed right."""
    X, y, W = setting(50, scale=1e-4, dtype=np.float32, seed=5)
    rep = check_gradient(float32_only(learner(X, y, 0.1, "right", loss=loss)), W, reg=0.1)
    assert rep.verdict == "inconclusive" and not rep and rep.codes == [], str(rep)
    assert "cannot be rechecked in float64" in str(rep) and "float32 inside" in str(rep)
    rep = check_gradient(float32_only(learner(X, y, 0.1, "reg_missing", loss=loss)), W, reg=0.1)
    assert rep.verdict != "ok", str(rep)
    rep = check_gradient(float32_only(learner(X, y, 0.1, "sign", loss=loss)), W, reg=0.1)
    assert rep.verdict == "wrong" and rep.codes == ["sign_flip"], str(rep)


def test_float32_closure_idiom_is_not_rechecked():
    """f reads W through a closure (cs231n's f = lambda _: loss(W)): a float64 copy cannot reach it."""
    X, y, W = setting(50, scale=0.05, dtype=np.float32, seed=5)
    right = learner(X, y, 0.1, "right")
    rep = check_gradient(lambda _: right(W), W, reg=0.1)
    assert rep.verdict == "inconclusive" and "closure" in str(rep), str(rep)


def svm_at_a_kink(N=30, D=12, C=5, gap=3e-6):
    """An SVM problem whose margin (example 3, class y+1) is ``gap`` from its kink."""
    X, y, W = setting(N, scale=0.3, D=D, C=C, seed=6)
    i, j = 3, (y[3] + 1) % C
    margin = (X[i] @ W[:, j]) - (X[i] @ W[:, y[i]]) + 1.0
    W[:, j] -= (margin - gap) * X[i] / (X[i] @ X[i])
    return X, y, W


@pytest.mark.parametrize("reg", [0.1, 50.0])
def test_a_margin_near_its_kink_is_ok(reg):
    """A margin 3e-6 from its kink: a smaller step moves it out of reach, and the check is ok."""
    X, y, W = svm_at_a_kink()
    rep = check_gradient(learner(X, y, reg, "right", loss="svm"), W, reg=reg)
    assert rep.verdict == "ok" and rep.codes == [], str(rep)


def test_kink_listed_and_left_out_of_the_verdict():
    """A margin 1e-12 from its kink stays within reach of every useful step: listed, left out."""
    X, y, W = svm_at_a_kink(C=10, gap=1e-12)
    rep = check_gradient(learner(X, y, 0.1, "right", loss="svm"), W, reg=0.1)
    assert rep.ok and rep.kinks and "at a kink" in str(rep), str(rep)
    assert all(ix[1] in (y[3], (y[3] + 1) % 10) for ix in rep.kinks)  # the two columns it touches
    X, y, W = svm_at_a_kink(C=5, gap=1e-12)         # two columns of five: too many to decide
    rep = check_gradient(learner(X, y, 0.1, "right", loss="svm"), W, reg=0.1)
    assert rep.verdict == "inconclusive" and "at kinks" in str(rep), str(rep)


@pytest.mark.parametrize("mistake", ["reg_missing", "sign", "no_mean"])
def test_wrong_gradient_near_a_kink_still_caught(mistake):
    X, y, W = svm_at_a_kink()
    rep = check_gradient(learner(X, y, 0.1, mistake, loss="svm"), W, reg=0.1)
    assert not rep.ok and rep.codes == MISTAKES[mistake][1](30, 0.1), str(rep)


# ---------------------------------------------------------------------------------- the +-h loop


def test_loop_restores_x_bit_for_bit_and_says_when_f_modified_it():
    x = np.random.default_rng(7).normal(size=(3, 4))
    before = x.copy()

    def modifies(a):
        a *= 1.001
        return float(np.sum(a ** 2))
    for check in (lambda: numerical_gradient(modifies, x),
                  lambda: grad_check_sparse(modifies, x, 2 * x, num_checks=3, seed=0),
                  lambda: numerical_gradient_array(lambda a: modifies(a) * np.ones(2), x, np.ones(2))):
        with pytest.warns(RuntimeWarning, match="f changed x"):
            check()
        assert np.array_equal(x, before) and x.tobytes() == before.tobytes()
    rep = check_gradient(lambda a: (modifies(a), 2 * a), x)
    assert "input_modified" in rep.codes and np.array_equal(x, before)


@pytest.mark.parametrize("f, kind, words", [
    (lambda a: None, TypeError, "got None"),
    (lambda a: "1.0", TypeError, "got '1.0'"),
    (lambda a: a, ValueError, "must return a scalar"),
    (lambda a: float("nan"), ValueError, "finite"),
])
def test_loop_refuses_bad_outputs(f, kind, words):
    x = np.ones(3)
    with pytest.raises(kind, match=words):
        numerical_gradient(f, x)
    assert np.array_equal(x, np.ones(3))


@pytest.mark.parametrize("h", [float("nan"), float("inf"), 0.0, -1e-5, "1e-5", True])
def test_loop_refuses_bad_h(h):
    with pytest.raises((ValueError, TypeError), match="h must be a positive"):
        numerical_gradient(lambda a: float(a.sum()), np.ones(2), h=h)


def test_read_only_x_gets_a_clear_error():
    x = np.ones(3)
    x.flags.writeable = False
    for call in (lambda: numerical_gradient(lambda a: 0.0, x),
                 lambda: check_gradient(lambda a: (0.0, a), x),
                 lambda: gradcheck(lambda t: t.sum(), Tensor(x, requires_grad=True))):
        with pytest.raises(ValueError, match="read-only"):
            call()


def test_wrong_size_from_an_array_function():
    with pytest.raises(ValueError, match="df must be shaped like f's output"):
        numerical_gradient_array(lambda a: a[:2], np.ones(3), np.ones(3))


# ---------------------------------------------------------------------------------- own ops, own files


class Cube(Function):
    """y = x ** 3"""
    formula = "dx = dy * 3 * x**2"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        return dy * 3 * x ** 2


class CubeForgotThree(Cube):
    """y = x ** 3 (its backward forgets the 3)"""
    formula = "dx = dy * x**2"

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        return dy * x ** 2


def test_function_records_and_backpropagates():
    x = Tensor(np.array([0.5, -1.2, 2.0]), requires_grad=True)
    (Cube.apply(x * 2) * 3).sum().backward()
    assert np.allclose(x.grad, 72 * x.data ** 2)          # d/dx 3 (2x)^3
    assert "Cube" in str(Cube.apply(x).sum().tape()) and "dx = dy * 3 * x**2" in str(Cube.apply(x).sum().tape())
    assert gradcheck(lambda t: (Cube.apply(t.tanh()) * t).sum(), x)


def test_gradcheck_names_the_wrong_custom_op():
    x = Tensor(np.array([0.5, -1.2, 2.0]), requires_grad=True)
    rep = gradcheck(lambda t: (CubeForgotThree.apply(t.tanh()) * 3).sum(), x)
    assert not rep and rep.culprit is not None
    assert rep.culprit.op.name == "CubeForgotThree" and rep.culprit.step == 1
    assert rep.culprit.tensor.shape == (3,) and "CubeForgotThree" in str(rep)
    assert "dx = dy * x**2" in str(rep)


def test_gradcheck_names_no_op_when_the_error_is_outside_the_graph():
    w = Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    rep = gradcheck(lambda t: (t * t).sum() + (t.detach() ** 3).sum(), w)
    assert not rep and rep.culprit is None and "outside the graph" in str(rep)


MINE_RIGHT = '''
import numpy as np
def softmax_loss_vectorized(W, X, y, reg):
    N = X.shape[0]
    S = X @ W
    P = np.exp(S - S.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    loss = -np.log(P[np.arange(N), y]).mean() + reg * np.sum(W * W)
    P[np.arange(N), y] -= 1
    return loss, X.T @ P / N + 2 * reg * W
'''
MINE_WRONG = '''
def softmax_loss_naive(W, X, y, reg):
    loss, dW = softmax_loss_vectorized(W, X, y, reg)
    return loss, dW - 2 * reg * W                 # the regularization's gradient left out
'''


def run_mine(tmp_path, text):
    path = tmp_path / "mine.py"
    path.write_text(text)
    return subprocess.run([sys.executable, "-m", "tinygrad_edu", "check", "--mine", str(path),
                           "--n", "20"], capture_output=True, text=True, cwd=ROOT,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=300)


def test_check_mine_on_a_students_file(tmp_path):
    right = run_mine(tmp_path, MINE_RIGHT)
    assert right.returncode == 0, right.stdout + right.stderr
    assert "your vectorized" in right.stdout and "verdict: ok" in right.stdout
    wrong = run_mine(tmp_path, MINE_RIGHT + MINE_WRONG)
    assert wrong.returncode == 1, wrong.stdout + wrong.stderr
    assert "[reg_missing]" in wrong.stdout and "your_naive" in wrong.stdout
    none = run_mine(tmp_path, "x = 1\n")
    assert none.returncode == 2 and "found none of" in none.stderr


def test_compare_takes_your_functions():
    from tinygrad_edu.compare import compare
    ok = compare("softmax", reg=0.1, seed=0, naive=R.softmax_loss_naive)
    assert ok and "your naive" in str(ok)
    bad = compare("svm", reg=0.1, seed=0,
                  vectorized=lambda W, X, y, reg: (lambda l, g: (l, -g))(*R.svm_loss_vectorized(W, X, y, reg)))
    assert not bad and bad.diagnoses["your_vectorized"][0][1].codes == ["sign_flip"]
    crash = compare("softmax", seed=0, vectorized=lambda W, X, y, reg: 1 / 0)
    assert not crash and "ZeroDivisionError" in str(crash)


def test_check_gradient_passes_fs_error_on_and_restores_x():
    x = np.random.default_rng(8).normal(size=(3, 3))
    before, calls = x.copy(), []

    def f(a):
        calls.append(1)
        if len(calls) == 5:
            raise RuntimeError("boom inside f")
        return float(np.sum(a ** 2)), 2 * a
    with pytest.raises(RuntimeError, match="boom inside f"):
        check_gradient(f, x)
    assert x.tobytes() == before.tobytes()


def test_gradcheck_says_when_f_modifies_its_input_and_restores_it():
    w = Tensor(np.array([1.0, 2.0]), requires_grad=True)

    def f(t):
        t.data[0] += 0.5          # behind the engine's back
        return (t * t).sum()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gradcheck(f, w)
    assert any("f changed x" in str(c.message) for c in caught)
    assert np.array_equal(w.data, [1.0, 2.0])


@pytest.mark.parametrize("bad, words", [(dict(num_checks=0), "num_checks"), (dict(reg=-1.0), "reg must"),
                                        (dict(reg_convention=2), "reg_convention")])
def test_check_gradient_bad_arguments(bad, words):
    with pytest.raises(ValueError, match=words):
        check_gradient(lambda a: (float(np.sum(a ** 2)), 2 * a), np.ones(3), **bad)


def test_float32_kinks_are_common_and_recognized():
    """With float32's larger step, margins within reach of their kink are frequent: a right
    gradient is never called wrong (float32 alone cannot say ok); a missing reg gradient is."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 12)).astype(np.float32)
    y = rng.integers(0, 5, size=50)
    W = (rng.normal(size=(12, 5)) * 0.3).astype(np.float32)
    f = float32_only(lambda w: R.svm_loss_vectorized(w, X, y, 0.1))
    rep = check_gradient(f, W, reg=0.1)
    assert rep.verdict == "inconclusive", str(rep)
    wrong = float32_only(lambda w: (lambda l, g: (l, g - 0.2 * w))(*R.svm_loss_vectorized(w, X, y, 0.1)))
    assert check_gradient(wrong, W, reg=0.1).codes == ["reg_missing"]


def test_function_errors_name_the_op():
    class Stringy(Function):
        @staticmethod
        def forward(ctx, x):
            return "a"

        @staticmethod
        def backward(ctx, dy):
            return dy

    class OneGradForTwo(Function):
        @staticmethod
        def forward(ctx, x, w):
            return x * w

        @staticmethod
        def backward(ctx, dy):
            return dy
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    with pytest.raises(TypeError, match="Stringy.forward must return a float numpy array"):
        Stringy.apply(x)
    with pytest.raises(TypeError, match="OneGradForTwo.backward returned 1 gradients for 2 inputs"):
        OneGradForTwo.apply(x, 3.0).sum().backward()
    with pytest.raises(TypeError, match="define both forward"):
        Function.apply(x)


@pytest.mark.parametrize("reg", [0.0, 0.1, 50.0])
def test_mask_named_on_the_data_term_with_reg_on(reg):
    rng = np.random.default_rng(9)
    Z, G = rng.normal(size=(5, 6)), rng.normal(size=(5, 6))

    def no_mask(z):
        return float(np.sum(np.maximum(z, 0) * G) + reg * np.sum(z * z)), G + 2 * reg * z
    rep = check_gradient(no_mask, Z, reg=reg)
    assert rep.codes == ["mask"], str(rep)
    assert "right everywhere else" in str(rep)


def test_progress_bar_on_request(capsys):
    X, y, W = setting(50, scale=0.05)
    rep = check_gradient(learner(X, y, 0.1, "right"), W, reg=0.1, num_checks=5, seed=0, progress=True)
    assert rep and "check_gradient" in capsys.readouterr().err          # tqdm writes to stderr
    check_gradient(learner(X, y, 0.1, "right"), W, reg=0.1, num_checks=5, seed=0, progress=False)
    assert "check_gradient" not in capsys.readouterr().err
