"""The Graphviz programs: find one, and turn DOT text into a picture.

Two renderers are looked for: the system ``dot`` (Graphviz), else ``graphviz-pure`` (a
self-contained port that this package depends on, installed next to the Python interpreter). Both
take the same DOT text and ``-T<format>`` options. This module knows nothing of tensors: it turns
DOT text into bytes, and stops a program that takes longer than ``timeout`` seconds
(``LAYOUT_TIMEOUT`` by default) with a ``LayoutTimeout`` that says what to do instead.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

__all__ = ["Renderer", "RENDERERS", "find_renderer", "renderer_name", "run", "FORMATS",
           "format_of", "LayoutTimeout", "LAYOUT_TIMEOUT"]

LAYOUT_TIMEOUT = 20.0   # seconds: far above what a drawing within the layout budget takes (< 2 s)


class LayoutTimeout(RuntimeError):
    """A Graphviz program did not finish in time; the message says what to draw instead."""

RENDERERS = ("dot", "graphviz-pure")
FORMATS = ("svg", "png", "pdf", "dot", "gv", "ps", "eps", "json", "jpg", "jpeg", "gif")


class Renderer(NamedTuple):
    """A program that turns DOT text into a picture: ``name`` is 'dot' or 'graphviz-pure'."""

    name: str
    path: str


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


def format_of(path, format: str | None = None) -> str:
    """The picture format for ``path``: ``format`` when given, else the file's suffix (``g.png`` ->
    'png'); 'svg' for a path without a suffix."""
    if format:
        return format.lower()
    suffix = Path(path).suffix.lower().lstrip(".")
    return suffix or "svg"


def run(source: str, fmt: str, renderer: str | None = None, timeout: float | None = None,
        advice: str = "") -> bytes:
    """``source`` (DOT text) rendered as ``fmt`` by ``renderer`` (default: ``find_renderer()``).

    A program still running after ``timeout`` seconds (``LAYOUT_TIMEOUT``) is stopped and
    ``LayoutTimeout`` raised, its message ending with ``advice`` (what to draw instead)."""
    timeout = LAYOUT_TIMEOUT if timeout is None else timeout
    r = find_renderer(renderer)
    if r is None:
        want = repr(renderer) if renderer else "'dot' or 'graphviz-pure'"
        raise RuntimeError(
            f"render: no Graphviz renderer found ({want} is neither on PATH nor next to "
            f"{sys.executable}). Install graphviz-pure (pip install graphviz-pure) or the system "
            f"graphviz package, or write the DOT text (a path ending in .dot).")
    if fmt == "pdf" and r.name == "graphviz-pure":   # it makes no PDF: a 200 dpi PNG in a PDF
        return _pdf_from_png(_call(r, source, ["-Tpng", "-Gdpi=200"], timeout, advice))
    return _call(r, source, [f"-T{fmt}"], timeout, advice)


def _call(r: Renderer, source: str, options: list, timeout: float, advice: str) -> bytes:
    fmt = options[0][2:]
    try:
        proc = subprocess.run([r.path, *options], input=source.encode("utf-8"),
                              capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        nodes = source.count("[label=")
        raise LayoutTimeout(
            f"render: {r.name} did not finish laying out {nodes:,} nodes as {fmt} within "
            f"{timeout:g} s and was stopped. {advice or 'Draw fewer nodes.'} (timeout=... waits "
            f"longer.)") from None
    if proc.returncode != 0:
        raise RuntimeError(f"render: {r.name} failed to make {fmt} (exit code {proc.returncode}): "
                           f"{proc.stderr.decode('utf-8', 'replace').strip()}")
    return proc.stdout


def _pdf_from_png(png: bytes) -> bytes:
    """A one-page PDF holding the picture ``png`` (through Pillow, which matplotlib brings)."""
    try:
        from PIL import Image
    except ImportError:
        raise RuntimeError("render: graphviz-pure makes no PDF, and Pillow (pip install pillow), "
                           "which would wrap its PNG in one, is not installed; install the system "
                           "graphviz package or write .svg or .png") from None
    import io

    out = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").save(out, format="PDF", resolution=200.0)
    return out.getvalue()
