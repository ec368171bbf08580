"""Diagrams of the computation graph, drawn from the engine's own tape.

``draw(t)`` turns everything ``t`` depends on into a ``graphviz.Digraph``: one box per tensor, one
ellipse per op, edges labelled with the shape that flows along them. Nothing is re-derived: the
tensors come from ``t.tape()`` and ``t.op.parents``, the texts from ``op.describe()`` and
``op.formula``. The DOT text (``.source``) needs no Graphviz program at all; pictures (SVG, PNG)
need a renderer, the system ``dot`` when it is installed, else the ``graphviz-pure`` program that
comes with this package's dependencies::

    import numpy as np
    from tinygrad_edu import Tensor
    from tinygrad_edu.viz import draw, render

    W = Tensor(np.ones((2, 3)), requires_grad=True, name="W")
    loss = (W * W).sum()
    loss.backward()
    print(draw(loss).source)          # DOT text, always available
    render(loss, "loss.svg")          # a picture file, through dot or graphviz-pure

Colours: parameters (leaves that require grad) are green, constants (inputs that do not require
grad) grey and dashed, intermediates blue, the tensor drawn from (usually the loss) orange, ops
yellow ellipses.

The narrated backward pass (``trace``) lives in ``trace.py`` and the step-through HTML page
(``write_page``) in ``page.py``; both are importable from here too.
"""
from __future__ import annotations

import html
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import graphviz
import numpy as np

__all__ = ["draw", "render", "to_svg", "find_renderer", "renderer_name", "Diagram",
           "tensor_label_name", "format_array", "trace", "write_page"]

SMALL = 12  # tensors with at most this many entries show their values; larger ones a summary

COLOURS = {
    "param": "#d5f0d5",   # leaf that requires grad: what training updates
    "const": "#eeeeee",   # input that does not require grad (data, labels, numbers)
    "inter": "#dbe6fb",   # made by an op
    "output": "#fde3c4",  # the tensor the diagram was drawn from
    "op": "#fff3c4",
}


# ----------------------------------------------------------------------------------------------
# Walking the graph and naming its tensors.
# ----------------------------------------------------------------------------------------------


def graph_tensors(t) -> tuple[list, list]:
    """(tensors, made): every tensor in the graph of ``t`` in a stable order, and the tape.

    ``made`` is ``t.tape()``: the recorded tensors, oldest first. ``tensors`` lists each op's inputs
    (the leaves and constants included) before its output, in tape order, each once; a leaf ``t``
    gives just ``[t]``.
    """
    made = list(t.tape())
    seen, tensors = set(), []
    for out in made:
        for x in list(out.op.parents) + [out]:
            if id(x) not in seen:
                seen.add(id(x))
                tensors.append(x)
    if id(t) not in seen:
        tensors.append(t)
    return tensors, made


def _names_by_id(names) -> dict:
    """Normalise a names mapping to {id(tensor): name}.

    Accepted keys: a tensor, or ``id(tensor)``. A mapping from strings to tensors (such as a params
    dict ``{"W1": W1, ...}``) works too.
    """
    out = {}
    for k, v in (names or {}).items():
        if isinstance(k, str) and not isinstance(v, str):
            k, v = v, k
        out[k if isinstance(k, int) else id(k)] = str(v)
    return out


def tensor_label_name(tensors, names=None) -> dict:
    """{id(tensor): display name}: the ``names`` mapping first, then ``Tensor.name``, else ``t<i>``
    with ``i`` the tensor's position in ``tensors``."""
    given = _names_by_id(names)
    return {id(x): given.get(id(x)) or x.name or f"t{i}" for i, x in enumerate(tensors)}


def kind_of(x, root) -> str:
    """'output' for ``root``, 'param' for a leaf requiring grad, 'const' for an input that does not
    require grad, 'inter' for the rest (tensors made by an op)."""
    if x is root:
        return "output"
    if x.op is None:
        return "param" if x.requires_grad else "const"
    return "inter"


def format_array(a, precision: int = 4) -> str:
    """Small arrays in full (numpy's layout, ``precision`` digits), larger ones as
    ``min / mean / max``; a 0-d array as a plain number."""
    a = np.asarray(a)
    if a.size <= SMALL:
        if a.ndim == 0:
            return f"{a.item():.{precision}g}"
        return np.array2string(a, precision=precision, separator=", ", suppress_small=False)
    return (f"min {a.min():.{precision}g}  mean {a.mean():.{precision}g}  "
            f"max {a.max():.{precision}g}")


def _shape_text(shape) -> str:
    return "scalar" if shape == () else str(tuple(shape))


# ----------------------------------------------------------------------------------------------
# The diagram.
# ----------------------------------------------------------------------------------------------


def _esc(s: str) -> str:
    """Escape backslashes so DOT shows them literally (the graphviz package escapes quotes)."""
    return s.replace("\\", "\\\\")


def _lines_left(text: str) -> str:
    """Multi-line text as left-justified DOT label lines (each ends with ``\\l``)."""
    return "".join(_esc(line) + "\\l" for line in text.splitlines())


def _tensor_label(x, name, show_values, show_grads) -> str:
    head = f"{_esc(name)}\\n{_shape_text(x.shape)} {x.dtype}"
    if x.op is None and not x.requires_grad:
        head += "\\nconstant"
    label = head + "\\n"
    if show_values:
        label += _lines_left(_titled("value", x.data, always=False))
    if show_grads and x.grad is not None:
        label += _lines_left(_titled("grad", x.grad, always=True))
    return label


def _titled(title: str, a, always: bool) -> str:
    """``title`` then the array: on one line when it fits there, else the title on a line of its
    own. ``always=False`` leaves out the title of a small array (its values speak for themselves)."""
    text = format_array(a)
    if not always and np.asarray(a).size <= SMALL:
        return text
    return f"{title}:\n{text}" if "\n" in text else f"{title} {text}"


def _op_label(op, show_formulas) -> str:
    label = f"{_esc(op.describe())}  #{op.seq}"
    if show_formulas and op.formula:
        label += "\\n" + _esc(op.formula)
    return label


class Diagram(graphviz.Digraph):
    """A ``graphviz.Digraph`` that knows how to show itself in Jupyter without the ``dot`` program.

    In a notebook it renders through ``find_renderer()`` (system ``dot`` or ``graphviz-pure``); when
    there is none, it shows a message saying what to install, followed by the DOT text, instead of
    a traceback. ``tensor_ids`` maps ``id(tensor)`` to the tensor's node id (``t0``, ``t1``, ...)
    and ``op_ids`` maps an op's ``seq`` to its node id (``op5``); the SVG uses the same ids.
    """

    def _svg_or_problem(self) -> tuple:
        """(svg, None) when a renderer made the picture, else (None, what went wrong)."""
        if find_renderer() is None:
            return None, ("No Graphviz renderer found: neither the dot program nor graphviz-pure is "
                          "on PATH or next to the Python interpreter. Install one (pip install "
                          "graphviz-pure, or your system's graphviz package) to see the picture.")
        try:
            return to_svg(self), None
        except (RuntimeError, OSError, subprocess.SubprocessError) as e:
            return None, f"Rendering failed: {e}"

    def _fallback_html(self, problem: str) -> str:
        return (f"<div><p><b>{html.escape(problem)}</b> The diagram as DOT text:</p><pre>"
                + html.escape(self.source) + "</pre></div>")

    def _repr_svg_(self):
        return self._svg_or_problem()[0]

    def _repr_html_(self):
        svg, problem = self._svg_or_problem()
        return svg if svg is not None else self._fallback_html(problem)

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        svg, problem = self._svg_or_problem()
        if svg is not None:
            return {"image/svg+xml": svg}
        return {"text/html": self._fallback_html(problem), "text/plain": self.source}


def draw(t, names=None, show_values: bool = True, show_grads: bool = True,
         show_formulas: bool = True, rankdir: str = "TB") -> Diagram:
    """The computation graph of ``t`` as a ``graphviz.Digraph`` (a ``Diagram``).

    One node per tensor (box) and per op (ellipse). A tensor node shows its name (``names`` mapping
    ``{tensor or id(tensor): "name"}`` or ``{"name": tensor}``, else ``Tensor.name``, else ``t<i>``),
    its shape and dtype, its values when it has at most 12 entries (else min/mean/max) and its
    ``.grad`` once a backward pass has filled it. An op node shows ``op.describe()``, its place on
    the tape (``#seq``) and its local-gradient formula. Edges carry the shape that flows along them:
    input -> op -> output. ``rankdir`` is ``"TB"`` (top to bottom) or ``"LR"`` (left to right).

    Drawing after ``backward()`` works even though the saved arrays were freed: the ops and their
    parents stay.
    """
    if rankdir not in ("TB", "LR", "BT", "RL"):
        raise ValueError(f"draw: rankdir must be 'TB', 'LR', 'BT' or 'RL', got {rankdir!r}")
    if not hasattr(t, "tape"):
        raise TypeError(f"draw: expected a Tensor, got {type(t).__name__}")
    tensors, made = graph_tensors(t)
    label_of = tensor_label_name(tensors, names)
    g = Diagram(name="graph", graph_attr={"rankdir": rankdir, "fontname": "Helvetica"},
                node_attr={"fontname": "Helvetica", "fontsize": "11"},
                edge_attr={"fontname": "Helvetica", "fontsize": "9", "color": "#555555"})
    ids = {id(x): f"t{i}" for i, x in enumerate(tensors)}
    op_ids = {}
    for x in tensors:
        kind = kind_of(x, t)
        style = {"param": "filled,rounded,bold", "const": "filled,dashed",
                 "inter": "filled", "output": "filled,bold"}[kind]
        g.node(ids[id(x)], _tensor_label(x, label_of[id(x)], show_values, show_grads),
               shape="box", style=style, fillcolor=COLOURS[kind], id=ids[id(x)],
               **{"class": f"tensor {kind}"})
    for out in made:
        op = out.op
        oid = f"op{op.seq}"
        op_ids[op.seq] = oid
        g.node(oid, _op_label(op, show_formulas), shape="ellipse", style="filled",
               fillcolor=COLOURS["op"], id=oid, **{"class": "op"})
        for k, p in enumerate(op.parents):
            eid = f"e_{ids[id(p)]}_{oid}_{k}"
            g.edge(ids[id(p)], oid, label=_shape_text(p.shape), id=eid)
        g.edge(oid, ids[id(out)], label=_shape_text(out.shape), id=f"e_{oid}_{ids[id(out)]}")
    g.tensor_ids, g.op_ids = ids, op_ids
    return g


# ----------------------------------------------------------------------------------------------
# Rendering.
# ----------------------------------------------------------------------------------------------


class Renderer(NamedTuple):
    """A program that turns DOT text into a picture: ``name`` is 'dot' or 'graphviz-pure'."""

    name: str
    path: str


RENDERERS = ("dot", "graphviz-pure")


def _find(name: str):
    """The path of program ``name``: on PATH, else in the running interpreter's scripts folder."""
    found = shutil.which(name)
    if found:
        return found
    folder = Path(sys.executable).parent
    for candidate in (folder / name, folder / f"{name}.exe"):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def find_renderer(name: str | None = None) -> Renderer | None:
    """The renderer to use: ``name`` ('dot' or 'graphviz-pure') if given, else the system ``dot``
    when present, else ``graphviz-pure``. None when none is found."""
    if name is not None and name not in RENDERERS:
        raise ValueError(f"find_renderer: unknown renderer {name!r}; choose one of {RENDERERS}")
    for candidate in ([name] if name else RENDERERS):
        path = _find(candidate)
        if path:
            return Renderer(candidate, path)
    return None


def renderer_name() -> str | None:
    """Which renderer pictures go through: 'dot', 'graphviz-pure', or None when there is none."""
    r = find_renderer()
    return r.name if r else None


def _as_digraph(t_or_digraph, draw_kwargs) -> graphviz.Digraph:
    if isinstance(t_or_digraph, graphviz.Digraph):
        if draw_kwargs:
            raise TypeError("render: drawing options apply to a Tensor, not to a ready Digraph")
        return t_or_digraph
    return draw(t_or_digraph, **draw_kwargs)


def _run(source: str, fmt: str, renderer: str | None) -> bytes:
    r = find_renderer(renderer)
    if r is None:
        want = repr(renderer) if renderer else "'dot' or 'graphviz-pure'"
        raise RuntimeError(
            f"render: no Graphviz renderer found ({want} is neither on PATH nor next to "
            f"{sys.executable}). Install graphviz-pure (pip install graphviz-pure) or the system "
            f"graphviz package, or use format='dot' to write the DOT text.")
    proc = subprocess.run([r.path, f"-T{fmt}"], input=source.encode("utf-8"),
                          capture_output=True, timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"render: {r.name} failed to make {fmt} (exit code {proc.returncode}): "
                           f"{proc.stderr.decode('utf-8', 'replace').strip()}")
    return proc.stdout


def to_svg(t_or_digraph, renderer: str | None = None, **draw_kwargs) -> str:
    """The diagram as SVG text, through ``renderer`` (default: whichever ``find_renderer`` finds)."""
    g = _as_digraph(t_or_digraph, draw_kwargs)
    return _run(g.source, "svg", renderer).decode("utf-8")


def render(t_or_digraph, path, format: str = "svg", renderer: str | None = None,
           **draw_kwargs) -> Path:
    """Write the diagram of a Tensor (drawn with ``draw_kwargs``) or of a Digraph to ``path``.

    ``format`` is 'svg', 'png' or 'dot' (the DOT text; needs no renderer); other Graphviz formats
    are passed to the renderer. Returns the path written.
    """
    g = _as_digraph(t_or_digraph, draw_kwargs)
    path = Path(path)
    if format == "dot":
        path.write_text(g.source, encoding="utf-8")
    else:
        path.write_bytes(_run(g.source, format, renderer))
    return path


# Re-exported so that ``from tinygrad_edu.viz import trace, write_page`` works. The page is built
# on this module, so it is imported on first use.
from .trace import trace  # noqa: E402


def __getattr__(name):
    if name == "write_page":
        from .page import write_page
        return write_page
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
