"""The primitive ops by family; each a numpy forward, a local gradient and that gradient's formula.

The core lesson's ops are here: ``Add``, ``Mul``, ``MatMul``, ``ReLU``, ``Exp``, ``Log``, ``Sum``,
``Max``, ``Reshape``, ``Transpose``, ``Index``. Everything else (mean, min, sqrt,
softmax, the losses) is built from these, so its gradient comes from them for free.
"""
from .arithmetic import Add, Div, Mul, Neg, Pow, Sub
from .elementwise import Exp, Log, ReLU, Sigmoid, Tanh
from .linalg import MatMul
from .reductions import Max, Sum
from .shape import Index, Reshape, Transpose

__all__ = ["Add", "Sub", "Mul", "Div", "Neg", "Pow", "MatMul", "ReLU", "Exp", "Log", "Tanh", "Sigmoid",
           "Sum", "Max", "Reshape", "Transpose", "Index"]
