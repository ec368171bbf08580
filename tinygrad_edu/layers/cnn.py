"""The course's ``ThreeLayerConvNet``: conv - relu - 2x2 max pool - affine - relu - affine -
softmax, with the course's interface and its gradients from the engine.

The convolution keeps the image size (stride 1, padding ``(filter_size - 1) // 2``) and the pool
halves it, so for input (C, H, W) the params are ``W1`` (F, C, filter_size, filter_size), ``b1``
(F,), ``W2`` (F * H/2 * W/2, hidden_dim), ``b2``, ``W3`` (hidden_dim, num_classes), ``b3``. The
graph is built from ``layers.graph`` (``functional.conv2d`` and ``max_pool2d`` inside); the
regularization is the course's ``0.5 * reg * sum(W**2)`` over W1, W2, W3.
"""
from __future__ import annotations

import numpy as np

from .. import validate
from ..engine import Tensor, no_grad
from . import graph
from ._nets import run_loss, weight_init

__all__ = ["ThreeLayerConvNet"]


class ThreeLayerConvNet:
    """A small convolutional net in the course's interface (``params``, ``loss(X, y=None)``).

    Args:
        input_dim: (C, H, W) of one image, H and W even. num_filters, filter_size (odd): the
            convolution's F and kernel size. hidden_dim: the hidden affine layer's size.
        num_classes, weight_scale, reg, dtype: as in ``FullyConnectedNet`` (the weights from
            numpy's global generator).
    """

    def __init__(self, input_dim=(3, 32, 32), num_filters: int = 32, filter_size: int = 7,
                 hidden_dim: int = 100, num_classes: int = 10, weight_scale: float = 1e-3,
                 reg: float = 0.0, dtype=np.float32):
        where = "ThreeLayerConvNet"
        c, h, w = (validate.integer(v, "input_dim", where, low=1) for v in input_dim)
        f = validate.integer(num_filters, "num_filters", where, low=1)
        k = validate.integer(filter_size, "filter_size", where, low=1)
        hid = validate.integer(hidden_dim, "hidden_dim", where, low=1)
        classes = validate.integer(num_classes, "num_classes", where, low=1)
        if k % 2 == 0 or h % 2 or w % 2:
            raise ValueError(f"{where}: filter_size must be odd (to keep the size) and H, W even (for "
                             f"the 2x2 pool); got filter_size {k} and input_dim {tuple(input_dim)}")
        self.reg, self.dtype, self.input_dim = validate.number(reg, "reg", where, low=0), dtype, (c, h, w)
        shapes = {"W1": (f, c, k, k), "W2": (f * (h // 2) * (w // 2), hid), "W3": (hid, classes)}
        self.params = {}
        for i, (name, shape) in enumerate(shapes.items(), start=1):
            self.params[name] = weight_init(weight_scale, shape, where).astype(dtype)
            self.params[f"b{i}"] = np.zeros(shape[0] if i == 1 else shape[1], dtype=dtype)
        self.conv_param = {"stride": 1, "pad": (k - 1) // 2}
        self.pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}

    def _scores(self, X: Tensor, p: dict) -> Tensor:
        h = graph.max_pool(graph.relu(graph.conv(X, p["W1"], p["b1"], self.conv_param)), self.pool_param)
        h = graph.relu(graph.affine(h, p["W2"], p["b2"]))
        return graph.affine(h, p["W3"], p["b3"])

    def loss(self, X, y=None):
        """Scores (N, C) as a numpy array when ``y`` is None; else ``(loss, grads)``. ``X`` is
        (N, C, H, W)."""
        X = np.asarray(X, dtype=self.dtype)
        if X.ndim != 4 or X.shape[1:] != self.input_dim:
            raise ValueError(f"ThreeLayerConvNet.loss: X must be (N, C, H, W) = (N, "
                             f"{', '.join(map(str, self.input_dim))}), the input_dim the net was "
                             f"made for; got shape {X.shape}")
        if y is None:
            with no_grad():
                return self._scores(Tensor(X), {k: Tensor(v) for k, v in self.params.items()}).data
        return run_loss(self, lambda p: self._scores(Tensor(X), p), y)
