"""Train the two-layer net on the 8x8 handwritten digits, with the engine computing every gradient.

    python examples/two_layer_net_digits.py [--out DIR] [--quick]

It first checks the engine's gradients of the net's loss against centered differences on a tiny
net, then trains ``TwoLayerNet`` with minibatch SGD (the settings below reach about 97% test
accuracy), and writes to ``DIR`` (default ``./tinygrad-edu-out``):

* ``two_layer_curves.png``: the loss per iteration and the accuracies per epoch;
* ``two_layer_weights.png``: each hidden unit's first-layer weights shown as an 8x8 image.
"""
import argparse
import os

import numpy as np

from tinygrad_edu.datasets import load_digits
from tinygrad_edu.gradcheck import numerical_gradient, rel_error
from tinygrad_edu.nn import TwoLayerNet
from tinygrad_edu.train import accuracy, plot_history, plot_weights

# The settings: hidden size, initial weight scale, step size and its decay per epoch, L2 strength.
SETTINGS = dict(hidden_size=100, std=1e-4, learning_rate=0.5, learning_rate_decay=0.99, reg=1e-3,
                num_iters=2000, batch_size=200, seed=0)


def check_gradients():
    """The engine's gradients against centered differences, on a tiny net (worst relative error).

    ``numerical_gradient`` perturbs each entry of ``net.params[name]`` in place, and ``net.loss``
    reads the params afresh at every call, so the closure ignores its argument (the cs231n idiom).
    """
    net = TwoLayerNet(4, 10, 3, std=1e-1, seed=0)
    X = np.random.RandomState(1).randn(5, 4)
    y = np.array([0, 1, 2, 2, 1])
    _, grads = net.loss(X, y, reg=0.05)
    worst = 0.0
    for name, p in net.params.items():
        num = numerical_gradient(lambda _: net.loss(X, y, reg=0.05)[0], p)
        err = rel_error(grads[name], num)
        print(f"  {name:>2}: relative error {err:.2e}")
        worst = max(worst, err)
    return worst


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="tinygrad-edu-out", help="folder for the pictures")
    ap.add_argument("--quick", action="store_true", help="train 300 iterations only")
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)

    print("gradient check on a tiny net (engine vs centered differences):")
    # smooth float64 losses agree to about 1e-7; much larger means a bug (or an input at a ReLU kink)
    assert check_gradients() < 1e-5

    d = load_digits(seed=0)
    s = dict(SETTINGS, num_iters=300 if args.quick else SETTINGS["num_iters"])
    net = TwoLayerNet(64, s["hidden_size"], 10, std=s["std"], seed=s["seed"])
    print(f"loss at initialization: {net.loss(d.X_train, d.y_train)[0]:.4f} (log 10 = {np.log(10):.4f})")
    stats = net.train(d.X_train, d.y_train, d.X_val, d.y_val, learning_rate=s["learning_rate"],
                      learning_rate_decay=s["learning_rate_decay"], reg=s["reg"],
                      num_iters=s["num_iters"], batch_size=s["batch_size"])
    print(f"final training loss {np.mean(stats['loss_history'][-20:]):.4f}")
    print(f"validation accuracy {accuracy(net.predict(d.X_val), d.y_val):.4f}")
    print(f"test accuracy       {accuracy(net.predict(d.X_test), d.y_test):.4f}")
    print("wrote", plot_history(stats, os.path.join(args.out, "two_layer_curves.png"), "two-layer net"))
    print("wrote", plot_weights(net.params["W1"], os.path.join(args.out, "two_layer_weights.png"),
                                title="two-layer net: W1, one 8x8 image per hidden unit"))


if __name__ == "__main__":
    main()
