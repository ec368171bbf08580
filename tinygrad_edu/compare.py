"""Side by side: one loss, four ways to its gradient, one table.

For the softmax loss, the multiclass SVM loss and the two-layer net, ``compare`` computes the loss and
its gradient on the same data by

* ``graph``: the loss as a graph of Tensor ops (``losses``) and ``backward()``;
* ``naive``: the hand-derived formulas with loops (``reference.*_naive``; none for the two-layer net);
* ``vectorized``: the hand-derived formulas without loops (``reference``);
* ``numerical``: centered differences of the vectorized loss (``gradcheck``): every entry when the
  parameters are small, else ``num_checks`` random entries per parameter (the other methods are then
  compared at those entries only);
* ``your_naive``, ``your_vectorized``: *your own* functions, when given (``naive=``, ``vectorized=``),
  with the cs231n signatures ``(W, X, y, reg) -> (loss, dW)`` (or ``(params, X, y, reg) -> (loss,
  grads)`` for the two-layer net);

and prints one table: each method's loss value and time, and the max relative error (``rel_error``)
between the gradients of every pair of methods. When one of your functions disagrees,
``check_gradient`` diagnoses it against numerical differences of its own loss (``.diagnoses``).

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
from .gradcheck import check_gradient, grad_check_sparse, numerical_gradient, rel_error
from .engine import Tensor

__all__ = ["compare", "compare_all", "make_data", "Comparison", "ComparisonSet", "MethodResult",
           "LOSSES"]

LOSSES = ("softmax", "svm", "two_layer")
METHODS = ("graph", "naive", "vectorized", "your_naive", "your_vectorized", "numerical")
EXACT_TOL, NUMERICAL_TOL = 1e-8, 1e-6   # what ``ok`` demands: analytic pairs, pairs with numerical
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
    """One method's answer: the ``loss``, ``grads`` (name -> array), seconds taken, and for a sparse
    numerical check the ``mask`` of entries computed (name -> bool array; None when all are)."""

    method: str
    loss: float
    grads: dict = field(repr=False)
    seconds: float
    mask: dict | None = field(default=None, repr=False)
    label: str = ""
    error: str | None = None          # what your function raised or returned wrongly, if it failed


def _pair_error(a: MethodResult, b: MethodResult) -> float:
    """Max relative error between two methods' gradients, over every parameter (and only at the
    entries both computed)."""
    if a.error or b.error:
        return float("inf")
    worst = 0.0
    for name, ga in a.grads.items():
        gb = b.grads[name]
        mask = (a.mask or b.mask or {}).get(name)
        if mask is not None:
            ga, gb = ga[mask], gb[mask]
        worst = max(worst, rel_error(ga, gb))
    return worst


class Comparison:
    """The result of ``compare``: ``results`` (one ``MethodResult`` per method run), ``errors``
    ((method, method) -> max relative error of the gradients), ``loss_spread`` (max relative
    difference of the loss values), ``ok``; ``str()`` is the table."""

    def __init__(self, loss_name: str, results: list, reg: float, shapes: dict, diagnoses=None):
        self.loss_name, self.results, self.reg, self.shapes = loss_name, results, reg, shapes
        self.diagnoses = diagnoses or {}    # your method -> [(parameter, check_gradient report)]
        self.errors = {(a.method, b.method): _pair_error(a, b)
                       for i, a in enumerate(results) for b in results[i + 1:]}
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

    @property
    def ok(self) -> bool:
        """All analytic pairs agree to 1e-8 and each agrees with the numerical gradient to 1e-6."""
        return all(err <= (NUMERICAL_TOL if "numerical" in pair else EXACT_TOL)
                   for pair, err in self.errors.items()) and self.loss_spread <= 1e-10 \
            and not any(r.error for r in self.results)

    def __bool__(self):
        return self.ok

    def __str__(self):
        return _table([self])

    __repr__ = __str__


class ComparisonSet:
    """The result of ``compare_all``: ``comparisons`` keyed by loss name, printed as one table."""

    def __init__(self, comparisons: dict):
        self.comparisons = comparisons

    def __getitem__(self, loss_name: str) -> Comparison:
        return self.comparisons[loss_name]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.comparisons.values())

    def __bool__(self):
        return self.ok

    def __str__(self):
        return _table(list(self.comparisons.values()))

    __repr__ = __str__


def _table(comparisons: list) -> str:
    """One table: a row per (loss, method); the 'vs' columns hold the max relative error between
    the two methods' gradients. Below it, the diagnoses of your functions that disagree."""
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
                     f"{comp.loss_spread:.1e} (relative); {'all agree' if comp.ok else 'DISAGREEMENT'}")
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


def _numerical(f, arrays: dict, num_checks: int, full_limit: int, seed: int) -> tuple:
    """Centered differences of ``f()`` (which reads ``arrays``) for every entry, or a random subset."""
    total = sum(a.size for a in arrays.values())
    grads, mask = {}, None
    if total <= full_limit:
        for name, a in arrays.items():
            grads[name] = numerical_gradient(lambda _: f(), a)
        return grads, None, f"numerical (all {total})"
    mask = {}
    for i, (name, a) in enumerate(arrays.items()):
        check = grad_check_sparse(lambda _: f(), a, np.zeros(a.shape), num_checks, seed=seed + i)
        grads[name], mask[name] = np.full(a.shape, np.nan), np.zeros(a.shape, dtype=bool)
        for ix, num, _, _ in check.rows:
            grads[name][ix], mask[name][ix] = num, True
    return grads, mask, f"numerical ({sum(int(m.sum()) for m in mask.values())} of {total})"


def compare(loss: str = "softmax", X=None, y=None, W=None, params=None, reg: float = 0.0,
            seed: int = 0, *, naive=None, vectorized=None, delta: float = 1.0, num_checks: int = 20,
            full_limit: int = 1000) -> Comparison:
    """Run one loss through the graph, the naive and vectorized references, your own functions (when
    given) and numerical differences.

    ``loss``: 'softmax', 'svm' or 'two_layer' (or a layer, such as 'batchnorm' or 'conv': see
    ``tinygrad_edu.layers.compare.compare_layer``). ``X`` (N, D), ``y`` (N,) and ``W`` (D, C) (for the
    linear losses) or ``params`` (for 'two_layer') as numpy arrays; whatever is not given is drawn by
    ``make_data(seed)`` (shapes taken from what is given). ``reg`` as in ``losses``; ``delta`` the SVM
    margin. ``naive``, ``vectorized``: your functions, ``(W, X, y, reg) -> (loss, dW)`` (for
    'two_layer': ``(params, X, y, reg) -> (loss, grads)``), called on copies; each that disagrees is
    diagnosed by ``check_gradient`` (``.diagnoses``). The numerical gradient covers every entry when
    the parameters have at most ``full_limit`` entries in all, else ``num_checks`` random entries per
    parameter (chosen with ``seed``). The given arrays are not modified. Returns a ``Comparison``;
    print it for the table.
    """
    if loss in LAYER_NAMES and not LAYERS:
        importlib.import_module("tinygrad_edu.layers")    # it registers its comparisons in LAYERS
    if loss in LAYERS:     # a layer ('batchnorm', 'conv', ...): its own inputs, the same table
        return LAYERS[loss](X=X, y=y, W=W, params=params, reg=reg, seed=seed, naive=naive,
                            vectorized=vectorized)
    if loss not in LOSSES:
        raise ValueError(f"compare: loss must be one of {LOSSES + LAYER_NAMES}, got {loss!r}")
    for name, fn in (("naive", naive), ("vectorized", vectorized)):
        if fn is not None and not callable(fn):
            raise TypeError(f"compare: {name}= must be a function (W, X, y, reg) -> (loss, dW), got "
                            f"{type(fn).__name__}")
    X, y, W, params = _data(loss, X, y, W, params, seed)
    if loss == "two_layer":
        arrays, results, f = _two_layer_methods(X, y, params, reg)
    else:
        arrays, results, f = _linear_methods(loss, X, y, W, reg, delta)
    shapes = {"X": X.shape, **{k: v.shape for k, v in arrays.items()}}
    mine = {"your_naive": naive, "your_vectorized": vectorized}
    for method, fn in mine.items():
        if fn is not None:
            results.append(_yours(method, fn, arrays, X, y, reg, loss == "two_layer"))
    value = f()
    (grads, mask, label), sec = _timed(lambda: _numerical(f, arrays, num_checks, full_limit, seed))
    results.append(MethodResult("numerical", value, grads, sec, mask, label))
    comparison = Comparison(loss, results, float(reg), shapes)
    comparison.diagnoses = {r.method: _diagnose(mine[r.method], arrays, X, y, reg, loss == "two_layer",
                                                num_checks, full_limit, seed)
                            for r in results if r.method in mine and not r.error
                            and not _agrees(comparison, r.method)}
    return comparison


def _two_layer_methods(X, y, params, reg):
    arrays = {k: np.array(params[k], dtype=np.float64) for k in ("W1", "b1", "W2", "b2")}

    def graph():
        ts = {k: Tensor(v.copy(), requires_grad=True) for k, v in arrays.items()}
        out = losses.two_layer_loss(ts, X, y, reg)
        out.backward()
        return out.item(), {k: t.grad for k, t in ts.items()}
    results = []
    (value, grads), sec = _timed(graph)
    results.append(MethodResult("graph", value, grads, sec))
    (value, grads), sec = _timed(lambda: reference.two_layer_loss(arrays, X, y, reg))
    results.append(MethodResult("vectorized", value, grads, sec))
    return arrays, results, lambda: reference.two_layer_loss(arrays, X, y, reg)[0]


def _linear_methods(loss, X, y, W, reg, delta):
    arrays = {"W": np.array(W, dtype=np.float64)}
    kw = {"delta": delta} if loss == "svm" else {}
    graph_loss = losses.softmax_loss if loss == "softmax" else losses.svm_loss
    naive = reference.softmax_loss_naive if loss == "softmax" else reference.svm_loss_naive
    vec = reference.softmax_loss_vectorized if loss == "softmax" else reference.svm_loss_vectorized

    def graph():
        Wt = Tensor(arrays["W"].copy(), requires_grad=True)
        out = graph_loss(Wt, X, y, reg, **kw)
        out.backward()
        return out.item(), {"W": Wt.grad}
    results = []
    (value, grads), sec = _timed(graph)
    results.append(MethodResult("graph", value, grads, sec))
    for name, fn in (("naive", naive), ("vectorized", vec)):
        (value, dW), sec = _timed(lambda: fn(arrays["W"], X, y, reg, **kw))
        results.append(MethodResult(name, value, {"W": dW}, sec))
    return arrays, results, lambda: vec(arrays["W"], X, y, reg, **kw)[0]


def _call_yours(fn, arrays, X, y, reg, two_layer):
    """Your function on copies of everything; (loss, grads dict) or a ValueError saying what is off."""
    if two_layer:
        loss, grads = fn({k: v.copy() for k, v in arrays.items()}, X.copy(), y.copy(), reg)
    else:
        loss, grads = fn(arrays["W"].copy(), X.copy(), y.copy(), reg)
        grads = {"W": grads}
    if not isinstance(grads, dict):
        raise ValueError(f"returned {type(grads).__name__} for the gradients, not a dict of arrays")
    out = {}
    for k, a in arrays.items():
        g = np.asarray(grads.get(k), dtype=np.float64) if grads.get(k) is not None else None
        if g is None or g.shape != a.shape:
            raise ValueError(f"returned a gradient for {k} of shape "
                             f"{None if g is None else g.shape}, but {k} has shape {a.shape}")
        out[k] = g
    return float(np.asarray(loss, dtype=np.float64).reshape(())), out


def _yours(method, fn, arrays, X, y, reg, two_layer):
    label = f"{method.replace('_', ' ')} ({getattr(fn, '__name__', 'function')})"[:22]
    start = time.perf_counter()
    try:
        value, grads = _call_yours(fn, arrays, X, y, reg, two_layer)
    except Exception as e:       # your code's failure is a result to show, not a crash
        return MethodResult(method, float("nan"), {}, time.perf_counter() - start, label=label,
                            error=f"{type(e).__name__}: {e}")
    return MethodResult(method, value, grads, time.perf_counter() - start, label=label)


def _agrees(comparison, method):
    others = [r.method for r in comparison.results if r.method != method]
    return all(comparison.error(method, m) <= (NUMERICAL_TOL if m == "numerical" else EXACT_TOL)
               for m in others if m in ("numerical", "vectorized", "graph"))


def _diagnose(fn, arrays, X, y, reg, two_layer, num_checks, full_limit, seed):
    """check_gradient on each parameter of your function: [(name, report)] for those it finds wrong."""
    found = []
    for name, a in arrays.items():
        x = a.copy()

        def f(v, name=name):
            loss, grads = _call_yours(fn, {**arrays, name: v}, X, y, reg, two_layer)
            return loss, grads[name]
        checks = None if x.size <= full_limit else num_checks
        report = check_gradient(f, x, reg=reg, N=len(y), num_checks=checks, seed=seed)
        if not report.ok:
            found.append((name, report))
    return found


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
