"""What a drawing costs to lay out, and how to keep it cheap enough to finish in time.

Graphviz's ``dot`` puts each node on a rank (a row, for a top-to-bottom drawing) and an edge that
spans k ranks becomes a chain of k - 1 invisible nodes, so its work grows with the nodes, the
edges and those invisible nodes together, faster than linearly. A loop with shared weights is the
costly case: the weight, used at every step, sends an edge to every rank. ``cost(graph)`` counts
the three, with each op on the rank of the longest path to it and each leaf just above its first
use, which is close to what ``dot`` does; ``benchmarks/layout.py`` measured how long both
renderers take for a given cost.

Labels on the edges (the step-through page writes values and gradients there) cost about as much
again: ``dot`` lays each label out as a node of its own, on a rank between the two ends of its
edge, so the edges and their invisible nodes count twice.

``plan(graph)`` keeps a drawing under ``LAYOUT_BUDGET``: leaves used far apart (a shared weight)
are drawn once beside each use instead of once with long edges, the costliest first, only as many
as needed. A graph still over the budget, or of more than ``MAX_OPS`` ops, is drawn as a summary.
"""
from __future__ import annotations

from typing import NamedTuple

__all__ = ["Plan", "plan", "cost", "ranks", "LAYOUT_BUDGET", "MAX_OPS"]

# From benchmarks/layout.py (its table is in docs/gallery.md): a cost of 1,000 is laid out in
# about a second by the system dot and by graphviz-pure, for every family of graphs measured (up to
# 3 s on a machine whose two cores are busy with other work); the time grows faster than the cost.
LAYOUT_BUDGET = 1000
MAX_OPS = 200   # more ops than this make a summary by default (draw(t, max_ops=None) draws them all)


class Plan(NamedTuple):
    """How to draw a graph in full: ``copies`` (ids of the leaves drawn once beside each use),
    ``cost`` (of the layout with those copies) and ``fits`` (cost within the budget)."""

    copies: frozenset
    cost: int
    fits: bool


def ranks(graph) -> dict:
    """{op number: rank}: 1 + the longest path to the op from a leaf, then, newest op first, each
    op moved down to just above its first use (where ``dot``, which keeps edges short, puts an op
    that reads only leaves, such as the ``u * x`` of a loop)."""
    rank = {}
    for op in graph.ops:
        rank[op.number] = 1 + max((rank[p.op.number] for p in op.inputs if p.op is not None),
                                  default=0)
    for op in reversed(graph.ops):
        if op.out.users:
            rank[op.number] = max(rank[op.number], min(rank[u.number] for u in op.out.users) - 1)
    return rank


def _uses(graph, rank) -> dict:
    """{id(leaf tensor): (leaf, [ranks of the ops that use it])} for the leaves drawn as boxes."""
    uses = {}
    for op in graph.ops:
        for p in op.inputs:
            if p.op is None and not p.folded:
                uses.setdefault(id(p.tensor), (p, []))[1].append(rank[op.number])
    return uses


def _between_ops(graph, rank) -> int:
    """The edges between ops, and their invisible nodes."""
    return sum(rank[op.number] - rank[p.op.number]
               for op in graph.ops for p in op.inputs if p.op is not None)


def cost(graph, copies=frozenset(), labels: bool = False) -> int:
    """Nodes + edges + the invisible nodes of long edges, for the compact drawing of ``graph``
    with the leaves in ``copies`` drawn once per use (``labels``: with labels on the edges)."""
    rank, twice = ranks(graph), 2 if labels else 1
    total = len(graph.ops) + twice * _between_ops(graph, rank)
    for key, (leaf, at) in _uses(graph, rank).items():
        total += (1 + twice) * len(at) if key in copies else _once(at, twice)
    return total


def _once(at: list, twice: int = 1) -> int:
    """What a leaf drawn once costs: itself, its edges, and their invisible nodes (it sits just
    above its first use, at the lowest of the ranks ``at``)."""
    low = min(at)
    return 1 + twice * (len(at) + sum(at) - low * len(at))


def plan(graph, budget: int = LAYOUT_BUDGET, labels: bool = False) -> Plan:
    """The copies that bring the compact drawing of ``graph`` within ``budget`` (see the module's
    docstring; ``labels``: with labels on the edges); ``fits`` is False when even copying every
    shared leaf does not."""
    rank, twice = ranks(graph), 2 if labels else 1
    base = len(graph.ops) + twice * _between_ops(graph, rank)
    uses = _uses(graph, rank)
    extra = {k: _once(at, twice) for k, (_, at) in uses.items()}
    copied = {k: (1 + twice) * len(at) for k, (_, at) in uses.items()}
    total = base + sum(extra.values())
    copies = set()
    for key in sorted(extra, key=lambda k: copied[k] - extra[k]):
        if total <= budget:
            break
        saving = extra[key] - copied[key]
        if saving <= 0:
            break
        copies.add(key)
        total -= saving
    return Plan(frozenset(copies), total, total <= budget)
