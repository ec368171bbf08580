"""Composite functions built only from Tensor operations: their gradients come from the primitives.

Nothing here has backward code of its own. Each function is a few Tensor ops, so ``loss.backward()``
walks through the same primitives (Max, Sub, Exp, Sum, Log, Index, ReLU, ...) that a learner can read
on the tape, and the gradient of, say, the cross-entropy appears as the combination of theirs.

Shapes follow cs231n: ``scores`` is (N, C), one row of class scores per example; ``y`` is (N,)
integer labels in [0, C). ``y`` may be a numpy integer array, a list or a Tensor holding whole numbers.

The tensors made along the way carry the names the docstrings below use (``Tensor.name``), so the
diagrams, the trace and the step-through page show them: ``shift``, ``shifted``, ``exps``,
``sum_exps``, ``log_sum``, ``log_probs``, ``correct``, ``margins``, ... A function's result is left
unnamed: it takes the name of the caller's variable.

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

from . import validate
from .engine import Tensor, autograd, no_grad, ops, randomness
from .engine.op_functions import where as tg_where
from .engine.combining import both_spellings

__all__ = ["logsumexp", "softmax", "log_softmax", "cross_entropy", "multiclass_hinge", "mse",
           "check_labels"]


def _named(t: Tensor, name: str) -> Tensor:
    """``t``, made here, with a name for the diagrams (see the module's docstring)."""
    t.name = name
    return t


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
    return validate.labels(y.data if isinstance(y, Tensor) else y, n, c, where)


def _scores_2d(scores, where: str) -> Tensor:
    s = _tensor(scores, where)
    if s.ndim != 2:
        raise ValueError(f"{where}: scores must be 2-D of shape (N, C), one row per example; "
                         f"got shape {s.shape}")
    if s.shape[0] == 0:
        raise ValueError(f"{where}: scores have no rows (shape {s.shape}); the mean over no examples "
                         f"is undefined")
    return s


def _shift(x: Tensor, axis, where: str) -> Tensor:
    """The constant ``shift`` m = max(x, axis) (kept dims) of the max-shift trick; 0 where that max
    is not finite, so a slice of all -inf gives lse = -inf (not nan), as PyTorch. Axis errors name
    ``where``."""
    if x.size == 0:
        raise ValueError(f"{where}: x is empty (shape {x.shape}); there is nothing to sum over")
    with no_grad():                                  # m is a constant: the result does not depend on it
        try:
            m = x.max(axis=axis, keepdims=True).data
        except (TypeError, ValueError) as e:
            raise type(e)(f"{where}: {str(e).replace('max: ', '', 1)}") from None
    return Tensor(np.where(np.isfinite(m), m, 0).astype(m.dtype, copy=False), name="shift")


@both_spellings    # PyTorch's dim= / keepdim= too
def logsumexp(x, axis=-1, keepdims: bool = False) -> Tensor:
    """log(sum(exp(x), axis)), computed stably with the max-shift trick.

    ``x`` any shape; ``axis`` an int or a tuple. Returns x's shape without ``axis`` (kept as size 1
    when ``keepdims``). With m = max(x, axis) treated as a constant (see the module docstring):

        lse(x) = m + log sum_j exp(x_j - m),      d lse / d x_j = exp(x_j - lse) = softmax(x)_j

    On the diagrams: ``shift`` (m), ``shifted`` (x - m), ``exps``, ``sum_exps``, ``log_sum``.

    A slice of all -inf gives -inf; a NaN anywhere in a slice gives NaN there (both as PyTorch).
    """
    return _logsumexp(_tensor(x, "logsumexp"), axis, keepdims, "logsumexp")


def _logsumexp(x: Tensor, axis, keepdims: bool, where: str) -> Tensor:
    m = _shift(x, axis, where)
    shifted = _named(x - m, "shifted")
    exps = _named(shifted.exp(), "exps")
    sums = _named(exps.sum(axis, keepdims=True), "sum_exps")
    out = _named(sums.log(), "log_sum") + m
    if keepdims:
        return out
    return out.reshape(np.squeeze(out.data, axis=axis).shape)


def _log_softmax(x: Tensor, axis, where: str) -> Tensor:
    """(x - m) - log sum exp(x - m): no cancellation near the max. Named ``shift`` (m), ``shifted``,
    ``exps``, ``sum_exps``, ``log_sum``; the result is left for the caller to name."""
    z = _named(x - _shift(x, axis, where), "shifted")
    sums = _named(_named(z.exp(), "exps").sum(axis, keepdims=True), "sum_exps")
    return z - _named(sums.log(), "log_sum")


@both_spellings    # PyTorch's dim= / keepdim= too
def log_softmax(x, axis=-1) -> Tensor:
    """log softmax(x) = x - logsumexp(x), along ``axis``; same shape as ``x``.

    d/dx_k of log p_j = [j = k] - p_k. Stable: no exp of a large number is ever taken. Written as
    (x - m) - log sum exp(x - m) with m = max(x) a constant, so that the largest entries (x - m near
    0) lose no digits to cancellation against m.
    """
    return _log_softmax(_tensor(x, "log_softmax"), axis, "log_softmax")


@both_spellings    # PyTorch's dim= / keepdim= too
def softmax(x, axis=-1) -> Tensor:
    """p = exp(x - logsumexp(x)) along ``axis``: positive, summing to 1; same shape as ``x``.

    Jacobian: dp_j / dx_k = p_j ([j = k] - p_k).
    """
    return _log_softmax(_tensor(x, "softmax"), axis, "softmax").exp()


def cross_entropy(scores, y) -> Tensor:
    """Mean softmax cross-entropy: L = (1/N) sum_i -log softmax(s_i)[y_i] = (1/N) sum_i (lse(s_i) - s_{i,y_i}).

    ``scores`` (N, C), ``y`` (N,) integer labels in [0, C). Returns a scalar Tensor. The gradient
    the primitives produce is dL/ds_ij = (p_ij - [j = y_i]) / N. On the diagrams: the log-softmax's
    tensors (``shifted``, ..., see ``logsumexp``), ``log_probs`` (N, C), ``correct`` (N,), the
    log-probability of each example's correct class, and ``mean_correct``, its mean.
    """
    s = _scores_2d(scores, "cross_entropy")
    n, c = s.shape
    labels = check_labels(y, n, c, "cross_entropy")
    log_probs = _named(_log_softmax(s, 1, "log_softmax"), "log_probs")
    return -_named(_named(log_probs[np.arange(n), labels], "correct").mean(), "mean_correct")


def multiclass_hinge(scores, y, delta: float = 1.0) -> Tensor:
    """Mean multiclass SVM (hinge) loss: L = (1/N) sum_i sum_{j != y_i} max(0, s_ij - s_{i,y_i} + delta).

    ``scores`` (N, C), ``y`` (N,) integer labels in [0, C), ``delta`` the margin. Returns a scalar
    Tensor. With m_ij = s_ij - s_{i,y_i} + delta, the gradient is dL/ds_ij = [m_ij > 0] / N for
    j != y_i, and dL/ds_{i,y_i} = -(number of j != y_i with m_ij > 0) / N. The correct class's own
    term (always delta) is removed by multiplying with a constant 0/1 mask.

    On the diagrams: ``correct`` (N,), each row's correct-class score, ``correct_col`` (N, 1),
    ``diffs`` = scores - correct_col, ``margins`` = diffs + delta, ``hinge`` = max(0, margins),
    ``others`` the constant mask (0 at j = y_i), ``kept`` = hinge * others, ``per_example`` (N,).
    """
    s = _scores_2d(scores, "multiclass_hinge")
    n, c = s.shape
    labels = check_labels(y, n, c, "multiclass_hinge")
    delta = validate.number(delta, "delta", "multiclass_hinge")
    rows = np.arange(n)
    correct = _named(_named(s[rows, labels], "correct").reshape(n, 1), "correct_col")  # s_{i, y_i}
    margins = _named(_named(s - correct, "diffs") + delta, "margins")                  # (N, C)
    others = np.ones((n, c), dtype=s.dtype)
    others[rows, labels] = 0.0                             # drop j = y_i from the sum
    kept = _named(_named(margins.relu(), "hinge") * Tensor(others, name="others"), "kept")
    return _named(kept.sum(axis=1), "per_example").mean()


def mse(pred, target) -> Tensor:
    """Mean squared error (1/n) sum (pred - target)**2 over all n entries, as torch's MSELoss.

    ``pred`` and ``target`` the same shape (Tensors or arrays). dL/dpred = 2 (pred - target) / n.
    """
    p, t = _tensor(pred, "mse"), _tensor(target, "mse")
    if p.shape != t.shape:
        raise ValueError(f"mse: pred has shape {p.shape} but target has shape {t.shape}; they must "
                         f"be equal (reshape one of them)")
    if p.size == 0:
        raise ValueError(f"mse: pred and target are empty (shape {p.shape}); the mean of no entries "
                         f"is undefined")
    return ((p - t) ** 2).mean()


# ---------------------------------------------------------------------------------------------
# For convolutional nets, as torch.nn.functional: activations, padding, convolution,
# pooling, dropout and the norms. All composites of Tensor operations; the one primitive they add is
# ``ops.Unfold`` (the sliding windows, im2col), whose gradient adds each window entry back.
# ---------------------------------------------------------------------------------------------

__all__ += ["leaky_relu", "softplus", "pad", "unfold", "conv2d", "conv1d", "max_pool2d",
            "avg_pool2d", "dropout", "batch_norm", "layer_norm"]


def leaky_relu(x, negative_slope: float = 0.01) -> Tensor:
    """x where x > 0, else negative_slope * x; gradient 1 or negative_slope (negative_slope at 0,
    as PyTorch)."""
    x = _tensor(x, "leaky_relu")
    return tg_where(x.data > 0, x, x * negative_slope)


def softplus(x, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta * x)) / beta, and x itself where beta * x > threshold, as PyTorch.

    The exponent is clipped at ``threshold`` first, so no exp overflows in the branch not taken
    (whose gradient would otherwise be 0 * inf = nan). Gradient: sigmoid(beta * x), or 1 past the
    threshold.
    """
    x = _tensor(x, "softplus")
    z = (x * beta).clip(max=threshold)
    return tg_where(x.data * beta > threshold, x, z.exp().log1p() * (1.0 / beta))


def pad(x, pad, mode: str = "constant", value: float = 0.0) -> Tensor:
    """``torch.nn.functional.pad``: ``pad`` = (last axis before, after, the axis before it: before,
    after, ...), flat pairs of ints from the last axis; a negative width crops that many entries, as
    PyTorch. Constant padding only; ``x.pad`` takes numpy's one (before, after) pair per axis."""
    x = _tensor(x, "pad")
    if mode != "constant":
        raise ValueError(f"pad: only mode='constant' is supported, got {mode!r}")
    flat = list(pad) if isinstance(pad, (tuple, list)) else None
    if flat is None or len(flat) % 2 or len(flat) // 2 > x.ndim or not all(
            isinstance(w, numbers.Integral) and not isinstance(w, bool) for w in flat):
        raise ValueError(f"pad: PyTorch's form is flat pairs of ints from the last axis, (left, right, "
                         f"top, bottom, ...), for at most {x.ndim} axes here; got {pad!r}. For numpy's "
                         f"one (before, after) pair per axis use x.pad(pad_width)")
    pairs = [(0, 0)] * (x.ndim - len(flat) // 2) + [tuple(flat[i:i + 2]) for i in range(0, len(flat), 2)][::-1]
    n = [s + min(b, 0) + min(a, 0) for s, (b, a) in zip(x.shape, pairs)]
    if any(k < 0 for k in n):
        raise ValueError(f"pad: widths {pad!r} crop more than the shape {x.shape} holds")
    if any(b < 0 or a < 0 for b, a in pairs):     # crop first: a slice of what stays
        x = x[tuple(slice(-min(b, 0), s + min(a, 0)) for s, (b, a) in zip(x.shape, pairs))]
    return x.pad([(max(b, 0), max(a, 0)) for b, a in pairs], value=value)


def _pair(v, where: str, name: str) -> tuple:
    v = (v, v) if isinstance(v, numbers.Integral) else tuple(v)
    if len(v) != 2 or not all(isinstance(i, numbers.Integral) for i in v):
        raise ValueError(f"{where}: {name} must be an int or a pair of ints, got {v!r}")
    return tuple(int(i) for i in v)


def _windows(x, kernel, stride, padding, dilation, where: str, value: float = 0.0) -> Tensor:
    """x (N, C, H, W) padded by ``padding`` with ``value`` -> windows (N, C, kh, kw, OH, OW)."""
    x = _tensor(x, where)
    if x.ndim != 4:
        raise ValueError(f"{where}: input must be 4-D (N, C, H, W), got shape {x.shape}")
    (ph, pw), (kh, kw), (dh, dw) = padding, kernel, dilation
    if any(v < 1 for v in kernel + stride + dilation) or ph < 0 or pw < 0:
        raise ValueError(f"{where}: kernel, stride and dilation must be >= 1 and padding >= 0")
    if ph or pw:
        x = x.pad(((0, 0), (0, 0), (ph, ph), (pw, pw)), value=value)
    if x.shape[2] < dh * (kh - 1) + 1 or x.shape[3] < dw * (kw - 1) + 1:
        raise ValueError(f"{where}: the (padded) input {x.shape[2:]} is smaller than the kernel "
                         f"{kernel} with dilation {dilation}")
    return autograd.record(ops.Unfold(kernel=kernel, stride=stride, dilation=dilation), x)


def unfold(x, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """``torch.nn.functional.unfold`` (im2col): x (N, C, H, W) -> (N, C*kh*kw, OH*OW)."""
    k, s = _pair(kernel_size, "unfold", "kernel_size"), _pair(stride, "unfold", "stride")
    w = _windows(x, k, s, _pair(padding, "unfold", "padding"), _pair(dilation, "unfold", "dilation"),
                 "unfold")
    n, c, kh, kw, oh, ow = w.shape
    return w.reshape(n, c * kh * kw, oh * ow)


def _same_padding(kernel, dilation, where):
    pads = [d * (k - 1) for k, d in zip(kernel, dilation)]
    if any(p % 2 for p in pads):
        raise ValueError(f"{where}: padding='same' needs an odd (dilated) kernel here, got "
                         f"kernel {kernel} with dilation {dilation}")
    return tuple(p // 2 for p in pads)


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups: int = 1) -> Tensor:
    """2-D convolution (cross-correlation), as ``torch.nn.functional.conv2d``.

    ``x`` (N, C, H, W), ``weight`` (O, C // groups, kh, kw), ``bias`` (O,) or None; ``padding`` an
    int, a pair or 'same' / 'valid'. Returns (N, O, OH, OW) with OH = (H + 2*ph - dh*(kh-1) - 1) //
    sh + 1. Composite: the windows (``ops.Unfold``, im2col), then one matmul per group:
    out[n, o, p, q] = sum_{c, i, j} w[o, c, i, j] * x[n, c, p*sh + i*dh, q*sw + j*dw].
    """
    x, w = _tensor(x, "conv2d"), _tensor(weight, "conv2d")
    if w.ndim != 4 or x.ndim != 4 or groups < 1 or x.shape[1] != w.shape[1] * groups \
            or w.shape[0] % groups:
        raise ValueError(f"conv2d: input (N, C, H, W) {x.shape} and weight (O, C/groups, kh, kw) "
                         f"{w.shape} do not fit with groups={groups}")
    kernel, dil = w.shape[2:], _pair(dilation, "conv2d", "dilation")
    if isinstance(padding, str):
        if padding not in ("same", "valid") or (padding == "same" and stride not in (1, (1, 1))):
            raise ValueError(f"conv2d: padding must be an int, a pair, 'valid' or 'same' (stride 1), "
                             f"got {padding!r} with stride {stride}")
        padding = _same_padding(kernel, dil, "conv2d") if padding == "same" else 0
    cols = _windows(x, kernel, _pair(stride, "conv2d", "stride"), _pair(padding, "conv2d", "padding"),
                    dil, "conv2d")
    n, c, kh, kw, oh, ow = cols.shape
    g, o = groups, w.shape[0]
    k = c // g * kh * kw
    cols = cols.reshape(n, g, k, oh * ow).transpose(1, 2, 0, 3).reshape(g, k, n * oh * ow)
    if g == 1:     # a plain 2-D matmul: BLAS takes the transposes of its backward as they are
        out = w.reshape(o, k) @ cols.reshape(k, n * oh * ow)
    else:
        out = w.reshape(g, o // g, k) @ cols                             # (g, O/g, N*OH*OW)
    out = out.reshape(o, n, oh, ow).transpose(1, 0, 2, 3)
    if bias is not None:
        out = out + _tensor(bias, "conv2d").reshape(1, o, 1, 1)
    return out


def conv1d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups: int = 1) -> Tensor:
    """1-D convolution, as ``torch.nn.functional.conv1d``: ``x`` (N, C, L), ``weight`` (O, C //
    groups, k); the 2-D convolution of a height-1 image."""
    x, w = _tensor(x, "conv1d"), _tensor(weight, "conv1d")
    if x.ndim != 3 or w.ndim != 3:
        raise ValueError(f"conv1d: input (N, C, L) and weight (O, C/groups, k) must be 3-D, got "
                         f"{x.shape} and {w.shape}")
    pad1 = padding if isinstance(padding, str) else (0, int(padding))
    out = conv2d(x.unsqueeze(2), w.unsqueeze(2), bias, (1, int(stride)), pad1, (1, int(dilation)),
                 groups)
    return out.squeeze(2)


def _pool_args(kernel_size, stride, padding, dilation, where):
    k = _pair(kernel_size, where, "kernel_size")
    s = k if stride is None else _pair(stride, where, "stride")
    p = _pair(padding, where, "padding")
    if p[0] * 2 > k[0] or p[1] * 2 > k[1]:
        raise ValueError(f"{where}: padding {p} must be at most half the kernel {k}")
    return k, s, p, _pair(dilation, where, "dilation")


def max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1) -> Tensor:
    """Max over each window, as ``torch.nn.functional.max_pool2d`` (padding with -inf).

    x (N, C, H, W) -> (N, C, OH, OW); ``stride`` defaults to the kernel size. The gradient goes to
    the first maximal entry of each window, as PyTorch (not split among ties): the windows' argmax
    is found in numpy, and the output is that gather.
    """
    k, s, p, d = _pool_args(kernel_size, stride, padding, dilation, "max_pool2d")
    win = _windows(x, k, s, p, d, "max_pool2d", value=-np.inf)
    n, c, kh, kw, oh, ow = win.shape
    win = win.reshape(n, c, kh * kw, oh, ow)
    first = win.data.argmax(axis=2)                                       # (N, C, OH, OW)
    i, j, a, b = np.indices(first.shape, sparse=True)
    return win[i, j, first, a, b]


def avg_pool2d(x, kernel_size, stride=None, padding=0, count_include_pad: bool = True) -> Tensor:
    """Mean over each window, as ``torch.nn.functional.avg_pool2d`` (zero padding, counted in the
    mean unless ``count_include_pad=False``). x (N, C, H, W) -> (N, C, OH, OW)."""
    k, s, p, d = _pool_args(kernel_size, stride, padding, 1, "avg_pool2d")
    win = _windows(x, k, s, p, d, "avg_pool2d")
    if count_include_pad or p == (0, 0):
        return win.mean(axis=(2, 3))
    with no_grad():                          # how many real (unpadded) entries each window holds
        counts = _windows(np.ones((1, 1) + tuple(np.shape(getattr(x, "data", x))[2:])), k, s, p, d,
                          "avg_pool2d").data.sum(axis=(2, 3))
    return win.sum(axis=(2, 3)) * (1.0 / counts).astype(win.dtype)


def dropout(x, p: float = 0.5, training: bool = True, generator=None, seed=None) -> Tensor:
    """Zero each entry with probability ``p`` and scale the rest by 1 / (1 - p), when ``training``
    (else x itself), as ``torch.nn.functional.dropout``. The mask comes from ``generator`` (a numpy
    Generator or RandomState), ``RandomState(seed)``, or the global generator that ``manual_seed``
    seeds (``engine/randomness.py``); it is a constant, so
    the gradient is dy * mask."""
    x = _tensor(x, "dropout")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: p must be in [0, 1], got {p}")
    if not training or p == 0.0:
        return x
    keep = randomness.uniform(randomness.source(seed, generator, "dropout"), x.shape) >= p
    return x * (keep.astype(x.dtype) * (1.0 / (1.0 - p) if p < 1.0 else 0.0))


def _affine(y, weight, bias, shape, where):
    """``y * weight + bias``, each reshaped to ``shape``; arrays are constants in y's dtype (as
    numbers are), so float32 stays float32."""
    if weight is not None:
        y = y * _like(weight, y, where).reshape(shape)
    if bias is not None:
        y = y + _like(bias, y, where).reshape(shape)
    return y


def _like(a, y, where: str) -> Tensor:
    return a if isinstance(a, Tensor) else _tensor(np.asarray(a, dtype=y.dtype), where)


def batch_norm(x, running_mean, running_var, weight=None, bias=None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Batch normalization, as ``torch.nn.functional.batch_norm``: x (N, C, ...) normalized per
    channel C over the batch and any spatial axes.

    Training: the batch's mean and (biased) variance are used, and ``running_mean`` /
    ``running_var`` (numpy arrays or Tensors of shape (C,), or None) are updated in place:
    running = (1 - momentum) * running + momentum * batch stat, the variance unbiased. Evaluation:
    the running statistics are used as constants. Then ``* weight + bias`` per channel.
    """
    x = _tensor(x, "batch_norm")
    if x.ndim < 2:
        raise ValueError(f"batch_norm: input must be (N, C, ...), got shape {x.shape}")
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    if training:
        mean, var = x.mean(axes, keepdims=True), x.var(axes, keepdims=True, correction=0)
        n = x.size // x.shape[1]
        for run, stat in ((running_mean, mean.data), (running_var, var.data * n / max(n - 1, 1))):
            if run is not None:
                arr = run.data if isinstance(run, Tensor) else run
                arr *= 1 - momentum
                arr += momentum * stat.reshape(-1)
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: evaluation (training=False) needs running_mean and "
                             "running_var")
        mean = np.asarray(getattr(running_mean, "data", running_mean), dtype=x.dtype).reshape(shape)
        var = np.asarray(getattr(running_var, "data", running_var), dtype=x.dtype).reshape(shape)
    y = (x - mean) * (var + eps) ** -0.5
    return _affine(y, weight, bias, shape, "batch_norm")


def layer_norm(x, normalized_shape, weight=None, bias=None, eps: float = 1e-5) -> Tensor:
    """Layer normalization, as ``torch.nn.functional.layer_norm``: each sample normalized over its
    last ``len(normalized_shape)`` axes (mean 0, biased variance 1), then ``* weight + bias``
    (both of shape ``normalized_shape``)."""
    x = _tensor(x, "layer_norm")
    shape = (normalized_shape,) if isinstance(normalized_shape, numbers.Integral) \
        else tuple(normalized_shape)
    if x.shape[x.ndim - len(shape):] != shape:
        raise ValueError(f"layer_norm: the input's last axes {x.shape} must be {shape}")
    axes = tuple(range(x.ndim - len(shape), x.ndim))
    mean, var = x.mean(axes, keepdims=True), x.var(axes, keepdims=True, correction=0)
    y = (x - mean) * (var + eps) ** -0.5
    return _affine(y, weight, bias, shape, "layer_norm")
