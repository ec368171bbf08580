"""The layers as graphs of the engine's ops: a forward only; ``backward()`` finds the gradients.

The same layers, arguments and conventions as the hand-derived ``X_forward`` functions (the course's
``bn_param``, ``conv_param``, ``pool_param``, ``dropout_param`` dicts), written with Tensor
operations and ``tinygrad_edu.functional``, so that no gradient here is written by hand::

    from tinygrad_edu import Tensor
    from tinygrad_edu.layers import graph
    x = Tensor(x_array, requires_grad=True)
    out = graph.batchnorm(x, gamma, beta, {"mode": "train"})
    (out * dout).sum().backward()          # x.grad is what batchnorm_backward(dout, cache) returns

Inputs may be Tensors or numpy arrays (a numpy array is a constant); each function returns a
Tensor. ``batchnorm`` is written one intermediate per line, as the forward graph of the course's
derivation, so that its tape shows each local gradient (``tinygrad_edu.viz.draw``).
"""
from __future__ import annotations

import numpy as np

from .. import functional as F
from ..engine import Tensor
from . import _args
from .dense import dropout_mask
from .norms import read_bn_param, update_running

__all__ = ["affine", "relu", "leaky_relu", "sigmoid", "tanh", "dropout", "batchnorm", "layernorm",
           "spatial_batchnorm", "conv", "max_pool", "softmax_loss", "svm_loss"]


def _t(v) -> Tensor:
    return v if isinstance(v, Tensor) else Tensor(v)


def affine(x, w, b) -> Tensor:
    """x (N, d_1, ..., d_k) read as (N, D) rows, @ w (D, M) + b (M,): (N, M)."""
    x = _t(x)
    return x.reshape(x.shape[0], -1) @ _t(w) + _t(b)


def relu(x) -> Tensor:
    """max(0, x)."""
    return _t(x).relu()


def leaky_relu(x, negative_slope: float = 0.01) -> Tensor:
    """x where x > 0, else negative_slope * x."""
    return F.leaky_relu(_t(x), negative_slope)


def sigmoid(x) -> Tensor:
    """1 / (1 + exp(-x))."""
    return _t(x).sigmoid()


def tanh(x) -> Tensor:
    """tanh(x)."""
    return _t(x).tanh()


def dropout(x, dropout_param) -> Tensor:
    """Inverted dropout with the course's ``dropout_param`` (``p`` the keep probability, ``mode``,
    ``seed``): x times the same constant mask as ``dropout_forward`` draws; x itself in test mode."""
    x = _t(x)
    d = _args.param_dict(dropout_param, "dropout_param", "graph.dropout", required=("p", "mode"))
    if _args.mode(d, "dropout_param", "graph.dropout") == "test":
        return x
    return x * dropout_mask(x.shape, d, x.dtype, "graph.dropout")


def _norm(x, gamma, beta, axes, shape, eps):
    """The standardization graph, one intermediate per line, then the scale and shift."""
    mu = x.mean(axis=axes, keepdims=True)
    xc = x - mu
    var = (xc * xc).mean(axis=axes, keepdims=True)
    inv = (var + eps) ** -0.5
    xhat = xc * inv
    return _t(gamma).reshape(shape) * xhat + _t(beta).reshape(shape), mu, var


def _batch_stats_norm(x, gamma, beta, bn_param, axes, where):
    """Batch normalization over ``axes`` (all but the channel axis 1), with the course's bn_param."""
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    mode, eps, momentum, rm, rv = read_bn_param(bn_param, x.shape[1], x.dtype, where)
    if mode == "test":
        xhat = (x - rm.reshape(shape)) * ((rv + eps) ** -0.5).reshape(shape)
        return _t(gamma).reshape(shape) * xhat + _t(beta).reshape(shape)
    out, mu, var = _norm(x, gamma, beta, axes, shape, eps)
    update_running(bn_param, momentum, (rm, rv), (mu.data.reshape(-1), var.data.reshape(-1)))
    return out


def batchnorm(x, gamma, beta, bn_param) -> Tensor:
    """Batch normalization of x (N, D) per feature, as ``batchnorm_forward`` (running averages in
    ``bn_param`` updated in 'train'; used in 'test')."""
    return _batch_stats_norm(_t(x), gamma, beta, bn_param, (0,), "graph.batchnorm")


def spatial_batchnorm(x, gamma, beta, bn_param) -> Tensor:
    """Batch normalization of x (N, C, H, W) per channel over N, H, W (the mean and variance taken
    over those axes directly, not through a reshape as the hand-derived version does)."""
    return _batch_stats_norm(_t(x), gamma, beta, bn_param, (0, 2, 3), "graph.spatial_batchnorm")


def layernorm(x, gamma, beta, ln_param) -> Tensor:
    """Layer normalization of x (N, D): each row over its features, as ``layernorm_forward``."""
    x = _t(x)
    eps = _args.param_dict(ln_param, "ln_param", "graph.layernorm").get("eps", 1e-5)
    return _norm(x, gamma, beta, (1,), (1, x.shape[1]), eps)[0]


def conv(x, w, b, conv_param) -> Tensor:
    """The convolution of ``conv_forward_naive``, through ``functional.conv2d`` (im2col windows and
    one matmul)."""
    p = _args.param_dict(conv_param, "conv_param", "graph.conv", required=("stride", "pad"))
    return F.conv2d(_t(x), _t(w), _t(b), stride=p["stride"], padding=p["pad"])


def max_pool(x, pool_param) -> Tensor:
    """Max pooling of ``max_pool_forward_naive``, through ``functional.max_pool2d`` (the gradient to
    each window's first maximum)."""
    p = _args.param_dict(pool_param, "pool_param", "graph.max_pool",
                         required=("pool_height", "pool_width", "stride"))
    return F.max_pool2d(_t(x), (p["pool_height"], p["pool_width"]), stride=p["stride"])


def softmax_loss(x, y) -> Tensor:
    """Mean softmax cross-entropy of the scores x (N, C) for labels y (N,): a scalar Tensor."""
    return F.cross_entropy(_t(x), np.asarray(getattr(y, "data", y)))


def svm_loss(x, y) -> Tensor:
    """Mean multiclass hinge loss (margin 1) of the scores x (N, C): a scalar Tensor."""
    return F.multiclass_hinge(_t(x), np.asarray(getattr(y, "data", y)))
