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
* ``backward``: the reverse walk over the tape.
"""
from __future__ import annotations

import gc
import operator

import numpy as np

from .modes import _seq, _state


def _check_finite(op: "Op", where: str, arrays) -> None:
    for i, a in enumerate(arrays):
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
    ``keeps`` lists the inputs whose own arrays forward saves (``keeps_output``: it saves its
    output's array): recording notes their versions, and ``backward()`` refuses to run if one was
    changed in place since (see ``bump_version``).
    """

    __slots__ = ("parents", "needs", "seq", "__dict__")  # settings and saved arrays go in __dict__
    formula = ""
    freed = False
    saves = ()  # names of the arrays that forward keeps for backward (freed after backward)
    keeps = ()  # indices of the inputs whose arrays are saved as they are (version-checked)
    keeps_output = False  # True if forward saves its output array (version-checked)
    versions = None  # the kept inputs' versions when recorded; None: all 0 (the common case)
    checked = False  # keeps or keeps_output: set for each subclass

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
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
        d = self.__dict__
        for k in self.saves:
            d.pop(k, None)
        self.freed = True

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
    axes = tuple(range(extra)) + tuple(
        i + extra for i, n in enumerate(shape) if n == 1 and grad.shape[i + extra] != 1
    )
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


# ----------------------------------------------------------------------------------------------
# Recording and the reverse walk.
# ----------------------------------------------------------------------------------------------


def collect(root) -> tuple[list, list]:
    """The tape of ``root``: (recorded tensors sorted oldest first, leaves requiring grad).

    Iterative depth-first search over ``tensor._op.parents``; only tensors that require grad are
    part of the graph. A parent whose op is newer than its consumer was updated in place after the
    consumer used it (``c += 1`` records a new op and makes ``c`` its output): the consumer's input
    is the value ``c`` had then, the snapshot that the in-place op took as its first input, and
    ``parents`` is corrected to point at it.
    """
    seen = {root}   # Tensors hash by identity: a set of them is a set of distinct objects
    stack = [root]
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
            if p._op is not None and p._op.seq > seq:
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


def _check_versions(op, t) -> None:
    """Raise if an array that ``op`` saved (of an input, or of its output ``t``) changed in place."""
    for k, i in enumerate(op.keeps):
        p = op.parents[i]
        if p._vbox is not None:
            then = op.versions[k] if op.versions else 0
            if p._vbox[0] != then:
                _stale(op, f"input {i} (shape {p.data.shape}{_named(p)})", then, p._vbox[0])
    if op.keeps_output and t._vbox is not None and t._vbox[0] != 0:
        _stale(op, f"its output (shape {t.data.shape}{_named(t)})", 0, t._vbox[0])


def _stale(op, who, then, now):
    raise RuntimeError(
        f"backward: one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: {op.name} (op #{op.seq}) saved {who} at version {then}, and it is now "
        f"at version {now}. Compute the loss again after the in-place update (e.g. the optimizer's "
        f"step), or make the update before computing it.")


def _named(t) -> str:
    return f", name {t.name!r}" if t.name else ""


def _store(t, g, owned: bool = False) -> None:
    """Accumulate ``g`` into ``t.grad`` (in ``t``'s dtype), as PyTorch does.

    A leaf's first ``.grad`` is an array of its own: ``g`` itself when the walk allocated it and
    nobody else holds it (``owned``), else a copy. An intermediate's is a read-only view of ``g``:
    no copy, and since nobody can write to it, sharing the array with a neighbour's is harmless.
    """
    if type(g) is not np.ndarray:  # numpy gives 0-d results as scalars: make them arrays
        g, owned = np.asarray(g), True
    dtype = t.data.dtype
    if t._grad is not None:
        t._grad = (t._grad + g).astype(dtype, copy=False)
    elif g.dtype != dtype or (t._op is None and not owned):
        t._grad = g.astype(dtype)
    elif t._op is None:
        t._grad = g
    else:
        t._grad = g = g.view()
        g.flags.writeable = False


def backward(root, grad: np.ndarray, retain_graph: bool = False) -> None:
    """Walk the tape of ``root`` newest first, seeding it with ``grad``.

    For each recorded tensor ``t`` (made by op ``f`` from ``parents``): the gradient that reached
    ``t`` is complete, because every op that used ``t`` is newer and has already run. It is stored
    in ``t.grad``, then ``f.backward`` turns it into one gradient per parent (the chain rule: the
    upstream gradient times the local Jacobian), each summed back to its parent's shape if it was
    broadcast, and added into that parent's running total.

    Two savings that change no number: a running total that this walk allocated itself is added to
    in place (``owned`` holds the ids of those totals while they sit in ``grads``), and Python's cycle
    collector, which would otherwise rescan the whole live graph while the walk allocates, is paused.
    """
    made, leaves = collect(root)
    grads = {root: grad}     # tensor -> running total of dL/dtensor
    owned = set()
    anomaly, last_bump = _state.anomaly, _last_bump[0]
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for t in reversed(made):
            op = t._op
            if op.freed:
                raise RuntimeError(
                    f"Trying to backward through the graph a second time: the values that {op.name} "
                    f"(op #{op.seq}) saved for its gradient were freed by the first backward(). Call "
                    f"backward(retain_graph=True) the first time if you need to go through it again.")
            if op.checked and op.seq < last_bump:   # recorded before an in-place update
                _check_versions(op, t)
            dy = grads.pop(t)  # complete: every op that used t is newer and has run
            if owned:
                owned.discard(id(dy))  # from here on dy may be shared: never written to again
            _store(t, dy)
            in_grads = op.backward(dy)
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
                elif id(prev) in owned and prev.dtype == g.dtype:
                    prev += g
                else:
                    owned.discard(id(prev))
                    grads[p] = total = prev + g
                    if type(total) is np.ndarray:  # (0-d sums are numpy scalars, immutable)
                        owned.add(id(total))
            if not retain_graph:
                op.free()
        for t in leaves:
            g = grads.get(t)
            if g is not None:
                _store(t, g, owned=id(g) in owned)
    finally:
        if gc_was_enabled:
            gc.enable()


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


def _version(t) -> int:
    box = t._vbox
    return 0 if box is None else box[0]


class Tape(list):
    """A loss's recorded tensors, oldest first: what ``backward`` walks in reverse.

    ``str(tape)`` is a numbered table: op, input shapes, output shape and the local-gradient formula.
    Each item is a Tensor ``t``; ``t.op`` is its op and ``t.op.parents`` its inputs.
    """

    def rows(self) -> list[tuple]:
        """(step, op description, input shapes, output shape, formula) for each entry."""
        return [(i, t._op.describe(), tuple(p.data.shape for p in t._op.parents), t.data.shape,
                 t._op.formula) for i, t in enumerate(self)]

    def __str__(self) -> str:
        lines = [f"tape: {len(self)} ops, oldest first (backward walks them from the bottom up)"]
        for i, what, ins, out, formula in self.rows():
            arrow = ", ".join(str(s) for s in ins)
            lines.append(f"{i:>4}  {what:<28} {arrow} -> {out}   [{formula}]")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)
