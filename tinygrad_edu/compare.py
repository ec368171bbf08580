"""Side by side: one loss, four ways to its gradient, one table.

For the softmax loss, the multiclass SVM loss and the two-layer net, ``compare`` computes the loss and
its gradient on the same data by

* ``graph``: the loss as a graph of Tensor ops (``losses``) and ``backward()``;
* ``naive``: the hand-derived formulas with loops (``reference.*_naive``; none for the two-layer net);
* ``vectorized``: the hand-derived formulas without loops (``reference``);
* ``numerical``: centered differences of the vectorized loss, with the step and each entry's error
  measured (``gradcheck.accuracy``): every entry when the parameters are small, else ``num_checks``
  random entries per parameter (the other methods are then compared at those entries only);
* ``your_naive``, ``your_vectorized``: *your own* functions, when given (``naive=``, ``vectorized=``),
  with the cs231n signatures ``(W, X, y, reg) -> (loss, dW)`` (or ``(params, X, y, reg) -> (loss,
  grads)`` for the two-layer net);

and prints one table: each method's loss value and time, and the max relative error (``rel_error``)
between the gradients of every pair of methods. The verdict (``.verdict``) is ``ok``, ``wrong`` or
``inconclusive``, by the one rule of ``gradcheck.accuracy``: analytic pairs must agree to their
rounding, each with the numerical gradient within its estimated error; entries where a relu's
input or a hinge margin lies within the step of its corner are read from the graph and left out.

Your functions are read as the course wrote them: the regularization as ``reg * sum(W*W)`` or
``0.5 * reg * sum(W*W)`` (``reg_convention=``, else found from your loss value), the old layout
(W of shape (C, D), X of shape (D, N)) recognized; a loss value that differs from the right one by a
constant or a factor is said in a sentence naming the likely mistake; a gradient that disagrees is
diagnosed by ``check_gradient`` (``.diagnoses``).

    >>> from tinygrad_edu.compare import compare
    >>> result = compare("softmax", reg=0.1, seed=0)
    >>> result.ok
    True
    >>> print(result)                                 # doctest: +SKIP
"""
from __future__ import annotations

import importlib
import time
from dataclasses import dataclass, field

import numpy as np

from . import losses, reference
from .engine import Tensor
from .gradcheck import check_gradient, rel_error
from .gradcheck.accuracy import estimate, rule_for
from .gradcheck.engine import corner_text, corners_within_step
from .gradcheck.numerical import entries, sample_entries
from .gradcheck.verdict import Verdict, reasons

__all__ = ["compare", "compare_all", "make_data", "Comparison", "ComparisonSet", "MethodResult",
           "LOSSES"]

LOSSES = ("softmax", "svm", "two_layer")
METHODS = ("graph", "naive", "vectorized", "your_naive", "your_vectorized", "numerical")
EXACT_RTOL = 1e-10       # two analytic gradients (or losses) agree to their rounding
UNMEASURED_RTOL = 1e-6   # a numerical result that comes without its estimated errors
LAYERS = {}   # layer name -> its comparison, registered by tinygrad_edu.layers when it is imported
LAYER_NAMES = ("affine", "relu", "leaky_relu", "sigmoid", "tanh", "dropout", "batchnorm",
               "layernorm", "spatial_batchnorm", "conv", "max_pool")


def make_data(seed: int = 0, N: int = 20, D: int = 10, C: int = 5, H: int = 8) -> dict:
    """Random data for the comparison: ``X`` (N, D), ``y`` (N,) in [0, C), ``W`` (D, C) and two-layer
    ``params`` (``W1`` (D, H), ``b1`` (H,), ``W2`` (H, C), ``b2`` (C,)), all float64 from ``seed``.

    Weights are scaled so the scores are of order 1: the losses are then far from trivial and few
    hinge margins or ReLU inputs sit near their kinks.
    """
    rng = np.random.default_rng(seed)
    return {
        "X": rng.normal(size=(N, D)),
        "y": rng.integers(0, C, size=N),
        "W": rng.normal(size=(D, C)) / np.sqrt(D),
        "params": {"W1": rng.normal(size=(D, H)) / np.sqrt(D), "b1": rng.normal(size=H) * 0.1,
                   "W2": rng.normal(size=(H, C)) / np.sqrt(H), "b2": rng.normal(size=C) * 0.1},
    }


@dataclass
class MethodResult:
    """One method's answer: the ``loss``, ``grads`` (name -> array), seconds taken, and for the
    numerical method the ``mask`` of entries computed (name -> bool array; None when all are), the
    ``uncertainty`` of each (name -> estimated error, nan where not computed) and the entries
    ``left_out`` at kinks (name -> bool array)."""

    method: str
    loss: float
    grads: dict = field(repr=False)
    seconds: float
    mask: dict | None = field(default=None, repr=False)
    label: str = ""
    error: str | None = None          # what your function raised or returned wrongly, if it failed
    uncertainty: dict | None = field(default=None, repr=False)
    left_out: dict | None = field(default=None, repr=False)
    reasons: list = field(default_factory=list, repr=False)   # why the numbers cannot decide
    notes: list = field(default_factory=list, repr=False)     # kinks left out, and where
    dtype: str = "float64"                                     # the precision it computed in


def _pair(a: MethodResult, b: MethodResult) -> tuple:
    """(max relative error, agree) between two methods' gradients over every parameter, at the
    entries both computed and not left out at a kink; by the rule, with the numerical method's
    estimated errors when one of them is numerical."""
    if a.error or b.error:
        return float("inf"), False
    worst, agree = 0.0, True
    num = a if a.uncertainty is not None else b if b.uncertainty is not None else None
    low = "float32" in (a.dtype, b.dtype)      # float32's own rounding is the floor then
    for name, ga in a.grads.items():
        gb = b.grads[name]
        use = np.ones(ga.shape, bool)
        for m in (a, b):
            if m.mask is not None:
                use &= m.mask[name]
        if num is not None:
            use &= ~num.left_out[name]
            err = num.uncertainty[name][use]
        else:
            err = 1e-13 * max(1.0, float(np.max(np.abs(ga), initial=0.0))) / 10
        ga, gb = ga[use], gb[use]
        worst = max(worst, rel_error(ga, gb))
        agree &= bool(_rule(a, b, num, low).agree(ga, gb, err).all())
    return worst, agree


def _rule(a, b, num, low):
    """The rule for a pair: the numerical method's own estimated errors; for a numerical result
    built without them (a caller's plain centered differences) the relative tolerance they were
    always held to, UNMEASURED_RTOL; for two analytic gradients their rounding."""
    if num is not None:
        return rule_for(np.float32 if low else np.float64)
    if "numerical" in (a.method, b.method):
        return rule_for(np.float64, rtol=UNMEASURED_RTOL)
    return rule_for(np.float32) if low else rule_for(np.float64, rtol=EXACT_RTOL)


class Comparison(Verdict):
    """The result of ``compare``: ``results`` (one ``MethodResult`` per method run), ``errors``
    ((method, method) -> max relative error of the gradients), ``loss_spread`` (max relative
    difference of the loss values), ``verdict`` ("ok", "wrong", "inconclusive"), ``ok``, ``notes``
    (what was found about your functions: convention, layout, what the loss shows) and
    ``reasons`` (why inconclusive); ``str()`` is the table."""

    def __init__(self, loss_name: str, results: list, reg: float, shapes: dict, diagnoses=None,
                 notes=(), reasons=()):
        self.loss_name, self.results, self.reg, self.shapes = loss_name, results, reg, shapes
        self.diagnoses = diagnoses or {}    # your method -> [(parameter, check_gradient report)]
        self.notes, self.reasons = list(notes), list(reasons)
        pairs = {(a.method, b.method): _pair(a, b)
                 for i, a in enumerate(results) for b in results[i + 1:]}
        self.errors = {k: v[0] for k, v in pairs.items()}
        self.agree = {k: v[1] for k, v in pairs.items()}
        values = np.array([r.loss for r in results if not r.error])
        self.loss_spread = rel_error(values, np.full_like(values, values[0])) if values.size else 0.0

    def result(self, method: str) -> MethodResult:
        """The ``MethodResult`` of ``method`` ('graph', 'naive', 'vectorized' or 'numerical')."""
        for r in self.results:
            if r.method == method:
                return r
        raise KeyError(f"compare: no method {method!r} in this comparison; it ran "
                       f"{[r.method for r in self.results]}")

    def error(self, a: str, b: str) -> float:
        """Max relative error between the gradients of methods ``a`` and ``b``."""
        return self.errors[(a, b)] if (a, b) in self.errors else self.errors[(b, a)]

    def agrees(self, a: str, b: str) -> bool:
        """Whether methods ``a`` and ``b`` agree by the rule."""
        return self.agree[(a, b)] if (a, b) in self.agree else self.agree[(b, a)]

    @property
    def verdict(self) -> str:
        """wrong: a pair disagrees, a method failed, or the loss values differ; inconclusive: they
        agree but the numerical gradient cannot decide (``reasons``); else ok."""
        low = any(r.dtype == "float32" for r in self.results)
        if not all(self.agree.values()) or any(r.error for r in self.results) \
                or self.loss_spread > (1e-5 if low else EXACT_RTOL):
            return "wrong"
        return "inconclusive" if self.reasons else "ok"

    def __str__(self):
        return _table([self])

    __repr__ = __str__


class ComparisonSet(Verdict):
    """The result of ``compare_all`` (or of several comparisons): ``comparisons`` keyed by loss
    name, printed as one table; the worst verdict decides (wrong, then inconclusive)."""

    def __init__(self, comparisons: dict):
        self.comparisons = comparisons

    def __getitem__(self, loss_name: str) -> Comparison:
        return self.comparisons[loss_name]

    @property
    def verdict(self) -> str:
        return worst_verdict(c.verdict for c in self.comparisons.values())

    def __str__(self):
        return _table(list(self.comparisons.values()))

    __repr__ = __str__


def worst_verdict(verdicts) -> str:
    """The worst of several verdicts: wrong, then inconclusive, then ok."""
    verdicts = set(verdicts)
    return next((v for v in ("wrong", "inconclusive") if v in verdicts), "ok")


SAYS = {"ok": "all agree", "wrong": "DISAGREEMENT", "inconclusive": "INCONCLUSIVE"}


def _table(comparisons: list) -> str:
    """One table: a row per (loss, method); the 'vs' columns hold the max relative error between
    the two methods' gradients. Below it, what was found about your functions and their diagnoses."""
    ran_any = {r.method for comp in comparisons for r in comp.results}
    methods = [m for m in METHODS if m in ran_any or not m.startswith("your_")]
    cols = [f"vs {m}" for m in methods]
    head = f"{'loss':<10} {'method':<22} {'value':>20} {'time':>10}  " + "  ".join(f"{c:>15}" for c in cols)
    lines = [head, "-" * len(head)]
    notes = []
    for comp in comparisons:
        ran = {r.method for r in comp.results}
        for r in comp.results:
            cells = [f"{'-':>15}" if m == r.method else f"{'n/a':>15}" if m not in ran
                     else f"{comp.error(r.method, m):>15.2e}" for m in methods]
            value = f"{r.loss:>20.15g}" if not r.error else f"{'error':>20}"
            lines.append(f"{comp.loss_name:<10} {r.label or r.method:<22} {value} "
                         f"{r.seconds * 1e3:>8.2f}ms  " + "  ".join(cells))
            if r.error:
                notes.append(f"{comp.loss_name} {r.method}: {r.error}")
        shapes = ", ".join(f"{k} {v}" for k, v in comp.shapes.items())
        lines.append(f"{'':<10} {shapes}; reg {comp.reg:g}; loss values differ by at most "
                     f"{comp.loss_spread:.1e} (relative); {SAYS[comp.verdict]}")
        notes += [f"{comp.loss_name}: {n}" for n in comp.notes]
        notes += [f"{comp.loss_name}: inconclusive: {r}" for r in comp.reasons]
        for method, found in comp.diagnoses.items():
            for param, report in found:
                notes.append(f"{comp.loss_name} {method}, d loss / d {param}:\n" + _indent(str(report)))
    return "\n".join(lines + ([""] + notes if notes else []))


def _indent(text):
    return "\n".join("    " + line for line in text.splitlines())


def _timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


# ---------------------------------------------------------------------------------- compare


def compare(loss: str = "softmax", X=None, y=None, W=None, params=None, reg: float = 0.0,
            seed: int = 0, *, naive=None, vectorized=None, delta: float = 1.0, num_checks: int = 20,
            full_limit: int = 1000, reg_convention: float | None = None) -> Comparison:
    """Run one loss through the graph, the naive and vectorized references, your own functions (when
    given) and numerical differences.

    ``loss``: 'softmax', 'svm' or 'two_layer' (or a layer, such as 'batchnorm' or 'conv': see
    ``tinygrad_edu.layers.compare.compare_layer``). ``X`` (N, D), ``y`` (N,) and ``W`` (D, C) (for the
    linear losses) or ``params`` (for 'two_layer') as numpy arrays; whatever is not given is drawn by
    ``make_data(seed)`` (shapes taken from what is given). ``reg`` as in ``losses``; ``delta`` the SVM
    margin. ``naive``, ``vectorized``: your functions, ``(W, X, y, reg) -> (loss, dW)`` (for
    'two_layer': ``(params, X, y, reg) -> (loss, grads)``), called on copies; each that disagrees is
    diagnosed by ``check_gradient`` (``.diagnoses``). ``reg_convention``: 1 when your loss adds
    ``reg * sum(W*W)``, 0.5 for ``0.5 * reg * sum(W*W)``; None: found from your loss value (the
    library's own methods then use the same convention). The numerical gradient covers every
    entry when the parameters have at most ``full_limit`` entries in all, else ``num_checks``
    random entries per parameter (chosen with ``seed``). The given arrays are not modified. Returns
    a ``Comparison``; print it for the table.
    """
    if loss in LAYER_NAMES and not LAYERS:
        importlib.import_module("tinygrad_edu.layers")    # it registers its comparisons in LAYERS
    if loss in LAYERS:     # a layer ('batchnorm', 'conv', ...): its own inputs, the same table
        return LAYERS[loss](X=X, y=y, W=W, params=params, reg=reg, seed=seed, naive=naive,
                            vectorized=vectorized)
    _check_arguments(loss, naive, vectorized, reg_convention)
    X, y, W, params = _data(loss, X, y, W, params, seed)
    setting = Setting(loss, X, y, W, params, float(reg), delta)
    mine = {m: fn for m, fn in (("your_naive", naive), ("your_vectorized", vectorized)) if fn}
    yours, notes = {}, []
    for method, fn in mine.items():
        yours[method], more = _adapt(fn, setting)
        notes += more
    convention, decided, said = _convention(setting, yours, reg_convention)
    notes += said
    setting.effective = convention * setting.reg
    results, arrays = _library_methods(setting)
    results += [_yours(method, fn, setting, arrays) for method, fn in yours.items()]
    results.append(_numerical(setting, arrays, results, num_checks, full_limit, seed))
    shapes = {"X": X.shape, **{k: v.shape for k, v in arrays.items()}}
    low = [r.label for r in results if r.dtype == "float32"]
    comparison = Comparison(loss, results, float(reg), shapes, notes=notes + results[-1].notes,
                            reasons=results[-1].reasons + [
                                f"{label} computes in float32: agreement to float32's rounding "
                                f"(1e-4) cannot rule out a small mistake (a missing 2*reg*W, say); "
                                f"let it compute in float64 to decide" for label in low])
    for r in results:
        if r.method in yours and not r.error:
            comparison.notes += _loss_findings(setting, yours[r.method], arrays, convention)
            if not _agrees(comparison, r.method):
                comparison.diagnoses[r.method] = _diagnose(
                    yours[r.method], setting, arrays, convention if decided else None, num_checks,
                    full_limit, seed)
    return comparison


def _check_arguments(loss, naive, vectorized, reg_convention) -> None:
    if loss not in LOSSES:
        raise ValueError(f"compare: loss must be one of {LOSSES + LAYER_NAMES}, got {loss!r}")
    for name, fn in (("naive", naive), ("vectorized", vectorized)):
        if fn is not None and not callable(fn):
            raise TypeError(f"compare: {name}= must be a function (W, X, y, reg) -> (loss, dW), got "
                            f"{type(fn).__name__}")
    if reg_convention not in (None, 1, 0.5):
        raise ValueError(f"compare: reg_convention must be 1 (reg*sum(W*W)) or 0.5 "
                         f"(0.5*reg*sum(W*W)), got {reg_convention!r}")


@dataclass
class Setting:
    """One comparison's problem: the loss, the data, the parameters, reg as given and the
    ``effective`` reg in the library's convention (reg * sum(W*W)) that your code follows."""

    loss: str
    X: np.ndarray
    y: np.ndarray
    W: np.ndarray
    params: dict
    reg: float
    delta: float
    effective: float = 0.0

    @property
    def two_layer(self) -> bool:
        return self.loss == "two_layer"

    def arrays(self) -> dict:
        """Fresh float64 copies of the parameters the gradient is taken of."""
        if self.two_layer:
            return {k: np.array(self.params[k], dtype=np.float64) for k in ("W1", "b1", "W2", "b2")}
        return {"W": np.array(self.W, dtype=np.float64)}

    def right(self, arrays, reg=None):
        """The library's vectorized (loss, grads dict) at ``arrays`` with reg (default: effective)."""
        reg = self.effective if reg is None else reg
        if self.two_layer:
            return reference.two_layer_loss(arrays, self.X, self.y, reg)
        fn = reference.softmax_loss_vectorized if self.loss == "softmax" else reference.svm_loss_vectorized
        kw = {"delta": self.delta} if self.loss == "svm" else {}
        value, dW = fn(arrays["W"], self.X, self.y, reg, **kw)
        return value, {"W": dW}

    def graph(self, arrays):
        """The loss as a graph of Tensors made from ``arrays`` (which it reads, not copies), and
        those Tensors."""
        ts = {k: Tensor(v, requires_grad=True, name=k) for k, v in arrays.items()}
        if self.two_layer:
            return losses.two_layer_loss(ts, self.X, self.y, self.effective), ts
        if self.loss == "softmax":
            return losses.softmax_loss(ts["W"], self.X, self.y, self.effective), ts
        return losses.svm_loss(ts["W"], self.X, self.y, self.effective, self.delta), ts


def _library_methods(setting) -> tuple:
    """The graph's, the naive and the vectorized references' results, and the parameters."""
    arrays = setting.arrays()

    def graph():
        out, ts = setting.graph({k: v.copy() for k, v in arrays.items()})
        out.backward()
        return out.item(), {k: t.grad for k, t in ts.items()}
    results = []
    (value, grads), sec = _timed(graph)
    results.append(MethodResult("graph", value, grads, sec))
    if not setting.two_layer:
        naive = reference.softmax_loss_naive if setting.loss == "softmax" else reference.svm_loss_naive
        kw = {"delta": setting.delta} if setting.loss == "svm" else {}
        (value, dW), sec = _timed(lambda: naive(arrays["W"], setting.X, setting.y,
                                                setting.effective, **kw))
        results.append(MethodResult("naive", value, {"W": dW}, sec))
    (value, grads), sec = _timed(lambda: setting.right(arrays))
    results.append(MethodResult("vectorized", value, grads, sec))
    return results, arrays


def _numerical(setting, arrays, results, num_checks, full_limit, seed) -> MethodResult:
    """Centered differences of the vectorized loss (which reads ``arrays``), at every entry or a
    random subset, with each entry's estimated error and the entries at kinks left out (read from
    the graph's corners where the numbers are in doubt)."""
    start = time.perf_counter()
    total = sum(a.size for a in arrays.values())
    graph = results[0].grads
    others = [r for r in results if r.method.startswith("your_") and not r.error]
    f0 = setting.right(arrays)[0]
    out = MethodResult("numerical", f0, {}, 0.0, None if total <= full_limit else {},
                       uncertainty={}, left_out={})
    rule = rule_for(np.float64)
    for i, (name, x) in enumerate(arrays.items()):
        idx = entries(x) if total <= full_limit else sample_entries(x, num_checks, seed + i)
        guides = [np.array([g[name][k] for k in idx], dtype=np.float64)
                  for g in [graph] + [r.grads for r in others]]
        est = estimate(lambda _: setting.right(arrays)[0], x, idx, f0, guides, "compare", rule,
                       seed=seed + i)
        left = est.left_out(guides[0], rule)
        doubt = left | ~est.resolved(guides[:1])
        for g in guides:
            doubt |= ~rule.agree(g, est.value, est.error)
        corners = corners_within_step(lambda: setting.graph(arrays)[0], x, est, np.flatnonzero(doubt))
        for k, ix in enumerate(idx):
            left[k] |= ix in corners
        _store(out, name, x.shape, idx, est, left)
        out.reasons += [f"{name}: {r}" for r in reasons(est, ~left, guides[:1])]
        if left.any():
            out.notes.append(corner_text(name, int(left.sum()), corners))
    out.seconds = time.perf_counter() - start
    done = sum(int(m.sum()) for m in out.mask.values()) if out.mask is not None else total
    out.label = f"numerical (all {total})" if out.mask is None else f"numerical ({done} of {total})"
    return out


def _store(out, name, shape, idx, est, left):
    """Put one parameter's numerical values, errors and kinks into ``out`` (nan where unchecked)."""
    value, error = np.full(shape, np.nan), np.full(shape, np.nan)
    mask, kink = np.zeros(shape, bool), np.zeros(shape, bool)
    for k, ix in enumerate(idx):
        value[ix], error[ix], mask[ix], kink[ix] = est.value[k], est.error[k], True, left[k]
    out.grads[name], out.uncertainty[name], out.left_out[name] = value, error, kink
    if out.mask is not None:
        out.mask[name] = mask


# ---------------------------------------------------------------------------------- your functions


def _call_yours(fn, arrays, setting, reg):
    """Your function on copies of everything; (loss, grads dict) or a ValueError saying what is off."""
    X, y = setting.X.copy(), setting.y.copy()
    if setting.two_layer:
        loss, grads = fn({k: v.copy() for k, v in arrays.items()}, X, y, reg)
    else:
        loss, grads = fn(arrays["W"].copy(), X, y, reg)
        grads = {"W": grads}
    if not isinstance(grads, dict):
        raise ValueError(f"returned {type(grads).__name__} for the gradients, not a dict of arrays")
    low = np.asarray(loss).dtype.itemsize < 8 or any(
        np.asarray(g).dtype.kind == "f" and np.asarray(g).dtype.itemsize < 8 for g in grads.values()
        if g is not None)
    out = {}
    for k, a in arrays.items():
        g = np.asarray(grads.get(k), dtype=np.float64) if grads.get(k) is not None else None
        if g is None or g.shape != a.shape:
            raise ValueError(f"returned a gradient for {k} of shape "
                             f"{None if g is None else g.shape}, but {k} has shape {a.shape}")
        out[k] = g
    return float(np.asarray(loss, dtype=np.float64).reshape(())), out, ("float32" if low else "float64")


def _adapt(fn, setting) -> tuple:
    """(your function as the table calls it, notes): a linear loss written for the old cs231n
    layout (W of shape (C, D), X of shape (D, N), scores W.dot(X)) fails on today's shapes; it is
    recognized, called in its own layout and its gradient transposed back."""
    arrays = setting.arrays()
    try:
        _call_yours(fn, arrays, setting, setting.reg)
        return fn, []
    except Exception:        # your code's failure: perhaps the old layout, else shown in the table
        if setting.two_layer:
            return fn, []

    def old_layout(W, X, y, reg):
        value, dW = fn(W.T, X.T, y, reg)
        return value, np.asarray(dW).T
    old_layout.__name__ = getattr(fn, "__name__", "function")
    try:
        _call_yours(old_layout, arrays, setting, setting.reg)
    except Exception:        # not the old layout either: the table shows the first failure
        return fn, []
    (D, C), N = setting.W.shape, setting.X.shape[0]
    return old_layout, [
        f"{old_layout.__name__} uses the old cs231n layout (W of shape (C, D) = ({C}, {D}), X of "
        f"shape (D, N) = ({D}, {N}), scores W.dot(X)), not today's W (D, C) and X (N, D); it was "
        f"called in its own layout (W.T, X.T) and its gradient transposed back for the table"]


def _yours(method, fn, setting, arrays):
    label = f"{method.replace('_', ' ')} ({getattr(fn, '__name__', 'function')})"[:22]
    start = time.perf_counter()
    try:
        value, grads, dtype = _call_yours(fn, arrays, setting, setting.reg)
    except Exception as e:       # your code's failure is a result to show, not a crash
        return MethodResult(method, float("nan"), {}, time.perf_counter() - start, label=label,
                            error=f"{type(e).__name__}: {e}")
    return MethodResult(method, value, grads, time.perf_counter() - start, label=label,
                        dtype=dtype)


def _describe(c) -> str:
    return "0.5 * reg * sum(W*W) (gradient reg * W)" if c == 0.5 else \
        "reg * sum(W*W) (gradient 2 * reg * W)"


def _convention(setting, yours, given) -> tuple:
    """(c, decided, notes): the regularization your code follows, c = 1 for reg * sum(W*W) and
    0.5 for 0.5 * reg * sum(W*W): as given, else the one whose loss differs from yours by nothing,
    or by a constant (a term the gradient cannot show), at two points."""
    if given is not None:
        return float(given), True, []
    if not setting.reg or not yours:
        return 1.0, True, []
    points = [setting.arrays(), _elsewhere(setting.arrays())]
    for fn in yours.values():
        try:
            values = [_call_yours(fn, p, setting, setting.reg)[0] for p in points]
        except Exception:        # shown in the table
            continue
        gaps = {c: [v - setting.right(p, c * setting.reg)[0] for v, p in zip(values, points)]
                for c in (1.0, 0.5)}
        match = [c for c, (g1, g2) in gaps.items() if _same(g1 + 1.0, g2 + 1.0)]
        if len(match) == 1:
            c = match[0]
            return c, True, [f"your code follows the regularization {_describe(c)}: its loss is "
                             f"the right one with that term" + (" (up to a constant)" if not
                                                               _same(gaps[c][0], 0.0) else "")
                             + ", so the library's methods use it too"
                             + (" (reg_convention=0.5, or --reg-convention 0.5, states it)"
                                if c == 0.5 else "")]
        if len(match) == 2:
            return 1.0, True, []
    return 1.0, False, ["your loss matches neither regularization convention's value, so the "
                        "table reads it as reg * sum(W*W); the gradient's diagnosis tries both"]


def _same(a, b) -> bool:
    return abs(a - b) <= EXACT_RTOL * max(1.0, abs(a), abs(b))


def _agrees(comparison, method):
    return all(comparison.agrees(method, m) for m in ("numerical", "vectorized", "graph")
               if m in {r.method for r in comparison.results})


def _diagnose(fn, setting, arrays, convention, num_checks, full_limit, seed):
    """check_gradient on each parameter of your function: [(name, report)] for those it finds wrong."""
    found = []
    for name, a in arrays.items():
        x = a.copy()

        def f(v, name=name):
            value, grads, _ = _call_yours(fn, {**arrays, name: v}, setting, setting.reg)
            return value, grads[name]
        checks = None if x.size <= full_limit else num_checks
        report = check_gradient(f, x, reg=setting.reg, N=len(setting.y), num_checks=checks,
                                seed=seed, reg_convention=convention)
        if report.verdict != "ok":
            found.append((name, report))
    return found


# ---------------------------------------------------------------------------------- what only the loss shows


def _loss_findings(setting, fn, arrays, convention) -> list:
    """Sentences about your loss value where it differs from the right one: by a constant (the
    gradient cannot show it), by a factor, or by a multiple of the regularization term; judged at
    the given parameters and at a second point, to tell a constant from what moves with them."""
    try:
        points = [arrays, _elsewhere(arrays)]
        yours = [_call_yours(fn, p, setting, setting.reg)[0] for p in points]
    except Exception:         # shown in the table
        return []
    right = [setting.right(p)[0] for p in points]
    if all(_same(a, b) for a, b in zip(yours, right)):
        return []
    name = getattr(fn, "__name__", "your function")
    diff = [a - b for a, b in zip(yours, right)]
    ratio = [a / b if b else np.inf for a, b in zip(yours, right)]
    squares = [sum(float(np.sum(p[k] ** 2)) for k in p if k.startswith("W")) for p in points]
    reg_part = [setting.reg * s for s in squares]
    return [f"{name}'s loss is {yours[0]:.10g}, the right one {right[0]:.10g}: "
            + _loss_sentence(setting, diff, ratio, reg_part, convention)]


def _elsewhere(arrays) -> dict:
    """The parameters moved to a second point (fixed seed), of the same scale."""
    rng = np.random.default_rng(12345)
    return {k: v + 0.5 * (float(np.std(v)) or 1.0) * rng.standard_normal(v.shape)
            for k, v in arrays.items()}


def _loss_sentence(setting, diff, ratio, reg_part, convention) -> str:
    near = lambda a, b: abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))   # noqa: E731
    N, c = len(setting.y), convention or 1.0
    if near(diff[0], diff[1]):
        if setting.loss == "svm" and near(diff[0], setting.delta):
            return (f"exactly delta = {setting.delta:g} higher, at any W. The margins count the "
                    f"correct class too (s_y - s_y + delta = delta for every example): skip j == "
                    f"y_i in the sum. The gradient does not show it, since that term is constant.")
        return (f"higher by the constant {diff[0]:.6g} at any W: a term that does not depend on W "
                f"(the gradient cannot show it), such as the correct class counted among the "
                f"others or a constant added to every example's loss.")
    if near(ratio[0], ratio[1]):
        r = ratio[0]
        if near(r, N):
            return f"{N} = N times the right one: the sum over the examples was not divided by N."
        if near(r, 1 / N):
            return "1/N times the right one: the mean over the examples was taken twice."
        if near(r, -1.0):
            return "the right one with its sign flipped (the log of the probability, not minus it)."
        return f"the right one times the constant {r:.6g} (a missing or extra factor)."
    if setting.reg and near(diff[0] / reg_part[0], diff[1] / reg_part[1]):
        k = diff[0] / reg_part[0]
        what = ("lacks the regularization term" if near(k, -c) else
                "has the regularization term twice" if near(k, c) else
                f"has {k:+.4g} * reg * sum(W*W) more than the right one")
        return (f"it {what} (the right one adds {c:g} * reg * sum(W*W) here). Check the "
                f"regularization in the loss, not only in the gradient.")
    return (f"they differ by {diff[0]:.6g}, and not by a constant, a factor or a multiple of the "
            f"regularization term: check the data loss's formula (the log of the right class's "
            f"probability, the mean over N, max(0, .) of each margin).")


def compare_all(X=None, y=None, W=None, params=None, reg: float = 0.0, seed: int = 0, *,
                delta: float = 1.0, num_checks: int = 20, full_limit: int = 1000) -> ComparisonSet:
    """``compare`` for the softmax, SVM and two-layer losses on the same data; one table for all."""
    return ComparisonSet({name: compare(name, X, y, W, params, reg, seed, delta=delta,
                                        num_checks=num_checks, full_limit=full_limit)
                          for name in LOSSES})


def _data(loss, X, y, W, params, seed):
    """Fill in what the caller did not give, with shapes consistent with what they did."""
    given_x = X is not None
    X = np.asarray(X, dtype=np.float64) if given_x else None
    if X is not None and X.ndim != 2:
        raise ValueError(f"compare: X must be (N, D), got shape {X.shape}")
    y_arr = None if y is None else np.asarray(y.data if isinstance(y, Tensor) else y)
    if y_arr is not None and y_arr.dtype.kind == "f":
        y_arr = y_arr.astype(np.intp)
    n = X.shape[0] if X is not None else (len(y_arr) if y_arr is not None else 20)
    d = X.shape[1] if X is not None else (np.shape(W)[0] if W is not None else
                                           np.shape(params["W1"])[0] if params is not None else 10)
    c = (np.shape(W)[1] if W is not None and loss != "two_layer" else
         np.shape(params["W2"])[1] if params is not None and loss == "two_layer" else
         int(y_arr.max()) + 1 if y_arr is not None and y_arr.size else 5)
    h = np.shape(params["W1"])[1] if params is not None else 8
    fresh = make_data(seed, N=n, D=d, C=max(c, 2), H=h)
    X = fresh["X"] if X is None else X
    y = fresh["y"] if y_arr is None else y_arr
    W = fresh["W"] if W is None else (W.data if isinstance(W, Tensor) else W)
    if params is None:
        params = fresh["params"]
    else:
        params = {k: (v.data if isinstance(v, Tensor) else v) for k, v in params.items()}
    return X, y, W, params
