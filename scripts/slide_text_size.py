"""How tall the diagrams' text is on a slide: the smallest font-size in the SVG times the factor
that fits the picture to a 1920 x 1080 slide, min(1920 / width, 1080 / height), for the softmax
loss of a (4, 3) @ (3, 5) layer and for a two-layer net, each after backward(), drawn by default,
with values, gradients and formulas hidden, and as the detailed sheet. Run from the repository's
root (needs dot or graphviz-pure):

    python scripts/slide_text_size.py
"""
from __future__ import annotations

import re

import numpy as np

from tinygrad_edu import Tensor, viz
from tinygrad_edu.losses import softmax_loss, two_layer_loss


def slide_px(svg: str) -> tuple[float, float, float]:
    """(smallest text height in px on the slide, picture width, picture height)."""
    w, h = (float(v) for v in re.search(r'viewBox="[\d.-]+ [\d.-]+ ([\d.]+) ([\d.]+)"', svg).groups())
    smallest = min(float(s) for s in re.findall(r'font-size="([\d.]+)"', svg))
    return smallest * min(1920 / w, 1080 / h), w, h


def graphs():
    rng = np.random.default_rng(0)
    W = Tensor(rng.normal(size=(3, 5)), requires_grad=True, name="W")
    X = Tensor(rng.normal(size=(4, 3)), name="X")
    y = np.array([0, 1, 2, 3])
    softmax = softmax_loss(W, X, y, reg=0.1)
    params = {"W1": Tensor(rng.normal(size=(3, 4)), requires_grad=True),
              "b1": Tensor(np.zeros(4), requires_grad=True),
              "W2": Tensor(rng.normal(size=(4, 5)), requires_grad=True),
              "b2": Tensor(np.zeros(5), requires_grad=True)}
    two_layer = two_layer_loss(params, X, y, reg=0.1)
    for loss in (softmax, two_layer):
        loss.backward()
    return {"softmax": softmax, "two_layer": two_layer}


def main() -> None:
    bare = dict(show_values=False, show_grads=False, show_formulas=False)
    for name, loss in graphs().items():
        for label, kw in (("default", {}), ("bare", bare), ("detail", {"detail": True})):
            px, w, h = slide_px(viz.to_svg(loss, **kw))
            print(f"{name:10s} {label:8s} {px:5.1f} px  (picture {w:.0f} x {h:.0f})")


if __name__ == "__main__":
    main()
