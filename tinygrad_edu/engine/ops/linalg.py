"""Linear algebra primitives: matmul."""
from __future__ import annotations

import numpy as np

from ..autograd import Op, apply
from .shape import _is_array, expand, scatter_add


def _swap(a):
    """Transpose the last two axes (the matrix transpose of a batch of matrices); an array or a
    Tensor (whose ``transpose(i, j)`` swaps two axes)."""
    return a.swapaxes(-1, -2) if isinstance(a, np.ndarray) else a.transpose(-1, -2)


class MatMul(Op):
    """y = a @ b. Shapes: (n, k) @ (k, m) -> (n, m); batches (..., n, k) @ (..., k, m) broadcast;
    a 1-D operand is a vector, as in ``np.matmul``.

    One speed choice, *the transposed weight gradient*: for two matrices, ``db = a.T @ dy`` is
    computed as ``(dy.T @ a).T``, the same product (the same sums, perhaps added in another order)
    whose result numpy's BLAS writes with the long axis of ``a`` contiguous. With ``a`` a wide batch
    of inputs (N, D) and few outputs (D >> m), as in a linear layer, that runs up to twice as fast
    (OpenBLAS, X (500, 3073), dy (500, 10): 2.5 ms -> 1.0 ms on a quiet machine, 2 threads);
    ``db`` is then a transposed (Fortran-ordered) view, which numpy treats like any other array.
    ``benchmarks/matmul_layout.py`` times both spellings on the machine at hand. At small shapes it
    is as fast or faster too (the two-layer net on minibatches of 64: h (64, 100), dy (64, 10):
    5.8 -> 4.3 us; X (64, 64), dy (64, 100): 15.0 and 15.6 us, a tie), so there is no shape rule.
    """

    formula = "da = dy @ b.T, db = a.T @ dy"
    __slots__ = saves = ("a", "b")
    graph_saves = {"a": 0, "b": 1}
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
            if not self.needs[1]:
                db = None
            elif a.ndim == 2 and dy.ndim == 2:
                db = (dy.T @ a).T                  # = a.T @ dy, see "the transposed weight gradient"
            else:
                db = _swap(a) @ dy
        return da, db


# ---------------------------------------------------------------------------------------------
# einsum (issue 12). tensordot, dot, outer and trace are composites of matmul, einsum and index.
# ---------------------------------------------------------------------------------------------

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def parse_einsum(subscripts: str, shapes: list) -> tuple[list, str]:
    """Explicit labels for ``np.einsum``'s ``subscripts``: (one label string per operand, output).

    ``...`` becomes letters not used elsewhere (aligned from the right, as broadcasting); without
    ``->`` the output is the ellipsis followed by the labels used once, sorted (numpy's rule).
    """
    text = subscripts.replace(" ", "")
    ins, arrow, out = text.partition("->")
    ins = ins.split(",")
    if len(ins) != len(shapes):
        raise ValueError(f"einsum: {subscripts!r} names {len(ins)} operands, got {len(shapes)}")
    free = [c for c in _LETTERS if c not in text]
    n_ell = max([len(s) - len(i.replace("...", "")) for i, s in zip(ins, shapes) if "..." in i],
                default=0)
    ell = "".join(free[:n_ell])
    labels = []
    for i, s in zip(ins, shapes):
        k = len(s) - len(i.replace("...", ""))
        labels.append(i.replace("...", ell[n_ell - k:] if k else ""))
        if len(labels[-1]) != len(s) or not labels[-1].isalpha():
            raise ValueError(f"einsum: subscripts {i!r} do not fit an operand of shape {s}")
    if not arrow:
        joined = "".join(labels)
        out = ell + "".join(sorted(c for c in set(joined) if joined.count(c) == 1 and c not in ell))
    return labels, out.replace("...", ell)


def _einsum(labels, out, *xs):
    """``np.einsum`` with explicit labels on arrays, the recorded ``Einsum`` on Tensors."""
    if _is_array(xs[0]):
        return np.einsum(f"{','.join(labels)}->{out}", *xs, optimize=True)
    return apply(Einsum(labels, out), *xs)


class Einsum(Op):
    """y = einsum('ij,jk->ik', a, b, ...) with explicit labels (see ``parse_einsum``). The gradient
    of operand k is the einsum of dy with the other operands onto k's labels: labels summed away
    in k alone come back by broadcasting, repeated labels (a diagonal) by writing onto it. Written
    with ``_einsum``, ``expand`` and ``scatter_add``, so the same formula records a graph when
    ``dy`` is a Tensor (``create_graph``): einsum's second derivatives are einsums too."""

    formula = "dx_k = einsum(dy, the other operands -> labels of x_k)"
    saves = ("xs",)
    graph_saves = {"xs": "inputs"}

    def __init__(self, labels, out):
        self.labels, self.out = labels, out
        # every operand's array is saved as it is: version-checked (Op.keeps), however many there are
        self.keeps, self.checked = tuple(range(len(labels))), True

    def forward(self, *xs):
        sizes = {}
        for lab, x in zip(self.labels, xs):
            for c, n in zip(lab, x.shape):
                if sizes.setdefault(c, n) != n:
                    raise ValueError(f"einsum: label {c!r} has sizes {sizes[c]} and {n}; "
                                     f"broadcast the operands to equal sizes first")
        self.xs, self.sizes = xs, sizes
        return np.asarray(_einsum(self.labels, self.out, *xs))

    def backward(self, dy):
        return tuple(self._grad(k, dy) if need else None for k, need in enumerate(self.needs))

    def _grad(self, k, dy):
        lab = self.labels[k]
        uniq = "".join(dict.fromkeys(lab))
        rest = [i for i in range(len(self.labels)) if i != k]
        seen = self.out + "".join(self.labels[i] for i in rest)
        kept = "".join(c for c in uniq if c in seen)
        g = _einsum([self.out] + [self.labels[i] for i in rest], kept, dy, *[self.xs[i] for i in rest])
        if kept != uniq:          # labels summed in x_k alone: every entry got the same dy
            g = expand(g.reshape(tuple(self.sizes[c] if c in kept else 1 for c in uniq)),
                       tuple(self.sizes[c] for c in uniq))
        if uniq == lab:
            return g
        grid = np.indices([self.sizes[c] for c in uniq], sparse=True)   # a repeated label: write
        index = tuple(grid[uniq.index(c)] for c in lab)                 # g onto the diagonal
        return scatter_add(g, tuple(self.sizes[c] for c in lab), index, True, g.dtype)

    def describe(self):
        return f"einsum({','.join(self.labels)}->{self.out})"
