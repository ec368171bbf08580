"""Repeated blocks of a graph: a loop body with shared weights, a layer applied n times.

A run of ``count`` consecutive stretches of ``period`` tape entries is a repeated block when every
stretch does the same thing: the same ops with the same settings and shapes, each input coming
from the same place, counted back from the op (the op 2 entries before, the one in the stretch
before: the loop's carried value), the same parameter (a shared weight, by identity), or a
constant of the same shape (a loop's input ``x_t``, a different one each time). The first stretch
may take its carried value from outside the block (``h0``). Diagrams draw such a block once, with
"x n"; the summary of a big graph and the trace's summary list them.

``find_blocks(graph)`` -> [Block], the runs that cover the most tape entries, none overlapping.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["Block", "find_blocks", "MAX_PERIOD"]

MAX_PERIOD = 64    # the longest loop body looked for, in tape entries
_FAR = 2 * MAX_PERIOD


class Block(NamedTuple):
    """Tape entries ``first`` .. ``last`` (numbered as the tape numbers them): ``count`` repeats
    of a body of ``period`` entries; ``shared`` the parameters every repeat uses (TensorNodes)."""

    first: int
    period: int
    count: int
    shared: tuple

    @property
    def last(self) -> int:
        return self.first + self.period * self.count - 1

    def position(self, number: int) -> int:
        """Where op ``number`` sits in the body (0 .. period - 1)."""
        return (number - self.first) % self.period

    def repeat(self, number: int) -> int:
        """Which repeat op ``number`` belongs to (1 .. count)."""
        return (number - self.first) // self.period + 1

    def names(self, graph) -> list:
        """The body's op names, e.g. ['mul', 'mul', 'add', 'tanh']."""
        return [graph.ops[self.first - 1 + j].name for j in range(self.period)]


def _ref(j: int, p, index: dict):
    """How input ``p`` of op ``j`` (0-based) is reached: an op k entries back, a parameter, a
    constant of a shape, or a tensor far back by identity."""
    if p.op is not None:
        back = j - index[id(p.op)]
        return ("op", back) if back <= _FAR else ("far", id(p.tensor))
    if p.kind == "param":
        return ("param", id(p.tensor))
    return ("const", tuple(p.tensor.shape))


def signatures(graph) -> list:
    """Per op: (name, settings, output shape, how each input is reached): equal for the same
    position of two repeats of a body."""
    index = {id(op): j for j, op in enumerate(graph.ops)}
    return [(op.name, op.op.describe(), tuple(op.out.tensor.shape),
             tuple(_ref(j, p, index) for p in op.inputs)) for j, op in enumerate(graph.ops)]


def _runs(ids, p: int):
    """(start, end) 0-based, end exclusive, of the stretches that repeat with period ``p``:
    ``ids[j] == ids[j + p]`` (the signatures, numbered) for at least ``p - 1`` j in a row (all
    but the first op of a body, which the first repeat may feed from outside)."""
    same = np.flatnonzero(np.diff(np.concatenate(([0], ids[:-p] == ids[p:], [0])).astype(np.int8)))
    for start, stop in zip(same[::2], same[1::2]):
        if stop - start >= max(1, p - 1):
            yield int(start), int(stop) + p


def _same_but_carried(a, b, j: int, s: int, p: int) -> bool:
    """Whether op ``j`` (0-based, in the first repeat, which starts at ``s``) does what op
    ``j + p`` does, except that an input which the later op takes from the repeat before it comes,
    for the first repeat, from outside the block (the loop's initial value)."""
    if a[:3] != b[:3] or len(a[3]) != len(b[3]):
        return False
    for ra, rb in zip(a[3], b[3]):
        outside = ra[0] != "op" or ra[1] > j - s
        carried = rb[0] == "op" and j - s < rb[1] <= j - s + p
        if ra != rb and not (outside and carried):
            return False
    return True


def _opens(sig, s: int, a: int, p: int) -> bool:
    """Whether the block can start at op ``s``, before the strict run that starts at ``a``."""
    return all(_same_but_carried(sig[j], sig[j + p], j, s, p) for j in range(s, a))


def _numbered(sig) -> np.ndarray:
    """Each signature as a number, equal numbers for equal signatures."""
    seen = {}
    return np.array([seen.setdefault(x, len(seen)) for x in sig], dtype=np.int64)


def _best(sig, lo: int, hi: int):
    """The run inside ops [lo, hi) that covers the most entries: (start, period, count) or None."""
    best, ids = None, _numbered(sig[lo:hi])
    for p in range(1, min(MAX_PERIOD, (hi - lo) // 2) + 1):
        for a, end in _runs(ids, p):
            a, end = a + lo, end + lo
            s = a
            while s > max(lo, a - p + 1) and _opens(sig, s - 1, a, p):
                s -= 1
            a = s
            count = (end - a) // p
            if count >= 2 and (best is None or count * p > best[1] * best[2]):
                best = (a, p, count)
        if best is not None and best[1] * best[2] > hi - lo - p:   # nothing longer can cover more
            break
    return best


def find_blocks(graph, min_ops: int = 4) -> list:
    """The repeated blocks of ``graph``, found once per graph (see ``_find``)."""
    cache = graph.__dict__.setdefault("_blocks", {})
    if min_ops not in cache:
        cache[min_ops] = _find(graph, min_ops)
    return cache[min_ops]


def _find(graph, min_ops: int) -> list:
    """The repeated blocks of ``graph`` (see the module's docstring), in tape order: runs of at
    least two repeats covering at least ``min_ops`` entries, chosen greedily by the entries they
    cover."""
    sig = signatures(graph)
    found, todo = [], [(0, len(sig))]
    while todo:
        lo, hi = todo.pop()
        best = _best(sig, lo, hi) if hi - lo >= min_ops else None
        if best is None or best[1] * best[2] < min_ops:
            continue
        a, p, count = best
        found.append((a, p, count))
        todo += [(lo, a), (a + p * count, hi)]
    return [_block(graph, a, p, count) for a, p, count in sorted(found)]


def _block(graph, a: int, p: int, count: int) -> Block:
    shared = {}
    for op in graph.ops[a + p:a + 2 * p]:     # the second repeat: the first may take its own
        for x in op.inputs:
            if x.kind == "param":
                shared[id(x.tensor)] = x
    return Block(a + 1, p, count, tuple(shared.values()))
