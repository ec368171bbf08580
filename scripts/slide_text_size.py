"""How tall the diagrams' text is on a slide: the smallest font-size in the SVG times the factor
that fits the picture to a 1920 x 1080 slide, min(1920 / width, 1080 / height).

For four graphs (micrograd's tanh neuron; softmax_loss with X (5, 4), W (4, 3); two_layer_loss with
X (5, 4), H = 6, C = 3; and 15 steps of h = tanh(w*h + u*x), 60 ops), each after backward(), drawn
by default and in slide mode, ``draw(t, fit=(1920, 1080), min_px=12)``, with each renderer that is
installed. Run from the repository's root (needs dot or graphviz-pure):

    python scripts/slide_text_size.py [--out table.md]
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from tinygrad_edu import Tensor, viz
from tinygrad_edu.losses import softmax_loss, two_layer_loss
from tinygrad_edu.viz import programs

from make_gallery import recurrence   # the gallery's 60-op recurrence (this folder, on sys.path)

FIT = (1920, 1080)


def tanh_neuron():
    """micrograd's neuron: o = tanh(x1*w1 + x2*w2 + b), 5 ops and 5 leaves."""
    x1, x2 = Tensor(2.0, name="x1"), Tensor(0.0, name="x2")
    w1 = Tensor(-3.0, requires_grad=True, name="w1")
    w2 = Tensor(1.0, requires_grad=True, name="w2")
    b = Tensor(6.8813735870195432, requires_grad=True, name="b")
    x1w1, x2w2 = x1 * w1, x2 * w2
    x1w1.name, x2w2.name = "x1w1", "x2w2"
    n = x1w1 + x2w2
    n.name = "x1w1x2w2"
    n = n + b
    n.name = "n"
    o = n.tanh()
    o.name = "o"
    return o


def softmax():
    """softmax_loss(W, X, y, reg=0.1) with X (5, 4), W (4, 3), y = [0, 2, 1, 1, 0]."""
    rng = np.random.default_rng(0)
    W = Tensor(np.round(rng.normal(size=(4, 3)), 2), requires_grad=True, name="W")
    X = Tensor(np.round(rng.normal(size=(5, 4)), 2), name="X")
    return softmax_loss(W, X, np.array([0, 2, 1, 1, 0]), reg=0.1)


def two_layer():
    """two_layer_loss(params, X, y, reg=0.1) with X (5, 4), H = 6, C = 3."""
    rng = np.random.default_rng(1)
    shapes = {"W1": (4, 6), "b1": (6,), "W2": (6, 3), "b2": (3,)}
    params = {k: Tensor(np.round(0.5 * rng.normal(size=s), 2), requires_grad=True, name=k)
              for k, s in shapes.items()}
    X = Tensor(np.round(rng.normal(size=(5, 4)), 2), name="X")
    return two_layer_loss(params, X, np.array([0, 2, 1, 1, 0]), reg=0.1)


GRAPHS = {"tanh neuron": tanh_neuron, "softmax, X (5, 4), W (4, 3)": softmax,
          "two-layer net, X (5, 4), H 6, C 3": two_layer,
          "60-op recurrence (15 steps of h = tanh(w*h + u*x))": recurrence}


def graphs() -> dict:
    """{title: loss after backward()} for the graphs measured."""
    out = {}
    for title, make in GRAPHS.items():
        t = make()
        t.backward()
        out[title] = t
    return out


def measure(renderer: str) -> list:
    """[(title, ops, default px, default picture, slide px, what the slide dropped, blocks)]."""
    rows = []
    for title, t in graphs().items():
        px, w, h = viz.text_px(viz.to_svg(viz.draw(t), renderer=renderer), FIT)
        d = viz.draw(t, fit=FIT, min_px=12, renderer=renderer)
        slide, sw, sh = viz.text_px(viz.to_svg(d, renderer=renderer), FIT)
        rows.append((title, len(t.tape()), px, f"{w:.0f} x {h:.0f}", slide, f"{sw:.0f} x {sh:.0f}",
                     ", ".join(d.dropped) or "nothing",
                     ", ".join(f"ops {a}-{b} drawn once, \u00d7 {n}" for a, b, n in d.blocks) or "-"))
    return rows


def table(renderer: str) -> str:
    lines = [f"Text height in px with the SVG fitted to {FIT[0]} x {FIT[1]}, laid out by {renderer}:",
             "", "| graph | ops | default | slide mode (`fit=(1920, 1080), min_px=12`) | "
             "the slide dropped | repeated blocks |", "|---|---|---|---|---|---|"]
    for title, ops, px, pic, slide, spic, dropped, blocks in measure(renderer):
        lines.append(f"| {title} | {ops} | {px:.1f} px ({pic} pt) | {slide:.1f} px ({spic} pt) | "
                     f"{dropped} | {blocks} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=None, help="also write the tables to this file")
    args = ap.parse_args(argv)
    present = [r for r in programs.RENDERERS if programs.find_renderer(r) is not None]
    if not present:
        raise SystemExit("slide_text_size: no Graphviz renderer found; pip install graphviz-pure")
    text = "\n\n".join(table(r) for r in present)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
