"""PyTorch programs run with the module renamed: ``import torch`` -> ``import tinygrad_edu as torch``.

Three programs, each as its author wrote it (the tests marked xfail: they need Tensor methods the
engine does not have yet, named in each reason) and with those few spellings written as today's
engine reads them (tests that must pass now):

- the forum question's regression, whose loss explodes, against the numbers the question printed;
- the answer's normalized version, against PyTorch running the same text;
- the usual MNIST-style training loop (an ``nn.Module`` with two Linear layers, ``F.relu``,
  ``nn.CrossEntropyLoss``, ``optim.SGD(momentum=0.9)``, a ``DataLoader`` over a ``TensorDataset``,
  ``state_dict``) on the digits, against PyTorch's accuracy and step for step from the same weights.
"""
import contextlib
import io
import re

import numpy as np
import pytest

import tinygrad_edu
from tinygrad_edu.train.datasets import load_digits


def ported(program: str) -> str:
    """The program with its torch imports renamed, the only edit a user makes."""
    return (program.replace("import torch\n", "import tinygrad_edu as torch\n")
            .replace("import torch.", "import tinygrad_edu.")
            .replace("from torch.", "from tinygrad_edu."))


def run(program: str, **variables) -> tuple[str, dict]:
    ns = {"__name__": "__main__", **variables}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(program, ns)
    return out.getvalue(), ns


def printed(out: str) -> tuple[list, list]:
    """The weights and losses the forum programs print every 10 iterations."""
    weights = [[float(v) for v in re.findall(r"-?[0-9.]+(?:e[+-]?[0-9]+)?", block)]
               for block in re.findall(r"The weight is:\n(.*?)\nThe loss", out, re.S)]
    losses = [float(v) for v in re.findall(r"The loss is:(\S+)", out)]
    return weights, losses


# ---------------------------------------------------------------------------------- the forum

FORUM = """\
import torch
x = torch.tensor([1,2,3,4,5])
y = torch.tensor([[1],[4],[9],[16],[25]])
w = torch.tensor([[0.5], [0.5], [0.5]], requires_grad=True)
iterations = 30
alpha = 0.01
def forward(X):
    # feature transformation [1, x, x^2]
    psi = torch.tensor([[1.0, x[0], x[0]**2]])
    for i in range(1, len(X)):
        psi = torch.cat((psi, torch.tensor([[1.0, x[i], x[i]**2]])), 0)
    return torch.matmul(psi, w)
def loss(y, y_hat):
    return ((y-y_hat)**2).mean()
for i in range(iterations):
    y_hat = forward(x)
    l = loss(y, y_hat)
    l.backward()
    with torch.no_grad():
        w -= alpha * w.grad
        w.grad.zero_()
    if i%10 == 0:
        print(f'Iteration {i}: The weight is:\\n{w.detach().numpy()}\\nThe loss is:{l}\\n')
"""

# What the question printed under torch, at iterations 0, 10 and 20 (float32 there; float64 here,
# hence the tolerance: the two agree to about 3e-7).
QUESTION_WEIGHTS = [[0.57, 0.81, 1.898], [5529.5835, 22452.398, 97326.12],
                    [5.0884394e+08, 2.0662339e+09, 8.9567642e+09]]
QUESTION_LOSSES = [25.450000762939453, 210414632960.0, 1.7820802835250162e+21]


def today(program: str) -> str:
    """The engine-level idioms written as today's engine reads them: a list of numbers for the
    features, ``w.grad = None`` for ``w.grad.zero_()``, ``l.item()`` to print the loss."""
    out = program
    for i in ("0", "i"):
        out = out.replace(f"torch.tensor([[1.0, x[{i}], x[{i}]**2]])",
                          f"torch.tensor([[1.0, x[{i}].item(), x[{i}].item()**2]])")
    for name in ("w", "b"):
        out = out.replace(f"{name}.grad.zero_()", f"{name}.grad = None")
    return out.replace("{l}", "{l.item()}")


def check_forum_numbers(out: str):
    weights, losses = printed(out)
    assert len(weights) == len(losses) == 3
    np.testing.assert_allclose(losses, QUESTION_LOSSES, rtol=2e-6)
    for ours, theirs in zip(weights, QUESTION_WEIGHTS):
        np.testing.assert_allclose(ours, theirs, rtol=2e-6)
    assert losses[2] > 1e20                                  # it diverges, as the question says


def test_forum_program_with_todays_spellings_prints_the_questions_numbers():
    out, _ = run(ported(today(FORUM)))
    check_forum_numbers(out)


@pytest.mark.xfail(strict=True, reason="engine: needs torch.tensor of nested lists holding 0-d "
                   "Tensors, w.grad.zero_() on a leaf's gradient, and f'{l}' of a 0-d Tensor "
                   "printing its number (Tensor.__format__ as torch)")
def test_forum_program_verbatim_prints_the_questions_numbers():
    out, _ = run(ported(FORUM))
    check_forum_numbers(out)


ANSWER = """\
import torch
x = torch.tensor([1,2,3,4,5])
y = torch.tensor([[1],[4],[9],[16],[25]])
psi = torch.stack([x, x**2], 1).float()
psi = (psi - psi.mean(0)) / psi.std(0)
y = y.float()
y = (y - y.mean(0)) / y.std(0)
w = torch.tensor([[0.5], [0.5]], requires_grad=True)
b = torch.tensor([0.5], requires_grad=True)
iterations = 30
alpha = 0.02
for i in range(iterations):
    y_hat = torch.matmul(psi, w) + b
    l = ((y - y_hat)**2).mean()
    l.backward()
    with torch.no_grad():
        w -= alpha * w.grad
        b -= alpha * b.grad
        w.grad.zero_()
        b.grad.zero_()
    if i%10 == 0:
        print(f'Iteration {i}: The weight is:\\n{w.detach().numpy()}\\nThe loss is:{l}\\n')
"""


def torch_answer_numbers():
    torch = pytest.importorskip("torch")
    out, ns = run(ANSWER)
    return printed(out), ns["w"].detach().numpy(), ns["b"].detach().numpy()


def check_answer(out: str, ns: dict):
    (tw, tl), w, b = torch_answer_numbers()
    weights, losses = printed(out)
    np.testing.assert_allclose(losses, tl, rtol=1e-6)
    np.testing.assert_allclose(weights, tw, rtol=1e-6)
    np.testing.assert_allclose(ns["w"].numpy(), w, rtol=1e-6)
    np.testing.assert_allclose(ns["b"].numpy(), b, rtol=1e-6)
    assert losses[-1] < 0.25 * losses[0]                    # normalized, it converges


def test_answer_program_with_todays_spellings_matches_torch():
    out, ns = run(ported(today(ANSWER)))
    check_answer(out, ns)


def test_answer_program_with_todays_spellings_converges_without_torch():
    out, ns = run(ported(today(ANSWER)))
    _, losses = printed(out)
    assert losses == sorted(losses, reverse=True) and losses[-1] < 0.25 * losses[0]
    # the least-squares fit of the same normalized features is the point it heads for
    x = np.arange(1.0, 6.0)
    psi = np.stack([x, x ** 2], 1)
    psi = (psi - psi.mean(0)) / psi.std(0, ddof=1)
    yv = x ** 2
    yv = (yv - yv.mean()) / yv.std(ddof=1)
    a = np.concatenate([psi, np.ones((5, 1))], 1)
    best = np.linalg.lstsq(a, yv, rcond=None)[0]
    assert np.mean((a @ best - yv) ** 2) < losses[-1]


@pytest.mark.xfail(strict=True, reason="engine: needs w.grad.zero_() on a leaf's gradient and "
                   "f'{l}' of a 0-d Tensor printing its number (Tensor.__format__ as torch)")
def test_answer_program_verbatim_matches_torch():
    out, ns = run(ported(ANSWER))
    check_answer(out, ns)


# ---------------------------------------------------------------------------------- the loop

LOOP = """\
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(64, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = x.view(x.size(0), -1)
        x = F.relu(self.fc1(x))
        return self.fc2(x)


torch.manual_seed(0)
train_set = TensorDataset(torch.tensor(X_train, dtype=torch.float32), torch.tensor(y_train))
test_set = TensorDataset(torch.tensor(X_test, dtype=torch.float32), torch.tensor(y_test))
train_loader = DataLoader(train_set, batch_size=64, shuffle=True)
test_loader = DataLoader(test_set, batch_size=256)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
model = Net().to(device)
criterion = nn.CrossEntropyLoss()
optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

for epoch in range(EPOCHS):
    model.train()
    for data, target in train_loader:
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = criterion(output, target)
        loss.backward()
        optimizer.step()

model.eval()
correct = 0
with torch.no_grad():
    for data, target in test_loader:
        data, target = data.to(device), target.to(device)
        output = model(data)
        pred = output.argmax(dim=1, keepdim=True)
        correct += pred.eq(target.view_as(pred)).sum().item()
accuracy = correct / len(test_loader.dataset)
torch.save(model.state_dict(), "digits_net.pt")
"""

# The engine-level pieces of LOOP, written as today's engine reads them (and torch too).
LOOP_TODAY = (LOOP.replace("x.view(x.size(0), -1)", "x.view(x.shape[0], -1)")
              .replace("torch.manual_seed(0)", "np.random.seed(0)")
              .replace("torch.tensor(X_train, dtype=torch.float32)",
                       "torch.tensor(X_train.astype(np.float32))")
              .replace("torch.tensor(X_test, dtype=torch.float32)",
                       "torch.tensor(X_test.astype(np.float32))")
              .replace("        data, target = data.to(device), target.to(device)\n", "")
              .replace("pred.eq(target.view_as(pred)).sum().item()",
                       "int((pred.numpy() == target.numpy().reshape(pred.shape)).sum())"))


@pytest.fixture(scope="module")
def digits():
    pytest.importorskip("sklearn")
    d = load_digits(seed=0)
    return dict(X_train=d.X_train, y_train=d.y_train, X_test=d.X_test, y_test=d.y_test)


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="module")
def torch_accuracy(digits, tmp_path_factory):
    """The accuracy PyTorch reaches with the same program (10 epochs)."""
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    import os
    here = os.getcwd()
    os.chdir(tmp_path_factory.mktemp("torch_loop"))
    try:
        _, ns = run(LOOP, EPOCHS=10, **digits)
    finally:
        os.chdir(here)
    return ns["accuracy"]


def test_loop_with_todays_spellings_learns_the_digits(digits, in_tmp):
    _, ns = run(ported(LOOP_TODAY), EPOCHS=10, **digits)
    assert ns["accuracy"] > 0.93
    assert ns["loss"].item() < 0.5
    state = tinygrad_edu.load("digits_net.pt")
    assert list(state) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert state["fc1.weight"].shape == (128, 64)           # (out, in), as torch's


def test_loop_with_todays_spellings_reaches_torchs_accuracy(digits, in_tmp, torch_accuracy):
    _, ns = run(ported(LOOP_TODAY), EPOCHS=10, **digits)
    assert ns["accuracy"] >= torch_accuracy - 0.02, (ns["accuracy"], torch_accuracy)


@pytest.mark.xfail(strict=True, reason="engine: needs x.size(0) callable, torch.manual_seed, "
                   "tensor(dtype=torch.float32), Tensor.to(device), Tensor.eq and Tensor.view_as")
def test_loop_verbatim_reaches_torchs_accuracy(digits, in_tmp):
    _, ns = run(ported(LOOP), EPOCHS=10, **digits)
    assert ns["accuracy"] > 0.93


def test_loop_from_torchs_initial_weights_takes_torchs_steps(digits):
    """The same Net, started from PyTorch's initial state_dict (loaded as it is), trained on the
    same batches in float32: the losses agree with PyTorch's step for step."""
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    ns_t, ns_o = {}, {}
    exec(LOOP_TODAY.split("np.random.seed(0)")[0], ns_t)              # the class Net, twice
    exec(ported(LOOP_TODAY).split("np.random.seed(0)")[0], ns_o)
    torch.manual_seed(0)
    tnet, net = ns_t["Net"](), ns_o["Net"]().float()
    net.load_state_dict(tnet.state_dict())                             # torch tensors, (out, in)
    topt = torch.optim.SGD(tnet.parameters(), lr=0.01, momentum=0.9)
    opt = tinygrad_edu.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    X, y = digits["X_train"].astype(np.float32), digits["y_train"]
    ours, theirs = [], []
    for start in range(0, 640, 64):
        xb, yb = X[start:start + 64], y[start:start + 64]
        for model, o, crit, T, out in ((net, opt, tinygrad_edu.nn.CrossEntropyLoss(),
                                        tinygrad_edu.tensor, ours),
                                       (tnet, topt, torch.nn.CrossEntropyLoss(), torch.tensor,
                                        theirs)):
            o.zero_grad()
            loss = crit(model(T(xb)), T(yb))
            loss.backward()
            o.step()
            out.append(loss.item())
    np.testing.assert_allclose(ours, theirs, rtol=1e-5)
    np.testing.assert_allclose(net.fc2.weight.data, tnet.fc2.weight.detach().numpy(), rtol=1e-4,
                               atol=1e-6)
    assert net.fc1.weight.dtype == np.float32


def test_state_dict_goes_both_ways_between_torch_and_here(digits):
    torch = pytest.importorskip("torch")
    ns_t, ns_o = {}, {}
    exec(LOOP_TODAY.split("np.random.seed(0)")[0], ns_t)
    exec(ported(LOOP_TODAY).split("np.random.seed(0)")[0], ns_o)
    ours, theirs = ns_o["Net"](), ns_t["Net"]().double()
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    x = digits["X_test"][:5]
    np.testing.assert_allclose(ours(tinygrad_edu.tensor(x)).data,
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-12)
    ours2 = ns_o["Net"]()
    ours2.load_state_dict(theirs.state_dict())
    np.testing.assert_allclose(ours2.fc1.weight.data, ours.fc1.weight.data)
