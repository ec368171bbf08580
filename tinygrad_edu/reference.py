"""The hand-derived formulas in plain numpy: no Tensor, no autograd, every gradient written out.

These are what a learner writes in the cs231n assignments, and what the graphs in ``losses`` are
checked against. Conventions (the same as ``losses``):

* ``X`` (N, D) inputs, ``W`` (D, C) weights, ``y`` (N,) integer labels in [0, C);
* scores ``s = X W`` (N, C); the data loss is the *mean* over the N examples;
* regularization ``reg * sum(W*W)``, whose gradient is ``2 * reg * W``.

The ``_naive`` versions loop over examples and classes, one scalar at a time, so each line of code is
one term of the derivation; the ``_vectorized`` versions have no Python loop at all. Both return
``(loss, dW)`` with ``dW`` shaped like ``W``. Bad input (shapes, labels, NaN or inf, no rows, ``reg``
< 0 or not a number) raises an error naming the function, checked by the same code as ``losses``.
"""
from __future__ import annotations

import numpy as np

from .validate import linear_problem, number, two_layer_problem

__all__ = ["softmax_loss_naive", "softmax_loss_vectorized", "svm_loss_naive", "svm_loss_vectorized",
           "two_layer_loss"]


def softmax_loss_naive(W, X, y, reg):
    """Softmax cross-entropy loss and gradient with explicit loops.

    For one example x (D,) with scores s_j = x . W[:, j] and p_j = exp(s_j) / sum_k exp(s_k):

        L_i = -log p_{y_i} = -s_{y_i} + log sum_k exp(s_k)
        dL_i/ds_j = p_j - [j = y_i]                 (derivative of log-sum-exp is softmax)
        dL_i/dW[:, j] = x (p_j - [j = y_i])         (since ds_j/dW[:, j] = x)

    Then average over the N examples and add reg * sum(W^2), whose gradient is 2 reg W. The scores
    are shifted by their maximum before exp (this changes neither p nor L) to avoid overflow.
    Returns ``(loss, dW)``: a float and an array shaped like ``W`` (D, C).
    """
    W, X, y, reg = linear_problem(W, X, y, reg, "softmax_loss_naive")
    num_train, num_classes = X.shape[0], W.shape[1]
    loss = 0.0
    dW = np.zeros_like(W, dtype=np.float64)
    for i in range(num_train):
        scores = np.zeros(num_classes)
        for j in range(num_classes):
            scores[j] = X[i] @ W[:, j]
        shift = scores.max()
        total = 0.0
        for j in range(num_classes):
            total += np.exp(scores[j] - shift)
        log_total = np.log(total) + shift
        loss += log_total - scores[y[i]]
        for j in range(num_classes):
            p_j = np.exp(scores[j] - log_total)
            dW[:, j] += (p_j - (j == y[i])) * X[i]
    loss = loss / num_train + reg * np.sum(W * W)
    dW = dW / num_train + 2 * reg * W
    return float(loss), dW


def softmax_loss_vectorized(W, X, y, reg):
    """Softmax cross-entropy loss and gradient without loops.

    With S = X W (N, C), P its row-wise softmax and Y the one-hot labels (N, C):

        L = (1/N) sum_i (log sum_k exp S_ik - S_{i,y_i}) + reg ||W||^2
        dL/dS = (P - Y) / N                       (one row per example, as in the naive version)
        dL/dW = X^T dL/dS + 2 reg W               (chain rule through S = X W)

    Returns ``(loss, dW)``.
    """
    W, X, y, reg = linear_problem(W, X, y, reg, "softmax_loss_vectorized")
    n = X.shape[0]
    scores = X @ W
    scores = scores - scores.max(axis=1, keepdims=True)
    log_probs = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(n), y].mean() + reg * np.sum(W * W)
    dscores = np.exp(log_probs)
    dscores[np.arange(n), y] -= 1.0
    dW = X.T @ dscores / n + 2 * reg * W
    return float(loss), dW


def svm_loss_naive(W, X, y, reg, delta=1.0):
    """Multiclass SVM (hinge) loss and gradient with explicit loops.

    For one example with scores s_j and margins m_j = s_j - s_{y_i} + delta (j != y_i):

        L_i = sum_{j != y_i} max(0, m_j)
        dL_i/ds_j     = [m_j > 0]                                 for j != y_i
        dL_i/ds_{y_i} = -sum_{j != y_i} [m_j > 0]                 (the count of positive margins)
        so each positive margin adds x to dW[:, j] and subtracts x from dW[:, y_i].

    Average over N and add reg * sum(W^2) (gradient 2 reg W). At m_j = 0 exactly the hinge has a
    kink; like ReLU we take the gradient there as 0. Returns ``(loss, dW)``.
    """
    W, X, y, reg = linear_problem(W, X, y, reg, "svm_loss_naive")
    delta = number(delta, "delta", "svm_loss_naive")
    num_train, num_classes = X.shape[0], W.shape[1]
    loss = 0.0
    dW = np.zeros_like(W, dtype=np.float64)
    for i in range(num_train):
        scores = X[i] @ W
        correct = scores[y[i]]
        for j in range(num_classes):
            if j == y[i]:
                continue
            margin = scores[j] - correct + delta
            if margin > 0:
                loss += margin
                dW[:, j] += X[i]
                dW[:, y[i]] -= X[i]
    loss = loss / num_train + reg * np.sum(W * W)
    dW = dW / num_train + 2 * reg * W
    return float(loss), dW


def svm_loss_vectorized(W, X, y, reg, delta=1.0):
    """Multiclass SVM loss and gradient without loops.

    With S = X W, margins M = max(0, S - S[i, y_i] + delta) and M[i, y_i] set to 0:

        L = (1/N) sum M + reg ||W||^2
        dL/dS = B / N  where B_ij = [M_ij > 0] for j != y_i and B_{i,y_i} = -sum_j B_ij
        dL/dW = X^T dL/dS + 2 reg W

    Returns ``(loss, dW)``.
    """
    W, X, y, reg = linear_problem(W, X, y, reg, "svm_loss_vectorized")
    delta = number(delta, "delta", "svm_loss_vectorized")
    n = X.shape[0]
    rows = np.arange(n)
    scores = X @ W
    margins = np.maximum(0.0, scores - scores[rows, y][:, None] + delta)
    margins[rows, y] = 0.0
    loss = margins.sum() / n + reg * np.sum(W * W)
    B = (margins > 0).astype(np.float64)
    B[rows, y] = -B.sum(axis=1)
    dW = X.T @ B / n + 2 * reg * W
    return float(loss), dW


def two_layer_loss(params, X, y, reg):
    """The two-layer net's loss and a hand-written backward pass.

    ``params``: ``W1`` (D, H), ``b1`` (H,), ``W2`` (H, C), ``b2`` (C,). Forward:

        Z = X W1 + b1   (N, H)      A = max(0, Z)      S = A W2 + b2   (N, C)
        L = (1/N) sum_i -log softmax(S_i)[y_i] + reg (||W1||^2 + ||W2||^2)

    Backward, one step per forward line, in reverse:

        dS  = (P - Y) / N                       (softmax cross-entropy, P = softmax(S))
        dW2 = A^T dS + 2 reg W2,   db2 = sum_i dS_i,   dA = dS W2^T
        dZ  = dA * [Z > 0]                      (ReLU passes the gradient only where it was active)
        dW1 = X^T dZ + 2 reg W1,   db1 = sum_i dZ_i

    Returns ``(loss, grads)`` with ``grads`` a dict of arrays keyed like ``params``.
    """
    p, X, y, reg = two_layer_problem(params, X, y, reg, "two_layer_loss")
    W1, b1, W2, b2 = p["W1"], p["b1"], p["W2"], p["b2"]
    n = X.shape[0]
    rows = np.arange(n)
    Z = X @ W1 + b1
    A = np.maximum(Z, 0.0)
    S = A @ W2 + b2
    S = S - S.max(axis=1, keepdims=True)
    log_probs = S - np.log(np.exp(S).sum(axis=1, keepdims=True))
    loss = -log_probs[rows, y].mean() + reg * (np.sum(W1 * W1) + np.sum(W2 * W2))

    dS = np.exp(log_probs)
    dS[rows, y] -= 1.0
    dS /= n
    grads = {"W2": A.T @ dS + 2 * reg * W2, "b2": dS.sum(axis=0)}
    dA = dS @ W2.T
    dZ = dA * (Z > 0)
    grads["W1"] = X.T @ dZ + 2 * reg * W1
    grads["b1"] = dZ.sum(axis=0)
    return float(loss), grads
