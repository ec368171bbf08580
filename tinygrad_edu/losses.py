"""The cs231n losses written as graphs: a forward pass of Tensor ops; ``backward()`` gives the gradient.

Shapes as in cs231n: ``X`` (N, D) inputs, ``W`` (D, C) weights, ``y`` (N,) integer labels in [0, C).
``X`` and ``y`` may be numpy arrays (or lists) or Tensors; ``X`` given as an array is a constant.
Regularization is ``reg * sum(W*W)``, so its gradient is ``2*reg*W`` (with ``reg = 0`` the term is left
out of the graph).

``W`` is normally a Tensor created with ``requires_grad=True``; read ``W.grad`` after
``loss.backward()``. A numpy ``W`` is accepted too: it is wrapped as ``Tensor(W, requires_grad=True)``
(sharing the array), so the loss value is right, but the gradient then lands on a wrapper you hold
no name for: to read gradients, pass Tensors yourself. The same holds for the values of ``params``.

    >>> import numpy as np
    >>> from tinygrad_edu import Tensor
    >>> from tinygrad_edu.losses import softmax_loss
    >>> W = Tensor(np.zeros((3, 4)), requires_grad=True)
    >>> loss = softmax_loss(W, np.ones((2, 3)), np.array([0, 3]))
    >>> round(loss.item(), 6) == round(float(np.log(4)), 6)
    True
"""
from __future__ import annotations

import numbers

from . import functional as F
from .engine import Tensor

__all__ = ["softmax_loss", "svm_loss", "two_layer_loss"]


def _param(w, name: str, where: str) -> Tensor:
    """A Tensor for a learnable parameter: numpy arrays are wrapped with ``requires_grad=True``."""
    if isinstance(w, Tensor):
        return w
    try:
        return Tensor(w, requires_grad=True, name=name)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{where}: {name} must be a Tensor or a numeric numpy array; {e}") from None


def _inputs(X, where: str) -> Tensor:
    X = X if isinstance(X, Tensor) else Tensor(X)
    if X.ndim != 2:
        raise ValueError(f"{where}: X must be 2-D of shape (N, D), one row per example; "
                         f"got shape {X.shape}")
    return X


def _reg(reg, where: str) -> float:
    if not isinstance(reg, numbers.Real):
        raise TypeError(f"{where}: reg must be a number, got {type(reg).__name__}")
    return float(reg)


def _linear_scores(W, X, where: str):
    W = _param(W, "W", where)
    X = _inputs(X, where)
    if W.ndim != 2 or W.shape[0] != X.shape[1]:
        raise ValueError(f"{where}: X has shape {X.shape} (N, D), so W must have shape "
                         f"({X.shape[1]}, C); got W of shape {W.shape}")
    return W, X @ W


def softmax_loss(W, X, y, reg: float = 0.0) -> Tensor:
    """Mean softmax cross-entropy of the scores ``X @ W``, plus ``reg * sum(W*W)``.

    ``W`` (D, C), ``X`` (N, D), ``y`` (N,) -> scalar Tensor. L = (1/N) sum_i (lse(s_i) - s_{i,y_i})
    + reg ||W||^2 with s = X W; after ``backward()``, ``W.grad = X.T (P - Y) / N + 2 reg W``.
    """
    reg = _reg(reg, "softmax_loss")
    W, scores = _linear_scores(W, X, "softmax_loss")
    loss = F.cross_entropy(scores, y)
    if reg:
        loss = loss + reg * (W * W).sum()
    return loss


def svm_loss(W, X, y, reg: float = 0.0, delta: float = 1.0) -> Tensor:
    """Mean multiclass hinge loss of ``X @ W``, plus ``reg * sum(W*W)``.

    ``W`` (D, C), ``X`` (N, D), ``y`` (N,) -> scalar Tensor.
    L = (1/N) sum_i sum_{j != y_i} max(0, s_ij - s_{i,y_i} + delta) + reg ||W||^2.
    """
    reg = _reg(reg, "svm_loss")
    W, scores = _linear_scores(W, X, "svm_loss")
    loss = F.multiclass_hinge(scores, y, delta)
    if reg:
        loss = loss + reg * (W * W).sum()
    return loss


def two_layer_loss(params, X, y, reg: float = 0.0) -> Tensor:
    """The two-layer net's loss: affine, ReLU, affine, softmax cross-entropy, plus regularization.

    ``params`` maps ``W1`` (D, H), ``b1`` (H,), ``W2`` (H, C), ``b2`` (C,) to Tensors (numpy arrays are
    wrapped, see the module docstring); ``X`` (N, D), ``y`` (N,) -> scalar Tensor:

        h = max(0, X W1 + b1)        (N, H)
        s = h W2 + b2                (N, C)
        L = cross_entropy(s, y) + reg (||W1||^2 + ||W2||^2)
    """
    where = "two_layer_loss"
    reg = _reg(reg, where)
    missing = [k for k in ("W1", "b1", "W2", "b2") if k not in params]
    if missing:
        raise KeyError(f"{where}: params lacks {missing}; it must map W1, b1, W2, b2 to Tensors")
    W1, b1, W2, b2 = (_param(params[k], k, where) for k in ("W1", "b1", "W2", "b2"))
    X = _inputs(X, where)
    d, h_size = X.shape[1], W1.shape[-1]
    want = {"W1": (d, h_size), "b1": (h_size,), "W2": (h_size, W2.shape[-1]), "b2": (W2.shape[-1],)}
    got = {"W1": W1.shape, "b1": b1.shape, "W2": W2.shape, "b2": b2.shape}
    if W1.ndim != 2 or W2.ndim != 2 or got != want:
        raise ValueError(f"{where}: with X of shape {X.shape}, params must have shapes W1 (D, H), "
                         f"b1 (H,), W2 (H, C), b2 (C,) with D = {d}; got {got}")
    hidden = (X @ W1 + b1).relu()
    scores = hidden @ W2 + b2
    loss = F.cross_entropy(scores, y)
    if reg:
        loss = loss + reg * ((W1 * W1).sum() + (W2 * W2).sum())
    return loss
