"""Reductions: sum and max over axes."""
from __future__ import annotations

import numpy as np

from ..autograd import Op, apply
from .shape import _is_array, expand


class _Reduce(Op):
    """Base of the reductions: ``axes`` a tuple of non-negative axes (all of them for axis=None).

    ``forward`` records ``shape`` (x's); ``_kept`` puts the reduced axes back as size 1 with a plain
    reshape (no copy, and much cheaper than ``np.expand_dims``, which normalizes its axes in Python
    on every call). No reshape at all where none is needed: with ``keepdims`` ``dy`` has that shape
    already, and after a reduction over all axes ``dy`` is 0-d, which broadcasts against ``x`` as
    it is (it often comes as a numpy scalar, whose ``reshape`` costs about half a microsecond). The
    kept shape is worked out there, in backward, only for the reductions that need it.
    """

    def __init__(self, axes, keepdims):
        self.axes, self.keepdims = axes, keepdims

    def _shapes(self, x):
        self.shape = x.shape

    def _kept(self, dy):
        """``dy`` with the reduced axes put back as size 1 (or 0-d), so it broadcasts against ``x``."""
        if self.keepdims or len(self.axes) == len(self.shape):
            return dy
        return dy.reshape([1 if i in self.axes else n for i, n in enumerate(self.shape)])

    def describe(self):
        axes = self.axes
        axis = None if len(axes) == len(self.shape) else (axes[0] if len(axes) == 1 else axes)
        return f"{self.name}(axis={axis}{', keepdims=True' if self.keepdims else ''})"


class Sum(_Reduce):
    """y = x.sum(axis, keepdims)"""

    formula = "dx = dy broadcast back to x.shape (every x entry gets the dy of its sum)"
    graph_saves = {}

    def forward(self, x):
        self._shapes(x)
        return x.sum(axis=self.axes, keepdims=self.keepdims)

    def backward(self, dy):
        return (expand(self._kept(dy), self.shape),)


class Max(_Reduce):
    """y = x.max(axis, keepdims); ties share the gradient evenly (as torch.amax)

    The 0/1 mask of the maxima is built in ``backward``, not in ``forward``: a max taken only to
    shift values (as ``logsumexp`` does under ``no_grad``) then costs one reduction and nothing more.
    """

    formula = "dx = dy * (x == y) / count(x == y)"
    saves = ("x", "y")
    graph_saves = {"x": "const", "y": "const"}   # where the maxima are: constant almost everywhere
    keeps = (0,)                                 # x is saved as it is: version-checked

    def forward(self, x):
        self._shapes(x)
        self.x = x
        self.y = x.max(axis=self.axes, keepdims=True)
        return self.y if self.keepdims else self.y.reshape([n for i, n in enumerate(x.shape)
                                                            if i not in self.axes])

    def backward(self, dy):
        mask = self.x == self.y
        if np.count_nonzero(mask) == self.y.size:   # no ties: each group has exactly one maximum
            return (mask * self._kept(dy),)
        count = mask.sum(axis=self.axes, keepdims=True)
        return (mask * (self._kept(dy) / count),)


# ---------------------------------------------------------------------------------------------
# Further reductions (issue 12): product and cumulative sum.
# ---------------------------------------------------------------------------------------------


GRID_LIMIT = 2 ** 22   # most entries of prod's n x n grid on a graph (32 MiB in float64)


def _others_along_last(flat):
    """Products of all the *other* entries along the last axis (n entries), for each entry.

    For an array: (product of those before it) * (product of those after it), two cumulative
    products, exact with zeros (dividing the whole product by the entry would give nan). For a
    Tensor (a gradient of a gradient, ``create_graph``), the same numbers from recorded operations:
    each entry's row of the n x n grid holds x with that entry replaced by 1, and ``Prod`` of each
    row is the product of the others; exact with zeros too, at the cost of n x n entries. Past
    ``GRID_LIMIT`` entries the graph divides the product by the entry instead, which is exact only
    without zeros: with zeros there, it refuses rather than give nan.
    """
    if _is_array(flat):
        before = np.ones_like(flat)
        np.cumprod(flat[..., :-1], axis=-1, out=before[..., 1:])
        after = np.ones_like(flat)
        np.cumprod(flat[..., :0:-1], axis=-1, out=after[..., -2::-1])
        return before * after
    n = flat.shape[-1]
    if flat.data.size * n > GRID_LIMIT:
        if not np.all(flat.data):
            raise NotImplementedError(
                f"prod: its gradient of a gradient (create_graph=True) over {n} entries per product "
                f"with zeros among them needs a grid of {flat.data.size * n} numbers, more than "
                f"GRID_LIMIT = {GRID_LIMIT} (ops.reductions); without zeros it divides by x. Take "
                f"the product over fewer entries at a time, or raise GRID_LIMIT.")
        return apply(Prod((flat.ndim - 1,), True), flat) / flat
    eye = np.eye(n, dtype=flat.dtype)
    grid = flat.reshape(flat.shape[:-1] + (1, n)) * (1 - eye) + eye    # (..., n, n)
    return apply(Prod((grid.ndim - 1,), False), grid)


class Prod(_Reduce):
    """y = x.prod(axis, keepdims). The gradient of each entry is the product of the *others*
    (``_others_along_last``, after moving the reduced axes last and flattening them), so zeros in x
    are handled exactly, in plain numpy and on a graph (``create_graph``) alike"""

    formula = "dx_i = dy * prod_{j != i} x_j"
    saves = ("x",)
    graph_saves = {"x": 0}

    def forward(self, x):
        self._shapes(x)
        self.x = x
        return x.prod(axis=self.axes, keepdims=self.keepdims)

    def backward(self, dy):
        x = self.x
        rest = [a for a in range(x.ndim) if a not in self.axes]
        order = rest + list(self.axes)                               # reduced axes last
        moved = x.transpose(order)
        others = _others_along_last(moved.reshape(moved.shape[:len(rest)] + (-1,)))
        back = [int(a) for a in np.argsort(order)]
        return (others.reshape(moved.shape).transpose(back) * self._kept(dy),)


class Cumsum(Op):
    """y = x.cumsum(axis): y_i = x_0 + ... + x_i along ``axis``"""

    formula = "dx = reverse cumsum of dy (dx_i = dy_i + ... + dy_last)"
    graph_saves = {}

    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        return np.cumsum(x, axis=self.axis)

    def backward(self, dy):
        rev = (slice(None),) * self.axis + (slice(None, None, -1),)   # reverse along axis
        return (dy[rev].cumsum(axis=self.axis)[rev],)

    def describe(self):
        return f"cumsum(axis={self.axis})"
