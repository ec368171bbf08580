"""Neural-net primitives: the sliding windows behind convolution and pooling, and their gradient.

``Unfold`` (im2col) copies windows out of an image; ``Fold`` (col2im) adds window entries back into
an image. Each is the other's gradient, so convolution and pooling can be differentiated any number
of times (``create_graph=True``).
"""
from __future__ import annotations

import numpy as np

from ..autograd import Op, WithSettings, apply


class _Windows(WithSettings):
    """What Unfold and Fold share: the kernel, stride and dilation, and where each offset reads."""

    def _set_out_hw(self, hw):
        """The number of window positions along H and W for an image of size ``hw``."""
        (kh, kw), (sh, sw), (dh, dw) = self.kernel, self.stride, self.dilation
        self.out_hw = ((hw[0] - dh * (kh - 1) - 1) // sh + 1, (hw[1] - dw * (kw - 1) - 1) // sw + 1)

    def _span(self, i, axis):
        """The strided slice of the image's axis (2 or 3) read by kernel offset ``i``."""
        s, d, n = self.stride[axis - 2], self.dilation[axis - 2], self.out_hw[axis - 2]
        return slice(i * d, i * d + s * (n - 1) + 1, s)

    def _settings(self):
        return f"kernel={self.kernel}, stride={self.stride}, dilation={self.dilation}"


class Unfold(_Windows):
    """y = the sliding windows of x over its last two axes (im2col).

    x (N, C, H, W) -> y (N, C, kh, kw, OH, OW) with ``y[n, c, i, j, p, q] =
    x[n, c, p*stride + i*dilation, q*stride + j*dilation]``, OH = (H - dilation*(kh-1) - 1) // stride
    + 1 (likewise OW). No padding here: pad first (``Pad``). The gradient (``Fold``) adds each window
    entry back where it was read from, one kernel offset (i, j) at a time: kh*kw strided additions,
    no loop over pixels.
    """

    formula = "dx = fold(dy): dx[.., p*s + i*d, q*s + j*d] += dy[.., i, j, p, q] (col2im)"

    def forward(self, x):
        self._set_out_hw(x.shape[2:])
        y = np.empty(x.shape[:2] + tuple(self.kernel) + self.out_hw, dtype=x.dtype)
        for i in range(self.kernel[0]):      # one strided copy per kernel offset (as Fold adds)
            for j in range(self.kernel[1]):
                y[:, :, i, j] = x[:, :, self._span(i, 2), self._span(j, 3)]
        return y

    def backward(self, dy, y, x):
        return (apply(Fold(hw=x.shape[2:], kernel=self.kernel, stride=self.stride,
                           dilation=self.dilation), dy),)

    def describe(self):
        return f"unfold({self._settings()})"


class Fold(_Windows):
    """y = the image whose windows are x, overlapping entries added (col2im; the gradient of Unfold).

    x (N, C, kh, kw, OH, OW) -> y (N, C, H, W) with ``y[n, c, p*stride + i*dilation, q*stride +
    j*dilation] += x[n, c, i, j, p, q]``; ``hw`` = (H, W), the image's size, which the window count
    alone does not determine. Its gradient reads the windows again (``Unfold``).
    """

    formula = "dx = unfold(dy): dx[.., i, j, p, q] = dy[.., p*s + i*d, q*s + j*d] (im2col)"

    def forward(self, x):
        self._set_out_hw(self.hw)
        y = np.zeros(x.shape[:2] + tuple(self.hw), dtype=x.dtype)
        for i in range(self.kernel[0]):
            for j in range(self.kernel[1]):
                y[:, :, self._span(i, 2), self._span(j, 3)] += x[:, :, i, j]
        return y

    def backward(self, dy, y, x):
        return (apply(Unfold(kernel=self.kernel, stride=self.stride, dilation=self.dilation), dy),)

    def describe(self):
        return f"fold(size={tuple(self.hw)}, {self._settings()})"
