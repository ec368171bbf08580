"""PyTorch's Tensor idioms that ported code uses, each against PyTorch (values, gradients, which
array is written) and against numerical gradients in float64."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
from tinygrad_edu import Tensor, no_grad
from tinygrad_edu.gradcheck import gradcheck
from tinygrad_edu.utils.data import DataLoader, TensorDataset

RNG = np.random.default_rng(19)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def pair(a, requires_grad=True):
    """The same float64 values as a Tensor here and in PyTorch."""
    torch = pytest.importorskip("torch")
    a = np.array(a, dtype=np.float64)
    return Tensor(a.copy(), requires_grad=requires_grad), torch.tensor(a.copy(), requires_grad=requires_grad)


def same(ours, theirs, rtol=1e-12):
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    ours = ours.data if isinstance(ours, Tensor) else np.asarray(ours)
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=1e-14)


def backward_both(out, tout, seed=0):
    """Both outputs weighted by the same random numbers, summed, walked back."""
    torch = pytest.importorskip("torch")
    w = np.random.default_rng(seed).standard_normal(out.shape)
    (out * w).sum().backward()
    (tout * torch.tensor(w)).sum().backward()


# ---------------------------------------------------------------------------------- .grad


def test_a_leafs_grad_accumulates_in_place_so_an_alias_sees_the_sum_as_in_torch():
    w, tw = pair([1.0, -2.0, 3.0])
    for x in (w, tw):
        (x * x).sum().backward()
    g, tg_ = w.grad, tw.grad                   # aliases taken before the second backward
    for x in (w, tw):
        (x * 3.0).sum().backward()
    assert g is w.grad and tg_ is tw.grad
    same(g, tg_)
    np.testing.assert_array_equal(g, [5.0, -1.0, 9.0])
    w.grad.zero_()
    tw.grad.zero_()
    same(g, tg_)
    assert not g.any()
    (w * w).sum().backward()                  # after zero_: accumulates into the zeroed array
    assert g is w.grad and g.tolist() == [2.0, -4.0, 6.0]
    w.grad = None                             # a fresh array, which the old alias does not see
    (w * w).sum().backward()
    assert w.grad is not g and g.tolist() == [2.0, -4.0, 6.0]


def test_grad_is_a_numpy_array_with_torchs_in_place_methods_and_intermediates_are_read_only():
    w = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    h = w * 2.0
    (h * h).sum().backward()
    assert isinstance(w.grad, np.ndarray) and np.allclose(w.grad, [8.0, 16.0])
    w.data -= 0.1 * w.grad                    # the optimizer idiom
    w.grad.mul_(0.5).add_(np.ones(2), alpha=2.0)
    assert w.grad.tolist() == [6.0, 10.0]
    w.grad.fill_(1.0)
    assert w.grad.tolist() == [1.0, 1.0]
    with pytest.raises(ValueError, match="(?i)read-only.*copy it"):
        h.grad.zero_()
    with pytest.raises(ValueError, match="read-only"):
        h.grad[0] = 1.0
    assert h.grad.copy().fill(0) is None      # a copy is the learner's own


# ---------------------------------------------------------------------------------- making tensors


@pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad")   # torch's, for its own
def test_tensor_of_nested_lists_holding_0d_tensors_copies_their_values_without_a_graph():
    torch = pytest.importorskip("torch")
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    tx = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    psi = tg.tensor([[1.0, x[1], x[1] ** 2], [x[0] * 2, 0.5, x[2]]])
    tpsi = torch.tensor([[1.0, tx[1], tx[1] ** 2], [tx[0] * 2, 0.5, tx[2]]])
    same(psi, tpsi.double())
    assert not psi.requires_grad and psi.is_leaf and not tpsi.requires_grad
    with no_grad():
        x += 10.0                             # the copy does not follow the source
    assert psi.data[1, 2] == 3.0
    assert tg.tensor([x[0], x[1]]).tolist() == [11.0, 12.0]
    with pytest.raises(ValueError, match="rectangular"):
        tg.tensor([[1.0, x[0]], [2.0]])


def test_dtype_on_every_creation_function():
    f32 = tg.float32
    makers = [lambda d: tg.zeros(2, 3, dtype=d), lambda d: tg.ones((2, 3), dtype=d),
              lambda d: tg.empty(2, dtype=d), lambda d: tg.full((2,), 1.5, dtype=d),
              lambda d: tg.eye(3, dtype=d), lambda d: tg.arange(4, dtype=d),
              lambda d: tg.linspace(0, 1, 5, dtype=d), lambda d: tg.rand(3, dtype=d),
              lambda d: tg.randn(3, dtype=d), lambda d: tg.tensor([1, 2], dtype=d),
              lambda d: tg.zeros_like(tg.ones(2), dtype=d), lambda d: tg.ones_like(tg.ones(2), dtype=d),
              lambda d: tg.full_like(tg.ones(2), 3, dtype=d), lambda d: tg.randint(0, 5, (4,), dtype=d),
              lambda d: tg.randperm(4, dtype=d), lambda d: tg.as_tensor([1.0], dtype=d)]
    for make in makers:
        assert make(f32).dtype == np.float32 and make(tg.float64).dtype == np.float64
        assert make(None).dtype == np.float64 and make(np.float32).dtype == np.float32
    assert tg.float is tg.float32 and tg.double is tg.float64 and tg.long is tg.int64
    assert tg.zeros(2, dtype=tg.bool).dtype == bool


def test_integer_dtypes_hold_whole_numbers_toward_zero_as_torchs_long():
    torch = pytest.importorskip("torch")
    a = [1.7, -1.7, 2.5, -0.2]
    for ours in (tg.tensor(a, dtype=tg.long), tg.tensor(a).long(), tg.tensor(a).int(),
                 tg.tensor(a).to(tg.int64), tg.tensor(a).astype(np.int32)):
        assert ours.dtype == np.float64 and not ours.requires_grad
        assert ours.tolist() == torch.tensor(a).long().tolist()
    assert tg.tensor([0.0, 2.0]).bool().tolist() == [False, True]
    assert tg.tensor([1, 2]).type_as(tg.zeros(1, dtype=tg.float32)).dtype == np.float32
    assert tg.arange(3, dtype=tg.long).tolist() == [0, 1, 2]
    with pytest.raises(TypeError, match="require grad"):
        tg.tensor([1, 2], dtype=tg.long, requires_grad=True)
    with pytest.raises(TypeError, match="float16 is not supported"):
        tg.zeros(2, dtype=tg.half)
    with pytest.raises(TypeError, match="float16"):
        tg.ones(2).half()


def test_randint_and_randperm_as_torchs():
    tg.manual_seed(0)
    r = tg.randint(3, 7, (1000,))
    assert r.shape == (1000,) and r.data.min() == 3 and r.data.max() == 6
    assert np.array_equal(r.data, np.round(r.data))
    assert tg.randint(5, size=(2, 3)).shape == (2, 3) and tg.randint(2, (4,)).data.max() <= 1
    p = tg.randperm(10)
    assert sorted(p.tolist()) == list(range(10))
    x = tg.arange(10.0) * 2
    assert x[p].tolist() == [2 * i for i in p.tolist()]        # an index, as in torch code
    with pytest.raises(TypeError, match="randint: give"):
        tg.randint(5)
    with pytest.raises(ValueError, match="low < high"):
        tg.randint(5, 5, (2,))


def test_manual_seed_is_the_one_convention_of_the_engine_and_the_layers_built_on_it():
    def draws():
        out = [tg.rand(3).data, tg.randn(2, 2).data, tg.randint(0, 100, (4,)).data, tg.randperm(6).data,
               nn.Linear(3, 2).weight.data.copy(), nn.Conv2d(1, 2, 3).weight.data.copy(),
               nn.Embedding(4, 2).weight.data.copy(), nn.init.normal_(tg.zeros(3)).data.copy(),
               tg.functional.dropout(tg.ones(20), 0.5).data,
               nn.functional.dropout(tg.ones(20), 0.5).data]
        loader = DataLoader(TensorDataset(tg.arange(10.0)), batch_size=10, shuffle=True)
        out.append(next(iter(loader))[0].data)
        return out
    tg.manual_seed(5)
    first = draws()
    tg.manual_seed(5)
    for a, b in zip(first, draws()):
        np.testing.assert_array_equal(a, b)
    np.random.seed(5)                          # numpy's own seed is the same generator
    for a, b in zip(first, draws()):
        np.testing.assert_array_equal(a, b)
    tg.manual_seed(6)
    assert not np.array_equal(first[1], draws()[1])
    tg.manual_seed(3)                          # seed=s is what manual_seed(s) then draws
    np.testing.assert_array_equal(tg.randn(4).data, tg.randn(4, seed=3).data)
    np.testing.assert_array_equal(nn.Linear(3, 2, seed=4).weight.data,
                                  (tg.manual_seed(4), nn.Linear(3, 2).weight.data)[1])
    with pytest.raises(ValueError, match="manual_seed: seed"):
        tg.manual_seed(-1)


# ---------------------------------------------------------------------------------- conveniences


def test_size_dim_numel_tolist_clone_as_torch():
    x, tx = pair(RNG.standard_normal((2, 3, 4)))
    assert x.size == 24 and x.size() == tuple(tx.size()) and x.size(1) == tx.size(1) == 3
    assert x.size(-1) == tx.size(-1) and x.numel() == tx.numel() and x.dim() == tx.dim() == 3
    assert x.tolist() == tx.tolist() and Tensor(np.array(2.5)).tolist() == 2.5
    with pytest.raises(ValueError, match="size: axis 3 is out of range"):
        x.size(3)
    c, tc = x.clone(), tx.clone()
    assert c.data is not x.data and np.array_equal(c.data, x.data) and c.requires_grad
    backward_both(c * c, tc * tc)
    same(x.grad, tx.grad)
    n = Tensor(np.ones(2)).clone()
    assert not n.requires_grad


def test_format_comparisons_view_as_device_as_torch():
    torch = pytest.importorskip("torch")
    loss = tg.tensor(25.45, requires_grad=True) * 1.0
    assert f"{loss}" == str(25.45) and f"{loss:.2f}" == "25.45" == f"{torch.tensor(25.45):.2f}"
    assert f"{tg.ones(2)}" == str(tg.ones(2))
    with pytest.raises(TypeError, match="format: a spec"):
        f"{tg.ones(2):.2f}"
    a, b = tg.tensor([1.0, 2.0, 3.0]), tg.tensor([1.0, 0.0, 3.0])
    ta, tb = torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.0, 0.0, 3.0])
    for name in ("eq", "ne", "lt", "le", "gt", "ge"):
        assert getattr(a, name)(b).tolist() == getattr(ta, name)(tb).tolist()
    assert a.eq(b).sum().item() == 2 and a.eq(b).dtype == bool
    pred = tg.tensor([[1.0], [0.0], [2.0]])
    assert pred.eq(tg.tensor([1.0, 1.0, 2.0]).view_as(pred)).sum().item() == 2
    assert tg.zeros(6).view_as(tg.zeros((2, 3))).shape == (2, 3)
    assert tg.ones(3).expand_as(tg.zeros((2, 3))).shape == (2, 3)
    assert tg.zeros(6).reshape_as(tg.zeros((3, 2))).shape == (3, 2)
    t = tg.ones(2)
    assert t.to("cpu") is t and t.cpu() is t and t.to(tg.device("cpu")) is t and t.to(t) is t
    assert t.device == tg.device("cpu") and not t.is_cuda and t.to("cpu", tg.float32).dtype == np.float32
    for bad in (lambda: t.to("cuda"), lambda: t.cuda(), lambda: t.to(tg.device("cpu"), "cuda:0")):
        with pytest.raises(RuntimeError, match="CPU"):
            bad()


def test_a_missing_name_says_so_and_points_to_the_nearest_spelling():
    t = tg.ones(2, requires_grad=True)
    with pytest.raises(AttributeError, match="'Tensor' object has no attribute 'zero_grd'"):
        t.zero_grd()
    script = "import tinygrad_edu as tg\ntg.ones(2, requires_grad=True).zero_grd()\n"
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": ROOT})
    assert "Did you mean: 'zero_grad'?" in run.stderr     # Python's own suggestion, from dir(t)
    with pytest.raises(AttributeError, match="index_add.*write x.scatter_add"):
        t.index_add
    with pytest.raises(AttributeError, match="unique.*np.unique"):
        t.unique()
    assert not hasattr(t, "multinomial") and hasattr(t, "masked_fill")
    with pytest.raises(AttributeError, match="did you mean tinygrad_edu.randn"):
        tg.randnn


# ---------------------------------------------------------------------------------- operations


def test_masked_fill_as_torch_with_gradients_to_x_and_to_a_tensor_value():
    torch = pytest.importorskip("torch")
    a = RNG.standard_normal((3, 4))
    x, tx = pair(a)
    v, tv = pair(0.5)
    m = a > 0.2
    out, tout = x.masked_fill(Tensor(m), v), tx.masked_fill(torch.tensor(m), tv)
    same(out, tout)
    backward_both(out, tout)
    same(x.grad, tx.grad)
    same(v.grad, tv.grad)
    row = np.array([True, False, False, True])                 # a mask that broadcasts
    same(x.masked_fill(row, -1.0), tx.masked_fill(torch.tensor(row), -1.0))
    assert gradcheck(lambda x: x.masked_fill(m, 3.0).sum() * x.sum(), Tensor(a, requires_grad=True))
    with pytest.raises(TypeError, match="masked_fill: mask must be bool"):
        x.masked_fill(a, 0.0)
    with pytest.raises(ValueError, match="does not broadcast"):
        x.masked_fill(np.ones(3, bool), 0.0)
    with pytest.raises(ValueError, match="value must be a number or a 0-d"):
        x.masked_fill(m, np.ones(4))
    x.grad, tx.grad = None, None
    y, ty = x * 1.0, tx * 1.0
    before, tbefore = y.tanh(), ty.tanh()                     # uses of the old values
    y.masked_fill_(Tensor(m), 0.0)                            # in place, recorded
    ty.masked_fill_(torch.tensor(m), 0.0)
    assert np.array_equal(y.data, np.where(m, 0.0, a)) and y.op.name == "where"
    backward_both(y + before, ty + tbefore)
    same(x.grad, tx.grad)


def test_gather_as_torch_with_repeated_indices_accumulating():
    torch = pytest.importorskip("torch")
    a = RNG.standard_normal((3, 4))
    idx = np.array([[0, 0], [3, 1], [2, 2]])
    for dim, index in ((1, idx), (0, np.array([[0, 2, 1, 1], [2, 2, 0, 0]]))):
        x, tx = pair(a)
        out, tout = x.gather(dim, Tensor(index)), tx.gather(dim, torch.tensor(index))
        same(out, tout)
        backward_both(out, tout)
        same(x.grad, tx.grad)
    assert gradcheck(lambda x: (x.gather(1, idx) ** 2).sum(), Tensor(a, requires_grad=True))
    assert tg.gather(Tensor(a), 1, idx).shape == (3, 2)
    with pytest.raises(IndexError, match="gather: index values must be in \\[0, 4\\)"):
        Tensor(a).gather(1, np.array([[4], [0], [0]]))
    with pytest.raises(ValueError, match="as many dimensions"):
        Tensor(a).gather(1, np.array([0, 1]))
    with pytest.raises(TypeError, match="whole numbers"):
        Tensor(a).gather(1, np.array([[0.5], [0], [0]]))


def test_scatter_and_scatter_add_as_torch():
    torch = pytest.importorskip("torch")
    a = RNG.standard_normal((3, 5))
    s = RNG.standard_normal((2, 5))
    index = np.array([[0, 1, 2, 0, 0], [2, 0, 0, 1, 2]])
    for method in ("scatter", "scatter_add"):
        x, tx = pair(a)
        src, tsrc = pair(s)
        out = getattr(x, method)(0, index, src)
        tout = getattr(tx, method)(0, torch.tensor(index), tsrc)
        same(out, tout)
        backward_both(out, tout)
        same(x.grad, tx.grad)
        same(src.grad, tsrc.grad)
        assert gradcheck(lambda x, y: (getattr(x, method)(0, index, y) ** 2).sum(),
                         Tensor(a, requires_grad=True), Tensor(s, requires_grad=True))
    x, tx = pair(a)
    same(x.scatter(1, index[:, :2], 7.0), tx.scatter(1, torch.tensor(index[:, :2]), 7.0))
    x, tx = pair(a)
    src, tsrc = pair(s)
    h, th = x * 1.0, tx * 1.0
    before, tbefore = h.sigmoid(), th.sigmoid()               # a use of the old value
    h.scatter_(0, index, src)
    th.scatter_(0, torch.tensor(index), tsrc)
    backward_both(h * 2.0 + before, th * 2.0 + tbefore)
    same(x.grad, tx.grad)
    same(src.grad, tsrc.grad)
    y = torch.tensor([2, 0, 1, 2])                             # the one-hot idiom
    one_hot = tg.zeros(4, 3).scatter_(1, y.numpy()[:, None], 1.0)
    same(one_hot, torch.zeros(4, 3, dtype=torch.float64).scatter_(1, y[:, None], 1.0))
    big = RNG.standard_normal((3, 6))                          # src larger than index: its corner
    same(Tensor(a).scatter(1, index[:, :2], Tensor(big)),
         torch.tensor(a).scatter(1, torch.tensor(index[:, :2]), torch.tensor(big)))
    with pytest.raises(NotImplementedError, match="reduce='multiply'"):
        Tensor(a).scatter(0, index, s, reduce="multiply")


@pytest.mark.parametrize("p", [2, "fro", 1, 3, 0.5, -1, float("inf"), float("-inf"), 0])
def test_norm_as_torch_values_and_gradients_also_at_zero(p):
    torch = pytest.importorskip("torch")
    a = RNG.standard_normal((3, 4))
    a[1] = 0.0                                 # a row of zeros: torch's gradient there is finite
    a[2, 1] = 0.0
    a[0, 2] = -a[0, 0]                         # a tie in |x| for the infinity norms
    for dim, keepdim in ((None, False), (1, False), (1, True), ((0, 1), False), (0, True)):
        if p in (-1, float("-inf"), 0.5) and dim != 0:
            continue                           # norms that are 0 on the zero row, undefined below 1
        x, tx = pair(a)
        out = x.norm(p, dim=dim, keepdim=keepdim)
        tout = tx.norm(p=p, dim=dim, keepdim=keepdim)
        same(out, tout)
        backward_both(out, tout)
        same(x.grad, tx.grad if tx.grad is not None else torch.zeros(3, 4, dtype=torch.float64))
    if p not in (0, float("inf"), float("-inf")):
        b = np.abs(RNG.standard_normal((3, 4))) + 0.5
        assert gradcheck(lambda x: x.norm(p, dim=1).sum(), Tensor(b, requires_grad=True))


def test_norm_spellings_and_errors():
    x = tg.tensor([[3.0, 4.0], [0.0, 0.0]], requires_grad=True)
    assert tg.norm(x).item() == 5.0 and x.norm(axis=1, keepdims=True).shape == (2, 1)
    assert np.linalg.norm(x, axis=1).tolist() == [5.0, 0.0]       # numpy's norm keeps the graph
    x.norm(dim=1).sum().backward()
    np.testing.assert_allclose(x.grad, [[0.6, 0.8], [0.0, 0.0]])  # 0 where the norm is 0, not nan
    with pytest.raises(ValueError, match="norm: p must be a number.*nuc"):
        x.norm("nuc")


def test_register_hook_on_intermediates_and_leaves_replaces_and_removes_as_torch():
    torch = pytest.importorskip("torch")
    w, tw = pair([1.0, 2.0])
    seen = []
    handles = []
    for x, log in ((w, seen), (tw, [])):
        h = x * 3.0
        handles.append(h.register_hook(lambda g, log=log: log.append(np.array(g.tolist())) or g * 10))
        handles.append(x.register_hook(lambda g: g + 1.0))     # a leaf's hook, before accumulation
        (h * h).sum().backward()
    same(w.grad, tw.grad)                                     # 3 * (10 * 2h) + 1
    assert seen[0].tolist() == [6.0, 12.0]
    for hd in handles:
        hd.remove()
    for x in (w, tw):
        (x * x).sum().backward()                              # no hooks now
    same(w.grad, tw.grad)
    with pytest.raises(RuntimeError, match="does not require grad"):
        tg.ones(2).register_hook(print)
    with pytest.raises(ValueError, match="hook: returned a gradient of shape"):
        v = tg.ones(2, requires_grad=True)
        v.register_hook(lambda g: np.ones(3))
        (v * 2.0).sum().backward()


def test_in_place_methods_in_no_grad_write_the_array_and_move_the_version():
    torch = pytest.importorskip("torch")
    w, tw = pair([1.0, 2.0, 3.0])
    alias = w.data
    with no_grad(), torch.no_grad():
        for x in (w, tw):
            x.add_(1.0).mul_(2.0).sub_(np.array([1.0, 1.0, 1.0]) if x is w else torch.ones(3))
            x.div_(2.0)
            x.add_(x * 0.0 + 1.0, alpha=0.5)
    same(w, tw)
    assert w.data is alias and w._version == tw._version == 5
    with no_grad(), torch.no_grad():
        w.zero_(), tw.zero_()
        same(w, tw)
        w.fill_(2.5), tw.fill_(2.5)
        w.copy_(np.array([7.0, 8.0, 9.0])), tw.copy_(torch.tensor([7.0, 8.0, 9.0]))
        w.clamp_(8.0, 8.5)
        tw.clamp_(8.0, 8.5)
    same(w, tw)
    assert w.data is alias and w._version == 9
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w.add_(1.0)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w.relu_()


def test_in_place_methods_are_recorded_when_grad_is_involved_as_torch():
    torch = pytest.importorskip("torch")
    a = RNG.standard_normal(4)
    w, tw = pair(a)
    u, tu = pair(RNG.standard_normal(4))
    outs = []
    for x, y in ((w, u), (tw, tu)):
        h = x * 2.0
        first = h.tanh()                          # uses h's value before the updates
        h.mul_(y).add_(1.0, alpha=3.0)
        h.relu_()
        g = x * 1.0
        g.copy_(y * 3.0)                          # copy_: the gradient goes to the source
        outs.append((first, h.sigmoid() ** 2, g))
    for o, t in zip(outs[0], outs[1]):
        same(o, t)
    backward_both(outs[0][0] + outs[0][1] + outs[0][2], outs[1][0] + outs[1][1] + outs[1][2])
    same(w.grad, tw.grad)
    same(u.grad, tu.grad)


def test_an_in_place_update_of_a_value_an_op_saved_answers_where_torch_refuses():
    """sigmoid_ then pow_: torch refuses (sigmoid saved its output); here the update is recorded on a
    snapshot, so the gradient is the out-of-place one."""
    torch = pytest.importorskip("torch")
    a = RNG.standard_normal(4)
    w, tw = pair(a)
    h = w * 2.0
    h.sigmoid_().pow_(2.0)
    th = tw * 2.0
    th.sigmoid_().pow_(2.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        th.sum().backward()
    tw.grad = None
    ((tw * 2.0).sigmoid() ** 2).sum().backward()
    h.sum().backward()
    same(w.grad, tw.grad)


def test_requires_grad_and_detach_in_place():
    torch = pytest.importorskip("torch")
    x = tg.tensor([1.0, 2.0]).requires_grad_()
    tx = torch.tensor([1.0, 2.0]).requires_grad_()
    assert x.requires_grad and x.is_leaf
    h, th = x * 2.0, tx * 2.0
    assert h.detach_() is h and th.detach_() is th
    assert not h.requires_grad and h.is_leaf and not th.requires_grad and th.is_leaf
    x.requires_grad_(False)
    assert not x.requires_grad
    with pytest.raises(RuntimeError, match="only change requires_grad"):
        (tx * 1.0).requires_grad_(False)
    with pytest.raises(RuntimeError, match="only change requires_grad of leaf"):
        (tg.tensor([1.0], requires_grad=True) * 1.0).requires_grad_(False)


def test_index_assignment_is_recorded_as_torch():
    torch = pytest.importorskip("torch")
    w, tw = pair(RNG.standard_normal((3, 4)))
    v, tv = pair(RNG.standard_normal(4))
    s, ts = pair(2.0)
    outs = []
    for x, val, sc, T in ((w, v, s, Tensor), (tw, tv, ts, torch.tensor)):
        h = x * 2.0
        before = h.tanh()                         # a use of h's value before the assignments
        h[1] = val                                # a row from a tensor that requires grad
        h[0, 2] = sc                              # one entry from a 0-d tensor
        h[2, np.array([0, 0])] = T(np.array([5.0, 6.0]))   # a repeated index: the last write wins
        h[:, 3] = 0.0                             # a number, broadcast
        outs.append(h + before * 3.0)
    same(outs[0], outs[1])
    backward_both(outs[0], outs[1])
    same(w.grad, tw.grad)
    same(v.grad, tv.grad)
    same(s.grad, ts.grad)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        w[0] = 1.0
    z = tg.zeros(3)
    z[1] = v[0]                                   # a constant tensor takes a value that needs grad
    assert z.requires_grad and z.op.name == "where"


def test_max_and_min_with_a_dim_are_torchs_values_and_indices_with_the_gradient_to_the_index():
    torch = pytest.importorskip("torch")
    a = np.array([[1.0, 3.0, 3.0, -1.0], [2.0, 2.0, 1.0, 0.5], [0.0, -4.0, -4.0, 7.0]])  # ties
    for name in ("max", "min"):
        for dim, keepdim in ((1, False), (1, True), (0, False), (-1, True)):
            x, tx = pair(a)
            (v, i), (tv, ti) = getattr(x, name)(dim, keepdim), getattr(tx, name)(dim, keepdim)
            same(v, tv)
            assert i.tolist() == ti.tolist() and not i.requires_grad
            backward_both(v, tv)
            same(x.grad, tx.grad)                 # the whole gradient to the returned index
        x, tx = pair(a)
        v, i = getattr(x, name)(dim=1)            # as keywords too, and the classic [1]
        assert getattr(x, name)(1)[1].tolist() == getattr(tx, name)(1)[1].tolist() == i.tolist()
    x, tx = pair(a)
    other, tother = pair(np.full(4, 2.0))
    out, tout = x.max(other), tx.max(tother)      # a tensor argument: the elementwise maximum
    same(out, tout)
    backward_both(out, tout)
    same(x.grad, tx.grad)
    same(other.grad, tother.grad)
    x, tx = pair(a)                               # axis= keeps numpy's values, ties share (amax)
    out, tout = x.max(axis=1), torch.amax(tx, dim=1)
    same(out, tout)
    backward_both(out, tout)
    same(x.grad, tx.grad)


# -- PyTorch's further spellings: each against PyTorch, values and (where there is one) the gradient
SPELLINGS = [
    ("add alpha", lambda t, o: t.add(o, alpha=2.5)),
    ("sub alpha", lambda t, o: t.sub(o, alpha=0.5)),
    ("subtract", lambda t, o: t.subtract(o)),
    ("mul", lambda t, o: t.mul(o)),
    ("multiply", lambda t, o: t.multiply(o)),
    ("div", lambda t, o: t.div(o)),
    ("divide", lambda t, o: t.divide(o)),
    ("true_divide", lambda t, o: t.true_divide(o)),
    ("clamp_min", lambda t, o: t.clamp_min(0.1)),
    ("clamp_max", lambda t, o: t.clamp_max(-0.1)),
    ("topk values", lambda t, o: t.topk(2, dim=1).values),
    ("topk smallest", lambda t, o: t.topk(2, dim=0, largest=False)[0]),
    ("masked_select", lambda t, o: t.masked_select(o.detach() > 0)),
    ("unbind 1", lambda t, o: t.unbind(1)[2]),
    ("ravel", lambda t, o: t.ravel()),
    ("swapdims", lambda t, o: t.swapdims(0, 1)),
    ("absolute", lambda t, o: t.absolute()),
    ("contiguous", lambda t, o: t.contiguous() * 1.0),
]


@pytest.mark.parametrize("name,f", SPELLINGS, ids=[s[0] for s in SPELLINGS])
def test_pytorch_spellings_match_pytorch(name, f):
    a, b = RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4)) + 3.0
    (t, tt), (o, to) = pair(a), pair(b)
    out, tout = f(t, o), f(tt, to)
    same(out, tout)
    backward_both(out, tout)
    same(t.grad, tt.grad)
    if to.grad is not None:
        same(o.grad, to.grad)
    w = RNG.standard_normal(out.shape)
    assert gradcheck(lambda u: (f(u, Tensor(b)) * w).sum(), Tensor(a.copy(), requires_grad=True))


def test_masks_indices_and_new_tensors_match_pytorch():
    torch = pytest.importorskip("torch")
    a = np.array([[1.0, 0.0, np.nan], [np.inf, -2.0, 0.0]])
    t, tt = Tensor(a), torch.tensor(a)
    for name in ("isnan", "isinf", "isfinite", "logical_not"):
        assert getattr(t, name)().tolist() == getattr(tt, name)().tolist(), name
    assert t.logical_and(t > 0).tolist() == tt.logical_and(tt > 0).tolist()
    assert t.logical_or(t < 0).tolist() == tt.logical_or(tt < 0).tolist()
    assert t.all(dim=1).tolist() == tt.all(dim=1).tolist() and bool(t.any()) == bool(tt.any())
    assert t.nonzero().tolist() == tt.nonzero().tolist()
    assert [i.tolist() for i in t.nonzero(as_tuple=True)] == [i.tolist() for i in tt.nonzero(as_tuple=True)]
    b = np.array([[3.0, 1.0, 2.0], [0.5, 0.25, 4.0]])
    assert Tensor(b).argsort(dim=1).tolist() == torch.tensor(b).argsort(dim=1).tolist()
    assert Tensor(b).topk(2).indices.tolist() == torch.tensor(b).topk(2).indices.tolist()
    f = Tensor(b.astype(np.float32))
    assert f.new_zeros(2, 3).dtype == np.float32 and f.new_zeros((2, 3)).shape == (2, 3)
    assert f.new_ones(4).tolist() == [1.0] * 4 and f.new_full((2,), 7.0).tolist() == [7.0, 7.0]
    assert f.new_tensor([1, 2]).dtype == np.float32 and f.element_size() == 4
    assert Tensor(b).type() == "tinygrad_edu.DoubleTensor" and f.is_floating_point()
    assert Tensor(b).div(Tensor(np.full((2, 3), 2.0)), rounding_mode="floor").tolist() == \
        torch.tensor(b).div(2.0, rounding_mode="floor").tolist()
    assert Tensor(b).grad_fn is None and (Tensor(b, requires_grad=True) * 2).grad_fn is not None


def test_pytorch_spellings_refuse_bad_arguments():
    t = Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match="topk: k must be"):
        t.topk(4)
    with pytest.raises(ValueError, match="div: rounding_mode"):
        t.div(2.0, rounding_mode="trunc")
    with pytest.raises(ValueError, match="size must be non-negative ints"):
        t.new_zeros(2, -1)
    with pytest.raises(AttributeError, match="softmax.*functional.softmax"):
        t.softmax
