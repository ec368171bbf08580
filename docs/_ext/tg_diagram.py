"""``tg-diagram``: a Sphinx directive that draws a graph with tinygrad_edu while the docs build.

In a MyST page::

    ```{tg-diagram}
    :caption: The tape of a small expression.
    :options: rankdir="LR"

    from tinygrad_edu import Tensor
    a = Tensor(2.0, requires_grad=True, name="a")
    L = (a * a).sum()
    L.backward()
    L
    ```

The body is Python, run on its own (a fresh namespace) when the page is built; its last line is an
expression giving the Tensor to draw (or a failed ``gradcheck``'s report: its graph, the culprit
highlighted). ``tinygrad_edu.viz.draw`` turns that Tensor's tape into a
diagram, ``tinygrad_edu.viz`` renders it to SVG (with the Graphviz ``dot`` program when installed, else
``graphviz-pure``), and the SVG is embedded in the page. ``:options:`` holds keyword arguments for
``draw`` written as Python (``show_values=False, rankdir="LR"``). Tensors are named after the
snippet's variables (unless they have a ``name`` of their own). Nothing is pasted: change the engine
and the pictures change with it. ``tests/test_docs.py`` runs the same snippets.
"""
from __future__ import annotations

import ast
import re

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.errors import ExtensionError
from sphinx.util.docutils import SphinxDirective


def run_snippet(code: str, where: str, with_names: bool = False):
    """Execute ``code``; return the value of its last line, which must be an expression (and, with
    ``with_names``, the names its variables give the tensors that have no ``name`` of their own)."""
    tree = ast.parse(code, filename=where)
    if not tree.body or not isinstance(tree.body[-1], ast.Expr):
        raise ExtensionError(f"tg-diagram ({where}): the last line must be an expression giving the "
                             f"Tensor to draw, e.g. `loss`")
    last = ast.Expression(tree.body.pop().value)
    ns = {"__name__": "__tg_diagram__"}
    exec(compile(tree, where, "exec"), ns)
    value = eval(compile(last, where, "eval"), ns)
    if not with_names:
        return value
    names = {v: k for k, v in ns.items()
             if type(v).__name__ == "Tensor" and v.name is None and not k.startswith("_")}
    return value, names


def parse_options(text: str) -> dict:
    """``'a=1, b="x"'`` -> ``{'a': 1, 'b': 'x'}``, through a literal-only parse of a call."""
    if not text:
        return {}
    call = ast.parse(f"f({text})", mode="eval").body
    return {kw.arg: ast.literal_eval(kw.value) for kw in call.keywords}


def svg_of(tensor, options: dict) -> str:
    """The SVG text of ``viz.draw(tensor, **options)``, ready to inline in HTML."""
    from tinygrad_edu import viz

    svg = viz.to_svg(tensor, **options)
    svg = re.sub(r"<\?xml[^>]*\?>\s*", "", svg)         # no prolog or doctype inside HTML
    svg = re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg)
    return svg.strip()


class TgDiagram(SphinxDirective):
    has_content = True
    option_spec = {"caption": directives.unchanged, "options": directives.unchanged}

    def run(self):
        where = f"{self.env.docname}.md:{self.lineno}"
        from tinygrad_edu import Tensor

        value, names = run_snippet("\n".join(self.content), where, with_names=True)
        if not isinstance(value, Tensor) and getattr(value, "output", None) is None:
            raise ExtensionError(f"tg-diagram ({where}): the last line gave "
                                 f"{type(value).__name__}, not a Tensor (or a failed gradcheck's "
                                 f"report)")
        svg = svg_of(value, {"names": names, **parse_options(self.options.get("options", ""))})
        figure = nodes.container(classes=["tg-diagram"])
        figure += nodes.raw("", f'<div class="tg-diagram-svg">{svg}</div>', format="html")
        if "caption" in self.options:
            para = nodes.paragraph(classes=["tg-diagram-caption"])
            para += nodes.emphasis(text=self.options["caption"])
            figure += para
        return [figure]


class TgStepThrough(SphinxDirective):
    """``{tg-stepthrough}``: the step-through page of a loss, written at build time and shown inline.

    The body is a snippet like ``tg-diagram``'s, ending with a loss Tensor on which ``backward()``
    has *not* been called (the walk needs the values the ops saved). ``tinygrad_edu.viz.write_page``
    writes the self-contained HTML page into the built site (``_stepthrough/<name>.html``); the docs
    page shows it in a frame, with a link to open it on its own.
    """

    has_content = True
    required_arguments = 1              # the file name, without .html
    option_spec = {"height": directives.positive_int, "title": directives.unchanged}

    def run(self):
        from pathlib import Path

        from tinygrad_edu import Tensor, viz

        where = f"{self.env.docname}.md:{self.lineno}"
        name = self.arguments[0]
        if not re.fullmatch(r"[\w-]+", name):
            raise ExtensionError(f"tg-stepthrough ({where}): the name must be letters, digits, - or _")
        loss, names = run_snippet("\n".join(self.content), where, with_names=True)
        if not isinstance(loss, Tensor):
            raise ExtensionError(f"tg-stepthrough ({where}): the last line must be a loss Tensor")
        folder = Path(self.env.app.outdir) / "_stepthrough"
        folder.mkdir(parents=True, exist_ok=True)
        viz.write_page(loss, folder / f"{name}.html", names=names, title=self.options.get("title"))
        href = "../" * self.env.docname.count("/") + f"_stepthrough/{name}.html"
        height = self.options.get("height", 720)
        html = (f'<div class="tg-stepthrough"><iframe src="{href}" title="step-through page" '
                f'style="width:100%;height:{height}px;border:1px solid #ccd;"></iframe>'
                f'<p><a href="{href}">Open the step-through page on its own</a></p></div>')
        return [nodes.raw("", html, format="html")]


def setup(app):
    app.add_directive("tg-diagram", TgDiagram)
    app.add_directive("tg-stepthrough", TgStepThrough)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
