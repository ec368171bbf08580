"""Train the two-layer net with scipy.optimize: conjugate gradients and L-BFGS on a flat vector.

    python examples/scipy_cg_digits.py [--out DIR] [--quick]

The classic exercise (``fmin_cg`` on a small network): scipy's optimizers work on one 1-D vector
and want ``f(x) -> (loss, gradient)``. ``tinygrad_edu.flat`` lays the parameters ``W1, b1, W2, b2``
end to end; the engine gives the loss and its gradient from the same graph as ``TwoLayerNet.loss``
(``losses.two_layer_loss``). Full-batch, deterministic; reaches about 97-98% test accuracy.
Writes ``scipy_losses.png`` (the loss after each iteration of each method) to ``DIR``.

By hand, the same is::

    f = objective(lambda p: two_layer_loss(p, X, y, reg), net.params)   # f(x) -> (loss, grad)
    res = scipy.optimize.minimize(f, flatten(net.params), jac=True, method="CG")
    net.params = unflatten(res.x, net.params)
"""
import argparse
import os

from tinygrad_edu.datasets import load_digits
from tinygrad_edu.flat import minimize
from tinygrad_edu.losses import two_layer_loss
from tinygrad_edu.nn import TwoLayerNet
from tinygrad_edu.train import accuracy, plot_curves

# hidden units, initial weight scale, L2 strength, iterations per method
HIDDEN, STD, REG, MAXITER = 50, 0.1, 1e-3, 200


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="tinygrad-edu-out", help="folder for the picture")
    ap.add_argument("--quick", action="store_true", help="60 iterations per method")
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)

    d = load_digits(seed=0)
    curves = {}
    for method in ("CG", "L-BFGS-B"):
        net = TwoLayerNet(64, HIDDEN, 10, std=STD, seed=0)
        net.params, res = minimize(lambda p: two_layer_loss(p, d.X_train, d.y_train, REG),
                                   net.params, method=method,
                                   maxiter=60 if args.quick else MAXITER)
        curves[method] = res.loss_history
        print(f"{method:>8}: {res.nit} iterations, {res.calls} loss evaluations, final loss "
              f"{res.fun:.4f}, test accuracy {accuracy(net.predict(d.X_test), d.y_test):.4f}")
    print("wrote", plot_curves(curves, os.path.join(args.out, "scipy_losses.png"), logy=True,
                               title="two-layer net on the digits, full batch"))


if __name__ == "__main__":
    main()
