"""The boxes of a diagram, and the compact and detailed drawings made of them, as DOT.

A box reads from the top: the op's number and expression in bold with the tensor's shape beside it
in grey (``3. probs = exp(shifted)  (5, 3)``); what the expression's names hold, when it says
(``y = [0, 2, 1, 1, 0]``); then the value and the gradient in two cells side by side, the
gradient in the gradient colour on a tint of it (``value | grad``, as micrograd's ``data | grad``);
then, in italics of their own colour, the local-gradient formula of each input (``dW = X.T @ dy``).
Entries that are rounding noise read ``~0``, and the box says so under the gradient.

Kinds stand apart by border as well as by colour (Okabe-Ito tints, safe for colour-blind readers):
the loss (the tensor drawn) orange with a double border, parameters blue with a wide border,
intermediates near white, constants grey, dashed, their text dimmed. A legend under the drawing
says what the cells and the colours mean, ``grad = dloss / d this box`` first.

Everything here writes into a ``graphviz.Digraph`` given to it; ``diagram.draw`` chooses what.
"""
from __future__ import annotations

import html
import re
import textwrap
from typing import NamedTuple

import numpy as np

from .graph import why_zero
from .numbers import NOISE, ROUNDING, format_array, has_rounding, shape_text, short_text

__all__ = ["Show", "COLOURS", "GRAD", "FORMULA", "compact", "detail", "legend", "tensor_label", "font",
           "tag"]

FONT, MONO, SIZE = "Helvetica", "Courier", "14"
GRAD = "#A83F00"       # the gradient's colour (dark Okabe-Ito vermilion: 4.6:1 or more on every fill)
GRAD_TINT = "#fdf0e6"  # behind the gradient's cell
FORMULA = "#1F4E79"    # the local-gradient formulas (italic)
DIM = "#555555"        # shapes, and the text of constants
VALUE = "#007A5A"      # values written on the edges of the step-through page (Okabe-Ito green)
COLOURS = {
    "param": "#cfe6f5",   # leaf that requires grad (wide border): what training updates
    "const": "#f4f4f4",   # input that does not require grad (dashed border, dimmed text)
    "inter": "#fbfbf6",   # made by an op
    "output": "#fbd9a6",  # the tensor drawn from (double border)
    "op": "#fff1b8",      # an op (detail sheet)
}
BORDER = {"param": {"style": "filled,rounded", "penwidth": "2.5"},
          "const": {"style": "filled,dashed", "color": "#888888"},
          "inter": {"style": "filled", "color": "#777777"},
          "output": {"style": "filled", "penwidth": "2", "peripheries": "2"}}
# highlight=: Okabe-Ito vermilion, a border four times as wide as the others, and a line of text
# that says why, so that the mark does not rest on the colour alone
HIGHLIGHT = {"color": "#D55E00", "penwidth": "4"}
_WRAP = 56   # notes wider than this are wrapped


class Show(NamedTuple):
    """What the boxes say: ``values``, ``grads``, ``formulas``; ``fmt`` the options of
    ``format_array`` (``max_entries``, ``noise``, ``precision``); ``edge_values`` writes each
    input's value on its edge and ``grad_slots`` the gradient sent back along it under that (the
    step-through page shows and hides it); ``legend`` the key under the drawing; ``key_only``
    shows numbers only on the parameters and the tensor drawn from (a slide's first saving)."""

    values: bool = True
    grads: bool = True
    formulas: bool = True
    fmt: dict = {}
    edge_values: bool = False
    grad_slots: bool = False
    legend: bool = True
    key_only: bool = False    # numbers only on the parameters and the tensor drawn from


def _h(s) -> str:
    return html.escape(str(s), quote=False)


def tag(name: str, body: str, attrs: str = "") -> str:
    """``<name attrs>body</name>``, or nothing when ``body`` is empty: Graphviz refuses an empty
    FONT, B or I element (``syntax error ... <FONT></FONT>``), so every styled text of a label is
    wrapped here."""
    return f"<{name}{attrs}>{body}</{name}>" if body else ""


def font(body: str, colour=None, face=None) -> str:
    """``body`` (label markup, already escaped) in a FONT of ``colour`` and ``face``; nothing when
    ``body`` is empty."""
    attrs = (f' FACE="{face}"' if face else "") + (f' COLOR="{colour}"' if colour else "")
    return tag("FONT", body, attrs) if attrs else body


def _mono(lines, colour=None) -> str:
    """Left-aligned lines of monospace text (spaces kept) as an HTML-like label fragment; an empty
    line (between the blocks of a 3-D array) is a line break alone."""
    return '<BR ALIGN="LEFT"/>'.join(
        font(_h(line).replace(" ", "&#160;"), colour, MONO) for line in lines) + '<BR ALIGN="LEFT"/>'


def _row(cell: str, span: int = 2, extra: str = "") -> str:
    return f'<TR><TD ALIGN="LEFT" BALIGN="LEFT" COLSPAN="{span}"{extra}>{cell}</TD></TR>'


def _wrapped(text: str, colour: str, italic: bool = False) -> str:
    lines = textwrap.wrap(text, _WRAP) or [""]
    body = '<BR ALIGN="LEFT"/>'.join(_h(line) for line in lines) + '<BR ALIGN="LEFT"/>'
    body = font(body, colour)
    return tag("I", body) if italic else body


def _fmt(graph, x, kind: str, show: Show) -> dict:
    noise = show.fmt.get("noise", NOISE)
    scale = graph.scale(kind) if graph is not None else None
    return {**show.fmt, "noise": noise, "scale": scale}


def _cells(graph, tnode, show: Show) -> tuple:
    """The value and gradient of a box: ([cells], '') when each is one line (they go beside the
    title, as micrograd's ``data | grad``), else ([], rows of the label's table)."""
    x = tnode.tensor
    if show.key_only and tnode.kind not in ("param", "output"):
        return [], ""
    value = format_array(x.data, **_fmt(graph, x, "value", show)).splitlines() if show.values else []
    g = x.grad if show.grads else None
    grad = format_array(g, **_fmt(graph, x, "grad", show)).splitlines() if g is not None else []
    dim = DIM if tnode.kind == "const" else None
    gcell = f'<TD ALIGN="LEFT" BALIGN="LEFT" BGCOLOR="{GRAD_TINT}">'
    if len(value) <= 1 and len(grad) <= 1:      # beside the title, a space apart
        cells = [f'<TD ALIGN="LEFT">{_mono([" " + value[0]], dim)}</TD>'] if value else []
        cells += [f"{gcell}{_mono(['grad ' + grad[0]], GRAD)}</TD>"] if grad else []
        return cells, ""
    if not grad:
        return [], _row(_mono(value, dim), 2)
    left = f'<TD ALIGN="LEFT" BALIGN="LEFT">{_mono(["value"] + value, dim)}</TD>' if value else ""
    return [], f"<TR>{left}{gcell}{_mono(['grad'] + grad, GRAD)}</TD></TR>"


def _noise_rows(graph, tnode, show: Show, span: int = 2) -> str:
    """A line under the gradient when some of its entries are rounding noise (and why the whole
    gradient is zero, when the graph says so)."""
    x = tnode.tensor
    if graph is None or x.grad is None or not show.grads or (show.key_only and tnode.kind
                                                             not in ("param", "output")):
        return ""
    floor = graph.floor(x, "grad", show.fmt.get("noise", NOISE))
    if not has_rounding(x.grad, floor):
        return ""
    text = (f"{ROUNDING}: rounding noise, below {floor:.2g} ({show.fmt.get('noise', NOISE):g} eps x "
            f"the largest gradient); exactly 0 in exact arithmetic")
    why = why_zero(tnode) if np.all(np.abs(x.grad) < floor) else None
    if why:
        text = f"grad {ROUNDING}: {why}"
    return _row(_wrapped(text, GRAD, italic=True), span)


def _title(text: str, x, dim: bool) -> str:
    extra = shape_text(x.shape)
    if x.dtype != np.float64:
        extra += f" {x.dtype}"
    tail = f'  {font(_h(extra), DIM)}' if extra.strip() else ""
    return f'{font(tag("B", _h(text)), DIM if dim else None)}{tail}<BR ALIGN="LEFT"/>'


def _mark_row(mark, span: int = 2) -> str:
    """The highlight's line of text (bold, in the highlight's colour), or nothing."""
    if not mark:
        return ""
    return _row(font(tag("B", f"&gt;&gt; {_h(mark)}"), HIGHLIGHT["color"]), span)


def _value_in_title(tnode) -> bool:
    """A named one-element constant reads ``x1 = 2``: its value is in its title."""
    return tnode.op is None and tnode.kind == "const" and tnode.tensor.data.size == 1


def tensor_label(graph, tnode, show: Show, mark=None, title=None, notes=(), formulas=None,
                 tail=()) -> str:
    """The HTML-like label of a box (see the module's docstring). ``title`` replaces the op's
    number and expression; ``formulas`` the op's formulas; ``tail`` adds grey lines at the end."""
    x, op = tnode.tensor, tnode.op
    if title is None:
        title = f"{op.number}. {op.expr}" if op is not None else tnode.name
        if _value_in_title(tnode):
            title = f"{tnode.name} = {format_array(x.data)}"
    notes = list(notes) + (op.notes if op is not None else [])
    cells, rows = ([], "") if _value_in_title(tnode) else _cells(graph, tnode, show)
    span = 1 + len(cells)
    head = f'<TD ALIGN="LEFT">{_title(title, x, tnode.kind == "const")}</TD>'
    out = _mark_row(mark, span) + f"<TR>{head}{''.join(cells)}</TR>"
    if notes:
        out += _row(_mono(notes, DIM), span)
    out += rows + _noise_rows(graph, tnode, show, span)
    formulas = (op.grads if op is not None else []) if formulas is None else formulas
    if show.formulas and formulas:
        out += "".join(_row(_wrapped(f, FORMULA, italic=True), span) for f in formulas if f)
    out += "".join(_row(_wrapped(t, DIM), span) for t in tail)
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{out}</TABLE>>'


# ----------------------------------------------------------------------------------------------
# What part of the graph is drawn, and how (the whole graph by default).
# ----------------------------------------------------------------------------------------------


class View:
    """Changes to the plain compact drawing: ``drawn`` (op numbers drawn; None: all),
    ``stand_in`` ({op number not drawn: the op number whose box stands for it}, e.g. a repeat
    of a block), ``stubs`` ({op number not drawn: text} for inputs that come from outside a
    part), ``title``, ``notes``, ``formulas``, ``tail`` ({op number: ...} overrides),
    ``bare`` (op numbers drawn without numbers), ``clusters`` ([(label, [op numbers])]),
    ``carries`` ([(from op number, to op number, label)]: dashed edges back to the top of a
    loop body), ``leaf_title`` ({id(tensor): title}) and ``hidden_leaves`` (ids of leaves not
    drawn: a constant of a repeat that another repeat's box stands for)."""

    def __init__(self):
        self.drawn, self.stand_in, self.stubs = None, {}, {}
        self.title, self.notes, self.formulas, self.tail = {}, {}, {}, {}
        self.bare, self.clusters, self.carries = set(), [], []
        self.leaf_title, self.hidden_leaves = {}, set()

    def draws(self, number: int) -> bool:
        return self.drawn is None or number in self.drawn


def _attrs(tnode, nid: str, marks: dict, cls: str, key=None) -> dict:
    """A box's attributes: its kind's border and fill, its SVG id and class, and the highlight's
    border when ``marks`` holds ``key`` (its node id by default)."""
    attrs = {**BORDER[tnode.kind], "fillcolor": COLOURS[tnode.kind], "id": nid, "class": cls}
    if (key or nid) in marks:
        attrs.update(HIGHLIGHT)
        attrs["class"] = cls + " highlighted"
    return attrs


def _op_box(d, graph, op, show: Show, marks: dict, view: View) -> None:
    n, k = op.out, op.number
    box_show = show._replace(values=False, grads=False) if k in view.bare else show
    label = tensor_label(graph, n, box_show, marks.get(op.id), title=view.title.get(k),
                         notes=view.notes.get(k, ()), formulas=view.formulas.get(k),
                         tail=view.tail.get(k, ()))
    d.node(op.id, label, **_attrs(n, op.id, marks, f"tensor {n.kind} op"))


def _leaf_box(d, graph, leaf, nid: str, show: Show, marks: dict, view: View) -> None:
    title = view.leaf_title.get(id(leaf.tensor))
    box_show = show._replace(values=False, grads=False) if title else show
    label = tensor_label(graph, leaf, box_show, marks.get(leaf.id), title=title)
    d.node(nid, label, **_attrs(leaf, nid, marks, f"tensor {leaf.kind}", key=leaf.id))


def _source(d, graph, op, k: int, show, marks, view: View, copies, drawn_leaves) -> str | None:
    """The node id an edge into input ``k`` of ``op`` starts from (drawing the leaf or stub it
    needs), or None for a folded constant."""
    p = op.inputs[k]
    if p.folded or id(p.tensor) in view.hidden_leaves:
        return None
    if p.op is not None:
        number = p.op.number
        if view.draws(number):
            return p.op.id
        if number in view.stand_in:
            return f"op{view.stand_in[number]}"
        sid = f"stub{number}"
        if sid not in drawn_leaves:
            drawn_leaves.add(sid)
            d.node(sid, f"<{_h(view.stubs.get(number, f'op {number}: {p.name}'))}>",
                   shape="box", style="dashed,rounded", color="#888888", fontcolor=DIM, id=sid,
                   **{"class": "stub"})
        return sid
    nid = f"{p.id}_{op.number}_{k}" if id(p.tensor) in copies else p.id
    if nid not in drawn_leaves:
        drawn_leaves.add(nid)
        _leaf_box(d, graph, p, nid, show, marks, view)
    return nid


def _edge_label(graph, op, k: int, role: str, show: Show, sent) -> str:
    """An edge's label: the input's role (only beside a partner edge), on the step-through page
    its value and, in a slot of its own under it, the gradient that comes back."""
    p = op.inputs[k]
    if not show.edge_values:
        return role
    text = f"{role}: " * bool(role) + short_text(p.tensor.data, scale=graph.scale("value"))
    parts = [font(_h(text), VALUE)]
    if show.grad_slots and sent is not None:
        parts.append(font(tag("B", _h(sent)), GRAD))
    return "<" + "<BR/>".join(p for p in parts if p) + ">"


def compact(d, graph, show: Show, marks=None, copies=frozenset(), view=None, sent=None) -> None:
    """Draw ``graph`` into the Digraph ``d``: an op and the tensor it makes as one box, leaves as
    boxes of their own (those in ``copies`` once beside each use), edges from each input to the
    op that uses it. ``view`` (a ``View``) draws a part of the graph, or repeated blocks once;
    ``sent`` ({(op number, input): text}) fills the page's gradient slots. Sets ``d.tensor_ids``
    ({id(tensor): node id}), ``d.op_ids`` ({op number: node id}) and ``d.edge_ids`` ({(op
    number, input): edge id})."""
    marks, view, sent = marks or {}, view or View(), sent or {}
    ids, edges, drawn_leaves = {}, {}, set()
    for op in graph.ops:
        if view.draws(op.number):
            _op_box(d, graph, op, show, marks, view)
            ids[id(op.out.tensor)] = op.id
    if not graph.ops:                      # a leaf drawn on its own
        _leaf_box(d, graph, graph.root, graph.root.id, show, marks, view)
        ids[id(graph.root.tensor)] = graph.root.id
    for op in graph.ops:
        if not view.draws(op.number):
            continue
        sources = [_source(d, graph, op, k, show, marks, view, copies, drawn_leaves)
                   for k in range(len(op.inputs))]
        paired = sum(s is not None for s in sources) == 2 and len(set(sources)) == 2
        for k, (src, role) in enumerate(zip(sources, op.roles)):
            if src is None:
                continue
            eid = f"e_{src}_{op.id}_{k}"
            label = _edge_label(graph, op, k, role if paired else "", show, sent.get((op.number, k)))
            d.edge(src, op.id, label=label, id=eid)
            edges[(op.number, k)] = eid
            ids.setdefault(id(op.inputs[k].tensor), src)
    _clusters_and_carries(d, view)
    if show.legend:
        d.attr(label=legend(graph, show), labelloc="b", labeljust="l")
    d.tensor_ids, d.op_ids, d.edge_ids = ids, {op.number: op.id for op in graph.ops
                                              if view.draws(op.number)}, edges


def _clusters_and_carries(d, view: View) -> None:
    for b, (label, numbers) in enumerate(view.clusters):
        with d.subgraph(name=f"cluster_block{b}") as c:
            c.attr(label=label, style="rounded,dashed", color="#0072B2", fontcolor="#0072B2",
                   labeljust="l", id=f"block{b}", penwidth="1.5")
            for k in numbers:
                c.node(f"op{k}")
    for a, b, label in view.carries:
        d.edge(f"op{a}", f"op{b}", label=label, style="dashed", color="#0072B2",
               fontcolor="#0072B2", constraint="false", id=f"carry_op{a}_op{b}")


# ----------------------------------------------------------------------------------------------
# The legend.
# ----------------------------------------------------------------------------------------------


def _swatch(kind: str, text: str) -> str:
    style = ' STYLE="dashed"' if kind == "const" else ' STYLE="rounded"' if kind == "param" else ""
    colour = DIM if kind == "const" else "#000000"
    return (f'<TD BGCOLOR="{COLOURS[kind]}" BORDER="{2 if kind == "param" else 1}"{style}>'
            f'{font(_h(text), colour)}</TD>')


def legend(graph, show: Show, note: str | None = None) -> str:
    """The key under a drawing: what the cells and the colours mean, for the kinds it holds;
    ``note`` a first line (what part of the graph is drawn)."""
    kinds = {n.kind for n in graph.tensors if not n.folded}
    root = graph.root.name
    cells = [_swatch(k, t) for k, t in (("output", f"{root} (the result)"), ("param", "parameter"),
                                        ("const", "constant"), ("inter", "made by an op"))
             if k in kinds]
    row1 = '<TD>&#160;</TD>'.join(cells)
    keys = []
    if show.grads and any(n.tensor.grad is not None for n in graph.tensors):
        keys.append(f'<FONT COLOR="{GRAD}"><B>grad = d{_h(root)} / d this box</B></FONT>')
    if show.formulas:
        keys.append(f'<I><FONT COLOR="{FORMULA}">dx = ...: the gradient sent to input x; '
                    f'dy = this box\'s grad</FONT></I>')
    lines = ["&#160;&#160;&#160;".join(keys)] if keys else []
    if note:
        lines.insert(0, f"<B>{_h(note)}</B>")
    row2 = "".join(f'<TR><TD ALIGN="LEFT" COLSPAN="{2 * len(cells)}">{t}</TD></TR>' for t in lines)
    return (f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3">'
            f'<TR>{row1}</TR>{row2}</TABLE>>')


# ----------------------------------------------------------------------------------------------
# The full sheet.
# ----------------------------------------------------------------------------------------------


def detail(d, graph, show: Show, marks=None) -> None:
    """The full sheet: a box per tensor, an ellipse per op, every edge labelled with its shape.
    A highlighted op's mark goes on its ellipse, a highlighted leaf's on its box."""
    ids, marks = {}, marks or {}
    for n in graph.tensors:
        ids[id(n.tensor)] = n.id
        title = f"{n.name} (constant)" if n.kind == "const" else n.name
        label = tensor_label(graph, n, show, marks.get(n.id), title=title, formulas=[])
        d.node(n.id, label, **_attrs(n, n.id, marks, f"tensor {n.kind}"))
    for op in graph.ops:
        label = f"<B>{op.number}. {_h(op.op.describe())}</B><BR/>{_h(op.expr)}"
        if show.formulas:
            label += "".join(f'<BR/>{tag("I", font(_h(f), FORMULA))}' for f in op.grads if f)
        if op.id in marks:
            label = (font(tag("B", f"&gt;&gt; {_h(marks[op.id])}"), HIGHLIGHT["color"]) + "<BR/>"
                     if marks[op.id] else "") + label
        attrs = {"shape": "ellipse", "style": "filled", "fillcolor": COLOURS["op"], "id": op.id,
                 "class": "op"}
        if op.id in marks:
            attrs.update(HIGHLIGHT, **{"class": "op highlighted"})
        d.node(op.id, f"<{label}>", **attrs)
        for k, (p, role) in enumerate(zip(op.inputs, op.roles)):
            text = " ".join(s for s in (role, str(tuple(p.tensor.shape))) if s)
            d.edge(ids[id(p.tensor)], op.id, label=text, id=f"e_{ids[id(p.tensor)]}_{op.id}_{k}")
        d.edge(op.id, op.out.id, label=str(tuple(op.out.tensor.shape)),
               id=f"e_{op.id}_{op.out.id}")
    if show.legend:
        d.attr(label=legend(graph, show._replace(formulas=False)), labelloc="b", labeljust="l")
    d.tensor_ids, d.op_ids = ids, {op.number: op.id for op in graph.ops}
    d.edge_ids = {}
