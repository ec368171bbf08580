"""viz.draw and rendering: the compact and detailed diagrams, names, numbers, legibility on a slide,
the renderers that are present, the no-renderer fallback, large graphs."""
import importlib
import re

import numpy as np
import pytest

from tinygrad_edu import Tensor
from tinygrad_edu import viz
from tinygrad_edu.losses import softmax_loss, two_layer_loss

programs = importlib.import_module("tinygrad_edu.viz.render")   # the module; viz.render is the function


def small_graph():
    """loss = mean(relu(X @ W + b) ** 2) with W, b parameters and X a constant."""
    W = Tensor(np.array([[1.0, -2.0, 0.5], [0.3, 0.2, -1.0]]), requires_grad=True, name="W")
    b = Tensor(np.array([0.1, 0.2, 0.3]), requires_grad=True, name="b")
    X = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), name="X")
    s = (X @ W + b).relu()
    loss = (s ** 2).mean()
    return loss, W, b, X


def node_label(source, node):
    m = re.search(rf'^\s*{node} \[label=<(.*?)>\s+\w+=', source, re.M)
    assert m, f"no node {node} in\n{source}"
    return re.sub(r"<[^>]+>", "\n", m.group(1)).replace("&#160;", " ")


def test_compact_one_node_per_op_and_leaf():
    loss, W, b, X = small_graph()
    g = viz.draw(loss)
    src = g.source
    tape = loss.tape()
    assert list(g.op_ids) == list(range(1, len(tape) + 1))   # numbered 1..n within the graph
    for k, t in enumerate(tape, start=1):
        assert f"op{k} [label=" in src and g.tensor_ids[id(t)] == f"op{k}"
        for p in t.op.parents:
            if id(p) in g.tensor_ids:
                assert f"{g.tensor_ids[id(p)]} -> op{k}" in src
    del p, t                                 # the diagram names tensors after the caller's variables
    assert {g.tensor_ids[id(x)] for x in (W, b, X)} == {"leaf1", "leaf2", "leaf3"}
    assert "float64" not in src and "scalar" not in src
    assert viz.draw(loss).source == src                      # the same every time
    assert 'class="tensor param"' in src and 'class="tensor const"' in src


def test_names_from_the_callers_variables():
    W = Tensor(np.ones((2, 2)), requires_grad=True)
    x = Tensor(np.array([1.0, 2.0]))
    scores = x @ W
    loss = (scores * scores).sum()
    label = node_label(viz.draw(loss).source, "op1")
    assert "1. scores = x @ W" in label
    assert "loss = " in node_label(viz.draw(loss).source, "op3")
    assert "dW = outer(x, dy)" in label                         # a 1-D matmul: the outer product
    named = viz.draw(loss, names={W: "V"}).source               # names= wins
    assert "scores = x @ V" in named
    W.name = "Wt"                                                # then Tensor.name
    assert "scores = x @ Wt" in viz.draw(loss).source


def test_formulas_specialized_to_the_call():
    W = Tensor(np.ones((3, 2)), requires_grad=True)
    b = Tensor(np.zeros(2), requires_grad=True)
    X = Tensor(np.ones((4, 3)))
    h = X @ W + b
    loss = ((h ** 3).sum() - (h * 0.5).sum())
    ops = {op.expr: op.grads for op in viz.build(loss).ops}
    assert ops["matmul1 = X @ W"] == [None, "dW = X.T @ dy"]
    assert ops["h = matmul1 + b"] == ["dmatmul1 = dy", "db = sum(dy, axis=0)"]
    assert ops["pow3 = h ** 3"] == ["dh = 3 * h ** 2 * dy"]
    assert ops["mul5 = h * 0.5"] == ["dh = dy * 0.5", None]
    assert ops["loss = sum4 - sum6"] == ["dsum4 = dy", "dsum6 = -dy"]
    roles = {op.expr: op.roles for op in viz.build(loss).ops}
    assert roles["matmul1 = X @ W"] == ["left", "right"]
    v, M = Tensor(np.ones(2), requires_grad=True), Tensor(np.ones((2, 3)), requires_grad=True)
    r = (M.T @ v).sum()
    grads = viz.build(r).ops[1].grads
    assert grads == ["dtranspose1 = outer(dy, v)", "dv = transpose1.T @ dy"]
    a = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    square = a * a                                      # one tensor, two inputs: the parts add up
    assert viz.build(square.sum()).ops[0].grads == ["da += dy * a", "da += dy * a"]


def test_values_in_full_aligned_noise_as_zero():
    a = np.array([[0.3738, 5.551e-18, -0.2046], [1.0, 2.0, 3.0]])
    text = viz.format_array(a)
    assert text == "[[0.3738  0  -0.2046]\n [     1  2        3]]"
    big = np.arange(40.0).reshape(5, 8)
    assert "min" not in viz.format_array(big) and len(viz.format_array(big).splitlines()) == 5
    assert viz.format_array(np.arange(41.0)).startswith("min 0  mean 20  max 40")
    assert viz.format_array(np.arange(41.0), max_entries=50).startswith("[ 0   1")
    assert viz.format_array(np.array(2.5)) == "2.5"


def test_values_grads_and_options():
    loss, W, b, X = small_graph()
    loss.backward()
    g = viz.draw(loss)
    full = node_label(g.source, g.tensor_ids[id(W)])
    assert "value" in full and "grad" in full and "-2" in full
    bare = viz.draw(loss, show_values=False, show_grads=False, show_formulas=False,
                    rankdir="LR").source
    assert "rankdir=LR" in bare
    assert "grad" not in bare and "dy" not in bare and "-2" not in bare
    with pytest.raises(ValueError, match="rankdir"):
        viz.draw(loss, rankdir="sideways")
    with pytest.raises(TypeError, match="draw: expected a Tensor"):
        viz.draw(np.ones(3))


def test_detail_sheet_keeps_everything():
    loss, W, b, X = small_graph()
    g = viz.draw(loss, detail=True)
    src = g.source
    for k, t in enumerate(loss.tape(), start=1):
        assert f'op{k} [label=<<B>{k}. {t.op.describe()}' in src
        assert f"op{k} -> v{k}" in src
    assert "constant" in src and "(2, 3)" in src


def test_float32_dtype_is_shown():
    w = Tensor(np.array([1.5, -2.0], dtype=np.float32), requires_grad=True, name="w")
    loss = (w * w).sum()
    loss.backward()
    label = node_label(viz.draw(loss).source, "leaf1")
    assert "(2,) float32" in label and "grad [ 3  -4]" in label


def _slide_px(svg: str) -> float:
    """The smallest text height, in pixels, when the picture is fitted to a 1920 x 1080 slide."""
    w, h = (float(v) for v in re.search(r'viewBox="[\d.-]+ [\d.-]+ ([\d.]+) ([\d.]+)"', svg).groups())
    return min(float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)) * min(1920 / w, 1080 / h)


PRESENT = [name for name in programs.RENDERERS if programs.find_renderer(name) is not None]
needs_renderer = pytest.mark.skipif(not PRESENT, reason="no Graphviz renderer installed")


def softmax_graph():
    """The softmax loss of a (4, 3) @ (3, 5) layer, after backward (values and gradients)."""
    rng = np.random.default_rng(0)
    W = Tensor(rng.normal(size=(3, 5)), requires_grad=True, name="W")
    loss = softmax_loss(W, Tensor(rng.normal(size=(4, 3)), name="X"), np.arange(4), reg=0.1)
    loss.backward()
    return loss


@needs_renderer
def test_legible_on_a_slide():
    loss = softmax_graph()
    assert _slide_px(viz.to_svg(loss)) >= 7
    assert _slide_px(viz.to_svg(loss, show_values=False, show_grads=False,
                                show_formulas=False)) >= 12


@needs_renderer
def test_two_layer_net_legible_on_a_slide():
    rng = np.random.default_rng(0)
    params = {"W1": Tensor(rng.normal(size=(3, 4)), requires_grad=True),
              "b1": Tensor(np.zeros(4), requires_grad=True),
              "W2": Tensor(rng.normal(size=(4, 5)), requires_grad=True),
              "b2": Tensor(np.zeros(5), requires_grad=True)}
    loss = two_layer_loss(params, rng.normal(size=(4, 3)), np.arange(4), reg=0.1)
    loss.backward()
    assert _slide_px(viz.to_svg(loss)) >= 7
    assert _slide_px(viz.to_svg(loss, show_values=False, show_grads=False,
                                show_formulas=False)) >= 12


@needs_renderer
@pytest.mark.parametrize("renderer", PRESENT)
def test_render_format_from_the_suffix(renderer, tmp_path):
    loss, W, b, X = small_graph()
    g = viz.draw(loss)
    svg = viz.render(g, tmp_path / "g.svg", renderer=renderer).read_text()
    assert "<svg" in svg and 'id="op1"' in svg and 'id="leaf1"' in svg
    assert viz.render(loss, tmp_path / "g.png", renderer=renderer).read_bytes()[:8] == \
        b"\x89PNG\r\n\x1a\n"
    assert viz.render(loss, tmp_path / "g.pdf", renderer=renderer).read_bytes()[:5] == b"%PDF-"
    dot = viz.render(loss, tmp_path / "g.dot", rankdir="LR").read_text()
    assert dot == viz.draw(loss, rankdir="LR").source


@needs_renderer
def test_graphviz_own_render_and_pipe(tmp_path):
    g = viz.draw(small_graph()[0])
    out = g.render(tmp_path / "g", format="png")
    assert out.endswith("g.png") and open(out, "rb").read()[:4] == b"\x89PNG"
    assert g.pipe(format="svg", encoding="utf-8").lstrip().startswith("<?xml")
    assert (tmp_path / "x.svg").exists() is False
    g.render(outfile=tmp_path / "x.svg")
    assert "<svg" in (tmp_path / "x.svg").read_text()


def test_large_graph_is_summarized():
    x = Tensor(np.ones(3), requires_grad=True, name="x")
    y = x
    for _ in range(1200):
        y = (y * 1.0001 + 0.5).tanh()
    loss = y.sum()
    g = viz.draw(loss)
    assert g.summary and "Summary: 3,601 ops" in g.source and g.source.count("[label=") < 70
    assert "the pattern of 3 ops that repeats" in g.source
    assert re.search(r"ops 1-93\n31 x \(mul, add, tanh\)", g.source)
    assert len(g.source) < 20000
    assert not viz.draw(loss, max_ops=None).summary


def test_find_renderer_looks_next_to_the_interpreter(monkeypatch, tmp_path):
    monkeypatch.setattr(programs.shutil, "which", lambda name: None)
    monkeypatch.setattr(programs.sys, "executable", str(tmp_path / "python"))
    assert viz.find_renderer() is None and viz.renderer_name() is None
    prog = tmp_path / "graphviz-pure"
    prog.write_text("#!/bin/sh\n")
    prog.chmod(0o755)
    assert viz.find_renderer() == viz.Renderer("graphviz-pure", str(prog))
    assert viz.renderer_name() == "graphviz-pure"
    with pytest.raises(ValueError, match="unknown renderer"):
        viz.find_renderer("neato")


def test_no_renderer_fallback(monkeypatch, tmp_path):
    monkeypatch.setattr(programs, "find_renderer", lambda name=None: None)
    loss, W, b, X = small_graph()
    g = viz.draw(loss)
    assert g._repr_svg_() is None
    page = g._repr_html_()
    assert "No Graphviz renderer found" in page and "digraph" in page and "pip install" in page
    bundle = g._repr_mimebundle_()
    assert "image/svg+xml" not in bundle and bundle["text/plain"] == g.source
    with pytest.raises(RuntimeError, match="no Graphviz renderer"):
        viz.render(loss, tmp_path / "g.svg")
    assert viz.render(loss, tmp_path / "g.dot").read_text() == g.source


def test_notebook_shows_a_failing_renderer_as_text(monkeypatch, tmp_path):
    broken = tmp_path / "dot"
    broken.write_text("#!/bin/sh\necho 'syntax error in line 1' >&2\nexit 1\n")
    broken.chmod(0o755)
    monkeypatch.setattr(programs, "find_renderer",
                        lambda name=None: programs.Renderer("dot", str(broken)))
    g = viz.draw(small_graph()[0])
    page = g._repr_html_()
    assert "Rendering failed" in page and "syntax error in line 1" in page and "digraph" in page
    assert g._repr_svg_() is None


@needs_renderer
def test_notebook_display_inline_svg():
    g = viz.draw(small_graph()[0])
    assert "<svg" in g._repr_svg_()
    assert "image/svg+xml" in g._repr_mimebundle_()
    assert "<svg" in g._repr_html_()


@needs_renderer
def test_render_reports_renderer_errors(tmp_path):
    with pytest.raises(RuntimeError, match="failed to make"):
        viz.render(viz.draw(small_graph()[0]), tmp_path / "g.x", format="no-such-format")


def _evaluate(formula: str, step, names):
    """The right-hand side of ``formula`` (``dW = X.T @ dy``, or ``dv += dy * v`` for one of two
    uses) evaluated with numpy on this step's arrays, or None when it is written in index notation
    (``dx[i, j] = dy[i]``)."""
    lhs, rhs = re.split(r" \+?= ", formula, maxsplit=1)
    if "[" in lhs or ";" in rhs or " where " in rhs:
        return None
    ns = {name: t.data for name, t in names.items()}
    ns.update(dy=step.grad_out, outer=np.outer, sum=np.sum, zeros=np.zeros)
    return np.asarray(eval(rhs, {"__builtins__": {}}, ns))


def test_formulas_compute_what_the_engine_computes():
    """Every formula the diagrams show, evaluated with numpy, gives the gradient the walk sent."""
    rng = np.random.default_rng(5)
    A = Tensor(rng.normal(size=(2, 3, 4)), requires_grad=True)
    M = Tensor(rng.normal(size=(4, 3)), requires_grad=True)
    v = Tensor(rng.normal(size=4), requires_grad=True)
    u = Tensor(rng.normal(size=3), requires_grad=True)
    c = Tensor(rng.normal(size=(3, 1)))
    bm = A @ M                       # batched (2, 3, 4) @ (4, 3)
    av = A @ v                       # batched matrix @ vector
    vm = v @ M                       # vector @ matrix
    mu = M @ u                       # matrix @ vector
    vv = v @ v                       # dot
    t = (bm - c).exp().sum() + (av.tanh() * 2.0).sum() + (vm.sigmoid() ** 3).sum()
    t = t + (mu.relu() / 4.0).sum() + vv.log() * -1.0 + M.T.reshape(12).sum() + (-u).sum()
    tr = viz.trace(t)
    names = {tr.names[id(x)]: x for x in tr.tensors}
    checked = set()
    for step in tr:
        for f, g in zip(step.node.grads, step.grads_in):
            if f is None:
                continue
            value = _evaluate(f, step, names)
            if value is not None:
                np.testing.assert_allclose(value, g, rtol=1e-12, atol=1e-14, err_msg=f)
                checked.add(step.op.name)
    assert {"matmul", "sub", "add", "mul", "pow", "exp", "log", "tanh", "sigmoid", "relu",
            "neg", "reshape", "transpose"} <= checked


def test_draw_passes_the_number_format_on():
    A = Tensor(np.arange(50.0).reshape(5, 10), requires_grad=True, name="A")
    loss = (A * 2.0).sum()
    assert "min 0" in node_label(viz.draw(loss).source, "leaf1")
    label = node_label(viz.draw(loss, max_entries=50).source, "leaf1")
    assert "min" not in label and "49" in label
    B = Tensor(np.array([1.0, 1e-12]), requires_grad=True, name="B")
    assert "1e-12" not in viz.draw((B * 1.0).sum()).source
    assert "1e-12" in viz.draw((B * 1.0).sum(), noise=0).source


# ---------------------------------------------------------------------------------- highlight=


def node_line(source, node):
    """The whole DOT statement of ``node`` (its label and attributes)."""
    m = re.search(rf"^\s*{node} \[(.*?)\]$", source, re.M | re.S)
    assert m, f"no node {node} in\n{source}"
    return m.group(1)


def is_marked(source, node):
    line = node_line(source, node)
    return "highlighted" in line and 'color="#D55E00"' in line and "penwidth=4" in line


def test_highlight_marks_the_given_tensors_and_only_those():
    loss, W, b, X = small_graph()
    s = loss.tape()[2]                                     # op 3: relu(X @ W + b)
    g = viz.draw(loss, highlight=s)
    assert is_marked(g.source, "op3") and g.highlighted == {"op3": None}
    assert not any(is_marked(g.source, n) for n in ("op1", "op2", "op4", "leaf1", "leaf2"))
    assert "&gt;&gt;" not in g.source                       # no text unless one is given
    g = viz.draw(loss, highlight=[W, s])
    assert is_marked(g.source, g.tensor_ids[id(W)]) and is_marked(g.source, "op3")
    g = viz.draw(loss, highlight={b: "bias: look here"})
    assert is_marked(g.source, g.tensor_ids[id(b)])
    assert "&gt;&gt; bias: look here" in node_line(g.source, g.tensor_ids[id(b)])
    d = viz.draw(loss, highlight=s, detail=True)            # the full sheet marks the op's ellipse
    assert is_marked(d.source, "op3") and not is_marked(d.source, "v3")


def test_highlight_rejects_what_is_not_in_the_graph():
    loss, W, b, X = small_graph()
    other = Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(ValueError, match="not in the graph"):
        viz.draw(loss, highlight=other)
    with pytest.raises(TypeError, match="highlight= takes a Tensor"):
        viz.draw(loss, highlight="W")
    with pytest.raises(TypeError, match="highlight= takes a Tensor"):
        viz.draw(loss, highlight=[W, np.ones(2)])


def test_highlight_in_a_summary_marks_the_box_that_holds_the_op():
    x = Tensor(np.ones(3), requires_grad=True, name="x")
    y = x
    for _ in range(100):
        y = (y * 1.0001).tanh()
    chosen = y.tape()[120]                                  # op 121
    g = viz.draw(y.sum(), max_ops=50, highlight={chosen: "this one"})
    assert g.summary
    marked = [line for line in g.source.splitlines() if "highlighted" in line]
    assert len(marked) == 1 and 'color="#D55E00"' in marked[0]
    box = re.search(r"(block\d+) \[label=\"ops (\d+)-(\d+)\n[^\"]*>> op 121: this one", g.source)
    assert box and int(box.group(2)) <= 121 <= int(box.group(3))
    assert box.group(1) in marked[0]


def wrong_softplus():
    from tinygrad_edu import Function

    class Softplus(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return np.logaddexp(0.0, x)

        @staticmethod
        def backward(ctx, dy):
            (x,) = ctx.saved_tensors
            return dy / (1 + np.exp(x))                   # sigmoid(-x): wrong

    return Softplus


def test_draw_a_failed_gradcheck_highlights_the_culprit():
    from tinygrad_edu.gradcheck import gradcheck
    Softplus = wrong_softplus()
    t = Tensor(np.array([0.3, -1.2, 0.8]), requires_grad=True)
    report = gradcheck(lambda t: (Softplus.apply(t * 2) * t).sum(), t)
    assert not report and report.culprit.step == 1 and report.output is not None
    assert "viz.draw(report)" in str(report)
    g = viz.draw(report)
    node = g.tensor_ids[id(report.culprit.tensor)]
    assert node == "op2" and is_marked(g.source, node)
    assert "local gradient disagrees: dmul1" in node_line(g.source, node)
    assert [n for n in ("leaf1", "op1", "op2", "op3", "op4") if is_marked(g.source, n)] == ["op2"]
    assert "<B>t</B>" in node_line(g.source, "leaf1")       # named after the caller's variable
    d = viz.draw(report, detail=True, show_values=False)     # drawing options apply as usual
    assert is_marked(d.source, "op2") and "local gradient disagrees" in node_line(d.source, "op2")


def test_draw_a_report_without_a_graph_says_why():
    from tinygrad_edu.gradcheck import gradcheck
    t = Tensor(np.array([0.3, -1.2]), requires_grad=True)
    ok = gradcheck(lambda t: (t * t).sum(), t)
    assert ok and ok.output is None
    with pytest.raises(ValueError, match="holds no graph: every gradient agreed"):
        viz.draw(ok)
