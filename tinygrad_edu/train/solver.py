"""The course's ``Solver``: minibatch training of any model with the course's interface, on the
project's one training loop (``train_loop``).

A model has ``params`` (a dict of numpy arrays) and ``loss(X, y=None)``: the scores (N, C) when
``y`` is None, else ``(loss, grads)`` with one gradient per param. The Solver does the rest::

    solver = Solver(model, data, update_rule="sgd_momentum",
                    optim_config={"learning_rate": 1e-2}, lr_decay=0.95,
                    num_epochs=10, batch_size=100, print_every=100)
    solver.train()
    solver.loss_history, solver.train_acc_history, solver.val_acc_history, solver.best_params

``data`` holds ``X_train``, ``y_train``, ``X_val``, ``y_val`` (a dict, or anything with those
attributes, such as ``load_digits()``). Each iteration draws ``batch_size`` random training rows
(with replacement), asks the model for the loss and gradients, and updates every param with the
update rule (``update_rules``), one ``config`` dict per param. At the first and last iterations and
at the end of every epoch it measures the accuracy on (up to ``num_train_samples`` rows of) the
training data and on the validation data and keeps a copy of the params with the best validation
accuracy; each epoch's end multiplies every learning rate by ``lr_decay``. When ``train`` returns,
``model.params`` are the best ones.
"""
from __future__ import annotations

import pickle
from collections.abc import Mapping

import numpy as np

from .. import validate
from . import update_rules
from .loop import iterations_per_epoch, minibatches, train_loop

__all__ = ["Solver"]


def _data(data, where):
    get = data.get if isinstance(data, Mapping) else lambda k: getattr(data, k, None)
    arrays = {k: get(k) for k in ("X_train", "y_train", "X_val", "y_val")}
    missing = [k for k, v in arrays.items() if v is None]
    if missing:
        raise KeyError(f"{where}: data lacks {missing}; it must hold X_train, y_train, X_val, y_val")
    for part in ("train", "val"):
        X, y = np.asarray(arrays[f"X_{part}"]), np.asarray(arrays[f"y_{part}"])
        if X.ndim < 2 or y.shape != (X.shape[0],) or X.shape[0] == 0:
            raise ValueError(f"{where}: X_{part} must be (N, ...) with N >= 1 and y_{part} (N,); got "
                             f"shapes {X.shape} and {y.shape}")
        arrays[f"X_{part}"], arrays[f"y_{part}"] = X, y
    return arrays


def _rule(update_rule, where):
    if callable(update_rule):
        return update_rule
    if update_rule not in update_rules.RULES:
        raise ValueError(f"{where}: update_rule must be one of {tuple(update_rules.RULES)} or a "
                         f"function (w, dw, config) -> (next_w, config); got {update_rule!r}")
    return update_rules.RULES[update_rule]


class Solver:
    """Trains ``model`` on ``data`` with minibatch SGD and an update rule (see the module doc).

    Args (all but ``model`` and ``data`` keyword-only, with the course's defaults):
        update_rule: 'sgd', 'sgd_momentum', 'rmsprop', 'adam', or your own ``(w, dw, config) ->
            (next_w, config)``. optim_config: the rule's settings, e.g. ``{"learning_rate": 1e-3}``,
            copied for every param. lr_decay: the factor on the learning rate after each epoch.
        batch_size, num_epochs: the minibatch size and the number of epochs of
            ``max(N // batch_size, 1)`` iterations each.
        num_train_samples: how many training rows the accuracy check uses (None: all);
            num_val_samples: the same for the validation rows.
        checkpoint_name: if given, the model and the histories are pickled after every epoch to
            ``{checkpoint_name}_epoch_{epoch}.pkl``.
        print_every, verbose: with ``verbose``, the loss is printed every ``print_every``
            iterations and the accuracies at every check.
        seed: the minibatches and samples come from ``np.random.RandomState(seed)``; None (the
            course's way) uses numpy's global generator.
    """

    def __init__(self, model, data, *, update_rule="sgd", optim_config=None, lr_decay: float = 1.0,
                 batch_size: int = 100, num_epochs: int = 10, num_train_samples: int | None = 1000,
                 num_val_samples: int | None = None, checkpoint_name: str | None = None,
                 print_every: int = 10, verbose: bool = True, seed: int | None = None):
        where = "Solver"
        if not isinstance(getattr(model, "params", None), Mapping) or not callable(getattr(model, "loss", None)):
            raise TypeError(f"{where}: model must have params (a dict of arrays) and loss(X, y=None); "
                            f"got {validate.given(model)}")
        self.model = model
        for k, v in _data(data, where).items():
            setattr(self, k, v)
        self.update_rule = _rule(update_rule, where)
        self.optim_config = dict(validate.mapping(optim_config, where, "optim_config")) if optim_config else {}
        self.lr_decay = validate.number(lr_decay, "lr_decay", where, low=0)
        self.batch_size = validate.integer(batch_size, "batch_size", where, low=1)
        self.num_epochs = validate.integer(num_epochs, "num_epochs", where, low=1)
        self.num_train_samples, self.num_val_samples = num_train_samples, num_val_samples
        self.checkpoint_name = checkpoint_name
        self.print_every = validate.integer(print_every, "print_every", where, low=1)
        self.verbose = bool(verbose)
        seed = validate.seed(seed, where)
        self._rng = np.random if seed is None else np.random.RandomState(seed)
        self._reset()

    def _reset(self):
        """The bookkeeping, fresh: epoch 0, empty histories, one copy of optim_config per param."""
        self.epoch = 0
        self.best_val_acc = 0.0
        self.best_params = {}
        self.loss_history, self.train_acc_history, self.val_acc_history = [], [], []
        self.optim_configs = {p: dict(self.optim_config) for p in self.model.params}

    @property
    def history(self) -> dict:
        """The histories as one dict, the shape ``TwoLayerNet.train`` returns (for ``plot_history``)."""
        return {"loss_history": self.loss_history, "train_acc_history": self.train_acc_history,
                "val_acc_history": self.val_acc_history}

    def _step(self, idx) -> float:
        """One update of every param from the loss and gradients on the rows ``idx``."""
        loss, grads = self.model.loss(self.X_train[idx], self.y_train[idx])
        for p, w in self.model.params.items():
            if p not in grads:
                raise KeyError(f"Solver: model.loss returned no gradient for the param {p!r}")
            next_w, self.optim_configs[p] = self.update_rule(w, grads[p], self.optim_configs[p])
            self.model.params[p] = next_w
        return float(loss)

    def check_accuracy(self, X, y, num_samples: int | None = None, batch_size: int = 100) -> float:
        """The fraction of rows of ``X`` whose highest score is the label in ``y``, on a random
        subsample of ``num_samples`` rows when given (and fewer than N); scores in batches."""
        N = X.shape[0]
        if num_samples is not None and N > num_samples:
            mask = self._rng.choice(N, num_samples)
            X, y = X[mask], y[mask]
            N = num_samples
        pred = [np.argmax(self.model.loss(X[i:i + batch_size]), axis=1) for i in range(0, N, batch_size)]
        return float(np.mean(np.hstack(pred) == y))

    def _check(self, it, per_epoch):
        """At an epoch's end: the epoch count and the decay. Then the accuracies, the checkpoint and
        the best params so far."""
        if (it + 1) % per_epoch == 0:
            self.epoch += 1
            for config in self.optim_configs.values():
                if "learning_rate" in config:
                    config["learning_rate"] *= self.lr_decay
        train_acc = self.check_accuracy(self.X_train, self.y_train, self.num_train_samples)
        val_acc = self.check_accuracy(self.X_val, self.y_val, self.num_val_samples)
        self._save_checkpoint(train_acc, val_acc)
        if val_acc > self.best_val_acc or not self.best_params:
            self.best_val_acc = max(val_acc, self.best_val_acc)
            self.best_params = {k: np.array(v, copy=True) for k, v in self.model.params.items()}
        return train_acc, val_acc

    def _save_checkpoint(self, train_acc, val_acc):
        if self.checkpoint_name is None:
            return
        state = {"model": self.model, "update_rule": self.update_rule, "lr_decay": self.lr_decay,
                 "optim_config": self.optim_config, "batch_size": self.batch_size,
                 "epoch": self.epoch, "loss_history": self.loss_history,
                 "train_acc_history": self.train_acc_history + [train_acc],
                 "val_acc_history": self.val_acc_history + [val_acc]}
        with open(f"{self.checkpoint_name}_epoch_{self.epoch}.pkl", "wb") as f:
            pickle.dump(state, f)

    def train(self) -> None:
        """Run ``num_epochs`` epochs through ``train_loop``; then ``model.params`` are the params
        with the best validation accuracy seen, and the histories hold the run."""
        num_train = self.X_train.shape[0]
        per_epoch = iterations_per_epoch(num_train, self.batch_size)
        total = self.num_epochs * per_epoch

        def log(it, loss, checked):
            lines = [f"(Iteration {it + 1} / {total}) loss: {loss:f}"] if it % self.print_every == 0 else []
            if checked:
                lines.append(f"(Epoch {self.epoch} / {self.num_epochs}) train acc: "
                             f"{self.train_acc_history[-1]:f}; val_acc: {self.val_acc_history[-1]:f}")
            return "\n".join(lines) if self.verbose and lines else None

        def check(it, _):
            accs = self._check(it, per_epoch)
            self.train_acc_history.append(accs[0])
            self.val_acc_history.append(accs[1])
            return accs

        def step(idx):
            self.loss_history.append(self._step(idx))
            return self.loss_history[-1]
        train_loop(step, minibatches(self._rng, num_train, self.batch_size, total), total, check=check,
                   check_at={0, total - 1, *range(per_epoch - 1, total, per_epoch)}, log=log,
                   verbose=self.verbose, desc="Solver.train")
        self.model.params = self.best_params
