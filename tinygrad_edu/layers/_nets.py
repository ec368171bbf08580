"""What the course's nets share: the initial weights and the loss with its gradients from the engine."""
from __future__ import annotations

import numpy as np

from .. import validate
from ..engine import Tensor
from . import graph


def weight_init(scale, shape, where: str) -> np.ndarray:
    """``scale * standard normal`` of ``shape``, from numpy's global generator (as the course)."""
    return validate.number(scale, "weight_scale", where, low=0) * np.random.randn(*shape)


def run_loss(net, scores_of, y):
    """``(loss, grads)`` of a net: its params as Tensors that share their memory, ``scores_of(p)``
    the graph of the scores, then the softmax loss plus ``0.5 * reg * sum(W**2)`` over the params
    whose names start with W, and ``backward()``. grads: numpy arrays keyed as ``net.params``."""
    p = {k: Tensor(v, requires_grad=True, name=k) for k, v in net.params.items()}
    loss = graph.softmax_loss(scores_of(p), y)
    for k, t in p.items():
        if net.reg and k.startswith("W"):
            loss = loss + 0.5 * net.reg * (t * t).sum()
    loss.backward()
    return loss.item(), {k: t.grad for k, t in p.items()}
