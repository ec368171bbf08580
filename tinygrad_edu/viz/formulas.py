"""Each op's expression and local-gradient formulas, written for one call: with the inputs' names,
for their shapes (a 1-D matmul's outer product, a broadcast input's sum) and the op's settings
(pow's exponent, the axes of a sum). ``graph.OpNode`` asks for them; the engine's generic
``op.formula`` is the fallback for an op this module does not know.

Every function takes an ``OpNode``-like object: ``.op``, ``.out`` and ``.inputs`` (nodes with
``.tensor`` and ``.name``).
"""
from __future__ import annotations

import numpy as np

__all__ = ["expression", "input_formulas", "roles", "sum_back"]

_INFIX = {"add": "+", "sub": "-", "mul": "*", "div": "/", "matmul": "@"}
_FUNCS = ("exp", "log", "tanh", "sigmoid", "relu")
_LETTERS = "ijklmnpq"


def _n(node) -> str:
    """A node's name as an operand: a negative number in parentheses."""
    return f"({node.name})" if node.name.startswith("-") else node.name


def _axis(axes) -> str:
    return str(axes[0]) if len(axes) == 1 else str(tuple(axes))


def expression(n) -> str:
    """What the op computed, e.g. ``X @ W``, ``exp(shifted)``, ``scores.sum(axis=1)``."""
    op, ins = n.op, [_n(i) for i in n.inputs]
    name = op.name
    if name in _INFIX and len(ins) == 2:
        return f"{ins[0]} {_INFIX[name]} {ins[1]}"
    if name == "neg":
        return f"-{ins[0]}"
    if name == "pow":
        return f"{ins[0]} ** {op.p:g}"
    if name in ("sum", "max") and hasattr(op, "axes"):
        shape = n.inputs[0].tensor.shape
        axis = "" if len(op.axes) == len(shape) else f"axis={_axis(op.axes)}"
        keep = "keepdims=True" if op.keepdims else ""
        return f"{ins[0]}.{name}({', '.join(p for p in (axis, keep) if p)})"
    if name == "reshape":
        return f"{ins[0]}.reshape{tuple(op.new_shape)}"
    if name == "transpose":
        return f"{ins[0]}.T" if len(op.axes) == 2 else f"{ins[0]}.transpose{tuple(op.axes)}"
    if name == "index":
        return ins[0] + op.describe()[len("index"):]
    return f"{name}({', '.join(ins)})"


def roles(n) -> list:
    """Each input's part in a non-commutative op: 'left' / 'right' of a matmul or a subtraction
    (``left @ right``, ``left - right``); '' where the order does not matter."""
    if n.op.name in ("matmul", "sub", "div"):
        return ["left", "right"]
    return [""] * len(n.inputs)


def sum_back(expr: str, shape, out_shape) -> str:
    """``expr`` (shaped like the output) summed back to an input of ``shape`` that was broadcast,
    as ``unbroadcast`` does: over the leading axes broadcasting added and the axes where the input
    has size 1. ``expr`` unchanged when the shapes are equal."""
    shape, out_shape = tuple(shape), tuple(out_shape)
    if shape == out_shape:
        return expr
    if shape == () or all(s == 1 for s in shape):
        total = f"sum({expr})"
        return total if shape == () else f"{total}.reshape{shape}"
    extra = len(out_shape) - len(shape)
    lead = tuple(range(extra))
    ones = tuple(i + extra for i, s in enumerate(shape) if s == 1 and out_shape[i + extra] != 1)
    if not ones:
        return f"sum({expr}, axis={_axis(lead)})"
    if not lead:
        return f"sum({expr}, axis={_axis(ones)}, keepdims=True)"
    return f"sum({expr}, axis={_axis(lead + ones)}).reshape{shape}"


def _idx(ndim: int, skip=()) -> str:
    return ", ".join(_LETTERS[i] for i in range(ndim) if i not in skip)


def _reduce_index(n):
    """(index of x, index of dy) for a reduction: ``dx[i, j] = dy[i]`` for a sum over axis 1."""
    nd, axes, keep = n.inputs[0].tensor.ndim, n.op.axes, n.op.keepdims
    ix = _idx(nd)
    if keep:
        iy = ", ".join("0" if i in axes else _LETTERS[i] for i in range(nd))
    else:
        iy = _idx(nd, skip=axes)
    return ix, iy


def _reduction(n, x: str, y: str) -> str:
    ix, iy = _reduce_index(n)
    dy = f"dy[{iy}]" if iy else "dy"
    if not ix:
        return f"d{x} = dy"
    if n.op.name == "sum":
        return f"d{x}[{ix}] = {dy}"
    yy = f"{y}[{iy}]" if iy else y
    return f"d{x}[{ix}] = {dy} where {x}[{ix}] == {yy}, else 0 (ties share it)"


def _matmul(n) -> list:
    a, b = (_n(i) for i in n.inputs)
    sa, sb = (i.tensor.shape for i in n.inputs)
    if len(sa) == 1 and len(sb) == 1:
        return [f"dy * {b}", f"dy * {a}"]
    if len(sa) == 1:
        batch = _axis(tuple(range(len(sb) - 2)))
        return [f"{b} @ dy", f"outer({a}, dy)"] if len(sb) == 2 else \
            [f"sum(({b} @ dy[..., None])[..., 0], axis={batch})", f"{a}[:, None] * dy[..., None, :]"]
    if len(sb) == 1:
        batch = _axis(tuple(range(len(sa) - 2)))
        return [f"outer(dy, {b})", f"{a}.T @ dy"] if len(sa) == 2 else \
            [f"dy[..., None] * {b}", f"sum(({a}.mT @ dy[..., None])[..., 0], axis={batch})"]
    if len(sa) == 2 and len(sb) == 2:
        return [f"dy @ {b}.T", f"{a}.T @ dy"]
    out = n.out.tensor.shape
    da, db = f"dy @ {b}.mT", f"{a}.mT @ dy"
    return [sum_back(da, sa, out[:-2] + sa[-2:]), sum_back(db, sb, out[:-2] + sb[-2:])]


def _elementwise(n) -> list | None:
    """The raw (output-shaped) gradient expression of each input, or None for an unknown op."""
    name, ins = n.op.name, [_n(i) for i in n.inputs]
    y = _n(n.out)
    x = ins[0]
    table = {
        "add": lambda: ["dy", "dy"],
        "sub": lambda: ["dy", "-dy"],
        "mul": lambda: [f"dy * {ins[1]}", f"dy * {ins[0]}"],
        "div": lambda: [f"dy / {ins[1]}", f"-dy * {ins[0]} / {ins[1]}**2"],
        "neg": lambda: ["-dy"],
        "exp": lambda: [f"dy * {y}"],
        "log": lambda: [f"dy / {x}"],
        "tanh": lambda: [f"dy * (1 - {y}**2)"],
        "sigmoid": lambda: [f"dy * {y} * (1 - {y})"],
        "relu": lambda: [f"dy * ({x} > 0)"],
    }
    if name == "pow":
        p = n.op.p
        if p == 2:
            return [f"2 * {x} * dy"]
        return [f"{p:g} * {x} ** {p - 1:g} * dy"]
    if name == "matmul":
        return _matmul(n)
    return table[name]() if name in table and len(ins) == len(table[name]()) else None


def _one(n, k: int, raw) -> str:
    """The formula for input ``k`` of ``n``."""
    x = n.inputs[k]
    dx = f"d{_n(x)}"
    name, shape = n.op.name, x.tensor.shape
    if raw is not None:
        if name in ("matmul",):
            return f"{dx} = {raw[k]}"
        return f"{dx} = {sum_back(raw[k], shape, n.out.tensor.shape)}"
    if name in ("sum", "max") and hasattr(n.op, "axes"):
        return _reduction(n, _n(x), _n(n.out))
    if name == "reshape":
        return f"{dx} = dy.reshape{tuple(shape)}"
    if name == "transpose":
        axes = tuple(int(a) for a in np.argsort(n.op.axes))
        return f"{dx} = dy.T" if len(axes) == 2 else f"{dx} = dy.transpose{axes}"
    if name == "index":
        return f"{dx} = zeros{tuple(shape)}; {dx}{n.op.describe()[len('index'):]} += dy"
    letters = ["x"] if len(n.inputs) == 1 else ["a", "b"] if len(n.inputs) == 2 else \
        [f"x{i}" for i in range(len(n.inputs))]
    where = ", ".join(f"{v} = {_n(i)}" for v, i in zip(letters, n.inputs))
    return f"{n.op.formula} (with {where})" if n.op.formula else f"{dx}: {n.op.name}'s backward"


def input_formulas(n) -> list:
    """Per input: its local-gradient formula for this call (``dW = X.T @ dy``), or None when the
    input needs no gradient (a constant). A tensor that is two inputs of one op (``a * a``) gets
    ``+=`` in each: its gradient is the sum of both parts."""
    raw = _elementwise(n)
    needs = getattr(n.op, "needs", (True,) * len(n.inputs))
    out = [_one(n, k, raw) if need else None for k, need in enumerate(needs)]
    ids = [id(i.tensor) for i in n.inputs]
    for k, f in enumerate(out):      # a * a: each use adds its part, so say += (da += dy * a, twice)
        head = f"d{_n(n.inputs[k])} = "
        if f and ids.count(ids[k]) > 1 and f.startswith(head):
            out[k] = f"{head[:-2]}+= {f[len(head):]}"
    return out
