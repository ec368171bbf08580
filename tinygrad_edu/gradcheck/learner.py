"""check_gradient: a learner's own ``f(x) -> (loss, grad)`` against numerical differences.

The steps, each a function below: call f once (the loss, the gradient, and whether f changed x);
take centered differences at every entry or at ``num_checks`` random ones (the one loop in
``numerical``); recheck the entries that disagree with half the step and one-sided differences, to
recognize a kink (ReLU, hinge margin, max) that the centered difference straddles; then let the table
in ``diagnoses`` say what kind of wrong it is.
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
from .numerical import (as_scalar, check_array, check_step, default_step, differences, entries,
                        is_low_precision, rel_error, sample_entries, tolerances)

__all__ = ["check_gradient", "GradientCheckReport"]
WHERE = "check_gradient"


@dataclass
class GradientCheckReport:
    """What ``check_gradient`` found. Truthy when ``ok``; ``str()`` explains.

    ``analytic``: your gradient; ``numerical``: the centered differences shaped like x (nan at
    entries not checked); ``checked``: the entries compared; ``kinks``: those found at a kink and
    left out of the verdict; ``evaluations``/``seconds``: the cost of the check.
    """

    ok: bool
    diagnoses: list
    loss: float
    max_rel_error: float
    max_abs_error: float
    worst_index: tuple | None
    analytic: np.ndarray = field(repr=False)
    numerical: np.ndarray = field(repr=False)
    rtol: float = 0.0
    atol: float = 0.0
    h: float = 0.0
    dtype: str = "float64"
    checked: list = field(default_factory=list, repr=False)
    kinks: list = field(default_factory=list)
    evaluations: int = 0
    seconds: float = 0.0

    def __bool__(self):
        return self.ok

    @property
    def codes(self) -> list:
        """The diagnoses' short codes."""
        return [d.code for d in self.diagnoses]

    def __str__(self):
        total = self.numerical.size
        which = f"all {total} entries" if len(self.checked) == total else \
            f"{len(self.checked)} random entries of {total}"
        lines = [f"check_gradient: loss {self.loss:.10g}, gradient of shape {self.numerical.shape}, "
                 f"{self.dtype}, h {self.h:.3g}; checked {which} ({self.evaluations} loss "
                 f"evaluations, {self.seconds:.2f} s)"]
        if self.worst_index is not None:
            lines.append(f"  max relative error {self.max_rel_error:.2e}, max abs error "
                         f"{self.max_abs_error:.2e}; worst entry {self.worst_index}: yours "
                         f"{self._yours(self.worst_index):.8g}, numerical "
                         f"{float(self.numerical[self.worst_index]):.8g}")
        if self.kinks:
            shown = ", ".join(str(k) for k in self.kinks[:6]) + (" ..." if len(self.kinks) > 6 else "")
            lines.append(f"  at a kink (left out of the verdict): {len(self.kinks)} entries: {shown}; "
                         f"the centered difference straddles a point where the loss bends sharply "
                         f"(ReLU, hinge margin, max), and your value lies between the one-sided slopes")
        lines.append(f"  verdict: {'ok' if self.ok else 'WRONG'} (rtol {self.rtol:g}, atol {self.atol:.1g})")
        lines += [f"  - {d}" for d in self.diagnoses]
        if self.dtype != "float64":
            lines.append(f"  note: ran at {self.dtype} precision (h {self.h:.2g}, rtol {self.rtol:g}), so "
                         f"small mistakes can hide; to check in float64, cast x and the data with "
                         f".astype(np.float64) and run again")
        return "\n".join(lines)

    def _yours(self, ix):
        a = self.analytic
        return float(a[ix] if a.shape == self.numerical.shape else a.T[ix])

    __repr__ = __str__


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
    ``h``, ``rtol``, ``atol`` default by x's dtype (``numerical.default_step``, ``tolerances``).
    ``num_checks=k``: compare k random entries (chosen with ``seed``) instead of all, with the same
    diagnoses: 2k + 1 loss evaluations, plus 2 for each entry that needs a second look.
    ``progress``: a tqdm bar (None: only when the check is expected to take over ~2 s).

    Returns a ``GradientCheckReport``: ``.ok``, ``.codes``, ``.diagnoses``, ``.kinks``, ``str()``.
    The codes are listed in the chapter "Checking your own gradient" of the tutorial and in
    ``diagnoses``.
    """
    check_array(x, WHERE)
    start = time.perf_counter()
    reg = _check_reg(reg, reg_convention)
    loss, grad, first_modified = _first_call(f, x)
    h = default_step(x) if h is None else check_step(h, WHERE)
    rtol_d, atol_d = tolerances(x, loss, h)
    rtol = rtol_d if rtol is None else float(rtol)
    atol = atol_d if atol is None else float(atol)
    idx = entries(x) if num_checks is None else sample_entries(x, _count(num_checks), seed)
    value = lambda arr: as_scalar(_unpack(f(arr))[0], WHERE)  # noqa: E731
    diffs = differences(value, x, idx, h, WHERE, progress=progress)
    ev = Evidence(x=x.astype(np.float64), grad=grad, idx=idx, num=diffs.centered(),
                  ana=_analytic(grad, x, idx), agree=np.zeros(len(idx), bool),
                  kink=np.zeros(len(idx), bool), rtol=rtol, atol=atol, reg=reg,
                  N=N if N is not None else _infer_batch_size(f, x), convention=reg_convention,
                  modified=first_modified + diffs.modified, low=is_low_precision(x))
    extra = _second_look(ev, value, x, h, loss, diffs) if ev.ana is not None else None
    found = diagnose(ev)
    ok = not found and bool(ev.agree[ev.used].all())
    return _report(ev, ok, found, loss, h, x, diffs, extra, time.perf_counter() - start)


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


def _second_look(ev, value, x, h, loss, diffs):
    """Recheck, with one-sided differences at steps h and h/2, the disagreeing entries that could be
    at a kink; mark those that are.

    Smooth f: the one-sided slopes (f(x + s) - f(x)) / s and (f(x) - f(x - s)) / s differ by about
    s * f''. At a kink (ReLU, hinge margin, max) within reach of the step they differ by the jump of
    the slope, and the centered difference is their average, no derivative at all. A kink can only
    explain a disagreement where your value lies between the two slopes; those entries are
    evaluated again at h/2. The side that does not reach the kink keeps its slope at both steps: when
    your value equals that slope (extrapolated to step 0), the entry is "at a kink" and left out of
    the verdict. Every other entry keeps its disagreement, so a wrong gradient near a kink is still
    caught; ``ev.spread`` (the gap between the slopes) tells the fits how far its numerical value may
    be off.
    """
    ev.agree = ev.close(ev.ana, ev.num)
    fwd = (np.array(diffs.up) - loss) * 2 / np.array(diffs.step)
    bwd = (loss - np.array(diffs.down)) * 2 / np.array(diffs.step)
    ev.spread = np.abs(fwd - bwd)
    slack = ev.atol + ev.rtol * (np.abs(fwd) + np.abs(bwd))
    between = (np.minimum(fwd, bwd) - slack <= ev.ana) & (ev.ana <= np.maximum(fwd, bwd) + slack)
    eps = float(np.finfo(np.float32 if ev.low else np.float64).eps)
    noise = eps * max(1.0, abs(loss)) / h            # rounding noise of a one-sided slope
    candidates = [int(k) for k in np.flatnonzero(~ev.agree & between & (ev.spread > 100 * noise))]
    if not candidates:
        return None
    half = differences(value, x, [ev.idx[k] for k in candidates], h / 2, WHERE)
    for j, k in enumerate(candidates):
        s2 = half.step[j] / 2
        at_half = ((half.up[j] - loss) / s2, (loss - half.down[j]) / s2)
        ev.kink[k] = any(abs(one - two) <= 0.05 * ev.spread[k] + 10 * noise   # does not cross
                         and ev.close(ev.ana[k], 2 * two - one, 10)
                         for one, two in zip((fwd[k], bwd[k]), at_half))
    return half


def _report(ev, ok, found, loss, h, x, diffs, extra, seconds):
    numerical = np.full(x.shape, np.nan)
    for i, n in zip(ev.idx, ev.num):
        numerical[i] = n
    kinks = [ev.idx[k] for k in np.flatnonzero(ev.kink)]
    worst, rel, diff = None, float("inf"), float("inf")
    if ev.ana is not None and ev.used.any():
        u = np.flatnonzero(ev.used)
        err = np.abs(ev.ana[u] - ev.num[u])
        allowed = ev.atol + ev.rtol * (np.abs(ev.ana[u]) + np.abs(ev.num[u]))
        worst = ev.idx[u[int(np.argmax(err / allowed))]]
        rel, diff = rel_error(ev.ana[u], ev.num[u]), float(err.max())
    evaluations = 1 + diffs.evaluations + (extra.evaluations if extra else 0)
    return GradientCheckReport(ok, found, loss, rel, diff, worst, ev.grad, numerical, ev.rtol,
                               ev.atol, h, str(x.dtype), ev.idx, kinks, evaluations, seconds)


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


