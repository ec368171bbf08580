"""Shared test helpers: seeded random data and an independent centered-difference gradient."""
from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import settings

# On CI the property-based tests draw the same examples every run, so a red build is reproducible.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def numeric_grads(f, arrays, h=1e-6):
    """Centered differences of the scalar ``f(*arrays)`` with respect to each array (float64 copies).

    Kept independent of ``tinygrad_edu.gradcheck`` on purpose: the engine's tests should not rest on
    the code that checks learners' gradients.
    """
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    grads = []
    for a in arrays:
        g = np.zeros_like(a)
        for i in np.ndindex(a.shape):
            old = a[i]
            a[i] = old + h
            fp = f(*arrays)
            a[i] = old - h
            fm = f(*arrays)
            a[i] = old
            g[i] = (fp - fm) / (2 * h)
        grads.append(g)
    return grads
