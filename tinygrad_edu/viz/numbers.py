"""Numbers as the pictures write them: arrays in aligned columns, and rounding noise told apart.

Rounding noise: an entry whose magnitude is below ``NOISE`` (256) times its dtype's machine epsilon
times a *scale* is written ``~0``. The scale is the largest magnitude of its kind anywhere in the
graph (the largest gradient for a gradient, the largest value for a value), not the array's own
largest entry, so that an array made only of noise (the gradient of a softmax's max-shift, about
1e-17 beside gradients of 0.1) is shown as the zeros it is in exact arithmetic. ``~0`` reads "zero
up to rounding"; an entry that is exactly 0 is written ``0``. A float64 gradient is noise below
about 5.7e-14 times the largest gradient, a float32 one below about 3.1e-5 times it.
"""
from __future__ import annotations

import numpy as np

__all__ = ["format_array", "short_text", "shape_text", "noise_floor", "has_rounding", "top",
           "MAX_ENTRIES", "NOISE", "PRECISION", "ROUNDING"]

MAX_ENTRIES = 40   # tensors with at most this many entries are shown in full, larger as a summary
NOISE = 256        # rounding noise: below NOISE x eps(dtype) x the scale (see the module docstring)
PRECISION = 4      # significant digits
ROUNDING = "~0"    # how an entry that is rounding noise is written


def _num(v: float, precision: int) -> str:
    if v == 0:
        return "0"
    return f"{v:.{precision}g}"


def top(a) -> float:
    """The largest finite magnitude in ``a`` (0.0 for an empty, all-zero or non-finite array)."""
    a = np.asarray(a)
    if a.size == 0 or a.dtype.kind not in "fiub":
        return 0.0
    a = np.abs(a.astype(np.float64, copy=False))
    finite = a[np.isfinite(a)]
    return float(finite.max()) if finite.size else 0.0


def noise_floor(dtype, scale: float, noise: float = NOISE) -> float:
    """The magnitude below which an entry of ``dtype`` is rounding noise, against ``scale`` (the
    largest magnitude of its kind): ``noise * eps(dtype) * scale``; 0 for integer and bool arrays."""
    dtype = np.dtype(dtype)
    if dtype.kind != "f" or not noise:
        return 0.0
    return float(noise) * float(np.finfo(dtype).eps) * float(scale)


def _floor_of(a, noise, scale) -> float:
    return noise_floor(a.dtype, top(a) if scale is None else scale, noise)


def has_rounding(a, floor: float) -> bool:
    """Whether ``a`` holds an entry that is not 0 but below ``floor`` (so it is written ``~0``)."""
    a = np.asarray(a)
    if floor <= 0 or a.dtype.kind != "f":
        return False
    m = np.abs(a)
    return bool(np.any((m > 0) & (m < floor)))


def format_array(a, precision: int = PRECISION, max_entries: int = MAX_ENTRIES,
                 noise: float = NOISE, scale: float | None = None) -> str:
    """An array as text for a diagram: in full up to ``max_entries`` entries, columns right-aligned
    (for a monospace font), ``precision`` significant digits; a larger one as ``min / mean / max``.

    Entries below ``noise * eps(dtype) * scale`` are rounding noise, written ``~0`` (``scale`` is the
    largest magnitude of the graph's arrays of that kind; by default the array's own largest entry);
    ``noise=0`` shows every digit. A 0-d array is a plain number; an (n, 1) column is written as a
    column, one entry per line, as numpy prints it; an array of 3 or more axes nested as numpy nests
    it, its 2-D blocks a blank line apart.
    """
    a = np.asarray(a)
    floor = _floor_of(a, noise, scale)
    if a.dtype.kind == "b":
        a = a.astype(np.int8)
    a = a.astype(np.float64)
    noisy = (np.abs(a) < floor) & (a != 0)
    if a.ndim == 0:
        return ROUNDING if noisy else _num(a.item(), precision)
    if a.size > max_entries:
        clean = np.where(noisy, 0.0, a)
        mean = clean.mean() if clean.size else 0.0
        cells = [(ROUNDING if abs(v) < floor and v != 0 else _num(v, precision))
                 for v in (clean.min() if clean.size else 0.0, mean, clean.max() if clean.size else 0.0)]
        return f"min {cells[0]}  mean {cells[1]}  max {cells[2]}"
    cells = np.array([ROUNDING if n else _num(v, precision)
                      for v, n in zip(a.ravel().tolist(), noisy.ravel().tolist())],
                     dtype=object).reshape(a.shape)
    if a.ndim == 1:
        width = max(map(len, cells), default=0)
        return "[" + "  ".join(c.rjust(width) for c in cells) + "]"
    width = [max((len(c) for c in cells[..., j].ravel()), default=0) for j in range(a.shape[-1])]
    return _nested(cells, width, 0)


def _nested(cells, width, depth: int) -> str:
    """Text cells of 2 or more axes as numpy nests them, each column right-aligned to ``width``:
    rows one a line, indented under their bracket, blocks of 3 or more axes a blank line apart (one
    blank line at most, so that a deep array stays short; the brackets say the depth)."""
    if cells.ndim == 1:
        return "[" + "  ".join(c.rjust(w) for c, w in zip(cells, width)) + "]"
    sep = "\n" * min(cells.ndim - 1, 2) + " " * (depth + 1)
    return "[" + sep.join(_nested(c, width, depth + 1) for c in cells) + "]"


def short_text(a, entries: int = 4, noise: float = NOISE, scale: float | None = None) -> str:
    """A value as it fits on an edge: its numbers on one line when at most ``entries``, else its
    shape."""
    a = np.asarray(a)
    if a.size <= entries:
        return " ".join(format_array(a, noise=noise, scale=scale).split())
    return shape_text(a.shape) + " array"


def shape_text(shape) -> str:
    """``(4, 5)``; an empty string for a 0-d tensor (its one number says it)."""
    return "" if tuple(shape) == () else str(tuple(shape))
