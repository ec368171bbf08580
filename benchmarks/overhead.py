"""Engine overhead per op: a chain of small elementwise ops on a (10, 10) tensor, forward plus backward.

    python benchmarks/overhead.py [--ops 2000] [--repeats 7]

Prints the median microseconds per op for tinygrad_edu, for the same chain's forward and backward
written by hand in plain numpy, and for PyTorch's CPU autograd in float64 when torch is installed, all
in the same run, interleaved.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from tinygrad_edu import Tensor

# the chain cycles through these elementwise steps; each is one recorded op in both engines
STEPS = ("mul", "add", "tanh", "sub", "sigmoid", "relu")
C1, C2 = 1.01, 0.1


def chain(x, n_ops, c1, c2):
    """Apply ``n_ops`` elementwise ops to ``x`` (a Tensor, a numpy array or a torch tensor)."""
    for i in range(n_ops):
        step = STEPS[i % len(STEPS)]
        if step == "mul":
            x = x * c1
        elif step == "add":
            x = x + c2
        elif step == "tanh":
            x = x.tanh()
        elif step == "sub":
            x = x - c2
        elif step == "sigmoid":
            x = x.sigmoid()
        else:
            x = x.relu()
    return x


def run_engine(x0, n_ops):
    x = Tensor(x0, requires_grad=True)
    chain(x, n_ops, C1, C2).sum().backward()
    return x.grad


def chain_numpy(x0, n_ops):
    """The chain's forward and backward written by hand in numpy: d sum(chain(x)) / dx.

    Forward saves what each step's derivative needs; backward multiplies the upstream gradient by
    each local derivative in reverse: x*c -> c, x+c and x-c -> 1, tanh -> 1 - y^2,
    sigmoid -> y (1 - y), relu -> [x > 0].
    """
    x = x0
    saved = []
    for i in range(n_ops):
        step = STEPS[i % len(STEPS)]
        if step == "mul":
            x = x * C1
            saved.append(None)
        elif step == "add":
            x = x + C2
            saved.append(None)
        elif step == "tanh":
            x = np.tanh(x)
            saved.append(x)
        elif step == "sub":
            x = x - C2
            saved.append(None)
        elif step == "sigmoid":
            x = 1.0 / (1.0 + np.exp(-x))
            saved.append(x)
        else:
            saved.append(x > 0)
            x = np.maximum(x, 0.0)
    loss = float(x.sum())
    g = np.ones_like(x)
    for i in range(n_ops - 1, -1, -1):
        step, s = STEPS[i % len(STEPS)], saved[i]
        if step == "mul":
            g = g * C1
        elif step == "tanh":
            g = g * (1.0 - s * s)
        elif step == "sigmoid":
            g = g * (s * (1.0 - s))
        elif step == "relu":
            g = g * s
    return loss, g


def run_torch(torch, x0, n_ops):
    x = torch.tensor(x0, requires_grad=True)
    chain(x, n_ops, C1, C2).sum().backward()
    return x.grad


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ops", type=int, default=2000, help="length of the chain (default 2000)")
    ap.add_argument("--repeats", type=int, default=7, help="timed runs per contender (median)")
    args = ap.parse_args(argv)
    try:
        import torch            # PyTorch as a user gets it: its default number of threads
    except ImportError:
        torch = None

    x0 = np.random.default_rng(0).standard_normal((10, 10))
    contenders = {"tinygrad_edu": lambda: run_engine(x0, args.ops),
                  "numpy (by hand)": lambda: chain_numpy(x0, args.ops)}
    if torch is not None:
        contenders["torch " + torch.__version__] = lambda: run_torch(torch, x0, args.ops)
        g_torch = run_torch(torch, x0, args.ops).numpy()
        g_ours = run_engine(x0, args.ops)
        assert np.allclose(g_ours, g_torch, rtol=1e-9, atol=1e-12), "engine and torch disagree"
    times = {k: [] for k in contenders}
    for _ in range(args.repeats):          # interleaved, so drift hits everyone alike
        for k, fn in contenders.items():
            t0 = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - t0)
    print(f"chain of {args.ops} elementwise ops on a (10, 10) float64 tensor, "
          f"median of {args.repeats} runs, forward + backward")
    if torch is not None:
        print(f"PyTorch {torch.__version__}: CPU, float64, {torch.get_num_threads()} threads (its default)")
    print(f"{'contender':<24} {'us per op':>10}")
    for k, ts in times.items():
        print(f"{k:<24} {statistics.median(ts) / args.ops * 1e6:>10.2f}")


if __name__ == "__main__":
    main()
