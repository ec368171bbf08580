"""Tensor hooks: ``t.register_hook(fn)`` calls ``fn(grad)`` when ``t``'s gradient is complete.

As in PyTorch, ``fn`` receives the gradient as a Tensor (without gradient of its own) and may return
a replacement (a Tensor or an array of the same shape), or None to keep it. An intermediate's hooks
run when the walk reaches it, before its op sends the gradient on; a leaf's run before the gradient
is added into its ``.grad``. ``register_hook`` returns a handle whose ``remove()`` takes the hook off.
The walk asks ``hooked`` (empty unless some hook is registered) at one seam.
"""
from __future__ import annotations

import weakref

import numpy as np

hooked = {}   # id(tensor) -> (weak reference to it, [hook functions]); empty: the walk skips hooks


class RemovableHandle:
    """What ``register_hook`` returns: ``handle.remove()`` takes the hook off again."""

    def __init__(self, t, fn):
        self._key, self._fn = id(t), fn

    def remove(self) -> None:
        entry = hooked.get(self._key)
        if entry is not None and self._fn in entry[1]:
            entry[1].remove(self._fn)
            if not entry[1]:
                del hooked[self._key]


def register(t, fn) -> RemovableHandle:
    """Add ``fn`` to the hooks of tensor ``t`` (which must require grad)."""
    if not callable(fn):
        raise TypeError(f"register_hook: expects a function of the gradient, got {type(fn).__name__}")
    if not t.requires_grad:
        raise RuntimeError("register_hook: cannot register a hook on a tensor that does not require "
                           "grad (no gradient will reach it)")
    key = id(t)
    entry = hooked.get(key)
    if entry is None or entry[0]() is not t:
        entry = hooked[key] = (weakref.ref(t, lambda _: hooked.pop(key, None)), [])
    entry[1].append(fn)
    return RemovableHandle(t, fn)


def run(t, g):
    """``g`` (dL/dt) after ``t``'s hooks, each of which may replace it."""
    entry = hooked.get(id(t))
    if entry is None or entry[0]() is not t:
        return g
    for fn in list(entry[1]):
        as_tensor = g if hasattr(g, "requires_grad") else type(t)(np.asarray(g))
        new = fn(as_tensor)
        if new is not None:
            if not hasattr(g, "requires_grad"):   # the walk works on arrays
                new = np.asarray(new.data if hasattr(new, "requires_grad") else new, dtype=t.data.dtype)
            if np.shape(new) != np.shape(g):
                raise ValueError(f"hook: returned a gradient of shape {np.shape(new)} for a tensor "
                                 f"of shape {t.shape}; return one of the same shape (or None)")
            g = new
    return g
