"""``tinygrad_edu.datasets``: the datasets, which live in ``tinygrad_edu.train.datasets``."""
from .train.datasets import *  # noqa: F401,F403
from .train.datasets import __all__  # noqa: F401
