"""The engine: Tensor, the tape and the reverse walk, the grad modes and the primitive ops.

It imports numpy and nothing else from the package (a test checks it), so it reads on its own. The
lesson: ``tensor.py`` (the Tensor), ``autograd.py`` (Op, recording, the walk, unbroadcast) and the
first ops of each family in ``ops/``. The machinery, each in a room of its own: ``modes.py`` (no_grad,
enable_grad, detect_anomaly), ``versions.py`` (in-place updates), ``higher.py`` (gradients of
gradients), ``hooks.py`` (tensor hooks), ``grads.py`` (what ``.grad`` hands out). The further Tensor
methods, by theme: ``methods.py``, ``shaping.py``, ``inplace.py``, ``interop.py`` (numpy given a
Tensor), with ``combining.py`` (where, concatenate, stack, einsum); module functions: ``creation.py``
(making tensors), ``op_functions.py`` (the ops as functions), ``randomness.py`` (one random-number
convention), ``dtypes.py``, ``devices.py``; ``function.py`` (your own op).
"""
from . import ops
from .autograd import Op, Tape, grad, unbroadcast
from .function import Function, FunctionCtx
from .modes import detect_anomaly, enable_grad, is_grad_enabled, no_grad
from .tensor import Tensor
from . import creation, dtypes, methods, op_functions
from .creation import *  # noqa: F401,F403 (tensor, zeros, randn, manual_seed, ... in PyTorch's spelling)
from .devices import device
from .dtypes import *  # noqa: F401,F403 (float32, float64, long, ...)
from .op_functions import *  # noqa: F401,F403 (stack, where, exp, sum, ... in PyTorch's spelling)

__all__ = ["Tensor", "grad", "Function", "FunctionCtx", "Op", "Tape", "ops", "no_grad",
           "enable_grad", "is_grad_enabled", "detect_anomaly", "unbroadcast", "creation", "methods",
           "op_functions", "dtypes", "device"]
__all__ += [n for n in creation.__all__ + dtypes.__all__ + op_functions.__all__ if n not in __all__]
