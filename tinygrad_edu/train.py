"""Helpers that let training show itself: optional extras, progress bars, curves and weight images.

The engine needs only numpy. The teaching extras (scikit-learn for the digits, scipy for
``scipy.optimize``, matplotlib for the pictures, tqdm for progress bars) come with
``pip install -e ".[examples]"``; ``require`` imports one of them or raises an ``ImportError`` that
says so.

* ``progress(iterable, total, desc, verbose)``: a tqdm bar that appears only when the loop runs longer
  than a second (at once when ``verbose``), or the plain iterable when tqdm is missing;
  ``progress_bar(total, desc)`` the same for a bar advanced by hand (optimizer callbacks).
* ``plot_history(history, path)``: the loss and accuracy curves of a ``train()`` run, as a PNG.
* ``plot_weights(W, path, image_shape=(8, 8))``: each column of a first-layer weight matrix as an image.
* ``plot_curves(curves, path)``: several curves (e.g. the losses of two runs) on one set of axes.
* ``train_linear(loss_fn, X, y, X_val, y_val)``: minibatch SGD for a linear classifier ``X @ W``;
  ``add_bias_column(X)`` appends the column of ones that folds the bias into ``W``.
* ``accuracy(pred, y)``: the fraction of predictions equal to the labels.
"""
from __future__ import annotations

import importlib
import os

import numpy as np

from . import checks

EXTRA_HINT = 'pip install -e ".[examples]"'


def require(module: str, purpose: str = ""):
    """Import ``module`` (e.g. ``"scipy.optimize"``) or raise an ImportError naming the extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        top = module.split(".")[0]
        why = f" for {purpose}" if purpose else ""
        raise ImportError(
            f"{top} is needed{why} but is not installed; it is one of the optional extras: "
            f"install them with  {EXTRA_HINT}  (or pip install {_pip_name(top)}). ({e})"
        ) from None


def _pip_name(top: str) -> str:
    return {"sklearn": "scikit-learn"}.get(top, top)


def progress(iterable, total: int | None = None, desc: str | None = None, verbose: bool = False):
    """Wrap a loop in a tqdm progress bar shown once it has run for a second (at once if ``verbose``).

    Without tqdm installed the loop runs unchanged (no bar), so the engine never needs the extra.
    The returned object is iterable; when it is a tqdm bar, ``bar.set_postfix(loss=...)`` works.
    """
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return iterable
    return tqdm(iterable, total=total, desc=desc, delay=0.0 if verbose else 1.0, leave=verbose,
                dynamic_ncols=True)


class _NoBar:
    """Stands in for a tqdm bar when tqdm is not installed."""

    def update(self, n=1):
        pass

    def set_postfix(self, *args, **kwargs):
        pass

    def close(self):
        pass


def progress_bar(total: int | None, desc: str | None = None, verbose: bool = False):
    """A bar advanced by hand (``bar.update()``, ``bar.close()``), e.g. from an optimizer's callback;
    shown after a second (at once if ``verbose``); a silent stand-in when tqdm is missing."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return _NoBar()
    return tqdm(total=total, desc=desc, delay=0.0 if verbose else 1.0, leave=verbose,
                dynamic_ncols=True)


def accuracy(pred, y) -> float:
    """Fraction of entries where ``pred`` equals ``y``: both (N,) integer arrays."""
    pred = checks.array(pred, "pred", "accuracy", finite=False)
    y = checks.array(y, "y", "accuracy", finite=False)
    if pred.shape != y.shape:
        raise ValueError(f"accuracy: predictions of shape {pred.shape} and labels of shape "
                         f"{y.shape} must have the same shape")
    return float(np.mean(pred == y))


def _pyplot():
    matplotlib = require("matplotlib", "plots")
    matplotlib.use("Agg")  # files only: no window, works on servers and in tests
    import matplotlib.pyplot as plt
    return plt


def _target(path, where: str) -> str:
    """``path`` as a string, once its folder is known to exist (before any drawing is done)."""
    try:
        path = os.fspath(path)
    except TypeError:
        raise TypeError(f"{where}: path must be a file name, got {checks.given(path)}") from None
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"{where}: the folder {folder!r} of {path!r} does not exist; "
                                f"create it first")
    return path


def _save(fig, path) -> str:
    """Lay out ``fig``, write it to ``path`` (PNG at 100 dpi), close it; return the path."""
    fig.tight_layout()
    path = os.fspath(path)
    fig.savefig(path, dpi=100)
    _pyplot().close(fig)
    return path


def plot_history(history: dict, path, title: str = "training") -> str:
    """Save the curves of a training run as a PNG; return the path.

    ``history`` holds ``loss_history`` (one value per iteration) and optionally ``train_acc_history``
    and ``val_acc_history`` (one value per epoch), as ``TwoLayerNet.train`` returns.
    """
    if not isinstance(history, dict) or "loss_history" not in history:
        raise ValueError(f"plot_history: history must be a dict with a 'loss_history' list, as "
                         f"TwoLayerNet.train returns; got {checks.given(history)}")
    path = _target(path, "plot_history")
    losses = checks.array(history["loss_history"], "history['loss_history']", "plot_history",
                          ndim=1, finite=False).astype(float)
    plt = _pyplot()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.plot(losses, lw=0.8, color="tab:blue")
    ax1.set(xlabel="iteration", ylabel="loss", title=f"{title}: loss")
    for key, label in (("train_acc_history", "train"), ("val_acc_history", "validation")):
        acc = history.get(key)
        if acc is not None and len(acc):
            ax2.plot(np.arange(1, len(acc) + 1), acc, marker="o" if len(acc) <= 40 else None,
                     label=label)
    ax2.set(xlabel="epoch", ylabel="accuracy", title=f"{title}: accuracy")
    if ax2.lines:
        ax2.legend()
    return _save(fig, path)


def plot_weights(W, path, image_shape=(8, 8), title: str = "first-layer weights") -> str:
    """Save each column of ``W`` (D, H), with D = prod(image_shape), as a small grey image; return the path.

    Each column is the pattern of pixels one hidden unit (or one class, for a linear classifier)
    responds to. Columns are rescaled to [0, 1] one by one so that each is visible.
    """
    where = "plot_weights"
    if not isinstance(image_shape, (tuple, list)) or len(image_shape) != 2:
        raise TypeError(f"{where}: image_shape must be a pair (height, width), got "
                        f"{checks.given(image_shape)}")
    image_shape = tuple(checks.integer(v, "image_shape", where, low=1) for v in image_shape)
    path = _target(path, where)
    W = checks.array(W, "W", where, ndim=2, shape_hint="(D, H), one column per unit").astype(float)
    plt = _pyplot()
    if W.shape[0] != int(np.prod(image_shape)):
        raise ValueError(f"plot_weights: W must have shape ({int(np.prod(image_shape))}, H) for "
                         f"images of shape {tuple(image_shape)}; got {W.shape}")
    n = W.shape[1]
    h, w = image_shape
    cols = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    # one mosaic with a 1-pixel gap, drawn by a single imshow (fast even for hundreds of units)
    grid = np.full((rows * (h + 1) + 1, cols * (w + 1) + 1), np.nan)
    for k in range(n):
        col = W[:, k]
        span = col.max() - col.min()
        r, c = divmod(k, cols)
        grid[1 + r * (h + 1): 1 + r * (h + 1) + h, 1 + c * (w + 1): 1 + c * (w + 1) + w] = (
            (col - col.min()) / (span if span > 0 else 1.0)).reshape(image_shape)
    fig, ax = plt.subplots(figsize=(max(3.0, 0.6 * cols + 1), max(3.0, 0.6 * rows + 1)))
    ax.imshow(grid, cmap="gray", interpolation="nearest")
    ax.axis("off")
    fig.suptitle(title)
    path = os.fspath(path)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


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
    from .optim import SGD
    from .engine import Tensor

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


def plot_curves(curves: dict, path, title: str = "", xlabel: str = "iteration",
                ylabel: str = "loss", logy: bool = False) -> str:
    """Save several curves on one set of axes as a PNG: ``curves`` maps a label to a sequence.

    Non-finite values (a loss that overflowed) end a curve; with ``logy`` the y axis is logarithmic.
    """
    curves = {label: checks.array(v, f"curves[{label!r}]", "plot_curves", ndim=1, finite=False)
              for label, v in checks.mapping(curves, "plot_curves", "curves").items()}
    path = _target(path, "plot_curves")
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    for label, values in curves.items():
        v = values.astype(float)
        bad = np.flatnonzero(~np.isfinite(v))
        ax.plot(v[: bad[0]] if bad.size else v, label=label)
    if logy:
        ax.set_yscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.legend()
    return _save(fig, path)
