"""The one device, the CPU, in PyTorch's spellings: ``tg.device("cpu")`` and ``tg.cuda.is_available()``
(False), so that the usual ``device = torch.device("cuda" if torch.cuda.is_available() else "cpu")``
line runs. Asking for another device raises, saying that everything here runs on numpy."""
from __future__ import annotations

from .engine.devices import device

__all__ = ["device", "cuda"]


class _Cuda:
    """``tg.cuda``: no GPU here."""

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def device_count() -> int:
        return 0

    def __repr__(self):
        return "tinygrad_edu.cuda (no GPU: everything runs on the CPU)"


cuda = _Cuda()
