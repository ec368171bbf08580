"""tinygrad_edu.optim as torch.optim: each update rule step for step against PyTorch, parameter groups,
zero_grad(set_to_none=), closures and state_dict."""
import numpy as np
import pytest

from tinygrad_edu import Tensor, nn, optim


def problem():
    """A small least-squares problem with a ReLU, so that the gradient changes from step to step."""
    rng = np.random.default_rng(0)
    return rng.standard_normal((8, 3)), rng.standard_normal((8, 2)), rng.standard_normal((3, 2))


def loss_of(w, X, Y, relu):
    return ((relu(X @ w) - Y) ** 2).mean()


def run_ours(make, steps=6, group_lrs=None):
    X, Y, w0 = problem()
    w, b = Tensor(w0.copy(), requires_grad=True), Tensor(np.zeros(2), requires_grad=True)
    params = [w, b] if group_lrs is None else [{"params": [w], "lr": group_lrs[0]}, {"params": b}]
    opt = make(params)
    for _ in range(steps):
        opt.zero_grad()
        loss_of(w, Tensor(X), Tensor(Y), lambda z: (z + b).relu()).backward()
        opt.step()
    return w.data, b.data, opt


def run_torch(torch, make, steps=6, group_lrs=None):
    X, Y, w0 = problem()
    w = torch.tensor(w0.copy(), requires_grad=True)
    b = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    params = [w, b] if group_lrs is None else [{"params": [w], "lr": group_lrs[0]}, {"params": b}]
    opt = make(params)
    for _ in range(steps):
        opt.zero_grad()
        loss_of(w, torch.tensor(X), torch.tensor(Y), lambda z: (z + b).relu()).backward()
        opt.step()
    return w.detach().numpy(), b.detach().numpy(), opt


SETTINGS = [  # (class name, keyword arguments), each as torch.optim takes them
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.5, maximize=True)),
    ("Adam", dict(lr=0.05)),
    ("Adam", dict(lr=0.05, amsgrad=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.05, betas=(0.8, 0.9), maximize=True)),
    ("AdamW", dict(lr=0.05)),
    ("AdamW", dict(lr=0.05, weight_decay=0.3, amsgrad=True)),
]


@pytest.mark.parametrize("name, kw", SETTINGS, ids=[f"{n}-{sorted(k.items())}" for n, k in SETTINGS])
def test_update_rule_is_torchs(name, kw):
    torch = pytest.importorskip("torch")
    w, b, _ = run_ours(lambda ps: getattr(optim, name)(ps, **kw))
    tw, tb, _ = run_torch(torch, lambda ps: getattr(torch.optim, name)(ps, **kw))
    np.testing.assert_allclose(w, tw, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(b, tb, rtol=1e-12, atol=1e-14)


def test_positional_order_and_defaults_are_torchs():
    w = Tensor(np.zeros(2), requires_grad=True)
    opt = optim.SGD([w], 0.1, 0.9, 0.5, 0.01)          # lr, momentum, dampening, weight_decay
    assert (opt.lr, opt.momentum, opt.dampening, opt.weight_decay) == (0.1, 0.9, 0.5, 0.01)
    assert optim.SGD([w]).lr == 1e-3 and optim.AdamW([w]).weight_decay == 0.01


def test_parameter_groups_as_torch():
    torch = pytest.importorskip("torch")
    w, b, opt = run_ours(lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9), group_lrs=[0.02])
    tw, tb, topt = run_torch(torch, lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9),
                             group_lrs=[0.02])
    np.testing.assert_allclose(w, tw, rtol=1e-12)
    np.testing.assert_allclose(b, tb, rtol=1e-12)
    assert [g["lr"] for g in opt.param_groups] == [g["lr"] for g in topt.param_groups] == [0.02, 0.1]
    assert set(opt.param_groups[0]) >= {"params", "lr", "momentum", "dampening", "weight_decay",
                                        "nesterov", "maximize"}


def test_changing_lr_through_param_groups_takes_effect():
    w = Tensor(np.array([1.0]), requires_grad=True)
    opt = optim.SGD([w], lr=0.5)
    for lr in (0.5, 0.25):
        for g in opt.param_groups:
            g["lr"] = lr
        opt.zero_grad()
        (w * 2.0).sum().backward()
        opt.step()
    assert w.data[0] == 1.0 - 0.5 * 2 - 0.25 * 2
    opt.lr = 0.1                                        # the attribute sets every group
    assert opt.param_groups[0]["lr"] == 0.1


def test_zero_grad_set_to_none_false_zeros_in_place():
    w = Tensor(np.ones(3), requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    (w * w).sum().backward()
    g = w.grad
    opt.zero_grad(set_to_none=False)
    assert w.grad is g and not g.any()
    opt.zero_grad()
    assert w.grad is None


def test_step_with_a_closure_returns_the_loss():
    w = Tensor(np.array([3.0]), requires_grad=True)
    opt = optim.SGD([w], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    assert opt.step(closure).item() == 9.0 and w.data[0] == 1.5


def test_state_dict_round_trip_continues_identically():
    def fresh():
        return run_ours(lambda ps: optim.Adam(ps, lr=0.05), steps=3)

    w, b, opt = fresh()
    saved = opt.state_dict()
    assert sorted(saved["state"]) == [0, 1] and saved["state"][0]["step"] == 3
    assert saved["param_groups"][0]["params"] == [0, 1]
    w2, b2, opt2 = fresh()
    opt2.load_state_dict(saved)
    for o in (opt, opt2):
        p = o.params
        for q in p:
            q.grad = np.ones_like(q.data)
        o.step()
    np.testing.assert_array_equal(opt.params[0].data, opt2.params[0].data)
    assert "Parameter Group 0" in repr(opt) and "lr: 0.05" in repr(opt)


def test_torch_state_dict_layout():
    torch = pytest.importorskip("torch")
    _, _, opt = run_ours(lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9), steps=2)
    _, _, topt = run_torch(torch, lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9), steps=2)
    ours, theirs = opt.state_dict(), topt.state_dict()
    assert list(ours["state"]) == list(theirs["state"]) and list(ours["state"][0]) == \
        list(theirs["state"][0])
    np.testing.assert_allclose(ours["state"][0]["momentum_buffer"],
                               theirs["state"][0]["momentum_buffer"].numpy(), rtol=1e-12)


def test_a_model_trains_with_model_parameters():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 4))
    y = (X @ rng.standard_normal((4, 3))).argmax(1)           # labels a net can learn
    net = nn.Sequential(nn.Linear(4, 16, seed=0), nn.ReLU(), nn.Linear(16, 3, seed=1))
    opt = optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    first = None
    for _ in range(50):
        opt.zero_grad()
        loss = nn.CrossEntropyLoss()(net(Tensor(X)), y)
        loss.backward()
        opt.step()
        first = first or loss.item()
    assert loss.item() < 0.3 * first


@pytest.mark.parametrize("make, words", [
    (lambda w: optim.SGD([{"lr": 0.1}]), "'params'"),
    (lambda w: optim.SGD([{"params": [w], "lr": -1.0}]), "lr"),
    (lambda w: optim.SGD([{"params": [w]}, {"params": [w]}]), "more than once"),
    (lambda w: optim.SGD([w], lr=0.1).step(0.5), "closure"),
])
def test_bad_groups_are_named(make, words):
    w = Tensor(np.zeros(2), requires_grad=True)
    with pytest.raises((TypeError, ValueError, KeyError), match=words):
        make(w)
