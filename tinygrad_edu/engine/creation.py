"""Making tensors, in PyTorch's spelling: ``tinygrad_edu.tensor([[1.0, 2.0]])``, ``zeros(2, 3)``,
``randn(4, seed=0)``, ``arange(5)``, ``randperm(10)``, ... each as ``torch.<name>`` reads, so code written
for PyTorch ports by changing the import. (The operations as module functions, ``tinygrad_edu.exp``,
``stack``, ``where``, ... are in ``op_functions.py``.)

Differences on purpose: the default dtype is float64 (gradient checks need it); ``dtype=`` takes
``tinygrad_edu.float32``/``float64`` (or numpy's), and an integer dtype (``tinygrad_edu.long``) gives
float64 holding whole numbers (``dtypes.py``), as does every integer result (``randint``,
``randperm``); random numbers come from numpy, by the one convention of ``randomness.py``
(``seed=``, ``generator=``, else the global generator that ``manual_seed`` seeds). ``device=`` takes
the CPU only.
"""
from __future__ import annotations

import numbers

import numpy as np

from . import randomness
from .devices import device as _device
from .inputs import converted, dtype_of
from .tensor import Tensor

__all__ = ["tensor", "as_tensor", "from_numpy", "zeros", "ones", "empty", "zeros_like", "ones_like",
           "empty_like", "full", "full_like", "eye", "arange", "linspace", "rand", "randn",
           "rand_like", "randn_like", "randint", "randperm", "manual_seed"]

manual_seed = randomness.manual_seed


def _size(size, where: str) -> tuple:
    """``zeros(2, 3)`` and ``zeros((2, 3))`` alike, checked."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    if not all(isinstance(n, numbers.Integral) and not isinstance(n, bool) and n >= 0 for n in size):
        raise ValueError(f"{where}: size must be non-negative ints, got {size}")
    return tuple(int(n) for n in size)


def _made(values, dtype, requires_grad: bool, where: str, device=None) -> Tensor:
    """A new leaf holding ``values`` in ``dtype`` (None: float64, or float32/bool as given)."""
    if device is not None:
        _device(device)
    dt, whole = dtype_of(dtype, where)
    a = converted(np.asarray(values), dt, whole)
    if requires_grad and (whole or a.dtype.kind != "f"):
        raise TypeError(f"{where}: only float32/float64 tensors can require grad, got dtype {dtype} "
                        f"(as in PyTorch); pass dtype=tinygrad_edu.float64 or requires_grad=False")
    return Tensor(a, requires_grad=requires_grad)


def _float(dtype, where: str):
    """A float dtype for a draw or a range (None: float64)."""
    dt, whole = dtype_of(dtype, where)
    if whole or (dt is not None and dt.kind != "f"):
        raise TypeError(f"{where}: dtype must be float32 or float64, got {np.dtype(dtype)}")
    return dt or np.dtype(np.float64)


def tensor(data, dtype=None, requires_grad: bool = False, name: str | None = None,
           device=None) -> Tensor:
    """PyTorch's ``torch.tensor``: a new leaf holding a copy of ``data`` (``Tensor(array)`` shares the
    array instead, as ``torch.from_numpy``, so an in-place update under ``no_grad`` reaches it).
    Tensors inside nested lists give their values (copied; no graph is recorded, as in PyTorch)."""
    out = _made(np.array(Tensor(data).data), dtype, requires_grad, "tensor", device)
    out.name = name
    return out


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """PyTorch's ``as_tensor``: ``data`` itself if it is a Tensor of that dtype, else a Tensor sharing
    a numpy array (float32/float64/bool) or holding a copy of anything else."""
    if isinstance(data, Tensor) and (dtype is None or np.dtype(dtype) == data.dtype):
        return data
    return Tensor(data) if dtype is None and device is None else _made(Tensor(data).data, dtype,
                                                                       False, "as_tensor", device)


def from_numpy(array: np.ndarray) -> Tensor:
    """PyTorch's ``from_numpy``: a Tensor sharing ``array`` (float32, float64 or bool; integers are
    converted to float64, a copy)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy array, got {type(array).__name__}")
    return Tensor(array)


def zeros(*size, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """A tensor of zeros of shape ``size``."""
    return _made(np.zeros(_size(size, "zeros")), dtype, requires_grad, "zeros", device)


def ones(*size, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """A tensor of ones of shape ``size``."""
    return _made(np.ones(_size(size, "ones")), dtype, requires_grad, "ones", device)


def empty(*size, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """PyTorch's ``empty``: here a tensor of zeros (never uninitialized memory)."""
    return _made(np.zeros(_size(size, "empty")), dtype, requires_grad, "empty", device)


def full(size, fill_value, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """A tensor of shape ``size`` filled with ``fill_value``."""
    value = fill_value.item() if isinstance(fill_value, Tensor) else fill_value
    return _made(np.full(_size((size,), "full"), value), dtype, requires_grad, "full", device)


def _like(x, dtype, where: str):
    x = x if isinstance(x, Tensor) else Tensor(x)
    return x.shape, (x.dtype if dtype is None else dtype)


def zeros_like(x, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """Zeros shaped like ``x`` (in its dtype unless ``dtype`` is given)."""
    shape, dt = _like(x, dtype, "zeros_like")
    return zeros(shape, dtype=dt, requires_grad=requires_grad, device=device)


def ones_like(x, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """Ones shaped like ``x`` (in its dtype unless ``dtype`` is given)."""
    shape, dt = _like(x, dtype, "ones_like")
    return ones(shape, dtype=dt, requires_grad=requires_grad, device=device)


def empty_like(x, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """Zeros shaped like ``x`` (PyTorch's ``empty_like``; never uninitialized memory)."""
    return zeros_like(x, dtype=dtype, requires_grad=requires_grad, device=device)


def full_like(x, fill_value, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """``fill_value`` everywhere, shaped like ``x``."""
    shape, dt = _like(x, dtype, "full_like")
    return full(shape, fill_value, dtype=dt, requires_grad=requires_grad, device=device)


def eye(n: int, m: int | None = None, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """The (n, m) identity matrix (m defaults to n)."""
    (n, m) = _size((n, n if m is None else m), "eye")
    return _made(np.eye(n, m), dtype, requires_grad, "eye", device)


def arange(start, end=None, step=1, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """``start, start + step, ...`` below ``end`` (``arange(n)``: 0 .. n-1), as floats (float64
    unless ``dtype`` says float32)."""
    vals = np.arange(start, end, step) if end is not None else np.arange(start)
    return _made(vals, dtype, requires_grad, "arange", device)


def linspace(start, end, steps: int, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included."""
    return _made(np.linspace(start, end, steps, dtype=_float(dtype, "linspace")), dtype,
                 requires_grad, "linspace", device)


def rand(*size, seed=None, generator=None, dtype=None, requires_grad: bool = False,
         device=None) -> Tensor:
    """Uniform random numbers in [0, 1) of shape ``size`` (``generator``, ``seed`` or the global
    generator: ``randomness.py``)."""
    g = randomness.source(seed, generator, "rand")
    vals = randomness.uniform(g, _size(size, "rand")).astype(_float(dtype, "rand"))
    return _made(vals, dtype, requires_grad, "rand", device)


def randn(*size, seed=None, generator=None, dtype=None, requires_grad: bool = False,
          device=None) -> Tensor:
    """Standard normal random numbers of shape ``size`` (``seed`` / ``generator`` as in ``rand``)."""
    g = randomness.source(seed, generator, "randn")
    vals = randomness.normal(g, _size(size, "randn")).astype(_float(dtype, "randn"))
    return _made(vals, dtype, requires_grad, "randn", device)


def rand_like(x, dtype=None, seed=None, generator=None) -> Tensor:
    """Uniform random numbers in [0, 1) shaped like ``x`` (in its dtype unless ``dtype`` is given)."""
    shape, dt = _like(x, dtype, "rand_like")
    return rand(shape, seed=seed, generator=generator, dtype=dt)


def randn_like(x, dtype=None, seed=None, generator=None) -> Tensor:
    """Standard normal random numbers shaped like ``x``."""
    shape, dt = _like(x, dtype, "randn_like")
    return randn(shape, seed=seed, generator=generator, dtype=dt)


def randint(*args, size=None, seed=None, generator=None, dtype=None, device=None) -> Tensor:
    """PyTorch's ``randint(high, size)`` or ``randint(low, high, size)``: whole numbers drawn
    uniformly from [low, high) (low 0 by default), held as float64 (``dtype=`` float32 too)."""
    if size is not None:
        args = args + (size,)
    if len(args) not in (2, 3) or not isinstance(args[-1], (tuple, list)):
        raise TypeError(f"randint: give (high, size) or (low, high, size) with size a tuple, as "
                        f"torch.randint(0, 10, (3,)); got {args}")
    low, high = (0, args[0]) if len(args) == 2 else args[:2]
    if not all(isinstance(v, numbers.Integral) for v in (low, high)) or high <= low:
        raise ValueError(f"randint: low and high must be whole numbers with low < high, got {low}, {high}")
    g = randomness.source(seed, generator, "randint")
    return _made(randomness.integers(g, int(low), int(high), _size((args[-1],), "randint")),
                 dtype, False, "randint", device)


def randperm(n: int, seed=None, generator=None, dtype=None, device=None) -> Tensor:
    """PyTorch's ``randperm``: a random order of 0 .. n-1, held as float64 (an index: ``x[perm]``)."""
    (n,) = _size((n,), "randperm")
    g = randomness.source(seed, generator, "randperm")
    return _made(randomness.permutation(g, n), dtype, False, "randperm", device)
