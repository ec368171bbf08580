"""In-place updates: what keeps a gradient right when an array changes after an op used it.

An op's ``backward`` reads the values its inputs and output hold when the walk reaches it (every
tensor keeps its value). Two kinds of in-place update could change those values first:

* **Recorded** (``c += 1`` where ``c`` or the other operand requires grad, outside ``no_grad``): the
  result is a new op, and ``c`` becomes its output, with a *new* array. Whoever used ``c`` before
  used its old value, which a snapshot keeps (``snapshot``; the new op remembers it as ``before``);
  the tape finds it (``as_seen_by``). If
  anything else holds ``c``'s array (a view, an alias from ``detach()``, a variable holding
  ``c.data``), it would not see the new value: that is refused, with what to write instead.
* **Unrecorded** (inside ``no_grad``, an optimizer's ``step()``, ``add_``): the array itself is
  written, so aliases and views see it, as in PyTorch. ``bump`` counts the update against the array
  that owns the memory (its *version*, shared by every view of it). When the walk reaches an op
  recorded before the latest update (``last_bump``), ``check`` looks at the arrays that op's
  backward reads and raises if one changed since, naming the op. An op reads what its
  ``backward(dy, y, *xs)`` uses (``reads``: found once per class from its code), a learner's
  ``Function`` what it saved with ``ctx.save_for_backward``. Writing into ``.data`` yourself bypasses
  this, as PyTorch's ``.data`` does.
"""
from __future__ import annotations

import collections
import dis
import sys
import weakref

import numpy as np

from . import modes

last_bump = -1      # the op number of the latest unrecorded update: older ops are checked
_versions = {}      # id(array owning the memory) -> [version, recent update numbers, weakref]
_reads_of = {}      # op class -> (reads its output, positions of the inputs it reads, or None: all)


def owner(a: np.ndarray):
    """The array that owns ``a``'s memory (``a`` itself, or the base its views share)."""
    while isinstance(a, np.ndarray) and a.base is not None:
        a = a.base
    return a


def version(a) -> int:
    """How many times the memory under array ``a`` was changed in place through the engine."""
    entry = _versions.get(id(owner(a)))
    return entry[0] if entry is not None and entry[2]() is owner(a) else 0


def bump(t) -> None:
    """Count an unrecorded in-place update of tensor ``t``'s array (and of every view of it)."""
    global last_bump
    base = t.data if t.data.base is None else owner(t.data)
    entry = _versions.get(id(base))
    if entry is None or entry[2]() is not base:
        key = id(base)
        entry = _versions[key] = [0, collections.deque(maxlen=16), _ref(base, key)]
    last_bump = next(modes.counter)
    entry[0] += 1
    entry[1].append(last_bump)


def _ref(base, key):
    try:   # the entry goes when the array does
        return weakref.ref(base, lambda _: _versions.pop(key, None))
    except TypeError:   # memory owned by a non-array (bytes, a buffer): kept for the session
        return lambda: base


def reads(op) -> tuple:
    """(whether ``op``'s backward reads its output ``y``, the positions of the inputs it reads; None
    for all). From the parameter names its ``backward(dy, y, *xs)`` loads, found once per class."""
    cls = type(op)
    if cls not in _reads_of:
        code = cls.backward.__code__
        names = code.co_varnames[1:code.co_argcount + bool(code.co_flags & 0x04)]   # dy, y, x...
        used = set(code.co_cellvars)   # names a nested function (a comprehension) reads
        for ins in dis.get_instructions(code):
            if ins.opname.startswith("LOAD_FAST") or ins.opname.startswith("LOAD_CLOSURE"):
                used.update(ins.argval if isinstance(ins.argval, tuple) else (ins.argval,))
        inputs = names[2:]
        star = code.co_flags & 0x04 and names[-1] in used
        _reads_of[cls] = (len(names) > 1 and names[1] in used,
                          None if star else [i for i, n in enumerate(inputs) if n in used])
    return _reads_of[cls]


def check(op, t, tape) -> None:
    """Raise if an array that ``op``'s backward reads (of an input, or of its output ``t``) was
    changed in place after ``op`` was recorded. ``tape`` numbers the op as the diagrams do."""
    saved = getattr(op, "saved_arrays", None)    # a learner's Function: what it saved
    if saved is not None:
        arrays = [(a, _who(op, t, a)) for a in saved(t)]
    else:
        out, positions = reads(op)
        positions = range(len(op.parents)) if positions is None else positions
        arrays = [(op.parents[i].data, f"input {i} (shape {op.parents[i].data.shape}"
                   f"{_named(op.parents[i])})") for i in positions if i < len(op.parents)]
        if out:
            arrays.append((t.data, f"its output (shape {t.data.shape}{_named(t)})"))
    for a, who in arrays:
        entry = _versions.get(id(owner(a)))
        if entry is not None and entry[2]() is owner(a) and entry[1] and entry[1][-1] > op.seq:
            now = entry[0]
            then = now - sum(1 for s in entry[1] if s > op.seq)
            raise RuntimeError(
                f"backward: one of the variables needed for gradient computation has been modified "
                f"by an inplace operation: {op.name} (op {place(tape, t)} of {len(tape)} on the "
                f"tape) saved {who} at version {then}, and it is now at version {now}. Compute the "
                f"loss again after the in-place update (e.g. the optimizer's step), or make the "
                f"update before computing it.")


def place(tape, t) -> int:
    """``t``'s number on ``tape``, 1 for the oldest op (by identity: a Tensor's == is elementwise)."""
    return next(k for k, m in enumerate(tape, start=1) if m is t)


def _who(op, t, a) -> str:
    for i, p in enumerate(op.parents):
        if owner(p.data) is owner(a):
            return f"input {i} (shape {p.data.shape}{_named(p)})"
    return f"its output (shape {t.data.shape}{_named(t)})" if owner(t.data) is owner(a) else \
        f"an array of shape {np.shape(a)}"


def _named(t) -> str:
    return f", name {t.name!r}" if t.name else ""


def spent_error(op, tape, t) -> RuntimeError:
    return RuntimeError(
        f"Trying to backward through the graph a second time: a backward() already walked it "
        f"(found at {op.name}, op {place(tape, t)} of {len(tape)} on the tape) without "
        f"retain_graph=True. As in PyTorch, a graph is walked once, which catches a loop that forgot "
        f"to compute the loss again; call backward(retain_graph=True) the first time if you need to "
        f"go through it twice.")


# ------------------------------------------------------------------------------- recorded updates


def snapshot_for_update(t, sym: str):
    """Before a recorded ``t <sym>= ...``: refuse what cannot be recorded, else return a snapshot of
    ``t`` (its current value and op) for the new op's input; the caller then makes ``t`` its output."""
    if t.requires_grad and t._op is None:
        raise RuntimeError(
            f"in-place {sym}: a leaf Variable that requires grad is being used in an in-place "
            f"operation (tensor of shape {t.shape}{_named(t)}). Its .grad would no longer belong to "
            f"the value you made it with. Update it inside `with no_grad():` (as an optimizer step "
            f"does), or write x = x ... for a new tensor.")
    if t.data.base is not None or sys.getrefcount(t.data) > 2:   # t's slot and the argument
        raise RuntimeError(
            f"in-place {sym}: this tensor (shape {t.shape}) shares its array with another (a view "
            f"from reshape/transpose/slicing, an alias from detach() or Tensor(t), or a variable "
            f"holding its .data), which would not see a recorded in-place update. Write y = y ... "
            f"for a new tensor, or update inside no_grad().")
    return snapshot(t)


def become(t, out, old):
    """After a recorded update: ``t`` takes the result's value and op (its users from now on see
    them); the op remembers ``old``, the snapshot, as what ``t`` was before it (``before``), where
    earlier users find it. Returns ``t``."""
    if out._op is not None and out._op is not old._op:
        out._op.before = old
    t.data, t._op, t._requires_grad, t._grad = out.data, out._op, out.requires_grad, None
    return t


def snapshot(t):
    """A new tensor holding ``t``'s current value and op: what ``t``'s earlier users saw."""
    old = type(t)(t.data, name=t.name)
    old._op, old._requires_grad = t._op, t._requires_grad
    return old


def as_seen_by(op, p):
    """The snapshot of ``p`` as ``op`` saw it (``p`` was updated by a recorded in-place op since,
    so ``p._op`` is newer than ``op``); ``op.parents`` is corrected to point at it."""
    old = p
    while p._op is not None and p._op.seq > op.seq:
        before = p._op.__dict__.get("before")
        p = p._op.parents[0] if before is None else before
    op.parents = tuple(p if q is old else q for q in op.parents)
    return p
