"""Grad mode and anomaly mode: the two switches of the engine, one pair per thread.

``no_grad`` turns recording off; ``enable_grad`` turns it back on; ``detect_anomaly`` checks every
forward result and gradient for nan and inf. Each works as a context manager and as a decorator,
with or without parentheses (``@no_grad`` and ``@no_grad()``), on recursive functions and on
generators (the mode is set around each resume, as in PyTorch), and always puts back the state it
found. The state lives in a ``threading.local``: an evaluator thread inside ``no_grad`` does not
turn recording off in the training thread.
"""
from __future__ import annotations

import functools
import inspect
import itertools
import threading

import numpy as np


class _State(threading.local):
    grad_enabled = True     # class defaults: what every new thread starts with
    anomaly = False


state = _State()
counter = itertools.count()  # one number per recorded op (and per in-place update); holds no tensor


def is_grad_enabled() -> bool:
    """True unless inside ``no_grad()`` (in this thread)."""
    return state.grad_enabled


class _Mode:
    """Sets ``state.<field>`` to ``value`` on entry and restores what it found on exit.

    ``mode(func)`` (a decorator without parentheses) and ``mode()(func)`` both return ``func``
    wrapped so that every call (every resume, for a generator) runs inside a fresh ``mode()``.
    """

    field, value = "grad_enabled", True

    def __new__(cls, func=None):
        if func is None:
            return super().__new__(cls)
        if not callable(func):
            raise TypeError(f"{cls.__name__}: takes no argument, or a function to decorate; "
                            f"got {type(func).__name__}")
        return cls()(func)

    def __init__(self, func=None):
        self._prev = []     # a stack, so that one instance may be entered again while active

    def __enter__(self):
        self._prev.append(getattr(state, self.field))
        setattr(state, self.field, self.value)
        return self

    def __exit__(self, *exc):
        setattr(state, self.field, self._prev.pop())
        return False

    def __call__(self, func):
        cls = type(self)
        if inspect.isgeneratorfunction(func):
            return _wrap_generator(cls, func)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with cls():
                return func(*args, **kwargs)
        return wrapper


def _wrap_generator(cls, func):
    """A generator function whose body runs inside ``cls()`` at every resume, and not in between."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        gen = func(*args, **kwargs)
        try:
            with cls():
                response = gen.send(None)
            while True:
                try:
                    request = yield response
                except GeneratorExit:
                    with cls():
                        gen.close()
                    raise
                except BaseException as e:
                    with cls():
                        response = gen.throw(e)
                else:
                    with cls():
                        response = gen.send(request)
        except StopIteration as stop:
            return stop.value
    return wrapper


class no_grad(_Mode):
    """Context manager (and decorator) in which nothing is recorded, in this thread.

    Results computed inside have ``requires_grad=False``, as with ``torch.no_grad``::

        with no_grad():
            w -= lr * w.grad           # updates w's own array in place, unrecorded

        @no_grad                        # or @no_grad()
        def evaluate(model, X): ...
    """

    field, value = "grad_enabled", False


class enable_grad(_Mode):
    """Turn recording back on inside a ``no_grad`` block (as ``torch.enable_grad``)."""

    field, value = "grad_enabled", True


class detect_anomaly(_Mode):
    """Context manager (and decorator) that finds the first op to make a nan or inf.

    Inside it, every forward result and every gradient an op sends back is checked with
    ``np.isfinite``; the first non-finite one raises ``FloatingPointError`` that names the op, its
    input shapes and whether the forward or the backward produced it. Slower: use it to debug,
    like ``torch.autograd.detect_anomaly``::

        with detect_anomaly():
            loss = model(x).log().sum()   # FloatingPointError: log (forward) produced -inf ...
            loss.backward()
    """

    field, value = "anomaly", True


def check_finite(op, where: str, arrays) -> None:
    """Raise ``FloatingPointError`` naming ``op`` if one of ``arrays`` holds nan or inf (anomaly mode)."""
    for i, a in enumerate(arrays):
        a = a.data if hasattr(a, "requires_grad") else a   # a Tensor when the walk builds a graph
        if a is not None and not np.all(np.isfinite(a)):
            shapes = ", ".join(str(p.shape) for p in getattr(op, "parents", ()))
            bad = "nan" if np.isnan(a).any() else "inf"
            what = "its output" if where == "forward" else f"the gradient for input {i}"
            raise FloatingPointError(
                f"{op.name} ({where}) produced {bad} in {what}; inputs of shapes {shapes}. "
                f"Formula: {op.formula}. Check this op's inputs (e.g. log of a value <= 0, "
                f"exp of a large number, division by zero).")


def finite_hook(t, i, g, total, raw) -> None:
    """The walk's observer in anomaly mode: every gradient an op sends must be finite."""
    check_finite(t.op, "backward", [None] * i + [g])
