"""The lesson's budget: what a reader follows from ``loss.backward()`` for the mission's ops.

The program below uses matmul, add, mul, relu, exp, log, sum, max, reshape, transpose and index,
forward and backward, at a small and a large shape (after a warm-up at a third). Every function of
the package that runs is counted once, whole (a reader reads the function, not only the branch
taken): its statements, the ``def`` line included, docstrings left out; lambdas and comprehensions
count their statements inside the function that holds them. The budget is 250 statements in 50
functions (docs/how-it-works.md lists the files in reading order); micrograd's whole engine is 65
lines. The machinery (in-place versions, hooks, anomaly mode, gradients of gradients) must not run
at all for such a program.
"""
from __future__ import annotations

import ast
import os
import sys
import threading

import numpy as np

import tinygrad_edu
from tinygrad_edu import Tensor

PKG = os.path.dirname(os.path.abspath(tinygrad_edu.__file__))
BUDGET_STATEMENTS, BUDGET_FUNCTIONS = 250, 50
MACHINERY = ("versions.py", "hooks.py", "higher.py", "grads.py", "function.py", "formulas.py")


def program(N, D, C):
    rng = np.random.default_rng(N)
    X = rng.standard_normal((N, D)); y = rng.integers(0, C, N)   # noqa: E702
    W = Tensor(rng.standard_normal((D, C)), requires_grad=True)
    b = Tensor(np.zeros(C), requires_grad=True)
    s = (Tensor(X) @ W + b) * 1.0
    h = s.relu()
    m = h.max(axis=1, keepdims=True)
    z = h - m
    lse = z.exp().sum(axis=1).log()
    loss = (lse - z[np.arange(N), y]).sum() * (1 / N) + (W.T.reshape(D * C) * W.T.reshape(D * C)).sum()
    loss.backward()
    return loss


def functions_that_run() -> set:
    seen = set()

    def prof(frame, event, arg):
        if event == "call" and os.path.abspath(frame.f_code.co_filename).startswith(PKG):
            seen.add((os.path.abspath(frame.f_code.co_filename), frame.f_code.co_firstlineno))
    program(3, 5, 2)
    sys.setprofile(prof)
    threading.setprofile(prof)
    try:
        program(6, 4, 3)
        program(200, 64, 10)
    finally:
        sys.setprofile(None)
        threading.setprofile(None)
    return seen


def statements(node) -> int:
    n = 1                                       # the def line
    for sub in ast.walk(node):
        if isinstance(sub, ast.stmt) and sub is not node:
            docstring = isinstance(sub, ast.Expr) and isinstance(getattr(sub, "value", None), ast.Constant) \
                and isinstance(sub.value.value, str)
            n += not docstring
    return n


def measure() -> tuple:
    """(statements, functions, {file: statements}) of the functions that run."""
    defs, by_file, loose = {}, {}, set()
    for path, first in functions_that_run():
        tree = ast.parse(open(path).read())
        found = False
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                start = min([node.lineno] + [d.lineno for d in node.decorator_list])
                if first in (start, node.lineno):
                    defs[(path, node.lineno)] = node
                    found = True
        if not found:                 # a lambda or comprehension: its line counts as a statement
            loose.add((path, first))
    outer = {k: n for k, n in defs.items() if not any(
        k[0] == j[0] and m.lineno < n.lineno and n.end_lineno <= m.end_lineno for j, m in defs.items())}
    for (path, _), node in outer.items():
        rel = os.path.relpath(path, PKG)
        by_file[rel] = by_file.get(rel, 0) + statements(node)
    for path, line in loose:
        if not any(k[0] == path and n.lineno <= line <= n.end_lineno for k, n in defs.items()):
            rel = os.path.relpath(path, PKG)
            by_file[rel] = by_file.get(rel, 0) + 1
    return sum(by_file.values()), len(defs), by_file


def test_the_lesson_reads_in_one_sitting():
    total, functions, by_file = measure()
    assert total <= BUDGET_STATEMENTS and functions <= BUDGET_FUNCTIONS, (total, functions, by_file)


def test_the_machinery_does_not_run_for_the_lesson():
    _, _, by_file = measure()
    ran = [f for f in by_file if os.path.basename(f) in MACHINERY or f.startswith("engine/modes")]
    assert not ran, f"machinery ran for a program that needs none of it: {ran}"


def test_the_reading_list_names_every_file_of_the_lesson():
    _, _, by_file = measure()
    page = open(os.path.join(os.path.dirname(PKG), "docs", "how-it-works.md")).read()
    listed = page[page.index("## The lesson, in reading order"):page.index("| room |")]
    for f in by_file:
        assert os.path.basename(f) in listed, f"{f} runs for the lesson but is not in the reading list"
