"""Newton's method with Hessian-vector products: the raw-feature regression in a step or two.

    python examples/newton_regression.py [--out DIR]

The problem of ``linear_regression_normalization.py``: fit ``y ~ w1 * x + w2 * x**2 + b`` by least
squares, with x between 0 and 10 and the features left raw. Gradient descent struggles there because
the loss curves thousands of times more steeply along w2 than along b. Newton's method divides the
gradient by the curvature: ``theta <- theta - H^-1 g``. The Hessian H is never written by hand: the
engine differentiates its own gradient (``tinygrad_edu.grad(..., create_graph=True)``), which gives
Hessian-vector products ``H v``, and conjugate gradients solves ``H s = g`` from those products alone,
as one does when H is too big to form. The loss is quadratic, so one Newton step lands on the
least-squares solution. Writes ``newton_losses.png`` (Newton beside gradient descent) to ``DIR``.
"""
import argparse
import itertools
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from linear_regression_normalization import make_data  # noqa: E402

import tinygrad_edu as tg  # noqa: E402
from tinygrad_edu import Tensor  # noqa: E402
from tinygrad_edu.optim import SGD  # noqa: E402
from tinygrad_edu.train import train_loop  # noqa: E402


def loss_fn(theta, G, y):
    """Mean squared error of ``G @ theta`` against ``y``; ``G`` (n, 3) is [x, x**2, 1]."""
    r = Tensor(G) @ theta - y
    return (r * r).mean()


def gradient(theta, G, y):
    """dL/dtheta as a numpy array (first order: no graph)."""
    t = Tensor(theta, requires_grad=True)
    return tg.grad(loss_fn(t, G, y), t)[0].data


def hvp(theta, v, G, y):
    """H v, the Hessian of the loss at ``theta`` times ``v``: the gradient of <dL/dtheta, v>."""
    t = Tensor(theta, requires_grad=True)
    g, = tg.grad(loss_fn(t, G, y), t, create_graph=True)   # the gradient, on a graph of its own
    hv, = tg.grad((g * v).sum(), t)
    return hv.data


def conjugate_gradient(matvec, b, iters=20, tol=1e-12):
    """Solve A s = b for a symmetric positive definite A given only ``matvec(v) = A v``."""
    s, r = np.zeros_like(b), b.copy()
    p, rr = r.copy(), r @ r
    for _ in range(iters):
        Ap = matvec(p)
        alpha = rr / (p @ Ap)
        s, r = s + alpha * p, r - alpha * Ap
        rr_new = r @ r
        if np.sqrt(rr_new) <= tol * np.linalg.norm(b):
            break
        p, rr = r + (rr_new / rr) * p, rr_new
    return s


def newton(G, y, steps=3):
    """Newton's method from zero: each step solves H s = g by conjugate gradients on H v products."""
    theta = np.zeros(G.shape[1])
    losses = [loss_fn(Tensor(theta), G, y).item()]
    for _ in range(steps):
        g = gradient(theta, G, y)
        theta = theta - conjugate_gradient(lambda v: hvp(theta, v, G, y), g)
        losses.append(loss_fn(Tensor(theta), G, y).item())
    return losses, theta


def gradient_descent(G, y, lr, steps):
    """Plain gradient descent from zero, for comparison: ``steps`` of SGD on all the rows, through
    the project's training loop. Returns (the loss before each step, theta)."""
    theta = Tensor(np.zeros(G.shape[1]), requires_grad=True)
    opt = SGD([theta], lr=lr)

    def step(_):
        opt.zero_grad()
        loss = loss_fn(theta, G, y)
        loss.backward()
        opt.step()
        return loss.item()
    history = train_loop(step, itertools.repeat(None, steps), steps, desc="gradient descent")
    return history["loss_history"], theta.data


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="tinygrad-edu-out", help="folder for the picture")
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    F, y = make_data()
    G = np.hstack([F, np.ones((len(F), 1))])     # columns x, x**2, 1: theta = (w1, w2, b)

    theta0 = np.array([0.5, -0.1, 1.0])
    H = np.stack([hvp(theta0, e, G, y) for e in np.eye(3)], axis=1)   # column i = H e_i
    exact = 2 / len(G) * G.T @ G
    print(f"Hessian from 3 Hessian-vector products vs 2/n G^T G: max difference "
          f"{np.max(np.abs(H - exact)):.1e}")
    eig = np.linalg.eigvalsh(H)
    print(f"curvatures (eigenvalues of H): {eig[0]:.3g} to {eig[-1]:.3g}, condition number "
          f"{eig[-1] / eig[0]:.2g}: gradient descent needs lr < 2/{eig[-1]:.3g} = {2 / eig[-1]:.2g}")

    losses, theta = newton(G, y)
    best = np.linalg.lstsq(G, y, rcond=None)[0]
    print("Newton (conjugate gradients on H v): loss " + " -> ".join(f"{v:.6g}" for v in losses))
    print(f"fitted y = {theta[2]:.3f} + {theta[0]:.3f} x + {theta[1]:.4f} x^2; least squares: "
          f"{best[2]:.3f} + {best[0]:.3f} x + {best[1]:.4f} x^2 (max difference "
          f"{np.max(np.abs(theta - best)):.1e})")

    gd_lr, gd_steps = 1e-4, 500
    gd, _ = gradient_descent(G, y, gd_lr, gd_steps)
    print(f"gradient descent, lr={gd_lr}: loss {gd[0]:.6g} -> {gd[-1]:.6g} after {gd_steps} steps "
          f"(Newton's minimum: {losses[-1]:.6g})")
    from tinygrad_edu.train import plot_curves
    print("wrote", plot_curves({"Newton (H v + conjugate gradients)": losses,
                                f"gradient descent, lr={gd_lr}": gd},
                               os.path.join(args.out, "newton_losses.png"),
                               title="raw features: Newton vs gradient descent", logy=True))


if __name__ == "__main__":
    main()
