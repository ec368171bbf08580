"""The step-through page: one HTML file that runs the forward pass and then the backward pass on
the diagram, one op at a time.

``write_page(loss, "backprop.html")`` writes a self-contained file (the diagram inlined as SVG; the
styles, the script and the vendored svg-pan-zoom library inlined from this package's ``static/``
folder; nothing fetched from the network). On the diagram, the value of each input is written
above its edge; in the backward pass the gradient that op sends back along the edge appears below
it once it has arrived, after a dot has carried it from the op to the input. The view is fitted
to the graph and follows the current op and its inputs (drag to pan, wheel or + / - to zoom).
Beside it: the step in words and a table of the gradients accumulated so far, which after the last
step holds what ``loss.backward()`` stores in ``.grad``. Keys: right / left arrow (or Next /
Prev), Home, End, F (fit the whole graph).

In Jupyter, ``Stepper(loss)`` shows the same page inline (``_repr_html_``). Each table cell
carries the exact numbers in ``data-values`` (JSON), so a program can check the page against the
engine.

Room for every gradient: each edge's label is laid out with two lines, the value going in and,
under it, the gradient that will come back, so Graphviz keeps both clear of the boxes; the page
hides the second line until the gradient arrives. The view zooms no further out than keeps the
current op's text 12 px tall, with an arrow at the border pointing to each input out of view.

Big graphs follow ``draw``'s rule (``diagram``): a graph of more than ``max_ops`` ops, or whose
layout would take too long, gives a page with the summary of the graph (its loss, parameters and
gradients, repeated blocks) and how to step through one part: ``write_page(loss, path,
around=tensor, depth=2)`` steps through the ops within 2 steps of that tensor.
"""
from __future__ import annotations

import html
import json
import math
import sys
from importlib import resources
from pathlib import Path

import numpy as np

from . import programs
from .diagram import draw
from .graph import build, format_array, shape_text, short_text
from .layout import LAYOUT_BUDGET, MAX_OPS
from .trace import trace

__all__ = ["write_page", "render_page", "page_data", "Stepper"]

MAX_VALUES = 1000  # larger gradients are shown as a summary only, without their exact numbers
EDGE_ENTRIES = 4   # an edge shows a value or gradient with at most this many entries, else its shape


def _static(name: str) -> str:
    return resources.files(__package__).joinpath("static", name).read_text(encoding="utf-8")


def _values(a) -> list | None:
    """An array's entries, flattened, as JSON-safe numbers (nan and inf as strings)."""
    a = np.asarray(a, dtype=np.float64)
    if a.size > MAX_VALUES:
        return None
    return [v if math.isfinite(v) else str(v) for v in a.ravel().tolist()]


def _cell(a, scale=None) -> dict:
    return {"text": format_array(a, scale=scale), "values": _values(a)}


def _svg_or_dot(diagram) -> str:
    """The diagram as inline SVG markup, or the DOT text with a note when no renderer exists."""
    if programs.find_renderer() is None:
        return ("<p class='note'>No Graphviz renderer (dot or graphviz-pure) was found when this "
                "page was written, so the diagram is given as DOT text:</p><pre>"
                + html.escape(diagram.source) + "</pre>")
    svg = programs.run(diagram.source, "svg", None, diagram.timeout, diagram.advice).decode("utf-8")
    return svg[svg.index("<svg"):]  # drop the XML prolog and DOCTYPE: not allowed inside HTML


def _edges(diagram, node) -> list:
    """The ids of the edges into op ``node`` (one per input, in order; None for a folded one)."""
    return [diagram.edge_ids.get((node.number, k)) for k in range(len(node.inputs))]


def _source_ids(diagram, node) -> list:
    """The node ids the edges into op ``node`` come from (the box of each input; a shared leaf
    drawn beside each use: the copy beside this op)."""
    out = []
    for k, p in enumerate(node.inputs):
        e = diagram.edge_ids.get((node.number, k))
        out.append(e[2:e.rindex(f"_{node.id}_")] if e else diagram.tensor_ids.get(id(p.tensor)))
    return out


def _forward_steps(tr, diagram) -> list:
    steps, scale = [], tr.graph.scale("value")
    for node in tr.graph.ops:
        if node.number not in diagram.op_ids:
            continue
        out = node.out.tensor
        steps.append({
            "phase": "forward", "title": f"Forward {node.number} of {len(tr)}: {node.expr}",
            "text": (f"Op {node.number} computes {node.expr}{(' ' + shape_text(out.shape))}:\n"
                     + format_array(out.data, scale=scale)),
            "op": node.id, "ins": _source_ids(diagram, node), "gets": [],
            "edges": _edges(diagram, node), "updates": {}, "sent": {}})
    return steps


def sent_texts(tr) -> dict:
    """{(op number, input): the gradient sent along that edge, as the page writes it}."""
    scale = tr[0]._scale if len(tr) else None
    return {(s.node.number, k): short_text(g, EDGE_ENTRIES, scale=scale)
            for s in tr for k, g in enumerate(s.grads_in) if g is not None}


def _backward_steps(tr, diagram) -> list:
    ids, texts = diagram.tensor_ids, sent_texts(tr)
    steps, scale = [], tr[0]._scale if len(tr) else None
    for s in tr:
        if s.node.number not in diagram.op_ids:
            continue
        edges, sources = _edges(diagram, s.node), _source_ids(diagram, s.node)
        sent = {e: texts[(s.node.number, k)] for k, (e, g) in enumerate(zip(edges, s.grads_in))
                if e is not None and g is not None}
        steps.append({
            "phase": "backward", "title": f"Backward {s.number} of {len(tr)}: op {s.node.number}, "
                                          f"{s.node.expr}",
            "text": str(s), "op": s.node.id, "ins": sources,
            "gets": [src for src, g in zip(sources, s.grads_in) if src and g is not None],
            "edges": edges, "sent": sent,
            "updates": {ids[k]: _cell(v, scale) for k, v in s.totals.items() if k in ids}})
    return steps


def page_data(loss, names=None, grad=None, frame=None, around=None, depth: int = 2,
              max_ops: int | None = MAX_OPS, budget: int = LAYOUT_BUDGET) -> tuple[dict, object]:
    """(data, diagram): what the page's script steps through, and the diagram it shows.

    ``data["steps"]``: the start, the forward steps (op 1..n), the backward steps (newest op
    first); a backward step's ``updates`` is {node id: running total after it} for each input that
    received a gradient, ``sent`` {edge id: the gradient sent along it, as text}, ``gets`` the
    boxes that receive one. With ``around=`` only the ops of that part are stepped through; a
    graph too big for a page (see the module's docstring) gives the start step only, whose text
    is the summary.
    """
    frame = frame or sys._getframe(1)
    tr = trace(loss, grad=grad, names=names, frame=frame)
    if around is None:      # draw's rule: a graph too big to lay out in time gives its summary
        first = draw(loss, names=names, frame=frame, max_ops=max_ops, budget=budget,
                     edge_values=True, _graph=tr.graph)
        if first.summary:
            return _summary_page(tr, first)
    diagram = draw(loss, names=names, show_values=False, show_grads=False, frame=frame,
                   max_ops=None, edge_values=True, around=around, depth=depth,
                   _sent=sent_texts(tr), budget=budget, _graph=tr.graph)
    ids, g = diagram.tensor_ids, tr.graph
    rows = [{"id": ids[id(n.tensor)], "name": n.name, "shape": shape_text(n.tensor.shape),
             "kind": n.kind} for n in g.tensors if n.tensor.requires_grad and id(n.tensor) in ids]
    rows.sort(key=lambda r: r["kind"] != "param")  # parameters first, then the tape's order
    root, name = ids.get(id(loss)), g.root.name
    backward = _backward_steps(tr, diagram)
    if backward and root is not None:
        backward[0]["updates"][root] = _cell(tr.seed)
    steps = [_start(tr, name, root, diagram)] + _forward_steps(tr, diagram) + backward
    return {"rows": rows, "steps": steps, "root": root, "name": name,
            "order": [op.id for op in g.ops if op.number in diagram.op_ids]}, diagram


def _start(tr, name, root, diagram) -> dict:
    part = f"\n{diagram.part_text}: only its ops are stepped through." if diagram.part_text else ""
    return {"phase": "start", "title": f"Start: {name} = {format_array(tr.root.data)}",
            "text": (f"The graph of {name}: {len(tr)} ops. Next (or the right arrow key) runs the "
                     f"forward pass one op at a time, then the backward pass, which starts at "
                     f"{name} with dL/d{name} = {format_array(tr.seed)}." + part
                     + ("\n(backward() had already walked this graph; the page walks it again, "
                        "from the values every tensor keeps.)" if tr.recomputed else "")),
            "op": root, "ins": [], "gets": [], "edges": [], "sent": {}, "updates": {}}


def _summary_page(tr, diagram) -> tuple:
    """The page of a graph too big to step through: its summary, in the picture and in words."""
    text = tr.summary().replace("Print steps 1 to 20: print(tr.show(1, 20)), or trace(loss, "
                                "steps=(1, 20))", "Step through one part")
    text += ("\nStep through one part: write_page(loss, path, around=tensor, depth=2), the ops "
             "within 2 steps of that tensor (or of an op number).")
    start = {"phase": "start", "title": f"Summary: {len(tr):,} ops, too many to step through",
             "text": text, "op": "root", "ins": [], "gets": [], "edges": [], "sent": {},
             "updates": {}}
    return {"rows": [], "steps": [start], "root": "root", "name": tr.graph.root.name,
            "order": [], "summary": True}, diagram


def render_page(loss, names=None, grad=None, title: str | None = None, frame=None, around=None,
                depth: int = 2, max_ops: int | None = MAX_OPS) -> str:
    """The step-through page for ``loss`` as one HTML string (see ``write_page``)."""
    data, diagram = page_data(loss, names=names, grad=grad, frame=frame or sys._getframe(1),
                              around=around, depth=depth, max_ops=max_ops)
    title = title or f"Backpropagation, step by step: {data['name']}"
    payload = json.dumps(data).replace("</", "<\\/")  # a JSON string may not close the script tag
    body = _static("page.html")
    for key, value in (("TITLE", html.escape(title)), ("ROOT", html.escape(data["name"])),
                       ("CSS", _static("page.css")),
                       ("SVG", _svg_or_dot(diagram)), ("DATA", payload),
                       ("PANZOOM", _static("vendor/svg-pan-zoom.min.js")),
                       ("JS", _static("page.js"))):
        body = body.replace("{{" + key + "}}", value)
    return body


def write_page(loss, path, names=None, grad=None, title: str | None = None, frame=None,
               around=None, depth: int = 2, max_ops: int | None = MAX_OPS) -> Path:
    """Write the step-through page of ``loss`` to ``path`` (one self-contained HTML file).

    ``names`` labels tensors as in ``viz.draw`` (by default the caller's variable names); ``grad``
    seeds the walk as in ``backward(grad)``. Works before or after ``loss.backward()`` (see
    ``trace``). A graph of more than ``max_ops`` ops, or too costly to lay out, gives a page with
    its summary; ``around=`` a tensor (or an op number) steps through the ops within ``depth``
    steps of it. Returns the path written.
    """
    path = Path(path)
    text = render_page(loss, names=names, grad=grad, title=title, frame=frame or sys._getframe(1),
                       around=around, depth=depth, max_ops=max_ops)
    path.write_text(text, encoding="utf-8")
    return path


class Stepper:
    """The step-through page of ``loss``, shown inline in Jupyter (in a frame of its own).

    ``Stepper(loss, names=None, grad=None, height=640)``; ``.html`` is the whole page.
    """

    def __init__(self, loss, names=None, grad=None, height: int = 640):
        self.html = render_page(loss, names=names, grad=grad, frame=sys._getframe(1))
        self.height = int(height)

    def _repr_html_(self) -> str:
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" title="step-through page" '
                f'style="width:100%;height:{self.height}px;border:1px solid #ccd;"></iframe>')
