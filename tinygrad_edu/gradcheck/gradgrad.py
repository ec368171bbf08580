"""gradgradcheck: second derivatives, checked as ``gradcheck`` of the gradient function.

As PyTorch and HIPS autograd write it: the first gradient is itself a function of the inputs (and
of the output's gradient ``u``), so checking second derivatives is checking *its* gradient. With a
random direction ``v_i`` per input, the scalar

    s(x, u) = sum_i <v_i, dL/dx_i>       (L = <u, f(x)>, or f(x) itself when it is a scalar)

is computed by the engine; ``gradcheck(s, *inputs, u)`` then compares the engine's gradient of s
(through the gradient's own graph, ``grad(..., create_graph=True)``) with centered differences of
s computed from plain first gradients (numpy alone), with the same step, error estimate and rule
as every other check::

    >>> import numpy as np, tinygrad_edu as tg
    >>> from tinygrad_edu.gradcheck import gradgradcheck
    >>> x = tg.Tensor(np.array([0.3, -1.2, 2.0]), requires_grad=True)
    >>> bool(gradgradcheck(lambda x: (x * x.tanh()).sum(), x))
    True
"""
from __future__ import annotations

import numpy as np

from ..engine import Tensor, enable_grad, grad, is_grad_enabled, no_grad
from .engine import GradcheckReport, gradcheck
from .accuracy import rule_for

__all__ = ["gradgradcheck", "GradGradReport"]


class GradGradReport(GradcheckReport):
    """``gradcheck``'s report of the gradient function, plus ``first_order_ok``: the first gradient
    built as a graph (for differentiating again) equals the plain one (``first_order_gap``, the
    largest difference)."""

    first_order_gap, first_order_ok = 0.0, True

    @property
    def verdict(self) -> str:
        return "wrong" if not self.first_order_ok else super().verdict

    def __str__(self):
        return (f"gradgradcheck: the gradient of s = sum_i <v_i, dL/dx_i> (random v_i)\n"
                + super().__str__()
                + f"\nfirst gradient, built as a graph vs plain: max abs difference "
                  f"{self.first_order_gap:.2e}  {'ok' if self.first_order_ok else 'WRONG'}"
                + ("" if self.verdict != "wrong" else
                   "\nthe gradient's own graph differs from numerical differences of the plain "
                   "gradient: some op's backward, run on Tensors, treats a value it depends on as "
                   "a constant, or is written differently for Tensors than for arrays"))

    __repr__ = __str__


def _first(f, inputs, positions, u, graph):
    """The engine's first gradients of f(*inputs) with respect to inputs[positions], seeded with u."""
    with enable_grad():
        out = f(*inputs)
        if not isinstance(out, Tensor):
            raise TypeError(f"gradgradcheck: f must return a Tensor, got {type(out).__name__}")
        seed = None if u is None else (u if graph else u.data)
        return grad(out, [inputs[k] for k in positions], grad_outputs=seed, create_graph=graph,
                    allow_unused=True)


def gradgradcheck(f, *inputs, grad_outputs=None, h: float | None = None, rtol: float | None = None,
                  atol: float | None = None, seed: int = 0) -> GradGradReport:
    """Check the engine's second derivatives of ``f(*inputs)`` numerically (float64 inputs).

    ``f`` maps Tensors to a Tensor; the inputs with ``requires_grad`` are the variables. For a
    non-scalar output the output's gradient ``u`` (``grad_outputs``, random if not given) is a
    variable too, so the mixed derivatives are checked. ``h``, ``rtol``, ``atol`` as in
    ``gradcheck``. Inputs hold their values on return; no ``.grad`` is touched. Returns a
    ``GradGradReport``: one row per variable (``grad_outputs`` last), truthy only when ok.
    """
    positions = [k for k, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not positions:
        raise ValueError("gradgradcheck: no input requires grad; pass Tensors with requires_grad=True")
    rng = np.random.default_rng(seed)
    with no_grad():
        out = f(*inputs)
    u = None
    if out.data.size != 1 or grad_outputs is not None:
        g0 = rng.standard_normal(out.shape) if grad_outputs is None else grad_outputs
        u = Tensor(np.array(getattr(g0, "data", g0), dtype=np.float64), requires_grad=True,
                   name="grad_outputs")
    vs = [rng.standard_normal(inputs[k].shape) for k in positions]
    n = len(inputs)

    def s(*args):
        graph = is_grad_enabled()
        gs = _first(f, args[:n], positions, args[n] if u is not None else None, graph)
        terms = [(g * v).sum() for g, v in zip(gs, vs) if g is not None]
        return sum(terms[1:], terms[0]) if terms else Tensor(0.0)
    saved = [t.grad for t in inputs]
    try:
        report = gradcheck(s, *inputs, *([u] if u is not None else []), h=h, rtol=rtol, atol=atol,
                           locate=False, seed=seed)
        report.__class__ = GradGradReport
        on_graph = _first(f, inputs, positions, u, graph=True)
        plain = _first(f, inputs, positions, u, graph=False)
    finally:
        for t, g in zip(inputs, saved):
            t.grad = g
    pairs = [(a.data, b.data) for a, b in zip(on_graph, plain) if a is not None and b is not None]
    rule = rule_for(np.float64, rtol, atol)
    report.first_order_gap = max((float(np.max(np.abs(a - b), initial=0.0)) for a, b in pairs),
                                 default=0.0)
    report.first_order_ok = all(rule.agree(a, b, 1e-15 * (1 + np.max(np.abs(b), initial=0.0))).all()
                                for a, b in pairs)
    return report
