"""check_layer: correct layers pass in every setting; each planted mistake is named by its code."""
import numpy as np
import pytest

from tinygrad_edu import layers as L
from tinygrad_edu.gradcheck import check_layer
from tinygrad_edu.layers.conv import _pad
from tinygrad_edu.layers.homework import case

RIGHT = [
    (L.affine_forward, L.affine_backward, "affine"),
    (L.relu_forward, L.relu_backward, "elementwise"),
    (L.leaky_relu_forward, L.leaky_relu_backward, "elementwise"),
    (L.sigmoid_forward, L.sigmoid_backward, "elementwise"),
    (L.tanh_forward, L.tanh_backward, "elementwise"),
    (L.batchnorm_forward, L.batchnorm_backward, "batchnorm"),
    (L.batchnorm_forward, L.batchnorm_backward_alt, "batchnorm"),
    (L.layernorm_forward, L.layernorm_backward, "layernorm"),
    (L.spatial_batchnorm_forward, L.spatial_batchnorm_backward, "spatial_batchnorm"),
    (L.dropout_forward, L.dropout_backward, "dropout_train"),
    (L.dropout_forward, L.dropout_backward, "dropout_test"),
    (L.conv_forward_naive, L.conv_backward_naive, "conv"),
    (L.conv_forward_fast, L.conv_backward_fast, "conv"),
    (L.max_pool_forward_naive, L.max_pool_backward_naive, "pool"),
    (L.max_pool_forward_fast, L.max_pool_backward_fast, "pool"),
]


def _cast(args, dtype):
    return [a.astype(dtype) if isinstance(a, np.ndarray) else a for a in args]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("forward,backward,kind", RIGHT, ids=lambda v: getattr(v, "__name__", v))
def test_right_layers_pass(forward, backward, kind, dtype):
    rep = check_layer(forward, backward, *_cast(case(kind, 3), dtype))
    assert rep.ok, rep
    assert rep.codes == [] and len(rep.inputs) == len([a for a in case(kind) if isinstance(a, np.ndarray)])
    assert "verdict: ok" in str(rep)


def test_pixel_scale_affine_and_small_batch_norm():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 255, (20, 3, 4, 4)) - 128       # mean-subtracted pixels
    w, b = 1e-4 * rng.standard_normal((48, 10)), np.zeros(10)
    for dtype in (np.float64, np.float32):
        assert check_layer(L.affine_forward, L.affine_backward, *_cast((x, w, b), dtype)).ok
    xb = 40 * rng.standard_normal((3, 5)) + 120          # N = 3, pixel scale
    rep = check_layer(L.batchnorm_forward, L.batchnorm_backward_alt, xb, np.ones(5), np.zeros(5),
                      {"mode": "train"})
    assert rep.ok, rep
    # N = 2: xhat is +-1 whatever x is, so dx is 0 up to eps's share: nothing to resolve, not "ok"
    rep = check_layer(L.batchnorm_forward, L.batchnorm_backward_alt, xb[:2], np.ones(5), np.zeros(5),
                      {"mode": "train"})
    assert rep["x"].verdict in ("ok", "inconclusive") and rep.verdict != "wrong", rep
    for cp in ({"stride": 1, "pad": 2}, {"stride": 3, "pad": 1}):
        args = case("conv", 1)[:3]
        assert check_layer(L.conv_forward_fast, L.conv_backward_fast, *args, cp).ok


def test_running_averages_untouched_and_arrays_unchanged():
    x, g, b, bn = case("batchnorm")
    x0 = x.copy()
    check_layer(L.batchnorm_forward, L.batchnorm_backward, x, g, b, bn)
    assert bn == {"mode": "train"} and np.array_equal(x, x0)


def _bn(dout, cache, drop):
    mode, xhat, xc, inv, gamma = cache
    dxhat = dout * gamma
    mean = dxhat.mean(axis=0) if "mean" not in drop else 0
    var = xhat * (dxhat * xhat).mean(axis=0) if "var" not in drop else 0
    return inv * (dxhat - mean - var), (dout * xhat).sum(axis=0), dout.sum(axis=0)


def _affine(dout, cache, mistake):
    x, w, b = cache
    dx, dw, db = L.affine_backward(dout, cache)
    return {"db_rows": (dx, dw, dout), "db_axis": (dx, dw, dout.sum(axis=1)),
            "dw_T": (dx, dw.T, db), "dx_flat": (dout @ w.T, dw, db),
            "dw_flat": (dx, x.T @ dout, db), "dx_sign": (-dx, dw, db)}[mistake]


def _conv(dout, cache, mistake):
    x, w, b, p = cache
    dx, dw, db = L.conv_backward_fast(dout, cache)
    if mistake == "flip_dx":
        return L.conv_backward_fast(dout, (x, np.ascontiguousarray(w[:, :, ::-1, ::-1]), b, p))[0], dw, db
    if mistake == "flip_dw":
        return dx, dw[:, :, ::-1, ::-1], db
    dxp = L.conv_backward_fast(dout, (_pad(x, p["pad"]), w, b, {"stride": p["stride"], "pad": 0}))[0]
    return (dxp if mistake == "uncropped" else dxp[:, :, :x.shape[2], :x.shape[3]]), dw, db


def _pool_spread(dout, cache):
    x, p = cache
    dx = np.zeros_like(x)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            dx[:, :, 2 * i:2 * i + 2, 2 * j:2 * j + 2] += dout[:, :, i:i + 1, j:j + 1]
    return dx


def _dropout_unscaled(dout, cache):
    d, mask = cache
    return dout if mask is None else dout * (mask != 0)


def _dropout_test_mask(dout, cache):
    d, mask = cache
    return dout * L.dense.dropout_mask(dout.shape, {"p": d["p"], "seed": 5}) if mask is None else dout * mask


def _dropout_forward_unscaled(x, dropout_param):
    out, (d, mask) = L.dropout_forward(x, dropout_param)
    return (out * d["p"] if mask is not None else out), (d, None if mask is None else mask * d["p"])


PLANTED = [
    ("affine", lambda d, c: _affine(d, c, "db_rows"), L.affine_forward, "b", ["bias_not_summed"]),
    ("affine", lambda d, c: _affine(d, c, "db_axis"), L.affine_forward, "b", ["bias_not_summed"]),
    ("affine", lambda d, c: _affine(d, c, "dw_T"), L.affine_forward, "w", ["transposed"]),
    ("affine", lambda d, c: _affine(d, c, "dx_flat"), L.affine_forward, "x", ["missing_reshape"]),
    ("affine", lambda d, c: _affine(d, c, "dw_flat"), L.affine_forward, "w", ["missing_reshape"]),
    ("affine", lambda d, c: _affine(d, c, "dx_sign"), L.affine_forward, "x", ["sign_flip"]),
    ("batchnorm", lambda d, c: _bn(d, c, ("mean",)), L.batchnorm_forward, "x", ["batchnorm_mean_term"]),
    ("batchnorm", lambda d, c: _bn(d, c, ("var",)), L.batchnorm_forward, "x", ["batchnorm_var_term"]),
    ("batchnorm", lambda d, c: _bn(d, c, ("mean", "var")), L.batchnorm_forward, "x",
     ["batchnorm_mean_term", "batchnorm_var_term"]),
    ("conv", lambda d, c: _conv(d, c, "flip_dx"), L.conv_forward_naive, "x", ["kernel_flipped"]),
    ("conv", lambda d, c: _conv(d, c, "flip_dw"), L.conv_forward_naive, "w", ["kernel_flipped"]),
    ("conv", lambda d, c: _conv(d, c, "uncropped"), L.conv_forward_naive, "x", ["padding_not_cropped"]),
    ("conv", lambda d, c: _conv(d, c, "misplaced"), L.conv_forward_naive, "x", ["padding_not_cropped"]),
    ("pool", _pool_spread, L.max_pool_forward_naive, "x", ["pool_not_argmax"]),
    ("dropout_train", _dropout_unscaled, L.dropout_forward, "x", ["dropout_scale"]),
    ("dropout_test", _dropout_test_mask, L.dropout_forward, "x", ["dropout_scale"]),
    ("elementwise", lambda d, c: d, L.relu_forward, "x", ["mask"]),
]


@pytest.mark.parametrize("kind,backward,forward,name,codes", PLANTED)
def test_planted_mistakes_are_named(kind, backward, forward, name, codes):
    rep = check_layer(forward, backward, *case(kind, 0))
    assert rep.verdict == "wrong", rep
    assert rep[name].codes == codes, rep
    assert [c.name for c in rep.inputs if c.verdict == "wrong"] == [name], rep
    assert all(c in str(rep) for c in codes)


def test_dropout_forward_not_rescaled_is_named():
    rep = check_layer(_dropout_forward_unscaled, L.dropout_backward, *case("dropout_train"))
    assert rep.verdict == "wrong" and rep.codes == ["dropout_scale"], rep
    assert "dropout_forward keeps entries unscaled" in str(rep)


def test_a_mistake_without_a_pattern_gets_no_false_code():
    def noisy(dout, cache):
        dx, dw, db = L.affine_backward(dout, cache)
        return dx + 1e-3 * np.sin(np.arange(dx.size)).reshape(dx.shape), dw, db
    rep = check_layer(L.affine_forward, noisy, *case("affine"))
    assert rep.verdict == "wrong" and rep.codes == ["mismatch"], rep
    half_var = lambda d, c: (lambda dx, dg, db: (0.5 * dx + 0.5 * _bn(d, c, ("var",))[0], dg, db))(
        *L.batchnorm_backward(d, c))
    rep = check_layer(L.batchnorm_forward, half_var, *case("batchnorm"))
    assert rep.verdict == "wrong" and "batchnorm_var_term" not in rep.codes \
        and "batchnorm_mean_term" not in rep.codes, rep


def test_dropout_without_seed_is_refused():
    x = np.ones((3, 4))
    with pytest.raises(ValueError, match="check_layer.*seed"):
        check_layer(L.dropout_forward, L.dropout_backward, x, {"mode": "train", "p": 0.5})


def test_bad_backward_returns_are_clear():
    args = case("affine")
    with pytest.raises(TypeError, match="check_layer: backward returned None"):
        check_layer(L.affine_forward, lambda d, c: None, *args)
    with pytest.raises(ValueError, match=r"returned 2 gradients.*\(dx, dw, db\)"):
        check_layer(L.affine_forward, lambda d, c: L.affine_backward(d, c)[:2], *args)
    rep = check_layer(L.affine_forward, lambda d, c: (*L.affine_backward(d, c)[:2], None), *args)
    assert rep["b"].verdict == "wrong" and rep["b"].codes == ["missing"] and rep["w"].ok
    rep = check_layer(L.affine_forward, lambda d, c: (L.affine_backward(d, c)[0] * np.nan,
                                                      *L.affine_backward(d, c)[1:]), *args)
    assert rep["x"].codes == ["nonfinite"] and "dx holds nan" in str(rep)
    rep = check_layer(L.affine_forward, lambda d, c: (np.zeros(3), *L.affine_backward(d, c)[1:]), *args)
    assert rep["x"].codes == ["shape"] and "dx has shape (3,)" in str(rep)
    rep = check_layer(L.relu_forward, lambda d, c: d, *case("elementwise"))
    assert len(rep.inputs) == 1


def test_bad_arguments_are_clear():
    with pytest.raises(TypeError, match="check_layer: none of the arguments"):
        check_layer(L.relu_forward, L.relu_backward, [1.0, 2.0])
    with pytest.raises(ValueError, match="check_layer: dout has shape"):
        check_layer(L.relu_forward, L.relu_backward, np.ones((2, 3)), dout=np.ones(3))
    with pytest.raises(TypeError, match=r"check_layer: forward must return \(out, cache\)"):
        check_layer(lambda x: x, L.relu_backward, np.ones((2, 3)))
    with pytest.raises(TypeError, match="check_layer: backward must be a function"):
        check_layer(L.relu_forward, None, np.ones((2, 3)))


def test_ties_in_a_pooling_window_are_not_passed_off_as_ok():
    rep = check_layer(L.max_pool_forward_naive, L.max_pool_backward_naive, np.zeros((1, 1, 4, 4)),
                      {"pool_height": 2, "pool_width": 2, "stride": 2})
    assert rep.verdict == "inconclusive" and "ties" in str(rep)


def test_given_dout_is_used():
    x = case("elementwise")[0]
    rep = check_layer(L.tanh_forward, L.tanh_backward, x, dout=np.ones_like(x))
    assert rep.ok and np.allclose(rep["x"].numerical, 1 - np.tanh(x) ** 2)
