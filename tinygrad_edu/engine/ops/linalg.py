"""Linear algebra primitives: matmul."""
from __future__ import annotations

import numpy as np

from ..autograd import Op


def _swap(a: np.ndarray) -> np.ndarray:
    """Transpose the last two axes (the matrix transpose of a batch of matrices)."""
    return a.swapaxes(-1, -2)


class MatMul(Op):
    """y = a @ b. Shapes: (n, k) @ (k, m) -> (n, m); batches (..., n, k) @ (..., k, m) broadcast;
    a 1-D operand is a vector, as in ``np.matmul``.

    One speed choice, *the transposed weight gradient*: for two matrices, ``db = a.T @ dy`` is
    computed as ``(dy.T @ a).T``, the same product (the same sums, perhaps added in another order)
    whose result numpy's BLAS writes with the long axis of ``a`` contiguous. With ``a`` a wide batch
    of inputs (N, D) and few outputs (D >> m), as in a linear layer, that runs up to twice as fast
    (OpenBLAS, X (500, 3073), dy (500, 10): 2.5 ms -> 1.0 ms on a quiet machine, 2 threads);
    ``db`` is then a transposed (Fortran-ordered) view, which numpy treats like any other array.
    ``benchmarks/matmul_layout.py`` times both spellings on the machine at hand.
    """

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
            if not self.needs[1]:
                db = None
            elif a.ndim == 2 and dy.ndim == 2:
                db = (dy.T @ a).T                  # = a.T @ dy, see "the transposed weight gradient"
            else:
                db = _swap(a) @ dy
        return da, db
