"""The checker at the assignment's own scales: mean-subtracted pixels with a bias column, raw pixels,
the dev set's 500 examples, reg 5e1, float32, the two-layer net at its std 1e-4 init. Correct code
must pass (ok, or inconclusive where the issue allows it, never wrong) and each mistake be named;
one group of tests per promise: the step and the error, three verdicts, float32, kinks, diagnoses
that fit their numbers, the regularization convention, what only the loss shows, each custom op."""
import numpy as np
import pytest

from tinygrad_edu import Function, Tensor, losses, reference as R
from tinygrad_edu.compare import compare
from tinygrad_edu.gradcheck import check_gradient, gradcheck
from tinygrad_edu.gradcheck.accuracy import estimate, rule_for
from tinygrad_edu.nn import TwoLayerNet


def pixels(N, mean_subtracted=True, seed=0, D=3072):
    """CIFAR-like rows: uint8 values drawn at random, the mean subtracted, a bias column of ones."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 256, size=(N, D)).astype(np.float64)
    if mean_subtracted:
        X -= X.mean(axis=0)
    return np.hstack([X, np.ones((N, 1))]), rng.integers(0, 10, N)


def assignment_W(D=3073, seed=1, dtype=np.float64):
    return (1e-4 * np.random.default_rng(seed).standard_normal((D, 10))).astype(dtype)


def student(fn, X, y, reg, mistake="right"):
    """f(W) -> (loss, dW) from the library's formula with a classic mistake put in."""
    def f(W):
        loss, d = fn(W, X, y, 0.0)
        N, r = len(y), 2 * reg * W
        dW = {"right": d + r, "no_mean": N * d + r, "reg_missing": d, "sign": -d + r,
              "reg_half": d + r / 2, "reg_0.9775": d + 0.9775 * r, "scale_1.5": 1.5 * d + r}[mistake]
        return loss + reg * np.sum(W * W), dW
    return f


SOFTMAX, SVM = R.softmax_loss_vectorized, R.svm_loss_vectorized


# ---------------------------------------------------------------------------------- 1. step, error


@pytest.mark.parametrize("N", [50, 500])
@pytest.mark.parametrize("fn", [SOFTMAX, SVM], ids=["softmax", "svm"])
@pytest.mark.parametrize("mean_subtracted", [True, False], ids=["mean-subtracted", "raw"])
def test_correct_code_is_ok_at_pixel_scale(N, fn, mean_subtracted):
    X, y = pixels(N, mean_subtracted)
    rep = check_gradient(student(fn, X, y, 50.0), assignment_W(), reg=50.0, num_checks=20, seed=0)
    assert rep.verdict == "ok" and rep.codes == [], str(rep)
    assert "±" in str(rep) and "measured" in str(rep)


def test_the_full_check_at_pixel_scale_is_ok():
    X, y = pixels(50, D=300)
    rep = check_gradient(student(SOFTMAX, X, y, 0.1), assignment_W(D=301), reg=0.1)
    assert rep.verdict == "ok" and len(rep.checked) == 3010, str(rep)


def test_the_step_follows_the_scale():
    """Pixels of +-100 curve the loss ten thousand times faster than standard-normal data: a
    smaller step is taken, and the estimated error covers the real one at every entry."""
    X, y = pixels(50, D=200)
    Xn = np.random.default_rng(3).standard_normal(X.shape)
    W = assignment_W(D=201)
    steps = []
    for data in (X, Xn):
        rep = check_gradient(student(SOFTMAX, data, y, 0.0), W, reg=0.0, num_checks=30, seed=0)
        truth = SOFTMAX(W, data, y, 0.0)[1]
        for ix in rep.checked:
            assert abs(rep.numerical[ix] - truth[ix]) <= 3 * rep.error[ix], ix
        steps.append(rep.h)
    assert steps[0] < steps[1] / 5


def test_the_estimate_covers_the_error_of_smooth_functions():
    rng = np.random.default_rng(4)
    for a in (0.1, 1.0, 30.0, 300.0):
        x = rng.standard_normal(40) / a
        f = lambda v, a=a: float(np.sum(np.exp(a * v) + np.sin(a * v) ** 2))   # noqa: E731
        truth = a * np.exp(a * x) + a * np.sin(2 * a * x)
        est = estimate(f, x, [(i,) for i in range(40)], f(x), [truth], "test", rule_for(np.float64))
        assert np.all(np.abs(est.value - truth) <= 3 * est.error), a     # the error's size
        assert np.all(10 * est.error <= 1e-6 * np.abs(truth).max()), a      # and it is small


def test_h_rtol_atol_given_override_and_say_so():
    X, y = pixels(50, D=100)
    f, W = student(SOFTMAX, X, y, 0.1), assignment_W(D=101)
    rep = check_gradient(f, W, reg=0.1, h=1e-6, num_checks=10, seed=0)
    assert rep.h == 1e-6 and rep.step_chosen == "given" and "given by you" in str(rep)
    rep = check_gradient(f, W, reg=0.1, rtol=1e-3, atol=1e-9, num_checks=10, seed=0)
    assert rep.rtol == 1e-3 and rep.atol == 1e-9 and "rtol and atol given by you" in str(rep)
    loose = check_gradient(student(SOFTMAX, X, y, 0.1, "reg_half"), W, reg=0.1, rtol=0.5,
                           num_checks=10, seed=0)
    assert loose.verdict == "ok"          # the caller's tolerance rules, however loose


def test_two_layer_at_toy_scale_is_ok_everywhere():
    X, y = pixels(50, D=40)
    net = TwoLayerNet(X.shape[1], 10, 10, std=0.1, seed=0)
    for name in net.params:
        def f(v, name=name):
            net.params[name] = v
            loss, grads = net.loss(X, y, reg=0.05)
            return loss, grads[name]
        rep = check_gradient(f, net.params[name], reg=0.05 if name[0] == "W" else None)
        assert rep.verdict == "ok", (name, str(rep))


# ---------------------------------------------------------------------------------- 2. three verdicts


def test_three_verdicts_and_ok_only_for_ok():
    X, y = pixels(50, D=100)
    W = assignment_W(D=101)
    ok = check_gradient(student(SOFTMAX, X, y, 0.1), W, reg=0.1, num_checks=10, seed=0)
    wrong = check_gradient(student(SOFTMAX, X, y, 0.1, "sign"), W, reg=0.1, num_checks=10, seed=0)
    casts = lambda w: (lambda l, g: (np.float32(l), g.astype(np.float32)))(  # noqa: E731
        *student(SOFTMAX, X, y, 0.1)(w.astype(np.float32)))
    unsure = check_gradient(casts, W.astype(np.float32), reg=0.1, num_checks=10, seed=0)
    assert (ok.verdict, wrong.verdict, unsure.verdict) == ("ok", "wrong", "inconclusive")
    assert ok.ok and ok and not wrong.ok and not unsure.ok and not unsure
    assert "float64" in str(unsure) and unsure.reasons


def test_inconclusive_says_why_and_what_to_do_at_the_assignment_init():
    """Hidden units at std 1e-4 by the hundred within the step of their kink: never wrong; when
    undecided, the report points to the toy scale or float64."""
    rng = np.random.default_rng(5)
    X, y = rng.standard_normal((50, 10)), rng.integers(0, 4, 50)
    net = TwoLayerNet(10, 16, 4, seed=0)                               # std 1e-4, the default
    verdicts = []
    for name in list(net.params):
        def f(v, name=name):
            net.params[name] = v
            loss, grads = net.loss(X, y, reg=0.05)
            return loss, grads[name]
        rep = check_gradient(f, net.params[name], reg=0.05 if name[0] == "W" else None)
        assert rep.verdict in ("ok", "inconclusive"), (name, str(rep))
        if rep.verdict == "inconclusive":
            assert rep.reasons and ("toy scale" in str(rep) or "float64" in str(rep))
        verdicts.append(rep.verdict)
    assert "wrong" not in verdicts


# ---------------------------------------------------------------------------------- 3. float32


def test_float32_reg_gradient_missing_is_found_not_reassured():
    """The issue's case: float32, reg 0.1, W about 1e-4, the regularization gradient missing."""
    X, y = pixels(50)
    X32, W32 = X.astype(np.float32), assignment_W(dtype=np.float32)
    rep = check_gradient(student(SOFTMAX, X32, y, 0.1, "reg_missing"), W32, reg=0.1, num_checks=20,
                         seed=0)
    assert rep.verdict == "wrong" and rep.codes == ["reg_missing"], str(rep)
    assert "float64 copy" in str(rep)
    right = check_gradient(student(SVM, X32, y, 0.1), W32, reg=0.1, num_checks=20, seed=0)
    assert right.verdict == "ok" and right.codes == [], str(right)


# ---------------------------------------------------------------------------------- 4. kinks


def two_layer_tensors(std, seed=0, D=10, Hn=16, C=4):
    net = TwoLayerNet(D, Hn, C, std=std, seed=seed)
    return {k: Tensor(v.copy(), requires_grad=True, name=k) for k, v in net.params.items()}


def test_gradcheck_never_blames_relu_for_a_kink():
    rng = np.random.default_rng(6)
    X, y = rng.standard_normal((50, 10)), rng.integers(0, 4, 50)
    ts = two_layer_tensors(1e-4)
    rep = gradcheck(lambda W1, b1, W2, b2: losses.two_layer_loss(
        {"W1": W1, "b1": b1, "W2": W2, "b2": b2}, X, y, 0.05), *ts.values())
    assert rep.verdict in ("ok", "inconclusive") and rep.culprit is None, str(rep)
    assert any(c.kinks for c in rep.checks) and "relu (op" in str(rep)
    assert "lie within the step of their corner" in str(rep)


def test_compare_two_layer_at_its_init_does_not_disagree():
    rng = np.random.default_rng(7)
    X, y = rng.standard_normal((50, 10)), rng.integers(0, 4, 50)
    params = TwoLayerNet(10, 16, 4, seed=0).params
    result = compare("two_layer", X=X, y=y, params=params, reg=0.05)
    assert result.verdict in ("ok", "inconclusive") and "DISAGREEMENT" not in str(result), str(result)


def test_a_missing_mask_at_the_init_is_still_wrong():
    rng = np.random.default_rng(8)
    X, y = rng.standard_normal((50, 10)), rng.integers(0, 4, 50)
    params = TwoLayerNet(10, 16, 4, seed=0).params

    def no_mask(W1):
        Z = X @ W1 + params["b1"]
        S = np.maximum(Z, 0) @ params["W2"] + params["b2"]
        P = np.exp(S - S.max(1, keepdims=True))
        P /= P.sum(1, keepdims=True)
        loss = -np.log(P[np.arange(50), y]).mean() + 0.05 * (np.sum(W1 ** 2) + np.sum(params["W2"] ** 2))
        P[np.arange(50), y] -= 1
        return loss, X.T @ (P / 50 @ params["W2"].T) + 0.1 * W1            # no (Z > 0)
    rep = check_gradient(no_mask, params["W1"].copy(), reg=0.05)
    assert rep.verdict == "wrong" and rep.codes[0] in ("mask", "mismatch"), str(rep)


def svm_margin_near_kink(reg, gap=3e-6, seed=9):
    rng = np.random.default_rng(seed)
    X, y = rng.standard_normal((30, 12)), rng.integers(0, 5, 30)
    W = 0.3 * rng.standard_normal((12, 5))
    i, j = 3, (y[3] + 1) % 5
    W[:, j] -= (X[i] @ W[:, j] - X[i] @ W[:, y[i]] + 1.0 - gap) * X[i] / (X[i] @ X[i])
    return X, y, W


def test_svm_near_a_kink_at_reg_50():
    X, y, W = svm_margin_near_kink(50.0)
    rep = check_gradient(student(SVM, X, y, 50.0), W, reg=50.0)
    assert rep.verdict == "ok" and rep.codes == [], str(rep)
    rep = check_gradient(student(SVM, X, y, 50.0, "reg_missing"), W, reg=50.0)
    assert rep.codes == ["reg_missing"], str(rep)


# ---------------------------------------------------------------------------------- 5. fitted numbers


def test_no_reg_diagnosis_beside_batch_size_at_pixel_scale():
    X, y = pixels(50)
    rep = check_gradient(student(SOFTMAX, X, y, 50.0, "no_mean"), assignment_W(), reg=50.0,
                         num_checks=20, seed=0)
    assert rep.codes == ["batch_size"], str(rep)


def test_a_factor_that_fits_no_named_value_is_not_named():
    X, y = pixels(50, D=100)
    W = assignment_W(D=101)
    rep = check_gradient(student(SOFTMAX, X, y, 50.0, "reg_0.9775"), W, reg=50.0, num_checks=20, seed=0)
    assert rep.verdict == "wrong" and "reg_half" not in rep.codes, str(rep)
    assert "0.9775" in str(rep) and "close to the right one" in str(rep)
    rep = check_gradient(student(SOFTMAX, X, y, 50.0, "reg_half"), W, reg=50.0, num_checks=20, seed=0)
    assert rep.codes == ["reg_half"] and "0.5" in str(rep), str(rep)
    rep = check_gradient(student(SOFTMAX, X, y, 0.0, "scale_1.5"), W, reg=0.0, num_checks=20, seed=0)
    assert rep.codes == ["scale"] and "1.5" in str(rep), str(rep)


# ---------------------------------------------------------------------------------- 6. convention


def half_convention(W, X, y, reg):
    loss, dW = R.softmax_loss_vectorized(W, X, y, 0.0)
    return loss + 0.5 * reg * np.sum(W * W), dW + reg * W


def test_compare_finds_the_half_convention_or_is_told():
    found = compare("softmax", reg=0.3, seed=1, vectorized=half_convention)
    assert found.verdict == "ok" and "0.5 * reg * sum(W*W)" in str(found), str(found)
    told = compare("softmax", reg=0.3, seed=1, vectorized=half_convention, reg_convention=0.5)
    assert told.verdict == "ok"
    wrong = compare("softmax", reg=0.3, seed=1, vectorized=half_convention, reg_convention=1)
    assert wrong.verdict == "wrong"
    ours = compare("softmax", reg=0.3, seed=1, vectorized=R.softmax_loss_vectorized)
    assert ours.verdict == "ok" and "reg * sum(W*W) (gradient 2 * reg * W)" in str(ours)
    with pytest.raises(ValueError, match="reg_convention"):
        compare("softmax", reg_convention=2)


# ---------------------------------------------------------------------------------- 7. the loss alone


def svm_counting_the_correct_class(W, X, y, reg):
    loss, dW = R.svm_loss_vectorized(W, X, y, reg)
    return loss + 1.0, dW                     # every example's j == y_i margin is delta = 1


def test_what_only_the_loss_shows_is_said():
    svm = compare("svm", reg=0.1, seed=2, naive=svm_counting_the_correct_class)
    assert svm.verdict == "wrong" and "exactly delta = 1 higher" in str(svm) and "j ==" in str(svm)
    summed = compare("softmax", reg=0.0, seed=2, vectorized=lambda W, X, y, reg: (
        R.softmax_loss_vectorized(W, X, y, reg)[0] * len(y), R.softmax_loss_vectorized(W, X, y, reg)[1]))
    assert "not divided by N" in str(summed)
    no_reg_term = compare("softmax", reg=0.5, seed=2, vectorized=lambda W, X, y, reg: (
        R.softmax_loss_vectorized(W, X, y, 0.0)[0], R.softmax_loss_vectorized(W, X, y, reg)[1]))
    assert "regularization" in str(no_reg_term) and no_reg_term.verdict == "wrong"


def old_layout(W, X, y, reg):
    """cs231n 2015: W (C, D), X (D, N)."""
    S = W.dot(X)
    S = S - S.max(axis=0)
    P = np.exp(S) / np.exp(S).sum(axis=0)
    N = X.shape[1]
    loss = -np.log(P[y, np.arange(N)]).mean() + reg * np.sum(W * W)
    P[y, np.arange(N)] -= 1
    return loss, P.dot(X.T) / N + 2 * reg * W


def test_the_old_layout_is_recognized_and_checked():
    result = compare("softmax", reg=0.1, seed=3, vectorized=old_layout)
    assert result.verdict == "ok" and "old cs231n layout" in str(result), str(result)
    assert "ValueError" not in str(result)


# ---------------------------------------------------------------------------------- 8. each custom op


class CubeIgnoringDy(Function):
    """y = x ** 3"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        return 3 * x ** 2                    # forgot dy *


class Cube(CubeIgnoringDy):
    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        return dy * 3 * x ** 2


def test_a_backward_that_ignores_dy_is_named_even_under_a_plain_sum():
    t = Tensor(np.random.default_rng(10).standard_normal(5), requires_grad=True)
    rep = gradcheck(lambda t: CubeIgnoringDy.apply(t).sum(), t)
    assert all(c.verdict == "ok" for c in rep.checks)                # end to end it agrees ...
    assert rep.verdict == "wrong" and rep.culprit.op.name == "CubeIgnoringDy", str(rep)
    assert "ignores dy" in str(rep)                                  # ... yet the op is named
    good = gradcheck(lambda t: Cube.apply(t).sum(), t)
    assert good.verdict == "ok" and [o.verdict for o in good.ops] == ["ok"]


def test_the_culprit_is_numbered_as_the_tape():
    t = Tensor(np.random.default_rng(11).standard_normal(4), requires_grad=True)
    f = lambda t: (CubeIgnoringDy.apply(t * 2) * 1.5).sum()         # noqa: E731
    rep = gradcheck(f, t)
    tape = f(t).tape()
    number = rep.culprit.number
    assert tape[number - 1].op.name == "CubeIgnoringDy" and number == 2
    assert f"op {number} of the tape" in str(rep) and rep.culprit.step == number - 1


def test_compare_at_pixel_scale_agrees_with_the_librarys_own_formulas():
    X, y = pixels(50, D=300)
    for loss in ("softmax", "svm"):
        result = compare(loss, X=X, y=y, W=assignment_W(D=301), reg=50.0, full_limit=100)
        assert result.verdict == "ok" and "DISAGREEMENT" not in str(result), str(result)


def test_gradgradcheck_is_gradcheck_of_the_gradient():
    from tinygrad_edu.gradcheck import GradcheckReport, gradgradcheck
    x = Tensor(np.array([0.3, -1.2, 2.0]), requires_grad=True, name="x")
    rep = gradgradcheck(lambda x: (x * x.tanh()).sum(), x)
    assert isinstance(rep, GradcheckReport) and rep.verdict == "ok" and rep.checks[0].name == "x"
    assert "±" in str(rep) and "gradgradcheck" in str(rep)
