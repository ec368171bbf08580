"""The narrated backward pass: the engine's one reverse walk, observed and told as a worked example.

``trace(loss)`` runs ``engine.autograd.backward`` with a ``hook`` that the walk calls at each step
with the gradient arriving at the op's output (``dy``), what the op's ``backward`` returned, what
was sent to each input (summed to its shape) and the running totals. It is the same walk
``loss.backward()`` takes, so the numbers agree to the last bit; nothing is re-derived here. The walk
hands its results back instead of storing them, so every ``.grad`` stays as it was, and the graph is
retained::

    W = Tensor(np.array([[1.0, -2.0]]), requires_grad=True, name="W")
    loss = (W * W).sum()
    print(trace(loss))       # step 1: op 2 (sum), step 2: op 1 (mul), then dL/dW = [[2, -4]]

After a plain ``backward()`` the trace walks the graph again: every tensor keeps its value, so the
walk has what it needs (the first line says so).
"""
from __future__ import annotations

import sys

import numpy as np

from ..engine import autograd
from .graph import build, format_array, shape_text

__all__ = ["trace", "Trace", "Step"]


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

    def __str__(self) -> str:
        out, node = self.output, self.node
        lines = [f"Step {self.number} of {self._of}: op {node.number}, {node.expr}",
                 _after(f"  gradient arriving at {self.name(out)}{_sh(out.shape)}: dy = ",
                        format_array(self.grad_out))]
        for p, f, g, raw, total in zip(self.inputs, node.grads, self.grads_in, self.raw_shapes,
                                       self.running):
            if g is None:
                why = "a constant" if not p.requires_grad else "not needed"
                lines.append(f"  sends nothing to {self.name(p)} ({why})")
                continue
            note = (f" (summed over broadcast axes from {tuple(raw)})"
                    if raw != tuple(p.shape) else "")
            lines.append(f"  local gradient: {f}{note}")
            lines.append(_after(f"  sends to {self.name(p)}{_sh(p.shape)}: ", format_array(g)))
            if total is not g:
                lines.append(_after(f"      running total for {self.name(p)}: ", format_array(total)))
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

    def grad(self, t):
        g = self._grads.get(id(t))
        return None if g is None else np.array(g, dtype=t.data.dtype)

    def __str__(self) -> str:
        name = self.names[id(self.root)]
        lines = [f"Backward pass from {name}{_sh(self.root.shape)}: {len(self)} tape entries, "
                 f"walked newest first."]
        if self.recomputed:
            lines.append("(backward() had already walked this graph; the trace walks it again, from "
                         "the values every tensor keeps.)")
        lines += [_after(f"It starts with dL/d{name} = ", format_array(self.seed)), ""]
        for step in self:
            lines += [str(step), ""]
        lines.append("Gradients at the end (what backward() stores in .grad):")
        for t in self.tensors:
            if t.requires_grad and t.op is None and id(t) in self._grads:
                lines.append(_after(f"  dL/d{self.names[id(t)]}{_sh(t.shape)} = ",
                                    format_array(self.grad(t))))
        return "\n".join(lines)

    __repr__ = __str__


def trace(loss, grad=None, names=None, frame=None) -> Trace:
    """The backward pass of ``loss``, step by step, observed on the engine's own walk.

    ``grad`` is dL/d(loss), as in ``loss.backward(grad)`` (default 1 for a one-element tensor);
    ``names`` labels tensors as in ``viz.draw`` (by default the caller's variable names). Works
    before or after ``loss.backward()``; leaves every ``.grad`` as it was and the graph as it was.
    ``print`` the result to read the worked example; its ``grad(t)`` equals what
    ``loss.backward(grad)`` stores in ``t.grad`` on a fresh graph.
    """
    seed = autograd.seed_of(loss, grad, "trace")
    graph = build(loss, names=names, frame=frame or sys._getframe(1))
    again = any(n.op.spent for n in graph.ops)
    sends = {}     # id(t) -> {input position: (what it received, its running total then)}, and raw

    def observe(t, i, g, total, raw):
        sends.setdefault(id(t), [{}, raw])[0][i] = (g, total)

    totals = autograd.backward((loss,), (seed,), retain_graph=True, hook=observe, again=True)
    steps = []
    for node in reversed(graph.ops):          # the walk's order: newest op first
        got, raw = sends.get(id(node.out.tensor), [{}, ()])
        n_in = len(node.inputs)
        steps.append(Step(len(steps) + 1, node, totals.get(node.out.tensor),
                          tuple(got[i][0] if i in got else None for i in range(n_in)),
                          tuple(None if k >= len(raw) or raw[k] is None else tuple(np.shape(raw[k]))
                                for k in range(n_in)),
                          tuple(got[i][1] if i in got else None for i in range(n_in)),
                          graph.names, len(graph.ops)))
    grads = {id(t): g for t, g in totals.items()}
    return Trace(steps, graph, seed, grads, again)
