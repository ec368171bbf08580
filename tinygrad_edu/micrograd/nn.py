"""micrograd's neural-network classes on ``Value``: ``Module``, ``Neuron``, ``Layer``, ``MLP``.

The weights are drawn exactly as micrograd draws them: one ``random.uniform(-1, 1)`` per weight
from Python's ``random`` module, neuron after neuron, layer after layer; a bias starts at
``Value(0)``. So ``random.seed(1337)`` followed by ``MLP(2, [16, 16, 1])`` gives micrograd's model,
number for number, and ``model(x)`` adds the products in micrograd's order (bias first).
"""
from __future__ import annotations

import random

from .engine import Value

__all__ = ["Module", "Neuron", "Layer", "MLP"]


class Module:
    """What every micrograd model has: ``parameters()`` (a list of Values) and ``zero_grad()``."""

    def zero_grad(self):
        """Reset every parameter's gradient to 0 (gradients accumulate across backward passes)."""
        for p in self.parameters():
            p.grad = 0

    def parameters(self) -> list:
        """The Values that training updates; none for a bare Module."""
        return []


class Neuron(Module):
    """``relu(b + sum_i w_i * x_i)`` (``nonlin=True``) or the affine sum alone: ``nin`` inputs.

    ``x`` is a sequence of ``nin`` Values or numbers; the result is one Value.
    """

    def __init__(self, nin: int, nonlin: bool = True):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0)
        self.nonlin = nonlin

    def __call__(self, x):
        act = self.b
        for wi, xi in zip(self.w, x):
            act = act + wi * xi
        return act.relu() if self.nonlin else act

    def parameters(self) -> list:
        return [*self.w, self.b]

    def __repr__(self):
        kind = "ReLU" if self.nonlin else "Linear"
        return f"{kind}Neuron({len(self.w)})"


class Layer(Module):
    """``nout`` Neurons over the same ``nin`` inputs; a list of Values out (one Value when nout == 1).
    Keyword arguments (``nonlin=``) go to each Neuron."""

    def __init__(self, nin: int, nout: int, **kwargs):
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    def __call__(self, x):
        outs = [n(x) for n in self.neurons]
        return outs[0] if len(outs) == 1 else outs

    def parameters(self) -> list:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self):
        return "Layer of [" + ", ".join(map(str, self.neurons)) + "]"


class MLP(Module):
    """Layers of sizes ``nin -> nouts[0] -> ... -> nouts[-1]``: ReLU neurons, a linear last layer."""

    def __init__(self, nin: int, nouts: list):
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.layers = [Layer(sizes[i], sizes[i + 1], nonlin=(i != last)) for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self) -> list:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self):
        return "MLP of [" + ", ".join(map(str, self.layers)) + "]"
