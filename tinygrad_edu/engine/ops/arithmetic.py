"""Arithmetic primitives: add, sub, mul, div, neg, pow.

Read one class at a time: ``forward`` computes ``y`` from the inputs and saves what the gradient
needs; ``backward`` receives ``dy`` (dL/dy, shaped like ``y``) and returns one gradient per input.
When an input was broadcast, the reverse walk sums its gradient back to the input's shape
(``autograd.unbroadcast``), so no op here has to. ``self.needs[i]`` says whether input ``i`` wants a
gradient at all; an op may return None for one that does not."""
from __future__ import annotations

import numpy as np

from ..autograd import Op


class Add(Op):
    """y = a + b (broadcasting)"""

    formula = "da = dy, db = dy"

    def forward(self, a, b):
        return a + b

    def backward(self, dy):
        return dy, dy


class Sub(Op):
    """y = a - b (broadcasting)"""

    formula = "da = dy, db = -dy"

    def forward(self, a, b):
        return a - b

    def backward(self, dy):
        return dy, (-dy if self.needs[1] else None)


class Mul(Op):
    """y = a * b (elementwise, broadcasting)"""

    formula = "da = dy * b, db = dy * a"
    saves = ("a", "b")
    keeps = (0, 1)

    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, dy):
        if self.a is self.b:       # x * x: both gradients are dy * x, so compute it once
            g = dy * self.a
            return g, g
        return (dy * self.b if self.needs[0] else None,
                dy * self.a if self.needs[1] else None)


class Div(Op):
    """y = a / b (elementwise, broadcasting; correctly rounded, as numpy's division)"""

    formula = "da = dy / b, db = -dy * a / b**2"
    saves = ("a", "b")
    keeps = (0, 1)

    def forward(self, a, b):
        self.a, self.b = a, b
        return a / b

    def backward(self, dy):
        da = dy / self.b
        # -dy * a / b**2 written as -(dy / b) * (a / b): b**2 would overflow for |b| > 1e154
        return (da if self.needs[0] else None,
                -da * (self.a / self.b) if self.needs[1] else None)


class Neg(Op):
    """y = -x"""

    formula = "dx = -dy"

    def forward(self, x):
        return -x

    def backward(self, dy):
        return (-dy,)


class Pow(Op):
    """y = x ** p, with p a constant number"""

    formula = "dx = dy * p * x ** (p - 1) (0 when p = 0)"
    saves = ("x",)
    keeps = (0,)

    def __init__(self, p: float):
        self.p = p

    def forward(self, x):
        self.x = x
        return x ** self.p

    def backward(self, dy):
        if self.p == 0:     # x ** 0 is the constant 1, also at x = 0 (where 0 * 0 ** -1 is nan)
            return (np.zeros(np.broadcast_shapes(dy.shape, self.x.shape), dtype=dy.dtype),)
        return (dy * (self.p * self.x ** (self.p - 1)),)

    def describe(self):
        return f"pow(p={self.p:g})"
