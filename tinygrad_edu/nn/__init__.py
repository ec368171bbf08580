"""Networks built on the engine: the cs231n ``TwoLayerNet`` (``two_layer``), and a small
PyTorch-like layer set (``modules``): ``Module``, ``Linear``, ``ReLU``, ``Tanh``, ``Sequential``,
``Conv2d``, pooling, ``Dropout``, ``BatchNorm1d``/``BatchNorm2d``, ``LayerNorm``, ``Flatten``."""
from .modules import (AvgPool2d, BatchNorm1d, BatchNorm2d, Conv2d, Dropout, Flatten, LayerNorm, Linear,
                      MaxPool2d, Module, ReLU, Sequential, Tanh)
from .two_layer import TwoLayerNet

__all__ = ["TwoLayerNet", "Module", "Linear", "ReLU", "Tanh", "Sequential", "Conv2d", "MaxPool2d",
           "AvgPool2d", "Dropout", "BatchNorm1d", "BatchNorm2d", "LayerNorm", "Flatten"]
