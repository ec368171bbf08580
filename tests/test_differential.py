"""Differential test: thousands of random programs run by the engine and by PyTorch, compared.

Each program is a DAG over a pool of values: it starts from two or three leaves (broadcast-friendly
shapes, float64 or float32) and applies random ops to random members of the pool, so values are
reused and branches join. Every op of the engine appears (add, sub, mul, div, neg, pow, matmul,
relu, exp, log, tanh, sigmoid, sum, max, mean, min, sqrt, reshape, transpose, index with slices,
integer arrays and masks, recorded in-place operators), with constants (numbers and numpy arrays)
on either side. The loss weighs every pool value, so every branch carries gradient. Values and leaf
gradients must agree to rounding. The number of programs: ``TINYGRAD_EDU_PROGRAMS`` (default 1000);
on CI (``CI`` set) hypothesis draws the same programs every run (conftest's ``ci`` profile).
"""
from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tinygrad_edu import Tensor

torch = pytest.importorskip("torch")

N_PROGRAMS = int(os.environ.get("TINYGRAD_EDU_PROGRAMS", "1000"))
SHAPES = [(3, 4), (4,), (3, 1), (), (1, 4)]


class Ours:
    """The engine's spellings."""

    @staticmethod
    def leaf(a):
        return Tensor(a.copy(), requires_grad=True)

    const = staticmethod(lambda a: a)
    sum = staticmethod(lambda v, ax, kd: v.sum(axis=ax, keepdims=kd))
    mean = staticmethod(lambda v, ax, kd: v.mean(axis=ax, keepdims=kd))
    amax = staticmethod(lambda v, ax, kd: v.max(axis=ax, keepdims=kd))
    amin = staticmethod(lambda v, ax, kd: v.min(axis=ax, keepdims=kd))
    sqrt = staticmethod(lambda v: v.sqrt())


class Torch:
    """PyTorch's spellings of the same ops."""

    @staticmethod
    def leaf(a):
        return torch.tensor(a.copy(), requires_grad=True)

    const = staticmethod(lambda a: torch.from_numpy(np.ascontiguousarray(a)) if isinstance(a, np.ndarray) else a)

    @staticmethod
    def _dims(v, ax):
        return tuple(range(v.ndim)) if ax is None else ax

    sum = staticmethod(lambda v, ax, kd: v.sum(dim=Torch._dims(v, ax), keepdim=kd))
    mean = staticmethod(lambda v, ax, kd: v.mean(dim=Torch._dims(v, ax), keepdim=kd))
    amax = staticmethod(lambda v, ax, kd: torch.amax(v, dim=Torch._dims(v, ax), keepdim=kd))
    amin = staticmethod(lambda v, ax, kd: torch.amin(v, dim=Torch._dims(v, ax), keepdim=kd))
    sqrt = staticmethod(lambda v: v.sqrt())


def _pos(v):
    """A positive value made from v (for log, sqrt, fractional powers, denominators)."""
    return v * v + 0.5


def _axis(rng, v):
    if v.ndim == 0 or rng.random() < 0.3:
        return None
    return int(rng.integers(-v.ndim, v.ndim))


def _compatible(a, b):
    try:
        np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
        return True
    except ValueError:
        return False


def make_program(seed: int):
    """A list of steps ``(name, operand indices, settings)`` and the leaves, drawn from ``seed``."""
    rng = np.random.default_rng(seed)
    dtype = np.float64 if rng.random() < 0.7 else np.float32
    n_leaves = int(rng.integers(2, 4))
    leaves = [rng.standard_normal(SHAPES[int(rng.integers(len(SHAPES)))]).astype(dtype)
              for _ in range(n_leaves)]
    leaves[0] = rng.standard_normal((3, 4)).astype(dtype)       # at least one matrix
    steps = [(str(rng.choice(OPS)), int(rng.integers(1 << 30))) for _ in range(int(rng.integers(1, 13)))]
    return dtype, leaves, steps


def binary(sym):
    def f(L, rng, pool):
        a = pool[int(rng.integers(len(pool)))]
        kind = rng.random()
        if kind < 0.2:                                  # a Python number on either side
            c = float(rng.uniform(0.5, 2.0))
            return _apply(sym, a, c, L) if rng.random() < 0.5 else _apply(sym, c, a, L, rev=True)
        if kind < 0.35:                                 # a numpy array constant on either side
            c = L.const(np.asarray(rng.uniform(0.5, 2.0, size=SHAPES[int(rng.integers(3))]), dtype=np.float64 if a.dtype in (np.float64, torch.float64) else np.float32))
            if not _compatible(a, c):
                return None
            return _apply(sym, a, c, L) if rng.random() < 0.5 else _apply(sym, c, a, L, rev=True)
        b = pool[int(rng.integers(len(pool)))]          # may be a itself: reuse
        return _apply(sym, a, b, L) if _compatible(a, b) else None
    return f


def _apply(sym, a, b, L, rev=False):
    if sym == "/":
        return a / _pos(b) if not rev else a / _pos(b)
    return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b}[sym]()


def unary(fn):
    def f(L, rng, pool):
        return fn(L, rng, pool[int(rng.integers(len(pool)))])
    return f


def reduce_op(name):
    def f(L, rng, pool):
        v = pool[int(rng.integers(len(pool)))]
        return getattr(L, name)(v, _axis(rng, v), bool(rng.random() < 0.5))
    return f


def matmul(L, rng, pool):
    mats = [v for v in pool if v.ndim == 2 and tuple(v.shape) == (3, 4)]
    vecs = [v for v in pool if v.ndim == 1 and tuple(v.shape) == (4,)]
    a = mats[int(rng.integers(len(mats)))]
    choice = rng.random()
    if choice < 0.4 and vecs:
        return a @ vecs[int(rng.integers(len(vecs)))]
    if choice < 0.6:
        return (a @ L.const(np.ones((4, 2), dtype=np.float64 if a.dtype in (np.float64, torch.float64) else np.float32))) * 0.5
    b = mats[int(rng.integers(len(mats)))]
    return (a @ b.transpose(0, 1)) * 0.25


def index(L, rng, pool):
    v = pool[int(rng.integers(len(pool)))]
    if v.ndim == 0:
        return None
    r = rng.random()
    n = v.shape[0]
    if r < 0.3:
        out = v[1:]
    elif r < 0.6:
        out = v[np.array([0, n - 1, 0])]                 # repeated: gradients accumulate
    else:
        out = v[v > 0]                                   # a mask, from a comparison
    return out if 0 not in tuple(out.shape) else None    # nothing selected: an empty tensor has no
                                                         # mean or max (the engine raises), skip it


def inplace(L, rng, pool):
    """y = fresh copy; z uses y; then y op= u (recorded in place); both go to the pool."""
    v = pool[int(rng.integers(len(pool)))]
    u = pool[int(rng.integers(len(pool)))]
    y = v + 0.0
    z = [lambda: y.tanh(), lambda: y + 1.0, lambda: y.sigmoid(), lambda: y.relu()][int(rng.integers(4))]()
    if not _compatible(y, u) or tuple(np.broadcast_shapes(tuple(y.shape), tuple(u.shape))) != tuple(y.shape):
        return z
    sym = rng.choice(["+", "-", "*", "/"])
    if sym == "+":
        y += u
    elif sym == "-":
        y -= u
    elif sym == "*":
        y *= u
    else:
        y /= _pos(u)
    pool.append(z)
    return y


def shape_op(L, rng, pool):
    v = pool[int(rng.integers(len(pool)))]
    if v.ndim >= 2:
        return v.transpose(0, -1) if rng.random() < 0.5 else v.reshape(-1)
    return v.reshape(1, -1) if v.ndim == 1 else v.reshape(1)


KINDS = {
    "add": binary("+"), "sub": binary("-"), "mul": binary("*"), "div": binary("/"),
    "neg": unary(lambda L, rng, v: -v),
    "pow": unary(lambda L, rng, v: [lambda: v ** 2, lambda: v ** 3, lambda: _pos(v) ** 0.5,
                                    lambda: _pos(v) ** -1.5, lambda: v ** 0, lambda: v ** 1][int(rng.integers(6))]()),
    "rpow": unary(lambda L, rng, v: 2.0 ** v.tanh()),
    "relu": unary(lambda L, rng, v: v.relu()),
    "exp": unary(lambda L, rng, v: v.tanh().exp()),
    "log": unary(lambda L, rng, v: _pos(v).log()),
    "tanh": unary(lambda L, rng, v: v.tanh()),
    "sigmoid": unary(lambda L, rng, v: (v * 3.0).sigmoid()),
    "sqrt": unary(lambda L, rng, v: L.sqrt(_pos(v))),
    "rdiv": unary(lambda L, rng, v: 1.5 / _pos(v)),
    "sum": reduce_op("sum"), "mean": reduce_op("mean"), "max": reduce_op("amax"), "min": reduce_op("amin"),
    "matmul": matmul, "index": index, "shape": shape_op, "inplace": inplace,
}
OPS = sorted(KINDS)


def run(L, dtype, leaves, steps):
    """Run the program with library L; return the loss and the leaves."""
    xs = [L.leaf(a) for a in leaves]
    pool = list(xs)
    for name, seed in steps:
        rng = np.random.default_rng(seed)
        out = KINDS[name](L, rng, pool)
        if out is not None:
            pool.append(out)
    wr = np.random.default_rng(len(steps))
    loss = 0.0
    for v in pool:
        if v.numel() if hasattr(v, "numel") else v.size:
            w = wr.standard_normal(tuple(v.shape)).astype(dtype)
            loss = loss + (v * L.const(w)).sum()
    loss.backward()
    return loss, xs



def compare(seed: int):
    dtype, leaves, steps = make_program(seed)
    loss, xs = run(Ours, dtype, leaves, steps)
    tloss, txs = run(Torch, dtype, leaves, steps)
    rtol = 1e-9 if dtype == np.float64 else 2e-4
    ours, theirs = np.float64(loss.item()), np.float64(tloss.item())
    assert loss.dtype == dtype, f"seed {seed}: loss is {loss.dtype}, leaves {dtype}"
    scale = 1.0 + abs(theirs)
    assert abs(ours - theirs) <= rtol * scale, f"seed {seed} {steps}: loss {ours} vs torch {theirs}"
    for i, (x, tx) in enumerate(zip(xs, txs)):
        g = x.grad if x.grad is not None else np.zeros(x.shape, dtype)
        tg = tx.grad.numpy() if tx.grad is not None else np.zeros(x.shape, dtype)
        assert g.dtype == dtype, f"seed {seed}: leaf {i}'s grad is {g.dtype}"
        gs = 1.0 + np.abs(tg).max(initial=0.0)
        err = np.abs(g.astype(np.float64) - tg).max(initial=0.0)
        assert err <= rtol * gs * 10, f"seed {seed} {steps}: leaf {i} grad off by {err} (scale {gs})"
    return steps


@settings(max_examples=N_PROGRAMS, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1))
def test_random_programs_agree_with_torch(seed):
    compare(seed)


def test_every_op_appears_in_the_programs():
    seen = set()
    for seed in range(300):
        seen.update(name for name, _ in make_program(seed)[2])
    assert seen == set(OPS)


def test_a_disagreement_would_be_caught():
    """The comparison can fail: a wrong gradient in one op makes it raise."""
    from tinygrad_edu.engine.ops import Tanh
    orig = Tanh.backward
    Tanh.backward = lambda self, dy, y, x: (dy * (1 - y),)          # wrong on purpose
    try:
        failures = 0
        for seed in range(200):
            if any(name == "tanh" for name, _ in make_program(seed)[2]):
                try:
                    compare(seed)
                except AssertionError:
                    failures += 1
        assert failures > 0
    finally:
        Tanh.backward = orig
