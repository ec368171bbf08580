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
"""
from __future__ import annotations

import html
import importlib
import json
import math
import sys
from importlib import resources
from pathlib import Path

import numpy as np

_render = importlib.import_module(__package__ + ".render")  # the module (viz.render is the function)
from .diagram import draw
from .graph import format_array, shape_text, short_text
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


def _cell(a) -> dict:
    return {"text": format_array(a), "values": _values(a)}


def _svg_or_dot(diagram) -> str:
    """The diagram as inline SVG markup, or the DOT text with a note when no renderer exists."""
    if _render.find_renderer() is None:
        return ("<p class='note'>No Graphviz renderer (dot or graphviz-pure) was found when this "
                "page was written, so the diagram is given as DOT text:</p><pre>"
                + html.escape(diagram.source) + "</pre>")
    svg = _render.run(diagram.source, "svg").decode("utf-8")
    return svg[svg.index("<svg"):]  # drop the XML prolog and DOCTYPE: not allowed inside HTML


def _edges(diagram, node) -> list:
    """The ids of the edges into op ``node`` (one per input, in order; None for a folded one)."""
    out = []
    for k, p in enumerate(node.inputs):
        src = diagram.tensor_ids.get(id(p.tensor))
        out.append(None if src is None else f"e_{src}_{node.id}_{k}")
    return out


def _forward_steps(tr, diagram) -> list:
    steps = []
    for node in tr.graph.ops:
        out = node.out.tensor
        steps.append({
            "phase": "forward", "title": f"Forward {node.number} of {len(tr)}: {node.expr}",
            "text": (f"Op {node.number} computes {node.expr}{(' ' + shape_text(out.shape))}:\n"
                     + format_array(out.data)),
            "op": node.id, "ins": [diagram.tensor_ids.get(id(p.tensor)) for p in node.inputs],
            "edges": _edges(diagram, node), "updates": {}, "sent": {}})
    return steps


def _backward_steps(tr, diagram) -> list:
    ids = diagram.tensor_ids
    steps = []
    for s in tr:
        sent = {e: short_text(g, EDGE_ENTRIES) for e, g in zip(_edges(diagram, s.node), s.grads_in)
                if e is not None and g is not None}
        steps.append({
            "phase": "backward", "title": f"Backward {s.number} of {len(tr)}: op {s.node.number}, "
                                          f"{s.node.expr}",
            "text": str(s), "op": s.node.id, "ins": [ids.get(id(p)) for p in s.inputs],
            "edges": _edges(diagram, s.node), "sent": sent,
            "updates": {ids[k]: _cell(v) for k, v in s.totals.items() if k in ids}})
    return steps


def page_data(loss, names=None, grad=None, frame=None) -> tuple[dict, object]:
    """(data, diagram): what the page's script steps through, and the diagram it shows.

    ``data["steps"]``: the start, the forward steps (op 1..n), the backward steps (newest op
    first); a backward step's ``updates`` is {node id: running total after it} for each input that
    received a gradient, ``sent`` {edge id: the gradient sent along it, as text}. ``data["values"]``
    maps each edge id to the value written above it.
    """
    frame = frame or sys._getframe(1)
    tr = trace(loss, grad=grad, names=names, frame=frame)
    diagram = draw(loss, names=names, show_values=False, show_grads=False, frame=frame,
                   max_ops=None, edge_values=True)
    ids, g = diagram.tensor_ids, tr.graph
    rows = [{"id": ids[id(n.tensor)], "name": n.name, "shape": shape_text(n.tensor.shape),
             "kind": n.kind} for n in g.tensors if n.tensor.requires_grad and id(n.tensor) in ids]
    rows.sort(key=lambda r: r["kind"] != "param")  # parameters first, then the tape's order
    root, name = ids[id(loss)], g.root.name
    start = {"phase": "start", "title": f"Start: {name} = {format_array(loss.data)}",
             "text": (f"The graph of {name}: {len(tr)} ops. Next (or the right arrow key) runs the "
                      f"forward pass one op at a time, then the backward pass, which starts at "
                      f"{name} with dL/d{name} = {format_array(tr.seed)}."
                      + ("\n(backward() had already walked this graph; the page walks it again, "
                         "from the values every tensor keeps.)" if tr.recomputed else "")),
             "op": root, "ins": [], "edges": [], "sent": {}, "updates": {}}
    backward = _backward_steps(tr, diagram)
    backward[0]["updates"][root] = _cell(tr.seed)
    steps = [start] + _forward_steps(tr, diagram) + backward
    return {"rows": rows, "steps": steps, "root": root, "name": name,
            "order": [op.id for op in g.ops]}, diagram


def render_page(loss, names=None, grad=None, title: str | None = None, frame=None) -> str:
    """The step-through page for ``loss`` as one HTML string (see ``write_page``)."""
    data, diagram = page_data(loss, names=names, grad=grad, frame=frame or sys._getframe(1))
    title = title or f"Backpropagation, step by step: {data['name']}"
    payload = json.dumps(data).replace("</", "<\\/")  # a JSON string may not close the script tag
    body = _static("page.html")
    for key, value in (("TITLE", html.escape(title)), ("CSS", _static("page.css")),
                       ("SVG", _svg_or_dot(diagram)), ("DATA", payload),
                       ("PANZOOM", _static("vendor/svg-pan-zoom.min.js")),
                       ("JS", _static("page.js"))):
        body = body.replace("{{" + key + "}}", value)
    return body


def write_page(loss, path, names=None, grad=None, title: str | None = None, frame=None) -> Path:
    """Write the step-through page of ``loss`` to ``path`` (one self-contained HTML file).

    ``names`` labels tensors as in ``viz.draw`` (by default the caller's variable names); ``grad``
    seeds the walk as in ``backward(grad)``. Works before or after ``loss.backward()`` (see
    ``trace``). Returns the path written.
    """
    path = Path(path)
    text = render_page(loss, names=names, grad=grad, title=title, frame=frame or sys._getframe(1))
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
