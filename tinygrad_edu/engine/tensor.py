"""``Tensor``: a numpy array that remembers how it was made.

A Tensor holds ``data`` (a numpy array), ``grad`` (None until a backward pass reaches it),
``requires_grad``, an optional ``name`` for diagrams, and ``_op``: the op that made it (None for a
leaf). Each operator below checks its inputs, runs one primitive from ``ops/`` and records it
(``autograd.record``); composites (``mean``, ``min``, ``sqrt``, ``c ** x``) are written with other
Tensor operations, so they need no gradient code of their own.

As in PyTorch: ``t += x`` on a leaf that requires grad raises, on another tensor involved in a graph
it is recorded (``t`` becomes the output of a new op), and otherwise it updates ``t``'s own array;
engine in-place updates bump ``t``'s version, which ``backward`` checks (``autograd.bump_version``).
Comparisons give bool Tensors (masks) without gradient; ``bool(t)`` needs exactly one element.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from . import autograd, ops
from .methods import TensorMethods, _axes, torch_spellings
from .modes import _state


def _as_array(data, where: str = "Tensor") -> np.ndarray:
    """Validate and convert ``data``: float32/float64 and bool kept, other numbers become float64."""
    if isinstance(data, Tensor):
        return data.data
    if isinstance(data, np.ndarray):
        arr = data
    else:
        try:
            arr = np.asarray(data)
        except (ValueError, TypeError) as e:  # ragged nested lists
            raise ValueError(
                f"{where}: could not make an array from {type(data).__name__} {_preview(data)}: "
                f"nested lists must be rectangular (every row the same length) and hold numbers. ({e})"
            ) from None
    kind = arr.dtype.kind
    if (kind == "f" and arr.dtype.itemsize in (4, 8)) or kind == "b":
        return arr
    if kind in "fiu":
        return arr.astype(np.float64)
    raise TypeError(
        f"{where}: data must be numeric (a number, a nested list of numbers or a numeric numpy array); "
        f"got {type(data).__name__} {_preview(data)} of dtype {arr.dtype}"
    )


def _preview(x) -> str:
    s = repr(x)
    return s if len(s) <= 60 else s[:57] + "..."


def _check_broadcast(name: str, a: tuple, b: tuple) -> None:
    if a != b and a and b:  # equal shapes and scalars always broadcast
        try:
            np.broadcast_shapes(a, b)
        except ValueError:
            raise ValueError(
                f"{name}: shapes {a} and {b} cannot be broadcast together: aligned from "
                f"the right, each pair of dimensions must be equal or one of them 1. Reshape one "
                f"operand (e.g. add an axis with .reshape) so that they match."
            ) from None


# (a needs grad, b needs grad) for a binary op, indexed by the two flags: shared tuples, so that
# recording an op allocates none (fewer objects for Python's cycle collector to scan)
_NEEDS = (((False, False), (False, True)), ((True, False), (True, True)))


_SCALARS = {float, int, bool, np.float64, np.float32}   # fast path of Tensor._const


# *The constant cache.* ``x * 1.01`` needs 1.01 as a Tensor: an op's inputs are Tensors, which the
# tape, the diagrams and the trace read. Made afresh each time, a chain of small ops would spend a
# quarter of each op on a new array and a new Tensor for the same number, and leave one more object
# per op for Python's cycle collector to scan. So a constant made from a Python or numpy scalar is
# made once per (value, dtype) and shared, its array read-only. Zero is left out (0.0 == -0.0 would
# share one sign for both), and nan never matches itself; the cache is emptied when it is full.
_CONSTANTS: dict = {}
_CONSTANTS_MAX = 1024


def _constant(x, dtype) -> "Tensor":
    """The constant Tensor of the number ``x`` as an array of ``dtype`` (see the constant cache)."""
    key = (x, dtype)
    c = _CONSTANTS.get(key)
    if c is None:
        c = _leaf(np.array(x, dtype=dtype))
        if x and x == x:
            c.data.flags.writeable = False
            if len(_CONSTANTS) >= _CONSTANTS_MAX:
                _CONSTANTS.clear()
            _CONSTANTS[key] = c
    return c


def _leaf(arr: np.ndarray) -> "Tensor":
    """A constant Tensor around a checked float or bool array, without ``__init__``'s validation."""
    c = Tensor.__new__(Tensor)
    c.data = arr
    c._grad = c.name = c._op = c._vbox = None
    c.requires_grad = False
    return c


@torch_spellings
class Tensor(TensorMethods):
    """An n-dimensional array of float32 or float64 whose operations are recorded for ``backward``.

    ``Tensor(data, requires_grad=False, name=None)``: ``data`` is a Tensor, a numpy array (shared,
    not copied, when already float32/float64/bool), a Python number or a nested list. Integer data
    becomes float64; bool data stays bool (a mask, which cannot require grad). ``name`` labels the
    tensor in diagrams and traces.
    """

    __slots__ = ("data", "_grad", "requires_grad", "name", "_op", "_vbox", "__weakref__")
    __array_ufunc__ = None  # numpy defers to our reflected operators: np.ones(3) + t -> t.__radd__
    __hash__ = object.__hash__  # identity, although == compares entries (as in PyTorch)

    def __init__(self, data, requires_grad: bool = False, name: str | None = None):
        self.data = _as_array(data)
        if not isinstance(requires_grad, (bool, np.bool_)) or not (name is None or isinstance(name, str)):
            raise TypeError(f"Tensor: requires_grad must be True or False and name a string or None; "
                            f"got requires_grad={requires_grad!r}, name={name!r}")
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(f"Tensor: only float32/float64 tensors can require grad; this data is "
                            f"{self.data.dtype} (a mask). Convert it first, e.g. Tensor(mask * 1.0)")
        self._grad = None
        self.requires_grad = bool(requires_grad)
        self.name = name
        self._op = None
        self._vbox = data._shared_box() if isinstance(data, Tensor) else None  # same array, same count

    # ------------------------------------------------------------------ properties and conversions
    shape = property(lambda self: self.data.shape, doc="The shape of ``data``.")
    ndim = property(lambda self: self.data.ndim, doc="The number of dimensions.")
    size = property(lambda self: self.data.size, doc="The number of entries.")
    dtype = property(lambda self: self.data.dtype, doc="float32 or float64.")
    is_leaf = property(lambda self: self._op is None, doc="True if no recorded op made this tensor.")
    op = property(lambda self: self._op, doc="The op that made this tensor, or None for a leaf.")

    @property
    def grad(self):
        """dL/d(this tensor) after ``backward``: an array of ``.data``'s shape and dtype, or None.
        A leaf's is its own array; an intermediate's is handed out read-only (see ``backward``)."""
        g = self._grad
        if g is not None and self._op is not None and g.flags.writeable:
            g = self._grad = g.view()   # made read-only when first asked for, not during the walk
            g.flags.writeable = False
        return g

    @grad.setter
    def grad(self, g):
        if g is not None:
            g = g.data if isinstance(g, Tensor) else g
            if not isinstance(g, np.ndarray) or g.shape != self.data.shape or g.dtype != self.data.dtype:
                got = (f"{g.dtype} array of shape {g.shape}" if isinstance(g, np.ndarray)
                       else f"{type(g).__name__} {_preview(g)}")
                raise ValueError(f"grad: a tensor's .grad must be None or a numpy array of its own "
                                 f"shape {self.data.shape} and dtype {self.data.dtype}; got {got}. "
                                 f"Reshape or convert it (g.astype(t.dtype)) first.")
        self._grad = g

    @property
    def _version(self) -> int:
        """How many times this tensor's array was changed in place through the engine."""
        box = self._vbox
        return box[0] if box is not None else 0

    def _shared_box(self) -> list:
        """The version counter, shared with an alias (``detach()``, ``Tensor(t)``, a view): a list
        ``[version, "shared"]``; a counter of one tensor alone is ``[version]``."""
        if self._vbox is None or len(self._vbox) == 1:
            self._vbox = [self._version, "shared"]
        return self._vbox

    def item(self) -> float:
        """The value of a one-element tensor as a Python float."""
        if self.data.size != 1:
            raise ValueError(f"item: only a tensor with one element can be a Python number; "
                             f"this one has shape {self.shape}")
        return self.data.item()

    def numpy(self) -> np.ndarray:
        """The value as a numpy array (the same array as ``.data``, not a copy)."""
        return self.data

    def detach(self) -> "Tensor":
        """A new leaf sharing ``data``, cut off from the graph (``requires_grad=False``)."""
        return Tensor(self, name=self.name)

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len: a 0-d tensor has no length; use .item() for its value")
        return len(self.data)

    def __float__(self):
        return float(self.item())

    def __bool__(self):
        if self.data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with {'no' if self.data.size == 0 else 'more than one'} "
                               f"value{'s' if self.data.size == 0 else ''} is ambiguous (shape {self.shape}); "
                               f"reduce it first (t.data.any(), t.data.all()) or test one element")
        return bool(self.data.item())

    def __repr__(self):
        body = np.array2string(self.data, precision=4, separator=", ", threshold=20,
                               prefix="Tensor(")
        extra = ""
        if self.name:
            extra += f", name={self.name!r}"
        if self.data.dtype != np.float64:
            extra += f", dtype={self.data.dtype}"
        if self._op is not None:
            extra += f", op={self._op.name}"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"Tensor({body}{extra})"

    # ------------------------------------------------------------------ the reverse walk
    def backward(self, grad=None, retain_graph: bool | None = None, create_graph: bool = False) -> None:
        """Backpropagate from this tensor: fill ``.grad`` of every tensor that requires grad.

        ``grad`` is dL/d(self), shaped like ``self``; it defaults to 1 for a one-element tensor.
        Gradients accumulate into ``.grad`` across calls (reset with ``t.grad = None``). Every tensor
        that requires grad gets ``.grad``, leaves and intermediates alike: a leaf's is an array of its
        own; an intermediate's is a read-only view, since the walk may pass the same array on to a
        neighbour (``add`` sends ``dy`` to both inputs). Unless ``retain_graph=True``, the arrays the
        ops saved are freed, and a second backward through the same graph raises ``RuntimeError``.

        ``create_graph=True`` is accepted for PyTorch code: ``.grad`` still gets the values (a numpy
        array, always) and the graph is kept (``retain_graph`` defaults to ``create_graph``). To
        differentiate a gradient, take it as a Tensor with ``tinygrad_edu.grad(..., create_graph=True)``.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward: this tensor does not require grad, so there is no graph to walk. Create "
                "the inputs with Tensor(..., requires_grad=True), and compute outside no_grad().")
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward: grad can be implicitly created only for a scalar output, and this "
                    f"tensor has shape {self.shape}. Reduce it first (e.g. .sum() or .mean()) or pass "
                    f"backward(grad=...) with an array of shape {self.shape}.")
            grad = np.ones_like(self.data)
        else:
            grad = _seed(grad, self)
        autograd.backward(self, grad, create_graph if retain_graph is None else retain_graph)

    def retain_grad(self) -> "Tensor":
        """Accepted for PyTorch code: here every tensor that requires grad keeps its ``.grad``
        (intermediates too, so that diagrams and traces can show them), so there is nothing to switch
        on. Raises for a tensor that does not require grad, as PyTorch does. Returns ``self``."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad: this tensor does not require grad, so no gradient will "
                               "reach it. Create its inputs with requires_grad=True.")
        return self

    retains_grad = property(lambda self: self.requires_grad,
                            doc="True if ``backward()`` will store this tensor's ``.grad``.")

    def tape(self) -> "autograd.Tape":
        """The recorded ops this tensor depends on, oldest first; print it to read the lesson."""
        return autograd.Tape(autograd.collect(self)[0])

    # ------------------------------------------------------------------ recording helpers
    def _unary(self, op: autograd.Op) -> "Tensor":
        return autograd.record(op, (self,), op.forward(self.data), Tensor,
                               (True,) if self.requires_grad else (False,))

    def _const(self, x, where: str = "operand") -> "Tensor":
        """Wrap a number (Python or numpy scalar, bools included) or an array as a constant: numbers
        and integer/bool arrays take this tensor's float dtype (float32 stays float32, as PyTorch)."""
        if isinstance(x, Tensor):
            return x
        dtype = self.data.dtype if self.data.dtype.kind == "f" else np.float64
        if type(x) in _SCALARS:
            return _constant(x, dtype)      # shared: see the constant cache
        if isinstance(x, np.ndarray):
            if x.dtype.kind in "iub" or (x.ndim == 0 and x.dtype.kind == "f"):
                return _leaf(x.astype(dtype))
            return _leaf(_as_array(x, f"{where}: the other operand"))
        if isinstance(x, (numbers.Real, np.bool_)):
            return _leaf(np.array(x, dtype=dtype))
        return _leaf(_as_array(x, f"{where}: the other operand"))

    def _binary(self, cls, other, reflected: bool = False) -> "Tensor":
        if type(other) is not Tensor:
            other = self._const(other, cls.__name__.lower())
        a, b = (other, self) if reflected else (self, other)
        op = cls()
        try:
            out = op.forward(a.data, b.data)
        except ValueError:   # numpy could not broadcast: say why in the engine's words
            _check_broadcast(cls.__name__.lower(), a.data.shape, b.data.shape)
            raise
        return autograd.record(op, (a, b), out, Tensor, _NEEDS[a.requires_grad][b.requires_grad])

    # ------------------------------------------------------------------ arithmetic
    def __add__(self, other):
        return self._binary(ops.Add, other)

    def __radd__(self, other):
        return self._binary(ops.Add, other, reflected=True)

    def __sub__(self, other):
        return self._binary(ops.Sub, other)

    def __rsub__(self, other):
        return self._binary(ops.Sub, other, reflected=True)

    def __mul__(self, other):
        return self._binary(ops.Mul, other)

    def __rmul__(self, other):
        return self._binary(ops.Mul, other, reflected=True)

    def __truediv__(self, other):
        """a / b, the primitive ``Div`` (correctly rounded, as numpy's division)."""
        return self._binary(ops.Div, other)

    def __rtruediv__(self, other):
        return self._binary(ops.Div, other, reflected=True)

    def __neg__(self):
        return self._unary(ops.Neg())

    def __pow__(self, p):
        """x ** p for a constant number p; a Tensor or array exponent is ``self.pow(p)``."""
        if isinstance(p, (Tensor, np.ndarray)):
            return self.pow(p)
        if not isinstance(p, numbers.Real):
            raise TypeError(f"pow: the exponent must be a number, a Tensor or an array, got "
                            f"{type(p).__name__}")
        # a Python number, so that float32 stays float32 under numpy scalars too (np.float64(2))
        p = int(p) if isinstance(p, numbers.Integral) else float(p)
        return self._unary(ops.Pow(p))

    def __rpow__(self, base):
        """c ** x for a positive constant c: the composite exp(x * log c)."""
        if not isinstance(base, numbers.Real) or base <= 0:
            raise ValueError(f"pow: c ** tensor needs a positive number c, got {base!r}")
        return (self * float(np.log(base))).exp()

    def __matmul__(self, other):
        return _matmul(self, self._const(other, "matmul"))

    def __rmatmul__(self, other):
        return _matmul(self._const(other, "matmul"), self)

    # ------------------------------------------------------------------ in place, comparisons
    def _inplace(self, cls, other, sym):
        """``self <sym>= other`` as PyTorch: recorded when grad is involved, else in self's own array."""
        if _state.grad_enabled and (self.requires_grad or getattr(other, "requires_grad", False)):
            if self.requires_grad and self._op is None:
                raise RuntimeError(
                    f"in-place {sym}=: a leaf Variable that requires grad is being used in an "
                    f"in-place operation (tensor of shape {self.shape}{_named(self)}). Its .grad "
                    f"would no longer belong to the value you made it with. Update it inside "
                    f"`with no_grad():` (as an optimizer step does), or write x = x {sym} ... for a "
                    f"new tensor.")
            if self._vbox is not None and len(self._vbox) == 2:     # see _shared_box
                raise RuntimeError(
                    f"in-place {sym}=: this tensor (shape {self.shape}) shares its array with another "
                    f"(a view from reshape/transpose/slicing, or an alias from detach() or Tensor(t)), "
                    f"which would not see a recorded in-place update. Write y = y {sym} ... for a new "
                    f"tensor, or update inside no_grad().")
            old = self._snapshot()   # the value before: whoever used self so far used this
            out = old._binary(cls, old if other is self else other)
            self.data, self._op, self.requires_grad = out.data, out._op, out.requires_grad
            self._grad = None
        else:
            _update_in_place(self, cls, other, sym)
        autograd.bump_version(self)
        return self

    def _snapshot(self) -> "Tensor":
        old = Tensor.__new__(Tensor)
        old.data, old._op, old.requires_grad, old.name = self.data, self._op, self.requires_grad, self.name
        old._grad = None
        old._vbox = [self._version] if self._version else None   # frozen: keeps the version it had
        return old

    def __iadd__(self, other):
        return self._inplace(ops.Add, other, "+")

    def __isub__(self, other):
        return self._inplace(ops.Sub, other, "-")

    def __imul__(self, other):
        return self._inplace(ops.Mul, other, "*")

    def __itruediv__(self, other):
        return self._inplace(ops.Div, other, "/")

    def _compare(self, ufunc, other):
        """A bool Tensor (a mask, no gradient): ``x > 0``, ``x == y``, also with numbers or arrays."""
        other = self._const(other, ufunc.__name__)
        _check_broadcast(ufunc.__name__, self.data.shape, other.data.shape)
        return Tensor(ufunc(self.data, other.data))

    def __lt__(self, other):
        return self._compare(np.less, other)

    def __le__(self, other):
        return self._compare(np.less_equal, other)

    def __gt__(self, other):
        return self._compare(np.greater, other)

    def __ge__(self, other):
        return self._compare(np.greater_equal, other)

    def __eq__(self, other):
        return self._compare(np.equal, other)

    def __ne__(self, other):
        return self._compare(np.not_equal, other)

    # ------------------------------------------------------------------ elementwise
    def relu(self):
        """max(x, 0), elementwise."""
        return self._unary(ops.ReLU())

    def exp(self):
        """e ** x, elementwise."""
        return self._unary(ops.Exp())

    def log(self):
        """Natural logarithm, elementwise."""
        return self._unary(ops.Log())

    def tanh(self):
        """Hyperbolic tangent, elementwise."""
        return self._unary(ops.Tanh())

    def sigmoid(self):
        """1 / (1 + exp(-x)), elementwise."""
        return self._unary(ops.Sigmoid())

    def sqrt(self):
        """x ** 0.5, elementwise."""
        return self ** 0.5

    # ------------------------------------------------------------------ reductions
    def sum(self, axis=None, keepdims: bool = False):
        """Sum over ``axis`` (None: all; an int or a tuple; negatives count from the end).
        PyTorch's ``dim=``/``keepdim=`` are accepted too, here and in max, min and mean
        (``methods.torch_spellings``)."""
        return self._unary(ops.Sum(_axes(axis, self.ndim, "sum"), keepdims))

    def max(self, axis=None, keepdims: bool = False):
        """Maximum over ``axis``; the gradient is split evenly among tied maxima (as ``torch.amax``).
        With PyTorch's ``dim=`` it returns ``(values, indices)``, as ``torch.max`` does."""
        axes = _axes(axis, self.ndim, "max")
        if self.data.size == 0:
            raise ValueError(f"max: cannot reduce an empty tensor of shape {self.shape}")
        return self._unary(ops.Max(axes, keepdims))

    def min(self, axis=None, keepdims: bool = False):
        """Minimum over ``axis``: the composite -max(-x)."""
        return -((-self).max(axis, keepdims))

    def mean(self, axis=None, keepdims: bool = False):
        """Mean over ``axis``: the composite sum(x) / count. An empty axis has no mean: it raises."""
        axes = _axes(axis, self.ndim, "mean")
        count = math.prod([self.shape[a] for a in axes])
        if count == 0:
            raise ValueError(f"mean: axis {axis!r} of a tensor of shape {self.shape} holds no entries, "
                             f"so the mean is undefined; check the shape (an empty batch?)")
        return self._unary(ops.Sum(axes, keepdims)) / count

    # ------------------------------------------------------------------ shape
    def reshape(self, *shape):
        """The same entries in a new shape: ``x.reshape(2, 3)`` or ``x.reshape((2, 3))``; -1 infers."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        try:
            np.empty(self.shape, dtype=bool).reshape(shape)
        except (ValueError, TypeError):
            raise ValueError(f"reshape: cannot reshape a tensor of shape {self.shape} "
                             f"({self.size} entries) to {shape}") from None
        return self._view(self._unary(ops.Reshape(shape)))

    def transpose(self, *axes, dim0=None, dim1=None):
        """``t.transpose(i, j)`` (or ``dim0=i, dim1=j``) swaps axes i and j for any number of
        dimensions, as ``torch.transpose`` (so a 2-D ``t.transpose(0, 1)`` is ``t.T``); a full
        permutation (a tuple, or as many ints as axes, for ndim != 2) permutes them as numpy; no axes
        reverses them."""
        if dim0 is not None or dim1 is not None:
            if axes or dim0 is None or dim1 is None:
                raise TypeError(f"transpose: give both dim0= and dim1= (and no positional axes); "
                                f"got axes {axes}, dim0={dim0!r}, dim1={dim1!r}")
            axes = (dim0, dim1)
        tuple_given = len(axes) == 1 and isinstance(axes[0], (tuple, list))
        if tuple_given:
            axes = tuple(axes[0])
        n = self.ndim
        if not axes:
            axes = tuple(reversed(range(n)))
        elif len(axes) == 2 and all(isinstance(a, numbers.Integral) for a in axes) and not tuple_given:
            i, j = _axes(axes[0], n, "transpose")[0], _axes(axes[1], n, "transpose")[0]
            perm = list(range(n))
            perm[i], perm[j] = perm[j], perm[i]
            axes = tuple(perm)
        else:
            try:
                ok = len(axes) == n and len(_axes(axes, n, "transpose")) == n
            except (TypeError, ValueError):
                ok = False
            if not ok:
                raise ValueError(f"transpose: axes {axes} are not a permutation of the {n} axes of "
                                 f"a tensor of shape {self.shape}")
        return self._view(self._unary(ops.Transpose(tuple(int(a) % n for a in axes))))

    def permute(self, *dims):
        """PyTorch's name for ``transpose`` with a full permutation."""
        return self.transpose(*dims)

    @property
    def T(self):
        """The transpose (all axes reversed)."""
        return self.transpose()

    def __getitem__(self, index):
        """``x[index]`` with ints, slices, None, ``...``, integer or bool arrays (gather; its gradient
        scatter-adds, so repeated indices accumulate)."""
        op = ops.Index(*_index(index))
        try:
            out = op.forward(self.data)
        except IndexError as e:
            raise IndexError(f"index: {e} (tensor of shape {self.shape})") from None
        return self._view(autograd.record(op, (self,), out, Tensor))

    def _view(self, out: "Tensor") -> "Tensor":
        """``out`` shares ``self``'s memory (numpy made a view): then it shares the version counter
        too, so that an in-place update through either is seen by ops that saved the other."""
        base = out.data.base    # numpy points a view's .base at the array that owns the memory
        if base is not None and (base is self.data or base is self.data.base):
            out._vbox = self._shared_box()
        return out


def _named(t) -> str:
    return f", name {t.name!r}" if t.name else ""


def _seed(grad, t: Tensor) -> np.ndarray:
    """Check ``backward(grad=...)``: a float array of ``t``'s shape, finite; cast to ``t``'s dtype."""
    g = _as_array(grad, "backward(grad=...)")
    if g.dtype.kind != "f":
        raise TypeError(f"backward: grad must hold floats, got a {g.dtype} array; pass e.g. "
                        f"np.ones({t.shape})")
    if g.shape != t.shape:
        raise ValueError(f"backward: grad has shape {g.shape} but the tensor has shape "
                         f"{t.shape}; they must be equal")
    if not np.all(np.isfinite(g)):
        raise ValueError("backward: grad holds nan or inf; the gradient to start from must be finite")
    return g.astype(t.data.dtype, copy=False)


def _update_in_place(t: Tensor, cls, other, sym) -> None:
    """``t.data <sym>= other`` in t's own array (aliases see it), keeping its shape and dtype."""
    b = other.data if isinstance(other, Tensor) else t._const(other, f"in-place {sym}=").data
    a = t.data
    ufunc = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.true_divide}[sym]
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        shape = None
    if shape != a.shape:
        raise ValueError(f"in-place {sym}=: the result of shapes {a.shape} and {b.shape} "
                         f"{'has shape ' + str(shape) if shape else 'cannot be broadcast'}, which "
                         f"cannot be written into the tensor of shape {a.shape}; write x = x {sym} y")
    try:
        ufunc(a, b, out=a, casting="same_kind")
    except (TypeError, ValueError) as e:   # a bool mask, a read-only array
        raise TypeError(f"in-place {sym}=: cannot write the result of {a.dtype} {sym} {b.dtype} "
                        f"into this tensor's {a.dtype} array in place ({e}); write x = x {sym} y "
                        f"for a new tensor") from None


def _index(index):
    """Turn Tensors and lists inside an index into arrays; say whether it is an advanced index."""
    items = index if isinstance(index, tuple) else (index,)
    out, advanced = [], False
    for it in items:
        if isinstance(it, Tensor):
            it = it.data
        if isinstance(it, (list, np.ndarray)):
            it = np.asarray(it)
            if it.dtype.kind == "f":
                if not np.all(it == np.round(it)):
                    raise IndexError(f"index: index arrays must hold integers, got {it.dtype} values")
                it = it.astype(np.intp)
            elif it.dtype.kind not in "iub":
                raise IndexError(f"index: index arrays must hold integers or bools, got {it.dtype}")
            advanced = True
        elif not (it is None or it is Ellipsis or isinstance(it, (slice, numbers.Integral))):
            raise IndexError(f"index: cannot index with {type(it).__name__} {_preview(it)}")
        out.append(it)
    return (tuple(out) if isinstance(index, tuple) else out[0]), advanced


def _matmul(a: Tensor, b: Tensor) -> Tensor:
    op = ops.MatMul()
    try:
        out = op.forward(a.data, b.data)
    except ValueError:   # numpy refused the shapes: say why in the engine's words
        _check_matmul(a.data, b.data)
        raise
    return autograd.record(op, (a, b), out, Tensor, _NEEDS[a.requires_grad][b.requires_grad])


def _check_matmul(x: np.ndarray, y: np.ndarray) -> None:
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError(f"matmul: both operands need at least one dimension, got shapes {x.shape} "
                         f"and {y.shape}; use * to multiply by a scalar")
    k2 = y.shape[-2] if y.ndim > 1 else y.shape[0]
    if x.shape[-1] != k2:
        raise ValueError(
            f"matmul: shapes {x.shape} and {y.shape} do not align: the last dimension of the first "
            f"({x.shape[-1]}) must equal the {'second-to-last' if y.ndim > 1 else 'only'} dimension "
            f"of the second ({k2}). Did you mean to transpose one of them (.T)?")
    if x.ndim > 2 and y.ndim > 2:
        _check_broadcast("matmul (batch dimensions)", x.shape[:-2], y.shape[:-2])


def tensor(data, requires_grad: bool = False, name: str | None = None) -> Tensor:
    """PyTorch's ``torch.tensor``: a new leaf holding a copy of ``data`` (``Tensor(array)`` shares the
    array instead, as ``torch.from_numpy``, so an in-place update under ``no_grad`` reaches it)."""
    return Tensor(np.array(_as_array(data, "tensor")), requires_grad=requires_grad, name=name)
