"""Optimizers with PyTorch's update rules: ``SGD`` (momentum, weight decay) and ``Adam``.

Each takes an iterable of Tensors (e.g. ``model.parameters()``), reads their ``.grad`` in ``step()``
and updates their ``.data`` in place, outside the graph (nothing here is recorded). Parameters whose
``.grad`` is None are skipped. ``zero_grad()`` resets every ``.grad`` to None::

    opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    for X, y in batches:
        opt.zero_grad()
        loss = cross_entropy(model(Tensor(X)), y)
        loss.backward()
        opt.step()

The parameters must be distinct leaf Tensors with ``requires_grad=True`` (any other Tensor never gets
a ``.grad``, and a repeated one would be stepped twice): anything else raises at construction, as do
hyper-parameters that are not finite numbers in range (``lr='0.1'``, ``lr=-1``, ``betas=(1.0, 0.9)``).

Updating ``.data`` in place means that a numpy array shared with a Tensor (as ``TwoLayerNet.params``
are, through ``Tensor(array)``) sees each step. Each step bumps the parameter's version, so a loss
computed before ``step()`` refuses to ``backward()`` afterwards (its saved values are stale), as
PyTorch does.
"""
from __future__ import annotations

import numpy as np

from . import checks
from .engine import Tensor
from .engine import versions

__all__ = ["Optimizer", "SGD", "Adam"]


class Optimizer:
    """Base class: holds the parameter list, per-parameter ``state`` and ``zero_grad``."""

    def __init__(self, params, lr: float):
        self.params = _param_list(params, type(self).__name__)
        self.lr = checks.number(lr, "lr", type(self).__name__, low=0)
        self.state = [{} for _ in self.params]

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to None."""
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        """Update every parameter that has a gradient: ``p -= self.update(g, state)``, where ``g`` is
        ``p.grad`` plus ``weight_decay * p`` (the L2 penalty added to the gradient, as PyTorch does)."""
        for p, state in zip(self.params, self.state):
            g = p._grad      # the array itself (``p.grad`` hands out a Grad view of it)
            if g is None:
                continue
            if self.weight_decay:
                g = g + self.weight_decay * p.data
            delta = self.update(g, state)
            p.data -= delta if delta.dtype == p.data.dtype else delta.astype(p.data.dtype)
            versions.bump(p)   # a graph that saved p's old value now refuses to backward

    def update(self, g: np.ndarray, state: dict) -> np.ndarray:  # pragma: no cover - abstract
        """The step to subtract from a parameter, given its gradient and its state dict."""
        raise NotImplementedError


def _param_list(params, where: str) -> list:
    """``params`` as a list of distinct leaf Tensors that require grad, as PyTorch's optimizers want."""
    if isinstance(params, (Tensor, np.ndarray, str)) or not hasattr(params, "__iter__"):
        raise TypeError(f"{where}: params must be an iterable of Tensors, such as model.parameters() "
                        f"or [w, b]; got {checks.given(params)}")
    params = list(params)
    if not params:
        raise ValueError(f"{where}: got an empty parameter list; pass e.g. model.parameters() or [w, b]")
    seen = set()
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(f"{where}: parameter {i} is a {type(p).__name__}, not a Tensor; wrap it "
                            f"as Tensor(array, requires_grad=True)")
        if not p.requires_grad or not p.is_leaf:
            why = "is not a leaf (an op made it)" if p.requires_grad else "has requires_grad=False"
            raise ValueError(f"{where}: parameter {i} {why}, so backward() never sets its .grad; "
                             f"pass the leaf Tensors created with requires_grad=True")
        checks.writable(p.data, f"parameter {i}'s data", where)
        if id(p) in seen:
            raise ValueError(f"{where}: parameter {i} appears more than once in params; each would be "
                             f"updated twice per step: list every Tensor once")
        seen.add(id(p))
    return params


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum and L2 weight decay (as ``torch.optim.SGD``).

    For each parameter ``p`` with gradient ``g``, at every step::

        g = g + weight_decay * p
        b = g                                   (first step)
        b = momentum * b + (1 - dampening) * g  (later steps; only when momentum > 0)
        g = g + momentum * b if nesterov else b
        p = p - lr * g
    """

    def __init__(self, params, lr: float, momentum: float = 0.0, weight_decay: float = 0.0,
                 dampening: float = 0.0, nesterov: bool = False):
        super().__init__(params, lr)
        momentum = checks.number(momentum, "momentum", "SGD", low=0)
        weight_decay = checks.number(weight_decay, "weight_decay", "SGD", low=0)
        dampening = checks.number(dampening, "dampening", "SGD")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: nesterov momentum needs momentum > 0 and dampening = 0")
        self.momentum, self.weight_decay = momentum, weight_decay
        self.dampening, self.nesterov = dampening, nesterov

    def update(self, g, state):
        if self.momentum:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = np.array(g, copy=True)
            else:
                buf = self.momentum * buf + (1 - self.dampening) * g
            state["momentum_buffer"] = buf
            g = g + self.momentum * buf if self.nesterov else buf
        return self.lr * g


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015) with bias correction, as ``torch.optim.Adam``.

    For each parameter ``p`` with gradient ``g``, at step ``t = 1, 2, ...``::

        g = g + weight_decay * p                 (L2 penalty added to the gradient, not AdamW)
        m = beta1 * m + (1 - beta1) * g          (running mean of gradients, starts at 0)
        v = beta2 * v + (1 - beta2) * g**2       (running mean of squared gradients, starts at 0)
        p = p - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0):
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"Adam: betas must be a pair (beta1, beta2), e.g. (0.9, 0.999); "
                            f"got {checks.given(betas)}")
        b1, b2 = (checks.number(b, f"betas[{i}]", "Adam", low=0, high=1, high_open=True)
                  for i, b in enumerate(betas))
        eps = checks.number(eps, "eps", "Adam", low=0)
        weight_decay = checks.number(weight_decay, "weight_decay", "Adam", low=0)
        self.betas, self.eps, self.weight_decay = (b1, b2), eps, weight_decay

    def update(self, g, state):
        b1, b2 = self.betas
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(g)
            state["exp_avg_sq"] = np.zeros_like(g)
        state["step"] += 1
        t = state["step"]
        m = state["exp_avg"] = b1 * state["exp_avg"] + (1 - b1) * g
        v = state["exp_avg_sq"] = b2 * state["exp_avg_sq"] + (1 - b2) * g * g
        denom = np.sqrt(v) / np.sqrt(1 - b2 ** t) + self.eps
        return self.lr / (1 - b1 ** t) * m / denom


class RMSprop(Optimizer):
    """RMSprop, as ``torch.optim.RMSprop``: each entry's step divided by the root of a running mean
    of its squared gradients.

    For each parameter ``p`` with gradient ``g``, at every step::

        g = g + weight_decay * p
        s = alpha * s + (1 - alpha) * g**2            (s starts at 0)
        a = alpha * a + (1 - alpha) * g               (centered only; a starts at 0)
        d = sqrt(s - a**2) + eps if centered else sqrt(s) + eps
        b = momentum * b + g / d                      (momentum > 0 only; b starts at 0)
        p = p - lr * b    if momentum > 0 else   p - lr * g / d

    The course's ``rmsprop`` update rule is this with ``alpha = decay_rate`` and no momentum.
    """

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False):
        super().__init__(params, lr)
        self.alpha = checks.number(alpha, "alpha", "RMSprop", low=0, high=1)
        self.eps = checks.number(eps, "eps", "RMSprop", low=0)
        self.weight_decay = checks.number(weight_decay, "weight_decay", "RMSprop", low=0)
        self.momentum = checks.number(momentum, "momentum", "RMSprop", low=0)
        self.centered = bool(centered)

    def update(self, g, state):
        a = self.alpha
        if not state:
            state["square_avg"] = np.zeros_like(g)
            if self.centered:
                state["grad_avg"] = np.zeros_like(g)
            if self.momentum:
                state["momentum_buffer"] = np.zeros_like(g)
        s = state["square_avg"] = a * state["square_avg"] + (1 - a) * g * g
        if self.centered:
            m = state["grad_avg"] = a * state["grad_avg"] + (1 - a) * g
            denom = np.sqrt(s - m * m) + self.eps
        else:
            denom = np.sqrt(s) + self.eps
        if self.momentum:
            buf = state["momentum_buffer"] = self.momentum * state["momentum_buffer"] + g / denom
            return self.lr * buf
        return self.lr * g / denom


__all__ += ["RMSprop"]
