"""Linear algebra primitives: matmul."""
from __future__ import annotations

import numpy as np

from ..autograd import Op


def _swap(a: np.ndarray) -> np.ndarray:
    """Transpose the last two axes (the matrix transpose of a batch of matrices)."""
    return a.swapaxes(-1, -2)


class MatMul(Op):
    """y = a @ b. Shapes: (n, k) @ (k, m) -> (n, m); batches (..., n, k) @ (..., k, m) broadcast;
    a 1-D operand is a vector, as in ``np.matmul``."""

    formula = "da = dy @ b.T, db = a.T @ dy"
    saves = ("a", "b")
    keeps = (0, 1)

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
