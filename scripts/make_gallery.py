"""Regenerate the diagram gallery in docs/gallery/ from the engine itself.

For each of the three cs231n losses (softmax, multiclass hinge, two-layer net) on small shapes,
this draws the graph before ``backward()`` (values only) and after (values and gradients) as SVG,
and writes a step-through HTML page of its forward and backward pass. Then it writes
``docs/gallery.md``, the page that shows them, and ``readme.svg``, the small picture at the top of
the README. Run from the repository's root:

    python scripts/make_gallery.py            # needs dot or graphviz-pure for the SVGs
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from tinygrad_edu import Tensor
from tinygrad_edu.losses import softmax_loss, svm_loss, two_layer_loss
from tinygrad_edu.viz import draw, find_renderer, render, write_page

ROOT = Path(__file__).resolve().parent.parent


def cases():
    """(key, title, description, build) where ``build()`` returns the loss, on fresh tensors."""
    N, D, H, C = 2, 3, 4, 3
    rng = np.random.default_rng(231)
    X = np.round(rng.normal(size=(N, D)), 2)
    y = np.array([0, 2])
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

    shapes = f"N={N} examples, D={D} features, C={C} classes"
    return [
        ("softmax", "Softmax loss", f"`softmax_loss(W, X, y, reg=0.1)` with {shapes}.",
         linear(softmax_loss)),
        ("svm", "Multiclass hinge (SVM) loss",
         f"`svm_loss(W, X, y, reg=0.1, delta=1.0)` with {shapes}.", linear(svm_loss, delta=1.0)),
        ("two_layer", "Two-layer network",
         f"`two_layer_loss(params, X, y, reg=0.1)` with {shapes} and H={H} hidden units.",
         two_layer),
    ]


def readme_picture(out: Path) -> Path:
    """The README's picture: a small graph, legible at the README's width (about 800 px)."""
    x = Tensor(np.array([1.0, 2.0]))
    W = Tensor(np.array([[0.5, -1.0], [2.0, 0.25]]), requires_grad=True)
    b = Tensor(np.array([0.1, 0.2]), requires_grad=True)
    h = (x @ W + b).relu()
    loss = (h * h).sum()
    loss.backward()
    return render(draw(loss), out / "readme.svg")


def write_gallery_page(out: Path, entries) -> Path:
    """``gallery.md`` beside the folder ``out`` (``docs/gallery.md`` by default): each loss's
    diagrams and a link to its step-through page, in MyST Markdown."""
    rel = out.name
    lines = ["# Gallery: the losses as graphs", "",
             "Each diagram below is drawn by `tinygrad_edu.viz.draw` from the engine's own tape; "
             "`scripts/make_gallery.py` regenerates them all. Each op and the tensor it makes are "
             "one box, numbered as `print(loss.tape())` numbers them, with the tensor's shape, its "
             "values and (after `backward()`) its gradient side by side, and under them the local-"
             "gradient formula of each input, written for this call. Parameters are blue boxes with "
             "a bold border, constants grey and dashed (one-element constants are written into the "
             "expression), the loss orange with a double border. `draw(loss, detail=True)` draws "
             "the full sheet instead (ops and tensors as separate nodes, shapes on the edges).", "",
             "The step-through pages run the forward pass and then the backward pass one op at a "
             "time on the diagram: open one in a browser and use the Next / Prev buttons or the "
             "arrow keys.", ""]
    for key, title, text, n_ops in entries:
        lines += [f"## {title}", "", f"{text} The tape has {n_ops} entries.", "",
                  "Before `backward()`: the values.", "",
                  f"![{title}, before backward]({rel}/{key}_before.svg)", "",
                  "After `backward()`: every tensor that requires grad shows its gradient.", "",
                  f"![{title}, after backward]({rel}/{key}_after.svg)", "",
                  f"Step through it: {{download}}`{key}_steps.html <{rel}/{key}_steps.html>`.", ""]
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
        entries.append((key, title, text, n_ops))
        print(f"{key}: {n_ops} tape entries -> {out}/{key}_{{before,after}}.svg, {key}_steps.html")
    print("wrote", write_gallery_page(out, entries), "and", readme_picture(out))


if __name__ == "__main__":
    main()
