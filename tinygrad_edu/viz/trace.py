"""The narrated backward pass: the engine's one reverse walk, observed and told as a worked example.

``trace(loss)`` runs ``engine.autograd.backward`` with a ``hook`` that records, at each step, the
gradient arriving at the op's output (``dy``) and what the op's ``backward`` sends each input. It
is the same walk ``loss.backward()`` takes, so the numbers agree to the last bit; nothing is
re-derived here. The tensors' ``.grad`` are left as they were found (the walk's results are kept in
the ``Trace``), and the graph is retained::

    W = Tensor(np.array([[1.0, -2.0]]), requires_grad=True, name="W")
    loss = (W * W).sum()
    print(trace(loss))       # step 1: op 2 (sum), step 2: op 1 (mul), then dL/dW = [[2, -4]]

After a plain ``backward()`` (which frees the values the ops saved for their gradients), ``trace``
recomputes those values: it runs each op's forward again on its inputs, checks that the result is
bit for bit the output recorded the first time (else it raises: an input changed since), walks,
and frees them again. The trace says so in its first line.
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
    True when the saved values had been freed and were recomputed. ``grad(t)`` is the gradient the
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
            lines.append("(backward() had freed the values the ops saved; they were recomputed "
                         "from the inputs and checked against the recorded outputs.)")
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


def _seed(loss, grad):
    if not getattr(loss, "requires_grad", False):
        raise RuntimeError("trace: this tensor does not require grad, so there is no backward pass "
                           "to trace; create its inputs with Tensor(..., requires_grad=True)")
    if grad is None:
        if loss.data.size != 1:
            raise RuntimeError(f"trace: a seed gradient is implied only for a scalar output; this "
                               f"tensor has shape {loss.shape}. Pass grad=... of that shape.")
        return np.ones_like(loss.data)
    grad = np.asarray(getattr(grad, "data", grad), dtype=loss.data.dtype)
    if grad.shape != loss.shape:
        raise ValueError(f"trace: grad has shape {grad.shape} but the tensor has shape "
                         f"{loss.shape}; they must be equal")
    return grad


def _recompute(graph) -> list:
    """Run the forward of each freed op again on its inputs; check it gives the recorded output
    bit for bit. Returns the ops recomputed (to be freed again after the walk)."""
    done = []
    for node in graph.ops:
        op = node.op
        if not op.freed:
            continue
        again = op.forward(*(i.tensor.data for i in node.inputs))
        if not np.array_equal(np.asarray(again), node.out.tensor.data, equal_nan=True):
            for o in done:
                o.free()
            op.free()
            raise RuntimeError(
                f"trace: backward() freed the values op {node.number} ({node.expr}) saved, and "
                f"computing them again from its inputs does not give the output recorded in the "
                f"forward pass (an input was changed since, or the op is random). Call trace() "
                f"before backward(), or use backward(retain_graph=True).")
        op.freed = False
        done.append(op)
    return done


def trace(loss, grad=None, names=None, frame=None) -> Trace:
    """The backward pass of ``loss``, step by step, observed on the engine's own walk.

    ``grad`` is dL/d(loss), as in ``loss.backward(grad)`` (default 1 for a one-element tensor);
    ``names`` labels tensors as in ``viz.draw`` (by default the caller's variable names). Works
    before or after ``loss.backward()``; leaves every ``.grad`` as it was and the graph retained
    (or freed, if it was). ``print`` the result to read the worked example; its ``grad(t)`` equals
    what ``loss.backward(grad)`` stores in ``t.grad`` on a fresh graph.
    """
    seed = _seed(loss, grad)
    graph = build(loss, names=names, frame=frame or sys._getframe(1))
    recomputed = _recompute(graph)
    numbers = {id(n.op): n for n in graph.ops}
    saved = {id(n.tensor): n.tensor.grad for n in graph.tensors}
    records = []

    def observe(t, op, dy, in_grads):
        records.append((numbers[id(op)], dy, tuple(in_grads)))

    try:
        for n in graph.tensors:
            n.tensor.grad = None
        autograd.backward(loss, seed, retain_graph=True, hook=observe)
        grads = {id(n.tensor): n.tensor.grad for n in graph.tensors if n.tensor.grad is not None}
    finally:
        for n in graph.tensors:
            n.tensor.grad = saved[id(n.tensor)]
        for op in recomputed:
            op.free()
    return Trace(_steps(records, graph), graph, seed, grads, bool(recomputed))


def _steps(records, graph) -> list:
    """Steps from what the hook saw: each sent gradient summed to its input's shape (with the
    engine's ``unbroadcast``) and the running totals per input."""
    totals, steps, names = {}, [], graph.names
    for number, (node, dy, in_grads) in enumerate(records, start=1):
        sent, raw_shapes, running = [], [], []
        for p, g, need in zip(node.inputs, in_grads, node.op.needs):
            raw_shapes.append(None if g is None else tuple(np.shape(g)))
            if not need or g is None:
                sent.append(None)
                running.append(None)
                continue
            g = np.asarray(g)
            if g.shape != p.tensor.data.shape:
                g = autograd.unbroadcast(g, p.tensor.data.shape)
            sent.append(g)
            prev = totals.get(id(p.tensor))
            totals[id(p.tensor)] = g if prev is None else prev + g
            running.append(totals[id(p.tensor)])
        steps.append(Step(number, node, dy, tuple(sent), tuple(raw_shapes), tuple(running),
                          names, len(records)))
    return steps
