"""The cs231n losses written as graphs: a forward pass of Tensor ops; ``backward()`` gives the gradient.

Shapes as in cs231n: ``X`` (N, D) inputs, ``W`` (D, C) weights, ``y`` (N,) integer labels in [0, C).
``X`` and ``y`` may be numpy arrays (or lists) or Tensors; ``X`` given as an array is a constant.
Regularization is ``reg * sum(W*W)``, so its gradient is ``2*reg*W`` (with ``reg = 0`` the term is left
out of the graph).

``W`` is normally a Tensor created with ``requires_grad=True``; read ``W.grad`` after
``loss.backward()``. A numpy ``W`` is accepted too: it is wrapped as ``Tensor(W, requires_grad=True)``
(sharing the array), so the loss value is right, but the gradient then lands on a wrapper you hold
no name for: to read gradients, pass Tensors yourself. The same holds for the values of ``params``.

The tensors made along the way are named for the diagrams (``Tensor.name``) as each docstring says:
``scores`` (the class scores), ``data_loss`` and ``reg_loss`` (with ``reg > 0``), ``X`` (an ``X``
given as an array), ``hidden``, and the names ``functional`` gives inside the loss.

    >>> import numpy as np
    >>> from tinygrad_edu import Tensor
    >>> from tinygrad_edu.losses import softmax_loss
    >>> W = Tensor(np.zeros((3, 4)), requires_grad=True)
    >>> loss = softmax_loss(W, np.ones((2, 3)), np.array([0, 3]))
    >>> round(loss.item(), 6) == round(float(np.log(4)), 6)
    True
"""
from __future__ import annotations

from . import validate
from . import functional as F
from .engine import Tensor

__all__ = ["softmax_loss", "svm_loss", "two_layer_loss"]


def _data(x):
    """The numpy value of a Tensor, or ``x`` itself."""
    return x.data if isinstance(x, Tensor) else x


def _param(w, name: str, where: str) -> Tensor:
    """A Tensor for a learnable parameter (already checked): numpy arrays are wrapped with
    ``requires_grad=True``, sharing their memory."""
    return w if isinstance(w, Tensor) else Tensor(w, requires_grad=True, name=name)


def _linear_scores(W, X, y, reg, where: str):
    """Check the inputs (see ``validate.linear_problem``); return ``(W Tensor, scores, labels, reg)``."""
    _, Xd, labels, reg = validate.linear_problem(_data(W), _data(X), _data(y), reg, where)
    W = _param(W, "W", where)
    X = X if isinstance(X, Tensor) else Tensor(Xd, name="X")
    return W, _named(X @ W, "scores"), labels, reg


def _named(t: Tensor, name: str) -> Tensor:
    """``t``, made here, with a name for the diagrams."""
    t.name = name
    return t


def _total(data_loss: Tensor, reg_loss) -> Tensor:
    """``data_loss + reg_loss`` (both named), or ``data_loss`` alone without regularization."""
    if reg_loss is None:
        return data_loss
    return _named(data_loss, "data_loss") + _named(reg_loss, "reg_loss")


def softmax_loss(W, X, y, reg: float = 0.0) -> Tensor:
    """Mean softmax cross-entropy of the scores ``X @ W``, plus ``reg * sum(W*W)``.

    ``W`` (D, C), ``X`` (N, D), ``y`` (N,) -> scalar Tensor. L = (1/N) sum_i (lse(s_i) - s_{i,y_i})
    + reg ||W||^2 with s = X W; after ``backward()``, ``W.grad = X.T (P - Y) / N + 2 reg W``.
    Bad input (shapes, labels, NaN or inf, no rows, ``reg`` < 0) raises an error naming the loss.
    """
    W, scores, y, reg = _linear_scores(W, X, y, reg, "softmax_loss")
    return _total(F.cross_entropy(scores, y), reg * (W * W).sum() if reg else None)


def svm_loss(W, X, y, reg: float = 0.0, delta: float = 1.0) -> Tensor:
    """Mean multiclass hinge loss of ``X @ W``, plus ``reg * sum(W*W)``.

    ``W`` (D, C), ``X`` (N, D), ``y`` (N,) -> scalar Tensor; ``delta`` a finite number.
    L = (1/N) sum_i sum_{j != y_i} max(0, s_ij - s_{i,y_i} + delta) + reg ||W||^2.
    """
    delta = validate.number(delta, "delta", "svm_loss")
    W, scores, y, reg = _linear_scores(W, X, y, reg, "svm_loss")
    return _total(F.multiclass_hinge(scores, y, delta), reg * (W * W).sum() if reg else None)


def two_layer_loss(params, X, y, reg: float = 0.0) -> Tensor:
    """The two-layer net's loss: affine, ReLU, affine, softmax cross-entropy, plus regularization.

    ``params`` maps ``W1`` (D, H), ``b1`` (H,), ``W2`` (H, C), ``b2`` (C,) to Tensors (numpy arrays are
    wrapped, see the module docstring); ``X`` (N, D), ``y`` (N,) -> scalar Tensor:

        hidden = max(0, X W1 + b1)             (N, H)
        scores = hidden W2 + b2                (N, C)
        L = cross_entropy(scores, y) + reg (||W1||^2 + ||W2||^2)

    On the diagrams: ``XW1``, ``z1`` (= XW1 + b1), ``hidden``, ``hW2``, ``scores``, then
    ``data_loss`` and ``reg_loss`` (with ``reg > 0``).
    """
    where = "two_layer_loss"
    data = {k: _data(v) for k, v in validate.mapping(params, where, keys=validate.TWO_LAYER_KEYS).items()}
    _, Xd, y, reg = validate.two_layer_problem(data, _data(X), _data(y), reg, where)
    W1, b1, W2, b2 = (_param(params[k], k, where) for k in validate.TWO_LAYER_KEYS)
    X = X if isinstance(X, Tensor) else Tensor(Xd, name="X")
    hidden = _named(_named(_named(X @ W1, "XW1") + b1, "z1").relu(), "hidden")
    scores = _named(_named(hidden @ W2, "hW2") + b2, "scores")
    reg_loss = reg * ((W1 * W1).sum() + (W2 * W2).sum()) if reg else None
    return _total(F.cross_entropy(scores, y), reg_loss)
