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
