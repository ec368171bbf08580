"""From a dict of parameters to one flat vector and back, for ``scipy.optimize``.

``scipy.optimize.minimize`` (conjugate gradients, L-BFGS, ...) works on a single 1-D float64 vector
``x`` and wants ``f(x) -> (loss, gradient)``. A network has several arrays (``W1``, ``b1``, ...). This
module lays them end to end in the dict's order and cuts them apart again::

    params = net.params                                   # {"W1": (D, H), "b1": (H,), ...}
    f = objective(lambda p: losses.two_layer_loss(p, X, y, reg), params)
    res = scipy.optimize.minimize(f, flatten(params), jac=True, method="L-BFGS-B")
    net.params = unflatten(res.x, params)

Inside ``f``, each piece of ``x`` becomes a Tensor with ``requires_grad=True``, the loss is built with
the engine, ``backward()`` fills the gradients, and they are flattened in the same order.
"""
from __future__ import annotations

import numpy as np

from .. import validate
from ..engine import Tensor

__all__ = ["flatten", "unflatten", "objective", "minimize"]


GRADIENT_METHODS = ("CG", "BFGS", "L-BFGS-B", "TNC", "SLSQP", "Newton-CG", "trust-constr")


def _array(v) -> np.ndarray:
    return v.data if isinstance(v, Tensor) else np.asarray(v)


def _arrays(params, where: str, name: str = "params") -> dict:
    """``params`` checked to be a non-empty dict of numeric arrays (or Tensors); numpy arrays out."""
    validate.mapping(params, where, name)
    return {k: validate.array(_array(v), f"{name}[{k!r}]", where, finite=False, nonempty=False)
            for k, v in params.items()}


def flatten(params: dict) -> np.ndarray:
    """Concatenate the arrays (or Tensors) of ``params``, each raveled, in the dict's order.

    Returns a new 1-D float64 array of length ``sum(v.size for v in params.values())``.
    """
    return np.concatenate([v.astype(np.float64).ravel()
                           for v in _arrays(params, "flatten").values()])


def unflatten(flat, like: dict) -> dict:
    """Cut ``flat`` into arrays shaped like the values of ``like``, in the same order (float64 copies).

    The inverse of ``flatten``: ``unflatten(flatten(p), p)`` equals ``p`` entry by entry.
    """
    like = _arrays(like, "unflatten", "like")
    flat = validate.array(flat, "flat", "unflatten", finite=False, nonempty=False).astype(np.float64)
    sizes = [v.size for v in like.values()]
    if flat.ndim != 1 or flat.size != sum(sizes):
        raise ValueError(f"unflatten: expected a 1-D vector of {sum(sizes)} entries (the sizes of "
                         f"{', '.join(f'{k} {v.shape}' for k, v in like.items())}); got shape "
                         f"{flat.shape}")
    out, start = {}, 0
    for (k, v), n in zip(like.items(), sizes):
        out[k] = flat[start:start + n].reshape(v.shape).copy()
        start += n
    return out


def objective(loss_fn, like: dict):
    """Turn ``loss_fn(dict of Tensors) -> scalar Tensor`` into ``f(flat) -> (loss float, flat gradient)``.

    ``like`` gives the names, shapes and order (a dict of arrays or Tensors, e.g. the initial
    parameters). The returned ``f`` is what ``scipy.optimize.minimize(f, x0, jac=True)`` expects;
    ``f.calls`` counts its evaluations and ``f.last`` holds ``(x, loss)`` of the latest one. A
    parameter the loss does not depend on gets a zero gradient.
    """
    validate.function(loss_fn, "loss_fn", "objective")
    _arrays(like, "objective", "like")

    def f(flat):
        f.calls += 1
        flat = np.array(flat, dtype=np.float64)
        tensors = {k: Tensor(v, requires_grad=True, name=k) for k, v in unflatten(flat, like).items()}
        loss = loss_fn(tensors)
        if not isinstance(loss, Tensor) or loss.size != 1:
            raise TypeError(f"objective: loss_fn must return a one-element Tensor, got "
                            f"{type(loss).__name__} {getattr(loss, 'shape', '')}")
        if loss.requires_grad:
            loss.backward()
        grads = {k: (t.grad if t.grad is not None else np.zeros_like(t.data))
                 for k, t in tensors.items()}
        f.last = (flat, float(loss.item()))
        return f.last[1], flatten(grads)

    f.calls, f.last = 0, (None, None)
    return f


def minimize(loss_fn, params: dict, method: str = "L-BFGS-B", maxiter: int = 200,
             verbose: bool = False, **kwargs):
    """Minimize ``loss_fn`` over ``params`` with ``scipy.optimize.minimize``; return ``(best, result)``.

    ``loss_fn(dict of Tensors) -> scalar Tensor``; ``params`` a dict of arrays (the start). ``method``
    is any gradient-based method of ``scipy.optimize.minimize`` ("CG", "L-BFGS-B", "BFGS", ...);
    extra keyword arguments go to it. ``best`` is a dict of numpy arrays shaped like ``params``;
    ``result`` is scipy's ``OptimizeResult`` (``.fun``, ``.nit``, ``.message``, ...) with two more
    fields: ``loss_history`` (the loss after each iteration) and ``calls`` (loss evaluations).
    A progress bar shows when the run takes longer than a second (at once with ``verbose``).
    """
    from .progress import progress_bar, require
    validate.function(loss_fn, "loss_fn", "minimize")
    _arrays(params, "minimize")
    validate.integer(maxiter, "maxiter", "minimize", low=1)
    if not callable(method) and str(method).lower() not in {m.lower() for m in GRADIENT_METHODS}:
        raise ValueError(f"minimize: method must be one of scipy's gradient-based methods "
                         f"{', '.join(GRADIENT_METHODS)}; got {validate.given(method)}")
    opt = require("scipy.optimize", "flat.minimize")
    f = objective(loss_fn, params)
    history = []
    bar = progress_bar(maxiter, desc=method, verbose=verbose)

    def callback(x, *_):
        last_x, last_loss = f.last
        history.append(last_loss if last_x is not None and np.array_equal(x, last_x) else f(x)[0])
        bar.update()
        bar.set_postfix(loss=f"{history[-1]:.4f}", refresh=False)

    options = {"maxiter": maxiter, **kwargs.pop("options", {})}
    try:
        res = opt.minimize(f, flatten(params), jac=True, method=method, options=options,
                           callback=callback, **kwargs)
    finally:
        bar.close()
    res.loss_history, res.calls = history, f.calls
    return unflatten(res.x, params), res
