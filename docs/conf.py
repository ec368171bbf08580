"""Sphinx configuration for the tinygrad_edu docs.

Build (offline, warnings are errors)::

    .venv/bin/sphinx-build -W -b html docs docs/_build/html

Pages are MyST Markdown. Diagrams are drawn while the docs build, by the library itself, through the
``tg-diagram`` directive in ``docs/_ext/tg_diagram.py``.
"""
from __future__ import annotations

import io
import os
import re
import types
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "_ext"))
sys.path.insert(0, os.path.dirname(HERE))  # the package itself, even without an install

from docutils.core import publish_doctree  # noqa: E402

import tinygrad_edu  # noqa: E402

project = "tinygrad_edu"
author = "the tinygrad_edu authors"
copyright = "2026, the tinygrad_edu authors"
release = version = tinygrad_edu.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",  # MathJax served from the built site: math renders with no network
    "tg_diagram",
    "tg_run",
]
# Pages whose python blocks run at build time, with their printed output shown under each block.
tg_run_pages = ["tutorial", "how-it-works", "index", "ops"]
myst_enable_extensions = ["dollarmath", "colon_fence"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**/README.md"]

html_theme = "furo"
html_title = "tinygrad_edu"
html_static_path = ["_static"]
html_css_files = ["tinygrad_edu.css"]

autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": True}
autodoc_typehints = "description"
# Offline both ways: the build needs no network, and the pages load MathJax from the built site.

_STAR_SHAPE = re.compile(r"\((\*)(\w+)")
_ROLE = re.compile(r":[\w:.-]+:`")


def _clean_rst(text: str) -> bool:
    """True if ``text`` parses as reStructuredText without a single warning."""
    stream = io.StringIO()
    publish_doctree(_ROLE.sub("`", text), settings_overrides={
        "report_level": 2, "halt_level": 5, "warning_stream": stream})
    return not stream.getvalue()


def _on_docstring(app, what, name, obj, options, lines):
    """Show each docstring as it was written.

    The docstrings are written for people reading the source: shapes such as ``(*B)``, math such as
    ``|a - b|`` and indented formulas, which reStructuredText would read as markup. A docstring that
    parses cleanly is rendered as reST (after Napoleon has turned its ``Args:`` sections into
    fields); one that does not is shown verbatim, as a preformatted block, rather than misread.
    """
    lines[:] = [_STAR_SHAPE.sub(r"(\\*\2", line) for line in lines]
    if lines and not _clean_rst("\n".join(lines)):
        body = [("    " + line.replace("``", "")) if line.strip() else "" for line in lines]
        lines[:] = ["::", ""] + body + [""]


def _slot_markers() -> tuple:
    """What autodoc passes as the value of a ``__slots__`` entry: ``SLOTSATTR`` up to Sphinx 8,
    ``_sentinels.SLOTS_ATTR`` from Sphinx 9 (both looked up, so either version builds)."""
    import sphinx.ext.autodoc as autodoc
    found = [getattr(autodoc, "SLOTSATTR", None)]
    try:
        from sphinx.ext.autodoc import _sentinels
        found.append(getattr(_sentinels, "SLOTS_ATTR", None))
    except ImportError:
        pass
    return tuple(m for m in found if m is not None)


def _skip_slots(app, what, name, obj, skip, options):
    """Leave out the ops' ``__slots__`` (the arrays an op saves, e.g. ``ReLU.y``): each would be an
    entry of its own, and a bare ``y`` in a docstring would then name a dozen of them."""
    if isinstance(obj, types.MemberDescriptorType) or any(obj is m for m in _slot_markers()):
        return True
    return skip


def setup(app):
    app.connect("autodoc-process-docstring", _on_docstring)
    app.connect("autodoc-skip-member", _skip_slots)
    return {"parallel_read_safe": True}
