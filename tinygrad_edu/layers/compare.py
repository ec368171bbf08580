"""One layer, four ways to its gradient, one table: ``compare("batchnorm")`` and the other layers.

For a layer, the scalar compared is ``L = sum(dout * out)`` for a random upstream gradient ``dout``
(shaped like the layer's output): its gradient with respect to each input is exactly what the
layer's ``backward(dout, cache)`` returns. Each method computes L and those gradients on the same
data:

* ``graph``: the layer as engine ops (``layers.graph``), then ``L.backward()``;
* ``naive``: the hand-derived pair with loops where the course writes loops (conv, max pooling),
  and for batch normalization the staged ``batchnorm_backward``;
* ``vectorized``: the hand-derived vectorized pair (``conv_*_fast``, ``max_pool_*_fast``,
  ``batchnorm_backward_alt``, and the one reference of the layers that have no loops);
* ``numerical``: centered differences of the vectorized forward (``layer_numerical_grads``);
* ``your_naive``, ``your_vectorized``: your own ``(forward, backward)`` pair, when given.

The table is ``tinygrad_edu.compare``'s: one row per method with L and the time, and the max
relative error between every pair of methods' gradients::

    >>> from tinygrad_edu.compare import compare
    >>> compare("batchnorm", seed=0).ok
    True
"""
from __future__ import annotations

import copy
import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .. import compare as _compare
from ..compare import Comparison, MethodResult
from ..engine import Tensor
from . import conv, dense, graph, norms
from .numerical import float_inputs, layer_numerical_grads

__all__ = ["compare_layer", "LayerCase", "CASES"]


@dataclass(frozen=True)
class LayerCase:
    """One layer in the comparison: ``make(rng, x)`` draws its inputs (x given or drawn), ``names``
    names the float inputs, ``vectorized`` and ``naive`` are (forward, backward) pairs."""

    make: object
    names: tuple
    graph: object
    vectorized: tuple
    naive: tuple | None = None
    labels: tuple = ("naive", "vectorized")


def _x(rng, x, shape, scale=1.0, shift=0.0):
    return np.array(x, dtype=np.float64) if x is not None else shift + scale * rng.standard_normal(shape)


def _norm_inputs(rng, x, shape, param):
    x = _x(rng, x, shape, scale=3.0, shift=1.0)
    d = x.shape[1]
    return x, 1 + 0.5 * rng.standard_normal(d), 0.5 * rng.standard_normal(d), param


def _affine_inputs(rng, x):
    x = _x(rng, x, (3, 2, 3))
    d = int(np.prod(x.shape[1:]))
    return x, rng.standard_normal((d, 4)) / np.sqrt(d), 0.1 * rng.standard_normal(4)


def _conv_inputs(rng, x):
    x = _x(rng, x, (2, 3, 7, 7))
    return (x, rng.standard_normal((4, x.shape[1], 3, 3)) / 3, 0.1 * rng.standard_normal(4),
            {"stride": 2, "pad": 1})


CASES = {
    "affine": LayerCase(_affine_inputs, ("x", "w", "b"), graph.affine,
                        (dense.affine_forward, dense.affine_backward)),
    "relu": LayerCase(lambda rng, x: (_x(rng, x, (4, 5)),), ("x",), graph.relu,
                      (dense.relu_forward, dense.relu_backward)),
    "leaky_relu": LayerCase(lambda rng, x: (_x(rng, x, (4, 5)), 0.1), ("x",), graph.leaky_relu,
                            (dense.leaky_relu_forward, dense.leaky_relu_backward)),
    "sigmoid": LayerCase(lambda rng, x: (_x(rng, x, (4, 5)),), ("x",), graph.sigmoid,
                         (dense.sigmoid_forward, dense.sigmoid_backward)),
    "tanh": LayerCase(lambda rng, x: (_x(rng, x, (4, 5)),), ("x",), graph.tanh,
                      (dense.tanh_forward, dense.tanh_backward)),
    "dropout": LayerCase(lambda rng, x: (_x(rng, x, (5, 6)), {"p": 0.7, "mode": "train", "seed": 0}),
                         ("x",), graph.dropout, (dense.dropout_forward, dense.dropout_backward)),
    "batchnorm": LayerCase(lambda rng, x: _norm_inputs(rng, x, (8, 5), {"mode": "train"}),
                           ("x", "gamma", "beta"), graph.batchnorm,
                           (norms.batchnorm_forward, norms.batchnorm_backward_alt),
                           (norms.batchnorm_forward, norms.batchnorm_backward),
                           ("naive (staged)", "vectorized (alt)")),
    "layernorm": LayerCase(lambda rng, x: _norm_inputs(rng, x, (4, 6), {}), ("x", "gamma", "beta"),
                           graph.layernorm, (norms.layernorm_forward, norms.layernorm_backward)),
    "spatial_batchnorm": LayerCase(
        lambda rng, x: _norm_inputs(rng, x, (2, 3, 4, 4), {"mode": "train"}), ("x", "gamma", "beta"),
        graph.spatial_batchnorm, (norms.spatial_batchnorm_forward, norms.spatial_batchnorm_backward)),
    "conv": LayerCase(_conv_inputs, ("x", "w", "b"), graph.conv,
                      (conv.conv_forward_fast, conv.conv_backward_fast),
                      (conv.conv_forward_naive, conv.conv_backward_naive),
                      ("naive (loops)", "vectorized (fast)")),
    "max_pool": LayerCase(lambda rng, x: (_x(rng, x, (2, 3, 6, 6)),
                                          {"pool_height": 2, "pool_width": 2, "stride": 2}),
                          ("x",), graph.max_pool,
                          (conv.max_pool_forward_fast, conv.max_pool_backward_fast),
                          (conv.max_pool_forward_naive, conv.max_pool_backward_naive),
                          ("naive (loops)", "vectorized (fast)")),
}


def _fresh(args):
    """Copies of the arrays and dicts, so that no method sees another's changes."""
    return [copy.deepcopy(a) if isinstance(a, (Mapping, np.ndarray)) else a for a in args]


def _as_grads(returned, names, args, where):
    """``backward``'s return value as name -> array, checked against the inputs' shapes."""
    grads = returned if isinstance(returned, tuple) else (returned,)
    if len(grads) != len(names):
        raise ValueError(f"{where} returned {len(grads)} gradient(s), but the layer has "
                         f"{len(names)} float input(s) ({', '.join(names)})")
    out = {}
    for name, g, i in zip(names, grads, float_inputs(args)):
        g = np.asarray(g, dtype=np.float64)
        if g.shape != args[i].shape:
            raise ValueError(f"{where} returned d{name} of shape {g.shape}, but {name} has shape "
                             f"{args[i].shape}")
        out[name] = g
    return out


def _pair(method, label, pair, case, args, dout):
    """Run a (forward, backward) pair on copies; a failure of your own pair is shown, not raised."""
    forward, backward = pair
    start = time.perf_counter()
    try:
        out, cache = forward(*_fresh(args))
        grads = _as_grads(backward(dout.copy(), cache), case.names, args,
                          getattr(backward, "__name__", "backward"))
        value = float(np.sum(dout * np.asarray(out, dtype=np.float64)))
    except Exception as e:        # noqa: BLE001 - your code's failure is a row of the table
        if not method.startswith("your_"):
            raise
        return MethodResult(method, float("nan"), {}, time.perf_counter() - start, label=label,
                            error=f"{type(e).__name__}: {e}")
    return MethodResult(method, value, grads, time.perf_counter() - start, label=label)


def _graph(case, args, dout):
    start = time.perf_counter()
    args = _fresh(args)
    ins = {i: Tensor(args[i], requires_grad=True) for i in float_inputs(args)}
    out = case.graph(*[ins.get(i, a) for i, a in enumerate(args)])
    total = (out * dout).sum()
    total.backward()
    grads = {name: ins[i].grad for name, i in zip(case.names, ins)}
    return MethodResult("graph", total.item(), grads, time.perf_counter() - start)


def _check_yours(name, fn):
    if fn is not None and not (isinstance(fn, tuple) and len(fn) == 2 and all(map(callable, fn))):
        raise TypeError(f"compare: for the layer {name!r}, {fn!r:.40} must be a pair "
                        f"(forward, backward) of your functions, e.g. (my_forward, my_backward)")


def compare_layer(name: str, x=None, seed: int = 0, *, dout=None, naive=None,
                  vectorized=None) -> Comparison:
    """Run one layer through the graph, the hand-derived pairs, your pairs (when given) and
    numerical differences, on the same inputs and the same upstream gradient.

    ``name``: one of ``CASES`` ('affine', 'relu', 'leaky_relu', 'sigmoid', 'tanh', 'dropout',
    'batchnorm', 'layernorm', 'spatial_batchnorm', 'conv', 'max_pool'). ``x``: the layer's input
    (numpy array), or None to draw one; the other inputs (weights, gamma and beta, ...) are drawn
    from ``seed`` to fit it. ``dout``: the upstream gradient, shaped like the output, or None for a
    random one. ``naive``, ``vectorized``: your ``(forward, backward)`` pairs in the course's
    signatures. Returns a ``Comparison``; print it for the table.
    """
    if name not in CASES:
        raise ValueError(f"compare_layer: name must be one of {tuple(CASES)}, got {name!r}")
    for fn in (naive, vectorized):
        _check_yours(name, fn)
    case, rng = CASES[name], np.random.default_rng(seed)
    args = list(case.make(rng, x))
    out, _ = case.vectorized[0](*_fresh(args))
    dout = rng.standard_normal(out.shape) if dout is None else np.asarray(dout, dtype=np.float64)
    if dout.shape != out.shape:
        raise ValueError(f"compare_layer: dout has shape {dout.shape}, but {name}'s output has shape "
                         f"{out.shape}")
    results = [_graph(case, args, dout)]
    if case.naive is not None:
        results.append(_pair("naive", case.labels[0], case.naive, case, args, dout))
    results.append(_pair("vectorized", case.labels[1], case.vectorized, case, args, dout))
    for method, pair in (("your_naive", naive), ("your_vectorized", vectorized)):
        if pair is not None:
            label = f"{method.replace('_', ' ')} ({getattr(pair[1], '__name__', '')})"
            label = label if len(label) <= 22 else method.replace("_", " ")
            results.append(_pair(method, label, pair, case, args, dout))
    start = time.perf_counter()
    numerical = layer_numerical_grads(case.vectorized[0], _fresh(args), dout)
    label = f"numerical (all {sum(g.size for g in numerical)})"
    results.append(MethodResult("numerical", float(np.sum(dout * out)), dict(zip(case.names, numerical)),
                                time.perf_counter() - start, label=label))
    shapes = {n: args[i].shape for n, i in zip(case.names, float_inputs(args))}
    return Comparison(name, results, 0.0, {**shapes, "dout": dout.shape})


def _from_compare(name):
    """``compare(name, ...)`` for a layer: ``X`` is the layer's input; the losses' other arguments
    have no meaning here and are refused."""
    def run(X=None, y=None, W=None, params=None, reg=0.0, seed=0, naive=None, vectorized=None):
        extra = [k for k, v in (("y", y), ("W", W), ("params", params)) if v is not None]
        if extra or reg:
            raise TypeError(f"compare: the layer {name!r} takes X (its input), seed, naive= and "
                            f"vectorized=; {', '.join(extra + (['reg'] if reg else []))} belong to "
                            f"the losses")
        return compare_layer(name, X, seed, naive=naive, vectorized=vectorized)
    run.__name__ = f"compare_{name}"
    return run


_compare.LAYERS.update({name: _from_compare(name) for name in CASES})
