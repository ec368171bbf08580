"""The course's modular nets on the 8x8 digits, trained by the Solver, every gradient from the engine.

    python examples/solver_digits.py [--out DIR] [--quick]

Two models in the interface of the course's second assignment (``params``, ``loss(X, y)``):

* ``FullyConnectedNet([100, 100])`` with batch normalization and dropout (keep 0.8), Adam;
* ``ThreeLayerConvNet`` on the images (N, 1, 8, 8): conv 3x3 (16 filters) - ReLU - 2x2 max pool -
  affine (64) - ReLU - affine, Adam.

Before training, each net's gradients are checked against centered differences on a tiny copy in
float64. Then each is trained by ``tinygrad_edu.train.Solver`` (the project's training loop in the
course's interface); the script prints the best validation accuracy and the test accuracy of the
params the Solver keeps, and writes ``solver_fc_curves.png`` and ``solver_cnn_curves.png`` to ``DIR``.
"""
import argparse
import os
import time

import numpy as np

from tinygrad_edu.datasets import load_digits
from tinygrad_edu.gradcheck import numerical_gradient, rel_error
from tinygrad_edu.layers import FullyConnectedNet, ThreeLayerConvNet
from tinygrad_edu.train import Solver, accuracy, plot_history

FC = dict(hidden_dims=[100, 100], normalization="batchnorm", dropout_keep_ratio=0.8,
          weight_scale=5e-2, reg=1e-3)
FC_SOLVER = dict(update_rule="adam", optim_config={"learning_rate": 2e-3}, lr_decay=0.9,
                 num_epochs=15, batch_size=100)
CNN = dict(input_dim=(1, 8, 8), num_filters=16, filter_size=3, hidden_dim=64, weight_scale=1e-1,
           reg=1e-3)
CNN_SOLVER = dict(update_rule="adam", optim_config={"learning_rate": 1e-2}, lr_decay=0.9,
                  num_epochs=10, batch_size=50)


def worst_gradient_error(model, X, y):
    """The largest relative error between the engine's gradients and centered differences (a
    gradient that is 0 up to rounding, as a bias's before a batch normalization, is left out when
    the differences are within rounding of 0 too)."""
    _, grads = model.loss(X, y)
    worst = 0.0
    for k, p in model.params.items():
        num = numerical_gradient(lambda _: model.loss(X, y)[0], p)
        if np.abs(grads[k]).max() < 1e-15 and np.abs(num).max() < 1e-9:
            continue              # 0 up to rounding, and the differences are noise around 0
        worst = max(worst, rel_error(grads[k], num))
    return worst


def check_gradients():
    np.random.seed(1)
    X, y = np.random.randn(6, 5), np.random.randint(3, size=6)
    fc = FullyConnectedNet([4, 6], input_dim=5, num_classes=3, normalization="batchnorm",
                           weight_scale=0.5, reg=0.1, dtype=np.float64)
    for k in ("b1", "b2", "b3"):     # off 0, so no ReLU sits exactly at its kink
        fc.params[k] += 0.1 * np.random.randn(*fc.params[k].shape)
    cnn = ThreeLayerConvNet(input_dim=(1, 4, 4), num_filters=2, filter_size=3, hidden_dim=5,
                            num_classes=3, weight_scale=0.3, reg=0.1, dtype=np.float64)
    return worst_gradient_error(fc, X, y), worst_gradient_error(cnn, np.random.randn(3, 1, 4, 4), y[:3])


def train(name, model, data, settings, X_test, y_test, out):
    start = time.perf_counter()
    solver = Solver(model, data, verbose=False, seed=0, **settings)
    solver.train()
    test = accuracy(np.argmax(model.loss(X_test), axis=1), y_test)
    print(f"{name}: {len(solver.loss_history)} iterations in {time.perf_counter() - start:.1f} s; "
          f"best validation accuracy {solver.best_val_acc:.4f}, test accuracy {test:.4f}")
    print("  wrote", plot_history(solver.history, os.path.join(out, f"solver_{name}_curves.png"), name))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="tinygrad-edu-out", help="folder for the pictures")
    ap.add_argument("--quick", action="store_true", help="a third of the epochs")
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    fc_err, cnn_err = check_gradients()
    print(f"gradient check (engine vs centered differences): FullyConnectedNet {fc_err:.1e}, "
          f"ThreeLayerConvNet {cnn_err:.1e}")
    assert max(fc_err, cnn_err) < 1e-6

    d = load_digits(seed=0)
    quick = (lambda s: dict(s, num_epochs=s["num_epochs"] // 3)) if args.quick else (lambda s: s)
    np.random.seed(0)                      # the nets' initial weights, as the course seeds them
    data = {"X_train": d.X_train, "y_train": d.y_train, "X_val": d.X_val, "y_val": d.y_val}
    train("fc", FullyConnectedNet(input_dim=64, num_classes=10, **FC), data, quick(FC_SOLVER),
          d.X_test, d.y_test, args.out)
    images = {k: (v.reshape(-1, 1, 8, 8) if k[0] == "X" else v) for k, v in data.items()}
    train("cnn", ThreeLayerConvNet(num_classes=10, **CNN), images, quick(CNN_SOLVER),
          d.X_test.reshape(-1, 1, 8, 8), d.y_test, args.out)


if __name__ == "__main__":
    main()
