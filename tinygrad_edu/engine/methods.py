"""The Tensor methods beyond the lesson: conveniences, PyTorch's and numpy's further operations.

``Tensor`` (``tensor.py``) holds the lesson: the operators, relu/exp/log, sum, max, reshape,
transpose and indexing. It inherits everything else from ``TensorMethods``, gathered by theme:

* here: the gradient (``.grad``, ``register_hook``), conveniences (``item``, ``tolist``, ``size()``,
  ``repr``, ``format``), dtypes and the device (``float()``, ``long()``, ``to()``), the further
  arithmetic, comparisons (``<`` and ``eq``), elementwise functions and reductions (``norm`` among
  them);
* ``shaping.py``: shape and indexing methods (``view_as``, ``permute``, ``split``, ``pad``,
  ``gather``, ``scatter``, ``masked_fill``, ``diagonal``, ``tril``, ...), with numpy's spellings;
* ``inplace.py``: the in-place methods (``+=``, ``add_``, ``x[i] = v``, ``relu_``, ``copy_``, ...);
* ``interop.py``: what numpy does with a Tensor (``np.exp(t)``, ``np.sum(t)``, ``np.asarray(t)``).

Each runs one primitive from ``ops/`` (abs, sin, clamp, prod, cumsum, norm, ...) or is a composite of
other Tensor operations (var, std, square, ...), whose gradient then comes from its primitives.

Both spellings: the reductions and shape methods take numpy's ``axis=`` / ``keepdims=`` and
PyTorch's ``dim=`` / ``keepdim=``. Where the two libraries read a positional argument differently,
PyTorch's reading wins (code ported from PyTorch keeps its meaning) and numpy's keyword says numpy is
meant: ``x.max(1)`` is PyTorch's ``(values, indices)``, ``x.max(axis=1)`` numpy's values;
``x.repeat(2, 3)`` tiles as PyTorch, ``x.repeat(2, axis=0)`` repeats entries as numpy.

PyTorch's names that are not here raise ``AttributeError``, which Python prints with the nearest
spelling ("Did you mean: 'zero_grad'?"); a few of PyTorch's that port code reaches for say what to
write instead (``MISSING``).
"""
from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from . import autograd, hooks, interop, ops, versions
from .combining import ValuesIndices, both_spellings, dot, no_grad_result, tensordot, where
from .devices import CPU, only_the_cpu
from .grads import Grad, as_grad
from .inplace import InPlaceMethods
from .inputs import _one_axis, _preview, axes_of, converted, dtype_of, is_shared_constant
from .shaping import ShapeMethods

def _size(size) -> tuple:
    """``f(2, 3)`` and ``f((2, 3))`` alike, checked."""
    size = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else tuple(size)
    if not all(isinstance(n, numbers.Integral) and n >= 0 for n in size):
        raise ValueError(f"size must be non-negative ints, got {size}")
    return tuple(int(n) for n in size)


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


class TensorMethods(ShapeMethods, InPlaceMethods):
    """The further Tensor methods; ``Tensor`` inherits them (see the module docstring)."""

    __slots__ = ("_requires_grad",)   # read through the property requires_grad (below the class)
    __array__ = interop.array                     # np.asarray(t): the value (interop.py)
    __array_ufunc__ = interop.array_ufunc         # np.exp(t), np.ones(3) + t: the Tensor operation
    __array_function__ = interop.array_function   # np.sum(t), np.mean(t, axis=0): the same

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

    def clone(self):
        """A copy of the value, recorded (the gradient passes through), as ``torch.Tensor.clone``."""
        return self * 1.0 if self.requires_grad else type(self)(self.data.copy(), name=self.name)

    is_shared_constant = property(is_shared_constant, doc=(
        "True for one of the engine's shared constants: the Tensor made once for the number in "
        "``x * 2`` and used by every graph that multiplies by 2 (so it names no variable)."))

    # ------------------------------------------------------------------ dtypes and the device
    def astype(self, dtype):
        """A cast to ``dtype``: float32 <-> float64 differentiable (the gradient is cast back); an
        integer dtype gives whole numbers toward zero and bool a mask, without gradient (as PyTorch's
        ``.long()``, ``.bool()``; ``dtypes.py``)."""
        dt, whole = dtype_of(dtype, "astype")
        if dt == self.dtype and not whole:
            return self
        if dt.kind == "f" and not whole and self.dtype.kind == "f":
            return autograd.record(ops.Cast(dtype=dt), self)
        return type(self)(converted(self.data, dt, whole))

    def float(self):
        """``astype(float32)``, as PyTorch's ``.float()``."""
        return self.astype(np.float32)

    def double(self):
        """``astype(float64)``, as PyTorch's ``.double()``."""
        return self.astype(np.float64)

    def half(self):
        """PyTorch's ``.half()``: float16 is not supported here, so it raises and says so."""
        return self.astype(np.float16)

    def long(self):
        """PyTorch's ``.long()``: whole numbers toward zero (held as float64), no gradient."""
        return self.astype(np.int64)

    int = long

    def bool(self):
        """PyTorch's ``.bool()``: a mask, True where x is nonzero."""
        return self.astype(bool)

    def type_as(self, other):
        """``astype(other.dtype)``, as PyTorch's ``type_as``."""
        return self.astype(other.dtype)

    def to(self, *args, **kwargs):
        """PyTorch's ``to``: ``to("cpu")``, ``to(device)``, ``to(other)`` and ``to(dtype)``; the
        tensor itself when nothing changes, a cast for a dtype; another device raises."""
        dtype = kwargs.get("dtype")
        for a in list(args) + [kwargs.get("device")]:
            if a is None or isinstance(a, bool):
                continue
            if hasattr(a, "_op"):
                dtype = a.dtype
            elif isinstance(a, str) or hasattr(a, "type") and not isinstance(a, (type, np.dtype)):
                if str(getattr(a, "type", a)).partition(":")[0] != "cpu":
                    raise only_the_cpu(a, "to")
            else:
                dtype = a
        return self if dtype is None else self.astype(dtype)

    def cpu(self):
        """Accepted for PyTorch code: the tensor itself (everything here runs on the CPU)."""
        return self

    def cuda(self, *args, **kwargs):
        """PyTorch's ``cuda()``: there is only the CPU here, so it raises and says so."""
        raise only_the_cpu("cuda", "cuda")

    device = property(lambda self: CPU, doc="The CPU, ``tinygrad_edu.device('cpu')``: the one device.")
    is_cuda = property(lambda self: False, doc="False: everything runs on the CPU.")


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

    def __format__(self, spec):
        """``f"{t}"``, ``f"{t:.3f}"``: a 0-d tensor formats its number, as PyTorch; other tensors
        format as ``str(t)``, and only without a spec."""
        if self.data.ndim == 0:
            return self.data.item().__format__(spec)
        if spec:
            raise TypeError(f"format: a spec such as {spec!r} needs a 0-d tensor (a number), and this "
                            f"one has shape {self.shape}; format t.item() of one entry, or t.numpy()")
        return str(self)

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

    neg = negative = __neg__

    def reciprocal(self):
        """1 / x, elementwise."""
        return 1.0 / self

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
        return no_grad_result(self, np.floor_divide(self.data, self._const(other).data))

    def __rfloordiv__(self, other):
        return no_grad_result(self, np.floor_divide(self._const(other).data, self.data))

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
            return ValuesIndices(self.reshape(()), no_grad_result(self, np.zeros(())))
        if self.shape[ax] == 0:
            raise ValueError(f"{name}: dim {dim} of a tensor of shape {self.shape} is empty, so it has "
                             f"no {'minimum' if low else 'maximum'}")
        idx = (np.argmin if low else np.argmax)(self.data, axis=ax, keepdims=True)
        grid = list(np.indices(idx.shape, sparse=True))
        grid[ax] = idx
        values = self[tuple(grid)]
        if not keepdim:
            values, idx = values.squeeze(ax), idx.squeeze(ax)
        return ValuesIndices(values, no_grad_result(self, idx))

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

    def eq(self, other):
        """``self == other`` (PyTorch's ``eq``): a mask."""
        return self._compare(np.equal, other)

    def ne(self, other):
        """``self != other``: a mask."""
        return self._compare(np.not_equal, other)

    def lt(self, other):
        """``self < other``: a mask."""
        return self._compare(np.less, other)

    def le(self, other):
        """``self <= other``: a mask."""
        return self._compare(np.less_equal, other)

    def gt(self, other):
        """``self > other``: a mask."""
        return self._compare(np.greater, other)

    def ge(self, other):
        """``self >= other``: a mask."""
        return self._compare(np.greater_equal, other)

    greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne

    def __invert__(self):
        """~mask, for a bool tensor."""
        if self.data.dtype != bool:
            raise TypeError("~: only a bool tensor (a mask) can be inverted")
        return type(self)(~self.data)

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
        if hasattr(p, "_op") or isinstance(p, np.ndarray):
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

    def erf(self):
        """The error function, elementwise; gradient 2/sqrt(pi) exp(-x**2)."""
        return autograd.record(ops.Erf(), self)

    def _step(self, fn):
        return autograd.record(ops.Step(fn=fn), self)

    def floor(self):
        """Largest integer <= x; gradient 0 (as PyTorch)."""
        return self._step(np.floor)

    def ceil(self):
        """Smallest integer >= x; gradient 0."""
        return self._step(np.ceil)

    def round(self):
        """Nearest integer (ties to even, as numpy and PyTorch); gradient 0."""
        return self._step(np.round)

    def trunc(self):
        """The integer part, toward zero; gradient 0."""
        return self._step(np.trunc)

    fix = trunc

    def sign(self):
        """-1, 0 or 1; gradient 0 (recorded, as PyTorch)."""
        return self._step(np.sign)

    sgn = sign

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

    def norm(self, p="fro", dim=None, keepdim: bool = False, dtype=None, *, axis=None,
             keepdims: bool = False):
        """PyTorch's ``norm``: the ``p``-norm over ``dim`` (all entries by default): ``p="fro"`` or
        2 the Euclidean, 1 the sum of |x|, ``inf`` / ``-inf`` the largest / smallest |x|, 0 the count
        of nonzero entries, any other p ``(sum |x|**p) ** (1/p)``. The gradient is 0 where the norm
        is 0, as PyTorch's (``ops.Norm``)."""
        if p == "fro" or p is None:
            p = 2
        if isinstance(p, str) or not isinstance(p, numbers.Real):
            raise ValueError(f"norm: p must be a number, inf, -inf or 'fro', got {p!r} (the nuclear "
                             f"norm 'nuc' is not implemented)")
        x = self if dtype is None else self.astype(dtype)
        axes = axes_of(dim if axis is None else axis, x.ndim, "norm")
        return autograd.record(ops.Norm(p=float(p), axes=axes, keepdims=keepdim or keepdims), x)

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
            return no_grad_result(self, fn(self.data).reshape((1,) * self.ndim if keepdims else ()))
        ax = _one_axis(axis, self.ndim, fn.__name__)
        return no_grad_result(self, fn(self.data, axis=ax, keepdims=keepdims))

    @both_spellings
    def sort(self, axis=-1, descending: bool = False):
        """``(values, indices)`` sorted along ``axis`` as PyTorch's sort (stable); the values are a
        gather from x, so their gradient goes back to where each came from."""
        ax = _one_axis(axis, self.ndim, "sort")
        if self.ndim == 0:    # as PyTorch: a 0-d tensor sorted is itself, at index 0
            return ValuesIndices(self.reshape(()), no_grad_result(self, np.zeros(())))
        idx = np.argsort(-self.data if descending else self.data, axis=ax, kind="stable")
        grid = list(np.indices(self.shape, sparse=True))
        grid[ax] = idx
        return ValuesIndices(self[tuple(grid)], no_grad_result(self, idx))

    # ------------------------------------------------------------------ PyTorch's other spellings
    def add(self, other, alpha=1.0):
        """``self + alpha * other`` (PyTorch's ``add``)."""
        return self + (other if alpha == 1 else other * alpha)

    def sub(self, other, alpha=1.0):
        """``self - alpha * other``."""
        return self - (other if alpha == 1 else other * alpha)

    subtract = sub

    def mul(self, other):
        """``self * other``."""
        return self * other

    multiply = mul

    def div(self, other, rounding_mode=None):
        """``self / other``; ``rounding_mode="floor"`` is ``self // other`` (no gradient)."""
        if rounding_mode not in (None, "floor"):
            raise ValueError(f"div: rounding_mode must be None or 'floor', got {rounding_mode!r}")
        return self / other if rounding_mode is None else self // other

    divide = true_divide = div

    def clamp_min(self, min):
        """``clamp(min=min)``."""
        return self.clip(min=min)

    def clamp_max(self, max):
        """``clamp(max=max)``."""
        return self.clip(max=max)

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):
        """PyTorch's ``topk``: the ``k`` largest (smallest) entries along ``dim`` and their indices,
        in order (a stable sort, then the first k)."""
        ax = _one_axis(dim, self.ndim, "topk")
        n = self.shape[ax] if self.ndim else 1
        if not isinstance(k, numbers.Integral) or not 0 <= k <= n:
            raise ValueError(f"topk: k must be a whole number in [0, {n}], got {k!r}")
        values, indices = self.sort(ax, descending=largest)
        part = (slice(None),) * ax + (slice(0, k),)
        return ValuesIndices(values[part], indices[part]) if self.ndim else ValuesIndices(values, indices)

    def argsort(self, dim: int = -1, descending: bool = False):
        """The indices that sort x along ``dim`` (stable); no gradient."""
        return self.sort(dim, descending=descending).indices

    def masked_select(self, mask):
        """PyTorch's ``masked_select``: the entries where the bool ``mask`` (broadcast) is True, 1-D."""
        m = np.asarray(mask.data if hasattr(mask, "_op") else mask)
        shape = np.broadcast_shapes(self.shape, m.shape)
        return self.broadcast_to(shape)[np.broadcast_to(m, shape)]

    def nonzero(self, as_tuple: bool = False):
        """The indices of the nonzero entries: an (n, ndim) tensor, or one 1-D tensor per axis."""
        where_ = np.nonzero(self.data)
        if as_tuple:
            return tuple(no_grad_result(self, i) for i in where_)
        return no_grad_result(self, np.stack(where_, axis=-1) if where_ else np.zeros((0, 0)))

    def all(self, dim=None, keepdim: bool = False):
        """True where every entry (along ``dim``) is nonzero; a mask."""
        return type(self)(np.all(self.data, axis=axes_of(dim, self.ndim, "all"), keepdims=keepdim))

    def any(self, dim=None, keepdim: bool = False):
        """True where some entry (along ``dim``) is nonzero; a mask."""
        return type(self)(np.any(self.data, axis=axes_of(dim, self.ndim, "any"), keepdims=keepdim))

    def isnan(self):
        """A mask of the nan entries."""
        return type(self)(np.isnan(self.data))

    def isinf(self):
        """A mask of the infinite entries."""
        return type(self)(np.isinf(self.data))

    def isfinite(self):
        """A mask of the finite entries."""
        return type(self)(np.isfinite(self.data))

    def logical_not(self):
        """``~(x != 0)``: a mask."""
        return type(self)(np.logical_not(self.data))

    def logical_and(self, other):
        """Both nonzero: a mask."""
        return type(self)(np.logical_and(self.data, self._const(other).data))

    def logical_or(self, other):
        """Either nonzero: a mask."""
        return type(self)(np.logical_or(self.data, self._const(other).data))

    def unbind(self, dim: int = 0):
        """The slices along ``dim``, each without that axis."""
        ax = _one_axis(dim, self.ndim, "unbind")
        return tuple(self[(slice(None),) * ax + (i,)] for i in range(self.shape[ax]))

    def ravel(self):
        """``flatten()``."""
        return self.reshape(-1)

    def contiguous(self):
        """The tensor itself (every tensor is a numpy array)."""
        return self

    def is_contiguous(self) -> bool:
        """True, as far as PyTorch code needs to know."""
        return True

    def is_floating_point(self) -> bool:
        """True for float32 and float64 tensors."""
        return self.data.dtype.kind == "f"

    def element_size(self) -> int:
        """The bytes of one entry."""
        return self.data.itemsize

    def type(self, dtype=None):
        """No argument: the type's name as PyTorch writes it (``tinygrad_edu.DoubleTensor``); a dtype:
        ``astype(dtype)``."""
        if dtype is None:
            kind = {"float32": "Float", "float64": "Double", "bool": "Bool"}[self.data.dtype.name]
            return f"tinygrad_edu.{kind}Tensor"
        return self.astype(dtype)

    def new_zeros(self, *size, dtype=None, requires_grad: bool = False):
        """Zeros of ``size``, in this tensor's dtype (or ``dtype``)."""
        return type(self)(np.zeros(_size(size), dtype_of(dtype or self.dtype, "new_zeros")[0]),
                          requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, requires_grad: bool = False):
        """Ones of ``size``, in this tensor's dtype (or ``dtype``)."""
        return type(self)(np.ones(_size(size), dtype_of(dtype or self.dtype, "new_ones")[0]),
                          requires_grad=requires_grad)

    new_empty = new_zeros

    def new_full(self, size, fill_value, dtype=None, requires_grad: bool = False):
        """``fill_value`` everywhere, of ``size``, in this tensor's dtype (or ``dtype``)."""
        return type(self)(np.full(_size((size,)), fill_value, dtype_of(dtype or self.dtype, "new_full")[0]),
                          requires_grad=requires_grad)

    def new_tensor(self, data, dtype=None, requires_grad: bool = False):
        """A copy of ``data`` in this tensor's dtype (or ``dtype``)."""
        dt, whole = dtype_of(dtype or self.dtype, "new_tensor")
        return type(self)(converted(np.array(type(self)(data).data), dt, whole), requires_grad=requires_grad)

    swapdims = property(lambda self: self.swapaxes, doc="``swapaxes``.")
    absolute = property(lambda self: self.abs, doc="``abs``.")
    nelement = property(lambda self: self.numel, doc="``numel``.")
    ndimension = property(lambda self: self.dim, doc="``dim``.")
    nbytes = property(lambda self: self.data.nbytes, doc="The bytes of all entries.")
    itemsize = property(lambda self: self.data.itemsize, doc="The bytes of one entry.")
    is_cpu = property(lambda self: True, doc="True: everything runs on the CPU.")
    grad_fn = property(lambda self: self._op, doc="The op that made this tensor (None for a leaf).")

    # ------------------------------------------------------------------ linear algebra
    def matmul(self, other):
        """``x @ other``."""
        return self @ other

    mm = matmul

    def dot(self, other):
        """``np.dot`` (see ``combining.dot``)."""
        return dot(self, self._const(other))

    def tensordot(self, other, axes=2):
        """``np.tensordot`` (see ``combining.tensordot``)."""
        return tensordot(self, self._const(other), axes)

    def outer(self, other):
        """The outer product of two 1-D tensors: (n,) and (m,) -> (n, m)."""
        other = self._const(other)
        return self.reshape(-1, 1) * other.reshape(1, -1)

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


# PyTorch's Tensor names that ported code reaches for and that are not here: what to write instead.
MISSING = {
    "backward_hook": "register_hook(fn)",
    "masked_scatter": "x.masked_fill(mask, v) for one value, or where(mask, src, x)",
    "index_add": "x.scatter_add(dim, index, src), or x + zeros.index_put",
    "index_fill": "x.masked_fill(mask, value) with a mask built from the index",
    "index_put": "x[index] = values (recorded when grad is involved)",
    "uniform_": "x.copy_(tinygrad_edu.rand(*x.shape) * (b - a) + a) inside no_grad(), or nn.init.uniform_",
    "normal_": "x.copy_(tinygrad_edu.randn(*x.shape) * std + mean) inside no_grad(), or nn.init.normal_",
    "bernoulli": "tinygrad_edu.rand(*x.shape) < p",
    "multinomial": "np.random.choice(n, size, p=probs.numpy())",
    "unique": "np.unique(x.numpy())",
    "bmm": "x @ y (matmul broadcasts over the batch axis)",
    "addmm": "beta * x + alpha * (m1 @ m2)",
    "allclose": "np.allclose(x.numpy(), y.numpy())",
    "logsumexp": "tinygrad_edu.functional.logsumexp(x, dim)",
    "softmax": "tinygrad_edu.functional.softmax(x, dim)",
    "log_softmax": "tinygrad_edu.functional.log_softmax(x, dim)",
    "share_memory_": "nothing: there are no worker processes",
    "pin_memory": "nothing: there is only the CPU",
    "storage": "x.numpy() (the array)",
    "data_ptr": "x.numpy().ctypes.data",
    "apply_": "x.copy_(tinygrad_edu.tensor(np.vectorize(fn)(x.numpy()))) inside no_grad()",
}


class _Missing:
    """A PyTorch name that is not here: reading it raises ``AttributeError`` saying what to write."""

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        raise AttributeError(f"'Tensor' object has no attribute {self.name!r}: PyTorch's "
                             f"{self.name} is not implemented here; write {MISSING[self.name]}",
                             name=self.name, obj=obj)


for _name in MISSING:
    _descriptor = _Missing()
    _descriptor.__set_name__(TensorMethods, _name)
    setattr(TensorMethods, _name, _descriptor)
