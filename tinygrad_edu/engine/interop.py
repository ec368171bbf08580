"""numpy given a Tensor: ``np.exp(t)``, ``np.sum(t, axis=1)``, ``np.ones(3) + t``, ``np.asarray(t)``.

numpy asks a Tensor what to do through three hooks, answered here in one place:

* ``__array_ufunc__`` (``np.exp(t)``, ``np.maximum(t, 0)``, and the operators with a numpy array or
  number on the left, ``np.ones(3) + t``, ``X @ W``): the Tensor operation of the same name runs, so
  the result is a Tensor and the graph is kept;
* ``__array_function__`` (``np.sum(t)``, ``np.mean``, ``np.reshape``, ``np.concatenate``, ``np.where``,
  ``np.trace``, ...): the same, with numpy's arguments (``axis=``, ``keepdims=``, ``ddof=``) read as
  numpy means them; ``out=`` and the like, which would write into a numpy array, are refused;
* ``__array__`` (``np.asarray(t)``), and every numpy function not in these tables (``np.allclose``,
  ``np.isfinite``, a ufunc with ``out=``, ``np.add.reduce``): the tensor's value, an array, as
  PyTorch gives it; for a tensor that requires grad the graph would be lost silently, so that raises
  a ``TypeError`` saying what to call instead (as PyTorch raises).
"""
from __future__ import annotations

import numpy as np

from . import combining

# ufunc -> (the method when the Tensor is on the left, the method when it is on the right)
_BINARY = {np.add: ("__add__", "__radd__"), np.subtract: ("__sub__", "__rsub__"),
           np.multiply: ("__mul__", "__rmul__"), np.true_divide: ("__truediv__", "__rtruediv__"),
           np.matmul: ("__matmul__", "__rmatmul__"), np.power: ("pow", "__rpow__"),
           np.remainder: ("__mod__", "__rmod__"), np.floor_divide: ("__floordiv__", "__rfloordiv__"),
           np.maximum: ("maximum", "maximum"), np.minimum: ("minimum", "minimum"),
           np.less: ("__lt__", "__gt__"), np.less_equal: ("__le__", "__ge__"),
           np.greater: ("__gt__", "__lt__"), np.greater_equal: ("__ge__", "__le__"),
           np.equal: ("__eq__", "__eq__"), np.not_equal: ("__ne__", "__ne__")}
_UNARY = {np.exp: "exp", np.log: "log", np.sqrt: "sqrt", np.tanh: "tanh", np.sin: "sin",
          np.cos: "cos", np.tan: "tan", np.absolute: "abs", np.negative: "__neg__",
          np.positive: "__pos__", np.log1p: "log1p", np.expm1: "expm1", np.log2: "log2",
          np.log10: "log10", np.square: "square", np.floor: "floor", np.ceil: "ceil",
          np.rint: "round", np.trunc: "trunc", np.sign: "sign", np.reciprocal: "reciprocal",
          np.invert: "__invert__"}


def array(self, dtype=None, copy=None):
    """``Tensor.__array__`` (``np.asarray(t)``): the value, for a tensor without gradient; for one that
    requires grad a numpy function would drop the graph silently, so it raises and says what to call."""
    if self.requires_grad:
        raise TypeError(
            "numpy: this tensor requires grad, so a numpy function on it (np.asarray(t), "
            "np.allclose(t, ...)) would use its value and lose the graph. Call the Tensor method "
            "instead (t.exp(), t.sum()), or take the value with t.detach().numpy() / t.data.")
    return self.data if dtype is None else self.data.astype(dtype)


def array_ufunc(self, ufunc, method, *inputs, **kwargs):
    """``Tensor.__array_ufunc__``: a ufunc of a Tensor as the Tensor operation (module docstring)."""
    if method == "__call__" and not kwargs:
        if len(inputs) == 2 and ufunc in _BINARY:
            a, b = inputs
            left, right = _BINARY[ufunc]
            return getattr(a, left)(b) if hasattr(a, "_op") else getattr(b, right)(a)
        if len(inputs) == 1 and ufunc in _UNARY:
            return getattr(inputs[0], _UNARY[ufunc])()
    what = f"np.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
    if any(hasattr(o, "_op") for o in kwargs.get("out", ())):
        raise TypeError(f"{what}(..., out=t): numpy would write into the tensor's array behind the "
                        f"engine's back; write t.copy_(...) or t += ... instead")
    return getattr(ufunc, method)(*_values(inputs, what), **dict(zip(kwargs, _values(kwargs.values(), what))))


def array_function(self, func, types, args, kwargs):
    """``Tensor.__array_function__``: numpy's function of a Tensor as the Tensor operation where
    there is one (``_FUNCTIONS``), else numpy's own on the values (module docstring)."""
    call = _FUNCTIONS.get(func)
    if call is not None:
        return call(*args, **kwargs)
    what = f"np.{func.__name__}"
    return func(*_values(args, what), **dict(zip(kwargs, _values(kwargs.values(), what))))


def _values(items, what: str) -> list:
    """``items`` with every Tensor (also inside lists and tuples) replaced by its array."""
    out = []
    for x in items:
        if hasattr(x, "_op"):
            if x.requires_grad:
                raise TypeError(
                    f"{what}: this tensor requires grad, and numpy would compute with its value "
                    f"alone and lose the graph. Call the Tensor operation instead (t.exp(), t.sum(), "
                    f"x = x + t rather than an in-place numpy update), or take the value with "
                    f"t.detach().numpy().")
            x = x.data
        elif isinstance(x, (list, tuple)):
            x = type(x)(_values(x, what))
        out.append(x)
    return out


def _plain(name: str, **given) -> None:
    """Refuse numpy's arguments that a Tensor operation cannot honour (``out=`` an array, ...)."""
    for k, v in given.items():
        if v is not None and v is not np._NoValue and not (k == "order" and v in ("C", "K", "A")):
            raise TypeError(f"np.{name}: {k}={v!r} is not supported for a Tensor (it computes a new "
                            f"Tensor and keeps the graph); leave {k} out")
    return True


def _keep(v) -> bool:
    return False if v is np._NoValue else bool(v)


def _reduction(name: str, method: str):
    def call(a, axis=None, dtype=None, out=None, keepdims=False, **rest):
        _plain(name, dtype=dtype, out=out, **rest)
        return getattr(a, method)(axis=axis, keepdims=_keep(keepdims))
    return call


def _spread(name: str, method: str):
    def call(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **rest):
        _plain(name, dtype=dtype, out=out, **rest)
        return getattr(a, method)(axis=axis, keepdims=_keep(keepdims), ddof=ddof)
    return call


def _arg(name: str):
    def call(a, axis=None, out=None, *, keepdims=False):
        _plain(name, out=out)
        return getattr(a, name)(axis=axis, keepdims=_keep(keepdims))
    return call


def _tensors(seq, like=None):
    """A sequence of Tensors, arrays and numbers as Tensors: the others as constants of the first
    Tensor among them (or of ``like``)."""
    first = next((x for x in seq if hasattr(x, "_op")), like)
    return [first._const(x) for x in seq]


def _where(condition, x=None, y=None):
    if x is None and y is None:        # np.where(cond): the indices, from the values
        return np.where(*_values([condition], "np.where"))
    return combining.where(condition, *_tensors((x, y), like=condition))


def _reshape(a, shape=None, order="C", *, newshape=None, copy=None):
    _plain("reshape", order=order, copy=copy)
    return a.reshape(shape if newshape is None else newshape)


def _clip(a, a_min=None, a_max=None, out=None, *, min=None, max=None, **rest):
    _plain("clip", out=out, **rest)
    return a.clip(a_min if min is None else min, a_max if max is None else max)


def _norm(x, ord=None, axis=None, keepdims=False):
    """``np.linalg.norm`` of vectors (and the Frobenius norm of a matrix)."""
    vector = x.ndim == 1 or isinstance(axis, (int, np.integer))
    if not vector and ord not in (None, "fro"):
        raise NotImplementedError(f"np.linalg.norm: ord={ord!r} of a matrix is not implemented for "
                                  f"a Tensor; use t.norm(p, dim) for vector norms")
    return x.norm(2 if ord in (None, "fro") else ord, axis, keepdims)


def _numpy_table() -> dict:
    f = {}
    for name, method in (("sum", "sum"), ("mean", "mean"), ("prod", "prod"), ("max", "amax"),
                         ("amax", "amax"), ("min", "amin"), ("amin", "amin")):
        f[getattr(np, name)] = _reduction(name, method)
    for name in ("std", "var"):
        f[getattr(np, name)] = _spread(name, name)
    for name in ("argmax", "argmin"):
        f[getattr(np, name)] = _arg(name)
    f.update({
        np.cumsum: lambda a, axis=None, dtype=None, out=None: (_plain("cumsum", dtype=dtype, out=out) and a.cumsum(axis=axis)),
        np.reshape: _reshape, np.clip: _clip, np.linalg.norm: _norm,
        np.transpose: lambda a, axes=None: a.transpose() if axes is None else a.transpose(tuple(axes)),
        np.squeeze: lambda a, axis=None: a.squeeze(axis=axis),
        np.expand_dims: lambda a, axis: a.unsqueeze(axis),
        np.swapaxes: lambda a, axis1, axis2: a.swapaxes(axis1, axis2),
        np.moveaxis: lambda a, source, destination: a.movedim(source, destination),
        np.trace: lambda a, offset=0, axis1=0, axis2=1, dtype=None, out=None: (_plain("trace", dtype=dtype, out=out) and a.trace(offset, axis1, axis2)),
        np.diagonal: lambda a, offset=0, axis1=0, axis2=1: a.diagonal(offset, axis1=axis1, axis2=axis2),
        np.diag: lambda v, k=0: v.diag(k=k),
        np.tril: lambda m, k=0: m.tril(k=k), np.triu: lambda m, k=0: m.triu(k=k),
        np.tile: lambda A, reps: A.tile(reps=reps),
        np.repeat: lambda a, repeats, axis=None: a.repeat(repeats, axis=axis),
        np.flip: lambda m, axis=None: m.flip(axis=axis),
        np.roll: lambda a, shift, axis=None: a.roll(shift, axis=axis),
        np.pad: lambda array, pad_width, mode="constant", **kw: array.pad(pad_width, mode, **kw),
        np.split: lambda ary, indices_or_sections, axis=0: ary.split(indices_or_sections, axis=axis),
        np.array_split: lambda ary, indices_or_sections, axis=0: ary.tensor_split(indices_or_sections,
                                                                                  axis=axis),
        np.take_along_axis: lambda arr, indices, axis: arr.take_along_dim(indices, axis),
        np.concatenate: lambda arrays, axis=0, out=None, **kw: (_plain("concatenate", out=out, **kw) and combining.concatenate(_tensors(arrays), axis)),
        np.stack: lambda arrays, axis=0, out=None, **kw: (_plain("stack", out=out, **kw) and combining.stack(_tensors(arrays), axis)),
        np.where: _where, np.sort: lambda a, axis=-1, **kw: _plain("sort", **kw) and a.sort(axis)[0],
        np.round: lambda a, decimals=0, out=None: _plain("round", out=out, decimals=decimals or None)
        and a.round(),
        np.dot: lambda a, b, out=None: (_plain("dot", out=out) and combining.dot(*_tensors((a, b)))),
        np.tensordot: lambda a, b, axes=2: combining.tensordot(*_tensors((a, b)), axes),
        np.outer: lambda a, b, out=None: (_plain("outer", out=out) and _tensors((a, b))[0].outer(b)),
        np.einsum: lambda subscripts, *operands, out=None, **kw: (_plain("einsum", out=out, **kw) and combining.einsum(subscripts, *_tensors(operands))),
        np.shape: lambda a: a.shape, np.ndim: lambda a: a.ndim,
        np.size: lambda a, axis=None: a.data.size if axis is None else a.shape[axis],
    })
    return f


_FUNCTIONS = _numpy_table()
