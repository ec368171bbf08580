"""The Tensor methods beyond the lesson: conveniences, PyTorch's and numpy's further operations.

``Tensor`` (``tensor.py``) holds the lesson: the operators, relu/exp/log, sum, max, reshape,
transpose and indexing. It inherits everything here from ``TensorMethods``: conveniences (``item``,
``repr``, ``.grad``, ``size()``), comparisons, in-place updates (``versions.py`` keeps them right),
and the further operations. Each of those runs one primitive from ``ops/`` (abs, sin, clamp, prod,
cumsum, concatenate, pad, einsum, ...) or is a composite of other Tensor operations (var, std,
square, flatten, squeeze, tile, flip, roll, trace, tril, ...), whose gradient then comes from the
primitives it is made of.

Both spellings: the reductions and shape methods take numpy's ``axis=`` / ``keepdims=`` and
PyTorch's ``dim=`` / ``keepdim=``. Where the two libraries read a positional argument differently,
PyTorch's reading wins (code ported from PyTorch keeps its meaning) and numpy's keyword says numpy is
meant: ``x.max(1)`` is PyTorch's ``(values, indices)``, ``x.max(axis=1)`` numpy's values;
``x.repeat(2, 3)`` tiles as PyTorch, ``x.repeat(2, axis=0)`` repeats entries as numpy.

Functions of several tensors (``where``, ``concatenate``, ``stack``, ``einsum``) live here too, as
plain functions; ``creation.py`` exports them at module level in PyTorch's spelling.
"""
from __future__ import annotations

import functools
import math
import numbers
import warnings
from collections import namedtuple

import numpy as np

from . import autograd, hooks, ops, versions
from .grads import Grad, as_grad
from .inputs import _one_axis, _preview, axes_of

ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])
ValuesIndices.__doc__ = "``(values, indices)``, as PyTorch's max(dim), min(dim) and sort."


def _rename(fn, kwargs: dict) -> dict:
    """Translate PyTorch's ``dim`` (or ``dims``) / ``keepdim`` into numpy's ``axis`` / ``keepdims``."""
    if "dim" not in kwargs and "keepdim" not in kwargs and "dims" not in kwargs:
        return kwargs                       # numpy's spelling already (the common case)
    for torch_name, np_name in (("dim", "axis"), ("dims", "axis"), ("keepdim", "keepdims")):
        if torch_name in kwargs:
            if np_name in kwargs:
                raise TypeError(f"{fn.__name__}: give {np_name}= or {torch_name}=, not both")
            kwargs[np_name] = kwargs.pop(torch_name)
    return kwargs


def both_spellings(fn):
    """Let a method with ``axis`` / ``keepdims`` parameters take ``dim`` / ``keepdim`` too."""
    @functools.wraps(fn)
    def method(self, *args, **kwargs):
        return fn(self, *args, **(_rename(fn, kwargs) if kwargs else kwargs))
    return method


class Size(int):
    """``t.size``: numpy's count of entries, an int; called, PyTorch's ``size()`` (the shape) or
    ``size(dim)`` (the length of one axis)."""

    def __new__(cls, n, shape):
        out = super().__new__(cls, n)
        out.shape = shape
        return out

    def __call__(self, dim=None):
        if dim is None:
            return tuple(self.shape)
        return self.shape[_one_axis(dim, len(self.shape), "size")]


def _write(t, write, sym: str) -> None:
    """An unrecorded in-place update of ``t``'s own array (``write(array)``); its version moves."""
    a = t.data
    if not a.flags.writeable:
        raise TypeError(f"in-place {sym}: this tensor's array is read-only (a shared constant, a "
                        f"broadcast view, or an array you made read-only); write x = x "
                        f"{sym.rstrip('=_')} y for a new tensor")
    try:
        write(a)
    except ValueError as e:   # a result that does not fit the array's shape
        raise ValueError(f"in-place {sym}: the result cannot be written into the tensor of shape "
                         f"{a.shape} ({e}); write x = x {sym.rstrip('=_')} y for a new tensor") from None
    except TypeError as e:   # a bool mask, or a float into an int array
        raise TypeError(f"in-place {sym}: cannot write the result into this tensor's {a.dtype} array "
                        f"in place ({e}); write x = x {sym.rstrip('=_')} y for a new tensor") from None
    versions.bump(t)


# ---------------------------------------------------------------------------------- functions


def _no_grad_result(t, data):
    """A result without gradient (argmax, floor, sign, ...): a fresh constant of ``t``'s class, in
    ``t``'s dtype for float results (indices become float64, as every integer array does)."""
    data = np.asarray(data)
    return type(t)(data.astype(t.dtype) if data.dtype.kind == "f" else data)


def where(cond, a, b):
    """``a`` where ``cond`` is true, else ``b``; ``a`` and ``b`` Tensors (at least one) or constants;
    ``cond`` a bool (or 0/1) array or Tensor. All three broadcast. Gradient: dy to ``a`` where cond,
    to ``b`` elsewhere."""
    t = a if isinstance(a, TensorMethods) else b
    a, b = t._const(a), t._const(b)
    c = np.asarray(cond.data if isinstance(cond, TensorMethods) else cond)
    c = c if c.dtype == bool else c != 0
    try:
        out_shape = np.broadcast_shapes(c.shape, a.shape, b.shape)
    except ValueError:
        raise ValueError(f"where: shapes {c.shape} (cond), {a.shape} and {b.shape} cannot be "
                         f"broadcast together") from None
    return autograd.record(ops.Where(cond=np.broadcast_to(c, out_shape)), a, b)


def concatenate(tensors, axis: int = 0):
    """Join Tensors along an existing ``axis`` (``torch.cat``); shapes equal except along it."""
    ts = list(tensors)
    if not ts:
        raise ValueError("concatenate: needs at least one tensor, got an empty sequence")
    ax = _one_axis(axis, ts[0].ndim, "concatenate")
    shapes = [t.shape for t in ts]
    if any(len(s) != len(shapes[0]) or s[:ax] + s[ax + 1:] != shapes[0][:ax] + shapes[0][ax + 1:]
           for s in shapes):
        raise ValueError(f"concatenate: shapes {shapes} must be equal except along axis {ax}")
    dtype = np.result_type(*[t.dtype for t in ts])
    ts = [t if t.dtype == dtype else t.astype(dtype) for t in ts]
    return autograd.record(ops.Concat(axis=ax), *ts)


def stack(tensors, axis: int = 0):
    """Join equally shaped Tensors along a new ``axis``: each gets a size-1 axis, then concatenate."""
    ts = list(tensors)
    if not ts:
        raise ValueError("stack: needs at least one tensor, got an empty sequence")
    if any(t.shape != ts[0].shape for t in ts):
        raise ValueError(f"stack: all tensors must have the same shape, got {[t.shape for t in ts]}")
    ax = _one_axis(axis, ts[0].ndim + 1, "stack")
    return concatenate([t.unsqueeze(ax) for t in ts], ax)


def einsum(subscripts: str, *tensors):
    """``np.einsum`` / ``torch.einsum`` on Tensors, e.g. ``einsum('bij,bjk->bik', a, b)``; ``...``
    allowed. The gradient of each operand is another einsum (see ``ops.Einsum``)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    labels, out = ops.parse_einsum(subscripts, [t.shape for t in tensors])
    dtype = np.result_type(*[t.dtype for t in tensors])
    tensors = [t if t.dtype == dtype else t.astype(dtype) for t in tensors]
    return autograd.record(ops.Einsum(labels=labels, out=out), *tensors)


def tensordot(a, b, axes=2):
    """``np.tensordot``: contract ``axes`` (an int n: a's last n with b's first n; or two lists).

    Composite, the way numpy computes it: move a's contracted axes last and b's first, reshape both
    to matrices, one matmul, reshape to a's free axes followed by b's.
    """
    if isinstance(axes, numbers.Integral):
        ax_a, ax_b = list(range(a.ndim - axes, a.ndim)), list(range(axes))
    else:
        ax_a, ax_b = ([x] if isinstance(x, numbers.Integral) else list(x) for x in axes)
    ax_a = [_one_axis(x, a.ndim, "tensordot") for x in ax_a]
    ax_b = [_one_axis(x, b.ndim, "tensordot") for x in ax_b]
    if [a.shape[i] for i in ax_a] != [b.shape[i] for i in ax_b]:
        raise ValueError(f"tensordot: axes {ax_a} of shape {a.shape} and {ax_b} of shape {b.shape} "
                         f"have different sizes")
    free_a = [i for i in range(a.ndim) if i not in ax_a]
    free_b = [i for i in range(b.ndim) if i not in ax_b]
    k = int(np.prod([a.shape[i] for i in ax_a]))
    am = a.transpose(free_a + ax_a).reshape(-1, k)
    bm = b.transpose(ax_b + free_b).reshape(k, -1)
    return (am @ bm).reshape([a.shape[i] for i in free_a] + [b.shape[i] for i in free_b])


def dot(a, b):
    """``np.dot``: scalars multiply; 1-D and 2-D as matmul; N-D sums a's last axis against b's
    second-to-last (b's only axis when b is 1-D)."""
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.ndim <= 2 and b.ndim <= 2:
        return a @ b
    return tensordot(a, b, ([a.ndim - 1], [max(b.ndim - 2, 0)]))


# ---------------------------------------------------------------------------------- the mixin


class TensorMethods:
    """The further Tensor methods; ``Tensor`` inherits them (see the module docstring)."""

    __slots__ = ("_requires_grad",)   # read through the property requires_grad (below the class)
    __array_ufunc__ = None  # numpy defers to the reflected operators: np.ones(3) + t -> t.__radd__

    # ------------------------------------------------------------------ the gradient
    @property
    def grad(self):
        """dL/d(this tensor) after ``backward``: a numpy array of ``.data``'s shape and dtype, or None.
        A leaf's is its own array and takes ``zero_()``; an intermediate's is read-only (``grads.py``)."""
        g = self._grad
        if g is not None and type(g) is not Grad:
            g = self._grad = as_grad(np.asarray(g), self._op is None)
        return g

    @grad.setter
    def grad(self, g):
        if g is not None:
            g = g.data if hasattr(g, "_op") else g
            if not isinstance(g, np.ndarray) or g.shape != self.data.shape or g.dtype != self.data.dtype:
                got = (f"{g.dtype} array of shape {g.shape}" if isinstance(g, np.ndarray)
                       else f"{type(g).__name__} {_preview(g)}")
                raise ValueError(f"grad: a tensor's .grad must be None or a numpy array of its own "
                                 f"shape {self.data.shape} and dtype {self.data.dtype}; got {got}. "
                                 f"Reshape or convert it (g.astype(t.dtype)) first.")
        self._grad = g

    def retain_grad(self):
        """Accepted for PyTorch code: here every tensor that requires grad keeps its ``.grad``
        (intermediates too, so that diagrams and traces can show them). Returns ``self``."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad: this tensor does not require grad, so no gradient will "
                               "reach it. Create its inputs with requires_grad=True.")
        return self

    _version = property(lambda self: versions.version(self.data),
                        doc="How many times this tensor's memory was changed in place (PyTorch's _version).")

    retains_grad = property(lambda self: self.requires_grad,
                            doc="True if ``backward()`` will store this tensor's ``.grad``.")

    def register_hook(self, fn):
        """Call ``fn(grad)`` when this tensor's gradient is complete; ``fn`` may return a replacement
        (as ``torch.Tensor.register_hook``). Returns a handle with ``remove()`` (``hooks.py``)."""
        return hooks.register(self, fn)

    def zero_grad(self):
        """``self.grad = None``."""
        self._grad = None

    def as_index(self) -> np.ndarray:
        """This tensor as an index array: a bool mask as it is, whole numbers as integers (the
        indices that ``max(dim)`` and ``argmax`` return are float tensors here)."""
        a = self.data
        if a.dtype.kind == "f" and np.all(a == np.round(a)):
            return a.astype(np.intp)
        return a

    # ------------------------------------------------------------------ conveniences
    def item(self) -> float:
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(f"item: only a tensor with one element can be a Python number; "
                             f"this one has shape {self.shape}")
        return self.data.item()

    def numpy(self) -> np.ndarray:
        """The value as a numpy array (the same array as ``.data``, not a copy)."""
        return self.data

    def tolist(self):
        """The value as (nested) Python lists, as ``torch.Tensor.tolist``."""
        return self.data.tolist()

    @property
    def size(self):
        """The number of entries, as numpy's ``.size``; also callable as PyTorch's ``size()`` (the
        shape) and ``size(dim)`` (one axis's length)."""
        return Size(self.data.size, self.data.shape)

    def numel(self) -> int:
        """The number of entries (PyTorch's ``numel``)."""
        return self.data.size

    def dim(self) -> int:
        """The number of dimensions (PyTorch's ``dim``)."""
        return self.data.ndim

    def detach(self):
        """A new leaf sharing ``data``, cut off from the graph (``requires_grad=False``)."""
        return type(self)(self.data, name=self.name)

    def detach_(self):
        """Cut this tensor off the graph, in place: it becomes a leaf without gradient."""
        self._op, self._requires_grad = None, False
        return self

    def requires_grad_(self, requires_grad: bool = True):
        """Set ``requires_grad`` on a leaf, in place (as PyTorch); returns ``self``."""
        self.requires_grad = requires_grad
        return self

    def clone(self):
        """A copy of the value, recorded (the gradient passes through), as ``torch.Tensor.clone``."""
        return self * 1.0 if self.requires_grad else type(self)(self.data.copy(), name=self.name)

    def to(self, *args, **kwargs):
        """Accepted for PyTorch code: ``.to("cpu")`` is the tensor itself; a dtype converts."""
        dtype = kwargs.get("dtype", next((a for a in args if not isinstance(a, str)), None))
        return self if dtype is None else self.astype(dtype)

    def cpu(self):
        """Accepted for PyTorch code: the tensor itself (everything here runs on the CPU)."""
        return self

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len: a 0-d tensor has no length; use .item() for its value")
        return len(self.data)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self.data.size != 1 or self.data.dtype.kind not in "iub" and self.data.item() != int(self.data.item()):
            raise TypeError(f"index: only a one-element tensor holding a whole number can be an index; "
                            f"got shape {self.shape}")
        return int(self.item())

    def __bool__(self):
        if self.data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with {'no' if self.data.size == 0 else 'more than one'} "
                               f"value{'s' if self.data.size == 0 else ''} is ambiguous (shape {self.shape}); "
                               f"reduce it first (t.data.any(), t.data.all()) or test one element")
        return bool(self.data.item())

    def __repr__(self):
        body = np.array2string(self.data, precision=4, separator=", ", threshold=20, prefix="Tensor(")
        extra = f", name={self.name!r}" if self.name else ""
        extra += f", dtype={self.data.dtype}" if self.data.dtype != np.float64 else ""
        extra += f", op={self._op.name}" if self._op is not None else \
            (", requires_grad=True" if self.requires_grad else "")
        return f"Tensor({body}{extra})"

    def __array__(self, dtype=None, copy=None):
        """``np.asarray(t)``: the value, for a tensor without gradient; numpy functions on a tensor
        that requires grad would drop the graph silently, so they raise and say what to call."""
        if self.requires_grad:
            raise TypeError(
                "numpy: this tensor requires grad, so a numpy function on it (np.exp(t), np.sum(t), "
                "np.asarray(t)) would lose the graph. Call the Tensor method instead (t.exp(), "
                "t.sum()), or take the value with t.detach().numpy() / t.data.")
        return self.data if dtype is None else self.data.astype(dtype)

    # ------------------------------------------------------------------ arithmetic
    def __radd__(self, other):
        return autograd.record(ops.Add(), self._const(other, "add"), self)

    def __rmul__(self, other):
        return autograd.record(ops.Mul(), self._const(other, "mul"), self)

    def __truediv__(self, other):
        """a / b, the primitive ``Div`` (correctly rounded, as numpy's division)."""
        return autograd.record(ops.Div(), self, self._const(other, "div"))

    def __rtruediv__(self, other):
        return autograd.record(ops.Div(), self._const(other, "div"), self)

    def __neg__(self):
        return autograd.record(ops.Neg(), self)

    def __pos__(self):
        return self

    def __pow__(self, p):
        """x ** p for a constant number p; a Tensor or array exponent is ``self.pow(p)``."""
        if hasattr(p, "_op") or isinstance(p, np.ndarray):
            return self.pow(p)
        if not isinstance(p, numbers.Real):
            raise TypeError(f"pow: the exponent must be a number, a Tensor or an array, got "
                            f"{type(p).__name__}")
        # a Python number, so that float32 stays float32 under numpy scalars too (np.float64(2))
        return autograd.record(ops.Pow(p=int(p) if isinstance(p, numbers.Integral) else float(p)), self)

    def __rpow__(self, base):
        """c ** x for a constant c (a number or an array), the primitive ``PowT`` (its gradient is
        y * log(c): 0 where c = 0, as PyTorch; nan for c < 0, which has no real logarithm)."""
        if not isinstance(base, (numbers.Real, np.ndarray)):
            raise TypeError(f"pow: the base must be a number, an array or a Tensor, got "
                            f"{type(base).__name__}")
        return autograd.record(ops.PowT(), self._const(base, "pow"), self)

    def __floordiv__(self, other):
        """a // b (floor division): a constant result, no gradient (as PyTorch)."""
        return _no_grad_result(self, np.floor_divide(self.data, self._const(other).data))

    def __rfloordiv__(self, other):
        return _no_grad_result(self, np.floor_divide(self._const(other).data, self.data))

    def tanh(self):
        """Hyperbolic tangent, elementwise."""
        return autograd.record(ops.Tanh(), self)

    def sigmoid(self):
        """1 / (1 + exp(-x)), elementwise."""
        return autograd.record(ops.Sigmoid(), self)

    def sqrt(self):
        """x ** 0.5, elementwise."""
        return self ** 0.5

    def rsqrt(self):
        """1 / sqrt(x), elementwise."""
        return self ** -0.5

    def mean(self, axis=None, keepdims: bool = False, *, dim=None, keepdim: bool = False):
        """Mean over ``axis`` (the primitive ``Mean``: dx = dy / N). An empty axis has no mean: it
        raises."""
        axes = axes_of(axis, self.ndim, "mean", dim)
        if not math.prod(self.shape[a] for a in axes):
            raise ValueError(f"mean: axis {axis!r} of a tensor of shape {self.shape} holds no entries, "
                             f"so the mean is undefined; check the shape (an empty batch?)")
        return autograd.record(ops.Mean(axes=axes, keepdims=keepdims or keepdim), self)

    def min(self, dim=None, keepdim: bool = False, *, axis=None, keepdims: bool = False):
        """Minimum over ``axis``, the composite -max(-x); PyTorch's ``x.min(1)`` gives
        ``(values, indices)`` and ``x.min(other)`` the elementwise minimum, as ``max``."""
        if dim is not None:
            return self.torch_max(dim, keepdim, axis, low=True)
        return -((-self).max(axis=axis, keepdims=keepdims or keepdim))

    def torch_max(self, dim, keepdim: bool = False, axis=None, low: bool = False):
        """PyTorch's ``x.max(dim)``: ``(values, indices)``, the gradient going to the index returned
        (the first maximum), as PyTorch's; ``x.max(other)`` with a tensor: the elementwise maximum.
        ``low``: the same for ``min``."""
        name = "min" if low else "max"
        if axis is not None:
            raise TypeError(f"{name}: give axis= or dim=, not both")
        if hasattr(dim, "_op") or isinstance(dim, np.ndarray):
            return self.minimum(dim) if low else self.maximum(dim)
        ax = _one_axis(dim, self.ndim, name)
        if self.ndim == 0:      # as PyTorch: a 0-d tensor is its own maximum, at index 0
            return ValuesIndices(self.reshape(()), _no_grad_result(self, np.zeros(())))
        if self.shape[ax] == 0:
            raise ValueError(f"{name}: dim {dim} of a tensor of shape {self.shape} is empty, so it has "
                             f"no {'minimum' if low else 'maximum'}")
        idx = (np.argmin if low else np.argmax)(self.data, axis=ax, keepdims=True)
        grid = list(np.indices(idx.shape, sparse=True))
        grid[ax] = idx
        values = self[tuple(grid)]
        if not keepdim:
            values, idx = values.squeeze(ax), idx.squeeze(ax)
        return ValuesIndices(values, _no_grad_result(self, idx))

    def swapaxes(self, axis1: int, axis2: int):
        """Swap two axes (numpy's ``swapaxes``, PyTorch's ``transpose(i, j)``)."""
        return self.transpose(axis1, axis2)

    def permute(self, *dims):
        """PyTorch's ``permute``: the axes in the order ``dims``, a full permutation (so a 2-D
        ``permute(0, 1)`` is the identity and ``permute(1, 0)`` the transpose)."""
        dims = tuple(dims[0]) if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims
        return self.transpose(tuple(dims))

    mT = property(lambda self: self.swapaxes(-1, -2), doc="The transpose of the last two axes.")

    def permutation(self, axes, dim0=None, dim1=None) -> tuple:
        """``transpose``'s arguments as a permutation of the axes (see ``Tensor.transpose``)."""
        if dim0 is not None or dim1 is not None:
            if axes or dim0 is None or dim1 is None:
                raise TypeError(f"transpose: give both dim0= and dim1= (and no positional axes); "
                                f"got axes {axes}, dim0={dim0!r}, dim1={dim1!r}")
            axes = (dim0, dim1)
        n = self.ndim
        tuple_given = len(axes) == 1 and isinstance(axes[0], (tuple, list, np.ndarray))
        axes = tuple(axes[0]) if tuple_given else tuple(axes)
        if not axes:
            return tuple(reversed(range(n)))
        if len(axes) == 2 and not tuple_given and all(isinstance(a, numbers.Integral) for a in axes):
            i, j = (_one_axis(a, n, "transpose") for a in axes)
            perm = list(range(n))
            perm[i], perm[j] = perm[j], perm[i]
            return tuple(perm)
        try:
            ok = len(axes) == n and len(axes_of(tuple(int(a) for a in axes), n, "transpose")) == n
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise ValueError(f"transpose: axes {axes} are not a permutation of the {n} axes of a tensor "
                             f"of shape {self.shape}")
        return tuple(int(a) % n for a in axes)

    # ------------------------------------------------------------------ comparisons (masks)
    def _compare(self, ufunc, other):
        """A bool Tensor (a mask, no gradient): ``x > 0``, ``x == y``, also with numbers or arrays."""
        other = self._const(other, ufunc.__name__)
        try:
            return type(self)(ufunc(self.data, other.data))
        except ValueError:
            raise ValueError(f"{ufunc.__name__}: shapes {self.shape} and {other.shape} cannot be "
                             f"broadcast together: aligned from the right, each pair of dimensions "
                             f"must be equal or one of them 1") from None

    def __lt__(self, other):
        return self._compare(np.less, other)

    def __le__(self, other):
        return self._compare(np.less_equal, other)

    def __gt__(self, other):
        return self._compare(np.greater, other)

    def __ge__(self, other):
        return self._compare(np.greater_equal, other)

    def __eq__(self, other):
        return self._compare(np.equal, other)

    def __ne__(self, other):
        return self._compare(np.not_equal, other)

    def __invert__(self):
        """~mask, for a bool tensor."""
        if self.data.dtype != bool:
            raise TypeError("~: only a bool tensor (a mask) can be inverted")
        return type(self)(~self.data)

    # ------------------------------------------------------------------ in place
    def __iadd__(self, other):
        return self._update(ops.Add(), other, "+=", np.add)

    def __isub__(self, other):
        return self._update(ops.Sub(), other, "-=", np.subtract)

    def __imul__(self, other):
        return self._update(ops.Mul(), other, "*=", np.multiply)

    def __itruediv__(self, other):
        return self._update(ops.Div(), other, "/=", np.true_divide)

    def add_(self, other, alpha=1.0):
        """``self += alpha * other`` in place (PyTorch's ``add_``)."""
        return self._update(ops.Add(), other if alpha == 1 else other * alpha, "add_", np.add)

    def sub_(self, other, alpha=1.0):
        """``self -= alpha * other`` in place."""
        return self._update(ops.Sub(), other if alpha == 1 else other * alpha, "sub_", np.subtract)

    def mul_(self, other):
        """``self *= other`` in place."""
        return self._update(ops.Mul(), other, "mul_", np.multiply)

    def div_(self, other):
        """``self /= other`` in place."""
        return self._update(ops.Div(), other, "div_", np.true_divide)

    def zero_(self):
        """Every entry 0, in place."""
        return self.fill_(0.0)

    def fill_(self, value):
        """Every entry ``value``, in place: ``x[...] = value``."""
        self[...] = value
        return self

    def _update(self, op, other, sym, ufunc):
        """``self <sym> other`` in place, as PyTorch: recorded when grad is involved (``versions``),
        else written into this tensor's own array (aliases and views see it; its version moves)."""
        if autograd.modes.state.grad_enabled and (self.requires_grad or getattr(other, "requires_grad", False)):
            old = versions.snapshot_for_update(self, sym)
            out = autograd.record(op, old, old if other is self else self._const(other, f"in-place {sym}"))
            if out.data.shape != self.shape:
                raise ValueError(f"in-place {sym}: the result has shape {out.data.shape}, which cannot "
                                 f"be written into the tensor of shape {self.shape}; write x = x ... y")
            return versions.become(self, out)
        b = other.data if hasattr(other, "_op") else self._const(other, f"in-place {sym}").data
        try:
            shape = np.broadcast_shapes(self.shape, b.shape)
        except ValueError:
            shape = None
        if shape != self.shape:
            raise ValueError(f"in-place {sym}: the result of shapes {self.shape} and {b.shape} "
                             f"{'has shape ' + str(shape) if shape else 'cannot be broadcast'}, which "
                             f"cannot be written into the tensor of shape {self.shape}; write "
                             f"x = x {sym.rstrip('=_')} y")
        _write(self, lambda a: ufunc(a, b, out=a, casting="same_kind"), sym)
        return self

    def __setitem__(self, index, value):
        """``x[index] = value``, as PyTorch: recorded when grad is involved (the entries written get
        no gradient from before; ``value`` gets theirs), else written into the array in place."""
        index = tuple(i.data if hasattr(i, "_op") else i for i in index) if isinstance(index, tuple) \
            else (index.data if hasattr(index, "_op") else index)
        if autograd.modes.state.grad_enabled and (self.requires_grad or getattr(value, "requires_grad", False)):
            old = versions.snapshot_for_update(self, "[index] =")
            mask = np.zeros(self.shape, dtype=bool)
            mask[index] = True
            part = self._const(value).broadcast_to(self.data[index].shape)
            placed = autograd.record(ops.IndexAdd(shape=self.shape, index=index), part)
            versions.become(self, autograd.record(ops.Where(cond=mask), placed, old))
            return
        v = value.data if hasattr(value, "_op") else value
        _write(self, lambda a: a.__setitem__(index, v), "[index] =")

    def astype(self, dtype):
        """A differentiable cast to float32 or float64 (the gradient is cast back)."""
        dt = np.dtype(dtype)
        if dt.kind != "f" or dt.itemsize not in (4, 8):
            raise TypeError(f"astype: a Tensor holds float32 or float64, got dtype {dt}; for other "
                            f"types use .numpy().astype(...)")
        return self if dt == self.dtype else autograd.record(ops.Cast(dtype=dt), self)

    def float(self):
        """``astype(float32)``, as PyTorch's ``.float()``."""
        return self.astype(np.float32)

    def double(self):
        """``astype(float64)``, as PyTorch's ``.double()``."""
        return self.astype(np.float64)

    # ------------------------------------------------------------------ elementwise
    def abs(self):
        """|x|; the gradient sign(x) is 0 at 0."""
        return autograd.record(ops.Abs(), self)

    def sin(self):
        """sin(x)."""
        return autograd.record(ops.Sin(), self)

    def cos(self):
        """cos(x)."""
        return autograd.record(ops.Cos(), self)

    def tan(self):
        """tan(x)."""
        return autograd.record(ops.Tan(), self)

    def log1p(self):
        """log(1 + x), accurate near 0."""
        return autograd.record(ops.Log1p(), self)

    def expm1(self):
        """exp(x) - 1, accurate near 0."""
        return autograd.record(ops.Expm1(), self)

    def log2(self):
        """Base-2 logarithm."""
        return autograd.record(ops.Log2(), self)

    def log10(self):
        """Base-10 logarithm."""
        return autograd.record(ops.Log10(), self)

    def square(self):
        """x * x (composite)."""
        return self * self

    def clip(self, min=None, max=None):
        """Clamp into [min, max] (either may be None); gradient 1 inside, ends included, else 0."""
        if min is None and max is None:
            raise ValueError("clip: give min, max or both")
        return autograd.record(ops.Clip(lo=min, hi=max), self)

    clamp = clip

    def pow(self, p):
        """x ** p with ``p`` a number or a Tensor (broadcasting); the exponent's gradient is
        y * log(x), so x > 0 where it is wanted."""
        if isinstance(p, TensorMethods) or isinstance(p, np.ndarray):
            return autograd.record(ops.PowT(), self, self._const(p, "pow"))
        return self ** p

    def __mod__(self, other):
        """x % m: numpy's mod / PyTorch's remainder (the sign of m)."""
        return autograd.record(ops.Mod(), self, self._const(other, "mod"))

    def __rmod__(self, other):
        return autograd.record(ops.Mod(), self._const(other, "mod"), self)

    remainder = __mod__

    def maximum(self, other):
        """Elementwise max with ``other`` (broadcasting); ties split the gradient evenly."""
        return autograd.record(ops.Maximum(), self, self._const(other, "maximum"))

    def minimum(self, other):
        """Elementwise min with ``other`` (broadcasting); ties split the gradient evenly."""
        return autograd.record(ops.Minimum(), self, self._const(other, "minimum"))

    def where(self, cond, other):
        """PyTorch's ``x.where(cond, y)``: x where cond, else y."""
        return where(cond, self, other)

    def floor(self):
        """Largest integer <= x; no gradient (a constant result)."""
        return _no_grad_result(self, np.floor(self.data))

    def ceil(self):
        """Smallest integer >= x; no gradient."""
        return _no_grad_result(self, np.ceil(self.data))

    def round(self):
        """Nearest integer (ties to even, as numpy and PyTorch); no gradient."""
        return _no_grad_result(self, np.round(self.data))

    def sign(self):
        """-1, 0 or 1; no gradient."""
        return _no_grad_result(self, np.sign(self.data))

    # ------------------------------------------------------------------ reductions
    @both_spellings
    def prod(self, axis=None, keepdims: bool = False):
        """Product over ``axis``; exact gradients with zeros present (see ``ops.Prod``)."""
        return autograd.record(ops.Prod(axes=axes_of(axis, self.ndim, "prod"), keepdims=keepdims), self)

    @both_spellings
    def cumsum(self, axis=None):
        """Running sum along ``axis`` (None: over the flattened tensor, as numpy)."""
        x = self if axis is not None else self.reshape(-1)
        ax = _one_axis(axis if axis is not None else 0, x.ndim, "cumsum")
        return x.reshape(()) if x.ndim == 0 else autograd.record(ops.Cumsum(axis=ax), x)

    @both_spellings
    def var(self, axis=None, keepdims: bool = False, correction=None, unbiased=None, ddof=None):
        """Variance over ``axis``: sum((x - mean)**2) / (n - correction), composite.

        As PyTorch, ``correction`` defaults to 1 (the unbiased estimate); ``unbiased=False`` or
        ``correction=0`` or numpy's ``ddof=0`` give the population variance.
        """
        given = [c for c in (correction, ddof, None if unbiased is None else int(unbiased))
                 if c is not None]
        corr = given[0] if given else 1
        axes = axes_of(axis, self.ndim, "var")
        n = int(np.prod([self.shape[a] for a in axes]))
        d = self - self.mean(axes, keepdims=True)
        if n > corr:
            scale = 1.0 / (n - corr)
        else:   # as PyTorch: nan when n <= correction, with a warning
            warnings.warn(f"var: {n} entries per variance with correction={corr} leave no degrees of "
                          f"freedom, so the result is nan (as in PyTorch); pass correction=0 for the "
                          f"population variance", RuntimeWarning, stacklevel=2)
            scale = np.nan
        return (d * d).sum(axes, keepdims) * scale

    @both_spellings
    def std(self, axis=None, keepdims: bool = False, correction=None, unbiased=None, ddof=None):
        """Standard deviation, ``var(...) ** 0.5`` (the same ``correction`` default of 1)."""
        return self.var(axis, keepdims, correction, unbiased, ddof) ** 0.5

    @both_spellings
    def amax(self, axis=None, keepdims: bool = False):
        """Maximum values over ``axis`` in either spelling (PyTorch's ``amax``)."""
        return self.max(axis=axis, keepdims=keepdims)

    @both_spellings
    def amin(self, axis=None, keepdims: bool = False):
        """Minimum values over ``axis`` in either spelling (PyTorch's ``amin``)."""
        return self.min(axis=axis, keepdims=keepdims)

    @both_spellings
    def argmax(self, axis=None, keepdims: bool = False):
        """Index of the (first) maximum over one axis (None: of the flattened tensor); no gradient."""
        return self._arg(np.argmax, axis, keepdims)

    @both_spellings
    def argmin(self, axis=None, keepdims: bool = False):
        """Index of the (first) minimum; no gradient."""
        return self._arg(np.argmin, axis, keepdims)

    def _arg(self, fn, axis, keepdims):
        if axis is None:
            return _no_grad_result(self, fn(self.data).reshape((1,) * self.ndim if keepdims else ()))
        ax = _one_axis(axis, self.ndim, fn.__name__)
        return _no_grad_result(self, fn(self.data, axis=ax, keepdims=keepdims))

    @both_spellings
    def sort(self, axis=-1, descending: bool = False):
        """``(values, indices)`` sorted along ``axis`` as PyTorch's sort (stable); the values are a
        gather from x, so their gradient goes back to where each came from."""
        ax = _one_axis(axis, self.ndim, "sort")
        if self.ndim == 0:    # as PyTorch: a 0-d tensor sorted is itself, at index 0
            return ValuesIndices(self.reshape(()), _no_grad_result(self, np.zeros(())))
        idx = np.argsort(-self.data if descending else self.data, axis=ax, kind="stable")
        grid = list(np.indices(self.shape, sparse=True))
        grid[ax] = idx
        return ValuesIndices(self[tuple(grid)], _no_grad_result(self, idx))

    # ------------------------------------------------------------------ shape (composites of reshape)
    def view(self, *shape):
        """PyTorch's name for ``reshape``."""
        return self.reshape(*shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1):
        """Merge axes ``start_dim`` .. ``end_dim`` into one (default: all, giving 1-D)."""
        if self.ndim == 0:
            return self.reshape(1)
        lo, hi = (_one_axis(a, self.ndim, "flatten") for a in (start_dim, end_dim))
        return self.reshape(self.shape[:lo] + (-1,) + self.shape[hi + 1:])

    @both_spellings
    def squeeze(self, axis=None):
        """Drop size-1 axes (all of them, or those in ``axis``; PyTorch leaves an axis whose size is
        not 1 alone)."""
        axes = axes_of(axis, self.ndim, "squeeze") if self.ndim else ()
        return self.reshape(tuple(n for i, n in enumerate(self.shape) if not (i in axes and n == 1)))

    @both_spellings
    def unsqueeze(self, axis):
        """Insert a size-1 axis at position ``axis`` of the result (negatives count from its end)."""
        ax = _one_axis(axis, self.ndim + 1, "unsqueeze")
        return self.reshape(self.shape[:ax] + (1,) + self.shape[ax:])

    expand_dims = unsqueeze

    def broadcast_to(self, *shape):
        """Repeated along new leading axes or size-1 axes, as ``np.broadcast_to`` (a read-only view);
        the gradient sums the copies."""
        shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        try:
            np.broadcast_shapes(self.shape, shape)
            ok = len(shape) >= self.ndim and np.broadcast_shapes(self.shape, shape) == tuple(shape)
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(f"broadcast_to: cannot broadcast shape {self.shape} to {shape}")
        return self if tuple(shape) == self.shape else autograd.record(ops.Expand(shape=tuple(shape)), self)

    def expand(self, *sizes):
        """PyTorch's ``expand``: ``broadcast_to`` where -1 keeps that axis's size."""
        sizes = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else sizes
        lead = len(sizes) - self.ndim
        return self.broadcast_to(tuple(self.shape[i - lead] if n == -1 and i >= lead else n
                                       for i, n in enumerate(sizes)))

    def tile(self, *reps):
        """``np.tile`` / ``torch.tile``: the whole tensor repeated ``reps[i]`` times along axis i.

        Composite: a size-1 axis before each axis, broadcast to the repeat counts, reshape.
        """
        reps = tuple(reps[0]) if len(reps) == 1 and isinstance(reps[0], (tuple, list)) else reps
        n = max(len(reps), self.ndim)
        reps = (1,) * (n - len(reps)) + tuple(reps)
        x = self.reshape((1,) * (n - self.ndim) + self.shape)
        inter = [d for pair in zip([1] * n, x.shape) for d in pair]
        big = [d for pair in zip(reps, x.shape) for d in pair]
        return x.reshape(inter).broadcast_to(big).reshape([r * s for r, s in zip(reps, x.shape)])

    def repeat(self, *sizes):
        """PyTorch's ``repeat`` (the whole tensor, like ``np.tile``); for numpy's element-wise
        ``np.repeat`` use ``repeat_interleave``."""
        sizes = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else sizes
        if len(sizes) < self.ndim:
            raise ValueError(f"repeat: give at least one count per axis ({self.ndim}), got {sizes}")
        return self.tile(sizes)

    @both_spellings
    def repeat_interleave(self, repeats, axis=None):
        """``np.repeat``: each entry repeated ``repeats`` times along ``axis`` (None: flattened)."""
        x = self if axis is not None else self.reshape(-1)
        ax = _one_axis(axis if axis is not None else 0, x.ndim, "repeat_interleave")
        idx = np.repeat(np.arange(x.shape[ax]), repeats)
        return x[(slice(None),) * ax + (idx,)]

    @both_spellings
    def flip(self, axis=None):
        """Reverse the order along ``axis`` (an int, a tuple, or None for all)."""
        axes = axes_of(axis, self.ndim, "flip")
        return self[tuple(slice(None, None, -1) if i in axes else slice(None)
                          for i in range(self.ndim))]

    @both_spellings
    def roll(self, shifts, axis=None):
        """Shift entries by ``shifts`` along ``axis`` cyclically (None: the flattened tensor)."""
        if axis is None:
            return self.reshape(-1).roll(shifts, 0).reshape(self.shape)
        if self.ndim == 0:
            raise ValueError(f"roll: axis {axis!r} does not fit a 0-d tensor, which has no axis to roll "
                             f"along (as PyTorch); use axis=None")
        shifts = tuple(shifts) if isinstance(shifts, (tuple, list)) else (shifts,)
        axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
        x = self
        for s, a in zip(shifts, axes):
            ax = _one_axis(a, self.ndim, "roll")
            idx = (np.arange(self.shape[ax]) - s) % self.shape[ax]
            x = x[(slice(None),) * ax + (idx,)]
        return x

    def pad(self, pad_width, value: float = 0.0):
        """``np.pad`` with a constant: ``pad_width`` one (before, after) pair per axis, or one pair
        or int for all axes. (``functional.pad`` takes PyTorch's last-axis-first order.)"""
        widths = np.broadcast_to(np.asarray(pad_width, dtype=int), (self.ndim, 2))
        if (widths < 0).any():
            raise ValueError(f"pad: widths must be >= 0, got {pad_width!r}")
        return autograd.record(ops.Pad(widths=tuple(map(tuple, widths.tolist())), value=value), self)

    def split(self, split_size_or_sections, dim: int = 0, *, axis=None):
        """PyTorch's ``split``: pieces of ``split_size`` along ``dim`` (or ``axis``; the last piece
        may be shorter), or a list of piece sizes. Each piece is a slice of x."""
        ax = _one_axis(dim if axis is None else axis, self.ndim, "split")
        n = self.shape[ax]
        sizes = split_size_or_sections
        if isinstance(sizes, numbers.Integral):
            if sizes <= 0:
                raise ValueError(f"split: split_size must be positive, got {sizes}")
            sizes = [min(sizes, n - i) for i in range(0, n, sizes)]
        if sum(sizes) != n:
            raise ValueError(f"split: sizes {list(sizes)} do not add up to {n}, the size of axis {ax}")
        ends = np.cumsum([0] + list(sizes))
        return tuple(self[(slice(None),) * ax + (slice(int(a), int(b)),)]
                     for a, b in zip(ends[:-1], ends[1:]))

    def chunk(self, chunks: int, dim: int = 0, *, axis=None):
        """PyTorch's ``chunk``: ``chunks`` pieces of size ceil(n / chunks) (fewer if n is small)."""
        dim = dim if axis is None else axis
        if not isinstance(chunks, numbers.Integral) or chunks < 1:
            raise ValueError(f"chunk: chunks must be a positive int, got {chunks!r}")
        n = self.shape[_one_axis(dim, self.ndim, "chunk")]
        return self.split(max(-(-n // chunks), 1), dim)

    # ------------------------------------------------------------------ linear algebra
    def matmul(self, other):
        """``x @ other``."""
        return self @ other

    mm = matmul

    def dot(self, other):
        """``np.dot`` (see ``methods.dot``)."""
        return dot(self, self._const(other))

    def tensordot(self, other, axes=2):
        """``np.tensordot`` (see ``methods.tensordot``)."""
        return tensordot(self, self._const(other), axes)

    def outer(self, other):
        """The outer product of two 1-D tensors: (n,) and (m,) -> (n, m)."""
        other = self._const(other)
        return self.reshape(-1, 1) * other.reshape(1, -1)

    def t(self):
        """PyTorch's ``.t()``: the transpose of a tensor of at most 2 dimensions."""
        if self.ndim > 2:
            raise ValueError(f"t: expects at most 2 dimensions, got shape {self.shape}; use "
                             f"transpose(i, j)")
        return self.transpose()

    def diagonal(self, offset: int = 0):
        """The ``offset``-th diagonal of a 2-D tensor, as a 1-D tensor (a gather)."""
        if self.ndim != 2:
            raise ValueError(f"diagonal: expects a 2-D tensor, got shape {self.shape}")
        n, m = self.shape
        i = np.arange(max(0, -offset), min(n, m - offset))
        return self[i, i + offset]

    def diag(self, diagonal: int = 0):
        """PyTorch's ``diag``: a 2-D tensor's diagonal, or the square matrix with a 1-D tensor on
        its ``diagonal``-th diagonal (composite: x on the main diagonal by an identity, then pad)."""
        if self.ndim == 2:
            return self.diagonal(diagonal)
        if self.ndim != 1:
            raise ValueError(f"diag: expects a 1-D or 2-D tensor, got shape {self.shape}")
        n, k = self.shape[0], abs(diagonal)
        square = where(np.eye(n, dtype=bool), self.reshape(1, n), 0.0)
        return square.pad(((0, k), (k, 0)) if diagonal >= 0 else ((k, 0), (0, k)))

    def trace(self):
        """The sum of the main diagonal of a 2-D tensor."""
        return self.diagonal().sum()

    def tril(self, diagonal: int = 0):
        """Entries on and below the ``diagonal``-th diagonal (the last two axes); 0 above."""
        return where(np.tril(np.ones(self.shape[-2:], dtype=bool), diagonal), self, 0.0)

    def triu(self, diagonal: int = 0):
        """Entries on and above the ``diagonal``-th diagonal (the last two axes); 0 below."""
        return where(np.triu(np.ones(self.shape[-2:], dtype=bool), diagonal), self, 0.0)


def _set_requires_grad(t, value) -> None:
    if bool(value) != t._requires_grad:
        if t._op is not None:
            raise RuntimeError(
                f"requires_grad: you can only change requires_grad of leaf tensors (this one was made "
                f"by an op, {t._op.name}). To use its value without a gradient, take t.detach().")
        if value and t.data.dtype.kind != "f":
            raise TypeError(f"requires_grad: only float32/float64 tensors can require grad; this one "
                            f"holds {t.data.dtype} (a mask). Convert it first, e.g. Tensor(mask * 1.0)")
    t._requires_grad = bool(value)


# Reading requires_grad is the slot itself (no Python call: the walk reads it for every input);
# setting it checks, as PyTorch does, that the tensor is a leaf and holds floats.
TensorMethods.requires_grad = property(
    TensorMethods.__dict__["_requires_grad"].__get__, _set_requires_grad,
    doc="Whether gradients flow to this tensor; settable on a leaf (a computed tensor's follows its "
        "inputs: take ``t.detach()`` for a copy cut off from the graph).")
