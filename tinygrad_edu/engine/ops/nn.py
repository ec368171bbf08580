"""Neural-net primitives: the sliding windows behind convolution and pooling."""
from __future__ import annotations

import numpy as np

from ..autograd import Op


class Unfold(Op):
    """y = the sliding windows of x over its last two axes (im2col).

    x (N, C, H, W) -> y (N, C, kh, kw, OH, OW) with ``y[n, c, i, j, p, q] =
    x[n, c, p*stride + i*dilation, q*stride + j*dilation]``, OH = (H - dilation*(kh-1) - 1) // stride
    + 1 (likewise OW). No padding here: pad first (``Pad``). The gradient adds each window entry back
    where it was read from, one kernel offset (i, j) at a time: kh*kw strided additions, no loop
    over pixels.
    """

    formula = "dx[.., p*s + i*d, q*s + j*d] += dy[.., i, j, p, q] (col2im)"

    def __init__(self, kernel, stride, dilation):
        self.kernel, self.stride, self.dilation = kernel, stride, dilation

    def _span(self, i, axis):
        """The strided slice of x's axis (2 or 3) read by kernel offset ``i``."""
        s, d, n = self.stride[axis - 2], self.dilation[axis - 2], self.out_hw[axis - 2]
        return slice(i * d, i * d + s * (n - 1) + 1, s)

    def forward(self, x):
        (kh, kw), (sh, sw), (dh, dw) = self.kernel, self.stride, self.dilation
        self.shape = x.shape
        self.out_hw = ((x.shape[2] - dh * (kh - 1) - 1) // sh + 1,
                       (x.shape[3] - dw * (kw - 1) - 1) // sw + 1)
        y = np.empty(x.shape[:2] + (kh, kw) + self.out_hw, dtype=x.dtype)
        for i in range(kh):          # one strided copy per kernel offset (the mirror of backward)
            for j in range(kw):
                y[:, :, i, j] = x[:, :, self._span(i, 2), self._span(j, 3)]
        return y

    def backward(self, dy):
        if not isinstance(dy, np.ndarray):
            raise NotImplementedError("unfold: its gradient is written in numpy only, so it cannot "
                                      "be differentiated again (create_graph=True)")
        dx = np.zeros(self.shape, dtype=dy.dtype)
        for i in range(self.kernel[0]):
            for j in range(self.kernel[1]):
                dx[:, :, self._span(i, 2), self._span(j, 3)] += dy[:, :, i, j]
        return (dx,)

    def describe(self):
        return f"unfold(kernel={self.kernel}, stride={self.stride}, dilation={self.dilation})"
