"""One model of a computation graph, read by the diagram, the trace and the step-through page.

``build(t)`` turns everything ``t`` depends on into a ``Graph``: a ``TensorNode`` per tensor (its
display name, its kind, its node id) and an ``OpNode`` per tape entry, numbered 1..n within the
graph in tape order (oldest first, the numbers ``print(t.tape())`` shows), with the expression it
computed and the local-gradient formula of each input, written with the inputs' names and
specialized to the call (a 1-D matmul's outer product, a broadcast input's sum, pow's exponent).
The engine's own ``op.formula`` stays the generic text; this module only reads the ops' classes,
settings and shapes.

Names, first match wins: ``names=`` (``{tensor: "name"}``, ``{id(tensor): "name"}`` or
``{"name": tensor}``), then ``Tensor.name``, then the caller's variables (the first frame outside
this package: its locals, then its globals, and dicts of tensors such as ``params["W1"]``; not for a
one-element constant), then a
default: the root is ``loss``, an intermediate is its op's name and number (``exp3``), a
one-element constant its value (``0.1``), other constants ``const1``..., other leaves ``param1``...
"""
from __future__ import annotations

import os
import sys

import numpy as np


__all__ = ["build", "Graph", "TensorNode", "OpNode", "format_array", "caller_names",
           "MAX_ENTRIES", "NOISE", "PRECISION"]

MAX_ENTRIES = 40   # tensors with at most this many entries are shown in full, larger as a summary
NOISE = 1e-10      # an entry below NOISE x the array's largest magnitude is rounding noise: shown as 0
PRECISION = 4      # significant digits

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ----------------------------------------------------------------------------------------------
# Numbers.
# ----------------------------------------------------------------------------------------------


def _num(v: float, precision: int) -> str:
    if v == 0:
        return "0"
    text = f"{v:.{precision}g}"
    return text


def format_array(a, precision: int = PRECISION, max_entries: int = MAX_ENTRIES,
                 noise: float = NOISE) -> str:
    """An array as text for a diagram: in full up to ``max_entries`` entries, columns right-aligned
    (for a monospace font), ``precision`` significant digits; a larger one as ``min / mean / max``.

    An entry whose magnitude is below ``noise`` times the array's largest magnitude is rounding
    noise (``5.551e-18`` beside ``0.37``) and is shown as ``0``. A 0-d array is a plain number; an
    (n, 1) column is written on one line.
    """
    a = np.asarray(a)
    if a.dtype.kind == "b":
        a = a.astype(np.int8)
    a = a.astype(np.float64)
    top = np.max(np.abs(a[np.isfinite(a)])) if np.isfinite(a).any() else 0.0
    if top > 0:
        a = np.where(np.abs(a) < noise * top, 0.0, a)
    if a.ndim == 0:
        return _num(a.item(), precision)
    if a.size > max_entries:
        mean = a.mean()
        mean = 0.0 if abs(mean) < noise * top else mean
        return (f"min {_num(a.min(), precision)}  mean {_num(mean, precision)}  "
                f"max {_num(a.max(), precision)}")
    if a.ndim == 1:
        cells = [_num(v, precision) for v in a]
        width = max(map(len, cells), default=0)
        return "[" + "  ".join(c.rjust(width) for c in cells) + "]"
    if a.ndim == 2 and a.shape[1] == 1:
        return "[" + ", ".join(f"[{_num(v, precision)}]" for v in a[:, 0]) + "]"
    if a.ndim == 2:
        cells = [[_num(v, precision) for v in row] for row in a]
        width = [max(len(r[j]) for r in cells) for j in range(a.shape[1])]
        rows = ["[" + "  ".join(c.rjust(w) for c, w in zip(r, width)) + "]" for r in cells]
        return "[" + ("\n ".join(rows)) + "]"
    return np.array2string(a, separator=" ", formatter={"float_kind": lambda v: _num(v, precision)})


def short_text(a, entries: int = 4) -> str:
    """A value as it fits on an edge: its numbers on one line when at most ``entries``, else its
    shape."""
    a = np.asarray(a)
    if a.size <= entries:
        return " ".join(format_array(a).split())
    return shape_text(a.shape) + " array"


def shape_text(shape) -> str:
    """``(4, 5)``; an empty string for a 0-d tensor (its one number says it)."""
    return "" if tuple(shape) == () else str(tuple(shape))


# ----------------------------------------------------------------------------------------------
# Names.
# ----------------------------------------------------------------------------------------------


def _is_tensor(v) -> bool:
    return type(v).__name__ == "Tensor" and hasattr(v, "_op")


def caller_names(frame=None) -> dict:
    """{id(tensor): variable name} from the first frame outside ``tinygrad_edu``: its locals first,
    then its globals; a dict of tensors with string keys (``params``) names them by key."""
    f = frame or sys._getframe(1)
    while f is not None and os.path.abspath(f.f_code.co_filename).startswith(_PACKAGE + os.sep):
        f = f.f_back
    if f is None:
        return {}
    out = {}
    for space in (f.f_locals, f.f_globals):
        for k, v in list(space.items()):
            if k.startswith("_"):
                continue
            if _is_tensor(v):
                out.setdefault(id(v), k)
            elif isinstance(v, dict) and len(v) <= 1000:
                for kk, vv in v.items():
                    if isinstance(kk, str) and kk.isidentifier() and _is_tensor(vv):
                        out.setdefault(id(vv), kk)
    return out


def _given(names) -> dict:
    """Normalise ``names`` to {id(tensor): name}: keys are tensors or ids; {"name": tensor} too."""
    out = {}
    for k, v in (names or {}).items():
        if isinstance(k, str) and not isinstance(v, str):
            k, v = v, k
        out[k if isinstance(k, int) else id(k)] = str(v)
    return out


# ----------------------------------------------------------------------------------------------
# The model.
# ----------------------------------------------------------------------------------------------


class TensorNode:
    """A tensor of the graph: ``tensor``, ``name``, ``kind`` ('output', 'param', 'const' or
    'inter'), ``id`` (its node id: ``v<k>`` for the output of op k, ``leaf<i>`` for a leaf),
    ``op`` (the OpNode that made it, or None) and ``folded`` (a one-element constant written into
    its op's expression instead of drawn as a node of its own)."""

    def __init__(self, tensor, name, kind, node_id, op=None):
        self.tensor, self.name, self.kind, self.id, self.op = tensor, name, kind, node_id, op
        self.folded = kind == "const" and tensor.data.size == 1 and name == _value_name(tensor)

    def __repr__(self):
        return f"<TensorNode {self.name} {self.id}>"


class OpNode:
    """Tape entry ``number`` (1..n, oldest first): ``op``, ``out`` and ``inputs`` (TensorNodes),
    ``expr`` (e.g. ``scores = X @ W``), ``grads`` (per input: its local-gradient formula such as
    ``dW = X.T @ dy``, or None when that input needs no gradient) and ``roles`` (per input: its
    part in a non-commutative op, e.g. 'left' / 'right' of a matmul, else '')."""

    def __init__(self, number, op, out, inputs):
        self.number, self.op, self.out, self.inputs = number, op, out, inputs
        self.id = f"op{number}"
        self.expr = f"{out.name} = {op.expression([i.name for i in inputs])}"
        self.grads = _formulas(self)
        self.roles = list(op.roles) or [""] * len(inputs)

    @property
    def name(self) -> str:
        return self.op.name

    def __repr__(self):
        return f"<OpNode {self.number} {self.expr}>"


def _formulas(n) -> list:
    """Per input of OpNode ``n``: the op's local-gradient formula for this call (the op writes it:
    ``op.explain``), or None for an input that needs no gradient (a constant). A tensor that is two
    inputs of one op (``a * a``) gets ``+=`` in each: its gradient is the sum of both parts."""
    names = [i.name for i in n.inputs]
    out = n.op.explain(names, [i.tensor.shape for i in n.inputs], n.out.name, n.out.tensor.shape)
    needs = getattr(n.op, "needs", [True] * len(n.inputs))
    out = [f if need else None for f, need in zip(out, needs)]
    ids = [id(i.tensor) for i in n.inputs]
    for k, f in enumerate(out):
        head = f"d{names[k]} = "
        if f and ids.count(ids[k]) > 1 and f.startswith(head):
            out[k] = f"{head[:-2]}+= {f[len(head):]}"
    return out


class Graph:
    """Everything a tensor depends on: ``root`` (a TensorNode), ``tensors`` (every TensorNode,
    each op's inputs before its output, in tape order), ``ops`` (OpNodes numbered 1..n) and
    ``node(t)`` / ``name(t)`` for any tensor of the graph."""

    def __init__(self, root_tensor, tensors, ops):
        self.tensors, self.ops = tensors, ops
        self._by_id = {id(n.tensor): n for n in tensors}
        self.root = self._by_id[id(root_tensor)]

    def node(self, t) -> TensorNode:
        return self._by_id[id(t)]

    def name(self, t) -> str:
        return self._by_id[id(t)].name

    @property
    def names(self) -> dict:
        """{id(tensor): name} for every tensor of the graph."""
        return {k: n.name for k, n in self._by_id.items()}


def _value_name(t) -> str:
    return _num(float(t.data.reshape(-1)[0]), PRECISION)


def _kind(x, root) -> str:
    if x is root:
        return "output"
    if x.op is None:
        return "param" if x.requires_grad else "const"
    return "inter"


def _default_name(x, kind, number, counters) -> str:
    if kind == "output" and x.op is not None and number is not None:
        return "loss" if x.data.size == 1 else "out"
    if x.op is not None:
        return f"{x.op.name}{number}"
    if kind == "const" and x.data.size == 1:
        return _value_name(x)
    counters[kind] = counters.get(kind, 0) + 1
    return f"{'const' if kind == 'const' else 'param'}{counters[kind]}"


def build(t, names=None, frame=None) -> Graph:
    """The Graph of tensor ``t`` (see the module's docstring for the names).

    ``frame`` is the Python frame whose variables name the tensors; by default the first frame
    outside this package.
    """
    if not _is_tensor(t):
        raise TypeError(f"expected a Tensor, got {type(t).__name__}")
    made = list(t.tape())
    number = {id(m): k for k, m in enumerate(made, start=1)}
    order, seen = [], set()
    for out in made:
        for x in list(out.op.parents) + [out]:
            if id(x) not in seen:
                seen.add(id(x))
                order.append(x)
    if id(t) not in seen:
        order.append(t)
    given, found = _given(names), caller_names(frame or sys._getframe(1))
    counters, nodes, leaf = {}, {}, 0
    for x in order:
        kind, k = _kind(x, t), number.get(id(x))
        if kind == "const" and x.data.size == 1:
            found.pop(id(x), None)   # a one-element constant reads best as its value
        name = (given.get(id(x)) or x.name or found.get(id(x))
                or _default_name(x, kind, k, counters))
        if k is None:
            leaf += 1
        nodes[id(x)] = TensorNode(x, name, kind, f"v{k}" if k else f"leaf{leaf}")
    ops = []
    for out in made:
        k = number[id(out)]
        node = OpNode(k, out.op, nodes[id(out)], [nodes[id(p)] for p in out.op.parents])
        nodes[id(out)].op = node
        ops.append(node)
    return Graph(t, [nodes[id(x)] for x in order], ops)
