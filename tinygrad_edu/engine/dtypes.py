"""The dtypes in PyTorch's spelling: ``tinygrad_edu.float32``, ``float64``, ``long``, ... (numpy dtypes).

A Tensor holds float32, float64 or bool. ``dtype=`` on the creation functions, ``.to(dtype)`` and
``.type_as`` read these names (and any numpy dtype): float32 and float64 as they are; an integer dtype
(``long``, ``int64``, ``int``, ``int32``) as float64 holding whole numbers (converted toward zero, as
PyTorch's ``.long()``), since integer data becomes float64 here; ``bool`` as a mask; float16
(``half``) is refused with a message, never widened silently (``inputs.dtype_of``).
"""
import numpy as np

__all__ = ["float32", "float64", "float", "double", "half", "float16", "int64", "long", "int32",
           "int", "bool"]

float32 = float = np.dtype(np.float32)
float64 = double = np.dtype(np.float64)
float16 = half = np.dtype(np.float16)
int64 = long = np.dtype(np.int64)
int32 = int = np.dtype(np.int32)
bool = np.dtype(np.bool_)
