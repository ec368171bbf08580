"""TwoLayerNet (loss and gradients against numerical gradients, the reference and PyTorch; training)
and the small layer set (Module, Linear, ReLU, Sequential)."""
import numpy as np
import pytest

from tinygrad_edu import Tensor, reference
from tinygrad_edu.gradcheck import numerical_gradient, rel_error
from tinygrad_edu.nn import Linear, Module, ReLU, Sequential, Tanh, TwoLayerNet


def toy():
    """The assignment's toy problem: 5 inputs of size 4, 10 hidden units, 3 classes."""
    net = TwoLayerNet(4, 10, 3, std=1e-1, seed=0)
    rng = np.random.RandomState(1)
    X = 10 * rng.randn(5, 4)
    y = np.array([0, 1, 2, 2, 1])
    return net, X, y


def test_init_shapes_and_scale():
    net = TwoLayerNet(64, 50, 10, std=1e-2, seed=3)
    assert {k: v.shape for k, v in net.params.items()} == {
        "W1": (64, 50), "b1": (50,), "W2": (50, 10), "b2": (10,)}
    assert not net.params["b1"].any() and not net.params["b2"].any()
    assert 0.005 < net.params["W1"].std() < 0.015
    again = TwoLayerNet(64, 50, 10, std=1e-2, seed=3)
    assert all(np.array_equal(net.params[k], again.params[k]) for k in net.params)


def test_scores_match_numpy_forward():
    net, X, y = toy()
    p = net.params
    expected = np.maximum(0, X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
    scores = net.loss(X)
    assert isinstance(scores, np.ndarray) and scores.shape == (5, 3)
    np.testing.assert_allclose(scores, expected, rtol=1e-12)


def test_loss_value_matches_numpy():
    net, X, y = toy()
    p = net.params
    s = np.maximum(0, X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
    s = s - s.max(1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(1, keepdims=True))
    reg = 0.05
    expected = -logp[np.arange(5), y].mean() + reg * ((p["W1"] ** 2).sum() + (p["W2"] ** 2).sum())
    loss, grads = net.loss(X, y, reg=reg)
    assert isinstance(loss, float)
    assert abs(loss - expected) < 1e-12
    assert set(grads) == {"W1", "b1", "W2", "b2"}


@pytest.mark.parametrize("reg", [0.0, 0.05])
def test_grads_match_numerical_gradient_in_place_idiom(reg):
    """The cs231n check: f reads net.params afresh, the numerical gradient perturbs them in place."""
    net, X, y = toy()
    loss, grads = net.loss(X, y, reg=reg)
    for name in ("W1", "b1", "W2", "b2"):
        before = net.params[name].copy()
        num = numerical_gradient(lambda _: net.loss(X, y, reg=reg)[0], net.params[name], h=1e-6)
        assert np.array_equal(net.params[name], before)
        assert grads[name].shape == net.params[name].shape
        assert rel_error(grads[name], num) < 1e-7, name


def test_grads_match_reference_formulas():
    net, X, y = toy()
    loss, grads = net.loss(X, y, reg=0.1)
    ref_loss, ref_grads = reference.two_layer_loss(net.params, X, y, 0.1)
    assert abs(loss - ref_loss) < 1e-10
    for k in grads:
        np.testing.assert_allclose(grads[k], ref_grads[k], rtol=1e-9, atol=1e-12)


def test_loss_and_grads_match_pytorch():
    torch = pytest.importorskip("torch")
    net, X, y = toy()
    loss, grads = net.loss(X, y, reg=0.05)
    tp = {k: torch.tensor(v, requires_grad=True) for k, v in net.params.items()}
    h = torch.relu(torch.tensor(X) @ tp["W1"] + tp["b1"])
    s = h @ tp["W2"] + tp["b2"]
    tl = torch.nn.functional.cross_entropy(s, torch.tensor(y)) + 0.05 * (
        (tp["W1"] ** 2).sum() + (tp["W2"] ** 2).sum())
    tl.backward()
    assert abs(loss - tl.item()) < 1e-12
    for k in grads:
        np.testing.assert_allclose(grads[k], tp[k].grad.numpy(), rtol=1e-10, atol=1e-13)


def test_params_are_read_afresh():
    net, X, y = toy()
    first, _ = net.loss(X, y)
    net.params = {k: v.copy() for k, v in net.params.items()}
    net.params["W2"] = net.params["W2"] * 3
    assert net.loss(X, y)[0] != first
    before = net.loss(X)
    net.params["b2"] += 100.0  # changed in place: the next call sees it
    np.testing.assert_allclose(net.loss(X), before + 100.0, rtol=1e-12)


def test_bad_shapes_say_what_is_expected():
    net, X, y = toy()
    with pytest.raises(ValueError, match=r"\(N, 4\)"):
        net.loss(np.ones((5, 3)))
    with pytest.raises(ValueError, match="labels"):
        net.loss(X, np.array([0, 1, 2, 3, 1]))
    with pytest.raises(ValueError, match=r"\(5,\)"):
        net.loss(X, np.array([0, 1]))


def test_train_on_toy_data_fits_it():
    net, X, y = toy()
    stats = net.train(X, y, X, y, learning_rate=1e-1, learning_rate_decay=1.0,
                      reg=5e-6, num_iters=100, batch_size=5)
    assert len(stats["loss_history"]) == 100
    assert len(stats["train_acc_history"]) == len(stats["val_acc_history"]) == 100
    assert stats["loss_history"][-1] < 0.02
    assert (net.predict(X) == y).all()


def test_train_reaches_97_percent_on_digits():
    """The settings of examples/two_layer_net_digits.py."""
    datasets = pytest.importorskip("tinygrad_edu.datasets")
    pytest.importorskip("sklearn")
    d = datasets.load_digits(seed=0)
    net = TwoLayerNet(64, 100, 10, std=1e-4, seed=0)
    stats = net.train(d.X_train, d.y_train, d.X_val, d.y_val, learning_rate=0.5,
                      learning_rate_decay=0.99, reg=1e-3, num_iters=2000, batch_size=200)
    per_epoch = len(d.y_train) // 200            # accuracies recorded at it = 0, per_epoch, ...
    assert len(stats["val_acc_history"]) == -(-2000 // per_epoch)
    assert np.mean(stats["loss_history"][-50:]) < np.mean(stats["loss_history"][:50]) / 5
    assert np.mean(net.predict(d.X_test) == d.y_test) >= 0.97


def test_training_is_reproducible_with_a_seed():
    net_a, X, y = toy()
    net_b, _, _ = toy()
    ha = net_a.train(X, y, X, y, num_iters=20, batch_size=3)
    hb = net_b.train(X, y, X, y, num_iters=20, batch_size=3)
    assert ha["loss_history"] == hb["loss_history"]


# ---------------------------------------------------------------------------------- layers


class TwoLayers(Module):
    def __init__(self):
        self.first = Linear(4, 6, seed=0)
        self.act = ReLU()
        self.blocks = [Linear(6, 3, seed=1), {"extra": Linear(3, 2, bias=False, seed=2)}]
        self.constant = Tensor(np.ones(3))  # not a parameter: requires_grad is False

    def forward(self, x):
        return self.blocks[1]["extra"](self.blocks[0](self.act(self.first(x))))


def test_module_finds_parameters_recursively_in_order():
    m = TwoLayers()
    names = [n for n, _ in m.named_parameters()]
    assert names == ["first.weight", "first.bias", "blocks.0.weight", "blocks.0.bias",
                     "blocks.1.extra.weight"]
    assert [p.shape for p in m.parameters()] == [(6, 4), (6,), (3, 6), (3,), (2, 3)]
    shared = Sequential(m.first, ReLU(), m.first.__class__(6, 6, seed=0))
    assert len(list(shared.parameters())) == 4


def test_module_backward_and_zero_grad():
    m = TwoLayers()
    x = np.random.RandomState(0).randn(5, 4)
    m(x).sum().backward()
    assert all(p.grad is not None and p.grad.shape == p.shape for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())


def test_sequential_matches_pytorch():
    torch = pytest.importorskip("torch")
    model = Sequential(Linear(4, 5, seed=0), ReLU(), Linear(5, 3, seed=1), Tanh())
    x = np.random.RandomState(2).randn(6, 4)
    out = model(Tensor(x))
    (out * out).sum().backward()
    tmodel = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.ReLU(), torch.nn.Linear(5, 3),
                                 torch.nn.Tanh()).double()
    tmodel.load_state_dict({k: torch.tensor(v.data) for k, v in model.state_dict().items()})
    tl1, tl2 = tmodel[0], tmodel[2]
    tout = tmodel(torch.tensor(x))
    (tout * tout).sum().backward()
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(model[0].weight.grad, tl1.weight.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(model[2].bias.grad, tl2.bias.grad.numpy(), rtol=1e-10)
    assert len(model) == 4 and "(0): Linear(in_features=4, out_features=5, bias=True)" in repr(model)


def test_linear_init_range_and_bad_input():
    lin = Linear(16, 8, seed=0)
    assert np.abs(lin.weight.data).max() <= 0.25 and lin.weight.requires_grad
    with pytest.raises(ValueError, match="last dimension must be 16"):
        lin(np.ones((2, 15)))
    with pytest.raises(NotImplementedError, match="forward"):
        Module()(1)
