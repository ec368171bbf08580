"""Pictures of training: the loss and accuracy curves, several curves on one set of axes, and a
first-layer weight matrix as images. matplotlib is one of the optional extras (``require``).

* ``plot_history(history, path)``: the loss and accuracy curves of a ``train()`` run, as a PNG.
* ``plot_weights(W, path, image_shape=(8, 8))``: each column of a first-layer weight matrix as an image.
* ``plot_curves(curves, path)``: several curves (e.g. the losses of two runs) on one set of axes.
"""
from __future__ import annotations

import os

import numpy as np

from .. import validate
from .progress import require


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
        raise TypeError(f"{where}: path must be a file name, got {validate.given(path)}") from None
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
                         f"TwoLayerNet.train returns; got {validate.given(history)}")
    path = _target(path, "plot_history")
    losses = validate.array(history["loss_history"], "history['loss_history']", "plot_history",
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
                        f"{validate.given(image_shape)}")
    image_shape = tuple(validate.integer(v, "image_shape", where, low=1) for v in image_shape)
    path = _target(path, where)
    W = validate.array(W, "W", where, ndim=2, shape_hint="(D, H), one column per unit").astype(float)
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


def plot_curves(curves: dict, path, title: str = "", xlabel: str = "iteration",
                ylabel: str = "loss", logy: bool = False) -> str:
    """Save several curves on one set of axes as a PNG: ``curves`` maps a label to a sequence.

    Non-finite values (a loss that overflowed) end a curve; with ``logy`` the y axis is logarithmic.
    """
    curves = {label: validate.array(v, f"curves[{label!r}]", "plot_curves", ndim=1, finite=False)
              for label, v in validate.mapping(curves, "plot_curves", "curves").items()}
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
