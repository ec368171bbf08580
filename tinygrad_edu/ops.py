"""The primitive ops: each a numpy forward, a local gradient, and that gradient's formula as text.

Read one class at a time: ``forward`` computes ``y`` from the inputs and saves what the gradient
needs; ``backward`` receives ``dy`` (dL/dy, the gradient of the loss with respect to this op's output,
shaped like ``y``) and returns one gradient per input, shaped like ``y`` or like the input. When an
input was broadcast, the reverse walk sums the gradient back to the input's shape
(``autograd.unbroadcast``), so no op here has to. ``self.needs[i]`` says whether input ``i`` wants a
gradient at all; an op may return None for one that does not.

Everything else (division, mean, min, sqrt, softmax, the losses) is a composite of these, so its
gradient comes from them for free.
"""
from __future__ import annotations

import numpy as np

from .autograd import Op


def _swap(a: np.ndarray) -> np.ndarray:
    """Transpose the last two axes (the matrix transpose of a batch of matrices)."""
    return a.swapaxes(-1, -2)


# ---------------------------------------------------------------------------------- arithmetic


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

    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, dy):
        if self.a is self.b:       # x * x: both gradients are dy * x, so compute it once
            g = dy * self.a
            return g, g
        return (dy * self.b if self.needs[0] else None,
                dy * self.a if self.needs[1] else None)


class Neg(Op):
    """y = -x"""

    formula = "dx = -dy"

    def forward(self, x):
        return -x

    def backward(self, dy):
        return (-dy,)


class Pow(Op):
    """y = x ** p, with p a constant number"""

    formula = "dx = dy * p * x ** (p - 1)"
    saves = ("x",)

    def __init__(self, p: float):
        self.p = p

    def forward(self, x):
        self.x = x
        return x ** self.p

    def backward(self, dy):
        return (dy * (self.p * self.x ** (self.p - 1)),)

    def describe(self):
        return f"pow(p={self.p:g})"


class MatMul(Op):
    """y = a @ b. Shapes: (n, k) @ (k, m) -> (n, m); batches (..., n, k) @ (..., k, m) broadcast;
    a 1-D operand is a vector, as in ``np.matmul``."""

    formula = "da = dy @ b.T, db = a.T @ dy"
    saves = ("a", "b")

    def forward(self, a, b):
        self.a, self.b = a, b
        return a @ b

    def backward(self, dy):
        a, b = self.a, self.b
        da = db = None
        if a.ndim == 1 and b.ndim == 1:            # (k,) @ (k,) -> ()
            da, db = dy * b, dy * a
        elif a.ndim == 1:                          # (k,) @ (..., k, m) -> (..., m)
            da = (b @ dy[..., None])[..., 0]
            db = a[:, None] * dy[..., None, :] if self.needs[1] else None
        elif b.ndim == 1:                          # (..., n, k) @ (k,) -> (..., n)
            da = dy[..., None] * b if self.needs[0] else None
            db = (_swap(a) @ dy[..., None])[..., 0]
        else:                                      # (..., n, k) @ (..., k, m) -> (..., n, m)
            da = dy @ _swap(b) if self.needs[0] else None
            db = _swap(a) @ dy if self.needs[1] else None
        return da, db


# ---------------------------------------------------------------------------------- elementwise


class ReLU(Op):
    """y = max(x, 0); the gradient at exactly x = 0 is taken as 0 (as in PyTorch)"""

    formula = "dx = dy * (x > 0)"
    saves = ("y",)

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

    def forward(self, x):
        self.y = np.exp(x)
        return self.y

    def backward(self, dy):
        return (dy * self.y,)


class Log(Op):
    """y = log(x) (natural logarithm; x <= 0 gives nan or -inf, found by detect_anomaly)"""

    formula = "dx = dy / x"
    saves = ("x",)

    def forward(self, x):
        self.x = x
        return np.log(x)

    def backward(self, dy):
        return (dy / self.x,)


class Tanh(Op):
    """y = tanh(x)"""

    formula = "dx = dy * (1 - y**2)"
    saves = ("y",)

    def forward(self, x):
        self.y = np.tanh(x)
        return self.y

    def backward(self, dy):
        return (dy * (1 - self.y * self.y),)


class Sigmoid(Op):
    """y = 1 / (1 + exp(-x)), computed as (1 + tanh(x/2)) / 2, which never overflows"""

    formula = "dx = dy * y * (1 - y)"
    saves = ("y",)

    def forward(self, x):
        self.y = 0.5 * (np.tanh(0.5 * x) + 1)
        return self.y

    def backward(self, dy):
        return (dy * self.y * (1 - self.y),)


# ---------------------------------------------------------------------------------- reductions


class _Reduce(Op):
    """Base of the reductions: ``axes`` a tuple of non-negative axes (all of them for axis=None)."""

    def __init__(self, axes, keepdims):
        self.axes, self.keepdims = axes, keepdims

    def _kept(self, dy):
        """``dy`` with the reduced axes put back as size 1, so it broadcasts against ``x``."""
        return dy if self.keepdims else np.expand_dims(dy, self.axes)

    def describe(self):
        axes = self.axes
        axis = None if len(axes) == len(self.shape) else (axes[0] if len(axes) == 1 else axes)
        return f"{self.name}(axis={axis}{', keepdims=True' if self.keepdims else ''})"


class Sum(_Reduce):
    """y = x.sum(axis, keepdims)"""

    formula = "dx = dy broadcast back to x.shape (every x entry gets the dy of its sum)"

    def forward(self, x):
        self.shape = x.shape
        return x.sum(axis=self.axes, keepdims=self.keepdims)

    def backward(self, dy):
        return (np.broadcast_to(self._kept(dy), self.shape),)


class Max(_Reduce):
    """y = x.max(axis, keepdims); ties share the gradient evenly (as torch.amax)"""

    formula = "dx = dy * (x == y) / count(x == y)"
    saves = ("weight",)

    def forward(self, x):
        self.shape = x.shape
        y = x.max(axis=self.axes, keepdims=True)
        mask = x == y
        self.weight = mask / mask.sum(axis=self.axes, keepdims=True)
        return y if self.keepdims else np.squeeze(y, axis=self.axes)

    def backward(self, dy):
        return (self.weight * self._kept(dy),)


# ---------------------------------------------------------------------------------- shape


class Reshape(Op):
    """y = x.reshape(shape)"""

    formula = "dx = dy.reshape(x.shape)"

    def __init__(self, shape):
        self.new_shape = shape

    def forward(self, x):
        self.shape = x.shape
        return x.reshape(self.new_shape)

    def backward(self, dy):
        return (dy.reshape(self.shape),)

    def describe(self):
        return f"reshape{self.new_shape}"


class Transpose(Op):
    """y = x.transpose(axes): axis i of y is axis axes[i] of x"""

    formula = "dx = dy.transpose(argsort(axes))"

    def __init__(self, axes):
        self.axes = axes

    def forward(self, x):
        return x.transpose(self.axes)

    def backward(self, dy):
        return (dy.transpose(np.argsort(self.axes)),)

    def describe(self):
        return f"transpose{self.axes}"


class Index(Op):
    """y = x[index]: basic slices, or integer arrays (e.g. ``scores[np.arange(N), y]``)"""

    formula = "dx = zeros_like(x); dx[index] += dy (repeated indices accumulate)"

    def __init__(self, index, advanced):
        self.index, self.advanced = index, advanced

    def forward(self, x):
        self.shape, self.dtype = x.shape, x.dtype
        return x[self.index]

    def backward(self, dy):
        dx = np.zeros(self.shape, dtype=np.result_type(self.dtype, dy.dtype))
        if self.advanced:
            np.add.at(dx, self.index, dy)   # scatter-add: repeats accumulate
        else:
            dx[self.index] = dy             # a basic index names each entry at most once
        return (dx,)

    def describe(self):
        """e.g. ``index[:, 1:3]`` or ``index[(500,) ints, (500,) ints]``."""
        def part(it):
            if isinstance(it, np.ndarray):
                return f"{it.shape} {'bools' if it.dtype == bool else 'ints'}"
            if isinstance(it, slice):
                text = ":".join("" if v is None else str(v) for v in (it.start, it.stop, it.step))
                return text[:-1] if text.endswith(":") and it.step is None else text
            return "..." if it is Ellipsis else str(it)
        items = self.index if isinstance(self.index, tuple) else (self.index,)
        return f"index[{', '.join(part(it) for it in items)}]"
