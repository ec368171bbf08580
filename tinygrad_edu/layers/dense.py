"""The dense layers derived by hand, in plain numpy, with the course's names and signatures.

Every layer is a pair: ``X_forward(inputs...) -> (out, cache)`` computes the output and keeps what
the backward pass needs; ``X_backward(dout, cache)`` receives the upstream gradient ``dout =
dL/dout`` (shaped like ``out``) and returns ``dL/dinput`` for each input, by the chain rule
``dL/dx = sum over out of dL/dout * dout/dx``. The losses at the end of a net take the scores and
the labels and return ``(loss, dx)`` directly.

* ``affine_forward(x, w, b)``: x (N, d_1, ..., d_k) is read as N rows of D = d_1 * ... * d_k
  features; w (D, M), b (M,); out (N, M). Backward: (dx shaped like x, dw (D, M), db (M,)).
* ``relu_*``, ``leaky_relu_*``, ``sigmoid_*``, ``tanh_*``: elementwise, any shape.
* ``dropout_forward(x, dropout_param)``: inverted dropout; ``p`` is the probability of *keeping*
  an entry (the course's assignment 2, unlike PyTorch's ``p``, which drops).
* ``softmax_loss(x, y)``, ``svm_loss(x, y)``: x (N, C) scores, y (N,) labels; the mean over rows.

No loops: these layers are vectorized in the course too. Bad input raises an error naming the
function.
"""
from __future__ import annotations

import numpy as np

from .. import validate
from . import _args

__all__ = ["affine_forward", "affine_backward", "relu_forward", "relu_backward",
           "leaky_relu_forward", "leaky_relu_backward", "sigmoid_forward", "sigmoid_backward",
           "tanh_forward", "tanh_backward", "dropout_forward", "dropout_backward", "dropout_mask",
           "softmax_loss", "svm_loss"]


def affine_forward(x, w, b):
    """out = x.reshape(N, D) @ w + b.

    x (N, d_1, ..., d_k), w (D, M) with D = d_1 * ... * d_k, b (M,). Returns ``(out, cache)``, out
    (N, M), cache ``(x, w, b)``.
    """
    where = "affine_forward"
    x, w = _args.floats(x, "x", where), _args.floats(w, "w", where, ndim=2, hint="(D, M)")
    if x.ndim < 1 or int(np.prod(x.shape[1:])) != w.shape[0]:
        raise ValueError(f"{where}: x of shape {x.shape} has D = {int(np.prod(x.shape[1:]))} "
                         f"features per row (the product of all but its first axis), so w must be "
                         f"(D, M) = ({int(np.prod(x.shape[1:]))}, M); got w of shape {w.shape}")
    b = _args.vector(b, "b", where, w.shape[1])
    out = x.reshape(x.shape[0], -1) @ w + b
    return out, (x, w, b)


def affine_backward(dout, cache):
    """dx = dout @ w.T (reshaped like x), dw = x_rows.T @ dout, db = sum of dout over the rows.

    Each out[n, m] = sum_d x[n, d] w[d, m] + b[m], so d out[n, m] / d w[d, m] = x[n, d]: summing
    dout over the N rows that used w gives dw; b is added to every row, so db sums dout over rows.
    Returns ``(dx, dw, db)``, shaped like x, w, b.
    """
    x, w, b = _args.cache(cache, "affine_backward", 3, "affine_forward")
    dout = _args.upstream(dout, (x.shape[0], w.shape[1]), "affine_backward")
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db


def relu_forward(x):
    """out = max(0, x), any shape. Returns ``(out, cache)``, cache = x."""
    x = _args.floats(x, "x", "relu_forward")
    return np.maximum(x, 0), x


def relu_backward(dout, cache):
    """dx = dout where x > 0, else 0 (the gradient at exactly 0 is taken as 0, as PyTorch)."""
    x = _args.floats(cache, "cache", "relu_backward")
    dout = _args.upstream(dout, x.shape, "relu_backward")
    return dout * (x > 0)


def leaky_relu_forward(x, negative_slope: float = 0.01):
    """out = x where x > 0, else negative_slope * x (PyTorch's name for the slope).

    Returns ``(out, cache)``, cache ``(x, negative_slope)``.
    """
    where = "leaky_relu_forward"
    x = _args.floats(x, "x", where)
    slope = validate.number(negative_slope, "negative_slope", where)
    return np.where(x > 0, x, slope * x), (x, slope)


def leaky_relu_backward(dout, cache):
    """dx = dout where x > 0, else negative_slope * dout (the slope at exactly 0, as PyTorch)."""
    x, slope = _args.cache(cache, "leaky_relu_backward", 2, "leaky_relu_forward")
    dout = _args.upstream(dout, x.shape, "leaky_relu_backward")
    return np.where(x > 0, dout, slope * dout)


def sigmoid_forward(x):
    """out = 1 / (1 + exp(-x)), computed without overflow for large |x|. cache = out."""
    x = _args.floats(x, "x", "sigmoid_forward")
    z = np.exp(-np.abs(x))                      # <= 1: no overflow on either side
    out = np.where(x >= 0, 1 / (1 + z), z / (1 + z))
    return out, out


def sigmoid_backward(dout, cache):
    """dx = dout * s * (1 - s), with s = sigmoid(x) the forward's output (the cache)."""
    s = _args.floats(cache, "cache", "sigmoid_backward")
    return _args.upstream(dout, s.shape, "sigmoid_backward") * s * (1 - s)


def tanh_forward(x):
    """out = tanh(x). cache = out."""
    out = np.tanh(_args.floats(x, "x", "tanh_forward"))
    return out, out


def tanh_backward(dout, cache):
    """dx = dout * (1 - t**2), with t = tanh(x) the forward's output (the cache)."""
    t = _args.floats(cache, "cache", "tanh_backward")
    return _args.upstream(dout, t.shape, "tanh_backward") * (1 - t * t)


def dropout_mask(shape, dropout_param, dtype=np.float64, where: str = "dropout_forward"):
    """The inverted-dropout mask: 1/p where an entry is kept (probability p), 0 where it is dropped.

    ``dropout_param['p']`` is the keep probability in (0, 1]; with ``dropout_param['seed']`` the
    draws come from ``np.random.RandomState(seed)`` (the same numbers as the course's
    ``np.random.seed(seed); np.random.rand(...)``, without resetting numpy's global generator);
    without it, from the global generator. Dividing by p keeps the expected output equal to x, so
    the test-time forward is the identity.
    """
    d = _args.param_dict(dropout_param, "dropout_param", where, required=("p",))
    p = validate.number(d["p"], "dropout_param['p'] (the keep probability)", where, low=0, high=1,
                      low_open=True)
    seed = validate.seed(d.get("seed"), where, "dropout_param['seed']")
    rand = np.random.RandomState(seed).rand if seed is not None else np.random.rand
    return ((rand(*shape) < p) / p).astype(dtype, copy=False)


def dropout_forward(x, dropout_param):
    """Inverted dropout. ``dropout_param``: ``p`` (keep probability), ``mode`` ('train' or 'test'),
    optional ``seed``.

    train: out = x * mask with mask = [u < p] / p, u uniform in [0, 1); test: out = x.
    Returns ``(out, cache)``, cache ``(dropout_param, mask)`` (mask None in test mode).
    """
    where = "dropout_forward"
    x = _args.floats(x, "x", where)
    d = _args.param_dict(dropout_param, "dropout_param", where, required=("p", "mode"))
    if _args.mode(d, "dropout_param", where) == "test":
        return x, (d, None)
    mask = dropout_mask(x.shape, d, x.dtype, where)
    return x * mask, (d, mask)


def dropout_backward(dout, cache):
    """train: dx = dout * mask (the same mask, scale included); test: dx = dout."""
    d, mask = _args.cache(cache, "dropout_backward", 2, "dropout_forward")
    dout = _args.floats(dout, "dout", "dropout_backward")
    if mask is None:
        return dout
    return _args.upstream(dout, mask.shape, "dropout_backward") * mask


def _scores_and_labels(x, y, where):
    x = _args.floats(x, "x", where, ndim=2, hint="(N, C), one row of scores per example")
    if x.shape[0] == 0:
        raise ValueError(f"{where}: x has no rows (shape {x.shape}); the mean over no examples is "
                         f"undefined")
    return x, validate.labels(getattr(y, "data", y), x.shape[0], x.shape[1], where)


def softmax_loss(x, y):
    """Softmax cross-entropy of the scores, and its gradient.

    x (N, C), y (N,) labels in [0, C). With p = softmax(x) row by row:
    loss = (1/N) sum_i -log p[i, y_i], dx = (p - onehot(y)) / N. Returns ``(loss, dx)``.
    """
    x, y = _scores_and_labels(x, y, "softmax_loss")
    n = x.shape[0]
    shifted = x - x.max(axis=1, keepdims=True)          # changes neither p nor the loss
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(n), y].mean()
    dx = np.exp(log_p)
    dx[np.arange(n), y] -= 1
    return float(loss), dx / n


def svm_loss(x, y):
    """Multiclass SVM (hinge) loss of the scores, margin 1, and its gradient.

    x (N, C), y (N,) labels in [0, C). With m_ij = max(0, x_ij - x_{i,y_i} + 1) for j != y_i:
    loss = (1/N) sum_ij m_ij; dx_ij = [m_ij > 0] / N, dx_{i,y_i} = -(count of j with m_ij > 0) / N.
    Returns ``(loss, dx)``.
    """
    x, y = _scores_and_labels(x, y, "svm_loss")
    n, rows = x.shape[0], np.arange(x.shape[0])
    margins = np.maximum(0, x - x[rows, y][:, None] + 1.0)
    margins[rows, y] = 0
    positive = (margins > 0).astype(x.dtype)
    positive[rows, y] = -positive.sum(axis=1)
    return float(margins.sum() / n), positive / n
