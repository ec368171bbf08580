"""What kind of wrong: one small function per diagnosis, tried in order from ``TABLE``.

Each function reads the ``Evidence`` of one check (the learner's gradient and the numerical one at
the checked entries, the entries at a kink, reg, N, the tolerances) and returns the diagnoses it
finds (a list, possibly empty) and whether they explain the disagreement, which ends the search.

The central one, ``factors``, works in the real setting, with regularization on. The numerical
gradient n is the gradient of the data term d plus that of the regularization, which is known
exactly: r = c * reg * x, with c = 2 for ``reg * sum(W*W)`` and c = 1 for ``0.5 * reg * sum(W*W)``.
So d = n - r, and the learner's gradient a is fitted by least squares as

    a = alpha * d + beta * r

alpha names the data term's mistake (N: no division by N; 1/N: divided twice; -1: flipped sign) and
beta the regularization's (0: missing; 2: doubled; 0.5: halved). Both conventions are tried; the
first that gives recognized values is taken (c = 2, the convention of ``losses``, when both do, and
the report then gives the other reading too). A fit is trusted only when it reproduces every checked
entry within the tolerance, and only with more checked entries than unknowns.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Diagnosis:
    """One finding of ``check_gradient``: a short ``code`` and a sentence of ``text``."""

    code: str
    text: str

    def __str__(self):
        return f"[{self.code}] {self.text}"


@dataclass
class Evidence:
    """What a check measured. ``ana``/``num``: the learner's and the numerical gradient at the checked
    entries ``idx`` (1-D, float64; ``ana`` None when the shapes cannot be matched); ``kink``: entries
    at a kink (left out); ``agree``: entries within tolerance; ``xs``: x at those entries."""

    x: np.ndarray
    grad: np.ndarray
    idx: list
    num: np.ndarray
    ana: np.ndarray | None
    agree: np.ndarray
    kink: np.ndarray
    rtol: float
    atol: float
    reg: float | None
    N: int | None
    convention: float | None = None
    modified: int = 0
    low: bool = False
    spread: np.ndarray | None = None      # |forward - backward slope| per entry: 0 when smooth

    @property
    def xs(self) -> np.ndarray:
        return np.array([self.x[i] for i in self.idx], dtype=np.float64)

    @property
    def used(self) -> np.ndarray:
        """Entries that count for the verdict and the fits: all but those at a kink."""
        return ~self.kink

    def close(self, a, b, loose=1.0) -> np.ndarray:
        """Entry by entry: |a - b| <= atol + rtol (|a| + |b|) (``loose`` scales both)."""
        return np.abs(a - b) <= loose * (self.atol + self.rtol * (np.abs(a) + np.abs(b)))

    @property
    def value_tol(self) -> float:
        """How near a fitted factor must be to a recognized value (1 for 'right', N, ...)."""
        return 3e-2 if self.low else 1e-3


def near(value, target, tol) -> bool:
    return abs(value - target) <= tol * max(1.0, abs(target))


# ---------------------------------------------------------------------------------- the table's entries


def input_modified(ev):
    if not ev.modified:
        return [], False
    return [Diagnosis("input_modified", (
        f"f changed its input: x differed after {ev.modified} of its calls (e.g. an in-place update "
        f"such as x -= ..., x /= ..., or dW = W; dW *= ... on an alias of x). A loss function must not "
        f"modify the array it is given; work on a copy. (x was restored after each call and holds "
        f"its original values.)"))], False


def shape(ev):
    if ev.grad.shape == ev.x.shape:
        return [], False
    if ev.x.ndim == 2 and ev.grad.shape == ev.x.shape[::-1]:
        return [Diagnosis("transposed", (
            f"Your gradient has shape {ev.grad.shape}, the transpose of x's {ex(ev.x.shape)}: return "
            f"grad.T (e.g. dW = X.T @ dscores, not dscores.T @ X)"
            + (". Its transpose is right." if ev.close(ev.ana, ev.num)[ev.used].all()
               else "; its transpose is compared below.")))], False
    return [Diagnosis("shape", (
        f"Your gradient has shape {ev.grad.shape} but x has shape {ex(ev.x.shape)}: d loss / d x must "
        f"have the shape of x."))], True


def ex(s):
    return str(tuple(s))


def no_dependence(ev):
    if ev.num.size and np.all(np.abs(ev.num) <= ev.atol):
        nonzero = not np.all(np.abs(ev.ana) <= ev.atol)
        return [Diagnosis("no_dependence", (
            f"The numerical gradient is zero at all {ev.num.size} checked entries: the loss does not "
            f"change when x changes" + (", yet your gradient is not zero" if nonzero else "")
            + ". f probably computes the loss from a copy of x or from the model's own weights "
              "instead of the x it is given (the classic reason scipy.optimize.fmin_cg barely moves "
              "the cost). Make f use x itself, e.g. write it into the model (model.W[...] = x) "
              "before the loss."))], True
    return [], False


def only_reg(ev):
    xs, u = ev.xs, ev.used
    if u.sum() < 2 or not np.any(xs[u]):
        return [], False
    s = float(np.dot(ev.num[u], xs[u]) / np.dot(xs[u], xs[u]))
    if s == 0 or not ev.close(ev.num[u], s * xs[u], 3).all() or ev.close(ev.ana, ev.num)[u].all():
        return [], False
    known = ev.reg is not None and ev.reg > 0 and any(near(s, c * ev.reg, ev.value_tol) for c in (2, 1))
    return [Diagnosis("only_reg", (
        f"The numerical gradient is just a multiple of x ({s:.4g} * x"
        + (", the regularization's gradient" if known else ", what a regularization term gives")
        + "): the data loss does not change with x. f probably computes the data loss from a copy "
          "of x or from the model's own weights; make it use the x it is given."))], True


def agrees(ev):
    return [], bool(ev.agree[ev.used].all())


def factors(ev):
    """The fit a = alpha * data + beta * reg (see the module's docstring)."""
    fit = best_fit(ev, ev.ana)
    if fit is None:
        return [], False
    return describe_fit(ev, *fit), True


def transposed_square(ev):
    if ev.x.ndim != 2 or ev.x.shape[0] != ev.x.shape[1] or ev.grad.shape != ev.x.shape:
        return [], False
    at = np.array([ev.grad.T[i] for i in ev.idx])
    if not ev.close(at, ev.num)[ev.used].all():
        fit = best_fit(ev, at)
        if fit is None:
            return [], False
        more = describe_fit(ev, *fit)
    else:
        more = []
    return [Diagnosis("transposed", (
        "Your gradient is the transpose of the right one (x is square, so the shapes hide it): "
        "return grad.T (e.g. dW = X.T @ dscores, not dscores.T @ X)."))] + more, True


def _mask_evidence(ev):
    """(leaking, blocking) entries among the disagreeing ones, judged on the data term: the
    numerical gradient minus the regularization's (tried in both conventions; the one that finds
    more evidence is kept)."""
    u = ev.used & ~ev.agree
    parts = [0.0]
    if ev.reg:
        parts = [c * ev.reg * ev.xs for c in ((2.0 * ev.convention,) if ev.convention else (2.0, 1.0))]
    best = (0, 0, u, u)
    for r in parts:
        flat = np.abs(ev.num - r) <= ev.atol
        zero = np.abs(ev.ana - r) <= ev.atol
        leak, blocked = int((u & flat).sum()), int((u & ~flat & zero).sum())
        if leak + blocked > best[0] + best[1]:
            best = (leak, blocked, u, flat)
    return best


def mask(ev):
    leak, blocked, u, flat = _mask_evidence(ev)
    if not leak and not blocked:
        return [], False
    found = []
    if leak:
        rest = "; it is right everywhere else" if not (u & ~flat).any() else ""
        found.append(Diagnosis("mask", (
            f"Your gradient is nonzero at {leak} checked entries where the loss (its data term) does "
            f"not change at all{rest}. That is the mark of a ReLU or hinge-margin mask not applied in "
            f"the backward pass: the gradient must be 0 where the unit is inactive (x <= 0) or the "
            f"margin is not positive.")))
    if blocked:
        found.append(Diagnosis("mask", (
            f"Your gradient (its data term) is 0 at {blocked} checked entries where the right one is "
            f"not: a mask that blocks too much (a ReLU or margin mask taken from the wrong array, or "
            f">= where > belongs).")))
    return found, True


def mismatch(ev):
    u = ev.used & ~ev.agree
    k = int(np.argmax(np.abs(ev.ana - ev.num) * u))
    tested = ("a factor on the data term plus a multiple of the regularization"
              if ev.reg else "a constant factor")
    if int(ev.used.sum()) <= 3:
        tested = None
    return [Diagnosis("mismatch", (
        f"Your gradient differs from the numerical one at {int(u.sum())} of {int(ev.used.sum())} "
        f"checked entries (worst at {ev.idx[k]}: yours {ev.ana[k]:.6g}, numerical {ev.num[k]:.6g})."
        + (f" It is not {tested} (a least-squares fit of that form misses the checked entries)."
           if tested else " Too few entries were checked to test any pattern.")
        + " Possible causes: a ReLU or hinge-margin mask missing or taken from the wrong array (in "
          "the first layer of a two-layer net a missing mask rarely leaves any entry flat, so it "
          "shows only as this); a wrong index (j for y_i); a term of the chain rule left out; a "
          "local gradient written for the wrong variable. Check each step of the backward pass on "
          "a tiny example, e.g. with numerical_gradient_array."))], True


TABLE = [input_modified, shape, no_dependence, only_reg, agrees, factors, transposed_square, mask,
         mismatch]


def diagnose(ev) -> list:
    """Run the table until one entry explains the disagreement; the diagnoses found on the way."""
    found = []
    for rule in TABLE:
        more, done = rule(ev)
        found += more
        if done:
            break
    return found


# ---------------------------------------------------------------------------------- the fit


def lstsq_fit(a, basis, ev):
    """Least squares a ~ sum_j coef_j basis_j over the used entries; the coefficients, or None when
    the fit misses some entry or there are too few entries to trust it. Each entry is weighted by
    its uncertainty, so that an entry near a kink (whose numerical value may be off by up to the
    gap between its one-sided slopes, ``ev.spread``) cannot pull the fit off the others."""
    u = ev.used
    B = np.stack([b[u] for b in basis], axis=1)
    if u.sum() <= len(basis) + 1 or np.linalg.matrix_rank(B) < len(basis):
        return None
    spread = ev.spread[u] if ev.spread is not None else np.zeros(int(u.sum()))
    scale = ev.atol + ev.rtol * np.abs(a[u]) + spread
    coef = np.linalg.lstsq(B / scale[:, None], a[u] / scale, rcond=None)[0]
    fitted = B @ coef
    allowed = 3 * (ev.atol + ev.rtol * (np.abs(a[u]) + np.abs(fitted))) + abs(coef[0]) * spread
    if not np.all(np.abs(a[u] - fitted) <= allowed):
        return None
    return [float(c) for c in coef]


BETA_RANK = {1.0: 0, 0.0: 1, 2.0: 2, 0.5: 3, -1.0: 4, 1.5: 5, 3.0: 5}


def _rank(ev, alpha, beta):
    """How plain the regularization factor beta is: 0 (right, or the same factor as the data term),
    1 missing, 2 doubled, 3 halved, ...; None when it is no recognized value."""
    if near(beta, alpha, ev.value_tol):
        return 0
    for value, rank in BETA_RANK.items():
        if near(beta, value, ev.value_tol):
            return rank
    return None


def _plainness(ev, alpha, beta, c):
    """Sort key of a reading: (number of mistakes it claims, 0 for c = 2 else 1, beta's rank)."""
    rank = _rank(ev, alpha, beta)
    if rank is None:
        return (9, 0 if c == 2 else 1, 9)
    mistakes = int(not near(alpha, 1.0, ev.value_tol)) + int(rank > 0)
    return (mistakes, 0 if c == 2 else 1, rank)


def best_fit(ev, a):
    """(alpha, beta, c, other_reading) for the plainest reading of a, or None when no fit holds."""
    num, xs = ev.num, ev.xs
    if ev.reg and np.any(xs[ev.used]):
        coef = lstsq_fit(a, [num, ev.reg * xs], ev)
        if coef is None:
            return None
        p, q = coef
        conventions = (2.0 * ev.convention,) if ev.convention else (2.0, 1.0)
        readings = sorted((_plainness(ev, p, p + q / c, c), c, p + q / c) for c in conventions)
        chosen = readings[0]      # fewest mistakes; then c = 2 (the convention of ``losses``)
        other = next((r for r in readings[1:] if r[0][0] == chosen[0][0] and r[0][2] <= 3), None)
        return p, chosen[2], chosen[1], other
    coef = lstsq_fit(a, [num], ev)
    if coef is not None:
        return coef[0], coef[0], None, None
    if ev.reg is None and np.any(xs[ev.used]):       # reg unknown: estimate a term k * x
        coef = lstsq_fit(a, [num, xs], ev)
        if coef is not None:
            return coef[0], ("x", coef[1]), None, None
    return None


# ---------------------------------------------------------------------------------- naming a fit


def describe_fit(ev, alpha, beta, c, other) -> list:
    """The diagnoses that name alpha (the data term's factor) and beta (the regularization's)."""
    whole = not isinstance(beta, tuple) and near(beta, alpha, ev.value_tol)
    found = name_alpha(ev, alpha, whole)
    if isinstance(beta, tuple):     # reg unknown: a = alpha * n + k * x
        implied = beta[1] / (1 - alpha) if found and not near(alpha, 1.0, ev.value_tol) else -1.0
        if implied > 0:                 # data term off by alpha, a regularization s * x right
            found[-1].text += (f" (The rest is a regularization gradient {implied:.4g} * x, taken "
                               f"as right; pass reg= to check it too.)")
        else:
            found += [unknown_reg(beta[1])]
    elif not whole and not near(beta, 1.0, ev.value_tol):
        found += [name_beta(ev, beta, c, other)]
    if not found:   # alpha 1, beta 1 and yet a disagreement: the fit is within 3x the tolerance
        found = [Diagnosis("mismatch", "Your gradient is close to the right one but not within the "
                           "tolerance at every entry; look at the worst entry above.")]
    return found


def name_alpha(ev, alpha, whole) -> list:
    tol, n = ev.value_tol, ev.N
    what = "Your gradient" if whole else "The data term of your gradient"
    if near(alpha, 1.0, tol):
        return []
    if near(alpha, 0.0, tol):
        return [Diagnosis("scale", "Your gradient has no data term at all: only the regularization "
                          "part is there. Add the data loss's gradient.")]
    sign = [] if alpha > 0 else [Diagnosis("sign_flip", (
        f"{what} has its sign flipped (-1 times the right one): check the sign of each term, "
        f"e.g. P - Y (probabilities minus one-hot) and not Y - P; a descent step (-lr * grad) is "
        f"not part of the gradient."))]
    k = abs(alpha)
    if near(k, 1.0, tol):
        return sign
    if n is not None and n > 1 and (near(k, n, tol) or near(1 / k, n, tol)):
        how = "did not divide by N" if k > 1 else "divided by N twice"
        return sign + [Diagnosis("batch_size", (
            f"{what} is {alpha:.6g} times the right one, and that factor is "
            f"{'' if k > 1 else '1/N for '}the batch size N = {n}: you probably {how}. The loss is a mean "
            f"over the N examples, so its gradient is divided by N exactly once."))]
    hint = ""
    whole_number = max(k, 1 / k)
    if whole_number >= 2 and near(whole_number, round(whole_number), tol):
        hint = (f" The factor is the whole number {round(whole_number)}"
                f"{'' if k > 1 else ' (as its inverse)'}: if your batch has that many examples, you "
                f"forgot to divide by N (or divided twice); pass N= to check.")
    return sign + [Diagnosis("scale", (
        f"{what} is the right one times a constant factor {alpha:.6g} (e.g. a missing or "
        f"extra division, or a 2 from a square).{hint}"))]


REG_TEXT = {
    "reg_missing": "lacks the regularization's gradient",
    "reg_doubled": "has the regularization's gradient twice",
    "reg_half": "has half the regularization's gradient",
    "reg_excess": "has too much regularization gradient",
    "sign_flip": "has the regularization's gradient with the wrong sign",
}


def _reg_code(ev, beta):
    tol = ev.value_tol
    for value, code in ((0.0, "reg_missing"), (2.0, "reg_doubled"), (0.5, "reg_half"),
                        (-1.0, "sign_flip")):
        if near(beta, value, tol):
            return code
    return "reg_excess" if beta > 1 else "reg_half"


def _convention(c):
    return ("reg*sum(W*W), whose gradient is 2*reg*W" if c == 2 else
            "0.5*reg*sum(W*W), whose gradient is reg*W")


def name_beta(ev, beta, c, other) -> Diagnosis:
    code = _reg_code(ev, beta)
    text = (f"Your gradient {REG_TEXT[code]}: its regularization part is {_show(beta)} times the right "
            f"one, reading the loss's regularization as {_convention(c)}.")
    if other is not None:
        alt = _reg_code(ev, other[2])
        text += (f" (If your loss uses {_convention(other[1])}, then it {REG_TEXT[alt]} instead, "
                 f"{_show(other[2])} times; pass reg_convention=" + ("0.5" if other[1] == 1 else "1")
                 + " to settle which.)")
    return Diagnosis(code, text)


def _show(v) -> str:
    return "0" if abs(v) < 1e-6 else f"{v:.4g}"


def unknown_reg(k) -> Diagnosis:
    code = "reg_missing" if k < 0 else "reg_excess"
    return Diagnosis(code, (
        f"Your gradient differs from the right one by {k:.4g} * x, the shape of a regularization "
        f"gradient: a regularization term {'missing or too small' if k < 0 else 'too large or added twice'} "
        f"in the gradient. Pass reg= (the strength) to name the factor exactly."))
