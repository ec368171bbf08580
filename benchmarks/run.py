"""Benchmarks: the engine beside hand-written numpy, PyTorch and HIPS autograd; writes docs/benchmarks.md.

    python benchmarks/run.py                       # everything, about ten minutes on 2 cores
    python benchmarks/run.py --quick               # tiny sizes, seconds (a smoke test, not a measurement)
    python benchmarks/run.py --only W1,W3,memory   # a subset: W1..W5, memory, growth
    python benchmarks/run.py --out /tmp/bench.md   # write the page (and its plots) elsewhere
    python benchmarks/run.py --max-depth 100000    # stop W4's growth series there (the 1,000,000-op
                                                   # chain takes a minute per contender)

On processors where OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are set, numpy may run a slower kernel;
for a measurement run it as ``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/run.py``.

For each workload every contender first computes its loss and gradients once; they must agree with
the hand-written numpy result (a wrong fast number is worthless) or the contender is not timed. Then
the contenders run in turn, interleaved and in a rotating order, so that a change of machine load
hits all of them alike; the table gives the median of the repeats and the ratio to numpy. The page
starts with the speed targets, each marked met or not met; the growth series are drawn with
matplotlib into SVG files beside the page (``benchmarks-w1-growth.svg``, ``benchmarks-w4-growth.svg``).
"""
from __future__ import annotations

import argparse
import datetime
import gc
import os
import platform
import statistics
import sys
import time
import tracemalloc

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import split  # noqa: E402
import workloads as wl  # noqa: E402

from tinygrad_edu.datasets import load_digits  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORDER = ("numpy", "engine", "torch", "autograd")
SECTIONS = ("W1", "W2", "W3", "W4", "W5", "split", "memory", "growth")

# sizes and repeats: the sizes, and tiny ones for --quick
FULL = dict(linear=(500, 3073, 10), two_layer=(200, 3072, 100, 10), chain=2000,
            repeats={"W1": 31, "W2": 31, "W3": 31, "W4": 21, "W5": 5},
            w5=dict(hidden=100, max_steps=2000, target=None, eval_every=100),
            grow_n=(50, 150, 500, 1500, 5000), grow_d=3073,
            grow_chain=(1000, 3000, 10000, 30000, 100000, 300000, 1000000),
            train_warmup=1000, train_steps=5000, big_chain=1000000)
QUICK = dict(linear=(50, 101, 10), two_layer=(20, 64, 16, 10), chain=200,
             repeats={"W1": 3, "W2": 3, "W3": 3, "W4": 3, "W5": 1},
             w5=dict(hidden=16, max_steps=60, target=None, eval_every=20),
             grow_n=(50, 150, 500), grow_d=101,
             grow_chain=(200, 800, 3200), train_warmup=50, train_steps=100, big_chain=5000)
TARGETS = dict(vs_numpy=1.10, w4_vs_torch=0.8, w5_vs_numpy=1.25, w5_vs_torch=0.8, w3_peak=1.3,
               chain_after=1.2, flat_kib=16, depth_flat=1.3)


def chain_repeats(ops: int, quick: bool) -> int:
    """Repeats for a W4 growth point: the deep end is timed fewer times (a 10^6-op chain takes seconds)."""
    return 1 if quick or ops >= 300000 else 3 if ops >= 30000 else 5


# ------------------------------------------------------------------------------- measuring


def agree(res, ref):
    """Why ``res`` = (loss, grads) differs from the reference, or None when they agree."""
    loss, grads = res
    ref_loss, ref_grads = ref
    if not np.isclose(loss, ref_loss, rtol=1e-8, atol=1e-12):
        return f"loss {loss!r} != {ref_loss!r}"
    for k, g in ref_grads.items():
        got = np.asarray(grads.get(k))
        if got.shape != np.shape(g):
            return f"{k}: shape {got.shape} != {np.shape(g)}"
        scale = float(np.abs(g).max()) if np.size(g) else 0.0
        if not np.allclose(got, g, rtol=1e-7, atol=1e-10 * (scale + 1e-300)):
            return f"{k}: max abs difference {float(np.abs(got - g).max()):.3g} (largest entry {scale:.3g})"
    return None


def measure(contenders, repeats, log, ref_of=None):
    """Check each contender against ``numpy`` (or ``ref_of[name]``), then time them interleaved.

    Returns ``{name: median seconds}`` and ``{name: reason}`` for contenders that disagreed.
    """
    results = {k: fn() for k, fn in contenders.items()}  # also the warm-up
    wrong = {}
    ref_of = ref_of or {}
    for k, res in results.items():
        ref = ref_of.get(k, "numpy")
        why = agree(res, results[ref]) if k != ref else None
        if why:
            wrong[k] = why
            log(f"  !! {k} disagrees with numpy: {why}; not timed")
    names = [k for k in contenders if k not in wrong]
    times = {k: [] for k in names}
    for r in range(repeats):
        gc.collect()  # start each round with no garbage left by the previous one
        for k in names[r % len(names):] + names[:r % len(names)]:  # rotate the order every round
            t0 = time.perf_counter()
            contenders[k]()
            times[k].append(time.perf_counter() - t0)
    return {k: statistics.median(ts) for k, ts in times.items()}, wrong


def traced_peak(fn):
    """Peak bytes that ``fn()`` allocates above what is live when it starts (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        fn()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


# ----------------------------------------------------------------------------- the machine


def machine_info(torch_threads):
    """Lines describing the machine, the BLAS numpy runs and the thread counts."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    lines = [f"CPU: {cpu}, {os.cpu_count()} logical cores; load average at start "
             f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}",
             f"Python {platform.python_version()} on {platform.system()} {platform.release()}; "
             f"numpy {np.__version__}"]
    blas = blas_info()
    lines.append("numpy's BLAS: " + (blas or "unknown (threadpoolctl not installed)"))
    env = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS",
                                      "OPENBLAS_NUM_THREADS") if k in os.environ}
    lines.append("environment: " + (", ".join(f"{k}={v}" for k, v in env.items())
                                    or "no OPENBLAS_* / OMP_* variables set"))
    if wl.torch is not None:
        lines.append(f"PyTorch {wl.torch.__version__}, CPU, float64, "
                     f"torch.set_num_threads({torch_threads}) to match numpy's BLAS threads")
    else:
        lines.append("PyTorch: not installed")
    if wl.autograd is not None:
        from importlib.metadata import version
        lines.append(f"HIPS autograd {version('autograd')}")
    else:
        lines.append("HIPS autograd: not installed")
    return lines


def blas_info():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    out = [f"{i['internal_api']} {i.get('version')} ({i.get('architecture') or '?'} kernel, "
           f"{i['num_threads']} thread(s))" for i in threadpool_info() if i["user_api"] == "blas"
           and "numpy" in i["filepath"]]
    return "; ".join(out) or None


_LIMITS = []


def limit_blas(n):
    """Set numpy's BLAS to ``n`` threads for the rest of the run (needs threadpoolctl)."""
    from threadpoolctl import threadpool_limits
    _LIMITS.append(threadpool_limits(n, user_api="blas"))


def blas_threads():
    try:
        from threadpoolctl import threadpool_info
        return max([i["num_threads"] for i in threadpool_info()
                    if i["user_api"] == "blas" and "numpy" in i["filepath"]] or [1])
    except ImportError:
        return os.cpu_count() or 1


# ----------------------------------------------------------------------------- formatting


def fmt_time(sec):
    if sec >= 1:
        return f"{sec:.2f} s"
    if sec >= 1e-3:
        return f"{sec * 1e3:.2f} ms"
    return f"{sec * 1e6:.1f} us"


def per_unit_cells(res: dict, n: int, keys=("numpy", "engine", "torch", "autograd")) -> list:
    """For a growth row: each contender's time and its microseconds per unit (n/a if not timed)."""
    cells = []
    for k in keys:
        cells += [fmt_time(res[k]), f"{res[k] / n * 1e6:.2f}"] if k in res else ["n/a", "n/a"]
    return cells


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out


# ----------------------------------------------------------------------------- the sections


class Report:
    """What the sections write: markdown blocks by section, the targets, the medians, a log."""

    def __init__(self, cfg, quick, out_dir):
        self.cfg, self.quick, self.out_dir = cfg, quick, out_dir
        self.speed_rows, self.targets, self.notes = [], [], []
        self.medians = {}
        self.blocks = {"memory": [], "growth": [], "split": []}

    @staticmethod
    def log(msg):
        print(msg, flush=True)

    def target(self, what, measured, ok):
        self.targets.append([what, measured, "yes" if ok else "**no**"])

    def speed_row(self, label, unit_div, unit, res, wrong):
        ref = res.get("numpy")
        cells = [label]
        for k in ORDER:
            if k in wrong:
                cells.append("disagrees")
            elif k not in res:
                cells.append("n/a")
            else:
                val = res[k] / unit_div
                text = f"{val:.2f} {unit}" if unit else fmt_time(val)
                cells.append(text + (f" ({res[k] / ref:.2f}x)" if ref else ""))
        self.speed_rows.append(cells)
        self.log("  " + " | ".join(cells))


def run_linear(rep: Report, only):
    """W1 (softmax) and W2 (hinge) on X (N, D), W (D, C); W3, the two-layer net."""
    cfg = rep.cfg
    n, d, c = cfg["linear"]
    X, y, W = wl.linear_data(n, d, c)
    for key, make, title in (("W1", wl.w1_contenders, "softmax loss + gradient"),
                             ("W2", wl.w2_contenders, "hinge loss + gradient")):
        if key in only:
            rep.log(f"{key}: {title}, X {X.shape}, W {W.shape}")
            res, wrong = measure(make(X, y, W), cfg["repeats"][key], rep.log)
            rep.medians[key] = res
            rep.speed_row(f"{key} {title}, X ({n}, {d}), W ({d}, {c})", 1, "", res, wrong)
    if "W3" in only:
        n3, d3, h3, c3 = cfg["two_layer"]
        X3, y3, P3 = wl.two_layer_data(n3, d3, h3, c3)
        rep.log(f"W3: two-layer net loss + gradients, N={n3}, D={d3}, H={h3}, C={c3}")
        res, wrong = measure(wl.w3_contenders(X3, y3, P3), cfg["repeats"]["W3"], rep.log)
        rep.medians["W3"] = res
        rep.speed_row(f"W3 two-layer net loss + 4 gradients, N={n3}, D={d3}, H={h3}, C={c3}", 1, "",
                      res, wrong)
    for key in ("W1", "W2", "W3"):
        r = rep.medians.get(key, {})
        if "engine" in r and "numpy" in r:
            q = r["engine"] / r["numpy"]
            rep.target(f"{key}: engine at most {TARGETS['vs_numpy']:.2f}x hand numpy", f"{q:.2f}x",
                       q <= TARGETS["vs_numpy"])
        if "engine" in r and "autograd" in r:
            q = r["engine"] / r["autograd"]
            rep.target(f"{key}: engine no slower than HIPS autograd", f"{q:.2f}x HIPS autograd", q <= 1.0)


def run_chain(rep: Report):
    """W4: a chain of small elementwise ops, microseconds per op."""
    ops = rep.cfg["chain"]
    x0 = np.random.default_rng(0).standard_normal((10, 10))
    rep.log(f"W4: chain of {ops} elementwise ops on (10, 10), forward + backward")
    res, wrong = measure(wl.w4_contenders(x0, ops), rep.cfg["repeats"]["W4"], rep.log)
    rep.medians["W4"] = res
    rep.speed_row(f"W4 chain of {ops} elementwise ops on (10, 10), forward + backward, per op",
                  ops / 1e6, "us", res, wrong)
    if "engine" in res and "torch" in res:
        q = res["engine"] / res["torch"]
        rep.target(f"W4: engine per-op time at most {TARGETS['w4_vs_torch']}x PyTorch's",
                   f"{q:.2f}x PyTorch", q <= TARGETS["w4_vs_torch"])


def run_training(rep: Report):
    """W5: minibatch SGD on the digits, the same steps for every contender."""
    w5 = rep.cfg["w5"]
    sched = wl.Schedule(load_digits(seed=0), **w5)
    h5 = sched.init["W1"].shape[1]
    rep.log(f"W5: 64-{h5}-10 net on the digits, {sched.max_steps} SGD steps")
    contenders = wl.w5_contenders(sched)
    res, wrong = measure(contenders, rep.cfg["repeats"]["W5"], rep.log)
    rep.medians["W5"] = res
    first = contenders["numpy"]()[1]
    steps, acc = int(first["steps"]), float(first["test_acc"])
    rep.speed_row(f"W5 train a 64-{h5}-10 net on the digits, {steps} SGD steps of "
                  f"{sched.batches.shape[1]} (test accuracy {acc:.3f})", 1, "", res, wrong)
    rep.notes.append(f"W5: every contender starts from the same weights, sees the same {steps} "
                     f"minibatches and evaluates test accuracy every {sched.eval_every} steps with its "
                     f"own forward pass; the check before timing requires the same first loss, the "
                     f"same number of steps and the same final test accuracy.")
    for ref, limit, name in (("numpy", TARGETS["w5_vs_numpy"], "hand numpy"),
                             ("torch", TARGETS["w5_vs_torch"], "PyTorch float64")):
        if "engine" in res and ref in res:
            q = res["engine"] / res[ref]
            rep.target(f"W5: engine at most {limit}x {name}", f"{q:.2f}x", q <= limit)


def run_split(rep: Report):
    """The engine's time split into the ops' numpy arithmetic and its own bookkeeping (split.py)."""
    rep.log("split: the ops' arithmetic against the engine's bookkeeping")
    repeats = 3 if rep.quick else 9
    found = split.rows(rep.quick, repeats, rep.log)
    rep.blocks["split"] = [
        f"Each workload's engine time, split by `benchmarks/split.py` (medians of {repeats} "
        f"interleaved repeats): *in ops* is the time inside the ops' `forward` and `backward`, "
        "the walk's `unbroadcast` and the optimizer's update, timed by a stopwatch around "
        "each: the numpy that the graph, as the user wrote it, asks for. *Bookkeeping* is the rest: "
        "recording each op (a Tensor, an Op, a parents tuple), the reverse walk itself, and freeing "
        "the graph. *in ops / numpy* above 1 is arithmetic the graph does beyond the formula written "
        "out by hand (the softmax's gradient op by op instead of the fused `P - Y`, `x * x`'s two "
        "gradients added); below 1, arithmetic the engine does faster (the transposed weight "
        "gradient).", ""] + table(split.HEADER, found) + [""]


def run_memory(rep: Report):
    """Peak of W3, flatness of the training loop, a long chain before and after backward."""
    cfg, md = rep.cfg, rep.blocks["memory"]
    n3, d3, h3, c3 = cfg["two_layer"]
    X3, y3, P3 = wl.two_layer_data(n3, d3, h3, c3)
    rep.log(f"memory: peak traced allocation of W3's forward + backward (N={n3}, D={d3}, H={h3})")
    peaks = {k: traced_peak(fn) for k, fn in wl.w3_contenders(X3, y3, P3).items() if k != "torch"}
    base = peaks["numpy"]
    rows = [[k, f"{v / 2**20:.2f} MiB", f"{v / base:.2f}x"] for k, v in peaks.items()]
    for r in rows:
        rep.log("  " + " | ".join(r))
    md += [f"Peak memory allocated during one forward + backward pass of W3 (N={n3}, D={d3}, "
           f"H={h3}, C={c3}), measured with `tracemalloc` above what was live before the call "
           f"(the inputs `X` ({n3 * d3 * 8 / 2**20:.2f} MiB) and the parameters are not counted). "
           f"PyTorch allocates outside Python's allocator, so tracemalloc cannot see it.", ""]
    md += table(["contender", "peak", "ratio to numpy"], rows) + [""]
    md += [f"The largest arrays are W1-sized ({d3 * h3 * 8 / 2**20:.2f} MiB). Hand numpy's peak "
           f"holds two of them (`X.T @ dZ` and `2 * reg * W1`, added in place by numpy's temporary "
           f"elision). The engine's holds three, when the first layer's weight gradient arrives: the "
           f"value of `W1 * W1`, which the graph keeps, as it keeps every intermediate's value (the "
           f"diagrams and the trace show them after backward); the running total of W1's gradient "
           f"(the regularization's part); and the matmul's new part, before it is added in.", ""]
    q = peaks["engine"] / base
    rep.target(f"memory: W3 peak at most {TARGETS['w3_peak']}x hand numpy", f"{q:.2f}x",
               q <= TARGETS["w3_peak"])
    training_flat(rep)
    long_chain(rep)


def training_flat(rep: Report):
    """Memory still allocated after marked steps of the W5 training loop, numpy and engine."""
    warm, steps = rep.cfg["train_warmup"], rep.cfg["train_steps"]
    total = warm + steps
    marks = sorted({1, 10, warm // 2, warm, warm + steps // 4, warm + steps // 2, total})
    sched = wl.Schedule(load_digits(seed=0), hidden=rep.cfg["w5"]["hidden"])
    rep.log(f"memory: training on the digits, {total} steps")
    seen, peak = {}, {}
    for k in ("numpy", "engine"):
        gc.collect()
        tracemalloc.start()
        try:
            seen[k] = wl.training_memory(sched, total, set(marks), k)
            peak[k] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    kib = lambda b: f"{b / 2**10:.1f} KiB"   # noqa: E731
    rows = [[f"{s:,}"] + [kib(seen[k][s][j]) for k in ("numpy", "engine") for j in (0, 1)]
            + [str(seen["engine"][s][2])] for s in marks]
    rows.append(["peak over the run", kib(peak["numpy"]), "", kib(peak["engine"]), "", ""])
    for r in rows:
        rep.log("  after step " + " | ".join(r))
    grow = seen["engine"][total][1] - seen["engine"][warm][1]
    cycles = sum(v[2] for v in seen["engine"].values())
    flat = grow <= TARGETS["flat_kib"] * 2**10 and cycles == 0
    rep.blocks["memory"].extend(
        [f"Memory still allocated (tracemalloc) after marked steps while the W5 net trains for {total:,} "
         f"steps on minibatches of {sched.batches.shape[1]}, no garbage collection forced between the "
         f"marks. At each mark the first number is read as it is; then `gc.collect()` runs, which "
         f"also empties CPython's free lists (of tuples, floats, frames): their fill moves the first "
         f"number by up to a few hundred KiB from one step to the next without anything being held, "
         f"so the second number, after it, is what the loop keeps. The last column counts the "
         f"objects that collect found in reference cycles (0: every step's graph is freed by "
         f"reference counting alone). What counts is the change of the second engine number over "
         f"the {steps:,} steps after a warm-up of {warm:,}: {grow / 2**10:+.1f} KiB, "
         + ("flat." if flat else "still growing."), ""]
        + table(["after step", "numpy", "numpy, after collect", "engine", "engine, after collect",
                 "engine: unreachable objects"], rows) + [""])
    rep.target(f"memory: training loop flat over {steps:,} steps",
               f"{grow / 2**10:+.1f} KiB from step {warm:,} to {total:,}", flat)


def long_chain(rep: Report):
    """A long W4 chain's traced memory with the graph alive, before and after backward."""
    n = rep.cfg["big_chain"]
    rep.log(f"memory: a chain of {n:,} ops before and after backward")
    gc.collect()
    tracemalloc.start()
    try:
        before, after = wl.chain_memory(n)
    finally:
        tracemalloc.stop()
    q = after / before
    rep.log(f"  before {before / 2**20:.1f} MiB ({before / n:.0f} B/op), after {after / 2**20:.1f} MiB "
            f"({after / n:.0f} B/op), {q:.2f}x")
    rep.blocks["memory"].extend(
        [f"A W4 chain of {n:,} ops, the loss held (the graph alive): memory traced after the forward "
         f"pass and again after `backward()`. The ops keep no arrays of their own (a backward reads its "
         f"inputs' and output's values from the tensors); the backward pass stores `.grad` on every "
         f"tensor, intermediates included (the diagrams and traces read them): about one gradient "
         f"array per op.", ""]
        + table(["after", "traced memory", "per op"],
                [["forward", f"{before / 2**20:.1f} MiB", f"{before / n:.0f} B"],
                 ["backward", f"{after / 2**20:.1f} MiB", f"{after / n:.0f} B"]]) + [""])
    rep.target(f"memory: {n:,}-op chain after backward at most {TARGETS['chain_after']}x before",
               f"{q:.2f}x", q <= TARGETS["chain_after"])


def run_growth(rep: Report, max_depth):
    """W1 as the batch N grows and W4 as the chain grows: tables and plots of time per unit."""
    cfg, md = rep.cfg, rep.blocks["growth"]
    d, c = cfg["grow_d"], cfg["linear"][2]
    rep.log(f"growth: W1 as N grows, D={d}, C={c}")
    rows, per = [], {}
    for n in cfg["grow_n"]:
        X, y, W = wl.linear_data(n, d, c)
        res, _ = measure(wl.w1_contenders(X, y, W), 1 if rep.quick else 7, rep.log)
        rows.append([f"{n:,}"] + per_unit_cells(res, n) + [f"{res['engine'] / res['numpy']:.2f}x"])
        for k, v in res.items():
            per.setdefault(k, []).append(v / n * 1e6)
        rep.log("  " + " | ".join(rows[-1]))
    svg = plot_growth(rep, "benchmarks-w1-growth.svg", list(cfg["grow_n"]), per, "batch size N",
                      "microseconds per example", f"W1 softmax loss + dW, D={d}, C={c}")
    md += ["### W1 as the batch grows", "",
           f"W1 (D={d}, C={c}) for N = {cfg['grow_n'][0]:,} to {cfg['grow_n'][-1]:,}, median of "
           f"{1 if rep.quick else 7} interleaved repeats. Time per example (us / N) falls while "
           f"fixed costs (the engine's recording, the regularization term on W) are spread over more "
           f"examples, then stays about constant once the matrix products dominate.", "",
           f"![W1 time per example against N]({svg})", ""]
    md += table(["N", "numpy", "numpy us/N", "engine", "engine us/N", "PyTorch", "PyTorch us/N",
                 "HIPS autograd", "HIPS us/N", "engine / numpy"], rows) + [""]
    chain_growth(rep, max_depth)


def chain_growth(rep: Report, max_depth):
    depths = [n for n in rep.cfg["grow_chain"] if max_depth is None or n <= max_depth]
    x0 = np.random.default_rng(0).standard_normal((10, 10))
    rep.log("growth: W4 as the chain grows")
    rows, per = [], {}
    for ops in depths:
        cont = wl.w4_contenders(x0, ops)
        cont = {k: cont[k] for k in ("numpy", "engine", "torch") if k in cont}
        cont["engine, gc off"] = without_gc(cont["engine"])
        res, _ = measure(cont, chain_repeats(ops, rep.quick), rep.log,
                         ref_of={"engine, gc off": "numpy"})
        rows.append([f"{ops:,}"] + per_unit_cells(res, ops, ("numpy", "engine", "torch"))
                    + [f"{res['engine, gc off'] / ops * 1e6:.2f}"])
        for k, v in res.items():
            per.setdefault(k, []).append(v / ops * 1e6)
        rep.log("  " + " | ".join(rows[-1]))
    svg = plot_growth(rep, "benchmarks-w4-growth.svg", depths, per, "ops in the chain",
                      "microseconds per op", "W4 chain of elementwise ops on (10, 10)")
    rep.blocks["growth"].extend(
        ["### W4 as the graph deepens", "",
         f"W4 for {depths[0]:,} to {depths[-1]:,} ops (forward + backward; median of 5 repeats up to "
         f"10,000 ops, of 3 up to 100,000, one run beyond). The last column times the engine again "
         f"with Python's cyclic garbage collector switched off (`gc.disable()`) during forward and "
         f"backward: the difference is the collector's full passes over the live graph (a Tensor, "
         f"an Op and its parents tuple per step), which cost more per object once the graph no "
         f"longer fits in the processor's caches. The engine pauses the collector during its "
         f"backward walk; the forward pass is the user's code.", "",
         f"![W4 time per op against depth]({svg})", ""]
        + table(["ops", "numpy", "numpy us/op", "engine", "engine us/op", "PyTorch", "PyTorch us/op",
                 "engine us/op, gc off"], rows) + [""])
    eng = per.get("engine", [])
    if len(eng) > 1:
        q = max(eng) / eng[0]
        rep.target(f"W4: time per op flat with depth (at every depth up to {depths[-1]:,} ops at "
                   f"most {TARGETS['depth_flat']}x its value at {depths[0]:,})",
                   f"{q:.2f}x (at {depths[eng.index(max(eng))]:,} ops)", q <= TARGETS["depth_flat"])


LABELS = {"numpy": "hand numpy", "engine": "tinygrad_edu", "torch": "PyTorch f64",
          "autograd": "HIPS autograd", "engine, gc off": "tinygrad_edu, gc off"}


def plot_growth(rep: Report, name, xs, per, xlabel, ylabel, title):
    """Draw ``per`` (contender -> time per unit at each x) to an SVG beside the page; its file name."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.rcParams["svg.fonttype"] = "none"   # text stays text: a small, readable SVG
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    for k, ys in per.items():
        ax.plot(xs, ys, marker="o", linestyle="--" if "gc off" in k else "-", label=LABELS.get(k, k))
    ax.set_xscale("log")
    ax.set_ylim(bottom=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(rep.out_dir, name), metadata={"Date": None})
    plt.close(fig)
    return name


# ----------------------------------------------------------------------------- the page


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="tiny sizes and few repeats (seconds)")
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "benchmarks.md"),
                    help="where to write the markdown; the plots go beside it (default docs/)")
    ap.add_argument("--only", default=",".join(SECTIONS),
                    help=f"comma-separated subset of {','.join(SECTIONS)} (default: all)")
    ap.add_argument("--threads", type=int, default=None,
                    help="BLAS threads for numpy and torch.set_num_threads (default: numpy's BLAS count)")
    ap.add_argument("--max-depth", type=int, default=None,
                    help="longest W4 chain in the growth series (default: all, up to 1,000,000)")
    args = ap.parse_args(argv)
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    bad = [s for s in only if s not in SECTIONS]
    if bad:
        ap.error(f"--only: unknown {bad}; choose from {','.join(SECTIONS)}")
    return args, only


def main(argv=None):
    args, only = parse_args(argv)
    cfg = QUICK if args.quick else FULL
    if args.threads is not None:
        limit_blas(args.threads)
    threads = blas_threads()
    if wl.torch is not None:
        wl.torch.set_num_threads(threads)
    out_dir = os.path.dirname(os.path.abspath(args.out))
    os.makedirs(out_dir, exist_ok=True)
    rep = Report(cfg, args.quick, out_dir)
    started = time.perf_counter()
    machine = machine_info(threads) + [f"generated {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} "
                                       f"UTC{' with --quick' if args.quick else ''}"]
    for line in machine:
        rep.log(line)
    run_linear(rep, only)
    if "W4" in only:
        run_chain(rep)
    if "W5" in only:
        run_training(rep)
    if "split" in only:
        run_split(rep)
    if "memory" in only:
        run_memory(rep)
    if "growth" in only:
        run_growth(rep, args.max_depth)
    md = page(rep, machine, args.quick)
    md.append(f"Total run time {time.perf_counter() - started:.0f} s; load average at the end "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}.")
    with open(args.out, "w") as f:
        f.write("\n".join(md) + "\n")
    rep.log("targets:")
    for t in rep.targets:
        rep.log("  " + " | ".join(t))
    rep.log(f"wrote {args.out}")


def page(rep: Report, machine, quick):
    """The markdown page: intro, machine, targets, speed, growth, memory, how each is written."""
    md = ["# Benchmarks", "",
          "The engine beside the same computation written by hand in vectorized numpy "
          "(`tinygrad_edu.reference`), PyTorch's CPU autograd in float64 and HIPS autograd. Every "
          "contender's loss and gradients are first checked against the numpy ones; then the "
          "contenders run interleaved, in a rotating order, and each cell is the median of the "
          "repeats, with the ratio to numpy in brackets (lower is faster). On a shared machine a "
          "ratio can move by 10% or more between runs: compare the load averages at the start and at "
          "the end of the run. Regenerate this page and its plots with", "", "```text",
          "env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/run.py", "```", "",
          "(`--quick` runs tiny sizes in seconds, `--only W1,W3` a subset, `--max-depth 100000` a "
          "shorter W4 growth series; see `python benchmarks/run.py -h`).", ""]
    if quick:
        md += ["**Quick run: tiny sizes, few repeats; these numbers are not a measurement.**", ""]
    md += ["## Machine", ""] + [f"- {line}" for line in machine] + [""]
    if rep.targets:
        md += ["## Targets", "", "The speed targets, all from this one run.", ""]
        md += table(["target", "measured", "met"], rep.targets) + [""]
    if rep.speed_rows:
        md += ["## Speed", ""]
        md += table(["workload", "numpy", "engine", "PyTorch", "HIPS autograd"], rep.speed_rows) + [""]
    if rep.blocks["split"]:
        md += ["## Where the time goes", ""] + rep.blocks["split"]
    if rep.blocks["growth"]:
        md += ["## Growth", ""] + rep.blocks["growth"]
    if rep.blocks["memory"]:
        md += ["## Memory", ""] + rep.blocks["memory"]
    md += ["## What the engine does to keep up", "",
           "Each is named and explained once, where it lives:", "",
           "- *the transposed weight gradient* (`MatMul` in `engine/ops/linalg.py`): `a.T @ dy` is "
           "computed as `(dy.T @ a).T`, which OpenBLAS runs up to twice as fast for a wide input "
           "and few outputs (W1-W3's weight gradients);",
           "- the tie mask of `max` is built in its backward, not its forward (`Max` in "
           "`engine/ops/reductions.py`): a max used only as a shift costs one reduction;",
           "- the scatter-add of `x[rows, cols]` is one `np.bincount` over flat positions instead of "
           "`np.add.at` (`IndexAdd` in `engine/ops/shape.py`);",
           "- the walk adds into running totals it allocated itself in place, stores an "
           "intermediate's gradient as it is (`Tensor.grad` hands it out read-only), and pauses "
           "Python's cycle collector while it runs (`backward` in `engine/autograd.py`);",
           "- *saved arrays in slots* (`Op` in `engine/autograd.py`): the ops made once per call "
           "list their saved arrays as `__slots__`, so a recorded op carries no attribute dict;",
           "- *the constant cache* (`engine/tensor.py`): a Python number in `x * 1.01` becomes one "
           "shared read-only constant Tensor per (value, dtype), not a new array and Tensor per op;",
           "- *the direct broadcast view* (`engine/ops/shape.py`): `sum`'s gradient is numpy's "
           "broadcast view made with one `np.ndarray` call, without `np.broadcast_to`'s Python-level "
           "checks;",
           "- operands' shapes are checked only when numpy refuses them (`Tensor._binary`, "
           "`_matmul`), and a bias row's gradient is one column sum (`unbroadcast`).", ""]
    md += ["## How each contender is written", "",
           "- **numpy**: `tinygrad_edu.reference.softmax_loss_vectorized`, `svm_loss_vectorized` and "
           "`two_layer_loss`, the hand-derived gradients; for W4 a forward pass that saves what each "
           "local derivative needs and a backward loop (`chain_numpy` in `benchmarks/overhead.py`); "
           "for W5 the same with the update `p -= lr * dp`.",
           "- **engine**: a fresh `Tensor(W, requires_grad=True)` per call and the loss written from "
           "its formula as a user writes it (`engine_softmax_loss`, `engine_svm_loss`, "
           "`engine_two_layer_loss` in `benchmarks/workloads.py`: the row maximum subtracted with its "
           "gradient flowing through `max`, a 0/1 mask for the hinge's correct class, `mean` for the "
           "mean), then `backward()`; W4 is `benchmarks/overhead.py`'s `chain`; W5 adds "
           "`tinygrad_edu.optim.SGD` and `TwoLayerNet.predict` for the test accuracy.",
           "- **PyTorch**: the same graphs with `torch.nn.functional.cross_entropy`, float64 tensors "
           "made from the numpy arrays, `torch.optim.SGD` for W5.",
           "- **HIPS autograd**: `autograd.value_and_grad` of the loss written with `autograd.numpy` "
           "and its `logsumexp` (sigmoid added as a primitive with its own derivative, so that W4 "
           "counts one op per step).",
           ] + [f"- {n_}" for n_ in rep.notes] + [""]
    return md


def without_gc(fn):
    """``fn`` run with the cyclic garbage collector switched off (a diagnostic, not a contender)."""
    def run():
        gc.disable()
        try:
            return fn()
        finally:
            gc.enable()
    return run


if __name__ == "__main__":
    main()
