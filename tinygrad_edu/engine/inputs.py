"""What the engine accepts, checked in one place: a Tensor's data, a constant operand, an axis.

Each turns what it is given into what the engine holds, or raises an error that names the function,
says what was given and what to do (never a raw numpy error from deep inside).
"""
from __future__ import annotations

import numbers

import numpy as np

try:
    from numpy.lib.array_utils import normalize_axis_tuple
except ImportError:  # numpy < 2
    from numpy.core.numeric import normalize_axis_tuple


def axes_of(axis, ndim: int, where: str, dim=None) -> tuple:
    """``axis`` (None, an int or a tuple of ints, negatives allowed; or PyTorch's ``dim``) as sorted
    non-negative axes of a tensor with ``ndim`` dimensions: the one place every reduction and shape
    method checks its axes. As PyTorch, a 0-d tensor's axis 0 (or -1) is the tensor itself: no axes."""
    if dim is not None:
        if axis is not None:
            raise TypeError(f"{where}: give axis= or dim=, not both")
        axis = dim
    if axis is None:
        return tuple(range(ndim))
    if type(axis) is int and 0 <= axis < ndim:    # the common case, valid as it is
        return (axis,)
    try:
        return tuple(sorted(normalize_axis_tuple(axis, ndim)))
    except (TypeError, ValueError):   # numpy's AxisError is a ValueError
        if ndim == 0 and axis in (0, -1, (0,), (-1,)) and not isinstance(axis, bool):
            return ()
        raise _axis_error(axis, ndim, where) from None


def _axis_error(axis, ndim: int, where: str) -> Exception:
    """What is wrong with ``axis``, in words."""
    items = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    for a in items:
        if not isinstance(a, numbers.Integral) or isinstance(a, bool):
            return TypeError(f"{where}: axis must be None, an int or a tuple of ints; got {axis!r}")
        if not -ndim <= a < ndim:
            return ValueError(f"{where}: axis {a} is out of range for a tensor of {ndim} dimensions"
                              + (" (a 0-d tensor has no axis but 0 or -1: use axis=None)" if ndim == 0
                                 else ""))
    return ValueError(f"{where}: axis {axis!r} repeats an axis")


def _one_axis(axis, ndim: int, where: str) -> int:
    if not isinstance(axis, numbers.Integral) or isinstance(axis, bool):
        raise TypeError(f"{where}: needs a single int axis, got {axis!r}")
    if not -ndim <= axis < max(ndim, 1) or (ndim == 0 and axis not in (0, -1)):
        raise _axis_error(axis, ndim, where)
    return int(axis) % max(ndim, 1)


def array_of(data, where: str) -> np.ndarray:
    """``data`` as the array a Tensor holds: float32, float64 and bool arrays as they are, other
    numbers as float64; anything else a clear error that says what was given."""
    if hasattr(data, "_op"):            # a Tensor: the same array
        return data.data
    if isinstance(data, np.ma.MaskedArray):
        raise TypeError(f"{where}: got a masked array; its masked entries would be used as numbers. "
                        f"Fill or drop them first (a.filled(0), a.compressed())")
    if isinstance(data, (list, tuple)):
        data = _unwrap(data)
    try:
        arr = np.asarray(data)
    except (ValueError, TypeError) as e:  # ragged nested lists
        raise ValueError(
            f"{where}: could not make an array from {type(data).__name__} {_preview(data)}: nested "
            f"lists must be rectangular (every row the same length) and hold numbers. ({e})") from None
    except RuntimeError as e:   # e.g. a PyTorch tensor that requires grad
        raise TypeError(f"{where}: could not read {type(data).__name__} as an array ({e}); for a "
                        f"PyTorch tensor pass t.detach().numpy()") from None
    kind = arr.dtype.kind
    if kind == "f" and arr.dtype.itemsize == 2:
        raise TypeError(f"{where}: float16 data is not supported (gradients in float16 are too coarse "
                        f"to check); convert it with .astype(np.float32) or np.float64")
    if (kind == "f" and arr.dtype.itemsize in (4, 8)) or kind == "b":
        return arr
    if kind in "iu" or (kind == "f" and arr.dtype.itemsize > 8):
        return arr.astype(np.float64)
    raise TypeError(
        f"{where}: data must be numeric (a number, a nested list of numbers or a numeric numpy "
        f"array); got {type(data).__name__} {_preview(data)} of dtype {arr.dtype}")


def constant_of(x, dtype, where: str) -> np.ndarray:
    """A constant operand of op ``where`` as an array: numbers and integer or bool arrays in
    ``dtype`` (the tensor's float dtype), float arrays as they are; anything else a clear error."""
    if isinstance(x, (numbers.Real, np.bool_)) and not isinstance(x, np.ndarray):
        return np.asarray(x, dtype)
    if isinstance(x, np.ndarray) and (x.dtype.kind in "iub" or (x.ndim == 0 and x.dtype.kind == "f")):
        return x.astype(dtype)      # a 0-d float array is a number too
    return array_of(x, f"{where}: the other operand")


def _unwrap(items):
    """Nested lists with Tensors in them (``[[1.0, x[0], x[0] ** 2]]``): the Tensors' values, as
    ``torch.tensor`` copies them (no graph is recorded)."""
    return [_unwrap(i) if isinstance(i, (list, tuple)) else i.data if hasattr(i, "_op") else i
            for i in items]


def _preview(x) -> str:
    s = repr(x)
    return s if len(s) <= 60 else s[:57] + "..."


def flags_error(data, requires_grad, name) -> TypeError:
    """``Tensor(...)``'s error for a bad ``requires_grad`` or ``name``."""
    if requires_grad not in (True, False) or not (name is None or isinstance(name, str)):
        return TypeError(f"Tensor: requires_grad must be True or False and name a string or None; "
                         f"got requires_grad={requires_grad!r}, name={name!r}")
    return TypeError(f"Tensor: only float32/float64 tensors can require grad; this data is "
                     f"{data.dtype} (a mask). Convert it first, e.g. Tensor(mask * 1.0)")
