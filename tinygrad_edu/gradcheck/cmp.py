"""cmp: your hand-derived gradient of one intermediate against the engine's, one line each.

Backpropagating by hand through a net one intermediate at a time (``dlogprobs``, ``dprobs``,
``dcounts_sum_inv``, ...), each step is checked against the engine: every tensor of the graph keeps
its ``.grad`` after ``backward()``, intermediates included, so ``cmp("dprobs", dprobs, probs)``
compares your array with ``probs.grad`` and prints::

    probs           | exact: True  | approximate: True  | maxdiff: 0.0

``exact``: the same numbers bit for bit; ``approximate``: the same within the rounding of two
different ways to compute them (the package's one ``Rule``: a relative floor of 1e-8 in float64,
plus an absolute 1e3 eps times the largest entry); ``maxdiff``: the largest absolute difference.
When they disagree, the report says what kind of wrong (a factor, a sign, a transpose, a broadcast
summed over the wrong axis or not at all, the wrong shape), each only where the numbers fit.
``cmp_all`` runs a sequence of them in order and stops at the first that disagrees: the mistake
entered at that step, since every gradient before it is right.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ..engine import Tensor
from .accuracy import rule_for
from .layer_diagnoses import Diagnosis, Evidence, factor, transposed
from .verdict import Verdict

__all__ = ["cmp", "cmp_all", "CmpReport", "CmpAllReport"]
ROUNDING = 1e3      # the absolute allowance, in eps times the largest entry of either array


@dataclass
class CmpReport(Verdict):
    """What ``cmp`` found for one intermediate: ``verdict`` ("ok", "wrong", or "inconclusive" when
    the tensor has no ``.grad``), ``exact``, ``approximate``, ``maxdiff`` (None when the shapes
    differ), ``diagnoses`` and their ``codes``. ``str()`` is the printed line and the diagnoses."""

    name: str
    verdict: str
    exact: bool
    approximate: bool
    maxdiff: float | None
    diagnoses: list = field(default_factory=list)

    @property
    def line(self) -> str:
        diff = f"{self.maxdiff}" if self.maxdiff is not None else \
            ("no .grad" if self.verdict == "inconclusive" else "shapes differ")
        return (f"{self.name:<15} | exact: {str(self.exact):<5} | approximate: "
                f"{str(self.approximate):<5} | maxdiff: {diff}")

    def __str__(self):
        return "\n".join([self.line] + [f"    - {d}" for d in self.diagnoses])

    __repr__ = __str__


def _array(a, what):
    a = getattr(a, "data", a)
    if a is None:
        raise TypeError(f"cmp: {what} is None; pass your gradient, a numpy array shaped like the tensor")
    try:
        return np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"cmp: {what} must be an array of numbers, got {type(a).__name__}") from None


def cmp(name: str, mine, t, verbose: bool = True) -> CmpReport:
    """Compare ``mine`` (your gradient of the loss with respect to ``t``, a numpy array) with
    ``t.grad``, the engine's, after ``loss.backward()``; print one line (``verbose``) and return a
    ``CmpReport`` (``.ok``, ``.codes``, ``str()``)."""
    if not isinstance(t, Tensor):
        raise TypeError(f"cmp: t must be the Tensor whose gradient you derived (after "
                        f"loss.backward()), got {type(t).__name__}; e.g. cmp('logprobs', "
                        f"dlogprobs, logprobs)")
    a = _array(mine, f"your gradient for {name!r}")
    if t.grad is None:
        rep = CmpReport(name, "inconclusive", False, False, None, [Diagnosis("no_grad", (
            f"{name}.grad is None: backward() did not reach this tensor (call loss.backward() "
            f"first; is it part of the graph of that loss, and does it require grad?)"))])
    else:
        rep = _compare(name, a, t)
    if verbose:
        print(rep)
    return rep


def _compare(name, a, t) -> CmpReport:
    g = np.asarray(t.grad, dtype=np.float64)
    rule = rule_for(t.dtype)
    scale = max(float(np.max(np.abs(g), initial=0.0)), float(np.max(np.abs(a), initial=0.0)))
    err = np.full(g.shape, ROUNDING * np.finfo(t.dtype).eps * scale)
    ev = Evidence(name, t.data.astype(np.float64), a, g, err, np.zeros(g.shape, bool), rule,
                  what="your")
    if a.shape != g.shape:
        found = next((d for d in (f(ev) for f in SHAPE_TABLE) if d), [])
        return CmpReport(name, "wrong", False, False, None, found)
    exact = bool(np.array_equal(a, g))
    approx = bool(np.all(rule.agree(a, g, err)))
    maxdiff = float(np.max(np.abs(a - g), initial=0.0))
    if approx:
        return CmpReport(name, "ok", exact, True, maxdiff)
    found = transposed(ev) or factor(ev) or _differs(ev)
    return CmpReport(name, "wrong", exact, False, maxdiff, found)


def _differs(ev) -> list:
    bad = int((~ev.rule.agree(ev.grad, ev.num, ev.err)).sum())
    return ev.say("mismatch", (
        f"d{ev.name} differs from {ev.name}.grad at {bad} of {ev.num.size} entries; it is no "
        f"constant factor or transpose of the right one: check this step's local gradient"))


def _aligned_shape(a, g):
    """a's shape with leading 1s so that it has g's number of axes (numpy's broadcasting)."""
    return (1,) * (g.ndim - a.ndim) + a.shape if a.ndim <= g.ndim else a.shape


def keepdims(ev) -> list:
    """The right numbers in the wrong shape: (N,) where (N, 1) belongs."""
    a, g = ev.grad, ev.num
    if a.size != g.size or not ev.matches(a.reshape(g.shape), g):
        return []
    return ev.say("shape", (
        f"d{ev.name} has shape {a.shape} but {ev.name} is {g.shape}; the numbers are right: keep "
        f"the summed axis (.sum(axis, keepdims=True)) or reshape to {g.shape}"))


def not_summed(ev) -> list:
    """Broadcast in the forward, not summed in the backward: summing over the broadcast axes
    (those where the tensor has 1, and any leading ones it lacks) gives the right gradient."""
    a, g = ev.grad, ev.num
    if a.ndim < g.ndim or a.size <= g.size:
        return []
    lead = a.ndim - g.ndim
    axes = tuple(range(lead)) + tuple(lead + k for k in range(g.ndim)
                                      if g.shape[k] == 1 and a.shape[lead + k] != 1)
    if not axes or a.sum(axis=axes, keepdims=True).reshape(-1).size != g.size:
        return []
    summed = a.sum(axis=axes, keepdims=True).reshape(g.shape)
    if not ev.matches(summed, g):
        return []
    where = axes[0] if len(axes) == 1 else axes
    keep = "" if axes == tuple(range(lead)) else ", keepdims=True"
    return ev.say("not_summed", (
        f"d{ev.name} has shape {a.shape}, the broadcast one, but {ev.name} is {g.shape}: "
        f"{ev.name} was broadcast along axis {where} in the forward, so its gradient sums over "
        f"it: .sum(axis={where}{keep}) of yours is right"))


def wrong_axis(ev) -> list:
    """Summed over the wrong axis: yours and the right one are sums of one array (of their
    broadcast shape) over different axes; their totals must then agree."""
    a, g = ev.grad, ev.num
    shape = _aligned_shape(a, g)
    if len(shape) != g.ndim or a.size == g.size and shape == g.shape:
        return []
    try:
        full = np.broadcast_shapes(shape, g.shape)
    except ValueError:
        return []
    mine_axes = tuple(k for k in range(g.ndim) if shape[k] == 1 and full[k] != 1)
    right = tuple(k for k in range(g.ndim) if g.shape[k] == 1 and full[k] != 1)
    if not mine_axes or not right or mine_axes == right:
        return []
    total = np.array([float(a.sum())])
    if not np.all(ev.rule.agree(total, np.array([float(g.sum())]), ev.err.flat[0] * np.sqrt(a.size + g.size))):
        return []
    return ev.say("wrong_axis", (
        f"d{ev.name} has shape {a.shape}: a sum over axis {mine_axes[0] if len(mine_axes) == 1 else mine_axes}"
        f" of a {full} array, but {ev.name} is {g.shape}, broadcast along axis "
        f"{right[0] if len(right) == 1 else right}: sum over that axis instead (keepdims=True). "
        f"(The totals agree, {float(g.sum()):.6g}, as sums of one array over different axes do.)"))


def wrong_shape(ev) -> list:
    return ev.say("shape", f"d{ev.name} has shape {ev.grad.shape} but {ev.name} is {ev.num.shape}: "
                           f"a gradient has the shape of its tensor")


SHAPE_TABLE = [transposed, keepdims, not_summed, wrong_axis, wrong_shape]


@dataclass
class CmpAllReport:
    """What ``cmp_all`` found: the ``reports`` in order, up to and including ``first_wrong`` (the
    name of the first that does not agree, None when all do)."""

    reports: list
    first_wrong: str | None
    left: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.first_wrong is None

    def __bool__(self):
        return self.ok

    @property
    def verdict(self) -> str:
        return "ok" if self.ok else self.reports[-1].verdict

    @property
    def codes(self) -> list:
        return [c for r in self.reports for c in r.codes]

    def conclusion(self) -> str:
        if self.ok:
            return f"all {len(self.reports)} agree with the engine's gradients"
        before = len(self.reports) - 1
        return (f"stopped at {self.first_wrong}: the first that disagrees"
                + (f", after {before} that agree, so the mistake entered in the step that computes "
                   f"d{self.first_wrong}" if before else ", the very first step")
                + (f" ({len(self.left)} not checked: {', '.join(self.left)})" if self.left else ""))

    def __str__(self):
        return "\n".join([str(r) for r in self.reports] + [self.conclusion()])

    __repr__ = __str__


def _pairs(pairs) -> list:
    """[(name, mine, t)] from a dict name -> (mine, t) or a list of (name, mine, t) or
    (name, (mine, t))."""
    items = list(pairs.items()) if isinstance(pairs, Mapping) else list(pairs)
    out = []
    for item in items:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], tuple) and len(item[1]) == 2:
            out.append((item[0], *item[1]))
        elif isinstance(item, tuple) and len(item) == 3:
            out.append(item)
        else:
            raise TypeError(f"cmp_all: each entry must be name -> (mine, t) or (name, mine, t), got "
                            f"{type(item).__name__} {item!r:.60}")
    return out


def cmp_all(pairs, verbose: bool = True) -> CmpAllReport:
    """``cmp`` each of ``pairs`` in order (a dict name -> (mine, t), or a list of (name, mine, t)),
    printing each line; stop at the first that disagrees and say that the mistake entered there."""
    items, reports = _pairs(pairs), []
    for k, (name, mine, t) in enumerate(items):
        rep = cmp(name, mine, t, verbose=verbose)
        reports.append(rep)
        if not rep.ok:
            result = CmpAllReport(reports, name, [n for n, _, _ in items[k + 1:]])
            break
    else:
        result = CmpAllReport(reports, None)
    if verbose:
        print(result.conclusion())
    return result
