"""The primitive ops by family; each a numpy forward, a local gradient and that gradient's formula.

The core lesson's ops are here: ``Add``, ``Mul``, ``MatMul``, ``ReLU``, ``Exp``, ``Log``, ``Sum``,
``Max``, ``Reshape``, ``Transpose``, ``Index``. Everything else (mean, min, sqrt,
softmax, the losses) is built from these, so its gradient comes from them for free.
"""
from .arithmetic import Add, Div, Mul, Neg, Pow, Sub
from .elementwise import Exp, Log, ReLU, Sigmoid, Tanh
from .linalg import MatMul
from .reductions import Max, Sum
from .shape import Expand, Index, IndexAdd, Reshape, Transpose
# further ops, beyond the core lesson (issue 12)
from .arithmetic import Maximum, Minimum, Mod, PowT, Where
from .elementwise import Abs, Cast, Clip, Cos, Expm1, Log1p, Log2, Log10, Sin, Tan
from .linalg import Einsum, parse_einsum
from .nn import Fold, Unfold
from .reductions import Cumsum, Prod
from .shape import Concat, Pad

__all__ = ["Add", "Sub", "Mul", "Div", "Neg", "Pow", "MatMul", "ReLU", "Exp", "Log", "Tanh", "Sigmoid",
           "Sum", "Max", "Reshape", "Transpose", "Index", "Expand", "IndexAdd",
           "PowT", "Mod", "Maximum", "Minimum", "Where", "Abs", "Sin", "Cos", "Tan", "Log1p", "Expm1",
           "Log2", "Log10", "Clip", "Cast", "Prod", "Cumsum", "Concat", "Pad",
           "Einsum", "parse_einsum", "Unfold", "Fold"]
