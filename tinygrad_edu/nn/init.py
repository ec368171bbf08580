"""Initializers, as ``torch.nn.init``: each fills a Tensor's array in place and returns the Tensor.

``nn.init.kaiming_uniform_(layer.weight, nonlinearity="relu")`` and the like, with PyTorch's fan
rules (fan_in = size(1) * receptive field, fan_out = size(0) * receptive field) and gains. The
random numbers come from numpy's global generator (``np.random.seed`` makes them reproducible).
"""
from __future__ import annotations

import math

import numpy as np

from ..engine import Tensor
from .module import write_in_place

__all__ = ["calculate_gain", "uniform_", "normal_", "constant_", "ones_", "zeros_", "eye_",
           "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"]


def _random():
    """The generator the initializers draw from."""
    return np.random


def _fill(tensor: Tensor, values, where: str) -> Tensor:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{where}: expected a Tensor (e.g. layer.weight), got {type(tensor).__name__}")
    write_in_place(tensor, np.asarray(values, dtype=tensor.dtype))
    return tensor


def calculate_gain(nonlinearity: str, param=None) -> float:
    """PyTorch's recommended gain: 1 for linear/conv/sigmoid, 5/3 tanh, sqrt(2) relu,
    sqrt(2 / (1 + slope**2)) leaky_relu (slope 0.01 by default), 3/4 selu."""
    linear = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
              "conv_transpose3d", "sigmoid")
    if nonlinearity in linear:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def _fans(tensor: Tensor, where: str) -> tuple:
    if tensor.ndim < 2:
        raise ValueError(f"{where}: fan in and fan out need a tensor of 2 or more dimensions, got "
                         f"shape {tensor.shape}")
    field = int(np.prod(tensor.shape[2:])) if tensor.ndim > 2 else 1
    return tensor.shape[1] * field, tensor.shape[0] * field


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """Uniform in [a, b)."""
    return _fill(tensor, _random().uniform(a, b, tensor.shape), "uniform_")


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """Normal with ``mean`` and ``std``."""
    return _fill(tensor, _random().normal(mean, std, tensor.shape), "normal_")


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Every entry ``val``."""
    return _fill(tensor, np.full(tensor.shape, val), "constant_")


def ones_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 1.0)


def zeros_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 0.0)


def eye_(tensor: Tensor) -> Tensor:
    """The identity matrix (2-D tensors)."""
    if tensor.ndim != 2:
        raise ValueError(f"eye_: needs a 2-D tensor, got shape {tensor.shape}")
    return _fill(tensor, np.eye(*tensor.shape), "eye_")


def xavier_uniform_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Uniform in +-gain * sqrt(6 / (fan_in + fan_out)) (Glorot)."""
    fan_in, fan_out = _fans(tensor, "xavier_uniform_")
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -a, a)


def xavier_normal_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Normal with std gain * sqrt(2 / (fan_in + fan_out)) (Glorot)."""
    fan_in, fan_out = _fans(tensor, "xavier_normal_")
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def _kaiming_std(tensor, a, mode, nonlinearity, where) -> float:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"{where}: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _fans(tensor, where)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan_in if mode == "fan_in" else fan_out)


def kaiming_uniform_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu") -> Tensor:
    """Uniform in +-sqrt(3) * gain / sqrt(fan) (He)."""
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity, "kaiming_uniform_")
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu") -> Tensor:
    """Normal with std gain / sqrt(fan) (He)."""
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity, "kaiming_normal_"))
