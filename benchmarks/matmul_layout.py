"""Check *the transposed weight gradient* of ``MatMul`` on this machine: ``a.T @ dy`` against ``(dy.T @ a).T``.

    python benchmarks/matmul_layout.py [--repeats 15]

``MatMul.backward`` computes a weight gradient ``a.T @ dy`` as ``(dy.T @ a).T`` (the same product,
written by BLAS with the long axis contiguous). This prints, for the shapes of W1 and W3 and for 1
and 2 BLAS threads, the median time of both spellings, interleaved, so the choice can be checked on
the machine that runs the benchmarks (it is faster on OpenBLAS when the machine is quiet; a machine
whose cores are all busy makes 2-thread BLAS timings erratic).
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

SHAPES = {"W1 (X 500x3073, dy 500x10)": (500, 3073, 10), "W3 (X 200x3072, dy 200x100)": (200, 3072, 100)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=15)
    args = ap.parse_args(argv)
    from threadpoolctl import threadpool_limits
    rng = np.random.default_rng(0)
    print(f"{'shape':30s} {'threads':>7s} {'a.T @ dy':>10s} {'(dy.T @ a).T':>13s}")
    for name, (n, d, c) in SHAPES.items():
        a, dy = rng.standard_normal((n, d)), rng.standard_normal((n, c))
        assert np.allclose(a.T @ dy, (dy.T @ a).T)
        for threads in (1, 2):
            with threadpool_limits(threads, user_api="blas"):
                times = {"plain": [], "transposed": []}
                for _ in range(args.repeats):
                    for k, fn in (("plain", lambda: a.T @ dy), ("transposed", lambda: (dy.T @ a).T)):
                        t0 = time.perf_counter()
                        fn()
                        times[k].append(time.perf_counter() - t0)
            med = {k: statistics.median(v) * 1e3 for k, v in times.items()}
            print(f"{name:30s} {threads:>7d} {med['plain']:>8.2f} ms {med['transposed']:>10.2f} ms")


if __name__ == "__main__":
    main()
