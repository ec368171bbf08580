"""Training and what it needs around it: the datasets, the flat-parameter helper for
``scipy.optimize``, the training loop, progress bars and plots.

* ``datasets``: ``load_digits``, the 8x8 digits that scikit-learn ships, split and scaled;
* ``flat``: a dict of parameters as one flat vector and back, and ``minimize`` through scipy;
* ``loop``: ``train_loop``, the one training loop every trainer here runs, with its batches
  (``minibatches``, ``epoch_batches``); ``train_linear``, ``accuracy``, ``add_bias_column``;
* ``solver``, ``update_rules``: the course's ``Solver`` (the same loop in the course's interface)
  and its hand-written update rules ``sgd``, ``sgd_momentum``, ``rmsprop``, ``adam``;
* ``progress``: ``require`` (an optional extra, or a clear ImportError) and tqdm progress bars;
* ``plots``: ``plot_history``, ``plot_weights``, ``plot_curves``.
"""
from .loop import (accuracy, add_bias_column, epoch_batches, iterations_per_epoch, minibatches,
                   train_linear, train_loop)
from .solver import Solver
from .plots import plot_curves, plot_history, plot_weights
from .progress import EXTRA_HINT, progress, progress_bar, require

__all__ = ["accuracy", "add_bias_column", "train_linear", "train_loop", "minibatches", "epoch_batches",
           "iterations_per_epoch", "Solver", "plot_curves", "plot_history", "plot_weights",
           "progress", "progress_bar", "require", "EXTRA_HINT"]
