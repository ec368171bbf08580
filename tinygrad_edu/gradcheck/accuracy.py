"""How far a numerical derivative can be trusted, and the one rule that compares it with yours.

A centered difference D(s) = (f(x + s e) - f(x - s e)) / 2s of step s is off by two errors:

    truncation   D(s) - f'(x) ~ C s^2 (C = f'''/6): shrinks with the step;
    rounding     ~ noise / s, where noise is the rounding error of one evaluation of f: grows as
                 the step shrinks.

Neither is assumed here; both are measured, from the evaluations the check makes anyway.

* **The step** (``pilot``). On a few entries, D at s0 and s0/2 gives C, since
  D(s0) - D(s0/2) = 3/4 C s0^2; the second differences S(s) = f(x + s) - 2 f(x) + f(x - s) =
  s^2 f'' + noise at two steps a thousand times smaller give the noise alone, S(s) - 4 S(s/2)
  (where no kink reaches and the curvature is far below the rounding). The step is then
  where C s^2 and noise / 2s balance, so a loss that curves fast (mean-subtracted pixels of +-100
  make f''' a million times larger than standard-normal data do) gets a step small enough, and a
  float32 loss one large enough.
* **The error of each entry.** Every entry gets ``SAFETY |C| s^2 + noise / s``. An entry whose
  value disagrees with yours gets a second look at s/2, where Richardson's estimate
  |D(s) - D(s/2)| / 3 of the truncation error replaces the pilot's model, and smaller steps after
  that, while they can still help (each level's estimate no less than a quarter of the last
  one's, as a smooth f's shrinks, so that a kink cannot make it look small by chance).
* **Kinks** (ReLU, a hinge margin, a max). The one-sided slopes (f(x + s) - f(x)) / s and
  (f(x) - f(x - s)) / s of a smooth f differ by s f'', so their gap halves when the step halves.
  Across a kink within reach the gap is the jump of the slope and does not halve: that entry's
  centered difference is no derivative at all. Halving the step moves most kinks out of reach
  (then the entry is decided as any other); one still within reach of the smallest useful step is
  marked ``kink``, with the range of its one-sided slopes (a right value lies in that range).

**The rule.** An entry agrees when |a - n| <= MARGIN * err + rtol (|a| + |n|): the disagreement
must exceed the estimated error by a clear margin before it counts, and ``rtol`` is a floor for
the rounding of your own gradient (1e-8 in float64). ``rtol=`` and ``atol=`` given by the caller
replace the floor and MARGIN * err respectively (``Rule.given`` says which). Every check of the
package compares through ``Rule``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .numerical import default_step, differences, is_low_precision

__all__ = ["Rule", "Estimate", "estimate", "rule_for", "MARGIN", "RESOLUTION"]

MARGIN = 10.0        # a disagreement counts when it exceeds the estimated error this many times
SAFETY = 10.0        # the pilot's truncation model, widened for entries that curve more
RESOLUTION = 1e-2    # an entry is resolved when MARGIN * err is below this share of the gradient
GROW = 100.0         # in float64 the pilot may take a step up to this many times the first
PILOT = 8            # entries measured to choose the step
LEVELS = 6           # halvings of the step in the second look
CURVE = 0.05         # a smooth f's slope gap halves with the step to within this share
KAPPA = 2.0          # rounding of one evaluation of f, in units of eps |f| (a floor)
RTOL_FLOOR = {8: 1e-8, 4: 1e-4, 2: 1e-2}    # by itemsize: the rounding of an analytic gradient


@dataclass
class Rule:
    """The one agreement rule: |a - n| <= atol + rtol (|a| + |n|), where atol is MARGIN * err
    (the estimated error of n) unless the caller gave one. ``given`` names what the caller set."""

    rtol: float
    atol: float | None = None
    given: tuple = ()

    def allowed(self, a, n, err=0.0):
        """How far apart a and n may be, entry by entry."""
        atol = MARGIN * np.asarray(err, dtype=np.float64) if self.atol is None else self.atol
        return atol + self.rtol * (np.abs(a) + np.abs(n))

    def agree(self, a, n, err=0.0):
        """True where |a - n| is within ``allowed``."""
        return np.abs(np.asarray(a, dtype=np.float64) - n) <= self.allowed(a, n, err)

    def describe(self) -> str:
        """One line for a report: how the tolerance was set."""
        if not self.given:
            return f"tolerance {MARGIN:g} x the estimated error + rtol {self.rtol:g}"
        atol = f"atol {self.atol:g}" if self.atol is not None else f"{MARGIN:g} x the estimated error"
        return f"tolerance {atol} + rtol {self.rtol:g} ({' and '.join(self.given)} given by you)"


def rule_for(dtype, rtol=None, atol=None) -> Rule:
    """The rule for gradients of ``dtype``, with the caller's ``rtol``/``atol`` when given."""
    floor = RTOL_FLOOR.get(np.dtype(dtype).itemsize, 1e-8)
    given = tuple(name for name, v in (("rtol", rtol), ("atol", atol)) if v is not None)
    return Rule(floor if rtol is None else float(rtol), None if atol is None else float(atol), given)


@dataclass
class Estimate:
    """Numerical derivatives at the entries ``idx`` with what is known of their accuracy.

    ``value``: the derivative (float64, one per entry); ``error``: its estimated error; ``step``:
    the step it was taken with; ``kink``: a kink within reach of that step, with ``low``/``high``
    the range of its one-sided slopes; ``noise``: the rounding error of one evaluation of f;
    ``h``: the step of the first pass and ``chosen`` how it was set ("measured" or "given");
    ``curvature``: the pilot's C (None without a pilot).
    """

    idx: list
    value: np.ndarray
    error: np.ndarray
    step: np.ndarray
    kink: np.ndarray
    low: np.ndarray
    high: np.ndarray
    noise: float
    h: float
    chosen: str
    curvature: float | None = None
    evaluations: int = 0
    seconds: float = 0.0
    modified: int = 0
    looked: np.ndarray = field(default=None, repr=False)   # entries given a second look
    gap: np.ndarray = field(default=None, repr=False)      # one-sided slopes' gap F - B per entry

    def left_out(self, a, rule: Rule) -> np.ndarray:
        """Entries at a kink where ``a`` lies near the range of the one-sided slopes (within the
        range's own width: kinks on both sides shift both slopes): a kink explains the
        disagreement there, so they are left out of the verdict."""
        a = np.asarray(a, dtype=np.float64)
        slack = rule.allowed(a, self.value, self.error) + (self.high - self.low)
        return self.kink & (a >= self.low - slack) & (a <= self.high + slack)

    def resolved(self, analytic=()) -> np.ndarray:
        """Entries whose error is small enough to see a mistake of RESOLUTION of the gradient. A
        gradient that is 0 within the error at every entry (yours too) is resolved: no mistake
        smaller than the error can hide beside a gradient of 0."""
        zero = np.all(np.abs(self.value) <= MARGIN * self.error)
        for a in analytic:
            zero = zero and np.all(np.abs(a) <= MARGIN * self.error)
        if zero:
            return np.ones(len(self.idx), bool)
        return MARGIN * self.error <= RESOLUTION * self.scale(analytic)

    def scale(self, analytic=()) -> np.ndarray:
        """The size of the gradient at each entry, for ``resolved``: the larger of the values
        compared, and at least the typical size (root mean square) of the gradient, so that an
        entry whose gradient is small is judged against its neighbours."""
        typical = float(np.sqrt(np.mean(self.value ** 2))) if self.value.size else 0.0
        big = np.maximum(np.abs(self.value), typical)
        for a in analytic:
            big = np.maximum(big, np.abs(a))
        return big


def _rms(x) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if x.size else 0.0


def noise_floor(f0: float, dtype) -> float:
    """The least rounding error of one evaluation of f: KAPPA eps |f|."""
    eps = float(np.finfo(np.float32 if np.dtype(dtype).itemsize < 8 else np.float64).eps)
    return KAPPA * eps * max(abs(f0), 1e-300)


def start_step(x) -> float:
    """The pilot's first step: ``default_step`` (1e-5 in float64, 5e-3 * max(1, rms) in float32),
    and in float64 also scaled by rms(x) when x is large."""
    s = default_step(x)
    if not is_low_precision(x) and x.size:
        s *= max(1.0, float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))))
    return s


def _second(d, f0):
    """The second differences f(x + s) - 2 f(x) + f(x - s), one per entry."""
    return np.array(d.up) - 2.0 * f0 + np.array(d.down)


def pilot(value, x, idx, f0, where, seed=0, progress=None):
    """(step, C, noise, evaluations): the step that balances truncation and rounding, measured on
    up to PILOT entries of ``idx`` (see the module's docstring). When the curvature is lost in the
    rounding at the first step, it is measured again at ten times the step (up to ``_top``): the
    larger step is then safe, and may be needed (a loss of 1e7 beside a bias gradient of 1e-2).
    A pilot entry that shows a kink (its second differences far beyond the rounding) limits the
    step to a tenth of the one that reached it."""
    s0, top = start_step(x), _top(x)
    rng = np.random.default_rng(seed)
    chosen = [idx[j] for j in rng.choice(len(idx), size=min(PILOT, len(idx)), replace=False)]
    noise, evaluations = _noise(value, x, chosen, f0, s0, where, progress)
    C, s = 0.0, s0
    while True:
        big, half = (differences(value, x, chosen, t, where, progress=progress) for t in (s, s / 2))
        evaluations += big.evaluations + half.evaluations
        second = _second(big, f0)
        # a smooth f's S(s) - 4 S(s/2) is of order s^4 times its fourth derivative, small beside
        # S itself; a kink's is of the order of S (the jump of the slope times the step)
        kinky = np.abs(second - 4 * _second(half, f0)) > CURVE * np.abs(second) + 50 * noise
        # the two centered values differ by 3/4 C s^2 plus their rounding (about 1.6 noise / s):
        # what the rounding explains is no curvature
        change = np.maximum(np.abs(big.centered() - half.centered()) - 5 * noise / s, 0.0)
        C = float(np.median(change[~kinky])) / (0.75 * s ** 2) if not kinky.all() else 0.0
        if kinky.any():                     # kinks within reach: a tenth of this step at most
            limit = s / 10
            break
        if C > 0 or s * 10 > top:
            limit = top if C > 0 else s
            break
        s *= 10
    s = limit if C <= 0 else min(limit, max(s0 * 1e-3, (noise / (2 * C)) ** (1 / 3)))
    if x.size:      # the step must move x by far more than x's own rounding
        s = max(s, 1e3 * float(np.finfo(x.dtype).eps) * float(np.max(np.abs(x))))
    return s, C, noise, evaluations


def _noise(value, x, chosen, f0, s0, where, progress) -> tuple:
    """(noise, evaluations): the rounding error of one evaluation of f, measured at a thousandth
    of the first step, where kinks are out of reach and the curvature is far below the rounding:
    there S(s) - 4 S(s/2) is the rounding alone, |N(0, 8.4 noise)| for each entry, whose lower
    quartile is 2.7 noise (and a kink that still reaches only makes a sample larger)."""
    s = max(s0 * 1e-3, 1e4 * float(np.finfo(x.dtype).eps) * float(np.max(np.abs(x), initial=0.0)))
    tiny, half = (differences(value, x, chosen, t, where, progress=progress) for t in (s, s / 2))
    samples = np.abs(_second(tiny, f0) - 4 * _second(half, f0))
    noise = max(noise_floor(f0, x.dtype), float(np.quantile(samples, 0.25)) / 2.7)
    return noise, tiny.evaluations + half.evaluations


def _top(x) -> float:
    """The largest step the pilot may take: float32's first step (large already); in float64 up
    to GROW times the first for an x of 0 (biases at their init), and otherwise no more than a
    hundredth of x's size: a tiny x (weights of std 1e-4) puts relu inputs and margins near their
    corners, at distances of the order of x."""
    s0 = start_step(x)
    if is_low_precision(x):
        return s0
    return GROW * s0 if not _rms(x) else max(s0, min(GROW * s0, 1e-2 * _rms(x)))


def estimate(value, x, idx, f0: float, analytic, where: str, rule: Rule, *, h=None, seed=0,
             progress=None) -> Estimate:
    """Centered differences of ``value`` (a scalar function of ``x``, which is moved in place and
    restored) at the entries ``idx``, with the error of each and the kinks within reach.

    ``f0`` is value(x); ``analytic`` a list of gradients at the same entries (1-D arrays) that the
    result will be compared with: entries where one of them disagrees, or where the error is too
    large to resolve a mistake, get the second look.
    ``h`` (given by the caller) replaces the pilot's step; the second look then halves it once.
    """
    if h is None:
        h, C, noise, pilot_evals = pilot(value, x, idx, f0, where, seed, progress)
        chosen = "measured"
    else:
        C, noise, pilot_evals, chosen = None, noise_floor(f0, x.dtype), 0, "given"
    first = differences(value, x, idx, h, where, progress=progress)
    steps = np.array(first.span()) / 2
    D = first.centered()
    trunc = 0.0 if C is None else SAFETY * C * steps ** 2
    est = Estimate(list(idx), D, trunc + noise / steps, steps, np.zeros(len(idx), bool), D.copy(),
                   D.copy(), noise, h, chosen, C, 1 + pilot_evals + first.evaluations,
                   first.seconds, first.modified, np.zeros(len(idx), bool),
                   (np.array(first.up) - 2 * f0 + np.array(first.down)) / steps)
    look = ~est.resolved(analytic) if analytic else np.zeros(len(idx), bool)
    for a in analytic:      # the pilot's model is a guess: measure where it decides nothing
        look |= ~rule.agree(a, D, est.error)
    if look.any():
        second_look(value, x, f0, analytic, est, rule, np.flatnonzero(look), where,
                    levels=1 if chosen == "given" else LEVELS, progress=progress)
    return est


def second_look(value, x, f0, analytic, est, rule, active, where, levels=LEVELS,
                progress=None) -> None:
    """Halve the step for the ``active`` entries of ``est`` until each is decided: it agrees and
    is resolved, or it disagrees where f is smooth, or a smaller step cannot help; update ``est``
    in place (value, error, step, kink and the slopes' range).

    Smooth means both: the one-sided slopes' gap halved with the step, and the centered values
    converge (the change from one level to the next at most half the change before it, or within
    the rounding). A kink hidden under a large curvature (reg 5e1 curves the loss by 100) passes
    the first test but not the second: its centered value drifts as the step nears the kink."""
    est.looked[active] = True
    scale_all = est.scale(analytic)
    change = np.zeros(len(active))                # |D| change at the level before (none yet)
    for _ in range(levels):
        d = _halved(value, x, est, active, where, progress)
        s = np.array(d.span()) / 2
        D, up, down = d.centered(), np.array(d.up), np.array(d.down)
        gap = (up - 2 * f0 + down) / s
        step_change = np.abs(est.value[active] - D)
        # Richardson's estimate from this pair, and no less than the last pair's a quarter: a
        # smooth f's would shrink four times, so more of it left is a kink's doing
        err = np.maximum(step_change / 3, (est.error[active] - est.noise / (2 * s)) / 4) \
            + est.noise / s
        smooth = (np.abs(est.gap[active] - 2 * gap) <= CURVE * np.abs(est.gap[active])
                  + 50 * est.noise / (2 * s)) \
            & ((step_change <= 4 * est.noise / s) | (2 * step_change <= change))
        slopes = np.stack([(up - f0) / s, (f0 - down) / s, D])
        est.value[active], est.error[active], est.step[active], est.gap[active] = D, err, s, gap
        est.kink[active] = ~smooth
        est.low[active], est.high[active] = slopes.min(axis=0), slopes.max(axis=0)
        agree = np.ones(len(active), bool)
        for a in analytic:
            agree &= rule.agree(a[active], D, err)
        resolved = MARGIN * err <= RESOLUTION * scale_all[active]
        done = (agree & resolved) | (~agree & smooth)
        est.kink[active[agree & resolved]] = False
        helps = MARGIN * est.noise / (s / 2) <= RESOLUTION * scale_all[active]
        keep = ~done & helps
        active, change = active[keep], step_change[keep]
        if not active.size:
            break


def _halved(value, x, est, active, where, progress):
    """The differences at half the current step of the ``active`` entries (costs counted)."""
    d = differences(value, x, [est.idx[k] for k in active], float(np.median(est.step[active])) / 2,
                    where, progress=progress)
    est.evaluations += d.evaluations
    est.seconds += d.seconds
    est.modified += d.modified
    return d
