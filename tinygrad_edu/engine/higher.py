"""Gradients of gradients: the walk with ``create_graph=True``.

Every op's ``backward`` is written with operations that numpy arrays and Tensors both have
(``dy * y``, ``dy @ b.T``, comparisons for masks) and, for a primitive inside a formula, ``apply``
(its forward on arrays, recorded on Tensors). So when the walk hands an op Tensors instead of
arrays, the same formula records a graph of its own: the gradients it returns are Tensors that
``grad()`` or ``backward()`` can go through again (Hessian-vector products, gradient penalties,
Newton's method).

Why ``.grad`` stays a numpy array even then: ``.grad`` is the value that optimizers, diagrams, the
trace and the learner's own checks read; a second kind of ``.grad`` would make every reader ask which
one it holds. So the graph of a gradient has one door, ``tinygrad_edu.grad(..., create_graph=True)``,
and ``backward(create_graph=True)`` (accepted for PyTorch code) fills ``.grad`` with values and keeps
the graph, as ``retain_graph=True`` does.
"""
from __future__ import annotations

from .modes import enable_grad


def on_graph(op, dy, t) -> tuple:
    """``op``'s local gradients as recorded Tensors: its ``backward`` run on the Tensors themselves
    (``dy``, the output ``t`` and the inputs), with recording on. A learner's ``Function``, whose
    backward is numpy, cannot: it says so."""
    refuse = getattr(op, "refuse_graph", None)
    if refuse is not None:
        raise refuse()
    with enable_grad():
        try:
            grads = op.backward(dy, t, *op.parents)
        except TypeError as e:   # most often a numpy function given a Tensor
            raise TypeError(
                f"{op.name}: its backward could not run on Tensors (create_graph=True): {e}. Write the "
                f"formula with operations that arrays and Tensors both have (operators, .reshape, "
                f".sum), and a primitive through autograd.apply (e.g. apply(Cos(), x)).") from None
    for i, g in enumerate(grads):
        if g is not None and op.needs[i] and not hasattr(g, "_op"):
            raise TypeError(
                f"{op.name}: its backward gave a {type(g).__name__} for input {i} when building a "
                f"graph (create_graph=True); write the formula with operations that Tensors support.")
    return grads
