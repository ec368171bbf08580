"""Diagrams of the computation graph: ``draw`` chooses what to draw, ``to_svg`` and ``render``
turn it into a picture.

``draw(t)`` returns a ``Diagram`` (a ``graphviz.Digraph``). By default it is compact: an op and
the tensor it makes are one box (``3. probs = exp(shifted)`` with the tensor's shape, said once),
the leaves are boxes of their own, values and gradients in cells side by side, and under them the
local-gradient formula of each input (see ``boxes``). Ops are numbered 1..n within the graph, as
``print(t.tape())`` numbers them. ``detail=True`` draws the full sheet instead: tensors and ops as
separate nodes, every edge labelled with its shape.

Never a hang. Laying a drawing out takes Graphviz longer the more nodes and long edges it has
(``layout``); a drawing within ``LAYOUT_BUDGET`` is laid out in under about 2 s by either
renderer (``benchmarks/layout.py``). ``draw`` keeps within it by drawing a shared weight beside
each use, and draws a graph that is still over it, or of more than ``max_ops`` ops (200), as a
summary (``summary``) that says how to draw one part in full: ``draw(t, around=tensor, depth=2)``.
A layout that still runs past ``timeout`` seconds (20) stops with a ``LayoutTimeout`` that says
what to draw instead.

Slides. ``draw(t, fit=(1920, 1080), min_px=12)`` lays the graph out for that frame: repeated
blocks (``blocks``) are drawn once with "× n", and detail is dropped in this order until the
smallest text, once the picture is fitted to the frame, is at least ``min_px`` pixels tall: the
numbers of intermediates and constants, then those of the parameters and the loss, then the
formulas. The picture is padded to the frame's aspect. The result says what it measured
(``text_px``) and dropped (``dropped``).

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
import re
import subprocess
import sys
from pathlib import Path

import graphviz

from . import boxes, programs
from .blocks import find_blocks
from .boxes import COLOURS, FONT, SIZE, Show
from .graph import build
from .layout import LAYOUT_BUDGET, MAX_OPS, plan
from .numbers import MAX_ENTRIES, NOISE, PRECISION
from .summary import draw_summary
from .views import collapse, part

__all__ = ["draw", "Diagram", "to_svg", "render", "COLOURS", "MAX_OPS", "text_px"]

# what a slide drops, in order, until its text is large enough (see the module's docstring)
DROPS = ("numbers of intermediates and constants", "numbers of parameters and the loss",
         "formulas")


def _new(rankdir: str, timeout, **graph_attr) -> "Diagram":
    d = Diagram(name="graph", graph_attr={"rankdir": rankdir, "fontname": FONT, "fontsize": SIZE,
                                          "nodesep": "0.25", "ranksep": "0.3", **graph_attr},
                node_attr={"fontname": FONT, "fontsize": SIZE, "shape": "box",
                           "margin": "0.06,0.03"},
                edge_attr={"fontname": FONT, "fontsize": SIZE, "color": "#555555"})
    d.timeout = timeout
    return d


def _advice(g) -> str:
    example = next((f"around={n.name}" for n in g.tensors if n.kind == "param"), "around=1")
    return (f"Draw less: draw(t) with the default max_ops gives a summary of a big graph; "
            f"draw(t, {example}, depth=2) draws the ops within 2 steps of a tensor (or of an op "
            f"number); show_values=False, show_grads=False make smaller boxes.")


def _too_big(g, max_ops, budget, labels) -> tuple:
    """(reason to summarize or '', the copy plan)."""
    p = plan(g, budget, labels)
    if max_ops is not None and len(g.ops) > max_ops:
        return f"more than max_ops={max_ops} ops", p
    if max_ops is not None and not p.fits:
        return (f"its layout would cost {p.cost:,}, over the {budget:,} that dot and graphviz-pure "
                f"lay out in about 2 s"), p
    return "", p


def draw(t, names=None, show_values: bool = True, show_grads: bool = True,
         show_formulas: bool = True, rankdir: str = "TB", detail: bool = False,
         max_ops: int | None = MAX_OPS, frame=None, edge_values: bool = False,
         max_entries: int = MAX_ENTRIES, noise: float = NOISE, precision: int = PRECISION,
         highlight=None, fit=None, min_px: float = 12, around=None, depth: int = 2,
         legend: bool = True, timeout: float | None = None, renderer: str | None = None,
         budget: int = LAYOUT_BUDGET, _sent=None, _graph=None) -> "Diagram":
    """The computation graph of tensor ``t`` as a ``graphviz.Digraph`` (a ``Diagram``).

    ``t`` may also be the report of a failed ``gradcheck``: then the graph is the one the check
    rebuilt (``report.output``), with the first op whose local gradient disagrees (``report.culprit``)
    highlighted and labelled so.

    Compact by default (see the module's docstring); ``detail=True`` draws the full sheet.
    ``names`` maps tensors to names (``{tensor: "W"}``, ``{id(tensor): "W"}`` or ``{"W": tensor}``);
    unnamed tensors take ``Tensor.name``, then the caller's variable names. ``show_values``,
    ``show_grads`` (once a backward pass has filled ``.grad``), ``show_formulas`` and ``legend``
    choose what the boxes say: a tensor of at most ``max_entries`` entries (40) in full, else
    min / mean / max, ``precision`` significant digits, rounding noise (below ``noise`` (256) times
    the dtype's epsilon times the graph's largest gradient, or value) written ``~0``;
    ``rankdir`` is 'TB', 'LR', 'BT' or 'RL'. ``edge_values=True`` writes each input's value (or
    shape, when it has more than 4 entries) on its edge, as the step-through page does.

    Big graphs: more than ``max_ops`` ops (None: no limit), or a layout costing more than
    ``budget``, give a summary; ``around=`` a tensor or an op number draws the ops within
    ``depth`` steps of it in full. ``timeout`` (seconds, 20) bounds each layout.

    Slides: ``fit=(width, height)`` in pixels lays the graph out for that frame, dropping detail
    until the text is ``min_px`` tall (see the module's docstring); ``renderer`` chooses the
    program that measures it.

    ``highlight`` marks tensors of the graph: a Tensor, a list of them, or ``{tensor: text}`` to
    say why. Each is drawn with a wide vermilion border (Okabe-Ito, told apart with colour-blindness
    too), a ``highlighted`` class in the SVG, and its text on a line of its own starting ``>>``; a
    tensor made by an op marks that op's box.

    The result's ``tensor_ids`` ({id(tensor): node id}), ``op_ids`` ({op number: node id}) and
    ``edge_ids`` ({(op number, input): edge id}) are the ids of the SVG elements too; ``summary``
    is True for a summary; ``model`` is the graph model. Works after ``backward()``.
    """
    if rankdir not in ("TB", "LR", "BT", "RL"):
        raise ValueError(f"draw: rankdir must be 'TB', 'LR', 'BT' or 'RL', got {rankdir!r}")
    fit = _check_fit(fit, min_px)
    marks = _as_marks(highlight)
    if hasattr(t, "culprit") and not hasattr(t, "tape"):
        t, marks = _from_report(t, marks)
    if not hasattr(t, "tape"):
        raise TypeError(f"draw: expected a Tensor (or a gradcheck report), got {type(t).__name__}")
    g = _graph if _graph is not None else build(t, names=names, frame=frame or sys._getframe(1))
    show = Show(show_values, show_grads, show_formulas,
                {"max_entries": max_entries, "noise": noise, "precision": precision},
                edge_values, _sent is not None, legend)
    kw = {"rankdir": rankdir, "timeout": timeout, "marks": marks, "sent": _sent}
    if around is not None:
        view, text = part(g, around, depth)
        d = _compact(g, show, view=view, note=text, copies=plan(g, budget, edge_values).copies, **kw)
    else:
        d = _whole(g, show, detail, max_ops, budget, fit, min_px, renderer, kw)
    d.model, d.advice = g, _advice(g)
    return d


def _whole(g, show, detail, max_ops, budget, fit, min_px, renderer, kw) -> "Diagram":
    """The whole graph: a summary when it is too big, else fitted to a frame, the full sheet or
    the compact drawing."""
    reason, p = _too_big(g, max_ops, budget, show.edge_values)
    if reason:
        return _summary(g, reason, **kw)
    if fit is not None:
        return _fit(g, show, fit, min_px, renderer, p.copies, **kw)
    if detail:
        return _detail(g, show, **kw)
    return _compact(g, show, copies=p.copies, **kw)


def _check_fit(fit, min_px):
    if fit is None:
        return None
    try:
        w, h = (float(v) for v in fit)
    except (TypeError, ValueError):
        raise TypeError(f"draw: fit= takes (width, height) in pixels, e.g. (1920, 1080); got "
                        f"{fit!r}") from None
    if not (w > 0 and h > 0) or not min_px > 0:
        raise ValueError(f"draw: fit= needs a positive width and height and min_px > 0; got "
                         f"fit={fit!r}, min_px={min_px!r}")
    return w, h


def _compact(g, show, rankdir, timeout, marks, sent, copies=frozenset(), view=None, note=None):
    d = _new(rankdir, timeout)
    node_marks = _node_marks(g, marks, folded_drawn=False)
    boxes.compact(d, g, show, node_marks, copies, view, sent)
    d.copies = copies
    if note and show.legend:
        d.attr(label=boxes.legend(g, show, note=note))
    d.highlighted, d.part_text = node_marks, note or ""
    return d


def _detail(g, show, rankdir, timeout, marks, sent):
    d = _new(rankdir, timeout)
    d.highlighted = _node_marks(g, marks, folded_drawn=True)
    boxes.detail(d, g, show, d.highlighted)
    return d


def _summary(g, reason, rankdir, timeout, marks, sent):
    d = _new(rankdir, timeout)
    d.highlighted = _node_marks(g, marks, folded_drawn=True)
    draw_summary(d, g, reason, marks=d.highlighted)
    d.summary, d.reason = True, reason
    return d


# ----------------------------------------------------------------------------------------------
# Slides.
# ----------------------------------------------------------------------------------------------


def text_px(svg: str, fit=(1920, 1080)) -> tuple:
    """(the smallest text's height in pixels once the picture is fitted to ``fit``, the picture's
    width and height in points): the smallest font-size times min(width / w, height / h)."""
    w, h = (float(v) for v in re.search(r'viewBox="[\d.-]+ [\d.-]+ ([\d.]+) ([\d.]+)"', svg).groups())
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)]
    return min(sizes, default=0.0) * min(fit[0] / w, fit[1] / h), w, h


def _levels(show: Show) -> list:
    """What a slide shows at each step of ``DROPS``: everything, then numbers only on the
    parameters and the loss, then no numbers, then no formulas either."""
    return [show, show._replace(key_only=True), show._replace(values=False, grads=False),
            show._replace(values=False, grads=False, formulas=False)]


def _fit(g, show, fit, min_px, renderer, copies, rankdir, timeout, marks, sent):
    blocks = find_blocks(g)
    view, kept = collapse(g, blocks) if blocks else (None, [])
    other = {"TB": "LR", "LR": "TB", "BT": "RL", "RL": "BT"}[rankdir]
    advice = _advice(g)
    for level, shown in enumerate(_levels(show)):
        best = None
        for rd in (rankdir, other):
            d = _compact(g, shown, rd, timeout, marks, sent, copies, view)
            svg = programs.run(d.source, "svg", renderer, timeout, advice).decode("utf-8")
            px, w, h = text_px(svg, fit)
            if best is None or px > best[0] + 1e-9:
                best = (px, d, w, h)
        if best[0] >= min_px:
            break
    px, d, w, h = best
    _pad(d, w, h, fit)
    d.text_px, d.dropped, d.fit, d.min_px = px, list(DROPS[:level]), fit, min_px
    d.blocks = [(b.first, b.first + b.period * count - 1, count) for b, count in kept]
    if px < min_px:
        import warnings
        warnings.warn(f"draw: the smallest text is {px:.1f} px once fitted to {fit[0]:g} x "
                      f"{fit[1]:g}, below min_px={min_px:g}, even without numbers and formulas. "
                      + advice, stacklevel=3)
    return d


def _pad(d, w: float, h: float, fit) -> None:
    """Pad the picture (``w`` x ``h`` points) to the frame's aspect, centred."""
    aspect, base = fit[0] / fit[1], 4.0          # Graphviz's own pad: 4 points
    extra_w, extra_h = max(0.0, aspect * h - w), max(0.0, w / aspect - h)
    d.attr(pad=f"{(base + extra_w / 2) / 72:.4f},{(base + extra_h / 2) / 72:.4f}")


# ----------------------------------------------------------------------------------------------
# Highlights.
# ----------------------------------------------------------------------------------------------


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


# ----------------------------------------------------------------------------------------------
# The Digraph that renders through either program, within a time limit.
# ----------------------------------------------------------------------------------------------


class Diagram(graphviz.Digraph):
    """A ``graphviz.Digraph`` that renders through the system ``dot`` or ``graphviz-pure`` alike,
    each layout stopped after ``timeout`` seconds (see the module's docstring).

    ``render()`` and ``pipe()`` take graphviz's own arguments. In Jupyter it shows as SVG; with no
    renderer at all, or when rendering fails or times out, a message and the DOT text instead of
    a traceback. ``model`` is the graph model it was drawn from; ``summary`` is True for the
    summary of a big graph (``reason`` says why); drawn with ``fit=``, ``text_px`` is its smallest
    text in pixels on that frame and ``dropped`` what was left out for it.
    """

    summary = False
    reason = ""
    tensor_ids: dict = {}
    op_ids: dict = {}
    edge_ids: dict = {}
    highlighted: dict = {}    # {node id: text or None} of the tensors drawn with highlight=
    timeout = None
    advice = ""
    text_px = None
    dropped: list = []
    blocks: list = []
    copies = frozenset()      # ids of the leaves drawn once beside each use
    part_text = ""            # drawn with around=: what part of the graph

    def _run(self, fmt, renderer=None) -> bytes:
        return programs.run(self.source, fmt, renderer, self.timeout, self.advice)

    def _own(self, renderer, formatter, neato_no_op, engine) -> bool:
        """Whether graphviz's own code should run (an option only it understands was given)."""
        return bool(renderer or formatter or neato_no_op) or engine not in (None, "dot")

    def pipe(self, format=None, renderer=None, formatter=None, neato_no_op=None, quiet=False, *,
             engine=None, encoding=None):
        if self._own(renderer, formatter, neato_no_op, engine):
            return super().pipe(format, renderer, formatter, neato_no_op, quiet, engine=engine,
                                encoding=encoding)
        out = self._run(format or self.format)
        return out.decode(encoding) if encoding else out

    def render(self, filename=None, directory=None, view=False, cleanup=False, format=None,
               renderer=None, formatter=None, neato_no_op=None, quiet=False, quiet_view=False, *,
               outfile=None, engine=None, raise_if_result_exists=False, overwrite_source=False):
        if self._own(renderer, formatter, neato_no_op, engine) or view:
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
        target.write_bytes(self._run(fmt))
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
            return self._run("svg").decode("utf-8"), None
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


def _picture(g, fmt: str, renderer) -> bytes:
    return programs.run(g.source, fmt, renderer, getattr(g, "timeout", None),
                        getattr(g, "advice", ""))


def to_svg(t_or_digraph, renderer: str | None = None, **draw_kwargs) -> str:
    """The diagram (of a Tensor, drawn with ``draw_kwargs``, or a ready Digraph) as SVG text."""
    g = _as_digraph(t_or_digraph, draw_kwargs, sys._getframe(1))
    return _picture(g, "svg", renderer).decode("utf-8")


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
        path.write_bytes(_picture(g, fmt, renderer))
    return path
