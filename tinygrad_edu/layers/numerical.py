"""Numerical gradients of a layer: the vector-Jacobian product ``sum(dout * d out / d input)`` by
centered differences, for every float array among the forward's arguments.

This is the course's ``eval_numerical_gradient_array(f, x, dout)`` applied to each input in turn,
through ``tinygrad_edu.gradcheck.numerical_gradient_array`` (the one +-h loop of the package)::

    dx_num, dw_num, db_num = layer_numerical_grads(affine_forward, (x, w, b), dout)

The other arguments (the course's ``bn_param``, ``conv_param``, ... dicts) are passed through, a
fresh copy to every call, so a batch normalization's running averages are not disturbed.
"""
from __future__ import annotations

import copy
from collections.abc import Mapping

import numpy as np

from ..gradcheck import numerical_gradient_array
from ..gradcheck.layer import float_inputs, refuse_unseeded_dropout


__all__ = ["layer_numerical_grads", "float_inputs", "refuse_unseeded_dropout"]


def layer_numerical_grads(forward, args, dout, h: float | None = None) -> list:
    """``[sum(dout * d forward(*args)[0] / d args[i]) for each float array args[i]]`` by centered
    differences (``numerical_gradient_array``); ``forward(*args) -> (out, cache)``.

    The arrays are perturbed in place and restored; dicts among ``args`` are deep-copied for every
    call. Returns float64 arrays shaped like those inputs, in their order.
    """
    args = list(args)
    refuse_unseeded_dropout(args, "layer_numerical_grads")

    def out_of(_):
        return forward(*[copy.deepcopy(a) if isinstance(a, Mapping) else a for a in args])[0]
    return [numerical_gradient_array(out_of, args[i], dout, h=h) for i in float_inputs(args)]
