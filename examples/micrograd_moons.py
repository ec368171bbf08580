"""micrograd's moons demo, run on this engine with only the imports changed.

    python examples/micrograd_moons.py [--out DIR] [--steps N]

The model, the data, the loss and the loop are those of micrograd's ``demo.ipynb``: an
``MLP(2, [16, 16, 1])`` trained on 100 points of scikit-learn's two moons (noise 0.1, labels -1/+1)
with the SVM max-margin loss plus an L2 penalty (alpha 1e-4), 100 full-batch SGD steps at a learning
rate falling from 1.0 to 0.109. The only edit to micrograd's code is ``micrograd.`` ->
``tinygrad_edu.micrograd.`` in the imports, so each line printed is the line micrograd prints for the
same seeds (step 0: loss 0.8958441028683222, accuracy 50.0%; step 99: loss about 0.0110, accuracy
100.0%). It writes the decision boundary to ``DIR/micrograd_moons.png`` (default
``./tinygrad-edu-out``).
"""
import argparse
import os
import random

import numpy as np

from tinygrad_edu.micrograd.engine import Value
from tinygrad_edu.micrograd.nn import MLP


def moons():
    """The demo's data set and model, made with the demo's seeds in the demo's order."""
    from sklearn.datasets import make_moons

    np.random.seed(1337)
    random.seed(1337)
    X, y = make_moons(n_samples=100, noise=0.1)
    y = y * 2 - 1  # make y be -1 or 1
    model = MLP(2, [16, 16, 1])  # 2-layer neural network
    return X, y, model


def loss(model, X, y):
    """The demo's loss: SVM max-margin on every point, plus alpha * sum(p * p); and the accuracy."""
    inputs = [list(map(Value, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    alpha = 1e-4
    reg_loss = alpha * sum((p * p for p in model.parameters()))
    total_loss = data_loss + reg_loss
    accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores)]
    return total_loss, sum(accuracy) / len(accuracy)


def train(model, X, y, steps=100):
    """The demo's optimization loop, printing what it prints; returns the last loss and accuracy."""
    for k in range(steps):
        total_loss, acc = loss(model, X, y)
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        print(f"step {k} loss {total_loss.data}, accuracy {acc*100}%")
    return total_loss.data, acc


def plot_boundary(model, X, y, path):
    """The demo's decision-boundary figure (a 0.25 grid over the data), saved to ``path``."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    h = 0.25
    x_min, x_max = X[:, 0].min() - 1, X[:, 0].max() + 1
    y_min, y_max = X[:, 1].min() - 1, X[:, 1].max() + 1
    xx, yy = np.meshgrid(np.arange(x_min, x_max, h), np.arange(y_min, y_max, h))
    Xmesh = np.c_[xx.ravel(), yy.ravel()]
    scores = [model(list(map(Value, xrow))) for xrow in Xmesh]
    Z = np.array([s.data > 0 for s in scores]).reshape(xx.shape)
    fig = plt.figure(figsize=(5, 5))
    plt.contourf(xx, yy, Z, cmap=plt.cm.Spectral, alpha=0.8)
    plt.scatter(X[:, 0], X[:, 1], c=y, s=40, cmap=plt.cm.Spectral)
    plt.xlim(xx.min(), xx.max())
    plt.ylim(yy.min(), yy.max())
    fig.savefig(path, dpi=80)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="tinygrad-edu-out", help="folder for the figure")
    parser.add_argument("--steps", type=int, default=100, help="SGD steps (the demo: 100)")
    args = parser.parse_args(argv)
    X, y, model = moons()
    print(model)
    print("number of parameters", len(model.parameters()))
    final_loss, acc = train(model, X, y, args.steps)
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "micrograd_moons.png")
    plot_boundary(model, X, y, path)
    print(f"after {args.steps} steps: loss {final_loss:.4f}, accuracy {acc*100:.0f}%; "
          f"decision boundary in {path}")


if __name__ == "__main__":
    main()
