"""The narrated backward pass: ``backward()`` one tape entry at a time, told as a worked example.

``trace(loss)`` walks the same tape that ``loss.backward()`` walks, newest op first, and does the
same arithmetic: at each entry it takes the gradient that has arrived at the op's output (``dy``,
complete by then, since every op that used the output is newer and has already run), calls the
op's own ``backward(dy)`` and adds what comes back into the inputs' running totals, summing a
broadcast input's gradient back to its shape with ``autograd.unbroadcast``. It records every step
instead of storing ``.grad``: nothing on the tensors changes and nothing is freed, so you may trace
first and call ``backward()`` afterwards, and the numbers agree to the last bit::

    W = Tensor(np.array([[1.0, -2.0]]), requires_grad=True, name="W")
    loss = (W * W).sum()
    print(trace(loss))       # step 1: sum, step 2: mul, then the gradients, e.g. dL/dW = [[2, -4]]

``trace`` needs the values the ops saved for their gradients, so call it before a
``backward()`` that frees the graph (or after ``backward(retain_graph=True)``).
"""
from __future__ import annotations

import numpy as np

from .engine import unbroadcast


def _letters(n: int) -> list[str]:
    """The names the ops' formulas give their inputs: x for one input, a and b for two."""
    return ["x"] if n == 1 else ["a", "b"] if n == 2 else [f"x{i}" for i in range(n)]


class Step:
    """One tape entry of the backward walk.

    Attributes: ``number`` (1 for the newest op, which runs first), ``op``, ``output`` (the tensor
    the op made), ``inputs`` (its parents), ``grad_out`` (dL/d output, shaped like the output: the
    gradient arriving), ``grads_in`` (one per input: the gradient the op sends, already summed to the
    input's shape, or None for an input that needs none), ``raw_shapes`` (the shapes the op's
    ``backward`` returned, before broadcasting was undone), ``running`` (one per input: that input's
    running gradient total right after its share was added, or None), ``totals`` ({id(input): its
    running total after the whole step}) and ``names`` ({id(tensor): display name}).
    """

    def __init__(self, number, output, grad_out, grads_in, raw_shapes, running, totals, names, of):
        self.number, self.output, self.op = number, output, output.op
        self.inputs = tuple(output.op.parents)
        self.grad_out, self.grads_in, self.raw_shapes = grad_out, grads_in, raw_shapes
        self.running, self.totals, self.names, self._of = running, totals, names, of

    @property
    def formula(self) -> str:
        return self.op.formula

    def name(self, t) -> str:
        return self.names[id(t)]

    def __str__(self) -> str:
        from .viz import format_array

        out = self.output
        letters = _letters(len(self.inputs))
        args = ", ".join(self.name(p) for p in self.inputs)
        lines = [f"Step {self.number} of {self._of}: {self.name(out)} = {self.op.name}({args})"
                 f"    [tape #{self.op.seq}: {self.op.describe()}]"]
        lines.append(_after(f"  gradient arriving at {self.name(out)} {_shape(out.shape)}: dy = ",
                            format_array(self.grad_out)))
        where = ", ".join(f"{v} = {self.name(p)}" for v, p in zip(letters, self.inputs))
        lines.append(f"  local gradient: {self.formula}")
        lines.append(f"      with {where}, y = {self.name(out)}")
        for v, p, g, raw, total in zip(letters, self.inputs, self.grads_in, self.raw_shapes,
                                       self.running):
            if g is None:
                why = "a constant" if not p.requires_grad else "not needed"
                lines.append(f"  sends nothing to {self.name(p)} ({why})")
                continue
            note = (f" (summed over broadcast axes from {_shape(raw)})"
                    if raw != tuple(p.shape) else "")
            lines.append(_after(f"  sends d{v} to {self.name(p)} {_shape(p.shape)}{note}: ",
                                format_array(g)))
            if total is not g:
                lines.append(_after(f"      running total for {self.name(p)}: ", format_array(total)))
        return "\n".join(lines)

    __repr__ = __str__


def _shape(shape) -> str:
    return "scalar" if tuple(shape) == () else str(tuple(shape))


def _after(prefix: str, text: str) -> str:
    """``prefix + text``, with the continuation lines of a multi-line array under its first line."""
    return prefix + text.replace("\n", "\n" + " " * len(prefix.split("\n")[-1]))


class Trace(list):
    """The steps of the backward walk, newest op first (a list of ``Step``).

    ``root`` is the tensor traced, ``seed`` the gradient it started from, ``tensors`` every tensor of
    the graph (inputs before outputs, in tape order), ``names`` {id(tensor): display name}.
    ``grad(t)`` is the gradient the walk computed for ``t``: what ``backward()`` stores in
    ``t.grad`` (on a fresh graph), in ``t``'s dtype; None if ``t`` gets none.
    """

    def __init__(self, steps, root, seed, tensors, names, grads):
        super().__init__(steps)
        self.root, self.seed, self.tensors, self.names = root, seed, tensors, names
        self._grads = grads

    def grad(self, t):
        g = self._grads.get(id(t))
        return None if g is None else np.array(g, dtype=t.data.dtype)

    def __str__(self) -> str:
        from .viz import format_array

        name = self.names[id(self.root)]
        lines = [f"Backward pass from {name} {_shape(self.root.shape)}: {len(self)} tape entries, "
                 f"walked newest first.",
                 _after(f"It starts with dL/d{name} = ", format_array(self.seed)), ""]
        for step in self:
            lines += [str(step), ""]
        lines.append("Gradients at the end (what backward() stores in .grad):")
        for t in self.tensors:
            if t.requires_grad and t.op is None and id(t) in self._grads:
                lines.append(_after(f"  dL/d{self.names[id(t)]} {_shape(t.shape)} = ",
                                    format_array(self.grad(t))))
        return "\n".join(lines)

    __repr__ = __str__


def trace(loss, grad=None, names=None) -> Trace:
    """Run the backward pass of ``loss`` step by step, without storing ``.grad`` or freeing anything.

    ``grad`` is dL/d(loss), as in ``loss.backward(grad)`` (default 1 for a one-element tensor);
    ``names`` labels tensors as in ``viz.draw``. Returns a ``Trace``: one ``Step`` per tape entry,
    newest first, each holding the gradient arriving, the formula and the gradients sent; ``print``
    it to read the worked example. Its ``grad(t)`` equals what ``loss.backward(grad)`` puts in
    ``t.grad`` for every tensor ``t`` that requires grad.
    """
    from .viz import graph_tensors, tensor_label_name

    if not getattr(loss, "requires_grad", False):
        raise RuntimeError("trace: this tensor does not require grad, so there is no backward pass "
                           "to trace; create its inputs with Tensor(..., requires_grad=True)")
    if grad is None:
        if loss.data.size != 1:
            raise RuntimeError(f"trace: a seed gradient is implied only for a scalar output; this "
                               f"tensor has shape {loss.shape}. Pass grad=... of that shape.")
        grad = np.ones_like(loss.data)
    else:
        grad = np.asarray(getattr(grad, "data", grad), dtype=loss.data.dtype)
        if grad.shape != loss.shape:
            raise ValueError(f"trace: grad has shape {grad.shape} but the tensor has shape "
                             f"{loss.shape}; they must be equal")
    tensors, made = graph_tensors(loss)
    label = tensor_label_name(tensors, names)
    grads = {id(loss): grad}
    steps = []
    for number, out in enumerate(reversed(made), start=1):
        op = out.op
        if op.freed:
            raise RuntimeError(
                f"trace: the values that {op.name} (tape #{op.seq}) saved for its gradient were freed "
                f"by an earlier backward(). Call trace() before backward(), or use "
                f"backward(retain_graph=True).")
        dy = grads[id(out)]  # complete: every op that used `out` is newer and already ran
        sent, raw_shapes, running, totals = [], [], [], {}
        for p, g, need in zip(op.parents, op.backward(dy), op.needs):
            raw_shapes.append(None if g is None else tuple(g.shape))
            if not need or g is None:
                sent.append(None)
                running.append(None)
                continue
            if g.shape != p.data.shape:
                g = unbroadcast(g, p.data.shape)
            sent.append(g)
            prev = grads.get(id(p))
            grads[id(p)] = g if prev is None else prev + g
            totals[id(p)] = grads[id(p)]
            running.append(grads[id(p)])
        steps.append(Step(number, out, dy, tuple(sent), tuple(raw_shapes), tuple(running), totals,
                          label, len(made)))
    return Trace(steps, loss, grad, tensors, label, grads)
