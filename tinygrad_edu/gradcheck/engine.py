"""gradcheck: the engine's gradients against numerical ones, and, when they disagree, which op.

``gradcheck(f, *inputs)`` runs ``f`` once with the graph and ``backward()``, then evaluates ``f``
inside ``no_grad`` with each entry of each checked input moved by +-h (the loop of ``numerical``).
When an input disagrees, ``locate_op`` rebuilds the graph and checks every op on its tape, oldest
first, on its own: the op's local gradient (its ``backward`` applied to a random upstream gradient
dy) against the numerical vector-Jacobian product sum(dy * (op(x + h e_i) - op(x - h e_i))) / 2h
of its own forward. The first op that disagrees is named in the report (``.culprit``): a wrong
local gradient, e.g. in a learner's own ``Function``.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np

from ..engine import Tensor, no_grad
from ..engine.autograd import collect, local_gradients
from .numerical import (as_array, default_step, differences, entries, rel_error, sample_entries,
                        tolerances, warn_modified)

__all__ = ["gradcheck", "GradcheckReport", "InputCheck", "OpCheck", "locate_op"]


@dataclass
class InputCheck:
    """The comparison for one input of ``gradcheck``."""

    position: int
    name: str
    shape: tuple
    dtype: str
    max_rel_error: float
    max_abs_error: float
    worst_index: tuple
    analytic_at_worst: float
    numerical_at_worst: float
    rtol: float
    atol: float
    ok: bool
    analytic: np.ndarray = field(repr=False)
    numerical: np.ndarray = field(repr=False)


@dataclass
class OpCheck:
    """One op whose local gradient disagrees with its own numerical vector-Jacobian product:
    ``tensor`` (the op's output, on the tape), ``op``, ``step`` (its place on the tape, oldest first,
    from 0), ``input`` (which argument), ``max_rel_error``."""

    tensor: object
    op: object
    step: int
    input: int
    max_rel_error: float

    def __str__(self):
        op = self.op
        formula = getattr(op, "formula", "") or ""
        return (f"the first op whose local gradient is wrong: step {self.step} of the tape, "
                f"{op.describe() if hasattr(op, 'describe') else repr(op)}, input {self.input}: its "
                f"backward differs from numerical differences of its own forward (max relative error "
                f"{self.max_rel_error:.2e})" + (f"; its formula says: {formula}" if formula else ""))


class GradcheckReport:
    """What ``gradcheck`` found: truthy when every checked input agrees; ``str()`` is a table.
    ``culprit`` (an ``OpCheck``, or None) names the first op on the tape with a wrong local gradient;
    ``culprit.tensor`` is the tensor that op made. When some gradient disagrees, ``output`` is
    ``f``'s output rebuilt with its graph (else None), and ``tinygrad_edu.viz.draw(report)`` draws
    that graph with the culprit highlighted."""

    def __init__(self, checks, value, culprit=None, evaluations=0, seconds=0.0, output=None):
        self.checks, self.value, self.culprit = checks, value, culprit
        self.evaluations, self.seconds, self.output = evaluations, seconds, output

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def __bool__(self):
        return self.ok

    def __str__(self):
        head = (f"{'input':<12} {'shape':<12} {'dtype':<8} {'max rel err':>11} {'max abs err':>11}  "
                f"{'worst at':<10} {'engine':>13} {'numerical':>13}  verdict")
        lines = [f"gradcheck: f = {self.value:.10g} ({self.evaluations} evaluations of f, "
                 f"{self.seconds:.2f} s)", head, "-" * len(head)]
        for c in self.checks:
            lines.append(
                f"{c.name:<12} {str(c.shape):<12} {c.dtype:<8} {c.max_rel_error:>11.2e} "
                f"{c.max_abs_error:>11.2e}  {str(c.worst_index):<10} {c.analytic_at_worst:>13.6g} "
                f"{c.numerical_at_worst:>13.6g}  {'ok' if c.ok else 'WRONG'} "
                f"({c.dtype}: rtol {c.rtol:g}, atol {c.atol:.1g})")
        lines.append("all gradients agree" if self.ok else "some gradients disagree: see WRONG rows")
        if self.culprit is not None:
            lines.append(str(self.culprit))
            lines.append("see it on the graph: tinygrad_edu.viz.draw(report)")
        elif not self.ok:
            lines.append("every op's local gradient agrees with its own forward: the disagreement "
                         "comes from outside the graph (e.g. a value computed with .data or "
                         ".detach(), or numpy on a Tensor's data)")
        return "\n".join(lines)

    __repr__ = __str__


def _compare(analytic, numerical, rtol, atol):
    """Per-entry verdict |a - n| <= atol + rtol * (|a| + |n|), and the worst entry's index."""
    diff = np.abs(analytic - numerical)
    allowed = atol + rtol * (np.abs(analytic) + np.abs(numerical))
    ok = diff <= allowed
    worst = np.unravel_index(int(np.argmax(diff / allowed)), diff.shape) if diff.size else ()
    return ok, tuple(int(i) for i in worst)


def _check_inputs(inputs):
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor):
            raise TypeError(f"gradcheck: input {i} is a {type(t).__name__}; every input must be a "
                            f"Tensor (create the ones to check with requires_grad=True)")
        if not t.data.flags.writeable:
            raise ValueError(f"gradcheck: input {i}'s data (shape {t.shape}) is read-only, so it "
                             f"cannot be perturbed in place; pass Tensor(array.copy(), ...)")
    checked = [i for i, t in enumerate(inputs) if t.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input has requires_grad=True, so there is nothing to check")
    return checked


def gradcheck(f, *inputs, h: float | None = None, rtol: float | None = None,
              atol: float | None = None, locate: bool = True) -> GradcheckReport:
    """Compare the engine's gradients of ``f(*inputs)`` with centered differences.

    ``f`` maps Tensors to a scalar Tensor; ``inputs`` are Tensors, and those with ``requires_grad``
    are checked. Thresholds follow the dtype (float64: h 1e-5, rtol 1e-6; float32: h 5e-3 scaled,
    rtol 1e-2; atol covers f's rounding noise); an entry agrees when
    |engine - numerical| <= atol + rtol (|engine| + |numerical|). When some input disagrees and
    ``locate`` is true, the report's ``culprit`` names the first op on the tape whose local gradient
    is wrong (``locate_op``). The inputs' values and their ``.grad`` are as before on return.
    """
    checked = _check_inputs(inputs)
    saved_grads = [t.grad for t in inputs]
    saved_data = [t.data.copy() for t in inputs]
    try:
        value, low = _run_backward(f, inputs)
        checks, evaluations, seconds = [], 0, 0.0
        for i in checked:
            check, diffs = _check_one(f, inputs, i, value, low, h, rtol, atol)
            checks.append(check)
            evaluations, seconds = evaluations + diffs.evaluations, seconds + diffs.seconds
        culprit = with_graph = None
        if locate and not all(c.ok for c in checks):
            with_graph = f(*inputs)
            culprit = locate_op(with_graph)
    finally:
        for t, g, d in zip(inputs, saved_grads, saved_data):
            t.grad = g
            if t.data.shape == d.shape and t.data.flags.writeable:
                np.copyto(t.data, d)
            else:
                t.data = d
    return GradcheckReport(checks, value, culprit, evaluations, seconds, with_graph)


def _run_backward(f, inputs):
    for t in inputs:
        t.grad = None
    out = f(*inputs)
    if not isinstance(out, Tensor) or out.size != 1:
        raise ValueError(f"gradcheck: f must return a one-element Tensor, got "
                         f"{type(out).__name__} of shape {np.shape(getattr(out, 'data', out))}")
    value = out.item()
    if out.requires_grad:
        out.backward()
    return value, out.dtype == np.float32


def _check_one(f, inputs, i, value, low, h, rtol, atol):
    t = inputs[i]
    probe = t.data.astype(np.float32) if low else t.data
    h_i = h if h is not None else default_step(probe)
    rtol_i, atol_i = tolerances(probe, value, h_i)
    rtol_i = rtol if rtol is not None else rtol_i
    atol_i = atol if atol is not None else atol_i

    def evaluate(_):
        with no_grad():
            return f(*inputs)
    diffs = differences(evaluate, t.data, entries(t.data), h_i, "gradcheck")
    warn_modified(diffs, "gradcheck")
    numerical = diffs.centered().reshape(t.shape)
    analytic = np.zeros(t.shape) if t.grad is None else np.asarray(t.grad, dtype=np.float64)
    ok, worst = _compare(analytic, numerical, rtol_i, atol_i)
    diff = np.abs(analytic - numerical)
    key = "float32" if (low or t.dtype == np.float32) else "float64"
    return InputCheck(
        position=i, name=t.name or f"inputs[{i}]", shape=t.shape, dtype=key,
        max_rel_error=rel_error(analytic, numerical),
        max_abs_error=float(diff.max()) if diff.size else 0.0, worst_index=worst,
        analytic_at_worst=float(analytic[worst]) if diff.size else 0.0,
        numerical_at_worst=float(numerical[worst]) if diff.size else 0.0,
        rtol=rtol_i, atol=atol_i, ok=bool(ok.all()), analytic=analytic, numerical=numerical), diffs


# ---------------------------------------------------------------------------------- per-op location


def locate_op(out, seed: int = 0, max_entries: int = 64):
    """The first op on ``out``'s tape (oldest first) whose local gradient disagrees with numerical
    differences of its own forward, as an ``OpCheck``; None when every op agrees.

    ``out`` must still hold its graph (no backward without ``retain_graph`` yet). For each op and
    each input that needs a gradient: a random upstream gradient dy shaped like the op's output,
    the op's ``backward(dy)`` (summed back to the input's shape), and centered differences of
    sum(dy * forward(...)) with that input moved, at up to ``max_entries`` random entries. The
    forward runs on a copy of the op, so the recorded one keeps its saved values.
    """
    made = collect(out)
    rng = np.random.default_rng(seed)
    for step, t in enumerate(made):
        found = _check_op(t, step, rng, max_entries)
        if found is not None:
            return found
    return None


def _check_op(t, step, rng, max_entries):
    op = t._op
    arrays = [p.data for p in op.parents]
    dy = rng.normal(size=t.data.shape).astype(t.data.dtype)
    grads = local_gradients(t, dy)
    for i, (p, g) in enumerate(zip(op.parents, grads)):
        if g is None or p.data.dtype.kind != "f":
            continue
        g = np.asarray(g, dtype=np.float64)
        x = p.data.copy()
        idx = entries(x) if x.size <= max_entries else sample_entries(x, max_entries, rng.integers(1 << 30))

        def forward(a, i=i):
            args = list(arrays)
            args[i] = a
            return copy.copy(op).forward(*args)
        h = default_step(x)
        vjp = lambda out: float(np.sum(as_array(out, "gradcheck", t.data.shape) * dy))  # noqa: E731
        diffs = differences(forward, x, idx, h, "gradcheck", value=vjp)
        num = diffs.centered()
        ana = np.array([g[k] for k in idx])
        rtol, atol = tolerances(x, float(np.sum(np.abs(dy))), h)
        if not np.all(np.abs(ana - num) <= atol + rtol * (np.abs(ana) + np.abs(num))):
            return OpCheck(t, op, step, i, rel_error(ana, num))
    return None

