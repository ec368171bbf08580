"""``Tensor``: a numpy array that remembers how it was made.

A Tensor holds ``data`` (a numpy array), ``grad`` (None until a backward pass reaches it),
``requires_grad``, an optional ``name`` for diagrams, and ``_op``: the op that made it (None for a
leaf). Each operation runs one primitive from ``ops/`` and records it (``autograd.record``);
``backward()`` walks the recorded ops back (``autograd.backward``) and keeps every gradient.

This file is the lesson: the operators and the mission's ops (matmul, add, mul, relu, exp, log, sum,
max, reshape, transpose, index). ``Tensor`` inherits the rest from ``TensorMethods`` (``methods.py``):
conveniences (``item``, ``repr``, ...), comparisons, in-place updates and PyTorch's further methods.
"""
from __future__ import annotations

import numbers

import numpy as np

from . import autograd, fast, hooks, modes, ops
from .inputs import CONSTANTS as _CONSTANTS, array_of, axes_of, constant_of, flags_error
from .methods import TensorMethods

_KEPT = {np.dtype(np.float64), np.dtype(np.float32), np.dtype(bool)}   # dtypes kept as they are
_SCALARS = {np.float64, np.float32, np.bool_}   # numpy's 0-d results, wrapped as arrays
_CONSTANTS_MAX = 1024
_FLOAT64 = np.dtype(np.float64)   # what the constants of a bool mask become


class Tensor(TensorMethods):
    """An n-dimensional array of float32 or float64 whose operations are recorded for ``backward``.

    ``Tensor(data, requires_grad=False, name=None)``: ``data`` is a Tensor, a numpy array (shared,
    not copied, when float32/float64/bool), a Python number or a nested list. Integer data becomes
    float64; bool data stays bool (a mask, which cannot require grad). ``name`` labels the tensor in
    diagrams and traces.
    """

    __slots__ = ("data", "_grad", "name", "_op", "__weakref__")   # and requires_grad (methods.py)
    __hash__ = object.__hash__  # by identity, although == compares entries (as in PyTorch)

    def __init__(self, data, requires_grad: bool = False, name: str | None = None):
        if type(data) is not np.ndarray:
            data = np.asarray(data) if type(data) in _SCALARS else array_of(data, "Tensor")
        elif data.dtype not in _KEPT:
            data = array_of(data, "Tensor")    # other dtypes: converted, or a clear error
        if (requires_grad and data.dtype.kind != "f") or requires_grad not in (True, False) \
                or not (name is None or isinstance(name, str)):
            raise flags_error(data, requires_grad, name)
        self.data, self._requires_grad, self.name = data, bool(requires_grad), name
        self._grad = self._op = None

    shape = property(lambda self: self.data.shape, doc="The shape of ``data``.")
    ndim = property(lambda self: self.data.ndim, doc="The number of dimensions.")
    dtype = property(lambda self: self.data.dtype, doc="float32 or float64 (bool for a mask).")
    is_leaf = property(lambda self: self._op is None, doc="True if no recorded op made this tensor.")
    op = property(lambda self: self._op, doc="The op that made this tensor, or None for a leaf.")

    # ------------------------------------------------------------------ the reverse walk
    def backward(self, grad=None, retain_graph: bool | None = None, create_graph: bool = False,
                 inputs=None) -> None:
        """Backpropagate from this tensor: every tensor that requires grad gets its ``.grad``.

        ``grad`` is dL/d(self), shaped like ``self``; it defaults to 1 for a one-element tensor.
        Gradients accumulate across calls (reset with ``t.grad = None``, or ``zero_grad()``). A
        leaf's ``.grad`` is an array of its own, added to in place; an intermediate's is read-only
        (the walk may hand one array to two tensors: ``a + b`` sends ``dy`` to both). A graph is
        walked once: a second ``backward`` through it raises, unless the first passed
        ``retain_graph=True`` (as PyTorch). ``inputs=[...]``: only those tensors get ``.grad``.
        ``create_graph=True`` (for PyTorch code) keeps the graph and fills ``.grad`` with values, as
        ``retain_graph=True``; to differentiate a gradient, take it as a Tensor with
        ``tinygrad_edu.grad(..., create_graph=True)`` (``higher.py`` says why).
        """
        if grad is None and self.data.size == 1 and self.requires_grad:
            seed = np.ones_like(self.data)
        else:
            seed = autograd.seed_of(self, grad, "backward")
        retain = create_graph if retain_graph is None else retain_graph
        hook = modes.finite_hook if modes.state.anomaly else None   # anomaly mode checks each step
        totals = autograd.backward((self,), (seed,), retain, hook=hook)
        for t in (totals if inputs is None else autograd.targets(inputs, totals, "backward")):
            g = totals[t]
            if hooks.hooked and t._op is None:   # seam: a leaf's hooks see its gradient first
                g = hooks.run(t, g)
            if t._grad is None:     # a leaf's .grad is an array of its own; an intermediate keeps g
                t._grad = g if t._op is not None or fast.only_the_walks(g) else np.array(g)
            elif t._op is None:
                t._grad += g        # in place: an alias of a leaf's .grad sees the sum (as PyTorch)
            else:
                t._grad = t._grad + g

    def tape(self) -> "autograd.Tape":
        """The recorded ops this tensor depends on, oldest first; print it to read the lesson."""
        return autograd.Tape(autograd.collect(self))

    # ------------------------------------------------------------------ arithmetic
    def _const(self, x, where: str = "operand") -> "Tensor":
        """The other operand of op ``where`` as a Tensor: a number in this tensor's float dtype
        (float32 stays float32, as PyTorch), made once and shared, read-only; arrays as constants."""
        if isinstance(x, Tensor):
            return x
        dtype = self.data.dtype if self.data.dtype.kind == "f" else _FLOAT64
        key = (x, dtype.char) if type(x) in (float, int) else None
        c = _CONSTANTS.get(key)
        if c is None:
            c = Tensor(np.asarray(x, dtype) if key else constant_of(x, dtype, where))
            if key and x == x and x != 0 and len(_CONSTANTS) < _CONSTANTS_MAX:   # not nan or +-0
                c.data.flags.writeable = False
                _CONSTANTS[key] = c
        return c

    def __add__(self, other):
        """a + b (broadcasting)."""
        return autograd.record(ops.Add(), self, self._const(other, "add"))

    def __sub__(self, other):
        """a - b (broadcasting)."""
        return autograd.record(ops.Sub(), self, self._const(other, "sub"))

    def __rsub__(self, other):
        return autograd.record(ops.Sub(), self._const(other, "sub"), self)

    def __mul__(self, other):
        """a * b, elementwise (broadcasting)."""
        return autograd.record(ops.Mul(), self, self._const(other, "mul"))

    def __matmul__(self, other):
        """a @ b: (n, k) @ (k, m) -> (n, m); batches broadcast; 1-D operands as in ``np.matmul``."""
        return autograd.record(ops.MatMul(), self, self._const(other, "matmul"))

    def __rmatmul__(self, other):
        return autograd.record(ops.MatMul(), self._const(other, "matmul"), self)

    # ------------------------------------------------------------------ elementwise
    def relu(self):
        """max(x, 0), elementwise."""
        return autograd.record(ops.ReLU(), self)

    def exp(self):
        """e ** x, elementwise."""
        return autograd.record(ops.Exp(), self)

    def log(self):
        """Natural logarithm, elementwise."""
        return autograd.record(ops.Log(), self)

    # ------------------------------------------------------------------ reductions
    def sum(self, axis=None, keepdims: bool = False, *, dim=None, keepdim: bool = False):
        """Sum over ``axis`` (None: all; an int or a tuple; negatives count from the end); PyTorch's
        ``dim=`` / ``keepdim=`` too."""
        axes = axes_of(axis, self.ndim, "sum", dim)
        return autograd.record(ops.Sum(axes=axes, keepdims=keepdims or keepdim), self)

    def max(self, dim=None, keepdim: bool = False, *, axis=None, keepdims: bool = False):
        """Maximum over ``axis``, as numpy's ``max`` and torch's ``amax``: the gradient is split
        evenly among tied maxima. PyTorch's ``x.max(1)``, ``x.max(dim=1)`` give ``(values, indices)``
        and ``x.max(other)`` the elementwise maximum (``methods.torch_max``)."""
        if dim is not None:   # PyTorch's x.max(1): (values, indices); x.max(other): elementwise
            return self.torch_max(dim, keepdim, axis)
        axes = axes_of(axis, self.ndim, "max")
        return autograd.record(ops.Max(axes=axes, keepdims=keepdims or keepdim), self)

    # ------------------------------------------------------------------ shape
    def reshape(self, *shape):
        """The same entries in a new shape: ``x.reshape(2, 3)`` or ``x.reshape((2, 3))``; -1 infers."""
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        return autograd.record(ops.Reshape(shape=tuple(shape)), self)

    def transpose(self, *axes, dim0=None, dim1=None):
        """No axes: reverse them (``x.T``). Two ints ``i, j`` (or ``dim0=``, ``dim1=``): swap those
        two axes, as ``torch.transpose``. A tuple (or as many ints as axes, beyond 2-D): permute, as
        numpy's ``transpose`` and torch's ``permute``."""
        perm = self.permutation(axes, dim0, dim1) if axes or dim0 is not None or dim1 is not None \
            else tuple(reversed(range(self.ndim)))
        return autograd.record(ops.Transpose(axes=perm), self)

    T = property(lambda self: self.transpose(), doc="The transpose (all axes reversed).")

    def __getitem__(self, index):
        """``x[index]`` with ints, slices, None, ``...``, integer or bool arrays (a gather; its gradient
        scatter-adds, so repeated indices accumulate)."""
        if isinstance(index, tuple):   # Tensors inside an index: their values as index arrays
            index = tuple(i.as_index() if isinstance(i, Tensor) else i for i in index)
        return autograd.record(ops.Index(index=index.as_index() if isinstance(index, Tensor) else index), self)

