"""Elementwise primitives: relu, exp, log (the lesson's), then tanh, sigmoid, abs, the trigonometric
functions, log1p, expm1, log2, log10, clip, cast, the step functions (sign, floor, ...) and erf.

Each multiplies ``dy`` by the local derivative, written with the output ``y`` or the input ``x``.
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd import Op, WithSettings, apply


class ReLU(Op):
    """y = max(x, 0); the gradient at exactly x = 0 is taken as 0 (as in PyTorch). The mask (x > 0)
    is taken as sign(y), which is 1 where x > 0 and 0 elsewhere, already floats: on a small array
    one numpy call instead of a comparison and a cast of bools."""

    formula = "dx = dy * (x > 0)"

    def forward(self, x):
        return np.maximum(x, 0.0)

    def backward(self, dy, y, x):
        return (dy * np.sign(y),)


class Exp(Op):
    """y = exp(x)"""

    formula = "dx = dy * y"

    def forward(self, x):
        return np.exp(x)

    def backward(self, dy, y, x):
        return (dy * y,)


class Log(Op):
    """y = log(x) (natural logarithm; x <= 0 gives nan or -inf, found by detect_anomaly)"""

    formula = "dx = dy / x"

    def forward(self, x):
        return np.log(x)

    def backward(self, dy, y, x):
        return (dy / x,)


# ---------------------------------------------------------------------------------------------
# Beyond the lesson.
# ---------------------------------------------------------------------------------------------


class Tanh(Op):
    """y = tanh(x)"""

    formula = "dx = dy * (1 - y**2)"

    def forward(self, x):
        return np.tanh(x)

    def backward(self, dy, y, x):
        return (dy * (1 - y * y),)


class Sigmoid(Op):
    """y = 1 / (1 + exp(-x)), as exp(min(x, 0)) / (exp(min(x, 0)) + exp(min(-x, 0))): that is
    1 / (1 + e^-x) for x >= 0 and e^x / (e^x + 1) for x < 0. No exp overflows and nothing cancels,
    so y is within a few ulp of the exact value in both tails (never 0 before e^x underflows)."""

    formula = "dx = dy * y * (1 - y)"

    def forward(self, x):
        n = np.exp(np.minimum(x, 0.0))      # e^x for x < 0, else 1
        d = np.exp(np.minimum(-x, 0.0))     # e^-x for x > 0, else 1
        d += n
        n /= d
        return n

    def backward(self, dy, y, x):
        return (dy * y * (1 - y),)


class Abs(Op):
    """y = |x|; the gradient at exactly x = 0 is 0 (as in PyTorch)"""

    formula = "dx = dy * sign(x)"

    def forward(self, x):
        return np.abs(x)

    def backward(self, dy, y, x):
        return (dy * ((x > 0) * 1.0 - (x < 0)),)


class Sin(Op):
    """y = sin(x)"""

    formula = "dx = dy * cos(x)"

    def forward(self, x):
        return np.sin(x)

    def backward(self, dy, y, x):
        return (dy * apply(Cos(), x),)


class Cos(Op):
    """y = cos(x)"""

    formula = "dx = -dy * sin(x)"

    def forward(self, x):
        return np.cos(x)

    def backward(self, dy, y, x):
        return (-dy * apply(Sin(), x),)


class Tan(Op):
    """y = tan(x)"""

    formula = "dx = dy * (1 + y**2)"

    def forward(self, x):
        return np.tan(x)

    def backward(self, dy, y, x):
        return (dy * (1 + y * y),)


class Log1p(Op):
    """y = log(1 + x), accurate for tiny x"""

    formula = "dx = dy / (1 + x)"

    def forward(self, x):
        return np.log1p(x)

    def backward(self, dy, y, x):
        return (dy / (1 + x),)


class Expm1(Op):
    """y = exp(x) - 1, accurate for tiny x"""

    formula = "dx = dy * (y + 1)"

    def forward(self, x):
        return np.expm1(x)

    def backward(self, dy, y, x):
        return (dy * (y + 1),)


class Log2(Op):
    """y = log2(x)"""

    formula = "dx = dy / (x * ln 2)"

    def forward(self, x):
        return np.log2(x)

    def backward(self, dy, y, x):
        return (dy / (x * np.log(2.0)),)


class Log10(Op):
    """y = log10(x)"""

    formula = "dx = dy / (x * ln 10)"

    def forward(self, x):
        return np.log10(x)

    def backward(self, dy, y, x):
        return (dy / (x * np.log(10.0)),)


class Clip(WithSettings):
    """y = min(max(x, lo), hi) (lo or hi may be None); the gradient passes where lo <= x <= hi, ends
    included, as PyTorch's clamp"""

    formula = "dx = dy * (lo <= x <= hi)"

    def forward(self, x):
        return np.clip(x, self.lo, self.hi)

    def backward(self, dy, y, x):
        inside = (x >= (-np.inf if self.lo is None else self.lo)) * (x <= (np.inf if self.hi is None else self.hi))
        return (dy * inside,)

    def describe(self):
        return f"clip({self.lo}, {self.hi})"


class Cast(WithSettings):
    """y = x.astype(dtype), float32 <-> float64; the gradient is cast back"""

    formula = "dx = dy.astype(x.dtype)"

    def forward(self, x):
        return x.astype(self.dtype)

    def backward(self, dy, y, x):
        return (dy.astype(x.dtype),)

    def describe(self):
        return f"cast({np.dtype(self.dtype)})"


class Step(WithSettings):
    """y = fn(x) for a step function ``fn`` (sign, floor, ceil, round, trunc): constant between its
    jumps, so its gradient is 0 everywhere (at a jump too, as PyTorch)"""

    formula = "dx = 0"

    @property
    def name(self):
        return self.fn.__name__

    def forward(self, x):
        return self.fn(x)

    def backward(self, dy, y, x):
        return (dy * 0.0,)


_ERF = np.frompyfunc(math.erf, 1, 1)


class Erf(Op):
    """y = erf(x) = 2/sqrt(pi) * integral of exp(-t**2) from 0 to x (``math.erf`` per entry)"""

    formula = "dx = dy * 2/sqrt(pi) * exp(-x**2)"

    def forward(self, x):
        return np.asarray(_ERF(x), dtype=x.dtype)

    def backward(self, dy, y, x):
        return (dy * (2.0 / math.sqrt(math.pi)) * apply(Exp(), -(x * x)),)
