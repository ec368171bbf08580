"""The one device, the CPU, in PyTorch's spellings: ``tg.device("cpu")`` and ``tg.cuda.is_available()``
(False), so that the usual ``device = torch.device("cuda" if torch.cuda.is_available() else "cpu")``
line runs. Asking for another device raises, saying that everything here runs on numpy."""
from __future__ import annotations

__all__ = ["device", "cuda"]


class device:
    """``device("cpu")`` (also ``"cpu:0"``, or a device); its ``type`` is ``"cpu"``."""

    def __init__(self, type="cpu", index=None):
        text = str(getattr(type, "type", type))
        kind, _, number = text.partition(":")
        if kind != "cpu":
            raise RuntimeError(f"device: tinygrad_edu computes on the CPU (numpy) only; got "
                               f"{text!r}. Use device('cpu')")
        self.type = "cpu"
        self.index = int(number) if number else index

    def __eq__(self, other):
        return str(getattr(other, "type", other)).partition(":")[0] == "cpu"

    def __hash__(self):
        return hash("cpu")

    def __repr__(self):
        return "device(type='cpu')"

    def __str__(self):
        return "cpu"


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
