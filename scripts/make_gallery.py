"""Regenerate the diagram gallery in docs/gallery/ from the engine itself.

For each of the three cs231n losses (softmax, multiclass hinge, two-layer net) on small shapes,
this draws the graph before ``backward()`` (values only) and after (values and gradients) as SVG,
the same graph as a slide (``draw(loss, fit=(1920, 1080), min_px=12)``) with its measured text
size, and writes a step-through HTML page of its forward and backward pass; then a 60-op
recurrence (15 steps of ``h = tanh(w*h + u*x)``) as a slide and as a page; then two layers drawn
small, after backward and as a slide (batch normalization's forward, and a convolution of a 4 x 4
image by a 2 x 2 filter). It writes ``docs/gallery.md``, the page that shows them, and
``readme.svg``, the small picture at the top of the README. Run from the repository's root:

    python scripts/make_gallery.py            # needs dot or graphviz-pure for the SVGs
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from tinygrad_edu import Tensor
from tinygrad_edu.layers import graph
from tinygrad_edu.losses import softmax_loss, svm_loss, two_layer_loss
from tinygrad_edu.viz import draw, find_renderer, render, renderer_name, text_px, to_svg, write_page

ROOT = Path(__file__).resolve().parent.parent
SLIDE = (1920, 1080)
y = np.array([0, 2, 1, 1, 0])   # the labels; a variable of the drawing's caller names them "y"


def cases():
    """(key, title, description, build) where ``build()`` returns the loss, on fresh tensors."""
    N, D, H, C = 5, 4, 6, 3
    rng = np.random.default_rng(231)
    X = np.round(rng.normal(size=(N, D)), 2)
    W0 = np.round(0.5 * rng.normal(size=(D, C)), 2)
    params0 = {"W1": np.round(0.5 * rng.normal(size=(D, H)), 2), "b1": np.zeros(H),
               "W2": np.round(0.5 * rng.normal(size=(H, C)), 2), "b2": np.zeros(C)}

    def linear(loss_fn, **kw):
        def build():
            W = Tensor(W0.copy(), requires_grad=True, name="W")
            return loss_fn(W, Tensor(X, name="X"), y, reg=0.1, **kw)
        return build

    def two_layer():
        params = {k: Tensor(v.copy(), requires_grad=True, name=k) for k, v in params0.items()}
        return two_layer_loss(params, Tensor(X, name="X"), y, reg=0.1)

    shapes = f"N={N} examples, D={D} features, C={C} classes, y = {y.tolist()}"
    return [
        ("softmax", "Softmax loss", f"`softmax_loss(W, X, y, reg=0.1)` with {shapes}.",
         linear(softmax_loss)),
        ("svm", "Multiclass hinge (SVM) loss",
         f"`svm_loss(W, X, y, reg=0.1, delta=1.0)` with {shapes}.", linear(svm_loss, delta=1.0)),
        ("two_layer", "Two-layer network",
         f"`two_layer_loss(params, X, y, reg=0.1)` with {shapes} and H={H} hidden units.",
         two_layer),
    ]


def recurrence():
    """15 steps of h = tanh(w*h + u*x) for x in linspace(-1, 1, 15): 60 ops, w and u shared."""
    w = Tensor(np.array(0.5), requires_grad=True, name="w")
    u = Tensor(np.array(-0.3), requires_grad=True, name="u")
    h = Tensor(np.array(0.0), name="h0")
    for x in np.linspace(-1, 1, 15):
        h = (w * h + u * x).tanh()
    h.name = "h"
    return h


def layer_cases():
    """(key, title, description, build) for layers drawn small: batch normalization's forward one
    intermediate per line, ending in L = sum(dout * out), the scalar whose gradient a layer's
    backward computes; a convolution of a 4 x 4 image by a 2 x 2 filter, ending in a sum."""
    rng = np.random.default_rng(0)
    x0, g0, b0 = np.round(rng.normal(size=(4, 3)), 2), np.round(1 + 0.3 * rng.normal(size=3), 2), \
        np.round(0.3 * rng.normal(size=3), 2)
    dout_bn = np.round(rng.normal(size=(4, 3)), 2)

    def batchnorm():
        x = Tensor(x0.copy(), requires_grad=True, name="x")
        gamma, beta = Tensor(g0.copy(), requires_grad=True, name="gamma"), \
            Tensor(b0.copy(), requires_grad=True, name="beta")
        mu = x.mean(axis=0, keepdims=True)
        xc = x - mu
        var = (xc * xc).mean(axis=0, keepdims=True)
        inv = (var + 1e-5) ** -0.5
        out = gamma * (xc * inv) + beta
        return (out * Tensor(dout_bn, name="dout")).sum()

    x_img, w_filter = np.arange(16.0).reshape(1, 1, 4, 4), np.array([[[[1.0, -1.0], [0.5, 2.0]]]])

    def conv():
        x = Tensor(x_img.copy(), requires_grad=True, name="x")
        w = Tensor(w_filter.copy(), requires_grad=True, name="w")
        b = Tensor(np.array([0.1]), requires_grad=True, name="b")
        out = graph.conv(x, w, b, {"stride": 1, "pad": 0})
        return out.sum()

    return [("batchnorm", "Batch normalization's forward",
             "`mu = x.mean(0)`, `xc = x - mu`, `var = (xc * xc).mean(0)`, `inv = (var + eps) ** -0.5`, "
             "`out = gamma * (xc * inv) + beta` on N=4 examples of D=3 features, then "
             "`L = (out * dout).sum()` (chapter 10 derives its backward on this graph).", batchnorm),
            ("conv", "A convolution layer",
             "`graph.conv(x, w, b, {'stride': 1, 'pad': 0})` for one 4 x 4 image `x` (1, 1, 4, 4) "
             "and one 2 x 2 filter `w` (1, 1, 2, 2), then `L = out.sum()`: the windows (`unfold`, "
             "im2col), one matmul, the bias; each weight's gradient is the sum of the pixels it "
             "met, each pixel's the sum of the weights that met it.", conv)]


def draw_layers(out: Path) -> list:
    """Write ``{key}_after.svg`` and ``{key}_slide.svg`` for each of ``layer_cases``; return the
    page's lines for them."""
    lines = ["## Layers, drawn small", ""]
    for key, title, text, build in layer_cases():
        loss = build()
        loss.backward()
        render(draw(loss), out / f"{key}_after.svg")
        measured = slide(loss, out / f"{key}_slide.svg")
        print(f"{key}: {len(loss.tape())} tape entries -> {out}/{key}_{{after,slide}}.svg; {measured}")
        lines += [f"### {title}", "", f"{text} The tape has {len(loss.tape())} entries.", "",
                  f"![{title}, after backward]({out.name}/{key}_after.svg)", "",
                  f"As a slide: {measured}.", "", f"![{title}, as a slide]({out.name}/{key}_slide.svg)",
                  ""]
    return lines


def slide(loss, path: Path) -> str:
    """Draw ``loss`` as a 1920 x 1080 slide into ``path``; return what it measured, in words."""
    d = draw(loss, fit=SLIDE, min_px=12)
    svg = to_svg(d)
    path.write_text(svg, encoding="utf-8")
    px, w, h = text_px(svg, SLIDE)
    kept = f"dropped: {', '.join(d.dropped)}" if d.dropped else "nothing dropped"
    blocks = "".join(f"; ops {a}-{b} drawn once, \u00d7 {n}" for a, b, n in d.blocks)
    return f"smallest text {px:.1f} px on a 1920 x 1080 slide ({kept}{blocks})"


def readme_picture(out: Path) -> Path:
    """The README's picture: a small graph, legible at the README's width (about 800 px)."""
    x = Tensor(np.array([1.0, 2.0]))
    W = Tensor(np.array([[0.5, -1.0], [2.0, 0.25]]), requires_grad=True)
    b = Tensor(np.array([0.1, 0.2]), requires_grad=True)
    h = (x @ W + b).relu()
    loss = (h * h).sum()
    loss.backward()
    return render(draw(loss), out / "readme.svg")


INTRO = [
    "# Gallery: the losses and layers as graphs", "",
    "Each diagram below is drawn by `tinygrad_edu.viz.draw` from the engine's own tape; "
    "`scripts/make_gallery.py` regenerates them all. Each op and the tensor it makes are one box, "
    "numbered as `print(loss.tape())` numbers them, with the tensor's shape, its value and (after "
    "`backward()`) its gradient in cells side by side (the gradient in its own colour: `grad = "
    "dloss / d this box`), what the expression's names hold (`y = [0, 2, 1, 1, 0]`), and in "
    "italics the local-gradient formula of each input, written for this call. Parameters are blue "
    "with a wide border, constants grey, dashed and dimmed (a one-element constant without a name "
    "is written into the expression), the loss orange with a double border; a legend under each "
    "picture says so. Gradient entries that are rounding noise read `~0`.", "",
    "A **slide** is the same graph drawn with `draw(loss, fit=(1920, 1080), min_px=12)`: laid "
    "out for the frame, repeated blocks drawn once with \u00d7 n, and detail dropped in this order "
    "until the smallest text, once the picture fills the frame, is 12 px or more: the numbers of "
    "intermediates and constants, those of the parameters and the loss, the formulas. The size "
    "under each slide was measured on it.", "",
    "The step-through pages run the forward pass and then the backward pass one op at a time on "
    "the diagram: open one in a browser and use the Next / Prev buttons or the arrow keys.", ""]


def write_gallery_page(out: Path, entries, layout_table: str | None = None, layers=()) -> Path:
    """``gallery.md`` beside the folder ``out`` (``docs/gallery.md`` by default): each loss's
    diagrams and a link to its step-through page, in MyST Markdown."""
    rel = out.name
    lines = list(INTRO)
    for key, title, text, n_ops, measured in entries:
        lines += [f"## {title}", "", f"{text} The tape has {n_ops} entries.", ""]
        if (out / f"{key}_before.svg").exists():
            lines += ["Before `backward()`: the values.", "",
                      f"![{title}, before backward]({rel}/{key}_before.svg)", "",
                      "After `backward()`: every tensor that requires grad shows its gradient.", "",
                      f"![{title}, after backward]({rel}/{key}_after.svg)", ""]
        lines += [f"As a slide: {measured}.", "", f"![{title}, as a slide]({rel}/{key}_slide.svg)",
                  "", f"Step through it: {{download}}`{key}_steps.html <{rel}/{key}_steps.html>`.", ""]
    lines += list(layers)
    if layout_table:
        lines += ["## Big graphs", "",
                  "A graph whose layout would take Graphviz too long is drawn as a summary (its loss, "
                  "its parameters with their gradients, its repeated blocks, and how to draw one "
                  "part in full: `draw(loss, around=tensor, depth=2)`). How long the layouts take, "
                  "and what `draw(t)` does by default, as `benchmarks/layout.py` measured it (then "
                  "`benchmarks/layout.py --calls`: how long each call takes, summary or not, on "
                  "graphs of 150 to 20,000 ops):", "", layout_table, ""]
    path = out.parent / "gallery.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "gallery",
                    help="folder for the SVG and HTML files; gallery.md goes beside it "
                         "(default: docs/gallery)")
    args = ap.parse_args(argv)
    if find_renderer() is None:
        raise SystemExit("make_gallery: no Graphviz renderer found; pip install graphviz-pure")
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    entries = []
    for key, title, text, build in cases():
        loss = build()
        render(draw(loss), out / f"{key}_before.svg")
        write_page(loss, out / f"{key}_steps.html", title=f"{title}: backward, step by step")
        n_ops = len(loss.tape())
        loss.backward()
        render(draw(loss), out / f"{key}_after.svg")
        entries.append((key, title, text, n_ops, slide(loss, out / f"{key}_slide.svg")))
        print(f"{key}: {n_ops} tape entries -> {out}/{key}_{{before,after,slide}}.svg, "
              f"{key}_steps.html; {entries[-1][-1]}")
    h = recurrence()
    write_page(h, out / "recurrence_steps.html", title="A recurrence: backward, step by step")
    h.backward()
    entries.append(("recurrence", "A recurrence: a loop with shared weights",
                    "15 steps of `h = tanh(w*h + u*x)` for `x` in `linspace(-1, 1, 15)`, `w` and `u` "
                    "shared by every step.", len(h.tape()), slide(h, out / "recurrence_slide.svg")))
    print(f"recurrence: {entries[-1][-1]} (laid out by {renderer_name()})")
    tables = [ROOT / "benchmarks" / f for f in ("layout-times.md", "call-times.md")]
    layout_table = "\n".join(t.read_text(encoding="utf-8") for t in tables if t.exists()) or None
    layers = draw_layers(out)
    print("wrote", write_gallery_page(out, entries, layout_table, layers), "and", readme_picture(out))


if __name__ == "__main__":
    main()
