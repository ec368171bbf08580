"""The engine: Tensor, the tape and the reverse walk, the grad modes and the primitive ops.

It imports numpy and nothing else from the package (a test checks it), so it reads on its own. The
lesson: ``tensor.py`` (the Tensor), ``autograd.py`` (Op, recording, the walk, unbroadcast) and the
first ops of each family in ``ops/``. The machinery, each in a room of its own: ``modes.py`` (no_grad,
enable_grad, detect_anomaly), ``versions.py`` (in-place updates), ``higher.py`` (gradients of
gradients), ``hooks.py`` (tensor hooks), ``grads.py`` (what ``.grad`` hands out), ``methods.py`` (the
further Tensor methods), ``creation.py`` (module functions), ``function.py`` (your own op).
"""
from . import ops
from .autograd import Op, Tape, grad, unbroadcast
from .function import Function, FunctionCtx
from .modes import detect_anomaly, enable_grad, is_grad_enabled, no_grad
from .tensor import Tensor, tensor
from . import creation, methods
from .creation import *  # noqa: F401,F403 (zeros, stack, where, exp, ... in PyTorch's spelling)

__all__ = ["Tensor", "tensor", "grad", "Function", "FunctionCtx", "Op", "Tape", "ops", "no_grad",
           "enable_grad", "is_grad_enabled", "detect_anomaly", "unbroadcast", "creation", "methods"]
__all__ += [n for n in creation.__all__ if n not in __all__]
