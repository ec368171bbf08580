"""SGD and Adam against torch.optim, step by step, and their plain behaviour."""
import numpy as np
import pytest

from tinygrad_edu import Tensor
from tinygrad_edu.optim import SGD, Adam


def problem(seed=0):
    rng = np.random.RandomState(seed)
    return rng.randn(8, 3), rng.randn(8), rng.randn(3), rng.randn(1)


def run_ours(make_opt, steps=6):
    X, t, w0, b0 = problem()
    w = Tensor(w0.copy(), requires_grad=True)
    b = Tensor(b0.copy(), requires_grad=True)
    opt = make_opt([w, b])
    for _ in range(steps):
        opt.zero_grad()
        r = X @ w + b - t
        ((r * r).mean() + (w * w * w * w).sum() * 0.01).backward()
        opt.step()
    return w.data, b.data


def run_torch(torch, make_opt, steps=6):
    X, t, w0, b0 = (torch.tensor(a) for a in problem())
    w = w0.clone().requires_grad_(True)
    b = b0.clone().requires_grad_(True)
    opt = make_opt([w, b])
    for _ in range(steps):
        opt.zero_grad()
        r = X @ w + b - t
        ((r * r).mean() + (w ** 4).sum() * 0.01).backward()
        opt.step()
    return w.detach().numpy(), b.detach().numpy()


SETTINGS = [
    ("SGD", dict(lr=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.8, dampening=0.3)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("Adam", dict(lr=0.1)),
    ("Adam", dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
]


@pytest.mark.parametrize("name,kw", SETTINGS)
def test_matches_torch_optim(name, kw):
    torch = pytest.importorskip("torch")
    ours = {"SGD": SGD, "Adam": Adam}[name]
    theirs = getattr(torch.optim, name)
    w, b = run_ours(lambda p: ours(p, **kw))
    tw, tb = run_torch(torch, lambda p: theirs(p, **kw))
    np.testing.assert_allclose(w, tw, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b, tb, rtol=1e-10, atol=1e-12)


def test_plain_sgd_step_is_p_minus_lr_grad():
    w = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    (w * w).sum().backward()
    SGD([w], lr=0.25).step()
    np.testing.assert_array_equal(w.data, [0.5, -1.0])


def test_adam_first_step_moves_each_entry_by_lr():
    """With bias correction the first Adam step is lr * g / (|g| + eps): about lr per entry."""
    w = Tensor(np.array([3.0, -0.001, 50.0]), requires_grad=True)
    (w * w).sum().backward()
    Adam([w], lr=0.01).step()
    g = 2 * np.array([3.0, -0.001, 50.0])
    np.testing.assert_allclose(w.data, [3.0, -0.001, 50.0] - 0.01 * g / (np.abs(g) + 1e-8),
                               rtol=1e-12)
    np.testing.assert_allclose(w.data, [2.99, 0.009, 49.99], rtol=1e-5)


def test_skips_missing_grads_and_zero_grad_resets():
    a = Tensor(np.ones(2), requires_grad=True)
    b = Tensor(np.ones(2), requires_grad=True)
    (a * 2).sum().backward()
    opt = Adam([a, b], lr=0.1)
    opt.step()
    np.testing.assert_array_equal(b.data, [1.0, 1.0])
    assert not np.array_equal(a.data, [1.0, 1.0])
    opt.zero_grad()
    assert a.grad is None and b.grad is None


def test_updates_arrays_shared_with_numpy_in_place():
    arr = np.zeros(3)
    w = Tensor(arr, requires_grad=True)
    w.grad = np.ones(3)
    SGD([w], lr=0.5).step()
    np.testing.assert_array_equal(arr, [-0.5, -0.5, -0.5])


def test_float32_parameters_stay_float32():
    w = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    (w * w).sum().backward()
    Adam([w]).step()
    assert w.data.dtype == np.float32


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="empty parameter list"):
        SGD([], lr=0.1)
    with pytest.raises(TypeError, match="not a Tensor"):
        SGD([np.ones(2)], lr=0.1)
    with pytest.raises(ValueError, match="betas"):
        Adam([Tensor(np.ones(1), requires_grad=True)], betas=(1.0, 0.9))


def test_training_a_sequential_model_matches_pytorch_step_for_step():
    """Linear-ReLU-Linear with cross-entropy, five Adam steps here and in PyTorch from equal weights."""
    torch = pytest.importorskip("torch")
    from tinygrad_edu.functional import cross_entropy
    from tinygrad_edu.nn import Linear, ReLU, Sequential

    rng = np.random.RandomState(0)
    X, y = rng.randn(16, 6), rng.randint(0, 4, 16)
    model = Sequential(Linear(6, 8, seed=0), ReLU(), Linear(8, 4, seed=1))
    t1, t2 = torch.nn.Linear(6, 8).double(), torch.nn.Linear(8, 4).double()
    with torch.no_grad():
        for tl, ours in ((t1, model[0]), (t2, model[2])):
            tl.weight.copy_(torch.tensor(ours.weight.data))   # (out, in) both
            tl.bias.copy_(torch.tensor(ours.bias.data))
    opt = Adam(model.parameters(), lr=0.05, weight_decay=0.01)
    topt = torch.optim.Adam([t1.weight, t1.bias, t2.weight, t2.bias], lr=0.05, weight_decay=0.01)
    for _ in range(5):
        opt.zero_grad()
        loss = cross_entropy(model(Tensor(X)), y)
        loss.backward()
        opt.step()
        topt.zero_grad()
        tloss = torch.nn.functional.cross_entropy(t2(torch.relu(t1(torch.tensor(X)))),
                                                  torch.tensor(y))
        tloss.backward()
        topt.step()
        assert abs(loss.item() - tloss.item()) < 1e-12
    np.testing.assert_allclose(model[0].weight.data, t1.weight.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(model[2].bias.data, t2.bias.detach().numpy(), rtol=1e-10)
