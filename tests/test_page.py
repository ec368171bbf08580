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
    monkeypatch.setattr(importlib.import_module("tinygrad_edu.viz.render"), "find_renderer",
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
        assert "<svg" in before and "grad" not in before and "grad" in after
        assert (tmp_path / "gallery" / f"{key}_steps.html").stat().st_size > 0
        for name in (f"{key}_before.svg", f"{key}_after.svg", f"{key}_steps.html"):
            assert f"gallery/{name}" in md
