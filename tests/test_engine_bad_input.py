"""Bad input to the engine (Tensor, its methods and operators, backward): a table of rows, each a
call, the exception it must raise and a fragment of the message, which names the function, says what
was given and what to do. No raw numpy traceback, no silent result."""
import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor, no_grad

A = np.arange(12.0).reshape(3, 4)


def t(data=A, rg=False):
    return Tensor(np.array(data, dtype=float), requires_grad=rg)


def readonly(shape=(3,)):
    a = np.ones(shape)
    a.flags.writeable = False
    return a


def used_twice():
    w = t([1.0, 2.0], rg=True)
    loss = (w * w).sum()
    loss.backward()
    loss.backward()


def iadd(x, y):
    x += y


def imul(x, y):
    x *= y


def set_grad(x, g):
    x.grad = g


def numpy_in_place(rg=True):
    a = np.zeros(3)
    a += Tensor(np.ones(3), requires_grad=rg)


def step_then_backward():
    w = t([1.0], rg=True)
    loss = (w * w).sum()
    with no_grad():
        w -= 1.0
    loss.backward()


ROWS = [
    # -- Tensor(...)
    ("Tensor(str)", lambda: Tensor("abc"), TypeError, "Tensor: data must be numeric"),
    ("Tensor(None)", lambda: Tensor(None), TypeError, "Tensor: data must be numeric"),
    ("Tensor(dict)", lambda: Tensor({"a": 1}), TypeError, "Tensor: data must be numeric"),
    ("Tensor(ragged)", lambda: Tensor([[1, 2], [3]]), ValueError, "rectangular"),
    ("Tensor(complex)", lambda: Tensor(np.array([1 + 2j])), TypeError, "dtype complex128"),
    ("Tensor(strings array)", lambda: Tensor(np.array(["a"])), TypeError, "numeric"),
    ("Tensor(dates)", lambda: Tensor(np.array(["2020-01-01"], dtype="datetime64[D]")), TypeError, "numeric"),
    ("Tensor(requires_grad='yes')", lambda: Tensor(1.0, requires_grad="yes"), TypeError,
     "requires_grad must be True or False"),
    ("Tensor(name=3)", lambda: Tensor(1.0, name=3), TypeError, "name a string or None"),
    ("Tensor(bool, requires_grad)", lambda: Tensor([True], requires_grad=True), TypeError, "a mask"),
    # -- operators
    ("t + str", lambda: t() + "a", TypeError, "add: the other operand"),
    ("t * None", lambda: t() * None, TypeError, "mul: the other operand"),
    ("str - t", lambda: "a" - t(), TypeError, "sub: the other operand"),
    ("t / dict", lambda: t() / {}, TypeError, "div: the other operand"),
    ("t + mismatched", lambda: t() + np.ones(3), ValueError, r"add: shapes \(3, 4\) and \(3,\)"),
    ("t / mismatched", lambda: t() / t(np.ones((2, 4))), ValueError, r"div: shapes \(3, 4\) and \(2, 4\)"),
    ("t * empty", lambda: t() * np.ones(0), ValueError, r"mul: shapes \(3, 4\) and \(0,\)"),
    ("t @ str", lambda: t() @ "a", TypeError, "matmul: the other operand"),
    ("t @ misaligned", lambda: t() @ np.ones((3, 2)), ValueError, "matmul: shapes .* do not align"),
    ("t @ scalar", lambda: t() @ 2.0, ValueError, "matmul: both operands need at least one dimension"),
    ("t ** list", lambda: t() ** [2.0], TypeError, "pow: the exponent must be a number, a Tensor or an array"),
    ("t ** str", lambda: t() ** "2", TypeError, "pow: the exponent"),
    ("t ** complex", lambda: t() ** 1j, TypeError, "pow: the exponent"),
    ("str ** t", lambda: "2" ** t(), TypeError, "pow: the base must be a number"),
    ("t < str", lambda: t() < "a", TypeError, "less: the other operand"),
    ("t == mismatched", lambda: t() == np.ones(5), ValueError, r"equal: shapes \(3, 4\) and \(5,\)"),
    # -- in place
    ("leaf += ", lambda: iadd(t(rg=True), 1.0), RuntimeError, "leaf Variable that requires grad"),
    ("+= wrong shape", lambda: iadd(t(), np.ones((2, 3, 4))), ValueError, r"in-place \+=.*cannot be written"),
    ("+= str", lambda: iadd(t(), "a"), TypeError, r"in-place \+=: the other operand"),
    ("mask *= float", lambda: imul(Tensor([True]), 2.5), TypeError, r"in-place \*=.*bool"),
    ("+= read-only", lambda: iadd(Tensor(readonly()), 1.0), TypeError, "read-only"),
    # -- reductions
    ("sum(axis=str)", lambda: t().sum(axis="0"), TypeError, "sum: axis must be None, an int or a tuple"),
    ("sum(axis=float)", lambda: t().sum(axis=1.0), TypeError, "sum: axis must be"),
    ("sum(axis=5)", lambda: t().sum(axis=5), ValueError, "sum: axis 5 is out of range"),
    ("max(axis repeated)", lambda: t().max(axis=(1, 1)), ValueError, "max: axis .* repeats"),
    ("max of empty", lambda: Tensor(np.ones(0)).max(), ValueError, "max: cannot reduce an empty tensor"),
    ("mean of empty", lambda: Tensor(np.ones(0)).mean(), ValueError, "mean: .* holds no entries"),
    ("mean over empty axis", lambda: Tensor(np.ones((0, 3))).mean(axis=0), ValueError, "mean: axis 0"),
    ("mean(axis=-3)", lambda: t().mean(axis=-3), ValueError, "mean: axis -3 is out of range"),
    # -- shape
    ("reshape wrong count", lambda: t().reshape(5, 2), ValueError, r"reshape: cannot reshape .* \(3, 4\)"),
    ("reshape(str)", lambda: t().reshape("a"), ValueError, "reshape: cannot reshape"),
    ("reshape two -1", lambda: t().reshape(-1, -1), ValueError, "reshape: cannot reshape"),
    ("transpose out of range", lambda: t().transpose(0, 5), ValueError, "transpose: axis 5 is out of range"),
    ("transpose not a permutation", lambda: Tensor(np.ones((2, 3, 4))).transpose(0, 1, 1), ValueError,
     "transpose: axes .* are not a permutation"),
    ("transpose(str)", lambda: t().transpose("a"), ValueError, "transpose: axes"),
    ("transpose of 0-d", lambda: Tensor(1.0).transpose(0, 1), ValueError, "transpose: axis 1 is out of range"),
    # as PyTorch, a 0-d tensor's axis is 0 or -1 (the tensor itself): any other says so (one
    # normaliser, inputs.axes_of), and roll refuses even 0 (as PyTorch)
    ("prod(1) of 0-d", lambda: Tensor(2.0).prod(1), ValueError, "prod: axis 1 .*0-d tensor has no axis"),
    ("var(2) of 0-d", lambda: Tensor(2.0).var(2), ValueError, "var: axis 2 .*0-d tensor has no axis"),
    ("sort(1) of 0-d", lambda: Tensor(2.0).sort(1), ValueError, "sort: axis 1 .*0-d tensor has no axis"),
    ("roll(1, 0) of 0-d", lambda: Tensor(2.0).roll(1, 0), ValueError, "roll: .*0-d tensor"),
    ("cumsum(-2) of 0-d", lambda: Tensor(2.0).cumsum(-2), ValueError, "cumsum: axis -2 .*0-d tensor"),
    ("flip(1) of 0-d", lambda: Tensor(2.0).flip(1), ValueError, "flip: axis 1 .*0-d tensor"),
    ("index float", lambda: t()[1.5], IndexError, "index: cannot index with float"),
    ("index str", lambda: t()["a"], IndexError, "index: cannot index with str"),
    ("index out of range", lambda: t()[10], IndexError, r"index: .*tensor of shape \(3, 4\)"),
    ("index fractional array", lambda: t()[[0.5]], IndexError, "index arrays must hold integers"),
    ("index string array", lambda: t()[np.array(["a"])], IndexError, "integers or bools"),
    ("mask of wrong length", lambda: t()[np.array([True, False])], IndexError, r"index: .*\(3, 4\)"),
    # -- conversions
    ("item of many", lambda: t().item(), ValueError, "item: only a tensor with one element"),
    ("float of many", lambda: float(t()), ValueError, "item: only a tensor with one element"),
    ("bool of many", lambda: bool(t()), RuntimeError, "more than one value is ambiguous"),
    ("bool of empty", lambda: bool(Tensor(np.ones(0))), RuntimeError, "no values is ambiguous"),
    ("len of 0-d", lambda: len(Tensor(1.0)), TypeError, "len: a 0-d tensor has no length"),
    # -- .grad
    ("grad wrong shape", lambda: set_grad(t(rg=True), np.ones((4, 3))), ValueError, r"grad: .*shape \(4, 3\)"),
    ("grad wrong dtype", lambda: set_grad(t(rg=True), np.ones((3, 4), np.float32)), ValueError, "float32"),
    ("grad list", lambda: set_grad(t(rg=True), [[0.0] * 4] * 3), ValueError, "got list"),
    # -- backward
    ("backward without graph", lambda: t().sum().backward(), RuntimeError, "backward: this tensor does not require grad"),
    ("backward non-scalar", lambda: (t(rg=True) * 2.0).backward(), RuntimeError,
     r"backward: grad can be implicitly created only for a scalar output.*\(3, 4\)"),
    ("backward grad wrong shape", lambda: (t(rg=True) * 2.0).backward(np.ones(4)), ValueError,
     r"backward: grad has shape \(4,\) but the tensor has shape \(3, 4\)"),
    ("backward grad empty", lambda: (t(rg=True) * 2.0).backward(np.ones(0)), ValueError, "backward: grad has shape"),
    ("backward grad str", lambda: (t(rg=True) * 2.0).backward("a"), TypeError, r"backward\(grad=...\)"),
    ("backward grad bool", lambda: (t(rg=True) * 2.0).backward(np.ones((3, 4), bool)), TypeError,
     "backward: grad must hold floats"),
    ("backward grad nan", lambda: (t(rg=True) * 2.0).backward(np.full((3, 4), np.nan)), ValueError,
     "backward: grad holds nan or inf"),
    ("backward grad inf", lambda: t(rg=True).sum().backward(np.inf), ValueError, "nan or inf"),
    ("backward twice", used_twice, RuntimeError, "backward through the graph a second time"),
    ("backward after in-place", step_then_backward, RuntimeError, "modified by an inplace operation: mul"),
    # -- data and dtypes
    ("Tensor(masked array)", lambda: Tensor(np.ma.array([1.0, 2.0], mask=[0, 1])), TypeError,
     "Tensor: got a masked array.*filled"),
    ("Tensor(float16)", lambda: Tensor(np.ones(2, np.float16)), TypeError, "Tensor: float16 data is not supported"),
    ("zeros(dtype=complex)", lambda: tg.zeros(2, dtype=np.complex128), TypeError, "zeros: a Tensor holds float32"),
    ("tensor(dtype=long, requires_grad)", lambda: tg.tensor([1], dtype=tg.long, requires_grad=True),
     TypeError, "tensor: only float32/float64 tensors can require grad"),
    ("astype(str)", lambda: t().astype("U3"), TypeError, "astype: a Tensor holds"),
    ("randint(5)", lambda: tg.randint(5), TypeError, "randint: give \\(high, size\\)"),
    ("manual_seed(1.5)", lambda: tg.manual_seed(1.5), ValueError, "manual_seed: seed must be a whole"),
    ("to('cuda')", lambda: t().to("cuda"), RuntimeError, "to: tinygrad_edu computes on the CPU"),
    ("format(matrix, '.2f')", lambda: format(t(), ".2f"), TypeError, "format: a spec"),
    ("a PyTorch name not here", lambda: t().index_put, AttributeError, "index_put.*write x\\[index\\] = values"),
    # -- numpy given a Tensor
    ("np.asarray(requires grad)", lambda: np.asarray(t(rg=True)), TypeError, "requires grad.*detach"),
    ("np.cbrt(requires grad)", lambda: np.cbrt(t(rg=True)), TypeError, "np.cbrt: this tensor requires grad"),
    ("ndarray += requires grad", numpy_in_place, TypeError, "np.add: this tensor requires grad.*x = x \\+ t"),
    ("np.sum(out=)", lambda: np.sum(t(rg=True), out=np.zeros(())), TypeError, "np.sum: out=.*not supported"),
    ("np.add(out=tensor)", lambda: np.add(A, A, out=t()), TypeError, "np.add\\(..., out=t\\).*copy_"),
    # -- shapes, numpy's and PyTorch's spellings
    ("pad(torch's flat pairs)", lambda: t().pad((1, 1, 2, 2)), ValueError, "pad: pad_width .*nn.functional.pad"),
    ("pad(negative)", lambda: t().pad(((1, -1), (0, 0))), ValueError, "pad: widths must be >= 0.*crop"),
    ("split(axis=) unequal", lambda: t().split(2, axis=0), ValueError, "split: axis 0 of size 3 does not split"),
    ("split sizes", lambda: t().split([1, 1]), ValueError, "split: sizes \\[1, 1\\] do not add up"),
    ("repeat too few", lambda: t().repeat(2), ValueError, "repeat: PyTorch's repeat needs at least one"),
    ("tile both", lambda: t().tile(2, reps=2), TypeError, "tile: give the counts"),
    ("diagonal same axes", lambda: t().diagonal(0, 1, 1), ValueError, "diagonal: needs two different axes"),
    ("gather out of range", lambda: t().gather(1, np.array([[4], [0], [0]])), IndexError,
     "gather: index values must be in \\[0, 4\\)"),
    ("gather float index", lambda: t().gather(1, np.array([[0.5], [0], [0]])), TypeError, "gather: index must hold whole"),
    ("scatter src too small", lambda: t().scatter(1, np.array([[0, 1]] * 3), np.ones((3, 1))), ValueError,
     "scatter: src of shape \\(3, 1\\)"),
    ("scatter reduce", lambda: t().scatter(1, np.array([[0]] * 3), 1.0, reduce="multiply"), NotImplementedError,
     "scatter: reduce='multiply'"),
    ("masked_fill(float mask)", lambda: t().masked_fill(A, 0.0), TypeError, "masked_fill: mask must be bool"),
    ("masked_fill(mask shape)", lambda: t().masked_fill(np.ones(3, bool), 0.0), ValueError, "does not broadcast"),
    ("norm('nuc')", lambda: t().norm("nuc"), ValueError, "norm: p must be a number"),
]


@pytest.mark.parametrize("call, exc, fragment", [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_bad_input_raises_a_clear_error(call, exc, fragment):
    with pytest.raises(exc, match=fragment) as info:
        call()
    tb = info.traceback[-1]
    assert "numpy" not in str(tb.path), f"raised from inside numpy: {tb.path}"


def test_table_size():
    assert len(ROWS) >= 70


def test_read_only_arrays_are_accepted_where_nothing_is_written():
    x = Tensor(readonly((2,)), requires_grad=True)
    y = x * 2.0
    y.backward(grad=readonly((2,)))
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])
    x.grad[0] = 5.0            # a leaf's .grad is its own, writable array


def test_variance_without_degrees_of_freedom_warns_and_gives_nan_as_pytorch():
    with pytest.warns(RuntimeWarning, match="var: 1 entries per variance with correction=1"):
        v = Tensor(np.array([2.0])).var()
    assert np.isnan(v.item())
    assert Tensor(np.array([2.0])).var(correction=0).item() == 0.0
