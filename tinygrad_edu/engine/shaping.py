"""The Tensor's shape and indexing methods beyond the lesson's reshape, transpose and ``x[index]``.

Each is a composite: a reshape, a transpose, an index (a gather, whose gradient scatter-adds), a
broadcast, a ``where`` or a pad, so its gradient comes from those primitives. ``Tensor`` inherits
them through ``TensorMethods`` (``methods.py``).

Where numpy and PyTorch read the same call differently, the positional reading is PyTorch's (code
ported from PyTorch keeps its meaning) and numpy's keyword says numpy is meant, never silently the
other one:

* ``x.repeat(2, 3)`` tiles the whole tensor (PyTorch); ``x.repeat(2, axis=0)`` repeats each entry
  (numpy's ``repeat``, also ``repeat_interleave``);
* ``x.split(2)`` cuts pieces of size 2 (PyTorch); ``x.split(2, axis=0)`` cuts 2 equal sections and
  ``x.split([1, 3], axis=0)`` cuts at indices 1 and 3 (numpy's ``split``); ``tensor_split`` is
  numpy's ``array_split`` and PyTorch's ``tensor_split``;
* ``x.pad(pad_width)`` takes numpy's one (before, after) pair per axis; ``functional.pad`` (and
  ``nn.functional.pad``) takes PyTorch's flat pairs from the last axis, where a negative width crops.

Both spellings of the other arguments work: ``dim``/``axis``, ``keepdim``/``keepdims``,
``diagonal``/``k``, ``dim1``/``axis1``, ``dims``/``reps``.
"""
from __future__ import annotations

import numbers

import numpy as np

from . import autograd, ops
from .combining import both_spellings, where
from .inputs import _one_axis, _preview, axes_of

_NUMPY = object()   # "not given": numpy's keyword was left out, so the call reads as PyTorch's


def _ints(shape) -> tuple:
    """``f(2, 3)`` and ``f((2, 3))`` alike."""
    return tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else tuple(shape)


def _pick(torch_value, numpy_value, default, names: str, where_: str):
    """The one of two spellings of an argument that was given (``diagonal=`` or ``k=``)."""
    if torch_value is not None and numpy_value is not None:
        raise TypeError(f"{where_}: give {names}, not both")
    value = numpy_value if torch_value is None else torch_value
    return default if value is None else value


def _index_array(index, where_: str) -> np.ndarray:
    """An index argument (a Tensor, array or list of whole numbers) as an integer array."""
    a = index.as_index() if hasattr(index, "_op") else np.asarray(index)
    if a.dtype.kind not in "iu":
        raise TypeError(f"{where_}: index must hold whole numbers (an integer Tensor or array), got "
                        f"{a.dtype} values {_preview(a)}")
    return a


def _pad_widths(pad_width, ndim: int) -> tuple:
    """numpy's ``pad_width`` as one (before, after) pair per axis, or a clear error for a form numpy
    would not read (PyTorch's flat pairs among them)."""
    try:
        w = np.asarray(pad_width)
    except (TypeError, ValueError):
        w = np.asarray(None)
    forms = {(): lambda: [(int(w), int(w))] * ndim, (1,): lambda: [(int(w[0]), int(w[0]))] * ndim,
             (2,): lambda: [tuple(map(int, w))] * ndim, (1, 2): lambda: [tuple(map(int, w[0]))] * ndim,
             (ndim, 2): lambda: [tuple(map(int, p)) for p in w]}
    if w.dtype.kind not in "iu" or w.shape not in forms:
        raise ValueError(
            f"pad: pad_width {_preview(pad_width)} does not fit a tensor of {ndim} dimensions: numpy's "
            f"form is one (before, after) pair per axis, ((b0, a0), (b1, a1), ...), or one pair or one "
            f"int for every axis. For PyTorch's flat pairs from the last axis, (left, right, top, "
            f"bottom, ...), use tinygrad_edu.nn.functional.pad.")
    widths = tuple(forms[w.shape]())
    if any(b < 0 or a < 0 for b, a in widths):
        raise ValueError(f"pad: widths must be >= 0, got {_preview(pad_width)} (numpy's pad does not "
                         f"crop; slice the tensor, or use nn.functional.pad, where negative widths "
                         f"crop as in PyTorch)")
    return widths


def _scatter_grid(t, dim, index, where_: str, src_shape=None) -> tuple:
    """PyTorch's scatter/gather addressing as a numpy index: entry ``i, j, k`` of ``index`` names
    position ``index[i, j, k]`` along ``dim`` and ``i, j, k`` along the others."""
    ax = _one_axis(dim, t.ndim, where_)
    idx = _index_array(index, where_)
    if idx.ndim != t.ndim:
        raise ValueError(f"{where_}: index must have as many dimensions as the tensor ({t.ndim}), got "
                         f"shape {idx.shape}")
    if any(m > n for d, (m, n) in enumerate(zip(idx.shape, t.shape)) if d != ax):
        raise ValueError(f"{where_}: index of shape {idx.shape} is larger than the tensor of shape "
                         f"{t.shape} along a dimension other than dim {ax}")
    if src_shape is not None and (len(src_shape) != idx.ndim or
                                  any(m > n for m, n in zip(idx.shape, src_shape))):
        raise ValueError(f"{where_}: src of shape {tuple(src_shape)} must have as many dimensions as "
                         f"index {idx.shape} and be no smaller along any of them")
    n = t.shape[ax]
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexError(f"{where_}: index values must be in [0, {n}) along dim {ax}, got "
                         f"{idx.min()}..{idx.max()}")
    grid = list(np.indices(idx.shape, sparse=True))
    grid[ax] = idx
    return tuple(grid), idx.shape


class ShapeMethods:
    """Shape and indexing methods; ``Tensor`` inherits them (see the module docstring)."""

    __slots__ = ()

    # ------------------------------------------------------------------ axes
    def swapaxes(self, axis1: int, axis2: int):
        """Swap two axes (numpy's ``swapaxes``, PyTorch's ``transpose(i, j)``)."""
        return self.transpose(axis1, axis2)

    def permute(self, *dims):
        """PyTorch's ``permute``: the axes in the order ``dims``, a full permutation (so a 2-D
        ``permute(0, 1)`` is the identity and ``permute(1, 0)`` the transpose)."""
        return self.transpose(_ints(dims))

    def movedim(self, source, destination):
        """PyTorch's ``movedim`` / numpy's ``moveaxis``: axis ``source`` moved to ``destination``."""
        src, dst = (_one_axis(a, self.ndim, "movedim") for a in (source, destination))
        order = [a for a in range(self.ndim) if a != src]
        order.insert(dst, src)
        return self.transpose(tuple(order))

    moveaxis = movedim
    mT = property(lambda self: self.swapaxes(-1, -2), doc="The transpose of the last two axes.")

    def permutation(self, axes, dim0=None, dim1=None) -> tuple:
        """``transpose``'s arguments as a permutation of the axes (see ``Tensor.transpose``)."""
        if dim0 is not None or dim1 is not None:
            if axes or dim0 is None or dim1 is None:
                raise TypeError(f"transpose: give both dim0= and dim1= (and no positional axes); "
                                f"got axes {axes}, dim0={dim0!r}, dim1={dim1!r}")
            axes = (dim0, dim1)
        n = self.ndim
        tuple_given = len(axes) == 1 and isinstance(axes[0], (tuple, list, np.ndarray))
        axes = tuple(axes[0]) if tuple_given else tuple(axes)
        if not axes:
            return tuple(reversed(range(n)))
        if len(axes) == 2 and not tuple_given and all(isinstance(a, numbers.Integral) for a in axes):
            i, j = (_one_axis(a, n, "transpose") for a in axes)
            perm = list(range(n))
            perm[i], perm[j] = perm[j], perm[i]
            return tuple(perm)
        try:
            ok = len(axes) == n and len(axes_of(tuple(int(a) for a in axes), n, "transpose")) == n
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise ValueError(f"transpose: axes {axes} are not a permutation of the {n} axes of a tensor "
                             f"of shape {self.shape}")
        return tuple(int(a) % n for a in axes)

    def t(self):
        """PyTorch's ``.t()``: the transpose of a tensor of at most 2 dimensions."""
        if self.ndim > 2:
            raise ValueError(f"t: expects at most 2 dimensions, got shape {self.shape}; use "
                             f"transpose(i, j)")
        return self.transpose()

    # ------------------------------------------------------------------ shape (composites of reshape)
    def view(self, *shape):
        """PyTorch's name for ``reshape``."""
        return self.reshape(*shape)

    def view_as(self, other):
        """``view(other.shape)``, as PyTorch's ``view_as``."""
        return self.reshape(tuple(other.shape))

    reshape_as = view_as

    def flatten(self, start_dim: int = 0, end_dim: int = -1):
        """Merge axes ``start_dim`` .. ``end_dim`` into one (default: all, giving 1-D)."""
        if self.ndim == 0:
            return self.reshape(1)
        lo, hi = (_one_axis(a, self.ndim, "flatten") for a in (start_dim, end_dim))
        return self.reshape(self.shape[:lo] + (-1,) + self.shape[hi + 1:])

    def unflatten(self, dim: int, sizes):
        """PyTorch's ``unflatten``: axis ``dim`` split into ``sizes`` (one may be -1)."""
        ax = _one_axis(dim, self.ndim, "unflatten")
        return self.reshape(self.shape[:ax] + tuple(sizes) + self.shape[ax + 1:])

    @both_spellings
    def squeeze(self, axis=None):
        """Drop size-1 axes (all of them, or those in ``axis``; PyTorch leaves an axis whose size is
        not 1 alone)."""
        axes = axes_of(axis, self.ndim, "squeeze") if self.ndim else ()
        return self.reshape(tuple(n for i, n in enumerate(self.shape) if not (i in axes and n == 1)))

    @both_spellings
    def unsqueeze(self, axis):
        """Insert a size-1 axis at position ``axis`` of the result (negatives count from its end)."""
        ax = _one_axis(axis, self.ndim + 1, "unsqueeze")
        return self.reshape(self.shape[:ax] + (1,) + self.shape[ax:])

    expand_dims = unsqueeze

    def broadcast_to(self, *shape):
        """Repeated along new leading axes or size-1 axes, as ``np.broadcast_to`` (a read-only view);
        the gradient sums the copies."""
        shape = _ints(shape)
        try:
            ok = len(shape) >= self.ndim and np.broadcast_shapes(self.shape, shape) == shape
        except (ValueError, TypeError):
            ok = False
        if not ok:
            raise ValueError(f"broadcast_to: cannot broadcast shape {self.shape} to {shape}")
        return self if shape == self.shape else autograd.record(ops.Expand(shape=shape), self)

    def expand(self, *sizes):
        """PyTorch's ``expand``: ``broadcast_to`` where -1 keeps that axis's size."""
        sizes = _ints(sizes)
        lead = len(sizes) - self.ndim
        return self.broadcast_to(tuple(self.shape[i - lead] if n == -1 and i >= lead else n
                                       for i, n in enumerate(sizes)))

    def expand_as(self, other):
        """``expand(other.shape)``, as PyTorch's ``expand_as``."""
        return self.broadcast_to(tuple(other.shape))

    def tile(self, *dims, reps=None):
        """``np.tile(x, reps)`` / ``torch.tile(x, dims)``: the whole tensor repeated ``reps[i]``
        times along axis i (fewer counts than axes: the leading axes are repeated once).

        Composite: a size-1 axis before each axis, broadcast to the repeat counts, reshape.
        """
        if reps is not None and dims:
            raise TypeError("tile: give the counts positionally or as reps=, not both")
        reps = _ints(dims) if reps is None else (tuple(reps) if isinstance(reps, (tuple, list)) else (reps,))
        n = max(len(reps), self.ndim)
        reps = (1,) * (n - len(reps)) + tuple(reps)
        x = self.reshape((1,) * (n - self.ndim) + self.shape)
        inter = [d for pair in zip([1] * n, x.shape) for d in pair]
        big = [d for pair in zip(reps, x.shape) for d in pair]
        return x.reshape(inter).broadcast_to(big).reshape([r * s for r, s in zip(reps, x.shape)])

    def repeat(self, *sizes, axis=_NUMPY):
        """PyTorch's ``repeat(2, 3)``: the whole tensor tiled (one count per axis at least); numpy's
        ``repeat(r, axis=...)`` (``axis=`` given, None for the flattened tensor): each entry repeated,
        as ``repeat_interleave``."""
        if axis is not _NUMPY:
            if len(sizes) != 1:
                raise TypeError(f"repeat: numpy's repeat(repeats, axis=) takes one repeats argument, "
                                f"got {sizes}")
            return self.repeat_interleave(sizes[0], axis=axis)
        sizes = _ints(sizes)
        if len(sizes) < self.ndim:
            raise ValueError(f"repeat: PyTorch's repeat needs at least one count per axis "
                             f"({self.ndim}), got {sizes}; for numpy's repeat of each entry give "
                             f"axis= (x.repeat({sizes[0] if sizes else 2}, axis=0))")
        return self.tile(sizes)

    @both_spellings
    def repeat_interleave(self, repeats, axis=None):
        """``np.repeat``: each entry repeated ``repeats`` times along ``axis`` (None: flattened)."""
        x = self if axis is not None else self.reshape(-1)
        ax = _one_axis(axis if axis is not None else 0, x.ndim, "repeat_interleave")
        r = repeats.as_index() if hasattr(repeats, "_op") else repeats
        try:
            idx = np.repeat(np.arange(x.shape[ax]), r)
        except ValueError:
            raise ValueError(f"repeat: repeats {_preview(r)} must be one count or one per entry "
                             f"along axis {ax} (size {x.shape[ax]})") from None
        return x[(slice(None),) * ax + (idx,)]

    @both_spellings
    def flip(self, axis=None):
        """Reverse the order along ``axis`` (an int, a tuple, or None for all)."""
        axes = axes_of(axis, self.ndim, "flip")
        return self[tuple(slice(None, None, -1) if i in axes else slice(None)
                          for i in range(self.ndim))]

    @both_spellings
    def roll(self, shifts, axis=None):
        """Shift entries by ``shifts`` along ``axis`` cyclically (None: the flattened tensor)."""
        if axis is None:
            return self.reshape(-1).roll(shifts, 0).reshape(self.shape)
        if self.ndim == 0:
            raise ValueError(f"roll: axis {axis!r} does not fit a 0-d tensor, which has no axis to roll "
                             f"along (as PyTorch); use axis=None")
        shifts = tuple(shifts) if isinstance(shifts, (tuple, list)) else (shifts,)
        axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
        x = self
        for s, a in zip(shifts, axes):
            ax = _one_axis(a, self.ndim, "roll")
            idx = (np.arange(self.shape[ax]) - s) % self.shape[ax]
            x = x[(slice(None),) * ax + (idx,)]
        return x

    def pad(self, pad_width, mode: str = "constant", constant_values=None, *, value=None):
        """``np.pad`` with a constant (``constant_values``, or ``value``; 0 by default): ``pad_width``
        one (before, after) pair per axis, or one pair or int for all axes. PyTorch's flat pairs
        from the last axis are ``nn.functional.pad``'s form."""
        if mode != "constant":
            raise ValueError(f"pad: only mode='constant' is supported, got {mode!r}")
        fill = _pick(value, constant_values, 0.0, "value= or constant_values=", "pad")
        widths = _pad_widths(pad_width, self.ndim)
        return autograd.record(ops.Pad(widths=widths, value=fill), self)

    def split(self, split_size_or_sections, dim: int = 0, *, axis=_NUMPY):
        """PyTorch's ``split`` (``dim`` positional or ``dim=``): pieces of ``split_size`` along
        ``dim`` (the last may be shorter), or a list of piece sizes. With ``axis=``, numpy's
        ``split``: an int N gives N equal sections (an error if they are not), a list the indices to
        cut at. Each piece is a slice of x."""
        if axis is not _NUMPY:
            return self._numpy_split(split_size_or_sections, axis, equal=True)
        ax = _one_axis(dim, self.ndim, "split")
        n = self.shape[ax]
        sizes = split_size_or_sections
        if isinstance(sizes, numbers.Integral):
            if sizes <= 0:
                raise ValueError(f"split: split_size must be positive, got {sizes}")
            sizes = [min(sizes, n - i) for i in range(0, n, sizes)]
        if sum(sizes) != n:
            raise ValueError(f"split: sizes {list(sizes)} do not add up to {n}, the size of axis {ax} "
                             f"(PyTorch's split takes piece sizes; for numpy's indices give axis=)")
        return self._pieces(ax, np.cumsum([0] + list(sizes)))

    def tensor_split(self, indices_or_sections, dim: int = 0, *, axis=None):
        """PyTorch's ``tensor_split`` and numpy's ``array_split``: an int N gives N pieces as equal as
        can be (the first ``n % N`` one longer), a list the indices to cut at."""
        return self._numpy_split(indices_or_sections, dim if axis is None else axis, equal=False)

    def _numpy_split(self, sections, axis, equal: bool):
        where_ = "split" if equal else "tensor_split"
        ax = _one_axis(axis, self.ndim, where_)
        n = self.shape[ax]
        sections = sections.as_index().tolist() if hasattr(sections, "_op") else sections
        if isinstance(sections, numbers.Integral):
            if sections <= 0:
                raise ValueError(f"{where_}: the number of sections must be positive, got {sections}")
            if equal and n % sections:
                raise ValueError(f"split: axis {ax} of size {n} does not split into {sections} equal "
                                 f"sections (numpy's split); use tensor_split for unequal ones")
            q, r = divmod(n, sections)
            ends = np.cumsum([0] + [q + 1] * r + [q] * (sections - r))
        else:
            cuts = [min(max(int(i) + n * (int(i) < 0), 0), n) for i in sections]
            ends = [0] + cuts + [n]
        return self._pieces(ax, ends)

    def _pieces(self, ax: int, ends) -> tuple:
        lead = (slice(None),) * ax
        return tuple(self[lead + (slice(int(a), max(int(a), int(b))),)]
                     for a, b in zip(ends[:-1], ends[1:]))

    def chunk(self, chunks: int, dim: int = 0, *, axis=None):
        """PyTorch's ``chunk``: ``chunks`` pieces of size ceil(n / chunks) (fewer if n is small)."""
        dim = dim if axis is None else axis
        if not isinstance(chunks, numbers.Integral) or chunks < 1:
            raise ValueError(f"chunk: chunks must be a positive int, got {chunks!r}")
        n = self.shape[_one_axis(dim, self.ndim, "chunk")]
        return self.split(max(-(-n // chunks), 1), dim)

    def narrow(self, dim: int, start: int, length: int):
        """PyTorch's ``narrow``: ``length`` entries from ``start`` along ``dim`` (a slice)."""
        ax = _one_axis(dim, self.ndim, "narrow")
        start = start + self.shape[ax] if start < 0 else start
        if not 0 <= start <= start + length <= self.shape[ax]:
            raise IndexError(f"narrow: start {start} and length {length} do not fit axis {ax} of size "
                             f"{self.shape[ax]}")
        return self[(slice(None),) * ax + (slice(start, start + length),)]

    # ------------------------------------------------------------------ gathering and scattering
    def index_select(self, dim: int, index):
        """PyTorch's ``index_select``: the entries at ``index`` (1-D) along ``dim``."""
        ax = _one_axis(dim, self.ndim, "index_select")
        return self[(slice(None),) * ax + (_index_array(index, "index_select").reshape(-1),)]

    def gather(self, dim: int, index):
        """PyTorch's ``gather``: ``out[i][j][k] = x[i][index[i][j][k]][k]`` for dim 1 (``index`` as
        many dimensions as x, no larger along the others); the gradient scatter-adds back."""
        grid, _ = _scatter_grid(self, dim, index, "gather")
        return self[grid]

    def take_along_dim(self, indices, dim=None):
        """PyTorch's ``take_along_dim`` (numpy's ``take_along_axis``): ``gather`` with an index that
        broadcasts against x along the other axes; ``dim=None`` reads the flattened tensor."""
        idx = _index_array(indices, "take_along_dim")
        if dim is None:
            return self.reshape(-1)[idx.reshape(-1)]
        ax = _one_axis(dim, self.ndim, "take_along_dim")
        ones = [tuple(1 if d == ax else n for d, n in enumerate(s)) for s in (self.shape, idx.shape)]
        shape = list(np.broadcast_shapes(*ones))
        shape[ax] = idx.shape[ax]
        return self.broadcast_to(shape[:ax] + [self.shape[ax]] + shape[ax + 1:]).gather(
            ax, np.broadcast_to(idx, shape))

    def scatter(self, dim: int, index, src=None, *, value=None, reduce=None):
        """PyTorch's ``scatter``: a copy of x with ``src[i][j][k]`` (or the number ``value``) written
        at ``[i][index[i][j][k]][k]`` for dim 1. Where an index repeats, the last write wins; the
        gradient of x is dy where nothing was written, that of ``src`` dy where each entry went."""
        if reduce is not None:
            if reduce != "add":
                raise NotImplementedError(f"scatter: reduce={reduce!r} is not implemented; use "
                                          f"scatter_add, or reduce=None")
            return self.scatter_add(dim, index, src if value is None else value)
        src = value if src is None else src
        if src is None:
            raise TypeError("scatter: give src (a tensor) or value (a number)")
        return self._scatter(dim, index, src, "scatter", ops.IndexPut)

    def scatter_add(self, dim: int, index, src):
        """PyTorch's ``scatter_add``: x plus each ``src[i][j][k]`` added at ``[i][index[i][j][k]][k]``
        for dim 1 (repeated indices accumulate)."""
        return self._scatter(dim, index, src, "scatter_add", ops.IndexAdd)

    def _scatter(self, dim, index, src, where_: str, kind):
        tensor = hasattr(src, "_op") or isinstance(src, np.ndarray)
        grid, shape = _scatter_grid(self, dim, index, where_, np.shape(src) if tensor else None)
        part = self._const(src, where_)
        part = part[tuple(slice(0, n) for n in shape)] if tensor else part.broadcast_to(shape)
        part = part if part.dtype == self.dtype else part.astype(self.dtype)
        placed = autograd.record(kind(shape=self.shape, index=grid), part)
        if kind is ops.IndexAdd:
            return self + placed
        mask = np.zeros(self.shape, dtype=bool)
        mask[grid] = True
        return autograd.record(ops.Where(cond=mask), placed, self)

    def masked_fill(self, mask, value):
        """PyTorch's ``masked_fill``: ``value`` (a number, or a 0-d tensor, whose gradient is the sum
        of dy where the mask holds) where the bool ``mask`` (broadcast to x's shape) is True, x
        elsewhere."""
        m = np.asarray(mask.data if hasattr(mask, "_op") else mask)
        if m.dtype != bool:
            raise TypeError(f"masked_fill: mask must be bool (e.g. x > 0), got {m.dtype} values")
        if np.ndim(getattr(value, "data", value)) != 0:
            raise ValueError(f"masked_fill: value must be a number or a 0-d tensor, got shape "
                             f"{np.shape(getattr(value, 'data', value))}")
        try:
            np.broadcast_to(m, self.shape)
        except ValueError:
            raise ValueError(f"masked_fill: mask of shape {m.shape} does not broadcast to the tensor's "
                             f"shape {self.shape}") from None
        value = value if hasattr(value, "_op") else self._const(value, "masked_fill")
        return where(m, value.astype(self.dtype) if value.dtype != self.dtype else value, self)

    # ------------------------------------------------------------------ diagonals and triangles
    def diagonal(self, offset: int = 0, dim1=None, dim2=None, *, axis1=None, axis2=None):
        """The ``offset``-th diagonal of the axes ``dim1``/``axis1`` (0) and ``dim2``/``axis2`` (1),
        as numpy and PyTorch: those two axes go, the diagonal becomes the last axis (a gather)."""
        a1 = _one_axis(_pick(dim1, axis1, 0, "dim1= or axis1=", "diagonal"), self.ndim, "diagonal")
        a2 = _one_axis(_pick(dim2, axis2, 1, "dim2= or axis2=", "diagonal"), self.ndim, "diagonal")
        if self.ndim < 2 or a1 == a2:
            raise ValueError(f"diagonal: needs two different axes of a tensor of 2 or more dimensions; "
                             f"got axes {a1}, {a2} of shape {self.shape} (for a 1-D tensor, diag "
                             f"makes the matrix)")
        rest = [a for a in range(self.ndim) if a not in (a1, a2)]
        x = self if rest + [a1, a2] == list(range(self.ndim)) else self.transpose(tuple(rest + [a1, a2]))
        n, m = x.shape[-2:]
        lo = max(0, -offset)
        i = np.arange(lo, max(lo, min(n, m - offset)))
        return x[..., i, i + offset]

    def diag(self, diagonal=None, *, k=None):
        """PyTorch's ``diag`` / numpy's ``diag(v, k)``: a 2-D tensor's ``diagonal``-th (``k``-th)
        diagonal, or the square matrix with a 1-D tensor on it (x on the main diagonal by an
        identity, then a pad)."""
        d = _pick(diagonal, k, 0, "diagonal= or k=", "diag")
        if self.ndim == 2:
            return self.diagonal(d)
        if self.ndim != 1:
            raise ValueError(f"diag: expects a 1-D or 2-D tensor, got shape {self.shape}")
        n, a = self.shape[0], abs(d)
        square = where(np.eye(n, dtype=bool), self.reshape(1, n), 0.0)
        return square.pad(((0, a), (a, 0)) if d >= 0 else ((a, 0), (0, a)))

    def trace(self, offset: int = 0, axis1: int = 0, axis2: int = 1):
        """The sum of a diagonal: numpy's ``trace(offset, axis1, axis2)`` (PyTorch's ``trace()`` is
        the main diagonal of a matrix)."""
        return self.diagonal(offset, axis1, axis2).sum(axis=-1)

    def tril(self, diagonal=None, *, k=None):
        """Entries on and below the ``diagonal``-th (``k``-th) diagonal of the last two axes; 0 above."""
        d = _pick(diagonal, k, 0, "diagonal= or k=", "tril")
        return where(np.tril(np.ones(self.shape[-2:], dtype=bool), d), self, 0.0)

    def triu(self, diagonal=None, *, k=None):
        """Entries on and above the ``diagonal``-th (``k``-th) diagonal of the last two axes; 0 below."""
        d = _pick(diagonal, k, 0, "diagonal= or k=", "triu")
        return where(np.triu(np.ones(self.shape[-2:], dtype=bool), d), self, 0.0)

