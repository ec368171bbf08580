"""Layers and containers, as ``torch.nn``'s: ``Linear``, ``Sequential``, ``ModuleList``,
``ModuleDict``, ``Conv2d``, pooling, ``Dropout``, ``BatchNorm1d``/``2d``, ``LayerNorm``, ``Embedding``,
``Flatten``::

    model = Sequential(Linear(64, 50, seed=0), ReLU(), Linear(50, 10, seed=1))
    opt = optim.SGD(model.parameters(), lr=0.1)
    loss = nn.functional.cross_entropy(model(Tensor(X)), y)
    opt.zero_grad(); loss.backward(); opt.step()

``Linear`` is PyTorch's: ``weight`` is (out_features, in_features) and ``y = x @ weight.T + bias``, so
a PyTorch ``state_dict`` loads as it is and ``model.fc1.weight.shape`` reads as in PyTorch code. The
cs231n layout, W (D, C) with ``x @ W + b``, is ``weight.T``: the numbers of ``Linear(D, C,
seed=s)`` are drawn in (D, C) order, so ``weight.T`` is ``RandomState(s).uniform(-b, b, (D, C))``,
the matrix a cs231n-style ``W`` gets from the same seed.

Parameters are float64 by default (PyTorch's are float32), for gradient checks; ``model.float()``
gives float32. ``seed`` (a keyword here, not in PyTorch) makes a layer's initial values
reproducible; without it they come from the global generator (``tinygrad_edu.manual_seed``).
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np

from .. import validate
from .. import functional as F
from ..engine import Tensor, randomness
from .module import Module, _device_of

__all__ = ["Linear", "Sequential", "ModuleList", "ModuleDict", "Conv2d", "MaxPool2d",
           "AvgPool2d", "AdaptiveAvgPool2d", "Dropout", "BatchNorm1d", "BatchNorm2d", "LayerNorm",
           "Embedding", "Flatten", "Unflatten"]


def _rng(seed, where: str):
    """The engine's one random convention (``engine/randomness.py``): ``RandomState(seed)``, or the
    global generator that ``tinygrad_edu.manual_seed`` and ``np.random.seed`` seed when ``seed`` is
    None, so either before building a net makes it reproducible, as in the assignment."""
    return randomness.source(validate.seed(seed, where), None, where)


def _sizes(where: str, **sizes) -> list[int]:
    """Each keyword a whole number >= 1, in order."""
    return [validate.integer(v, k, where, low=1) for k, v in sizes.items()]


def _input(x, where: str) -> Tensor:
    """A layer's input as a Tensor: a Tensor as is, numbers and numeric arrays as a constant."""
    if isinstance(x, Tensor):
        return x
    return Tensor(validate.array(x, "the input", where, finite=False, nonempty=False))


def _param(array: np.ndarray, name: str, device=None, dtype=None) -> Tensor:
    """A parameter Tensor of ``array`` in ``dtype`` (float64 by default), on the one device."""
    if device is not None:
        _device_of(device)
    if dtype is not None:
        dt = np.dtype(dtype)
        if dt not in (np.float32, np.float64):
            raise TypeError(f"{name}: dtype must be float32 or float64, got {dt}")
        array = array.astype(dt)
    return Tensor(array, requires_grad=True, name=name)


# ---------------------------------------------------------------------------------- layers


class Linear(Module):
    """``y = x @ weight.T + bias``: x (*, in_features) -> y (*, out_features), as ``torch.nn.Linear``.

    ``weight`` (out_features, in_features) and ``bias`` (out_features,) start uniform in
    ``[-1/sqrt(in_features), 1/sqrt(in_features)]``, PyTorch's range (the module's docstring says
    in which order they are drawn).
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None,
                 dtype=None, seed: int | None = None):
        in_features, out_features = _sizes("Linear", in_features=in_features,
                                           out_features=out_features)
        rng = _rng(seed, "Linear")
        bound = 1.0 / np.sqrt(in_features)
        self.in_features, self.out_features = in_features, out_features
        w = rng.uniform(-bound, bound, (in_features, out_features))
        self.weight = _param(np.ascontiguousarray(w.T), "weight", device, dtype)
        self.bias = (_param(rng.uniform(-bound, bound, out_features), "bias", device, dtype)
                     if bias else None)

    def forward(self, x):
        x = _input(x, repr(self))
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ValueError(f"Linear({self.in_features}, {self.out_features}): the input's last "
                             f"dimension must be {self.in_features}, got shape {x.shape}")
        y = x @ self.weight.T
        return y + self.bias if self.bias is not None else y

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Sequential(Module):
    """Modules applied one after another: ``Sequential(a, b, c)(x) == c(b(a(x)))``; or
    ``Sequential(OrderedDict(name=module, ...))``. Children are named '0', '1', ... (or the names
    given), as in PyTorch, so the state_dict keys are '0.weight', ...; indexing, slicing, ``len``,
    iteration and ``append`` as a list."""

    def __init__(self, *layers):
        if len(layers) == 1 and isinstance(layers[0], OrderedDict):
            items = list(layers[0].items())
        else:
            items = [(str(i), m) for i, m in enumerate(layers)]
        for i, (name, layer) in enumerate(items):
            self.add_module(name, _layer(layer, i, "Sequential"))

    def forward(self, x):
        for layer in self:
            x = layer(x)
        return x

    def _list(self) -> list:
        return [v for v in vars(self).values() if isinstance(v, Module)]

    layers = property(_list, doc="The modules, in order (a list).")

    def append(self, module) -> "Sequential":
        self.add_module(str(len(self)), _layer(module, len(self), "Sequential"))
        return self

    def __getitem__(self, i):
        layers = self._list()
        if isinstance(i, slice):
            return Sequential(*layers[i])
        try:
            return layers[i]
        except (IndexError, TypeError) as e:
            raise type(e)(f"Sequential: index {i!r} does not fit its {len(layers)} layer(s)") from None

    def __len__(self):
        return len(self._list())

    def __iter__(self):
        return iter(self._list())


def _layer(layer, i: int, where: str):
    """Check that entry ``i`` of a container is a module (a class or a function is a common slip)."""
    if isinstance(layer, type):
        raise TypeError(f"{where}: layer {i} is the class {layer.__name__}, not a module; "
                        f"make one with {layer.__name__}()")
    if not isinstance(layer, Module):
        if not callable(layer):
            raise TypeError(f"{where}: layer {i} is a {type(layer).__name__}, not a module")
        return _Lambda(layer)
    return layer


class _Lambda(Module):
    """A plain function used as a layer (``Sequential(Linear(2, 3), np.tanh)`` style)."""

    def __init__(self, fn):
        self.fn = fn

    def forward(self, *args):
        return self.fn(*args)

    def extra_repr(self):
        return getattr(self.fn, "__name__", repr(self.fn))


class ModuleList(Module):
    """A list of modules whose parameters the model finds (children '0', '1', ...)."""

    def __init__(self, modules=None):
        for m in modules or ():
            self.append(m)

    def append(self, module) -> "ModuleList":
        self.add_module(str(len(self)), _layer(module, len(self), "ModuleList"))
        return self

    def extend(self, modules) -> "ModuleList":
        for m in modules:
            self.append(m)
        return self

    def _list(self) -> list:
        return [v for v in vars(self).values() if isinstance(v, Module)]

    def __getitem__(self, i):
        return ModuleList(self._list()[i]) if isinstance(i, slice) else self._list()[i]

    def __len__(self):
        return len(self._list())

    def __iter__(self):
        return iter(self._list())


class ModuleDict(Module):
    """A dict of modules whose parameters the model finds (children named by the keys)."""

    def __init__(self, modules=None):
        for k, m in dict(modules or {}).items():
            self[k] = m

    def __setitem__(self, key: str, module):
        self.add_module(key, _layer(module, key, "ModuleDict"))

    def __getitem__(self, key: str):
        return dict(self.named_children())[key]

    def keys(self):
        return [k for k, _ in self.named_children()]

    def values(self):
        return [m for _, m in self.named_children()]

    def items(self):
        return list(self.named_children())

    def __len__(self):
        return len(self.keys())

    def __iter__(self):
        return iter(self.keys())

    def __contains__(self, key):
        return key in self.keys()


# ---------------------------------------------------------------------------------- conv-net layers


class Conv2d(Module):
    """2-D convolution, as ``torch.nn.Conv2d``: x (N, in_channels, H, W) -> (N, out_channels, OH, OW).

    ``weight`` (out_channels, in_channels // groups, kh, kw), the layout of PyTorch and of cs231n's
    conv layers, and ``bias`` (out_channels,) start uniform in [-1/sqrt(fan_in), 1/sqrt(fan_in)]
    with fan_in = in_channels // groups * kh * kw, as PyTorch's. See ``functional.conv2d``.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None, seed: int | None = None):
        kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"Conv2d: in_channels {in_channels} and out_channels {out_channels} "
                             f"must both be divisible by groups={groups}")
        if padding_mode != "zeros":
            raise NotImplementedError(f"Conv2d: padding_mode={padding_mode!r} is not implemented "
                                      f"(only 'zeros')")
        rng = _rng(seed, "Conv2d")
        bound = 1.0 / np.sqrt(in_channels // groups * kh * kw)
        shape = (out_channels, in_channels // groups, kh, kw)
        self.in_channels, self.out_channels, self.kernel_size = in_channels, out_channels, (kh, kw)
        self.weight = _param(rng.uniform(-bound, bound, shape), "weight", device, dtype)
        self.bias = (_param(rng.uniform(-bound, bound, out_channels), "bias", device, dtype)
                     if bias else None)
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups

    def forward(self, x):
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation,
                        self.groups)

    def extra_repr(self):
        two = lambda v: v if isinstance(v, (tuple, str)) else (v, v)  # noqa: E731
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={two(self.stride)}, padding={two(self.padding)}")


class MaxPool2d(Module):
    """Max pooling, as ``torch.nn.MaxPool2d``; see ``functional.max_pool2d``."""

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False):
        if return_indices or ceil_mode:
            raise NotImplementedError("MaxPool2d: return_indices and ceil_mode are not implemented")
        self.kernel_size, self.stride, self.padding, self.dilation = (kernel_size, stride, padding,
                                                                      dilation)

    def forward(self, x):
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation)

    def extra_repr(self):
        stride = self.kernel_size if self.stride is None else self.stride
        return (f"kernel_size={self.kernel_size}, stride={stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode=False")


class AvgPool2d(Module):
    """Average pooling, as ``torch.nn.AvgPool2d``; see ``functional.avg_pool2d``."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad: bool = True, divisor_override=None):
        if ceil_mode or divisor_override:
            raise NotImplementedError("AvgPool2d: ceil_mode and divisor_override are not implemented")
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.count_include_pad = count_include_pad

    def forward(self, x):
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding, self.count_include_pad)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Average over the windows that divide (H, W) into ``output_size``, as
    ``torch.nn.AdaptiveAvgPool2d``, when H and W are multiples of it (1 always is: global pooling)."""

    def __init__(self, output_size):
        self.output_size = output_size

    def forward(self, x):
        x = _input(x, "AdaptiveAvgPool2d")
        oh, ow = (self.output_size,) * 2 if isinstance(self.output_size, int) else self.output_size
        h, w = x.shape[-2:]
        oh, ow = oh or h, ow or w
        if h % oh or w % ow:
            raise NotImplementedError(f"AdaptiveAvgPool2d: an input of {h}x{w} does not divide into "
                                      f"{oh}x{ow} equal windows; only that case is implemented")
        return F.avg_pool2d(x, (h // oh, w // ow))

    def extra_repr(self):
        return f"output_size={self.output_size}"


class Dropout(Module):
    """Dropout with probability ``p`` while ``training``; the identity after ``eval()``. ``seed``
    makes the masks reproducible (a numpy Generator kept by the layer)."""

    def __init__(self, p: float = 0.5, inplace: bool = False, seed: int | None = None):
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be in [0, 1], got {p}")
        self.p, self.inplace = p, inplace
        self.generator = _rng(seed, "Dropout") if seed is not None else None

    def forward(self, x):
        return F.dropout(x, self.p, self.training, generator=self.generator)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class _BatchNorm(Module):
    """Batch normalization per channel, as PyTorch's: a learnable ``weight`` (ones) and ``bias``
    (zeros) when ``affine``; the buffers ``running_mean`` (zeros), ``running_var`` (ones) and
    ``num_batches_tracked`` (numpy arrays) when ``track_running_stats``. In training the batch's
    statistics normalize and update the running ones (``momentum=None``: their cumulative mean over
    the batches seen); in evaluation the running ones are used."""

    ndims = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum=0.1, affine: bool = True,
                 track_running_stats: bool = True, device=None, dtype=None):
        (num_features,) = _sizes(type(self).__name__, num_features=num_features)
        if momentum is not None:
            momentum = validate.number(momentum, "momentum", type(self).__name__, low=0, high=1)
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        self.weight = _param(np.ones(num_features), "weight", device, dtype) if affine else None
        self.bias = _param(np.zeros(num_features), "bias", device, dtype) if affine else None
        stats = track_running_stats
        self.register_buffer("running_mean", np.zeros(num_features) if stats else None)
        self.register_buffer("running_var", np.ones(num_features) if stats else None)
        self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64) if stats else None)

    def forward(self, x):
        x = x if isinstance(x, Tensor) else Tensor(x)
        name = type(self).__name__
        if x.ndim not in self.ndims or x.shape[1] != self.num_features:
            raise ValueError(f"{name}({self.num_features}): expects an input of "
                             f"{' or '.join(map(str, self.ndims))} dimensions with "
                             f"{self.num_features} channels on axis 1, got shape {x.shape}")
        batch_stats = self.training or not self.track_running_stats
        if batch_stats and x.size // x.shape[1] <= 1:
            raise ValueError(f"{name}: expected more than 1 value per channel when training, got "
                             f"input of shape {x.shape}; use a batch of 2 or more, or eval()")
        momentum = self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked += 1
            if momentum is None:
                momentum = 1.0 / float(self.num_batches_tracked)
        return F.batch_norm(x, self.running_mean if self.track_running_stats else None,
                            self.running_var if self.track_running_stats else None, self.weight,
                            self.bias, batch_stats, momentum or 0.0, self.eps)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """``torch.nn.BatchNorm1d``: x (N, C) or (N, C, L)."""

    ndims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """``torch.nn.BatchNorm2d``: x (N, C, H, W)."""

    ndims = (4,)


class LayerNorm(Module):
    """``torch.nn.LayerNorm``: normalize over the last axes ``normalized_shape``, then a learnable
    ``weight`` (ones) and ``bias`` (zeros) of that shape."""

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device=None, dtype=None):
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.normalized_shape, self.eps = shape, eps
        self.weight = _param(np.ones(shape), "weight", device, dtype) if elementwise_affine else None
        self.bias = (_param(np.zeros(shape), "bias", device, dtype)
                     if elementwise_affine and bias else None)

    def forward(self, x):
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.weight is not None}"


class Embedding(Module):
    """A table of ``num_embeddings`` rows of size ``embedding_dim``, as ``torch.nn.Embedding``:
    ``emb(idx)`` is ``weight[idx]`` (any shape of whole-number indices); ``weight`` starts standard
    normal; the gradient adds up over repeated indices. ``padding_idx``'s row starts at zero."""

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx=None, device=None,
                 dtype=None, seed: int | None = None):
        n, d = _sizes("Embedding", num_embeddings=num_embeddings, embedding_dim=embedding_dim)
        w = _rng(seed, "Embedding").standard_normal((n, d))
        if padding_idx is not None:
            w[padding_idx] = 0.0
        self.num_embeddings, self.embedding_dim, self.padding_idx = n, d, padding_idx
        self.weight = _param(w, "weight", device, dtype)

    def forward(self, input):
        idx = np.asarray(input.data if isinstance(input, Tensor) else input)
        if idx.dtype.kind == "f" and np.array_equal(idx, np.round(idx)):
            idx = idx.astype(np.int64)
        if idx.dtype.kind not in "iu" or (idx.size and (idx.min() < -self.num_embeddings
                                                        or idx.max() >= self.num_embeddings)):
            raise IndexError(f"Embedding({self.num_embeddings}, {self.embedding_dim}): indices must "
                             f"be whole numbers in [0, {self.num_embeddings}), got {idx.dtype} "
                             f"{idx.reshape(-1)[:4]}")
        return self.weight[idx]

    def extra_repr(self):
        return f"{self.num_embeddings}, {self.embedding_dim}"


class Flatten(Module):
    """``torch.nn.Flatten``: merge axes ``start_dim`` .. ``end_dim`` (default: all but the batch)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        x = x if isinstance(x, Tensor) else Tensor(x)
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """``torch.nn.Unflatten``: split axis ``dim`` into ``unflattened_size``."""

    def __init__(self, dim: int, unflattened_size):
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, x):
        x = x if isinstance(x, Tensor) else Tensor(x)
        d = self.dim % x.ndim
        return x.reshape(*x.shape[:d], *self.unflattened_size, *x.shape[d + 1:])

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
