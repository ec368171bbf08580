"""Diagrams of the computation graph, drawn from the graph model (``graph.build``).

``draw(t)`` returns a ``Diagram`` (a ``graphviz.Digraph``). By default it is compact, made to be
read on a slide: an op and the tensor it makes are one box (``3. probs = exp(shifted)`` with the
tensor's shape, said once), the leaves are boxes of their own (parameters with a bold border,
constants dashed, one-element constants written into the expression), values and gradients in a
monospace font side by side, in full up to ``graph.MAX_ENTRIES`` entries, and under each op the
local-gradient formula of each input that needs one, written for this call (``dW = X.T @ dy``).
Ops are numbered 1..n within the graph, as ``print(t.tape())`` numbers them. ``detail=True`` draws
the full sheet instead: tensors and ops as separate nodes, every edge labelled with its shape.

A graph of more than ``max_ops`` ops (default 200) is drawn as a summary: runs of consecutive
tape entries collapse into one box each that counts its ops, and a note says so.

The DOT text (``.source``) needs no Graphviz program; ``.render()``, ``.pipe()``, ``to_svg``,
``render`` and the Jupyter display go through the system ``dot`` or the shipped ``graphviz-pure``::

    from tinygrad_edu.viz import draw, render
    loss = (W * W).sum()
    loss.backward()
    render(loss, "loss.png")           # the format follows the suffix: svg, png, pdf, dot
"""
from __future__ import annotations

import html
import os
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import graphviz
import numpy as np

from . import programs
from .graph import MAX_ENTRIES, NOISE, PRECISION, build, format_array, shape_text, short_text

__all__ = ["draw", "Diagram", "to_svg", "render", "COLOURS", "MAX_OPS"]

MAX_OPS = 200   # larger graphs are drawn as a summary (draw(t, max_ops=None) draws every op)
FONT, MONO, SIZE = "Helvetica", "Courier", "14"

# Okabe-Ito tints (distinguishable with colour-blindness), each kind also marked by its border
COLOURS = {
    "param": "#cfe6f5",   # leaf that requires grad (bold border): what training updates
    "const": "#eeeeee",   # input that does not require grad (dashed border)
    "inter": "#fbfbf6",   # made by an op
    "output": "#fbd9a6",  # the tensor drawn from (double border)
    "op": "#fff1b8",      # an op (detail sheet)
}
_STYLE = {"param": "filled,rounded,bold", "const": "filled,dashed", "inter": "filled",
          "output": "filled,bold"}
# highlight=: Okabe-Ito vermilion, a border four times as wide as the others, and a line of text
# that says why, so that the mark does not rest on the colour alone
HIGHLIGHT = {"color": "#D55E00", "penwidth": "4"}


def _h(s: str) -> str:
    return html.escape(str(s), quote=False)


def _mono(lines) -> str:
    """Left-aligned lines of monospace text as an HTML-like label fragment."""
    return "".join(f'<FONT FACE="{MONO}">{_h(line).replace(" ", "&#160;")}</FONT>'
                   f'<BR ALIGN="LEFT"/>' for line in lines)


class _Show(NamedTuple):
    """What the boxes say: values, gradients, formulas; ``fmt`` the options of ``format_array``."""

    values: bool
    grads: bool
    formulas: bool
    fmt: dict


def _numbers(x, show: _Show) -> list[str]:
    """The value and the gradient of tensor ``x`` side by side, as lines of monospace text."""
    value = format_array(x.data, **show.fmt).splitlines() if show.values else []
    grad = (format_array(x.grad, **show.fmt).splitlines()
            if show.grads and x.grad is not None else [])
    if not grad:
        return value
    if not value:
        return ["grad " + grad[0]] + ["     " + g for g in grad[1:]]
    if len(value) == 1 and len(grad) == 1:
        return [f"{value[0]}   grad {grad[0]}"]
    width = max(len(v) for v in value)
    rows = [f"{'value'.ljust(width)}   grad"]
    for i in range(max(len(value), len(grad))):
        v = value[i] if i < len(value) else ""
        rows.append(f"{v.ljust(width)}   {grad[i] if i < len(grad) else ''}".rstrip())
    return rows


def _head(title: str, x) -> str:
    extra = shape_text(x.shape)
    if x.dtype != np.float64:
        extra += f" {x.dtype}"
    tail = f'  <FONT COLOR="#444444">{_h(extra)}</FONT>' if extra.strip() else ""
    return f"<B>{_h(title)}</B>{tail}<BR ALIGN=\"LEFT\"/>"


def _mark_line(mark) -> str:
    """The highlight's line of text (bold, in the highlight's colour), or nothing."""
    if not mark:
        return ""
    return f'<FONT COLOR="{HIGHLIGHT["color"]}"><B>&gt;&gt; {_h(mark)}</B></FONT><BR ALIGN="LEFT"/>'


def _marked(nid: str, marks: dict, attrs: dict) -> dict:
    """``attrs`` of node ``nid``, with the highlight's border and class when ``marks`` holds it."""
    if nid not in marks:
        return attrs
    out = {**attrs, **HIGHLIGHT}
    out["class"] = (attrs.get("class", "") + " highlighted").strip()
    return out


def _compact_label(tnode, show: _Show, mark=None) -> str:
    x, op = tnode.tensor, tnode.op
    title = f"{op.number}. {op.expr}" if op is not None else tnode.name
    label = _mark_line(mark) + _head(title, x) + _mono(_numbers(x, show))
    if show.formulas and op is not None:
        label += "".join(f'<FONT COLOR="#333333">{_h(f)}</FONT><BR ALIGN="LEFT"/>'
                         for f in op.grads if f)
    return f"<{label}>"


def _new(rankdir: str, **graph_attr) -> "Diagram":
    return Diagram(name="graph", graph_attr={"rankdir": rankdir, "fontname": FONT,
                                             "nodesep": "0.25", "ranksep": "0.3", **graph_attr},
                   node_attr={"fontname": FONT, "fontsize": SIZE, "shape": "box",
                              "margin": "0.08,0.04"},
                   edge_attr={"fontname": FONT, "fontsize": SIZE, "color": "#555555"})


def _draw_compact(g, rankdir, show: _Show, edge_values=False, marks=None):
    d = _new(rankdir)
    ids, marks = {}, marks or {}
    for n in g.tensors:
        if n.folded:
            continue
        nid = n.op.id if n.op is not None else n.id
        ids[id(n.tensor)] = nid
        extra = {"peripheries": "2"} if n.kind == "output" else {}
        attrs = {"style": _STYLE[n.kind], "fillcolor": COLOURS[n.kind], "id": nid,
                 "class": f"tensor {n.kind}" + (" op" if n.op else ""), **extra}
        d.node(nid, _compact_label(n, show, marks.get(nid)), **_marked(nid, marks, attrs))
    for op in g.ops:
        for k, (p, role) in enumerate(zip(op.inputs, op.roles)):
            if p.folded:
                continue
            label = role
            if edge_values:
                label = f"{role}: " * bool(role) + short_text(p.tensor.data)
            d.edge(ids[id(p.tensor)], op.id, label=label, id=f"e_{ids[id(p.tensor)]}_{op.id}_{k}")
    d.tensor_ids, d.op_ids = ids, {op.number: op.id for op in g.ops}
    return d


def _detail_tensor_label(n, show: _Show) -> str:
    x = n.tensor
    label = _head(n.name, x)
    if n.kind == "const":
        label += "constant<BR ALIGN=\"LEFT\"/>"
    return f"<{label}{_mono(_numbers(x, show))}>"


def _draw_detail(g, rankdir, show: _Show, edge_values=False, marks=None):
    """The full sheet: a box per tensor, an ellipse per op, every edge labelled with its shape.
    A highlighted op's mark goes on its ellipse, a highlighted leaf's on its box."""
    d = _new(rankdir)
    ids, marks = {}, marks or {}
    for n in g.tensors:
        ids[id(n.tensor)] = n.id
        attrs = {"style": _STYLE[n.kind], "fillcolor": COLOURS[n.kind], "id": n.id,
                 "class": f"tensor {n.kind}"}
        label = _detail_tensor_label(n, show)
        if n.id in marks:
            label = f"<{_mark_line(marks[n.id])}{label[1:]}"
        d.node(n.id, label, **_marked(n.id, marks, attrs))
    for op in g.ops:
        label = f"<B>{op.number}. {_h(op.op.describe())}</B><BR/>{_h(op.expr)}"
        if show.formulas:
            label += "".join(f"<BR/>{_h(f)}" for f in op.grads if f)
        if op.id in marks:
            label = _mark_line(marks[op.id]).replace('<BR ALIGN="LEFT"/>', "<BR/>") + label
        attrs = {"shape": "ellipse", "style": "filled", "fillcolor": COLOURS["op"], "id": op.id,
                 "class": "op"}
        d.node(op.id, f"<{label}>", **_marked(op.id, marks, attrs))
        for k, (p, role) in enumerate(zip(op.inputs, op.roles)):
            text = " ".join(s for s in (role, str(tuple(p.tensor.shape))) if s)
            d.edge(ids[id(p.tensor)], op.id, label=text, id=f"e_{ids[id(p.tensor)]}_{op.id}_{k}")
        d.edge(op.id, op.out.id, label=str(tuple(op.out.tensor.shape)),
               id=f"e_{op.id}_{op.out.id}")
    d.tensor_ids, d.op_ids = ids, {op.number: op.id for op in g.ops}
    return d


def _period(names: list) -> int:
    """The length of the op pattern that repeats through ``names`` (a loop's body), 1 if none of
    up to 24 ops repeats for at least nine tenths of the tape."""
    for p in range(1, 25):
        same = sum(names[i] == names[i + p] for i in range(len(names) - p))
        if same >= 0.9 * (len(names) - p):
            return p
    return 1


def _block_text(ops, p: int) -> str:
    """What a block of ops holds: ``40 x (mul, add, tanh)`` for a repeated pattern, else counts."""
    names = [op.name for op in ops]
    if p > 1 and len(names) % p == 0 and names == names[:p] * (len(names) // p):
        return f"{len(names) // p} x ({', '.join(names[:p])})"
    counts = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    return ", ".join(f"{c} {name}" for name, c in sorted(counts.items(), key=lambda kv: -kv[1]))


def _summary_edges(blocks, block_of) -> set:
    edges = set()
    for b, ops in enumerate(blocks):
        for op in ops:
            for p in op.inputs:
                if p.op is not None and block_of[p.op.number] != b:
                    edges.add((f"block{block_of[p.op.number]}", f"block{b}"))
                elif p.op is None and p.kind == "param":
                    edges.add((p.id, f"block{b}"))
    return edges


def _draw_summary(g, rankdir, max_ops, marks=None) -> "Diagram":
    """Runs of consecutive tape entries as one box each (at most about 40 boxes, whole repeats
    of the graph's repeating pattern when it has one), the parameters as boxes of their own, and
    a note that says this is a summary. A highlighted op marks the box that holds it."""
    marks = marks or {}
    n, p = len(g.ops), _period([op.name for op in g.ops])
    size = p * max(1, -(-n // (40 * p)))
    blocks = [g.ops[i:i + size] for i in range(0, n, size)]
    block_of = {op.number: b for b, ops in enumerate(blocks) for op in ops}
    d = _new(rankdir)
    pattern = f" (the pattern of {p} ops that repeats)" if p > 1 else ""
    d.node("note", f"Summary: {n:,} ops, more than max_ops={max_ops}. Each box is a run of "
                   f"{size} consecutive tape entries{pattern}; draw(t, max_ops=None) draws "
                   f"every op.", shape="note", style="filled", fillcolor="#ffffff", id="note")
    for b, ops in enumerate(blocks):
        kind = "output" if b == len(blocks) - 1 else "inter"
        marked = [op for op in ops if op.id in marks]
        notes = "".join(f"\n>> op {op.number}" + (f": {marks[op.id]}" if marks[op.id] else "")
                        for op in marked)
        attrs = {"style": _STYLE[kind], "fillcolor": COLOURS[kind], "id": f"block{b}"}
        d.node(f"block{b}", f"ops {ops[0].number}-{ops[-1].number}\n{_block_text(ops, p)}{notes}",
               **(_marked(marked[0].id, marks, attrs) if marked else attrs))
    params = [t for t in g.tensors if t.kind == "param"]
    for t in params[:60]:
        text = f"{t.name} {shape_text(t.tensor.shape)}"
        text += f"\n>> {marks[t.id]}" if marks.get(t.id) else ""
        attrs = {"style": _STYLE["param"], "fillcolor": COLOURS["param"], "id": t.id}
        d.node(t.id, text, **_marked(t.id, marks, attrs))
    shown = {t.id for t in params[:60]}
    for a, b in sorted(_summary_edges(blocks, block_of)):
        if a.startswith("block") or a in shown:
            d.edge(a, b)
    d.tensor_ids, d.op_ids, d.summary = {}, {}, True
    return d


def draw(t, names=None, show_values: bool = True, show_grads: bool = True,
         show_formulas: bool = True, rankdir: str = "TB", detail: bool = False,
         max_ops: int | None = MAX_OPS, frame=None, edge_values: bool = False,
         max_entries: int = MAX_ENTRIES, noise: float = NOISE, precision: int = PRECISION,
         highlight=None) -> "Diagram":
    """The computation graph of tensor ``t`` as a ``graphviz.Digraph`` (a ``Diagram``).

    ``t`` may also be the report of a failed ``gradcheck``: then the graph is the one the check
    rebuilt (``report.output``), with the first op whose local gradient disagrees (``report.culprit``)
    highlighted and labelled so.

    Compact by default (see the module's docstring); ``detail=True`` draws the full sheet.
    ``names`` maps tensors to names (``{tensor: "W"}``, ``{id(tensor): "W"}`` or ``{"W": tensor}``);
    unnamed tensors take ``Tensor.name``, then the caller's variable names. ``show_values``,
    ``show_grads`` (once a backward pass has filled ``.grad``) and ``show_formulas`` choose what the
    boxes say: a tensor of at most ``max_entries`` entries (40) in full, else min / mean / max,
    ``precision`` significant digits, an entry below ``noise`` (1e-10) times the largest shown as 0
    (see ``format_array``); ``rankdir`` is 'TB', 'LR', 'BT' or 'RL'. More than ``max_ops`` ops (None: no limit)
    gives a summary. ``edge_values=True`` writes each input's value (or shape, when it has more than
    4 entries) on its edge, as the step-through page does. The result's ``tensor_ids`` ({id(tensor): node id}) and ``op_ids`` ({op
    number: node id}) are the ids of the SVG elements too. Works after ``backward()``.

    ``highlight`` marks tensors of the graph: a Tensor, a list of them, or ``{tensor: text}`` to
    say why. Each is drawn with a wide vermilion border (Okabe-Ito, told apart with colour-blindness
    too), a ``highlighted`` class in the SVG, and its text on a line of its own starting ``>>``; a
    tensor made by an op marks that op's box.
    """
    if rankdir not in ("TB", "LR", "BT", "RL"):
        raise ValueError(f"draw: rankdir must be 'TB', 'LR', 'BT' or 'RL', got {rankdir!r}")
    marks = _as_marks(highlight)
    if hasattr(t, "culprit") and not hasattr(t, "tape"):
        t, marks = _from_report(t, marks)
    if not hasattr(t, "tape"):
        raise TypeError(f"draw: expected a Tensor (or a gradcheck report), got {type(t).__name__}")
    g = build(t, names=names, frame=frame or sys._getframe(1))
    summary = max_ops is not None and len(g.ops) > max_ops
    marks = _node_marks(g, marks, folded_drawn=detail or summary)
    if summary:
        d = _draw_summary(g, rankdir, max_ops, marks)
    else:
        how = _draw_detail if detail else _draw_compact
        fmt = {"max_entries": max_entries, "noise": noise, "precision": precision}
        d = how(g, rankdir, _Show(show_values, show_grads, show_formulas, fmt), edge_values, marks)
    d.model, d.highlighted = g, marks
    return d


def _as_marks(highlight) -> list:
    """``highlight=`` as a list of (tensor, text or None)."""
    if highlight is None:
        return []
    if isinstance(highlight, dict):
        items = list(highlight.items())
    elif isinstance(highlight, (list, tuple, set)):
        items = [(h, None) for h in highlight]
    else:
        items = [(highlight, None)]
    for h, _ in items:
        if not hasattr(h, "tape"):
            raise TypeError(f"draw: highlight= takes a Tensor, a list of Tensors or {{tensor: text}}; "
                            f"got a {type(h).__name__}")
    return items


def _from_report(report, marks: list) -> tuple:
    """The graph a failed gradcheck rebuilt, and its culprit (if any) among the marks."""
    out = getattr(report, "output", None)
    if out is None:
        raise ValueError("draw: this gradcheck report holds no graph: every gradient agreed, or the "
                         "check ran with locate=False. Draw the function's output, draw(f(*inputs)), "
                         "to see its graph.")
    culprit = report.culprit
    return out, marks + ([(culprit.tensor, culprit)] if culprit is not None else [])


def _culprit_text(node, culprit) -> str:
    """The label of gradcheck's culprit: which input's local gradient disagrees, and by how much."""
    name = node.op.inputs[culprit.input].name
    return f"local gradient disagrees: d{name} (rel. error {culprit.max_rel_error:.2g})"


def _node_marks(g, marks: list, folded_drawn: bool) -> dict:
    """{node id: text or None} for the highlighted tensors of graph ``g``."""
    out = {}
    for t, text in marks:
        if id(t) not in g.names:
            raise ValueError(f"draw: highlight: a tensor of shape {tuple(t.shape)} is not in the "
                             f"graph (only what the drawn tensor depends on is drawn)")
        node = g.node(t)
        if node.folded and not folded_drawn:
            raise ValueError(f"draw: highlight: the constant {node.name} is written into its op's "
                             f"expression, not drawn as a box of its own; highlight the op's result, "
                             f"or draw with detail=True")
        nid = node.op.id if node.op is not None else node.id
        out[nid] = text if text is None or isinstance(text, str) else _culprit_text(node, text)
    return out


class Diagram(graphviz.Digraph):
    """A ``graphviz.Digraph`` that renders through the system ``dot`` or ``graphviz-pure`` alike.

    ``render()`` and ``pipe()`` are graphviz's own (same arguments); without the system ``dot``
    they run ``graphviz-pure``. In Jupyter it shows as SVG; with no renderer at all, or when
    rendering fails, a message and the DOT text instead of a traceback. ``model`` is the graph
    model it was drawn from; ``summary`` is True for a summary of a large graph.
    """

    summary = False
    tensor_ids: dict = {}
    op_ids: dict = {}
    highlighted: dict = {}    # {node id: text or None} of the tensors drawn with highlight=

    def _system_dot(self) -> bool:
        r = programs.find_renderer()
        return r is not None and r.name == "dot" and self.engine == "dot"

    def pipe(self, format=None, renderer=None, formatter=None, neato_no_op=None, quiet=False, *,
             engine=None, encoding=None):
        if self._system_dot() or renderer or formatter or neato_no_op or engine not in (None, "dot"):
            return super().pipe(format, renderer, formatter, neato_no_op, quiet, engine=engine,
                                encoding=encoding)
        out = programs.run(self.source, format or self.format)
        return out.decode(encoding) if encoding else out

    def render(self, filename=None, directory=None, view=False, cleanup=False, format=None,
               renderer=None, formatter=None, neato_no_op=None, quiet=False, quiet_view=False, *,
               outfile=None, engine=None, raise_if_result_exists=False, overwrite_source=False):
        if self._system_dot() or renderer or formatter or neato_no_op or view or \
                engine not in (None, "dot"):
            return super().render(filename, directory, view, cleanup, format, renderer, formatter,
                                  neato_no_op, quiet, quiet_view, outfile=outfile, engine=engine,
                                  raise_if_result_exists=raise_if_result_exists,
                                  overwrite_source=overwrite_source)
        if outfile is not None and filename is None:
            filename = Path(outfile).with_suffix(".gv")
        fmt = format or (Path(outfile).suffix.lstrip(".") if outfile else self.format)
        source = self.save(filename, directory=directory)
        target = Path(outfile) if outfile is not None else Path(f"{source}.{fmt}")
        if raise_if_result_exists and target.exists():
            raise FileExistsError(f"output file exists: {target}")
        target.write_bytes(programs.run(self.source, fmt))
        if cleanup:
            os.remove(source)
        return str(target)

    def _svg_or_problem(self) -> tuple:
        """(svg, None) when a renderer made the picture, else (None, what went wrong)."""
        if programs.find_renderer() is None:
            return None, ("No Graphviz renderer found: neither the dot program nor graphviz-pure is "
                          "on PATH or next to the Python interpreter. Install one (pip install "
                          "graphviz-pure, or your system's graphviz package) to see the picture.")
        try:
            return programs.run(self.source, "svg", timeout=30).decode("utf-8"), None
        except (RuntimeError, OSError, subprocess.SubprocessError) as e:
            return None, f"Rendering failed: {e}"

    def _fallback_html(self, problem: str) -> str:
        src = self.source
        if len(src) > 20000:
            src = src[:20000] + f"\n... ({len(self.source) - 20000:,} more characters)"
        return (f"<div><p><b>{html.escape(problem)}</b> The diagram as DOT text:</p><pre>"
                + html.escape(src) + "</pre></div>")

    def _repr_svg_(self):
        return self._svg_or_problem()[0]

    def _repr_html_(self):
        svg, problem = self._svg_or_problem()
        return svg if svg is not None else self._fallback_html(problem)

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        svg, problem = self._svg_or_problem()
        if svg is not None:
            return {"image/svg+xml": svg}
        return {"text/html": self._fallback_html(problem), "text/plain": self.source[:20000]}


def _as_digraph(t_or_digraph, draw_kwargs, frame) -> graphviz.Digraph:
    if isinstance(t_or_digraph, graphviz.Digraph):
        if draw_kwargs:
            raise TypeError("render: drawing options apply to a Tensor, not to a ready Digraph")
        return t_or_digraph
    return draw(t_or_digraph, frame=frame, **draw_kwargs)


def to_svg(t_or_digraph, renderer: str | None = None, **draw_kwargs) -> str:
    """The diagram (of a Tensor, drawn with ``draw_kwargs``, or a ready Digraph) as SVG text."""
    g = _as_digraph(t_or_digraph, draw_kwargs, sys._getframe(1))
    return programs.run(g.source, "svg", renderer).decode("utf-8")


def render(t_or_digraph, path, format: str | None = None, renderer: str | None = None,
           **draw_kwargs) -> Path:
    """Write the diagram of a Tensor (drawn with ``draw_kwargs``) or of a Digraph to ``path``.

    The format follows the suffix (``.svg``, ``.png``, ``.pdf``; ``.dot`` or ``.gv`` is the DOT
    text and needs no renderer) unless ``format`` says otherwise. Returns the path written.
    """
    g = _as_digraph(t_or_digraph, draw_kwargs, sys._getframe(1))
    path = Path(path)
    fmt = programs.format_of(path, format)
    if fmt in ("dot", "gv"):
        path.write_text(g.source, encoding="utf-8")
    else:
        path.write_bytes(programs.run(g.source, fmt, renderer))
    return path
