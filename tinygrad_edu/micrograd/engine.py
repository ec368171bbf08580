"""``Value``: micrograd's scalar on this project's engine.

A ``Value`` holds one 0-d ``Tensor`` that requires grad (``.tensor``); each operator runs the
engine's own op on it, so the engine records the graph, ``backward()`` is the engine's reverse walk,
and ``tinygrad_edu.viz.draw(v.tensor)`` (or ``tinygrad_edu.micrograd.draw(v)``, which names the
boxes after your variables) draws it. What micrograd's code reads is kept as micrograd has it:

- ``.data`` and ``.grad`` are Python numbers: an int where micrograd's would be an int (``Value(0)``,
  ``Value(2) * 3``, the ReLU of a negative number, the gradients of a graph of ints), else a float;
  ``.grad`` is ``0`` until a backward pass reaches the value, and the output of ``backward()`` reads
  ``1``. So ``print(v)`` prints what micrograd prints.
- ``v.data -= lr * v.grad`` updates the value; ``v.grad = 0`` resets the gradient (micrograd's
  ``zero_grad``), so the next backward starts from zero.
- Each operator does the same arithmetic in the same order as micrograd (``a - b`` is
  ``a + (-b)``, ``a / b`` is ``a * b**-1``), so forward values agree bit for bit; gradients agree to
  rounding (the walk adds an input's contributions in its own order).
- ``_prev`` (the set of operand Values) and ``_op`` (``'+'``, ``'*'``, ``'**2'``, ``'ReLU'``, ...)
  are there for hand-written graph walkers such as micrograd's ``draw_dot``.

Where it differs, on purpose:

- Numbers are float64, as Python floats are; integers are shown as ints but computed in float64
  (exact below 2**53, where Python's ints never round).
- ``backward()`` can be called again on the same graph, and gradients accumulate linearly, as in
  PyTorch (micrograd adds the intermediates' accumulated gradients again on a second call).
- Input that micrograd would carry along until it failed is refused at once, with a message:
  ``Value('1')``, ``Value([1, 2])``, ``v ** v`` (exponents are numbers), ``Value(0) ** -1``
  (``ZeroDivisionError``, as Python's), a negative number to a fractional power (no real value).
"""
from __future__ import annotations

import itertools
import math
import numbers

import numpy as np

from ..engine import Tensor

__all__ = ["Value"]


def _number(x, where: str):
    """``x`` as (float64 array, is_int): a Python or numpy number, or a one-element numpy array."""
    if isinstance(x, np.ndarray) and x.size == 1 and x.dtype.kind in "biuf":
        x = x.reshape(()).item()
    if isinstance(x, (numbers.Real, np.bool_)):
        return np.array(x, dtype=np.float64), isinstance(x, (numbers.Integral, np.bool_))
    hint = ("it is a Value already: use it directly" if isinstance(x, Value)
            else "use x.item() for a Tensor's number" if isinstance(x, Tensor)
            else "a Value holds one number: make one Value per entry, e.g. [Value(v) for v in xs]")
    text = repr(x) if len(repr(x)) <= 40 else repr(x)[:37] + "..."
    raise TypeError(f"{where}: expected a number (int or float), got {type(x).__name__} {text}; {hint}")


def _python(arr: np.ndarray, is_int: bool):
    """The 0-d array's number as micrograd would hold it: an int or a float. Only a whole number
    is shown as an int, so a type flag can never change the value shown."""
    v = arr.item()
    return int(v) if is_int and math.isfinite(v) and v.is_integer() else v


_created = itertools.count()    # creation numbers: an input is always older than what it feeds


class Value:
    """One number and its gradient, recorded on the engine's tape: micrograd's ``Value``.

    ``Value(data, _children=(), _op='', label='')``: ``data`` a Python or numpy number. ``label``
    names it in diagrams (as in micrograd's lecture notebooks). See the module's docstring.
    """

    __slots__ = ("tensor", "_int", "_gint", "_feeds", "_op", "_n", "label", "__weakref__")

    def __init__(self, data, _children=(), _op: str = "", label: str = ""):
        arr, is_int = _number(data, "Value")
        self.tensor = Tensor(arr, requires_grad=True, name=label or None)
        self._int, self._gint, self._op, self.label = is_int, True, _op, label
        self._feeds = tuple((c, False) for c in _children)
        self._n = next(_created)

    @classmethod
    def _made(cls, tensor: Tensor, is_int: bool, feeds: tuple, op: str) -> "Value":
        """The Value around an op's output Tensor. ``feeds``: (input Value, whether micrograd's
        gradient contribution to that input is an int when this Value's gradient is one)."""
        v = cls.__new__(cls)
        v.tensor, v._int, v._gint, v._feeds, v._op, v.label = tensor, is_int, True, feeds, op, ""
        v._n = next(_created)
        return v

    @property
    def _prev(self) -> set:
        """The Values this one was computed from (micrograd's ``_prev``)."""
        return {c for c, _ in self._feeds}

    # ------------------------------------------------------------------ the numbers
    @property
    def data(self):
        """The value: an int or a float, as micrograd's."""
        return _python(self.tensor.data, self._int)

    @data.setter
    def data(self, x):
        self.tensor.data, self._int = _number(x, "Value.data")

    @property
    def grad(self):
        """d(output)/d(this value) after ``backward()``; 0 before any backward pass reached it."""
        g = self.tensor.grad
        return 0 if g is None else _python(g, self._gint)

    @grad.setter
    def grad(self, g):
        if g is None or (isinstance(g, numbers.Real) and g == 0):
            self.tensor.grad, self._gint = None, True
        else:
            self.tensor.grad, self._gint = _number(g, "Value.grad")

    def backward(self):
        """Fill ``.grad`` of every Value this one depends on (this one's own is set to 1 first, as in
        micrograd). The graph is kept, so it may be called again; gradients accumulate."""
        self.tensor.grad = None
        self.tensor.backward(retain_graph=True)
        _grad_types(self)

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"

    # ------------------------------------------------------------------ the operators
    def _other(self, other):
        """A Value for the other operand; a plain number becomes one, named by its value in drawings
        (micrograd makes a Value of it too, so it has a gradient like any input)."""
        if isinstance(other, Value):
            return other
        v = Value(other)
        v.tensor.name = str(v.data)
        return v

    def __add__(self, other):
        other = self._other(other)
        return Value._made(self.tensor + other.tensor, self._int and other._int,
                           ((self, True), (other, True)), "+")

    def __mul__(self, other):
        other = self._other(other)
        return Value._made(self.tensor * other.tensor, self._int and other._int,
                           ((self, other._int), (other, self._int)), "*")

    def __pow__(self, other):
        if isinstance(other, (bool, np.bool_)) or not isinstance(other, numbers.Real):
            raise TypeError(f"Value ** p: the exponent must be an int or a float, got "
                            f"{type(other).__name__}; for a Value exponent write (p * x.log()).exp() "
                            f"with numbers, or use tinygrad_edu.Tensor")
        x = self.tensor.data.item()
        if x == 0 and other < 0:
            raise ZeroDivisionError(f"Value ** {other}: 0 cannot be raised to a negative power")
        if x < 0 and not float(other).is_integer():
            raise ValueError(f"Value ** {other}: a negative number ({x}) to a fractional power has "
                             f"no real value")
        whole = isinstance(other, numbers.Integral)
        is_int = self._int and whole and other >= 0
        return Value._made(self.tensor ** other, is_int, ((self, self._int and whole and other >= 1),),
                           f"**{other}")

    def relu(self):
        """max(0, x); micrograd's ReLU gives the int 0 for a negative input."""
        is_int = self._int or self.tensor.data.item() < 0
        return Value._made(self.tensor.relu(), is_int, ((self, True),), "ReLU")

    def tanh(self):
        """tanh(x), as in micrograd's lecture notebooks."""
        return Value._made(self.tensor.tanh(), False, ((self, False),), "tanh")

    def exp(self):
        """e ** x, as in micrograd's lecture notebooks."""
        return Value._made(self.tensor.exp(), False, ((self, False),), "exp")

    def __neg__(self):                 # -self
        return self * -1

    def __radd__(self, other):         # other + self
        return self + other

    def __sub__(self, other):          # self - other
        return self + (-other)

    def __rsub__(self, other):         # other - self
        return other + (-self)

    def __rmul__(self, other):         # other * self
        return self * other

    def __truediv__(self, other):      # self / other
        return self * other ** -1

    def __rtruediv__(self, other):     # other / self
        return other * self ** -1


def _grad_types(root: Value) -> None:
    """After ``root.backward()``: mark (``_gint``) the Values whose gradient micrograd would hold as a
    Python int. Only the type is decided here; the values are the engine's.

    micrograd's output gradient is the int 1, and each op adds an int to an input's gradient when
    its own gradient is an int and, for ``*``, the other operand's data is one too (for ``**k``: an
    int base and a whole k >= 1; ``tanh`` and ``exp`` give floats), as each ``feeds`` entry says.
    An input's gradient stays an int while it was one (0 is) and every contribution is.
    """
    found, stack = {id(root): root}, [root]
    while stack:
        for c, _ in stack.pop()._feeds:
            if id(c) not in found:
                found[id(c)] = c
                stack.append(c)
    root._gint = True
    for v in sorted(found.values(), key=lambda v: v._n, reverse=True):   # consumers first
        for c, passes in v._feeds:
            c._gint = c._gint and v._gint and passes


def draw(root: Value, **kwargs):
    """``tinygrad_edu.viz.draw`` of the graph of ``root``, each box named after the caller's variable
    holding its Value (or the Value's ``label``); keyword arguments go to ``viz.draw``."""
    import inspect

    from .. import viz

    if not isinstance(root, Value):
        raise TypeError(f"micrograd.draw: expected a Value, got {type(root).__name__}; "
                        f"for a Tensor call tinygrad_edu.viz.draw")
    frame = inspect.currentframe().f_back
    names = {}
    for space in (frame.f_globals, frame.f_locals):      # locals win over globals
        names.update({id(v.tensor): k for k, v in space.items()
                      if isinstance(v, Value) and not v.label and not k.startswith("_")})
    for k, v in (kwargs.pop("names", None) or {}).items():
        names[id(k.tensor) if isinstance(k, Value) else k] = v
    return viz.draw(root.tensor, names=names, **kwargs)
