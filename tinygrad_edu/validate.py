"""Argument checks shared by the parts outside the engine: one place per kind of bad input.

Each check takes the value, its parameter name and ``where`` (the function the user called) and
either returns the value in a usable form or raises an error that names ``where``, says what was
given and what is wanted::

    lr = number(lr, "lr", "SGD", low=0)        # SGD: lr must be a finite number >= 0, got '0.1' (str)

Plain numpy only (``reference`` uses these and holds no Tensor): callers pass a Tensor's ``.data``.
``TypeError`` for a value of the wrong kind, ``ValueError`` for one of the right kind out of range,
``KeyError`` for a missing entry of a dict, as Python and PyTorch do.
"""
from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np

TWO_LAYER_KEYS = ("W1", "b1", "W2", "b2")
SEED_LIMIT = 2 ** 32


def given(value) -> str:
    """A short description of ``value`` for a message: its repr (cut) and its type."""
    text = repr(value)
    text = text if len(text) <= 40 else text[:37] + "..."
    return f"{text} ({type(value).__name__})"


def _bounds(low, high, low_open, high_open) -> str:
    parts = []
    if low is not None:
        parts.append(f"{'>' if low_open else '>='} {low}")
    if high is not None:
        parts.append(f"{'<' if high_open else '<='} {high}")
    return " and ".join(parts)


def _in_range(v, low, high, low_open, high_open) -> bool:
    above = low is None or (v > low if low_open else v >= low)
    below = high is None or (v < high if high_open else v <= high)
    return above and below


def number(value, name: str, where: str, low=None, high=None, low_open: bool = False,
           high_open: bool = False) -> float:
    """A finite real number within the bounds, as a float. Bools and strings are refused."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where}: {name} must be a number, got {given(value)}")
    v = float(value)
    bounds = _bounds(low, high, low_open, high_open)
    if not np.isfinite(v) or not _in_range(v, low, high, low_open, high_open):
        raise ValueError(f"{where}: {name} must be a finite number{' ' + bounds if bounds else ''}, "
                         f"got {value!r}")
    return v


def integer(value, name: str, where: str, low=None, high=None) -> int:
    """A whole number (int or numpy integer, not bool, not float) within ``[low, high]``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{where}: {name} must be a whole number, got {given(value)}")
    if not _in_range(value, low, high, False, False):
        raise ValueError(f"{where}: {name} must be a whole number {_bounds(low, high, False, False)}, "
                         f"got {value}")
    return int(value)


def seed(value, where: str, name: str = "seed"):
    """None (numpy's global generator) or a whole number in [0, 2**32), as numpy's RandomState wants."""
    if value is None:
        return None
    return integer(value, name, where, low=0, high=SEED_LIMIT - 1)


def function(value, name: str, where: str):
    """A callable."""
    if not callable(value):
        raise TypeError(f"{where}: {name} must be a function, got {given(value)}")
    return value


def array(x, name: str, where: str, ndim: int | None = None, shape_hint: str = "",
          finite: bool = True, nonempty: bool = True) -> np.ndarray:
    """``x`` as a numeric numpy array (int, uint or float; never copied when it already is one).

    Checks the number of dimensions (``shape_hint`` says what the axes mean, e.g. "(N, D)"), that it
    has entries (``nonempty``) and that none is NaN or inf (``finite``). Read-only arrays are fine.
    """
    try:
        a = np.asarray(x)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: {name} must be an array of numbers; got {given(x)}, which is not "
                        f"rectangular") from None
    if a.dtype.kind not in "iuf":
        raise TypeError(f"{where}: {name} must be an array of numbers (int or float); got "
                        f"{given(x) if a.ndim == 0 else 'an array'} of dtype {a.dtype}")
    if ndim is not None and a.ndim != ndim:
        raise ValueError(f"{where}: {name} must be {ndim}-D{' ' + shape_hint if shape_hint else ''}; "
                         f"got shape {a.shape}")
    if nonempty and a.size == 0:
        what = "no rows" if a.ndim and a.shape[0] == 0 else "no entries"
        raise ValueError(f"{where}: {name} is empty (shape {a.shape}, {what}); it needs at least one "
                         f"example")
    if finite and a.dtype.kind == "f" and not np.isfinite(a).all():
        bad = int(np.count_nonzero(~np.isfinite(a)))
        raise ValueError(f"{where}: {name} contains NaN or inf ({bad} of {a.size} entries); "
                         f"clean the data, or lower the learning rate if training diverged")
    return a


def writable(a: np.ndarray, name: str, where: str) -> np.ndarray:
    """``a`` itself, which ``where`` updates in place: a read-only array raises."""
    if not a.flags.writeable:
        raise ValueError(f"{where}: {name} is a read-only array, and {where} updates it in place; "
                         f"pass a writable copy (np.array(a))")
    return a


def labels(y, n: int, c: int, where: str) -> np.ndarray:
    """``y`` as ``n`` integer class labels in [0, c), an int array (n,).

    Integer arrays and lists are taken; floats only when they are whole numbers; bools, strings,
    objects, a wrong shape (a column (n, 1) too) or a label out of range raise ``ValueError``.
    """
    head = f"{where}: scores have shape ({n}, {c}), so labels y must be {n} class indices in [0, {c})"
    try:
        arr = np.asarray(y)
    except (TypeError, ValueError):
        raise ValueError(f"{head}; got {type(y).__name__} that is not an array") from None
    if arr.dtype.kind not in "iuf":  # bools, strings, objects
        raise ValueError(f"{head} (integers); got an array of dtype {arr.dtype} and shape {arr.shape}")
    if arr.dtype.kind == "f" and not (np.all(np.isfinite(arr)) and np.all(arr == np.round(arr))):
        raise ValueError(f"{head}; got non-integer values (they must be whole numbers), "
                         f"shape {arr.shape}")
    if arr.shape != (n,):
        raise ValueError(f"{head}, an array of shape ({n},) with one label per row; "
                         f"got shape {arr.shape}")
    arr = arr.astype(np.intp)
    if n and (arr.min() < 0 or arr.max() >= c):
        bad = arr[(arr < 0) | (arr >= c)]
        raise ValueError(f"{head}; got labels {bad[:5].tolist()}{' ...' if bad.size > 5 else ''} "
                         f"outside that range")
    return arr


def mapping(params, where: str, name: str = "params", keys=()) -> Mapping:
    """A non-empty dict (any Mapping) holding at least ``keys``."""
    if not isinstance(params, Mapping):
        raise TypeError(f"{where}: {name} must be a dict of name -> array, got {given(params)}")
    if not params:
        raise ValueError(f"{where}: {name} is empty; pass a dict such as {{'W': array, 'b': array}}")
    missing = [k for k in keys if k not in params]
    if missing:
        raise KeyError(f"{where}: {name} lacks {missing}; it must map {', '.join(keys)} to arrays")
    return params


def linear_problem(W, X, y, reg, where: str):
    """Check the cs231n linear classifier's inputs: ``W`` (D, C), ``X`` (N, D), ``y`` (N,) labels in
    [0, C), ``reg`` >= 0. Arrays (a Tensor's ``.data``) in; returns ``(W, X, y, reg)`` as numpy."""
    reg = number(reg, "reg", where, low=0)
    X = array(X, "X", where, ndim=2, shape_hint="of shape (N, D), one row per example")
    W = array(W, "W", where, ndim=2, shape_hint=f"of shape ({X.shape[1]}, C)")
    if W.shape[0] != X.shape[1]:
        raise ValueError(f"{where}: X has shape {X.shape} (N, D), so W must have shape "
                         f"({X.shape[1]}, C); got W of shape {W.shape}")
    return W, X, labels(y, X.shape[0], W.shape[1], where), reg


def two_layer_problem(params, X, y, reg, where: str):
    """Check the two-layer net's inputs: ``params`` W1 (D, H), b1 (H,), W2 (H, C), b2 (C,); ``X``
    (N, D); ``y`` (N,) labels in [0, C) or None (scores only); ``reg`` >= 0. Arrays in (``params``
    values may be Tensors' ``.data``); returns ``(params as arrays, X, y, reg)``."""
    reg = number(reg, "reg", where, low=0)
    mapping(params, where, keys=TWO_LAYER_KEYS)
    p = {k: array(params[k], k, where, ndim=2 if k[0] == "W" else 1) for k in TWO_LAYER_KEYS}
    d, h, c = p["W1"].shape + p["W2"].shape[1:]
    got = {k: v.shape for k, v in p.items()}
    bad = [k for k, want in zip(TWO_LAYER_KEYS, ((d, h), (h,), (h, c), (c,))) if got[k] != want]
    if bad:
        raise ValueError(f"{where}: params must have shapes W1 (D, H), b1 (H,), W2 (H, C), b2 (C,); "
                         f"{', '.join(bad)} do not fit: got {got}")
    X = array(X, "X", where, ndim=2, shape_hint=f"of shape (N, {d}), one row per example")
    if X.shape[1] != d:
        raise ValueError(f"{where}: W1 has shape {got['W1']}, so X must have shape (N, {d}), one row "
                         f"per example; got X of shape {X.shape}")
    return p, X, (None if y is None else labels(y, X.shape[0], c, where)), reg
