"""Every op's gradient against centered differences in float64, and against PyTorch when installed.

Each case is (id, our function, torch function or None when it reads the same, input makers). The
checked scalar is sum(f(inputs) * R) with a fixed random R, so every output entry's gradient matters.
"""
from __future__ import annotations

import numpy as np
import pytest

from tinygrad_edu import Tensor
from conftest import numeric_grads

R = np.random.default_rng(42)


def normal(*shape):
    return lambda rng: rng.standard_normal(shape)


def positive(*shape):
    return lambda rng: rng.uniform(0.5, 2.0, size=shape)


def away_from_zero(*shape):
    return lambda rng: rng.uniform(0.5, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)


CASES = []

# ---- binary arithmetic over broadcasting shapes
SHAPE_PAIRS = [((3, 4), (3, 4)), ((3, 4), (4,)), ((3, 1), (1, 4)), ((2, 3, 4), (3, 1)),
               ((), (3,)), ((4,), ()), ((1,), (2, 3))]
for sa, sb in SHAPE_PAIRS:
    CASES += [
        (f"add{sa}{sb}", lambda a, b: a + b, None, [normal(*sa), normal(*sb)]),
        (f"sub{sa}{sb}", lambda a, b: a - b, None, [normal(*sa), normal(*sb)]),
        (f"mul{sa}{sb}", lambda a, b: a * b, None, [normal(*sa), normal(*sb)]),
        (f"div{sa}{sb}", lambda a, b: a / b, None, [normal(*sa), away_from_zero(*sb)]),
    ]

# ---- constants on either side (numbers and numpy arrays)
C = np.linspace(0.5, 1.5, 4)
CASES += [
    ("const-radd", lambda a: 2.0 + a, None, [normal(3, 4)]),
    ("const-rsub", lambda a: 2.0 - a, None, [normal(3, 4)]),
    ("const-rmul-array", lambda a: C * a, lambda a: a * a.new_tensor(C), [normal(3, 4)]),
    ("const-rdiv", lambda a: 3.0 / a, None, [away_from_zero(3, 4)]),
    ("const-div-array", lambda a: a / C, lambda a: a / a.new_tensor(C), [normal(3, 4)]),
    ("const-rpow", lambda a: 2.0 ** a, None, [normal(3, 4)]),
    ("neg", lambda a: -a, None, [normal(3, 4)]),
]

# ---- powers
for p in (2, 3, -1, 0.5, -1.5, 1.7):
    CASES.append((f"pow{p}", lambda a, p=p: a ** p, None, [positive(3, 4)]))

# ---- matmul, including vectors and batches
for sa, sb in [((3, 4), (4, 5)), ((4,), (4, 5)), ((3, 4), (4,)), ((4,), (4,)),
               ((2, 3, 4), (4, 5)), ((2, 3, 4), (2, 4, 5)), ((3, 4), (2, 4, 5)), ((4,), (2, 4, 5)),
               ((2, 3, 4), (4,))]:
    CASES.append((f"matmul{sa}{sb}", lambda a, b: a @ b, None, [normal(*sa), normal(*sb)]))

# ---- elementwise
CASES += [
    ("relu", lambda a: a.relu(), None, [away_from_zero(3, 4)]),
    ("exp", lambda a: a.exp(), None, [normal(3, 4)]),
    ("log", lambda a: a.log(), None, [positive(3, 4)]),
    ("tanh", lambda a: a.tanh(), None, [normal(3, 4)]),
    ("sigmoid", lambda a: a.sigmoid(), None, [normal(3, 4)]),
    ("sqrt", lambda a: a.sqrt(), None, [positive(3, 4)]),
]

# ---- reductions over every kind of axis, with and without keepdims
for axis in (None, 0, 1, -1, (0, 2), (-1, 0), (0, 1, 2)):
    for keep in (False, True):
        tag = f"axis={axis},keepdims={keep}"
        CASES += [
            (f"sum[{tag}]", lambda a, ax=axis, k=keep: a.sum(axis=ax, keepdims=k),
             lambda a, ax=axis, k=keep: a.sum(dim=ax, keepdim=k) if ax is not None else
             (a.sum().reshape([1] * a.ndim) if k else a.sum()), [normal(2, 3, 4)]),
            (f"max[{tag}]", lambda a, ax=axis, k=keep: a.max(axis=ax, keepdims=k),
             lambda a, ax=axis, k=keep: a.amax(dim=ax if ax is not None else tuple(range(a.ndim)),
                                               keepdim=k), [normal(2, 3, 4)]),
            (f"min[{tag}]", lambda a, ax=axis, k=keep: a.min(axis=ax, keepdims=k),
             lambda a, ax=axis, k=keep: a.amin(dim=ax if ax is not None else tuple(range(a.ndim)),
                                               keepdim=k), [normal(2, 3, 4)]),
            (f"mean[{tag}]", lambda a, ax=axis, k=keep: a.mean(axis=ax, keepdims=k),
             lambda a, ax=axis, k=keep: a.mean(dim=ax if ax is not None else tuple(range(a.ndim)),
                                               keepdim=k), [normal(2, 3, 4)]),
        ]

# ---- shape ops and indexing
IDX = np.array([0, 2, 0, 0])
ROWS, COLS = np.arange(3), np.array([1, 1, 3])
CASES += [
    ("reshape", lambda a: a.reshape(4, 6), None, [normal(2, 3, 4)]),
    ("reshape-tuple", lambda a: a.reshape((6, -1)), None, [normal(2, 3, 4)]),
    ("reshape-flat", lambda a: a.reshape(-1), None, [normal(2, 3, 4)]),
    ("transpose-reverse", lambda a: a.transpose(), lambda a: a.permute(2, 1, 0), [normal(2, 3, 4)]),
    ("transpose-perm", lambda a: a.transpose(1, 2, 0), lambda a: a.permute(1, 2, 0), [normal(2, 3, 4)]),
    ("transpose-swap", lambda a: a.transpose(0, 2), None, [normal(2, 3, 4)]),
    ("T", lambda a: a.T, lambda a: a.t(), [normal(3, 4)]),
    ("index-int", lambda a: a[1], None, [normal(3, 4)]),
    ("index-slices", lambda a: a[:, 1:3], None, [normal(3, 4)]),
    ("index-step", lambda a: a[::2, ::-1] if not hasattr(a, "flip") else a[::2].flip(1), None,
     [normal(3, 4)]),
    ("index-ellipsis-none", lambda a: a[None, ..., 0], None, [normal(2, 3, 4)]),
    ("index-repeated-rows", lambda a: a[IDX], lambda a: a[a.new_tensor(IDX).long()], [normal(3, 4)]),
    ("index-pairs", lambda a: a[ROWS, COLS],
     lambda a: a[a.new_tensor(ROWS).long(), a.new_tensor(COLS).long()], [normal(3, 4)]),
    ("index-bool", lambda a: a[np.array([True, False, True])],
     lambda a: a[a.new_tensor([1, 0, 1]).bool()], [normal(3, 4)]),
]

# ---- small composite expressions with broadcasting
CASES += [
    ("softmax-expr", lambda a: (a - a.max(axis=1, keepdims=True)).exp()
     / (a - a.max(axis=1, keepdims=True)).exp().sum(axis=1, keepdims=True),
     lambda a: (a - a.amax(dim=1, keepdim=True)).exp()
     / (a - a.amax(dim=1, keepdim=True)).exp().sum(dim=1, keepdim=True), [normal(3, 5)]),
    ("affine-relu", lambda x, w, b: (x @ w + b).relu(), None,
     [normal(4, 3), normal(3, 5), normal(5)]),
    ("reuse", lambda a: a * a + a.exp() * a, None, [normal(3, 4)]),
]

IDS = [c[0] for c in CASES]


def _run(case, seed=0):
    _, fn, _, makers = case
    rng = np.random.default_rng(seed)
    arrays = [m(rng) for m in makers]
    out_shape = fn(*[Tensor(a) for a in arrays]).shape
    weights = np.random.default_rng(seed + 1).standard_normal(out_shape)
    return fn, arrays, weights


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_gradient_matches_centered_differences(case):
    fn, arrays, weights = _run(case)
    ts = [Tensor(a, requires_grad=True) for a in arrays]
    out = fn(*ts)
    (out * weights).sum().backward()
    num = numeric_grads(lambda *arrs: float((fn(*[Tensor(a) for a in arrs]).data * weights).sum()),
                        arrays)
    for t, g in zip(ts, num):
        assert t.grad.shape == t.shape and t.grad.dtype == np.float64
        np.testing.assert_allclose(t.grad, g, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_value_and_gradient_match_pytorch(case):
    torch = pytest.importorskip("torch")
    fn, arrays, weights = _run(case)
    tfn = case[2] or fn
    ts = [Tensor(a, requires_grad=True) for a in arrays]
    out = fn(*ts)
    (out * weights).sum().backward()
    xs = [torch.tensor(a, requires_grad=True) for a in arrays]
    tout = tfn(*xs)
    (tout * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-12, atol=1e-12)
    for t, x in zip(ts, xs):
        np.testing.assert_allclose(t.grad, x.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_max_splits_gradient_evenly_among_ties():
    x = Tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], requires_grad=True)
    x.max(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad, [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    x.grad = None
    x.max().backward()
    np.testing.assert_allclose(x.grad, [[0, 0.5, 0.5], [0, 0, 0]])


def test_max_ties_match_torch_amax():
    torch = pytest.importorskip("torch")
    a = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0]])
    x = Tensor(a, requires_grad=True)
    x.max(axis=1).sum().backward()
    tx = torch.tensor(a, requires_grad=True)
    tx.amax(dim=1).sum().backward()
    np.testing.assert_allclose(x.grad, tx.grad.numpy())


def test_relu_gradient_at_zero_is_zero():
    x = Tensor([-1.0, 0.0, 2.0], requires_grad=True)
    x.relu().sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 1.0])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_relu_sign_mask_keeps_dtype_and_zero_at_zero(dtype):
    """The sign mask: 0 at -0.0, 0.0 and below, dy above, in the input's dtype."""
    x = Tensor(np.array([-3.0, -0.0, 0.0, 1e-30, 2.0], dtype), requires_grad=True)
    up = np.array([5.0, 6.0, 7.0, 8.0, 9.0], dtype)
    x.relu().backward(up)
    assert x.grad.dtype == dtype
    np.testing.assert_array_equal(x.grad, np.array([0.0, 0.0, 0.0, 8.0, 9.0], dtype))


def test_repeated_indices_accumulate():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[np.array([0, 0, 2, 0])].sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 0.0, 1.0])


def test_cs231n_correct_class_scores_gather():
    rng = np.random.default_rng(1)
    scores = Tensor(rng.standard_normal((5, 3)), requires_grad=True)
    y = np.array([0, 2, 2, 1, 0])
    picked = scores[np.arange(5), y]
    np.testing.assert_array_equal(picked.data, scores.data[np.arange(5), y])
    picked.sum().backward()
    expected = np.zeros((5, 3))
    expected[np.arange(5), y] = 1
    np.testing.assert_array_equal(scores.grad, expected)


def test_index_with_tensor_and_list_indices():
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    x[Tensor([1, 1])].sum().backward()
    np.testing.assert_array_equal(x.grad, [[0, 0, 0], [2, 2, 2]])
    x.grad = None
    x[[0, 1], [2, 2]].sum().backward()
    np.testing.assert_array_equal(x.grad, [[0, 0, 1], [0, 0, 1]])


@pytest.mark.parametrize("seed", range(3))
def test_two_layer_graph_against_torch(seed):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    X, y = rng.standard_normal((6, 4)), rng.integers(0, 3, 6)
    W1, b1, W2, b2 = (rng.standard_normal(s) for s in [(4, 5), (5,), (5, 3), (3,)])

    def loss(X, W1, b1, W2, b2, pick):
        s = (X @ W1 + b1).relu() @ W2 + b2
        m = s.max(axis=1, keepdims=True) if isinstance(s, Tensor) else s.amax(dim=1, keepdim=True)
        z = s - m
        lse = z.exp().sum(axis=1).log() if isinstance(z, Tensor) else z.exp().sum(dim=1).log()
        return (lse - pick(z)).mean()

    ours = [Tensor(a, requires_grad=True) for a in (W1, b1, W2, b2)]
    L = loss(Tensor(X), *ours, lambda z: z[np.arange(6), y])
    L.backward()
    theirs = [torch.tensor(a, requires_grad=True) for a in (W1, b1, W2, b2)]
    T = loss(torch.tensor(X), *theirs, lambda z: z[torch.arange(6), torch.tensor(y)])
    T.backward()
    assert abs(L.item() - T.item()) < 1e-12
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_index_pairs_scatter_add_matches_add_at(dtype):
    """x[rows, cols] with repeats, negative and broadcast index arrays: the gradient is np.add.at's."""
    rng = np.random.default_rng(3)
    x = Tensor(rng.standard_normal((4, 5)).astype(dtype), requires_grad=True)
    for index in ((np.array([0, 0, 3, -1, 2]), np.array([1, 1, -5, 4, 0])),
                  (np.arange(4)[:, None], np.array([[0, 2, 2]]))):
        x.grad = None
        up = rng.standard_normal(np.broadcast_shapes(*(i.shape for i in index))).astype(dtype)
        x[index].backward(up)
        want = np.zeros((4, 5), dtype)
        np.add.at(want, index, up)
        assert x.grad.dtype == dtype
        np.testing.assert_allclose(x.grad, want, rtol=1e-6)
