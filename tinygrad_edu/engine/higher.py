"""``grad``: gradients as Tensors, optionally on a graph of their own (gradients of gradients).

``grad(outputs, inputs)`` is ``torch.autograd.grad``: it runs the same reverse walk as
``backward()`` but hands the gradients back instead of adding them into ``.grad``. With
``create_graph=True`` every op's local gradient is computed with Tensor operations, so the returned
gradients are Tensors recorded like any other result, and ``grad`` or ``backward`` can go through them
again: Hessian-vector products, gradient penalties, Newton's method.

Why ``.grad`` stays a numpy array even then: ``.grad`` is the value that optimizers, diagrams, the
trace and the learner's own checks read, and it accumulates across calls; a second kind of ``.grad``
would make every reader ask which one it holds. So the graph of a gradient has one door, ``grad()``,
and ``backward(create_graph=True)`` (accepted for PyTorch code) fills ``.grad`` with values and keeps
the graph, as ``retain_graph=True`` does.
"""
from __future__ import annotations

import numpy as np

from . import autograd
from .tensor import Tensor, _as_array


def _as_tuple(x, what: str) -> tuple:
    items = tuple(x) if isinstance(x, (tuple, list)) else (x,)
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            raise TypeError(f"grad: {what} must be Tensors (one or a list); item {i} is a "
                            f"{type(t).__name__}")
    return items


def _seed(out: Tensor, g, i: int, create_graph: bool):
    """The gradient that starts the walk at output ``i``: ones for a scalar, else ``g`` checked."""
    if g is None:
        if out.data.size != 1:
            raise RuntimeError(
                f"grad: output {i} has shape {out.shape}; a gradient can be implied only for a "
                f"one-element output. Reduce it (.sum()) or pass grad_outputs with an entry of shape "
                f"{out.shape}.")
        g = np.ones_like(out.data)
    if isinstance(g, Tensor):
        seed = g if create_graph else g.data
    else:
        seed = _as_array(g, "grad (grad_outputs)")
        seed = Tensor(seed) if create_graph else seed
    if seed.shape != out.shape:
        raise ValueError(f"grad: grad_outputs[{i}] has shape {seed.shape} but output {i} has shape "
                         f"{out.shape}; they must be equal")
    return seed


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph: bool = False,
         allow_unused: bool = False) -> tuple:
    """The gradients of ``outputs`` with respect to ``inputs``, as ``torch.autograd.grad``.

    ``outputs``: a Tensor or a list of Tensors that require grad; ``inputs``: a Tensor or a list of
    Tensors (leaves or intermediates) that ``outputs`` depend on. ``grad_outputs``: dL/d(output) for
    each output (a Tensor, an array or None; None means 1 and needs a one-element output); with
    several outputs their contributions add up. Returns a tuple with one Tensor per input, shaped
    like it. No ``.grad`` is touched.

    ``create_graph=True``: the gradients are Tensors on a graph of their own (their local gradient
    formulas run on Tensors), so they can be differentiated again; a ``grad_outputs`` Tensor that
    requires grad is part of that graph. ``retain_graph`` (default: ``create_graph``) keeps the
    values the ops saved, so that the same graph can be walked again. ``allow_unused=True`` gives
    None for an input that the outputs do not depend on (otherwise an error).
    """
    outputs, inputs = _as_tuple(outputs, "outputs"), _as_tuple(inputs, "inputs")
    if grad_outputs is None or isinstance(grad_outputs, (Tensor, np.ndarray)):
        grad_outputs = (grad_outputs,) * len(outputs) if grad_outputs is None else (grad_outputs,)
    grad_outputs = tuple(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: {len(outputs)} outputs but {len(grad_outputs)} grad_outputs")
    for i, out in enumerate(outputs):
        if not out.requires_grad:
            raise RuntimeError(f"grad: output {i} does not require grad: it depends on no tensor "
                               f"with requires_grad=True (or was computed inside no_grad()).")
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(f"grad: input {i} (shape {t.shape}) does not require grad, so no "
                               f"gradient can flow to it; create it with requires_grad=True.")
    seeds = tuple(_seed(o, g, i, create_graph) for i, (o, g) in enumerate(zip(outputs, grad_outputs)))
    retain = create_graph if retain_graph is None else retain_graph
    found = autograd.backward(outputs, seeds, retain, create_graph, inputs=set(inputs))
    return tuple(_result(found.get(t), t, i, allow_unused) for i, t in enumerate(inputs))


def _result(g, t: Tensor, i: int, allow_unused: bool):
    if g is None:
        if allow_unused:
            return None
        raise RuntimeError(f"grad: input {i} (shape {t.shape}) was not used to compute the outputs; "
                           f"pass allow_unused=True to get None for it.")
    if isinstance(g, Tensor):
        return g
    return Tensor(np.array(g, dtype=t.data.dtype))   # a copy: the walk may share arrays
