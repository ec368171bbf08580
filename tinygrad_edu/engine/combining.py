"""Operations that combine several tensors: ``where``, ``concatenate``, ``stack``, ``einsum``,
``tensordot``, ``dot``, and the helpers the Tensor methods share (a result without gradient, the
``(values, indices)`` pair, PyTorch's keyword spellings).

Each records one primitive (``Where``, ``Concat``, ``Einsum``) or is a composite of Tensor operations.
``op_functions.py`` exports them at module level in PyTorch's spelling (``tinygrad_edu.where``, ...).
"""
from __future__ import annotations

import functools
import numbers
from collections import namedtuple

import numpy as np

from . import autograd, ops
from .inputs import _one_axis

ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])
ValuesIndices.__doc__ = "``(values, indices)``, as PyTorch's max(dim), min(dim) and sort."


def _is_tensor(x) -> bool:
    return hasattr(x, "_op")


def _rename(fn, kwargs: dict) -> dict:
    """Translate PyTorch's ``dim`` (or ``dims``) / ``keepdim`` into numpy's ``axis`` / ``keepdims``."""
    if "dim" not in kwargs and "keepdim" not in kwargs and "dims" not in kwargs:
        return kwargs                       # numpy's spelling already (the common case)
    for torch_name, np_name in (("dim", "axis"), ("dims", "axis"), ("keepdim", "keepdims")):
        if torch_name in kwargs:
            if np_name in kwargs:
                raise TypeError(f"{fn.__name__}: give {np_name}= or {torch_name}=, not both")
            kwargs[np_name] = kwargs.pop(torch_name)
    return kwargs


def both_spellings(fn):
    """Let a method with ``axis`` / ``keepdims`` parameters take ``dim`` / ``keepdim`` too."""
    @functools.wraps(fn)
    def method(self, *args, **kwargs):
        return fn(self, *args, **(_rename(fn, kwargs) if kwargs else kwargs))
    return method


def no_grad_result(t, data):
    """A result without gradient (argmax, the indices of max(dim), ...): a fresh constant of ``t``'s
    class, in ``t``'s dtype for float results (indices become float64, as every integer array does)."""
    data = np.asarray(data)
    return type(t)(data.astype(t.dtype) if data.dtype.kind == "f" else data)


def where(cond, a, b):
    """``a`` where ``cond`` is true, else ``b``; ``a`` and ``b`` Tensors (at least one) or constants;
    ``cond`` a bool (or 0/1) array or Tensor. All three broadcast. Gradient: dy to ``a`` where cond,
    to ``b`` elsewhere."""
    t = a if _is_tensor(a) else b
    a, b = t._const(a), t._const(b)
    c = np.asarray(cond.data if _is_tensor(cond) else cond)
    c = c if c.dtype == bool else c != 0
    try:
        out_shape = np.broadcast_shapes(c.shape, a.shape, b.shape)
    except ValueError:
        raise ValueError(f"where: shapes {c.shape} (cond), {a.shape} and {b.shape} cannot be "
                         f"broadcast together") from None
    return autograd.record(ops.Where(cond=np.broadcast_to(c, out_shape)), a, b)


def concatenate(tensors, axis: int = 0):
    """Join Tensors along an existing ``axis`` (``torch.cat``); shapes equal except along it."""
    ts = list(tensors)
    if not ts:
        raise ValueError("concatenate: needs at least one tensor, got an empty sequence")
    ax = _one_axis(axis, ts[0].ndim, "concatenate")
    shapes = [t.shape for t in ts]
    if any(len(s) != len(shapes[0]) or s[:ax] + s[ax + 1:] != shapes[0][:ax] + shapes[0][ax + 1:]
           for s in shapes):
        raise ValueError(f"concatenate: shapes {shapes} must be equal except along axis {ax}")
    dtype = np.result_type(*[t.dtype for t in ts])
    ts = [t if t.dtype == dtype else t.astype(dtype) for t in ts]
    return autograd.record(ops.Concat(axis=ax), *ts)


def stack(tensors, axis: int = 0):
    """Join equally shaped Tensors along a new ``axis``: each gets a size-1 axis, then concatenate."""
    ts = list(tensors)
    if not ts:
        raise ValueError("stack: needs at least one tensor, got an empty sequence")
    if any(t.shape != ts[0].shape for t in ts):
        raise ValueError(f"stack: all tensors must have the same shape, got {[t.shape for t in ts]}")
    ax = _one_axis(axis, ts[0].ndim + 1, "stack")
    return concatenate([t.unsqueeze(ax) for t in ts], ax)


def einsum(subscripts: str, *tensors):
    """``np.einsum`` / ``torch.einsum`` on Tensors, e.g. ``einsum('bij,bjk->bik', a, b)``; ``...``
    allowed. The gradient of each operand is another einsum (see ``ops.Einsum``)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    labels, out = ops.parse_einsum(subscripts, [t.shape for t in tensors])
    dtype = np.result_type(*[t.dtype for t in tensors])
    tensors = [t if t.dtype == dtype else t.astype(dtype) for t in tensors]
    return autograd.record(ops.Einsum(labels=labels, out=out), *tensors)


def tensordot(a, b, axes=2):
    """``np.tensordot``: contract ``axes`` (an int n: a's last n with b's first n; or two lists).

    Composite, the way numpy computes it: move a's contracted axes last and b's first, reshape both
    to matrices, one matmul, reshape to a's free axes followed by b's.
    """
    if isinstance(axes, numbers.Integral):
        ax_a, ax_b = list(range(a.ndim - axes, a.ndim)), list(range(axes))
    else:
        ax_a, ax_b = ([x] if isinstance(x, numbers.Integral) else list(x) for x in axes)
    ax_a = [_one_axis(x, a.ndim, "tensordot") for x in ax_a]
    ax_b = [_one_axis(x, b.ndim, "tensordot") for x in ax_b]
    if [a.shape[i] for i in ax_a] != [b.shape[i] for i in ax_b]:
        raise ValueError(f"tensordot: axes {ax_a} of shape {a.shape} and {ax_b} of shape {b.shape} "
                         f"have different sizes")
    free_a = [i for i in range(a.ndim) if i not in ax_a]
    free_b = [i for i in range(b.ndim) if i not in ax_b]
    k = int(np.prod([a.shape[i] for i in ax_a]))
    am = a.transpose(free_a + ax_a).reshape(-1, k)
    bm = b.transpose(ax_b + free_b).reshape(k, -1)
    return (am @ bm).reshape([a.shape[i] for i in free_a] + [b.shape[i] for i in free_b])


def dot(a, b):
    """``np.dot``: scalars multiply; 1-D and 2-D as matmul; N-D sums a's last axis against b's
    second-to-last (b's only axis when b is 1-D)."""
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.ndim <= 2 and b.ndim <= 2:
        return a @ b
    return tensordot(a, b, ([a.ndim - 1], [max(b.ndim - 2, 0)]))
