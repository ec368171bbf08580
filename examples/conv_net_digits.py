"""A small convolutional net on the 8x8 handwritten digits, every gradient from the engine.

    python examples/conv_net_digits.py [--out DIR] [--quick]

The images (N, 1, 8, 8), pixels in [0, 1], go through conv 3x3 (8 channels) - batch norm - ReLU -
max-pool 2x2 - conv 3x3 (16 channels) - ReLU - max-pool 2x2 - flatten (64) - dropout - linear (10),
trained with Adam on minibatches of 64 (``functional.conv2d`` and the pools are im2col in numpy, no
loop over pixels). It prints the accuracies and the time taken, and writes ``conv_net_loss.png``
(the training loss per step) to ``DIR``.
"""
import argparse
import os
import time

import numpy as np

from tinygrad_edu import Tensor, functional as F, nn, no_grad
from tinygrad_edu.datasets import load_digits
from tinygrad_edu.optim import Adam
from tinygrad_edu.train import epoch_batches, plot_curves, train_loop

EPOCHS, BATCH, LR = 8, 64, 0.01


def make_net(seed=0):
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1, seed=seed), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1, seed=seed + 1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.2, seed=seed + 2), nn.Linear(64, 10, seed=seed + 3))


def accuracy(net, X, y):
    net.eval()
    with no_grad():
        pred = net(Tensor(X)).data.argmax(axis=1)
    net.train()
    return float((pred == y).mean())


def train(net, X, y, epochs=EPOCHS, seed=0):
    """Adam on shuffled minibatches (``epoch_batches``), through the project's training loop;
    returns the loss of every step."""
    opt = Adam(net.parameters(), lr=LR)

    def step(idx):
        loss = F.cross_entropy(net(Tensor(X[idx])), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()
    batches = epoch_batches(np.random.default_rng(seed), len(y), BATCH, epochs)
    return train_loop(step, batches, epochs * -(-len(y) // BATCH), desc="conv net")["loss_history"]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="tinygrad-edu-out", help="folder for the picture")
    ap.add_argument("--quick", action="store_true", help="two epochs only")
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    d = load_digits(seed=0, scale="unit")
    images = [X.reshape(-1, 1, 8, 8) for X in (d.X_train, d.X_val, d.X_test)]
    net = make_net()
    start = time.perf_counter()
    losses = train(net, images[0], d.y_train, epochs=2 if args.quick else EPOCHS)
    seconds = time.perf_counter() - start
    print(f"trained {len(losses)} steps of {BATCH} in {seconds:.1f} s; loss {losses[0]:.3f} -> "
          f"{np.mean(losses[-10:]):.3f}")
    print(f"train accuracy {accuracy(net, images[0], d.y_train):.3f}, "
          f"val accuracy {accuracy(net, images[1], d.y_val):.3f}, "
          f"test accuracy {accuracy(net, images[2], d.y_test):.3f}")
    print("wrote", plot_curves({"training loss": losses}, os.path.join(args.out, "conv_net_loss.png"),
                               title="conv net on the 8x8 digits", xlabel="step"))


if __name__ == "__main__":
    main()
