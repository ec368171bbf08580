"""Speed devices the lesson calls, each a shortcut that changes no number.

* *A total nobody else holds grows in place.* When a tensor's gradient arrives in several parts,
  the walk adds them up; the first addition makes a new array, which only the walk holds, so the
  next parts are added into it in place (``only_the_walks``) instead of into yet another array.
  On the two-layer net's weights (3072 x 100) that is one 2.4 MiB array less per backward pass.
* *A leaf adopts the walk's array.* A leaf's ``.grad`` must be an array of its own (a later
  backward adds into it in place); when the walk's total is an array nothing else holds
  (``only_the_walks`` again), it becomes the ``.grad`` as it is, else a copy is made.

* *The direct broadcast view.* A sum's gradient is its ``dy`` broadcast back to the input's shape
  (``unbroadcast``). ``np.broadcast_to`` checks and normalizes its arguments in Python, a few
  microseconds that every sum's gradient pays; the same read-only view is one ``np.ndarray`` call
  over ``dy``'s memory with stride 0 along each broadcast axis (``broadcast``).

Whether anything else holds an array is read off its reference count (CPython's ``sys.getrefcount``):
views, aliases, other tensors' gradients and the narrated trace's records all add to it.
"""
from __future__ import annotations

import sys

import numpy as np


def only_the_walks(total) -> bool:
    """True if ``total`` (a running total of the walk) is an array that nothing else holds: the walk
    made it (``a + b``), so it may add the next gradient into it in place instead of making another,
    or hand it to a leaf as its ``.grad``."""
    return type(total) is np.ndarray and total.flags.owndata and total.flags.writeable \
        and sys.getrefcount(total) <= 4    # the totals dict, the walk's variable, this argument, the call


def broadcast(a, shape: tuple) -> np.ndarray:
    """``np.broadcast_to(a, shape)``, a read-only view; made directly, with stride 0 along each axis
    broadcast (the new leading ones and those where ``a`` has size 1), when ``a`` is contiguous and
    its shape broadcasts to ``shape``, as a sum's ``dy`` with its summed axes kept as 1 does."""
    a = np.asarray(a)      # (a numpy scalar, as a 0-d gradient often is, becomes a 0-d array)
    lead = len(shape) - a.ndim
    if a.size != 1 and (lead < 0 or not a.flags.c_contiguous or any(
            n != 1 and n != m for n, m in zip(a.shape, shape[lead:]))):
        return np.broadcast_to(a, shape)      # (numpy's own checks, and its message if it cannot)
    strides = (0,) * len(shape) if a.size == 1 else \
        (0,) * lead + tuple(0 if n == 1 else s for n, s in zip(a.shape, a.strides))
    view = np.ndarray(shape, a.dtype, a, 0, strides)
    view.flags.writeable = False
    return view
