"""Elementwise primitives: relu, exp, log, tanh, sigmoid."""
from __future__ import annotations

import numpy as np

from ..autograd import Op


class ReLU(Op):
    """y = max(x, 0); the gradient at exactly x = 0 is taken as 0 (as in PyTorch)

    One speed choice, *the sign mask*: ``backward`` multiplies by ``np.sign(y)``, which is the mask
    (x > 0) as floats already, in one numpy call. ``dy * (y > 0).astype(y.dtype)`` is faster only
    past ~2,000 entries and twice as slow on a (10, 10) array (numpy 2.4); ``np.where`` is no
    faster and takes no Tensor ``dy`` (a gradient of a gradient passes one).
    """

    formula = "dx = dy * (x > 0)"
    __slots__ = saves = ("y",)
    graph_saves = {"y": "const"}   # only its sign is used: a mask, constant almost everywhere
    keeps_output = True

    def forward(self, x):
        self.y = np.maximum(x, 0.0)
        return self.y

    def backward(self, dy):
        return (dy * np.sign(self.y),)     # see "the sign mask"


class Exp(Op):
    """y = exp(x)"""

    formula = "dx = dy * y"
    __slots__ = saves = ("y",)
    graph_saves = {"y": "out"}
    keeps_output = True

    def forward(self, x):
        self.y = np.exp(x)
        return self.y

    def backward(self, dy):
        return (dy * self.y,)


class Log(Op):
    """y = log(x) (natural logarithm; x <= 0 gives nan or -inf, found by detect_anomaly)"""

    formula = "dx = dy / x"
    __slots__ = saves = ("x",)
    graph_saves = {"x": 0}
    keeps = (0,)

    def forward(self, x):
        self.x = x
        return np.log(x)

    def backward(self, dy):
        return (dy / self.x,)


class Tanh(Op):
    """y = tanh(x)"""

    formula = "dx = dy * (1 - y**2)"
    __slots__ = saves = ("y",)
    graph_saves = {"y": "out"}
    keeps_output = True

    def forward(self, x):
        self.y = np.tanh(x)
        return self.y

    def backward(self, dy):
        return (dy * (1 - self.y * self.y),)


class Sigmoid(Op):
    """y = 1 / (1 + exp(-x)), as exp(min(x, 0)) / (exp(min(x, 0)) + exp(min(-x, 0))): that is
    1 / (1 + e^-x) for x >= 0 and e^x / (e^x + 1) for x < 0. No exp overflows and nothing cancels,
    so y is within a few ulp of the exact value in both tails (never 0 before e^x underflows)."""

    formula = "dx = dy * y * (1 - y)"
    __slots__ = saves = ("y",)
    graph_saves = {"y": "out"}
    keeps_output = True

    def forward(self, x):
        n = np.exp(np.minimum(x, 0.0))      # e^x for x < 0, else 1
        d = np.exp(np.minimum(-x, 0.0))     # e^-x for x > 0, else 1
        d += n
        n /= d
        self.y = n
        return n

    def backward(self, dy):
        return (dy * self.y * (1 - self.y),)


# ---------------------------------------------------------------------------------------------
# Further elementwise primitives (issue 12). Each saves its input or output and multiplies ``dy`` by
# the local derivative; ``describe`` is inherited, the formula names the derivative. ``graph_saves``
# says what each saved array is the value of (an input's position, "out", or "const" for a locally
# constant mask), so that a gradient of the gradient can swap in the Tensors; the backward formulas
# use operations that numpy arrays and Tensors both have (``_apply`` calls ``x.cos()`` on a Tensor
# and ``np.cos(x)`` on an array).
# ---------------------------------------------------------------------------------------------


def _apply(name: str, x):
    """``x.<name>()`` for a Tensor, ``np.<name>(x)`` for an array: one formula for both."""
    return getattr(np, name)(x) if isinstance(x, np.ndarray) else getattr(x, name)()


class Abs(Op):
    """y = |x|; the gradient at exactly x = 0 is 0 (as in PyTorch)"""

    formula = "dx = dy * sign(x)"
    __slots__ = saves = ("s",)
    graph_saves = {"s": "const"}

    def forward(self, x):
        self.s = np.sign(x)
        return np.abs(x)

    def backward(self, dy):
        return (dy * self.s,)


class Sin(Op):
    """y = sin(x)"""

    formula = "dx = dy * cos(x)"
    __slots__ = saves = ("x",)
    graph_saves = {"x": 0}

    def forward(self, x):
        self.x = x
        return np.sin(x)

    def backward(self, dy):
        return (dy * _apply("cos", self.x),)


class Cos(Op):
    """y = cos(x)"""

    formula = "dx = -dy * sin(x)"
    __slots__ = saves = ("x",)
    graph_saves = {"x": 0}

    def forward(self, x):
        self.x = x
        return np.cos(x)

    def backward(self, dy):
        return (-dy * _apply("sin", self.x),)


class Tan(Op):
    """y = tan(x)"""

    formula = "dx = dy * (1 + y**2)"
    __slots__ = saves = ("y",)
    graph_saves = {"y": "out"}

    def forward(self, x):
        self.y = np.tan(x)
        return self.y

    def backward(self, dy):
        return (dy * (1 + self.y * self.y),)


class Log1p(Op):
    """y = log(1 + x), accurate for tiny x"""

    formula = "dx = dy / (1 + x)"
    __slots__ = saves = ("x",)
    graph_saves = {"x": 0}

    def forward(self, x):
        self.x = x
        return np.log1p(x)

    def backward(self, dy):
        return (dy / (1 + self.x),)


class Expm1(Op):
    """y = exp(x) - 1, accurate for tiny x"""

    formula = "dx = dy * (y + 1)"
    __slots__ = saves = ("y",)
    graph_saves = {"y": "out"}

    def forward(self, x):
        self.y = np.expm1(x)
        return self.y

    def backward(self, dy):
        return (dy * (self.y + 1),)


class Log2(Op):
    """y = log2(x)"""

    formula = "dx = dy / (x * ln 2)"
    __slots__ = saves = ("x",)
    graph_saves = {"x": 0}

    def forward(self, x):
        self.x = x
        return np.log2(x)

    def backward(self, dy):
        return (dy / (self.x * np.log(2.0)),)


class Log10(Op):
    """y = log10(x)"""

    formula = "dx = dy / (x * ln 10)"
    __slots__ = saves = ("x",)
    graph_saves = {"x": 0}

    def forward(self, x):
        self.x = x
        return np.log10(x)

    def backward(self, dy):
        return (dy / (self.x * np.log(10.0)),)


class Clip(Op):
    """y = min(max(x, lo), hi) (lo or hi may be None); the gradient passes where lo <= x <= hi, ends
    included, as PyTorch's clamp"""

    formula = "dx = dy * (lo <= x <= hi)"
    __slots__ = saves = ("inside",)
    graph_saves = {"inside": "const"}

    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    def forward(self, x):
        inside = np.ones(x.shape, dtype=bool)
        if self.lo is not None:
            inside &= x >= self.lo
        if self.hi is not None:
            inside &= x <= self.hi
        self.inside = inside.astype(x.dtype)
        return np.clip(x, self.lo, self.hi)

    def backward(self, dy):
        return (dy * self.inside,)

    def describe(self):
        return f"clip({self.lo}, {self.hi})"


class Cast(Op):
    """y = x.astype(dtype), float32 <-> float64; the gradient is cast back"""

    formula = "dx = dy.astype(x.dtype)"
    graph_saves = {}

    def __init__(self, dtype):
        self.dtype = np.dtype(dtype)

    def forward(self, x):
        self.in_dtype = x.dtype
        return x.astype(self.dtype)

    def backward(self, dy):
        return (dy.astype(self.in_dtype),)

    def describe(self):
        return f"cast({self.dtype})"
