"""What a drawing costs to lay out, and how to keep it cheap enough to finish in time.

Graphviz's ``dot`` puts each node on a rank (a row, for a top-to-bottom drawing) and an edge that
spans k ranks becomes a chain of k - 1 invisible nodes, so its work grows with the nodes, the
edges and those invisible nodes together, faster than linearly. A loop with shared weights is the
costly case: the weight, used at every step, sends an edge to every rank. ``cost(graph)`` counts
the three, with each op on the rank of the longest path to it and each leaf just above its first
use, which is close to what ``dot`` does; ``benchmarks/layout.py`` measured how long both
renderers take for a given cost.

``plan(graph)`` keeps a drawing under ``LAYOUT_BUDGET``: leaves used far apart (a shared weight)
are drawn once beside each use instead of once with long edges, the costliest first, only as many
as needed. A graph still over the budget, or of more than ``MAX_OPS`` ops, is drawn as a summary.
"""
from __future__ import annotations

from typing import NamedTuple

__all__ = ["Plan", "plan", "cost", "ranks", "LAYOUT_BUDGET", "MAX_OPS"]

# From benchmarks/layout.py (docs/benchmarks.md, "Laying out the diagrams"): a cost of 3,000 is
# laid out in under 2 s by the system dot and by graphviz-pure on these machines, for every family
# of graphs measured; the time grows about as the square of the cost beyond that.
LAYOUT_BUDGET = 3000
MAX_OPS = 200   # more ops than this make a summary by default (draw(t, max_ops=None) draws them all)


class Plan(NamedTuple):
    """How to draw a graph in full: ``copies`` (ids of the leaves drawn once beside each use),
    ``cost`` (of the layout with those copies) and ``fits`` (cost within the budget)."""

    copies: frozenset
    cost: int
    fits: bool


def ranks(graph) -> dict:
    """{op number: rank}: 1 + the longest path to the op from a leaf."""
    rank = {}
    for op in graph.ops:
        rank[op.number] = 1 + max((rank[p.op.number] for p in op.inputs if p.op is not None),
                                  default=0)
    return rank


def _uses(graph, rank) -> dict:
    """{id(leaf tensor): (leaf, [ranks of the ops that use it])} for the leaves drawn as boxes."""
    uses = {}
    for op in graph.ops:
        for p in op.inputs:
            if p.op is None and not p.folded:
                uses.setdefault(id(p.tensor), (p, []))[1].append(rank[op.number])
    return uses


def _spans(graph, rank) -> int:
    """The invisible nodes of the edges between ops."""
    return sum(rank[op.number] - rank[p.op.number] - 1
               for op in graph.ops for p in op.inputs if p.op is not None)


def cost(graph, copies=frozenset()) -> int:
    """Nodes + edges + the invisible nodes of long edges, for the compact drawing of ``graph``
    with the leaves in ``copies`` drawn once per use."""
    rank = ranks(graph)
    total = len(graph.ops) + _spans(graph, rank)
    for key, (leaf, at) in _uses(graph, rank).items():
        total += 2 * len(at) if key in copies else 1 + len(at) + sum(r - min(at) for r in at)
    return total


def plan(graph, budget: int = LAYOUT_BUDGET) -> Plan:
    """The copies that bring the compact drawing of ``graph`` within ``budget`` (see the module's
    docstring); ``fits`` is False when even copying every shared leaf does not."""
    rank = ranks(graph)
    base = len(graph.ops) + _spans(graph, rank)
    uses = _uses(graph, rank)
    extra = {k: 1 + len(at) + sum(r - min(at) for r in at) for k, (_, at) in uses.items()}
    total = base + sum(extra.values())
    copies = set()
    for key in sorted(extra, key=lambda k: -(extra[k] - 2 * len(uses[k][1]))):
        if total <= budget:
            break
        saving = extra[key] - 2 * len(uses[key][1])
        if saving <= 0:
            break
        copies.add(key)
        total -= saving
    return Plan(frozenset(copies), total, total <= budget)
