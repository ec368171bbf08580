"""The step-through page: its content, and a walk through it in a real headless browser."""
import json
import os
import re
import shutil

import numpy as np
import pytest

from tinygrad_edu import Tensor
from tinygrad_edu.losses import two_layer_loss
from tinygrad_edu import viz
from tinygrad_edu.viz import write_page

CHROMIUM = os.environ.get("TINYGRAD_EDU_CHROMIUM", "/usr/bin/chromium")
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"]


def case():
    rng = np.random.default_rng(0)
    params = {"W1": Tensor(rng.normal(size=(3, 4)), requires_grad=True, name="W1"),
              "b1": Tensor(np.zeros(4), requires_grad=True, name="b1"),
              "W2": Tensor(rng.normal(size=(4, 3)), requires_grad=True, name="W2"),
              "b2": Tensor(np.zeros(3), requires_grad=True, name="b2")}
    X, y = rng.normal(size=(4, 3)), np.array([0, 2, 1, 2])
    return two_layer_loss(params, X, y, reg=0.05), params


def test_page_is_self_contained(tmp_path):
    loss, params = case()
    text = write_page(loss, tmp_path / "p.html").read_text()
    assert text.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)  # nothing fetched
    assert "<script src" not in text and "<link" not in text
    data = json.loads(re.search(r'<script type="application/json" id="data">(.*?)</script>',
                                text, re.S).group(1))
    n = len(loss.tape())
    assert len(data["steps"]) == 2 * n + 1           # the start, n forward steps, n backward steps
    assert [s["phase"] for s in data["steps"]] == ["start"] + ["forward"] * n + ["backward"] * n
    assert "svgPanZoom" in text and "{{" not in text  # the vendored library, inlined
    if viz.find_renderer() is not None:
        assert "<svg" in text and "<?xml" not in text
        for step in data["steps"][1:]:
            assert f'id="{step["op"]}"' in text
            for e in step["edges"]:
                assert e is None or f'id="{e}"' in text


def test_page_after_backward_and_inline_in_jupyter(tmp_path):
    loss, params = case()
    loss.backward()
    text = write_page(loss, tmp_path / "p.html").read_text()
    assert "W1" in text and "walks it again" in text
    frame = viz.Stepper(case()[0])._repr_html_()
    assert frame.startswith("<iframe srcdoc=") and "&lt;!DOCTYPE html&gt;" in frame


def test_page_without_renderer_shows_dot(monkeypatch, tmp_path):
    import importlib
    monkeypatch.setattr(importlib.import_module("tinygrad_edu.viz.programs"), "find_renderer",
                        lambda name=None: None)
    loss, params = case()
    text = write_page(loss, tmp_path / "p.html").read_text()
    assert "No Graphviz renderer" in text and "digraph" in text and "<svg" not in text


def _browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.skip(f"no chromium at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="Playwright for Python is not installed")
    return sync_api


def _walk(page, n, params, tmp_path, errors):
    """Step through the forward and the backward pass; check what each step shows."""
    assert page.inner_text("#counter") == f"step 0 of {2 * n} (start)"
    assert page.is_disabled("#prev")
    drawn = viz.find_renderer() is not None
    for k in range(1, 2 * n + 1):
        page.click("#next")
        assert page.get_attribute("body", "data-step") == str(k)
        phase = "forward" if k <= n else "backward"
        assert page.inner_text("#title").startswith(
            f"Forward {k} of {n}" if k <= n else f"Backward {k - n} of {n}")
        if drawn:   # the current op outlined, and the view follows it: it is inside the view
            assert page.locator("#diagram g.node.current").count() == 1
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => "
                          "requestAnimationFrame(r)))")   # the pan and zoom land in a frame
            box = page.locator("#diagram").bounding_box()
            op = page.locator("#diagram g.node.current").bounding_box()
            assert box["x"] - 1 <= op["x"] and op["x"] + op["width"] <= box["x"] + box["width"] + 1
            assert box["y"] - 1 <= op["y"] and op["y"] + op["height"] <= box["y"] + box["height"] + 1
            if phase == "forward":
                assert page.locator("#diagram g.node.pending").count() == n - k
            elif k in (n + 1, 2 * n):   # a dot carries each gradient back; then it is written
                page.wait_for_function(     # under its edge
                    "() => !document.querySelector('#diagram circle.carrier')")
                shown = page.locator("#diagram text.grad-text").evaluate_all(
                    "els => els.filter(e => e.textContent).length")
                assert shown >= (1 if k == n + 1 else n)
        if k in (n // 2, n + 3):
            page.screenshot(path=str(tmp_path / f"page_{k}.png"))
    assert page.is_disabled("#next")


def test_step_through_in_headless_chromium(tmp_path):
    sync_api = _browser()
    loss, params = case()
    path = write_page(loss, tmp_path / "p.html", names=params)
    n = len(loss.tape())
    loss.backward()
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(path.as_uri())
            _walk(page, n, params, tmp_path, errors)
            for name, t in params.items():        # the table at the end holds the engine's .grad
                cell = page.locator(f"#grads tr:has(td.name:text-is('{name}')) td.grad")
                shown = np.array(json.loads(cell.get_attribute("data-values")))
                np.testing.assert_allclose(shown.reshape(t.shape), t.grad, rtol=1e-15, atol=0)
                text = [float(v) for v in re.findall(r"-?\d+\.?\d*(?:e[-+]?\d+)?", cell.inner_text())]
                np.testing.assert_allclose(np.array(text).reshape(t.shape), t.grad,
                                           rtol=1e-3, atol=1e-4)
            page.keyboard.press("ArrowLeft")              # the keys step too
            assert page.get_attribute("body", "data-step") == str(2 * n - 1)
            page.keyboard.press("Home")
            assert page.get_attribute("body", "data-step") == "0"
            page.keyboard.press("End")
            assert page.get_attribute("body", "data-step") == str(2 * n)
            page.focus("#next")                           # the buttons take the keyboard focus
            page.keyboard.press("Enter")
            assert errors == []
        finally:
            browser.close()


# ------------------------------------------------------------------ the page at two screen sizes

SIZES = [(1920, 1080), (1280, 720)]

# At the current step: visible gradient labels that overlap a box or another label, the smallest
# text of the current op in screen pixels, the current op's box, inputs out of view, the arrows
# pointing to them, boxes marked as receiving a gradient that are constants, the narration.
STATE_JS = """() => {
  const shown = t => getComputedStyle(t).visibility !== 'hidden' && t.textContent.trim() !== '';
  const r = el => el.getBoundingClientRect();
  const ink = t => { const b = r(t), pad = 0.2 * b.height;   // a text's box less its line gap
                     return {left: b.left, right: b.right, top: b.top + pad, bottom: b.bottom - pad}; };
  const hit = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 &&
                        Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
  const grads = [...document.querySelectorAll('#diagram text.grad-text')].filter(shown);
  const labels = [...document.querySelectorAll('#diagram g.edge text')].filter(shown);
  const boxes = [...document.querySelectorAll('#diagram g.node')]
      .map(g => g.querySelector('polygon, path, ellipse')).filter(Boolean);
  const overlaps = [];
  grads.forEach(g => {
    boxes.forEach(b => { if (hit(ink(g), r(b))) overlaps.push(g.textContent + ' on box ' + b.parentNode.id); });
    labels.forEach(t => { if (t !== g && hit(ink(g), ink(t))) overlaps.push(g.textContent + ' on ' + t.textContent); });
  });
  const op = document.querySelector('#diagram g.node.current');
  const px = op ? Math.min(...[...op.querySelectorAll('text')].map(
      t => parseFloat(t.getAttribute('font-size')) * t.getScreenCTM().a)) : null;
  const view = r(document.getElementById('diagram'));
  const data = JSON.parse(document.getElementById('data').textContent);
  const step = data.steps[+document.body.getAttribute('data-step')];
  const away = (step.ins || []).filter(id => {
      const el = id && document.getElementById(id); if (!el) return false;
      const b = r(el); return b.right < view.left || b.left > view.right || b.bottom < view.top || b.top > view.bottom; });
  const n = document.getElementById('narration');
  const lh = parseFloat(getComputedStyle(n).lineHeight) || 1.2 * parseFloat(getComputedStyle(n).fontSize);
  const lines = [...n.querySelectorAll('.line')];
  const wrapped = lines.filter(l => l.textContent.includes('[') &&
      (getComputedStyle(l).whiteSpace !== 'pre' || l.getBoundingClientRect().height > 1.5 * lh)).length;
  const proseWide = lines.filter(l => !l.textContent.includes('[') && l.scrollWidth > n.clientWidth + 1).length;
  return {overlaps, px, op: op ? (b => ({l: b.left, t: b.top, r: b.right, b: b.bottom}))(r(op)) : null,
          view: {l: view.left, t: view.top, r: view.right, b: view.bottom}, away: away.length,
          arrows: document.querySelectorAll('#diagram .offscreen').length,
          constOut: document.querySelectorAll('#diagram .current-out.const').length,
          gradsShown: grads.length, lines: lines.length, wrapped, proseWide};
}"""
FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def _pages(tmp_path):
    """The pages the browser checks: softmax X (5, 4) W (4, 3), the two-layer net, and the
    60-op recurrence (15 steps of h = tanh(w*h + u*x))."""
    from tinygrad_edu.losses import softmax_loss
    rng = np.random.default_rng(0)
    W = Tensor(rng.normal(size=(4, 3)), requires_grad=True, name="W")
    softmax = softmax_loss(W, rng.normal(size=(5, 4)), np.array([0, 2, 1, 1, 0]), reg=0.1)
    w = Tensor(np.array(0.5), requires_grad=True, name="w")
    u = Tensor(np.array(-0.3), requires_grad=True, name="u")
    h = Tensor(np.array(0.0))
    for x in np.linspace(-1, 1, 15):
        h = (w * h + u * x).tanh()
    return {"softmax": write_page(softmax, tmp_path / "softmax.html"),
            "two_layer": write_page(case()[0], tmp_path / "two_layer.html"),
            "recurrence": write_page(h, tmp_path / "recurrence.html")}


def _check_step(state, where):
    assert state["overlaps"] == [], where
    assert state["constOut"] == 0, where                 # constants never receive a gradient
    assert state["lines"] > 0 and state["wrapped"] == 0, where   # matrices stay blocks: no wrap
    assert state["proseWide"] == 0, where                # prose wraps instead of running off
    if state["px"] is not None:                          # the current op: legible and in view
        assert state["px"] >= 12 - 1e-6, where
        op, view = state["op"], state["view"]
        cx, cy = (op["l"] + op["r"]) / 2, (op["t"] + op["b"]) / 2
        assert view["l"] <= cx <= view["r"] and view["t"] <= cy <= view["b"], where
        assert state["arrows"] >= state["away"], where   # an arrow to each input out of view


@pytest.mark.skipif(viz.find_renderer() is None, reason="no Graphviz renderer installed")
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_page_no_overlap_legible_zoom_at_every_step(tmp_path, size):
    """At every step of three pages: no gradient label on a box or on another label, the current
    op's text at least 12 px and in view (an arrow to each input out of it), no constant marked as
    receiving a gradient, the narration's matrices kept as blocks."""
    sync_api = _browser()
    pages = _pages(tmp_path)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        try:
            page = browser.new_page(viewport={"width": size[0], "height": size[1]},
                                    reduced_motion="reduce")   # gradients arrive at once
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            for name, path in pages.items():
                page.goto(path.as_uri())
                n = len(json.loads(page.inner_text("#data"))["steps"]) - 1
                shown_at_end = 0
                for k in range(n + 1):
                    page.evaluate(FRAMES)
                    state = page.evaluate(STATE_JS)
                    _check_step(state, f"{name}, step {k} at {size}")
                    shown_at_end = state["gradsShown"]
                    if k < n:
                        page.keyboard.press("ArrowRight")
                assert shown_at_end > 0, name                # the gradients were shown
            assert errors == []
        finally:
            browser.close()


@pytest.mark.skipif(viz.find_renderer() is None, reason="no Graphviz renderer installed")
def test_page_cancels_the_animation_of_an_undone_step(tmp_path):
    sync_api = _browser()
    path = _pages(tmp_path)["softmax"]
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(path.as_uri())
            steps = json.loads(page.inner_text("#data"))["steps"]
            first = next(k for k, s in enumerate(steps) if s["phase"] == "backward")
            for k in range(first + 2):                      # to the third backward step
                page.keyboard.press("ArrowRight")
            page.wait_for_timeout(1300)                     # its dots have arrived
            before = page.evaluate(STATE_JS)["gradsShown"]
            page.keyboard.press("ArrowRight")               # a step whose dots start moving...
            page.keyboard.press("ArrowLeft")                # ...undone at once
            page.wait_for_timeout(1300)
            assert page.get_attribute("body", "data-step") == str(first + 2)
            assert page.evaluate(STATE_JS)["gradsShown"] == before
            assert page.locator("#diagram circle.carrier").count() == 0
            page.keyboard.press("Home")
            page.keyboard.press("End")                      # End shows everything at once
            page.keyboard.press("ArrowLeft")
            page.wait_for_timeout(1300)
            last = page.evaluate(STATE_JS)["gradsShown"]
            page.keyboard.press("ArrowRight")
            page.wait_for_timeout(1300)
            assert page.evaluate(STATE_JS)["gradsShown"] > last
        finally:
            browser.close()


def test_gallery_script(tmp_path):
    """scripts/make_gallery.py writes every promised file, and the pages link what exists."""
    import importlib.util
    from pathlib import Path

    if viz.find_renderer() is None:
        pytest.skip("no Graphviz renderer (dot or graphviz-pure) installed")
    script = Path(__file__).resolve().parent.parent / "scripts" / "make_gallery.py"
    spec = importlib.util.spec_from_file_location("make_gallery", script)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.main(["--out", str(tmp_path / "gallery")])
    md = (tmp_path / "gallery.md").read_text()
    for key in ("softmax", "svm", "two_layer"):
        before = (tmp_path / "gallery" / f"{key}_before.svg").read_text()
        after = (tmp_path / "gallery" / f"{key}_after.svg").read_text()
        assert "<svg" in before and "<svg" in after
        assert "grad = dloss / d this box" not in before and "grad = dloss / d this box" in after
        for name in (f"{key}_before.svg", f"{key}_after.svg"):
            assert f"gallery/{name}" in md
    for key in ("softmax", "svm", "two_layer", "recurrence"):
        assert (tmp_path / "gallery" / f"{key}_steps.html").stat().st_size > 0
        slide = (tmp_path / "gallery" / f"{key}_slide.svg").read_text()
        px, w, h = viz.text_px(slide, (1920, 1080))
        assert px >= 12 and abs(w / h - 16 / 9) < 0.03               # legible, of the slide's shape
        assert f"smallest text {px:.1f} px on a 1920 x 1080 slide" in md   # the size it states
        for name in (f"{key}_slide.svg", f"{key}_steps.html"):
            assert f"gallery/{name}" in md
    assert "drawn once, \u00d7 14" in md
    for key in ("batchnorm", "conv"):                      # the layers, after backward and as slides
        after = (tmp_path / "gallery" / f"{key}_after.svg").read_text()
        assert "grad = dloss / d this box" in after and f"gallery/{key}_after.svg" in md
        slide = (tmp_path / "gallery" / f"{key}_slide.svg").read_text()
        px, w, h = viz.text_px(slide, (1920, 1080))
        assert px >= 12 and f"smallest text {px:.1f} px on a 1920 x 1080 slide" in md
        assert f"gallery/{key}_slide.svg" in md
    conv = (tmp_path / "gallery" / "conv_after.svg").read_text()
    assert "unfold(kernel=(2, 2), stride=(1, 1), dilation=(1, 1))" in conv.replace("\xa0", " ")
