"""Arithmetic primitives: add, sub, mul (the lesson's), then div, neg, pow, mod, maximum, minimum, where.

Read one class at a time: ``forward`` computes ``y`` from the inputs' values; ``backward`` receives
``dy`` (dL/dy, shaped like ``y``), the output ``y`` and the inputs, and returns one gradient per
input. When an input was broadcast, the walk sums its gradient back to the input's shape
(``autograd.unbroadcast``), so no op here has to. ``self.needs[i]`` says whether input ``i`` wants a
gradient at all; an op may return None for one that does not.
"""
from __future__ import annotations

import operator

import numpy as np

from ..autograd import Op, WithSettings, apply
from .elementwise import Log


class Add(Op):
    """y = a + b (broadcasting)"""

    formula = "da = dy, db = dy"
    spelling = "{a} + {b}"

    def forward(self, a, b):
        return a + b

    def backward(self, dy, y, a, b):
        return dy, dy


class Sub(Op):
    """y = a - b (broadcasting)"""

    formula = "da = dy, db = -dy"
    spelling = "{a} - {b}"
    roles = ("left", "right")

    def forward(self, a, b):
        return a - b

    def backward(self, dy, y, a, b):
        return dy, (-dy if self.needs[1] else None)


class Mul(Op):
    """y = a * b (elementwise, broadcasting)"""

    formula = "da = dy * b, db = dy * a"
    spelling = "{a} * {b}"

    def forward(self, a, b):
        return a * b

    def backward(self, dy, y, a, b):
        if a is b:           # x * x: both parts are dy * x, computed once
            g = dy * a
            return g, g
        return (dy * b if self.needs[0] else None), (dy * a if self.needs[1] else None)


# ---------------------------------------------------------------------------------------------
# Beyond the lesson.
# ---------------------------------------------------------------------------------------------


class Div(Op):
    """y = a / b (elementwise, broadcasting; correctly rounded, as numpy's division)"""

    formula = "da = dy / b, db = -dy * a / b**2"
    spelling = "{a} / {b}"
    roles = ("left", "right")

    def forward(self, a, b):
        return a / b

    def backward(self, dy, y, a, b):
        da = dy / b
        # -dy * a / b**2 as -(dy / b) * (a / b): b**2 would overflow for |b| > 1e154
        return (da if self.needs[0] else None), (-da * (a / b) if self.needs[1] else None)


class Neg(Op):
    """y = -x"""

    formula = "dx = -dy"
    spelling = "-{x}"

    def forward(self, x):
        return -x

    def backward(self, dy, y, x):
        return (-dy,)


class Pow(WithSettings):
    """y = x ** p, with p a constant number; at x = 0 the gradient is its limit (0 for p > 1)"""

    formula = "dx = dy * p * x ** (p - 1)"

    def forward(self, x):
        return x ** self.p

    def backward(self, dy, y, x):
        if self.p == 0:      # x ** 0 is the constant 1, also at x = 0 (where 0 * 0 ** -1 is nan)
            return (dy * 0.0,)
        return (dy * (self.p * x ** (self.p - 1)),)

    spelling = "{x} ** {p:g}"

    def describe(self):
        return f"pow(p={self.p:g})"

    def explain(self, names, shapes, out, out_shape):
        x = names[0]
        if self.p == 2:
            return [f"d{x} = 2 * {x} * dy"]
        return [f"d{x} = {self.p:g} * {x} ** {self.p - 1:g} * dy"]


class PowT(Op):
    """y = a ** b with b a tensor too (broadcasting). Where b = 0, y is the constant 1 and the base
    gets no gradient; where a = 0, the exponent's gradient y * log(a) is 0 (as PyTorch); a < 0 has
    no real logarithm: nan, as PyTorch"""

    formula = "da = dy * b * a ** (b - 1), db = dy * y * log(a)"
    spelling = "{a} ** {b}"
    roles = ("left", "right")

    def forward(self, a, b):
        return a ** b

    def backward(self, dy, y, a, b):
        da = dy * select(b == 0, 0.0, b * select(a == 0, 1.0, a) ** (b - 1)) if self.needs[0] else None
        db = dy * y * select(a == 0, 0.0, apply(Log(), select(a == 0, 1.0, a))) if self.needs[1] else None
        return da, db

    def describe(self):
        return "pow(tensor)"


class Mod(Op):
    """y = a mod b = a - b * floor(a / b), the sign of b (numpy's ``mod``, PyTorch's ``remainder``)"""

    formula = "da = dy, db = -dy * floor(a / b)"
    spelling = "{a} % {b}"
    roles = ("left", "right")

    def forward(self, a, b):
        return np.mod(a, b)

    def backward(self, dy, y, a, b):
        return dy, (-dy * (a // b) if self.needs[1] else None)


class Maximum(Op):
    """y = maximum(a, b) elementwise (broadcasting); at ties each input gets half, as PyTorch"""

    formula = "da = dy * ((a > b) + (a == b) / 2), db = dy * ((b > a) + (a == b) / 2)"
    wins, pick = staticmethod(operator.gt), staticmethod(np.maximum)   # Minimum: lt, minimum

    def forward(self, a, b):
        return self.pick(a, b)

    def backward(self, dy, y, a, b):
        share = self.wins(a, b) + (a == b) * 0.5    # a's share of dy: 1, 1/2 or 0 (a constant)
        return dy * share, dy * (1 - share)


class Minimum(Maximum):
    """y = minimum(a, b) elementwise (broadcasting); at ties each input gets half, as PyTorch"""

    formula = "da = dy * ((a < b) + (a == b) / 2), db = dy * ((b < a) + (a == b) / 2)"
    wins, pick = staticmethod(operator.lt), staticmethod(np.minimum)


class Where(WithSettings):
    """y = a where cond else b (``cond`` a constant bool array; all three broadcast)"""

    formula = "da = dy * cond, db = dy * (1 - cond)"

    def forward(self, a, b):
        return np.where(self.cond, a, b)

    def backward(self, dy, y, a, b):
        return (dy * self.cond if self.needs[0] else None,
                dy * ~self.cond if self.needs[1] else None)


def select(cond, a, b):
    """``np.where(cond, a, b)`` in a gradient formula: on arrays numpy's, on Tensors (a gradient of
    a gradient) the recorded ``Where``; ``cond`` a bool array or bool Tensor (a constant)."""
    cond = cond.data if hasattr(cond, "_op") else np.asarray(cond)
    return apply(Where(cond=cond), a, b)
