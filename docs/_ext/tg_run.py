"""Run each page's Python while the docs build, and show what it printed.

On ``source-read`` of a page, the page's ```python blocks are executed in order, in one namespace,
in a temporary working directory (the same way ``tests/test_docs.py`` runs them), and after every
block that prints something, the printed text is inserted as an output block. The page files stay
as they are; only the built HTML shows the output. An exception stops the build and names the page
and the line, so a page that no longer runs cannot be published. A skip (``pytest.importorskip``
of a package that is not installed, e.g. torch) is not an error: the output block says what was
skipped and the page goes on.
"""
from __future__ import annotations

import ast
import contextlib
import io
import os
import re
import tempfile
import traceback

from sphinx.errors import ExtensionError

FENCE = re.compile(r"^(?P<fence>`{3,})(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$\n?", re.S | re.M)
MAX_LINES = 80  # longer outputs are cut, with a note


def _one_blas_thread():
    """The pages' arrays are small: one BLAS thread is as fast, and on a busy machine much faster
    than threads that wait for each other. A no-op without threadpoolctl."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _run(code: str, ns: dict, filename: str, first_line: int) -> None:
    tree = ast.parse(code, filename=filename)
    ast.increment_lineno(tree, first_line - 1)
    exec(compile(tree, filename, "exec"), ns)


def _output_block(text: str) -> str:
    lines = text.rstrip("\n").splitlines()
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES] + [f"... ({len(lines) - MAX_LINES} more lines)"]
    body = "\n".join(lines)
    fence = "`" * max(3, max((len(m) for m in re.findall(r"`+", body)), default=0) + 1)
    return f"{fence}{{code-block}} text\n:class: tg-output\n\n{body}\n{fence}\n"


def with_outputs(text: str, filename: str) -> str:
    """``text`` with an output block after each python block that prints."""
    ns = {"__name__": "__docs__"}
    out, pos = [], 0
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp, _one_blas_thread():
        os.chdir(tmp)
        try:
            for m in FENCE.finditer(text):
                out.append(text[pos:m.end()])
                pos = m.end()
                if m.group("info").strip() != "python":
                    continue
                line = text.count("\n", 0, m.start("body")) + 1
                stdout, stderr = io.StringIO(), io.StringIO()
                try:
                    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
                        _run(m.group("body"), ns, filename, line)
                except Exception as err:
                    tb = "".join(traceback.format_exception(err)[-3:])
                    raise ExtensionError(f"{filename}:{line}: this code block raised:\n{tb}") from err
                except BaseException as err:   # pytest.skip / importorskip: not an error
                    if type(err).__name__ != "Skipped":
                        raise
                    stdout.write(f"(skipped: {getattr(err, 'msg', None) or err})\n")
                if stdout.getvalue().strip():
                    out.append("\n" + _output_block(stdout.getvalue()))
        finally:
            os.chdir(cwd)
    out.append(text[pos:])
    return "".join(out)


def _on_source_read(app, docname, source):
    if any(docname == d or docname.startswith(d + "/") for d in app.config.tg_run_pages):
        source[0] = with_outputs(source[0], app.env.doc2path(docname))


def setup(app):
    app.add_config_value("tg_run_pages", [], "env")
    app.connect("source-read", _on_source_read)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
