"""``Function``: a learner's own op, shaped like ``torch.autograd.Function``.

Write the forward pass and the local gradient with numpy, the way the needle and minitorch homeworks
ask, and the engine records the op on the tape like any of its own::

    class Cube(Function):
        '''y = x ** 3'''
        formula = "dx = dy * 3 * x**2"

        @staticmethod
        def forward(ctx, x):            # numpy arrays in, a numpy array out
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, dy):          # dL/dy in, one dL/dinput per input out (None: no gradient)
            (x,) = ctx.saved_tensors
            return dy * 3 * x ** 2

    y = Cube.apply(t)                   # t a Tensor; numbers and arrays are constants

The formula text that diagrams and the trace show is the class's ``formula`` attribute, else its
docstring. Its gradient is numpy arithmetic, which records nothing, so it cannot be differentiated
again: ``tinygrad_edu.grad(..., create_graph=True)`` through such an op raises
``NotImplementedError`` naming it (``backward(create_graph=True)`` only keeps the graph and fills
``.grad`` with values, which works as ever). For second derivatives, write the op as a composite of
Tensor operations (a plain Python function of Tensors); every built-in op differentiates twice. ``gradcheck`` checks such an op on its own (``gradcheck.locate_op``) and names it when its
backward disagrees with numerical differences of its forward.
"""
from __future__ import annotations

import numpy as np

from .autograd import Op, record
from .modes import is_grad_enabled
from .tensor import Tensor

__all__ = ["Function", "FunctionCtx"]


class FunctionCtx:
    """What ``forward`` leaves for ``backward``: ``save_for_backward(*arrays)`` then
    ``saved_tensors`` (a tuple of those arrays); ``needs_input_grad`` (one bool per input); any other
    attribute you set (``ctx.axis = 1``) stays too."""

    def __init__(self, needs_input_grad=()):
        self.saved_tensors = ()
        self.needs_input_grad = tuple(needs_input_grad)

    def save_for_backward(self, *arrays) -> None:
        self.saved_tensors = tuple(a.data if isinstance(a, Tensor) else a for a in arrays)


class _UserOp(Op):
    """The recorded form of a ``Function``: runs its forward and backward with a fresh context."""

    def __init__(self, function):
        self.function = function
        self.formula = function.formula or (function.__doc__ or "").strip().split("\n")[0] or \
            f"{function.__name__}.backward (no formula given)"

    @property
    def name(self) -> str:
        return self.function.__name__

    def refuse_graph(self) -> Exception:
        """A Function's backward is numpy: no gradient of its gradient (``create_graph``)."""
        return NotImplementedError(
            f"{self.name}: a Function with a numpy backward cannot be differentiated twice "
            f"(create_graph=True): its gradient is computed outside the graph. Write {self.name} "
            f"as a plain function of Tensor operations to get second derivatives, or call grad() / "
            f"backward() without create_graph.")

    def saved_arrays(self, t) -> tuple:
        """What ``forward`` saved (``ctx.save_for_backward``): the arrays the in-place check watches."""
        return tuple(a for a in self.ctx.saved_tensors if isinstance(a, np.ndarray))

    def forward(self, *arrays):
        self.ctx = FunctionCtx(getattr(self, "needs", (True,) * len(arrays)))
        out = self.function.forward(self.ctx, *arrays)
        out = out.data if isinstance(out, Tensor) else out
        try:
            out = np.asarray(out)
        except (TypeError, ValueError):
            out = None
        if out is None or out.dtype.kind != "f":
            raise TypeError(f"{self.name}.forward must return a float numpy array, got "
                            f"{type(out).__name__}" + (f" of dtype {out.dtype}" if out is not None else ""))
        return out

    def backward(self, dy, y, *xs):
        grads = self.function.backward(self.ctx, dy)
        grads = grads if isinstance(grads, (tuple, list)) else (grads,)
        if len(grads) != len(xs):
            raise TypeError(f"{self.name}.backward returned {len(grads)} gradients for "
                            f"{len(xs)} inputs; return one per input (None for an input "
                            f"without a gradient)")
        out = []
        for i, (g, x) in enumerate(zip(grads, xs)):
            if g is not None:
                g = np.asarray(g.data if isinstance(g, Tensor) else g, dtype=x.dtype)
                if g.shape != x.shape and np.broadcast_shapes(g.shape, x.shape) != g.shape:
                    raise ValueError(f"{self.name}.backward: the gradient for input {i} has shape "
                                     f"{g.shape} but the input has shape {x.shape}")
            out.append(g)
        return tuple(out)


class Function:
    """Base class of a user-defined op, as ``torch.autograd.Function``.

    Subclasses define ``forward(ctx, *arrays) -> array`` and ``backward(ctx, dy) -> gradient(s)`` as
    static methods (numpy arrays in and out: one output array; one gradient per input, or None),
    and optionally a ``formula`` string. ``MyOp.apply(*inputs)`` runs it on Tensors (numbers and arrays are constants)
    and returns a Tensor recorded on the tape, so ``backward()`` calls your local gradient.
    First derivatives only: ``tinygrad_edu.grad(..., create_graph=True)`` through it raises
    ``NotImplementedError`` (its numpy backward records no graph); a composite of Tensor operations
    differentiates twice.
    """

    formula = None

    @staticmethod
    def forward(ctx, *arrays):  # pragma: no cover - to be overridden
        raise NotImplementedError("Function.forward(ctx, *arrays) must be defined by the subclass")

    @staticmethod
    def backward(ctx, dy):  # pragma: no cover - to be overridden
        raise NotImplementedError("Function.backward(ctx, dy) must be defined by the subclass")

    @classmethod
    def apply(cls, *inputs) -> Tensor:
        """Run the op on ``inputs`` (Tensors, or constants) and record it; returns a Tensor."""
        if cls.forward is Function.forward or cls.backward is Function.backward:
            raise TypeError(f"{cls.__name__}: define both forward(ctx, *arrays) and backward(ctx, dy) "
                            f"as @staticmethod before calling apply")
        tensors = tuple(t if isinstance(t, Tensor) else Tensor(t) for t in inputs)
        op = _UserOp(cls)
        op.needs = [t.requires_grad and is_grad_enabled() for t in tensors]
        return record(op, *tensors)
