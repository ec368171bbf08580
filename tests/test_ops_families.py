"""The further ops (the family files of engine/ops and the composites), one row each: values and gradients against PyTorch, gradients against
centered differences in float64, over shapes, broadcasting and axes.

A row is ``(id, f, torch_f, makers)``: ``f(M, *xs)`` is called with ``M = tinygrad_edu`` and Tensors,
and, when ``torch_f`` is None, with ``M = torch`` and torch tensors too, so one line shows both
spellings agree; ``torch_f`` is given where PyTorch spells the op differently. The checked scalar is
``sum(f(...) * R)`` with a fixed random R, so every output entry's gradient matters.
"""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor
import tinygrad_edu.functional  # noqa: F401 (tg.functional in the rows)
from conftest import numeric_grads


def normal(*shape):
    return lambda rng: rng.standard_normal(shape)


def positive(*shape):
    return lambda rng: rng.uniform(0.5, 2.0, size=shape)


def away(*shape):
    """Entries at least 0.1 from 0 and from each other's ties (for kinks: abs, clamp, max)."""
    return lambda rng: rng.permutation(np.linspace(-2, 2, int(np.prod(shape)) or 1)
                                       + 0.05)[:int(np.prod(shape))].reshape(shape)


def ints(*shape, lo=-3, hi=4):
    return lambda rng: rng.integers(lo, hi, size=shape).astype(float)


ROWS = []
# ---- elementwise
for name, maker in [("abs", away), ("sin", normal), ("cos", normal), ("tan", normal),
                    ("log1p", positive), ("expm1", normal), ("log2", positive),
                    ("log10", positive), ("square", normal), ("sqrt", positive)]:
    ROWS.append((f"{name}-method", lambda M, a, n=name: getattr(a, n)(), None, [maker(3, 4)]))
    ROWS.append((f"{name}-function", lambda M, a, n=name: getattr(M, n)(a), None, [maker(2, 3)]))
ROWS += [
    ("clamp-both", lambda M, a: a.clamp(-0.5, 0.7), None, [away(3, 4)]),
    ("clamp-min", lambda M, a: a.clamp(min=0.1), None, [away(3, 4)]),
    ("clamp-max-function", lambda M, a: M.clamp(a, max=0.2), None, [away(3, 4)]),
    ("clip-at-ends", lambda M, a: a.clip(-1.0, 1.0), None,
     [lambda rng: np.array([-2.0, -1.0, 0.0, 1.0, 2.0])]),
    ("leaky_relu", lambda M, a: tg.functional.leaky_relu(a, 0.1),
     lambda M, a: M.nn.functional.leaky_relu(a, 0.1), [away(3, 4)]),
    ("softplus", lambda M, a: tg.functional.softplus(a * 10),
     lambda M, a: M.nn.functional.softplus(a * 10), [normal(3, 4)]),
    ("float-double", lambda M, a: (a.float() * 2).double() * a, None, [normal(3, 4)]),
    ("astype", lambda M, a: a.astype(np.float32).astype(np.float64) + a,
     lambda M, a: a.float().double() + a, [normal(3, 4)]),
]
# ---- binary, with broadcasting
PAIRS = [((3, 4), (3, 4)), ((3, 4), (4,)), ((3, 1), (1, 4)), ((2, 3, 4), (3, 1))]
for sa, sb in PAIRS:
    ROWS += [
        (f"maximum{sa}{sb}", lambda M, a, b: M.maximum(a, b), None, [normal(*sa), normal(*sb)]),
        (f"minimum{sa}{sb}", lambda M, a, b: M.minimum(a, b), None, [normal(*sa), normal(*sb)]),
        (f"pow-tensor{sa}{sb}", lambda M, a, b: a.pow(b), None, [positive(*sa), normal(*sb)]),
        (f"mod{sa}{sb}", lambda M, a, b: a % b, None, [normal(*sa), positive(*sb)]),
        (f"where{sa}{sb}", lambda M, a, b: M.where(M.tensor(np.arange(12).reshape(3, 4) % 3 == 0),
                                                   a, b) if len(sa) < 3 else
         M.where(M.tensor(np.arange(4) % 2 == 0), a, b), None, [normal(*sa), normal(*sb)]),
    ]
ROWS += [
    ("maximum-ties", lambda M, a, b: M.maximum(a, b), None,
     [lambda rng: np.array([1.0, 2.0, 3.0]), lambda rng: np.array([1.0, 0.0, 3.0])]),
    ("mod-negative", lambda M, a: a % 0.7, lambda M, a: M.remainder(a, 0.7), [normal(3, 4)]),
    ("where-const", lambda M, a: M.where(M.tensor([True, False, True]), a, 0.0),
     lambda M, a: M.where(M.tensor([True, False, True]), a, M.tensor(0.0, dtype=M.float64)),
     [normal(2, 3)]),
    ("outer", lambda M, a, b: M.outer(a, b), None, [normal(3), normal(4)]),
]
# ---- reductions over axes, both spellings
for axis in (None, 0, 1, -1, (0, 2)):
    for keep in (False, True):
        tag = f"{axis},{keep}"
        ROWS += [
            (f"prod[{tag}]", lambda M, a, ax=axis, k=keep: a.prod(axis=ax, keepdims=k),
             lambda M, a, ax=axis, k=keep: _torch_prod(a, ax, k), [normal(2, 3, 4)]),
            (f"var[{tag}]", lambda M, a, ax=axis, k=keep: a.var(axis=ax, keepdims=k),
             lambda M, a, ax=axis, k=keep: a.var(dim=ax, keepdim=k), [normal(2, 3, 4)]),
            (f"std[{tag}]", lambda M, a, ax=axis, k=keep: a.std(dim=ax, keepdim=k), None,
             [normal(2, 3, 4)]),
            (f"sum-dim[{tag}]", lambda M, a, ax=axis, k=keep: a.sum(dim=ax, keepdim=k), None,
             [normal(2, 3, 4)]),
            (f"mean-dim[{tag}]", lambda M, a, ax=axis, k=keep: a.mean(dim=ax, keepdim=k), None,
             [normal(2, 3, 4)]),
            (f"amax[{tag}]", lambda M, a, ax=axis, k=keep: a.amax(dim=ax, keepdim=k),
             lambda M, a, ax=axis, k=keep: a.amax(dim=ax if ax is not None else (0, 1, 2),
                                                  keepdim=k), [normal(2, 3, 4)]),
        ]
ROWS += [
    ("prod-with-zeros", lambda M, a: a.prod(dim=1), None,
     [lambda rng: np.array([[0.0, 2.0, 3.0], [0.0, 0.0, 2.0], [1.5, -2.0, 0.5]])]),
    ("var-unbiased-false", lambda M, a: a.var(dim=0, unbiased=False), None, [normal(4, 3)]),
    ("std-correction0", lambda M, a: a.std(dim=1, correction=0), None, [normal(4, 3)]),
    ("std-ddof0", lambda M, a: a.std(axis=1, ddof=0), lambda M, a: a.std(dim=1, correction=0),
     [normal(4, 3)]),
    ("max-dim-values", lambda M, a: a.max(dim=1)[0] + a.max(dim=0).values.sum(), None,
     [normal(3, 4)]),
    ("min-dim-keepdim", lambda M, a: a.min(dim=1, keepdim=True).values, None, [normal(3, 4)]),
    ("amin", lambda M, a: M.amin(a, dim=0), None, [normal(3, 4)]),
    ("cumsum-0", lambda M, a: a.cumsum(0), None, [normal(3, 4)]),
    ("cumsum-dim-neg", lambda M, a: M.cumsum(a, dim=-1), None, [normal(2, 3, 4)]),
    ("sort-values", lambda M, a: M.sort(a, dim=1).values, None, [normal(3, 5)]),
    ("sort-descending", lambda M, a: a.sort(dim=0, descending=True)[0], None, [normal(4, 3)]),
    ("trace", lambda M, a: a.trace(), None, [normal(4, 4)]),
    ("trace-rect", lambda M, a: (tg.engine if M is tg else M).trace(a), None, [normal(3, 5)]),
]
# ---- shape
ROWS += [
    ("cat-dim1", lambda M, a, b: M.cat([a, b], dim=1), None, [normal(3, 2), normal(3, 4)]),
    ("cat-dim-neg", lambda M, a, b, c: M.cat([a, b, c], -1), None,
     [normal(2, 3, 1), normal(2, 3, 2), normal(2, 3, 3)]),
    ("concatenate-axis0", lambda M, a, b: tg.concatenate([a, b], axis=0),
     lambda M, a, b: M.cat([a, b], 0), [normal(2, 3), normal(1, 3)]),
    ("stack-0", lambda M, a, b: M.stack([a, b]), None, [normal(3, 4), normal(3, 4)]),
    ("stack-dim-last", lambda M, a, b: M.stack([a, b], dim=-1), None, [normal(3, 4), normal(3, 4)]),
    ("stack-axis1", lambda M, a, b: tg.stack([a, b], axis=1),
     lambda M, a, b: M.stack([a, b], dim=1), [normal(3, 4), normal(3, 4)]),
    ("split-size", lambda M, a: M.cat([p * (i + 1) for i, p in enumerate(M.split(a, 2, dim=1))], 1),
     None, [normal(3, 5)]),
    ("split-sections", lambda M, a: M.cat([p * (i + 1) for i, p in enumerate(a.split([1, 3]))], 0),
     None, [normal(4, 2)]),
    ("chunk", lambda M, a: M.cat([p * (i + 1) for i, p in enumerate(M.chunk(a, 3, dim=0))], 0),
     None, [normal(7, 2)]),
    ("squeeze-all", lambda M, a: a.squeeze(), None, [normal(1, 3, 1, 4)]),
    ("squeeze-dim", lambda M, a: a.squeeze(dim=2), None, [normal(1, 3, 1, 4)]),
    ("squeeze-axis-not-1", lambda M, a: a.squeeze(1), None, [normal(1, 3, 1, 4)]),
    ("unsqueeze", lambda M, a: a.unsqueeze(1), None, [normal(3, 4)]),
    ("unsqueeze-neg", lambda M, a: M.unsqueeze(a, -1), None, [normal(3, 4)]),
    ("expand_dims", lambda M, a: a.expand_dims(0), lambda M, a: a.unsqueeze(0), [normal(3, 4)]),
    ("flatten", lambda M, a: a.flatten(), None, [normal(2, 3, 4)]),
    ("flatten-1", lambda M, a: M.flatten(a, 1), None, [normal(2, 3, 4)]),
    ("flatten-0-1", lambda M, a: a.flatten(0, 1), None, [normal(2, 3, 4)]),
    ("expand", lambda M, a: a.expand(2, 3, 4), None, [normal(3, 1)]),
    ("expand-minus1", lambda M, a: a.expand(5, -1, 4), None, [normal(3, 1)]),
    ("broadcast_to", lambda M, a: M.broadcast_to(a, (2, 3, 4)) if M is not tg else
     a.broadcast_to((2, 3, 4)), None, [normal(4)]),
    ("repeat", lambda M, a: a.repeat(2, 3), None, [normal(3, 4)]),
    ("repeat-new-axis", lambda M, a: a.repeat(2, 1, 3), None, [normal(3, 4)]),
    ("tile", lambda M, a: M.tile(a, (2,)), None, [normal(3, 4)]),
    ("repeat_interleave", lambda M, a: a.repeat_interleave(2, dim=1), None, [normal(3, 4)]),
    ("flip", lambda M, a: a.flip(0), None, [normal(3, 4)]),
    ("flip-both", lambda M, a: M.flip(a, (0, 1)), None, [normal(3, 4)]),
    ("roll", lambda M, a: a.roll(1, 1), None, [normal(3, 4)]),
    ("roll-two", lambda M, a: M.roll(a, (2, -1), (0, 1)), None, [normal(3, 4)]),
    ("roll-flat", lambda M, a: a.roll(5), None, [normal(3, 4)]),
    ("pad", lambda M, a: tg.functional.pad(a, (1, 2, 0, 1)),
     lambda M, a: M.nn.functional.pad(a, (1, 2, 0, 1)), [normal(2, 3, 4)]),
    ("pad-value", lambda M, a: a.pad(((0, 0), (2, 1)), value=0.5),
     lambda M, a: M.nn.functional.pad(a, (2, 1), value=0.5), [normal(3, 4)]),
    ("diag-of-matrix", lambda M, a: a.diag(), None, [normal(4, 4)]),
    ("diag-offset", lambda M, a: M.diag(a, 1), None, [normal(3, 4)]),
    ("diag-make", lambda M, a: a.diag(), None, [normal(3)]),
    ("diag-make-offset", lambda M, a: M.diag(a, -2), None, [normal(3)]),
    ("tril", lambda M, a: a.tril(), None, [normal(3, 4)]),
    ("triu-1", lambda M, a: M.triu(a, 1), None, [normal(4, 3)]),
    ("tril-batch", lambda M, a: a.tril(-1), None, [normal(2, 3, 3)]),
    ("view-t", lambda M, a: a.view(4, 3).t(), None, [normal(3, 4)]),
]
# ---- linear algebra
ROWS += [
    ("matmul-function", lambda M, a, b: M.matmul(a, b), None, [normal(2, 3, 4), normal(4, 5)]),
    ("einsum-matmul", lambda M, a, b: M.einsum("ij,jk->ik", a, b), None, [normal(3, 4), normal(4, 5)]),
    ("einsum-batch", lambda M, a, b: M.einsum("bij,bjk->bik", a, b), None,
     [normal(2, 3, 4), normal(2, 4, 5)]),
    ("einsum-implicit", lambda M, a, b: M.einsum("ij,kj", a, b), None, [normal(3, 4), normal(5, 4)]),
    ("einsum-sum-alone", lambda M, a, b: M.einsum("ij,k->i", a, b), None, [normal(3, 4), normal(5)]),
    ("einsum-trace", lambda M, a: M.einsum("ii", a), None, [normal(4, 4)]),
    ("einsum-diag", lambda M, a: M.einsum("ii->i", a), None, [normal(4, 4)]),
    ("einsum-ellipsis", lambda M, a, b: M.einsum("...ij,...jk->...ik", a, b), None,
     [normal(2, 3, 4), normal(2, 4, 2)]),
    ("einsum-three", lambda M, a, b, c: M.einsum("i,ij,j->", a, b, c), None,
     [normal(3), normal(3, 4), normal(4)]),
    ("einsum-outer", lambda M, a, b: M.einsum("i,j->ij", a, b), None, [normal(3), normal(2)]),
    ("tensordot-2", lambda M, a, b: M.tensordot(a, b), lambda M, a, b: M.tensordot(a, b, dims=2),
     [normal(2, 3, 4), normal(3, 4, 5)]),
    ("tensordot-lists", lambda M, a, b: M.tensordot(a, b, ([0, 2], [2, 0])),
     lambda M, a, b: M.tensordot(a, b, dims=([0, 2], [2, 0])), [normal(2, 3, 4), normal(4, 5, 2)]),
    ("dot-nd", lambda M, a, b: tg.dot(a, b),
     lambda M, a, b: M.tensordot(a, b, dims=([2], [1])), [normal(2, 3, 4), normal(5, 4, 2)]),
    ("dot-1d", lambda M, a, b: M.dot(a, b), None, [normal(4), normal(4)]),
]


def _torch_prod(a, axis, keep):
    """torch.prod takes one dim: reduce the axes one at a time, highest first."""
    axes = range(a.ndim) if axis is None else ([axis] if isinstance(axis, int) else axis)
    for ax in sorted((x % a.ndim for x in axes), reverse=True):
        a = a.prod(dim=ax, keepdim=keep)
    return a


IDS = [r[0] for r in ROWS]
assert len(set(IDS)) == len(IDS)
# rows that centered differences cannot judge: inputs exactly at clamp's ends (a kink; PyTorch's
# convention is checked instead) and a trip through float32 (h = 1e-6 is below its resolution)
NO_NUMERIC = {"clip-at-ends", "float-double", "astype"}


def _data(row, seed=0):
    rng = np.random.default_rng(seed)
    arrays = [m(rng) for m in row[3]]
    out = row[1](tg, *[Tensor(a) for a in arrays])
    weights = np.random.default_rng(seed + 1).standard_normal(out.shape)
    return arrays, weights


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_gradient_matches_centered_differences(row):
    if row[0] in NO_NUMERIC:
        pytest.skip("at a kink or through float32: compared with PyTorch only")
    fn = row[1]
    arrays, weights = _data(row)
    ts = [Tensor(a, requires_grad=True) for a in arrays]
    (fn(tg, *ts) * weights).sum().backward()
    num = numeric_grads(lambda *xs: float((fn(tg, *[Tensor(x) for x in xs]).data * weights).sum()),
                        arrays)
    for t, g in zip(ts, num):
        assert t.grad is not None and t.grad.shape == t.shape and t.grad.dtype == np.float64
        np.testing.assert_allclose(t.grad, g, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_value_and_gradient_match_pytorch(row):
    torch = pytest.importorskip("torch")
    fn, tfn = row[1], row[2] or row[1]
    arrays, weights = _data(row)
    ts = [Tensor(a, requires_grad=True) for a in arrays]
    out = fn(tg, *ts)
    (out * weights).sum().backward()
    xs = [torch.tensor(a, requires_grad=True) for a in arrays]
    tout = tfn(torch, *xs)
    (tout * torch.tensor(weights)).sum().backward()
    assert out.shape == tuple(tout.shape)
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-12, atol=1e-12)
    for t, x in zip(ts, xs):
        np.testing.assert_allclose(t.grad, x.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_both_spellings_give_the_same_tensor():
    x = Tensor(np.random.default_rng(0).standard_normal((2, 3, 4)))
    pairs = [
        (x.sum(axis=1, keepdims=True), x.sum(dim=1, keepdim=True)),
        (x.mean(axis=(0, 2)), x.mean(dim=(0, 2))),
        (x.max(axis=2, keepdims=True), x.max(dim=2, keepdim=True).values),
        (x.min(axis=0), x.min(dim=0)[0]),
        (x.prod(axis=-1), x.prod(dim=-1)),
        (x.var(axis=1), x.var(dim=1)),
        (x.cumsum(axis=2), x.cumsum(dim=2)),
        (x.squeeze(axis=0) if x.shape[0] == 1 else x, x.squeeze(dim=0)),
        (x.flip(axis=1), x.flip(dims=1)),
        (x.roll(1, axis=0), x.roll(1, dims=0)),
        (x.unsqueeze(axis=1), x.unsqueeze(dim=1)),
        (x.argmax(axis=1), x.argmax(dim=1)),
        (tg.cat([x, x], axis=1), tg.cat([x, x], dim=1)),
        (tg.stack([x, x], axis=2), tg.stack([x, x], dim=2)),
        (x.split(2, axis=2)[1], x.split(2, dim=2)[1]),
    ]
    for a, b in pairs:
        np.testing.assert_array_equal(a.data, b.data)
    with pytest.raises(TypeError, match="not both"):
        x.sum(axis=0, dim=0)


def test_max_with_dim_returns_values_and_indices_as_torch():
    torch = pytest.importorskip("torch")
    a = np.array([[1.0, 3.0, 3.0], [2.0, 0.0, 5.0]])
    v, i = Tensor(a).max(dim=1)
    tv, ti = torch.tensor(a).max(dim=1)
    np.testing.assert_array_equal(v.data, tv.numpy())
    np.testing.assert_array_equal(i.data, ti.numpy())
    v, i = Tensor(a).sort(dim=1, descending=True)
    tv, ti = torch.tensor(a).sort(dim=1, descending=True, stable=True)
    np.testing.assert_array_equal(v.data, tv.numpy())
    np.testing.assert_array_equal(i.data, ti.numpy())


def test_results_without_gradient():
    x = Tensor(np.array([[-1.5, 0.0, 2.5], [0.5, -0.5, 3.0]]), requires_grad=True)
    for t in (x.argmax(), x.argmin(dim=1), x.sort(dim=1).indices):
        assert not t.requires_grad and t.is_leaf
    for t in (x.floor(), x.ceil(), x.round(), x.sign(), x.trunc()):   # recorded, gradient 0 (torch)
        assert t.requires_grad and not t.is_leaf
        x.grad = None
        (t * 3.0).sum().backward()
        np.testing.assert_array_equal(x.grad, np.zeros((2, 3)))
    np.testing.assert_array_equal(x.floor().data, np.floor(x.data))
    np.testing.assert_array_equal(x.sign().data, np.sign(x.data))
    assert x.argmax().item() == 5 and x.argmin(axis=1).data.tolist() == [0, 1]


def test_creation_functions():
    assert tg.zeros(2, 3).shape == (2, 3) and tg.zeros((2, 3)).dtype == np.float64
    assert tg.ones(4, dtype=np.float32).dtype == np.float32
    np.testing.assert_array_equal(tg.eye(3).data, np.eye(3))
    np.testing.assert_array_equal(tg.arange(1, 7, 2).data, [1.0, 3.0, 5.0])
    np.testing.assert_array_equal(tg.linspace(0, 1, 5).data, np.linspace(0, 1, 5))
    np.testing.assert_array_equal(tg.full((2, 2), 7.0).data, np.full((2, 2), 7.0))
    x = tg.randn(3, 4, seed=1, requires_grad=True)
    assert x.requires_grad and x.is_leaf
    np.testing.assert_array_equal(x.data, np.random.RandomState(1).standard_normal((3, 4)))
    np.testing.assert_array_equal(tg.rand(5, generator=np.random.default_rng(2)).data,
                                  np.random.default_rng(2).random(5))
    np.random.seed(0)
    a = tg.randn(3).data
    np.random.seed(0)
    np.testing.assert_array_equal(a, tg.randn(3).data)
    tg.manual_seed(7)                                  # seed=s draws what manual_seed(s) then draws
    np.testing.assert_array_equal(tg.randn(3).data, tg.randn(3, seed=7).data)
    assert tg.zeros_like(x).shape == (3, 4) and tg.ones_like(x.data).data.sum() == 12
    assert tg.tensor([1, 2]).dtype == np.float64
    assert tg.zeros(2, dtype=np.int64).dtype == np.float64           # whole numbers, as float64
    with pytest.raises(TypeError, match="zeros: float16 is not supported"):
        tg.zeros(2, dtype=np.float16)
    with pytest.raises(ValueError, match="seed= or generator="):
        tg.rand(2, seed=0, generator=np.random.default_rng(0))


def test_errors_name_the_op():
    x = Tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="concatenate: shapes"):
        tg.cat([x, Tensor(np.zeros((3, 2)))], dim=1)
    with pytest.raises(ValueError, match="stack: all tensors must have the same shape"):
        tg.stack([x, x.T])
    with pytest.raises(ValueError, match="split: sizes"):
        x.split([1, 1], dim=1)
    with pytest.raises(ValueError, match="broadcast_to: cannot broadcast"):
        x.broadcast_to(3, 3)
    with pytest.raises(ValueError, match="einsum"):
        tg.einsum("ij,jk->ik", x, x)
    with pytest.raises(ValueError, match="tensordot"):
        tg.tensordot(x, x, ([1], [1, 0]))
    with pytest.raises(ValueError, match="unsqueeze: axis 4 is out of range"):
        x.unsqueeze(4)
    with pytest.raises(TypeError, match="astype: float16"):
        x.astype(np.float16)
    with pytest.raises(ValueError, match="clip: give min, max"):
        x.clip()
