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
    graph_saves = {}

    def forward(self, a, b):
        return a + b

    def backward(self, dy):
        return dy, dy


class Sub(Op):
    """y = a - b (broadcasting)"""

    formula = "da = dy, db = -dy"
    graph_saves = {}

    def forward(self, a, b):
        return a - b

    def backward(self, dy):
        return dy, (-dy if self.needs[1] else None)


class Mul(Op):
    """y = a * b (elementwise, broadcasting)"""

    formula = "da = dy * b, db = dy * a"
    __slots__ = saves = ("a", "b")
    graph_saves = {"a": 0, "b": 1}
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
    __slots__ = saves = ("a", "b")
    graph_saves = {"a": 0, "b": 1}
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
    graph_saves = {}

    def forward(self, x):
        return -x

    def backward(self, dy):
        return (-dy,)


class Pow(Op):
    """y = x ** p, with p a constant number"""

    formula = "dx = dy * p * x ** (p - 1) (0 when p = 0)"
    __slots__ = saves = ("x",)
    graph_saves = {"x": 0}
    keeps = (0,)

    def __init__(self, p: float):
        self.p = p

    def forward(self, x):
        self.x = x
        return x ** self.p

    def backward(self, dy):
        if self.p == 0:     # x ** 0 is the constant 1, also at x = 0 (where 0 * 0 ** -1 is nan)
            return (np.zeros_like(dy) if isinstance(dy, np.ndarray) else dy * 0.0,)
        return (dy * (self.p * self.x ** (self.p - 1)),)

    def describe(self):
        return f"pow(p={self.p:g})"


# ---------------------------------------------------------------------------------------------
# Further binary primitives (issue 12): a tensor exponent, remainder, elementwise max / min, where.
# ---------------------------------------------------------------------------------------------


class PowT(Op):
    """y = a ** b with b a tensor too (broadcasting); a > 0 wherever b's gradient is wanted"""

    formula = "da = dy * b * a ** (b - 1), db = dy * y * log(a)"
    saves = ("a", "b", "y")
    graph_saves = {"a": 0, "b": 1, "y": "out"}

    def forward(self, a, b):
        self.a, self.b = a, b
        self.y = a ** b
        return self.y

    def backward(self, dy):
        a, b = self.a, self.b
        da = dy * (b * (a ** (b - 1) if isinstance(a, np.ndarray) else a.pow(b - 1))) \
            if self.needs[0] else None
        if not self.needs[1]:
            return da, None
        if isinstance(a, np.ndarray):
            with np.errstate(divide="ignore", invalid="ignore"):  # log(0) where y = 0: term is 0
                logs = np.where(self.y == 0, 0.0, np.log(np.where(a > 0, a, np.nan)))
        else:
            logs = a.log()
        return da, dy * (self.y * logs)

    def describe(self):
        return "pow(tensor)"


class Mod(Op):
    """y = a mod b = a - b * floor(a / b), the sign of b (numpy's ``mod``, PyTorch's ``remainder``)"""

    formula = "da = dy, db = -dy * floor(a / b)"
    saves = ("q",)
    graph_saves = {"q": "const"}

    def forward(self, a, b):
        self.q = np.floor_divide(a, b)
        return np.mod(a, b)

    def backward(self, dy):
        return dy, (-dy * self.q if self.needs[1] else None)


class Maximum(Op):
    """y = maximum(a, b) elementwise (broadcasting); at ties each input gets half, as PyTorch"""

    formula = "da = dy * ((a > b) + (a == b) / 2), db = dy * ((b > a) + (a == b) / 2)"
    saves = ("wa",)
    graph_saves = {"wa": "const"}
    _wins, _pick = staticmethod(np.greater), staticmethod(np.maximum)   # Minimum: less, minimum

    def forward(self, a, b):
        self.wa = self._wins(a, b) + 0.5 * (a == b)    # a's share of the gradient: 1, 1/2 or 0
        return self._pick(a, b)

    def backward(self, dy):
        return dy * self.wa, dy * (1 - self.wa)


class Minimum(Maximum):
    """y = minimum(a, b) elementwise (broadcasting); at ties each input gets half, as PyTorch"""

    formula = "da = dy * ((a < b) + (a == b) / 2), db = dy * ((b < a) + (a == b) / 2)"
    _wins, _pick = staticmethod(np.less), staticmethod(np.minimum)


class Where(Op):
    """y = a where cond else b (cond a constant bool array; all three broadcast)"""

    formula = "da = dy * cond, db = dy * (1 - cond)"
    saves = ("mask",)
    graph_saves = {"mask": "const"}

    def __init__(self, cond):
        self.cond = cond

    def forward(self, a, b):
        self.mask = self.cond.astype(np.result_type(a, b))
        return np.where(self.cond, a, b)

    def backward(self, dy):
        return (dy * self.mask if self.needs[0] else None,
                dy * (1 - self.mask) if self.needs[1] else None)
