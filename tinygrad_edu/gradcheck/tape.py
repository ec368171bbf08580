"""What the checks read from the engine's graph, in one place.

The checks treat the engine as a user does (``f(*inputs)``, ``backward()``, ``loss.tape()``),
except for what only the graph knows, which these few functions read:

* ``tape(out)``: the tensors ``out`` depends on, oldest first, numbered from 1 as ``Tape`` prints
  them (and the diagrams and the trace number them);
* ``rerun(op, arrays)``: an op's forward on other arrays, on a copy of the op (a learner's
  ``Function`` keeps its context on the op, and the recorded one must keep its own);
* ``local_gradients(t, dy)``: the engine's ``autograd.local_gradients``: the op that made ``t``,
  its backward applied to ``dy``: one gradient per input, summed back to that input's shape, None
  where the input needs none;
* ``is_user_function(op)``: the op was made by a learner's ``tinygrad_edu.Function``;
* ``corner_sides(t)``: for an op with a corner (relu, max, maximum and minimum, abs, clip), which
  side of it each input entry lies on, read from the op's inputs, ``t.op.parents``, whose ``.data``
  holds their values also after backward; None for a smooth op. Comparing these between the
  graphs at x - h and x + h tells which inputs lie within the step of a corner.
"""
from __future__ import annotations

import copy

import numpy as np

from ..engine import autograd
from ..engine.function import _UserOp
from ..engine.ops.arithmetic import Maximum
from ..engine.ops.elementwise import Abs, Clip, ReLU
from ..engine.ops.reductions import Max

__all__ = ["tape", "rerun", "local_gradients", "is_user_function", "corner_sides"]


def tape(out) -> list:
    """The recorded tensors ``out`` depends on, oldest first (item k - 1 is op k of the tape)."""
    return list(out.tape())


def rerun(op, arrays):
    """``op``'s forward on ``arrays`` (the recorded op keeps what it holds)."""
    return copy.copy(op).forward(*arrays)


def local_gradients(t, dy) -> list:
    """The gradients that the op which made ``t`` sends to its inputs for the upstream ``dy``."""
    return list(autograd.local_gradients(t, dy))


def is_user_function(op) -> bool:
    return isinstance(op, _UserOp)


def corner_sides(t):
    """For the op that made ``t``, an integer array per input entry saying where it lies relative
    to the op's corner(s); None when the op has no corner."""
    op = t.op
    xs = [p.data for p in op.parents]
    if isinstance(op, (ReLU, Abs)):
        return (xs[0] > 0).astype(np.int8)
    if isinstance(op, Clip):
        lo = -np.inf if op.lo is None else op.lo
        hi = np.inf if op.hi is None else op.hi
        return (xs[0] > lo).astype(np.int8) + 2 * (xs[0] < hi)
    if isinstance(op, Max):
        return (xs[0] == xs[0].max(axis=op.axes, keepdims=True)).astype(np.int8)
    if isinstance(op, Maximum):
        return np.sign(np.subtract(xs[0], xs[1])).astype(np.int8)
    return None
