"""Networks built on the engine: the cs231n ``TwoLayerNet``, and a small PyTorch-like layer set.

``TwoLayerNet`` keeps the assignment's interface exactly (``params`` a dict of numpy arrays,
``loss``, ``train``, ``predict``), so a notebook written for it runs unchanged; the difference is
that its gradients come from the engine's reverse walk instead of hand-written backprop.

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

from . import checks
from . import functional as F
from .engine import Tensor, no_grad
from .train import accuracy, progress

__all__ = ["TwoLayerNet", "Module", "Linear", "ReLU", "Tanh", "Sequential", "Conv2d", "MaxPool2d",
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


# ---------------------------------------------------------------------------------- TwoLayerNet


class TwoLayerNet:
    """Affine - ReLU - affine - softmax, with the cs231n interface; gradients from the engine.

    For an input ``X`` (N, D)::

        h = max(0, X @ W1 + b1)          # (N, H)
        scores = h @ W2 + b2             # (N, C)
        loss = mean_i [ -log softmax(scores_i)[y_i] ] + reg * (sum(W1**2) + sum(W2**2))

    Args:
        input_size: D. hidden_size: H. output_size: C, the number of classes.
        std: the weights start as ``std * standard normal``; the biases start at zero.
        seed: makes the initial weights and the minibatches of ``train`` reproducible; None uses
            numpy's global generator (seed it with ``np.random.seed``).

    ``params`` maps ``W1`` (D, H), ``b1`` (H,), ``W2`` (H, C), ``b2`` (C,) to numpy arrays; read them,
    change them in place or replace them: every call to ``loss`` reads them afresh.

    Bad arguments raise an error naming the method (``TwoLayerNet.train: batch_size must be a
    whole number >= 1, got 0``): sizes, labels, data with NaN or inf or no rows, params that do not
    fit together or are read-only when ``train`` must update them.
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int, std: float = 1e-4,
                 seed: int | None = None):
        where = "TwoLayerNet"
        D, H, C = _sizes(where, input_size=input_size, hidden_size=hidden_size,
                         output_size=output_size)
        std = checks.number(std, "std", where, low=0)
        self._rng = _rng(seed, where)
        self.params = {
            "W1": std * self._rng.randn(D, H),
            "b1": np.zeros(H),
            "W2": std * self._rng.randn(H, C),
            "b2": np.zeros(C),
        }

    def _check(self, X, y, where: str):
        """``X`` and ``y`` (None allowed) checked against the current ``params``; numpy arrays out."""
        _, X, y, _ = checks.two_layer_problem(self.params, X, y, 0.0, where)
        return X, y

    def _scores(self, X, where: str) -> np.ndarray:
        X, _ = self._check(X, None, where)
        with no_grad():
            p = {k: Tensor(v) for k, v in self.params.items()}
            scores = (Tensor(X) @ p["W1"] + p["b1"]).relu() @ p["W2"] + p["b2"]
        return scores.data

    def loss(self, X, y=None, reg: float = 0.0):
        """Scores, or the loss and its gradients, computed by the engine.

        Args:
            X: (N, D) inputs. y: (N,) integer labels in [0, C), or None. reg: L2 strength.

        Returns:
            If ``y`` is None, the scores (N, C) as a numpy array. Otherwise ``(loss, grads)``: the
            loss as a float and a dict with the gradients of ``W1``, ``b1``, ``W2``, ``b2`` (numpy
            arrays shaped like the params), from ``loss.backward()`` on the graph of
            ``tinygrad_edu.losses.two_layer_loss``.
        """
        if y is None:
            return self._scores(X, "TwoLayerNet.loss")
        X, y = self._check(X, y, "TwoLayerNet.loss")
        reg = checks.number(reg, "reg", "TwoLayerNet.loss", low=0)
        from .losses import two_layer_loss
        # Tensors that share memory with the numpy params: the graph sees their current values.
        p = {k: Tensor(v, requires_grad=True, name=k) for k, v in self.params.items()}
        loss = two_layer_loss(p, X, y, reg)
        loss.backward()
        return loss.item(), {k: t.grad for k, t in p.items()}

    def predict(self, X) -> np.ndarray:
        """The predicted labels (N,): the class with the highest score for each row of ``X``."""
        return np.argmax(self._scores(X, "TwoLayerNet.predict"), axis=1)

    def train(self, X, y, X_val, y_val, learning_rate: float = 1e-3,
              learning_rate_decay: float = 0.95, reg: float = 5e-6, num_iters: int = 100,
              batch_size: int = 200, verbose: bool = False) -> dict:
        """Minibatch stochastic gradient descent.

        Each iteration draws ``batch_size`` rows of ``X`` at random (with replacement, as in the
        assignment), computes the loss and gradients and takes a step ``p -= learning_rate * dp`` in
        place. Once per epoch (``max(N // batch_size, 1)`` iterations) it records the accuracy on that
        minibatch and on the whole validation set, then multiplies the learning rate by
        ``learning_rate_decay``. A progress bar appears when the loop runs longer than a second, and
        at once with ``verbose=True`` (which also prints the loss every 100 iterations).

        Returns:
            ``{"loss_history": [...], "train_acc_history": [...], "val_acc_history": [...]}``; the
            first has one float per iteration, the others one per epoch.
        """
        X, y, X_val, y_val = self._check_train(X, y, X_val, y_val, learning_rate=learning_rate,
                                               learning_rate_decay=learning_rate_decay, reg=reg,
                                               num_iters=num_iters, batch_size=batch_size)
        num_train = X.shape[0]
        per_epoch = max(num_train // batch_size, 1)
        history = {"loss_history": [], "train_acc_history": [], "val_acc_history": []}
        bar = progress(range(num_iters), total=num_iters, desc="TwoLayerNet.train", verbose=verbose)
        for it in bar:
            idx = self._rng.choice(num_train, batch_size, replace=True)
            X_batch, y_batch = X[idx], y[idx]
            loss, grads = self.loss(X_batch, y_batch, reg=reg)
            history["loss_history"].append(loss)
            for k, g in grads.items():
                self.params[k] -= learning_rate * g
            if verbose and it % 100 == 0:
                _say(bar, f"iteration {it} / {num_iters}: loss {loss:.6f}")
            if it % per_epoch == 0:
                history["train_acc_history"].append(accuracy(self.predict(X_batch), y_batch))
                history["val_acc_history"].append(accuracy(self.predict(X_val), y_val))
                learning_rate *= learning_rate_decay
                if hasattr(bar, "set_postfix"):
                    bar.set_postfix(loss=f"{loss:.3f}", val_acc=f"{history['val_acc_history'][-1]:.3f}",
                                    refresh=False)
        return history


    def _check_train(self, X, y, X_val, y_val, learning_rate, learning_rate_decay, reg, num_iters,
                     batch_size):
        """``train``'s arguments checked, with errors naming ``TwoLayerNet.train``; the data out."""
        where = "TwoLayerNet.train"
        if y is None or y_val is None:
            raise TypeError(f"{where}: y and y_val must be labels, got y={y!r:.20} and y_val={y_val!r:.20}")
        X, y = self._check(X, y, where)
        for k, v in self.params.items():
            checks.writable(v, f"params[{k!r}]", where)
        X_val, y_val = self._check(X_val, y_val, f"{where} (X_val, y_val)")
        checks.number(learning_rate, "learning_rate", where, low=0)
        checks.number(learning_rate_decay, "learning_rate_decay", where, low=0, low_open=True)
        checks.number(reg, "reg", where, low=0)
        _sizes(where, num_iters=num_iters, batch_size=batch_size)
        return X, y, X_val, y_val


def _say(bar, text):
    """Print a line without breaking a tqdm bar."""
    write = getattr(bar, "write", None)
    write(text) if write else print(text)


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
