"""Engine overhead per op: a chain of small elementwise ops on a (10, 10) tensor, forward plus backward.

    python benchmarks/overhead.py [--ops 2000] [--repeats 7]

Prints the median microseconds per op for tinygrad_edu, for the same chain written in plain numpy (the
forward only: there is no backward to write by hand for free), and for PyTorch's CPU autograd in float64
when torch is installed, all in the same run, interleaved.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from tinygrad_edu import Tensor

# the chain cycles through these elementwise steps; each is one recorded op in both engines
STEPS = ("mul", "add", "tanh", "sub", "sigmoid", "relu")


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
    chain(x, n_ops, 1.01, 0.1).sum().backward()
    return x.grad


def run_numpy(x0, n_ops):
    """The forward chain in plain numpy (ufunc methods under the same names)."""
    class A:  # a thin wrapper so that chain() runs unchanged: one numpy call per step
        __slots__ = ("v",)

        def __init__(self, v):
            self.v = v

        def __mul__(self, c):
            return A(self.v * c)

        def __add__(self, c):
            return A(self.v + c)

        def __sub__(self, c):
            return A(self.v - c)

        def tanh(self):
            return A(np.tanh(self.v))

        def sigmoid(self):
            return A(0.5 * (np.tanh(0.5 * self.v) + 1))

        def relu(self):
            return A(np.maximum(self.v, 0))

    return chain(A(x0), n_ops, 1.01, 0.1).v.sum()


def run_torch(torch, x0, n_ops):
    x = torch.tensor(x0, requires_grad=True)
    chain(x, n_ops, 1.01, 0.1).sum().backward()
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
                  "numpy (forward only)": lambda: run_numpy(x0, args.ops)}
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
