"""Elementwise primitives: relu, exp, log, tanh, sigmoid."""
from __future__ import annotations

import numpy as np

from ..autograd import Op


class ReLU(Op):
    """y = max(x, 0); the gradient at exactly x = 0 is taken as 0 (as in PyTorch)"""

    formula = "dx = dy * (x > 0)"
    saves = ("y",)
    keeps_output = True

    def forward(self, x):
        self.y = np.maximum(x, 0.0)
        return self.y

    def backward(self, dy):
        # (x > 0) as a float array is sign(y): 1 where x > 0, 0 where x <= 0 (a float mask
        # multiplies faster than a bool one)
        return (dy * np.sign(self.y),)


class Exp(Op):
    """y = exp(x)"""

    formula = "dx = dy * y"
    saves = ("y",)
    keeps_output = True

    def forward(self, x):
        self.y = np.exp(x)
        return self.y

    def backward(self, dy):
        return (dy * self.y,)


class Log(Op):
    """y = log(x) (natural logarithm; x <= 0 gives nan or -inf, found by detect_anomaly)"""

    formula = "dx = dy / x"
    saves = ("x",)
    keeps = (0,)

    def forward(self, x):
        self.x = x
        return np.log(x)

    def backward(self, dy):
        return (dy / self.x,)


class Tanh(Op):
    """y = tanh(x)"""

    formula = "dx = dy * (1 - y**2)"
    saves = ("y",)
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
    saves = ("y",)
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
