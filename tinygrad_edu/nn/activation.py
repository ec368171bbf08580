"""Activation modules, as ``torch.nn``'s: each calls its ``nn.functional`` twin; no parameters."""
from __future__ import annotations

from . import functional as F
from .module import Module
from .modules import _input

__all__ = ["Identity", "ReLU", "ReLU6", "LeakyReLU", "ELU", "SELU", "GELU", "SiLU", "Mish", "Sigmoid",
           "Tanh", "Hardtanh", "Softplus", "LogSigmoid", "Softmax", "LogSoftmax", "Softmin"]


class Identity(Module):
    """Returns its input unchanged (any arguments to the constructor are ignored, as PyTorch's)."""

    def __init__(self, *args, **kwargs):
        pass

    def forward(self, input):
        return input


class _Inplace(Module):
    """An activation with PyTorch's ``inplace`` flag (see ``nn.functional``)."""

    fn = None

    def __init__(self, inplace: bool = False):
        self.inplace = inplace

    def forward(self, input):
        return type(self).fn(_input(input, type(self).__name__), inplace=self.inplace)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class ReLU(_Inplace):
    """max(0, x)."""
    fn = staticmethod(F.relu)


class ReLU6(_Inplace):
    """min(max(0, x), 6)."""
    fn = staticmethod(F.relu6)


class SELU(_Inplace):
    """scale * elu(x, alpha), PyTorch's constants."""
    fn = staticmethod(F.selu)


class SiLU(_Inplace):
    """x * sigmoid(x)."""
    fn = staticmethod(F.silu)


class Mish(_Inplace):
    """x * tanh(softplus(x))."""
    fn = staticmethod(F.mish)


class LeakyReLU(Module):
    """x where x > 0, else negative_slope * x."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False):
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input):
        return F.leaky_relu(_input(input, 'LeakyReLU'), self.negative_slope, self.inplace)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class ELU(Module):
    """x where x > 0, else alpha * (exp(x) - 1)."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input):
        return F.elu(_input(input, 'ELU'), self.alpha, self.inplace)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class Hardtanh(Module):
    """x clamped into [min_val, max_val]."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False):
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, input):
        return F.hardtanh(_input(input, 'Hardtanh'), self.min_val, self.max_val, self.inplace)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}"


class GELU(Module):
    """x * Phi(x); ``approximate='tanh'`` for the tanh formula."""

    def __init__(self, approximate: str = "none"):
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(_input(input, 'GELU'), self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class Sigmoid(Module):
    """1 / (1 + exp(-x))."""

    def forward(self, input):
        return F.sigmoid(_input(input, 'Sigmoid'))


class Tanh(Module):
    """tanh(x)."""

    def forward(self, input):
        return F.tanh(_input(input, 'Tanh'))


class LogSigmoid(Module):
    """log(sigmoid(x))."""

    def forward(self, input):
        return F.logsigmoid(_input(input, 'LogSigmoid'))


class Softplus(Module):
    """log(1 + exp(beta x)) / beta, linear past ``threshold``."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        self.beta, self.threshold = beta, threshold

    def forward(self, input):
        return F.softplus(_input(input, 'Softplus'), self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class _AlongDim(Module):
    """Softmax-like: along ``dim`` (None: PyTorch's implicit choice, with its warning)."""

    fn = None

    def __init__(self, dim=None):
        self.dim = dim

    def forward(self, input):
        return type(self).fn(_input(input, type(self).__name__), self.dim, _stacklevel=5)

    def extra_repr(self):
        return f"dim={self.dim}"


class Softmax(_AlongDim):
    """exp(x) / sum(exp(x)) along ``dim``."""
    fn = staticmethod(F.softmax)


class LogSoftmax(_AlongDim):
    """x - logsumexp(x) along ``dim``."""
    fn = staticmethod(F.log_softmax)


class Softmin(_AlongDim):
    """softmax(-x) along ``dim``."""
    fn = staticmethod(F.softmin)
