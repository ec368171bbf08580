"""Numerical differences: the one +-h loop that every check in this package runs.

The derivative of a scalar function f at x along a direction d (a unit vector e_i for entry i, or a
random direction) is the limit of a difference quotient:

    centered:  (f(x + h d) - f(x - h d)) / (2h)   error O(h^2)  (two evaluations)
    one-sided: (f(x + h d) - f(x)) / h             error O(h)    (used to recognize kinks)

Shrinking h reduces the truncation error, but the rounding error of f, about eps * |f| / h, grows:
h = 1e-5 balances the two for the centered formula in float64 (eps 2.2e-16) when f curves on a scale
of about 1; in float32 (eps 1.2e-7) the balance lies near h = 5e-3, scaled by the size of x.
``default_step`` follows the dtype of x; the checks (``accuracy.estimate``) measure the balance for the
function at hand instead. The divisor is the step actually taken (``x[i]`` after the assignment
minus before), which equals 2h up to rounding.

``differences`` is the loop. It moves ``x`` *in place* (a closure reading the same array sees the
change: the cs231n idiom ``f = lambda _: net.loss(X, y)[0]`` with ``x = net.params['W1']``), puts
every entry back bit for bit after each evaluation, also when ``f`` raises, notices when ``f``
changed ``x`` itself (and undoes it), counts evaluations and time, and shows a tqdm progress bar
when the whole loop is expected to take more than about two seconds.
"""
from __future__ import annotations

import numbers
import time
import warnings
from dataclasses import dataclass

import numpy as np

from ..engine import Tensor

__all__ = ["numerical_gradient", "numerical_gradient_array", "grad_check_sparse", "directional_check",
           "rel_error", "SparseCheck", "DirectionalCheck", "Differences", "differences",
           "default_step"]

PROGRESS_AFTER = 2.0   # seconds: a loop expected to take longer shows a progress bar


# ---------------------------------------------------------------------------------- checking inputs


def check_array(x, where: str) -> None:
    """Insist on a writeable float numpy array: the checks perturb it in place."""
    if isinstance(x, Tensor):
        raise TypeError(f"{where}: x must be a float numpy array that f reads, not a Tensor; pass "
                        f"its .data (the check perturbs that array in place)")
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        what = f"a numpy array of dtype {x.dtype}" if isinstance(x, np.ndarray) else type(x).__name__
        raise TypeError(f"{where}: x must be a float numpy array (it is perturbed in place, so an "
                        f"integer array or a list cannot hold x + h); got {what}. Convert it first, "
                        f"e.g. x = np.asarray(x, dtype=np.float64), and make f read that same array")
    if not x.flags.writeable:
        raise ValueError(f"{where}: x (shape {x.shape}) is read-only, so it cannot be perturbed in "
                         f"place; pass a writeable copy (x = x.copy()) and make f read that copy")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{where}: x holds nan or inf; a gradient can only be checked at a finite x")


def check_step(h, where: str) -> float:
    """``h`` as a positive finite float; a clear error otherwise."""
    if isinstance(h, bool) or not isinstance(h, numbers.Real):
        raise TypeError(f"{where}: h must be a positive number, got {type(h).__name__} {h!r}")
    h = float(h)
    if not np.isfinite(h) or h <= 0:
        raise ValueError(f"{where}: h must be a positive finite number, got {h}; e.g. h=1e-5 "
                         f"(float64) or h=5e-3 (float32)")
    return h


def as_scalar(value, where: str) -> float:
    """The float in ``value`` (a number, one-element array or Tensor); refuses None, strings, bigger
    arrays and nan/inf with a message that says what f returned."""
    if isinstance(value, Tensor):
        value = value.data
    if value is None or isinstance(value, (str, bytes)):
        raise TypeError(f"{where}: f must return a number (the loss), got {value!r}; did f forget "
                        f"to return it?")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: f must return a number, got {type(value).__name__}") from None
    if arr.size != 1:
        raise ValueError(f"{where}: f must return a scalar, got an array of shape {arr.shape}; reduce "
                         f"it (e.g. .sum()) or use numerical_gradient_array with an upstream gradient")
    v = float(arr.reshape(()))
    if not np.isfinite(v):
        raise ValueError(f"{where}: f returned {v}; a finite loss is needed (check f at this x)")
    return v


def as_array(value, where: str, shape=None) -> np.ndarray:
    """A float64 copy of an array-valued f's output (a copy: f may return the same array object
    every time); ``shape`` the shape it must have."""
    if isinstance(value, Tensor):
        value = value.data
    if value is None or isinstance(value, (str, bytes)):
        raise TypeError(f"{where}: f must return an array, got {value!r}")
    try:
        arr = np.array(value, dtype=np.float64, copy=True)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: f must return an array of numbers, got {type(value).__name__}") from None
    if shape is not None and arr.shape != tuple(shape):
        raise ValueError(f"{where}: f returns shape {arr.shape} but df has shape {tuple(shape)}; df "
                         f"must be shaped like f's output")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{where}: f returned nan or inf; a finite output is needed")
    return arr


def rel_error(a, b) -> float:
    """max(|a - b| / max(1e-8, |a| + |b|)): 0 when equal, about 1 when unrelated, 2 for opposite signs.

    ``a``, ``b`` numbers, arrays or Tensors of the same shape (a scalar may meet an array). Relative,
    so it means the same for tiny and huge gradients; the 1e-8 floor keeps two near-zero entries from
    counting as a large relative error. Rough guide (cs231n): above 1e-2 the gradient is probably
    wrong; 1e-4 is suspicious; 1e-7 and below is right for smooth float64 functions.
    """
    a = np.asarray(a.data if isinstance(a, Tensor) else a, dtype=np.float64)
    b = np.asarray(b.data if isinstance(b, Tensor) else b, dtype=np.float64)
    if a.shape != b.shape and a.ndim and b.ndim:
        raise ValueError(f"rel_error: shapes {a.shape} and {b.shape} differ; compare arrays of the "
                         f"same shape (a transposed gradient has the wrong shape)")
    if a.size == 0 and b.size == 0:
        return 0.0
    return float(np.max(entry_rel(a, b)))


def entry_rel(a, b):
    """|a - b| / max(1e-8, |a| + |b|), entry by entry."""
    return np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))


# ---------------------------------------------------------------------------------- dtype defaults


def is_low_precision(x) -> bool:
    return np.asarray(x).dtype.itemsize < 8


def default_step(x) -> float:
    """h for x's dtype: 1e-5 in float64; in float32 (or narrower) 5e-3 times max(1, rms(x)), where
    the rounding error eps*|f|/h and the truncation error h^2 f''' balance."""
    if not is_low_precision(x):
        return 1e-5
    rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if x.size else 1.0
    return 5e-3 * max(1.0, rms)


# ---------------------------------------------------------------------------------- the loop


@dataclass
class Differences:
    """What ``differences`` measured, one row per direction: ``up`` f(x + h d), ``down`` f(x - h d)
    (floats, or arrays for an array-valued f), ``step`` the step actually taken (x after minus x before,
    as a number for an entry, an array for a dense direction), ``center`` f(x) (when asked), the number
    of ``evaluations``, ``seconds``, and ``modified``: how many calls of f changed x."""

    up: list
    down: list
    step: list
    center: object
    evaluations: int
    seconds: float
    modified: int

    def centered(self) -> np.ndarray:
        """The centered differences (f(x + h d) - f(x - h d)) / step, one per direction (scalar f)."""
        return np.array([(u - d) / s for u, d, s in zip(self.up, self.down, self.span())])

    def span(self) -> list:
        """The distance between the two points, per direction: x[i] up - x[i] down for an entry, 2h
        for a dense direction (whose actual steps the caller contracts with)."""
        return [s if np.ndim(s) == 0 else 2.0 for s in self.step]


def _bar(total: int, where: str, first: float, disable):
    """A tqdm bar when ``total`` evaluations at ``first`` seconds each exceed PROGRESS_AFTER."""
    if disable is True or (disable is None and total * first <= PROGRESS_AFTER):
        return None
    from tqdm.auto import tqdm
    return tqdm(total=total, desc=where, unit="eval", leave=False)


def differences(f, x, directions, h: float, where: str, *, value=None, center: bool = False,
                progress=None) -> Differences:
    """Evaluate ``f`` at x + h d and x - h d for each direction d (an index tuple, or an array shaped
    like x), moving ``x`` in place and restoring it bit for bit after each pair (also when f raises).

    ``value(out)`` turns f's output into what is stored (default: a finite float). ``center=True``
    also evaluates f(x). ``progress``: None shows a bar when the loop is expected to take more than
    PROGRESS_AFTER seconds, True always, False never. A call of f that changes x is counted in
    ``modified`` and undone, so later evaluations start from the right point.
    """
    value = value or (lambda out: as_scalar(out, where))
    directions = list(directions)
    x0 = x.copy()
    up, down, steps, state = [], [], [], {"n": 0, "modified": 0, "bar": None}
    start = time.perf_counter()

    def call(d, delta):
        """f at x0 + delta d; afterwards x is x0 again (and f's own changes to x are counted)."""
        moved = _move(x, x0, d, delta)
        t0 = time.perf_counter()
        out = value(f(x))
        state["n"] += 1
        if isinstance(d, tuple):
            changed = not np.array_equal(x[d], moved)
            x[d] = x0[d]
            changed = changed or not np.array_equal(x, x0)
        else:   # a dense direction, or None: f at x0 itself
            changed = not np.array_equal(x, moved)
        if changed:
            state["modified"] += 1
        np.copyto(x, x0)
        if state["n"] == 1:
            state["bar"] = _bar(2 * len(directions) + center, where, time.perf_counter() - t0,
                                None if progress is None else not progress)
        if state["bar"] is not None:
            state["bar"].update(1)
        return out, moved

    try:
        mid = call(None, 0.0)[0] if center else None
        for d in directions:
            (f_up, at_up), (f_down, at_down) = call(d, h), call(d, -h)
            up.append(f_up)
            down.append(f_down)
            steps.append(_taken(at_up, at_down, d, x, h, where))
    finally:
        np.copyto(x, x0)
        if state["bar"] is not None:
            state["bar"].close()
    return Differences(up, down, steps, mid, state["n"], time.perf_counter() - start,
                       state["modified"])


def _move(x, x0, d, delta):
    """Put x at x0 + delta d (x equals x0 on entry); return what the moved part now holds: the
    entry's value for an index d, the whole array for a dense d."""
    if d is None:
        return x.copy()
    if isinstance(d, tuple):
        x[d] = x0[d] + delta
        return x[d].copy()
    np.copyto(x, x0 + (delta * d).astype(x0.dtype))
    return x.copy()


def _taken(up, down, d, x, h, where):
    """The step actually taken: x[i] up - x[i] down for an entry, the array up - down otherwise."""
    if isinstance(d, tuple):
        step = float(up) - float(down)
        if step == 0.0:
            raise ValueError(f"{where}: the step h = {h:g} is too small to change an entry of x "
                             f"(dtype {x.dtype}, value {float(x[d]):g}); use a larger h")
        return step
    return up.astype(np.float64) - down.astype(np.float64)


def warn_modified(diffs, where: str) -> None:
    """Say so when f changed x during the loop (x was restored each time); ``diffs`` a
    ``Differences`` or anything with ``modified`` and ``evaluations`` counts."""
    if diffs.modified:
        warnings.warn(f"{where}: f changed x in {diffs.modified} of {diffs.evaluations} calls (an "
                      f"in-place update inside f?); x was restored after each call and holds its "
                      f"original values, but a loss function should not modify its input",
                      RuntimeWarning, stacklevel=3)


def entries(x) -> list:
    """Every index of x, in C order."""
    return [tuple(int(i) for i in ix) for ix in np.ndindex(x.shape)]


def sample_entries(x, k: int, seed) -> list:
    """k distinct random indices of x (all of them when k >= x.size), drawn with default_rng(seed)."""
    rng = np.random.default_rng(seed)
    flat = rng.choice(x.size, size=min(int(k), x.size), replace=False)
    return [tuple(int(i) for i in np.unravel_index(int(j), x.shape)) for j in flat]


# ---------------------------------------------------------------------------------- public checks


def numerical_gradient(f, x, h: float | None = None, method: str = "centered") -> np.ndarray:
    """The gradient of a scalar function by finite differences, one entry at a time.

    ``f`` maps a numpy array shaped like ``x`` to a float (a one-element array or Tensor also works;
    None, a string, a bigger array or nan is refused). ``x`` is a writeable float numpy array,
    perturbed *in place*: ``f`` may ignore its argument and read the same array through a closure.
    Every entry is restored bit for bit, also when ``f`` raises; when ``f`` itself changes ``x`` a
    RuntimeWarning says so (and ``x`` is restored). ``h`` defaults to ``default_step(x)`` (1e-5 in
    float64).

    ``method="centered"`` (default): (f(x + h e_i) - f(x - h e_i)) / 2h, error O(h^2);
    ``method="forward"``: (f(x + h e_i) - f(x)) / h, error O(h). Returns float64 shaped like ``x``.
    """
    check_array(x, "numerical_gradient")
    if method not in ("centered", "forward"):
        raise ValueError(f"numerical_gradient: method must be 'centered' or 'forward', got {method!r}")
    h = default_step(x) if h is None else check_step(h, "numerical_gradient")
    diffs = differences(f, x, entries(x), h, "numerical_gradient", center=method == "forward")
    warn_modified(diffs, "numerical_gradient")
    if method == "centered":
        return diffs.centered().reshape(x.shape)
    grad = [(u - diffs.center) / (s / 2) for u, s in zip(diffs.up, diffs.step)]
    return np.array(grad, dtype=np.float64).reshape(x.shape)


def numerical_gradient_array(f, x, df, h: float | None = None) -> np.ndarray:
    """The vector-Jacobian product df^T (d f / d x) of an array-valued ``f`` by centered differences.

    ``f`` maps ``x`` (perturbed in place, restored as in ``numerical_gradient``) to an array of any
    shape; ``df`` is the upstream gradient dL/d(output), shaped like that output. Entry i of the
    result is sum(df * (f(x + h e_i) - f(x - h e_i))) / 2h, exactly what an op's backward returns.
    """
    check_array(x, "numerical_gradient_array")
    df = np.asarray(df.data if isinstance(df, Tensor) else df, dtype=np.float64)
    h = default_step(x) if h is None else check_step(h, "numerical_gradient_array")
    where = "numerical_gradient_array"
    diffs = differences(f, x, entries(x), h, where,
                        value=lambda out: float(np.sum(as_array(out, where, df.shape) * df)))
    warn_modified(diffs, where)
    return diffs.centered().reshape(x.shape)


@dataclass
class SparseCheck:
    """Per-entry results of ``grad_check_sparse``: ``rows`` of (index, numerical, analytic, rel error),
    ``evaluations`` of f and ``seconds`` taken."""

    rows: list
    max_rel_error: float
    evaluations: int = 0
    seconds: float = 0.0

    def __str__(self):
        lines = [f"{'index':>14}  {'numerical':>14}  {'analytic':>14}  {'rel error':>9}"]
        for ix, num, ana, err in self.rows:
            lines.append(f"{str(ix):>14}  {num:>14.8g}  {ana:>14.8g}  {err:>9.2e}")
        lines.append(f"max relative error over {len(self.rows)} entries: {self.max_rel_error:.2e} "
                     f"({self.evaluations} evaluations of f, {self.seconds:.2f} s)")
        return "\n".join(lines)


def _against(x, analytic_grad, where: str) -> np.ndarray:
    check_array(x, where)
    analytic_grad = np.asarray(analytic_grad, dtype=np.float64)
    if analytic_grad.shape != x.shape:
        raise ValueError(f"{where}: analytic_grad has shape {analytic_grad.shape} but x has shape "
                         f"{x.shape}")
    return analytic_grad


def grad_check_sparse(f, x, analytic_grad, num_checks: int = 10, h: float | None = None, seed=None,
                      verbose: bool = False) -> SparseCheck:
    """Compare ``analytic_grad`` with centered differences at ``num_checks`` random entries of ``x``.

    For a large ``W`` where the full numerical gradient costs two evaluations of ``f`` per entry.
    ``f`` and ``x`` as in ``numerical_gradient`` (``x`` perturbed in place and restored); entries are
    drawn without repetition with ``np.random.default_rng(seed)``. Returns a ``SparseCheck`` (print it
    for the table); ``verbose=True`` also prints one line per entry. For a diagnosis of what is wrong,
    use ``check_gradient(f, x, num_checks=k)``.
    """
    analytic_grad = _against(x, analytic_grad, "grad_check_sparse")
    h = default_step(x) if h is None else check_step(h, "grad_check_sparse")
    chosen = sample_entries(x, num_checks, seed)
    diffs = differences(f, x, chosen, h, "grad_check_sparse")
    warn_modified(diffs, "grad_check_sparse")
    rows = []
    for ix, num in zip(chosen, diffs.centered()):
        ana = float(analytic_grad[ix])
        rows.append((ix, float(num), ana, float(entry_rel(num, ana))))
        if verbose:
            print(f"numerical: {num:f} analytic: {ana:f}, relative error: {rows[-1][3]:e}  at {ix}")
    return SparseCheck(rows, max((r[3] for r in rows), default=0.0), diffs.evaluations, diffs.seconds)


@dataclass
class DirectionalCheck:
    """Results of ``directional_check``: ``rows`` of (numerical, analytic, rel error), one per direction."""

    rows: list
    max_rel_error: float

    def __str__(self):
        lines = [f"{'direction':>9}  {'numerical':>14}  {'analytic':>14}  {'rel error':>9}"]
        for i, (num, ana, err) in enumerate(self.rows):
            lines.append(f"{i:>9}  {num:>14.8g}  {ana:>14.8g}  {err:>9.2e}")
        lines.append(f"max relative error over {len(self.rows)} directions: {self.max_rel_error:.2e}")
        return "\n".join(lines)


def directional_check(f, x, analytic_grad, num_directions: int = 3, h: float | None = None,
                      seed=None) -> DirectionalCheck:
    """Check a gradient along random unit directions v: two evaluations of ``f`` per direction.

    The directional derivative of f along v is grad . v, and numerically
    (f(x + h v) - f(x - h v)) / 2h. One number per direction tests every entry of the gradient at
    once (an error anywhere shows up for almost every v), so this scales to models far too large to
    check entry by entry. ``x`` is moved in place and restored exactly, also when ``f`` raises.
    """
    analytic_grad = _against(x, analytic_grad, "directional_check")
    h = default_step(x) if h is None else check_step(h, "directional_check")
    rng = np.random.default_rng(seed)
    dirs = []
    for _ in range(num_directions):
        v = rng.normal(size=x.shape)
        dirs.append(v / max(np.linalg.norm(v), 1e-300))
    diffs = differences(f, x, dirs, h, "directional_check")
    warn_modified(diffs, "directional_check")
    rows = []
    for u, d, step in zip(diffs.up, diffs.down, diffs.step):
        num = (u - d) / (2 * h)
        ana = float(np.sum(analytic_grad * step)) / (2 * h)   # grad . (actual step)
        rows.append((num, ana, float(entry_rel(num, ana))))
    return DirectionalCheck(rows, max((r[2] for r in rows), default=0.0))
