"""viz.draw and rendering: the DOT text, the renderers that are present, the no-renderer fallback."""
import re

import numpy as np
import pytest

from tinygrad_edu import Tensor
from tinygrad_edu import viz


def small_graph():
    """loss = mean(relu(X @ W + b) ** 2) with W, b parameters and X a constant."""
    W = Tensor(np.array([[1.0, -2.0, 0.5], [0.3, 0.2, -1.0]]), requires_grad=True, name="W")
    b = Tensor(np.array([0.1, 0.2, 0.3]), requires_grad=True, name="b")
    X = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), name="X")
    s = (X @ W + b).relu()
    loss = (s ** 2).mean()
    return loss, W, b, X


def node_label(source, node):
    m = re.search(rf'^\s*{node} \[label="((?:[^"\\]|\\.)*)"', source, re.M)
    assert m, f"no node {node} in\n{source}"
    return m.group(1)


def test_every_tape_entry_and_tensor_is_a_node():
    loss, W, b, X = small_graph()
    g = viz.draw(loss)
    src = g.source
    tape = loss.tape()
    for t in tape:
        oid = g.op_ids[t.op.seq]
        label = node_label(src, oid)
        assert t.op.describe() in label and t.op.formula.split(",")[0] in label
        for k, p in enumerate(t.op.parents):   # an edge from each input, labelled with its shape
            assert f"{g.tensor_ids[id(p)]} -> {oid}" in src
        assert f"{oid} -> {g.tensor_ids[id(t)]}" in src
    assert len(g.op_ids) == len(tape)
    tensors = {id(p) for t in tape for p in t.op.parents} | {id(t) for t in tape}
    assert set(g.tensor_ids) == tensors
    assert src.count(' -> ') == sum(len(t.op.parents) + 1 for t in tape)


def test_names_values_summary_and_kinds():
    loss, W, b, X = small_graph()
    big = Tensor(np.arange(20.0).reshape(4, 5), requires_grad=True)
    big_loss = (big * 2.0).sum()
    g = viz.draw(loss)
    src = g.source
    w_label = node_label(src, g.tensor_ids[id(W)])
    assert w_label.startswith("W\\n(2, 3) float64")
    assert "-2." in w_label and "0.5" in w_label          # small: the values themselves
    assert "grad" not in w_label                           # no backward yet
    assert 'class="tensor param"' in src and 'class="tensor const"' in src
    assert 'class="tensor output"' in src and 'class="tensor inter"' in src
    assert "constant" in node_label(src, g.tensor_ids[id(X)])
    gb = viz.draw(big_loss, names={big: "A"})
    label = node_label(gb.source, gb.tensor_ids[id(big)])
    assert label.startswith("A\\n(4, 5) float64")
    assert "min 0  mean 9.5  max 19" in label              # large: a summary
    # names given as {"name": tensor} or {id(tensor): "name"}, and the default t<i>
    assert node_label(viz.draw(big_loss, names={"B": big}).source, "t0").startswith("B\\n")
    assert node_label(viz.draw(big_loss, names={id(big): "C"}).source, "t0").startswith("C\\n")
    assert node_label(viz.draw(big_loss).source, "t0").startswith("t0\\n")


def test_options_hide_parts_and_set_direction():
    loss, W, b, X = small_graph()
    loss.backward()
    full = viz.draw(loss).source
    assert "grad" in node_label(full, "t1")
    bare = viz.draw(loss, show_values=False, show_grads=False, show_formulas=False,
                    rankdir="LR").source
    assert "rankdir=LR" in bare
    assert "grad" not in bare and "dy" not in bare and "-2." not in bare
    with pytest.raises(ValueError, match="rankdir"):
        viz.draw(loss, rankdir="sideways")


def test_draw_after_backward_shows_the_engines_grads():
    loss, W, b, X = small_graph()
    loss.retain_grad()  # an intermediate's .grad is kept only when asked (leaves always)
    loss.backward()   # frees the saved arrays; the ops and parents stay
    g = viz.draw(loss)
    label = node_label(g.source, g.tensor_ids[id(W)])
    assert "grad" in label
    assert viz.format_array(W.grad).split("\n")[0] in label.replace("\\l", "\n")
    assert "grad 1" in node_label(g.source, g.tensor_ids[id(loss)])


def test_float32_dtype_is_shown():
    w = Tensor(np.array([1.5, -2.0], dtype=np.float32), requires_grad=True, name="w")
    loss = (w * w).sum()
    loss.backward()
    g = viz.draw(loss)
    label = node_label(g.source, g.tensor_ids[id(w)])
    assert label.startswith("w\\n(2,) float32") and "grad [ 3., -4.]" in label


def test_a_leaf_alone():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True, name="x")
    src = viz.draw(x).source
    assert 't0 [label="x\\n(2,) float64' in src and "->" not in src


def test_draw_rejects_non_tensors():
    with pytest.raises(TypeError, match="draw: expected a Tensor"):
        viz.draw(np.ones(3))


PRESENT = [name for name in viz.RENDERERS if viz.find_renderer(name) is not None]


@pytest.mark.skipif(not PRESENT, reason="no Graphviz renderer (dot or graphviz-pure) installed")
@pytest.mark.parametrize("renderer", PRESENT)
def test_render_svg_png_dot(renderer, tmp_path):
    loss, W, b, X = small_graph()
    g = viz.draw(loss)
    svg = viz.render(g, tmp_path / "g.svg", renderer=renderer).read_text()
    assert "<svg" in svg
    for oid in g.op_ids.values():
        assert f'id="{oid}"' in svg
    assert f'id="{g.tensor_ids[id(W)]}"' in svg
    png = viz.render(loss, tmp_path / "g.png", format="png", renderer=renderer).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    dot = viz.render(loss, tmp_path / "g.dot", format="dot", rankdir="LR").read_text()
    assert dot == viz.draw(loss, rankdir="LR").source


def test_find_renderer_looks_next_to_the_interpreter(monkeypatch, tmp_path):
    monkeypatch.setattr(viz.shutil, "which", lambda name: None)
    monkeypatch.setattr(viz.sys, "executable", str(tmp_path / "python"))
    assert viz.find_renderer() is None and viz.renderer_name() is None
    prog = tmp_path / "graphviz-pure"
    prog.write_text("#!/bin/sh\n")
    prog.chmod(0o755)
    assert viz.find_renderer() == viz.Renderer("graphviz-pure", str(prog))
    assert viz.renderer_name() == "graphviz-pure"
    with pytest.raises(ValueError, match="unknown renderer"):
        viz.find_renderer("neato")


def test_no_renderer_fallback(monkeypatch, tmp_path):
    monkeypatch.setattr(viz, "find_renderer", lambda name=None: None)
    loss, W, b, X = small_graph()
    g = viz.draw(loss)
    assert isinstance(g, viz.graphviz.Digraph)
    assert g._repr_svg_() is None
    page = g._repr_html_()
    assert "No Graphviz renderer found" in page and "digraph" in page and "pip install" in page
    bundle = g._repr_mimebundle_()
    assert "image/svg+xml" not in bundle and bundle["text/plain"] == g.source
    with pytest.raises(RuntimeError, match="no Graphviz renderer"):
        viz.render(loss, tmp_path / "g.svg")
    assert viz.render(loss, tmp_path / "g.dot", format="dot").read_text() == g.source


def test_notebook_shows_a_failing_renderer_as_text(monkeypatch, tmp_path):
    broken = tmp_path / "dot"
    broken.write_text("#!/bin/sh\necho 'syntax error in line 1' >&2\nexit 1\n")
    broken.chmod(0o755)
    monkeypatch.setattr(viz, "find_renderer", lambda name=None: viz.Renderer("dot", str(broken)))
    g = viz.draw(small_graph()[0])
    page = g._repr_html_()
    assert "Rendering failed" in page and "syntax error in line 1" in page and "digraph" in page
    assert g._repr_svg_() is None


@pytest.mark.skipif(not PRESENT, reason="no Graphviz renderer (dot or graphviz-pure) installed")
def test_notebook_display_inline_svg():
    loss, W, b, X = small_graph()
    g = viz.draw(loss)
    assert g._repr_svg_().lstrip().startswith("<?xml") or "<svg" in g._repr_svg_()
    assert "image/svg+xml" in g._repr_mimebundle_()
    assert "<svg" in g._repr_html_()


def test_render_reports_renderer_errors(tmp_path):
    if viz.find_renderer() is None:
        pytest.skip("no Graphviz renderer installed")
    with pytest.raises(RuntimeError, match="failed to make"):
        viz.render(viz.draw(small_graph()[0]), tmp_path / "g.x", format="no-such-format")
