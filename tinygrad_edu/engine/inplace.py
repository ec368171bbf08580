"""The Tensor's in-place methods, as PyTorch's: ``+=`` and the other operators, ``add_``, ``mul_``,
``zero_``, ``fill_``, ``copy_``, ``x[i] = v``, the in-place forms of the elementwise functions
(``relu_``, ``clamp_``, ``sigmoid_``, ...), ``masked_fill_``, ``scatter_``, and the flags
``requires_grad_`` and ``detach_``.

Each follows one rule (``versions.py`` keeps it right):

* **grad is involved** (recording is on, and the tensor or an operand requires grad): the update is
  recorded. The tensor becomes the output of the op applied to a snapshot of its old value, so what
  used the old value still has it, and the gradient flows as PyTorch's does (``x[i] = v``: none from
  the old entries at ``i``, ``v``'s from them). A leaf that requires grad refuses, as in PyTorch;
* **otherwise** (inside ``no_grad``, or nothing requires grad): the tensor's own array is written in
  place, keeping its dtype, so aliases and views see the change, and its version moves; a graph that
  saved the old value then refuses to go backward through it, naming the op.
"""
from __future__ import annotations

import numpy as np

from . import autograd, ops, versions


def _write(t, write, sym: str) -> None:
    """An unrecorded in-place update of ``t``'s own array (``write(array)``); its version moves."""
    a = t.data
    if not a.flags.writeable:
        raise TypeError(f"in-place {sym}: this tensor's array is read-only (a shared constant, a "
                        f"broadcast view, or an array you made read-only); write x = x "
                        f"{sym.rstrip('=_')} y for a new tensor")
    try:
        write(a)
    except ValueError as e:   # a result that does not fit the array's shape
        raise ValueError(f"in-place {sym}: the result cannot be written into the tensor of shape "
                         f"{a.shape} ({e}); write x = x {sym.rstrip('=_')} y for a new tensor") from None
    except TypeError as e:   # a bool mask, or a float into an int array
        raise TypeError(f"in-place {sym}: cannot write the result into this tensor's {a.dtype} array "
                        f"in place ({e}); write x = x {sym.rstrip('=_')} y for a new tensor") from None
    versions.bump(t)


def _involved(t, others) -> bool:
    """Whether an update of ``t`` with ``others`` must be recorded: grad mode on, and one requires grad."""
    return autograd.modes.state.grad_enabled and (
        t._requires_grad or any(getattr(o, "_requires_grad", False) for o in others))


def rewrite(t, fn, where: str, *others):
    """``t`` becomes ``fn(t)`` in place (``relu_``, ``F.relu(x, inplace=True)``, ...): recorded when
    grad is involved (``t`` or one of ``others``, the other tensors ``fn`` reads, requires grad): ``fn``
    runs on a snapshot of ``t``'s old value and ``t`` becomes its output; else ``fn(t)`` is written
    into ``t``'s own array. Returns ``t``."""
    if _involved(t, others):
        old = versions.snapshot_for_update(t, where)
        out = fn(old)
        if out.shape != t.shape:
            raise ValueError(f"in-place {where}: the result has shape {out.shape}, which cannot be "
                             f"written into the tensor of shape {t.shape}")
        return versions.become(t, out if out.dtype == t.dtype else out.astype(t.dtype), old)
    value = fn(t).data
    _write(t, lambda a: np.copyto(a, value, casting="same_kind"), where)
    return t


class InPlaceMethods:
    """The in-place methods; ``Tensor`` inherits them (see the module docstring)."""

    __slots__ = ()

    def __iadd__(self, other):
        return self._update(ops.Add(), other, "+=", np.add)

    def __isub__(self, other):
        return self._update(ops.Sub(), other, "-=", np.subtract)

    def __imul__(self, other):
        return self._update(ops.Mul(), other, "*=", np.multiply)

    def __itruediv__(self, other):
        return self._update(ops.Div(), other, "/=", np.true_divide)

    def add_(self, other, alpha=1.0):
        """``self += alpha * other`` in place (PyTorch's ``add_``)."""
        return self._update(ops.Add(), other if alpha == 1 else other * alpha, "add_", np.add)

    def sub_(self, other, alpha=1.0):
        """``self -= alpha * other`` in place."""
        return self._update(ops.Sub(), other if alpha == 1 else other * alpha, "sub_", np.subtract)

    def mul_(self, other):
        """``self *= other`` in place."""
        return self._update(ops.Mul(), other, "mul_", np.multiply)

    def div_(self, other):
        """``self /= other`` in place."""
        return self._update(ops.Div(), other, "div_", np.true_divide)

    def zero_(self):
        """Every entry 0, in place."""
        return self.fill_(0.0)

    def fill_(self, value):
        """Every entry ``value`` (a number or a 0-d tensor), in place: ``x[...] = value``."""
        self[...] = value
        return self

    def copy_(self, src):
        """The entries of ``src`` (broadcast to this shape, converted to this dtype) copied in, in
        place: ``x[...] = src``; recorded, ``src`` gets the gradient and the old value none."""
        self[...] = src
        return self

    def _update(self, op, other, sym, ufunc):
        """``self <sym> other`` in place, as PyTorch: recorded when grad is involved (``versions``),
        else written into this tensor's own array (aliases and views see it; its version moves)."""
        if _involved(self, (other,)):
            old = versions.snapshot_for_update(self, sym)
            out = autograd.record(op, old, old if other is self else self._const(other, f"in-place {sym}"))
            if out.data.shape != self.shape:
                raise ValueError(f"in-place {sym}: the result has shape {out.data.shape}, which cannot "
                                 f"be written into the tensor of shape {self.shape}; write x = x ... y")
            return versions.become(self, out, old)
        b = other.data if hasattr(other, "_op") else self._const(other, f"in-place {sym}").data
        try:
            shape = np.broadcast_shapes(self.shape, b.shape)
        except ValueError:
            shape = None
        if shape != self.shape:
            raise ValueError(f"in-place {sym}: the result of shapes {self.shape} and {b.shape} "
                             f"{'has shape ' + str(shape) if shape else 'cannot be broadcast'}, which "
                             f"cannot be written into the tensor of shape {self.shape}; write "
                             f"x = x {sym.rstrip('=_')} y")
        _write(self, lambda a: ufunc(a, b, out=a, casting="same_kind"), sym)
        return self

    def __setitem__(self, index, value):
        """``x[index] = value``, as PyTorch: recorded when grad is involved (the entries written get
        no gradient from before; ``value``, broadcast to them and converted to x's dtype, gets
        theirs; where an index repeats, the last write wins), else written into the array in place."""
        index = tuple(i.as_index() if hasattr(i, "_op") else i for i in index) \
            if isinstance(index, tuple) else (index.as_index() if hasattr(index, "_op") else index)
        if _involved(self, (value,)):
            if self.dtype == bool:
                raise TypeError("[index] =: a bool tensor (a mask) cannot take values that require "
                                "grad; convert it first (m = m.double())")
            old = versions.snapshot_for_update(self, "[index] =")
            mask = np.zeros(self.shape, dtype=bool)
            mask[index] = True
            part = self._const(value, "[index] =").broadcast_to(self.data[index].shape)
            part = part if part.dtype == self.dtype else part.astype(self.dtype)
            placed = autograd.record(ops.IndexPut(shape=self.shape, index=index), part)
            versions.become(self, autograd.record(ops.Where(cond=mask), placed, old), old)
            return
        v = value.data if hasattr(value, "_op") else value
        _write(self, lambda a: a.__setitem__(index, v), "[index] =")

    def masked_fill_(self, mask, value):
        """``masked_fill`` in place."""
        return rewrite(self, lambda x: x.masked_fill(mask, value), "masked_fill_", value)

    def scatter_(self, dim, index, src=None, *, value=None, reduce=None):
        """``scatter`` in place (``torch.zeros(n, c).scatter_(1, y[:, None], 1.0)``: one-hot rows)."""
        return rewrite(self, lambda x: x.scatter(dim, index, src, value=value, reduce=reduce),
                       "scatter_", src)

    def scatter_add_(self, dim, index, src):
        """``scatter_add`` in place."""
        return rewrite(self, lambda x: x.scatter_add(dim, index, src), "scatter_add_", src)

    def detach_(self):
        """Cut this tensor off the graph, in place: it becomes a leaf without gradient."""
        self._op, self._requires_grad = None, False
        return self

    def requires_grad_(self, requires_grad: bool = True):
        """Set ``requires_grad`` on a leaf, in place (as PyTorch); returns ``self``."""
        self.requires_grad = requires_grad
        return self


def _in_place(name: str):
    """``x.<name>_(...)``: ``x.<name>(...)`` written into x, by ``rewrite``."""
    def method(self, *args, **kwargs):
        return rewrite(self, lambda x: getattr(x, name)(*args, **kwargs), f"{name}_",
                       *args, *kwargs.values())
    method.__name__ = method.__qualname__ = f"{name}_"
    method.__doc__ = f"``{name}`` in place (recorded when grad is involved, as PyTorch's ``{name}_``)."
    return method


for _name in ("relu", "sigmoid", "tanh", "exp", "log", "sqrt", "abs", "neg", "sin", "cos", "square",
              "clamp", "clip", "pow", "floor", "ceil", "round", "sign", "trunc", "reciprocal",
              "log1p", "expm1", "erf"):
    setattr(InPlaceMethods, f"{_name}_", _in_place(_name))
