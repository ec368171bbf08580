"""Where the engine's time goes: the numpy arithmetic inside its ops against its own bookkeeping.

    python benchmarks/split.py [--quick] [--repeats 9]

For each workload W1-W5 (the ``engine`` and ``numpy`` contenders of ``workloads.py``; W5 as 200 SGD
steps) it prints, as medians of interleaved repeats:

* ``numpy``: the hand-written numpy doing the same work (the floor ``run.py`` compares with);
* ``engine``: the engine's run, untouched;
* ``in ops``: the time spent inside the ops' ``forward`` and ``backward`` and the walk's
  arithmetic helper (``unbroadcast``), measured in a second run with a stopwatch around
  each of them: the numpy the graph *as the user wrote it* asks for (for W5, with the optimizer's
  update too). Comparing it with ``numpy`` shows how much arithmetic the graph adds over the formula
  written out by hand (the softmax as max, sub, exp, sum, log, sub, index, mean, and their
  gradients one by one, instead of the fused ``P - Y``);
* ``bookkeeping``: ``engine`` minus ``in ops``, the engine's own Python: recording each op (a
  Tensor, an Op, a parents tuple), the reverse walk, and freeing the graph; also per recorded op.

The stopwatch costs a little itself (two clock reads per call), so ``in ops`` is slightly high and
``bookkeeping`` slightly low.
"""
from __future__ import annotations

import argparse
import functools
import gc
import os
import statistics
import sys
import time
from contextlib import contextmanager

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import workloads as wl  # noqa: E402

from tinygrad_edu import optim  # noqa: E402
from tinygrad_edu.datasets import load_digits  # noqa: E402
from tinygrad_edu.engine import autograd  # noqa: E402


class Stopwatch:
    """Adds up the time spent in the wrapped functions (the outermost call only, when they nest:
    ``Index.backward`` runs ``IndexAdd.forward``) and counts the ``forward`` calls (recorded ops)."""

    def __init__(self):
        self.seconds, self.ops, self._inside = 0.0, 0, False

    def wrap(self, f, counts: bool):
        @functools.wraps(f)
        def timed(*args, **kwargs):
            if self._inside:
                return f(*args, **kwargs)
            self._inside = True
            self.ops += counts
            t0 = time.perf_counter()
            try:
                return f(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - t0
                self._inside = False
        return timed

    @contextmanager
    def around_the_arithmetic(self):
        """Wrap every op's forward/backward, the walk's ``unbroadcast`` and ``optim.SGD.step``;
        put the originals back on exit."""
        targets = [(cls, name) for cls in _op_classes() for name in ("forward", "backward")
                   if name in cls.__dict__]
        targets += [(autograd, "unbroadcast"), (optim.SGD, "step")]
        originals = [(obj, name, getattr(obj, name)) for obj, name in targets]
        for obj, name, f in originals:
            setattr(obj, name, self.wrap(f, counts=name == "forward"))
        try:
            yield self
        finally:
            for obj, name, f in originals:
                setattr(obj, name, f)


def _op_classes():
    found, stack = [], [autograd.Op]
    while stack:
        cls = stack.pop()
        found.append(cls)
        stack.extend(cls.__subclasses__())
    return found


def workloads(quick: bool) -> dict:
    """{name: (numpy contender, engine contender)} at run.py's sizes (tiny ones with ``quick``)."""
    n, d, c = (50, 101, 10) if quick else (500, 3073, 10)
    X, y, W = wl.linear_data(n, d, c)
    X3, y3, P3 = wl.two_layer_data(*((20, 64, 16, 10) if quick else (200, 3072, 100, 10)))
    x0 = np.random.default_rng(0).standard_normal((10, 10))
    sched = wl.Schedule(load_digits(seed=0), hidden=16 if quick else 100, target=None,
                        max_steps=20 if quick else 200, eval_every=10 ** 9)
    out = {}
    for name, cs in (("W1 softmax", wl.w1_contenders(X, y, W)), ("W2 hinge", wl.w2_contenders(X, y, W)),
                     ("W3 two-layer", wl.w3_contenders(X3, y3, P3)),
                     (f"W4 chain of {200 if quick else 2000}", wl.w4_contenders(x0, 200 if quick else 2000)),
                     (f"W5 {sched.max_steps} SGD steps", wl.w5_contenders(sched))):
        out[name] = (cs["numpy"], cs["engine"])
    return out


def split(numpy_fn, engine_fn, repeats: int) -> dict:
    """Medians of ``repeats`` interleaved rounds: numpy, engine, and engine under the stopwatch."""
    numpy_fn(), engine_fn()  # warm up
    times = {"numpy": [], "engine": [], "in ops": []}
    ops = 0
    for _ in range(repeats):
        gc.collect()
        for key, fn in (("numpy", numpy_fn), ("engine", engine_fn)):
            t0 = time.perf_counter()
            fn()
            times[key].append(time.perf_counter() - t0)
        with Stopwatch().around_the_arithmetic() as sw:
            engine_fn()
        times["in ops"].append(sw.seconds)
        ops = sw.ops
    med = {k: statistics.median(v) for k, v in times.items()}
    med["bookkeeping"] = med["engine"] - med["in ops"]
    med["ops"] = ops
    return med


def _ms(s: float) -> str:
    return f"{s * 1e3:.2f} ms"


HEADER = ["workload", "numpy", "engine", "in ops (arithmetic)", "bookkeeping", "recorded ops",
          "bookkeeping per op", "in ops / numpy"]


def rows(quick: bool, repeats: int, log=print) -> list[list[str]]:
    """One table row per workload (the columns of ``HEADER``)."""
    out = []
    for name, (numpy_fn, engine_fn) in workloads(quick).items():
        m = split(numpy_fn, engine_fn, repeats)
        per_op = m["bookkeeping"] / max(m["ops"], 1) * 1e6
        out.append([name, _ms(m["numpy"]), _ms(m["engine"]), _ms(m["in ops"]), _ms(m["bookkeeping"]),
                    str(m["ops"]), f"{per_op:.2f} us", f"{m['in ops'] / m['numpy']:.2f}x"])
        log("  " + " | ".join(out[-1]))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="tiny sizes, one repeat")
    ap.add_argument("--repeats", type=int, default=9)
    args = ap.parse_args(argv)
    rows(args.quick, 1 if args.quick else args.repeats)


if __name__ == "__main__":
    main()
