"""Elementwise primitives: relu, exp, log, tanh, sigmoid."""
from __future__ import annotations

import numpy as np

from ..autograd import Op


class ReLU(Op):
    """y = max(x, 0); the gradient at exactly x = 0 is taken as 0 (as in PyTorch)"""

    formula = "dx = dy * (x > 0)"
    saves = ("y",)
    graph_saves = {"y": "const"}   # only its sign is used: a mask, constant almost everywhere

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
    graph_saves = {"y": "out"}

    def forward(self, x):
        self.y = np.exp(x)
        return self.y

    def backward(self, dy):
        return (dy * self.y,)


class Log(Op):
    """y = log(x) (natural logarithm; x <= 0 gives nan or -inf, found by detect_anomaly)"""

    formula = "dx = dy / x"
    saves = ("x",)
    graph_saves = {"x": 0}

    def forward(self, x):
        self.x = x
        return np.log(x)

    def backward(self, dy):
        return (dy / self.x,)


class Tanh(Op):
    """y = tanh(x)"""

    formula = "dx = dy * (1 - y**2)"
    saves = ("y",)
    graph_saves = {"y": "out"}

    def forward(self, x):
        self.y = np.tanh(x)
        return self.y

    def backward(self, dy):
        return (dy * (1 - self.y * self.y),)


class Sigmoid(Op):
    """y = 1 / (1 + exp(-x)), computed as (1 + tanh(x/2)) / 2, which never overflows"""

    formula = "dx = dy * y * (1 - y)"
    saves = ("y",)
    graph_saves = {"y": "out"}

    def forward(self, x):
        self.y = 0.5 * (np.tanh(0.5 * x) + 1)
        return self.y

    def backward(self, dy):
        return (dy * self.y * (1 - self.y),)
