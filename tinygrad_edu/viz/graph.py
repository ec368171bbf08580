"""One model of a computation graph, read by the diagram, the trace and the step-through page.

``build(t)`` turns everything ``t`` depends on into a ``Graph``: a ``TensorNode`` per tensor (its
display name, its kind, its node id) and an ``OpNode`` per tape entry, numbered 1..n within the
graph in tape order (oldest first, the numbers ``print(t.tape())`` shows), with the expression it
computed and the local-gradient formula of each input, written with the inputs' names and
specialized to the call (a 1-D matmul's outer product, a broadcast input's sum, pow's exponent).
The engine's own ``op.formula`` stays the generic text; this module only reads the ops' classes,
settings and shapes.

Names, first match wins: ``names=`` (``{tensor: "name"}``, ``{id(tensor): "name"}`` or
``{"name": tensor}``), then ``Tensor.name`` (``tinygrad_edu.losses`` and ``functional`` name their
intermediates so: ``scores``, ``shifted``, ``correct``, ...), then the caller's variables (the first
frame outside this package: its locals, then its globals, and dicts of tensors such as
``params["W1"]``), then a default: the root is ``loss``, an intermediate is its op's name and number
(``exp3``), a one-element constant its value (``0.1``, written into its op's expression: it is
*folded*), other constants ``const1``..., other leaves ``param1``... A one-element constant that has
a name (``x1 = Tensor(2.0)``) keeps it and is drawn as a box of its own, ``x1 = 2``.

The integer arrays of an indexing are named too: ``arange(5)`` for a row counter, the caller's
variable holding the same integers (``y``), else ``idx``; ``OpNode.notes`` then says what they hold
(``y = [0, 2, 1, 1, 0]``), in full up to ``MAX_ENTRIES`` entries.
"""
from __future__ import annotations

import os
import sys

import numpy as np

from ..engine import Tensor
from .numbers import (MAX_ENTRIES, NOISE, PRECISION, _num, format_array, noise_floor, shape_text,
                      short_text, top)

__all__ = ["build", "Graph", "TensorNode", "OpNode", "format_array", "caller_names", "shape_text",
           "short_text", "MAX_ENTRIES", "NOISE", "PRECISION"]

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ----------------------------------------------------------------------------------------------
# Names.
# ----------------------------------------------------------------------------------------------


def _is_tensor(v) -> bool:
    return isinstance(v, Tensor)


def _caller(frame):
    """The first frame outside ``tinygrad_edu``, starting at ``frame``."""
    f = frame
    while f is not None and os.path.abspath(f.f_code.co_filename).startswith(_PACKAGE + os.sep):
        f = f.f_back
    return f


def _spaces(f):
    """The caller's variables that name things: (name, value) from its locals, then its globals,
    and from dicts with string keys (``params``), skipping private names."""
    for space in (f.f_locals, f.f_globals):
        for k, v in list(space.items()):
            if k.startswith("_"):
                continue
            yield k, v
            if isinstance(v, dict) and len(v) <= 1000:
                for kk, vv in list(v.items()):
                    if isinstance(kk, str) and kk.isidentifier():
                        yield kk, vv


def caller_names(frame=None) -> dict:
    """{id(tensor): variable name} from the first frame outside ``tinygrad_edu``: its locals first,
    then its globals; a dict of tensors with string keys (``params``) names them by key."""
    f = _caller(frame or sys._getframe(1))
    out = {}
    if f is not None:
        for k, v in _spaces(f):
            if _is_tensor(v):
                out.setdefault(id(v), k)
    return out


def caller_arrays(frame=None) -> list:
    """[(variable name, array)] for the integer numpy arrays (up to 100,000 entries) among the
    caller's variables, locals first: the names an indexing's arrays can be given."""
    f = _caller(frame or sys._getframe(1))
    out = []
    if f is not None:
        for k, v in _spaces(f):
            if _is_tensor(v):
                v = v.data
            if isinstance(v, np.ndarray) and v.dtype.kind in "iu" and 0 < v.size <= 100_000:
                out.append((k, v))
    return out


def _shared_constant(t) -> bool:
    """Whether ``t`` is one of the engine's shared constants (the ``2`` of ``x * 2``, one Tensor for
    every graph that uses the number): it takes no variable's name."""
    return t.is_shared_constant


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
    ``op`` (the OpNode that made it, or None), ``users`` (the OpNodes it is an input of),
    ``named`` (its name came from ``names=``, ``Tensor.name`` or a variable, not a default) and
    ``folded`` (an unnamed one-element constant, written into its op's expression instead of
    drawn as a node of its own)."""

    def __init__(self, tensor, name, kind, node_id, op=None, named=True):
        self.tensor, self.name, self.kind, self.id, self.op = tensor, name, kind, node_id, op
        self.folded = kind == "const" and tensor.data.size == 1 and not named
        self.named, self.users = named, []

    def __repr__(self):
        return f"<TensorNode {self.name} {self.id}>"


class OpNode:
    """Tape entry ``number`` (1..n, oldest first): ``op``, ``out`` and ``inputs`` (TensorNodes),
    ``expr`` (e.g. ``scores = X @ W``), ``grads`` (per input: its local-gradient formula such as
    ``dW = X.T @ dy``, or None when that input needs no gradient), ``roles`` (per input: its
    part in a non-commutative op, e.g. 'left' / 'right' of a matmul, else '') and ``notes``
    (lines that say what the expression's names hold, e.g. ``y = [0, 2, 1, 1, 0]``)."""

    def __init__(self, number, op, out, inputs):
        self.number, self.op, self.out, self.inputs = number, op, out, inputs
        self.id = f"op{number}"
        self._grads = None
        self.expr = f"{out.name} = {op.expression([i.name for i in inputs])}"
        self.roles = list(op.roles) or [""] * len(inputs)
        self.notes = _settings_note(op, [i.name for i in inputs])

    @property
    def grads(self) -> list:
        """Per input: its local-gradient formula for this call, written by the op (asked once)."""
        if self._grads is None:
            self._grads = _formulas(self)
        return self._grads

    @grads.setter
    def grads(self, formulas: list):
        self._grads = formulas

    @property
    def name(self) -> str:
        return self.op.name

    def __repr__(self):
        return f"<OpNode {self.number} {self.expr}>"


def _settings_note(op, names) -> list:
    """The op's settings as a line of its box (``unfold(kernel=(2, 2), stride=(1, 1), ...)``) when
    its expression is the bare ``name(inputs)``, which does not say them."""
    generic = op.expression(names) == f"{op.name}({', '.join(names)})"
    text = op.describe()
    return [text] if generic and text != op.name else []


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
    ``node(t)`` / ``name(t)`` for any tensor of the graph.

    ``floor(x, "grad")`` (or ``"value"``) is the magnitude below which an entry of ``x``'s
    gradient (value) is rounding noise: ``NOISE`` times the dtype's epsilon times the largest
    gradient (value) anywhere in the graph (see ``numbers``)."""

    def __init__(self, root_tensor, tensors, ops):
        self.tensors, self.ops = tensors, ops
        self._by_id = {id(n.tensor): n for n in tensors}
        self.root = self._by_id[id(root_tensor)]
        self._scale = {}

    def node(self, t) -> TensorNode:
        return self._by_id[id(t)]

    def name(self, t) -> str:
        return self._by_id[id(t)].name

    @property
    def names(self) -> dict:
        """{id(tensor): name} for every tensor of the graph."""
        return {k: n.name for k, n in self._by_id.items()}

    def scale(self, kind: str) -> float:
        """The largest finite magnitude of any tensor's value (``kind='value'``) or gradient
        (``'grad'``) in the graph."""
        if kind not in self._scale:
            arrays = (n.tensor.data if kind == "value" else n.tensor.grad for n in self.tensors)
            self._scale[kind] = max((top(a) for a in arrays if a is not None), default=0.0)
        return self._scale[kind]

    def floor(self, x, kind: str, noise: float = NOISE) -> float:
        return noise_floor(x.data.dtype, self.scale(kind), noise)


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


def _order(t, made) -> list:
    """Every tensor of the graph, each op's inputs before its output, in tape order."""
    order, seen = [], set()
    for out in made:
        for x in list(out.op.parents) + [out]:
            if id(x) not in seen:
                seen.add(id(x))
                order.append(x)
    if id(t) not in seen:
        order.append(t)
    return order


def build(t, names=None, frame=None) -> Graph:
    """The Graph of tensor ``t`` (see the module's docstring for the names).

    ``frame`` is the Python frame whose variables name the tensors; by default the first frame
    outside this package.
    """
    if not _is_tensor(t):
        raise TypeError(f"expected a Tensor, got {type(t).__name__}")
    frame = frame or sys._getframe(1)
    made = list(t.tape())
    number = {id(m): k for k, m in enumerate(made, start=1)}
    order = _order(t, made)
    given, found = _given(names), caller_names(frame)
    counters, nodes, leaf = {}, {}, 0
    for x in order:
        kind, k = _kind(x, t), number.get(id(x))
        name = given.get(id(x)) or x.name
        if not name and not (kind == "const" and x.data.size == 1 and _shared_constant(x)):
            name = found.get(id(x))
        named = bool(name)
        name = name or _default_name(x, kind, k, counters)
        if k is None:
            leaf += 1
        nodes[id(x)] = TensorNode(x, name, kind, f"v{k}" if k else f"leaf{leaf}", named=named)
    ops, arrays = [], None
    for out in made:
        k = number[id(out)]
        node = OpNode(k, out.op, nodes[id(out)], [nodes[id(p)] for p in out.op.parents])
        nodes[id(out)].op = node
        for p in node.inputs:
            p.users.append(node)
        if node.name == "index":
            arrays = caller_arrays(frame) if arrays is None else arrays
            _name_index(node, arrays)
        ops.append(node)
    return Graph(t, [nodes[id(x)] for x in order], ops)


# ----------------------------------------------------------------------------------------------
# What an indexing's arrays are.
# ----------------------------------------------------------------------------------------------


def _index_part(it, arrays, notes) -> str:
    """One item of an index as the student wrote it: ``arange(5)``, ``y``, ``1:3``, ``mask``."""
    if isinstance(it, np.ndarray) and it.dtype == bool:
        return "mask"
    if isinstance(it, np.ndarray):
        if it.ndim == 1 and np.array_equal(it, np.arange(it.size)):
            return f"arange({it.size})"
        name = next((k for k, a in arrays if a.shape == it.shape and np.array_equal(a, it)), "idx")
        shown = (str(it.tolist()) if it.size <= MAX_ENTRIES
                 else f"{shape_text(it.shape)} ints, from {it.min()} to {it.max()}")
        notes.append(f"{name} = {shown}")
        return name
    if isinstance(it, slice):
        text = ":".join("" if v is None else str(v) for v in (it.start, it.stop, it.step))
        return text[:-1] if text.endswith(":") and it.step is None else text
    return "..." if it is Ellipsis else "None" if it is None else str(it)


def _name_index(node, arrays) -> None:
    """Write an indexing's arrays into its expression and formulas by name (``[arange(5), y]``
    instead of ``[(5,) ints, (5,) ints]``), and what they hold into ``node.notes``."""
    index = getattr(node.op, "index", None)
    if index is None:
        return
    items = index if isinstance(index, tuple) else (index,)
    notes = []
    text = "[" + ", ".join(_index_part(it, arrays, notes) for it in items) + "]"
    generic = node.op.describe()[len("index"):]
    node.expr = node.expr.replace(generic, text)
    node.grads = [g.replace(generic, text) if g else g for g in node.grads]
    node.notes = list(dict.fromkeys(notes))


# ----------------------------------------------------------------------------------------------
# Why a gradient is zero.
# ----------------------------------------------------------------------------------------------


def why_zero(node: TensorNode) -> str | None:
    """Why the gradient of ``node`` is zero in exact arithmetic, when the graph says so: a max taken
    to shift the scores of a softmax (``x - x.max(...)``), which the result does not depend on."""
    op = node.op
    if op is None or op.name != "max":
        return None
    source = op.inputs[0].tensor
    for user in node.users:
        via = user
        if user.name == "reshape" and user.out.users:
            via = user.out.users[0]
        if via.name == "sub" and via.inputs[0].tensor is source and via.inputs[1] is not op.inputs[0] \
                and via.inputs[1] in (node, user.out):
            return ("the shift cancels: softmax(x - m) does not depend on m, so dL/dm = 0 "
                    "exactly; what is left is rounding")
    return None
