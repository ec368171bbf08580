"""Convolution, pooling, dropout and the norms (functional and nn) against torch.nn.functional and
centered differences in float64; one row per setting."""
from __future__ import annotations

import numpy as np
import pytest

from tinygrad_edu import Tensor, functional as F, nn
from conftest import numeric_grads


def normal(*shape):
    return lambda rng: rng.standard_normal(shape)


def small_ints(*shape):
    """Whole numbers 0..2: many ties inside pooling windows."""
    return lambda rng: rng.integers(0, 3, size=shape).astype(float)


# (id, ours(F, *xs), theirs(TF, *xs) or None for the same call, makers)
ROWS = [
    ("conv2d", lambda F, x, w: F.conv2d(x, w), None, [normal(2, 3, 6, 5), normal(4, 3, 3, 2)]),
    ("conv2d-bias-stride-pad", lambda F, x, w, b: F.conv2d(x, w, b, stride=2, padding=1), None,
     [normal(2, 3, 7, 6), normal(4, 3, 3, 3), normal(4)]),
    ("conv2d-pairs", lambda F, x, w: F.conv2d(x, w, stride=(2, 1), padding=(0, 2)), None,
     [normal(1, 2, 7, 5), normal(3, 2, 2, 3)]),
    ("conv2d-dilation", lambda F, x, w: F.conv2d(x, w, dilation=2, padding=1), None,
     [normal(2, 2, 7, 7), normal(3, 2, 3, 3)]),
    ("conv2d-groups", lambda F, x, w, b: F.conv2d(x, w, b, groups=2, padding=1), None,
     [normal(2, 4, 5, 5), normal(6, 2, 3, 3), normal(6)]),
    ("conv2d-depthwise", lambda F, x, w: F.conv2d(x, w, groups=3), None,
     [normal(2, 3, 5, 5), normal(3, 1, 2, 2)]),
    ("conv2d-same", lambda F, x, w: F.conv2d(x, w, padding="same"), None,
     [normal(2, 3, 5, 6), normal(2, 3, 3, 5)]),
    ("conv1d", lambda F, x, w, b: F.conv1d(x, w, b, stride=2, padding=1), None,
     [normal(2, 3, 9), normal(4, 3, 3), normal(4)]),
    ("conv1d-dilation-groups", lambda F, x, w: F.conv1d(x, w, dilation=2, groups=2), None,
     [normal(2, 4, 9), normal(2, 2, 3)]),
    ("unfold", lambda F, x: F.unfold(x, (2, 3), padding=1, stride=(1, 2)), None,
     [normal(2, 3, 5, 6)]),
    ("max_pool2d", lambda F, x: F.max_pool2d(x, 2), None, [normal(2, 3, 6, 6)]),
    ("max_pool2d-ties", lambda F, x: F.max_pool2d(x, 2), None, [small_ints(2, 3, 6, 7)]),
    ("max_pool2d-stride-pad", lambda F, x: F.max_pool2d(x, 3, stride=2, padding=1), None,
     [normal(2, 2, 7, 6)]),
    ("max_pool2d-dilation", lambda F, x: F.max_pool2d(x, 2, stride=1, dilation=2), None,
     [normal(1, 2, 6, 6)]),
    ("avg_pool2d", lambda F, x: F.avg_pool2d(x, 2), None, [normal(2, 3, 6, 6)]),
    ("avg_pool2d-pad", lambda F, x: F.avg_pool2d(x, 3, stride=2, padding=1), None,
     [normal(2, 2, 7, 6)]),
    ("avg_pool2d-pad-excluded",
     lambda F, x: F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False), None,
     [normal(2, 2, 7, 6)]),
    ("batch_norm-train-2d", lambda F, x, g, b: F.batch_norm(x, None, None, g, b, training=True),
     None, [normal(4, 3, 5, 5), normal(3), normal(3)]),
    ("batch_norm-train-1d", lambda F, x: F.batch_norm(x, None, None, training=True), None,
     [normal(6, 4)]),
    ("layer_norm", lambda F, x, g, b: F.layer_norm(x, (5,), g, b), None,
     [normal(3, 4, 5), normal(5), normal(5)]),
    ("layer_norm-2axes", lambda F, x: F.layer_norm(x, (4, 5)), None, [normal(3, 4, 5)]),
]
IDS = [r[0] for r in ROWS]


def _data(row, seed=0):
    rng = np.random.default_rng(seed)
    arrays = [m(rng) for m in row[3]]
    out = row[1](F, *[Tensor(a) for a in arrays])
    return arrays, np.random.default_rng(seed + 1).standard_normal(out.shape)


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_against_torch(row):
    torch = pytest.importorskip("torch")
    arrays, weights = _data(row)
    ts = [Tensor(a, requires_grad=True) for a in arrays]
    out = row[1](F, *ts)
    (out * weights).sum().backward()
    xs = [torch.tensor(a, requires_grad=True) for a in arrays]
    tout = (row[2] or row[1])(torch.nn.functional, *xs)
    (tout * torch.tensor(weights)).sum().backward()
    assert out.shape == tuple(tout.shape)
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    for t, x in zip(ts, xs):
        np.testing.assert_allclose(t.grad, x.grad.numpy(), rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("row", [r for r in ROWS if r[0] != "max_pool2d-ties"],
                         ids=[i for i in IDS if i != "max_pool2d-ties"])
def test_against_centered_differences(row):
    arrays, weights = _data(row)
    ts = [Tensor(a, requires_grad=True) for a in arrays]
    (row[1](F, *ts) * weights).sum().backward()
    num = numeric_grads(lambda *xs: float((row[1](F, *[Tensor(x) for x in xs]).data
                                           * weights).sum()), arrays)
    for t, g in zip(ts, num):
        np.testing.assert_allclose(t.grad, g, rtol=1e-6, atol=1e-7)


def test_batch_norm_running_statistics_and_eval_match_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal((8, 3, 4, 4))
    mean, var = np.zeros(3), np.ones(3)
    tmean, tvar = torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
    for _ in range(3):
        F.batch_norm(Tensor(x), mean, var, training=True, momentum=0.2)
        torch.nn.functional.batch_norm(torch.tensor(x), tmean, tvar, training=True, momentum=0.2)
    np.testing.assert_allclose(mean, tmean.numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(var, tvar.numpy(), rtol=1e-12)
    ours = F.batch_norm(Tensor(x), mean, var).data
    theirs = torch.nn.functional.batch_norm(torch.tensor(x), tmean, tvar).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_dropout_mask_scale_training_flag_and_generator():
    x = Tensor(np.ones((200, 50)), requires_grad=True)
    y = F.dropout(x, 0.3, generator=np.random.default_rng(0))
    kept = y.data != 0
    assert set(np.unique(y.data)) <= {0.0, 1 / 0.7}
    assert abs(kept.mean() - 0.7) < 0.02
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, kept / 0.7)
    assert F.dropout(x, 0.3, training=False) is x
    a = F.dropout(x, 0.5, seed=3).data
    np.testing.assert_array_equal(a, F.dropout(x, 0.5, generator=np.random.default_rng(3)).data)
    assert not F.dropout(x, 1.0).data.any()


def test_errors_name_the_function():
    x = Tensor(np.zeros((1, 3, 5, 5)))
    with pytest.raises(ValueError, match="conv2d.*groups"):
        F.conv2d(x, Tensor(np.zeros((2, 2, 3, 3))))
    with pytest.raises(ValueError, match="conv2d.*4-D|conv2d.*do not fit"):
        F.conv2d(Tensor(np.zeros((3, 5, 5))), Tensor(np.zeros((2, 3, 3, 3))))
    with pytest.raises(ValueError, match="max_pool2d.*smaller than the kernel"):
        F.max_pool2d(x, 7)
    with pytest.raises(ValueError, match="dropout: p must be"):
        F.dropout(x, 1.5)
    with pytest.raises(ValueError, match="layer_norm"):
        F.layer_norm(x, (4,))


def test_layers_match_torch_modules():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 2, 6, 6))
    conv = nn.Conv2d(2, 3, 3, padding=1, seed=0)
    tconv = torch.nn.Conv2d(2, 3, 3, padding=1).double()
    with torch.no_grad():
        tconv.weight.copy_(torch.tensor(conv.weight.data))
        tconv.bias.copy_(torch.tensor(conv.bias.data))
    bn, tbn = nn.BatchNorm2d(3), torch.nn.BatchNorm2d(3).double()
    model = nn.Sequential(conv, bn, nn.ReLU(), nn.MaxPool2d(2), nn.AvgPool2d(1), nn.Flatten(),
                          nn.LayerNorm(27), nn.Dropout(0.5))
    tmodel = torch.nn.Sequential(tconv, tbn, torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                                 torch.nn.AvgPool2d(1), torch.nn.Flatten(),
                                 torch.nn.LayerNorm(27).double(), torch.nn.Dropout(0.5))
    model.eval()
    tmodel.eval()
    assert not bn.training and not model.training
    model.train()
    tmodel.train()
    model.layers[-1].p = tmodel[-1].p = 0.0          # no random mask: compare the rest exactly
    out, tout = model(Tensor(x)), tmodel(torch.tensor(x))
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    out.sum().backward()
    tout.sum().backward()
    np.testing.assert_allclose(conv.weight.grad, tconv.weight.grad.numpy(), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(bn.running_var, tbn.running_var.numpy(), rtol=1e-12)
    model.eval()
    tmodel.eval()
    np.testing.assert_allclose(model(Tensor(x)).data, tmodel(torch.tensor(x)).detach().numpy(),
                               rtol=1e-10, atol=1e-12)
    assert len(list(model.parameters())) == 2 + 2 + 2
    assert isinstance(nn.BatchNorm1d(4)(Tensor(rng.standard_normal((5, 4)))), Tensor)


def test_conv_net_digits_example_trains(tmp_path, capsys):
    """The example, shortened (two epochs): a conv net learns the digits."""
    import importlib.util
    import pathlib
    import re
    pytest.importorskip("sklearn")
    pytest.importorskip("matplotlib")
    path = pathlib.Path(__file__).resolve().parents[1] / "examples" / "conv_net_digits.py"
    spec = importlib.util.spec_from_file_location("conv_net_digits", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(["--out", str(tmp_path), "--quick"])
    out = capsys.readouterr().out
    assert float(re.search(r"test accuracy ([0-9.]+)", out).group(1)) >= 0.8
    assert (tmp_path / "conv_net_loss.png").stat().st_size > 1000
