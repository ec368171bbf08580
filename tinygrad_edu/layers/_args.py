"""Argument checks for the layer functions: shapes and the course's parameter dicts.

Every layer function calls these first, so a wrong shape or a missing key gives an error that names
the function, says what was given and what is wanted, instead of a numpy traceback from inside.
Integer arrays become float64 (a gradient needs floats); float32 and float64 keep their dtype.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .. import validate


def floats(x, name: str, where: str, ndim=None, hint: str = "") -> np.ndarray:
    """``x`` as a float numpy array (ints become float64), with ``ndim`` axes when given."""
    a = validate.array(getattr(x, "data", x), name, where, finite=False, nonempty=False)
    if ndim is not None and a.ndim != ndim:
        raise ValueError(f"{where}: {name} must be {ndim}-D {hint}; got shape {a.shape}".rstrip())
    return a if a.dtype.kind == "f" else a.astype(np.float64)


def vector(v, name: str, where: str, length: int) -> np.ndarray:
    """A float vector of ``length`` entries (a bias, gamma or beta)."""
    a = floats(v, name, where, ndim=1, hint=f"of shape ({length},)")
    if a.shape != (length,):
        raise ValueError(f"{where}: {name} must have shape ({length},), got {a.shape}")
    return a


def param_dict(d, name: str, where: str, required=()) -> Mapping:
    """The course's settings dict (``bn_param``, ``conv_param``, ...), holding ``required`` keys."""
    if not isinstance(d, Mapping):
        raise TypeError(f"{where}: {name} must be a dict, e.g. {{'mode': 'train'}}, got "
                        f"{validate.given(d)}")
    missing = [k for k in required if k not in d]
    if missing:
        raise KeyError(f"{where}: {name} lacks {missing}; it must hold {', '.join(required)}")
    return d


def mode(d, name: str, where: str) -> str:
    """``d['mode']``: 'train' or 'test'."""
    m = d.get("mode", None)
    if m not in ("train", "test"):
        raise ValueError(f"{where}: {name}['mode'] must be 'train' or 'test', got {m!r}")
    return m


def cache(c, where: str, length: int, made_by: str):
    """The cache a forward returned: a tuple of ``length`` entries, else a message saying so."""
    if not isinstance(c, tuple) or len(c) != length:
        raise TypeError(f"{where}: cache must be what {made_by} returned (a tuple of {length}), got "
                        f"{validate.given(c)}")
    return c


def upstream(dout, shape, where: str) -> np.ndarray:
    """The upstream gradient ``dout``, shaped like the forward's output."""
    d = floats(dout, "dout", where)
    if d.shape != tuple(shape):
        raise ValueError(f"{where}: dout has shape {d.shape}, but the forward's output has shape "
                         f"{tuple(shape)}; dout must be shaped like the output")
    return d
