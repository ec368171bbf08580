"""The update rules of the course's ``optim.py``, written by hand: ``update(w, dw, config) ->
(next_w, config)``.

Each rule takes a weight array ``w``, its gradient ``dw`` (same shape) and a ``config`` dict holding
the hyper-parameters and the rule's running state (filled in with defaults on the first call, and
returned so that the next call continues from it). The ``Solver`` keeps one config per parameter.

* ``sgd``: ``w - learning_rate * dw``;
* ``sgd_momentum``: ``v = momentum * v - learning_rate * dw``, ``w + v``;
* ``rmsprop``: ``cache = decay_rate * cache + (1 - decay_rate) * dw**2``,
  ``w - learning_rate * dw / (sqrt(cache) + epsilon)``;
* ``adam``: the bias-corrected running means of dw and dw**2 (``m``, ``v``, step ``t``).

They are the engine's optimizers in another shape: ``sgd`` is ``optim.SGD``, ``sgd_momentum`` is
``optim.SGD(momentum=...)`` (PyTorch's ``b = momentum * b + dw; w -= lr * b`` is the same sequence
scaled by ``-lr`` while the rate is constant), ``rmsprop`` is ``optim.RMSprop(alpha=decay_rate)``,
``adam`` is ``optim.Adam``; the tests check that they take the same steps.
"""
from __future__ import annotations

import numpy as np

from .. import validate

__all__ = ["sgd", "sgd_momentum", "rmsprop", "adam", "RULES"]


def _start(w, dw, config, where: str, defaults: dict):
    """The config with defaults filled in, and w, dw checked to be arrays of one shape."""
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise TypeError(f"{where}: config must be a dict (or None), got {validate.given(config)}")
    w, dw = np.asarray(w), np.asarray(dw)
    if w.shape != dw.shape:
        raise ValueError(f"{where}: dw has shape {dw.shape} but w has shape {w.shape}; a gradient is "
                         f"shaped like its weight")
    for key, value in defaults.items():
        config.setdefault(key, value)
    return w, dw, config


def sgd(w, dw, config=None):
    """Vanilla stochastic gradient descent. config: ``learning_rate`` (1e-2)."""
    w, dw, config = _start(w, dw, config, "sgd", {"learning_rate": 1e-2})
    return w - config["learning_rate"] * dw, config


def sgd_momentum(w, dw, config=None):
    """SGD with momentum. config: ``learning_rate`` (1e-2), ``momentum`` (0.9), ``velocity``
    (zeros like w: the running step)."""
    w, dw, config = _start(w, dw, config, "sgd_momentum", {"learning_rate": 1e-2, "momentum": 0.9})
    v = config.get("velocity")
    v = np.zeros_like(w) if v is None else v
    v = config["momentum"] * v - config["learning_rate"] * dw
    config["velocity"] = v
    return w + v, config


def rmsprop(w, dw, config=None):
    """RMSProp: each entry's step divided by a running root mean square of its gradients.
    config: ``learning_rate`` (1e-2), ``decay_rate`` (0.99), ``epsilon`` (1e-8), ``cache``."""
    w, dw, config = _start(w, dw, config, "rmsprop",
                           {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8})
    cache = config.get("cache")
    cache = np.zeros_like(w) if cache is None else cache
    cache = config["decay_rate"] * cache + (1 - config["decay_rate"]) * dw * dw
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config


def adam(w, dw, config=None):
    """Adam: momentum on the gradient (``m``) and RMSProp's scale (``v``), both bias-corrected.
    config: ``learning_rate`` (1e-3), ``beta1`` (0.9), ``beta2`` (0.999), ``epsilon`` (1e-8), ``m``,
    ``v`` (zeros like w) and the step count ``t`` (0)."""
    w, dw, config = _start(w, dw, config, "adam", {"learning_rate": 1e-3, "beta1": 0.9,
                                                   "beta2": 0.999, "epsilon": 1e-8, "t": 0})
    b1, b2 = config["beta1"], config["beta2"]
    m, v = (np.zeros_like(w) if config.get(k) is None else config[k] for k in ("m", "v"))
    config["t"] += 1
    config["m"] = m = b1 * m + (1 - b1) * dw
    config["v"] = v = b2 * v + (1 - b2) * dw * dw
    m_hat, v_hat = m / (1 - b1 ** config["t"]), v / (1 - b2 ** config["t"])
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config


RULES = {"sgd": sgd, "sgd_momentum": sgd_momentum, "rmsprop": rmsprop, "adam": adam}
