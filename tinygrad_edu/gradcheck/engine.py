"""gradcheck: the engine's gradients against numerical ones; each learner's op on its own; which op.

``gradcheck(f, *inputs)`` runs ``f`` once with the graph and ``backward()``, then evaluates ``f``
inside ``no_grad`` with each entry of each checked input moved by +-h (the loop of ``numerical``,
the step and the error of each entry from ``accuracy.estimate``). An entry where the numerical derivative
straddles a corner of the graph (a relu's or max's input, a hinge margin within the step of 0) is
recognized by reading the graph itself at x - h and x + h (``tape.corner_sides``) and left out,
with the op named: a kink is not a wrong gradient.

Each op made by a learner's ``Function`` is then checked on its own, whatever the end-to-end check
found: its backward applied to a random upstream gradient dy against the numerical
vector-Jacobian product sum(dy * (op(x + h e_i) - op(x - h e_i))) / 2h of its own forward, so a
backward that ignores dy (invisible when the loss is a plain ``.sum()``, whose dy is all ones) is
named. When an input's gradient is wrong, every op on the tape is checked so, oldest first, and
the first that disagrees is the report's ``culprit``, numbered as ``loss.tape()`` numbers it.

A float32 input is rechecked with float64 copies when ``f`` accepts them (its output is then
float64, of the same value); otherwise the verdict is wrong or inconclusive, never ok.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..engine import Tensor, no_grad
from .accuracy import estimate, rule_for
from .numerical import (as_array, as_scalar, differences, entries, rel_error, sample_entries,
                        warn_modified)
from .tape import corner_sides, is_user_function, local_gradients, rerun, tape
from .verdict import IN_FLOAT64, Verdict, reasons

__all__ = ["gradcheck", "GradcheckReport", "InputCheck", "OpCheck", "locate_op", "check_ops",
           "corners_within_step", "corner_text"]
CORNERS_READ = 32      # entries per input whose graph is read for corners within the step


@dataclass
class InputCheck:
    """The comparison for one input of ``gradcheck``: ``verdict`` ("ok", "wrong",
    "inconclusive"), the worst entry with the engine's and the numerical value and the latter's
    estimated error, ``kinks`` (entries left out) and ``corners`` ({entry: [(op number, op name,
    how many of its inputs lie within the step)]}, read from the graph), ``reasons``."""

    position: int
    name: str
    shape: tuple
    dtype: str
    verdict: str
    max_rel_error: float
    max_abs_error: float
    worst_index: tuple
    analytic_at_worst: float
    numerical_at_worst: float
    error_at_worst: float
    rule: object
    analytic: np.ndarray = field(repr=False)
    numerical: np.ndarray = field(repr=False)
    kinks: list = field(default_factory=list)
    corners: dict = field(default_factory=dict, repr=False)
    reasons: list = field(default_factory=list)
    h: float = 0.0

    @property
    def ok(self) -> bool:
        return self.verdict == "ok"

    @property
    def rtol(self) -> float:
        return self.rule.rtol

    @property
    def atol(self) -> float:
        return self.rule.atol if self.rule.atol is not None else 10 * self.error_at_worst


@dataclass
class OpCheck:
    """One op checked on its own: ``tensor`` (the op's output, on the tape), ``op``, ``number``
    (its place on the tape, 1 = oldest, as ``loss.tape()`` prints it; ``step`` is number - 1),
    ``input`` (the argument whose gradient is worst), ``verdict``, ``max_rel_error`` and
    ``reason`` (what kind of wrong, when known, e.g. a backward that ignores dy)."""

    tensor: object
    op: object
    number: int
    input: int
    max_rel_error: float
    verdict: str = "wrong"
    reason: str = ""

    @property
    def step(self) -> int:
        return self.number - 1

    def describe(self) -> str:
        return self.op.describe() if hasattr(self.op, "describe") else repr(self.op)

    def __str__(self):
        if self.verdict != "wrong":
            return f"op {self.number} of the tape, {self.describe()}: {self.verdict}"
        formula = getattr(self.op, "formula", "") or ""
        return (f"the first op whose local gradient is wrong: op {self.number} of the tape, "
                f"{self.describe()}, input {self.input}: its backward differs from numerical "
                f"differences of its own forward (max relative error {self.max_rel_error:.2e})"
                + (f"; {self.reason}" if self.reason else "")
                + (f"; its formula says: {formula}" if formula else ""))


class GradcheckReport(Verdict):
    """What ``gradcheck`` found: ``verdict`` ("ok", "wrong" or "inconclusive"), truthy only when
    ok; ``str()`` is a table. ``checks``: one ``InputCheck`` per checked input; ``ops``: the
    learner's own ops, each checked on its own; ``culprit`` (an ``OpCheck``, or None) names the
    first op on the tape with a wrong local gradient, ``culprit.tensor`` the tensor it made. When
    something is wrong, ``output`` is ``f``'s output rebuilt with its graph (else None), and
    ``tinygrad_edu.viz.draw(report)`` draws that graph with the culprit highlighted."""

    def __init__(self, checks, value, culprit=None, evaluations=0, seconds=0.0, output=None,
                 ops=(), notes=()):
        self.checks, self.value, self.culprit = checks, value, culprit
        self.evaluations, self.seconds, self.output = evaluations, seconds, output
        self.ops, self.notes, self.reasons = list(ops), list(notes), []
        self.located = True     # the ops were checked on their own (gradcheck's locate=True)

    @property
    def verdict(self) -> str:
        verdicts = [c.verdict for c in self.checks] + [o.verdict for o in self.ops]
        if "wrong" in verdicts or self.culprit is not None:
            return "wrong"
        return "inconclusive" if "inconclusive" in verdicts or self.reasons else "ok"

    def __str__(self):
        return "\n".join(_table(self))

    __repr__ = __str__


def _table(rep) -> list:
    head = (f"{'input':<12} {'shape':<12} {'dtype':<8} {'max rel err':>11} {'max abs err':>11}  "
            f"{'worst at':<10} {'engine':>13} {'numerical':>13} {'± error':>8}  verdict")
    lines = [f"gradcheck: f = {rep.value:.10g} ({rep.evaluations} evaluations of f, "
             f"{rep.seconds:.2f} s)", head, "-" * len(head)]
    for c in rep.checks:
        lines.append(
            f"{c.name:<12} {str(c.shape):<12} {c.dtype:<8} {c.max_rel_error:>11.2e} "
            f"{c.max_abs_error:>11.2e}  {str(c.worst_index):<10} {c.analytic_at_worst:>13.6g} "
            f"{c.numerical_at_worst:>13.6g} {c.error_at_worst:>8.1g}  "
            f"{c.verdict if c.verdict == 'ok' else c.verdict.upper()}")
    lines.append(f"(h {_hs(rep.checks)}; {rep.checks[0].rule.describe()})" if rep.checks else "")
    lines += _corner_lines(rep.checks)
    verdict = rep.verdict
    lines.append({"ok": "all gradients agree", "wrong": "some gradients are WRONG",
                  "inconclusive": "INCONCLUSIVE: the numbers cannot decide"}[verdict])
    for c in rep.checks:
        lines += [f"  - {c.name}: {r}" for r in c.reasons]
    lines += [f"  - {r}" for r in rep.reasons]
    mine = [o for o in rep.ops if o is not rep.culprit]
    if mine:
        lines.append("your own ops, each checked on its own (its backward with a random dy against "
                     "its forward's numerical vector-Jacobian product): "
                     + "; ".join(str(o) for o in mine))
    if rep.culprit is not None:
        lines += [str(rep.culprit), "see it on the graph: tinygrad_edu.viz.draw(report)"]
    elif verdict == "wrong" and rep.located:
        lines.append("every op's local gradient agrees with its own forward: the disagreement "
                     "comes from outside the graph (e.g. a value computed with .data or "
                     ".detach(), or numpy on a Tensor's data)")
    return lines + [f"note: {n}" for n in rep.notes]


def _hs(checks) -> str:
    return ", ".join(sorted({f"{c.h:.2g}" for c in checks}))


def _corner_lines(checks) -> list:
    return [corner_text(c.name, len(c.kinks), c.corners) for c in checks if c.kinks]


def corner_text(name, count, corners) -> str:
    """One sentence: ``count`` entries of ``name`` left out at kinks, and the ops whose corners
    lie within the step there (``corners`` as ``corners_within_step`` gives them)."""
    ops = sorted({(n, op) for found in corners.values() for n, op, _ in found})
    said = ", ".join(f"{op} (op {n} of the tape)" for n, op in ops)
    return (f"{name}: {count} entries left out at kinks"
            + (f": inputs of {said} lie within the step of their corner there, so the centered "
               f"difference straddles it (not a wrong gradient)" if said else
               ": their one-sided slopes differ by a jump"))


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
              atol: float | None = None, locate: bool = True, seed: int = 0) -> GradcheckReport:
    """Compare the engine's gradients of ``f(*inputs)`` with centered differences.

    ``f`` maps Tensors to a scalar Tensor; ``inputs`` are Tensors, and those with ``requires_grad``
    are checked. The step and each entry's error are measured (``accuracy.estimate``); an entry agrees when
    |engine - numerical| <= 10 * error + rtol (|engine| + |numerical|), rtol 1e-8 in float64;
    ``h``, ``rtol``, ``atol`` given replace the choice. Entries at a corner of the graph (a relu's
    input within the step of 0) are left out and the op named. ``locate``: check each learner's
    ``Function`` op on its own, and when a gradient is wrong every op (the ``culprit``). float32
    inputs are rechecked in float64 when ``f`` accepts it. The inputs' values and ``.grad`` are as
    before on return. Returns a ``GradcheckReport`` (``.verdict``, ``.ok``, ``str()``).
    """
    checked = _check_inputs(inputs)
    saved = [(t.grad, t.data.copy()) for t in inputs]
    try:
        low = any(inputs[i].data.dtype.itemsize < 8 for i in checked)
        copies, why = _float64_copies(f, inputs) if low else (None, None)
        report = _run(f, copies or inputs, checked, h, rtol, atol, locate, seed)
        if copies:
            for c in report.checks:
                c.dtype = "f32→f64" if inputs[c.position].data.dtype.itemsize < 8 else c.dtype
            report.notes.append("float32 inputs: f accepts float64 copies of them (its output is "
                                "float64, of the same value), so the check ran on those copies")
        elif low and report.verdict != "wrong":
            report.reasons.append(f"the inputs are float32 and f cannot be rechecked in float64 "
                                  f"({why}); float32 hides small mistakes; {IN_FLOAT64}")
    finally:
        for t, (g, d) in zip(inputs, saved):
            t.grad = g
            if t.data.shape == d.shape and t.data.flags.writeable:
                np.copyto(t.data, d)
            else:
                t.data = d
    return report


def _float64_copies(f, inputs):
    """(float64 copies of the inputs, None) when f gives a float64 output of the same value on
    them; else (None, why not)."""
    copies = [Tensor(t.data.astype(np.float64), requires_grad=t.requires_grad, name=t.name)
              for t in inputs]
    try:
        with no_grad():
            v32, out = f(*inputs), f(*copies)
    except Exception as e:       # f may insist on float32; that is an answer, not a crash
        return None, f"it raised {type(e).__name__} on float64 copies"
    if not isinstance(out, Tensor) or out.dtype != np.float64:
        return None, "its output stays float32"
    a, b = float(np.sum(v32.data)), float(np.sum(out.data))
    if abs(a - b) > 1e-3 * max(1.0, abs(a)):
        return None, f"its value on float64 copies ({b:.8g}) is not its value ({a:.8g})"
    return copies, None


def _run(f, inputs, checked, h, rtol, atol, locate, seed):
    """The check of ``inputs`` as they are (float64 copies or the originals)."""
    value = _run_backward(f, inputs)
    checks, evaluations, seconds = [], 0, 0.0
    for i in checked:
        check, est = _check_one(f, inputs, i, value, h, rtol, atol, seed)
        checks.append(check)
        evaluations, seconds = evaluations + est.evaluations, seconds + est.seconds
    report = GradcheckReport(checks, value, evaluations=evaluations, seconds=seconds)
    report.located = locate
    if locate:
        out = f(*inputs)
        report.ops = check_ops(out, is_user_function, seed)
        report.culprit = next((o for o in report.ops if o.verdict == "wrong"), None)
        if report.culprit is None and any(c.verdict == "wrong" for c in checks):
            report.culprit = locate_op(out, seed)
        if report.verdict == "wrong":
            report.output = out
    return report


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
    return value


def _check_one(f, inputs, i, value, h, rtol, atol, seed):
    t = inputs[i]
    rule = rule_for(t.data.dtype, rtol, atol)

    def evaluate(_):
        with no_grad():
            return as_scalar(f(*inputs), "gradcheck")
    idx = entries(t.data)
    analytic = np.zeros(t.shape) if t.grad is None else np.asarray(t.grad, dtype=np.float64)
    ana = np.array([analytic[k] for k in idx], dtype=np.float64)
    est = estimate(evaluate, t.data, idx, value, [ana], "gradcheck", rule, h=h, seed=seed)
    warn_modified(est, "gradcheck")
    left = est.left_out(ana, rule)
    corners = _corners(f, inputs, t, est, ana, rule, left)
    for k, ix in enumerate(idx):
        left[k] |= ix in corners
    used = ~left
    wrong = not rule.agree(ana, est.value, est.error)[used].all()
    why = [] if wrong else reasons(est, used, [ana])
    verdict = "wrong" if wrong else ("inconclusive" if why else "ok")
    return _input_check(t, i, verdict, ana, est, rule, used, left, corners, why), est


def _corners(f, inputs, t, est, ana, rule, left) -> dict:
    """The corners within the step at the entries of ``t`` that are at a kink, disagree or are
    not resolved (see ``corners_within_step``)."""
    doubt = left | ~rule.agree(ana, est.value, est.error) | ~est.resolved([ana])
    return corners_within_step(lambda: f(*inputs), t.data, est, np.flatnonzero(doubt))


def corners_within_step(build, x, est, look) -> dict:
    """{entry: [(op number, op name, count)]}: for the entries ``look`` (positions in ``est.idx``,
    at most CORNERS_READ of them), the ops with a corner whose inputs change side between the
    graphs at x - step and x + step. ``build()`` makes the graph from x's current values; the one
    +-h loop (``differences``) moves x and reads each graph's corners."""
    def sides(out):
        return [(n, t.op.name, corner_sides(t)) for n, t in enumerate(tape(out), start=1)]
    found = {}
    for k in look[:CORNERS_READ]:
        ix = est.idx[k]
        # an entry the slopes mark as a kink had it within reach of the step before the last
        reach = float(est.step[k]) * (2.0 if est.kink[k] and est.looked[k] else 1.0)
        d = differences(lambda _: build(), x, [ix], reach, "gradcheck", value=sides)
        below, above = d.down[0], d.up[0]
        if len(below) != len(above):
            continue
        within = [(n, name, int(np.count_nonzero(a != b)))
                  for (n, name, a), (_, _, b) in zip(below, above) if a is not None
                  and b is not None and a.shape == b.shape and np.any(a != b)]
        if within:
            found[ix] = within
    return found


def _input_check(t, i, verdict, ana, est, rule, used, left, corners, why):
    analytic = ana.reshape(t.shape)
    numerical = est.value.reshape(t.shape)
    u = np.flatnonzero(used)
    if u.size:
        gap = np.abs(ana[u] - est.value[u])
        k = int(u[np.argmax(gap / rule.allowed(ana[u], est.value[u], est.error[u]))])
        rel, diff = rel_error(ana[u], est.value[u]), float(gap.max())
    else:
        k, rel, diff = 0, 0.0, 0.0
    worst = est.idx[k] if est.idx else ()
    key = "float32" if t.dtype == np.float32 else "float64"
    return InputCheck(
        position=i, name=t.name or f"inputs[{i}]", shape=t.shape, dtype=key, verdict=verdict,
        max_rel_error=rel, max_abs_error=diff, worst_index=worst,
        analytic_at_worst=float(ana[k]) if ana.size else 0.0,
        numerical_at_worst=float(est.value[k]) if ana.size else 0.0,
        error_at_worst=float(est.error[k]) if ana.size else 0.0, rule=rule, analytic=analytic,
        numerical=numerical, kinks=[est.idx[j] for j in np.flatnonzero(left)], corners=corners,
        reasons=why, h=est.h)


# ---------------------------------------------------------------------------------- per-op checks


def locate_op(out, seed: int = 0, max_entries: int = 64):
    """The first op on ``out``'s tape (oldest first) whose local gradient disagrees with numerical
    differences of its own forward, as an ``OpCheck``; None when every op agrees.

    ``out`` must still hold its graph (no backward without ``retain_graph`` yet). See
    ``check_ops``."""
    for found in check_ops(out, lambda op: True, seed, max_entries, first_wrong=True):
        if found.verdict == "wrong":
            return found
    return None


def check_ops(out, select, seed: int = 0, max_entries: int = 64, first_wrong: bool = False) -> list:
    """Check each op on ``out``'s tape for which ``select(op)`` holds, on its own: its backward
    applied to a random upstream gradient dy against centered differences of sum(dy * forward(...))
    with one input moved, at up to ``max_entries`` random entries per input (the step and the
    errors from ``accuracy.estimate``; an input at a corner of the op, such as a relu's input within the
    step of 0, is left out). One ``OpCheck`` per op checked, numbered as the tape numbers it;
    ``first_wrong`` stops at the first wrong one."""
    rng = np.random.default_rng(seed)
    found = []
    for number, t in enumerate(tape(out), start=1):
        if select(t.op):
            found.append(_check_op(t, number, rng, max_entries))
            if first_wrong and found[-1].verdict == "wrong":
                break
    return found


def _check_op(t, number, rng, max_entries):
    op = t.op
    arrays = [p.data for p in op.parents]
    dy = rng.standard_normal(t.data.shape).astype(t.data.dtype)
    grads = local_gradients(t, dy)
    worst = OpCheck(t, op, number, 0, 0.0, "ok")
    for i, (p, g) in enumerate(zip(op.parents, grads)):
        if g is None or p.data.dtype.kind != "f":
            continue
        x = p.data.copy()
        idx = entries(x) if x.size <= max_entries else sample_entries(x, max_entries,
                                                                      int(rng.integers(1 << 30)))

        def vjp(a, i=i):
            args = list(arrays)
            args[i] = a
            return float(np.sum(as_array(rerun(op, args), "gradcheck", t.data.shape) * dy))
        ana = np.array([g[k] for k in idx])
        rule = rule_for(x.dtype)
        est = estimate(vjp, x, idx, vjp(x), [ana], "gradcheck", rule, seed=number)
        used = ~est.left_out(ana, rule)
        rel = rel_error(ana[used], est.value[used]) if used.any() else 0.0
        if not rule.agree(ana, est.value, est.error)[used].all():
            return OpCheck(t, op, number, i, rel, "wrong", _why_op(t, i, dy, g))
        if rel > worst.max_rel_error:
            worst = OpCheck(t, op, number, i, rel, "ok")
    return worst


def _why_op(t, i, dy, g) -> str:
    """What kind of wrong a local gradient is, when a simple test tells: one that does not scale
    with dy ignores it."""
    again = local_gradients(t, 2 * dy)[i]
    if again is not None and np.allclose(again, g, rtol=1e-9, atol=1e-300) and np.any(g):
        return ("it ignores dy: doubling the upstream gradient leaves its result unchanged, so "
                "it returns the local derivative for dy = 1; multiply by dy (with a plain .sum() "
                "as the loss, dy is all ones and the end-to-end check cannot see this)")
    return ""
