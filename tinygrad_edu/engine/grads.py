"""What ``.grad`` hands out: a numpy array that also takes PyTorch's in-place idioms.

A leaf's gradient is an array of its own, and a second ``backward()`` adds into it in place, so an
alias taken before (``g = w.grad``) sees the sum, as in PyTorch; ``w.grad.zero_()`` zeroes it in
place. An intermediate's gradient is read-only: the walk hands one array to several tensors (``a +
b`` sends ``dy`` to both), so writing into one would change the others; copying every intermediate
gradient instead would add a copy per op to every backward pass. Writing into it raises an error
that says so. Either way it is a numpy array (``np.allclose(w.grad, ...)``, ``w.data -= lr *
w.grad``), shown as one.
"""
from __future__ import annotations

import numpy as np


class Grad(np.ndarray):
    """A numpy array with PyTorch's in-place methods (``zero_``, ``fill_``, ``add_``, ``mul_``)."""

    def zero_(self):
        """Set every entry to 0, in place; returns the array."""
        return self.fill_(0.0)

    def fill_(self, value):
        """Set every entry to ``value``, in place; returns the array."""
        _writable(self)
        self.fill(value)
        return self

    def add_(self, other, alpha=1.0):
        """``self += alpha * other``, in place; returns the array."""
        _writable(self)
        np.add(self, alpha * np.asarray(getattr(other, "numpy", lambda: other)()), out=self,
               casting="same_kind")
        return self

    def mul_(self, other):
        """``self *= other``, in place; returns the array."""
        _writable(self)
        np.multiply(self, np.asarray(getattr(other, "numpy", lambda: other)()), out=self,
                    casting="same_kind")
        return self

    def __setitem__(self, index, value):
        _writable(self)
        super().__setitem__(index, value)

    def __repr__(self):
        return repr(self.view(np.ndarray))

    def __str__(self):
        return str(self.view(np.ndarray))

    def __reduce__(self):   # pickles (and copies) as a plain array
        return self.view(np.ndarray).__reduce__()


def _writable(g) -> None:
    if not g.flags.writeable:
        raise ValueError(
            "grad: this is an intermediate tensor's gradient, which is read-only: the backward pass "
            "may have handed the same array to another tensor, which would change too. Copy it "
            "first (g = t.grad.copy()), or write into a leaf's .grad.")


def _inplace_guard(name):
    base = getattr(np.ndarray, name)

    def method(self, other):
        _writable(self)
        return base(self, other)
    method.__name__ = name
    return method


for _name in ("__iadd__", "__isub__", "__imul__", "__itruediv__"):
    setattr(Grad, _name, _inplace_guard(_name))


def as_grad(g, leaf: bool):
    """``g`` as a ``Grad`` view (the same memory); read-only unless it belongs to a leaf."""
    out = g.view(Grad)
    if not leaf:
        out.flags.writeable = False
    return out
