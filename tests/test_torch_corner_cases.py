"""The corner cases where differential probing against PyTorch found a silent wrong answer or a
refusal where PyTorch answers: each gives PyTorch's value and gradient, or, where PyTorch refuses,
an error that names the function, what was given and what to do."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.functional as tgF
import tinygrad_edu.nn as nn
import tinygrad_edu.nn.functional as F
from tinygrad_edu import Function, Tensor, no_grad
from tinygrad_edu.gradcheck import gradcheck
from tinygrad_edu.nn import TwoLayerNet
from tinygrad_edu.optim import SGD

RNG = np.random.default_rng(20)


def pair(a, requires_grad=True, dtype=np.float64):
    torch = pytest.importorskip("torch")
    a = np.array(a, dtype=dtype)
    return Tensor(a.copy(), requires_grad=requires_grad), torch.tensor(a.copy(), requires_grad=requires_grad)


def same(ours, theirs, rtol=1e-12):
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    ours = ours.data if isinstance(ours, Tensor) else np.asarray(ours)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype, (ours, theirs)
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=1e-14)


def test_permute_is_a_full_permutation_so_0_1_is_the_identity():
    torch = pytest.importorskip("torch")
    a = RNG.standard_normal((3, 4))
    for dims in ((0, 1), (1, 0)):
        x, tx = pair(a)
        same(x.permute(*dims), tx.permute(*dims))
        (x.permute(*dims) * np.arange(12.0).reshape(x.permute(*dims).shape)).sum().backward()
        (tx.permute(*dims) * torch.arange(12.0, dtype=torch.float64).reshape(tx.permute(*dims).shape)).sum().backward()
        same(x.grad, tx.grad)
    b = RNG.standard_normal((2, 3, 4))
    for dims in ((0, 1, 2), (2, 0, 1), (1, 2, 0)):
        same(Tensor(b).permute(dims), torch.tensor(b).permute(dims))
    with pytest.raises(ValueError, match="transpose: axes \\(0, 0\\) are not a permutation"):
        Tensor(a).permute(0, 0)


def test_pow_at_zero_as_torch():
    torch = pytest.importorskip("torch")
    x, tx = pair([0.0, 0.5])
    (x.reshape(2, 1) ** np.arange(3.0)).sum().backward()
    (tx.reshape(2, 1) ** torch.arange(3.0, dtype=torch.float64)).sum().backward()
    assert x.grad.tolist() == tx.grad.tolist() == [1.0, 2.0]
    base, tbase = pair([0.0, 0.0, 2.0, -2.0])
    e, te = pair([0.0, 2.0, 0.5, 3.0])
    with np.errstate(invalid="ignore"):         # (-2) ** 0.5 and log(-2): nan, as torch
        out, tout = base ** e, tbase ** te
        same(out, tout)
        (out * np.array([1.0, 2.0, 3.0, 4.0])).sum().backward()
    (tout * torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64)).sum().backward()
    same(base.grad, tbase.grad)
    same(e.grad, te.grad)                       # nan where the base is negative, as torch


@pytest.mark.parametrize("c", [0.0, -2.0, 2.0])
def test_a_number_to_the_power_of_a_tensor_of_whole_numbers(c):
    torch = pytest.importorskip("torch")
    x, tx = pair([0.0, 1.0, 2.0, 3.0])
    same(c ** x, c ** tx)
    with np.errstate(invalid="ignore"):         # log(-2): nan, as torch
        (c ** x).sum().backward()
    (c ** tx).sum().backward()
    same(x.grad, tx.grad)                       # 0 where c = 0; nan for c < 0 (no real log)


def test_requires_grad_flags_refused_as_torch():
    torch = pytest.importorskip("torch")
    h, th = Tensor(np.ones(2), requires_grad=True) * 2.0, torch.ones(2, requires_grad=True) * 2.0
    with pytest.raises(RuntimeError):
        th.requires_grad = False
    with pytest.raises(RuntimeError, match="requires_grad: you can only change requires_grad of "
                                           "leaf tensors.*mul.*detach"):
        h.requires_grad = False
    h.requires_grad = True                      # already so: accepted, as torch
    with pytest.raises(RuntimeError):
        torch.tensor([True]).requires_grad = True
    with pytest.raises(TypeError, match="only float32/float64 tensors can require grad.*bool"):
        Tensor(np.array([True])).requires_grad = True


def test_float16_is_refused_never_widened_and_a_float16_array_operand_promotes_as_torch():
    torch = pytest.importorskip("torch")
    for make in (lambda: Tensor(np.ones(2, np.float16)), lambda: tg.tensor(np.ones(2, np.float16)),
                 lambda: tg.zeros(2, dtype=np.float16)):
        with pytest.raises(TypeError, match="float16"):
            make()
    x = tg.ones(3, dtype=tg.float32, requires_grad=True)
    y = x + np.full(3, 0.5, np.float16)
    ty = torch.ones(3) + torch.full((3,), 0.5, dtype=torch.float16)
    assert y.dtype == np.float32 and ty.dtype == torch.float32
    same(y, ty)
    assert (tg.ones(2) * np.ones(2, np.float16)).dtype == np.float64


def test_reductions_and_softmax_along_dim_0_or_minus_1_of_a_0d_tensor():
    torch = pytest.importorskip("torch")
    for dim in (0, -1):
        cases = [(lambda t: t.sum(dim), lambda t: t.sum(dim)),
                 (lambda t: t.mean(dim=dim), lambda t: t.mean(dim)),
                 (lambda t: t.max(dim).values, lambda t: t.max(dim).values),
                 (lambda t: t.min(dim)[0], lambda t: t.min(dim)[0]),
                 (lambda t: t.amax(dim), lambda t: t.amax(dim)),
                 (lambda t: t.prod(dim), lambda t: t.prod(dim)),
                 (lambda t: t.norm(dim=dim), lambda t: t.norm(dim=dim)),
                 (lambda t: F.softmax(t, dim), lambda t: torch.softmax(t, dim)),
                 (lambda t: F.log_softmax(t, dim), lambda t: torch.log_softmax(t, dim)),
                 (lambda t: tgF.logsumexp(t, dim), lambda t: torch.logsumexp(t, dim))]
        for ours, theirs in cases:
            x, tx = pair(1.5)
            same(ours(x), theirs(tx))
            ours(x).backward()
            theirs(tx).backward()
            same(x.grad, tx.grad)
        assert Tensor(np.array(2.0)).max(dim)[1].item() == 0
    with pytest.raises(ValueError, match="sum: axis 1 is out of range for a tensor of 0 dimensions"):
        Tensor(np.array(2.0)).sum(1)


def test_a_tuple_inside_an_index():
    torch = pytest.importorskip("torch")
    a = RNG.standard_normal((3, 4))
    for index in (((0,), slice(None)), ((0, 2), slice(1, 3)), (slice(None), (1,))):
        x, tx = pair(a)
        same(x[index], tx[index])
        (x[index] * 2.0).sum().backward()
        (tx[index] * 2.0).sum().backward()
        same(x.grad, tx.grad)


class Scale(Function):
    """y = x * c (c saved as well)"""

    @staticmethod
    def forward(ctx, x, c):
        ctx.save_for_backward(x, c)
        return x * c

    @staticmethod
    def backward(ctx, dy):
        x, c = ctx.saved_tensors
        return dy * c, dy * x


class Square(Function):
    """y = x**2, its backward reading the saved output: dy * 2 * sqrt(y)"""

    @staticmethod
    def forward(ctx, x):
        y = x * x
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, dy):
        (y,) = ctx.saved_tensors
        return dy * 2 * np.sqrt(y)


def test_a_learners_function_has_its_saved_tensors_and_output_version_checked():
    w = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    c = Tensor(np.array([3.0, 4.0]), requires_grad=True)
    y = Scale.apply(w, c)
    with no_grad():
        c.add_(1.0)                              # a saved input changed in place
    with pytest.raises(RuntimeError, match="modified by an inplace operation: Scale .*input 1"):
        y.sum().backward()
    y = Scale.apply(w, c)
    w.grad = np.ones(2)
    SGD([w], lr=0.1).step()                      # an optimizer step changes w in place
    with pytest.raises(RuntimeError, match="Scale .*input 0.*version 0, and it is now at version 1"):
        y.sum().backward()
    h = Tensor(np.array([1.0, -2.0]), requires_grad=True) * 1.0
    out = Square.apply(h)
    with no_grad():
        out.mul_(2.0)                            # the saved output changed in place
    with pytest.raises(RuntimeError, match="Square .*its output"):
        out.sum().backward()
    fresh = Square.apply(Tensor(np.array([1.0, -2.0]), requires_grad=True) * 1.0)
    fresh.sum().backward()                       # nothing changed: no error


def test_grad_of_an_intermediate_leaves_the_graph_below_it_usable():
    torch = pytest.importorskip("torch")
    w, tw = pair([1.0, -2.0, 0.5])
    h, th = (w * 3.0).tanh(), (tw * 3.0).tanh()
    loss, tloss = (h * h).sum(), (th * th).sum()
    (g,), (tg_,) = tg.grad(loss, [h]), torch.autograd.grad(tloss, [th])
    same(g, tg_)
    h.sum().backward()                           # the graph below h was not walked by grad
    th.sum().backward()
    same(w.grad, tw.grad)


def test_batchnorm1d_refuses_a_batch_of_one_in_training_and_momentum_none_averages_as_torch():
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match="BatchNorm1d: expected more than 1 value per channel"):
        nn.BatchNorm1d(3)(tg.ones(1, 3))
    with pytest.raises(ValueError):
        torch.nn.BatchNorm1d(3)(torch.ones(1, 3))
    bn = nn.BatchNorm1d(3, momentum=None)
    bn.eval()
    assert bn(tg.ones(1, 3)).shape == (1, 3)     # evaluation: the running statistics, any batch
    bn.train()
    tbn = torch.nn.BatchNorm1d(3, momentum=None).double()
    for _ in range(3):
        a = RNG.standard_normal((5, 3))
        same(bn(Tensor(a)), tbn(torch.tensor(a)), rtol=1e-10)
    same(Tensor(bn.running_mean), tbn.running_mean, rtol=1e-12)
    same(Tensor(bn.running_var), tbn.running_var, rtol=1e-12)
    assert int(bn.num_batches_tracked) == int(tbn.num_batches_tracked) == 3


def test_float32_is_kept_through_avg_pool2d_and_batchnorm():
    torch = pytest.importorskip("torch")
    a = RNG.standard_normal((2, 3, 5, 5)).astype(np.float32)
    ours = F.avg_pool2d(Tensor(a), 2, padding=1, count_include_pad=False)
    theirs = torch.nn.functional.avg_pool2d(torch.tensor(a), 2, padding=1, count_include_pad=False)
    same(ours, theirs, rtol=1e-6)
    b = RNG.standard_normal((6, 3)).astype(np.float32)
    for make in (lambda: nn.BatchNorm1d(3).float(), lambda: nn.BatchNorm1d(3, affine=False)):
        bn = make()
        assert bn(Tensor(b)).dtype == np.float32
        bn.eval()
        assert bn(Tensor(b)).dtype == np.float32
    assert F.batch_norm(Tensor(b), np.zeros(3), np.ones(3), np.ones(3), np.zeros(3)).dtype == np.float32


def test_a_reduction_of_an_empty_tensor_along_its_non_empty_axis():
    torch = pytest.importorskip("torch")
    x, tx = pair(np.zeros((0, 3)))
    for ours, theirs in ((x.max(axis=1), tx.amax(dim=1)), (x.min(axis=1), tx.amin(dim=1)),
                         (x.sum(axis=0), tx.sum(dim=0)), (x.sum(axis=1), tx.sum(dim=1)),
                         (x.mean(axis=1), tx.mean(dim=1)), (x.max(1)[0], tx.max(1)[0]),
                         (x.norm(dim=1), tx.norm(dim=1))):
        same(ours, theirs)
    with pytest.raises(ValueError, match="max: cannot reduce an empty tensor of shape \\(0, 3\\)"):
        x.max(axis=0)
    with pytest.raises(ValueError, match="max: dim 0 of a tensor of shape \\(0, 3\\) is empty"):
        x.max(0)


def test_the_gradient_of_sign_is_zeros_recorded():
    torch = pytest.importorskip("torch")
    x, tx = pair([1.5, -2.0, 0.0])
    s, ts = x.sign(), tx.sign()
    assert s.requires_grad and ts.requires_grad
    same(s, ts)
    s.sum().backward()
    ts.sum().backward()
    same(x.grad, tx.grad)
    x.grad, tx.grad = None, None
    (x.sign() * x).sum().backward()
    (tx.sign() * tx).sum().backward()
    same(x.grad, tx.grad)


def test_a_torch_tensor_that_requires_grad_as_data_gives_its_values_as_torch_tensor_does():
    torch = pytest.importorskip("torch")
    t = torch.tensor([1.0, 2.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.tensor(t)
    for ours in (tg.tensor(t), Tensor(t)):
        assert ours.tolist() == theirs.tolist() and not ours.requires_grad and ours.dtype == np.float32
    assert tg.tensor(t, requires_grad=True).requires_grad


def test_numpy_matrix_and_masked_array_data():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)    # numpy's own, for matrix
        m = np.matrix([[1.0, 2.0], [3.0, 4.0]])
    t = Tensor(m, requires_grad=True)
    assert type(t.data) is np.ndarray
    assert (t * t).data.tolist() == [[1.0, 4.0], [9.0, 16.0]]          # elementwise, never @
    assert type((tg.ones((2, 2)) * m).data) is np.ndarray
    assert (tg.ones((2, 2)) * m).data.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    masked = np.ma.array([1.0, 2.0], mask=[0, 1])
    for make in (lambda: Tensor(masked), lambda: tg.ones(2) * masked):
        with pytest.raises(TypeError, match="masked array.*filled"):
            make()


def test_numpy_functions_of_a_tensor_keep_the_graph_where_torch_raises():
    w = Tensor(np.array([0.5, -1.0]), requires_grad=True)
    s = np.sum(np.exp(w))
    assert isinstance(s, Tensor) and s.requires_grad
    s.backward()
    np.testing.assert_allclose(w.grad, np.exp(w.data), rtol=1e-15)
    assert np.exp(Tensor(np.array([0.0]))).tolist() == [1.0]
    with pytest.raises(TypeError, match="requires grad.*np.asarray.*detach"):
        np.asarray(w)


def test_two_layer_net_labels_and_params():
    net = TwoLayerNet(4, 5, 3, seed=0)
    X, y = RNG.standard_normal((6, 4)), np.array([0, 1, 2, 0, 1, 2])
    assert net.loss(X, y.astype(float))[0] == net.loss(X, y)[0]       # whole-number floats are labels
    with pytest.raises(ValueError, match="TwoLayerNet.loss:.*whole numbers"):
        net.loss(X, y + 0.5)
    net.params["W1"] = np.ones((4, 5), dtype=int)
    with pytest.raises(TypeError, match="TwoLayerNet.train: params\\['W1'\\] holds int64.*astype"):
        net.train(X, y, X, y, num_iters=1, batch_size=3)
