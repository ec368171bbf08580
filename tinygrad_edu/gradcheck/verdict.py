"""Three verdicts: ok, wrong, or inconclusive, and what to do when the numbers cannot decide.

A check is ``wrong`` when some entry disagrees beyond its estimated error (``estimate.Rule``). It
is ``ok`` only when every entry that counts agrees *and* the numbers could have seen a mistake;
otherwise it is ``inconclusive``, for one of these reasons, each said with what to do:

* too many entries at kinks (more than ``KINK_SHARE`` of those checked): the two-layer net at the
  assignment's init (std 1e-4) has hidden units whose inputs lie within the step of 0 by the
  hundred, and a mistake could hide among the entries left out;
* too many entries not resolved (more than ``UNRESOLVED_SHARE``): the numerical derivative is too
  coarse there to see a mistake of ``RESOLUTION`` of the gradient;
* the regularization's gradient below what the numerical derivative resolves at most entries, so
  a missing or halved regularization gradient could not be seen;
* float32 that could not be rechecked in float64 (said by the check itself).
"""
from __future__ import annotations

import numpy as np

from .accuracy import MARGIN, RESOLUTION

__all__ = ["Verdict", "reasons", "KINK_SHARE", "UNRESOLVED_SHARE", "TOY_SCALE", "IN_FLOAT64"]

KINK_SHARE = 0.25
UNRESOLVED_SHARE = 0.1
TOY_SCALE = ("check at cs231n's toy scale instead, where few inputs sit at a kink: weights of std "
             "0.1 (TwoLayerNet(..., std=1e-1)), as the two-layer notebook's gradient check does")
IN_FLOAT64 = ("check in float64: cast x and the data with .astype(np.float64), or pass a float64 "
              "copy to a loss that reads its argument")


class Verdict:
    """What every check's report shares: ``.ok`` is true only for the verdict "ok", the report's
    truth is ``.ok``, and ``.codes`` are the short names of its diagnoses."""

    @property
    def ok(self) -> bool:
        return self.verdict == "ok"

    def __bool__(self):
        return self.ok

    @property
    def codes(self) -> list:
        return [d.code for d in self.diagnoses]


def reasons(est, used, analytic=(), reg_part=None) -> list:
    """Why ``est`` cannot decide, as sentences with what to do (empty: it can). ``used``: the
    entries that count (the others are at kinks); ``analytic``: the gradients compared;
    ``reg_part``: the regularization's gradient at the entries, when known."""
    n, u = len(est.idx), int(used.sum())
    found = []
    if n and not u:
        found.append(f"every one of the {n} checked entries is at a kink (an input of a ReLU, max "
                     f"or hinge margin within the step of its corner), so nothing is left to "
                     f"compare; {TOY_SCALE}")
    elif n - u > KINK_SHARE * n:
        found.append(f"{n - u} of the {n} checked entries ({100 * (n - u) / n:.0f}%) are at kinks "
                     f"and were left out, too many to rule out a mistake among them; {TOY_SCALE}")
    if u:
        coarse = ~est.resolved(analytic)[used]
        if coarse.sum() > UNRESOLVED_SHARE * u:
            rel = MARGIN * est.error[used] / est.scale(analytic)[used]
            found.append(f"at {int(coarse.sum())} of the {u} entries that count, the numerical "
                         f"derivative is accurate only to about {float(np.median(rel)):.1g} of the "
                         f"gradient (worse than {RESOLUTION:g}), so a small mistake could hide; "
                         f"{IN_FLOAT64}, or {TOY_SCALE}")
    if reg_part is not None and u and np.any(reg_part):
        seen = MARGIN * est.error[used] <= 0.5 * np.abs(reg_part[used])
        if seen.mean() < 0.5:
            found.append(f"the regularization's gradient (about {float(np.median(np.abs(reg_part[used]))):.2g}"
                         f" per entry) is below what the numerical derivative resolves (about "
                         f"{float(np.median(MARGIN * est.error[used])):.2g}), so a missing or halved "
                         f"regularization gradient could not be seen; check with a larger reg "
                         f"(the two-layer notebook uses reg=0.05), or {IN_FLOAT64}")
    return found
