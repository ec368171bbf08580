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
beta the regularization's (0: missing; 2: doubled; 0.5: halved). Each entry is weighted by the
estimated error of its numerical value, so the fit gives alpha and beta with their uncertainties
(``Fitted``), and a factor is named only when the named value lies within three of them: a fitted
0.9775 +- 0.0003 is not "half", and is reported as close to the right one instead. Both conventions
are tried; the first that gives recognized values is taken (c = 2, the convention of ``losses``,
when both do, and the report then gives the other reading too). A fit is trusted only when it
reproduces every checked entry within three times the rule's tolerance, and only with more checked
entries than unknowns.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .accuracy import MARGIN, Rule


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
    entries ``idx`` (1-D, float64; ``ana`` None when the shapes cannot be matched); ``err``: the
    estimated error of ``num``; ``kink``: entries at a kink (left out); ``rule``: the agreement
    rule; ``xs``: x at those entries."""

    x: np.ndarray
    grad: np.ndarray
    idx: list
    num: np.ndarray
    ana: np.ndarray | None
    err: np.ndarray
    kink: np.ndarray
    rule: Rule
    reg: float | None
    N: int | None
    convention: float | None = None
    modified: int = 0
    low: bool = False

    @property
    def xs(self) -> np.ndarray:
        return np.array([self.x[i] for i in self.idx], dtype=np.float64)

    @property
    def used(self) -> np.ndarray:
        """Entries that count for the verdict and the fits: all but those at a kink."""
        return ~self.kink

    @property
    def agree(self) -> np.ndarray:
        """Entries where your gradient agrees with the numerical one (by the rule)."""
        if self.ana is None:
            return np.zeros(len(self.idx), bool)
        return self.close(self.ana, self.num)

    def close(self, a, b, loose=1.0, err=None) -> np.ndarray:
        """Entry by entry: a and b agree by the rule, with ``loose`` times its tolerance (``err``:
        the numerical errors of these entries, when they are a subset)."""
        return np.abs(a - b) <= loose * self.rule.allowed(a, b, self.err if err is None else err)

    def zero(self, a) -> np.ndarray:
        """Entry by entry: a is 0 within the numerical error (and the rule's floor)."""
        return self.close(a, np.zeros_like(a))


@dataclass
class Fitted:
    """A fitted factor: its ``value`` and the uncertainty ``sigma`` of the least-squares fit."""

    value: float
    sigma: float

    def near(self, target) -> bool:
        """True when ``target`` lies within three sigma of the value (and a hair of rounding)."""
        return abs(self.value - target) <= 3 * self.sigma + 1e-9 * max(1.0, abs(target))

    def __str__(self):
        if self.sigma <= 1e-6 * abs(self.value):
            return f"{self.value:.6g}"
        value = 0.0 if abs(self.value) < self.sigma else self.value
        return f"{value:.4g} ± {self.sigma:.2g}"


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
    exact = np.all(ev.num == 0.0)           # a loss that ignores x does not move at all
    small = ev.ana is not None and MARGIN * ev.err.max(initial=0.0) <= 1e-2 * np.abs(ev.ana).max(initial=0.0)
    if ev.num.size and (exact or (small and np.all(ev.zero(ev.num)))):
        nonzero = ev.ana is not None and not np.all(ev.zero(ev.ana))
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
    rest = np.abs(ev.num[u] - s * xs[u])                 # what is left for a data term
    if s == 0 or not ev.close(ev.num[u], s * xs[u], 1, ev.err[u]).all() \
            or ev.close(ev.ana, ev.num)[u].all() \
            or np.abs(ev.ana[u] - ev.num[u]).max() < 10 * rest.max():   # yours is no clearer
        return [], False
    known = ev.reg is not None and ev.reg > 0 and any(abs(s - c * ev.reg) <= 1e-3 * c * ev.reg
                                                      for c in (2, 1))
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
        flat, zero = ev.zero(ev.num - r), ev.zero(ev.ana - r)
        # 0 against clearly not 0: a hundred times the tolerance, so that a data term that is
        # merely small at an entry is no evidence of a mask
        big_num = ~ev.close(ev.num - r, np.zeros_like(ev.num), 100)
        big_ana = ~ev.close(ev.ana - r, np.zeros_like(ev.ana), 100)
        leak, blocked = int((u & flat & big_ana).sum()), int((u & big_num & zero).sum())
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
        f"checked entries (worst at {ev.idx[k]}: yours {ev.ana[k]:.6g}, numerical {ev.num[k]:.6g} "
        f"± {ev.err[k]:.2g})."
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
    """Weighted least squares a ~ sum_j coef_j basis_j over the used entries: (coefficients, their
    covariance), or None when the fit misses some entry by more than three times the rule's
    tolerance, or there are too few entries to trust it.

    Each entry is weighted by its uncertainty: the numerical error ``ev.err`` (scaled by the first
    coefficient, since the basis is made of numerical values) and the rule's floor. The covariance
    is (B^T W B)^-1, widened by the reduced chi-square when the residuals exceed the errors."""
    u = ev.used
    B = np.stack([b[u] for b in basis], axis=1)
    if u.sum() <= len(basis) + 1 or np.linalg.matrix_rank(B) < len(basis):
        return None
    au, err, scale = a[u], ev.err[u], 1.0
    for _ in range(2):      # the second pass weights by the fitted factor on the numerical values
        sigma = err * scale + ev.rule.rtol * np.abs(au) + 1e-300
        Bw = B / sigma[:, None]
        coef = np.linalg.lstsq(Bw, au / sigma, rcond=None)[0]
        scale = max(1.0, abs(float(coef[0])))
    fitted = B @ coef
    if not np.all(np.abs(au - fitted) <= 3 * ev.rule.allowed(au, fitted, err * scale)):
        return None
    chi2 = float(np.sum(((au - fitted) / sigma) ** 2)) / max(1, len(au) - len(basis))
    cov = np.linalg.pinv(Bw.T @ Bw) * max(1.0, chi2)
    return [float(c) for c in coef], cov


BETA_RANK = {1.0: 0, 0.0: 1, 2.0: 2, 0.5: 3, -1.0: 4, 1.5: 5, 3.0: 5}


def _rank(alpha, beta):
    """How plain the regularization factor beta is: 0 (right, or the same factor as the data term),
    1 missing, 2 doubled, 3 halved, 4 flipped, 5 one and a half or three times; None when it is no
    recognized value."""
    if beta.near(alpha.value) or beta.near(1.0):
        return 0
    for value, rank in BETA_RANK.items():
        if beta.near(value):
            return rank
    return None


def _plainness(alpha, beta, c):
    """Sort key of a reading: (number of mistakes it claims, 0 for c = 2 else 1, beta's rank)."""
    rank = _rank(alpha, beta)
    if rank is None:
        return (9, 0 if c == 2 else 1, 9)
    return (int(not alpha.near(1.0)) + int(rank > 0), 0 if c == 2 else 1, rank)


def best_fit(ev, a):
    """(alpha, beta, c, other_reading) for the plainest reading of a, or None when no fit holds;
    alpha and beta are ``Fitted``; beta is ("x", Fitted) when reg is unknown."""
    num, xs = ev.num, ev.xs
    if ev.reg and np.any(xs[ev.used]):
        fit = lstsq_fit(a, [num, ev.reg * xs], ev)
        if fit is None:
            return None
        (p, q), cov = fit
        alpha = Fitted(p, float(np.sqrt(max(cov[0, 0], 0.0))))
        conventions = (2.0 * ev.convention,) if ev.convention else (2.0, 1.0)
        readings = []
        for c in conventions:
            var = cov[0, 0] + cov[1, 1] / c ** 2 + 2 * cov[0, 1] / c
            beta = Fitted(p + q / c, float(np.sqrt(max(var, 0.0))))
            readings.append((_plainness(alpha, beta, c), c, beta))
        readings.sort(key=lambda r: r[:2])
        chosen = readings[0]      # fewest mistakes; then c = 2 (the convention of ``losses``)
        other = next((r for r in readings[1:] if r[0][0] == chosen[0][0] and r[0][2] <= 3), None)
        return alpha, chosen[2], chosen[1], other
    fit = lstsq_fit(a, [num], ev)
    if fit is not None:
        alpha = Fitted(fit[0][0], float(np.sqrt(max(fit[1][0, 0], 0.0))))
        return alpha, alpha, None, None
    if ev.reg is None and np.any(xs[ev.used]):       # reg unknown: estimate a term k * x
        fit = lstsq_fit(a, [num, xs], ev)
        if fit is not None:
            (p, k), cov = fit
            return (Fitted(p, float(np.sqrt(max(cov[0, 0], 0.0)))),
                    ("x", Fitted(k, float(np.sqrt(max(cov[1, 1], 0.0))))), None, None)
    return None


# ---------------------------------------------------------------------------------- naming a fit


def close_to_right(ev, what) -> Diagnosis:
    """The finding when a fitted factor is near 1 and yet not 1: no usual mistake gives it."""
    u = ev.used & ~ev.agree
    k = int(np.argmax(np.abs(ev.ana - ev.num) * u)) if u.any() else 0
    return Diagnosis("mismatch", (
        f"Your gradient is close to the right one but not within the estimated error ({what}, "
        f"which no usual mistake gives); worst at {ev.idx[k]}: yours {ev.ana[k]:.8g}, numerical "
        f"{ev.num[k]:.8g} ± {ev.err[k]:.2g}."))


def describe_fit(ev, alpha, beta, c, other) -> list:
    """The diagnoses that name alpha (the data term's factor) and beta (the regularization's)."""
    whole = not isinstance(beta, tuple) and (beta is alpha or beta.near(alpha.value))
    found = name_alpha(ev, alpha, whole)
    if isinstance(beta, tuple):     # reg unknown: a = alpha * n + k * x
        k = beta[1]
        implied = k.value / (1 - alpha.value) if found and not alpha.near(1.0) else -1.0
        if implied > 0:                 # data term off by alpha, a regularization s * x right
            found[-1].text += (f" (The rest is a regularization gradient {implied:.4g} * x, taken "
                               f"as right; pass reg= to check it too.)")
        elif not k.near(0.0):
            found += [unknown_reg(k)]
    elif not whole and not beta.near(1.0):
        found += [name_beta(ev, beta, c, other)]
    if not found:   # alpha 1, beta 1 and yet a disagreement
        found = [close_to_right(ev, f"the fit says {alpha} times the right one")]
    return found


def name_alpha(ev, alpha, whole) -> list:
    n = ev.N
    what = "Your gradient" if whole else "The data term of your gradient"
    if alpha.near(1.0):
        return []
    if alpha.near(0.0):
        return [Diagnosis("scale", "Your gradient has no data term at all: only the regularization "
                          "part is there. Add the data loss's gradient.")]
    k = Fitted(abs(alpha.value), alpha.sigma)
    sign = [] if alpha.value > 0 else [Diagnosis("sign_flip", (
        f"{what} has its sign flipped ({alpha} times the right one): check the sign of each term, "
        f"e.g. P - Y (probabilities minus one-hot) and not Y - P; a descent step (-lr * grad) is "
        f"not part of the gradient."))]
    if k.near(1.0):
        return sign
    if n is not None and n > 1 and (k.near(n) or k.near(1 / n)):
        how = "did not divide by N" if k.value > 1 else "divided by N twice"
        return sign + [Diagnosis("batch_size", (
            f"{what} is {alpha} times the right one, and that factor is "
            f"{'' if k.value > 1 else '1/N for '}the batch size N = {n}: you probably {how}. The loss "
            f"is a mean over the N examples, so its gradient is divided by N exactly once."))]
    if 0.9 < k.value < 1.1:
        return sign + [close_to_right(ev, f"the fit says {alpha} times the right one")]
    whole_number = max(k.value, 1 / k.value)
    hint = ""
    if whole_number >= 2 and Fitted(whole_number, whole_number * k.sigma / k.value).near(
            round(whole_number)):
        hint = (f" The factor is the whole number {round(whole_number)}"
                f"{'' if k.value > 1 else ' (as its inverse)'}: if your batch has that many examples, "
                f"you forgot to divide by N (or divided twice); pass N= to check.")
    return sign + [Diagnosis("scale", (
        f"{what} is the right one times a constant factor {alpha} (e.g. a missing or extra "
        f"division, or a 2 from a square).{hint}"))]


REG_TEXT = {
    "reg_missing": "lacks the regularization's gradient",
    "reg_doubled": "has the regularization's gradient twice",
    "reg_half": "has half the regularization's gradient",
    "reg_excess": "has too much regularization gradient",
    "sign_flip": "has the regularization's gradient with the wrong sign",
}


def _reg_code(beta):
    """The code of a regularization factor, or None when no usual mistake gives it."""
    for value, code in ((0.0, "reg_missing"), (2.0, "reg_doubled"), (0.5, "reg_half"),
                        (-1.0, "sign_flip")):
        if beta.near(value):
            return code
    return "reg_excess" if beta.value > 1.1 else None


def _convention(c):
    return ("reg*sum(W*W), whose gradient is 2*reg*W" if c == 2 else
            "0.5*reg*sum(W*W), whose gradient is reg*W")


def name_beta(ev, beta, c, other) -> Diagnosis:
    code = _reg_code(beta)
    if code is None:
        return close_to_right(ev, f"its regularization part is {beta} times the right one, reading "
                                  f"the loss's regularization as {_convention(c)}")
    text = (f"Your gradient {REG_TEXT[code]}: its regularization part is {beta} times the right "
            f"one, reading the loss's regularization as {_convention(c)}.")
    if other is not None and _reg_code(other[2]) is not None:
        alt = _reg_code(other[2])
        text += (f" (If your loss uses {_convention(other[1])}, then it {REG_TEXT[alt]} instead, "
                 f"{other[2]} times; pass reg_convention=" + ("0.5" if other[1] == 1 else "1")
                 + " to settle which.)")
    return Diagnosis(code, text)


def unknown_reg(k) -> Diagnosis:
    code = "reg_missing" if k.value < 0 else "reg_excess"
    return Diagnosis(code, (
        f"Your gradient differs from the right one by {k} * x, the shape of a regularization "
        f"gradient: a regularization term {'missing or too small' if k.value < 0 else 'too large or added twice'} "
        f"in the gradient. Pass reg= (the strength) to name the factor exactly."))
