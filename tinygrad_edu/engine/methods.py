"""The Tensor methods beyond the core lesson: PyTorch's and numpy's further operations.

``Tensor`` (``tensor.py``) holds the core lesson: the operators, relu/exp/log/tanh/sigmoid, sum, max,
mean, reshape, transpose and indexing. It inherits everything here from ``TensorMethods``, so the core
still reads in one sitting while ``x.abs()``, ``x.std(dim=0)``, ``x.float()`` or ``x.unsqueeze(1)``
work as a PyTorch user expects. Each method either runs one primitive from ``ops/`` (abs, sin, clamp,
prod, cumsum, concatenate, pad, einsum, ...) or is a composite of other Tensor operations (var, std,
square, flatten, squeeze, tile, flip, roll, trace, tril, ...), whose gradient then comes from the
primitives it is made of.

Both spellings: every reduction and shape method takes numpy's ``axis=`` / ``keepdims=`` and
PyTorch's ``dim=`` / ``keepdim=`` (``torch_spellings`` gives the core's sum, max, min and mean the
same). As in PyTorch, ``x.max(dim=1)`` and ``x.min(dim=1)`` return ``(values, indices)``, while
``x.max(axis=1)`` or ``x.max(1)`` return the values, as numpy does; ``x.amax(dim=1)`` gives the values
in either spelling.

Functions of several tensors (``where``, ``concatenate``, ``stack``, ``einsum``) live here too, as
plain functions; ``creation.py`` exports them at module level in PyTorch's spelling.
"""
from __future__ import annotations

import functools
import numbers
import warnings
from collections import namedtuple

import numpy as np

from . import autograd, ops

ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])
ValuesIndices.__doc__ = "``(values, indices)``, as PyTorch's max(dim=...), min(dim=...) and sort."


# ---------------------------------------------------------------------------------- spellings


def _axes(axis, ndim: int, where: str) -> tuple:
    """Normalize ``axis`` (None, an int or a tuple of ints, negatives allowed) to sorted non-negative
    axes of a tensor with ``ndim`` dimensions; the one place every reduction and shape method checks
    its axes. A 0-d tensor has no axis to name: only ``axis=None`` fits it."""
    if axis is None:
        return tuple(range(ndim))
    if type(axis) is int and 0 <= axis < ndim:     # the common case, valid as it is
        return (axis,)
    items = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    out = []
    for a in items:
        if not isinstance(a, numbers.Integral) or isinstance(a, bool):
            raise TypeError(f"{where}: axis must be None, an int or a tuple of ints; got {axis!r}")
        if not -ndim <= a < ndim:
            raise ValueError(f"{where}: axis {a} is out of range for a tensor of {ndim} dimensions"
                             + (" (a 0-d tensor has no axis: use axis=None)" if ndim == 0 else ""))
        out.append(int(a) % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{where}: axis {axis!r} repeats an axis")
    return tuple(sorted(out))


def _one_axis(axis, ndim: int, where: str) -> int:
    if not isinstance(axis, numbers.Integral):
        raise TypeError(f"{where}: needs a single int axis, got {axis!r}")
    return _axes(axis, ndim, where)[0]


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


def _with_indices(fn, arg):
    """max / min: with PyTorch's ``dim=``, return ``(values, indices)`` as PyTorch does."""
    @functools.wraps(fn)
    def method(self, *args, **kwargs):
        if "dim" not in kwargs:
            return fn(self, *args, **(_rename(fn, kwargs) if kwargs else kwargs))
        kwargs = _rename(fn, kwargs)
        values = fn(self, *args, **kwargs)
        return ValuesIndices(values, getattr(self, arg)(**kwargs))
    return method


def torch_spellings(cls):
    """Class decorator for ``Tensor``: its sum, mean, max and min also take ``dim=`` / ``keepdim=``."""
    for name in ("sum", "mean"):
        setattr(cls, name, both_spellings(cls.__dict__[name]))
    cls.max = _with_indices(cls.__dict__["max"], "argmax")
    cls.min = _with_indices(cls.__dict__["min"], "argmin")
    return cls


# ---------------------------------------------------------------------------------- functions


def _record(op, parents, out):
    return autograd.record(op, tuple(parents), out, type(parents[0]))


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
    op = ops.Where(np.broadcast_to(c, out_shape))
    return _record(op, (a, b), op.forward(a.data, b.data))


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
    op = ops.Concat(ax)
    return _record(op, ts, op.forward(*[t.data for t in ts]))


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
    op = ops.Einsum(labels, out)
    return _record(op, tensors, op.forward(*[t.data for t in tensors]))


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

    __slots__ = ()   # Tensor has __slots__: the mixin must not add a __dict__ to every tensor

    def _op1(self, op):
        return autograd.record(op, (self,), op.forward(self.data), type(self))

    # ------------------------------------------------------------------ dtype
    def astype(self, dtype):
        """A differentiable cast to float32 or float64 (the gradient is cast back)."""
        dt = np.dtype(dtype)
        if dt.kind != "f" or dt.itemsize not in (4, 8):
            raise TypeError(f"astype: a Tensor holds float32 or float64, got dtype {dt}; for other "
                            f"types use .numpy().astype(...)")
        return self if dt == self.dtype else self._op1(ops.Cast(dt))

    def float(self):
        """``astype(float32)``, as PyTorch's ``.float()``."""
        return self.astype(np.float32)

    def double(self):
        """``astype(float64)``, as PyTorch's ``.double()``."""
        return self.astype(np.float64)

    # ------------------------------------------------------------------ elementwise
    def abs(self):
        """|x|; the gradient sign(x) is 0 at 0."""
        return self._op1(ops.Abs())

    def sin(self):
        """sin(x)."""
        return self._op1(ops.Sin())

    def cos(self):
        """cos(x)."""
        return self._op1(ops.Cos())

    def tan(self):
        """tan(x)."""
        return self._op1(ops.Tan())

    def log1p(self):
        """log(1 + x), accurate near 0."""
        return self._op1(ops.Log1p())

    def expm1(self):
        """exp(x) - 1, accurate near 0."""
        return self._op1(ops.Expm1())

    def log2(self):
        """Base-2 logarithm."""
        return self._op1(ops.Log2())

    def log10(self):
        """Base-10 logarithm."""
        return self._op1(ops.Log10())

    def square(self):
        """x * x (composite)."""
        return self * self

    def clip(self, min=None, max=None):
        """Clamp into [min, max] (either may be None); gradient 1 inside, ends included, else 0."""
        if min is None and max is None:
            raise ValueError("clip: give min, max or both")
        return self._op1(ops.Clip(min, max))

    clamp = clip

    def pow(self, p):
        """x ** p with ``p`` a number or a Tensor (broadcasting); the exponent's gradient is
        y * log(x), so x > 0 where it is wanted."""
        if isinstance(p, TensorMethods) or isinstance(p, np.ndarray):
            return self._binary(ops.PowT, p)
        return self ** p

    def __mod__(self, other):
        """x % m: numpy's mod / PyTorch's remainder (the sign of m)."""
        return self._binary(ops.Mod, other)

    def __rmod__(self, other):
        return self._binary(ops.Mod, other, reflected=True)

    remainder = __mod__

    def maximum(self, other):
        """Elementwise max with ``other`` (broadcasting); ties split the gradient evenly."""
        return self._binary(ops.Maximum, other)

    def minimum(self, other):
        """Elementwise min with ``other`` (broadcasting); ties split the gradient evenly."""
        return self._binary(ops.Minimum, other)

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
        return self._op1(ops.Prod(_axes(axis, self.ndim, "prod"), keepdims))

    @both_spellings
    def cumsum(self, axis=None):
        """Running sum along ``axis`` (None: over the flattened tensor, as numpy)."""
        x = self if axis is not None else self.reshape(-1)
        return x._op1(ops.Cumsum(_one_axis(axis if axis is not None else 0, x.ndim, "cumsum")))

    @both_spellings
    def var(self, axis=None, keepdims: bool = False, correction=None, unbiased=None, ddof=None):
        """Variance over ``axis``: sum((x - mean)**2) / (n - correction), composite.

        As PyTorch, ``correction`` defaults to 1 (the unbiased estimate); ``unbiased=False`` or
        ``correction=0`` or numpy's ``ddof=0`` give the population variance.
        """
        given = [c for c in (correction, ddof, None if unbiased is None else int(unbiased))
                 if c is not None]
        corr = given[0] if given else 1
        axes = _axes(axis, self.ndim, "var")
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
        return self.max(axis, keepdims)

    @both_spellings
    def amin(self, axis=None, keepdims: bool = False):
        """Minimum values over ``axis`` in either spelling (PyTorch's ``amin``)."""
        return self.min(axis, keepdims)

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
        axes = _axes(axis, self.ndim, "squeeze") if self.ndim else ()
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
        return self if tuple(shape) == self.shape else self._op1(ops.Expand(tuple(shape)))

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
        axes = _axes(axis, self.ndim, "flip")
        return self[tuple(slice(None, None, -1) if i in axes else slice(None)
                          for i in range(self.ndim))]

    @both_spellings
    def roll(self, shifts, axis=None):
        """Shift entries by ``shifts`` along ``axis`` cyclically (None: the flattened tensor)."""
        if axis is None:
            return self.reshape(-1).roll(shifts, 0).reshape(self.shape)
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
        return self._op1(ops.Pad(tuple(map(tuple, widths.tolist())), value))

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
