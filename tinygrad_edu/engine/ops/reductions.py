"""Reductions: sum and max over axes."""
from __future__ import annotations

import numpy as np

from ..autograd import Op
from .shape import expand


class _Reduce(Op):
    """Base of the reductions: ``axes`` a tuple of non-negative axes (all of them for axis=None).

    ``forward`` records ``shape`` (x's) and ``kept`` (x's shape with the reduced axes set to 1), so
    that ``_kept`` puts the reduced axes back with a plain reshape (no copy, and much cheaper than
    ``np.expand_dims``, which normalizes its axes in Python on every call).
    """

    def __init__(self, axes, keepdims):
        self.axes, self.keepdims = axes, keepdims

    def _shapes(self, x):
        self.shape = x.shape
        kept = list(x.shape)
        for a in self.axes:
            kept[a] = 1
        self.kept = tuple(kept)

    def _kept(self, dy):
        """``dy`` with the reduced axes put back as size 1, so it broadcasts against ``x``."""
        return dy.reshape(self.kept)

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


def _exclusive_cumprod(a):
    """Products of the entries before each one along the last axis (1 for the first)."""
    out = np.ones_like(a)
    np.cumprod(a[..., :-1], axis=-1, out=out[..., 1:])
    return out


class Prod(_Reduce):
    """y = x.prod(axis, keepdims). The gradient of each entry is the product of the *others*, taken
    as (product of those before it) * (product of those after it), so zeros in x are handled
    exactly (dividing y by x would give nan)"""

    formula = "dx_i = dy * prod_{j != i} x_j"
    saves = ("others",)   # a function of x, not declared in graph_saves: no gradient of gradient

    def forward(self, x):
        self._shapes(x)
        rest = [a for a in range(x.ndim) if a not in self.axes]
        moved = x.transpose(rest + list(self.axes))                 # reduced axes last
        flat = moved.reshape(moved.shape[:len(rest)] + (-1,))
        others = _exclusive_cumprod(flat) * _exclusive_cumprod(flat[..., ::-1])[..., ::-1]
        self.others = others.reshape(moved.shape).transpose(np.argsort(rest + list(self.axes)))
        return x.prod(axis=self.axes, keepdims=self.keepdims)

    def backward(self, dy):
        return (self.others * self._kept(dy),)


class Cumsum(Op):
    """y = x.cumsum(axis): y_i = x_0 + ... + x_i along ``axis``"""

    formula = "dx = reverse cumsum of dy (dx_i = dy_i + ... + dy_last)"

    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        return np.cumsum(x, axis=self.axis)

    def backward(self, dy):
        rev = (slice(None),) * self.axis + (slice(None, None, -1),)   # reverse along axis
        return (dy[rev].cumsum(axis=self.axis)[rev],)

    def describe(self):
        return f"cumsum(axis={self.axis})"
