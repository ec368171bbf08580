"""Composite functions built only from Tensor operations: their gradients come from the primitives.

Nothing here has backward code of its own. Each function is a few Tensor ops, so ``loss.backward()``
walks through the same primitives (Max, Sub, Exp, Sum, Log, Index, ReLU, ...) that a learner can read
on the tape, and the gradient of, say, the cross-entropy appears as the combination of theirs.

Shapes follow cs231n: ``scores`` is (N, C), one row of class scores per example; ``y`` is (N,)
integer labels in [0, C). ``y`` may be a numpy integer array, a list or a Tensor holding whole numbers.

Numerical stability (logits as large as +-1e4)
-----------------------------------------------
``exp(1e4)`` overflows, so ``log(sum(exp(x)))`` computed directly gives inf. For any constant m,

    log sum_j exp(x_j) = m + log sum_j exp(x_j - m),

and with m = max_j x_j every exponent is <= 0: the largest term is exp(0) = 1, nothing overflows and
the sum lies in [1, C], so its log is finite. Very negative exponents underflow to exactly 0.0, which
is the correctly rounded float64 value (numpy stays silent about underflow by default).

Why the shift is detached: the identity holds for *every* m, so the result does not depend on m and
the exact derivative through m is zero: d/dm [m + log sum exp(x - m)] = 1 - sum_j softmax(x)_j = 0.
Keeping m = x.max(...) as a live Tensor would be just as correct (its two paths cancel, up to
rounding), but it adds a Max node and two gradient paths that cancel to ~1e-16 on the tape. Treating m
as a constant (computed under ``no_grad``, the same as ``.detach()``) says what the math says, keeps the tape to the ops that matter, and gives
the gradient softmax(x) exactly, ties in the max included.
"""
from __future__ import annotations

import numbers

import numpy as np

from .engine import Tensor, no_grad

__all__ = ["logsumexp", "softmax", "log_softmax", "cross_entropy", "multiclass_hinge", "mse",
           "check_labels"]


def _tensor(x, where: str) -> Tensor:
    """``x`` itself if it is a Tensor, else a constant Tensor of it."""
    if isinstance(x, Tensor):
        return x
    try:
        return Tensor(x)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{where}: expected a Tensor or numeric array, got {type(x).__name__} ({e})") \
            from None


def check_labels(y, n: int, c: int, where: str) -> np.ndarray:
    """Validate labels ``y`` for ``n`` rows of ``c`` class scores; return them as an int array (n,).

    ``y`` may be a numpy integer array, a list of ints or a Tensor of whole numbers. Raises
    ``ValueError`` naming ``where`` and the shapes when ``y`` has the wrong length, is not made of
    integers, or holds a label outside [0, c).
    """
    data = y.data if isinstance(y, Tensor) else y
    head = f"{where}: scores have shape ({n}, {c}), so labels y must be {n} class indices in [0, {c})"
    try:
        arr = np.asarray(data)
    except (TypeError, ValueError):
        raise ValueError(f"{head}; got {type(y).__name__} that is not an array") from None
    if arr.dtype.kind not in "iuf":  # bools, strings, objects
        raise ValueError(f"{head} (integers); got an array of dtype {arr.dtype} and shape {arr.shape}")
    if arr.dtype.kind == "f" and not (np.all(np.isfinite(arr)) and np.all(arr == np.round(arr))):
        raise ValueError(f"{head}; got non-integer values (they must be whole numbers), "
                         f"shape {arr.shape}")
    if arr.shape != (n,):
        raise ValueError(f"{head}, an array of shape ({n},) with one label per row; "
                         f"got shape {arr.shape}")
    arr = arr.astype(np.intp)
    if n and (arr.min() < 0 or arr.max() >= c):
        bad = arr[(arr < 0) | (arr >= c)]
        raise ValueError(f"{head}; got labels {bad[:5].tolist()}{' ...' if bad.size > 5 else ''} "
                         f"outside that range")
    return arr


def _scores_2d(scores, where: str) -> Tensor:
    s = _tensor(scores, where)
    if s.ndim != 2:
        raise ValueError(f"{where}: scores must be 2-D of shape (N, C), one row per example; "
                         f"got shape {s.shape}")
    return s


def logsumexp(x, axis=-1, keepdims: bool = False) -> Tensor:
    """log(sum(exp(x), axis)), computed stably with the max-shift trick.

    ``x`` any shape; ``axis`` an int or a tuple. Returns x's shape without ``axis`` (kept as size 1
    when ``keepdims``). With m = max(x, axis) treated as a constant (see the module docstring):

        lse(x) = m + log sum_j exp(x_j - m),      d lse / d x_j = exp(x_j - lse) = softmax(x)_j
    """
    x = _tensor(x, "logsumexp")
    with no_grad():                                  # m is a constant: the result does not depend on it
        m = x.max(axis, keepdims=True)
    out = (x - m).exp().sum(axis, keepdims=True).log() + m
    if keepdims:
        return out
    return out.reshape(np.squeeze(out.data, axis=axis).shape)


def log_softmax(x, axis=-1) -> Tensor:
    """log softmax(x) = x - logsumexp(x), along ``axis``; same shape as ``x``.

    d/dx_k of log p_j = [j = k] - p_k. Stable: no exp of a large number is ever taken. Written as
    (x - m) - log sum exp(x - m) with m = max(x) a constant, so that the largest entries (x - m near
    0) lose no digits to cancellation against m.
    """
    x = _tensor(x, "log_softmax")
    with no_grad():                                  # m is a constant, as in logsumexp
        m = x.max(axis, keepdims=True)
    z = x - m
    return z - z.exp().sum(axis, keepdims=True).log()


def softmax(x, axis=-1) -> Tensor:
    """p = exp(x - logsumexp(x)) along ``axis``: positive, summing to 1; same shape as ``x``.

    Jacobian: dp_j / dx_k = p_j ([j = k] - p_k).
    """
    return log_softmax(x, axis).exp()


def cross_entropy(scores, y) -> Tensor:
    """Mean softmax cross-entropy: L = (1/N) sum_i -log softmax(s_i)[y_i] = (1/N) sum_i (lse(s_i) - s_{i,y_i}).

    ``scores`` (N, C), ``y`` (N,) integer labels in [0, C). Returns a scalar Tensor. The gradient
    the primitives produce is dL/ds_ij = (p_ij - [j = y_i]) / N.
    """
    s = _scores_2d(scores, "cross_entropy")
    n, c = s.shape
    labels = check_labels(y, n, c, "cross_entropy")
    return -log_softmax(s, axis=1)[np.arange(n), labels].mean()


def multiclass_hinge(scores, y, delta: float = 1.0) -> Tensor:
    """Mean multiclass SVM (hinge) loss: L = (1/N) sum_i sum_{j != y_i} max(0, s_ij - s_{i,y_i} + delta).

    ``scores`` (N, C), ``y`` (N,) integer labels in [0, C), ``delta`` the margin. Returns a scalar
    Tensor. With m_ij = s_ij - s_{i,y_i} + delta, the gradient is dL/ds_ij = [m_ij > 0] / N for
    j != y_i, and dL/ds_{i,y_i} = -(number of j != y_i with m_ij > 0) / N. The correct class's own
    term (always delta) is removed by multiplying with a constant 0/1 mask.
    """
    s = _scores_2d(scores, "multiclass_hinge")
    n, c = s.shape
    labels = check_labels(y, n, c, "multiclass_hinge")
    if not isinstance(delta, numbers.Real):
        raise TypeError(f"multiclass_hinge: delta must be a number, got {type(delta).__name__}")
    rows = np.arange(n)
    correct = s[rows, labels].reshape(n, 1)               # (N, 1): s_{i, y_i}
    margins = (s - correct + float(delta)).relu()          # (N, C)
    others = np.ones((n, c), dtype=s.dtype)
    others[rows, labels] = 0.0                             # drop j = y_i from the sum
    return (margins * others).sum(axis=1).mean()


def mse(pred, target) -> Tensor:
    """Mean squared error (1/n) sum (pred - target)**2 over all n entries, as torch's MSELoss.

    ``pred`` and ``target`` the same shape (Tensors or arrays). dL/dpred = 2 (pred - target) / n.
    """
    p, t = _tensor(pred, "mse"), _tensor(target, "mse")
    if p.shape != t.shape:
        raise ValueError(f"mse: pred has shape {p.shape} but target has shape {t.shape}; they must "
                         f"be equal (reshape one of them)")
    return ((p - t) ** 2).mean()
