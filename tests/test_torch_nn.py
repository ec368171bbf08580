"""tinygrad_edu.nn as torch.nn: Module's walks, state_dict, devices and dtypes; the activation and
loss modules and nn.functional, each against numerical gradients and against PyTorch."""
import warnings

import numpy as np
import pytest

import tinygrad_edu.nn.functional as F
from tinygrad_edu import Tensor, no_grad, nn
from tinygrad_edu.gradcheck import gradcheck


def leaf(a):
    return Tensor(np.array(a, dtype=np.float64), requires_grad=True)


# ---------------------------------------------------------------------------------- Module


class Net(nn.Module):
    """The same shape of model written for torch.nn (see torch_net)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.blocks = nn.ModuleList([nn.Linear(4, 4), nn.Linear(4, 4)])
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(64, 10), nn.LogSoftmax(dim=1))
        self.scale = nn.Parameter(np.ones(1))
        self.register_buffer("count", np.zeros(1))

    def forward(self, x):
        h = self.bn(self.conv(x)).relu()                  # (N, 4, 4, 4)
        for block in self.blocks:
            h = block(h.transpose(0, 1, 3, 2)).relu()     # mixes the last axis, 4 features
        return self.head(h * self.scale)


def torch_net(torch):
    tnn = torch.nn

    class TorchNet(tnn.Module):
        def __init__(self):
            super().__init__()
            self.conv = tnn.Conv2d(1, 4, 3, padding=1)
            self.bn = tnn.BatchNorm2d(4)
            self.blocks = tnn.ModuleList([tnn.Linear(4, 4), tnn.Linear(4, 4)])
            self.head = tnn.Sequential(tnn.Flatten(), tnn.Linear(64, 10), tnn.LogSoftmax(dim=1))
            self.scale = tnn.Parameter(torch.ones(1))
            self.register_buffer("count", torch.zeros(1))

        def forward(self, x):
            h = self.bn(self.conv(x)).relu()
            for block in self.blocks:
                h = block(h.transpose(2, 3)).relu()
            return self.head(h * self.scale)

    return TorchNet().double()


# What torch 2.13 gives for TorchNet (printed once; the torch test below checks it afresh).
TORCH_STATE_KEYS = ["scale", "count", "conv.weight", "conv.bias", "bn.weight", "bn.bias",
                    "bn.running_mean", "bn.running_var", "bn.num_batches_tracked", "blocks.0.weight",
                    "blocks.0.bias", "blocks.1.weight", "blocks.1.bias", "head.1.weight",
                    "head.1.bias"]
TORCH_MODULE_NAMES = ["", "conv", "bn", "blocks", "blocks.0", "blocks.1", "head", "head.0",
                      "head.1", "head.2"]


def test_walks_and_keys_are_torchs():
    net = Net()
    assert list(net.state_dict()) == TORCH_STATE_KEYS
    assert [n for n, _ in net.named_parameters()] == [k for k in TORCH_STATE_KEYS
                                                      if k not in ("count", "bn.running_mean",
                                                                   "bn.running_var",
                                                                   "bn.num_batches_tracked")]
    assert [n for n, _ in net.named_modules()] == TORCH_MODULE_NAMES
    assert [n for n, _ in net.named_children()] == ["conv", "bn", "blocks", "head"]
    assert [n for n, _ in net.named_buffers()] == ["count", "bn.running_mean", "bn.running_var",
                                                   "bn.num_batches_tracked"]
    assert isinstance(net.scale, nn.Parameter) and not isinstance(Tensor([1.0]), nn.Parameter)
    assert net.get_submodule("head.1") is net.head[1]


def test_against_torch_same_keys_shapes_and_outputs():
    torch = pytest.importorskip("torch")
    tnet, net = torch_net(torch), Net()
    assert list(tnet.state_dict()) == TORCH_STATE_KEYS
    assert [n for n, _ in tnet.named_modules()] == TORCH_MODULE_NAMES
    assert {k: tuple(v.shape) for k, v in tnet.state_dict().items()} == \
        {k: tuple(v.shape) for k, v in net.state_dict().items()}
    net.load_state_dict(tnet.state_dict())                   # torch's tensors load as they are
    x = np.random.default_rng(0).standard_normal((3, 1, 4, 4))
    out, tout = net(Tensor(x)), tnet(torch.tensor(x))      # training mode: batch statistics
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    out.sum().backward()
    tout.sum().backward()
    for (name, p), (tname, tp) in zip(net.named_parameters(), tnet.named_parameters()):
        assert name == tname
        np.testing.assert_allclose(p.grad, tp.grad.numpy(), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(net.bn.running_var, tnet.bn.running_var.numpy(), rtol=1e-12)
    assert int(net.bn.num_batches_tracked) == int(tnet.bn.num_batches_tracked) == 1
    net.eval()
    tnet.eval()
    np.testing.assert_allclose(net(Tensor(x)).data, tnet(torch.tensor(x)).detach().numpy(),
                               rtol=1e-10, atol=1e-12)


def test_repr_is_torchs():
    class Small(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(64, 128)
            self.act = nn.ReLU()
            self.drop = nn.Dropout(0.2)
            self.out = nn.Sequential(nn.Linear(128, 10), nn.LogSoftmax(dim=1))

    assert repr(Small()) == (
        "Small(\n"
        "  (fc1): Linear(in_features=64, out_features=128, bias=True)\n"
        "  (act): ReLU()\n"
        "  (drop): Dropout(p=0.2, inplace=False)\n"
        "  (out): Sequential(\n"
        "    (0): Linear(in_features=128, out_features=10, bias=True)\n"
        "    (1): LogSoftmax(dim=1)\n"
        "  )\n"
        ")")                                                  # as torch 2.13 prints it
    assert repr(nn.MaxPool2d(2)) == ("MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, "
                                     "ceil_mode=False)")
    assert repr(nn.Conv2d(1, 4, 3, padding=1)) == ("Conv2d(1, 4, kernel_size=(3, 3), stride=(1, 1), "
                                                   "padding=(1, 1))")


def test_load_state_dict_errors_name_the_keys():
    net = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))
    state = net.state_dict()
    with pytest.raises(RuntimeError, match=r"Missing key\(s\) in state_dict: '2.bias'"):
        net.load_state_dict({k: v for k, v in state.items() if k != "2.bias"})
    with pytest.raises(RuntimeError, match=r"Unexpected key\(s\) in state_dict: 'extra'"):
        net.load_state_dict({**state, "extra": np.zeros(1)})
    with pytest.raises(RuntimeError, match=r"size mismatch for 0.weight: .*\(2, 2\).*\(2, 3\)"):
        net.load_state_dict({**state, "0.weight": np.zeros((2, 2))})
    result = net.load_state_dict({k: v for k, v in state.items() if k != "2.bias"}, strict=False)
    assert result.missing_keys == ["2.bias"] and result.unexpected_keys == []


def test_load_state_dict_writes_in_place_and_state_dict_shares():
    lin = nn.Linear(3, 2)
    w = lin.weight
    saved = lin.state_dict()
    assert saved["weight"].data is w.data or np.shares_memory(saved["weight"].data, w.data)
    lin.load_state_dict({"weight": np.ones((2, 3)), "bias": [0.5, -0.5]})
    assert lin.weight is w and np.all(w.data == 1.0)
    np.testing.assert_array_equal(lin.bias.data, [0.5, -0.5])
    x = Tensor(np.ones((1, 3)))
    y = lin(x).sum()
    lin.load_state_dict({"weight": np.zeros((2, 3)), "bias": [0.0, 0.0]})
    with pytest.raises(RuntimeError):        # the graph saved the old weight: its version moved
        y.backward()


def test_frozen_parameters_stay_parameters():
    net = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    net[0].requires_grad_(False)
    assert len(list(net.parameters())) == 4 and list(net.state_dict()) == ["0.weight", "0.bias",
                                                                           "1.weight", "1.bias"]
    trainable = [p for p in net.parameters() if p.requires_grad]
    assert len(trainable) == 2
    fixed = nn.Parameter(np.ones(2), requires_grad=False)
    holder = nn.Module()
    holder.fixed = fixed
    assert list(holder.state_dict()) == ["fixed"] and isinstance(fixed, nn.Parameter)


def test_zero_grad_train_eval_devices_dtypes():
    net = nn.Sequential(nn.Linear(3, 2), nn.Dropout(0.5), nn.BatchNorm1d(2))
    net(Tensor(np.ones((4, 3)))).sum().backward()
    g = net[0].weight.grad
    net.zero_grad(set_to_none=False)
    assert net[0].weight.grad is g and not g.any()           # zeroed in place
    net.zero_grad()
    assert net[0].weight.grad is None
    assert net.eval() is net and not any(m.training for m in net.modules())
    assert net.train() is net and all(m.training for m in net.modules())
    assert net.to("cpu") is net and net.cpu() is net
    import tinygrad_edu as tg
    assert net.to(tg.device("cpu")) is net and str(tg.device("cpu")) == "cpu"
    assert not tg.cuda.is_available()
    with pytest.raises(RuntimeError, match="CPU"):
        net.to("cuda")
    with pytest.raises(RuntimeError, match="CPU"):
        net.cuda()
    assert net.float()[0].weight.dtype == np.float32 and net[2].running_mean.dtype == np.float32
    assert net.to(np.float64)[0].bias.dtype == np.float64


def test_children_apply_and_containers():
    seen = []
    net = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.ReLU(), nn.Linear(2, 1)))
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "ReLU", "Linear", "Sequential", "Sequential"]   # children first
    assert len(list(net.children())) == 2 and len(list(net.modules())) == 5
    assert isinstance(net[1:], nn.Sequential) and len(net[1:]) == 1
    d = nn.ModuleDict({"a": nn.Linear(2, 2), "b": nn.ReLU()})
    assert list(d) == ["a", "b"] and "a" in d and len(list(d.parameters())) == 2
    layers = nn.ModuleList([nn.Linear(2, 2)]).extend([nn.Linear(2, 2)])
    assert len(layers) == 2 and list(layers.state_dict()) == ["0.weight", "0.bias", "1.weight",
                                                             "1.bias"]
    with pytest.raises(TypeError, match="class Linear"):
        nn.Sequential(nn.Linear)


def test_linear_is_torchs_layout_and_the_cs231n_draw():
    lin = nn.Linear(5, 3, seed=0)
    assert lin.weight.shape == (3, 5) and lin.bias.shape == (3,)
    rng = np.random.RandomState(0)
    bound = 1 / np.sqrt(5)
    np.testing.assert_array_equal(lin.weight.data.T, rng.uniform(-bound, bound, (5, 3)))
    x = np.random.default_rng(1).standard_normal((4, 5))
    np.testing.assert_allclose(lin(Tensor(x)).data, x @ lin.weight.data.T + lin.bias.data)
    np.testing.assert_allclose(F.linear(Tensor(x), lin.weight, lin.bias).data, lin(x).data)
    assert gradcheck(lambda w, b: F.linear(Tensor(x), w, b).tanh().sum(),
                     leaf(lin.weight.data), leaf(lin.bias.data))


def test_embedding_and_one_hot():
    emb = nn.Embedding(6, 3, padding_idx=0, seed=0)
    out = emb(np.array([[1, 2], [2, 0]]))
    assert out.shape == (2, 2, 3) and not emb.weight.data[0].any()
    out.sum().backward()
    np.testing.assert_array_equal(emb.weight.grad[:, 0], [1, 1, 2, 0, 0, 0])   # repeats add up
    with pytest.raises(IndexError, match="Embedding"):
        emb(np.array([6]))
    np.testing.assert_array_equal(F.one_hot(np.array([0, 2]), 3).data, [[1, 0, 0], [0, 0, 1]])


# ---------------------------------------------------------------------------------- activations

ACTIVATIONS = [  # (ours, torch's name in torch.nn.functional, keyword arguments)
    (F.relu, "relu", {}), (F.relu6, "relu6", {}), (F.leaky_relu, "leaky_relu", {"negative_slope": 0.2}),
    (F.elu, "elu", {"alpha": 0.7}), (F.selu, "selu", {}), (F.gelu, "gelu", {}),
    (F.gelu, "gelu", {"approximate": "tanh"}), (F.silu, "silu", {}), (F.mish, "mish", {}),
    (F.sigmoid, "sigmoid", {}), (F.tanh, "tanh", {}), (F.hardtanh, "hardtanh", {}),
    (F.softplus, "softplus", {"beta": 2.0}), (F.logsigmoid, "logsigmoid", {}),
    (F.softmax, "softmax", {"dim": 1}), (F.log_softmax, "log_softmax", {"dim": 0}),
    (F.softmin, "softmin", {"dim": -1}),
]
X = np.array([[-3.0, -0.7, 0.4, 2.5], [1.5, -1.2, 7.0, -0.2], [0.3, 0.9, -5.0, 3.3]])


@pytest.mark.parametrize("fn, name, kw", ACTIVATIONS, ids=[f"{a[1]}{a[2] or ''}" for a in ACTIVATIONS])
def test_activation_gradient_is_numerical(fn, name, kw):
    assert gradcheck(lambda x: (fn(x, **kw) * Tensor(np.arange(12.0).reshape(3, 4))).sum(), leaf(X))


@pytest.mark.parametrize("fn, name, kw", ACTIVATIONS, ids=[f"{a[1]}{a[2] or ''}" for a in ACTIVATIONS])
def test_activation_matches_torch(fn, name, kw):
    torch = pytest.importorskip("torch")
    x, tx = leaf(X), torch.tensor(X, requires_grad=True)
    weights = np.arange(12.0).reshape(3, 4)
    (fn(x, **kw) * Tensor(weights)).sum().backward()
    tout = getattr(torch.nn.functional, name)(tx, **kw)
    (tout * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(fn(x, **kw).data, tout.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_activation_modules_match_the_functions():
    x = Tensor(X)
    pairs = [(nn.ReLU(), F.relu(x)), (nn.LeakyReLU(0.1), F.leaky_relu(x, 0.1)),
             (nn.GELU(), F.gelu(x)), (nn.Sigmoid(), F.sigmoid(x)), (nn.Tanh(), F.tanh(x)),
             (nn.Softmax(dim=1), F.softmax(x, dim=1)), (nn.LogSoftmax(dim=1), F.log_softmax(x, 1)),
             (nn.ELU(), F.elu(x)), (nn.SiLU(), F.silu(x)), (nn.Softplus(), F.softplus(x)),
             (nn.Identity(54, unused=1), x)]
    for module, expected in pairs:
        np.testing.assert_array_equal(module(x).data, expected.data)


def test_softmax_without_dim_warns_and_picks_torchs_axis():
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        p = F.softmax(Tensor(X))
    np.testing.assert_allclose(p.data.sum(axis=1), 1.0)        # 2-D: dim 1, as torch
    with pytest.warns(UserWarning):
        np.testing.assert_allclose(F.log_softmax(Tensor(X[0])).exp().data.sum(), 1.0)


def test_inplace_flags():
    x = Tensor(X.copy())
    with no_grad():
        assert F.relu(x, inplace=True) is x and (x.data >= 0).all()
    w = leaf(X)
    with pytest.raises(RuntimeError, match="leaf Variable.*in-place"):
        F.relu(w, inplace=True)
    h = w * 1.0
    out = nn.ReLU(inplace=True)(h)                 # recorded: a new Tensor (h keeps its values)
    out.sum().backward()
    np.testing.assert_array_equal(w.grad, X > 0)


def test_dropout_functional_trains_by_default_and_scales():
    np.random.seed(0)
    out = F.dropout(Tensor(np.ones((200, 50))), p=0.2)
    kept = out.data != 0
    assert abs(kept.mean() - 0.8) < 0.02 and np.allclose(out.data[kept], 1.25)
    np.testing.assert_array_equal(F.dropout(Tensor(X), training=False).data, X)


# ---------------------------------------------------------------------------------- losses

RNG = np.random.default_rng(0)
LOGITS = RNG.standard_normal((6, 4)) * 3
LABELS = np.array([0, 3, 1, 1, 2, 3])
REV = LOGITS[::-1].copy()
WEIGHT = np.array([0.5, 2.0, 1.0, 0.25])
LOSSES = [  # (id, ours, torch's F name, input, target, keyword arguments)
    ("ce", F.cross_entropy, "cross_entropy", LOGITS, LABELS, {}),
    ("ce_weight", F.cross_entropy, "cross_entropy", LOGITS, LABELS, {"weight": WEIGHT}),
    ("ce_ignore", F.cross_entropy, "cross_entropy", LOGITS, np.array([0, -100, 1, 1, -100, 3]), {}),
    ("ce_sum", F.cross_entropy, "cross_entropy", LOGITS, LABELS, {"reduction": "sum"}),
    ("ce_none", F.cross_entropy, "cross_entropy", LOGITS, LABELS, {"reduction": "none"}),
    ("ce_smooth", F.cross_entropy, "cross_entropy", LOGITS, LABELS, {"label_smoothing": 0.1}),
    ("ce_smooth_weight_ignore", F.cross_entropy, "cross_entropy", LOGITS,
     np.array([0, 3, -100, 1, 2, 3]), {"label_smoothing": 0.2, "weight": WEIGHT}),
    ("ce_probs", F.cross_entropy, "cross_entropy", LOGITS,
     np.exp(REV) / np.exp(REV).sum(1, keepdims=True), {"label_smoothing": 0.05}),
    ("ce_kdim", F.cross_entropy, "cross_entropy", RNG.standard_normal((2, 4, 3, 2)),
     RNG.integers(0, 4, (2, 3, 2)), {"weight": WEIGHT}),
    ("ce_unbatched", F.cross_entropy, "cross_entropy", LOGITS[0], np.array(2), {}),
    ("nll", F.nll_loss, "nll_loss", LOGITS - 5, LABELS, {"weight": WEIGHT}),
    ("mse", F.mse_loss, "mse_loss", LOGITS, REV, {}),
    ("mse_sum", F.mse_loss, "mse_loss", LOGITS, REV, {"reduction": "sum"}),
    ("l1", F.l1_loss, "l1_loss", LOGITS, REV + 0.1, {}),
    ("smooth_l1", F.smooth_l1_loss, "smooth_l1_loss", LOGITS, REV + 0.1, {"beta": 0.5}),
    ("huber", F.huber_loss, "huber_loss", LOGITS, REV + 0.1, {"delta": 2.0}),
    ("bce", F.binary_cross_entropy, "binary_cross_entropy", 1 / (1 + np.exp(-LOGITS)),
     (REV > 0) * 1.0, {}),
    ("bce_logits", F.binary_cross_entropy_with_logits, "binary_cross_entropy_with_logits", LOGITS,
     (REV > 0) * 1.0, {"pos_weight": np.array([1.0, 2.0, 0.5, 3.0])}),
]


def _torch_kw(torch, kw):
    return {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}


@pytest.mark.parametrize("name, fn, tname, x, t, kw", LOSSES, ids=[c[0] for c in LOSSES])
def test_loss_matches_torch(name, fn, tname, x, t, kw):
    torch = pytest.importorskip("torch")
    ours, tx = leaf(x), torch.tensor(x, requires_grad=True)
    out = fn(ours, t, **kw)
    tout = getattr(torch.nn.functional, tname)(tx, torch.tensor(t), **_torch_kw(torch, kw))
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-12, atol=1e-14)
    out.sum().backward()
    tout.sum().backward()
    np.testing.assert_allclose(ours.grad, tx.grad.numpy(), rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("name, fn, tname, x, t, kw", LOSSES, ids=[c[0] for c in LOSSES])
def test_loss_gradient_is_numerical(name, fn, tname, x, t, kw):
    assert gradcheck(lambda z: fn(z, t, **kw).sum(), leaf(x))


def test_loss_modules_and_their_settings():
    x, t = Tensor(LOGITS), LABELS
    pairs = [(nn.CrossEntropyLoss(weight=WEIGHT, label_smoothing=0.1),
              F.cross_entropy(x, t, WEIGHT, label_smoothing=0.1)),
             (nn.NLLLoss(reduction="sum"), F.nll_loss(x, t, reduction="sum")),
             (nn.MSELoss(), F.mse_loss(x, Tensor(LOGITS[::-1]))),
             (nn.L1Loss(reduction="none"), F.l1_loss(x, Tensor(LOGITS[::-1]), reduction="none")),
             (nn.BCEWithLogitsLoss(), F.binary_cross_entropy_with_logits(x, Tensor(LOGITS > 0) * 1.0))]
    targets = [t, t, Tensor(LOGITS[::-1]), Tensor(LOGITS[::-1]), Tensor(LOGITS > 0) * 1.0]
    for (module, expected), target in zip(pairs, targets):
        np.testing.assert_array_equal(module(x, target).data, expected.data)
    assert list(nn.CrossEntropyLoss(weight=WEIGHT).state_dict()) == ["weight"]   # a buffer, as torch
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"


def test_labels_as_a_float_tensor_are_class_indices():
    y = Tensor(LABELS)                                 # integers become float64 in a Tensor
    assert y.dtype == np.float64
    np.testing.assert_array_equal(F.cross_entropy(Tensor(LOGITS), y).data,
                                  F.cross_entropy(Tensor(LOGITS), LABELS).data)


@pytest.mark.parametrize("call, error, words", [
    (lambda: F.cross_entropy(Tensor(LOGITS), LABELS + 0.5), ValueError, "whole numbers"),
    (lambda: F.cross_entropy(Tensor(LOGITS), np.array([0, 4, 1, 1, 2, 3])), IndexError,
     "target 4 is out of bounds for 4 classes"),
    (lambda: F.cross_entropy(Tensor(LOGITS), LABELS[:5]), ValueError, r"target has shape \(5,\)"),
    (lambda: F.nll_loss(Tensor(LOGITS), np.full(6, -100)), ValueError, "every target is ignore_index"),
    (lambda: F.cross_entropy(Tensor(LOGITS), LABELS, weight=[1.0, 2.0]), ValueError, "one entry per class"),
    (lambda: F.mse_loss(Tensor(LOGITS), Tensor(LOGITS), reduction="avg"), ValueError, "reduction"),
    (lambda: F.binary_cross_entropy(Tensor(LOGITS), Tensor(LOGITS > 0) * 1.0), ValueError, "logits"),
    (lambda: F.max_pool2d(Tensor(np.ones((1, 1, 4, 4))), 2, ceil_mode=True), NotImplementedError,
     "ceil_mode"),
    (lambda: F.gelu(Tensor(X), approximate="fast"), ValueError, "approximate"),
])
def test_bad_input_is_named(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_mse_with_mismatched_shapes_warns_as_torch():
    with pytest.warns(UserWarning, match="different to the input size"):
        F.mse_loss(Tensor(np.ones((4, 1))), Tensor(np.ones(4)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.mse_loss(Tensor(np.ones(4)), Tensor(np.ones(4)))


def test_init_functions_fill_in_place_with_torchs_scales():
    from tinygrad_edu.nn import init

    lin = nn.Linear(300, 200)
    w = lin.weight
    np.random.seed(0)
    assert init.kaiming_uniform_(w, nonlinearity="relu") is w
    assert abs(w.data.std() - np.sqrt(2.0 / 300)) < 0.002
    init.xavier_normal_(w)
    assert abs(w.data.std() - np.sqrt(2.0 / 500)) < 0.002
    init.zeros_(lin.bias)
    assert not lin.bias.data.any() and lin.weight is w
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(np.sqrt(2 / 1.04))
