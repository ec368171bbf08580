"""``tinygrad_edu.flat``: the flat-parameter helper, which lives in ``tinygrad_edu.train.flat``."""
from .train.flat import *  # noqa: F401,F403
from .train.flat import __all__  # noqa: F401
