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

Updating ``.data`` in place means that a numpy array shared with a Tensor (as ``TwoLayerNet.params``
are, through ``Tensor(array)``) sees each step. Each step bumps the parameter's version, so a loss
computed before ``step()`` refuses to ``backward()`` afterwards (its saved values are stale), as
PyTorch does.
"""
from __future__ import annotations

import numpy as np

from .engine import Tensor
from .engine.autograd import bump_version

__all__ = ["Optimizer", "SGD", "Adam"]


class Optimizer:
    """Base class: holds the parameter list, per-parameter ``state`` and ``zero_grad``."""

    def __init__(self, params, lr: float):
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list; pass e.g. "
                             f"model.parameters() or [w, b]")
        for i, p in enumerate(self.params):
            if not isinstance(p, Tensor):
                raise TypeError(f"{type(self).__name__}: parameter {i} is a {type(p).__name__}, "
                                f"not a Tensor; wrap it as Tensor(array, requires_grad=True)")
        if lr < 0:
            raise ValueError(f"{type(self).__name__}: lr must be >= 0, got {lr}")
        self.lr = lr
        self.state = [{} for _ in self.params]

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to None."""
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        """Update every parameter that has a gradient: ``p -= self.update(g, state)``, where ``g`` is
        ``p.grad`` plus ``weight_decay * p`` (the L2 penalty added to the gradient, as PyTorch does)."""
        for p, state in zip(self.params, self.state):
            if p.grad is None:
                continue
            g = p.grad
            if self.weight_decay:
                g = g + self.weight_decay * p.data
            p.data -= self.update(g, state).astype(p.data.dtype, copy=False)
            bump_version(p)   # a graph that saved p's old value now refuses to backward

    def update(self, g: np.ndarray, state: dict) -> np.ndarray:  # pragma: no cover - abstract
        """The step to subtract from a parameter, given its gradient and its state dict."""
        raise NotImplementedError


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
        if momentum < 0 or weight_decay < 0:
            raise ValueError(f"SGD: momentum ({momentum}) and weight_decay ({weight_decay}) must be >= 0")
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
        b1, b2 = betas
        if not (0 <= b1 < 1 and 0 <= b2 < 1):
            raise ValueError(f"Adam: betas must be in [0, 1), got {betas}")
        if eps < 0 or weight_decay < 0:
            raise ValueError(f"Adam: eps ({eps}) and weight_decay ({weight_decay}) must be >= 0")
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
