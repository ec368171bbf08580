"""Reductions: sum and max (the lesson's), then mean, product, cumulative sum and the p-norms.

``axes`` is a sorted tuple of non-negative axes (all of them for ``axis=None``). A reduction's
gradient is shaped like ``y``; with the reduced axes put back as size 1 it broadcasts against ``x``,
and the walk broadcasts it up to ``x``'s shape (``autograd.unbroadcast``).
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd import Op, WithSettings, apply
from ..formulas import LETTERS, axis_text, indices
from .arithmetic import select
from .elementwise import Abs, Step


def _kept(shape, axes) -> list:
    """``shape`` with the reduced ``axes`` as 1: the shape ``keepdims=True`` gives (beyond the lesson;
    the lesson's sum and max write it out)."""
    return [1 if i in axes else n for i, n in enumerate(shape)]


class _Reduce(WithSettings):
    """What the reductions share: how a call reads and its formula in index notation."""

    def expression(self, names):
        every = hasattr(self, "parents") and len(self.axes) == self.parents[0].ndim
        args = ([] if every else [f"axis={axis_text(self.axes)}"]) + (["keepdims=True"] if self.keepdims else [])
        return f"{names[0]}.{self.name}({', '.join(args)})"

    def explain(self, names, shapes, out, out_shape):
        """``dx[i, j] = dy[i]`` for a sum over axis 1: which dy each entry of x gets."""
        x, nd = names[0], len(shapes[0])
        ix = indices(nd)
        iy = ", ".join("0" if i in self.axes else LETTERS[i] for i in range(nd)) if self.keepdims \
            else indices(nd, skip=self.axes)
        dy = f"dy[{iy}]" if iy else "dy"
        if not ix:
            return [f"d{x} = dy"]
        if self.name == "max":
            yy = f"{out}[{iy}]" if iy else out
            return [f"d{x}[{ix}] = {dy} where {x}[{ix}] == {yy}, else 0 (ties share it)"]
        if self.name == "mean":
            n = 1
            for a in self.axes:
                n *= shapes[0][a]
            return [f"d{x}[{ix}] = {dy} / {n}"]
        if self.name == "sum":
            return [f"d{x}[{ix}] = {dy}"]
        return super().explain(names, shapes, out, out_shape)

    def describe(self):
        """e.g. ``sum(axis=1)``; ``axis=None`` for a reduction over every axis of the input."""
        every = hasattr(self, "parents") and len(self.axes) == self.parents[0].ndim
        axis = None if every else self.axes[0] if len(self.axes) == 1 else self.axes
        return f"{self.name}(axis={axis}{', keepdims=True' if self.keepdims else ''})"


class Sum(_Reduce):
    """y = x.sum(axes, keepdims)"""

    formula = "dx = dy broadcast back to x.shape (every x entry gets the dy of its sum)"

    def forward(self, x):   # (a bool mask's sum counts its True entries, as a float)
        return x.sum(axis=self.axes, keepdims=self.keepdims, dtype=None if x.dtype.kind == "f" else np.float64)

    def backward(self, dy, y, x):
        return (dy.reshape([1 if i in self.axes else n for i, n in enumerate(x.shape)]),)


class Max(_Reduce):
    """y = x.max(axes, keepdims); tied maxima share the gradient evenly (as torch.amax)"""

    formula = "dx = dy * (x == y) / count(x == y)"

    def forward(self, x):
        return x.max(axis=self.axes, keepdims=self.keepdims)

    def refused(self, inputs, error):
        return ValueError(f"max: cannot reduce an empty tensor of shape {inputs[0].shape} over axis "
                          f"{self.axes}: an empty axis has no maximum")

    def backward(self, dy, y, x):
        kept = [1 if i in self.axes else n for i, n in enumerate(x.shape)]   # reduced axes as 1
        mask = x == y.reshape(kept)
        share = dy.reshape(kept) if np.count_nonzero(mask) == y.size else \
            dy.reshape(kept) / mask.sum(axis=self.axes, keepdims=True)   # ties: each gets a share
        return (mask * share,)


# ---------------------------------------------------------------------------------------------
# Beyond the lesson.
# ---------------------------------------------------------------------------------------------


class Mean(_Reduce):
    """y = x.mean(axes, keepdims): the sum divided by the number of entries summed, N"""

    formula = "dx = dy / N broadcast back to x.shape (N entries per mean)"

    def forward(self, x):
        return x.mean(axis=self.axes, keepdims=self.keepdims)

    def backward(self, dy, y, x):
        return (dy.reshape(_kept(x.shape, self.axes)) / math.prod(x.shape[a] for a in self.axes),)


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
    if not hasattr(flat, "_op"):
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
        return apply(Prod(axes=(flat.ndim - 1,), keepdims=True), flat) / flat
    eye = np.eye(n, dtype=flat.dtype)
    grid = flat.reshape(flat.shape[:-1] + (1, n)) * (1 - eye) + eye    # (..., n, n)
    return apply(Prod(axes=(grid.ndim - 1,), keepdims=False), grid)


class Prod(_Reduce):
    """y = x.prod(axes, keepdims). The gradient of each entry is the product of the *others*
    (``_others_along_last``, after moving the reduced axes last and flattening them), so zeros in x
    are handled exactly, in plain numpy and on a graph (``create_graph``) alike"""

    formula = "dx_i = dy * prod_{j != i} x_j"

    def forward(self, x):
        return x.prod(axis=self.axes, keepdims=self.keepdims)

    def backward(self, dy, y, x):
        rest = [a for a in range(x.ndim) if a not in self.axes]
        order = rest + list(self.axes)                               # reduced axes last
        moved = x.transpose(order)
        others = _others_along_last(moved.reshape(moved.shape[:len(rest)] + (-1,)))
        back = [int(a) for a in np.argsort(order)]
        return (others.reshape(moved.shape).transpose(back) * dy.reshape(_kept(x.shape, self.axes)),)


class Cumsum(WithSettings):
    """y = x.cumsum(axis): y_i = x_0 + ... + x_i along ``axis``"""

    formula = "dx = reverse cumsum of dy (dx_i = dy_i + ... + dy_last)"

    def forward(self, x):
        return np.cumsum(x, axis=self.axis)

    def backward(self, dy, y, x):
        rev = (slice(None),) * self.axis + (slice(None, None, -1),)   # reverse along axis
        return (dy[rev].cumsum(axis=self.axis)[rev],)

    def describe(self):
        return f"cumsum(axis={self.axis})"


class Norm(_Reduce):
    """y = ||x||_p over ``axes``: (sum |x|**p) ** (1/p); p = inf / -inf: the largest / smallest |x|;
    p = 0: the number of nonzero entries. Where y = 0 the gradient is 0 (as PyTorch), not 0 / 0"""

    formula = "dx = dy * sign(x) * |x|**(p-1) / y**(p-1), 0 where y = 0; inf: dy * sign(x) at max |x|"

    def forward(self, x):
        a, p, kw = np.abs(x), self.p, dict(axis=self.axes, keepdims=self.keepdims)
        if p == math.inf or p == -math.inf:
            return a.max(**kw) if p > 0 else a.min(**kw)
        if p == 0:
            return (x != 0).sum(dtype=x.dtype, **kw)
        if p == 2:
            return np.sqrt((x * x).sum(**kw))
        if p == 1:
            return a.sum(**kw)
        with np.errstate(divide="ignore"):       # p < 0: a zero entry makes the norm 0, as PyTorch
            return (a ** p).sum(**kw) ** (1.0 / p)

    def backward(self, dy, y, x):
        kept = _kept(x.shape, self.axes)
        yk, dyk, p = y.reshape(kept), dy.reshape(kept), self.p
        sign = apply(Step(fn=np.sign), x)
        if p == 0:
            return (x * 0.0 * dyk,)
        if p == math.inf or p == -math.inf:
            at = apply(Abs(), x) == yk                    # the entries that are the max (min) |x|
            return (sign * at * (dyk / at.sum(axis=self.axes, keepdims=True)),)
        zero = yk == 0
        scale = select(zero, 0.0, dyk / select(zero, 1.0, yk) ** (p - 1))
        if p == 2:
            return (x * scale,)
        part = sign if p == 1 else sign * select(x == 0, 0.0, apply(Abs(), select(x == 0, 1.0, x)) ** (p - 1))
        return (part * scale,)

    def describe(self):
        return f"norm(p={self.p:g}, axis={self.axes}{', keepdims=True' if self.keepdims else ''})"
