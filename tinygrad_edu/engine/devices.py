"""The one device, the CPU, as PyTorch's ``torch.device``: ``device("cpu")``, what ``Tensor.device``
is. Everything here runs on numpy; asking for another device raises and says so."""
from __future__ import annotations


def only_the_cpu(asked, where: str) -> RuntimeError:
    """The error for a device other than the CPU."""
    return RuntimeError(f"{where}: tinygrad_edu computes on the CPU (numpy) only; got {str(asked)!r}. "
                        f"Use device('cpu'), or leave the tensors where they are")


class device:
    """``device("cpu")`` (also ``"cpu:0"``, or a device); its ``type`` is ``"cpu"``."""

    def __init__(self, type="cpu", index=None):
        text = str(getattr(type, "type", type))
        kind, _, number = text.partition(":")
        if kind != "cpu":
            raise only_the_cpu(text, "device")
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


CPU = device("cpu")
