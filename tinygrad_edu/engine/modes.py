"""Grad mode and anomaly mode: the two switches of the engine.

``no_grad`` turns recording off; ``enable_grad`` turns it back on; ``detect_anomaly`` checks every
forward result and gradient for nan and inf.
"""
from __future__ import annotations

import contextlib
import itertools


class _State:
    grad_enabled = True
    anomaly = False


_state = _State()
_seq = itertools.count()  # one number per recorded op; a counter holds no tensor alive


def is_grad_enabled() -> bool:
    """True unless inside ``no_grad()``."""
    return _state.grad_enabled


class _GradMode(contextlib.ContextDecorator):
    enabled = True

    def __enter__(self):
        self._prev = _state.grad_enabled
        _state.grad_enabled = self.enabled
        return self

    def __exit__(self, *exc):
        _state.grad_enabled = self._prev
        return False


class no_grad(_GradMode):
    """Context manager (and decorator) in which nothing is recorded.

    Results computed inside have ``requires_grad=False``, as with ``torch.no_grad``::

        with no_grad():
            w.data -= lr * w.grad      # or: w -= ... on a Tensor, unrecorded
    """

    enabled = False


class enable_grad(_GradMode):
    """Turn recording back on inside a ``no_grad`` block (as ``torch.enable_grad``)."""

    enabled = True


class detect_anomaly(contextlib.ContextDecorator):
    """Context manager that finds the first op to make a nan or inf.

    Inside it, every forward result and every gradient an op sends back is checked with
    ``np.isfinite``; the first non-finite one raises ``FloatingPointError`` that names the op, its
    input shapes and whether the forward or the backward produced it. Slower: use it to debug,
    like ``torch.autograd.detect_anomaly``::

        with detect_anomaly():
            loss = model(x).log().sum()   # FloatingPointError: log (forward) produced -inf ...
            loss.backward()
    """

    def __enter__(self):
        self._prev = _state.anomaly
        _state.anomaly = True
        return self

    def __exit__(self, *exc):
        _state.anomaly = self._prev
        return False
