"""An op's formulas written for one call: with the inputs' names, and summed back where an input was
broadcast, as the walk's ``unbroadcast`` sums it. The diagrams and the trace ask the op
(``op.expression(names)``, ``op.explain(names, shapes, out, out_shape)``); these are the defaults,
read from the op's ``spelling`` and ``formula``, which ops whose formula depends on the call (a 1-D
matmul, the axes of a sum) override next to their ``backward``.

``formula`` is written with the names of ``backward``'s parameters: ``x`` for a single input,
``a`` and ``b`` for two, ``y`` for the output, ``dy`` for the upstream gradient; each input's part
starts with ``d<name> =``, parts separated by ", " (``"da = dy * b, db = dy * a"``).
"""
from __future__ import annotations

import re

import numpy as np

LETTERS = "ijklmnpq"   # index letters for the formulas of reductions, dx[i, j] = dy[i]


def expression(op, names: list) -> str:
    """What the op computed, e.g. ``X @ W`` or ``exp(shifted)``: its ``spelling`` with the names
    put in (and its settings, ``{p:g}``), else ``name(inputs)``."""
    names = [f"({n})" if n.startswith("-") else n for n in names]
    if op.spelling is None:
        return f"{op.name}({', '.join(names)})"
    letters = _letters(len(names))
    return op.spelling.format(**dict(zip(letters, names)), **vars(op))


def general(op, names: list, shapes: list, out: str, out_shape: tuple) -> list:
    """Each input's formula: its part of ``op.formula`` with the names put in and summed back to
    the input's shape; the whole formula with the names given when it has no part per input."""
    letters = _letters(len(names))
    parts = dict(_parts(op.formula))
    subs = {**dict(zip(letters, names)), **{f"d{v}": f"d{n}" for v, n in zip(letters, names)}, "y": out}
    result = []
    for letter, name, shape in zip(letters, names, shapes):
        raw = parts.get(letter)
        if raw is None:
            where = ", ".join(f"{v} = {n}" for v, n in zip(letters, names))
            result.append(f"{op.formula} (with {where})" if op.formula else f"d{name}: {op.name}'s backward")
            continue
        text = re.sub(r"\b(" + "|".join(map(re.escape, subs)) + r")\b", lambda m: subs[m.group(1)], raw)
        result.append(f"d{name} = {summed_back(text, shape, out_shape)}")
    return result


def _letters(n: int) -> list:
    return ["x"] if n == 1 else ["a", "b"] if n == 2 else [f"x{i}" for i in range(n)]


def _parts(formula: str):
    """``"da = dy * b, db = dy * a"`` as ("a", "dy * b"), ("b", "dy * a"); nothing for a formula
    that is not written one part per input."""
    for part in re.split(r",\s*(?=d\w+\s*=)", formula):
        m = re.fullmatch(r"\s*d(\w+)\s*=\s*(.+?)\s*", part)
        if m:
            yield m.group(1), m.group(2)


def summed_back(expr: str, shape, out_shape) -> str:
    """``expr`` (shaped like the output) summed back to an input of ``shape`` that was broadcast,
    as ``unbroadcast`` does: over the leading axes broadcasting added and the axes where the input
    has size 1. ``expr`` unchanged when the shapes are equal or ``shape`` does not broadcast to the
    output's (the input was not broadcast: an unfold's image, the array a pad surrounds)."""
    shape, out_shape = tuple(shape), tuple(out_shape)
    if shape == out_shape or not _broadcasts(shape, out_shape):
        return expr
    if shape == () or all(s == 1 for s in shape):
        total = f"sum({expr})"
        return total if shape == () else f"{total}.reshape{shape}"
    extra = len(out_shape) - len(shape)
    lead = tuple(range(extra))
    ones = tuple(i + extra for i, s in enumerate(shape) if s == 1 and out_shape[i + extra] != 1)
    if not ones:
        return f"sum({expr}, axis={axis_text(lead)})"
    if not lead:
        return f"sum({expr}, axis={axis_text(ones)}, keepdims=True)"
    return f"sum({expr}, axis={axis_text(lead + ones)}).reshape{shape}"


def _broadcasts(shape: tuple, out_shape: tuple) -> bool:
    """Whether an array of ``shape`` broadcasts to ``out_shape``, by numpy's own rule."""
    try:
        return np.broadcast_shapes(shape, out_shape) == out_shape
    except ValueError:
        return False


def axis_text(axes) -> str:
    return str(axes[0]) if len(axes) == 1 else str(tuple(axes))


def indices(ndim: int, skip=()) -> str:
    """``"i, j, k"``: one letter per axis, leaving out ``skip``."""
    return ", ".join(LETTERS[i] for i in range(ndim) if i not in skip)
