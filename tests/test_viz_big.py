"""Big graphs: draw, to_svg, write_page and trace finish, or give a summary, and never hang; one
part drawn in full; a layout that runs too long stops with a clear error. The limits here are
generous (a minute for what takes a few seconds): only a hang exceeds them. How long layouts take
is measured by benchmarks/layout.py, not here."""
import re
import sys
import time

import numpy as np
import pytest

from tinygrad_edu import Tensor, viz
from tinygrad_edu.viz import layout, programs
from tinygrad_edu.viz.trace import MAX_STEPS

PRESENT = [name for name in programs.RENDERERS if programs.find_renderer(name) is not None]
needs_renderer = pytest.mark.skipif(not PRESENT, reason="no Graphviz renderer installed")
HANG = 60.0   # seconds: far beyond what any of these takes; only a hang reaches it


def recurrence(n_ops):
    """n_ops / 4 steps of h = tanh(w*h + u*x), w and u shared by every step: the costliest
    family to lay out (a shared weight sends an edge to every step)."""
    w = Tensor(np.array(0.5), requires_grad=True, name="w")
    u = Tensor(np.array(-0.3), requires_grad=True, name="u")
    h = Tensor(np.array(0.0))
    for x in np.linspace(-1, 1, n_ops // 4):
        h = (w * h + u * x).tanh()
    return h


class no_hang:
    """``with no_hang("draw"): ...`` fails if the block takes longer than HANG seconds."""

    def __init__(self, what):
        self.what = what

    def __enter__(self):
        self.t0 = time.perf_counter()

    def __exit__(self, *exc):
        elapsed = time.perf_counter() - self.t0
        assert elapsed < HANG, f"{self.what} took {elapsed:.0f} s"


@needs_renderer
@pytest.mark.parametrize("renderer", PRESENT)
@pytest.mark.parametrize("n_ops", [148, 200, 2000, 20000])
def test_draw_and_to_svg_never_hang(n_ops, renderer, tmp_path):
    h = recurrence(n_ops)
    h.backward()
    with no_hang("draw"):
        d = viz.draw(h)
    summary = len(d.model.ops) > layout.MAX_OPS or not layout.plan(d.model).fits
    assert d.summary == summary
    if not d.summary:                      # every op drawn; shared weights beside each use
        assert all(f"op{k} [label=" in d.source for k in range(1, len(d.model.ops) + 1))
        assert layout.plan(d.model).cost <= layout.LAYOUT_BUDGET
    with no_hang("to_svg"):
        svg = viz.to_svg(d, renderer=renderer)
    assert "<svg" in svg
    if d.summary:                          # the summary: the loss, the parameters, the blocks
        text = d.summary_text
        assert f"Summary of a graph of {len(d.model.ops):,} ops" in text
        assert re.search(r"h = -?[\d.]+, grad 1", text)
        assert re.search(r"w: value 0\.5, grad -?[\d.]+", text) and "u: value -0.3" in text
        assert f"(mul, mul, add, tanh) \u00d7 {n_ops // 4:,}, sharing w, u" in text
        assert "draw(t, around=w, depth=2)" in text
        assert d.source.count("[label=") < 10 and len(d.source) < 8000
        for part in ("h = ", "w: value", f"\u00d7 {n_ops // 4:,}"):
            assert part in svg


@pytest.mark.parametrize("n_ops", [148, 200, 2000, 20000])
def test_trace_of_a_big_graph_prints_a_summary_and_ranges(n_ops):
    h = recurrence(n_ops)
    with no_hang("trace"):
        tr = viz.trace(h)
        text = str(tr)
    assert len(tr) == n_ops
    if n_ops <= MAX_STEPS:
        assert text.count("\nStep ") == n_ops
    else:
        assert len(text.splitlines()) < 30 and "Step 1 of" not in text
        assert f"(mul, mul, add, tanh) \u00d7 {n_ops // 4:,}" in text and "tr.show(1, 20)" in text
        assert re.search(r"w: value 0\.5, grad -?[\d.]+", text)
    part = tr.show(3, 5)
    assert part.count("\nStep ") == 3 and f"Step 3 of {n_ops}" in part and "Step 6" not in part
    tr.steps_shown = (1, 2)                          # what trace(loss, steps=(1, 2)) sets
    assert str(tr).count("\nStep ") == 2
    if n_ops <= 2000:
        assert str(viz.trace(h, steps=(1, 2))) == str(tr)
    with pytest.raises(ValueError, match="1 <= first <= last"):
        tr.show(5, 3)
    with pytest.raises(ValueError, match=f"this trace has {n_ops} steps"):
        viz.trace(h, steps=(1, n_ops + 1))


@pytest.mark.parametrize("n_ops", [148, 200, 2000, 20000])
def test_write_page_never_hangs(n_ops, tmp_path):
    h = recurrence(n_ops)
    with no_hang("write_page"):
        path = viz.write_page(h, tmp_path / "p.html")
    text = path.read_text()
    assert text.startswith("<!DOCTYPE html>")
    d = viz.draw(h)
    if d.summary:                          # the page follows draw's rule: a summary page
        assert "too many to step through" in text and "around=tensor, depth=2" in text
        assert len(text) < 400_000
    else:
        assert f"Backward {n_ops} of {n_ops}" in text
    with no_hang("write_page(around=)"):
        part = viz.write_page(h, tmp_path / "part.html", around=n_ops, depth=2)
    assert f"Backward 1 of {n_ops}: op {n_ops}" in part.read_text()


def test_draw_one_part_in_full():
    h = recurrence(2000)
    h.backward()
    d = viz.draw(h, around=1000, depth=2)
    # op 1000 is a tanh: its add and that add's two muls, and the mul that reads it and its add
    assert sorted(d.op_ids) == [997, 998, 999, 1000, 1001, 1003]
    assert not d.summary and "the 6 ops within 2 steps of op 1000" in d.part_text
    assert "tanh996 (from op 996, not drawn)" in d.source      # an input from outside: a stub
    assert "also used by op 1004 (not drawn)" in d.source     # a use outside the part
    w = d.model.tensors[0].tensor
    d = viz.draw(h, around=w, depth=0)       # a leaf: the ops that use it
    assert len(d.op_ids) == 500
    with pytest.raises(ValueError, match="not an op of this graph"):
        viz.draw(h, around=2001)
    with pytest.raises(TypeError, match="around= takes a Tensor"):
        viz.draw(h, around="w")
    with pytest.raises(ValueError, match="depth must be"):
        viz.draw(h, around=5, depth=-1)


def test_a_layout_that_runs_too_long_stops_with_a_clear_error(monkeypatch, tmp_path):
    slow = tmp_path / "dot"
    slow.write_text(f"#!{sys.executable}\nimport time\ntime.sleep(30)\n")   # a layout that hangs
    slow.chmod(0o755)
    monkeypatch.setattr(programs, "find_renderer",
                        lambda name=None: programs.Renderer("dot", str(slow)))
    h = recurrence(40)
    t0 = time.perf_counter()
    with pytest.raises(programs.LayoutTimeout, match=r"did not finish .* within 0\.5 s") as info:
        viz.to_svg(viz.draw(h, timeout=0.5))
    assert time.perf_counter() - t0 < 20
    assert "around=w, depth=2" in str(info.value) and "timeout=" in str(info.value)
    page = viz.draw(h, timeout=0.5)._repr_html_()          # a notebook shows it, no traceback
    assert "Rendering failed" in page and "did not finish" in page and "digraph" in page
