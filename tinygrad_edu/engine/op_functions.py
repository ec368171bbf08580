"""The operations as module functions, in PyTorch's spelling: ``tinygrad_edu.exp(x)``, ``sum(x, dim=1)``,
``stack([a, b], dim=1)``, ``where(c, a, b)``, ``einsum(...)``, ``norm(x)``, ... each as
``torch.<name>`` reads (and numpy's keywords, ``concatenate(seq, axis=)``, ``split(x, 2, axis=1)``).

Each is the Tensor method or one of ``combining.py``'s functions, with arguments that are not Tensors
taken as constants. (Making tensors, ``zeros``, ``randn``, ... is ``creation.py``.)
"""
from __future__ import annotations

import numbers

from . import combining
from .shaping import _NUMPY
from .tensor import Tensor

__all__ = ["stack", "cat", "concatenate", "split", "tensor_split", "chunk", "where", "maximum",
           "minimum", "matmul", "einsum", "tensordot", "dot", "outer", "pow", "masked_fill",
           "gather", "scatter", "scatter_add", "index_select", "take_along_dim", "norm", "clone",
           "numel", "permute", "movedim", "narrow", "repeat_interleave",
           "eq", "ne", "lt", "le", "gt", "ge",
           "exp", "log", "relu", "tanh", "sigmoid", "sqrt", "sin", "cos", "tan", "abs", "neg",
           "log1p", "expm1", "log2", "log10", "square", "erf", "clamp", "clip", "floor", "ceil",
           "round", "trunc", "sign", "sum", "mean", "prod", "cumsum", "var", "std", "amax", "amin",
           "argmax", "argmin", "sort", "flatten", "squeeze", "unsqueeze", "transpose", "reshape",
           "flip", "roll", "tile", "trace", "diag", "diagonal", "tril", "triu"]


def _t(x) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


# ---------------------------------------------------------------------------------- several tensors


def cat(tensors, dim: int = 0, *, axis=None) -> Tensor:
    """Join tensors along an existing axis (``torch.cat``; ``axis=`` works too)."""
    return combining.concatenate([_t(x) for x in tensors], dim if axis is None else axis)


def concatenate(tensors, axis: int = 0, *, dim=None) -> Tensor:
    """numpy's name for ``cat``."""
    return cat(tensors, axis if dim is None else dim)


def stack(tensors, dim: int = 0, *, axis=None) -> Tensor:
    """Join equally shaped tensors along a new axis (``torch.stack``)."""
    return combining.stack([_t(x) for x in tensors], dim if axis is None else axis)


def split(x, split_size_or_sections, dim: int = 0, *, axis=_NUMPY) -> tuple:
    """``torch.split`` (piece sizes), or with ``axis=`` numpy's ``split`` (sections or indices): see
    ``Tensor.split``."""
    return _t(x).split(split_size_or_sections, dim, axis=axis)


def tensor_split(x, indices_or_sections, dim: int = 0, *, axis=None) -> tuple:
    """``torch.tensor_split`` / ``np.array_split``: see ``Tensor.tensor_split``."""
    return _t(x).tensor_split(indices_or_sections, dim, axis=axis)


def chunk(x, chunks: int, dim: int = 0) -> tuple:
    """``torch.chunk``: see ``Tensor.chunk``."""
    return _t(x).chunk(chunks, dim)


def where(cond, a, b) -> Tensor:
    """``a`` where ``cond``, else ``b`` (broadcasting); see ``combining.where``."""
    a = a if isinstance(a, Tensor) or isinstance(b, Tensor) else Tensor(a)
    return combining.where(cond, a, b)


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
    """``torch.einsum`` / ``np.einsum``; see ``combining.einsum``."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    return combining.einsum(subscripts, *[_t(x) for x in operands])


def tensordot(a, b, axes=2, *, dims=None) -> Tensor:
    """``np.tensordot`` / ``torch.tensordot`` (``dims=``)."""
    return combining.tensordot(_t(a), _t(b), axes if dims is None else dims)


def dot(a, b) -> Tensor:
    """``np.dot``, N-D included."""
    return combining.dot(_t(a), _t(b))


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
neg = _unary("neg", "-x.")
log1p = _unary("log1p", "log(1 + x).")
expm1 = _unary("expm1", "exp(x) - 1.")
log2 = _unary("log2", "base-2 logarithm.")
log10 = _unary("log10", "base-10 logarithm.")
square = _unary("square", "x * x.")
erf = _unary("erf", "the error function.")
clamp = _unary("clamp", "clamp into [min, max].")
clip = _unary("clip", "clamp into [min, max].")
floor = _unary("floor", "floor (gradient 0).")
ceil = _unary("ceil", "ceiling (gradient 0).")
round = _unary("round", "nearest integer (gradient 0).")
trunc = _unary("trunc", "toward zero (gradient 0).")
sign = _unary("sign", "-1, 0 or 1 (gradient 0).")
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
norm = _unary("norm", "the p-norm over dim (2 by default).")
flatten = _unary("flatten", "merge axes into one.")
squeeze = _unary("squeeze", "drop size-1 axes.")
unsqueeze = _unary("unsqueeze", "insert a size-1 axis.")
transpose = _unary("transpose", "permute or swap axes.")
permute = _unary("permute", "the axes in a new order.")
movedim = _unary("movedim", "one axis moved.")
reshape = _unary("reshape", "the same entries in a new shape.")
narrow = _unary("narrow", "a slice along one axis.")
flip = _unary("flip", "reverse along axes.")
roll = _unary("roll", "cyclic shift along axes.")
tile = _unary("tile", "repeat the whole tensor.")
repeat_interleave = _unary("repeat_interleave", "repeat each entry (numpy's repeat).")
trace = _unary("trace", "sum of a diagonal.")
diag = _unary("diag", "diagonal of a matrix, or a matrix from a vector.")
diagonal = _unary("diagonal", "a diagonal of two axes.")
tril = _unary("tril", "lower triangle.")
triu = _unary("triu", "upper triangle.")
masked_fill = _unary("masked_fill", "value where the mask holds.")
gather = _unary("gather", "entries picked along dim by an index.")
scatter = _unary("scatter", "entries written along dim at an index.")
scatter_add = _unary("scatter_add", "entries added along dim at an index.")
index_select = _unary("index_select", "entries along dim at a 1-D index.")
take_along_dim = _unary("take_along_dim", "gather with a broadcasting index.")
clone = _unary("clone", "a copy, recorded.")
numel = _unary("numel", "the number of entries.")
eq = _unary("eq", "x == y, a mask.")
ne = _unary("ne", "x != y, a mask.")
lt = _unary("lt", "x < y, a mask.")
le = _unary("le", "x <= y, a mask.")
gt = _unary("gt", "x > y, a mask.")
ge = _unary("ge", "x >= y, a mask.")
