"""Pictures of the computation graph: diagrams, the narrated backward pass, the step-through page.

The rooms, each reading the one graph model and none importing a room that imports it back::

    numbers.py   arrays as text, and rounding noise told apart (~0)
    graph.py     build(t): the tensors, their names, the ops numbered 1..n, each op's expression and
                 its inputs' local-gradient formulas for this call (each op writes its own: op.explain)
    blocks.py    repeated blocks: a loop body, a layer applied n times
    layout.py    what a drawing costs Graphviz to lay out, and how to keep it in time
    boxes.py     the boxes (value | grad cells, formulas, the legend) and the compact and full sheets
    views.py     a part of the graph (around=), repeated blocks drawn once (x n)
    summary.py   the summary of a graph too big to lay out in time
    diagram.py   draw(t) -> a graphviz.Digraph: what to draw (in full, a part, a summary, a slide
                 fitted to a frame), to_svg, render (format from the suffix)
    programs.py  the Graphviz programs: the system dot, else the shipped graphviz-pure, in time
    trace.py     trace(loss): the engine's one backward walk, observed through its hook, told step by step
    page.py      write_page(loss, path): a self-contained HTML page that steps through it (and Stepper,
                 the same inline in Jupyter)

Everything users call is importable from here: ``from tinygrad_edu.viz import draw, render, trace``.
"""
from .graph import MAX_ENTRIES, NOISE, build, format_array
from .programs import LAYOUT_TIMEOUT, RENDERERS, LayoutTimeout, Renderer, find_renderer, renderer_name
from .layout import LAYOUT_BUDGET, MAX_OPS
from .diagram import COLOURS, Diagram, draw, render, text_px, to_svg
from .trace import MAX_STEPS, Step, Trace, trace
from .page import Stepper, render_page, write_page

__all__ = ["draw", "render", "to_svg", "trace", "write_page", "render_page", "Stepper",
           "find_renderer", "renderer_name", "Renderer", "RENDERERS", "Diagram", "COLOURS",
           "format_array", "build", "Trace", "Step", "MAX_ENTRIES", "NOISE", "MAX_OPS",
           "MAX_STEPS", "LAYOUT_BUDGET", "LAYOUT_TIMEOUT", "LayoutTimeout", "text_px"]
