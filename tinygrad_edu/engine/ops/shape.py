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
        if self.advanced and self._one_array_per_axis():
            return (self._scatter_add_flat(dy),)
        dx = np.zeros(self.shape, dtype=np.result_type(self.dtype, dy.dtype))
        if self.advanced:
            np.add.at(dx, self.index, dy)   # scatter-add: repeats accumulate
        else:
            dx[self.index] = dy             # a basic index names each entry at most once
        return (dx,)

    def _one_array_per_axis(self) -> bool:
        """True for ``x[i0, i1, ...]`` with one integer array per axis of ``x`` (``s[rows, y]``)."""
        idx = self.index
        return (isinstance(idx, tuple) and len(idx) == len(self.shape)
                and all(isinstance(i, np.ndarray) and i.dtype.kind in "iu" for i in idx))

    def _scatter_add_flat(self, dy):
        """The scatter-add of ``backward`` as one histogram: the same sums, about twice as fast.

        ``np.ravel_multi_index`` turns each picked entry's coordinates into its position in the
        flattened ``x`` (``mode="wrap"`` reads negative indices as numpy does); ``np.bincount`` with
        ``dy`` as weights adds every ``dy`` to its position, repeats included, and leaves zeros
        elsewhere, which is ``np.add.at`` on a zero array without its per-element overhead.
        """
        flat = np.ravel_multi_index(self.index, self.shape, mode="wrap")
        dx = np.bincount(flat.ravel(), weights=dy.ravel(), minlength=int(np.prod(self.shape)))
        return dx.reshape(self.shape).astype(np.result_type(self.dtype, dy.dtype), copy=False)

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
