"""The primitive ops by family; each a numpy forward, a local gradient and that gradient's formula.

The lesson's ops come first in each family file: ``Add``, ``Sub``, ``Mul`` (``arithmetic``),
``MatMul`` (``linalg``), ``ReLU``, ``Exp``, ``Log`` (``elementwise``), ``Sum``, ``Max``
(``reductions``), ``Reshape``, ``Transpose``, ``Index`` (``shape``). Composites (min, sqrt, softmax,
the losses) are built from primitives, so their gradients come from them for free.
"""
from .arithmetic import Add, Div, Maximum, Minimum, Mod, Mul, Neg, Pow, PowT, Sub, Where, select
from .elementwise import (Abs, Cast, Clip, Cos, Exp, Expm1, Log, Log1p, Log2, Log10, ReLU, Sigmoid, Sin,
                          Tan, Tanh)
from .linalg import Einsum, MatMul, parse_einsum
from .nn import Fold, Unfold
from .reductions import Cumsum, Max, Mean, Prod, Sum
from .shape import Concat, Expand, Index, IndexAdd, Pad, Reshape, Transpose

__all__ = ["Add", "Sub", "Mul", "Div", "Neg", "Pow", "MatMul", "ReLU", "Exp", "Log", "Tanh", "Sigmoid",
           "Sum", "Max", "Mean", "Reshape", "Transpose", "Index", "Expand", "IndexAdd",
           "PowT", "Mod", "Maximum", "Minimum", "Where", "Abs", "Sin", "Cos", "Tan", "Log1p", "Expm1",
           "Log2", "Log10", "Clip", "Cast", "Prod", "Cumsum", "Concat", "Pad",
           "Einsum", "parse_einsum", "Unfold", "Fold", "select"]
