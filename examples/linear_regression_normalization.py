"""Why inputs are normalized: gradient descent on squared features diverges raw, converges scaled.

    python examples/linear_regression_normalization.py [--out DIR]

The model is ``y ~ w1 * x + w2 * x**2 + b`` fitted by gradient descent on the mean squared error,
with x between 0 and 10, so the feature x**2 reaches 100. The curvature of the loss along w2 is
about mean(x**4) ~ 2000 times larger than along b, and one step size cannot suit both: a step that
makes progress on b makes w2 overshoot further at each step, and the loss grows without bound.
Standardizing the features and the target (zero mean, unit variance; the bias kept as its own
parameter, not a feature) makes the curvatures alike, and the same step size converges. A step
size small enough for the raw features (1e-4) is stable but leaves the other directions nearly
where they started.
Writes ``regression_losses.png`` (the three loss curves, log scale) to ``DIR``.
"""
import argparse
import itertools
import os

import numpy as np

from tinygrad_edu import Tensor
from tinygrad_edu.optim import SGD
from tinygrad_edu.train import plot_curves, train_loop

LR, STEPS = 0.2, 500


def make_data(n=100, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.uniform(0, 10, n)
    y = 3.0 + 2.0 * x + 0.5 * x ** 2 + rng.randn(n)
    return np.stack([x, x ** 2], axis=1), y   # features (n, 2): x and x squared


def fit(F, t, lr=LR, steps=STEPS):
    """Full-batch gradient descent on mean((F @ w + b - t)**2), through the project's training
    loop (every batch is all the rows); returns (losses, w, b)."""
    w = Tensor(np.zeros(F.shape[1]), requires_grad=True, name="w")
    b = Tensor(np.zeros(1), requires_grad=True, name="b")
    opt = SGD([w, b], lr=lr)

    def step(rows):
        opt.zero_grad()
        r = F[rows] @ w + b - t[rows]
        loss = (r * r).mean()
        loss.backward()
        opt.step()
        return loss.item()

    def diverged(losses):        # stop before the numbers overflow
        return not np.isfinite(losses[-1]) or losses[-1] > 1e12 * losses[0]
    with np.errstate(over="ignore", invalid="ignore"):
        history = train_loop(step, itertools.repeat(slice(None), steps), steps, stop=diverged,
                             desc="gradient descent")
    return history["loss_history"], w.data, b.data


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="tinygrad-edu-out", help="folder for the picture")
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    F, y = make_data()

    raw, _, _ = fit(F, y)
    print(f"raw features, lr={LR}: loss {raw[0]:.1f} -> {raw[-1]:.3g} after {len(raw)} steps: "
          f"diverged, stopped")

    slow_lr = 1e-4
    slow, _, _ = fit(F, y, lr=slow_lr)
    print(f"raw features, lr={slow_lr}: loss {slow[0]:.1f} -> {slow[-1]:.3g} after {len(slow)} steps "
          f"(stable, but the x and bias directions barely move)")

    mu, sd = F.mean(0), F.std(0)
    y_mu, y_sd = y.mean(), y.std()
    scaled, w, b = fit((F - mu) / sd, (y - y_mu) / y_sd)
    # back to the original units: y = y_sd * (((F - mu) / sd) @ w + b) + y_mu
    coef = y_sd * w / sd
    intercept = y_mu + y_sd * (b[0] - np.sum(w * mu / sd))
    print(f"standardized, lr={LR}: loss {scaled[0]:.3f} -> {scaled[-1]:.4f} after {len(scaled)} steps "
          f"(= {scaled[-1] * y_sd ** 2:.3f} in the target's units; the noise variance is 1)")
    print(f"fitted y = {intercept:.2f} + {coef[0]:.2f} x + {coef[1]:.3f} x^2  "
          f"(true: 3 + 2 x + 0.5 x^2, noise 1)")
    print("wrote", plot_curves({f"raw, lr={LR}": raw, f"raw, lr={slow_lr}": slow,
                                f"standardized, lr={LR}": scaled},
                               os.path.join(args.out, "regression_losses.png"), logy=True,
                               title="gradient descent on y ~ w1 x + w2 x^2 + b", xlabel="step"))


if __name__ == "__main__":
    main()
