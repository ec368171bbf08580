"""The course's ``FullyConnectedNet``: any depth, optional batch or layer normalization and dropout,
with the course's interface and its gradients from the engine.

    {affine - [batch/layer norm] - relu - [dropout]} x (L - 1) - affine - softmax

``params`` holds ``W1``, ``b1``, ..., ``WL``, ``bL`` and, with normalization, ``gamma1``, ``beta1``,
..., ``gamma(L-1)``, ``beta(L-1)`` (numpy arrays of ``dtype``). ``loss(X)`` gives the scores;
``loss(X, y)`` gives ``(loss, grads)``, the gradients found by ``backward()`` on the graph of the
layers in ``layers.graph`` instead of by hand-written backward passes. The regularization is the
course's ``0.5 * reg * sum(W**2)`` over the weights (not the biases, gammas or betas).
"""
from __future__ import annotations

import numpy as np

from .. import validate
from ..engine import Tensor, no_grad
from . import graph
from ._nets import run_loss, weight_init

__all__ = ["FullyConnectedNet"]

NORMALIZATIONS = (None, "batchnorm", "layernorm")


class FullyConnectedNet:
    """A fully connected net of ``len(hidden_dims) + 1`` affine layers, in the course's interface.

    Args:
        hidden_dims: the sizes of the hidden layers, e.g. ``[100, 100]``.
        input_dim, num_classes: D (inputs of any shape are read as (N, D)) and C.
        dropout_keep_ratio: the probability of keeping a hidden unit; 1 (default) means no dropout.
        normalization: None, 'batchnorm' or 'layernorm', after every hidden affine layer.
        reg: the L2 strength (``0.5 * reg * sum(W**2)``). weight_scale: the weights start as
            ``weight_scale * standard normal`` (numpy's global generator, as the course: seed it with
            ``np.random.seed``), the biases and betas at 0, the gammas at 1.
        dtype: of the params and the computation (float64 for gradient checks).
        seed: passed to the dropout layers, which then draw the same mask at every call (as the
            course does, so that the net can be gradient-checked).
    """

    def __init__(self, hidden_dims, input_dim: int = 3 * 32 * 32, num_classes: int = 10,
                 dropout_keep_ratio: float = 1, normalization=None, reg: float = 0.0,
                 weight_scale: float = 1e-2, dtype=np.float32, seed=None):
        where = "FullyConnectedNet"
        dims = [validate.integer(d, "each hidden dim", where, low=1) for d in hidden_dims]
        dims = [validate.integer(input_dim, "input_dim", where, low=1)] + dims + \
            [validate.integer(num_classes, "num_classes", where, low=1)]
        if normalization not in NORMALIZATIONS:
            raise ValueError(f"{where}: normalization must be one of {NORMALIZATIONS}, got "
                             f"{normalization!r}")
        keep = validate.number(dropout_keep_ratio, "dropout_keep_ratio", where, low=0, high=1,
                             low_open=True)
        self.normalization, self.reg, self.dtype = normalization, validate.number(reg, "reg", where, low=0), dtype
        self.num_layers, self.use_dropout = len(dims) - 1, keep != 1
        self.params = {}
        for i, (d_in, d_out) in enumerate(zip(dims[:-1], dims[1:]), start=1):
            self.params[f"W{i}"] = weight_init(weight_scale, (d_in, d_out), where)
            self.params[f"b{i}"] = np.zeros(d_out)
            if normalization and i < self.num_layers:
                self.params[f"gamma{i}"], self.params[f"beta{i}"] = np.ones(d_out), np.zeros(d_out)
        self.params = {k: v.astype(dtype) for k, v in self.params.items()}
        self.dropout_param = {"mode": "train", "p": keep} if self.use_dropout else {}
        if self.use_dropout and seed is not None:
            self.dropout_param["seed"] = seed
        self.bn_params = [{"mode": "train"} for _ in range(self.num_layers - 1)] if normalization else []

    def _scores(self, X: Tensor, p: dict) -> Tensor:
        h = X
        for i in range(1, self.num_layers):
            h = graph.affine(h, p[f"W{i}"], p[f"b{i}"])
            if self.normalization == "batchnorm":
                h = graph.batchnorm(h, p[f"gamma{i}"], p[f"beta{i}"], self.bn_params[i - 1])
            elif self.normalization == "layernorm":
                h = graph.layernorm(h, p[f"gamma{i}"], p[f"beta{i}"], self.bn_params[i - 1])
            h = graph.relu(h)
            if self.use_dropout:
                h = graph.dropout(h, self.dropout_param)
        n = self.num_layers
        return graph.affine(h, p[f"W{n}"], p[f"b{n}"])

    def loss(self, X, y=None):
        """Scores (N, C) as a numpy array when ``y`` is None (test mode: dropout off, batch norm on
        its running averages); else ``(loss, grads)`` in train mode, ``grads`` keyed as ``params``."""
        mode = "test" if y is None else "train"
        self.dropout_param["mode"] = mode
        for bn in self.bn_params:
            bn["mode"] = mode
        X = np.asarray(X, dtype=self.dtype)
        if y is None:
            with no_grad():
                return self._scores(Tensor(X), {k: Tensor(v) for k, v in self.params.items()}).data
        return run_loss(self, lambda p: self._scores(Tensor(X), p), y)

