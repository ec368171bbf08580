"""The project's one training loop, and what it reports.

* ``train_loop(step, batches, ...)``: the loop every trainer here runs (``TwoLayerNet.train``,
  ``train_linear``, the course's ``Solver``, the examples): for each minibatch, ``step`` computes the
  loss and its gradients and updates the parameters; at the iterations asked for, ``check`` measures
  the accuracies; a progress bar, printed lines and an early stop come with it. It knows nothing of
  models or update rules, so it serves them all.
* ``minibatches`` (the course's sampling: random rows, with replacement) and ``epoch_batches``
  (shuffled passes): the index arrays the loop walks through.
* ``train_linear(loss_fn, X, y, X_val, y_val)``: minibatch SGD for a linear classifier ``X @ W``;
  ``add_bias_column(X)`` appends the column of ones that folds the bias into ``W``.
* ``accuracy(pred, y)``: the fraction of predictions equal to the labels.
"""
from __future__ import annotations

import numpy as np

from .. import validate
from .progress import progress


def accuracy(pred, y) -> float:
    """Fraction of entries where ``pred`` equals ``y``: both (N,) integer arrays."""
    pred = validate.array(pred, "pred", "accuracy", finite=False)
    y = validate.array(y, "y", "accuracy", finite=False)
    if pred.shape != y.shape:
        raise ValueError(f"accuracy: predictions of shape {pred.shape} and labels of shape "
                         f"{y.shape} must have the same shape")
    return float(np.mean(pred == y))


def minibatches(rng, num_train: int, batch_size: int, num_iters: int):
    """``num_iters`` index arrays of ``batch_size`` rows drawn at random with replacement by ``rng``
    (a numpy ``RandomState``, or the ``np.random`` module), one at a time, as the course samples."""
    for _ in range(num_iters):
        yield rng.choice(num_train, batch_size, replace=True)


def epoch_batches(rng, num_train: int, batch_size: int, num_epochs: int):
    """Shuffled passes: each epoch a fresh ``rng.permutation(num_train)`` cut into consecutive
    batches of ``batch_size`` (the last one smaller when it does not divide)."""
    for _ in range(num_epochs):
        order = rng.permutation(num_train)
        for i in range(0, num_train, batch_size):
            yield order[i:i + batch_size]


def iterations_per_epoch(num_train: int, batch_size: int) -> int:
    """How many minibatches make an epoch: ``max(num_train // batch_size, 1)``."""
    return max(num_train // batch_size, 1)


def say(bar, text: str) -> None:
    """Print a line without breaking a tqdm bar."""
    write = getattr(bar, "write", None)
    write(text) if write else print(text)


def train_loop(step, batches, total: int | None = None, *, check=None, check_at=(), log=None,
               stop=None, verbose: bool = False, desc: str = "train") -> dict:
    """Run ``step`` on every batch and keep the history: the project's one training loop.

    Args:
        step: ``step(batch) -> loss``: the loss on those rows (a float), after computing its
            gradients and updating the parameters.
        batches: an iterable of index arrays (``minibatches``, ``epoch_batches``, or any other);
            ``total`` its length, for the progress bar.
        check: ``check(it, batch) -> (train_acc, val_acc)``, called after iteration ``it`` (counted
            from 0) when ``it`` is in ``check_at``; the place for per-epoch work such as a
            learning-rate decay.
        log: ``log(it, loss, checked) -> str or None``: a line to print after each iteration
            (``checked`` says whether ``check`` just ran), e.g. every 100 iterations.
        stop: ``stop(losses) -> bool``, given the losses so far: end the loop after this
            iteration (a diverging run).
        verbose, desc: the tqdm progress bar (see ``progress``) shown at once, and its label.

    Returns:
        ``{"loss_history": [one float per iteration], "train_acc_history": [...],
        "val_acc_history": [...]}``, the accuracies one per check.
    """
    history = {"loss_history": [], "train_acc_history": [], "val_acc_history": []}
    check_at = set(check_at)
    bar = progress(batches, total=total, desc=desc, verbose=verbose)
    for it, batch in enumerate(bar):
        loss = step(batch)
        history["loss_history"].append(loss)
        checked = check is not None and it in check_at
        if checked:
            train_acc, val_acc = check(it, batch)
            history["train_acc_history"].append(train_acc)
            history["val_acc_history"].append(val_acc)
            if hasattr(bar, "set_postfix"):
                bar.set_postfix(loss=f"{loss:.3f}", val_acc=f"{val_acc:.3f}", refresh=False)
        line = log(it, loss, checked) if log is not None else None
        if line:
            say(bar, line)
        if stop is not None and stop(history["loss_history"]):
            break
    if hasattr(bar, "close"):
        bar.close()
    return history


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

    def step(idx):
        opt.zero_grad()
        loss = loss_fn(W, X[idx], y[idx], reg)
        loss.backward()
        opt.step()
        return loss.item()

    def check(it, idx):
        return (accuracy(np.argmax(X[idx] @ W.data, 1), y[idx]),
                accuracy(np.argmax(X_val @ W.data, 1), y_val))
    per_epoch = iterations_per_epoch(N, batch_size)
    history = train_loop(step, minibatches(rng, N, batch_size, num_iters), num_iters, check=check,
                         check_at={*range(0, num_iters, per_epoch), num_iters - 1}, verbose=verbose,
                         desc=getattr(loss_fn, "__name__", "train"))
    return W.data, history


def _check_train_linear(loss_fn, X, y, X_val, y_val, num_classes, reg, **settings):
    """``train_linear``'s arguments checked, with errors naming it; the data as numpy arrays out."""
    where = "train_linear"
    validate.function(loss_fn, "loss_fn", where)
    X = validate.array(X, "X", where, ndim=2, shape_hint="of shape (N, D), one row per example")
    W = np.zeros((X.shape[1], validate.integer(num_classes, "num_classes", where, low=1)))
    _, X, y, _ = validate.linear_problem(W, X, y, reg, where)
    _, X_val, y_val, _ = validate.linear_problem(W, X_val, y_val, reg, f"{where} (X_val, y_val)")
    for name in ("learning_rate", "momentum"):
        validate.number(settings[name], name, where, low=0)
    for name in ("num_iters", "batch_size"):
        validate.integer(settings[name], name, where, low=1)
    validate.seed(settings["seed"], where)
    return X, y, X_val, y_val


def add_bias_column(X) -> np.ndarray:
    """``X`` (N, D) with a column of ones appended, (N, D + 1): the bias trick of linear classifiers."""
    X = validate.array(X, "X", "add_bias_column", ndim=2, shape_hint="of shape (N, D)", finite=False,
                     nonempty=False).astype(np.float64)
    return np.hstack([X, np.ones((X.shape[0], 1))])
