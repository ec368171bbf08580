"""Reductions: sum and max over axes."""
from __future__ import annotations

import numpy as np

from ..autograd import Op
from .shape import expand


class _Reduce(Op):
    """Base of the reductions: ``axes`` a tuple of non-negative axes (all of them for axis=None)."""

    def __init__(self, axes, keepdims):
        self.axes, self.keepdims = axes, keepdims

    def _kept(self, dy):
        """``dy`` with the reduced axes put back as size 1, so it broadcasts against ``x``."""
        if self.keepdims:
            return dy
        return dy.reshape(tuple(1 if i in self.axes else n for i, n in enumerate(self.shape)))

    def describe(self):
        axes = self.axes
        axis = None if len(axes) == len(self.shape) else (axes[0] if len(axes) == 1 else axes)
        return f"{self.name}(axis={axis}{', keepdims=True' if self.keepdims else ''})"


class Sum(_Reduce):
    """y = x.sum(axis, keepdims)"""

    formula = "dx = dy broadcast back to x.shape (every x entry gets the dy of its sum)"
    graph_saves = {}

    def forward(self, x):
        self.shape = x.shape
        return x.sum(axis=self.axes, keepdims=self.keepdims)

    def backward(self, dy):
        return (expand(self._kept(dy), self.shape),)


class Max(_Reduce):
    """y = x.max(axis, keepdims); ties share the gradient evenly (as torch.amax)"""

    formula = "dx = dy * (x == y) / count(x == y)"
    saves = ("weight",)
    graph_saves = {"weight": "const"}   # where the maxima are: constant almost everywhere

    def forward(self, x):
        self.shape = x.shape
        y = x.max(axis=self.axes, keepdims=True)
        mask = x == y
        self.weight = mask / mask.sum(axis=self.axes, keepdims=True)
        return y if self.keepdims else np.squeeze(y, axis=self.axes)

    def backward(self, dy):
        return (self.weight * self._kept(dy),)


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
        self.shape = x.shape
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
