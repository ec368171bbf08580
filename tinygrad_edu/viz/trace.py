"""The narrated backward pass: the engine's one reverse walk, observed and told as a worked example.

``trace(loss)`` runs ``engine.autograd.backward`` with a ``hook`` that records, at each step, the
gradient arriving at the op's output (``dy``) and what the op's ``backward`` sends each input. It
is the same walk ``loss.backward()`` takes, so the numbers agree to the last bit; nothing is
re-derived here. The tensors' ``.grad`` are left as they were found (the walk's results are kept in
the ``Trace``), and the graph is retained::

    W = Tensor(np.array([[1.0, -2.0]]), requires_grad=True, name="W")
    loss = (W * W).sum()
    print(trace(loss))       # step 1: op 2 (sum), step 2: op 1 (mul), then dL/dW = [[2, -4]]

After a plain ``backward()`` the trace walks the graph again: every tensor keeps its value, so the
walk has what it needs (the first line says so).

Printing. A gradient entry below ``NOISE`` times its dtype's epsilon times the largest gradient of
the walk is rounding noise, written ``~0`` (the step says so, and why when the graph says why: a
softmax's max-shift). A trace of more than ``MAX_STEPS`` steps prints a summary (the loss, the
parameters and their gradients, the repeated blocks) instead of every step; ``tr.show(1, 20)``
or ``trace(loss, steps=(1, 20))`` prints steps 1 to 20 of it.
"""
from __future__ import annotations

import sys

import numpy as np

from ..engine import autograd
from .graph import build, format_array, shape_text, why_zero
from .numbers import NOISE, ROUNDING, has_rounding, noise_floor, top

__all__ = ["trace", "Trace", "Step", "MAX_STEPS"]

MAX_STEPS = 200   # a longer trace prints a summary; show(first, last) prints any of its steps


class Step:
    """One step of the backward walk.

    ``number`` (1 for the first step: the newest op), ``node`` (the graph model's OpNode: its
    ``number`` on the tape, ``expr``, ``grads`` formulas), ``op``, ``output``, ``inputs``,
    ``grad_out`` (dL/d output: the gradient arriving), ``grads_in`` (per input: the gradient sent,
    summed to the input's shape, or None), ``raw_shapes`` (the shapes ``backward`` returned, before
    broadcasting was undone), ``running`` (per input: its running total right after this share
    was added, or None), ``totals`` ({id(input): running total after the step}), ``names``.
    """

    def __init__(self, number, node, grad_out, grads_in, raw_shapes, running, names, of):
        self.number, self.node, self.op, self.output = number, node, node.op, node.out.tensor
        self.inputs = tuple(i.tensor for i in node.inputs)
        self.grad_out, self.grads_in, self.raw_shapes = grad_out, grads_in, raw_shapes
        self.running, self.names, self._of = running, names, of
        self.totals = {id(p): r for p, r in zip(self.inputs, running) if r is not None}

    @property
    def formula(self) -> str:
        """The local-gradient formulas of this call, e.g. ``dW = X.T @ dy``."""
        return "; ".join(f for f in self.node.grads if f)

    def name(self, t) -> str:
        return self.names[id(t)]

    def _text(self, a) -> str:
        return format_array(a, scale=getattr(self, "_scale", None))

    def _noise(self, a, p=None) -> list:
        """A line saying that ``a`` holds rounding noise (and why it is all noise, if the graph
        says why), or none."""
        scale = getattr(self, "_scale", None)
        floor = noise_floor(np.asarray(a).dtype, top(a) if scale is None else scale)
        if not has_rounding(a, floor):
            return []
        why = None
        if p is not None and id(p) in getattr(self, "_graph", {}).names and np.all(np.abs(a) < floor):
            why = why_zero(self._graph.node(p))
        return [f"      ({ROUNDING}: " + (why or f"rounding noise, below {floor:.2g} "
                                         f"({NOISE} eps x the largest gradient)") + ")"]

    def __str__(self) -> str:
        out, node = self.output, self.node
        lines = [f"Step {self.number} of {self._of}: op {node.number}, {node.expr}",
                 _after(f"  gradient arriving at {self.name(out)}{_sh(out.shape)}: dy = ",
                        self._text(self.grad_out))]
        lines += self._noise(self.grad_out, out)
        for p, f, g, raw, total in zip(self.inputs, node.grads, self.grads_in, self.raw_shapes,
                                       self.running):
            if g is None:
                why = "a constant" if not p.requires_grad else "not needed"
                lines.append(f"  sends nothing to {self.name(p)} ({why})")
                continue
            note = (f" (summed over broadcast axes from {tuple(raw)})"
                    if raw != tuple(p.shape) else "")
            lines.append(f"  local gradient: {f}{note}")
            lines.append(_after(f"  sends to {self.name(p)}{_sh(p.shape)}: ", self._text(g)))
            lines += self._noise(g, p)
            if total is not g:
                lines.append(_after(f"      running total for {self.name(p)}: ", self._text(total)))
        return "\n".join(lines)

    __repr__ = __str__


def _sh(shape) -> str:
    text = shape_text(shape)
    return f" {text}" if text else ""


def _after(prefix: str, text: str) -> str:
    """``prefix + text``, with the continuation lines of a multi-line array under its first line."""
    return prefix + text.replace("\n", "\n" + " " * len(prefix.split("\n")[-1]))


class Trace(list):
    """The steps of the backward walk, newest op first (a list of ``Step``).

    ``graph`` is the graph model, ``root`` the tensor traced, ``seed`` the gradient it started
    from, ``tensors`` every tensor of the graph, ``names`` {id(tensor): name}, ``recomputed``
    True when a backward had walked the graph before (the trace walked it again). ``grad(t)`` is the gradient the
    walk computed for ``t``: what ``backward()`` stores in ``t.grad`` on a fresh graph.
    """

    def __init__(self, steps, graph, seed, grads, recomputed):
        super().__init__(steps)
        self.graph, self.root, self.seed = graph, graph.root.tensor, seed
        self.tensors = [n.tensor for n in graph.tensors]
        self.names, self._grads, self.recomputed = graph.names, grads, recomputed
        self.steps_shown = None     # (first, last): what print() shows; None: all, or a summary
        scale = max([top(g) for g in grads.values()] + [top(seed)], default=0.0)
        for step in self:           # each step writes rounding noise against the walk's scale
            step._scale, step._graph = scale, graph

    def grad(self, t):
        g = self._grads.get(id(t))
        return None if g is None else np.array(g, dtype=t.data.dtype)

    def _head(self) -> list:
        name = self.names[id(self.root)]
        lines = [f"Backward pass from {name}{_sh(self.root.shape)}: {len(self)} tape entries, "
                 f"walked newest first."]
        if self.recomputed:
            lines.append("(backward() had already walked this graph; the trace walks it again, from "
                         "the values every tensor keeps.)")
        return lines + [_after(f"It starts with dL/d{name} = ", format_array(self.seed)), ""]

    def _totals(self) -> list:
        lines = ["Gradients at the end (what backward() stores in .grad):"]
        scale = self[0]._scale if len(self) else None
        for t in self.tensors:
            if t.requires_grad and t.op is None and id(t) in self._grads:
                lines.append(_after(f"  dL/d{self.names[id(t)]}{_sh(t.shape)} = ",
                                    format_array(self.grad(t), scale=scale)))
        return lines

    def show(self, first: int = 1, last: int | None = None) -> str:
        """Steps ``first`` to ``last`` (1 is the first step, the newest op; default: to the end)
        as text, with the gradients at the end when the last step is included."""
        last = len(self) if last is None else last
        _check_range(first, last, len(self))
        lines = self._head()
        if first > 1 or last < len(self):
            lines.append(f"Steps {first} to {last} of {len(self)}:")
        for step in self[first - 1:last]:
            lines += [str(step), ""]
        if last == len(self):
            lines += self._totals()
        return "\n".join(lines).rstrip("\n")

    def summary(self) -> str:
        """The trace in a few lines: the loss, the parameters with their gradients, the repeated
        blocks, and how to print a range of steps."""
        from .summary import summary_lines

        reason = f"{len(self):,} steps, more than MAX_STEPS={MAX_STEPS} to print one by one"
        lines = self._head()[:-1] + summary_lines(self.graph, reason, grad_of=self.grad)[:-1]
        lines.append(f"Print steps 1 to 20: print(tr.show(1, 20)), or trace(loss, steps=(1, 20)); "
                     f"the steps run from 1 (op {len(self)}, the newest) to {len(self)} (op 1).")
        return "\n".join(lines)

    def __str__(self) -> str:
        if self.steps_shown is not None:
            return self.show(*self.steps_shown)
        if len(self) > MAX_STEPS:
            return self.summary()
        return self.show(1, len(self)) if len(self) else "\n".join(self._head() + self._totals())

    __repr__ = __str__


def _check_range(first, last, n: int) -> None:
    if not (isinstance(first, int) and isinstance(last, int) and 1 <= first <= last <= n):
        raise ValueError(f"trace: steps must be two whole numbers with 1 <= first <= last <= {n} "
                         f"(this trace has {n} steps); got {first!r}, {last!r}")


def trace(loss, grad=None, names=None, frame=None, steps=None) -> Trace:
    """The backward pass of ``loss``, step by step, observed on the engine's own walk.

    ``grad`` is dL/d(loss), as in ``loss.backward(grad)`` (default 1 for a one-element tensor);
    ``names`` labels tensors as in ``viz.draw`` (by default the caller's variable names). Works
    before or after ``loss.backward()``; leaves every ``.grad`` as it was and the graph as it was. ``print`` the result to read the worked example; its ``grad(t)`` equals
    what ``loss.backward(grad)`` stores in ``t.grad`` on a fresh graph. ``steps=(first, last)``
    makes ``print`` show those steps only (see ``Trace.show``); a trace of more than ``MAX_STEPS``
    steps prints a summary otherwise.
    """
    seed = autograd.seed_of(loss, grad, "trace")
    graph = build(loss, names=names, frame=frame or sys._getframe(1))
    if steps is not None:           # a range to print: checked before the walk
        if not (isinstance(steps, (tuple, list)) and len(steps) == 2):
            raise ValueError(f"trace: steps= takes (first, last), e.g. steps=(1, 20); got {steps!r}")
        _check_range(steps[0], steps[1], len(graph.ops))
    again = any(n.op.spent for n in graph.ops)
    sends = {}     # id(t) -> [{input position: (what it received, its running total then)}, raw]

    def observe(t, i, g, total, raw):
        sends.setdefault(id(t), [{}, raw])[0][i] = (g, total)

    totals = autograd.backward((loss,), (seed,), retain_graph=True, hook=observe, again=True)
    tr = Trace(_steps(graph, sends, totals), graph, seed, {id(t): g for t, g in totals.items()}, again)
    if steps is not None:
        tr.steps_shown = tuple(steps)
    return tr


def _steps(graph, sends, totals) -> list:
    """One ``Step`` per op, in the walk's order (newest first), from what the walk's hook saw."""
    steps, names = [], graph.names
    for node in reversed(graph.ops):
        got, raw = sends.get(id(node.out.tensor), [{}, ()])
        n = len(node.inputs)
        steps.append(Step(len(steps) + 1, node, totals.get(node.out.tensor),
                          tuple(got[i][0] if i in got else None for i in range(n)),
                          tuple(None if k >= len(raw) or raw[k] is None else tuple(np.shape(raw[k]))
                                for k in range(n)),
                          tuple(got[i][1] if i in got else None for i in range(n)),
                          names, len(graph.ops)))
    return steps
