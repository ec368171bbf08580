"""check_gradient: a learner's own ``f(x) -> (loss, grad)`` against numerical differences.

The steps, each a function below: call f once (the loss, the gradient, and whether f changed x);
take centered differences at every entry or at ``num_checks`` random ones, with the step chosen and
the error of each entry estimated from the evaluations themselves (``accuracy.estimate``), a second look at
smaller steps for the entries that disagree, and the kinks (ReLU, hinge margin, max) recognized by
their one-sided slopes; then let the table in ``diagnoses`` say what kind of wrong it is, and
``verdict`` whether the numbers could decide at all.

float32 never reassures: a float32 ``x`` is rechecked with a float64 copy when f accepts one (its
loss is float64 and moves with x as the float32 one does), and otherwise the verdict is wrong or
inconclusive, never ok.
"""
from __future__ import annotations

import functools
import numbers
import time
import types
from dataclasses import dataclass, field

import numpy as np

from ..engine import Tensor
from .diagnoses import Evidence, diagnose
from .accuracy import MARGIN, Rule, estimate, rule_for
from .numerical import (as_scalar, check_array, check_step, entries, is_low_precision, rel_error,
                        sample_entries)
from .verdict import IN_FLOAT64, Verdict, reasons

__all__ = ["check_gradient", "GradientCheckReport"]
WHERE = "check_gradient"


@dataclass
class GradientCheckReport(Verdict):
    """What ``check_gradient`` found. Truthy when ``ok``; ``str()`` explains.

    ``verdict``: "ok", "wrong" or "inconclusive" (``reasons`` says why, with what to do);
    ``analytic``: your gradient; ``numerical``: the numerical one shaped like x (nan at entries not
    checked), ``error`` its estimated error; ``checked``: the entries compared; ``kinks``: those
    at a kink and left out of the verdict; ``h``: the step (``step_chosen``: "measured" or
    "given"); ``rule``: the agreement rule; ``notes``: what else the check did (a float64 rerun);
    ``evaluations``/``seconds``: the cost of the check.
    """

    verdict: str
    diagnoses: list
    loss: float
    max_rel_error: float
    max_abs_error: float
    worst_index: tuple | None
    analytic: np.ndarray = field(repr=False)
    numerical: np.ndarray = field(repr=False)
    error: np.ndarray = field(repr=False)
    rule: Rule = None
    h: float = 0.0
    step_chosen: str = "measured"
    dtype: str = "float64"
    checked: list = field(default_factory=list, repr=False)
    kinks: list = field(default_factory=list)
    reasons: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    evaluations: int = 0
    seconds: float = 0.0

    @property
    def rtol(self) -> float:
        return self.rule.rtol

    @property
    def atol(self) -> float:
        """The absolute tolerance at the worst entry (MARGIN times its estimated error)."""
        if self.rule.atol is not None:
            return self.rule.atol
        return MARGIN * float(self.error[self.worst_index]) if self.worst_index is not None else 0.0

    def __str__(self):
        total = self.numerical.size
        which = f"all {total} entries" if len(self.checked) == total else \
            f"{len(self.checked)} random entries of {total}"
        lines = [f"check_gradient: loss {self.loss:.10g}, gradient of shape {self.numerical.shape}, "
                 f"{self.dtype}, step h {self.h:.3g} ({_how(self.step_chosen)}); checked {which} "
                 f"({self.evaluations} loss evaluations, {self.seconds:.2f} s)"]
        if self.worst_index is not None:
            ix = self.worst_index
            lines.append(f"  max relative error {self.max_rel_error:.2e}, max abs error "
                         f"{self.max_abs_error:.2e}; worst entry {ix}: yours {self._yours(ix):.8g}, "
                         f"numerical {float(self.numerical[ix]):.8g} ± {float(self.error[ix]):.2g} "
                         f"(its estimated error)")
        if self.kinks:
            shown = ", ".join(str(k) for k in self.kinks[:6]) + (" ..." if len(self.kinks) > 6 else "")
            lines.append(f"  at a kink (left out of the verdict): {len(self.kinks)} of "
                         f"{len(self.checked)} entries ({100 * len(self.kinks) / len(self.checked):.0f}%): "
                         f"{shown}; the one-sided slopes there differ by a jump (a ReLU, hinge margin "
                         f"or max within the step of its corner), and your value lies between them")
        lines.append(f"  verdict: {self.verdict.upper() if self.verdict != 'ok' else 'ok'} "
                     f"({self.rule.describe()})")
        lines += [f"  - {d}" for d in self.diagnoses]
        lines += [f"  - inconclusive: {r}" for r in self.reasons]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def _yours(self, ix):
        a = self.analytic
        return float(a[ix] if a.shape == self.numerical.shape else a.T[ix])

    __repr__ = __str__


def _how(chosen):
    return ("given by you" if chosen == "given" else
            "measured: truncation and rounding balanced")


def check_gradient(f, x, reg: float | None = None, N: int | None = None, h: float | None = None,
                   rtol: float | None = None, atol: float | None = None, num_checks: int | None = None,
                   seed=None, *, reg_convention: float | None = None,
                   progress: bool | None = None) -> GradientCheckReport:
    """Check a learner's ``f(x) -> (loss, grad)`` against numerical differences, and say what is wrong.

    ``f`` is, e.g., ``lambda W: softmax_loss_naive(W, X, y, reg)``; ``x`` a writeable float numpy
    array, perturbed in place and restored bit for bit (a closure reading the same array sees the
    change); ``grad`` should be d loss / d x, shaped like ``x``.

    ``reg``: the regularization strength, to tell the data term's mistakes from the
    regularization's (both conventions are tried: ``reg*sum(W*W)`` with gradient ``2*reg*W`` and
    ``0.5*reg*sum(W*W)`` with ``reg*W``; ``reg_convention=1`` or ``0.5`` fixes which). ``N``: the batch
    size, to name a factor of N (read from an (N, D) array f closes over when not given).
    ``h``: the step (default: measured, see ``estimate``); ``rtol``, ``atol``: the tolerance
    (default: ten times each entry's estimated error plus a floor of 1e-8 relative in float64); a
    value you give replaces the choice, and the report says so. ``num_checks=k``: compare k random
    entries (chosen with ``seed``) instead of all, with the same diagnoses. ``progress``: a tqdm bar
    (None: only when the check is expected to take over ~2 s).

    Returns a ``GradientCheckReport``: ``.verdict`` ("ok", "wrong" or "inconclusive"), ``.ok``,
    ``.codes``, ``.diagnoses``, ``.kinks``, ``.reasons``, ``str()``. The codes are listed in the
    chapter "Checking your own gradient" of the tutorial and in ``diagnoses``.
    """
    check_array(x, WHERE)
    settings = dict(reg=_check_reg(reg, reg_convention), N=N, convention=reg_convention,
                    h=None if h is None else check_step(h, WHERE), rtol=rtol, atol=atol,
                    num_checks=None if num_checks is None else _count(num_checks), seed=seed,
                    progress=progress)
    if settings["N"] is None:
        settings["N"] = _infer_batch_size(f, x)
    if is_low_precision(x):
        return _low_precision(f, x, settings)
    return _check(f, x, settings)


def _check(f, x, s):
    """The check itself, at x's own dtype."""
    start = time.perf_counter()
    loss, grad, first_modified = _first_call(f, x)
    rule = rule_for(x.dtype, s["rtol"], s["atol"])
    idx = entries(x) if s["num_checks"] is None else sample_entries(x, s["num_checks"], s["seed"])
    value = lambda arr: as_scalar(_unpack(f(arr))[0], WHERE)  # noqa: E731
    ana = _analytic(grad, x, idx)
    est = estimate(value, x, idx, loss, [] if ana is None else [ana], WHERE, rule, h=s["h"],
                   seed=0 if s["seed"] is None else s["seed"], progress=s["progress"])
    kink = est.left_out(ana, rule) if ana is not None else np.zeros(len(idx), bool)
    ev = Evidence(x=x.astype(np.float64), grad=grad, idx=idx, num=est.value, ana=ana,
                  err=est.error, kink=kink, rule=rule, reg=s["reg"], N=s["N"],
                  convention=s["convention"], modified=first_modified + est.modified,
                  low=is_low_precision(x))
    found = diagnose(ev)
    wrong = bool(found) or not bool(ev.agree[ev.used].all())
    why = [] if wrong else reasons(est, ev.used, [ana], _reg_part(ev))
    verdict = "wrong" if wrong else ("inconclusive" if why else "ok")
    return _report(ev, est, verdict, found, why, loss, x, time.perf_counter() - start)


def _reg_part(ev):
    """The smaller regularization gradient of the two conventions (reg * x), or None."""
    if not ev.reg:
        return None
    return (2.0 * ev.convention if ev.convention else 1.0) * ev.reg * ev.xs


def _report(ev, est, verdict, found, why, loss, x, seconds):
    numerical, error = np.full(x.shape, np.nan), np.full(x.shape, np.nan)
    for i, n, e in zip(ev.idx, ev.num, ev.err):
        numerical[i], error[i] = n, e
    kinks = [ev.idx[k] for k in np.flatnonzero(ev.kink)]
    worst, rel, diff = None, float("inf"), float("inf")
    if ev.ana is not None and ev.used.any():
        u = np.flatnonzero(ev.used)
        gap = np.abs(ev.ana[u] - ev.num[u])
        worst = ev.idx[u[int(np.argmax(gap / ev.rule.allowed(ev.ana[u], ev.num[u], ev.err[u])))]]
        rel, diff = rel_error(ev.ana[u], ev.num[u]), float(gap.max())
    return GradientCheckReport(verdict, found, loss, rel, diff, worst, ev.grad, numerical, error,
                               ev.rule, est.h, est.chosen, str(x.dtype), ev.idx, kinks, why, [],
                               est.evaluations + 1, seconds)


# ---------------------------------------------------------------------------------- float32


def _low_precision(f, x, s):
    """A float32 x: rechecked with a float64 copy when f accepts one; else checked as it is, and
    then wrong or inconclusive, never ok."""
    why = _refuses_float64(f, x)
    if why is None:
        rep = _check(f, x.astype(np.float64), s)
        rep.dtype = f"{x.dtype} (checked in float64)"
        rep.notes.append(f"x is {x.dtype}: f accepts a float64 copy of it (its loss is float64 and "
                         f"moves with x as the {x.dtype} one does), so the check ran on that copy, "
                         f"where small mistakes cannot hide; the verdict is float64's")
        return rep
    rep = _check(f, x, s)
    if rep.verdict != "wrong":
        rep.verdict = "inconclusive"
        rep.reasons.append(f"x is {x.dtype}, and f cannot be rechecked in float64 ({why}); {x.dtype} "
                           f"cannot resolve a mistake smaller than its rounding (a missing 2*reg*W "
                           f"of 2e-5 beside a data gradient of 1 goes unseen), so agreement here "
                           f"proves little; {IN_FLOAT64}")
    return rep


def _refuses_float64(f, x):
    """None when f, given a float64 copy of x, returns a float64 loss that moves with x as the
    loss at x does (and resolves steps float32 cannot); else why not, in a few words. The moves
    are centered, along your gradient's direction (where the loss changes most)."""
    x64 = x.astype(np.float64)
    try:
        l32 = as_scalar(_unpack(f(x.copy()))[0], WHERE)
        out = _unpack(f(x64.copy()))
        l64 = as_scalar(out[0], WHERE)
    except Exception as e:     # f may insist on its own dtype; that is an answer, not a crash
        return f"it raised {type(e).__name__} on a float64 copy"
    g = np.asarray(getattr(out[1], "data", out[1]), dtype=np.float64)
    d = g.reshape(x.shape) if g.size == x.size and np.any(g) else \
        np.random.default_rng(0).standard_normal(x.shape)
    d = d / np.sqrt(np.mean(d ** 2))
    step = 1e-2 * max(1e-3, float(np.sqrt(np.mean(np.square(x64))))) / max(1.0, np.sqrt(x.size))
    moved32 = _moved_in_place(f, x, step * d)
    moved64 = _moved(f, x64, step * d)
    if moved64 == 0.0 and moved32 != 0.0:
        return "it does not read the array it is given (it reads x through a closure)"
    loss_dtype = np.asarray(getattr(out[0], "data", out[0])).dtype
    if loss_dtype.itemsize < 8 or (g.dtype.kind == "f" and np.asarray(out[1]).dtype.itemsize < 8):
        return "given a float64 copy it still returns a float32 result: it computes in float32 inside"
    if abs(l64 - l32) > 1e-3 * max(1.0, abs(l32)):
        return f"its loss at a float64 copy ({l64:.8g}) is not its loss at x ({l32:.8g})"
    if abs(moved64 - moved32) > 0.1 * abs(moved64) + 1e-5 * max(1.0, abs(l32)):
        return "its loss at a float64 copy does not move with x as its loss at x does"
    tiny = _moved(f, x64, 1e-4 * step * d)
    if abs(tiny - 1e-4 * moved64) > 0.05 * abs(1e-4 * moved64) + 1e-12 * max(1.0, abs(l64)):
        return "its loss does not resolve steps that float64 would (it computes in float32 inside)"
    return None


def _moved(f, x, delta) -> float:
    """(f(x + delta) - f(x - delta)) / 2, on fresh arrays."""
    return (as_scalar(_unpack(f(x + delta))[0], WHERE) - as_scalar(_unpack(f(x - delta))[0], WHERE)) / 2


def _moved_in_place(f, x, delta) -> float:
    """The same with x itself moved (as the check moves it: a closure reading x sees it), in x's
    dtype; x is restored."""
    x0 = x.copy()
    try:
        values = []
        for sign in (1, -1):
            np.copyto(x, x0 + (sign * delta).astype(x.dtype))
            values.append(as_scalar(_unpack(f(x))[0], WHERE))
    finally:
        np.copyto(x, x0)
    return (values[0] - values[1]) / 2


# ---------------------------------------------------------------------------------- arguments


def _check_reg(reg, convention):
    if convention not in (None, 1, 0.5):
        raise ValueError(f"{WHERE}: reg_convention must be 1 (the loss adds reg*sum(W*W)) or 0.5 "
                         f"(0.5*reg*sum(W*W)), got {convention!r}")
    if reg is None:
        return None
    if isinstance(reg, bool) or not isinstance(reg, numbers.Real) or not np.isfinite(reg) or reg < 0:
        raise ValueError(f"{WHERE}: reg must be a finite number >= 0 (the regularization strength), "
                         f"got {reg!r}")
    return float(reg)


def _count(k):
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k <= 0:
        raise ValueError(f"{WHERE}: num_checks must be a whole number > 0 (how many random entries "
                         f"to check), got {k!r}")
    return int(k)


def _unpack(out):
    if not (isinstance(out, tuple) and len(out) == 2):
        raise TypeError(f"{WHERE}: f must return (loss, grad), a pair; got {type(out).__name__}"
                        + (f" of length {len(out)}" if isinstance(out, tuple) else ""))
    return out


def _first_call(f, x):
    """(loss, grad as float64, 1 if f changed x else 0); x is restored."""
    x0 = x.copy()
    try:
        loss, grad = _unpack(f(x))
        modified = int(not np.array_equal(x, x0))
    finally:
        np.copyto(x, x0)
    loss = as_scalar(loss, WHERE)
    if isinstance(grad, Tensor):
        grad = grad.data
    if grad is None or isinstance(grad, (str, bytes)):
        raise TypeError(f"{WHERE}: f must return (loss, grad) with grad an array shaped like x, got "
                        f"grad = {grad!r}")
    if isinstance(grad, dict):
        raise TypeError(f"{WHERE}: f returned a dict of gradients ({', '.join(map(str, grad))}); check "
                        f"one array at a time, e.g. f = lambda W1: (lambda l, g: (l, g['W1']))"
                        f"(*net.loss(X, y, reg)) with x = net.params['W1']")
    try:
        grad = np.array(grad, dtype=np.float64, copy=True)
    except (TypeError, ValueError):
        raise TypeError(f"{WHERE}: the grad f returns must be an array of numbers, got "
                        f"{type(grad).__name__}") from None
    if not np.all(np.isfinite(grad)):
        raise ValueError(f"{WHERE}: your gradient holds nan or inf at {int((~np.isfinite(grad)).sum())} "
                         f"entries; find where it first appears (e.g. with detect_anomaly or prints)")
    return loss, grad, modified


def _analytic(grad, x, idx):
    """Your gradient at the checked entries: as given, or transposed when that is its shape."""
    if grad.shape == x.shape:
        g = grad
    elif x.ndim == 2 and grad.shape == x.shape[::-1]:
        g = grad.T
    else:
        return None
    return np.array([g[i] for i in idx], dtype=np.float64)


def _infer_batch_size(f, x):
    """N from an (N, D) array with D == x.shape[0] that ``f`` reads: from its closure, the globals it
    names, or the arguments of a ``functools.partial``. None when there is no such array."""
    found, seen, todo = [], set(), [f]
    while todo:
        g = todo.pop()
        if id(g) in seen:
            continue
        seen.add(id(g))
        if isinstance(g, functools.partial):
            found += list(g.args) + list(g.keywords.values())
            todo.append(g.func)
        for cell in getattr(g, "__closure__", None) or ():
            try:
                found.append(cell.cell_contents)
            except ValueError:  # an empty cell
                continue
            if isinstance(found[-1], (types.FunctionType, functools.partial)):
                todo.append(found[-1])
        code, glob = getattr(g, "__code__", None), getattr(g, "__globals__", {})
        if code is not None:  # module-level names the function reads, e.g. X in a notebook
            names = [glob[name] for name in code.co_names if name in glob]
            found += names
            todo += [v for v in names if isinstance(v, (types.FunctionType, functools.partial))]
    for v in found:
        arr = v.data if isinstance(v, Tensor) else v
        if isinstance(arr, np.ndarray) and arr.ndim == 2 and x.ndim >= 1 and arr.shape[1] == x.shape[0] \
                and arr is not x:
            return int(arr.shape[0])
    return None


