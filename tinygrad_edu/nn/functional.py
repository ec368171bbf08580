"""``torch.nn.functional`` in PyTorch's spelling: ``import tinygrad_edu.nn.functional as F``.

The same argument names and defaults as PyTorch (``input``, ``dim``, ``reduction='mean'``,
``ignore_index=-100``, ``negative_slope=0.01``, ``training=True`` for ``F.dropout``), computed by
the composites of ``tinygrad_edu.functional`` and the Tensor ops, so every gradient comes from the
engine's primitives.

Class-index targets (``cross_entropy``, ``nll_loss``) may be integer arrays, lists or Tensors
holding whole numbers (a Tensor made from integers holds float64 here); a target shaped like the
input holds class probabilities instead, as in PyTorch. A loss whose mean would be over no example
(every target ``ignore_index``) raises instead of PyTorch's nan.

``inplace=True`` rewrites the input, as PyTorch: when a gradient is recorded through it, the input
becomes the activation's output (what used its old value keeps it); otherwise its array is written
in place. ``max_pool2d(ceil_mode=True, return_indices=True)`` and
``avg_pool2d(ceil_mode=True, divisor_override=...)`` raise ``NotImplementedError``.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .. import validate
from .. import functional as _F
from ..engine import Tensor
from ..engine.inplace import rewrite
from ..engine.op_functions import where as _where

__all__ = ["relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "silu", "mish", "sigmoid", "tanh",
           "hardtanh", "softplus", "logsigmoid", "softmax", "log_softmax", "softmin", "linear",
           "dropout", "conv1d", "conv2d", "max_pool2d", "avg_pool2d", "batch_norm", "layer_norm",
           "pad", "unfold", "one_hot", "normalize", "cross_entropy", "nll_loss", "mse_loss",
           "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "erf"]

REDUCTIONS = ("mean", "sum", "none")


def _t(x, where: str) -> Tensor:
    return x if isinstance(x, Tensor) else _F._tensor(x, where)


def _inplace(x, fn, inplace: bool, where: str) -> Tensor:
    """``fn(x)``; with ``inplace=True``, ``x`` itself becomes it, as PyTorch's in-place activations:
    recorded when a gradient flows through ``x`` (a leaf that requires grad refuses), else written
    into ``x``'s array (``engine.inplace.rewrite``)."""
    if not inplace or not isinstance(x, Tensor):
        return fn(_t(x, where))
    return rewrite(x, fn, where)


# ---------------------------------------------------------------------------------- activations


def relu(input, inplace: bool = False) -> Tensor:
    """max(0, x), elementwise; gradient 1 where x > 0, else 0."""
    return _inplace(input, Tensor.relu, inplace, "relu")


def relu6(input, inplace: bool = False) -> Tensor:
    """min(max(0, x), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def hardtanh(input, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """x clamped into [min_val, max_val]."""
    return _inplace(input, lambda x: x.clip(min_val, max_val), inplace, "hardtanh")


def leaky_relu(input, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x where x > 0, else negative_slope * x."""
    return _inplace(input, lambda x: _F.leaky_relu(x, negative_slope), inplace, "leaky_relu")


def elu(input, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x where x > 0, else alpha * (exp(x) - 1)."""
    def fn(x):
        neg = x.clip(max=0.0).expm1() * alpha      # exp of a clipped value: no overflow, no nan
        return _where(x.data > 0, x, neg)
    return _inplace(input, fn, inplace, "elu")


def selu(input, inplace: bool = False) -> Tensor:
    """scale * elu(x, alpha) with PyTorch's constants."""
    return _inplace(input, lambda x: elu(x, 1.6732632423543772848170429916717)
                    * 1.0507009873554804934193349852946, inplace, "selu")


def sigmoid(input) -> Tensor:
    """1 / (1 + exp(-x))."""
    return _t(input, "sigmoid").sigmoid()


def tanh(input) -> Tensor:
    """tanh(x)."""
    return _t(input, "tanh").tanh()


def silu(input, inplace: bool = False) -> Tensor:
    """x * sigmoid(x) (swish)."""
    return _inplace(input, lambda x: x * x.sigmoid(), inplace, "silu")


def softplus(input, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta x)) / beta, and x where beta x > threshold."""
    return _F.softplus(input, beta, threshold)


def mish(input, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x))."""
    return _inplace(input, lambda x: x * _F.softplus(x).tanh(), inplace, "mish")


def logsigmoid(input) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x), stable for large |x|."""
    return -_F.softplus(-_t(input, "logsigmoid"))


def erf(input) -> Tensor:
    """The error function, elementwise (the engine's ``Erf``); gradient 2/sqrt(pi) exp(-x^2), which
    differentiates again."""
    return _t(input, "erf").erf()


def gelu(input, approximate: str = "none") -> Tensor:
    """x * Phi(x): ``approximate='none'`` with erf, ``'tanh'`` with PyTorch's tanh formula."""
    x = _t(input, "gelu")
    if approximate == "none":
        return x * 0.5 * (1.0 + erf(x * (1.0 / math.sqrt(2.0))))
    if approximate == "tanh":
        return x * 0.5 * (1.0 + ((x + x ** 3 * 0.044715) * math.sqrt(2.0 / math.pi)).tanh())
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def _softmax_dim(name: str, ndim: int, dim):
    """PyTorch's choice when ``dim`` is None (0 for 0-, 1- and 3-D input, else 1), with its warning."""
    if dim is not None:
        return dim
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to "
                  f"include dim=X as an argument.", UserWarning, stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def _cast(x: Tensor, dtype) -> Tensor:
    return x if dtype is None else x.astype(dtype)


def softmax(input, dim=None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim``, stable for large logits."""
    x = _cast(_t(input, "softmax"), dtype)
    return _F.softmax(x, axis=_softmax_dim("softmax", x.ndim, dim))


def log_softmax(input, dim=None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """x - logsumexp(x) along ``dim``."""
    x = _cast(_t(input, "log_softmax"), dtype)
    return _F.log_softmax(x, axis=_softmax_dim("log_softmax", x.ndim, dim))


def softmin(input, dim=None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """softmax(-x) along ``dim``."""
    x = _cast(_t(input, "softmin"), dtype)
    return _F.softmax(-x, axis=_softmax_dim("softmin", x.ndim, dim))


# ---------------------------------------------------------------------------------- layers


def linear(input, weight, bias=None) -> Tensor:
    """x @ weight.T + bias: x (*, in), weight (out, in) as PyTorch's, bias (out,) -> (*, out)."""
    x, w = _t(input, "linear"), _t(weight, "linear")
    if w.ndim not in (1, 2) or x.ndim == 0 or x.shape[-1] != w.shape[-1]:
        raise ValueError(f"linear: input (*, in_features) {x.shape} and weight (out_features, "
                         f"in_features) {w.shape} do not fit: their last dimensions must be equal")
    y = x @ (w.T if w.ndim == 2 else w)
    return y if bias is None else y + _t(bias, "linear")


def dropout(input, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero entries with probability ``p`` and scale the rest by 1/(1-p) when ``training`` (note
    PyTorch's default: True here too, unlike ``nn.Dropout`` after ``eval()``)."""
    p = validate.number(p, "p", "dropout", low=0, high=1)
    return _inplace(input, lambda x: _F.dropout(x, p, training), inplace, "dropout")


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups: int = 1) -> Tensor:
    """1-D convolution: input (N, C, L), weight (O, C/groups, k)."""
    return _F.conv1d(input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups: int = 1) -> Tensor:
    """2-D convolution: input (N, C, H, W), weight (O, C/groups, kh, kw)."""
    return _F.conv2d(input, weight, bias, stride, padding, dilation, groups)


def _no_ceil(where: str, ceil_mode: bool, **others) -> None:
    if ceil_mode:
        raise NotImplementedError(f"{where}: ceil_mode=True is not implemented; pad the input "
                                  f"(F.pad) so that the windows fit, or use ceil_mode=False")
    for name, v in others.items():
        if v:
            raise NotImplementedError(f"{where}: {name}={v!r} is not implemented")


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False) -> Tensor:
    """Max over each window; ``stride`` defaults to ``kernel_size``."""
    _no_ceil("max_pool2d", ceil_mode, return_indices=return_indices)
    return _F.max_pool2d(input, kernel_size, stride, padding, dilation)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override=None) -> Tensor:
    """Mean over each window; ``stride`` defaults to ``kernel_size``."""
    _no_ceil("avg_pool2d", ceil_mode, divisor_override=divisor_override)
    return _F.avg_pool2d(input, kernel_size, stride, padding, count_include_pad)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Batch normalization per channel (axis 1); see ``tinygrad_edu.functional.batch_norm``."""
    return _F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps: float = 1e-5) -> Tensor:
    """Normalize over the last axes ``normalized_shape``, then ``* weight + bias``."""
    return _F.layer_norm(input, normalized_shape, weight, bias, eps)


def pad(input, pad, mode: str = "constant", value=None) -> Tensor:
    """Pad with PyTorch's flat pairs, last axis first: (left, right, top, bottom, ...)."""
    return _F.pad(input, pad, mode, 0.0 if value is None else value)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """im2col: (N, C, H, W) -> (N, C*kh*kw, L)."""
    return _F.unfold(input, kernel_size, dilation, padding, stride)


def one_hot(tensor, num_classes: int = -1) -> Tensor:
    """(*,) class indices -> (*, num_classes) of 0/1 (float64: Tensors hold floats; PyTorch gives
    int64). ``num_classes=-1`` takes the largest index + 1."""
    idx = _class_indices(tensor, "one_hot")
    n = int(idx.max()) + 1 if num_classes == -1 else validate.integer(num_classes, "num_classes",
                                                                    "one_hot", low=1)
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise ValueError(f"one_hot: class values must be in [0, {n}), got {idx.min()}..{idx.max()}")
    return Tensor(np.eye(n)[idx])


def normalize(input, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """x / max(||x||_p along dim, eps) (a row of zeros stays zeros, with a finite gradient)."""
    x = _t(input, "normalize")
    return x / x.norm(p, dim, keepdim=True).clip(min=eps)


# ---------------------------------------------------------------------------------- losses


def _reduce(loss: Tensor, reduction: str, where: str) -> Tensor:
    if reduction == "mean":
        if loss.size == 0:
            raise ValueError(f"{where}: the input is empty; the mean of no entries is undefined")
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{where}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _class_indices(target, where: str) -> np.ndarray:
    """Class indices as an int64 array: integers, or floats holding whole numbers (a Tensor)."""
    t = np.asarray(target.data if isinstance(target, Tensor) else target)
    if t.dtype.kind == "f":
        if not np.all(np.isfinite(t)) or not np.array_equal(t, np.round(t)):
            raise ValueError(f"{where}: class-index targets must be whole numbers, got {t.dtype} "
                             f"values such as {t.reshape(-1)[:3]}; for class probabilities give a "
                             f"target of the input's shape")
    elif t.dtype.kind not in "iu":
        raise TypeError(f"{where}: targets must be integer class indices, got dtype {t.dtype}")
    return t.astype(np.int64)


def _rows(x: Tensor, where: str):
    """Logits or log-probabilities (N, C, d1, ...) or (C,) as (M, C) rows, and the shape of one
    loss per row ((N, d1, ...), or () for (C,))."""
    if x.ndim == 0:
        raise ValueError(f"{where}: input must be (N, C), (N, C, d1, ...) or (C,), got a 0-d tensor")
    if x.ndim == 1:
        return x.reshape(1, -1), ()
    if x.ndim == 2:
        return x, x.shape[:1]
    moved = x.transpose(0, *range(2, x.ndim), 1)                       # (N, d1, ..., C)
    return moved.reshape(-1, x.shape[1]), moved.shape[:-1]


def _check_weight(weight, c: int, where: str):
    if weight is None:
        return None
    w = np.asarray(weight.data if isinstance(weight, Tensor) else weight, dtype=np.float64)
    if w.shape != (c,):
        raise ValueError(f"{where}: weight must have one entry per class, shape ({c},), got {w.shape}")
    return w


def nll_loss(input, target, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
             reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities ``input`` (N, C) [or (N, C, d1, ...), (C,)] at
    class indices ``target`` (N,) [(N, d1, ...), ()]: loss_i = -weight[t_i] * input[i, t_i], 0 for
    ``ignore_index``; 'mean' divides by the sum of the weights of the rows kept."""
    reduction = _legacy(size_average, reduce, reduction)
    rows, shape = _rows(_t(input, "nll_loss"), "nll_loss")
    m, c = rows.shape
    t = _class_indices(target, "nll_loss")
    if t.shape != shape:
        raise ValueError(f"nll_loss: target has shape {t.shape}, expected {shape} for an input of "
                         f"shape {_t(input, 'nll_loss').shape} (classes on dim 1)")
    t = t.reshape(-1)
    kept = t != ignore_index
    bad = kept & ((t < 0) | (t >= c))
    if bad.any():
        raise IndexError(f"nll_loss: target {t[bad][0]} is out of bounds for {c} classes "
                         f"(valid: 0..{c - 1}, or ignore_index={ignore_index})")
    w = _check_weight(weight, c, "nll_loss")
    scale = kept * (1.0 if w is None else w[np.where(kept, t, 0)])
    picked = rows[np.arange(m), np.where(kept, t, 0)]                # (M,)
    losses = -(picked * scale.astype(rows.dtype))
    if reduction == "mean":
        if scale.sum() == 0:
            raise ValueError("nll_loss: every target is ignore_index (or has weight 0), so the "
                             "mean is over nothing; PyTorch returns nan here")
        return losses.sum() / float(scale.sum())
    return _reduce(losses.reshape(shape), reduction, "nll_loss")


def _legacy(size_average, reduce, reduction: str) -> str:
    """PyTorch's deprecated size_average / reduce flags, mapped to ``reduction``."""
    if size_average is None and reduce is None:
        return reduction
    warnings.warn("size_average and reduce args will be deprecated, please use reduction='...' "
                  "instead.", UserWarning, stacklevel=3)
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    return "none" if not reduce else ("mean" if size_average else "sum")


def cross_entropy(input, target, weight=None, size_average=None, ignore_index: int = -100,
                  reduce=None, reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Softmax cross-entropy of logits ``input`` (N, C) [or (N, C, d1, ...), (C,)]: class indices
    ``target`` (N,) give ``nll_loss(log_softmax(input, 1), target, ...)``; a target shaped like the
    input holds class probabilities. ``label_smoothing`` eps mixes in the uniform distribution:
    (1 - eps) * nll + eps * mean over classes of -log p, as PyTorch."""
    reduction = _legacy(size_average, reduce, reduction)
    x = _t(input, "cross_entropy")
    eps = validate.number(label_smoothing, "label_smoothing", "cross_entropy", low=0, high=1)
    logp = _F.log_softmax(x, axis=0 if x.ndim == 1 else 1)
    tshape = np.shape(target.data if isinstance(target, Tensor) else target)
    if tshape == x.shape and x.ndim >= 1:
        return _soft_cross_entropy(logp, target, weight, reduction, eps)
    nll = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if eps == 0:
        return nll
    rows, shape = _rows(logp, "cross_entropy")
    c = rows.shape[1]
    w = _check_weight(weight, c, "cross_entropy")
    t = _class_indices(target, "cross_entropy").reshape(-1)
    kept = (t != ignore_index).astype(rows.dtype)
    smooth = -(rows if w is None else rows * w.astype(rows.dtype)).sum(1) * kept      # (M,)
    if reduction == "mean":
        denom = kept.sum() if w is None else (w[np.where(t != ignore_index, t, 0)] * kept).sum()
        smooth = smooth.sum() / float(denom)
    else:
        smooth = _reduce(smooth.reshape(shape), reduction, "cross_entropy")
    return nll * (1 - eps) + smooth * (eps / c)


def _soft_cross_entropy(logp: Tensor, target, weight, reduction: str, eps: float) -> Tensor:
    """-sum_c weight_c * target_c * log p_c per example; 'mean' divides by the number of examples."""
    t = _t(target, "cross_entropy")
    c = logp.shape[0] if logp.ndim == 1 else logp.shape[1]
    if eps:
        t = t * (1 - eps) + eps / c
    w = _check_weight(weight, c, "cross_entropy")
    if w is not None:
        shape = (c,) if logp.ndim == 1 else (1, c) + (1,) * (logp.ndim - 2)
        t = t * w.reshape(shape).astype(logp.dtype)
    losses = -(logp * t).sum(0 if logp.ndim == 1 else 1)
    return _reduce(losses, reduction, "cross_entropy")


def _pair_up(input, target, where: str):
    """(input, target) as Tensors; a shape mismatch broadcasts with PyTorch's warning."""
    x, t = _t(input, where), _t(target, where)
    if x.shape != t.shape:
        warnings.warn(f"{where}: Using a target size ({t.shape}) that is different to the input "
                      f"size ({x.shape}). This will likely lead to incorrect results due to "
                      f"broadcasting. Please ensure they have the same size.", UserWarning,
                      stacklevel=3)
    return x, t


def mse_loss(input, target, size_average=None, reduce=None, reduction: str = "mean",
             weight=None) -> Tensor:
    """(input - target)**2, reduced; ``weight`` (broadcast) scales each entry."""
    x, t = _pair_up(input, target, "mse_loss")
    loss = (x - t) ** 2
    loss = loss if weight is None else loss * weight
    return _reduce(loss, _legacy(size_average, reduce, reduction), "mse_loss")


def l1_loss(input, target, size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """|input - target|, reduced."""
    x, t = _pair_up(input, target, "l1_loss")
    return _reduce((x - t).abs(), _legacy(size_average, reduce, reduction), "l1_loss")


def huber_loss(input, target, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """0.5 d**2 where |d| < delta, else delta * (|d| - 0.5 delta), with d = input - target."""
    x, t = _pair_up(input, target, "huber_loss")
    d = x - t
    a = d.abs()
    loss = _where(a.data < delta, d * d * 0.5, (a - 0.5 * delta) * delta)
    return _reduce(loss, reduction, "huber_loss")


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """0.5 d**2 / beta where |d| < beta, else |d| - 0.5 beta (huber_loss / beta; l1 for beta 0)."""
    x, t = _pair_up(input, target, "smooth_l1_loss")
    a = (x - t).abs()
    loss = a if beta == 0 else _where(a.data < beta, a * a * (0.5 / beta), a - 0.5 * beta)
    return _reduce(loss, _legacy(size_average, reduce, reduction), "smooth_l1_loss")


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction: str = "mean") -> Tensor:
    """-(t log p + (1 - t) log(1 - p)) of probabilities ``input``, each log clamped at -100 as
    PyTorch does (so p = 0 or 1 gives a finite loss)."""
    x, t = _pair_up(input, target, "binary_cross_entropy")
    if x.size and (x.data.min() < 0 or x.data.max() > 1):
        raise ValueError("binary_cross_entropy: input must be probabilities in [0, 1]; for logits "
                         "use binary_cross_entropy_with_logits")
    loss = -(t * x.log().clip(min=-100.0) + (1 - t) * (1 - x).log().clip(min=-100.0))
    loss = loss if weight is None else loss * weight
    return _reduce(loss, _legacy(size_average, reduce, reduction), "binary_cross_entropy")


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction: str = "mean", pos_weight=None) -> Tensor:
    """binary_cross_entropy(sigmoid(x), t), computed stably: (1 - t) x + (1 + (pw - 1) t) *
    (log(1 + exp(-|x|)) + max(-x, 0)), with ``pos_weight`` pw (1 when None)."""
    x, t = _pair_up(input, target, "binary_cross_entropy_with_logits")
    softplus_neg = (-x.abs()).exp().log1p() + (-x).relu()             # log(1 + exp(-x)), stable
    if pos_weight is None:
        loss = (1 - t) * x + softplus_neg
    else:
        loss = (1 - t) * x + (1 + (_t(pos_weight, "binary_cross_entropy_with_logits") - 1) * t) \
            * softplus_neg
    loss = loss if weight is None else loss * weight
    return _reduce(loss, _legacy(size_average, reduce, reduction), "binary_cross_entropy_with_logits")
