"""Optimizers with PyTorch's update rules: ``SGD`` (momentum, dampening, Nesterov, weight decay),
``Adam`` and ``AdamW``, as ``torch.optim``.

Each takes an iterable of Tensors (e.g. ``model.parameters()``) or of parameter groups (dicts with
``params`` and their own settings, ``[{"params": model.fc.parameters(), "lr": 0.1}, ...]``), reads
their ``.grad`` in ``step()`` and updates their ``.data`` in place, outside the graph (nothing here
is recorded). Parameters whose ``.grad`` is None are skipped. ``zero_grad()`` resets every ``.grad``
to None (``set_to_none=False``: to zeros in place), as PyTorch::

    opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    for X, y in batches:
        opt.zero_grad()
        loss = cross_entropy(model(Tensor(X)), y)
        loss.backward()
        opt.step()

The settings live in ``opt.param_groups`` (a list of dicts), where a schedule changes them
(``for g in opt.param_groups: g["lr"] *= 0.1``); ``opt.lr = x`` sets every group that did not give
its own. ``opt.state[p]`` holds a parameter's buffers (``momentum_buffer``, ``exp_avg``, ...);
``state_dict()`` / ``load_state_dict()`` save and restore both, in PyTorch's layout.

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

from . import validate
from .engine import Tensor, enable_grad
from .engine import versions

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop"]


class Optimizer:
    """Base class: the parameter groups, per-parameter ``state``, ``zero_grad`` and ``step``.

    A subclass sets its settings as attributes in ``__init__`` (``self.momentum = ...``; they become
    the groups' defaults) and defines ``update(g, state)``, the step to subtract from a parameter
    with gradient ``g``; while it runs, ``self.<setting>`` reads the current group's value.
    """

    def __init__(self, params, lr: float = 1e-3):
        where = type(self).__name__
        groups = _param_groups(params, where)
        for name, value in (("param_groups", groups), ("defaults", {}), ("state", {}),
                            ("_given", [set(g) - {"params"} for g in groups])):
            object.__setattr__(self, name, value)
        self.lr = validate.number(lr, "lr", where, low=0)

    def __setattr__(self, name, value):
        """A setting: the default, and the value of every group that did not give its own."""
        if name.startswith("_"):
            object.__setattr__(self, name, value)
            return
        self.defaults[name] = value
        for group, given in zip(self.param_groups, self._given):
            if name not in given:
                group[name] = value

    def __getattr__(self, name):
        """A setting: the first group's, else the default (during ``step()`` the current group's
        settings are attributes, so this is not called for them)."""
        d = self.__dict__
        group = d["param_groups"][0] if d.get("param_groups") else {}
        if name in group and name != "params":
            return group[name]
        if name in d.get("defaults", {}):
            return d["defaults"][name]
        raise AttributeError(f"{type(self).__name__} has no attribute or setting {name!r}")

    @property
    def params(self) -> list:
        """Every parameter of every group, in order."""
        return [p for g in self.param_groups for p in g["params"]]

    def add_param_group(self, param_group: dict) -> None:
        """Add a group (a dict with ``params`` and any settings of its own; the rest are defaults)."""
        (group,) = _param_groups([param_group], type(self).__name__)
        if any(p is q for p in group["params"] for q in self.params):
            raise ValueError(f"{type(self).__name__}: some parameters appear in more than one group")
        self._given.append(set(group) - {"params"})
        for k, v in self.defaults.items():
            group.setdefault(k, v)
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's ``.grad``: to None (PyTorch's default), or to zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none or p._grad is None:
                    p._grad = None
                else:
                    p.grad[...] = 0

    def step(self, closure=None):
        """Update every parameter that has a gradient: ``p -= self.update(g, state)``, where ``g`` is
        ``p.grad`` (negated when ``maximize``) plus ``weight_decay * p`` (the L2 penalty added to the
        gradient, as PyTorch does; ``AdamW`` decays ``p`` itself instead). ``closure``, if given,
        recomputes and returns the loss (with gradient recording on); ``step`` returns it."""
        loss = None
        if closure is not None:
            if not callable(closure):
                raise TypeError(f"{type(self).__name__}.step: closure must be a callable that "
                                f"recomputes the loss, got {validate.given(closure)}")
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            self.__dict__.update(group)   # while its parameters are updated, the group's settings
            try:                          # are plain attributes of self ("params" stays the property)
                self._step_group(group)
            finally:
                for k in group:
                    del self.__dict__[k]
        return loss

    def _step_group(self, group: dict) -> None:
        maximize, decay = group.get("maximize", False), group.get("weight_decay", 0.0)
        decoupled = group.get("decoupled", False)
        for p in group["params"]:
            g = p._grad          # the array itself (p.grad would make a view of it)
            if g is None:
                continue
            g = -g if maximize else g
            if decay and decoupled:
                p.data *= 1 - self.lr * decay
            elif decay:
                g = g + decay * p.data
            delta = self.update(g, self.state.setdefault(p, {}))
            p.data -= delta if delta.dtype == p.data.dtype else delta.astype(p.data.dtype)
            versions.bump(p)     # a graph that saved p's old value now refuses to backward

    def update(self, g: np.ndarray, state: dict) -> np.ndarray:  # pragma: no cover - abstract
        """The step to subtract from a parameter, given its gradient and its state dict."""
        raise NotImplementedError

    def state_dict(self) -> dict:
        """``{"state": {index: {name: value}}, "param_groups": [{settings, "params": [indices]}]}``,
        parameters numbered in order across groups, as PyTorch's."""
        index = {id(p): i for i, p in enumerate(self.params)}
        state = {index[id(p)]: {k: (v.copy() if isinstance(v, np.ndarray) else v)
                                for k, v in s.items()}
                 for p, s in self.state.items() if id(p) in index}
        groups = [{**{k: v for k, v in g.items() if k != "params"},
                   "params": [index[id(p)] for p in g["params"]]} for g in self.param_groups]
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore what ``state_dict()`` gave (the same parameters, in the same groups)."""
        groups = state_dict["param_groups"]
        if [len(g["params"]) for g in groups] != [len(g["params"]) for g in self.param_groups]:
            raise ValueError(f"{type(self).__name__}.load_state_dict: the saved groups hold "
                             f"{[len(g['params']) for g in groups]} parameters, this optimizer's "
                             f"{[len(g['params']) for g in self.param_groups]}")
        params = self.params
        for mine, saved in zip(self.param_groups, groups):
            mine.update({k: v for k, v in saved.items() if k != "params"})
        self.state.clear()
        for i, s in state_dict["state"].items():
            p = params[int(i)]
            self.state[p] = {k: (np.array(getattr(v, "data", v), dtype=p.dtype)
                                 if np.ndim(getattr(v, "data", v)) else v) for k, v in s.items()}

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, g in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {g[k]}" for k in sorted(g) if k != "params"]
        return "\n".join(lines + [")"])


def _param_groups(params, where: str) -> list:
    """``params`` (Tensors, or dicts with ``params``) as a list of groups of distinct leaf Tensors."""
    if isinstance(params, (Tensor, np.ndarray, str, dict)) or not hasattr(params, "__iter__"):
        raise TypeError(f"{where}: params must be an iterable of Tensors, such as model.parameters() "
                        f"or [w, b], or of dicts with 'params'; got {validate.given(params)}")
    params = list(params)
    if not params:
        raise ValueError(f"{where}: got an empty parameter list; pass e.g. model.parameters() or [w, b]")
    if all(isinstance(g, dict) for g in params):
        groups = []
        for g in params:
            if "params" not in g:
                raise KeyError(f"{where}: a parameter group must have a 'params' entry, got keys "
                               f"{sorted(g)}")
            ps = [g["params"]] if isinstance(g["params"], Tensor) else g["params"]
            groups.append({**g, "params": _param_list(ps, where)})
            if "lr" in g:
                validate.number(g["lr"], "lr", where, low=0)
    else:
        groups = [{"params": _param_list(params, where)}]
    _distinct([p for g in groups for p in g["params"]], where)
    return groups


def _distinct(params: list, where: str) -> None:
    seen = set()
    for i, p in enumerate(params):
        if id(p) in seen:
            raise ValueError(f"{where}: parameter {i} appears more than once in params; each would be "
                             f"updated twice per step: list every Tensor once")
        seen.add(id(p))


def _param_list(params, where: str) -> list:
    """``params`` as a list of leaf Tensors that require grad, as PyTorch's optimizers want."""
    params = list(params)
    if not params:
        raise ValueError(f"{where}: got an empty parameter list; pass e.g. model.parameters() or [w, b]")
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(f"{where}: parameter {i} is a {type(p).__name__}, not a Tensor; wrap it "
                            f"as Tensor(array, requires_grad=True)")
        if not p.requires_grad or not p.is_leaf:
            why = "is not a leaf (an op made it)" if p.requires_grad else "has requires_grad=False"
            raise ValueError(f"{where}: parameter {i} {why}, so backward() never sets its .grad; "
                             f"pass the leaf Tensors created with requires_grad=True")
        validate.writable(p.data, f"parameter {i}'s data", where)
    return params


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum and L2 weight decay (as ``torch.optim.SGD``,
    with its arguments in its order).

    For each parameter ``p`` with gradient ``g``, at every step::

        g = -g if maximize
        g = g + weight_decay * p
        b = g                                   (first step)
        b = momentum * b + (1 - dampening) * g  (later steps; only when momentum > 0)
        g = g + momentum * b if nesterov else b
        p = p - lr * g
    """

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False, *, maximize: bool = False,
                 foreach=None, differentiable: bool = False, fused=None):
        super().__init__(params, lr)
        momentum = validate.number(momentum, "momentum", "SGD", low=0)
        weight_decay = validate.number(weight_decay, "weight_decay", "SGD", low=0)
        dampening = validate.number(dampening, "dampening", "SGD")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: nesterov momentum needs momentum > 0 and dampening = 0")
        self.momentum, self.dampening, self.weight_decay = momentum, dampening, weight_decay
        self.nesterov, self.maximize = bool(nesterov), bool(maximize)

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

        g = -g if maximize
        g = g + weight_decay * p                 (L2 penalty added to the gradient; AdamW decays p)
        m = beta1 * m + (1 - beta1) * g          (running mean of gradients, starts at 0)
        v = beta2 * v + (1 - beta2) * g**2       (running mean of squared gradients, starts at 0)
        v_max = max(v_max, v)                    (amsgrad only; then v_max replaces v below)
        p = p - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False, *, foreach=None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False,
                 fused=None, decoupled_weight_decay: bool = False):
        super().__init__(params, lr)
        where = type(self).__name__
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"{where}: betas must be a pair (beta1, beta2), e.g. (0.9, 0.999); "
                            f"got {validate.given(betas)}")
        b1, b2 = (validate.number(b, f"betas[{i}]", where, low=0, high=1, high_open=True)
                  for i, b in enumerate(betas))
        eps = validate.number(eps, "eps", where, low=0)
        weight_decay = validate.number(weight_decay, "weight_decay", where, low=0)
        self.betas, self.eps, self.weight_decay = (b1, b2), eps, weight_decay
        self.amsgrad, self.maximize = bool(amsgrad), bool(maximize)
        self.decoupled = bool(decoupled_weight_decay)

    def update(self, g, state):
        b1, b2 = self.betas
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(g)
            state["exp_avg_sq"] = np.zeros_like(g)
            if self.amsgrad:
                state["max_exp_avg_sq"] = np.zeros_like(g)
        state["step"] += 1
        t = state["step"]
        m = state["exp_avg"] = b1 * state["exp_avg"] + (1 - b1) * g
        v = state["exp_avg_sq"] = b2 * state["exp_avg_sq"] + (1 - b2) * g * g
        if self.amsgrad:
            v = state["max_exp_avg_sq"] = np.maximum(state["max_exp_avg_sq"], v)
        denom = np.sqrt(v) / np.sqrt(1 - b2 ** t) + self.eps
        return self.lr / (1 - b1 ** t) * m / denom


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter), as ``torch.optim.AdamW``: each step
    first shrinks ``p`` by ``1 - lr * weight_decay``, then takes Adam's step on the plain gradient."""

    def __init__(self, params, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.01, amsgrad: bool = False, *, maximize: bool = False,
                 foreach=None, capturable: bool = False, differentiable: bool = False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True)


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
        self.alpha = validate.number(alpha, "alpha", "RMSprop", low=0, high=1)
        self.eps = validate.number(eps, "eps", "RMSprop", low=0)
        self.weight_decay = validate.number(weight_decay, "weight_decay", "RMSprop", low=0)
        self.momentum = validate.number(momentum, "momentum", "RMSprop", low=0)
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
