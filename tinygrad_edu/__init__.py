"""tinygrad_edu: a small reverse-mode autograd engine over numpy, for learning and checking backprop.

``import tinygrad_edu`` loads the engine only; the subpackages (``tinygrad_edu.viz``,
``.gradcheck``, ``.nn``, ``.optim``, ``.utils``, ``.micrograd``, ...) load the first time they are
named, so ``import tinygrad_edu as tg; tg.viz.draw(loss)`` works and costs nothing until then.

>>> import numpy as np
>>> from tinygrad_edu import Tensor
>>> w = Tensor(np.array([1.0, -2.0]), requires_grad=True)
>>> (w * w).sum().backward()
>>> w.grad
array([ 2., -4.])
"""
from .engine import (Function, Tensor, detect_anomaly, enable_grad, grad, is_grad_enabled, no_grad,
                     ops, tensor, unbroadcast)
from .engine import creation
from .engine.creation import *  # noqa: F401,F403 (zeros, stack, where, exp, ... as torch.<name>)
del trace  # tinygrad_edu.trace is the narrated backward pass; a matrix's trace is x.trace()

__version__ = "0.1.0"

__all__ = ["Tensor", "tensor", "grad", "Function", "no_grad", "enable_grad", "is_grad_enabled", "detect_anomaly",
           "unbroadcast", "ops", "__version__"]
__all__ += [n for n in creation.__all__ if n not in __all__ and n != "trace"]

# The subpackages and the names of small modules, loaded when first asked for (module __getattr__).
_SUBMODULES = ("checks", "cli", "compare", "datasets", "devices", "flat", "functional", "gradcheck",
               "higher", "layers", "losses", "micrograd", "nn", "optim", "reference",
               "serialization", "train", "utils", "viz")
_FROM_SUBMODULES = {"device": "devices", "cuda": "devices", "save": "serialization",
                    "load": "serialization"}


def __getattr__(name):
    import importlib

    if name in _SUBMODULES or name in _FROM_SUBMODULES:
        target = _FROM_SUBMODULES.get(name, name)
        try:
            module = importlib.import_module(f"{__name__}.{target}")
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{target}":
                raise                      # a dependency is missing: say which
            raise AttributeError(f"module 'tinygrad_edu' has no attribute {name!r}") from None
        return module if target == name else getattr(module, name)
    import difflib

    near = difflib.get_close_matches(name, __dir__(), n=1)
    hint = f"; did you mean tinygrad_edu.{near[0]}?" if near else ""
    raise AttributeError(f"module 'tinygrad_edu' has no attribute {name!r}{hint}")


def __dir__():
    return sorted(set(globals()) | set(_SUBMODULES) | set(_FROM_SUBMODULES))
