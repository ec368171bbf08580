"""tinygrad_edu: a small reverse-mode autograd engine over numpy, for learning and checking backprop.

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

from . import layers  # noqa: E402,F401  (the layer functions; registers compare("batchnorm"), ...)
