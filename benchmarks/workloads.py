"""The benchmark workloads W1-W5, each written once per contender.

A contender's function takes no arguments, computes the loss and its gradients from scratch, and
returns ``(loss, grads)``: a float and a dict of numpy arrays. ``run.py`` checks every contender's
result against the hand-written numpy one before it times anything.

Contenders:

* ``numpy``: the hand-derived, vectorized formulas of ``tinygrad_edu.reference`` (for W4, a forward
  and backward pass written out below);
* ``engine``: tinygrad_edu's Tensors, the loss written as a user writes it from the formula
  (``engine_softmax_loss``, ``engine_svm_loss``, ``engine_two_layer_loss`` below: the softmax with the
  row maximum subtracted and its gradient flowing through ``max``, the hinge with a 0/1 mask for the
  correct class, the mean written as ``mean``), ``TwoLayerNet.predict`` and ``optim.SGD``;
* ``torch``: PyTorch's CPU autograd in float64 (when installed);
* ``autograd``: HIPS autograd over ``autograd.numpy`` (when installed).

Shapes: ``X`` (N, D) inputs, ``W`` (D, C) weights, ``y`` (N,) labels, as in cs231n.
"""
from __future__ import annotations

import gc
import os
import sys

import numpy as np

from tinygrad_edu import Tensor, optim, reference
from tinygrad_edu.nn import TwoLayerNet

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from overhead import C1, C2, chain, chain_numpy  # noqa: E402  (W4, shared with overhead.py)

try:
    import torch
except ImportError:  # pragma: no cover - torch is optional
    torch = None
try:
    import autograd
    import autograd.numpy as anp
    from autograd.extend import defvjp, primitive
    from autograd.scipy.special import logsumexp as a_logsumexp
except ImportError:  # pragma: no cover - autograd is optional
    autograd = None

REG = 1e-3  # L2 strength used by W1-W3 (nonzero, so the regularization term is timed too)

# W4's chain (x * C1, x + C2, tanh, x - C2, sigmoid, relu, repeated) and its constants: overhead.py


# ------------------------------------------------------------------------------------- data


def linear_data(n: int, d: int, c: int, seed: int = 0):
    """``X`` (n, d) standard normal with a last column of ones (the bias trick), ``y`` (n,), ``W`` (d, c)."""
    rng = np.random.RandomState(seed)
    X = rng.randn(n, d)
    X[:, -1] = 1.0
    y = rng.randint(0, c, n)
    W = 1e-4 * rng.randn(d, c)
    return X, y, W


def two_layer_data(n: int, d: int, h: int, c: int, seed: int = 0):
    """``X`` (n, d), ``y`` (n,) and ``params`` {W1 (d, h), b1 (h,), W2 (h, c), b2 (c,)}, He-scaled weights."""
    rng = np.random.RandomState(seed)
    X = rng.randn(n, d)
    y = rng.randint(0, c, n)
    params = {"W1": rng.randn(d, h) * np.sqrt(2.0 / d), "b1": 0.01 * rng.randn(h),
              "W2": rng.randn(h, c) * np.sqrt(2.0 / h), "b2": 0.01 * rng.randn(c)}
    return X, y, params


# ------------------------------------------------------------------ the losses as a user writes them


def engine_log_softmax_loss(scores, y):
    """Mean softmax cross-entropy of ``scores`` (N, C) Tensor: the max shifted out, with its gradient."""
    s = scores - scores.max(axis=1, keepdims=True)
    log_probs = s - s.exp().sum(axis=1, keepdims=True).log()
    return -log_probs[np.arange(len(y)), y].mean()


def engine_softmax_loss(W, X, y, reg):
    """W1 in the engine: ``W`` a Tensor (D, C), ``X`` (N, D) and ``y`` (N,) numpy arrays."""
    return engine_log_softmax_loss(X @ W, y) + reg * (W * W).sum()


def engine_svm_loss(W, X, y, reg, delta=1.0):
    """W2 in the engine: the margins, a constant 0/1 mask dropping the correct class, the mean."""
    n, c = X.shape[0], W.shape[1]
    rows = np.arange(n)
    s = X @ W
    margins = (s - s[rows, y].reshape(n, 1) + delta).relu()
    others = np.ones((n, c))
    others[rows, y] = 0.0
    return (margins * others).sum(axis=1).mean() + reg * (W * W).sum()


def engine_two_layer_loss(p, X, y, reg):
    """W3 and W5 in the engine: affine, ReLU, affine, softmax cross-entropy, L2 on both weights."""
    scores = (X @ p["W1"] + p["b1"]).relu() @ p["W2"] + p["b2"]
    return (engine_log_softmax_loss(scores, y)
            + reg * ((p["W1"] * p["W1"]).sum() + (p["W2"] * p["W2"]).sum()))


# ------------------------------------------------------------------------- W1 softmax, W2 hinge


def w1_contenders(X, y, W, reg=REG):
    """Softmax loss and dL/dW, one function per contender."""
    def numpy_():
        loss, dW = reference.softmax_loss_vectorized(W, X, y, reg)
        return loss, {"W": dW}

    def engine():
        Wt = Tensor(W, requires_grad=True)
        loss = engine_softmax_loss(Wt, X, y, reg)
        loss.backward()
        return loss.item(), {"W": Wt.grad}

    out = {"numpy": numpy_, "engine": engine}
    if torch is not None:
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

        def torch_():
            Wt = torch.tensor(W, requires_grad=True)
            loss = torch.nn.functional.cross_entropy(Xt @ Wt, yt) + reg * (Wt * Wt).sum()
            loss.backward()
            return loss.item(), {"W": Wt.grad.numpy()}
        out["torch"] = torch_
    if autograd is not None:
        def f(W_):
            s = anp.dot(X, W_)
            return (anp.mean(a_logsumexp(s, axis=1) - s[np.arange(len(y)), y])
                    + reg * anp.sum(W_ * W_))
        vg = autograd.value_and_grad(f)

        def autograd_():
            loss, dW = vg(W)
            return float(loss), {"W": dW}
        out["autograd"] = autograd_
    return out


def w2_contenders(X, y, W, reg=REG, delta=1.0):
    """Multiclass hinge loss and dL/dW, one function per contender."""
    n, c = X.shape[0], W.shape[1]

    def numpy_():
        loss, dW = reference.svm_loss_vectorized(W, X, y, reg, delta)
        return loss, {"W": dW}

    def engine():
        Wt = Tensor(W, requires_grad=True)
        loss = engine_svm_loss(Wt, X, y, reg, delta)
        loss.backward()
        return loss.item(), {"W": Wt.grad}

    out = {"numpy": numpy_, "engine": engine}
    if torch is not None:
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
        rows = torch.arange(n)

        def torch_():
            Wt = torch.tensor(W, requires_grad=True)
            s = Xt @ Wt
            margins = (s - s[rows, yt].unsqueeze(1) + delta).clamp(min=0)
            others = torch.ones(n, c, dtype=s.dtype)
            others[rows, yt] = 0.0
            loss = (margins * others).sum() / n + reg * (Wt * Wt).sum()
            loss.backward()
            return loss.item(), {"W": Wt.grad.numpy()}
        out["torch"] = torch_
    if autograd is not None:
        rows_np = np.arange(n)

        def f(W_):
            s = anp.dot(X, W_)
            margins = anp.maximum(0.0, s - s[rows_np, y][:, None] + delta)
            others = np.ones((n, c))
            others[rows_np, y] = 0.0
            return anp.sum(margins * others) / n + reg * anp.sum(W_ * W_)
        vg = autograd.value_and_grad(f)

        def autograd_():
            loss, dW = vg(W)
            return float(loss), {"W": dW}
        out["autograd"] = autograd_
    return out


# ------------------------------------------------------------------------------ W3 two-layer net

NAMES = ("W1", "b1", "W2", "b2")


def w3_contenders(X, y, params, reg=REG):
    """The two-layer net's loss and its four gradients, one function per contender."""
    def numpy_():
        return reference.two_layer_loss(params, X, y, reg)

    def engine():
        p = {k: Tensor(v, requires_grad=True) for k, v in params.items()}
        loss = engine_two_layer_loss(p, X, y, reg)
        loss.backward()
        return loss.item(), {k: t.grad for k, t in p.items()}

    out = {"numpy": numpy_, "engine": engine}
    if torch is not None:
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

        def torch_():
            W1, b1, W2, b2 = (torch.tensor(params[k], requires_grad=True) for k in NAMES)
            s = (Xt @ W1 + b1).relu() @ W2 + b2
            loss = (torch.nn.functional.cross_entropy(s, yt)
                    + reg * ((W1 * W1).sum() + (W2 * W2).sum()))
            loss.backward()
            return loss.item(), {k: t.grad.numpy() for k, t in zip(NAMES, (W1, b1, W2, b2))}
        out["torch"] = torch_
    if autograd is not None:
        vg = autograd.value_and_grad(_autograd_two_layer)

        def autograd_():
            loss, g = vg(params, X, y, reg)
            return float(loss), g
        out["autograd"] = autograd_
    return out


def _autograd_two_layer(p, X, y, reg):
    s = anp.dot(anp.maximum(anp.dot(X, p["W1"]) + p["b1"], 0.0), p["W2"]) + p["b2"]
    data = anp.mean(a_logsumexp(s, axis=1) - s[np.arange(len(y)), y])
    return data + reg * (anp.sum(p["W1"] * p["W1"]) + anp.sum(p["W2"] * p["W2"]))


# ---------------------------------------------------------------------------- W4 chain of small ops




if autograd is not None:
    @primitive
    def _a_sigmoid(x):
        return 1.0 / (1.0 + np.exp(-x))

    defvjp(_a_sigmoid, lambda ans, x: lambda g: g * ans * (1.0 - ans))

    class _ABox:
        """Gives autograd's boxes the method names ``chain`` calls (tanh, sigmoid, relu)."""
        __slots__ = ("v",)

        def __init__(self, v):
            self.v = v

        def __mul__(self, c):
            return _ABox(self.v * c)

        def __add__(self, c):
            return _ABox(self.v + c)

        def __sub__(self, c):
            return _ABox(self.v - c)

        def tanh(self):
            return _ABox(anp.tanh(self.v))

        def sigmoid(self):
            return _ABox(_a_sigmoid(self.v))

        def relu(self):
            return _ABox(anp.maximum(self.v, 0.0))


def w4_contenders(x0, n_ops):
    """Sum of the chain of ``n_ops`` elementwise ops and its gradient w.r.t. ``x0`` (10, 10)."""
    def numpy_():
        loss, g = chain_numpy(x0, n_ops)
        return loss, {"x": g}

    def engine():
        x = Tensor(x0, requires_grad=True)
        loss = chain(x, n_ops, C1, C2).sum()
        loss.backward()
        return loss.item(), {"x": x.grad}

    out = {"numpy": numpy_, "engine": engine}
    if torch is not None:
        def torch_():
            x = torch.tensor(x0, requires_grad=True)
            loss = chain(x, n_ops, C1, C2).sum()
            loss.backward()
            return loss.item(), {"x": x.grad.numpy()}
        out["torch"] = torch_
    if autograd is not None:
        vg = autograd.value_and_grad(lambda x: anp.sum(chain(_ABox(x), n_ops, C1, C2).v))

        def autograd_():
            loss, g = vg(x0)
            return float(loss), {"x": g}
        out["autograd"] = autograd_
    return out


# ----------------------------------------------------------------------- W5 training on the digits


class Schedule:
    """What every contender of W5 shares: data, initial weights, minibatches, step size, stopping rule.

    Minibatch SGD on the two-layer net (64 -> ``hidden`` -> 10) with a constant learning rate; the
    minibatch indices are drawn once from ``seed``, so each contender sees the same batches in the
    same order. Test accuracy is measured every ``eval_every`` steps; training stops at the first
    evaluation with accuracy >= ``target`` (or after ``max_steps``; with ``target=None``, always
    ``max_steps`` steps, and the accuracy of the last evaluation).
    """

    def __init__(self, data, hidden=64, batch=64, lr=0.1, reg=1e-4, target=0.97, eval_every=10,
                 max_steps=4000, seed=0):
        self.data, self.lr, self.reg, self.target = data, lr, reg, target
        self.eval_every, self.max_steps = eval_every, max_steps
        d, c = data.X_train.shape[1], 10
        rng = np.random.RandomState(seed)
        self.init = {"W1": rng.randn(d, hidden) * np.sqrt(2.0 / d), "b1": np.zeros(hidden),
                     "W2": rng.randn(hidden, c) * np.sqrt(2.0 / hidden), "b2": np.zeros(c)}
        self.batches = rng.randint(0, len(data.y_train), (max_steps, batch))

    def fresh_params(self):
        return {k: v.copy() for k, v in self.init.items()}

    def run(self, step, accuracy):
        """Call ``step(X_batch, y_batch)`` until ``accuracy()`` reaches the target.

        With ``target=None`` it runs exactly ``max_steps`` steps. Returns ``(steps, accuracy,
        first_loss)``; ``first_loss`` (the loss of step 1) lets run.py check that every contender
        computes the same thing.
        """
        X, y = self.data.X_train, self.data.y_train
        first = None
        acc = 0.0
        for i in range(self.max_steps):
            idx = self.batches[i]
            loss = step(X[idx], y[idx])
            if first is None:
                first = loss
            if (i + 1) % self.eval_every == 0 or i + 1 == self.max_steps:
                acc = accuracy()
                if self.target is not None and acc >= self.target:
                    return i + 1, acc, first
        return self.max_steps, acc, first


def w5_contenders(sched: Schedule):
    """Train to the target test accuracy; each returns ``(first loss, {"steps", "test_acc"})``."""
    Xte, yte = sched.data.X_test, sched.data.y_test
    lr, reg = sched.lr, sched.reg

    def numpy_():
        p = sched.fresh_params()

        def step(Xb, yb):
            loss, g = reference.two_layer_loss(p, Xb, yb, reg)
            for k in NAMES:
                p[k] -= lr * g[k]
            return loss

        def acc():
            s = np.maximum(Xte @ p["W1"] + p["b1"], 0.0) @ p["W2"] + p["b2"]
            return float(np.mean(s.argmax(axis=1) == yte))
        return _w5_result(sched.run(step, acc))

    def engine():
        net = TwoLayerNet(Xte.shape[1], sched.init["W1"].shape[1], 10)
        net.params = sched.fresh_params()
        p = {k: Tensor(v, requires_grad=True) for k, v in net.params.items()}  # share the arrays
        opt = optim.SGD(p.values(), lr=lr)

        def step(Xb, yb):
            opt.zero_grad()
            loss = engine_two_layer_loss(p, Xb, yb, reg)
            loss.backward()
            opt.step()
            return loss.item()

        def acc():
            return float(np.mean(net.predict(Xte) == yte))
        return _w5_result(sched.run(step, acc))

    out = {"numpy": numpy_, "engine": engine}
    if torch is not None:
        Xte_t = torch.from_numpy(Xte)

        def torch_():
            p = [torch.tensor(sched.init[k], requires_grad=True) for k in NAMES]
            W1, b1, W2, b2 = p
            opt = torch.optim.SGD(p, lr=lr)

            def step(Xb, yb):
                opt.zero_grad()
                s = (torch.from_numpy(Xb) @ W1 + b1).relu() @ W2 + b2
                loss = (torch.nn.functional.cross_entropy(s, torch.from_numpy(yb))
                        + reg * ((W1 * W1).sum() + (W2 * W2).sum()))
                loss.backward()
                opt.step()
                return loss.item()

            def acc():
                with torch.no_grad():
                    s = (Xte_t @ W1 + b1).relu() @ W2 + b2
                return float((s.argmax(dim=1).numpy() == yte).mean())
            return _w5_result(sched.run(step, acc))
        out["torch"] = torch_
    if autograd is not None:
        vg = autograd.value_and_grad(_autograd_two_layer)

        def autograd_():
            p = sched.fresh_params()

            def step(Xb, yb):
                loss, g = vg(p, Xb, yb, reg)
                for k in NAMES:
                    p[k] -= lr * g[k]
                return float(loss)

            def acc():
                s = np.maximum(Xte @ p["W1"] + p["b1"], 0.0) @ p["W2"] + p["b2"]
                return float(np.mean(s.argmax(axis=1) == yte))
            return _w5_result(sched.run(step, acc))
        out["autograd"] = autograd_
    return out


def _w5_result(res):
    steps, acc, first = res
    return float(first), {"steps": np.array(steps), "test_acc": np.array(acc)}


def training_memory(sched: Schedule, n_steps: int, marks, contender: str = "engine"):
    """Traced memory (bytes) still allocated after training steps, at each step in ``marks``:
    ``{step: (bytes, bytes after gc.collect(), unreachable objects that collect found)}``.

    ``contender`` is ``"engine"`` (Tensors, ``engine_two_layer_loss``, ``optim.SGD``) or ``"numpy"``
    (``reference.two_layer_loss`` and ``p -= lr * dp``). ``tracemalloc`` must be running. The steps
    cycle through the schedule's minibatches; between the marks no garbage collection is forced.
    At a mark, ``gc.collect()`` also empties CPython's free lists (of tuples, floats, frames...),
    whose fill moves the first number by up to ~200 KiB from step to step without anything being
    held; the second number is what the loop really keeps, and the third says whether any of it
    was garbage in reference cycles (0: everything is freed by reference counting alone).
    """
    import tracemalloc
    X, y = sched.data.X_train, sched.data.y_train
    if contender == "engine":
        p = {k: Tensor(v, requires_grad=True) for k, v in sched.fresh_params().items()}
        opt = optim.SGD(p.values(), lr=sched.lr)

        def step(Xb, yb):
            opt.zero_grad()
            loss = engine_two_layer_loss(p, Xb, yb, sched.reg)
            loss.backward()
            opt.step()
    elif contender == "numpy":
        p = sched.fresh_params()

        def step(Xb, yb):
            _, g = reference.two_layer_loss(p, Xb, yb, sched.reg)
            for k in NAMES:
                p[k] -= sched.lr * g[k]
    else:
        raise ValueError(f"training_memory: contender must be 'engine' or 'numpy', got {contender!r}")
    seen = {}
    for i in range(n_steps):
        idx = sched.batches[i % len(sched.batches)]
        step(X[idx], y[idx])
        if i + 1 in marks:
            raw = tracemalloc.get_traced_memory()[0]
            unreachable = gc.collect()
            seen[i + 1] = (raw, tracemalloc.get_traced_memory()[0], unreachable)
    return seen


def chain_memory(n_ops: int):
    """Traced bytes held by a chain of ``n_ops`` ops on (10, 10): ``(after forward, after backward)``.

    The engine's graph is alive in both (the loss is held, as a user holds it); after backward the
    arrays the ops saved are freed and ``x.grad`` exists. ``tracemalloc`` must be running.
    """
    import tracemalloc
    x0 = np.random.default_rng(0).standard_normal((10, 10))
    base = tracemalloc.get_traced_memory()[0]
    x = Tensor(x0, requires_grad=True)
    loss = chain(x, n_ops, C1, C2).sum()
    before = tracemalloc.get_traced_memory()[0] - base
    loss.backward()
    after = tracemalloc.get_traced_memory()[0] - base
    assert x.grad is not None
    del loss, x
    return before, after


__all__ = ["engine_softmax_loss", "engine_svm_loss", "engine_two_layer_loss", "linear_data",
           "two_layer_data", "w1_contenders", "w2_contenders", "w3_contenders", "w4_contenders",
           "w5_contenders", "Schedule", "training_memory", "chain_memory", "chain_numpy"]
