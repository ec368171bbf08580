"""A small PyTorch-like layer set on the engine.

``Module``, ``Linear``, ``ReLU``, ``Tanh`` and ``Sequential`` are for going further, in PyTorch's style::

    model = Sequential(Linear(64, 50, seed=0), ReLU(), Linear(50, 10, seed=1))
    opt = optim.SGD(model.parameters(), lr=0.1)
    loss = functional.cross_entropy(model(Tensor(X)), y)
    opt.zero_grad(); loss.backward(); opt.step()

One difference from PyTorch, on purpose: ``Linear`` stores its weight as (in_features, out_features)
and computes ``x @ W + b``, the cs231n convention used everywhere in this project (PyTorch stores
the transpose and computes ``x @ W.T + b``).
"""
from __future__ import annotations

import numpy as np

from .. import checks
from .. import functional as F
from ..engine import Tensor, no_grad

__all__ = ["Module", "Linear", "ReLU", "Tanh", "Sequential", "Conv2d", "MaxPool2d",
           "AvgPool2d", "Dropout", "BatchNorm1d", "BatchNorm2d", "LayerNorm", "Flatten"]


def _rng(seed, where: str):
    """``np.random.RandomState(seed)``, or numpy's global generator when ``seed`` is None, so that
    ``np.random.seed(0)`` before building a net makes it reproducible, as in the assignment."""
    seed = checks.seed(seed, where)
    return np.random if seed is None else np.random.RandomState(seed)


def _sizes(where: str, **sizes) -> list[int]:
    """Each keyword a whole number >= 1, in order."""
    return [checks.integer(v, k, where, low=1) for k, v in sizes.items()]


def _input(x, where: str) -> Tensor:
    """A layer's input as a Tensor: a Tensor as is, numbers and numeric arrays as a constant."""
    if isinstance(x, Tensor):
        return x
    return Tensor(checks.array(x, "the input", where, finite=False, nonempty=False))


# ---------------------------------------------------------------------------------- layers


class Module:
    """Base class of layers and models, as ``torch.nn.Module``.

    Subclasses set attributes in ``__init__`` and define ``forward``; calling the module calls
    ``forward``. ``parameters()`` finds every Tensor with ``requires_grad=True`` among the attributes,
    recursively through sub-modules, lists, tuples and dicts, in the order they were assigned.
    """

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__}: define forward(self, x) in the subclass")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def named_parameters(self, prefix: str = "") -> list[tuple[str, Tensor]]:
        """``[(dotted name, Tensor), ...]`` for every parameter, each listed once."""
        out, seen = [], set()
        stack = [(prefix, self)]
        while stack:  # iterative walk; children pushed in reverse so the order is the assignment order
            name, obj = stack.pop()
            if isinstance(obj, Tensor):
                if obj.requires_grad and id(obj) not in seen:
                    seen.add(id(obj))
                    out.append((name, obj))
                continue
            if isinstance(obj, Module):
                items = list(vars(obj).items())
            elif isinstance(obj, (list, tuple)):
                items = [(str(i), v) for i, v in enumerate(obj)]
            elif isinstance(obj, dict):
                items = [(str(k), v) for k, v in obj.items()]
            else:
                continue
            for k, v in reversed(items):
                stack.append((f"{name}.{k}" if name else k, v))
        return out

    def parameters(self) -> list[Tensor]:
        """Every Tensor with ``requires_grad=True`` reachable from this module, each once."""
        return [t for _, t in self.named_parameters()]

    def zero_grad(self) -> None:
        """Reset every parameter's ``.grad`` to None (gradients accumulate across backward calls)."""
        for t in self.parameters():
            t.grad = None

    training = True   # Dropout and BatchNorm behave differently in training and in evaluation

    def train(self, mode: bool = True) -> "Module":
        """Set ``training`` on this module and every sub-module (lists, tuples, dicts included)."""
        stack = [self]
        while stack:
            obj = stack.pop()
            if isinstance(obj, Module):
                obj.training = bool(mode)
                stack.extend(vars(obj).values())
            elif isinstance(obj, (list, tuple)):
                stack.extend(obj)
            elif isinstance(obj, dict):
                stack.extend(obj.values())
        return self

    def eval(self) -> "Module":
        """``train(False)``: Dropout passes inputs through, BatchNorm uses its running statistics."""
        return self.train(False)


class Linear(Module):
    """``y = x @ weight + bias``: x (N, in_features) -> y (N, out_features).

    ``weight`` (in_features, out_features) and ``bias`` (out_features,) start uniform in
    ``[-1/sqrt(in_features), 1/sqrt(in_features)]``, as PyTorch's Linear does. ``seed`` makes them
    reproducible (None: numpy's global generator).
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 seed: int | None = None):
        in_features, out_features = _sizes("Linear", in_features=in_features,
                                           out_features=out_features)
        rng = _rng(seed, "Linear")
        bound = 1.0 / np.sqrt(in_features)
        self.in_features, self.out_features = in_features, out_features
        self.weight = Tensor(rng.uniform(-bound, bound, (in_features, out_features)),
                             requires_grad=True, name="weight")
        self.bias = (Tensor(rng.uniform(-bound, bound, out_features), requires_grad=True, name="bias")
                     if bias else None)

    def forward(self, x):
        x = _input(x, repr(self))
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ValueError(f"Linear({self.in_features}, {self.out_features}): the input's last "
                             f"dimension must be {self.in_features}, got shape {x.shape}")
        y = x @ self.weight
        return y + self.bias if self.bias is not None else y

    def __repr__(self):
        return f"Linear({self.in_features}, {self.out_features}, bias={self.bias is not None})"


class ReLU(Module):
    """``max(0, x)`` elementwise; no parameters."""

    def forward(self, x):
        return _input(x, "ReLU").relu()

    def __repr__(self):
        return "ReLU()"


class Tanh(Module):
    """``tanh(x)`` elementwise; no parameters."""

    def forward(self, x):
        return _input(x, "Tanh").tanh()

    def __repr__(self):
        return "Tanh()"


class Sequential(Module):
    """Modules applied one after another: ``Sequential(a, b, c)(x) == c(b(a(x)))``."""

    def __init__(self, *layers: Module):
        for i, layer in enumerate(layers):
            if isinstance(layer, type):
                raise TypeError(f"Sequential: layer {i} is the class {layer.__name__}, not a module; "
                                f"make one with {layer.__name__}()")
            if not callable(layer):
                raise TypeError(f"Sequential: layer {i} is a {type(layer).__name__}, not a module")
        self.layers = list(layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def __getitem__(self, i):
        try:
            return self.layers[i]
        except (IndexError, TypeError) as e:
            raise type(e)(f"Sequential: index {i!r} does not fit its {len(self.layers)} layer(s)") \
                from None

    def __len__(self):
        return len(self.layers)

    def __repr__(self):
        inner = "".join(f"\n  ({i}): {layer!r}" for i, layer in enumerate(self.layers))
        return f"Sequential({inner}\n)"


# ---------------------------------------------------------------------------------- conv-net layers


class Conv2d(Module):
    """2-D convolution, as ``torch.nn.Conv2d``: x (N, in_channels, H, W) -> (N, out_channels, OH, OW).

    ``weight`` (out_channels, in_channels // groups, kh, kw), the layout of PyTorch and of cs231n's
    conv layers, and ``bias`` (out_channels,) start uniform in [-1/sqrt(fan_in), 1/sqrt(fan_in)]
    with fan_in = in_channels // groups * kh * kw, as PyTorch's. See ``functional.conv2d``.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, seed: int | None = None):
        kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"Conv2d: in_channels {in_channels} and out_channels {out_channels} "
                             f"must both be divisible by groups={groups}")
        rng = _rng(seed, "Conv2d")
        bound = 1.0 / np.sqrt(in_channels // groups * kh * kw)
        self.weight = Tensor(rng.uniform(-bound, bound, (out_channels, in_channels // groups, kh, kw)),
                             requires_grad=True, name="weight")
        self.bias = (Tensor(rng.uniform(-bound, bound, out_channels), requires_grad=True, name="bias")
                     if bias else None)
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups

    def forward(self, x):
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation,
                        self.groups)

    def __repr__(self):
        o, c, kh, kw = self.weight.shape
        return (f"Conv2d({c * self.groups}, {o}, kernel_size=({kh}, {kw}), stride={self.stride}, "
                f"padding={self.padding})")


class MaxPool2d(Module):
    """Max pooling, as ``torch.nn.MaxPool2d``; see ``functional.max_pool2d``."""

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1):
        self.kernel_size, self.stride, self.padding, self.dilation = (kernel_size, stride, padding,
                                                                      dilation)

    def forward(self, x):
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation)

    def __repr__(self):
        return f"MaxPool2d(kernel_size={self.kernel_size}, stride={self.stride})"


class AvgPool2d(Module):
    """Average pooling, as ``torch.nn.AvgPool2d``; see ``functional.avg_pool2d``."""

    def __init__(self, kernel_size, stride=None, padding=0, count_include_pad: bool = True):
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.count_include_pad = count_include_pad

    def forward(self, x):
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding, self.count_include_pad)

    def __repr__(self):
        return f"AvgPool2d(kernel_size={self.kernel_size}, stride={self.stride})"


class Dropout(Module):
    """Dropout with probability ``p`` while ``training``; the identity after ``eval()``. ``seed``
    makes the masks reproducible (a numpy Generator kept by the layer)."""

    def __init__(self, p: float = 0.5, seed: int | None = None):
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be in [0, 1], got {p}")
        self.p = p
        self.generator = np.random.default_rng(seed) if seed is not None else None

    def forward(self, x):
        return F.dropout(x, self.p, self.training, generator=self.generator)

    def __repr__(self):
        return f"Dropout(p={self.p})"


class _BatchNorm(Module):
    """Batch normalization per channel with running statistics (numpy arrays, updated in
    training), and a learnable ``weight`` (ones) and ``bias`` (zeros) when ``affine``."""

    ndims = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1,
                 affine: bool = True):
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.running_mean, self.running_var = np.zeros(num_features), np.ones(num_features)
        self.weight = Tensor(np.ones(num_features), requires_grad=True, name="weight") if affine \
            else None
        self.bias = Tensor(np.zeros(num_features), requires_grad=True, name="bias") if affine \
            else None

    def forward(self, x):
        x = x if isinstance(x, Tensor) else Tensor(x)
        if x.ndim not in self.ndims or x.shape[1] != self.num_features:
            raise ValueError(f"{type(self).__name__}({self.num_features}): expects an input of "
                             f"{' or '.join(map(str, self.ndims))} dimensions with "
                             f"{self.num_features} channels on axis 1, got shape {x.shape}")
        return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                            self.training, self.momentum, self.eps)

    def __repr__(self):
        return f"{type(self).__name__}({self.num_features})"


class BatchNorm1d(_BatchNorm):
    """``torch.nn.BatchNorm1d``: x (N, C) or (N, C, L)."""

    ndims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """``torch.nn.BatchNorm2d``: x (N, C, H, W)."""

    ndims = (4,)


class LayerNorm(Module):
    """``torch.nn.LayerNorm``: normalize over the last axes ``normalized_shape``, then a learnable
    ``weight`` (ones) and ``bias`` (zeros) of that shape."""

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True):
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.normalized_shape, self.eps = shape, eps
        self.weight = Tensor(np.ones(shape), requires_grad=True, name="weight") \
            if elementwise_affine else None
        self.bias = Tensor(np.zeros(shape), requires_grad=True, name="bias") \
            if elementwise_affine else None

    def forward(self, x):
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def __repr__(self):
        return f"LayerNorm({self.normalized_shape})"


class Flatten(Module):
    """``torch.nn.Flatten``: merge axes ``start_dim`` .. ``end_dim`` (default: all but the batch)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        x = x if isinstance(x, Tensor) else Tensor(x)
        return x.flatten(self.start_dim, self.end_dim)

    def __repr__(self):
        return "Flatten()"
