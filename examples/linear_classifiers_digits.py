"""Softmax and SVM (multiclass hinge) classifiers on the 8x8 digits, each gradient-checked first.

    python examples/linear_classifiers_digits.py [--out DIR] [--quick]

For each loss: check the engine's gradient of ``losses.softmax_loss`` / ``losses.svm_loss`` against
the numerical gradient (``tinygrad_edu.gradcheck``) on a few examples, then train ``scores = X @ W``
(the bias folded into ``W`` by a column of ones) with SGD and momentum from ``tinygrad_edu.optim``.
The settings below reach about 97% (softmax) and 95% (SVM) test accuracy. Writes to ``DIR``
(default ``./tinygrad-edu-out``) the curves and the weights of each class as 8x8 images.
"""
import argparse
import os

import numpy as np

from tinygrad_edu import Tensor
from tinygrad_edu.datasets import load_digits
from tinygrad_edu.gradcheck import numerical_gradient, rel_error
from tinygrad_edu.losses import softmax_loss, svm_loss
from tinygrad_edu.train import accuracy, add_bias_column, plot_history, plot_weights, train_linear

# learning rate, L2 strength, iterations, minibatch size, momentum, seed
SETTINGS = dict(learning_rate=0.1, reg=1e-3, num_iters=500, batch_size=200, momentum=0.9, seed=0)


def gradient_check(loss_fn, X, y, reg=0.1, seed=0):
    """Relative error between the engine's dL/dW and centered differences, W (D, C) random."""
    W = 1e-2 * np.random.RandomState(seed).randn(X.shape[1], 10)
    Wt = Tensor(W, requires_grad=True)   # shares W's memory
    loss_fn(Wt, X, y, reg).backward()
    num = numerical_gradient(lambda w: loss_fn(Tensor(w), X, y, reg).item(), W)
    return rel_error(Wt.grad, num)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="tinygrad-edu-out", help="folder for the pictures")
    ap.add_argument("--quick", action="store_true", help="train 150 iterations only")
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)

    d = load_digits(seed=0)
    X_train, X_val, X_test = (add_bias_column(A) for A in (d.X_train, d.X_val, d.X_test))
    settings = dict(SETTINGS, num_iters=150 if args.quick else SETTINGS["num_iters"])
    for name, loss_fn in (("softmax", softmax_loss), ("svm", svm_loss)):
        err = gradient_check(loss_fn, X_train[:20], d.y_train[:20])
        print(f"{name}: gradient check, relative error {err:.2e}")
        assert err < 1e-6, f"{name}: the engine's gradient disagrees with the numerical one"
        W, stats = train_linear(loss_fn, X_train, d.y_train, X_val, d.y_val, **settings)
        print(f"{name}: validation accuracy {accuracy(np.argmax(X_val @ W, 1), d.y_val):.4f}, "
              f"test accuracy {accuracy(np.argmax(X_test @ W, 1), d.y_test):.4f}")
        print("  wrote", plot_history(stats, os.path.join(args.out, f"{name}_curves.png"), name))
        print("  wrote", plot_weights(W[:-1], os.path.join(args.out, f"{name}_weights.png"),
                                      title=f"{name}: one 8x8 template per class, 0..9"))


if __name__ == "__main__":
    main()
