"""How long Graphviz takes to lay out the diagrams, and what ``draw`` does about it.

    python benchmarks/layout.py [--sizes 50,100,150,200,300,400,600] [--timeout 30]
                                [--out benchmarks/layout-times.md]

For four families of graphs (a recurrence ``h = tanh(w*h + u*x)`` with shared scalar weights, a
chain of elementwise ops on a vector, a stack of affine + relu layers with weights of their own,
and a chain with skip connections that reach 6 ops back), each at several sizes, this measures:

1. *the layout as it is*: every op drawn, each leaf once, by the system ``dot`` and by
   ``graphviz-pure``: the time, and the layout cost ``viz.layout.cost`` counts (nodes + edges +
   the invisible nodes of long edges), from which ``LAYOUT_BUDGET`` was chosen;
2. *what draw(t) does by default*: it draws shared weights beside each use while the cost is
   over the budget, and a summary for more than ``MAX_OPS`` ops or a cost still over it: what it
   drew and how long the picture took (draw + layout).

With ``--calls`` (and ``--out``: appended to that file), instead: the time of each call users make on the recurrence and on the stack of
layers at 150, 199, 200, 2,000 and 20,000 ops: ``to_svg(draw(t))``, ``write_page(t, path)`` and
``str(trace(t))``, with whichever renderer is found first (hide the system ``dot`` from ``PATH``
to measure ``graphviz-pure``).

Each layout runs in its own process with a time limit (``--timeout``); a layout past it is
reported as such. The table goes to stdout and, with ``--out``, to a Markdown file
(``benchmarks/layout-times.md``, which ``scripts/make_gallery.py`` puts on the gallery page).
"""
from __future__ import annotations

import argparse
import os
import platform
import subprocess
import time
from pathlib import Path

import numpy as np

from tinygrad_edu import Tensor, viz
from tinygrad_edu.viz import layout, programs


def recurrence(n_ops: int):
    """15 steps of h = tanh(w*h + u*x) make 60 ops: 4 per step, w and u shared by every step."""
    w = Tensor(np.array(0.5), requires_grad=True, name="w")
    u = Tensor(np.array(-0.3), requires_grad=True, name="u")
    h = Tensor(np.array(0.0))
    for x in np.linspace(-1, 1, max(1, n_ops // 4)):
        h = (w * h + u * x).tanh()
    return h


def chain(n_ops: int):
    """y = tanh(y * 1.0001 + 0.5) on a vector of 3, 3 ops per step, then a sum."""
    y = Tensor(np.ones(3), requires_grad=True, name="x")
    for _ in range(max(1, (n_ops - 1) // 3)):
        y = (y * 1.0001 + 0.5).tanh()
    return y.sum()


def layers(n_ops: int):
    """h = relu(h @ W_i + b_i) with a W_i and b_i of its own in each layer, 3 ops per layer."""
    rng = np.random.default_rng(0)
    h = Tensor(rng.normal(size=(2, 3)), name="X")
    for i in range(max(1, (n_ops - 1) // 3)):
        W = Tensor(rng.normal(size=(3, 3)), requires_grad=True, name=f"W{i}")
        b = Tensor(np.zeros(3), requires_grad=True, name=f"b{i}")
        h = (h @ W + b).relu()
    return h.sum()


def skips(n_ops: int):
    """h_t = tanh(h_{t-1}) + h_{t-3}: every add reaches 6 ops back (long edges between ops)."""
    hs = [Tensor(np.array([0.1 * k, 0.2]), requires_grad=True, name=f"h{k}") for k in range(3)]
    while 2 * (len(hs) - 3) < n_ops - 1:
        hs.append(hs[-1].tanh() + hs[-3])
    return hs[-1].sum()


FAMILIES = {"recurrence": recurrence, "chain": chain, "layers": layers, "skips": skips}


def _layout_time(source: str, renderer: str, timeout: float):
    t0 = time.perf_counter()
    try:
        programs.run(source, "svg", renderer, timeout=timeout)
    except programs.LayoutTimeout:
        return None
    return time.perf_counter() - t0


def _default_draw(t, renderer: str, timeout: float):
    """(what draw(t) drew, seconds for draw + layout)."""
    t0 = time.perf_counter()
    d = viz.draw(t)
    programs.run(d.source, "svg", renderer, timeout=timeout)
    copies = len(getattr(d, "copies", ()))
    what = "summary" if d.summary else "in full" + (f", {copies} leaves copied" if copies else "")
    return what, time.perf_counter() - t0


def _call_times(sizes, out_dir: Path) -> list:
    """[(family, ops, what draw drew, seconds: to_svg(draw), write_page, str(trace))]."""
    rows = []
    for name in ("recurrence", "layers"):
        for n in sizes:
            t = FAMILIES[name](n)
            for _ in range(n - len(t.tape())):      # exactly n ops: a few more at the end
                t = t * 1.0
            t.backward()
            t0 = time.perf_counter()
            d = viz.draw(t)
            viz.to_svg(d)
            t1 = time.perf_counter()
            viz.write_page(t, out_dir / "page.html")
            t2 = time.perf_counter()
            str(viz.trace(t))
            t3 = time.perf_counter()
            rows.append((name, len(d.model.ops), "summary" if d.summary else "in full",
                         t1 - t0, t2 - t1, t3 - t2))
            print(f"| {name} | {rows[-1][1]:,} | {rows[-1][2]} | {t1 - t0:.2f} | {t2 - t1:.2f} | "
                  f"{t3 - t2:.2f} |", flush=True)
    return rows


def _calls(out) -> None:
    """Print (and with ``out``, append to that file) the times of the users' calls."""
    import tempfile
    head = (f"With {programs.renderer_name()} (load average {os.getloadavg()[0]:.1f}), seconds:\n\n"
            "| graph | ops | draw(t) | to_svg(draw(t)) | write_page | str(trace(t)) |\n"
            "|---|---|---|---|---|---|")
    print(head)
    with tempfile.TemporaryDirectory() as tmp:
        rows = _call_times([150, 199, 200, 2000, 20000], Path(tmp))
    if out:
        lines = [f"| {r[0]} | {r[1]:,} | {r[2]} | {r[3]:.2f} | {r[4]:.2f} | {r[5]:.2f} |" for r in rows]
        with open(out, "a", encoding="utf-8") as f:
            f.write(head + "\n" + "\n".join(lines) + "\n\n")


def _secs(s) -> str:
    return "> limit" if s is None else f"{s:.2f}"


def measure(sizes, renderers, timeout: float) -> list:
    rows = []
    for name, make in FAMILIES.items():
        for n in sizes:
            t = make(n)
            t.backward()
            g = viz.build(t)
            raw = viz.draw(t, max_ops=None, budget=10 ** 12)
            row = {"family": name, "ops": len(g.ops), "cost": layout.cost(g),
                   "planned": layout.plan(g).cost}
            for r in renderers:
                row[r] = _layout_time(raw.source, r, timeout)
                row[r + " default"] = _default_draw(t, r, timeout)
            rows.append(row)
            print(_line(row, renderers), flush=True)
    return rows


def _header(renderers) -> str:
    cols = ["graph", "ops", "cost", "cost with copies"]
    cols += [f"{r}: as it is (s)" for r in renderers] + [f"{r}: draw(t) default" for r in renderers]
    return "| " + " | ".join(cols) + " |\n|" + "---|" * len(cols)


def _line(row, renderers) -> str:
    cells = [row["family"], f"{row['ops']:,}", f"{row['cost']:,}", f"{row['planned']:,}"]
    cells += [_secs(row[r]) for r in renderers]
    cells += [f"{row[r + ' default'][0]}, {row[r + ' default'][1]:.2f} s" for r in renderers]
    return "| " + " | ".join(cells) + " |"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="50,100,150,200,300,400,600")
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--calls", action="store_true", help="time draw, write_page and trace")
    args = ap.parse_args(argv)
    if args.calls:
        _calls(args.out)
        return
    renderers = [r for r in programs.RENDERERS if programs.find_renderer(r) is not None]
    versions = {r: _version(r) for r in renderers}
    sizes = [int(s) for s in args.sizes.split(",")]
    load = os.getloadavg()[0]
    print(_header(renderers))
    rows = measure(sizes, renderers, args.timeout)
    if args.out:
        text = [f"Measured by `benchmarks/layout.py` on {platform.machine()} ({os.cpu_count()} "
                f"cores; load average {load:.1f} at the start and {os.getloadavg()[0]:.1f} at the end), "
                f"Python {platform.python_version()}, with "
                f"{', '.join(f'{r} ({v})' for r, v in versions.items())}; time limit "
                f"{args.timeout:g} s; LAYOUT_BUDGET = {layout.LAYOUT_BUDGET:,}, "
                f"MAX_OPS = {layout.MAX_OPS}.", "", _header(renderers)]
        text += [_line(r, renderers) for r in rows]
        args.out.write_text("\n".join(text) + "\n", encoding="utf-8")
        print("wrote", args.out)


def _version(renderer: str) -> str:
    path = programs.find_renderer(renderer).path
    proc = subprocess.run([path, "-V"], capture_output=True, text=True, timeout=10)
    return (proc.stderr or proc.stdout).strip().splitlines()[0] if (proc.stderr or proc.stdout) else "?"


if __name__ == "__main__":
    main()
