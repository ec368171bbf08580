"""Module-level functions in PyTorch's spelling: making tensors, and the ops as functions.

``tinygrad_edu.zeros(2, 3)``, ``tinygrad_edu.randn(4, seed=0)``, ``tinygrad_edu.stack([a, b], dim=1)``,
``tinygrad_edu.exp(x)``, ... each as ``torch.<name>`` reads, so code written for PyTorch ports by
changing the import. Differences on purpose: the default dtype is float64 (gradient checks need it),
and random numbers come from numpy: ``seed=`` or ``generator=`` (a ``np.random.Generator``), else
numpy's global generator (``np.random.seed``). Arguments that are not Tensors become constants.
"""
from __future__ import annotations

import numbers

import numpy as np

from . import methods
from .tensor import Tensor, tensor

__all__ = ["tensor", "zeros", "ones", "zeros_like", "ones_like", "full", "full_like", "eye", "arange",
           "linspace", "rand", "randn", "stack", "cat", "concatenate", "split", "chunk", "where",
           "maximum", "minimum", "matmul", "einsum", "tensordot", "dot", "outer", "pow",
           "exp", "log", "relu", "tanh", "sigmoid", "sqrt", "sin", "cos", "tan", "abs", "log1p",
           "expm1", "log2", "log10", "square", "clamp", "clip", "floor", "ceil", "round", "sign",
           "sum", "mean", "prod", "cumsum", "var", "std", "amax", "amin", "argmax", "argmin",
           "sort", "flatten", "squeeze", "unsqueeze", "transpose", "reshape", "flip", "roll",
           "tile", "trace", "diag", "tril", "triu"]


def _t(x) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _size(size) -> tuple:
    """``zeros(2, 3)`` and ``zeros((2, 3))`` alike."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    if not all(isinstance(n, numbers.Integral) and n >= 0 for n in size):
        raise ValueError(f"size must be non-negative ints, got {size}")
    return tuple(int(n) for n in size)


def _dtype(dtype):
    dt = np.dtype(np.float64 if dtype is None else dtype)
    if dt.kind != "f" or dt.itemsize not in (4, 8):
        raise TypeError(f"dtype must be float32 or float64, got {dt}")
    return dt


# ---------------------------------------------------------------------------------- making tensors


def zeros(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros of shape ``size``."""
    return Tensor(np.zeros(_size(size), _dtype(dtype)), requires_grad=requires_grad)


def ones(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones of shape ``size``."""
    return Tensor(np.ones(_size(size), _dtype(dtype)), requires_grad=requires_grad)


def full(size, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor of shape ``size`` filled with ``fill_value``."""
    return Tensor(np.full(_size((size,)), fill_value, _dtype(dtype)), requires_grad=requires_grad)


def zeros_like(x, dtype=None, requires_grad: bool = False) -> Tensor:
    """Zeros shaped like ``x`` (in its dtype unless ``dtype`` is given)."""
    x = _t(x)
    return zeros(x.shape, dtype=dtype or x.dtype, requires_grad=requires_grad)


def ones_like(x, dtype=None, requires_grad: bool = False) -> Tensor:
    """Ones shaped like ``x`` (in its dtype unless ``dtype`` is given)."""
    x = _t(x)
    return ones(x.shape, dtype=dtype or x.dtype, requires_grad=requires_grad)


def full_like(x, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
    """``fill_value`` everywhere, shaped like ``x``."""
    x = _t(x)
    return full(x.shape, fill_value, dtype=dtype or x.dtype, requires_grad=requires_grad)


def eye(n: int, m: int | None = None, dtype=None, requires_grad: bool = False) -> Tensor:
    """The (n, m) identity matrix (m defaults to n)."""
    return Tensor(np.eye(n, m, dtype=_dtype(dtype)), requires_grad=requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad: bool = False) -> Tensor:
    """``start, start + step, ...`` below ``end`` (``arange(n)``: 0 .. n-1), as floats."""
    vals = np.arange(start, end, step) if end is not None else np.arange(start)
    return Tensor(vals.astype(_dtype(dtype)), requires_grad=requires_grad)


def linspace(start, end, steps: int, dtype=None, requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included."""
    return Tensor(np.linspace(start, end, steps, dtype=_dtype(dtype)), requires_grad=requires_grad)


def _generator(seed, generator):
    if seed is not None and generator is not None:
        raise ValueError("give seed= or generator=, not both")
    if generator is not None:
        return generator
    return np.random.default_rng(seed) if seed is not None else np.random.mtrand._rand


def rand(*size, seed=None, generator=None, dtype=None, requires_grad: bool = False) -> Tensor:
    """Uniform random numbers in [0, 1) of shape ``size``, from ``generator`` (a numpy Generator or
    RandomState), a fresh one seeded with ``seed``, or numpy's global generator."""
    g = _generator(seed, generator)
    vals = g.random(_size(size)) if hasattr(g, "random") else g.random_sample(_size(size))
    return Tensor(np.asarray(vals, dtype=_dtype(dtype)), requires_grad=requires_grad)


def randn(*size, seed=None, generator=None, dtype=None, requires_grad: bool = False) -> Tensor:
    """Standard normal random numbers of shape ``size`` (``seed`` / ``generator`` as in ``rand``)."""
    g = _generator(seed, generator)
    vals = g.standard_normal(_size(size))
    return Tensor(np.asarray(vals, dtype=_dtype(dtype)), requires_grad=requires_grad)


# ---------------------------------------------------------------------------------- several tensors


def cat(tensors, dim: int = 0, *, axis=None) -> Tensor:
    """Join tensors along an existing axis (``torch.cat``; ``axis=`` works too)."""
    return methods.concatenate([_t(x) for x in tensors], dim if axis is None else axis)


def concatenate(tensors, axis: int = 0, *, dim=None) -> Tensor:
    """numpy's name for ``cat``."""
    return cat(tensors, axis if dim is None else dim)


def stack(tensors, dim: int = 0, *, axis=None) -> Tensor:
    """Join equally shaped tensors along a new axis (``torch.stack``)."""
    return methods.stack([_t(x) for x in tensors], dim if axis is None else axis)


def split(x, split_size_or_sections, dim: int = 0) -> tuple:
    """``torch.split``: see ``Tensor.split``."""
    return _t(x).split(split_size_or_sections, dim)


def chunk(x, chunks: int, dim: int = 0) -> tuple:
    """``torch.chunk``: see ``Tensor.chunk``."""
    return _t(x).chunk(chunks, dim)


def where(cond, a, b) -> Tensor:
    """``a`` where ``cond``, else ``b`` (broadcasting); see ``methods.where``."""
    a = a if isinstance(a, Tensor) or isinstance(b, Tensor) else Tensor(a)
    return methods.where(cond, a, b)


def maximum(a, b) -> Tensor:
    """Elementwise maximum (broadcasting); ties split the gradient evenly, as PyTorch."""
    return _t(a).maximum(b) if isinstance(a, Tensor) or not isinstance(b, Tensor) else b.maximum(a)


def minimum(a, b) -> Tensor:
    """Elementwise minimum (broadcasting); ties split the gradient evenly, as PyTorch."""
    return _t(a).minimum(b) if isinstance(a, Tensor) or not isinstance(b, Tensor) else b.minimum(a)


def matmul(a, b) -> Tensor:
    """``a @ b``."""
    return _t(a) @ b


def einsum(subscripts: str, *operands) -> Tensor:
    """``torch.einsum`` / ``np.einsum``; see ``methods.einsum``."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    return methods.einsum(subscripts, *[_t(x) for x in operands])


def tensordot(a, b, axes=2, *, dims=None) -> Tensor:
    """``np.tensordot`` / ``torch.tensordot`` (``dims=``)."""
    return methods.tensordot(_t(a), _t(b), axes if dims is None else dims)


def dot(a, b) -> Tensor:
    """``np.dot``, N-D included."""
    return methods.dot(_t(a), _t(b))


def outer(a, b) -> Tensor:
    """The outer product of two 1-D tensors."""
    return _t(a).outer(b)


def pow(x, p) -> Tensor:
    """``x ** p``, ``p`` a number or a tensor."""
    if not isinstance(x, Tensor):
        return _t(p).__rpow__(x) if isinstance(x, numbers.Real) else _t(x).pow(p)
    return x.pow(p)


# ---------------------------------------------------------------------------------- one tensor

def _unary(name: str, doc: str):
    def fn(x, *args, **kwargs):
        return getattr(_t(x), name)(*args, **kwargs)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``x.{name}(...)`` as a function: {doc}"
    return fn


exp = _unary("exp", "e ** x.")
log = _unary("log", "natural logarithm.")
relu = _unary("relu", "max(x, 0).")
tanh = _unary("tanh", "hyperbolic tangent.")
sigmoid = _unary("sigmoid", "1 / (1 + exp(-x)).")
sqrt = _unary("sqrt", "x ** 0.5.")
sin = _unary("sin", "sine.")
cos = _unary("cos", "cosine.")
tan = _unary("tan", "tangent.")
abs = _unary("abs", "|x|.")
log1p = _unary("log1p", "log(1 + x).")
expm1 = _unary("expm1", "exp(x) - 1.")
log2 = _unary("log2", "base-2 logarithm.")
log10 = _unary("log10", "base-10 logarithm.")
square = _unary("square", "x * x.")
clamp = _unary("clamp", "clamp into [min, max].")
clip = _unary("clip", "clamp into [min, max].")
floor = _unary("floor", "floor, no gradient.")
ceil = _unary("ceil", "ceiling, no gradient.")
round = _unary("round", "nearest integer, no gradient.")
sign = _unary("sign", "-1, 0 or 1, no gradient.")
sum = _unary("sum", "sum over dim / axis.")
mean = _unary("mean", "mean over dim / axis.")
prod = _unary("prod", "product over dim / axis.")
cumsum = _unary("cumsum", "running sum along dim / axis.")
var = _unary("var", "variance (correction=1 by default, as PyTorch).")
std = _unary("std", "standard deviation (correction=1 by default, as PyTorch).")
amax = _unary("amax", "maximum values over dim / axis.")
amin = _unary("amin", "minimum values over dim / axis.")
argmax = _unary("argmax", "index of the maximum, no gradient.")
argmin = _unary("argmin", "index of the minimum, no gradient.")
sort = _unary("sort", "(values, indices) sorted along dim.")
flatten = _unary("flatten", "merge axes into one.")
squeeze = _unary("squeeze", "drop size-1 axes.")
unsqueeze = _unary("unsqueeze", "insert a size-1 axis.")
transpose = _unary("transpose", "permute or swap axes.")
reshape = _unary("reshape", "the same entries in a new shape.")
flip = _unary("flip", "reverse along axes.")
roll = _unary("roll", "cyclic shift along axes.")
tile = _unary("tile", "repeat the whole tensor.")
trace = _unary("trace", "sum of the main diagonal.")
diag = _unary("diag", "diagonal of a matrix, or a matrix from a vector.")
tril = _unary("tril", "lower triangle.")
triu = _unary("triu", "upper triangle.")
