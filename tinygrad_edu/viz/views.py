"""What a compact drawing shows when it does not show every op as it is: repeated blocks drawn
once, or one part of a big graph.

``collapse(graph, blocks)`` draws each repeated block (``blocks.find_blocks``) once: the first
repeat's boxes, in a frame that says "× n" and which tape entries it stands for, without numbers
(each repeat has its own), with a dashed edge back to the top of the body for the value the next
repeat takes (a loop's ``h``), and with ``c[t]`` for a constant that differs in each repeat. The
parameters, drawn once, hold the whole gradient, summed over the repeats. When the tensor drawn
from is made in the last repeat, that repeat is drawn in full after the block.

``part(graph, around, depth)`` draws the ops within ``depth`` steps of a tensor (or of an op,
by its number), inputs from outside the part as small dashed stubs that name where they come from.
"""
from __future__ import annotations

import re

from .blocks import Block
from .boxes import View
from .graph import TensorNode

__all__ = ["collapse", "part", "around_ops"]


def _sub(text: str, mapping: dict) -> str:
    """``text`` with each whole name in ``mapping`` replaced, and the gradient names made of them
    (``dmul5``); names may be numbers (a negative one in parentheses, as the formulas write it)."""
    if not mapping or not text:
        return text
    full = dict(mapping)
    for k, v in mapping.items():
        if k.isidentifier():
            full["d" + k] = "d" + v
        elif k.startswith("-"):
            full[f"({k})"] = v
    pattern = "|".join(re.escape(k) for k in sorted(full, key=len, reverse=True))
    return re.sub(rf"(?<![\w.])({pattern})(?![\w.])", lambda m: full[m.group(1)], text)


def _listing(values: list) -> str:
    shown = values if len(values) <= 4 else values[:2] + ["..."] + values[-1:]
    return ", ".join(shown)


def _body_names(graph, b: Block, count: int) -> list:
    """Per body position: the name of the last repeat's tensor there that has a name of its own,
    else the first repeat's (default) name."""
    out = []
    for j in range(b.period):
        nodes = [graph.ops[b.first - 1 + j + r * b.period].out for r in range(count)]
        named = [n.name for n in nodes if n.named]
        out.append(named[-1] if named else nodes[0].name)
    return out


def _varying(graph, b: Block, count: int, view: View, mapping: dict) -> list:
    """Constants that differ in each repeat: folded ones become ``c[t]`` in the texts (returns
    [(name, the note saying its values)]), drawn ones are titled "(one per repeat)"."""
    notes, k = [], 0
    for j in range(b.period):
        ops = [graph.ops[b.first - 1 + j + r * b.period] for r in range(count)]
        for i, p in enumerate(ops[1].inputs):
            firsts = [op.inputs[i] for op in ops]
            if p.kind != "const" or len({id(x.tensor) for x in firsts}) == 1:
                continue
            if p.folded:
                name = "c[t]" if k == 0 else f"c{k + 1}[t]"
                k += 1
                mapping[p.name] = name
                notes.append((name, f"{name} = {_listing([x.name for x in firsts])} (one per repeat)"))
            else:
                view.leaf_title[id(firsts[0].tensor)] = f"{firsts[0].name} (one per repeat, x {count})"
    return notes


def _carries(graph, b: Block, view: View) -> None:
    """Dashed edges from the body op whose output the next repeat takes, to the op taking it."""
    second = b.first + b.period
    for j in range(b.period):
        op = graph.ops[second - 1 + j]
        for p in op.inputs:
            if p.op is not None and b.first <= p.op.number < second:
                view.carries.append((p.op.number, b.first + j, "next repeat"))


def _collapse_one(graph, b: Block, count: int, view: View, hidden: dict) -> None:
    names = _body_names(graph, b, count)
    mapping = {}
    for r in (0, 1):
        for j in range(b.period):
            mapping[graph.ops[b.first - 1 + j + r * b.period].out.name] = names[j]
    notes = _varying(graph, b, count, view, mapping)
    first, last = b.first, b.first + b.period * count - 1
    for j in range(b.period):
        k, template = first + j, graph.ops[first - 1 + b.period + j]
        view.title[k] = f"{k}. " + _sub(template.expr, mapping)
        view.formulas[k] = [_sub(f, mapping) if f else f for f in template.grads]
        view.notes[k] = [text for name, text in notes if name in view.title[k]]
        view.bare.add(k)
        for r in range(1, count):
            number = k + r * b.period
            view.stand_in[number] = k
            hidden[number] = (names[j], r + 1)
    _carries(graph, b, view)
    view.clusters.append((f"\u00d7 {count}   (ops {first}-{last}: op k here stands for k, "
                          f"k+{b.period}, ..., k+{b.period * (count - 1)})",
                          list(range(first, first + b.period))))


def collapse(graph, blocks) -> tuple:
    """(View, [(Block, count drawn once)]) for drawing ``blocks`` once each (see the module's
    docstring); blocks that would be fewer than two repeats are left as they are."""
    view, hidden, kept = View(), {}, []
    root_op = graph.root.op.number if graph.root.op is not None else None
    for b in blocks:
        count = b.count - 1 if root_op is not None and b.last >= root_op >= b.first else b.count
        if count < 2:
            continue
        _collapse_one(graph, b, count, view, hidden)
        kept.append((b, count))
    view.drawn = {op.number for op in graph.ops if op.number not in view.stand_in}
    for op in graph.ops:                    # ops after a block that read one of its repeats
        if op.number in view.drawn and op.number not in view.title:
            seen = {p.op.number: hidden[p.op.number] for p in op.inputs
                    if p.op is not None and p.op.number in hidden}
            if seen:
                mapping = {graph.ops[n - 1].out.name: name for n, (name, _) in seen.items()}
                view.title[op.number] = f"{op.number}. " + _sub(op.expr, mapping)
                view.formulas[op.number] = [_sub(f, mapping) if f else f for f in op.grads]
                view.notes[op.number] = [f"{name}: its repeat {r} (op {n})"
                                         for n, (name, r) in seen.items()]
    return view, kept


# ----------------------------------------------------------------------------------------------
# A part of the graph.
# ----------------------------------------------------------------------------------------------


def around_ops(graph, around, depth: int) -> tuple:
    """(the op numbers within ``depth`` steps of ``around``, the centre's description).
    ``around`` is a Tensor of the graph or an op number (1 .. n)."""
    if isinstance(around, bool) or not (isinstance(around, int) or hasattr(around, "tape")):
        raise TypeError(f"draw: around= takes a Tensor of the graph or an op number, got "
                        f"{type(around).__name__}")
    if isinstance(around, int):
        if not 1 <= around <= len(graph.ops):
            raise ValueError(f"draw: around={around} is not an op of this graph (ops 1 to "
                             f"{len(graph.ops)})")
        start, what = [graph.ops[around - 1]], f"op {around}"
    else:
        if id(around) not in graph.names:
            raise ValueError(f"draw: around= a tensor of shape {tuple(around.shape)} that is not in "
                             f"the graph (only what the drawn tensor depends on is drawn)")
        node: TensorNode = graph.node(around)
        start = [node.op] if node.op is not None else list(node.users)
        what = node.name + (f" (op {node.op.number})" if node.op is not None else "")
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 0:
        raise ValueError(f"draw: depth must be a whole number >= 0, got {depth!r}")
    seen, frontier = {op.number for op in start}, list(start)
    for _ in range(depth):
        nxt = []
        for op in frontier:
            for other in [p.op for p in op.inputs if p.op is not None] + list(op.out.users):
                if other.number not in seen:
                    seen.add(other.number)
                    nxt.append(other)
        frontier = nxt
    return seen, what


def part(graph, around, depth: int) -> tuple:
    """(View, text): the ops within ``depth`` steps of ``around``, with stubs for the inputs they
    take from outside and a line in each box whose tensor is used outside."""
    numbers, what = around_ops(graph, around, depth)
    view = View()
    view.drawn = numbers
    for op in graph.ops:
        if op.number not in numbers:
            continue
        for p in op.inputs:
            if p.op is not None and p.op.number not in numbers:
                view.stubs[p.op.number] = f"{p.name} (from op {p.op.number}, not drawn)"
        outside = sorted(u.number for u in op.out.users if u.number not in numbers)
        if outside:
            shown = ", ".join(map(str, outside[:6])) + (", ..." if len(outside) > 6 else "")
            view.tail[op.number] = [f"also used by op{'s' * (len(outside) > 1)} {shown} "
                                    f"(not drawn)"]
    text = (f"Part of a graph of {len(graph.ops):,} ops: the {len(numbers)} ops within {depth} "
            f"step{'s' * (depth != 1)} of {what}")
    return view, text
