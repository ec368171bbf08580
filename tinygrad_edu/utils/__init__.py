"""PyTorch's ``torch.utils`` counterpart: ``tinygrad_edu.utils.data`` (``Dataset``, ``TensorDataset``,
``DataLoader``, samplers, ``random_split``)."""
from . import data

__all__ = ["data"]
