"""Convolution and max pooling derived by hand: naive (loops, as the course writes them) and fast
(vectorized over the windows, im2col style), with the course's names and shapes.

A convolution layer (really a cross-correlation, as in every deep-learning library) slides F
filters over an image batch::

    x (N, C, H, W), w (F, C, HH, WW), b (F,), conv_param {'stride': s, 'pad': p}
    x is zero-padded by p on each side of H and W, then
    out[n, f, i, j] = sum_{c, a, b'} w[f, c, a, b'] * xp[n, c, i*s + a, j*s + b'] + b[f]
    out (N, F, H', W'), H' = 1 + (H + 2p - HH) // s, W' = 1 + (W + 2p - WW) // s

Its gradient is the same sum read the other way: each window of ``xp`` receives ``w[f] *
dout[n, f, i, j]`` (the padding is cut off afterwards), each filter ``w[f]`` receives the windows
times ``dout``, and ``b[f]`` the sum of ``dout[:, f]``.

Max pooling takes the maximum of each ``pool_height`` x ``pool_width`` window, moved by ``stride``
(``pool_param``); its gradient goes to the entry that was the maximum (the first one when several
tie, as PyTorch), nowhere else. When the size does not divide evenly, the last rows and columns
that do not fill a window are left out (floor, as PyTorch).

The fast versions see all windows at once through a strided view of the padded input (no copy),
contract it with the filters by ``np.tensordot`` (which makes the im2col matrix), and add the
windows' gradients back with one slice per kernel offset: a loop over HH * WW offsets, not over
pixels.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .. import validate
from . import _args

__all__ = ["conv_forward_naive", "conv_backward_naive", "conv_forward_fast", "conv_backward_fast",
           "max_pool_forward_naive", "max_pool_backward_naive", "max_pool_forward_fast",
           "max_pool_backward_fast", "conv_output_size"]


def conv_output_size(size: int, kernel: int, stride: int, pad: int = 0) -> int:
    """1 + (size + 2 * pad - kernel) // stride: the output length along one axis."""
    return 1 + (size + 2 * pad - kernel) // stride


def _conv_inputs(x, w, b, conv_param, where):
    """The checked inputs of a convolution: (x, w, b, stride, pad)."""
    x = _args.floats(x, "x", where, ndim=4, hint="(N, C, H, W)")
    w = _args.floats(w, "w", where, ndim=4, hint="(F, C, HH, WW)")
    b = _args.vector(b, "b", where, w.shape[0])
    p = _args.param_dict(conv_param, "conv_param", where, required=("stride", "pad"))
    stride = validate.integer(p["stride"], "conv_param['stride']", where, low=1)
    pad = validate.integer(p["pad"], "conv_param['pad']", where, low=0)
    if w.shape[1] != x.shape[1]:
        raise ValueError(f"{where}: x has {x.shape[1]} channels (shape {x.shape}, (N, C, H, W)) but "
                         f"the filters w (F, C, HH, WW) have {w.shape[1]} (shape {w.shape})")
    if x.shape[2] + 2 * pad < w.shape[2] or x.shape[3] + 2 * pad < w.shape[3]:
        raise ValueError(f"{where}: the padded image {x.shape[2] + 2 * pad}x{x.shape[3] + 2 * pad} is "
                         f"smaller than the filter {w.shape[2]}x{w.shape[3]}")
    return x, w, b, stride, pad


def _pad(x, pad):
    return np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad))) if pad else x


def conv_forward_naive(x, w, b, conv_param):
    """The convolution with loops over examples, filters and output positions.

    x (N, C, H, W), w (F, C, HH, WW), b (F,), conv_param ``stride`` and ``pad``. Returns ``(out,
    cache)``, out (N, F, H', W'), cache ``(x, w, b, conv_param)``.
    """
    x, w, b, s, pad = _conv_inputs(x, w, b, conv_param, "conv_forward_naive")
    (n_ex, _, h, wd), (f_num, _, hh, ww) = x.shape, w.shape
    oh, ow = conv_output_size(h, hh, s, pad), conv_output_size(wd, ww, s, pad)
    xp = _pad(x, pad)
    out = np.zeros((n_ex, f_num, oh, ow), dtype=np.result_type(x, w))
    for n in range(n_ex):
        for f in range(f_num):
            for i in range(oh):
                for j in range(ow):
                    window = xp[n, :, i * s:i * s + hh, j * s:j * s + ww]
                    out[n, f, i, j] = np.sum(window * w[f]) + b[f]
    return out, (x, w, b, conv_param)


def conv_backward_naive(dout, cache):
    """The convolution's gradient with the forward's loops: every output entry sends
    ``dout * w[f]`` back to its window and ``dout * window`` to its filter.

    Returns ``(dx, dw, db)``, shaped like x, w, b.
    """
    x, w, b, conv_param = _args.cache(cache, "conv_backward_naive", 4, "conv_forward_naive")
    x, w, b, s, pad = _conv_inputs(x, w, b, conv_param, "conv_backward_naive")
    hh, ww = w.shape[2:]
    dout = _args.upstream(dout, _conv_out_shape(x, w, s, pad), "conv_backward_naive")
    xp = _pad(x, pad)
    dxp, dw = np.zeros_like(xp, dtype=dout.dtype), np.zeros_like(w, dtype=dout.dtype)
    n_ex, f_num, oh, ow = dout.shape
    for n in range(n_ex):
        for f in range(f_num):
            for i in range(oh):
                for j in range(ow):
                    g = dout[n, f, i, j]
                    dxp[n, :, i * s:i * s + hh, j * s:j * s + ww] += g * w[f]
                    dw[f] += g * xp[n, :, i * s:i * s + hh, j * s:j * s + ww]
    dx = dxp[:, :, pad:pad + x.shape[2], pad:pad + x.shape[3]]
    return dx, dw, dout.sum(axis=(0, 2, 3))


def _conv_out_shape(x, w, s, pad):
    return (x.shape[0], w.shape[0], conv_output_size(x.shape[2], w.shape[2], s, pad),
            conv_output_size(x.shape[3], w.shape[3], s, pad))


def _windows(xp, hh: int, ww: int, s: int, oh: int, ow: int):
    """A read-only view (N, C, HH, WW, H', W') of every window of ``xp``: entry [n, c, a, b', i, j]
    is xp[n, c, i*s + a, j*s + b']. No copy."""
    sn, sc, sh, sw = xp.strides
    return as_strided(xp, xp.shape[:2] + (hh, ww, oh, ow), (sn, sc, sh, sw, sh * s, sw * s),
                      writeable=False)


def conv_forward_fast(x, w, b, conv_param):
    """The convolution vectorized: all windows at once, contracted with the filters over (C, HH,
    WW). Same arguments, output and cache as ``conv_forward_naive``.
    """
    x, w, b, s, pad = _conv_inputs(x, w, b, conv_param, "conv_forward_fast")
    _, _, oh, ow = _conv_out_shape(x, w, s, pad)
    cols = _windows(_pad(x, pad), w.shape[2], w.shape[3], s, oh, ow)
    out = np.tensordot(w, cols, axes=([1, 2, 3], [1, 2, 3]))          # (F, N, H', W')
    return out.transpose(1, 0, 2, 3) + b[None, :, None, None], (x, w, b, conv_param)


def conv_backward_fast(dout, cache):
    """The convolution's gradient vectorized: dw contracts dout with the windows, and each kernel
    offset (a, b') adds ``w[:, :, a, b']``-weighted dout to one strided slice of the padded dx.
    Returns ``(dx, dw, db)``.
    """
    x, w, b, conv_param = _args.cache(cache, "conv_backward_fast", 4, "conv_forward_fast")
    x, w, b, s, pad = _conv_inputs(x, w, b, conv_param, "conv_backward_fast")
    dout = _args.upstream(dout, _conv_out_shape(x, w, s, pad), "conv_backward_fast")
    (_, _, hh, ww), (_, _, oh, ow) = w.shape, dout.shape
    xp = _pad(x, pad)
    dw = np.tensordot(dout, _windows(xp, hh, ww, s, oh, ow), axes=([0, 2, 3], [0, 4, 5]))
    dcols = np.tensordot(w, dout, axes=([0], [1]))                    # (C, HH, WW, N, H', W')
    dxp = np.zeros(xp.shape, dtype=dcols.dtype)
    for a in range(hh):
        for c in range(ww):
            dxp[:, :, a:a + s * oh:s, c:c + s * ow:s] += dcols[:, a, c].transpose(1, 0, 2, 3)
    dx = dxp[:, :, pad:pad + x.shape[2], pad:pad + x.shape[3]]
    return dx, dw, dout.sum(axis=(0, 2, 3))


def _pool_inputs(x, pool_param, where):
    """The checked inputs of max pooling: (x, ph, pw, stride, H', W')."""
    x = _args.floats(x, "x", where, ndim=4, hint="(N, C, H, W)")
    p = _args.param_dict(pool_param, "pool_param", where,
                         required=("pool_height", "pool_width", "stride"))
    ph, pw, s = (validate.integer(p[k], f"pool_param[{k!r}]", where, low=1)
                 for k in ("pool_height", "pool_width", "stride"))
    if ph > x.shape[2] or pw > x.shape[3]:
        raise ValueError(f"{where}: the pool {ph}x{pw} is larger than the image "
                         f"{x.shape[2]}x{x.shape[3]} (x of shape {x.shape})")
    return x, ph, pw, s, conv_output_size(x.shape[2], ph, s), conv_output_size(x.shape[3], pw, s)


def max_pool_forward_naive(x, pool_param):
    """Max pooling with loops over the output positions (vectorized over N and C).

    x (N, C, H, W); pool_param ``pool_height``, ``pool_width``, ``stride``. Returns ``(out,
    cache)``, out (N, C, H', W'), cache ``(x, pool_param)``.
    """
    x, ph, pw, s, oh, ow = _pool_inputs(x, pool_param, "max_pool_forward_naive")
    out = np.zeros(x.shape[:2] + (oh, ow), dtype=x.dtype)
    for i in range(oh):
        for j in range(ow):
            out[:, :, i, j] = x[:, :, i * s:i * s + ph, j * s:j * s + pw].max(axis=(2, 3))
    return out, (x, pool_param)


def max_pool_backward_naive(dout, cache):
    """Max pooling's gradient with loops: each window's dout goes to its (first) maximal entry.
    Returns dx, shaped like x.
    """
    x, pool_param = _args.cache(cache, "max_pool_backward_naive", 2, "max_pool_forward_naive")
    x, ph, pw, s, oh, ow = _pool_inputs(x, pool_param, "max_pool_backward_naive")
    dout = _args.upstream(dout, x.shape[:2] + (oh, ow), "max_pool_backward_naive")
    dx = np.zeros(x.shape, dtype=dout.dtype)
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            for i in range(oh):
                for j in range(ow):
                    window = x[n, c, i * s:i * s + ph, j * s:j * s + pw]
                    a, b = np.unravel_index(np.argmax(window), window.shape)
                    dx[n, c, i * s + a, j * s + b] += dout[n, c, i, j]
    return dx


def _argmax_windows(x, ph, pw, s, oh, ow):
    """Every window's max and the flat index (a * pw + b) of its first maximal entry."""
    view = _windows(x, ph, pw, s, oh, ow).reshape(x.shape[:2] + (ph * pw, oh, ow))
    first = view.argmax(axis=2)
    return np.take_along_axis(view, first[:, :, None], axis=2)[:, :, 0], first


def max_pool_forward_fast(x, pool_param):
    """Max pooling vectorized over all windows at once (a strided view, one argmax). Same
    arguments, output and cache as ``max_pool_forward_naive``.
    """
    x, ph, pw, s, oh, ow = _pool_inputs(x, pool_param, "max_pool_forward_fast")
    return _argmax_windows(x, ph, pw, s, oh, ow)[0], (x, pool_param)


def max_pool_backward_fast(dout, cache):
    """Max pooling's gradient vectorized: for each of the ph * pw window offsets, the windows whose
    argmax sits there send their dout to that one strided slice of dx. Returns dx.
    """
    x, pool_param = _args.cache(cache, "max_pool_backward_fast", 2, "max_pool_forward_fast")
    x, ph, pw, s, oh, ow = _pool_inputs(x, pool_param, "max_pool_backward_fast")
    dout = _args.upstream(dout, x.shape[:2] + (oh, ow), "max_pool_backward_fast")
    first = _argmax_windows(x, ph, pw, s, oh, ow)[1]
    dx = np.zeros(x.shape, dtype=dout.dtype)
    for a in range(ph):
        for b in range(pw):
            dx[:, :, a:a + s * oh:s, b:b + s * ow:s] += dout * (first == a * pw + b)
    return dx
