"""Higher-order gradients: ``grad`` (from the engine) and ``gradgradcheck``, a numerical check of them.

``gradgradcheck(f, *inputs)`` checks second derivatives the way ``gradcheck`` checks first ones:
the engine's gradient of the gradient (built with ``create_graph=True``) against centered
differences of the engine's plain first gradient (numpy alone, no graph), along random directions::

    >>> import numpy as np, tinygrad_edu as tg
    >>> from tinygrad_edu.higher import gradgradcheck
    >>> x = tg.Tensor(np.array([0.3, -1.2, 2.0]), requires_grad=True)
    >>> bool(gradgradcheck(lambda x: (x * x.tanh()).sum(), x))
    True
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .engine import Tensor, grad

__all__ = ["grad", "gradgradcheck", "GradGradReport"]


@dataclass
class GradGradRow:
    """One variable of ``gradgradcheck``: an input, or the output's gradient (``grad_outputs``)."""

    name: str
    shape: tuple
    max_abs_error: float
    max_rel_error: float
    ok: bool


class GradGradReport:
    """What ``gradgradcheck`` found: truthy when every row agrees; ``str()`` is a table."""

    def __init__(self, rows, first_order_gap: float, first_order_ok: bool):
        self.rows, self.first_order_gap, self.first_order_ok = rows, first_order_gap, first_order_ok

    @property
    def ok(self) -> bool:
        return self.first_order_ok and all(r.ok for r in self.rows)

    def __bool__(self):
        return self.ok

    def __str__(self):
        lines = [f"{'variable':<14}{'shape':<14}{'max abs err':>12}{'max rel err':>12}  verdict"]
        for r in self.rows:
            lines.append(f"{r.name:<14}{str(r.shape):<14}{r.max_abs_error:>12.2e}"
                         f"{r.max_rel_error:>12.2e}  {'ok' if r.ok else 'MISMATCH'}")
        lines.append(f"first gradient, graph vs numpy: max abs difference {self.first_order_gap:.2e}"
                     f"  {'ok' if self.first_order_ok else 'MISMATCH'}")
        lines.append("second derivatives agree" if self.ok else "second derivatives DISAGREE")
        return "\n".join(lines)

    __repr__ = __str__


def _first_grads(f, inputs, xs, u, create_graph):
    """The engine's gradient of ``f(*inputs)`` with respect to ``xs``, seeded with ``u``."""
    out = f(*inputs)
    if not isinstance(out, Tensor):
        raise TypeError(f"gradgradcheck: f must return a Tensor, got {type(out).__name__}")
    seed = None if u is None else (u if create_graph else u.data)
    return grad(out, xs, grad_outputs=seed, create_graph=create_graph, allow_unused=True)


def _directional(f, inputs, xs, u, vs) -> float:
    """s = sum_i <v_i, g_i>, with the first gradients g from numpy alone (no graph)."""
    gs = _first_grads(f, inputs, xs, u, create_graph=False)
    return float(sum(np.sum(v * g.data) for v, g in zip(vs, gs) if g is not None))


def _numerical(f, inputs, xs, u, vs, t: Tensor, h: float) -> np.ndarray:
    """Centered differences of the directional first gradient along each entry of ``t.data``."""
    num = np.zeros(t.shape)
    data = t.data
    for ix in np.ndindex(*t.shape):
        old = data[ix]
        try:
            data[ix] = old + h
            up = _directional(f, inputs, xs, u, vs)
            data[ix] = old - h
            down = _directional(f, inputs, xs, u, vs)
        finally:
            data[ix] = old
        num[ix] = (up - down) / (2 * h)
    return num


def gradgradcheck(f, *inputs, grad_outputs=None, h: float = 1e-5, rtol: float = 1e-4,
                  atol: float = 1e-6, seed: int = 0) -> GradGradReport:
    """Check the engine's second derivatives of ``f(*inputs)`` numerically (float64 inputs).

    ``f`` maps Tensors to a Tensor; the inputs with ``requires_grad`` are the variables. For a
    non-scalar output, the output's gradient ``u`` (``grad_outputs``, random if not given) is a
    variable too, so the mixed derivatives are checked. With a random direction ``v_i`` per input,
    the scalar ``s = sum_i <v_i, dL/dx_i>`` is differentiated twice over: by the engine through the
    gradient's own graph (``grad(..., create_graph=True)``, then ``grad`` again), and by centered
    differences (step ``h``) of ``s`` computed from the engine's plain first gradients. An entry agrees
    when ``|engine - numerical| <= atol + rtol * |numerical|``. The first gradients of both modes
    must also agree. Inputs hold their values on return; no ``.grad`` is touched.
    """
    xs = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    if not xs:
        raise ValueError("gradgradcheck: no input requires grad; pass Tensors with requires_grad=True")
    rng = np.random.default_rng(seed)
    out = f(*inputs)
    u = None
    if out.data.size != 1 or grad_outputs is not None:
        g0 = rng.standard_normal(out.shape) if grad_outputs is None else grad_outputs
        u = Tensor(np.array(getattr(g0, "data", g0), dtype=np.float64), requires_grad=True)
    vs = [rng.standard_normal(x.shape) for x in xs]
    on_graph = _first_grads(f, inputs, xs, u, create_graph=True)
    plain = _first_grads(f, inputs, xs, u, create_graph=False)
    pairs = [(a.data, b.data) for a, b in zip(on_graph, plain) if a is not None]
    gap = max((float(np.max(np.abs(a - b), initial=0.0)) for a, b in pairs), default=0.0)
    first_ok = all(np.allclose(a, b, rtol=rtol, atol=atol) for a, b in pairs)
    s = sum(((g * v).sum() for g, v in zip(on_graph, vs) if g is not None and g.requires_grad),
            start=Tensor(0.0))
    variables = xs + ([u] if u is not None else [])
    if s.requires_grad:
        second = grad(s, variables, allow_unused=True)
    else:                        # the gradient does not depend on any variable: all second derivatives 0
        second = [None] * len(variables)
    rows = []
    for i, (t, sec) in enumerate(zip(variables, second)):
        engine = np.zeros(t.shape) if sec is None else sec.data
        num = _numerical(f, inputs, xs, u, vs, t, h)
        err = np.abs(engine - num)
        ok = bool(np.all(err <= atol + rtol * np.abs(num)))
        rel = float(np.max(err / np.maximum(1e-8, np.abs(engine) + np.abs(num)), initial=0.0))
        position = next(k for k, x in enumerate(inputs) if x is t) if t is not u else None
        name = "grad_outputs" if t is u else (t.name or f"input {position}")
        rows.append(GradGradRow(name, t.shape, float(np.max(err, initial=0.0)), rel, ok))
    return GradGradReport(rows, gap, first_ok)
