"""viz.draw and rendering: the compact and detailed diagrams, names, numbers, legibility on a slide,
the renderers that are present, the no-renderer fallback, large graphs."""
import re

import numpy as np
import pytest

from tinygrad_edu import Tensor
from tinygrad_edu import viz
from tinygrad_edu.losses import softmax_loss, two_layer_loss

from tinygrad_edu.viz import programs


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
    a = np.array([[0.3738, 5.551e-18, -0.2046], [1.0, 2.0, 0.0]])
    text = viz.format_array(a)                      # noise reads ~0, an exact zero 0
    assert text == "[[0.3738  ~0  -0.2046]\n [     1   2        0]]"
    assert viz.format_array(np.array([[1.0], [-2.5]])) == "[[   1]\n [-2.5]]"   # a column stacked
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


def tanh_neuron():
    """micrograd's neuron: o = tanh(x1*w1 + x2*w2 + b), 10 boxes."""
    x1, x2 = Tensor(2.0), Tensor(0.0)
    w1, w2 = Tensor(-3.0, requires_grad=True), Tensor(1.0, requires_grad=True)
    b = Tensor(6.8813735870195432, requires_grad=True)
    x1w1, x2w2 = x1 * w1, x2 * w2
    x1w1x2w2 = x1w1 + x2w2
    n = x1w1x2w2 + b
    o = n.tanh()
    o.backward()
    return o


def softmax_54():
    """softmax_loss with X (5, 4), W (4, 3), y = [0, 2, 1, 1, 0], reg 0.1, after backward."""
    rng = np.random.default_rng(0)
    W = Tensor(rng.normal(size=(4, 3)), requires_grad=True, name="W")
    loss = softmax_loss(W, rng.normal(size=(5, 4)), np.array([0, 2, 1, 1, 0]), reg=0.1)
    loss.backward()
    return loss


def two_layer():
    """two_layer_loss with X (5, 4), H = 6, C = 3, reg 0.1, after backward."""
    rng = np.random.default_rng(0)
    params = {"W1": Tensor(rng.normal(size=(4, 6)), requires_grad=True, name="W1"),
              "b1": Tensor(np.zeros(6), requires_grad=True, name="b1"),
              "W2": Tensor(rng.normal(size=(6, 3)), requires_grad=True, name="W2"),
              "b2": Tensor(np.zeros(3), requires_grad=True, name="b2")}
    loss = two_layer_loss(params, rng.normal(size=(5, 4)), np.array([0, 2, 1, 1, 0]), reg=0.1)
    loss.backward()
    return loss


def recurrence_60():
    """15 steps of h = tanh(w*h + u*x): 60 ops, w and u shared, after backward."""
    w = Tensor(np.array(0.5), requires_grad=True, name="w")
    u = Tensor(np.array(-0.3), requires_grad=True, name="u")
    h = Tensor(np.array(0.0))
    for x in np.linspace(-1, 1, 15):
        h = (w * h + u * x).tanh()
    h.backward()
    return h


GALLERY = {"tanh neuron": tanh_neuron, "softmax X (5, 4) W (4, 3)": softmax_54,
           "two-layer net": two_layer, "60-op recurrence": recurrence_60}


def _text_sizes(svg: str, fit=(1920, 1080)) -> list:
    """Every text element's height in pixels when the picture is fitted to ``fit``."""
    w, h = (float(v) for v in re.search(r'viewBox="[\d.-]+ [\d.-]+ ([\d.]+) ([\d.]+)"', svg).groups())
    scale = min(fit[0] / w, fit[1] / h)
    sizes = re.findall(r'<text[^>]*font-size="([\d.]+)"', svg)
    assert sizes and len(sizes) == svg.count("<text")
    return [float(s) * scale for s in sizes]


@needs_renderer
@pytest.mark.parametrize("renderer", PRESENT)
@pytest.mark.parametrize("name", list(GALLERY))
def test_slide_mode_text_at_least_min_px(name, renderer):
    """The gallery's graphs fitted to 1920 x 1080: every text element at least 12 px, the picture
    of the frame's aspect, detail dropped only in the stated order."""
    d = viz.draw(GALLERY[name](), fit=(1920, 1080), min_px=12, renderer=renderer)
    svg = viz.to_svg(d, renderer=renderer)
    assert min(_text_sizes(svg)) >= 12
    assert abs(d.text_px - min(_text_sizes(svg))) < 0.05
    w, h = (float(v) for v in re.search(r'viewBox="[\d.-]+ [\d.-]+ ([\d.]+) ([\d.]+)"', svg).groups())
    assert abs(w / h - 16 / 9) < 0.03, (w, h)
    assert d.dropped == list(viz.diagram.DROPS[:len(d.dropped)])


@needs_renderer
def test_slide_mode_drops_numbers_then_formulas():
    loss = two_layer()
    drops = list(viz.diagram.DROPS)
    at = {px: viz.draw(loss, fit=(1920, 1080), min_px=px) for px in (4, 8, 12)}
    assert at[4].dropped == [] and at[4].text_px >= 4        # small enough: everything kept
    assert at[8].dropped == drops[:1] and at[8].text_px >= 8  # the intermediates' numbers first
    W1 = node_label(at[8].source, "leaf2")
    assert "W1" in W1 and "grad" in W1 and "grad" not in node_label(at[8].source, "op2")
    assert at[12].dropped == drops and at[12].text_px >= 12   # then the parameters', the formulas
    assert "dW1 = " in at[4].source and "dW1 = " not in at[12].source
    assert "[[" in at[4].source and "[[" not in at[12].source
    with pytest.warns(UserWarning, match="below min_px=1000"):
        viz.draw(loss, fit=(1920, 1080), min_px=1000)
    with pytest.raises(TypeError, match="fit= takes"):
        viz.draw(loss, fit=1920)
    with pytest.raises(ValueError, match="positive width"):
        viz.draw(loss, fit=(1920, 0))


@needs_renderer
def test_repeated_block_drawn_once_with_times_n():
    h = recurrence_60()
    d = viz.draw(h, fit=(1920, 1080))
    assert d.blocks == [(1, 56, 14)]          # the 15th repeat makes h: drawn in full after it
    src = d.source.replace("&#160;", " ")
    assert "\u00d7 14   (ops 1-56: op k here stands for k, k+4, ..., k+52)" in src
    assert "next repeat" in src and "c[t] = -1, -0.8571, ..., 0.8571 (one per repeat)" in src
    assert "1. mul1 = w * tanh4" in src and "60. h = tanh(add59)" in src
    assert src.count('class="tensor') == 4 + 4 + 2         # one body, the last repeat, w and u
    assert "w</B>" in src and "grad -0.4713" in src           # the shared weight: its whole grad


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
    loss.backward()
    g = viz.draw(loss)
    text = g.summary_text
    assert g.summary and "Summary of a graph of 3,601 ops (more than max_ops=200 ops)" in text
    assert "ops 1-3,600: (mul, add, tanh) \u00d7 1,200" in text          # the repeated block
    assert "op 3,601: 1 sum" in text
    assert "x (3,): value [1  1  1], grad [" in text                    # its parameter, with grad
    assert re.search(r"loss = -?[\d.]+, grad 1", text)                  # the loss
    assert "draw(t, around=x, depth=2)" in text                        # how to draw a part
    for line in text.splitlines()[1:4]:                                # all of it on the picture
        assert line.strip().split(":")[0] in g.source
    assert g.source.count("[label=") < 10 and len(g.source) < 8000
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
    B = Tensor(np.array([1.0, 1e-17]), requires_grad=True, name="B")
    assert "1e-17" not in viz.draw((B * 1.0).sum()).source
    assert "1e-17" in viz.draw((B * 1.0).sum(), noise=0).source
    C = Tensor(np.array([1.0, 1e-12]), requires_grad=True, name="C")
    assert "1e-12" in viz.draw((C * 1.0).sum()).source       # 1e-12 beside 1 is no rounding


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
    box = re.search(r"(seg\d+) \[label=<.*?ops (\d+)-(\d+).*?&gt;&gt; op 121: this one", g.source)
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


# ---------------------------------------------------------------------------------- the picture


def plain(source: str) -> str:
    """DOT text with the label markup's spaces and escapes read back as text."""
    return source.replace("&#160;", " ").replace("&gt;", ">").replace("&lt;", "<")


def test_library_intermediates_carry_the_names_their_docstrings_promise():
    rng = np.random.default_rng(0)
    W = Tensor(rng.normal(size=(4, 3)), requires_grad=True, name="W")
    X, y = rng.normal(size=(5, 4)), np.array([0, 2, 1, 1, 0])
    names = {op.out.name for op in viz.build(softmax_loss(W, X, y, reg=0.1)).ops}
    assert {"scores", "shifted", "exps", "sum_exps", "log_sum", "log_probs", "correct",
            "mean_correct", "data_loss", "reg_loss"} <= names
    g = viz.build(softmax_loss(W, X, y, reg=0.1))
    leaves = {n.name for n in g.tensors if n.op is None}
    assert {"W", "X", "shift"} <= leaves and not any(n.startswith("const") for n in leaves)
    from tinygrad_edu.losses import svm_loss
    names = {op.out.name for op in viz.build(svm_loss(W, X, y, reg=0.1)).ops}
    assert {"scores", "correct", "correct_col", "diffs", "margins", "hinge", "kept",
            "per_example"} <= names
    params = {"W1": Tensor(rng.normal(size=(4, 6)), requires_grad=True),
              "b1": Tensor(np.zeros(6), requires_grad=True),
              "W2": Tensor(rng.normal(size=(6, 3)), requires_grad=True),
              "b2": Tensor(np.zeros(3), requires_grad=True)}
    ops = viz.build(two_layer_loss(params, X, y)).ops
    assert [op.expr for op in ops[:5]] == ["XW1 = X @ W1", "z1 = XW1 + b1", "hidden = relu(z1)",
                                           "hW2 = hidden @ W2", "scores = hW2 + b2"]
    assert ops[-1].out.name == "loss"                         # a result takes the caller's name
    own = Tensor(rng.normal(size=(5, 4)), name="inputs")      # a tensor of the caller's: kept
    assert "scores = inputs @ W" in viz.draw(softmax_loss(W, own, y)).source


def test_one_element_constants_indexing_edges_columns():
    x1, x2 = Tensor(2.0), Tensor(0.0)
    w1 = Tensor(-3.0, requires_grad=True)
    out = x1 * w1 + x2 * w1 * 0.5
    src = plain(viz.draw(out).source)
    assert "<B>x1 = 2</B>" in src and "<B>x2 = 0</B>" in src       # named: a box, value in title
    assert "mul1 = x1 * w1" in src and "mul3 = mul2 * 0.5" in src   # unnamed 0.5: folded
    assert re.search(r"op3 \[label=<<TABLE.*?</TABLE>>[^\n]*\n", src)
    rng = np.random.default_rng(1)
    scores = Tensor(rng.normal(size=(5, 3)), requires_grad=True)
    y = np.array([0, 2, 1, 1, 0])
    picked = scores[np.arange(5), y]
    loss = (picked / 5).sum()
    g = viz.draw(loss)
    src = plain(g.source)
    assert "picked = scores[arange(5), y]" in src and "y = [0, 2, 1, 1, 0]" in src
    assert "dscores = zeros(5, 3); dscores[arange(5), y] += dy" in src
    assert re.search(r"e_op1_op2_0 \[label=\"\"", g.source) or "label=\"\" id=e_op1_op2_0" in g.source
    assert not re.search(r"-> op2 \[label=left", g.source)          # no lone role beside a folded 5
    W = Tensor(np.ones((2, 2)), requires_grad=True, name="W")
    X = Tensor(np.ones((3, 2)), name="X")
    assert "-> op1 [label=left" in viz.draw((X @ W).sum()).source   # both drawn: both labelled
    col = Tensor(np.array([[1.5], [-2.0], [0.25]]), requires_grad=True, name="col")
    label = node_label(viz.draw((col * 2.0).sum()).source, "leaf1")
    assert re.search(r"\[\[ 1\.5\]\s+\[  -2\]\s+\[0\.25\]\]", label)    # an (n, 1) column, stacked


def student_softmax():
    """The cs231n softmax written by hand, with the max-shift live on the tape (op 2)."""
    rng = np.random.default_rng(0)
    W = Tensor(rng.normal(size=(4, 3)), requires_grad=True)
    X = Tensor(rng.normal(size=(5, 4)))
    y = np.array([0, 2, 1, 1, 0])
    scores = X @ W
    shifted = scores - scores.max(axis=1, keepdims=True)
    probs = shifted.exp() / shifted.exp().sum(axis=1, keepdims=True)
    loss = -probs[np.arange(5), y].log().mean()
    loss.backward()
    return loss, scores


def test_rounding_noise_shown_as_zero_and_the_max_shift_says_why():
    loss, scores = student_softmax()
    tape = loss.tape()                                   # op 2: the max (no variable names it)
    assert tape[1].op.name == "max" and 0 < np.abs(tape[1].grad).max() < 1e-15   # noise, not 0
    g = viz.draw(loss)
    label = re.sub(r"\s+", " ", plain(node_label(g.source, "op2")))
    assert "~0" in label and "e-1" not in label                          # no 2.776e-17
    assert "the shift cancels: softmax(x - m) does not depend on m" in label
    assert "~0" not in plain(node_label(g.source, "op1"))                 # real gradients stay
    text = str(viz.trace(loss))
    assert "sends to max2 (5, 1): [[~0]" in text and "e-17" not in text and "e-18" not in text
    assert "the shift cancels" in text
    page = viz.render_page(loss)
    assert "~0" in page and "the shift cancels" in page
    a = np.array([1e-17, 2e-17])                         # an array of noise beside a large value
    assert viz.format_array(a, scale=1.0) == "[~0  ~0]" and "e-17" in viz.format_array(a)
    f32 = np.array([1.0, 1e-6], dtype=np.float32)         # float32's epsilon is larger
    assert viz.format_array(f32) == "[ 1  ~0]" and "1e-06" in viz.format_array(f32.astype(float))


def test_hierarchy_cells_colours_legend():
    from tinygrad_edu.viz import boxes
    loss, W, b, X = small_graph()
    loss.backward()
    g = viz.draw(loss)
    src = g.source
    w = node_line(src, g.tensor_ids[id(W)])
    assert re.search(rf'<TD[^>]*BGCOLOR="{boxes.GRAD_TINT}"[^>]*><FONT FACE="Courier" '
                     rf'COLOR="{boxes.GRAD}">grad', w)                 # the grad: a cell of its own
    assert "<TD ALIGN" in w and w.count("<TD") >= 3                     # value and grad apart
    assert f'<I><FONT COLOR="{boxes.FORMULA}">dW = X.T @ dy' in src      # formulas: their style
    assert "grad = dloss / d this box" in src                           # the legend
    assert "penwidth=2.5" in w and 'style="filled,rounded"' in w        # a parameter stands out
    x = node_line(src, g.tensor_ids[id(X)])
    assert 'style="filled,dashed"' in x and f'COLOR="{boxes.DIM}"' in x  # a constant recedes
    assert "peripheries=2" in node_line(src, f"op{len(loss.tape())}")                      # the loss stands out
    assert "grad = dloss" not in viz.draw(small_graph()[0]).source       # no grads yet: no key


def every_op_family():
    """One graph per op family (arithmetic, elementwise, linalg, reductions, shape, the windows of
    nn: Unfold, and Fold through a gradient of a gradient), each after backward, plus a conv2d."""
    import tinygrad_edu as tg
    from tinygrad_edu import functional as F
    rng = np.random.default_rng(0)
    a = Tensor(rng.normal(size=(2, 3)), requires_grad=True, name="a")
    b = Tensor(rng.normal(size=(2, 3)), requires_grad=True, name="b")
    x = Tensor(rng.normal(size=(1, 2, 4, 4)), requires_grad=True, name="x")
    w = Tensor(rng.normal(size=(3, 2, 2, 2)), requires_grad=True, name="w")
    graphs = {
        "arithmetic": ((a + b) * a - b / (a * a + 1) - a ** 3 + a.maximum(b)).sum(),
        "elementwise": (a.relu() + a.exp() + (a * a + 1).log() + a.tanh() + tg.where(a > 0, a, b) + a.sigmoid()
                        + a.abs() + a.clip(-0.5, 0.5)).sum(),
        "linalg": (a @ b.T).sum() + tg.einsum("ij,ij->i", a, b).sum(),
        "reductions": a.sum(axis=0).max() + a.mean() + a.cumsum(1).sum() + a.prod(),
        "shape": (a.reshape(3, 2).T[1] * tg.cat([a, b]).sum(axis=0)).sum()
        + F.pad(a, (1, 1)).sum() + a[None].expand(2, 2, 3).sum(),
        "unfold": F.unfold(x, 2, stride=1).sum(),
        "conv2d": F.conv2d(x, w, stride=2, padding=1).sum(),
        "max_pool2d": F.max_pool2d(x, 2).sum(),
    }
    for out in graphs.values():
        out.backward()
    conv = F.conv2d(x, w).sum()
    gx, = tg.grad(conv, [x], create_graph=True)          # conv's backward: Fold (col2im)
    graphs["fold"] = (gx * gx).sum()
    return graphs


def test_every_op_family_has_no_empty_text_element():
    for name, out in every_op_family().items():
        for src in (viz.draw(out).source, viz.draw(out, show_formulas=False).source,
                    viz.draw(out, detail=True).source):
            empty = re.findall(r"<(FONT|B|I)\b[^>]*></\1>", src)
            assert not empty, f"{name}: empty {empty} elements in\n{src}"
    names = {op.name for out in every_op_family().values() for op in viz.build(out).ops}
    assert {"unfold", "fold", "matmul", "pad", "concat", "cumsum", "einsum", "where", "max", "sigmoid"} <= names


@needs_renderer
@pytest.mark.parametrize("renderer", PRESENT)
def test_every_op_family_renders(renderer):
    for name, out in every_op_family().items():
        svg = viz.to_svg(viz.draw(out), renderer=renderer)
        assert svg.lstrip().startswith("<?xml") and "</svg>" in svg, name


def test_unfold_box_says_its_settings_and_its_gradient():
    """The windows' box: its settings under the title, its value nested as numpy nests a 6-D array
    (blocks a blank line apart, columns aligned) and its gradient as the fold it is, not summed
    as if the image had been broadcast."""
    from tinygrad_edu.layers import graph
    x = Tensor(np.arange(16.0).reshape(1, 1, 4, 4), requires_grad=True)
    w = Tensor(np.ones((1, 1, 2, 2)), requires_grad=True)
    out = graph.conv(x, w, np.zeros(1), {"stride": 1, "pad": 0})
    out.sum().backward()
    op = viz.build(out).ops[0]
    assert op.expr == "unfold1 = unfold(x)"
    assert op.notes == ["unfold(kernel=(2, 2), stride=(1, 1), dilation=(1, 1))"]
    assert op.grads == ["dx = fold(dy): dx[.., p*s + i*d, q*s + j*d] += dy[.., i, j, p, q] "
                        "(col2im)"]
    label = node_label(viz.draw(out).source, "op1")
    assert "unfold(kernel=(2, 2), stride=(1, 1), dilation=(1, 1))" in label
    assert "[[[[[[ 0   1   2]" in label and "[13  14  15]]]]]]" in label
    from tinygrad_edu import functional as F
    a = Tensor(np.ones((2, 3)), requires_grad=True)
    assert viz.build(F.pad(a, (1, 1))).ops[0].grads == ["da = dy[the part of out that holds a]"]


def test_format_array_nests_arrays_of_three_or_more_axes():
    from tinygrad_edu.viz.numbers import format_array
    assert format_array(np.arange(12.0).reshape(2, 2, 3)) == (
        "[[[0   1   2]\n  [3   4   5]]\n\n [[6   7   8]\n  [9  10  11]]]")
    assert format_array(np.array([[[1e-20, 1.0]]])) == "[[[~0  1]]]"     # noise as everywhere
    assert format_array(np.ones((1, 2, 1, 1))).count("\n\n") == 1        # a blank line at most
