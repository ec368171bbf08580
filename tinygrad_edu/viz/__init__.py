"""Pictures of the computation graph: diagrams, the narrated backward pass, the step-through page.

The rooms, each reading the one graph model and none importing a room that imports it back::

    graph.py     build(t): the tensors, their names, the ops numbered 1..n, each op's expression and
                 its inputs' local-gradient formulas for this call (each op writes its own: op.explain)
    diagram.py   draw(t) -> a graphviz.Digraph (compact by default, detail=True for the full sheet),
                 to_svg, render (format from the suffix)
    render.py    the Graphviz programs: the system dot, else the shipped graphviz-pure
    trace.py     trace(loss): the engine's one backward walk, observed through its hook, told step by step
    page.py      write_page(loss, path): a self-contained HTML page that steps through it (and Stepper,
                 the same inline in Jupyter)

Everything users call is importable from here: ``from tinygrad_edu.viz import draw, render, trace``.
"""
from .graph import MAX_ENTRIES, NOISE, build, format_array
from .render import RENDERERS, Renderer, find_renderer, renderer_name
from .diagram import COLOURS, MAX_OPS, Diagram, draw, render, to_svg
from .trace import Step, Trace, trace
from .page import Stepper, render_page, write_page

__all__ = ["draw", "render", "to_svg", "trace", "write_page", "render_page", "Stepper",
           "find_renderer", "renderer_name", "Renderer", "RENDERERS", "Diagram", "COLOURS",
           "format_array", "build", "Trace", "Step", "MAX_ENTRIES", "NOISE", "MAX_OPS"]
