"""The summary of a graph too big to lay out in time: what a reader needs from it in a few boxes.

A summary says why it is one, then shows the tensor drawn from (its value and gradient), its
parameters with their values and gradients (the first ``MAX_PARAMS``), the tape as a few stretches
in order (each repeated block as "ops 1-19,996: (mul, mul, add, tanh) × 4,999, sharing w, u", the
rest counted by op), and how to draw one part of the graph in full
(``draw(t, around=w, depth=2)``). ``draw`` draws it; ``trace`` and ``write_page`` print the same
lines (``summary_lines``).
"""
from __future__ import annotations

import html
import textwrap

from .blocks import find_blocks
from .boxes import BORDER, COLOURS, DIM, HIGHLIGHT, font
from .numbers import format_array, shape_text

__all__ = ["summary_lines", "draw_summary", "segments", "MAX_PARAMS", "MAX_SEGMENTS"]

MAX_PARAMS = 12     # parameters listed by name
MAX_SEGMENTS = 13   # stretches of the tape drawn as boxes


def _h(s) -> str:
    return html.escape(str(s), quote=False)


def _counts(ops) -> str:
    counts = {}
    for op in ops:
        counts[op.name] = counts.get(op.name, 0) + 1
    top = sorted(counts.items(), key=lambda kv: -kv[1])
    text = ", ".join(f"{c:,} {name}" for name, c in top[:5])
    return text + (f", {sum(c for _, c in top[5:]):,} others" if len(top) > 5 else "")


def _block_text(graph, b) -> str:
    shared = ", ".join(n.name for n in b.shared[:6]) + (", ..." if len(b.shared) > 6 else "")
    text = f"({', '.join(b.names(graph))}) \u00d7 {b.count:,}"
    return text + (f", sharing {shared}" if shared else "")


def segments(graph, blocks) -> list:
    """The tape in stretches, in order: [(first op, last op, text)], each repeated block one
    stretch (the ``MAX_SEGMENTS // 2`` largest), the ops between them one stretch each."""
    keep = sorted(sorted(blocks, key=lambda b: -b.period * b.count)[:MAX_SEGMENTS // 2])
    out, at = [], 1
    for b in keep + [None]:
        end = b.first - 1 if b is not None else len(graph.ops)
        if end >= at:
            out.append((at, end, _counts(graph.ops[at - 1:end])))
        if b is not None:
            out.append((b.first, b.last, _block_text(graph, b)))
            at = b.last + 1
    return out


def _ops(a: int, b: int) -> str:
    return f"op {a:,}" if a == b else f"ops {a:,}-{b:,}"


def _grad_of(t):
    return t.grad


def _param_line(n, grad_of) -> str:
    x, g = n.tensor, grad_of(n.tensor)
    value = format_array(x.data, max_entries=4)
    grad = "none yet" if g is None else format_array(g, max_entries=4)
    return f"{n.name} {shape_text(x.shape)}".rstrip() + f": value {value}, grad {grad}"


def _how_to_part(graph) -> str:
    params = [n for n in graph.tensors if n.kind == "param"]
    example = f"around={params[0].name}" if params else f"around={len(graph.ops)}"
    return (f"To draw one part in full: draw(t, around=tensor, depth=2), the ops within 2 steps "
            f"of that tensor (e.g. draw(t, {example}, depth=2)), or around= an op's number on "
            f"the tape (1 to {len(graph.ops):,}); draw(t, max_ops=None) tries every op.")


def summary_lines(graph, reason: str, blocks=None, grad_of=_grad_of) -> list:
    """The summary as lines of text (see the module's docstring); ``grad_of(t)`` gives a tensor's
    gradient (its ``.grad`` by default)."""
    blocks = find_blocks(graph) if blocks is None else blocks
    root, g = graph.root, grad_of(graph.root.tensor)
    lines = [f"Summary of a graph of {len(graph.ops):,} ops ({reason}).",
             f"{root.name} {shape_text(root.tensor.shape)}".rstrip()
             + f" = {format_array(root.tensor.data, max_entries=4)}"
             + ("" if g is None else f", grad {format_array(g, max_entries=4)}")]
    params = [n for n in graph.tensors if n.kind == "param"]
    if params:
        lines.append(f"Parameters ({len(params):,}), with their gradients:")
        lines += ["  " + _param_line(n, grad_of) for n in params[:MAX_PARAMS]]
        if len(params) > MAX_PARAMS:
            lines.append(f"  ... and {len(params) - MAX_PARAMS:,} more")
    lines.append("The tape, in order:")
    lines += [f"  {_ops(a, b)}: {text}" for a, b, text in segments(graph, blocks)]
    lines.append(_how_to_part(graph))
    return lines


def _table(rows, colour=None) -> str:
    body = "".join(f'<TR><TD ALIGN="LEFT">{font(_h(r), colour)}</TD></TR>' for r in rows)
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">{body}</TABLE>>'


def draw_summary(d, graph, reason: str, blocks=None, marks=None) -> None:
    """Draw the summary into the Digraph ``d``: a note, the stretches of the tape in order, the
    parameters and the tensor drawn from. A highlighted op marks the stretch that holds it."""
    marks, blocks = marks or {}, find_blocks(graph) if blocks is None else blocks
    lines = summary_lines(graph, reason, blocks)
    wrapped = [w for line in (lines[0], lines[-1]) for w in textwrap.wrap(line, 70)]
    d.node("note", _table(wrapped), shape="note", style="filled", fillcolor="#ffffff", id="note")
    segs = segments(graph, blocks)
    for i, (a, b, text) in enumerate(segs):
        marked = [op for op in graph.ops[a - 1:b] if op.id in marks]
        rows = [_ops(a, b)] + textwrap.wrap(text, 50)
        rows += [f">> op {op.number}" + (f": {marks[op.id]}" if marks[op.id] else "") for op in marked]
        attrs = {**BORDER["inter"], "fillcolor": COLOURS["inter"], "id": f"seg{i}", "shape": "box"}
        if marked:
            attrs.update(HIGHLIGHT, **{"class": "highlighted"})
        d.node(f"seg{i}", _table(rows), **attrs)
        if i:
            d.edge(f"seg{i - 1}", f"seg{i}")
    root = graph.root
    d.node("root", _table([lines[1]]), **BORDER["output"], fillcolor=COLOURS["output"], id="root",
           shape="box")
    d.edge(f"seg{len(segs) - 1}", "root")
    params = [ln.strip() for ln in lines[2:] if ln.startswith("  ") and ln.strip()[:3] not in
              ("ops", "op ")]
    if params:
        d.node("params", _table([lines[2].rstrip(":")] + params, None), **BORDER["param"],
               fillcolor=COLOURS["param"], id="params", shape="box")
        used = {i for i, (a, b, _) in enumerate(segs)
                for op in graph.ops[a - 1:b] for p in op.inputs if p.kind == "param"}
        for i in sorted(used):
            d.edge("params", f"seg{i}", color=DIM, style="dashed")
    d.tensor_ids, d.op_ids, d.edge_ids = {id(root.tensor): "root"}, {}, {}
    d.summary_text = "\n".join(lines)
