"""The cs231n ``TwoLayerNet``, with the assignment's interface exactly (``params`` a dict of numpy
arrays, ``loss``, ``train``, ``predict``), so a notebook written for it runs unchanged; the difference
is that its gradients come from the engine's reverse walk instead of hand-written backprop. It
lives beside the training loop its ``train`` runs; ``tinygrad_edu.nn.TwoLayerNet`` names it, as
cs231n code imports it from there.
"""
from __future__ import annotations

import numpy as np

from .. import validate
from .. import functional as F
from ..engine import Tensor, no_grad
from ..nn.modules import _rng, _sizes
from .loop import accuracy, iterations_per_epoch, minibatches, train_loop

__all__ = ["TwoLayerNet"]



class TwoLayerNet:
    """Affine - ReLU - affine - softmax, with the cs231n interface; gradients from the engine.

    For an input ``X`` (N, D)::

        h = max(0, X @ W1 + b1)          # (N, H)
        scores = h @ W2 + b2             # (N, C)
        loss = mean_i [ -log softmax(scores_i)[y_i] ] + reg * (sum(W1**2) + sum(W2**2))

    Args:
        input_size: D. hidden_size: H. output_size: C, the number of classes.
        std: the weights start as ``std * standard normal``; the biases start at zero.
        seed: makes the initial weights and the minibatches of ``train`` reproducible; None uses
            numpy's global generator (seed it with ``np.random.seed``).

    ``params`` maps ``W1`` (D, H), ``b1`` (H,), ``W2`` (H, C), ``b2`` (C,) to numpy arrays; read them,
    change them in place or replace them: every call to ``loss`` reads them afresh.

    Bad arguments raise an error naming the method (``TwoLayerNet.train: batch_size must be a
    whole number >= 1, got 0``): sizes, labels, data with NaN or inf or no rows, params that do not
    fit together or are read-only when ``train`` must update them.
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int, std: float = 1e-4,
                 seed: int | None = None):
        where = "TwoLayerNet"
        D, H, C = _sizes(where, input_size=input_size, hidden_size=hidden_size,
                         output_size=output_size)
        std = validate.number(std, "std", where, low=0)
        self._rng = _rng(seed, where)
        self.params = {
            "W1": std * self._rng.randn(D, H),
            "b1": np.zeros(H),
            "W2": std * self._rng.randn(H, C),
            "b2": np.zeros(C),
        }

    def _check(self, X, y, where: str):
        """``X`` and ``y`` (None allowed) checked against the current ``params``; numpy arrays out."""
        _, X, y, _ = validate.two_layer_problem(self.params, X, y, 0.0, where)
        return X, y

    def _scores(self, X, where: str) -> np.ndarray:
        X, _ = self._check(X, None, where)
        with no_grad():
            p = {k: Tensor(v) for k, v in self.params.items()}
            scores = (Tensor(X) @ p["W1"] + p["b1"]).relu() @ p["W2"] + p["b2"]
        return scores.data

    def loss(self, X, y=None, reg: float = 0.0):
        """Scores, or the loss and its gradients, computed by the engine.

        Args:
            X: (N, D) inputs. y: (N,) integer labels in [0, C), or None. reg: L2 strength.

        Returns:
            If ``y`` is None, the scores (N, C) as a numpy array. Otherwise ``(loss, grads)``: the
            loss as a float and a dict with the gradients of ``W1``, ``b1``, ``W2``, ``b2`` (numpy
            arrays shaped like the params), from ``loss.backward()`` on the graph of
            ``tinygrad_edu.losses.two_layer_loss``.
        """
        if y is None:
            return self._scores(X, "TwoLayerNet.loss")
        X, y = self._check(X, y, "TwoLayerNet.loss")
        reg = validate.number(reg, "reg", "TwoLayerNet.loss", low=0)
        from ..losses import two_layer_loss
        # Tensors that share memory with the numpy params: the graph sees their current values.
        p = {k: Tensor(v, requires_grad=True, name=k) for k, v in self.params.items()}
        loss = two_layer_loss(p, X, y, reg)
        loss.backward()
        return loss.item(), {k: t.grad for k, t in p.items()}

    def predict(self, X) -> np.ndarray:
        """The predicted labels (N,): the class with the highest score for each row of ``X``."""
        return np.argmax(self._scores(X, "TwoLayerNet.predict"), axis=1)

    def train(self, X, y, X_val, y_val, learning_rate: float = 1e-3,
              learning_rate_decay: float = 0.95, reg: float = 5e-6, num_iters: int = 100,
              batch_size: int = 200, verbose: bool = False) -> dict:
        """Minibatch stochastic gradient descent.

        Each iteration draws ``batch_size`` rows of ``X`` at random (with replacement, as in the
        assignment), computes the loss and gradients and takes a step ``p -= learning_rate * dp`` in
        place. Once per epoch (``max(N // batch_size, 1)`` iterations) it records the accuracy on that
        minibatch and on the whole validation set, then multiplies the learning rate by
        ``learning_rate_decay``. A progress bar appears when the loop runs longer than a second, and
        at once with ``verbose=True`` (which also prints the loss every 100 iterations).

        Returns:
            ``{"loss_history": [...], "train_acc_history": [...], "val_acc_history": [...]}``; the
            first has one float per iteration, the others one per epoch.
        """
        X, y, X_val, y_val = self._check_train(X, y, X_val, y_val, learning_rate=learning_rate,
                                               learning_rate_decay=learning_rate_decay, reg=reg,
                                               num_iters=num_iters, batch_size=batch_size)
        num_train = X.shape[0]
        per_epoch = iterations_per_epoch(num_train, batch_size)

        def step(idx):
            loss, grads = self.loss(X[idx], y[idx], reg=reg)
            for k, g in grads.items():
                self.params[k] -= learning_rate * g
            return loss

        def check(it, idx):               # once per epoch: the accuracies, then the decay
            nonlocal learning_rate
            accs = accuracy(self.predict(X[idx]), y[idx]), accuracy(self.predict(X_val), y_val)
            learning_rate *= learning_rate_decay
            return accs

        def log(it, loss, checked):
            return f"iteration {it} / {num_iters}: loss {loss:.6f}" if verbose and it % 100 == 0 else None
        return train_loop(step, minibatches(self._rng, num_train, batch_size, num_iters), num_iters,
                          check=check, check_at=range(0, num_iters, per_epoch), log=log,
                          verbose=verbose, desc="TwoLayerNet.train")

    def _check_train(self, X, y, X_val, y_val, learning_rate, learning_rate_decay, reg, num_iters,
                     batch_size):
        """``train``'s arguments checked, with errors naming ``TwoLayerNet.train``; the data out."""
        where = "TwoLayerNet.train"
        if y is None or y_val is None:
            raise TypeError(f"{where}: y and y_val must be labels, got y={y!r:.20} and y_val={y_val!r:.20}")
        X, y = self._check(X, y, where)
        for k, v in self.params.items():
            validate.writable(v, f"params[{k!r}]", where)
            if np.asarray(v).dtype.kind != "f":
                raise TypeError(f"{where}: params[{k!r}] holds {np.asarray(v).dtype} values, which the "
                                f"in-place step p -= learning_rate * dp cannot update; make it float "
                                f"(net.params[{k!r}] = net.params[{k!r}].astype(float))")
        X_val, y_val = self._check(X_val, y_val, f"{where} (X_val, y_val)")
        validate.number(learning_rate, "learning_rate", where, low=0)
        validate.number(learning_rate_decay, "learning_rate_decay", where, low=0, low_open=True)
        validate.number(reg, "reg", where, low=0)
        _sizes(where, num_iters=num_iters, batch_size=batch_size)
        return X, y, X_val, y_val

