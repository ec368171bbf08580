"""The layers of tinygrad_edu.layers three ways: every hand-derived pair (naive and vectorized) and
every graph against numerical vector-Jacobian products in float64 and, where torch is installed,
against PyTorch's layers; the forward conventions of the course (bn_param, dropout's keep
probability, conv and pool sizes); and bad input."""
import copy

import numpy as np
import pytest

from tinygrad_edu import Tensor
from tinygrad_edu import layers as L
from tinygrad_edu.gradcheck import check_gradient, numerical_gradient_array, rel_error
from tinygrad_edu.layers import graph
from tinygrad_edu.layers.compare import CASES

TOL = 1e-6          # hand-derived or engine gradient against centered differences, float64


def fresh(args):
    return [copy.deepcopy(a) if isinstance(a, (dict, np.ndarray)) else a for a in args]


def floats(args):
    return [i for i, a in enumerate(args) if isinstance(a, np.ndarray) and a.dtype.kind == "f"]


def numerical(forward, args, dout):
    """d sum(dout * out) / d each float input, straight from gradcheck's +-h loop."""
    def out(_):
        return forward(*fresh(args))[0]
    return [numerical_gradient_array(out, args[i], dout) for i in floats(args)]


def inputs(name, seed=0):
    rng = np.random.default_rng(seed)
    args = list(CASES[name].make(rng, None))
    out, _ = CASES[name].vectorized[0](*fresh(args))
    return args, rng.standard_normal(out.shape)


def pairs():
    for name, case in CASES.items():
        yield pytest.param(name, case.vectorized, id=f"{name}-vectorized")
        if case.naive is not None:
            yield pytest.param(name, case.naive, id=f"{name}-naive")


@pytest.mark.parametrize("name, pair", list(pairs()))
@pytest.mark.parametrize("seed", [0, 1])
def test_hand_derived_backward_matches_numerical(name, pair, seed):
    args, dout = inputs(name, seed)
    forward, backward = pair
    grads = backward(dout, forward(*fresh(args))[1])
    grads = grads if isinstance(grads, tuple) else (grads,)
    expected = numerical(CASES[name].vectorized[0], args, dout)
    assert len(grads) == len(expected)
    for g, n, i in zip(grads, expected, floats(args)):
        assert g.shape == args[i].shape
        assert rel_error(g, n) < TOL, (name, i, rel_error(g, n))


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("seed", [0, 1])
def test_graph_gradients_match_numerical_and_forward_matches(name, seed):
    args, dout = inputs(name, seed)
    ts = {i: Tensor(a.copy(), requires_grad=True) for i, a in enumerate(args) if i in floats(args)}
    out = CASES[name].graph(*[ts.get(i, a) for i, a in enumerate(fresh(args))])
    ref_out = CASES[name].vectorized[0](*fresh(args))[0]
    np.testing.assert_allclose(out.data, ref_out, rtol=1e-12, atol=1e-12)
    (out * dout).sum().backward()
    for t, n in zip(ts.values(), numerical(CASES[name].vectorized[0], args, dout)):
        assert rel_error(t.grad, n) < TOL


@pytest.mark.parametrize("name", [n for n, c in CASES.items() if c.naive is not None])
def test_naive_and_fast_forwards_agree(name):
    args, _ = inputs(name, 3)
    fast = CASES[name].vectorized[0](*fresh(args))[0]
    naive = CASES[name].naive[0](*fresh(args))[0]
    np.testing.assert_allclose(naive, fast, rtol=1e-12, atol=1e-12)


def test_a_planted_mistake_is_caught():
    """The mean term of batch normalization left out: the comparison with differences fails."""
    args, dout = inputs("batchnorm")

    def without_mean_term(dout, cache):
        mode, xhat, xc, inv, gamma = cache
        dxhat = dout * gamma
        dx = inv * (dxhat - xhat * (dxhat * xhat).mean(axis=0))
        return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)
    dx = without_mean_term(dout, L.batchnorm_forward(*fresh(args))[1])[0]
    assert rel_error(dx, numerical(L.batchnorm_forward, args, dout)[0]) > 1e-2


# ---------------------------------------------------------------------------- the losses


@pytest.mark.parametrize("loss, graph_loss", [(L.softmax_loss, graph.softmax_loss),
                                              (L.svm_loss, graph.svm_loss)])
def test_layer_losses_pass_check_gradient_and_match_the_graph(loss, graph_loss):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((6, 4)), rng.integers(0, 4, 6)
    report = check_gradient(lambda v: loss(v, y), x.copy())
    assert report.ok, str(report)
    value, dx = loss(x, y)
    t = Tensor(x, requires_grad=True)
    out = graph_loss(t, y)
    out.backward()
    assert abs(out.item() - value) < 1e-12 and rel_error(t.grad, dx) < 1e-12


def test_softmax_loss_at_uniform_scores_is_log_c_and_stable_for_huge_scores():
    y = np.array([0, 1, 2])
    assert abs(L.softmax_loss(np.zeros((3, 10)), y)[0] - np.log(10)) < 1e-12
    loss, dx = L.softmax_loss(np.array([[1e4, 0, 0], [0, 1e4, 0], [0, 0, -1e4]]), y)
    assert np.isfinite(loss) and np.isfinite(dx).all()


def test_svm_loss_at_equal_scores_is_c_minus_one():
    loss, _ = L.svm_loss(np.zeros((4, 5)), np.array([0, 1, 2, 3]))
    assert loss == 4.0


# ---------------------------------------------------------------------------- conventions


def test_affine_reads_x_as_rows_and_keeps_its_shape_in_dx():
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((12, 5)), rng.standard_normal(5)
    out, cache = L.affine_forward(x, w, b)
    np.testing.assert_allclose(out, x.reshape(2, 12) @ w + b)
    dx, dw, db = L.affine_backward(np.ones((2, 5)), cache)
    assert dx.shape == (2, 3, 4) and dw.shape == (12, 5) and db.shape == (5,)
    np.testing.assert_allclose(db, [2.0] * 5)


def test_batchnorm_train_standardizes_and_updates_running_averages_the_course_way():
    rng = np.random.default_rng(0)
    x = 5 + 3 * rng.standard_normal((200, 4))
    bn = {"mode": "train"}
    out, _ = L.batchnorm_forward(x, np.ones(4), np.zeros(4), bn)
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=0), 1, atol=1e-4)
    np.testing.assert_allclose(bn["running_mean"], 0.1 * x.mean(axis=0))        # momentum 0.9
    np.testing.assert_allclose(bn["running_var"], 0.1 * x.var(axis=0))          # biased variance
    for _ in range(200):
        L.batchnorm_forward(5 + 3 * rng.standard_normal((200, 4)), np.ones(4), np.zeros(4), bn)
    np.testing.assert_allclose(bn["running_mean"], 5, atol=0.2)
    np.testing.assert_allclose(bn["running_var"], 9, atol=1.0)


def test_batchnorm_test_mode_uses_the_running_averages_and_its_backward_is_affine():
    rng = np.random.default_rng(1)
    x, gamma, beta = rng.standard_normal((5, 3)), rng.standard_normal(3), rng.standard_normal(3)
    bn = {"mode": "test", "running_mean": np.array([1.0, 2.0, 3.0]),
          "running_var": np.array([4.0, 1.0, 0.25]), "eps": 0.0}
    out, cache = L.batchnorm_forward(x, gamma, beta, dict(bn))
    np.testing.assert_allclose(out, gamma * (x - bn["running_mean"]) / np.sqrt(bn["running_var"]) + beta)
    dout = rng.standard_normal((5, 3))
    for backward in (L.batchnorm_backward, L.batchnorm_backward_alt):
        dx = backward(dout, cache)[0]
        np.testing.assert_allclose(dx, dout * gamma / np.sqrt(bn["running_var"]))
    t = Tensor(x, requires_grad=True)
    (graph.batchnorm(t, gamma, beta, dict(bn)) * dout).sum().backward()
    np.testing.assert_allclose(t.grad, dout * gamma / np.sqrt(bn["running_var"]))


def test_graph_batchnorm_updates_the_running_averages_as_the_reference():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((6, 3))
    mine, ref = {"mode": "train", "momentum": 0.8}, {"mode": "train", "momentum": 0.8}
    for _ in range(3):
        graph.batchnorm(Tensor(x), np.ones(3), np.zeros(3), mine)
        L.batchnorm_forward(x, np.ones(3), np.zeros(3), ref)
    np.testing.assert_allclose(mine["running_mean"], ref["running_mean"], rtol=1e-14)
    np.testing.assert_allclose(mine["running_var"], ref["running_var"], rtol=1e-14)


def test_layernorm_standardizes_each_row():
    x = np.random.default_rng(0).standard_normal((4, 50)) * 7 + 2
    out, _ = L.layernorm_forward(x, np.ones(50), np.zeros(50), {})
    np.testing.assert_allclose(out.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=1), 1, atol=1e-3)


def test_dropout_keeps_with_probability_p_scales_by_one_over_p_and_is_the_identity_at_test():
    x = np.ones((100, 100))
    out, cache = L.dropout_forward(x, {"p": 0.3, "mode": "train", "seed": 1})
    kept = out != 0
    assert abs(kept.mean() - 0.3) < 0.02
    np.testing.assert_allclose(out[kept], 1 / 0.3)
    np.testing.assert_array_equal(L.dropout_backward(x, cache), out)
    again, _ = L.dropout_forward(x, {"p": 0.3, "mode": "train", "seed": 1})
    np.testing.assert_array_equal(again, out)
    test_out, test_cache = L.dropout_forward(x, {"p": 0.3, "mode": "test"})
    np.testing.assert_array_equal(test_out, x)
    np.testing.assert_array_equal(L.dropout_backward(2 * x, test_cache), 2 * x)


def test_dropout_seed_gives_the_courses_mask_without_touching_numpys_global_generator():
    np.random.seed(123)
    before = np.random.rand()
    np.random.seed(123)
    out, _ = L.dropout_forward(np.ones((3, 4)), {"p": 0.5, "mode": "train", "seed": 7})
    assert np.random.rand() == before
    np.random.seed(7)
    np.testing.assert_array_equal(out, (np.random.rand(3, 4) < 0.5) / 0.5)


def test_spatial_batchnorm_normalizes_each_channel_over_n_h_w():
    x = np.random.default_rng(0).standard_normal((4, 3, 5, 5)) * [[[[1]], [[5]], [[9]]]] + 3
    out, _ = L.spatial_batchnorm_forward(x, np.ones(3), np.zeros(3), {"mode": "train"})
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=(0, 2, 3)), 1, atol=1e-4)


def test_conv_sizes_follow_the_courses_formula():
    x, w, b = np.ones((2, 3, 7, 9)), np.ones((4, 3, 3, 5)), np.zeros(4)
    for fwd in (L.conv_forward_naive, L.conv_forward_fast):
        out, _ = fwd(x, w, b, {"stride": 2, "pad": 1})
        assert out.shape == (2, 4, 1 + (7 + 2 - 3) // 2, 1 + (9 + 2 - 5) // 2)


def test_max_pool_sends_the_gradient_to_the_first_maximum_only():
    x = np.zeros((1, 1, 2, 2))
    x[0, 0, 1, 0] = x[0, 0, 1, 1] = 1.0           # a tie
    for fwd, bwd in ((L.max_pool_forward_naive, L.max_pool_backward_naive),
                     (L.max_pool_forward_fast, L.max_pool_backward_fast)):
        out, cache = fwd(x, {"pool_height": 2, "pool_width": 2, "stride": 2})
        assert out.item() == 1.0
        np.testing.assert_array_equal(bwd(np.ones((1, 1, 1, 1)), cache)[0, 0], [[0, 0], [1, 0]])


def test_overlapping_pool_windows_accumulate():
    x = np.random.default_rng(0).standard_normal((2, 2, 5, 5))
    param = {"pool_height": 3, "pool_width": 3, "stride": 1}
    dout = np.ones((2, 2, 3, 3))
    naive = L.max_pool_backward_naive(dout, L.max_pool_forward_naive(x, param)[1])
    fast = L.max_pool_backward_fast(dout, L.max_pool_forward_fast(x, param)[1])
    np.testing.assert_array_equal(naive, fast)
    assert naive.sum() == 2 * 2 * 9


def test_float32_stays_float32():
    x32 = np.random.default_rng(0).standard_normal((4, 3, 6, 6)).astype(np.float32)
    w32 = np.ones((2, 3, 3, 3), np.float32)
    assert L.conv_forward_fast(x32, w32, np.zeros(2, np.float32), {"stride": 1, "pad": 1})[0].dtype \
        == np.float32
    assert L.max_pool_forward_fast(x32, {"pool_height": 2, "pool_width": 2, "stride": 2})[0].dtype \
        == np.float32
    out, cache = L.batchnorm_forward(x32[:, :, 0, 0], np.ones(3, np.float32), np.zeros(3, np.float32),
                                     {"mode": "train"})
    assert out.dtype == np.float32
    assert L.batchnorm_backward_alt(np.ones_like(out), cache)[0].dtype == np.float32


def test_pixel_scale_inputs_are_handled_by_batchnorm():
    """Raw pixels (0..255, one nearly constant feature): still mean 0, and gradients still agree."""
    rng = np.random.default_rng(0)
    x = np.column_stack([rng.uniform(0, 255, 16), np.full(16, 128.0) + 1e-3 * rng.standard_normal(16)])
    args = [x, np.ones(2), np.zeros(2), {"mode": "train"}]
    dout = rng.standard_normal((16, 2))
    dx = L.batchnorm_backward_alt(dout, L.batchnorm_forward(*fresh(args))[1])[0]
    assert rel_error(dx, numerical(L.batchnorm_forward, args, dout)[0]) < 1e-5


# ---------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("call, error, match", [
    (lambda: L.affine_forward(np.ones((2, 3)), np.ones((4, 5)), np.ones(5)), ValueError,
     r"affine_forward: x of shape \(2, 3\) has D = 3"),
    (lambda: L.affine_forward(np.ones((2, 3)), np.ones((3, 5)), np.ones(4)), ValueError,
     r"affine_forward: b must have shape \(5,\)"),
    (lambda: L.affine_backward(np.ones((2, 5)), "cache"), TypeError, r"affine_backward: cache"),
    (lambda: L.affine_backward(np.ones((3, 5)), L.affine_forward(np.ones((2, 3)), np.ones((3, 5)),
                                                                 np.ones(5))[1]),
     ValueError, r"affine_backward: dout has shape \(3, 5\).*\(2, 5\)"),
    (lambda: L.batchnorm_forward(np.ones((4, 3)), np.ones(3), np.ones(3), {}), KeyError,
     r"batchnorm_forward: bn_param lacks \['mode'\]"),
    (lambda: L.batchnorm_forward(np.ones((4, 3)), np.ones(3), np.ones(3), {"mode": "eval"}),
     ValueError, r"'train' or 'test'"),
    (lambda: L.batchnorm_forward(np.ones((4, 3)), np.ones(2), np.ones(3), {"mode": "train"}),
     ValueError, r"batchnorm_forward: gamma must have shape \(3,\)"),
    (lambda: L.dropout_forward(np.ones(3), {"p": 0.0, "mode": "train"}), ValueError,
     r"keep probability"),
    (lambda: L.dropout_forward(np.ones(3), {"mode": "train"}), KeyError, r"dropout_param lacks"),
    (lambda: L.conv_forward_naive(np.ones((1, 2, 5, 5)), np.ones((3, 4, 3, 3)), np.ones(3),
                                  {"stride": 1, "pad": 0}), ValueError, r"2 channels.*4"),
    (lambda: L.conv_forward_fast(np.ones((1, 2, 5, 5)), np.ones((3, 2, 3, 3)), np.ones(3),
                                 {"stride": 0, "pad": 0}), ValueError, r"stride"),
    (lambda: L.conv_forward_fast(np.ones((2, 5, 5)), np.ones((3, 2, 3, 3)), np.ones(3),
                                 {"stride": 1, "pad": 0}), ValueError, r"4-D \(N, C, H, W\)"),
    (lambda: L.max_pool_forward_fast(np.ones((1, 1, 2, 2)), {"pool_height": 3, "pool_width": 2,
                                                              "stride": 1}), ValueError, r"larger"),
    (lambda: L.max_pool_forward_naive(np.ones((1, 1, 4, 4)), {"pool_height": 2}), KeyError,
     r"pool_width"),
    (lambda: L.softmax_loss(np.ones((3, 2)), np.array([0, 1, 2])), ValueError, r"softmax_loss"),
    (lambda: L.relu_forward("x"), TypeError, r"relu_forward: x must be an array of numbers"),
    (lambda: L.layer_numerical_grads(L.dropout_forward, (np.ones(3), {"p": 0.5, "mode": "train"}),
                                     np.ones(3)), ValueError, r"no 'seed'"),
])
def test_bad_input_names_the_function(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ---------------------------------------------------------------------------- PyTorch


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def _t(torch, a):
    return torch.tensor(a, dtype=torch.float64, requires_grad=True)


def _against_torch(torch, ours, theirs, args, dout, rtol=1e-10):
    """Our (forward, backward) and torch's function of the same float inputs: outputs and the
    gradients of sum(dout * out) agree."""
    out, cache = ours[0](*fresh(args))
    grads = ours[1](dout, cache)
    grads = grads if isinstance(grads, tuple) else (grads,)
    ts = [_t(torch, args[i]) for i in floats(args)]
    t_out = theirs(*ts)
    (t_out * torch.tensor(dout)).sum().backward()
    np.testing.assert_allclose(out, t_out.detach().numpy(), rtol=rtol, atol=1e-12)
    for g, t in zip(grads, ts):
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=rtol, atol=1e-12)


def test_affine_relu_sigmoid_tanh_leaky_against_torch(torch):
    Fn = torch.nn.functional
    args, dout = inputs("affine")
    _against_torch(torch, (L.affine_forward, L.affine_backward),
                   lambda x, w, b: Fn.linear(x.reshape(x.shape[0], -1), w.T, b), args, dout)
    rng = np.random.default_rng(0)
    x, dout = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
    _against_torch(torch, (L.relu_forward, L.relu_backward), torch.relu, [x], dout)
    _against_torch(torch, (L.sigmoid_forward, L.sigmoid_backward), torch.sigmoid, [x], dout)
    _against_torch(torch, (L.tanh_forward, L.tanh_backward), torch.tanh, [x], dout)
    _against_torch(torch, (lambda v: L.leaky_relu_forward(v, 0.2), L.leaky_relu_backward),
                   lambda v: Fn.leaky_relu(v, 0.2), [x], dout)


@pytest.mark.parametrize("backward", [L.batchnorm_backward, L.batchnorm_backward_alt])
def test_batchnorm_against_torch_train_and_test(torch, backward):
    Fn = torch.nn.functional
    args, dout = inputs("batchnorm")
    x = args[0]
    rm, rv = torch.zeros(5, dtype=torch.float64), torch.ones(5, dtype=torch.float64)
    _against_torch(torch, (L.batchnorm_forward, backward),
                   lambda x, g, b: Fn.batch_norm(x, rm, rv, g, b, training=True, momentum=0.1,
                                                 eps=1e-5), args, dout)
    bn = {"mode": "train", "running_mean": np.zeros(5), "running_var": np.ones(5)}
    L.batchnorm_forward(x, args[1], args[2], bn)
    np.testing.assert_allclose(bn["running_mean"], rm.numpy(), rtol=1e-12)
    n = x.shape[0]       # torch keeps the unbiased batch variance, the course the biased one
    np.testing.assert_allclose((bn["running_var"] - 0.9) * n / (n - 1), rv.numpy() - 0.9, rtol=1e-12)
    bn["mode"] = "test"
    rm_t, rv_t = torch.tensor(bn["running_mean"]), torch.tensor(bn["running_var"])
    _against_torch(torch, (lambda *a: L.batchnorm_forward(*a, dict(bn)), backward),
                   lambda x, g, b: Fn.batch_norm(x, rm_t, rv_t, g, b, training=False, eps=1e-5),
                   args[:3], dout)


def test_layernorm_and_spatial_batchnorm_against_torch(torch):
    Fn = torch.nn.functional
    args, dout = inputs("layernorm")
    _against_torch(torch, (L.layernorm_forward, L.layernorm_backward),
                   lambda x, g, b: Fn.layer_norm(x, (x.shape[1],), g, b, eps=1e-5), args, dout)
    args, dout = inputs("spatial_batchnorm")
    _against_torch(torch, (L.spatial_batchnorm_forward, L.spatial_batchnorm_backward),
                   lambda x, g, b: Fn.batch_norm(x, None, None, g, b, training=True, eps=1e-5),
                   args, dout)


@pytest.mark.parametrize("pair", [(L.conv_forward_naive, L.conv_backward_naive),
                                  (L.conv_forward_fast, L.conv_backward_fast)])
@pytest.mark.parametrize("stride, pad", [(1, 0), (2, 1), (3, 2)])
def test_conv_against_torch(torch, pair, stride, pad):
    rng = np.random.default_rng(stride + pad)
    x, w, b = rng.standard_normal((2, 3, 8, 7)), rng.standard_normal((4, 3, 3, 2)), rng.standard_normal(4)
    param = {"stride": stride, "pad": pad}
    out, _ = pair[0](x, w, b, param)
    dout = rng.standard_normal(out.shape)
    _against_torch(torch, (lambda *a: pair[0](*a, param), pair[1]),
                   lambda x, w, b: torch.nn.functional.conv2d(x, w, b, stride=stride, padding=pad),
                   [x, w, b], dout)


@pytest.mark.parametrize("pair", [(L.max_pool_forward_naive, L.max_pool_backward_naive),
                                  (L.max_pool_forward_fast, L.max_pool_backward_fast)])
@pytest.mark.parametrize("ph, pw, stride", [(2, 2, 2), (3, 2, 1), (2, 3, 2)])
def test_max_pool_against_torch(torch, pair, ph, pw, stride):
    rng = np.random.default_rng(ph * pw + stride)
    x = rng.standard_normal((2, 3, 7, 8))
    param = {"pool_height": ph, "pool_width": pw, "stride": stride}
    dout = rng.standard_normal(pair[0](x, param)[0].shape)
    _against_torch(torch, (lambda v: pair[0](v, param), pair[1]),
                   lambda v: torch.nn.functional.max_pool2d(v, (ph, pw), stride=stride), [x], dout)


def test_dropout_scaling_against_torch_with_a_fixed_mask(torch):
    """torch drops with probability 1 - p and scales by 1 / p: with torch's own mask in our cache,
    our backward gives torch's gradient, and our forward keeps what it keeps at the same scale."""
    keep = 0.6
    torch.manual_seed(0)
    x = _t(torch, np.random.default_rng(0).standard_normal((20, 30)))
    y = torch.nn.functional.dropout(x, p=1 - keep, training=True)
    dout = np.random.default_rng(1).standard_normal((20, 30))
    (y * torch.tensor(dout)).sum().backward()
    mask = (y.detach().numpy() != 0) / keep
    param = {"p": keep, "mode": "train", "seed": 0}
    np.testing.assert_allclose(L.dropout_backward(dout, (param, mask)), x.grad.numpy(), rtol=1e-12)
    out, (_, ours) = L.dropout_forward(x.detach().numpy(), param)
    np.testing.assert_allclose(out, x.detach().numpy() * ours)
    assert set(np.unique(ours)) == {0.0, 1 / keep}


def test_layer_losses_against_torch(torch):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((6, 4)), rng.integers(0, 4, 6)
    for ours, theirs, scale in ((L.softmax_loss, torch.nn.functional.cross_entropy, 1),
                                (L.svm_loss, torch.nn.functional.multi_margin_loss, 4)):
        loss, dx = ours(x, y)
        t = _t(torch, x)
        value = theirs(t, torch.tensor(y)) * scale       # torch's hinge also divides by C
        value.backward()
        assert abs(loss - value.item()) < 1e-12
        np.testing.assert_allclose(dx, t.grad.numpy(), rtol=1e-10, atol=1e-15)


# ---------------------------------------------------------------------------- compare


@pytest.mark.parametrize("name", list(CASES))
def test_compare_puts_every_layer_in_one_table_and_they_agree(name):
    from tinygrad_edu.compare import compare

    result = compare(name, seed=1)
    assert result.ok, str(result)
    methods = [r.method for r in result.results]
    assert methods[0] == "graph" and methods[-1] == "numerical" and "vectorized" in methods
    assert ("naive" in methods) == (CASES[name].naive is not None)
    table = str(result)
    assert table.splitlines()[0].split()[:4] == ["loss", "method", "value", "time"]
    assert "all agree" in table


def test_compare_batchnorm_rows_and_the_linear_classifier_stays():
    from tinygrad_edu.compare import compare

    table = str(compare("batchnorm"))
    for label in ("graph", "naive (staged)", "vectorized (alt)", "numerical (all 50)"):
        assert f"batchnorm  {label}" in table
    softmax = compare("softmax", reg=0.1)
    assert "W" in softmax.shapes and [r.method for r in softmax.results][:3] == ["graph", "naive",
                                                                                  "vectorized"]


def test_compare_layer_shows_your_wrong_pair_and_your_failing_pair():
    from tinygrad_edu.compare import compare

    def no_mean_term(dout, cache):
        mode, xhat, xc, inv, gamma = cache
        return dout * gamma * inv, (dout * xhat).sum(0), dout.sum(0)

    def broken(dout, cache):
        raise IndexError("oops")
    result = compare("batchnorm", naive=(L.batchnorm_forward, no_mean_term),
                     vectorized=(L.batchnorm_forward, broken))
    assert not result.ok
    assert result.error("your_naive", "numerical") > 1e-2
    assert result.result("your_vectorized").error == "IndexError: oops"
    assert "DISAGREEMENT" in str(result)


def test_compare_layer_takes_your_input_and_refuses_the_losses_arguments():
    from tinygrad_edu.compare import compare

    x = np.random.default_rng(5).standard_normal((3, 7))
    result = compare("affine", X=x)
    assert result.shapes["x"] == (3, 7) and result.shapes["w"] == (7, 4) and result.ok
    with pytest.raises(TypeError, match="reg"):
        compare("conv", reg=0.1)
    with pytest.raises(ValueError, match="batchnorm"):
        compare("batchnrom")
    with pytest.raises(TypeError, match="pair"):
        compare("relu", naive=L.relu_backward)
