"""Shape primitives: reshape, transpose, index. Their gradients move entries back where they came from."""
from __future__ import annotations

import numpy as np

from ..autograd import Op


class Reshape(Op):
    """y = x.reshape(shape)"""

    formula = "dx = dy.reshape(x.shape)"

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

    def __init__(self, axes):
        self.axes = axes

    def forward(self, x):
        return x.transpose(self.axes)

    def backward(self, dy):
        return (dy.transpose(np.argsort(self.axes)),)

    def describe(self):
        return f"transpose{self.axes}"


class Index(Op):
    """y = x[index]: basic slices, or integer arrays (e.g. ``scores[np.arange(N), y]``)"""

    formula = "dx = zeros_like(x); dx[index] += dy (repeated indices accumulate)"

    def __init__(self, index, advanced):
        self.index, self.advanced = index, advanced

    def forward(self, x):
        self.shape, self.dtype = x.shape, x.dtype
        return x[self.index]

    def backward(self, dy):
        dx = np.zeros(self.shape, dtype=np.result_type(self.dtype, dy.dtype))
        if self.advanced:
            np.add.at(dx, self.index, dy)   # scatter-add: repeats accumulate
        else:
            dx[self.index] = dy             # a basic index names each entry at most once
        return (dx,)

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
# Further shape primitives (issue 12): concatenate, pad, broadcast_to.
# ---------------------------------------------------------------------------------------------


class Concat(Op):
    """y = concatenate(xs, axis): the inputs side by side along ``axis``"""

    formula = "dx_k = dy[the slice of axis where x_k sits]"

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

    def __init__(self, widths, value=0.0):
        self.widths, self.value = widths, value

    def forward(self, x):
        self.inner = tuple(slice(lo, lo + n) for (lo, _), n in zip(self.widths, x.shape))
        return np.pad(x, self.widths, constant_values=self.value)

    def backward(self, dy):
        return (dy[self.inner],)

    def describe(self):
        return f"pad{tuple(self.widths)}"


class BroadcastTo(Op):
    """y = broadcast_to(x, shape) (a copy): each x entry repeated along the new or size-1 axes"""

    formula = "dx = dy summed over the broadcast axes (the walk's unbroadcast)"

    def __init__(self, shape):
        self.new_shape = shape

    def forward(self, x):
        return np.array(np.broadcast_to(x, self.new_shape))

    def backward(self, dy):
        return (dy,)   # the walk sums it back to x's shape (autograd.unbroadcast)

    def describe(self):
        return f"broadcast_to{self.new_shape}"
