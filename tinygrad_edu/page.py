"""The step-through page: one HTML file that walks the backward pass one tape entry at a time.

``write_page(loss, "backprop.html")`` writes a single self-contained file (the diagram inlined as
SVG, the script and styles inline, nothing fetched from the network) that any browser opens. Next
and Prev (or the arrow keys) move through the steps of ``trace(loss)``: the current op is outlined
in red on the diagram, its output in orange and its inputs in green; beside it, the step told in
words and a table of every gradient accumulated so far. After the last step the table holds what
``loss.backward()`` stores in ``.grad``.

Each table cell carries the exact numbers in a ``data-values`` attribute (JSON, full precision), so
that a program can check the page against the engine.
"""
from __future__ import annotations

import html
import json
import math
from pathlib import Path

import numpy as np

from .trace import trace
from . import viz
from .viz import _shape_text, draw, format_array, kind_of, to_svg

MAX_VALUES = 1000  # larger gradients are shown as a summary only, without their exact numbers


def _values(a) -> list | None:
    """A gradient's entries, flattened, as JSON-safe numbers (nan and inf as strings)."""
    a = np.asarray(a, dtype=np.float64)
    if a.size > MAX_VALUES:
        return None
    return [v if math.isfinite(v) else str(v) for v in a.ravel().tolist()]


def _cell(a) -> dict:
    return {"text": format_array(a), "values": _values(a)}


def _svg_or_dot(diagram) -> str:
    """The diagram as inline SVG markup, or the DOT text with a note when no renderer exists."""
    if viz.find_renderer() is None:
        return ("<p class='note'>No Graphviz renderer (dot or graphviz-pure) was found when this "
                "page was written, so the diagram is given as DOT text:</p><pre>"
                + html.escape(diagram.source) + "</pre>")
    svg = to_svg(diagram)
    return svg[svg.index("<svg"):]  # drop the XML prolog and DOCTYPE: not allowed inside HTML


def page_data(loss, names=None, grad=None) -> tuple[dict, object]:
    """(data, diagram): what the page's script steps through, and the diagram it highlights.

    ``data["steps"][0]`` is the start (only the seed gradient); step ``k`` (1..n) is tape entry
    ``k`` of the walk, newest first, with ``updates``: {node id: the running total after that step}
    for each input that received a gradient. Replaying the updates of steps 0..k gives the
    gradients accumulated so far.
    """
    tr = trace(loss, grad=grad, names=names)
    diagram = draw(loss, names=names, show_grads=False)
    ids = diagram.tensor_ids
    rows = [{"id": ids[id(t)], "name": tr.names[id(t)], "shape": _shape_text(t.shape),
             "kind": kind_of(t, loss)} for t in tr.tensors if t.requires_grad]
    rows.sort(key=lambda r: r["kind"] != "param")  # parameters first, then the tape's order
    root = ids[id(loss)]
    steps = [{"title": f"Start: dL/d{tr.names[id(loss)]} = {format_array(tr.seed)}",
              "text": (f"The backward pass starts at {tr.names[id(loss)]} with the seed gradient "
                       f"dL/d{tr.names[id(loss)]} = {format_array(tr.seed)}.\nPress Next (or the "
                       f"right arrow key) to run the newest op's local gradient."),
              "op": None, "out": root, "ins": [], "updates": {root: _cell(tr.seed)}}]
    for s in tr:
        steps.append({
            "title": f"Step {s.number} of {len(tr)}: {s.op.describe()}",
            "text": str(s),
            "op": diagram.op_ids[s.op.seq],
            "out": ids[id(s.output)],
            "ins": [ids[id(p)] for p in s.inputs],
            "updates": {ids[k]: _cell(v) for k, v in s.totals.items()},
        })
    return {"rows": rows, "steps": steps, "root": root, "name": tr.names[id(loss)]}, diagram


_CSS = """
body { font-family: Helvetica, Arial, sans-serif; margin: 0; color: #222; }
header { padding: 10px 16px; background: #f4f4f4; border-bottom: 1px solid #ddd; }
header h1 { font-size: 18px; margin: 0 0 4px 0; }
header p { margin: 0; font-size: 13px; color: #555; }
main { display: flex; gap: 16px; padding: 12px 16px; align-items: flex-start; }
#diagram { flex: 1 1 55%; overflow: auto; max-height: 88vh; border: 1px solid #ddd; }
#side { flex: 1 1 45%; min-width: 320px; }
#controls { display: flex; gap: 8px; align-items: center; margin-bottom: 8px; }
button { font-size: 14px; padding: 4px 14px; }
#counter { font-size: 14px; color: #444; }
#title { font-size: 15px; font-weight: bold; margin: 6px 0; }
#narration { background: #fafafa; border: 1px solid #e3e3e3; padding: 8px; font-size: 12px;
             white-space: pre; overflow-x: auto; max-height: 40vh; }
table { border-collapse: collapse; font-size: 12px; width: 100%; }
th, td { border: 1px solid #ddd; padding: 3px 6px; text-align: left; vertical-align: top; }
td.grad { font-family: monospace; white-space: pre; }
tr.updated td { background: #fff1c9; }
tr.param td:first-child { border-left: 4px solid #7cc47c; }
.note { color: #a33; }
#diagram g.current > ellipse, #diagram g.current > polygon, #diagram g.current > path
  { stroke: #d62728; stroke-width: 4px; }
#diagram g.current-out > polygon, #diagram g.current-out > path { stroke: #ff7f0e; stroke-width: 4px; }
#diagram g.current-in > polygon, #diagram g.current-in > path { stroke: #2ca02c; stroke-width: 4px; }
#diagram g.edge.current-edge > path { stroke: #d62728; stroke-width: 2.5px; }
"""

_JS = """
(function () {
  var data = JSON.parse(document.getElementById('data').textContent);
  var steps = data.steps, k = 0;
  var body = document.getElementById('grads');
  var rows = {};
  data.rows.forEach(function (r) {
    var tr = document.createElement('tr');
    tr.id = 'row-' + r.id;
    tr.className = r.kind;
    tr.innerHTML = '<td class="name"></td><td class="shape"></td><td class="grad"></td>';
    tr.children[0].textContent = r.name;
    tr.children[1].textContent = r.shape;
    tr.children[2].textContent = '(none yet)';
    tr.children[2].setAttribute('data-tensor', r.id);
    body.appendChild(tr);
    rows[r.id] = tr;
  });
  function mark(id, cls) {
    var el = document.getElementById(id);
    if (el) { el.classList.add(cls); }
    return el;
  }
  function show() {
    var totals = {};
    for (var i = 0; i <= k; i++) {
      for (var id in steps[i].updates) { totals[id] = steps[i].updates[id]; }
    }
    Object.keys(rows).forEach(function (id) {
      var cell = rows[id].children[2], t = totals[id];
      cell.textContent = t ? t.text : '(none yet)';
      if (t && t.values) { cell.setAttribute('data-values', JSON.stringify(t.values)); }
      else { cell.removeAttribute('data-values'); }
      rows[id].classList.toggle('updated', id in steps[k].updates);
    });
    ['current', 'current-in', 'current-out', 'current-edge'].forEach(function (c) {
      document.querySelectorAll('#diagram .' + c).forEach(function (el) { el.classList.remove(c); });
    });
    var s = steps[k];
    if (s.op) {
      var op = mark(s.op, 'current');
      mark(s.out, 'current-out');
      s.ins.forEach(function (id) { mark(id, 'current-in'); });
      document.querySelectorAll('#diagram g.edge').forEach(function (e) {
        if (e.id.indexOf('_' + s.op + '_') >= 0 || e.id.indexOf('e_' + s.op + '_') === 0) {
          e.classList.add('current-edge');
        }
      });
      if (op && op.scrollIntoView) { op.scrollIntoView({block: 'nearest', inline: 'nearest'}); }
    } else {
      mark(s.out, 'current-out');
    }
    document.getElementById('title').textContent = s.title;
    document.getElementById('narration').textContent = s.text;
    document.getElementById('counter').textContent =
      (k === 0 ? 'start' : 'step ' + k) + ' of ' + (steps.length - 1);
    document.getElementById('prev').disabled = (k === 0);
    document.getElementById('next').disabled = (k === steps.length - 1);
    document.body.setAttribute('data-step', String(k));
  }
  function go(d) { k = Math.max(0, Math.min(steps.length - 1, k + d)); show(); }
  document.getElementById('next').addEventListener('click', function () { go(1); });
  document.getElementById('prev').addEventListener('click', function () { go(-1); });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown') { go(1); e.preventDefault(); }
    if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') { go(-1); e.preventDefault(); }
  });
  show();
})();
"""


def render_page(loss, names=None, grad=None, title: str | None = None) -> str:
    """The step-through page for ``loss`` as one HTML string (see ``write_page``)."""
    data, diagram = page_data(loss, names=names, grad=grad)
    title = title or f"Backpropagation, step by step: {data['name']}"
    payload = json.dumps(data).replace("</", "<\\/")  # a JSON string may not close the script tag
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(title)}</title>
<style>{_CSS}</style>
</head>
<body data-step="0">
<header>
<h1>{html.escape(title)}</h1>
<p>The backward pass, one tape entry at a time, newest op first. Next / Prev or the arrow keys step
through it. Red: the op whose local gradient runs now; orange: its output (the gradient arriving);
green: its inputs (the gradients sent).</p>
</header>
<main>
<div id="diagram">{_svg_or_dot(diagram)}</div>
<div id="side">
<div id="controls"><button id="prev">&larr; Prev</button><button id="next">Next &rarr;</button>
<span id="counter"></span></div>
<div id="title"></div>
<pre id="narration"></pre>
<h2 style="font-size:15px">Gradients accumulated so far</h2>
<table><thead><tr><th>tensor</th><th>shape</th><th>dL/d tensor</th></tr></thead>
<tbody id="grads"></tbody></table>
</div>
</main>
<script type="application/json" id="data">{payload}</script>
<script>{_JS}</script>
</body>
</html>
"""


def write_page(loss, path, names=None, grad=None, title: str | None = None) -> Path:
    """Write the step-through page of ``loss``'s backward pass to ``path`` (one HTML file).

    ``names`` labels tensors as in ``viz.draw``; ``grad`` seeds the walk as in ``backward(grad)``.
    Call it before ``loss.backward()`` (or after ``backward(retain_graph=True)``): the walk needs
    the values the ops saved. Returns the path written.
    """
    path = Path(path)
    path.write_text(render_page(loss, names=names, grad=grad, title=title), encoding="utf-8")
    return path
