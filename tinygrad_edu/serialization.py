"""``tg.save(obj, path)`` and ``tg.load(path)``, as ``torch.save`` / ``torch.load`` for what training
code saves: a ``state_dict`` (of a model or an optimizer), Tensors, numpy arrays, numbers, strings
and their lists, tuples and dicts.

The file is a Python pickle in which each Tensor is stored as its array (and ``requires_grad``);
``load`` rebuilds detached Tensors. As PyTorch's ``weights_only=True`` (its default), ``load``
refuses to build any other kind of object, so a file from elsewhere cannot run code; pass
``weights_only=False`` for a file you made yourself holding other objects.
"""
from __future__ import annotations

import io
import pickle

import numpy as np

from .engine import Tensor

__all__ = ["save", "load"]


def _rebuild(data, requires_grad):
    return Tensor(data, requires_grad=bool(requires_grad))


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj):
        if type(obj) is Tensor:
            return _rebuild, (np.array(obj.data), obj.requires_grad)
        return NotImplemented


_SAFE = {("tinygrad_edu.serialization", "_rebuild"), ("collections", "OrderedDict"),
         ("numpy", "ndarray"), ("numpy", "dtype"), ("numpy.core.multiarray", "_reconstruct"),
         ("numpy._core.multiarray", "_reconstruct"), ("numpy.core.multiarray", "scalar"),
         ("numpy._core.multiarray", "scalar"), ("builtins", "set"), ("builtins", "frozenset"),
         ("builtins", "complex"), ("builtins", "slice")}


class _SafeUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in _SAFE or (module.startswith("numpy") and name.startswith("dtype")):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f"load: the file holds a {module}.{name}, which weights_only=True refuses to build (it "
            f"could run code). If you made the file yourself, load(path, weights_only=False)")


def save(obj, f) -> None:
    """Write ``obj`` to ``f`` (a path or a binary file)."""
    if isinstance(f, (str, bytes)) or hasattr(f, "__fspath__"):
        with open(f, "wb") as fh:
            _Pickler(fh, protocol=4).dump(obj)
    else:
        _Pickler(f, protocol=4).dump(obj)


def load(f, map_location=None, weights_only: bool = True, **kwargs):
    """Read what ``save`` wrote. ``map_location`` is accepted (the CPU is the only place)."""
    if hasattr(f, "read"):
        data = f.read()
    else:
        with open(f, "rb") as fh:
            data = fh.read()
    unpickler = (_SafeUnpickler if weights_only else pickle.Unpickler)(io.BytesIO(data))
    return unpickler.load()

