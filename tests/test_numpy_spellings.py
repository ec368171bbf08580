"""numpy's spellings, as the ported numpy suites call them: each against numpy's values and numerical
gradients in float64 (and PyTorch where the two agree), and the calls where numpy and PyTorch read
the same words differently: the keyword says which one is meant, never silently the other."""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import Tensor
from tinygrad_edu.gradcheck import gradcheck

RNG = np.random.default_rng(3)
A = RNG.standard_normal((4, 5))
B = RNG.standard_normal((2, 3, 4))


def check(ours, numpys, *arrays):
    """``ours`` (Tensors -> Tensor or tuple) has numpy's values, and gradients that agree with
    centered differences in float64 on random weights."""
    ts = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    got, want = ours(*ts), numpys(*arrays)
    for g, w in zip(got if isinstance(got, tuple) else (got,), want if isinstance(want, (tuple, list)) else (want,)):
        assert g.shape == np.shape(w)
        np.testing.assert_allclose(g.data, w, rtol=1e-13, atol=1e-15)
    weights = [RNG.standard_normal(g.shape) for g in (got if isinstance(got, tuple) else (got,))]

    def loss(*xs):
        out = ours(*xs)
        return sum(((o * w).sum() for o, w in zip(out if isinstance(out, tuple) else (out,), weights)),
                   Tensor(np.array(0.0)))
    assert gradcheck(loss, *[Tensor(a.copy(), requires_grad=True) for a in arrays])


@pytest.mark.parametrize("k", [-2, -1, 0, 1, 3])
def test_tril_triu_with_k(k):
    check(lambda x: x.tril(k=k), lambda a: np.tril(a, k=k), A)
    check(lambda x: x.triu(k=k), lambda a: np.triu(a, k=k), A)
    check(lambda x: x.tril(k), lambda a: np.tril(a, k), B)                 # the last two axes
    check(lambda x: tg.triu(x, diagonal=k), lambda a: np.triu(a, k), A)   # torch's keyword
    with pytest.raises(TypeError, match="tril: give diagonal= or k=, not both"):
        Tensor(A).tril(1, k=1)


@pytest.mark.parametrize("offset", [-3, -1, 0, 2, 7])
def test_trace_diag_diagonal_with_numpys_keywords(offset):
    check(lambda x: x.trace(offset=offset), lambda a: np.trace(a, offset=offset), A)
    check(lambda x: x.trace(offset, axis1=2, axis2=0), lambda a: np.trace(a, offset, 2, 0), B)
    check(lambda x: x.diag(k=offset), lambda a: np.diag(a, k=offset), A)
    check(lambda x: x.diag(k=offset), lambda a: np.diag(a, k=offset), A[0])
    check(lambda x: x.diagonal(offset=offset, axis1=1, axis2=2),
          lambda a: np.diagonal(a, offset=offset, axis1=1, axis2=2), B)
    check(lambda x: x.diagonal(offset, 2, 0), lambda a: np.diagonal(a, offset, 2, 0), B)


def test_diagonal_and_trace_as_torch():
    torch = pytest.importorskip("torch")
    for off, d1, d2 in ((0, 0, 1), (1, 2, 1), (-1, 0, 2)):
        ours = Tensor(B).diagonal(off, dim1=d1, dim2=d2)
        np.testing.assert_array_equal(ours.data, torch.tensor(B).diagonal(off, d1, d2).numpy())
    assert Tensor(A).trace().item() == pytest.approx(torch.tensor(A).trace().item(), rel=1e-14)
    with pytest.raises(ValueError, match="diagonal: needs two different axes"):
        Tensor(A).diagonal(0, 1, 1)


def test_tile_with_reps_and_concatenate_with_axis():
    check(lambda x: x.tile(reps=(2, 1, 3)), lambda a: np.tile(a, (2, 1, 3)), A)
    check(lambda x: x.tile(reps=2), lambda a: np.tile(a, 2), A)
    check(lambda x: tg.tile(x, (1, 2)), lambda a: np.tile(a, (1, 2)), A)
    check(lambda x, y: tg.concatenate([x, y], axis=1), lambda a, b: np.concatenate([a, b], axis=1),
          A, A[:, :2])
    check(lambda x, y: tg.concatenate((x, y), axis=-2), lambda a, b: np.concatenate((a, b), -2),
          B, B[:, :1])
    with pytest.raises(TypeError, match="tile: give the counts"):
        Tensor(A).tile(2, reps=2)


def test_repeat_reads_numpy_with_axis_and_torch_without():
    torch = pytest.importorskip("torch")
    check(lambda x: x.repeat(2, axis=0), lambda a: np.repeat(a, 2, axis=0), A)
    check(lambda x: x.repeat([1, 2, 0, 1, 3], axis=1), lambda a: np.repeat(a, [1, 2, 0, 1, 3], axis=1), A)
    check(lambda x: x.repeat(3, axis=None), lambda a: np.repeat(a, 3), A)   # numpy's flattened
    check(lambda x: x.repeat(2, 3), lambda a: torch.tensor(a).repeat(2, 3).numpy(), A)   # tiles
    check(lambda x: x.repeat(2), lambda a: torch.tensor(a).repeat(2).numpy(), A[0])
    v = Tensor(np.array([1.0, 2.0]))
    assert v.repeat(2).tolist() == [1.0, 2.0, 1.0, 2.0]                 # torch's reading
    assert v.repeat(2, axis=0).tolist() == [1.0, 1.0, 2.0, 2.0]         # numpy's, with axis=
    assert np.repeat(v, 2).tolist() == [1.0, 1.0, 2.0, 2.0]             # numpy's function too
    with pytest.raises(ValueError, match="repeat: PyTorch's repeat needs at least one count per "
                                         "axis.*axis="):
        Tensor(A).repeat(2)
    with pytest.raises(ValueError, match="repeat: repeats"):
        Tensor(A).repeat([1, 2], axis=1)


def test_split_reads_numpy_with_axis_and_torch_without():
    torch = pytest.importorskip("torch")
    a = RNG.standard_normal((6, 4))
    check(lambda x: x.split(3, axis=0), lambda a: tuple(np.split(a, 3, axis=0)), a)      # 3 sections
    check(lambda x: x.split([1, 4], axis=0), lambda a: tuple(np.split(a, [1, 4], axis=0)), a)
    check(lambda x: x.split(2, axis=1), lambda a: tuple(np.split(a, 2, axis=1)), a)
    check(lambda x: tg.split(x, [2, 3], axis=1), lambda a: tuple(np.split(a, [2, 3], axis=1)), a)
    torchs = tuple(t.numpy() for t in torch.tensor(a).split(4))
    check(lambda x: x.split(4), lambda a: torchs, a)                      # pieces of size 4
    check(lambda x: x.split([1, 5]), lambda a: tuple(t.numpy() for t in torch.tensor(a).split([1, 5])), a)
    assert len(Tensor(a).split(3)) == 2 and len(Tensor(a).split(3, axis=0)) == 3
    with pytest.raises(ValueError, match="split: axis 0 of size 6 does not split into 4 equal"):
        Tensor(a).split(4, axis=0)
    with pytest.raises(ValueError, match="do not add up.*axis="):
        Tensor(a).split([1, 4])
    parts = np.split(Tensor(a), [2], axis=1)                             # numpy's function
    assert [p.shape for p in parts] == [(6, 2), (6, 2)]


def test_tensor_split_is_numpys_array_split_and_torchs_tensor_split():
    torch = pytest.importorskip("torch")
    a = RNG.standard_normal((7, 3))
    for arg in (3, 7, 9, [2, 5], [0, 3, 3, 10], [-2]):
        check(lambda x: x.tensor_split(arg), lambda a: tuple(np.array_split(a, arg)), a)
        theirs = [t.numpy() for t in torch.tensor(a).tensor_split(arg)]
        assert [p.shape for p in Tensor(a).tensor_split(arg)] == [t.shape for t in theirs]
    check(lambda x: tg.tensor_split(x, 2, dim=1), lambda a: tuple(np.array_split(a, 2, axis=1)), a)


def test_pad_takes_numpys_pad_width_and_f_pad_torchs_flat_pairs():
    torch = pytest.importorskip("torch")
    for width in (1, (2,), (1, 2), ((1, 2),), ((0, 1), (2, 0))):
        check(lambda x: x.pad(width), lambda a: np.pad(a, width), A)
        check(lambda x: np.pad(x, width, constant_values=3.0),
              lambda a: np.pad(a, width, constant_values=3.0), A)
    check(lambda x: x.pad(((1, 0), (0, 0), (2, 1)), value=-1.0),
          lambda a: np.pad(a, ((1, 0), (0, 0), (2, 1)), constant_values=-1.0), B)
    for flat in ((1, 2), (0, 1, 2, 0), (-1, 2), (2, -3, -1, 0), (0, 0, 0, 0, 1, 1)):
        check(lambda x: F.pad(x, flat, value=0.5),
              lambda a: torch.nn.functional.pad(torch.tensor(a), flat, value=0.5).numpy(), B)
    for bad in ((1, 1, 2, 2), ((1, 2, 3),), ((1, 2), (3, 4), (5, 6)), (1.5, 2), "wide"):
        with pytest.raises(ValueError, match="pad: pad_width .* numpy's form .*nn.functional.pad"):
            Tensor(A).pad(bad)
    with pytest.raises(ValueError, match="pad: widths must be >= 0.*crop"):
        Tensor(A).pad(((1, -1), (0, 0)))
    for bad in (((1, 1), (2, 2)), (1, 2, 3), (1, 1, 1, 1, 1, 1, 1, 1), (1.0, 2)):
        with pytest.raises(ValueError, match="pad: PyTorch's form is flat pairs.*x.pad"):
            F.pad(Tensor(A), bad)
    with pytest.raises(ValueError, match="crop more than"):
        F.pad(Tensor(A), (-3, -3))
    with pytest.raises(ValueError, match="mode='constant'"):
        Tensor(A).pad(1, mode="reflect")


def test_numpys_functions_of_a_tensor_keep_the_graph():
    def loss(x):
        return (np.sum(np.exp(x) * 2.0, axis=1) + np.mean(x, axis=1) + np.max(x, 1)
                + np.std(x, axis=1) + np.trace(np.reshape(x[:, :4], (4, 4)))
                + np.ones((4, 4)) @ np.tanh(x) @ np.ones(5)).sum()
    x = Tensor(A.copy(), requires_grad=True)
    assert isinstance(loss(x), Tensor) and loss(x).requires_grad and loss(x).op.name == "sum"
    assert gradcheck(loss, x)
    assert np.std(Tensor(A)).item() == pytest.approx(np.std(A))        # numpy's ddof=0
    assert np.concatenate([Tensor(A), A], axis=0).shape == (8, 5)
    assert np.where(Tensor(A) > 0, Tensor(A), 0.0).shape == (4, 5)
    assert np.shape(x) == (4, 5) and np.ndim(x) == 2 and np.size(x) == 20
    with pytest.raises(TypeError, match="np.sum: out=.* is not supported"):
        np.sum(x, out=np.zeros(()))
    with pytest.raises(TypeError, match="np.allclose: this tensor requires grad"):
        np.allclose(x, A)
    assert np.allclose(Tensor(A), A)                                    # no grad: its value
    with pytest.raises(TypeError, match="np.cbrt: this tensor requires grad"):
        np.cbrt(x)
    arr = np.zeros(5)
    with pytest.raises(TypeError, match="np.add: this tensor requires grad.*x = x \\+ t"):
        arr += x[0]
    arr += Tensor(np.ones(5))                   # a tensor without gradient: its value, into arr
    assert arr.tolist() == [1.0] * 5
