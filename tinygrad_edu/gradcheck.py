"""Numerical gradients, and checks that compare them with a gradient computed some other way.

The derivative of a scalar function f at x, along entry i, is the limit of a difference quotient:

    centered:  (f(x + h e_i) - f(x - h e_i)) / (2h)   error O(h^2)  (two evaluations per entry)
    forward:   (f(x + h e_i) - f(x)) / h               error O(h)    (one evaluation per entry)

Shrinking h reduces that truncation error, but the rounding error of f, about eps * |f| / h with
eps = 2.2e-16 in float64, grows: h = 1e-5 balances the two for the centered formula in float64,
which is why every check here runs in float64 when it can. The divisor is the step actually taken
(``x[i]`` after the assignment minus ``x[i]`` before), which equals 2h up to rounding.

What is here:

* ``numerical_gradient(f, x, h)``: the full gradient of a scalar f, entry by entry;
* ``numerical_gradient_array(f, x, df, h)``: the same for an array-valued f, contracted with an
  upstream gradient ``df`` (the vector-Jacobian product a backward pass computes);
* ``grad_check_sparse``: k random entries only, for large ``W``;
* ``directional_check``: two evaluations per random direction, for models too big for any of the above;
* ``rel_error(a, b)``: the measure of agreement;
* ``gradcheck(f, *inputs)``: the engine's gradients against numerical ones, as a printable report;
* ``check_gradient(f, x)``: a learner's own ``f(x) -> (loss, grad)`` against numerical differences,
  with a diagnosis of the usual mistakes.

All functions perturb the given array *in place*, one entry (or one direction) at a time, so that a
closure over the same array sees the change, and they always put the original values back, also when
``f`` raises.
"""
from __future__ import annotations

import functools
import numbers
from dataclasses import dataclass, field

import numpy as np

from .engine import Tensor, no_grad

__all__ = ["numerical_gradient", "numerical_gradient_array", "grad_check_sparse", "directional_check",
           "rel_error", "gradcheck", "check_gradient", "GradcheckReport", "InputCheck",
           "GradientCheckReport", "Diagnosis", "SparseCheck", "DirectionalCheck"]


# ---------------------------------------------------------------------------------- helpers


def _float_array(x, where: str) -> None:
    """Insist on a float numpy array: the check perturbs it in place, which needs a mutable float."""
    if isinstance(x, Tensor):
        raise TypeError(f"{where}: x must be a float numpy array that f reads, not a Tensor; pass "
                        f"its .data (the check perturbs that array in place)")
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        what = f"a numpy array of dtype {x.dtype}" if isinstance(x, np.ndarray) else type(x).__name__
        raise TypeError(f"{where}: x must be a float numpy array (it is perturbed in place, so an "
                        f"integer array or a list cannot hold x + h); got {what}. Convert it first, "
                        f"e.g. x = np.asarray(x, dtype=np.float64), and make f read that same array")
    if not x.flags.writeable:
        raise ValueError(f"{where}: x (shape {x.shape}) is read-only; pass a writeable copy")


def _scalar(value, where: str) -> float:
    """The float in ``value`` (a number, a one-element array or Tensor); a clear error otherwise."""
    if isinstance(value, Tensor):
        value = value.data
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: f must return a number, got {type(value).__name__}") from None
    if arr.size != 1:
        raise ValueError(f"{where}: f must return a scalar, got an array of shape {arr.shape}; reduce "
                         f"it (e.g. .sum()) or use numerical_gradient_array with an upstream gradient")
    return float(arr.reshape(()))


def _array(value) -> np.ndarray:
    """A float64 copy of f's output (a copy: f may return the same array object every time)."""
    if isinstance(value, Tensor):
        value = value.data
    return np.array(value, dtype=np.float64, copy=True)


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
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def _against(x, analytic_grad, where: str) -> np.ndarray:
    """Check ``x`` (a float array to perturb) and the gradient to compare with it; that gradient in
    float64."""
    _float_array(x, where)
    analytic_grad = np.asarray(analytic_grad, dtype=np.float64)
    if analytic_grad.shape != x.shape:
        raise ValueError(f"{where}: analytic_grad has shape {analytic_grad.shape} but x has shape "
                         f"{x.shape}")
    return analytic_grad


def _step(up, down, x, where: str) -> float:
    """The step actually taken between the two stored values (2h up to rounding)."""
    step = float(up) - float(down)
    if step == 0.0:
        raise ValueError(f"{where}: the step h is too small to change an entry of x (dtype {x.dtype}, "
                         f"value {float(up):g}); use a larger h")
    return step


def _entry_rel(a, b):
    return np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))


# ---------------------------------------------------------------------------------- numerical gradients


def numerical_gradient(f, x, h: float = 1e-5, method: str = "centered") -> np.ndarray:
    """The gradient of a scalar function by finite differences, one entry at a time.

    ``f`` maps a numpy array shaped like ``x`` to a float (a one-element array or Tensor also works).
    ``x`` is a float numpy array, perturbed *in place*: ``f`` may ignore its argument and read the
    same array through a closure (the cs231n idiom ``f = lambda _: net.loss(X, y)[0]`` with
    ``x = net.params['W1']``). Every entry is restored after use, also when ``f`` raises.

    ``method="centered"`` (default): (f(x + h e_i) - f(x - h e_i)) / 2h, error O(h^2);
    ``method="forward"``: (f(x + h e_i) - f(x)) / h, error O(h), one evaluation per entry plus one.
    Returns a float64 array shaped like ``x``.
    """
    _float_array(x, "numerical_gradient")
    if method not in ("centered", "forward"):
        raise ValueError(f"numerical_gradient: method must be 'centered' or 'forward', got {method!r}")
    grad = np.zeros(x.shape, dtype=np.float64)
    f0 = _scalar(f(x), "numerical_gradient") if method == "forward" else None
    for ix in np.ndindex(x.shape):
        old = x[ix]
        try:
            x[ix] = old + h
            up, f_up = x[ix], _scalar(f(x), "numerical_gradient")
            if method == "centered":
                x[ix] = old - h
                down, f_down = x[ix], _scalar(f(x), "numerical_gradient")
            else:
                down, f_down = old, f0
        finally:
            x[ix] = old
        grad[ix] = (f_up - f_down) / _step(up, down, x, "numerical_gradient")
    return grad


def numerical_gradient_array(f, x, df, h: float = 1e-5) -> np.ndarray:
    """The vector-Jacobian product df^T (d f / d x) of an array-valued ``f`` by centered differences.

    ``f`` maps ``x`` (perturbed in place, restored as in ``numerical_gradient``) to an array of any
    shape; ``df`` is the upstream gradient dL/d(output), shaped like that output. Entry i of the
    result is sum(df * (f(x + h e_i) - f(x - h e_i))) / 2h, exactly what an op's backward returns.
    """
    _float_array(x, "numerical_gradient_array")
    df = np.asarray(df.data if isinstance(df, Tensor) else df, dtype=np.float64)
    grad = np.zeros(x.shape, dtype=np.float64)
    for ix in np.ndindex(x.shape):
        old = x[ix]
        try:
            x[ix] = old + h
            up, out_up = x[ix], _array(f(x))
            x[ix] = old - h
            down, out_down = x[ix], _array(f(x))
        finally:
            x[ix] = old
        if out_up.shape != df.shape:
            raise ValueError(f"numerical_gradient_array: f returns shape {out_up.shape} but df has "
                             f"shape {df.shape}; df must be shaped like f's output")
        grad[ix] = np.sum((out_up - out_down) * df) / _step(up, down, x, "numerical_gradient_array")
    return grad


@dataclass
class SparseCheck:
    """Per-entry results of ``grad_check_sparse``: ``rows`` of (index, numerical, analytic, rel error)."""

    rows: list
    max_rel_error: float

    def __str__(self):
        lines = [f"{'index':>14}  {'numerical':>14}  {'analytic':>14}  {'rel error':>9}"]
        for ix, num, ana, err in self.rows:
            lines.append(f"{str(ix):>14}  {num:>14.8g}  {ana:>14.8g}  {err:>9.2e}")
        lines.append(f"max relative error over {len(self.rows)} entries: {self.max_rel_error:.2e}")
        return "\n".join(lines)


def grad_check_sparse(f, x, analytic_grad, num_checks: int = 10, h: float = 1e-5, seed=None,
                      verbose: bool = False) -> SparseCheck:
    """Compare ``analytic_grad`` with centered differences at ``num_checks`` random entries of ``x``.

    For a large ``W`` where the full numerical gradient costs two evaluations of ``f`` per entry.
    ``f`` and ``x`` as in ``numerical_gradient`` (``x`` perturbed in place and restored); entries are
    drawn without repetition with ``np.random.default_rng(seed)``. Returns a ``SparseCheck`` (print it
    for the table); ``verbose=True`` also prints one line per entry as it goes.
    """
    analytic_grad = _against(x, analytic_grad, "grad_check_sparse")
    rng = np.random.default_rng(seed)
    flat = rng.choice(x.size, size=min(num_checks, x.size), replace=False)
    rows = []
    for k in flat:
        ix = np.unravel_index(k, x.shape)
        ix = tuple(int(i) for i in ix)
        old = x[ix]
        try:
            x[ix] = old + h
            up, f_up = x[ix], _scalar(f(x), "grad_check_sparse")
            x[ix] = old - h
            down, f_down = x[ix], _scalar(f(x), "grad_check_sparse")
        finally:
            x[ix] = old
        num = (f_up - f_down) / _step(up, down, x, "grad_check_sparse")
        ana = float(analytic_grad[ix])
        err = float(_entry_rel(num, ana))
        rows.append((ix, num, ana, err))
        if verbose:
            print(f"numerical: {num:f} analytic: {ana:f}, relative error: {err:e}  at {ix}")
    return SparseCheck(rows, max((r[3] for r in rows), default=0.0))


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


def directional_check(f, x, analytic_grad, num_directions: int = 3, h: float = 1e-5,
                      seed=None) -> DirectionalCheck:
    """Check a gradient along random unit directions v: two evaluations of ``f`` per direction.

    The directional derivative of f along v is grad . v, and numerically
    (f(x + h v) - f(x - h v)) / 2h. One number per direction tests every entry of the gradient at
    once (an error anywhere shows up for almost every v), so this scales to models far too large to
    check entry by entry. ``x`` is moved in place and restored exactly, also when ``f`` raises.
    """
    analytic_grad = _against(x, analytic_grad, "directional_check")
    rng = np.random.default_rng(seed)
    saved = x.copy()
    rows = []
    for _ in range(num_directions):
        v = rng.normal(size=x.shape)
        v /= max(np.linalg.norm(v), 1e-300)
        try:
            x[...] = saved + h * v
            step_up, f_up = x - saved, _scalar(f(x), "directional_check")
            x[...] = saved - h * v
            step_down, f_down = x - saved, _scalar(f(x), "directional_check")
        finally:
            x[...] = saved
        num = (f_up - f_down) / (2 * h)
        ana = float(np.sum(analytic_grad * (step_up - step_down))) / (2 * h)  # grad . (actual step)
        rows.append((num, ana, float(_entry_rel(num, ana))))
    return DirectionalCheck(rows, max((r[2] for r in rows), default=0.0))


# ---------------------------------------------------------------------------------- gradcheck (engine)

_THRESHOLDS = {  # dtype -> (h, rtol, atol per unit of max(1, |f|))
    "float64": (1e-5, 1e-6, 1e-8),
    "float32": (1e-2, 1e-2, 1e-3),
}


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


class GradcheckReport:
    """What ``gradcheck`` found: truthy when every checked input agrees; ``str()`` is a table."""

    def __init__(self, checks, value):
        self.checks = checks
        self.value = value

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def __bool__(self):
        return self.ok

    def __str__(self):
        head = (f"{'input':<12} {'shape':<12} {'dtype':<8} {'max rel err':>11} {'max abs err':>11}  "
                f"{'worst at':<10} {'engine':>13} {'numerical':>13}  verdict")
        lines = [f"gradcheck: f = {self.value:.10g}", head, "-" * len(head)]
        for c in self.checks:
            verdict = "ok" if c.ok else "WRONG"
            lines.append(
                f"{c.name:<12} {str(c.shape):<12} {c.dtype:<8} {c.max_rel_error:>11.2e} "
                f"{c.max_abs_error:>11.2e}  {str(c.worst_index):<10} {c.analytic_at_worst:>13.6g} "
                f"{c.numerical_at_worst:>13.6g}  {verdict} ({c.dtype}: rtol {c.rtol:g}, atol {c.atol:.1g})")
        lines.append("all gradients agree" if self.ok else "some gradients disagree: see WRONG rows")
        return "\n".join(lines)

    __repr__ = __str__


def _compare(analytic, numerical, rtol, atol):
    """Per-entry verdict |a - n| <= atol + rtol * (|a| + |n|), and the worst entry's index."""
    diff = np.abs(analytic - numerical)
    allowed = atol + rtol * (np.abs(analytic) + np.abs(numerical))
    ok = diff <= allowed
    worst = np.unravel_index(int(np.argmax(diff / allowed)), diff.shape) if diff.size else ()
    return ok, tuple(int(i) for i in worst)


def gradcheck(f, *inputs, h: float | None = None, rtol: float | None = None,
              atol: float | None = None) -> GradcheckReport:
    """Compare the engine's gradients of ``f(*inputs)`` with centered differences.

    ``f`` maps Tensors to a scalar Tensor; ``inputs`` are Tensors, and those with ``requires_grad``
    are checked. Runs ``f`` once with the graph and ``backward()``, then evaluates ``f`` inside
    ``no_grad`` with each entry of each checked input's ``.data`` moved by +-h. Thresholds follow the
    dtype (float64: h 1e-5, rtol 1e-6; float32: h 1e-2, rtol 1e-2; atol scaled by max(1, |f|)); an
    entry agrees when |engine - numerical| <= atol + rtol (|engine| + |numerical|). The inputs'
    values and their ``.grad`` are as before on return.
    """
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor):
            raise TypeError(f"gradcheck: input {i} is a {type(t).__name__}; every input must be a "
                            f"Tensor (create the ones to check with requires_grad=True)")
    checked = [i for i, t in enumerate(inputs) if t.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input has requires_grad=True, so there is nothing to check")
    saved_grads = [t.grad for t in inputs]
    saved_data = [t.data.copy() for t in inputs]
    try:
        for t in inputs:
            t.grad = None
        out = f(*inputs)
        if not isinstance(out, Tensor) or out.size != 1:
            raise ValueError(f"gradcheck: f must return a one-element Tensor, got "
                             f"{type(out).__name__} of shape {np.shape(getattr(out, 'data', out))}")
        value = out.item()
        if out.requires_grad:
            out.backward()
        low = out.dtype == np.float32

        def evaluate(_):
            with no_grad():
                return _scalar(f(*inputs), "gradcheck")

        checks = []
        for i in checked:
            t = inputs[i]
            key = "float32" if (low or t.dtype == np.float32) else "float64"
            h_i, rtol_i, atol_i = _THRESHOLDS[key]
            h_i = h if h is not None else h_i
            rtol_i = rtol if rtol is not None else rtol_i
            atol_i = atol if atol is not None else atol_i * max(1.0, abs(value))
            analytic = np.zeros(t.shape) if t.grad is None else np.asarray(t.grad, dtype=np.float64)
            numerical = numerical_gradient(evaluate, t.data, h_i)
            ok, worst = _compare(analytic, numerical, rtol_i, atol_i)
            diff = np.abs(analytic - numerical)
            checks.append(InputCheck(
                position=i, name=t.name or f"inputs[{i}]", shape=t.shape, dtype=key,
                max_rel_error=rel_error(analytic, numerical),
                max_abs_error=float(diff.max()) if diff.size else 0.0, worst_index=worst,
                analytic_at_worst=float(analytic[worst]) if diff.size else 0.0,
                numerical_at_worst=float(numerical[worst]) if diff.size else 0.0,
                rtol=rtol_i, atol=atol_i, ok=bool(ok.all()), analytic=analytic, numerical=numerical))
    finally:
        for t, g, d in zip(inputs, saved_grads, saved_data):
            t.grad = g
            if t.data.shape == d.shape:
                t.data[...] = d
            else:
                t.data = d
    return GradcheckReport(checks, value)


# ---------------------------------------------------------------------------------- check_gradient (learner)


@dataclass
class Diagnosis:
    """One finding of ``check_gradient``: a short ``code`` and a sentence of ``text``."""

    code: str
    text: str

    def __str__(self):
        return f"[{self.code}] {self.text}"


@dataclass
class GradientCheckReport:
    """What ``check_gradient`` found. Truthy when ``ok``; ``str()`` explains."""

    ok: bool
    diagnoses: list
    loss: float
    max_rel_error: float
    max_abs_error: float
    worst_index: tuple
    analytic: np.ndarray = field(repr=False)
    numerical: np.ndarray = field(repr=False)
    rtol: float = 0.0
    atol: float = 0.0

    def __bool__(self):
        return self.ok

    @property
    def codes(self) -> list:
        """The diagnoses' short codes."""
        return [d.code for d in self.diagnoses]

    def __str__(self):
        lines = [f"check_gradient: loss {self.loss:.10g}, gradient of shape {self.numerical.shape}"]
        if self.worst_index is not None and self.analytic.shape == self.numerical.shape:
            lines.append(f"  max relative error {self.max_rel_error:.2e}, max abs error "
                         f"{self.max_abs_error:.2e}; worst entry {self.worst_index}: yours "
                         f"{float(self.analytic[self.worst_index]):.8g}, numerical "
                         f"{float(self.numerical[self.worst_index]):.8g}")
        lines.append(f"  verdict: {'ok' if self.ok else 'WRONG'} (rtol {self.rtol:g}, atol {self.atol:.1g})")
        lines += [f"  - {d}" for d in self.diagnoses]
        return "\n".join(lines)

    __repr__ = __str__


def _infer_batch_size(f, x):
    """N from an (N, D) array with D == x.shape[0] that ``f`` reads: from its closure, the globals it
    names, or the arguments of a ``functools.partial``. None when there is no such array."""
    found = []
    seen = set()
    todo = [f]
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
        code, glob = getattr(g, "__code__", None), getattr(g, "__globals__", {})
        if code is not None:  # module-level names the function reads, e.g. X in a notebook
            found += [glob[name] for name in code.co_names if name in glob]
    for v in found:
        arr = v.data if isinstance(v, Tensor) else v
        if isinstance(arr, np.ndarray) and arr.ndim == 2 and x.ndim >= 1 and arr.shape[1] == x.shape[0] \
                and arr is not x:
            return int(arr.shape[0])
    return None


def _near(value, target, tol=1e-3):
    return abs(value - target) <= tol * max(1.0, abs(target))


def check_gradient(f, x, reg: float | None = None, N: int | None = None, h: float = 1e-5,
                   rtol: float = 1e-6, atol: float | None = None) -> GradientCheckReport:
    """Check a learner's ``f(x) -> (loss, grad)`` against numerical differences, and say what is wrong.

    ``f`` is, e.g., ``lambda W: softmax_loss_naive(W, X, y, reg)``; ``x`` a float numpy array, which
    is perturbed in place and restored (a closure reading the same array sees the change). ``grad``
    should be d loss / d x, shaped like ``x``. Give ``reg`` (the strength in ``reg * sum(x*x)``) to
    get the regularization diagnoses, and ``N`` (the batch size) to name a factor of N; when ``N`` is
    not given it is read, if possible, from an (N, D) array that ``f`` closes over.

    An entry agrees when |grad - numerical| <= atol + rtol (|grad| + |numerical|), atol defaulting
    to 1e-8 max(1, |loss|). The report (``.ok``, ``.diagnoses``, ``str()``) names what it recognizes:

    ``input_modified``  f changed x (or x was left changed after the check);
    ``shape``, ``transposed``  grad has the wrong shape, or is the transpose of the right one;
    ``no_dependence``   the numerical gradient is zero: the loss does not read the x it is given;
    ``only_reg``        the numerical gradient is only 2*reg*x: the data loss does not read x;
    ``sign_flip``, ``scale``, ``batch_size``   grad is -1, c or N (or 1/N) times the right one;
    ``reg_missing``, ``reg_doubled``, ``reg_half``, ``reg_excess``   the difference is -2, +2, -1 or
                        +1 times reg*x;
    ``mask``            grad is nonzero where the loss is flat (an unapplied ReLU or margin mask),
                        or zero where it is not;
    ``mismatch``        wrong in a way none of the above explains.
    """
    _float_array(x, "check_gradient")
    x0 = x.copy()
    diagnoses = []

    def unpack(out):
        if not (isinstance(out, tuple) and len(out) == 2):
            raise TypeError(f"check_gradient: f must return (loss, grad); got {type(out).__name__}")
        return out

    loss, grad = unpack(f(x))
    loss = _scalar(loss, "check_gradient")
    grad = _array(grad)
    f_modifies = not np.array_equal(x, x0, equal_nan=True)
    if f_modifies:
        changed = int(np.sum(~np.isclose(x, x0, rtol=0, atol=0, equal_nan=True)))
        diagnoses.append(Diagnosis("input_modified", (
            f"f changed its input: after one call, {changed} of {x.size} entries of x differ "
            f"(e.g. an in-place update such as x -= ... or x /= ... inside f). A loss function must "
            f"not modify the array it is given; work on a copy. (x was restored for this check.)")))
        x[...] = x0

    def value(arr):
        before = arr.copy() if f_modifies else None
        v = _scalar(unpack(f(arr))[0], "check_gradient")
        if f_modifies:
            arr[...] = before
        return v

    numerical = numerical_gradient(value, x, h)
    if not np.array_equal(x, x0, equal_nan=True):
        if not f_modifies:
            diagnoses.append(Diagnosis("input_modified", (
                "x was left changed after the check, so f changes the array it is given; work on a "
                "copy inside f. (x was restored.)")))
        x[...] = x0
    atol = 1e-8 * max(1.0, abs(loss)) if atol is None else atol

    def report(ok, analytic):
        if analytic.shape == numerical.shape:
            diff = np.abs(analytic - numerical)
            _, worst = _compare(analytic, numerical, rtol, atol)
            return GradientCheckReport(ok, diagnoses, loss, rel_error(analytic, numerical),
                                       float(diff.max()) if diff.size else 0.0, worst, analytic,
                                       numerical, rtol, atol)
        return GradientCheckReport(ok, diagnoses, loss, float("inf"), float("inf"), None, analytic,
                                   numerical, rtol, atol)

    def close(a, b, r=None):
        return bool(np.all(np.abs(a - b) <= atol + (r or max(rtol, 1e-5)) * (np.abs(a) + np.abs(b))))

    # the shape first: nothing else can be compared otherwise
    if grad.shape != x.shape:
        if x.ndim == 2 and grad.shape == x.shape[::-1] and close(grad.T, numerical):
            diagnoses.append(Diagnosis("transposed", (
                f"Your gradient has shape {grad.shape}, the transpose of x's {x.shape}, and its "
                f"transpose is right: return grad.T (e.g. dW = X.T @ dscores, not dscores.T @ X).")))
        else:
            diagnoses.append(Diagnosis("shape", (
                f"Your gradient has shape {grad.shape} but x has shape {x.shape}: d loss / d x must "
                f"have the shape of x.")))
        return report(False, grad)

    agree, _ = _compare(grad, numerical, rtol, atol)
    ok = bool(agree.all()) and not diagnoses
    flat = np.abs(numerical) <= atol           # entries where the loss does not move
    reg = float(reg) if isinstance(reg, numbers.Real) and reg else None

    if numerical.size and flat.all():
        diagnoses.append(Diagnosis("no_dependence", (
            "The numerical gradient is zero everywhere: the loss does not change when x changes"
            + (", yet your gradient is not zero" if not np.all(np.abs(grad) <= atol) else "")
            + ". f probably computes the loss from a copy of x or from the model's own weights instead "
              "of the x it is given (the classic reason scipy.optimize.fmin_cg barely moves the cost). "
              "Make f use x itself, e.g. write it into the model (model.W[...] = x) before the loss.")))
        return report(False, grad)
    if reg is not None and close(numerical, 2 * reg * x) and not close(grad, numerical):
        diagnoses.append(Diagnosis("only_reg", (
            "The numerical gradient equals just the regularization's 2*reg*x: the data loss does not "
            "change with x. f probably computes the data loss from a copy of x or from the model's own "
            "weights; make it use the x it is given.")))
        return report(False, grad)
    if ok:
        return report(True, grad)
    if not agree.all():
        explained = False
        gg = float(np.sum(numerical * numerical))
        c = float(np.sum(grad * numerical)) / gg if gg > 0 else 0.0
        if gg > 0 and c != 0 and not _near(c, 1.0, 1e-6) and close(grad, c * numerical):
            explained = True
            if _near(c, -1.0):
                diagnoses.append(Diagnosis("sign_flip", (
                    "Your gradient is the right one with its sign flipped (-1 times the numerical "
                    "gradient): check the sign of each term, e.g. p_j - [j = y_i] and not the reverse.")))
            else:
                n = N if N is not None else _infer_batch_size(f, x)
                k = c if abs(c) >= 1 else 1.0 / c
                text = (f"Your gradient is the right one times a constant factor {c:.6g} "
                        f"(e.g. a missing or extra division, or a 2 from a square).")
                if n is not None and _near(abs(k), n):
                    how = ("did not divide by N" if abs(c) >= 1 else "divided by N twice")
                    diagnoses.append(Diagnosis("batch_size", (
                        f"Your gradient is {c:.6g} times the right one, and that factor is the batch "
                        f"size N = {n}{'' if abs(c) >= 1 else ' (as 1/N)'}: you probably {how}; the loss "
                        f"is a mean over the N examples, so its gradient is divided by N once.")))
                elif abs(k) >= 2 and _near(abs(k), round(abs(k))):
                    text += (f" The factor is the whole number {round(abs(k))}"
                             f"{'' if abs(c) >= 1 else ' (as its inverse)'}: if your batch has that many "
                             f"examples, you forgot to divide by N (or divided twice).")
                diagnoses.append(Diagnosis("scale", text))
        if not explained and reg is not None and np.any(x):
            diff = grad - numerical
            rx = reg * x
            k = float(np.sum(diff * rx) / np.sum(rx * rx))
            names = {-2: ("reg_missing", "Your gradient lacks the regularization term: it differs from "
                          "the right one by exactly -2*reg*x. Add 2*reg*W, the gradient of reg*sum(W*W)."),
                     2: ("reg_doubled", "Your gradient has the regularization twice: it exceeds the right "
                         "one by exactly 2*reg*x (the term added twice, or the loss itself lacks "
                         "reg*sum(W*W))."),
                     -1: ("reg_half", "Your regularization gradient is reg*x where 2*reg*x belongs: the "
                          "derivative of reg*sum(W*W) is 2*reg*W."),
                     1: ("reg_excess", "Your gradient exceeds the right one by exactly reg*x: e.g. the "
                         "loss uses 0.5*reg*sum(W*W) but the gradient adds 2*reg*W, or reg*W was added "
                         "on top of 2*reg*W. Use one convention in both.")}
            nearest = int(round(k))
            if nearest in names and _near(k, nearest) and close(diff, nearest * rx):
                explained = True
                diagnoses.append(Diagnosis(*names[nearest]))
        if not explained and x.ndim == 2 and x.shape[0] == x.shape[1] and close(grad.T, numerical):
            explained = True
            diagnoses.append(Diagnosis("transposed", (
                "Your gradient is the transpose of the right one (x is square, so the shapes hide it): "
                "return grad.T (e.g. dW = X.T @ dscores, not dscores.T @ X).")))
        if not explained:
            bad = ~agree
            leak = bad & flat                    # loss flat there, yours is not
            blocked = bad & ~flat & (np.abs(grad) <= atol)
            if leak.any():
                rest = "; it is right everywhere else" if not (bad & ~flat).any() else ""
                diagnoses.append(Diagnosis("mask", (
                    f"Your gradient is nonzero at {int(leak.sum())} of {x.size} entries where the loss "
                    f"does not change at all (numerical gradient 0){rest}. That is the mark of a ReLU "
                    f"or hinge-margin mask not applied in the backward pass: the gradient must be 0 "
                    f"where the unit is inactive (x <= 0) or the margin is not positive.")))
                explained = True
            elif blocked.any():
                diagnoses.append(Diagnosis("mask", (
                    f"Your gradient is 0 at {int(blocked.sum())} of {x.size} entries where the right one "
                    f"is not: a mask that blocks too much (a ReLU or margin mask taken from the wrong "
                    f"array, or >= where > belongs).")))
                explained = True
        if not explained:
            _, worst = _compare(grad, numerical, rtol, atol)
            diagnoses.append(Diagnosis("mismatch", (
                f"Your gradient differs from the numerical one at {int((~agree).sum())} of {x.size} "
                f"entries (worst at {worst}: yours {grad[worst]:.6g}, numerical {numerical[worst]:.6g}; "
                f"max relative error {rel_error(grad, numerical):.2e}), in no pattern recognized here "
                f"(not a constant factor, sign, regularization, transpose or mask). Check each step of "
                f"the backward pass on a tiny example, e.g. with numerical_gradient_array."
                + (" (Only a few entries differ: if the loss has a kink there, as max(0, .) does at 0, "
                   "finite differences straddling it are unreliable; try another random x.)"
                   if (~agree).sum() <= max(1, x.size // 20) else ""))))
    return report(False, grad)
