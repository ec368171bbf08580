"""Smoke test of the benchmark script: ``run.py --quick`` runs, checks its contenders and writes a table.

Timings are never asserted (they depend on the machine); only that every workload was measured, that
no contender disagreed with the hand-written numpy result, and that the page has its sections.
"""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
pytest.importorskip("sklearn")  # W5 trains on the digits


def test_quick_run_writes_the_tables(tmp_path):
    out = tmp_path / "bench.md"
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks", "run.py"), "--quick",
                           "--threads", "1", "--out", str(out)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "disagrees" not in proc.stdout
    text = out.read_text()
    assert text.startswith("# Benchmarks\n")
    for heading in ("## Machine", "## Targets", "## Speed", "## Where the time goes", "## Growth",
                    "## Memory"):
        assert heading in text
    split = text.split("## Where the time goes\n\n")[1].split("\n\n")[1]  # the table
    split_rows = [line for line in split.splitlines() if line.startswith("| W")]
    assert [r.split()[1] for r in split_rows] == ["W1", "W2", "W3", "W4", "W5"]
    for r in split_rows:   # every recorded op counted, and the split adds up to the engine's time
        cells = [c.strip() for c in r.strip("|").split("|")]
        engine, in_ops, rest = (float(c.split()[0]) for c in cells[2:5])
        assert int(cells[5]) > 0 and abs(in_ops + rest - engine) < 0.02, r
    for plot in ("benchmarks-w1-growth.svg", "benchmarks-w4-growth.svg"):  # drawn beside the page
        assert f"]({plot})" in text and (tmp_path / plot).read_text().startswith("<?xml")
    targets = text.split("## Targets\n\n")[1].split("\n\n")[1]  # the table after one line of text
    for what in ("W1: engine at most", "W5: engine at most 1.25x hand numpy", "memory: W3 peak",
                 "memory: training loop flat", "op chain after backward", "W4: time per op flat"):
        assert what in targets, what
    # the targets against a contender are there exactly when it is installed
    hips = importlib.util.find_spec("autograd") is not None   # HIPS autograd: the [bench] extra
    torch = importlib.util.find_spec("torch") is not None     # PyTorch: pip install torch==2.13.0
    for what, present in (("W1: engine no slower than HIPS", hips), ("W2: engine no slower", hips),
                          ("W3: engine no slower", hips), ("W4: engine per-op", torch),
                          ("W5: engine at most 0.8x PyTorch", torch)):
        assert (what in targets) == present, what
    assert all(line.rstrip().endswith(("| yes |", "| **no** |"))
               for line in targets.splitlines()[2:])
    speed = text.split("## Speed\n\n")[1].split("\n\n")[0]  # the first table of the section
    rows = [line for line in speed.splitlines() if line.startswith("| W")]
    assert [r.split()[1] for r in rows] == ["W1", "W2", "W3", "W4", "W5"]
    for r in rows:  # the numpy and engine columns hold a time and a ratio, never n/a
        numpy_cell, engine_cell = r.split("|")[2:4]
        assert "x)" in numpy_cell and "x)" in engine_cell, r


def test_only_rejects_unknown_sections():
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks", "run.py"), "--only", "W9"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode != 0 and "W9" in proc.stderr
