"""The training loop of a linear classifier, and what it reports.

* ``train_linear(loss_fn, X, y, X_val, y_val)``: minibatch SGD for a linear classifier ``X @ W``;
  ``add_bias_column(X)`` appends the column of ones that folds the bias into ``W``.
* ``accuracy(pred, y)``: the fraction of predictions equal to the labels.
"""
from __future__ import annotations

import numpy as np

from .. import checks
from .progress import progress


def accuracy(pred, y) -> float:
    """Fraction of entries where ``pred`` equals ``y``: both (N,) integer arrays."""
    pred = checks.array(pred, "pred", "accuracy", finite=False)
    y = checks.array(y, "y", "accuracy", finite=False)
    if pred.shape != y.shape:
        raise ValueError(f"accuracy: predictions of shape {pred.shape} and labels of shape "
                         f"{y.shape} must have the same shape")
    return float(np.mean(pred == y))


def train_linear(loss_fn, X, y, X_val, y_val, num_classes: int = 10, learning_rate: float = 0.1,
                 reg: float = 1e-3, num_iters: int = 500, batch_size: int = 200,
                 momentum: float = 0.9, seed: int = 0, verbose: bool = False):
    """Train a linear classifier ``scores = X @ W`` with minibatch SGD (with momentum) from ``optim``.

    Args:
        loss_fn: ``loss_fn(W, X_batch, y_batch, reg) -> scalar Tensor``, e.g.
            ``tinygrad_edu.losses.softmax_loss`` or ``svm_loss``.
        X (N, D), y (N,): training data; X_val, y_val: validation data, scored once per epoch.
        The bias is folded into W by the caller if wanted (append a column of ones to X).

    Returns:
        ``(W, history)``: the weights (D, C) as a numpy array and the same history dict as
        ``TwoLayerNet.train`` (``loss_history`` per iteration, accuracies per epoch).
    """
    from ..optim import SGD
    from ..engine import Tensor

    X, y, X_val, y_val = _check_train_linear(loss_fn, X, y, X_val, y_val, num_classes, reg,
                                             learning_rate=learning_rate, momentum=momentum,
                                             num_iters=num_iters, batch_size=batch_size, seed=seed)
    rng = np.random.RandomState(seed)
    N, D = X.shape
    W = Tensor(1e-3 * rng.randn(D, num_classes), requires_grad=True, name="W")
    opt = SGD([W], lr=learning_rate, momentum=momentum)
    per_epoch = max(N // batch_size, 1)
    history = {"loss_history": [], "train_acc_history": [], "val_acc_history": []}
    for it in progress(range(num_iters), total=num_iters, desc=getattr(loss_fn, "__name__", "train"),
                       verbose=verbose):
        idx = rng.choice(N, batch_size, replace=True)
        opt.zero_grad()
        loss = loss_fn(W, X[idx], y[idx], reg)
        loss.backward()
        opt.step()
        history["loss_history"].append(loss.item())
        if it % per_epoch == 0 or it == num_iters - 1:
            history["train_acc_history"].append(accuracy(np.argmax(X[idx] @ W.data, 1), y[idx]))
            history["val_acc_history"].append(accuracy(np.argmax(X_val @ W.data, 1), y_val))
    return W.data, history


def _check_train_linear(loss_fn, X, y, X_val, y_val, num_classes, reg, **settings):
    """``train_linear``'s arguments checked, with errors naming it; the data as numpy arrays out."""
    where = "train_linear"
    checks.function(loss_fn, "loss_fn", where)
    X = checks.array(X, "X", where, ndim=2, shape_hint="of shape (N, D), one row per example")
    W = np.zeros((X.shape[1], checks.integer(num_classes, "num_classes", where, low=1)))
    _, X, y, _ = checks.linear_problem(W, X, y, reg, where)
    _, X_val, y_val, _ = checks.linear_problem(W, X_val, y_val, reg, f"{where} (X_val, y_val)")
    for name in ("learning_rate", "momentum"):
        checks.number(settings[name], name, where, low=0)
    for name in ("num_iters", "batch_size"):
        checks.integer(settings[name], name, where, low=1)
    checks.seed(settings["seed"], where)
    return X, y, X_val, y_val


def add_bias_column(X) -> np.ndarray:
    """``X`` (N, D) with a column of ones appended, (N, D + 1): the bias trick of linear classifiers."""
    X = checks.array(X, "X", "add_bias_column", ndim=2, shape_hint="of shape (N, D)", finite=False,
                     nonempty=False).astype(np.float64)
    return np.hstack([X, np.ones((X.shape[0], 1))])
