"""Random numbers: one convention for the engine and for the layers, losses and loaders built on it.

Every random draw (``tinygrad_edu.rand``, ``randn``, ``randint``, ``randperm``, the initial weights of
``nn.Linear`` and ``nn.Conv2d``, ``nn.init``, dropout masks, a ``DataLoader``'s shuffles,
``random_split``) comes from the generator ``source`` picks:

* ``generator=``: the numpy ``Generator`` or ``RandomState`` given;
* ``seed=``: a fresh ``np.random.RandomState(seed)``;
* neither: numpy's global generator, which ``manual_seed(s)`` seeds (it is ``np.random.seed(s)``).

So ``seed=s`` gives the numbers that ``manual_seed(s)`` followed by the same call gives, and the
cs231n habit ``np.random.seed(0)`` makes a run reproducible too. PyTorch's own random streams are
not reproduced: ``manual_seed(0)`` here and in PyTorch draw different numbers. (micrograd's layers
keep micrograd's convention, Python's ``random`` module, so that its programs print its numbers.)
"""
from __future__ import annotations

import numbers

import numpy as np


def manual_seed(seed):
    """Seed the global generator, as ``torch.manual_seed``: ``np.random.seed(seed)``. Returns it."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed < 2 ** 32:
        raise ValueError(f"manual_seed: seed must be a whole number in [0, 2**32), got {seed!r}")
    np.random.seed(int(seed))
    return np.random.mtrand._rand


def source(seed=None, generator=None, where: str = "random"):
    """The generator a draw comes from: ``generator``, else ``RandomState(seed)``, else numpy's
    global generator (see the module docstring)."""
    if seed is not None and generator is not None:
        raise ValueError(f"{where}: give seed= or generator=, not both")
    if generator is not None:
        if not isinstance(generator, (np.random.Generator, np.random.RandomState)):
            raise TypeError(f"{where}: generator must be a numpy Generator or RandomState (e.g. "
                            f"np.random.default_rng(0)), got {type(generator).__name__}")
        return generator
    if seed is None:
        return np.random.mtrand._rand
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed < 2 ** 32:
        raise ValueError(f"{where}: seed must be a whole number in [0, 2**32), got {seed!r}")
    return np.random.RandomState(int(seed))


def uniform(g, shape, low=0.0, high=1.0) -> np.ndarray:
    """Uniform numbers in [low, high) from ``g`` (a Generator or a RandomState)."""
    return g.uniform(low, high, shape)


def normal(g, shape) -> np.ndarray:
    """Standard normal numbers from ``g``."""
    return g.standard_normal(shape)


def integers(g, low: int, high: int, shape) -> np.ndarray:
    """Whole numbers in [low, high) from ``g``, as int64."""
    draw = g.integers if isinstance(g, np.random.Generator) else g.randint
    return np.asarray(draw(low, high, size=shape), dtype=np.int64)


def permutation(g, n: int) -> np.ndarray:
    """A random order of 0 .. n-1 from ``g``."""
    return g.permutation(n)
