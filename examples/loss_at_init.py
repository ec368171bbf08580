"""Why the loss at initialization is about log(10) = 2.303 for ten classes (and 9 for the SVM).

    python examples/loss_at_init.py [--out DIR]

With small random weights every score is close to 0, so the softmax gives each of the C = 10
classes probability about 1/C, and the cross-entropy ``-log p[y]`` is about ``-log(1/10) = log(10)``
whatever the label. The multiclass hinge loss ``sum_{j != y} max(0, s_j - s_y + 1)`` is about
``(C - 1) * 1 = 9``. A first loss far from these numbers points to a bug (or to weights that are not
small), which makes this the cheapest sanity check there is. Writes ``loss_at_init.txt`` to ``DIR``.
"""
import argparse
import os

import numpy as np

from tinygrad_edu import Tensor
from tinygrad_edu.datasets import load_digits
from tinygrad_edu.losses import softmax_loss, svm_loss
from tinygrad_edu.nn import TwoLayerNet


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="tinygrad-edu-out", help="folder for the text report")
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    d = load_digits(seed=0)
    X, y = d.X_train, d.y_train
    rng = np.random.RandomState(0)
    lines = [f"log(10) = {np.log(10):.4f}; C - 1 = 9",
             "weight scale   softmax loss   two-layer loss   SVM loss"]
    for std in (1e-4, 1e-3, 1e-2, 1e-1, 1.0):
        W = Tensor(std * rng.randn(64, 10))
        net = TwoLayerNet(64, 50, 10, std=std, seed=0)
        lines.append(f"{std:>12g}   {softmax_loss(W, X, y).item():>12.4f}   "
                     f"{net.loss(X, y)[0]:>14.4f}   {svm_loss(W, X, y).item():>8.4f}")
    s = np.zeros(10)
    p = np.exp(s) / np.exp(s).sum()
    lines.append(f"all scores 0: p = {p[0]:.2f} for every class, loss = -log(0.1) = {-np.log(p[0]):.4f}")
    lines.append("small weights give the expected values; large ones make confident, random guesses "
                 "and a larger loss.")
    text = "\n".join(lines)
    print(text)
    path = os.path.join(args.out, "loss_at_init.txt")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text + "\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
