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
  microseconds that every loss pays at its final sum; for a one-entry ``dy`` the same read-only
  view is one ``np.ndarray`` call over its memory with every stride 0 (``broadcast``).

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
    """``np.broadcast_to(a, shape)``, a read-only view; made directly (every stride 0) for the most
    common case, the one-entry ``dy`` of a sum over every axis."""
    a = np.asarray(a)      # (a numpy scalar, as a 0-d gradient often is, becomes a 0-d array)
    if a.size != 1:
        return np.broadcast_to(a, shape)
    view = np.ndarray(shape, a.dtype, a, 0, (0,) * len(shape))
    view.flags.writeable = False
    return view
