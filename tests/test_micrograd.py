"""micrograd's programs with the import changed: the same numbers as micrograd itself.

The expected numbers were printed by micrograd's own source (github.com/karpathy/micrograd at commit
c911406, the newest), checked out in a scratch folder and run with the same Python, numpy 2.4 and
scikit-learn 1.9 as these tests; they are written here as printed. micrograd's last digits vary
from run to run (its graph walk follows the order of a set of objects), so gradients and the losses
after the first step are compared to 1e-12; what involves no gradient is compared exactly.
"""
import contextlib
import io
import random

import numpy as np
import pytest

from tinygrad_edu import Tensor, viz
from tinygrad_edu.micrograd import draw
from tinygrad_edu.micrograd.engine import Value
from tinygrad_edu.micrograd.nn import MLP, Layer, Module, Neuron

# micrograd's README example (MIT licence), the user's program under test, as its README gives it.
README_PROGRAM = """\
from micrograd.engine import Value

a = Value(-4.0)
b = Value(2.0)
c = a + b
d = a * b + b**3
c += c + 1
c += 1 + c + (-a)
d += d * 2 + (b + a).relu()
d += 3 * d + (b - a).relu()
e = c - d
f = e**2
g = f / 2.0
g += 10.0 / f
print(f'{g.data:.4f}') # prints 24.7041, the outcome of this forward pass
g.backward()
print(f'{a.grad:.4f}') # prints 138.8338, i.e. the numerical value of dg/da
print(f'{b.grad:.4f}') # prints 645.5773, i.e. the numerical value of dg/db
"""

# micrograd's demo.ipynb (MIT licence), its code cells without the plots, as the user runs them.
DEMO_SETUP = """\
import random
import numpy as np
from micrograd.engine import Value
from micrograd.nn import Neuron, Layer, MLP
np.random.seed(1337)
random.seed(1337)
from sklearn.datasets import make_moons, make_blobs
X, y = make_moons(n_samples=100, noise=0.1)
y = y*2 - 1 # make y be -1 or 1
model = MLP(2, [16, 16, 1]) # 2-layer neural network
print(model)
print("number of parameters", len(model.parameters()))
def loss(batch_size=None):
    # inline DataLoader :)
    if batch_size is None:
        Xb, yb = X, y
    else:
        ri = np.random.permutation(X.shape[0])[:batch_size]
        Xb, yb = X[ri], y[ri]
    inputs = [list(map(Value, xrow)) for xrow in Xb]
    # forward the model to get scores
    scores = list(map(model, inputs))
    # svm "max-margin" loss
    losses = [(1 + -yi*scorei).relu() for yi, scorei in zip(yb, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    # L2 regularization
    alpha = 1e-4
    reg_loss = alpha * sum((p*p for p in model.parameters()))
    total_loss = data_loss + reg_loss
    # also get accuracy
    accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(yb, scores)]
    return total_loss, sum(accuracy) / len(accuracy)
total_loss, acc = loss()
print(total_loss, acc)
"""
DEMO_LOOP = """\
for k in range(100):
    # forward
    total_loss, acc = loss()
    # backward
    model.zero_grad()
    total_loss.backward()
    # update (sgd)
    learning_rate = 1.0 - 0.9*k/100
    for p in model.parameters():
        p.data -= learning_rate * p.grad
    if k % 1 == 0:
        print(f"step {k} loss {total_loss.data}, accuracy {acc*100}%")
"""

# What micrograd printed for the demo (the model's repr is checked in test_demo_model_and_draws).
MICROGRAD_FIRST_LOSS = "Value(data=0.8958441028683222, grad=0) 0.5"
MICROGRAD_STEPS = [(0.8958441028683222, 50.0), (1.7235905336972022, 81.0), (0.7429006313851131, 77.0),
                   (0.7705641260584201, 82.0), (0.3692793385976537, 84.0)]
MICROGRAD_STEP_99 = (0.010978370135492717, 100.0)   # for examples/micrograd_moons.py (100 steps)


def run(program: str) -> tuple[str, dict]:
    """Execute ``program`` with ``micrograd.`` replaced by ``tinygrad_edu.micrograd.``; its output
    and its variables."""
    ns = {"__name__": "__main__"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(program.replace("from micrograd.", "from tinygrad_edu.micrograd."), ns)
    return out.getvalue(), ns


def steps(out: str) -> list[tuple[float, float]]:
    found = [line.split() for line in out.splitlines() if line.startswith("step ")]
    return [(float(w[3].rstrip(",")), float(w[5].rstrip("%"))) for w in found]


# ---------------------------------------------------------------------------------- the README


def test_readme_program_prints_what_micrograd_prints():
    out, ns = run(README_PROGRAM)
    assert out == "24.7041\n138.8338\n645.5773\n"
    assert ns["g"].data == 24.70408163265306            # the forward pass bit for bit
    assert ns["a"].grad == pytest.approx(138.83381924198252, rel=1e-14)
    assert ns["b"].grad == pytest.approx(645.5772594752187, rel=1e-14)
    assert ns["c"].grad == pytest.approx(-6.941690962099126, rel=1e-14)
    assert ns["d"].grad == pytest.approx(6.941690962099126, rel=1e-14)
    assert repr(ns["g"]) == "Value(data=24.70408163265306, grad=1)"
    assert repr(ns["a"]).startswith("Value(data=-4.0, grad=138.83381924")


def test_readme_program_against_torch():
    torch = pytest.importorskip("torch")
    _, ns = run(README_PROGRAM)
    a = torch.tensor(-4.0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    c = a + b
    d = a * b + b ** 3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + (b + a).relu()
    d = d + 3 * d + (b - a).relu()
    g = (c - d) ** 2 / 2.0
    g = g + 10.0 / ((c - d) ** 2)
    g.backward()
    assert ns["g"].data == pytest.approx(g.item(), rel=1e-14)
    assert ns["a"].grad == pytest.approx(a.grad.item(), rel=1e-13)
    assert ns["b"].grad == pytest.approx(b.grad.item(), rel=1e-13)


def test_micrograd_sanity_check_against_torch():
    """The program of micrograd's own first test, on Value and on torch."""
    torch = pytest.importorskip("torch")
    results = []
    for x in (Value(-4.0), torch.tensor([-4.0], dtype=torch.float64, requires_grad=True)):
        z = 2 * x + 2 + x
        q = z.relu() + z * x
        h = (z * z).relu()
        y = h + q + q * x
        y.backward()
        results.append((float(y.data), float(x.grad)))
    assert results[0] == results[1]
    assert results[0] == (-20.0, 46.0)


# ---------------------------------------------------------------------------------- the demo


def test_demo_first_steps_print_micrograd_numbers():
    pytest.importorskip("sklearn")
    out, ns = run(DEMO_SETUP + DEMO_LOOP.replace("range(100)", "range(5)"))
    lines = out.splitlines()
    assert lines[1] == "number of parameters 337"
    assert lines[2] == MICROGRAD_FIRST_LOSS               # no gradient yet: exact
    ours = steps(out)
    assert [acc for _, acc in ours] == [acc for _, acc in MICROGRAD_STEPS]
    assert ours[0][0] == MICROGRAD_STEPS[0][0]
    np.testing.assert_allclose([l for l, _ in ours], [l for l, _ in MICROGRAD_STEPS], rtol=1e-12)


def test_demo_model_and_draws():
    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    relu2 = ", ".join(["ReLUNeuron(2)"] * 16)
    relu16 = ", ".join(["ReLUNeuron(16)"] * 16)
    assert repr(model) == (f"MLP of [Layer of [{relu2}], Layer of [{relu16}], "
                           f"Layer of [LinearNeuron(16)]]")
    ps = model.parameters()
    # micrograd's first, second and second-to-last weights after random.seed(1337), and its biases
    assert (ps[0].data, ps[1].data, ps[-2].data) == (0.23550571390294128, 0.06653114721000164,
                                                     -0.2532524374373504)
    assert repr(ps[2]) == repr(ps[-1]) == "Value(data=0, grad=0)"
    r = random.Random(1337)
    expected = [r.uniform(-1, 1) for _ in range(2 * 16 + 16 * 16 + 16)]
    weights = [p.data for p in ps if p.data != 0]
    assert weights == expected                            # every draw, in micrograd's order


def test_trace_graph_neuron_prints_micrograd_values():
    """micrograd's trace_graph notebook: a 2-input neuron after random.seed(1337)."""
    random.seed(1337)
    n = Neuron(2)
    x = [Value(1.0), Value(-2.0)]
    y = n(x)
    y.backward()
    assert repr(n.w) == ("[Value(data=0.23550571390294128, grad=1.0), "
                         "Value(data=0.06653114721000164, grad=-2.0)]")
    assert repr(n.b) == "Value(data=0, grad=1)"          # an int gradient, as micrograd's
    assert repr(y) == "Value(data=0.102443419482938, grad=1)"
    assert repr(x[1]) == "Value(data=-2.0, grad=0.06653114721000164)"


# ---------------------------------------------------------------------------------- Value itself


@pytest.mark.parametrize("expr, printed", [
    # each printed by micrograd's Value
    ("Value(2)", "Value(data=2, grad=0)"),
    ("Value(2) * 3", "Value(data=6, grad=0)"),
    ("Value(2) ** -1", "Value(data=0.5, grad=0)"),
    ("Value(2) ** 2", "Value(data=4, grad=0)"),
    ("Value(2) ** 0.5", "Value(data=1.4142135623730951, grad=0)"),
    ("Value(-2.5).relu()", "Value(data=0, grad=0)"),
    ("Value(3).relu()", "Value(data=3, grad=0)"),
    ("-Value(3)", "Value(data=-3, grad=0)"),
    ("Value(1) - Value(3)", "Value(data=-2, grad=0)"),
    ("Value(6) / 3", "Value(data=2.0, grad=0)"),
    ("1 / Value(4)", "Value(data=0.25, grad=0)"),
])
def test_values_print_as_micrograd(expr, printed):
    assert repr(eval(expr)) == printed


def test_integer_and_float_gradients_print_as_micrograd():
    x = Value(2)
    y = x * 3 + 1
    y.backward()
    assert (repr(x), repr(y)) == ("Value(data=2, grad=3)", "Value(data=7, grad=1)")
    a = Value(3.0)
    b = a * a
    b.backward()
    assert (repr(a), repr(b)) == ("Value(data=3.0, grad=6.0)", "Value(data=9.0, grad=1)")
    i, f = Value(2), Value(3.0)
    (i * f).backward()
    assert (repr(i.grad), repr(f.grad)) == ("3.0", "2")   # the other operand's type decides


def test_zero_grad_with_p_grad_equals_zero():
    w = Value(1.5)
    for _ in range(2):
        (w * w).backward()
    assert w.grad == 6.0                                    # accumulated: 3.0 + 3.0
    w.grad = 0                                              # micrograd's zero_grad
    assert w.grad == 0 and w.tensor.grad is None
    (w * w).backward()
    assert w.grad == 3.0


def test_module_zero_grad_and_sgd_update():
    random.seed(0)
    n = Neuron(3, nonlin=False)
    out = n([1.0, 2.0, 3.0])
    out.backward()
    assert [p.grad for p in n.parameters()] == [1.0, 2.0, 3.0, 1]
    before = [p.data for p in n.parameters()]
    for p in n.parameters():
        p.data -= 0.1 * p.grad
    assert [p.data for p in n.parameters()] == [b - 0.1 * g for b, g in zip(before, [1, 2, 3, 1])]
    n.zero_grad()
    assert all(p.grad == 0 for p in n.parameters())
    assert Module().parameters() == [] and len(Layer(3, 2).parameters()) == 8


def test_value_is_a_tensor_underneath_and_viz_draws_it():
    x = Value(1.0)
    w = Value(-3.0, label="w")
    y = (x * w + 1).relu()
    y.backward()
    assert isinstance(y.tensor, Tensor) and y.tensor.requires_grad and y.tensor.shape == ()
    source = draw(y).source                   # named after the variables, the label, the constant
    for text in ("mul1 = x * w", "add2 = mul1 + 1", "y = relu(add2)", "grad&#160;1"):
        assert text in source
    assert viz.draw(y.tensor).source.count("->") == source.count("->") == 5


def test_prev_and_op_walk_as_in_micrograds_trace_graph():
    """micrograd's trace_graph notebook walks ``_prev`` and reads ``_op``, data and grad."""
    x = Value(1.0)
    y = (x * 2 + 1).relu()
    y.backward()
    nodes, stack = set(), [y]
    while stack:
        v = stack.pop()
        if v not in nodes:
            nodes.add(v)
            stack.extend(v._prev)
    assert sorted(v._op for v in nodes) == ["", "", "", "*", "+", "ReLU"]
    assert {"%.4f" % v.data for v in nodes} == {"1.0000", "2.0000", "3.0000"}
    assert x.grad == 2.0 and len((x * x)._prev) == 1


def test_backward_twice_accumulates_linearly():
    a = Value(2.0)
    b = a * a
    b.backward()
    b.backward()
    assert a.grad == 8.0 and b.grad == 1


@pytest.mark.parametrize("make, error, words", [
    (lambda: Value("1"), TypeError, "expected a number"),
    (lambda: Value([1, 2]), TypeError, "one Value per entry"),
    (lambda: Value(Value(1)), TypeError, "a Value already"),
    (lambda: Value(2) ** Value(2), TypeError, "exponent must be an int or a float"),
    (lambda: Value(0) ** -1, ZeroDivisionError, "negative power"),
    (lambda: Value(-8.0) ** 0.5, ValueError, "fractional power"),
    (lambda: Value(1) + "a", TypeError, "expected a number"),
])
def test_bad_input_is_refused_with_a_message(make, error, words):
    with pytest.raises(error, match=words):
        make()


def test_gradient_reached_by_a_tensor_backward_keeps_its_value():
    """A backward run on the Tensor underneath (not Value.backward) still shows the exact value."""
    v = Value(3)
    (v.tensor * 0.25).backward()
    assert v.grad == 0.25
