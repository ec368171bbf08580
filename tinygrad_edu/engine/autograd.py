"""The tape and the reverse walk: the ideas every op shares.

Read in this order:

* ``Op``: a primitive is a numpy ``forward``, a ``backward`` (its local gradient) and a ``formula``;
* ``record``: running an op on Tensors; if an input requires grad, the op is linked to its inputs
  (``parents``) and numbered (``seq``) from one counter;
* ``backward``: the reverse walk. Execution order is a topological order, so the *tape* of a loss
  is the recorded tensors it depends on, sorted by ``seq`` (``collect``); the walk goes newest
  first, so when it reaches a tensor every op that used it has already sent its share;
* ``unbroadcast``: broadcasting's gradient, the one place it lives.

No recursion anywhere, and nothing global holds a tensor: a graph lives as long as the tensors that
reach it.

The rest of what a real engine needs joins at marked seams (``# seam:``), each one line you may skip:
in-place updates (``versions.py``), gradients of gradients (``higher.py``), nan hunting
(``modes.py``), observers such as the narrated trace (``hook``) and tensor hooks (``hooks.py``). For a
program that uses none of them, none of their functions runs.
"""
from __future__ import annotations

import gc
import operator

import numpy as np

from . import fast, formulas, higher, hooks, modes, versions
from .inputs import array_of


class Op:
    """A primitive: ``forward(*xs) -> y`` on numpy arrays, ``backward(dy, y, *xs)`` its local gradient.

    ``backward`` receives dL/dy (shaped like y), the output's value and the inputs' values, and
    returns one gradient per input: the chain rule, dL/dx = dL/dy * dy/dx. It may return None for
    an input that needs no gradient (``self.needs[i]`` says which do). If an input was broadcast, the
    walk sums its gradient back to the input's shape (``unbroadcast``), so no op has to.
    ``formula`` is the local gradient as text. An op with settings is a ``WithSettings``.

    Written with operations that numpy arrays and Tensors both have (``dy * y``, ``dy @ b.T``,
    ``.reshape``), the same backward builds a graph of its own when the walk passes Tensors
    (gradients of gradients: ``higher.py``).
    """

    __slots__ = ("parents", "needs", "seq", "spent", "__dict__")   # the graph's links; settings: dict
    formula = ""
    spelling = None   # how a call reads, with the inputs' names in braces: "{a} + {b}"
    roles = ()        # each input's part where order matters: ("left", "right")

    @property
    def name(self) -> str:
        return type(self).__name__.lower()

    def forward(self, *xs):  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, dy, y, *xs):  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self) -> str:
        """A short text such as ``'sum(axis=1)'``; ops with settings say them."""
        return self.name

    def expression(self, names: list) -> str:
        """What this call computed, with the inputs' ``names``: ``X @ W`` (``formulas.py``)."""
        return formulas.expression(self, names)

    def explain(self, names: list, shapes: list, out: str, out_shape: tuple) -> list:
        """Each input's local-gradient formula for this call, written with the inputs' ``names``
        and ``shapes`` (``["dX = dy @ W.T", "dW = X.T @ dy"]``); by default ``formula`` with the
        names put in, summed back where an input was broadcast. The diagrams and the trace ask the
        op for it (``formulas.py``)."""
        return formulas.general(self, names, shapes, out, out_shape)

    def refused(self, inputs, error) -> Exception:
        """The error to raise when numpy refused this op's inputs (by default: their shapes do not
        broadcast); ops with other rules say theirs."""
        shapes = [t.shape for t in inputs]
        if len(shapes) == 2 and "broadcast" in str(error):
            return ValueError(
                f"{self.name}: shapes {shapes[0]} and {shapes[1]} cannot be broadcast together: "
                f"aligned from the right, each pair of dimensions must be equal or one of them 1. "
                f"Reshape one operand (e.g. add an axis with .reshape) so that they match.")
        return type(error)(f"{self.name}: inputs of shapes {', '.join(map(str, shapes))}: {error}")

    def __repr__(self) -> str:
        return f"<{self.name} #{getattr(self, 'seq', '?')}>"


class WithSettings(Op):
    """An op with settings (an axis, a shape), given as keywords: ``Sum(axes=(1,), keepdims=False)``."""

    def __init__(self, **settings):
        self.__dict__.update(settings)


def record(op: Op, *inputs):
    """``op`` run on Tensors: its forward on their values, and the result linked to ``op`` (if an
    input requires grad and recording is on), so that ``backward`` can walk back through it."""
    try:   # (one and two inputs spelled out: for a small array, a star-call costs as much as the op)
        data = (op.forward(inputs[0].data) if len(inputs) == 1 else
                op.forward(inputs[0].data, inputs[1].data) if len(inputs) == 2 else
                op.forward(*map(_data, inputs)))
    except (ValueError, IndexError, TypeError) as e:   # numpy refused: say why in the engine's words
        raise op.refused(inputs, e) from None
    out = object.__new__(type(inputs[0]))   # the Tensor of the result: the engine's one way to make
    # a Tensor without Tensor()'s checks of what a user gives (numpy's result needs none)
    out.data = data if type(data) is np.ndarray else np.asarray(data)   # (numpy gives 0-d as scalars)
    out._grad = out._op = out.name = None
    needs = (_NEEDS_1[inputs[0]._requires_grad] if len(inputs) == 1 else
             _NEEDS_2[inputs[0]._requires_grad][inputs[1]._requires_grad] if len(inputs) == 2 else
             tuple(map(_requires_grad, inputs)))
    out._requires_grad = True in needs and modes.state.grad_enabled
    if out._requires_grad:
        op.parents, op.needs, op.seq, op.spent = inputs, needs, next(modes.counter), False
        out._op = op
        if modes.state.anomaly:   # seam: detect_anomaly checks every result for nan and inf
            modes.check_finite(op, "forward", [data])
    return out


def backward(roots: tuple, seeds: tuple, retain_graph: bool = False, create_graph: bool = False,
             hook=None, tape=None, again: bool = False) -> dict:
    """Walk the tape of ``roots`` newest first, seeded with dL/droot = ``seeds``; returns the totals.

    For each recorded tensor ``t`` (made by op ``f`` from ``parents``): the gradient that reached
    ``t`` is complete, because every op that used ``t`` is newer and has already run. ``f.backward``
    turns it into one gradient per parent (the upstream gradient times the local Jacobian); each is
    fitted to its parent (summed back to its shape if it was broadcast) and added into that parent's
    running total. Returns ``{tensor: dL/dtensor}`` for every tensor reached; ``Tensor.backward``
    keeps them in ``.grad``. ``hook(t, i, g, total, raw)`` observes each gradient sent: ``t`` the
    tensor whose op sent it (``t.op``, with the gradient ``totals[t]`` that arrived), ``i`` the
    input's position, ``g`` what it received (after unbroadcast), ``total`` its running total right
    after, ``raw`` all that ``backward`` returned. ``tape``: the part of the
    graph to walk (default: all of it); ``again``: walk a graph a backward has already walked.
    """
    tape = collect(*roots) if tape is None else tape
    totals = {}
    for r, g in zip(roots, seeds):
        totals[r] = totals[r] + g if r in totals else g
    paused = gc.isenabled()
    gc.disable()    # the cycle collector would rescan the whole graph again and again meanwhile
    try:
        for t in reversed(tape):
            op, dy = t._op, totals.get(t)
            if dy is None:   # nothing reached t (an op sent None for it)
                continue
            if op.spent and not again:
                raise versions.spent_error(op, tape, t)
            if op.seq < versions.last_bump:   # seam: an array was changed in place since this op ran
                versions.check(op, t, tape)
            if hooks.hooked and id(t) in hooks.hooked:   # seam: t.register_hook(fn) may replace dy
                dy = totals[t] = hooks.run(t, dy)
            if create_graph:   # seam: the formulas run on Tensors and record a graph of their own
                in_grads = higher.on_graph(op, dy, t)
            else:
                ps = op.parents   # (spelled out for one and two inputs, as in record)
                in_grads = (op.backward(dy, t.data, ps[0].data) if len(ps) == 1 else
                            op.backward(dy, t.data, ps[0].data, ps[1].data) if len(ps) == 2 else
                            op.backward(dy, t.data, *map(_data, ps)))
            for i, (p, g) in enumerate(zip(op.parents, in_grads)):
                if g is None or not p._requires_grad:
                    continue
                if g.shape != p.data.shape or g.dtype is not p.data.dtype:
                    g = unbroadcast(g, p.data.shape, p.data.dtype)
                total = totals.get(p)
                if total is None:
                    totals[p] = g
                elif fast.only_the_walks(total):   # speed: a total nobody else holds grows in place
                    total += g
                else:
                    totals[p] = total + g
                if hook is not None:   # seam: an observer (the narrated trace) sees what was sent
                    hook(t, i, g, totals[p], in_grads)
            if not retain_graph:
                op.spent = True
    finally:
        if paused:
            gc.enable()
    return totals


def unbroadcast(grad, shape: tuple, dtype=None):
    """``grad`` fitted to an input of ``shape`` (and ``dtype``): broadcasting's gradient, in one place.

    If ``x`` of ``shape`` was broadcast to ``grad.shape`` in the forward pass, each entry of ``x``
    was used once per copy, so its gradient is the sum over the copies: over the leading axes that
    broadcasting added and over every axis where ``shape`` has a 1. And the other way round: a
    gradient with fewer entries than ``x`` (a sum's ``dy``, with the summed axes kept as 1) is
    broadcast up, since every entry summed gets the same ``dy``. Shapes: ``grad`` (*B), result
    ``shape``. Works on arrays and (for gradients of gradients) on Tensors.
    """
    if grad.ndim < len(shape) or grad.ndim == len(shape) and any(m == 1 != n for m, n in zip(grad.shape, shape)):
        grad = grad.expand(shape) if hasattr(grad, "_op") else fast.broadcast(grad, shape)
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))       # the leading axes broadcasting added
    ones = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if ones:
        grad = grad.sum(axis=ones, keepdims=True)       # the axes where x had size 1
    grad = grad.reshape(shape) if grad.shape != shape else grad
    return grad if dtype is None or grad.dtype == dtype else grad.astype(dtype)


def apply(op: Op, *args):
    """A primitive used inside a gradient formula: its forward on arrays, recorded on Tensors (when
    the walk builds a graph of the gradient), so one formula serves both (``Index``'s gradient)."""
    tensors = [a for a in args if hasattr(a, "_op")]
    if not tensors:
        return op.forward(*args)
    return record(op, *[tensors[0]._const(a) for a in args])


def collect(*roots) -> list:
    """The tape of ``roots``: every recorded tensor they depend on, oldest first.

    An iterative depth-first search over ``t._op.parents`` (only tensors that require grad belong to
    the graph), then a sort by ``seq``. A parent whose op is newer than its consumer was updated in
    place since (``c += 1`` records a new op): the consumer used the value ``c`` had then.
    """
    seen, stack, tape = set(roots), list(roots), []
    while stack:
        t = stack.pop()
        op = t._op
        if op is None:
            continue
        tape.append(t)
        for p in op.parents:
            maker = p._op
            if maker is not None and maker.seq > op.seq:   # seam: see versions.snapshot
                p = versions.as_seen_by(op, p)
            if p._requires_grad and p not in seen:
                seen.add(p)
                stack.append(p)
    tape.sort(key=_seq_of)
    return tape


_seq_of = operator.attrgetter("_op.seq")
# Which inputs require grad, for one and two inputs, as shared tuples indexed by the inputs' flags:
# recording an op then makes no object for it (fewer objects, fewer runs of the cycle collector).
_NEEDS_1 = ((False,), (True,))
_NEEDS_2 = (((False, False), (False, True)), ((True, False), (True, True)))
_data = operator.attrgetter("data")
_requires_grad = operator.attrgetter("_requires_grad")   # the slot behind requires_grad


def leaves(tape: list, roots=()) -> list:
    """The leaves that require grad under ``tape``'s ops (and roots that are leaves), first seen first."""
    seen, out = set(), []
    for t in list(roots) + [p for t in tape for p in t._op.parents]:
        if t._op is None and t.requires_grad and t not in seen:
            seen.add(t)
            out.append(t)
    return out


def local_gradients(t, dy) -> tuple:
    """The gradients that ``t``'s op sends its inputs for an upstream gradient ``dy`` (shaped like
    ``t``), each summed to its input's shape; None for an input that needs none. Reads the values
    the tensors hold now; records nothing and touches no ``.grad``."""
    op = t._op
    grads = op.backward(np.asarray(dy, dtype=t.data.dtype), t.data, *[p.data for p in op.parents])
    return tuple(None if g is None or not need else unbroadcast(np.asarray(g), p.data.shape)
                 for p, g, need in zip(op.parents, grads, op.needs))


def seed_of(t, grad, where: str, as_tensor: bool = False):
    """The gradient that starts a walk at ``t`` (``backward``, ``grad``, ``trace``): 1 for a
    one-element tensor, else ``grad`` checked: float, finite, of ``t``'s shape, in ``t``'s dtype.
    ``as_tensor``: as a Tensor (a graph of the gradient starts from it)."""
    if not t.requires_grad:
        raise RuntimeError(
            f"{where}: this tensor does not require grad, so there is no graph to walk. Create the "
            f"inputs with Tensor(..., requires_grad=True), and compute outside no_grad().")
    if grad is None:
        if t.data.size != 1:
            arg = "grad_outputs" if where == "grad" else "grad"
            raise RuntimeError(
                f"{where}: grad can be implicitly created only for a scalar output, and this tensor "
                f"has shape {t.shape}. Reduce it first (e.g. .sum() or .mean()) or pass "
                f"{where}({arg}=...) with an array of shape {t.shape}.")
        grad = np.ones_like(t.data)
    if hasattr(grad, "_op") and as_tensor:
        g = grad
    else:
        g = array_of(grad.data if hasattr(grad, "_op") else grad, f"{where}(grad=...)")
        if g.dtype.kind != "f":
            raise TypeError(f"{where}: grad must hold floats, got a {g.dtype} array; pass e.g. "
                            f"np.ones({t.shape})")
        if not np.all(np.isfinite(g)):
            raise ValueError(f"{where}: grad holds nan or inf; the gradient to start from must be finite")
        g = g.astype(t.data.dtype, copy=False)
    if g.shape != t.shape:
        raise ValueError(f"{where}: grad has shape {g.shape} but the tensor has shape {t.shape}; "
                         f"they must be equal")
    return type(t)(g) if as_tensor and not hasattr(g, "_op") else g


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph: bool = False,
         allow_unused: bool = False) -> tuple:
    """The gradients of ``outputs`` with respect to ``inputs``, as ``torch.autograd.grad``.

    ``outputs``: a Tensor or a list of Tensors that require grad; ``inputs``: a Tensor or a list of
    Tensors (leaves or intermediates) that ``outputs`` depend on. ``grad_outputs``: dL/d(output) for
    each output (a Tensor, an array or None; None means 1 and needs a one-element output); with
    several outputs their contributions add up. Returns a tuple with one Tensor per input, shaped
    like it. No ``.grad`` is touched, and only the part of the graph between the outputs and the
    inputs is walked (the graph below an intermediate input stays as it was).

    ``create_graph=True``: the gradients are Tensors on a graph of their own (``higher.py``), so
    they can be differentiated again; a ``grad_outputs`` Tensor that requires grad is part of it.
    ``retain_graph`` (default: ``create_graph``) lets the same graph be walked again.
    ``allow_unused=True`` gives None for an input the outputs do not depend on (else an error).
    """
    outputs, inputs = _tensors(outputs, "outputs"), _tensors(inputs, "inputs")
    for i, out in enumerate(outputs):
        if not out.requires_grad:
            raise RuntimeError(f"grad: output {i} does not require grad: it depends on no tensor "
                               f"with requires_grad=True (or was computed inside no_grad()).")
    if grad_outputs is None or hasattr(grad_outputs, "_op") or isinstance(grad_outputs, np.ndarray):
        grad_outputs = (grad_outputs,) * len(outputs) if grad_outputs is None else (grad_outputs,)
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: {len(outputs)} outputs but {len(grad_outputs)} grad_outputs")
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(f"grad: input {i} (shape {t.shape}) does not require grad, so no "
                               f"gradient can flow to it; create it with requires_grad=True.")
    for i, (o, g) in enumerate(zip(outputs, grad_outputs)):
        shape = None if g is None else g.shape if hasattr(g, "shape") else np.shape(g)
        if shape is not None and shape != o.shape:
            raise ValueError(f"grad: grad_outputs[{i}] has shape {shape} but output {i} has shape "
                             f"{o.shape}; they must be equal")
    seeds = tuple(seed_of(o, g, "grad", create_graph) for o, g in zip(outputs, grad_outputs))
    retain = create_graph if retain_graph is None else retain_graph
    hook = modes.finite_hook if modes.state.anomaly else None
    totals = backward(outputs, seeds, retain, create_graph, hook, tape=_between(outputs, inputs))
    out = []
    for i, t in enumerate(inputs):
        g = totals.get(t)
        if g is None and not allow_unused:
            raise RuntimeError(f"grad: input {i} (shape {t.shape}) was not used to compute the "
                               f"outputs; pass allow_unused=True to get None for it.")
        out.append(g if g is None or hasattr(g, "_op") else type(t)(np.array(g, dtype=t.data.dtype)))
    return tuple(out)


def _tensors(x, what: str) -> tuple:
    items = tuple(x) if isinstance(x, (tuple, list)) else (x,)
    for i, t in enumerate(items):
        if not hasattr(t, "_op"):
            raise TypeError(f"grad: {what} must be Tensors (one or a list); item {i} is a "
                            f"{type(t).__name__}")
    return items


def _between(outputs, inputs) -> list:
    """The part of the outputs' tape that depends on one of ``inputs``: the ops ``grad`` must walk."""
    below = set(inputs)
    part = []
    for t in collect(*outputs):
        if any(p in below for p in t._op.parents):
            below.add(t)
            part.append(t)
    return part


def targets(inputs, totals: dict, where: str) -> list:
    """``backward(inputs=...)``: the given tensors that the walk reached, checked."""
    items = _tensors(inputs, f"{where} inputs")
    for i, t in enumerate(items):
        if not t.requires_grad:
            raise RuntimeError(f"{where}: inputs[{i}] (shape {t.shape}) does not require grad")
    return [t for t in items if t in totals]


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

    def number(self, t) -> int:
        """``t``'s place on this tape, 1 for the oldest op (by identity: == is elementwise)."""
        return versions.place(self, t)

    def __str__(self) -> str:
        lines = [f"tape: {len(self)} ops, oldest first (backward walks them from the bottom up)"]
        for i, what, ins, out, formula in self.rows():
            arrow = ", ".join(str(s) for s in ins)
            lines.append(f"{i:>4}  {what:<28} {arrow} -> {out}   [{formula}]")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)
