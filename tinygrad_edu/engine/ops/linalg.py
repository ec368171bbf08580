"""Linear algebra primitives: matmul (the lesson's) and einsum.

``db = a.T @ dy`` is computed as ``(dy.T @ a).T``: the same product, whose result numpy's BLAS writes
with the long axis of ``a`` contiguous, up to twice as fast for a wide batch of inputs (timed on the
benchmarks page, docs/benchmarks.md)."""
from __future__ import annotations

import numpy as np

from ..autograd import Op, WithSettings, apply
from ..formulas import summed_back
from .shape import Expand, IndexAdd


class MatMul(Op):
    """y = a @ b. Shapes: (n, k) @ (k, m) -> (n, m); batches (..., n, k) @ (..., k, m) broadcast;
    a 1-D operand is a vector, as in ``np.matmul``: a row (1, k) on the left, a column (k, 1) on
    the right, its axis dropped from y."""

    formula = "da = dy @ b.T, db = a.T @ dy"
    spelling = "{a} @ {b}"
    roles = ("left", "right")

    def forward(self, a, b):
        return a @ b

    def backward(self, dy, y, a, b):
        dy = dy[..., None] if b.ndim == 1 else dy        # y's dropped axes back, as size 1
        dy = dy[..., None, :] if a.ndim == 1 else dy
        rows = a[None, :] if a.ndim == 1 else a          # a vector as a matrix of one row
        cols = b[:, None] if b.ndim == 1 else b          # or of one column
        da = dy @ cols.swapaxes(-1, -2) if self.needs[0] else None
        db = (dy.swapaxes(-1, -2) @ rows).swapaxes(-1, -2) if self.needs[1] else None   # = a.T @ dy
        return (da[..., 0, :] if a.ndim == 1 and da is not None else da,
                db[..., 0] if b.ndim == 1 and db is not None else db)

    def describe(self):
        return "matmul"

    def explain(self, names, shapes, out, out_shape):
        """The formulas for this call's shapes: a 1-D operand's outer product, a batch's sum."""
        (a, b), (sa, sb) = names, shapes
        if len(sa) == 1 and len(sb) == 1:
            grads = [f"dy * {b}", f"dy * {a}"]
        elif len(sa) == 1:
            grads = ([f"{b} @ dy", f"outer({a}, dy)"] if len(sb) == 2 else
                     [summed_back(f"({b} @ dy[..., None])[..., 0]", sa, out_shape[:-1] + sa),
                      f"{a}[:, None] * dy[..., None, :]"])
        elif len(sb) == 1:
            grads = ([f"outer(dy, {b})", f"{a}.T @ dy"] if len(sa) == 2 else
                     [f"dy[..., None] * {b}",
                      summed_back(f"({a}.mT @ dy[..., None])[..., 0]", sb, out_shape[:-1] + sb)])
        elif len(sa) == 2 and len(sb) == 2:
            grads = [f"dy @ {b}.T", f"{a}.T @ dy"]
        else:
            grads = [summed_back(f"dy @ {b}.mT", sa, out_shape[:-2] + sa[-2:]),
                     summed_back(f"{a}.mT @ dy", sb, out_shape[:-2] + sb[-2:])]
        return [f"d{a} = {grads[0]}", f"d{b} = {grads[1]}"]

    def refused(self, inputs, error):
        x, w = (t.data for t in inputs)
        if x.ndim == 0 or w.ndim == 0:
            return ValueError(f"matmul: both operands need at least one dimension, got shapes "
                              f"{x.shape} and {w.shape}; use * to multiply by a scalar")
        k2 = w.shape[-2] if w.ndim > 1 else w.shape[0]
        if x.shape[-1] != k2:
            return ValueError(
                f"matmul: shapes {x.shape} and {w.shape} do not align: the last dimension of the "
                f"first ({x.shape[-1]}) must equal the {'second-to-last' if w.ndim > 1 else 'only'} "
                f"dimension of the second ({k2}). Did you mean to transpose one of them (.T)?")
        return ValueError(f"matmul (batch dimensions): shapes {x.shape[:-2]} and {w.shape[:-2]} "
                          f"cannot be broadcast together")


# ---------------------------------------------------------------------------------------------
# einsum. tensordot, dot, outer and trace are composites of matmul, einsum and index.
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




class Einsum(WithSettings):
    """y = einsum('ij,jk->ik', a, b, ...) with explicit ``labels`` (one string per operand) and
    output labels ``out`` (see ``parse_einsum``). The gradient of operand k is the einsum of dy with
    the other operands onto k's labels: labels summed away in k alone come back by broadcasting,
    repeated labels (a diagonal) by writing onto it. Each step is a primitive (``apply``), so on a
    graph (``create_graph``) einsum's second derivatives are einsums too."""

    formula = "dx_k = einsum(dy, the other operands -> labels of x_k)"

    def forward(self, *xs):
        sizes = {}
        for lab, x in zip(self.labels, xs):
            for c, n in zip(lab, x.shape):
                if sizes.setdefault(c, n) != n:
                    raise ValueError(f"einsum: label {c!r} has sizes {sizes[c]} and {n}; "
                                     f"broadcast the operands to equal sizes first")
        return np.asarray(np.einsum(f"{','.join(self.labels)}->{self.out}", *xs, optimize=True))

    def backward(self, dy, y, *xs):
        return tuple(self._grad(k, dy, xs) if need else None for k, need in enumerate(self.needs))

    def _grad(self, k, dy, xs):
        sizes = {c: n for lab, x in zip(self.labels, xs) for c, n in zip(lab, x.shape)}
        lab = self.labels[k]
        uniq = "".join(dict.fromkeys(lab))
        rest = [i for i in range(len(self.labels)) if i != k]
        seen = self.out + "".join(self.labels[i] for i in rest)
        kept = "".join(c for c in uniq if c in seen)
        g = apply(Einsum(labels=[self.out] + [self.labels[i] for i in rest], out=kept), dy,
                  *[xs[i] for i in rest])
        if kept != uniq:          # labels summed in x_k alone: every entry got the same dy
            g = apply(Expand(shape=tuple(sizes[c] for c in uniq)),
                      g.reshape(tuple(sizes[c] if c in kept else 1 for c in uniq)))
        if uniq == lab:
            return g
        grid = np.indices([sizes[c] for c in uniq], sparse=True)   # a repeated label: write
        index = tuple(grid[uniq.index(c)] for c in lab)            # g onto the diagonal
        return apply(IndexAdd(shape=tuple(sizes[c] for c in lab), index=index), g)

    def describe(self):
        return f"einsum({','.join(self.labels)}->{self.out})"
