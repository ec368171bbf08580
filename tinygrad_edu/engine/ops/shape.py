"""Shape primitives: reshape, transpose, index (the lesson's), then concatenate, pad, and the ones
that are the gradients of others: ``Expand`` (broadcast, the gradient of a sum on a graph) and
``IndexAdd`` (scatter-add, the gradient of an index), with ``IndexPut`` (a scatter, for index
assignment). Their gradients move entries back where they came from."""
from __future__ import annotations

import numpy as np

from ..autograd import Op, WithSettings, apply


class Reshape(WithSettings):
    """y = x.reshape(shape)"""

    formula = "dx = dy.reshape(x.shape)"

    def forward(self, x):
        return x.reshape(self.shape)

    def backward(self, dy, y, x):
        return (dy.reshape(x.shape),)

    spelling = "{x}.reshape{shape}"

    def describe(self):
        return f"reshape{tuple(self.shape)}"

    def explain(self, names, shapes, out, out_shape):
        return [f"d{names[0]} = dy.reshape{tuple(shapes[0])}"]

    def refused(self, inputs, error):
        x = inputs[0]
        return ValueError(f"reshape: cannot reshape a tensor of shape {x.shape} ({x.data.size} "
                          f"entries) to {tuple(self.shape)}")


class Transpose(WithSettings):
    """y = x.transpose(axes): axis i of y is axis axes[i] of x"""

    formula = "dx = dy.transpose(argsort(axes))"

    def forward(self, x):
        return x.transpose(self.axes)

    def backward(self, dy, y, x):
        return (dy.transpose(tuple(int(i) for i in np.argsort(self.axes))),)

    def describe(self):
        return f"transpose{tuple(self.axes)}"

    def expression(self, names):
        return f"{names[0]}.T" if len(self.axes) == 2 else f"{names[0]}.transpose{tuple(self.axes)}"

    def explain(self, names, shapes, out, out_shape):
        back = tuple(int(a) for a in np.argsort(self.axes))
        return [f"d{names[0]} = dy.T" if len(back) == 2 else f"d{names[0]} = dy.transpose{back}"]


class Index(WithSettings):
    """y = x[index]: basic slices, or integer arrays (e.g. ``scores[np.arange(N), y]``)"""

    formula = "dx = zeros_like(x); dx[index] += dy (repeated indices accumulate)"

    def forward(self, x):
        return x[self.index]

    def backward(self, dy, y, x):
        return (apply(IndexAdd(shape=x.shape, index=self.index), dy),)

    def describe(self):
        """e.g. ``index[:, 1:3]`` or ``index[(500,) ints, (500,) ints]``."""
        items = self.index if isinstance(self.index, tuple) else (self.index,)
        return f"index[{', '.join(_index_text(it) for it in items)}]"

    def expression(self, names):
        return names[0] + self.describe()[len("index"):]

    def explain(self, names, shapes, out, out_shape):
        x = names[0]
        return [f"d{x} = zeros{tuple(shapes[0])}; d{x}{self.describe()[len('index'):]} += dy"]

    def refused(self, inputs, error):
        for it in self.index if isinstance(self.index, tuple) else (self.index,):
            if isinstance(it, (list, np.ndarray)) and np.asarray(it).dtype.kind not in "iub":
                kind = np.asarray(it).dtype
                return IndexError(f"index: index arrays must hold integers or bools, got {kind} "
                                  f"values" if kind.kind != "f" else
                                  f"index: index arrays must hold integers, got {kind} values")
            if not (it is None or it is Ellipsis or isinstance(it, (slice, int, np.integer, list,
                                                                     np.ndarray))):
                return IndexError(f"index: cannot index with {type(it).__name__} {it!r}")
        return IndexError(f"index: {error} (tensor of shape {inputs[0].shape})")


def _index_text(it) -> str:
    if isinstance(it, (np.ndarray, list)):
        it = np.asarray(it)
        return f"{it.shape} {'bools' if it.dtype == bool else 'ints'}"
    if isinstance(it, slice):
        text = ":".join("" if v is None else str(v) for v in (it.start, it.stop, it.step))
        return text[:-1] if text.endswith(":") and it.step is None else text
    return "..." if it is Ellipsis else str(it)


class IndexAdd(WithSettings):
    """y = zeros(shape); y[index] += x, repeated indices accumulating (the gradient of an index)"""

    formula = "dx = dy[index]"

    def forward(self, x):
        y = np.zeros(self.shape, dtype=x.dtype)
        np.add.at(y, self.index, x)
        return y

    def backward(self, dy, y, x):
        return (dy[self.index],)

    def describe(self):
        return f"index_add{tuple(self.shape)}"


# ---------------------------------------------------------------------------------------------
# Beyond the lesson.
# ---------------------------------------------------------------------------------------------


class IndexPut(WithSettings):
    """y = zeros(shape); y[index] = x: each entry of x written where ``index`` says (where an index
    repeats, the last write wins, as numpy's assignment); the gradient of each entry of x is dy
    where it was written (as PyTorch's scatter and index_put)"""

    formula = "dx = dy[index]"

    def forward(self, x):
        y = np.zeros(self.shape, dtype=x.dtype)
        y[self.index] = x
        return y

    def backward(self, dy, y, x):
        return (dy[self.index],)

    def describe(self):
        return f"index_put{tuple(self.shape)}"


class Expand(WithSettings):
    """y = broadcast_to(x, shape): copies of x along new leading axes and along axes of size 1.
    Its gradient is dy as it stands, which the walk's ``unbroadcast`` sums back over the copies
    (the formula written for a call says the sum)."""

    formula = "dx = dy"

    def forward(self, x):
        return np.broadcast_to(x, self.shape)

    def backward(self, dy, y, x):
        return (dy,)    # the walk sums it back to x's shape

    def describe(self):
        return f"expand{tuple(self.shape)}"


class Concat(WithSettings):
    """y = concatenate(xs, axis): the inputs side by side along ``axis``"""

    formula = "dx_k = dy[the slice of axis where x_k sits]"

    def forward(self, *xs):
        return np.concatenate(xs, axis=self.axis)

    def backward(self, dy, y, *xs):
        bounds = np.cumsum([0] + [x.shape[self.axis] for x in xs])
        lead = (slice(None),) * self.axis
        return tuple(dy[lead + (slice(int(lo), int(hi)),)] if need else None
                     for lo, hi, need in zip(bounds[:-1], bounds[1:], self.needs))

    def describe(self):
        return f"concatenate(axis={self.axis})"


class Pad(WithSettings):
    """y = x padded with a constant: ``widths`` one (before, after) pair per axis, as ``np.pad``"""

    formula = "dx = dy[the part of y that holds x]"

    def forward(self, x):
        return np.pad(x, self.widths, constant_values=self.value)

    def backward(self, dy, y, x):
        return (dy[tuple(slice(lo, lo + n) for (lo, _), n in zip(self.widths, x.shape))],)

    def describe(self):
        return f"pad{tuple(self.widths)}"
