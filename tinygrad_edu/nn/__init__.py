"""Networks built on the engine, in PyTorch's names (``tinygrad_edu.nn`` for ``torch.nn``): ``Module``
and ``Parameter`` (``module``), layers and containers (``modules``), activations (``activation``),
losses (``loss``), ``functional`` (``torch.nn.functional``), ``init``; and the cs231n
``TwoLayerNet``, which lives in ``train/two_layer.py`` beside the loop it trains with (nn imports
nothing of train: the name is looked up there when it is first asked for)."""
import importlib

from . import functional, init
from .activation import (ELU, GELU, SELU, Hardtanh, Identity, LeakyReLU, LogSigmoid, LogSoftmax, Mish,
                         ReLU, ReLU6, Sigmoid, SiLU, Softmax, Softmin, Softplus, Tanh)
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss, NLLLoss,
                   SmoothL1Loss)
from .module import Module, Parameter
from .modules import (AdaptiveAvgPool2d, AvgPool2d, BatchNorm1d, BatchNorm2d, Conv2d, Dropout,
                      Embedding, Flatten, LayerNorm, Linear, MaxPool2d, ModuleDict, ModuleList,
                      Sequential, Unflatten)

__all__ = ["TwoLayerNet", "Module", "Parameter", "functional", "init",
           "Linear", "Sequential", "ModuleList", "ModuleDict", "Conv2d", "MaxPool2d", "AvgPool2d",
           "AdaptiveAvgPool2d", "Dropout", "BatchNorm1d", "BatchNorm2d", "LayerNorm", "Embedding",
           "Flatten", "Unflatten",
           "Identity", "ReLU", "ReLU6", "LeakyReLU", "ELU", "SELU", "GELU", "SiLU", "Mish", "Sigmoid",
           "Tanh", "Hardtanh", "Softplus", "LogSigmoid", "Softmax", "LogSoftmax", "Softmin",
           "CrossEntropyLoss", "NLLLoss", "MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "BCELoss",
           "BCEWithLogitsLoss"]


def __getattr__(name):
    if name == "TwoLayerNet":
        return importlib.import_module("..train.two_layer", __name__).TwoLayerNet
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
