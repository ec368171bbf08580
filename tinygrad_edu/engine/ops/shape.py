"""Shape primitives: reshape, transpose, index. Their gradients move entries back where they came from.

Two more are the gradients of others, so that those gradients can be differentiated again
(``create_graph=True``): ``Expand`` (broadcast, the gradient of sum) and ``IndexAdd`` (scatter-add,
the gradient of index). ``expand`` and ``scatter_add`` take an array (plain numpy) or a Tensor (the
recorded op), so one formula serves both."""
from __future__ import annotations

import math

import numpy as np

from ..autograd import Op, apply, unbroadcast


class Reshape(Op):
    """y = x.reshape(shape)"""

    formula = "dx = dy.reshape(x.shape)"
    graph_saves = {}

    def __init__(self, shape):
        self.new_shape = shape

    def forward(self, x):
        self.shape = x.shape
        return x.reshape(self.new_shape)

    def backward(self, dy):
        return (dy.reshape(self.shape),)

    def describe(self):
        return f"reshape{self.new_shape}"


class Transpose(Op):
    """y = x.transpose(axes): axis i of y is axis axes[i] of x"""

    formula = "dx = dy.transpose(argsort(axes))"
    graph_saves = {}

    def __init__(self, axes):
        self.axes = axes

    def forward(self, x):
        return x.transpose(self.axes)

    def backward(self, dy):
        return (dy.transpose(tuple(int(i) for i in np.argsort(self.axes))),)

    def describe(self):
        return f"transpose{self.axes}"


class Index(Op):
    """y = x[index]: basic slices, or integer arrays (e.g. ``scores[np.arange(N), y]``)"""

    formula = "dx = zeros_like(x); dx[index] += dy (repeated indices accumulate)"
    graph_saves = {}

    def __init__(self, index, advanced):
        self.index, self.advanced = index, advanced

    def forward(self, x):
        self.shape, self.dtype = x.shape, x.dtype
        return x[self.index]

    def backward(self, dy):
        return (scatter_add(dy, self.shape, self.index, self.advanced, self.dtype),)

    def describe(self):
        """e.g. ``index[:, 1:3]`` or ``index[(500,) ints, (500,) ints]``."""
        def part(it):
            if isinstance(it, np.ndarray):
                return f"{it.shape} {'bools' if it.dtype == bool else 'ints'}"
            if isinstance(it, slice):
                text = ":".join("" if v is None else str(v) for v in (it.start, it.stop, it.step))
                return text[:-1] if text.endswith(":") and it.step is None else text
            return "..." if it is Ellipsis else str(it)
        items = self.index if isinstance(self.index, tuple) else (self.index,)
        return f"index[{', '.join(part(it) for it in items)}]"


# ---------------------------------------------------------------------------------------------
# Further shape primitives (issue 12): concatenate, pad.
# ---------------------------------------------------------------------------------------------


class Concat(Op):
    """y = concatenate(xs, axis): the inputs side by side along ``axis``"""

    formula = "dx_k = dy[the slice of axis where x_k sits]"
    graph_saves = {}

    def __init__(self, axis):
        self.axis = axis

    def forward(self, *xs):
        self.bounds = np.cumsum([0] + [x.shape[self.axis] for x in xs])
        return np.concatenate(xs, axis=self.axis)

    def backward(self, dy):
        lead = (slice(None),) * self.axis
        return tuple(dy[lead + (slice(int(lo), int(hi)),)] if need else None
                     for lo, hi, need in zip(self.bounds[:-1], self.bounds[1:], self.needs))

    def describe(self):
        return f"concatenate(axis={self.axis})"


class Pad(Op):
    """y = x padded with a constant: ``widths`` one (before, after) pair per axis, as ``np.pad``"""

    formula = "dx = dy[the part of y that holds x]"
    graph_saves = {}

    def __init__(self, widths, value=0.0):
        self.widths, self.value = widths, value

    def forward(self, x):
        self.inner = tuple(slice(lo, lo + n) for (lo, _), n in zip(self.widths, x.shape))
        return np.pad(x, self.widths, constant_values=self.value)

    def backward(self, dy):
        return (dy[self.inner],)

    def describe(self):
        return f"pad{tuple(self.widths)}"


# ----------------------------------------------------------------------------------------------
# The gradients' own primitives, and the helpers that take an array or a Tensor.
# ----------------------------------------------------------------------------------------------


def _is_array(x) -> bool:
    return isinstance(x, (np.ndarray, np.generic))


class Expand(Op):
    """y = broadcast_to(x, shape): copies of x along new leading axes and along axes of size 1"""

    formula = "dx = dy summed back to x.shape (unbroadcast)"
    graph_saves = {}

    def __init__(self, shape):
        self.new_shape = tuple(shape)

    def forward(self, x):
        self.shape = x.shape
        return np.broadcast_to(x, self.new_shape)

    def backward(self, dy):
        return (unbroadcast(dy, self.shape),)

    def describe(self):
        return f"expand{self.new_shape}"


class IndexAdd(Op):
    """y = zeros(shape); y[index] += x, repeated indices accumulating (the gradient of index)"""

    formula = "dx = dy[index]"
    graph_saves = {}

    def __init__(self, shape, index, advanced, dtype):
        self.shape, self.index, self.advanced, self.dtype = shape, index, advanced, dtype

    def forward(self, x):
        if self.advanced and self._one_array_per_axis():
            return self._scatter_add_flat(x)
        y = np.zeros(self.shape, dtype=np.promote_types(self.dtype, x.dtype))
        if self.advanced:
            np.add.at(y, self.index, x)   # scatter-add: repeats accumulate
        else:
            y[self.index] = x             # a basic index names each entry at most once
        return y

    def _one_array_per_axis(self) -> bool:
        """True for ``x[i0, i1, ...]`` with one integer array per axis of ``x`` (``s[rows, y]``)."""
        idx = self.index
        return (isinstance(idx, tuple) and len(idx) == len(self.shape)
                and all(isinstance(i, np.ndarray) and i.dtype.kind in "iu" for i in idx))

    def _scatter_add_flat(self, x):
        """The scatter-add as one histogram: the same sums as ``np.add.at``, about twice as fast.

        ``np.ravel_multi_index`` turns each picked entry's coordinates into its position in the
        flattened ``x`` (``mode="wrap"`` reads negative indices as numpy does); ``np.bincount`` with
        ``x`` as weights adds every ``x`` entry to its position, repeats included, and leaves zeros
        elsewhere, which is ``np.add.at`` on a zero array without its per-element overhead.
        """
        flat = np.ravel_multi_index(self.index, self.shape, mode="wrap")
        dx = np.bincount(flat.ravel(), weights=x.ravel(), minlength=math.prod(self.shape))
        return dx.reshape(self.shape).astype(np.promote_types(self.dtype, x.dtype), copy=False)

    def backward(self, dy):
        return (dy[self.index],)

    def describe(self):
        return f"index_add{self.shape}"


def expand(x, shape):
    """``x`` broadcast to ``shape``: a read-only numpy view for an array, ``Expand`` for a Tensor."""
    return _broadcast_view(x, shape) if _is_array(x) else apply(Expand(shape), x)


def _broadcast_view(a, shape):
    """``np.broadcast_to(a, shape)``, made directly: *the direct broadcast view*.

    ``np.broadcast_to`` checks and normalizes its arguments in Python: a few microseconds, which a
    chain of small ops pays at every ``sum``'s gradient. For a C-contiguous ``a`` whose shape
    broadcasts to ``shape`` (``Sum.backward`` passes ``dy`` with the summed axes kept as 1, or 0-d)
    the same view is one ``np.ndarray`` call over ``a``'s memory, with stride 0 along every
    broadcast axis (the new leading ones and those where ``a`` has size 1), made read-only as
    numpy's is.
    """
    a = np.asarray(a)           # a numpy scalar (a 0-d gradient often is one) becomes 0-d
    if not a.flags.c_contiguous:
        return np.broadcast_to(a, shape)
    if a.size == 1:             # one entry (a 0-d dy, after a sum over all axes): every stride 0
        strides = (0,) * len(shape)
    else:
        strides = (0,) * (len(shape) - a.ndim) + tuple(0 if n == 1 else s
                                                       for n, s in zip(a.shape, a.strides))
    view = np.ndarray(shape, a.dtype, a, 0, strides)
    view.flags.writeable = False
    return view


def scatter_add(x, shape, index, advanced, dtype):
    """zeros(shape) with ``x`` added at ``index``: plain numpy for an array, ``IndexAdd`` for a Tensor."""
    op = IndexAdd(shape, index, advanced, dtype)
    return op.forward(x) if _is_array(x) else apply(op, x)
