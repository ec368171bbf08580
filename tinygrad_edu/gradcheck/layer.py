"""check_layer: a layer's hand-derived ``backward(dout, cache)`` against numerical differences.

A layer is the course's pair ``forward(*args) -> (out, cache)`` and ``backward(dout, cache) ->
gradients``, one per float array among ``args`` (a tuple, or one array when there is one). The
backward must return the vector-Jacobian product ``sum(dout * d out / d input)``, which is the
gradient of the scalar L = sum(dout * out): so each input is checked as ``check_gradient`` checks a
loss, with L as the loss (``accuracy.estimate``: the step measured, every entry's error estimated,
kinks recognized, one ``Rule``), and then ``layer_diagnoses`` says what kind of wrong it is.

The other arguments (the course's ``bn_param``, ``conv_param``, ``dropout_param`` dicts) are
passed through, a fresh deep copy to every call, so running averages are not disturbed. A dropout
in training mode without a seed draws a new mask at every call and is refused. float32 inputs are
rechecked on float64 copies when the forward accepts them (it computes in float64 then);
otherwise the verdict is wrong or inconclusive, never ok.
"""
from __future__ import annotations

import copy
import inspect
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from .accuracy import estimate, rule_for
from .layer_diagnoses import (Diagnosis, Evidence, Layer, diagnose_input, forward_findings,
                              layer_kind, worst_entry)
from .numerical import entries, is_low_precision, rel_error
from .verdict import IN_FLOAT64, TOY_SCALE, Verdict, reasons

__all__ = ["check_layer", "LayerCheckReport", "LayerInputCheck", "float_inputs",
           "refuse_unseeded_dropout"]
WHERE = "check_layer"
VERDICTS = ("wrong", "inconclusive", "ok")
LAYER_ADVICE = ("check at inputs away from the kinks: distinct values in every pooling window (no "
                "ties), no ReLU input within about 1e-3 of 0")


def float_inputs(args) -> list:
    """The positions of the float numpy arrays among ``args``: the inputs that get a gradient."""
    return [i for i, a in enumerate(args) if isinstance(a, np.ndarray) and a.dtype.kind == "f"]


def refuse_unseeded_dropout(args, where: str) -> None:
    """A dropout in training mode without a seed draws a new mask at every call, so no two calls
    compute the same function: differences of it mean nothing. Raise and say what to add."""
    for a in args:
        if isinstance(a, Mapping) and a.get("mode") == "train" and "p" in a and a.get("seed") is None:
            raise ValueError(f"{where}: dropout_param {dict(a)} has no 'seed', so every call draws a "
                             f"new mask and the numerical gradient is noise; add e.g. 'seed': 0")


@dataclass
class LayerInputCheck:
    """One input of the layer: ``name``, ``verdict`` ("ok", "wrong", "inconclusive"), ``diagnoses``,
    ``reasons`` (why inconclusive), your gradient ``analytic`` (None when not returned), the
    ``numerical`` one and its ``error``, ``kinks`` (entries left out), the worst entry."""

    name: str
    shape: tuple
    verdict: str
    diagnoses: list
    analytic: np.ndarray | None = field(repr=False, default=None)
    numerical: np.ndarray | None = field(repr=False, default=None)
    error: np.ndarray | None = field(repr=False, default=None)
    kinks: list = field(default_factory=list)
    reasons: list = field(default_factory=list)
    max_rel_error: float = float("nan")
    worst: str = ""

    @property
    def ok(self) -> bool:
        return self.verdict == "ok"

    @property
    def codes(self) -> list:
        return [d.code for d in self.diagnoses]

    def row(self) -> str:
        rel = "" if np.isnan(self.max_rel_error) else f"{self.max_rel_error:.1e}"
        verdict = self.verdict if self.verdict == "ok" else self.verdict.upper()
        return f"  d{self.name:<7} {str(self.shape):<16} {verdict:<13} {rel:<9} {self.worst}"


@dataclass
class LayerCheckReport(Verdict):
    """What ``check_layer`` found: one ``LayerInputCheck`` per input in ``inputs``; ``verdict`` the
    worst of theirs (and "wrong" when the forward itself shows a mistake, in ``forward``);
    ``diagnoses`` all of them, ``codes`` theirs; ``notes`` what else the check did. Truthy when ok."""

    name: str
    inputs: list
    forward: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    rule: object = None
    dtype: str = "float64"
    evaluations: int = 0
    seconds: float = 0.0

    @property
    def verdict(self) -> str:
        found = {c.verdict for c in self.inputs} | ({"wrong"} if self.forward else set())
        return next((v for v in VERDICTS if v in found), "ok")

    @property
    def diagnoses(self) -> list:
        return list(self.forward) + [d for c in self.inputs for d in c.diagnoses]

    @property
    def codes(self) -> list:
        return [d.code for d in self.diagnoses]

    def __getitem__(self, name) -> LayerInputCheck:
        return next(c for c in self.inputs if c.name == name)

    def __str__(self):
        lines = [f"check_layer {self.name}: {len(self.inputs)} inputs, {self.dtype}, "
                 f"{self.evaluations} forward calls, {self.seconds:.2f} s",
                 f"  {'input':<8} {'shape':<16} {'verdict':<13} {'max rel':<9} worst entry"]
        lines += [c.row() for c in self.inputs]
        verdict = self.verdict if self.verdict == "ok" else self.verdict.upper()
        lines.append(f"  verdict: {verdict} ({self.rule.describe()})")
        lines += [f"  - {d}" for d in self.forward]
        for c in self.inputs:
            lines += [f"  - d{c.name}: {d}" for d in c.diagnoses]
            lines += [f"  - d{c.name}: inconclusive: {r}" for r in c.reasons]
            if c.kinks:
                lines.append(f"  - d{c.name}: {len(c.kinks)} entries at a kink (a ReLU or max within "
                             f"the step of its corner) left out: {', '.join(map(str, c.kinks[:4]))}"
                             + (" ..." if len(c.kinks) > 4 else ""))
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    __repr__ = __str__


def check_layer(forward, backward, *args, dout=None, seed=0, rtol=None, atol=None) -> LayerCheckReport:
    """Check a layer's ``backward(dout, cache)`` against the numerical vector-Jacobian product.

    ``forward(*args) -> (out, cache)`` and ``backward(dout, cache)`` are the course's pair, e.g.
    ``check_layer(affine_forward, affine_backward, x, w, b)`` or ``check_layer(batchnorm_forward,
    batchnorm_backward, x, gamma, beta, {"mode": "train"})``. The float numpy arrays among ``args``
    are the inputs (your arrays are not changed: copies are moved); ``backward`` returns one
    gradient per input, in their order (a tuple, or one array when there is one input), each
    shaped like its input. Every other argument reaches each call as a fresh deep copy.
    ``dout``: the upstream gradient, shaped like ``out`` (default: standard normal, drawn with
    ``seed``). ``rtol``/``atol``: replace the tolerance (default: ten times each entry's estimated
    error plus a floor of 1e-8 relative in float64).

    Returns a ``LayerCheckReport``: ``.verdict`` ("ok", "wrong", "inconclusive"), ``.ok``,
    ``.codes``, ``.diagnoses``, ``report["x"]`` one input's entry, ``str()`` the table. The codes
    are listed in ``layer_diagnoses``. A dropout in training mode without a ``seed`` is refused.
    """
    for fn, what in ((forward, "forward"), (backward, "backward")):
        if not callable(fn):
            raise TypeError(f"{WHERE}: {what} must be a function, e.g. check_layer(affine_forward, "
                            f"affine_backward, x, w, b); got {type(fn).__name__}")
    refuse_unseeded_dropout(args, WHERE)
    positions = float_inputs(args)
    if not positions:
        raise TypeError(f"{WHERE}: none of the arguments after forward and backward is a float numpy "
                        f"array, so there is no input to check; pass the layer's arrays, e.g. "
                        f"check_layer(relu_forward, relu_backward, x) with x = np.random.randn(4, 5)")
    for i in positions:
        if not np.all(np.isfinite(args[i])):
            raise ValueError(f"{WHERE}: argument {i} holds nan or inf; a gradient can only be checked "
                             f"at finite inputs")
    names = _names(forward, positions)
    low = any(is_low_precision(args[i]) for i in positions)
    why = _refuses_float64(forward, args, positions) if low else None
    work = list(args)
    if low and why is None:
        for i in positions:
            work[i] = args[i].astype(np.float64)
    report = _check(forward, backward, work, positions, names, dout, seed, rtol, atol)
    if low and why is None:
        report.dtype = f"{args[positions[0]].dtype} (checked in float64)"
        report.notes.append("the inputs are float32: the forward accepts float64 copies of them "
                            "(its output is float64 and the same within float32's rounding), so the "
                            "check ran on those, where small mistakes cannot hide")
    elif low:
        for c in report.inputs:
            if c.verdict == "ok":
                c.verdict = "inconclusive"
                c.reasons.append(f"the inputs are float32 and the forward cannot be rerun in float64 "
                                 f"({why}); float32 cannot resolve small mistakes; {IN_FLOAT64}")
    return report


def _names(forward, positions) -> list:
    """The forward's parameter names at ``positions`` (x, w, b, gamma, ...), else input0, ..."""
    try:
        params = [p for p in inspect.signature(forward).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    return [params[i].name if i < len(params) else f"input{k}" for k, i in enumerate(positions)]


def _refuses_float64(forward, args, positions):
    """None when the forward, given float64 copies of the float32 inputs, returns a float64 output
    equal to the float32 one within float32's rounding; else why not, in a few words."""
    def call(cast):
        a = [(x.astype(np.float64) if cast else x.copy()) if i in positions else copy.deepcopy(x)
             for i, x in enumerate(args)]
        return np.asarray(_unpack(forward(*a))[0])
    try:
        out32, out64 = call(False), call(True)
    except Exception as e:      # a forward may insist on its dtype: that is an answer
        return f"it raised {type(e).__name__} on float64 copies"
    if out64.dtype.itemsize < 8:
        return "given float64 copies it still returns float32: it computes in float32 inside"
    scale = 1e-3 * max(1e-30, float(np.max(np.abs(out64), initial=0.0)))
    if out32.shape != out64.shape or not np.all(np.abs(out64 - out32) <= scale):
        return "its output on float64 copies is not its float32 output"
    return None


def _unpack(res):
    if not (isinstance(res, tuple) and len(res) == 2):
        got = f"a tuple of {len(res)}" if isinstance(res, tuple) else type(res).__name__
        raise TypeError(f"{WHERE}: forward must return (out, cache), the course's pair; got {got}")
    return res


def _output(res):
    """The forward's out as an array, checked."""
    out = getattr(res[0], "data", res[0])
    try:
        out = np.asarray(out)
    except (TypeError, ValueError):
        out = np.asarray(None)
    if out.dtype.kind not in "fiu":
        raise TypeError(f"{WHERE}: forward's out must be an array of numbers, got {type(res[0]).__name__}")
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{WHERE}: forward's out holds nan or inf at {int((~np.isfinite(out)).sum())} "
                         f"entries; the layer must give finite outputs at these inputs")
    return out


def _upstream(dout, out, seed):
    if dout is None:
        return np.random.default_rng(seed).standard_normal(out.shape)
    d = np.asarray(getattr(dout, "data", dout), dtype=np.float64)
    if d.shape != out.shape:
        raise ValueError(f"{WHERE}: dout has shape {d.shape}, but the forward's out has shape "
                         f"{out.shape}; dout must be shaped like out")
    if not np.all(np.isfinite(d)):
        raise ValueError(f"{WHERE}: dout holds nan or inf")
    return d


def _gradients(backward, dout, cache, names) -> list:
    """backward's gradients as float64 arrays, in the inputs' order; an entry that is no usable
    gradient (None, not numbers, nan) becomes a Diagnosis saying so."""
    want = ", ".join(f"d{n}" for n in names)
    res = backward(dout, cache)
    if res is None:
        raise TypeError(f"{WHERE}: backward returned None; it must return ({want}), one gradient per "
                        f"input of the forward. Did it forget to return?")
    if isinstance(res, list):
        res = tuple(res)
    if not isinstance(res, tuple):
        if len(names) != 1:
            raise TypeError(f"{WHERE}: backward returned one {type(res).__name__}, but the forward has "
                            f"{len(names)} inputs ({', '.join(names)}): return a tuple ({want})")
        res = (res,)
    if len(res) != len(names):
        raise ValueError(f"{WHERE}: backward returned {len(res)} gradients, but the forward has "
                         f"{len(names)} float inputs ({', '.join(names)}); return one per input, in "
                         f"order: ({want})")
    grads = []
    for g, name in zip(res, names):
        g = getattr(g, "data", g)
        if g is None:
            grads.append(Diagnosis("missing", f"backward returned None for d{name}"))
            continue
        try:
            arr = np.array(g, dtype=np.float64)
        except (TypeError, ValueError):
            grads.append(Diagnosis("missing", f"d{name} is not an array of numbers but "
                                              f"{type(g).__name__}"))
            continue
        bad = int((~np.isfinite(arr)).sum())
        grads.append(arr if not bad else Diagnosis("nonfinite", (
            f"d{name} holds nan or inf at {bad} of {arr.size} entries (a division by a zero "
            f"variance? a log of 0?); find where it first appears with prints or cmp")))
    return grads


def _check(forward, backward, args, positions, names, dout, seed, rtol, atol) -> LayerCheckReport:
    """The check itself, at the inputs' own dtype."""
    start = time.perf_counter()
    work = [a.copy() if i in positions else a for i, a in enumerate(args)]
    arrays = [work[i] for i in positions]

    def run():
        return _unpack(forward(*[a if i in positions else copy.deepcopy(a)
                                 for i, a in enumerate(work)]))
    res = run()
    out, cache = _output(res), res[1]
    dout = _upstream(dout, out, seed)
    grads = _gradients(backward, dout.astype(out.dtype) if out.dtype.kind == "f" else dout, cache,
                       names)
    params = [copy.deepcopy(a) for a in args if isinstance(a, Mapping)]
    inputs = [a.astype(np.float64) for a in arrays]
    layer = Layer(layer_kind(inputs, params), inputs, names, params, dout,
                  out.astype(np.float64), [args[i] for i in positions])
    rule = rule_for(arrays[0].dtype, rtol, atol)

    def value(_):
        return float(np.sum(dout * _output(run()).astype(np.float64)))
    f0 = value(None)
    checks, evaluations = [], 2
    for k, (x, g) in enumerate(zip(arrays, grads)):
        c, n = _input(value, x, g, k, layer, rule, f0, seed)
        checks.append(c)
        evaluations += n
    name = f"{getattr(forward, '__name__', 'forward')} / {getattr(backward, '__name__', 'backward')}"
    return LayerCheckReport(name, checks, forward_findings(layer, rule), [], rule, str(arrays[0].dtype),
                            evaluations, time.perf_counter() - start)


def _advice(reason, x) -> str:
    """A reason of ``verdict.reasons`` with the advice that fits a layer's check."""
    reason = reason.replace(TOY_SCALE, LAYER_ADVICE)
    return reason if is_low_precision(x) else reason.replace(f"{IN_FLOAT64}, or ", "")


def _aligned(g, x):
    """Your gradient laid over x's entries: as it is, or transposed or reshaped when that is what
    its shape allows (for the numerical derivative's second look); None otherwise."""
    if g.shape == x.shape:
        return g
    if x.ndim == 2 and g.shape == x.shape[::-1]:
        return g.T
    return g.reshape(x.shape) if g.size == x.size else None


def _input(value, x, g, k, layer, rule, f0, seed):
    """(LayerInputCheck, evaluations) for input ``k``, the array ``x`` (moved in place)."""
    name = layer.names[k]
    if isinstance(g, Diagnosis):
        return LayerInputCheck(name, x.shape, "wrong", [g]), 0
    aligned = _aligned(g, x)
    ana = None if aligned is None else aligned.ravel()
    idx = entries(x)
    est = estimate(value, x, idx, f0, [] if ana is None else [ana], WHERE, rule, seed=seed)
    num, err = est.value.reshape(x.shape), est.error.reshape(x.shape)
    kink = (est.left_out(ana, rule) if ana is not None else est.kink).reshape(x.shape)
    ev = Evidence(name, x.astype(np.float64), g, num, err, kink, rule, k, layer)
    agree = g.shape == x.shape and ev.matches(g, num)
    found = [] if agree else diagnose_input(ev)
    why = [_advice(r, x) for r in reasons(est, ~kink.ravel(), [ana])] if agree else []
    verdict = "wrong" if not agree else ("inconclusive" if why else "ok")
    check = LayerInputCheck(name, x.shape, verdict, found, g, num, err,
                            [idx[j] for j in np.flatnonzero(kink.ravel())], why)
    if g.shape == x.shape and (~kink).any():
        u = ~kink
        check.max_rel_error = rel_error(g[u], num[u])
        ix, a, n, e = worst_entry(g, num, err, u)
        check.worst = f"{ix}: yours {a:.6g}, numerical {n:.6g} ± {e:.1g}"
    return check, est.evaluations

