"""Benchmarks: the engine beside hand-written numpy, PyTorch and HIPS autograd; writes docs/benchmarks.md.

    python benchmarks/run.py                       # the full suite, a few minutes
    python benchmarks/run.py --quick               # tiny sizes, seconds (a smoke test, not a measurement)
    python benchmarks/run.py --only W1,W3,memory   # a subset: W1..W5, memory, scaling
    python benchmarks/run.py --out /tmp/bench.md   # write the table elsewhere

On processors where OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are set, numpy may run a slower kernel;
for a measurement run it as ``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/run.py``.

For each workload every contender first computes its loss and gradients once; they must agree with
the hand-written numpy result (a wrong fast number is worthless) or the contender is not timed. Then
the contenders run in turn, interleaved and in a rotating order, so that a change of machine load
hits all of them alike; the table gives the median of the repeats and the ratio to numpy.
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
import workloads as wl  # noqa: E402

from tinygrad_edu.datasets import load_digits  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORDER = ("numpy", "engine", "torch", "autograd")
SECTIONS = ("W1", "W2", "W3", "W4", "W5", "memory", "scaling")

# sizes and repeats: the sizes, and tiny ones for --quick
FULL = dict(linear=(500, 3073, 10), two_layer=(200, 3072, 100, 10), chain=2000,
            repeats={"W1": 51, "W2": 51, "W3": 51, "W4": 31, "W5": 9},
            scale_n=(100, 300, 1000, 3000, 10000), scale_d=3072,
            scale_chain=(1000, 3000, 10000, 30000, 100000), train_steps=1000, target=0.97)
QUICK = dict(linear=(50, 101, 10), two_layer=(20, 64, 16, 10), chain=200,
             repeats={"W1": 3, "W2": 3, "W3": 3, "W4": 3, "W5": 1},
             scale_n=(100, 400, 1600), scale_d=64,
             scale_chain=(200, 800, 3200), train_steps=100, target=0.85)


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


def per_unit_cells(res: dict, n: int) -> list:
    """For a scaling row: numpy, engine and PyTorch, each as its time and its microseconds per unit."""
    cells = []
    for k in ("numpy", "engine", "torch"):
        cells += [fmt_time(res[k]), f"{res[k] / n * 1e6:.2f}"] if k in res else ["n/a", "n/a"]
    return cells


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out


# ----------------------------------------------------------------------------- the workloads


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="tiny sizes and few repeats (seconds)")
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "benchmarks.md"),
                    help="where to write the markdown (default docs/benchmarks.md)")
    ap.add_argument("--only", default=",".join(SECTIONS),
                    help=f"comma-separated subset of {','.join(SECTIONS)} (default: all)")
    ap.add_argument("--threads", type=int, default=None,
                    help="BLAS threads for numpy and torch.set_num_threads (default: numpy's BLAS count)")
    args = ap.parse_args(argv)
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    bad = [s for s in only if s not in SECTIONS]
    if bad:
        ap.error(f"--only: unknown {bad}; choose from {','.join(SECTIONS)}")
    cfg = QUICK if args.quick else FULL
    if args.threads is not None:
        limit_blas(args.threads)
    threads = blas_threads()
    if wl.torch is not None:
        wl.torch.set_num_threads(threads)

    def log(msg):
        print(msg, flush=True)

    started = time.perf_counter()
    md = ["# Benchmarks", ""]
    md += ["The engine beside the same computation written by hand in vectorized numpy "
           "(`tinygrad_edu.reference`), PyTorch's CPU autograd in float64 and HIPS autograd. "
           "Every contender's loss and gradients are first checked against the numpy ones; then the "
           "contenders run interleaved, in a rotating order, and each cell is the median of the "
           "repeats, with the ratio to numpy in brackets (lower is faster). On a shared machine a ratio "
           "can move by 10% or more between runs: compare the load averages at the start and at the "
           "end of the run. Regenerate this page with",
           "", "```text", "env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/run.py",
           "```", "",
           "(`--quick` runs tiny sizes in seconds, `--only W1,W3` a subset; see `python benchmarks/run.py -h`).",
           ""]
    if args.quick:
        md += ["**Quick run: tiny sizes, few repeats; these numbers are not a measurement.**", ""]
    md += ["## Machine", ""] + [f"- {line}" for line in machine_info(threads)]
    md += [f"- generated {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC"
           f"{' with --quick' if args.quick else ''}", ""]
    for line in md[md.index("## Machine") + 2:]:
        log(line)

    main_rows, targets, notes = [], [], []
    medians = {}

    def row(label, unit_div, unit, res, wrong):
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
        main_rows.append(cells)
        log("  " + " | ".join(cells))

    noreg_rows = []

    def no_reg(key, with_reg, without):
        """Time numpy and the engine with and without the L2 term, interleaved: its share of the gap."""
        cont = {"numpy": with_reg["numpy"], "engine": with_reg["engine"],
                "numpy0": without["numpy"], "engine0": without["engine"]}
        res, _ = measure(cont, cfg["repeats"][key], log, ref_of={"numpy0": "numpy0", "engine0": "numpy0"})
        noreg_rows.append([key, fmt_time(res["numpy"]), fmt_time(res["engine"]),
                           f"{res['engine'] / res['numpy']:.2f}x", fmt_time(res["numpy0"]),
                           fmt_time(res["engine0"]), f"{res['engine0'] / res['numpy0']:.2f}x"])
        log("  with and without reg: " + " | ".join(noreg_rows[-1][1:]))

    n, d, c = cfg["linear"]
    if "W1" in only or "W2" in only:
        X, y, W = wl.linear_data(n, d, c)
    for key, make, title in (("W1", wl.w1_contenders, "softmax loss + gradient"),
                             ("W2", wl.w2_contenders, "hinge loss + gradient")):
        if key not in only:
            continue
        log(f"{key}: {title}, X {X.shape}, W {W.shape}")
        res, wrong = measure(make(X, y, W), cfg["repeats"][key], log)
        medians[key] = res
        row(f"{key} {title}, X ({n}, {d}), W ({d}, {c})", 1, "", res, wrong)
        no_reg(key, make(X, y, W), make(X, y, W, reg=0.0))

    if "W3" in only:
        n3, d3, h3, c3 = cfg["two_layer"]
        X3, y3, P3 = wl.two_layer_data(n3, d3, h3, c3)
        log(f"W3: two-layer net loss + gradients, N={n3}, D={d3}, H={h3}, C={c3}")
        res, wrong = measure(wl.w3_contenders(X3, y3, P3), cfg["repeats"]["W3"], log)
        medians["W3"] = res
        no_reg("W3", wl.w3_contenders(X3, y3, P3), wl.w3_contenders(X3, y3, P3, reg=0.0))
        row(f"W3 two-layer net loss + 4 gradients, N={n3}, D={d3}, H={h3}, C={c3}", 1, "", res, wrong)

    if "W4" in only:
        ops = cfg["chain"]
        x0 = np.random.default_rng(0).standard_normal((10, 10))
        log(f"W4: chain of {ops} elementwise ops on (10, 10), forward + backward")
        res, wrong = measure(wl.w4_contenders(x0, ops), cfg["repeats"]["W4"], log)
        medians["W4"] = res
        row(f"W4 chain of {ops} elementwise ops on (10, 10), forward + backward, per op",
            ops / 1e6, "us", res, wrong)

    if "W5" in only:
        sched = wl.Schedule(load_digits(seed=0), target=cfg["target"])
        log(f"W5: two-layer net on the digits to {sched.target:.0%} test accuracy")
        contenders = wl.w5_contenders(sched)
        res, wrong = measure(contenders, cfg["repeats"]["W5"], log)
        medians["W5"] = res
        first = contenders["numpy"]()[1]
        steps, acc = int(first["steps"]), float(first["test_acc"])
        h5 = sched.init["W1"].shape[1]
        row(f"W5 train 64-{h5}-10 net on the digits to {sched.target:.0%} test accuracy "
            f"({steps} SGD steps of {sched.batches.shape[1]}, test accuracy {acc:.3f})", 1, "", res, wrong)
        notes.append(f"W5: every contender starts from the same weights, sees the same {steps} "
                     f"minibatches and evaluates test accuracy every {sched.eval_every} steps with "
                     f"its own forward pass; the check before timing requires the same first loss, "
                     f"the same number of steps and the same final test accuracy.")

    if main_rows:
        md += ["## Speed", ""]
        md += table(["workload", "numpy", "engine", "PyTorch", "HIPS autograd"],
                    main_rows) + [""]

    if noreg_rows:
        md += [f"W1-W3 timed again, with `reg = {wl.REG:g}` as above and with `reg = 0`, all four "
               f"interleaved in one measurement: the L2 term "
               f"`reg * sum(W * W)` and its gradient `2 reg W` are full-size array operations on the "
               f"weights, written once by hand in numpy but recorded, differentiated and stored "
               f"(`.grad` of every intermediate) by the engine.", ""]
        md += table(["workload", "numpy", "engine", "engine / numpy", "numpy, reg = 0",
                     "engine, reg = 0", "engine / numpy, reg = 0"], noreg_rows) + [""]

    # ------------------------------------------------------------------------- targets
    def ratio(key, a, b):
        r = medians.get(key, {})
        return r[a] / r[b] if a in r and b in r else None

    for key in ("W1", "W2", "W3"):
        q = ratio(key, "engine", "numpy")
        if q is not None:
            targets.append([f"{key}: engine within 1.15x of numpy", f"{q:.2f}x", _yes(q <= 1.15)])
    q = ratio("W4", "engine", "torch")
    if q is not None:
        targets.append(["W4: engine per-op time at most PyTorch's", f"{q:.2f}x PyTorch", _yes(q <= 1.0)])
    q = ratio("W5", "engine", "torch")
    if q is not None:
        targets.append(["W5: engine trains faster than PyTorch", f"{q:.2f}x PyTorch", _yes(q < 1.0)])

    # ------------------------------------------------------------------------- memory
    if "memory" in only:
        n3, d3, h3, c3 = cfg["two_layer"]
        X3, y3, P3 = wl.two_layer_data(n3, d3, h3, c3)
        log(f"memory: peak traced allocation of W3's forward + backward (N={n3}, D={d3}, H={h3})")
        cont = wl.w3_contenders(X3, y3, P3)
        peaks = {k: traced_peak(fn) for k, fn in cont.items() if k != "torch"}
        base = peaks["numpy"]
        rows = [[k, f"{v / 2**20:.2f} MiB", f"{v / base:.2f}x"] for k, v in peaks.items()]
        for r in rows:
            log("  " + " | ".join(r))
        md += ["## Memory", "",
               f"Peak memory allocated during one forward + backward pass of W3 (N={n3}, D={d3}, "
               f"H={h3}, C={c3}), measured with `tracemalloc` above what was live before the call "
               f"(the inputs `X` ({n3 * d3 * 8 / 2**20:.2f} MiB) and the parameters are not counted). "
               f"PyTorch allocates outside Python's allocator, so tracemalloc cannot see it.", ""]
        md += table(["contender", "peak", "ratio to numpy"], rows) + [""]
        targets.append(["memory: W3 peak at most 1.5x numpy", f"{peaks['engine'] / base:.2f}x",
                        _yes(peaks["engine"] / base <= 1.5)])

        # Flatness is judged over `steps` training steps that follow a warm-up of as many: CPython's
        # free lists (tuples, small objects) take several hundred steps to fill, and tracemalloc
        # counts what they hold as allocated.
        settled = cfg["train_steps"]
        steps = 2 * settled
        marks = sorted({1, 10, settled // 4, settled // 2, settled, settled + settled // 2, steps})
        sched = wl.Schedule(load_digits(seed=0))
        log(f"memory: training on the digits, {steps} steps")
        seen, peak = {}, {}
        for k in ("numpy", "engine"):
            gc.collect()
            tracemalloc.start()
            try:
                seen[k] = wl.training_memory(sched, steps, set(marks), k)
                peak[k] = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
        rows = [[f"{s:,}", f"{seen['numpy'][s] / 2**10:.1f} KiB", f"{seen['engine'][s] / 2**10:.1f} KiB"]
                for s in marks]
        rows.append(["peak over the run", f"{peak['numpy'] / 2**10:.1f} KiB",
                     f"{peak['engine'] / 2**10:.1f} KiB"])
        for r in rows:
            log("  after step " + " | ".join(r))
        grow = seen["engine"][steps] - seen["engine"][settled]
        md += [f"Memory still allocated (tracemalloc) after each marked step while the W5 net trains "
               f"for {steps} steps on minibatches of {sched.batches.shape[1]}, no garbage collection "
               f"forced. A rise over the first steps is CPython's and numpy's free lists and caches "
               f"of small objects filling up; what counts is the change over the {settled:,} steps "
               f"after a warm-up of as many: "
               + (f"{grow / 2**10:+.1f} KiB, flat (each step's graph is freed when the step ends)."
                  if grow <= 16 * 2**10 else f"{grow / 2**10:+.1f} KiB, still growing."), ""]
        md += table(["after step", "numpy", "engine"], rows) + [""]
        targets.append([f"memory: flat over {settled} training steps",
                        f"{grow / 2**10:+.1f} KiB from step {settled:,} to {steps:,}",
                        _yes(grow <= 16 * 2**10)])

    # ------------------------------------------------------------------------- scaling
    if "scaling" in only:
        md += ["## Scaling", ""]
        d3, h3, c3 = cfg["scale_d"], cfg["two_layer"][2], cfg["two_layer"][3]
        log(f"scaling: W3 as N grows, D={d3}, H={h3}")
        rows = []
        for n_ in cfg["scale_n"]:
            X_, y_, P_ = wl.two_layer_data(n_, d3, h3, c3)
            cont = wl.w3_contenders(X_, y_, P_)
            cont = {k: cont[k] for k in ("numpy", "engine", "torch") if k in cont}
            res, wrong = measure(cont, 1 if args.quick else 7, log)
            r = [f"{n_:,}"] + per_unit_cells(res, n_)
            r.append(f"{res['engine'] / res['numpy']:.2f}x")
            rows.append(r)
            log("  " + " | ".join(r))
        md += [f"W3 (D={d3}, H={h3}, C={c3}) as the batch N grows: the time per example (us / N) "
               f"should stay about constant.", ""]
        md += table(["N", "numpy", "numpy us/N", "engine", "engine us/N", "PyTorch", "PyTorch us/N",
                     "engine / numpy"], rows) + [""]

        log("scaling: W4 as the chain grows")
        x0 = np.random.default_rng(0).standard_normal((10, 10))
        rows = []
        for ops in cfg["scale_chain"]:
            cont = wl.w4_contenders(x0, ops)
            cont = {k: cont[k] for k in ("numpy", "engine", "torch") if k in cont}
            cont["engine, gc off"] = without_gc(cont["engine"])
            res, wrong = measure(cont, 1 if args.quick or ops >= 50000 else 5, log)
            r = [f"{ops:,}"] + per_unit_cells(res, ops)
            r.append(f"{res['engine, gc off'] / ops * 1e6:.2f}")
            rows.append(r)
            log("  " + " | ".join(r))
        md += [f"W4 as the chain grows (chains of 50,000 ops and more are timed once, the others "
               f"take the median of 5): the time per op (us / op) should stay about constant. The "
               f"numpy column is the hand-written forward and backward.", ""]
        md += ["The last column times the engine again with Python's cyclic garbage collector "
               "switched off during the run (`gc.disable()`): the difference is the collector "
               "walking the live graph (a Tensor and an Op per step), which grows with the chain.", ""]
        md += table(["ops", "numpy", "numpy us/op", "engine", "engine us/op", "PyTorch",
                     "PyTorch us/op", "engine us/op, gc off"], rows) + [""]

    if targets:
        md += ["## Targets", ""] + table(["target", "measured", "met"], targets) + [""]
        log("targets:")
        for t in targets:
            log("  " + " | ".join(t))

    md += ["## How each contender is written", "",
           "- **numpy**: `tinygrad_edu.reference.softmax_loss_vectorized`, `svm_loss_vectorized` and "
           "`two_layer_loss`, the hand-derived gradients; for W4 a forward pass that saves what each "
           "local derivative needs and a backward loop (`chain_numpy` in `benchmarks/overhead.py`); for W5 the same "
           "with the update `p -= lr * dp`.",
           "- **engine**: a fresh `Tensor(W, requires_grad=True)` per call, "
           "`tinygrad_edu.losses.softmax_loss`, `svm_loss` and `two_layer_loss`, then `backward()`; "
           "W4 is `benchmarks/overhead.py`'s `chain`; W5 uses `TwoLayerNet` (its `predict` for the "
           "test accuracy) and `tinygrad_edu.optim.SGD`.",
           "- **PyTorch**: the same graphs with `torch.nn.functional.cross_entropy`, float64 tensors "
           "made from the numpy arrays, `torch.optim.SGD` for W5.",
           "- **HIPS autograd**: `autograd.value_and_grad` of the loss written with `autograd.numpy` "
           "(sigmoid added as a primitive with its own derivative, so that W4 counts one op per step).",
           ] + [f"- {n_}" for n_ in notes] + [""]
    md.append(f"Total run time {time.perf_counter() - started:.0f} s; load average at the end "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}.")
    md.append("")
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write("\n".join(md))
    log(f"wrote {args.out}")


def without_gc(fn):
    """``fn`` run with the cyclic garbage collector switched off (a diagnostic, not a contender)."""
    def run():
        gc.disable()
        try:
            return fn()
        finally:
            gc.enable()
    return run


def _yes(ok):
    return "yes" if ok else "**no**"


if __name__ == "__main__":
    main()
