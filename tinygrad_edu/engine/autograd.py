"""The tape and the reverse walk.

Every op that involves a tensor with ``requires_grad=True`` is recorded: the op object keeps its
inputs (``parents``) and a sequence number (``seq``) taken from a global counter, and the output
tensor points at the op. Execution order is a topological order, so the *tape* of a loss is simply
the set of recorded tensors it depends on, sorted by ``seq``. ``backward`` walks that list newest
first, asks each op for its local gradient (a vector-Jacobian product) and adds what comes back into
the inputs' gradients. No recursion anywhere, and nothing global holds a tensor: a graph lives exactly
as long as the tensors that reach it.

This module holds the three ideas that every op shares:

* ``Op``: the base class of a primitive (forward, backward, formula);
* ``unbroadcast``: the one place where broadcasting's gradient lives;
* ``backward``: the reverse walk over the tape. Its optional ``hook(t, op, dy, in_grads)`` observes
  each step (the gradient that arrived at ``t``, what ``op.backward`` returned); the narrated trace
  (``viz.trace``) is such an observer, so there is one walk, not a copy of it.

Gradients of gradients (``create_graph=True``) use the same walk: the upstream gradient is then a
Tensor, and each op runs its one backward formula on a copy of itself whose saved arrays are replaced
by the Tensors they are the values of (``Op.on_graph``), so the formula records a graph of its own.
Without it, numpy alone runs, as fast as before.
"""
from __future__ import annotations

import gc
import operator

import numpy as np

from .modes import _seq, _state


def _check_finite(op: "Op", where: str, arrays) -> None:
    for i, a in enumerate(arrays):
        a = getattr(a, "data", a)   # a Tensor when the walk builds a graph (create_graph)
        if a is not None and not np.all(np.isfinite(a)):
            shapes = ", ".join(str(p.shape) for p in op.parents)
            bad = "nan" if np.isnan(a).any() else "inf"
            what = "its output" if where == "forward" else f"the gradient for input {i}"
            raise FloatingPointError(
                f"{op.name} ({where}) produced {bad} in {what}; inputs of shapes {shapes}. "
                f"Formula: {op.formula}. Check this op's inputs (e.g. log of a value <= 0, "
                f"exp of a large number, division by zero)."
            )


# ----------------------------------------------------------------------------------------------
# The op base class.
# ----------------------------------------------------------------------------------------------


class Op:
    """A primitive operation: a numpy forward, a local gradient, and its formula as text.

    Subclasses set ``formula`` (what ``backward`` computes, shown by diagrams and the trace) and
    define ``forward(*arrays) -> array`` and ``backward(dy) -> tuple`` with one gradient (or None)
    per input. Arrays needed by backward are saved as attributes in ``forward`` and named in
    ``saves``; ``free()`` deletes them after a backward pass that does not retain the graph.
    Settings (an axis, an exponent) come through ``__init__`` and stay.
    ``self.needs[i]`` tells whether input ``i`` needs a gradient, so work for constants is skipped.

    Gradients of gradients: write ``backward`` with operations that numpy arrays and Tensors both
    support (``dy * self.y``, ``dy @ b.T``, ``.reshape``, ``.sum(axis, keepdims=True)``, and the
    helpers ``expand``/``scatter_add`` of ``ops.shape``), and say in ``graph_saves`` what each saved
    array is the value of: an input's position (``0``, ``1``), ``"out"`` (the output), ``"inputs"``
    (a tuple of all the inputs, as einsum keeps), or ``"const"`` (used only through a locally
    constant function, such as relu's mask); ``{}`` for an
    op that saves nothing. ``on_graph`` then swaps the arrays for those Tensors and the same formula
    builds a graph (``create_graph``). Without ``graph_saves`` an op refuses ``create_graph``.

    ``keeps`` lists the inputs whose own arrays forward saves (``keeps_output``: it saves its
    output's array): recording notes their versions, and ``backward()`` refuses to run if one was
    changed in place since (see ``bump_version``).

    *Saved arrays in slots.* An op made once per call (the arithmetic and elementwise ones) lists its
    saved arrays as ``__slots__`` too (``__slots__ = saves = ("a", "b")``): a recorded op then
    carries no attribute dict, one allocation less per op. Settings (an axis) still go in the dict.
    """

    # the graph's links; ``freed`` is set by ``record``; settings and other saved arrays: __dict__
    __slots__ = ("parents", "needs", "seq", "freed", "__dict__")
    formula = ""
    saves = ()  # names of the arrays that forward keeps for backward (freed after backward)
    graph_saves = None  # {saved name: input position | "out" | "const"}, for create_graph
    keeps = ()  # indices of the inputs whose arrays are saved as they are (version-checked; by
    # default the inputs that graph_saves names, and keeps_output when it names "out")
    keeps_output = False  # True if forward saves its output array (version-checked)
    versions = None  # the kept inputs' versions when recorded; None: all 0 (the common case)
    checked = False  # keeps or keeps_output: set for each subclass

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        plan = cls.__dict__.get("graph_saves") or {}
        if "keeps" not in cls.__dict__:     # an input saved as it is, per graph_saves, is kept
            cls.keeps = tuple(sorted({v for v in plan.values() if isinstance(v, int)}))
        if "keeps_output" not in cls.__dict__:
            cls.keeps_output = "out" in plan.values()
        cls.checked = bool(cls.keeps) or cls.keeps_output

    @property
    def name(self) -> str:
        return type(self).__name__.lower()

    def forward(self, *args):  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, dy):  # pragma: no cover - abstract
        raise NotImplementedError

    def free(self) -> None:
        """Drop the arrays saved for backward; the graph's structure and the op's settings stay."""
        for k in self.saves:
            try:
                delattr(self, k)
            except AttributeError:   # never saved (its input needed no gradient), or freed already
                pass
        self.freed = True

    def on_graph(self, out) -> "Op":
        """A copy of this op whose saved arrays are the Tensors they came from (``graph_saves``):
        its ``backward``, given a Tensor ``dy``, records the gradient as a graph. ``out`` is the
        tensor this op made. Raises ``NotImplementedError`` for an op that does not declare
        ``graph_saves`` (a saved input taken for a constant would give a wrong second derivative).
        """
        plan = self.graph_saves
        missing = list(self.saves) if plan is None else [k for k in self.saves if k not in plan]
        if plan is None or missing:
            raise NotImplementedError(
                f"{self.name}: cannot differentiate this op's gradient (create_graph=True): it does "
                f"not declare graph_saves (what its saved values {missing} are). Write its backward "
                f"with Tensor-compatible operations and set graph_saves on {type(self).__name__}.")
        twin = object.__new__(type(self))   # a shallow copy: same parents, settings and arrays
        for cls in type(self).__mro__:
            for k in cls.__dict__.get("__slots__", ()):
                if k != "__dict__" and hasattr(self, k):
                    setattr(twin, k, getattr(self, k))
        twin.__dict__.update(self.__dict__)
        for name, source in plan.items():
            if source == "out":
                setattr(twin, name, out)
            elif source == "inputs":
                setattr(twin, name, self.parents)
            elif source != "const":
                setattr(twin, name, self.parents[source])
        return twin

    def describe(self) -> str:
        """A short text such as ``'matmul (3, 4) @ (4, 2)'``; overridden where args matter."""
        return self.name

    def __repr__(self) -> str:
        return f"<{self.name} #{getattr(self, 'seq', '?')}>"


# ----------------------------------------------------------------------------------------------
# Broadcasting's gradient: the one helper.
# ----------------------------------------------------------------------------------------------


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``grad`` back to ``shape``, undoing numpy broadcasting.

    If ``x`` of shape ``shape`` was broadcast to ``grad.shape`` in the forward pass, each entry of
    ``x`` was used once per copy, so its gradient is the sum over the copies: over the leading axes
    that broadcasting added, and over every axis where ``shape`` has a 1. Shapes: ``grad`` (*B),
    result ``shape``.
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0 and grad.shape[extra:] == shape:   # only leading axes were added (a bias row)
        return grad.sum(axis=tuple(range(extra)))
    axes = tuple(range(extra)) + tuple(
        i + extra for i, n in enumerate(shape) if n == 1 and grad.shape[i + extra] != 1
    )
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad if grad.shape == shape else grad.reshape(shape)


# ----------------------------------------------------------------------------------------------
# Recording and the reverse walk.
# ----------------------------------------------------------------------------------------------


def collect(*roots) -> tuple[list, list]:
    """The tape of ``root`` (or of several roots): (recorded tensors sorted oldest first, leaves
    requiring grad).

    Iterative depth-first search over ``tensor._op.parents``; only tensors that require grad are
    part of the graph. A parent whose op is newer than its consumer was updated in place after the
    consumer used it (``c += 1`` records a new op and makes ``c`` its output): the consumer's input
    is the value ``c`` had then, the snapshot that the in-place op took as its first input, and
    ``parents`` is corrected to point at it.
    """
    seen = set(roots)   # Tensors hash by identity: a set of them is a set of distinct objects
    stack = list(seen)
    made, leaves = [], []
    while stack:
        t = stack.pop()
        op = t._op
        if op is None:
            leaves.append(t)
            continue
        made.append(t)
        seq = op.seq
        for p in op.parents:
            maker = p._op
            if maker is not None and maker.seq > seq:
                p = _resolve(op, p)
            if p.requires_grad and p not in seen:
                seen.add(p)
                stack.append(p)
    made.sort(key=_seq_of)
    return made, leaves


_seq_of = operator.attrgetter("_op.seq")


def _resolve(op, p):
    """The snapshot of ``p`` as ``op`` saw it (``p`` was updated in place since); fixes ``op.parents``."""
    old = p
    while p._op is not None and p._op.seq > op.seq:
        p = p._op.parents[0]
    op.parents = tuple(p if q is old else q for q in op.parents)
    return p


def bump_version(t) -> None:
    """Note that ``t``'s array was changed in place (by an in-place operator or an optimizer step).

    Ops that saved the array remember its version when recorded; ``backward()`` compares and raises
    if it moved. Aliases made by ``detach()`` share the counter. Writing into ``.data`` yourself
    does not call this: it is the escape hatch, unchecked (as PyTorch's ``.data``).
    """
    box = t._vbox
    if box is None:
        t._vbox = [1]
    else:
        box[0] += 1
    _last_bump[0] = next(_seq)   # ops recorded after this cannot be stale: the walk skips them


_last_bump = [-1]   # the op number at the latest in-place update (any thread; a cheap filter)


def _check_versions(op, t, made) -> None:
    """Raise if an array that ``op`` saved (of an input, or of its output ``t``) changed in place.
    ``made`` is the tape being walked: the error numbers the op as the tape and the diagrams do."""
    for k, i in enumerate(op.keeps):
        p = op.parents[i]
        if p._vbox is not None:
            then = op.versions[k] if op.versions else 0
            if p._vbox[0] != then:
                _stale(op, _number(made, t), f"input {i} (shape {p.data.shape}{_named(p)})", then,
                       p._vbox[0])
    if op.keeps_output and t._vbox is not None and t._vbox[0] != 0:
        _stale(op, _number(made, t), f"its output (shape {t.data.shape}{_named(t)})", 0, t._vbox[0])


def _number(made, t) -> str:
    """``t``'s op as 'op k of n': its place on the tape, oldest first (as ``Tape`` and the diagrams
    number it), not the global counter ``seq``."""
    k = next(k for k, m in enumerate(made, start=1) if m is t)   # by identity: == is elementwise
    return f"op {k} of {len(made)} on the tape"


def _stale(op, number, who, then, now):
    raise RuntimeError(
        f"backward: one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: {op.name} ({number}) saved {who} at version {then}, and it is now "
        f"at version {now}. Compute the loss again after the in-place update (e.g. the optimizer's "
        f"step), or make the update before computing it.")


def _named(t) -> str:
    return f", name {t.name!r}" if t.name else ""


def _store(t, g, owned: bool = False) -> None:
    """Accumulate ``g`` into ``t.grad`` (in ``t``'s dtype), as PyTorch does.

    A leaf's first ``.grad`` is an array of its own: ``g`` itself when the walk allocated it and
    nobody else holds it (``owned``), else a copy. An intermediate keeps ``g`` itself, no copy, though
    the walk may have passed the same array to a neighbour (``add`` sends ``dy`` to both inputs):
    ``Tensor.grad`` hands an intermediate's gradient out read-only, so nobody can write into both.
    """
    if type(g) is not np.ndarray:  # numpy gives 0-d results as scalars: make them arrays
        g, owned = np.asarray(g), True
    dtype = t.data.dtype
    if t._grad is not None:
        t._grad = (t._grad + g).astype(dtype, copy=False)
    elif g.dtype != dtype or (t._op is None and not owned):
        t._grad = g.astype(dtype)
    else:
        t._grad = g


def backward(root, grad, retain_graph: bool = False, create_graph: bool = False, inputs=None,
             hook=None):
    """Walk the tape of ``root`` newest first, seeding it with ``grad``.

    For each recorded tensor ``t`` (made by op ``f`` from ``parents``): the gradient that reached
    ``t`` is complete, because every op that used ``t`` is newer and has already run. It is stored
    in ``t.grad``, then ``f.backward`` turns it into one gradient per parent (the chain rule: the
    upstream gradient times the local Jacobian), each summed back to its parent's shape if it was
    broadcast, and added into that parent's running total.

    ``root``, ``grad`` may be tuples (several outputs); with ``inputs`` (a set) the gradients of
    those are returned in a dict and no ``.grad`` is touched (``grad()``); ``create_graph``: see the
    module's docstring. One saving that changes no number: a running total that this walk allocated
    is added to in place (``owned`` holds the ids of those totals while they sit in ``grads``).
    """
    roots, seeds = (root, grad) if isinstance(root, tuple) else ((root,), (grad,))
    made, leaves = collect(*roots)
    grads = _seeded(roots, seeds)    # tensor -> running total of dL/dtensor
    owned, found = set(), {}
    anomaly, last_bump = _state.anomaly, _last_bump[0]
    with _walking(create_graph):
        for t in reversed(made):
            op = t._op
            if op.freed:
                raise _freed(op, _number(made, t))
            if op.checked and op.seq < last_bump:   # recorded before an in-place update
                _check_versions(op, t, made)
            dy = grads.pop(t)  # complete: every op that used t is newer and has run
            if owned:
                owned.discard(id(dy))  # from here on dy may be shared: never written to again
            if inputs is None:
                _store(t, dy)
            elif t in inputs:
                found[t] = dy
            in_grads = _backward_on_graph(op, t, dy) if create_graph else op.backward(dy)
            if hook is not None:
                hook(t, op, dy, in_grads)
            if anomaly:
                _check_finite(op, "backward", in_grads)
            for p, g, need in zip(op.parents, in_grads, op.needs):
                if not need or g is None:
                    continue
                if g.shape != p.data.shape:
                    g = unbroadcast(g, p.data.shape)
                prev = grads.get(p)
                if prev is None:
                    grads[p] = g
                else:
                    _add(grads, owned, p, prev, g)
            if not retain_graph:
                op.free()
        for t in leaves:
            if t in grads and inputs is None:
                _store(t, grads[t], owned=id(grads[t]) in owned)
            elif t in grads and t in inputs:
                found[t] = grads[t]
    return found


def _add(grads: dict, owned: set, p, prev, g) -> None:
    """Add a further gradient ``g`` into ``p``'s running total ``prev``: in place when the walk
    allocated ``prev`` itself (its id is in ``owned``), else into a new total that it then owns."""
    if id(prev) in owned and prev.dtype == g.dtype:
        prev += g
    else:
        owned.discard(id(prev))
        grads[p] = total = prev + g
        if type(total) is np.ndarray:  # (0-d sums are numpy scalars, immutable)
            owned.add(id(total))


class _walking:
    """During a walk: recording on only to build a gradient's graph, and Python's cycle collector
    paused (it would otherwise rescan the whole live graph again and again while the walk allocates).
    A class rather than a ``contextlib`` generator: entered once per ``backward()``, it costs less."""

    def __init__(self, create_graph: bool):
        self.create_graph = create_graph

    def __enter__(self):
        self.gc_was_enabled, self.recording = gc.isenabled(), _state.grad_enabled
        gc.disable()
        _state.grad_enabled = self.create_graph

    def __exit__(self, *exc):
        _state.grad_enabled = self.recording
        if self.gc_was_enabled:
            gc.enable()


def _seeded(roots, seeds) -> dict:
    """The walk's starting totals: each root's seed (summed when a root is given twice)."""
    grads = {}
    for r, g in zip(roots, seeds):
        grads[r] = grads[r] + g if r in grads else g
    return grads


def _freed(op: Op, number: str) -> RuntimeError:
    return RuntimeError(
        f"Trying to backward through the graph a second time: the first backward() freed the "
        f"values its ops saved for their gradients (found at {op.name}, {number}). Call "
        f"backward(retain_graph=True) the first time if you need to go through it again.")


def _backward_on_graph(op: Op, out, dy) -> tuple:
    """``op``'s local gradients as recorded Tensors (create_graph); an array would leave the graph."""
    in_grads = op.on_graph(out).backward(dy)
    for i, g in enumerate(in_grads):
        if g is not None and op.needs[i] and not isinstance(g, type(out)):
            raise TypeError(
                f"{op.name}: its backward gave a {type(g).__name__} for input {i} when building a "
                f"graph (create_graph=True); write the formula with operations that Tensors support.")
    return in_grads


def record(op: Op, parents: tuple, out_data: np.ndarray, tensor_cls, needs: tuple | None = None):
    """Wrap ``out_data`` in a Tensor; if any parent requires grad and recording is on, link ``op``.

    ``needs`` (which parents require grad) may be passed by a caller that already knows it.
    """
    out = tensor_cls.__new__(tensor_cls)
    out.data = out_data if type(out_data) is np.ndarray else np.asarray(out_data)
    out._grad = out.name = out._op = out._vbox = None
    out.requires_grad = False
    if _state.grad_enabled:
        if needs is None:
            needs = tuple(map(_requires_grad, parents))
        if True in needs:
            op.parents = parents
            op.needs = needs
            op.seq = next(_seq)
            op.freed = False
            if op.keeps:
                for p in parents:            # most tensors were never changed in place: skip
                    if p._vbox is not None:
                        op.versions = [_version(parents[i]) for i in op.keeps]
                        break
            out.requires_grad = True
            out._op = op
            if _state.anomaly:
                _check_finite(op, "forward", (out_data,))
    return out


_requires_grad = operator.attrgetter("requires_grad")


def apply(op: Op, *inputs):
    """Run ``op`` on Tensors and record it: how a gradient formula on a graph uses a primitive
    that Tensor has no method for (``ops.shape.expand``, ``ops.shape.scatter_add``)."""
    return record(op, inputs, op.forward(*(t.data for t in inputs)), type(inputs[0]))


def _version(t) -> int:
    box = t._vbox
    return 0 if box is None else box[0]


class Tape(list):
    """A loss's recorded tensors, oldest first: what ``backward`` walks in reverse.

    ``str(tape)`` is a table numbered 1..n within this graph (the numbers the diagrams, the trace and
    the step-through page use too): op, input shapes, output shape and the local-gradient formula.
    Each item is a Tensor ``t``; ``t.op`` is its op and ``t.op.parents`` its inputs.
    """

    def rows(self) -> list[tuple]:
        """(number from 1, op description, input shapes, output shape, formula) for each entry."""
        return [(i, t._op.describe(), tuple(p.data.shape for p in t._op.parents), t.data.shape,
                 t._op.formula) for i, t in enumerate(self, start=1)]

    def __str__(self) -> str:
        lines = [f"tape: {len(self)} ops, oldest first (backward walks them from the bottom up)"]
        for i, what, ins, out, formula in self.rows():
            arrow = ", ".join(str(s) for s in ins)
            lines.append(f"{i:>4}  {what:<28} {arrow} -> {out}   [{formula}]")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)
