"""Batch, layer and spatial batch normalization derived by hand, with the course's conventions.

Batch normalization standardizes each feature over the batch, then scales and shifts it::

    mu = mean(x, axis 0)                  (D,)
    xc = x - mu                           (N, D)
    var = mean(xc**2, axis 0)             (D,)   the biased variance
    inv = 1 / sqrt(var + eps)             (D,)
    xhat = xc * inv                       (N, D)
    out = gamma * xhat + beta             (N, D)

``batchnorm_backward`` walks this graph back one line at a time (each intermediate's gradient
written out); ``batchnorm_backward_alt`` is the simplified formula the course asks for, the same
walk summed on paper::

    dxhat = dout * gamma
    dx = inv / N * (N * dxhat - sum(dxhat) - xhat * sum(dxhat * xhat))      (sums over axis 0)

``bn_param`` (the course's dict): ``mode`` 'train' or 'test' (required), ``eps`` (1e-5),
``momentum`` (0.9), ``running_mean`` and ``running_var`` (zeros of shape (D,) at first). In training
the running averages are updated in the dict, the course's way: ``running = momentum * running +
(1 - momentum) * batch statistic``, with the *biased* batch variance. (PyTorch's ``momentum`` is the
weight of the new statistic, so its 0.1 is the course's 0.9, and it keeps the unbiased variance.)
In test mode the running averages take the place of the batch statistics, and the backward is that
of a fixed affine map.

Layer normalization is the same standardization over each row's D features instead of over the
batch (the same in train and test); spatial batch normalization is batch normalization of
(N, C, H, W) per channel C, over N, H and W.
"""
from __future__ import annotations

import numpy as np

from .. import validate
from . import _args

__all__ = ["batchnorm_forward", "batchnorm_backward", "batchnorm_backward_alt", "layernorm_forward",
           "layernorm_backward", "spatial_batchnorm_forward", "spatial_batchnorm_backward"]


def _standardize(x, axis: int, eps: float):
    """xhat = (x - mean) / sqrt(var + eps) along ``axis`` (kept); returns (xhat, xc, inv)."""
    xc = x - x.mean(axis=axis, keepdims=True)
    inv = 1.0 / np.sqrt((xc * xc).mean(axis=axis, keepdims=True) + eps)
    return xc * inv, xc, inv


def _staged(dxhat, xc, inv, axis: int):
    """The walk back through ``_standardize``, one intermediate at a time (see the module doc)."""
    n = xc.shape[axis]
    dinv = (dxhat * xc).sum(axis=axis, keepdims=True)       # xhat = xc * inv
    dxc = dxhat * inv                                       # ... and its other factor
    dvar = dinv * -0.5 * inv ** 3                           # inv = (var + eps) ** -1/2
    dxc = dxc + 2 * xc * dvar / n                           # var = mean(xc ** 2)
    dmu = -dxc.sum(axis=axis, keepdims=True)                # xc = x - mu
    return dxc + dmu / n                                    # mu = mean(x)


def _simplified(dxhat, xhat, inv, axis: int):
    """The same gradient in one line: inv / N (N dxhat - sum dxhat - xhat sum(dxhat xhat))."""
    n = xhat.shape[axis]
    sums = dxhat.sum(axis=axis, keepdims=True), (dxhat * xhat).sum(axis=axis, keepdims=True)
    return inv / n * (n * dxhat - sums[0] - xhat * sums[1])


def read_bn_param(bn_param, d: int, dtype, where: str):
    """``(mode, eps, momentum, running_mean, running_var)`` from ``bn_param``, defaults filled in
    (running averages of ``d`` zeros of ``dtype``); errors name ``where``. The graphs read it too."""
    p = _args.param_dict(bn_param, "bn_param", where, required=("mode",))
    mode = _args.mode(p, "bn_param", where)
    eps = validate.number(p.get("eps", 1e-5), "bn_param['eps']", where, low=0)
    momentum = validate.number(p.get("momentum", 0.9), "bn_param['momentum']", where, low=0, high=1)
    running = []
    for key in ("running_mean", "running_var"):
        r = p.get(key)
        running.append(np.zeros(d, dtype=dtype) if r is None else _args.vector(r, f"bn_param[{key!r}]",
                                                                               where, d))
    return mode, eps, momentum, running[0], running[1]


def update_running(bn_param, momentum: float, running: tuple, batch: tuple) -> None:
    """``bn_param['running_mean' / 'running_var'] = momentum * running + (1 - momentum) * batch``,
    for the batch's mean and biased variance (D,)."""
    for key, old, new in zip(("running_mean", "running_var"), running, batch):
        bn_param[key] = momentum * old + (1 - momentum) * new


def batchnorm_forward(x, gamma, beta, bn_param):
    """Batch normalization of x (N, D), per feature; gamma (D,), beta (D,); ``bn_param`` as in the
    module doc (its running averages are updated in training).

    Returns ``(out, cache)``: out (N, D), cache ``(mode, xhat, xc, inv, gamma)`` (xc = x - mean and
    inv = 1 / sqrt(var + eps) of the batch in 'train', of the running averages in 'test').
    """
    where = "batchnorm_forward"
    x = _args.floats(x, "x", where, ndim=2, hint="(N, D)")
    gamma, beta = (_args.vector(v, k, where, x.shape[1]) for v, k in ((gamma, "gamma"), (beta, "beta")))
    mode, eps, momentum, running_mean, running_var = read_bn_param(bn_param, x.shape[1], x.dtype, where)
    if mode == "train":
        xhat, xc, inv = _standardize(x, 0, eps)
        update_running(bn_param, momentum, (running_mean, running_var),
                       (x.mean(axis=0), (xc * xc).mean(axis=0)))
    else:
        xc, inv = x - running_mean, 1.0 / np.sqrt(running_var + eps)
        xhat = xc * inv
    return gamma * xhat + beta, (mode, xhat, xc, inv, gamma)


def _bn_cache(cache, dout, where):
    mode, xhat, xc, inv, gamma = _args.cache(cache, where, 5, "batchnorm_forward")
    dout = _args.upstream(dout, xhat.shape, where)
    return mode, xhat, xc, inv, gamma, dout


def batchnorm_backward(dout, cache):
    """The gradient of ``batchnorm_forward`` walked back through its graph one intermediate at a
    time (``out = gamma xhat + beta``, ``xhat = xc inv``, ``inv = (var + eps)**-1/2``, ``var =
    mean(xc**2)``, ``xc = x - mu``, ``mu = mean(x)``). In test mode the statistics are constants and
    dx = dout * gamma * inv. Returns ``(dx, dgamma, dbeta)``: (N, D), (D,), (D,).
    """
    mode, xhat, xc, inv, gamma, dout = _bn_cache(cache, dout, "batchnorm_backward")
    dgamma, dbeta = (dout * xhat).sum(axis=0), dout.sum(axis=0)
    dxhat = dout * gamma
    dx = _staged(dxhat, xc, inv, 0) if mode == "train" else dxhat * inv
    return dx, dgamma, dbeta


def batchnorm_backward_alt(dout, cache):
    """The same gradient as ``batchnorm_backward`` from the simplified formula
    ``dx = inv / N * (N dxhat - sum(dxhat) - xhat * sum(dxhat * xhat))``, dxhat = dout * gamma
    (sums over the batch): no intermediate of the forward is revisited. Returns ``(dx, dgamma,
    dbeta)``.
    """
    mode, xhat, xc, inv, gamma, dout = _bn_cache(cache, dout, "batchnorm_backward_alt")
    dgamma, dbeta = (dout * xhat).sum(axis=0), dout.sum(axis=0)
    dxhat = dout * gamma
    dx = _simplified(dxhat, xhat, inv, 0) if mode == "train" else dxhat * inv
    return dx, dgamma, dbeta


def layernorm_forward(x, gamma, beta, ln_param):
    """Layer normalization of x (N, D): each row standardized over its D features, then ``gamma *
    xhat + beta`` (gamma, beta (D,)). ``ln_param`` may hold ``eps`` (1e-5); train and test are the
    same. Returns ``(out, cache)``, cache ``(xhat, inv, gamma)`` with inv (N, 1).
    """
    where = "layernorm_forward"
    x = _args.floats(x, "x", where, ndim=2, hint="(N, D)")
    gamma, beta = (_args.vector(v, k, where, x.shape[1]) for v, k in ((gamma, "gamma"), (beta, "beta")))
    p = _args.param_dict(ln_param, "ln_param", where)
    eps = validate.number(p.get("eps", 1e-5), "ln_param['eps']", where, low=0)
    xhat, _, inv = _standardize(x, 1, eps)
    return gamma * xhat + beta, (xhat, inv, gamma)


def layernorm_backward(dout, cache):
    """The simplified formula of ``batchnorm_backward_alt`` along each row instead of each column;
    dgamma and dbeta still sum over the rows. Returns ``(dx, dgamma, dbeta)``.
    """
    xhat, inv, gamma = _args.cache(cache, "layernorm_backward", 3, "layernorm_forward")
    dout = _args.upstream(dout, xhat.shape, "layernorm_backward")
    dx = _simplified(dout * gamma, xhat, inv, 1)
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)


def _channels_last(x):
    """(N, C, H, W) -> (N*H*W, C): one row per pixel, one column per channel."""
    return x.transpose(0, 2, 3, 1).reshape(-1, x.shape[1])


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    """Batch normalization of x (N, C, H, W) per channel, over N, H and W: the (N*H*W, C) matrix of
    pixels through ``batchnorm_forward``. gamma, beta (C,); ``bn_param`` as there. Returns ``(out,
    cache)``, out (N, C, H, W).
    """
    x = _args.floats(x, "x", "spatial_batchnorm_forward", ndim=4, hint="(N, C, H, W)")
    n, c, h, w = x.shape
    out, cache = batchnorm_forward(_channels_last(x), gamma, beta, bn_param)
    return out.reshape(n, h, w, c).transpose(0, 3, 1, 2), (x.shape, cache)


def spatial_batchnorm_backward(dout, cache):
    """``batchnorm_backward_alt`` on the (N*H*W, C) matrix of the upstream gradient. Returns
    ``(dx, dgamma, dbeta)``: (N, C, H, W), (C,), (C,).
    """
    shape, inner = _args.cache(cache, "spatial_batchnorm_backward", 2, "spatial_batchnorm_forward")
    dout = _args.upstream(dout, shape, "spatial_batchnorm_backward")
    n, c, h, w = shape
    dx, dgamma, dbeta = batchnorm_backward_alt(_channels_last(dout), inner)
    return dx.reshape(n, h, w, c).transpose(0, 3, 1, 2), dgamma, dbeta
